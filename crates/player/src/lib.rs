//! The player: everything that drives a run in the page, with no browser in sight.
//!
//! Keys, buttons, the embedding page, exercises and tours all send one [`Input`]; the player
//! turns it into simulator calls. Because automatic client traffic and recorded actions are
//! applied at their own virtual times, Step, Play at any speed, a seek and a shared link give
//! the same trace. Going back restores the nearest checkpoint and replays forward; acting in the
//! past starts a new [`Branch`] and keeps the old future reachable.

#![forbid(unsafe_code)]

mod acting;
pub mod bench;
mod branch;
mod input;
mod markers;
mod playback;
mod player;
mod traffic;

pub use branch::{Auto, Branch, Item, Recorded, describe};
pub use input::Input;
pub use markers::{Marker, MarkerKind};
pub use player::{CHECKPOINT_EVERY, MAX_CHECKPOINTS, Options, Player};
pub use traffic::TrafficState;

use splitbrain_sim::Time;

/// `items` in time order, ties kept in their order. One sort of `(time, index)` pairs serves
/// every caller: each `sort_by_key` with its own closure would add its own copy of the sort to
/// the page's download.
pub fn by_time<T>(items: Vec<T>, at: impl Fn(&T) -> Time) -> Vec<T> {
    if items.windows(2).all(|w| at(&w[0]) <= at(&w[1])) {
        return items;
    }
    let mut keys: Vec<(Time, usize)> = items.iter().enumerate().map(|(i, x)| (at(x), i)).collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    keys.into_iter()
        .filter_map(|(_, i)| slots[i].take())
        .collect()
}
