//! A tour played on the player: each step set up through the same [`Input`]s a reader sends,
//! its ending watched by the engine after every event, and the run at each step's start kept
//! so that going back is a checkpoint restore: instant, and the same every time.
//!
//! A step that waits ends at the exact event its goal first holds, whatever the frame rate:
//! the page plays on to the end of its frame, then the runner seeks back to that event and
//! drops the few events past it, so the next step starts from the same state as in a replay.

use crate::format::{Ending, Step, Tour};
use splitbrain_exercise::{Goal, Tracker};
use splitbrain_labs::RunDescription;
use splitbrain_player::{Input, Player};
use splitbrain_sim::{Ask, Time, Violation, Watch, limits, ms};
use std::any::Any;
use std::rc::Rc;

/// Virtual time a reference play (a cold link, the tests) advances between looks at a wait.
const LOOK_EVERY: Time = ms(50);

/// The engine's watch for one step's goal, named by the step's visit so the runner knows its
/// own (a checkpoint restore may bring back an older one).
#[derive(Debug, Clone)]
struct StepWatch {
    visit: u64,
    tracker: Tracker,
}

impl Watch for StepWatch {
    fn after_event(&mut self, now: Time, violations: &[Violation], ask: &mut Ask<'_>) {
        self.tracker.after_event(now, violations, ask);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The run as it was when a step started.
#[derive(Debug, Clone)]
struct Start {
    /// Which of the tour's player builds it was on ([`TourRun::builds`]): only on that one
    /// do its branch and items mean the same.
    build: u64,
    branch: usize,
    at: Time,
    /// Recorded items applied, which names the moment exactly when the reader acted at the
    /// same instant ([`Player::seek_place`]).
    cursor: usize,
    /// The run as a link, for a player rebuilt since (another chapter's run).
    link: RunDescription,
    speed: f64,
    playing: bool,
}

/// A tour in progress.
pub struct TourRun {
    tour: Rc<Tour>,
    step: usize,
    starts: Vec<Option<Start>>,
    /// Counts step visits: the current step's watch carries this number.
    visit: u64,
    /// Counts the runs the tour loaded into the player (a chapter's, a start's link).
    builds: u64,
    finished: bool,
}

impl TourRun {
    /// Opens `tour` at step `step` (from 0). Steps before it are played as a reader who did
    /// what each asked at once would have played them, so a step's link opens the same run
    /// every time.
    pub fn begin(tour: Rc<Tour>, step: usize, player: &mut Player) -> Result<TourRun, String> {
        if step >= tour.len() {
            return Err(format!(
                "the {} tour has steps 1 to {}",
                tour.id,
                tour.len()
            ));
        }
        let mut run = TourRun {
            starts: vec![None; tour.len()],
            tour,
            step: 0,
            visit: 0,
            builds: 0,
            finished: false,
        };
        run.set_up(0, player)?;
        while run.step < step {
            run.finish_as_reference(player)?;
            run.set_up(run.step + 1, player)?;
        }
        Ok(run)
    }

    /// The tour.
    pub fn tour(&self) -> &Rc<Tour> {
        &self.tour
    }

    /// The step shown, from 0.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The step shown.
    pub fn current(&self) -> &Step {
        self.tour.at(self.step).map(|a| a.step).unwrap_or_else(|| {
            // `step` is always in range; the first step stands in for safety.
            &self.tour.chapters[0].steps[0]
        })
    }

    /// Whether the last step has been ended (its Continue pressed).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Virtual time the shown step started at.
    pub fn started_at(&self) -> Option<Time> {
        self.starts[self.step].as_ref().map(|s| s.at)
    }

    /// Runs the tour has loaded into the player so far: when it changed, the page must treat
    /// the run as a new one.
    pub fn builds(&self) -> u64 {
        self.builds
    }

    /// Steps whose start is known, so going to them is a restore (for the tests and bench).
    pub fn known(&self) -> usize {
        self.starts.iter().flatten().count()
    }

    /// Looks at the run after a frame: ends the step when its event happened or its time ran
    /// out, and starts the next. Returns whether the step changed.
    pub fn frame(&mut self, player: &mut Player) -> Result<bool, String> {
        if self.finished {
            return Ok(false);
        }
        let Some(end) = self.ended(player) else {
            return Ok(false);
        };
        self.end_at(end, player)?;
        self.forward(player)?;
        Ok(true)
    }

    /// Continue: ends a step that waits on the reader, or skips a wait.
    pub fn next(&mut self, player: &mut Player) -> Result<(), String> {
        if self.finished {
            return Ok(());
        }
        self.forward(player)
    }

    /// Back one step, to the run as it was at that step's start.
    pub fn back(&mut self, player: &mut Player) -> Result<(), String> {
        if self.step == 0 {
            return Err("this is the tour's first step".into());
        }
        self.go(self.step - 1, player)
    }

    /// Goes to step `to` (from 0): a step already seen is restored as it started; a later one
    /// is reached by playing the steps between as their reference answers do.
    pub fn go(&mut self, to: usize, player: &mut Player) -> Result<(), String> {
        if to >= self.tour.len() {
            return Err(format!("the tour has steps 1 to {}", self.tour.len()));
        }
        self.finished = false;
        if self.starts[to].is_some() {
            return self.restore(to, player);
        }
        while self.step < to {
            self.finish_as_reference(player)?;
            self.set_up(self.step + 1, player)?;
        }
        Ok(())
    }

    /// Starts the shown step over, as it started.
    pub fn again(&mut self, player: &mut Player) -> Result<(), String> {
        self.finished = false;
        self.restore(self.step, player)
    }

    /// The reader changed the run during this step: later steps start from whatever it
    /// becomes, so their recorded starts no longer hold.
    pub fn reader_acted(&mut self) {
        for s in &mut self.starts[self.step + 1..] {
            *s = None;
        }
    }

    /// When the shown step's goal was met, if it has one and it was.
    pub fn met(&self, player: &Player) -> Option<Time> {
        let w = player.lab().watch()?.as_any().downcast_ref::<StepWatch>()?;
        (w.visit == self.visit)
            .then(|| w.tracker.met().first().copied().flatten())
            .flatten()
    }

    /// Whether the engine's watch is this visit's (goals that look back, such as a p99 over
    /// a window, must keep the one that has been counting).
    fn watching(&self, player: &Player) -> bool {
        player
            .lab()
            .watch()
            .and_then(|w| w.as_any().downcast_ref::<StepWatch>())
            .is_some_and(|w| w.visit == self.visit)
    }

    /// The goal of the shown step, in words ("a leader is elected").
    pub fn waiting_for(&self) -> Option<String> {
        self.current().goal().map(Goal::describe)
    }

    // ----- moving between steps -----

    /// Where the shown step's ending lies, once the run has reached it.
    fn ended(&mut self, player: &mut Player) -> Option<Time> {
        let start = self.starts[self.step].as_ref()?.at;
        match self.current().ending() {
            Ending::Continue => None,
            Ending::After(d) => {
                let end = start.saturating_add(d).min(limits::MAX_TIME);
                (player.now() >= end).then_some(end)
            }
            Ending::Wait(_) | Ending::Task(_) => {
                if !self.watching(player) {
                    // A rewind brought back a checkpoint's watch: watch this step again.
                    self.watch(player);
                }
                self.met(player).filter(|t| *t >= start)
            }
        }
    }

    /// Puts the run exactly at the step's end, `t`, with nothing played past it.
    fn end_at(&mut self, t: Time, player: &mut Player) -> Result<(), String> {
        if player.now() != t {
            player.apply(Input::Seek(t))?;
        }
        player.drop_future();
        Ok(())
    }

    /// The next step, restored if it has started before from this same history.
    fn forward(&mut self, player: &mut Player) -> Result<(), String> {
        let next = self.step + 1;
        if next >= self.tour.len() {
            self.finished = true;
            let _ = player.apply(Input::Pause);
            return Ok(());
        }
        if self.starts[next].is_some() {
            self.restore(next, player)
        } else {
            self.set_up(next, player)
        }
    }

    /// Sets up step `i` on the run as it stands and records its start.
    fn set_up(&mut self, i: usize, player: &mut Player) -> Result<(), String> {
        let tour = self.tour.clone();
        let place = tour.at(i).ok_or_else(|| format!("no step {}", i + 1))?;
        let step = place.step;
        let fail = |e: String| format!("step {}: {e}", i + 1);
        if place.first_of_chapter
            && let Some(run) = tour.chapter_run(place.chapter_index).map_err(fail)?
        {
            player.apply(Input::LoadRun(Box::new(run))).map_err(fail)?;
            self.builds += 1;
        }
        if let Some(on) = step.traffic {
            // A lab that makes its own traffic has no switch: nothing to do.
            let _ = player.apply(Input::Traffic(on));
        }
        for a in &step.act {
            player.apply(Input::Act(a.clone())).map_err(fail)?;
        }
        if let Some(s) = step.speed {
            player.apply(Input::Speed(s)).map_err(fail)?;
        }
        // A request that fell due now (traffic just switched on) goes out now, as a seek to
        // this moment would send it: the start is then the same however it is reached.
        player.apply(Input::Seek(player.now())).map_err(fail)?;
        self.step = i;
        self.watch(player);
        player.apply(if step.plays() {
            Input::Play
        } else {
            Input::Pause
        })?;
        self.starts[i] = Some(Start {
            build: self.builds,
            branch: player.current(),
            at: player.now(),
            cursor: player.cursor(),
            link: player.link_run(),
            speed: player.speed(),
            playing: step.plays(),
        });
        Ok(())
    }

    /// Puts the run back as step `i` started.
    fn restore(&mut self, i: usize, player: &mut Player) -> Result<(), String> {
        let Some(s) = self.starts[i].clone() else {
            return Err(format!("step {} has not started yet", i + 1));
        };
        if s.build == self.builds && s.branch < player.branches().len() {
            if player.current() != s.branch {
                player.apply(Input::Branch(s.branch))?;
            }
            player.seek_place(s.at, s.cursor);
        } else {
            // Another chapter's run, or one the reader replaced: its link replays everything
            // done up to that start and nothing after it.
            player.apply(Input::LoadRun(Box::new(s.link.clone())))?;
            self.builds += 1;
            player.apply(Input::Seek(s.at))?;
        }
        player.apply(Input::Speed(s.speed))?;
        self.step = i;
        self.watch(player);
        player.apply(if s.playing { Input::Play } else { Input::Pause })?;
        Ok(())
    }

    /// Installs the engine's watch for the shown step's goal (none when it has none).
    fn watch(&mut self, player: &mut Player) {
        self.visit += 1;
        let watch = self.current().goal().map(|g| {
            Box::new(StepWatch {
                visit: self.visit,
                tracker: Tracker::new([g], limits::MAX_TIME),
            }) as Box<dyn Watch>
        });
        player.set_watch(watch);
    }

    /// Ends the shown step as a reader who did what it asked at once: a task's answer
    /// applied now, then the run played to the event it waits for. The step stays shown
    /// (for measuring how long a step lasts; moving on is [`TourRun::go`]'s).
    pub fn finish_as_reference(&mut self, player: &mut Player) -> Result<(), String> {
        let i = self.step;
        let start = self.starts[i].as_ref().map_or(player.now(), |s| s.at);
        let fail = |e: String| format!("step {}: {e}", i + 1);
        let step = self.current().clone();
        if let Ending::Task(t) = step.ending() {
            for a in &t.answer {
                player.apply(Input::Act(a.clone())).map_err(fail)?;
            }
        }
        let end = match step.ending() {
            Ending::Continue => return Ok(()),
            Ending::After(d) => start.saturating_add(d),
            Ending::Wait(_) | Ending::Task(_) => {
                let give_up = start.saturating_add(crate::format::MAX_WAIT);
                loop {
                    if let Some(t) = self.met(player) {
                        break t;
                    }
                    let now = player.now();
                    if now >= give_up {
                        return Err(fail(format!(
                            "{} did not happen within {} s",
                            self.waiting_for().unwrap_or_default(),
                            crate::format::MAX_WAIT / 1_000_000
                        )));
                    }
                    player
                        .apply(Input::Seek((now + LOOK_EVERY).min(give_up)))
                        .map_err(fail)?;
                    if player.now() == now {
                        return Err(fail("the run stopped before the step's event".into()));
                    }
                }
            }
        };
        self.end_at(end, player).map_err(fail)
    }
}
