//! The deterministic engine every Splitbrain lab runs on.
//!
//! An algorithm is a pure [`Process`]: it reacts to a start, a message, a timer or a command and
//! answers with [`Effect`]s as plain data. The [`Simulator`] owns everything that could make two
//! runs differ — virtual time, randomness, the network and faults — so the same seed and the same
//! timed user actions give the same run, bit for bit, natively and in the browser.
//!
//! The UI and the CLI never see the concrete simulator: they hold a `Box<dyn Lab>` (see [`Lab`]).
#![forbid(unsafe_code)]

mod control;
mod hash;
mod history;
mod invariant;
mod lab;
pub mod limits;
mod net;
mod process;
mod queue;
mod rng;
mod sim;
mod storage;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod trace;
mod watch;
pub mod words;

pub use control::{Action, ControlError, TimedAction};
pub use hash::{StableHasher, stable_hash};
pub use invariant::{Invariant, Violation, World};
pub use lab::{
    Checkpoint, DroppedView, Lab, LinkView, MessageView, NodeState, RunOutcome, WorldView,
};
pub use net::{Latency, LinkConfig, Network, ParseLatencyError};
pub use process::{Cx, Describe, Effect, NodeView, Process};
pub use rng::{SimRng, derive_seed};
pub use sim::{SimConfig, Simulator};
pub use storage::Storage;
pub use time::{
    Duration, ParseDurationError, Time, format_time, ms, parse_duration, secs, serde_duration,
    serde_opt_duration,
};
pub use trace::{DropReason, EVENT_TYPES, Events, MsgId, Trace, TraceEvent, TraceKind, TraceLine};
pub use watch::{Ask, Fact, Watch, WatchClone};

/// Index of a node in a run: `0..nodes`.
pub type NodeId = usize;
