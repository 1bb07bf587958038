//! Acting on a run: a user action, a client request or a traffic switch applied now and
//! recorded on the shown branch; in the past, a new branch that shares the history up to here
//! and keeps the old future reachable; and switching between branches.

use crate::branch::{Branch, Item, Recorded};
use crate::player::Player;
use splitbrain_sim::{RunOutcome, TimedAction};

impl Player {
    /// Applies a user action or a traffic switch now; in the past this starts a new branch.
    pub(crate) fn act(&mut self, item: Item) -> Result<(), String> {
        let now = self.lab.now();
        let before = self.lab.violations().len();
        let forked = self.in_the_past();
        if forked {
            self.fork();
        }
        let done = match &item {
            Item::Act(a) | Item::Request(a) => {
                self.lab.control(a).map_err(|e| format!("Not done: {e}"))
            }
            Item::Traffic(_) => Ok(()),
        };
        if let Err(e) = done {
            if forked {
                // Nothing changed: the new branch was never needed.
                self.current = self.branches.pop().and_then(|b| b.parent).unwrap_or(0);
            }
            return Err(e);
        }
        match &item {
            Item::Request(_) => self.traffic.count += 1,
            Item::Traffic(on) => self.traffic.set(*on, now),
            Item::Act(_) => {}
        }
        let b = &mut self.branches[self.current];
        let events = Some(self.lab.events());
        b.items.insert(
            self.cursor,
            Recorded {
                at: now,
                item,
                events,
            },
        );
        self.cursor += 1;
        if self.lab.violations().len() > before {
            // The action itself broke an invariant (a restart that forgot state): stop here.
            self.playing = false;
        }
        self.after_progress();
        Ok(())
    }

    /// Whether the shown branch goes on past this state (so acting now would change its future).
    fn in_the_past(&self) -> bool {
        let b = self.branch();
        self.cursor < b.items.len() || self.lab.now() < b.reached
    }

    /// Forgets what the shown branch played past now, when nothing was done there: a tour
    /// that ran on to find the event its step waits for, then went back to the moment it
    /// happened, goes on from there without making a branch. Returns `false`, changing
    /// nothing, when something was done after now (that future is the learner's).
    pub fn drop_future(&mut self) -> bool {
        let (now, events, recorded) =
            (self.lab.now(), self.lab.events(), self.lab.trace_recorded());
        let (cursor, traffic) = (self.cursor, self.traffic);
        let b = &mut self.branches[self.current];
        if cursor < b.items.len() {
            return false;
        }
        // The automatic requests already sent stay, as a fork keeps them.
        b.autos.retain(|a| match traffic.due() {
            Some(next) => a.request.at < next,
            None => a.request.at <= now,
        });
        b.reached = now;
        b.found.retain(|m| m.at <= now);
        b.scanned = b.scanned.min(recorded);
        b.checkpoints.retain(|s| s.events <= events && s.at <= now);
        true
    }

    /// A new branch that shares this one's history up to now and has no future yet.
    fn fork(&mut self) {
        let now = self.lab.now();
        let (events, cursor, traffic) = (self.lab.events(), self.cursor, self.traffic);
        let parent = &self.branches[self.current];
        let sent = |a: &TimedAction| match traffic.due() {
            Some(next) => a.at < next,
            None => a.at <= now,
        };
        let child = Branch {
            items: parent.items[..cursor].to_vec(),
            autos: parent
                .autos
                .iter()
                .filter(|a| a.after <= cursor && sent(&a.request))
                .cloned()
                .collect(),
            parent: Some(self.current),
            forked_at: now,
            reached: now,
            found: parent
                .found
                .iter()
                .filter(|m| m.at <= now)
                .cloned()
                .collect(),
            scanned: self.lab.trace_recorded(),
            checkpoints: parent
                .checkpoints
                .iter()
                .filter(|s| s.events <= events && s.cursor <= cursor && s.at <= now)
                .cloned()
                .collect(),
        };
        self.branches.push(child);
        self.current = self.branches.len() - 1;
    }

    /// Shows branch `b` at the same moment (or at its end, when it stops earlier).
    pub(crate) fn switch(&mut self, b: usize) -> Result<(), String> {
        if b >= self.branches.len() {
            return Err(format!(
                "there is no branch {b}: this run has {}",
                self.branches.len()
            ));
        }
        let t = self.lab.now().min(self.branches[b].reached);
        self.current = b;
        self.playing = false;
        self.restore(|s| s.at <= t);
        while self.advance(t, u64::MAX) == RunOutcome::Budget {}
        Ok(())
    }
}
