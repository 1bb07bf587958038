//! Is a client history linearizable? Clients of a replicated key-value store see their own
//! operations as invocations and completions (or time-outs), and the store is correct for them
//! when every operation can be placed at one instant between its invocation and its completion
//! such that the placed sequence is a legal run of a single register per key (Herlihy & Wing
//! 1990). Jepsen's Knossos and Porcupine decide this; this crate does it the way Porcupine does:
//! Wing & Gong's backtracking search over the history's call and return events (1993), with
//! Lowe's memoisation of (operations placed, state) pairs already explored (2017), one key at a
//! time (linearizability is local: Herlihy & Wing §3.3).
//!
//! An operation whose client timed out has no completion: it may have taken effect at any moment
//! after its invocation, or never, and its answer is unknown. The search has a step budget and
//! answers [`Verdict::Unknown`] beyond it, never hanging a page or a sweep.
#![forbid(unsafe_code)]

pub mod bench;
mod explain;
mod history;
mod model;
mod search;

pub use explain::{Explanation, explain};
pub use history::{Op, Time};
pub use model::{Input, Output};
pub use search::{Failure, Verdict, check};
