//! The one enum every driver of a run sends.

use splitbrain_labs::RunDescription;
use splitbrain_sim::{Action, NodeId, Time};

/// Something a key, a button, the embedding page, an exercise or a tour asks of the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start playing.
    Play,
    /// Stop playing.
    Pause,
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Process exactly one event (and whatever recorded action or automatic request is due
    /// before it), then pause.
    Step,
    /// Go back one event, paused.
    StepBack,
    /// Go to virtual time `t` of this branch, paused (forward plays on to it).
    Seek(Time),
    /// Virtual seconds per wall second.
    Speed(f64),
    /// Start over from the same run, forgetting the branches.
    Reset,
    /// Replace the run (its actions become the recorded actions of a fresh history).
    LoadRun(Box<RunDescription>),
    /// A user action now; in the past it starts a new branch.
    Act(Action),
    /// A client request numbered like the automatic ones, to `node` (`None`: the lab's entry,
    /// else node 0).
    Request(Option<NodeId>),
    /// Automatic client traffic on or off from now.
    Traffic(bool),
    /// Switch to another branch of this run's history, at the same moment where it has one.
    Branch(usize),
}
