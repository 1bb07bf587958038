//! The player: one run, its branches and checkpoints, driven by [`Input`].

use crate::branch::{Branch, Item, Recorded, Saved};
use crate::input::Input;
use crate::markers::{Marker, MarkerKind};
use crate::traffic::TrafficState;
use splitbrain_labs::{LabInfo, RunDescription, build, find};
use splitbrain_sim::{Lab, NodeId, RunOutcome, Time, TimedAction, Watch, limits};
use std::rc::Rc;

/// Events between checkpoints: a rewind replays at most this many (about 2 ms natively, a few
/// in the page, so a drag across the timeline keeps its frame rate), and a 10-minute Raft run
/// needs about forty.
pub const CHECKPOINT_EVERY: u64 = 2_048;
/// Checkpoints one branch keeps; past this the older half is thinned to every other one, so a
/// long run's memory stays bounded and only far rewinds replay further.
pub const MAX_CHECKPOINTS: usize = 256;

/// How the page wants its runs built.
pub struct Options {
    /// Trace events each run keeps in memory.
    pub trace_kept: usize,
    /// Recent drops kept for the picture.
    pub keep_drops: usize,
    /// Stop at the event that breaks an invariant.
    pub stop_on_violation: bool,
    /// An exercise's goal watch, installed in every fresh run.
    pub watch: Option<Box<dyn Watch>>,
    /// Events between checkpoints ([`CHECKPOINT_EVERY`]).
    pub checkpoint_every: u64,
    /// Checkpoints a branch keeps ([`MAX_CHECKPOINTS`]).
    pub max_checkpoints: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            trace_kept: 10_000,
            keep_drops: 0,
            stop_on_violation: true,
            watch: None,
            checkpoint_every: CHECKPOINT_EVERY,
            max_checkpoints: MAX_CHECKPOINTS,
        }
    }
}

/// A run with its whole history: the only thing in the page that changes a run.
pub struct Player {
    pub(crate) base: RunDescription,
    pub(crate) info: &'static LabInfo,
    pub(crate) options: Options,
    pub(crate) lab: Box<dyn Lab>,
    pub(crate) branches: Vec<Branch>,
    pub(crate) current: usize,
    /// Items of the current branch already applied.
    pub(crate) cursor: usize,
    pub(crate) traffic: TrafficState,
    /// The history a reset returns to: a loaded link's actions and traffic.
    pub(crate) start_items: Vec<Recorded>,
    pub(crate) start_traffic: TrafficState,
    pub(crate) playing: bool,
    pub(crate) speed: f64,
    /// Pause here once.
    pub(crate) until: Option<Time>,
    /// Go back to `start_at` here, still playing.
    pub(crate) loop_at: Option<Time>,
    pub(crate) start_at: Time,
    /// What the last input could not do, in words.
    pub(crate) notice: Option<String>,
    /// Recorded items from this index on wait ([`Player::seek_place`]); `usize::MAX` otherwise.
    pub(crate) hold: usize,
}

impl Player {
    /// A player of `base` (its own actions scheduled, as an exercise's start is) with `actions`
    /// recorded on its first branch and automatic traffic as `traffic` says.
    pub fn new(
        base: RunDescription,
        actions: Vec<TimedAction>,
        traffic: TrafficState,
        options: Options,
    ) -> Result<Self, String> {
        let info = find(&base.lab).map_err(|e| e.0)?;
        let mut check = base.clone();
        check.actions.extend(actions.iter().cloned());
        check.validate().map_err(|e| e.0)?;
        let items: Vec<Recorded> = actions
            .into_iter()
            .map(|a| Recorded {
                at: a.at,
                item: Item::Act(a.action),
                events: None,
            })
            .collect();
        let items = crate::by_time(items, |r| r.at);
        let lab = fresh(&base, &options)?;
        let mut p = Self {
            base,
            info,
            options,
            lab,
            branches: Vec::new(),
            current: 0,
            cursor: 0,
            traffic,
            start_items: items,
            start_traffic: traffic,
            playing: false,
            speed: info.page_speed,
            until: None,
            loop_at: None,
            start_at: 0,
            notice: None,
            hold: usize::MAX,
        };
        p.begin();
        Ok(p)
    }

    /// A player of a shared link or a loaded file: its actions become the recorded history and
    /// its traffic goes on where it stood.
    pub fn from_link(mut run: RunDescription, options: Options) -> Result<Self, String> {
        let actions = std::mem::take(&mut run.actions);
        let traffic = TrafficState::from_run(run.traffic.take());
        Self::new(run, actions, traffic, options)
    }

