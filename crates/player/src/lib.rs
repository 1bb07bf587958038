//! The player: everything that drives a run in the page, with no browser in sight.
//!
//! Keys, buttons, the embedding page, exercises and tours all send one [`Input`]; the player
//! turns it into simulator calls. Because automatic client traffic and recorded actions are
//! applied at their own virtual times, Step, Play at any speed, a seek and a shared link give
//! the same trace. Going back restores the nearest checkpoint and replays forward; acting in the
//! past starts a new [`Branch`] and keeps the old future reachable.

#![forbid(unsafe_code)]

pub mod bench;
mod branch;
mod input;
mod markers;
mod player;
mod traffic;

pub use branch::{Auto, Branch, Item, Recorded, describe};
pub use input::Input;
pub use markers::{Marker, MarkerKind};
pub use player::{CHECKPOINT_EVERY, MAX_CHECKPOINTS, Options, Player};
pub use traffic::TrafficState;
