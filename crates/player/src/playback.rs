//! How a run moves under the player: the one loop that runs the simulator to the next recorded
//! action or automatic request and applies it, one event at a time for Step and step-back, and
//! the bookkeeping after each stretch (how far the branch got, its markers, its checkpoints).

use crate::branch::{Auto, Branch, Item, Saved};
use crate::markers::{self, Marker, MarkerKind};
use crate::player::Player;
use splitbrain_sim::{RunOutcome, Time, TimedAction};

impl Player {
    /// Goes back to the latest checkpoint of this branch that `fits`.
    pub(crate) fn restore(&mut self, fits: impl Fn(&Saved) -> bool) {
        let b = &self.branches[self.current];
        let Some(s) = b.checkpoints.iter().rev().find(|s| fits(s)).cloned() else {
            return;
        };
        if self.lab.restore(&s.cp).is_ok() {
            self.cursor = s.cursor;
            self.traffic = s.traffic;
        }
    }

    /// When the next recorded item or automatic request is due.
    pub(crate) fn due(&self) -> Option<Time> {
        let item = self.item_due();
        match (item, self.traffic.due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Applies what is due now: the automatic request first (it fires as the clock reaches
    /// its time, before anything the learner does at that instant), then recorded items in
    /// order. Returns whether an invariant broke.
    pub(crate) fn fire_due(&mut self) -> bool {
        let now = self.lab.now();
        let before = self.lab.violations().len();
        let item_at = self.item_due();
        let traffic = self.traffic.due().filter(|d| *d <= now);
        // Both due at once: as it happened on this branch (the learner may have acted while a
        // request was due and not yet sent); a request never sent before goes first, as the
        // clock reaching its time sends it.
        let auto_first = |b: &Branch, cursor: usize| {
            let i = b.autos.partition_point(|a| a.request.at < now);
            b.autos
                .get(i)
                .filter(|a| a.request.at == now)
                .is_none_or(|a| a.after <= cursor)
        };
        if traffic.is_some_and(|d| {
            item_at.is_none_or(|a| d < a || (d == a && auto_first(self.branch(), self.cursor)))
        }) {
            let action = self.traffic.fire(self.lab.as_ref(), self.info);
            let taken = self.lab.control(&action).is_ok();
            let after = self.cursor;
            let b = &mut self.branches[self.current];
            // A replay sends the same requests again: log each once.
            if b.autos.last().is_none_or(|a| a.request.at < now) {
                b.autos.push(Auto {
                    after,
                    request: TimedAction { at: now, action },
                    taken,
                });
            }
        } else if item_at.is_some_and(|a| a <= now) {
            let events = self.lab.events();
            let slot = &mut self.branches[self.current].items[self.cursor];
            slot.events.get_or_insert(events);
            let r = slot.clone();
            self.cursor += 1;
            let action = match r.item {
                Item::Act(a) => Some(a),
                Item::Request(a) => {
                    self.traffic.count += 1;
                    Some(a)
                }
                Item::Traffic(on) => {
                    self.traffic.set(on, now);
                    None
                }
            };
            if let Some(a) = action
                && self.lab.control(&a).is_err()
                // A loaded file's action that cannot run now: the engine records it as
                // skipped, exactly as the CLI replaying the file does.
                && self.lab.schedule(now, a).is_ok()
            {
                self.lab.run_until(now, u64::MAX);
            }
        }
        self.lab.violations().len() > before
    }

    /// Runs to `target` with recorded items and automatic requests at their times.
    pub(crate) fn advance(&mut self, target: Time, budget: u64) -> RunOutcome {
        let start = self.lab.events();
        loop {
            let used = self.lab.events() - start;
            let due = self.due().filter(|d| *d <= target);
            let stop = due.unwrap_or(target);
            if used >= budget && (due.is_some() || self.lab.now() < target) {
                return RunOutcome::Budget;
            }
            let chunk = (budget - used).min(self.options.checkpoint_every);
            let out = self.lab.run_until(stop, chunk);
            self.after_progress();
            match out {
                RunOutcome::Reached => {}
                RunOutcome::Budget => continue,
                other => return other,
            }
            if due.is_none() {
                return RunOutcome::Reached;
            }
            if self.fire_due() && self.options.stop_on_violation {
                self.after_progress();
                return RunOutcome::Violation;
            }
        }
    }

    /// One event, and whatever is due before it.
    pub(crate) fn step(&mut self) {
        self.step_one();
        self.after_progress();
    }

    /// Processes one event, first applying the recorded action or automatic request due before
    /// it; `false` when the run has nothing left to do.
    pub(crate) fn step_one(&mut self) -> bool {
        loop {
            match self.due() {
                Some(d) => {
                    if self.lab.step_until(d) {
                        return true;
                    }
                    // Nothing live comes before it: it goes first.
                    if self.lab.run_until(d, u64::MAX) != RunOutcome::Reached {
                        return false;
                    }
                    self.fire_due();
                }
                None => return self.lab.step(),
            }
        }
    }

    /// The state right after event number `e` (counted from the start of the run).
    pub(crate) fn seek_events(&mut self, e: u64) {
        if e < self.lab.events() {
            self.restore(|s| s.events <= e);
        }
        while self.lab.events() < e {
            if !self.step_one() {
                break;
            }
        }
        // What was done right after event `e`, before the next one, belongs to this state,
        // and so does an automatic request that fell due before it: it went first then too.
        while self
            .branch()
            .items
            .get(self.cursor)
            .is_some_and(|r| r.events == Some(e))
        {
            let Some(d) = self.due() else { break };
            if self.lab.run_until(d, u64::MAX) != RunOutcome::Reached {
                break;
            }
            self.fire_due();
        }
        self.after_progress();
    }

    /// The run at virtual time `at` with exactly the first `cursor` recorded items of this
    /// branch applied, paused: a saved place (a tour step's start) that a time alone cannot
    /// name when something was done at that same instant after it.
    pub fn seek_place(&mut self, at: Time, cursor: usize) {
        self.playing = false;
        if at < self.lab.now() || self.cursor > cursor {
            self.restore(|s| s.at <= at && s.cursor <= cursor);
        }
        self.hold = cursor;
        while self.advance(at, u64::MAX) == RunOutcome::Budget {}
        self.hold = usize::MAX;
    }

    /// Recorded items of this branch applied so far (see [`Player::seek_place`]).
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The next recorded item's time, unless [`Player::seek_place`] holds it back.
    fn item_due(&self) -> Option<Time> {
        if self.cursor >= self.hold {
            return None;
        }
        self.branch().items.get(self.cursor).map(|r| r.at)
    }

    /// After the run moved: the branch's reach, new markers, and a checkpoint when due.
    pub(crate) fn after_progress(&mut self) {
        let (now, events, recorded) =
            (self.lab.now(), self.lab.events(), self.lab.trace_recorded());
        let b = &mut self.branches[self.current];
        b.reached = b.reached.max(now);
        if recorded > b.scanned {
            let n = (recorded - b.scanned).min(self.options.trace_kept as u64) as usize;
            let scanned = b.scanned;
            for l in self.lab.trace_tail(n) {
                if l.i < scanned {
                    continue;
                }
                if let Some((kind, label)) = markers::from_trace(&l) {
                    let dup = kind == MarkerKind::Chosen
                        && b.found.iter().any(|m| m.kind == kind && m.label == label);
                    if !dup {
                        let i = b.found.partition_point(|m| m.at <= l.t);
                        b.found.insert(
                            i,
                            Marker {
                                at: l.t,
                                kind,
                                label,
                            },
                        );
                    }
                }
            }
            b.scanned = recorded;
        }
        let due = b
            .checkpoints
            .last()
            .is_none_or(|s| events >= s.events + self.options.checkpoint_every);
        if due {
            let saved = self.save();
            let b = &mut self.branches[self.current];
            b.checkpoints.push(saved);
            if b.checkpoints.len() > self.options.max_checkpoints {
                thin(&mut b.checkpoints);
            }
        }
    }
}

/// Keeps the first checkpoint, every other one of the older half, and the newer half whole.
fn thin(cps: &mut Vec<Saved>) {
    let half = cps.len() / 2;
    let mut i = 0;
    cps.retain(|_| {
        i += 1;
        i == 1 || i > half || i % 2 == 1
    });
}