    /// The first branch, from the lab as built.
    fn begin(&mut self) {
        self.cursor = 0;
        self.traffic = self.start_traffic;
        let start = self.save();
        self.branches = vec![Branch::first(self.start_items.clone(), start)];
        self.current = 0;
        self.after_progress();
    }

    pub(crate) fn save(&self) -> Saved {
        Saved {
            at: self.lab.now(),
            events: self.lab.events(),
            cursor: self.cursor,
            traffic: self.traffic,
            cp: Rc::new(self.lab.checkpoint()),
        }
    }

    // ----- what the page reads -----

    /// The run as it is now.
    pub fn lab(&self) -> &dyn Lab {
        self.lab.as_ref()
    }

    /// The run's description without anything done in the page.
    pub fn base(&self) -> &RunDescription {
        &self.base
    }

    /// The lab's registry entry.
    pub fn info(&self) -> &'static LabInfo {
        self.info
    }

    /// Virtual time now.
    pub fn now(&self) -> Time {
        self.lab.now()
    }

    /// Whether the clock runs.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Virtual seconds per wall second.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Automatic client traffic now.
    pub fn traffic(&self) -> TrafficState {
        self.traffic
    }

    /// Every branch of this run's history.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    /// Which branch is shown.
    pub fn current(&self) -> usize {
        self.current
    }

    /// The branch shown.
    pub fn branch(&self) -> &Branch {
        &self.branches[self.current]
    }

    /// How far the shown branch was played: the timeline's end.
    pub fn reached(&self) -> Time {
        self.branch().reached.max(self.lab.now())
    }

    /// The shown branch's markers.
    pub fn markers(&self) -> Vec<Marker> {
        self.branch().markers()
    }

    /// User actions taken on this branch up to now (an exercise's budget).
    pub fn actions_taken(&self) -> usize {
        self.branch().actions_before(self.cursor)
    }

    /// Takes the notice the last input left (why it was not done).
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// The recorded actions of this branch up to now: automatic requests and user actions in
    /// the order they were applied.
    pub fn actions(&self) -> Vec<TimedAction> {
        let b = self.branch();
        let upto = self.cursor.min(b.items.len());
        // Automatic requests already sent in this state: every one before the next due.
        let sent = |a: &&TimedAction| match self.traffic.due() {
            Some(next) => a.at < next,
            None => a.at <= self.lab.now(),
        };
        let mut autos = b
            .autos
            .iter()
            .filter(|a| a.taken && a.after <= upto && sent(&&a.request))
            .peekable();
        let mut all = Vec::new();
        for (i, r) in b.items[..upto].iter().enumerate() {
            while let Some(a) = autos.next_if(|a| a.after <= i) {
                all.push(a.request.clone());
            }
            if let Some(action) = r.action() {
                all.push(TimedAction {
                    at: r.at,
                    action: action.clone(),
                });
            }
        }
        all.extend(autos.map(|a| a.request.clone()));
        all
    }

    /// A description that replays this branch to this moment and goes on as it would: the
    /// base's actions, then every action taken here, and the traffic still to come.
    pub fn link_run(&self) -> RunDescription {
        let mut run = self.base.clone();
        run.actions.extend(self.actions());
        run.actions = crate::by_time(run.actions, |a| a.at);
        run.traffic = self.traffic.describe();
        run
    }

    // ----- what changes the run -----

    /// Pause once at `until`, start over at `start_at` when reaching `loop_at`.
    pub fn set_bounds(&mut self, until: Option<Time>, loop_at: Option<Time>, start_at: Time) {
        self.until = until;
        self.loop_at = loop_at;
        self.start_at = start_at;
    }

    /// Applies one input. An error says, in words, why it was not done; the run is unchanged.
    pub fn apply(&mut self, input: Input) -> Result<(), String> {
        match input {
            Input::Play => self.playing = true,
            Input::Pause => self.playing = false,
            Input::TogglePlay => self.playing = !self.playing,
            Input::Step => {
                self.playing = false;
                self.step();
            }
            Input::StepBack => {
                self.playing = false;
                let e = self.lab.events();
                if e == 0 {
                    return Err("this is the start of the run".into());
                }
                self.seek_events(e - 1);
            }
            Input::Seek(t) => {
                self.playing = false;
                while self.seek(t, u64::MAX) == RunOutcome::Budget {}
            }
            Input::Speed(s) => {
                if !(s.is_finite() && s > 0.0) {
                    return Err("speed must be a positive number".into());
                }
                self.speed = s;
            }
            Input::Reset => {
                self.lab = fresh(&self.base, &self.options)?;
                self.begin();
            }
            Input::LoadRun(run) => {
                let options = Options {
                    watch: self.options.watch.clone(),
                    ..self.options
                };
                let (speed, playing) = (self.speed, self.playing);
                *self = Self::from_link(*run, options)?;
                (self.speed, self.playing) = (speed, playing);
            }
            Input::Act(action) => self.act(Item::Act(action))?,
            Input::Request(node) => {
                // With client processes the simulator sends it through one of them.
                let node = node.or(self.info.entry).unwrap_or(0);
                let mut t = self.traffic;
                let action = t.numbered(self.info, self.lab.nodes(), node);
                self.act(Item::Request(action))?;
            }
            Input::Traffic(on) => {
                if self.info.own_traffic {
                    return Err(format!("the {} lab makes its own traffic", self.info.name));
                }
                if on != self.traffic.on {
                    self.act(Item::Traffic(on))?;
                }
            }
            Input::Branch(b) => self.switch(b)?,
        }
        Ok(())
    }

    /// One animation frame: `wall_ms` of the reader's time at this speed, at most `budget`
    /// events. Pauses at a violation, at `until` (once) and when the run halts; starts over at
    /// `loop_at`.
    pub fn tick(&mut self, wall_ms: f64, budget: u64) -> RunOutcome {
        if !self.playing {
            return RunOutcome::Reached;
        }
        let advance = (wall_ms.max(0.0) * 1_000.0 * self.speed) as Time;
        let mut target = self.lab.now().saturating_add(advance).min(limits::MAX_TIME);
        if let Some(end) = self.until.into_iter().chain(self.loop_at).min() {
            target = target.min(end);
        }
        let out = self.advance(target, budget);
        if matches!(out, RunOutcome::Violation | RunOutcome::Halted) {
            self.playing = false;
            return out;
        }
        let now = self.lab.now();
        if self.until.is_some_and(|u| now >= u) {
            self.until = None;
            self.playing = false;
        } else if self.loop_at.is_some_and(|l| now >= l) {
            while self.seek(self.start_at, u64::MAX) == RunOutcome::Budget {}
        }
        out
    }

    /// Part of a jump to `t`, at most `budget` events: `Budget` means call again (the page
    /// looks at its clock in between). Back in time it restores the nearest checkpoint first.
    pub fn seek(&mut self, t: Time, budget: u64) -> RunOutcome {
        let t = t.min(limits::MAX_TIME);
        let (now, events) = (self.lab.now(), self.lab.events());
        // Back in time, or far ahead within what this branch already played: start from the
        // nearest checkpoint rather than replaying everything in between.
        let nearer = self.branch().checkpoints.iter().rev().find(|s| s.at <= t);
        if t < now || nearer.is_some_and(|s| s.events > events) {
            self.restore(|s| s.at <= t);
        }
        self.advance(t, budget)
    }

    /// Records an exercise goal (or any outside happening) on the timeline, now.
    pub fn mark(&mut self, kind: MarkerKind, label: String) {
        let at = self.lab.now();
        let b = &mut self.branches[self.current];
        if !b.found.iter().any(|m| m.kind == kind && m.label == label) {
            let i = b.found.partition_point(|m| m.at <= at);
            b.found.insert(i, Marker { at, kind, label });
        }
    }

    /// Installs (or removes) the exercise watch for runs built from now on, and in this one.
    pub fn set_watch(&mut self, watch: Option<Box<dyn Watch>>) {
        self.options.watch = watch.clone();
        self.lab.set_watch(watch);
    }

    /// Where a button's client request goes by default: the lab's entry node or `selected`.
    ///
    /// With client processes, requests go through one of them (the selected one, else the
    /// first), so they are in the history the `Linearizable` check reads.
    pub fn client_node(&self, selected: Option<NodeId>) -> NodeId {
        let (servers, clients) = (self.lab.nodes(), self.lab.clients());
        if clients > 0 {
            return selected
                .filter(|&n| n >= servers && n < servers + clients)
                .unwrap_or(servers);
        }
        self.info.entry.or(selected).unwrap_or(0)
    }

    /// Memory the checkpoints of every branch hold, counted once each (for the benchmark).
    pub fn checkpoint_count(&self) -> usize {
        let mut seen: Vec<*const splitbrain_sim::Checkpoint> = self
            .branches
            .iter()
            .flat_map(|b| b.checkpoints.iter().map(|s| Rc::as_ptr(&s.cp)))
            .collect();
        seen.sort();
        seen.dedup();
        seen.len()
    }
}

/// A lab as the page wants it.
pub(crate) fn fresh(run: &RunDescription, o: &Options) -> Result<Box<dyn Lab>, String> {
    let mut lab = build(run, o.trace_kept).map_err(|e| e.0)?;
    lab.set_stop_on_violation(o.stop_on_violation);
    lab.keep_drops(o.keep_drops);
    if let Some(w) = &o.watch {
        lab.set_watch(Some(w.clone()));
    }
    Ok(lab)
}
