//! Exercises: a starting run, the controls a student may use, goals the engine checks after every
//! event, hints, and points. A solution is a link to a run, so grading is an exact replay.
//!
//! The page and `splitbrain grade` share everything here: the same [`Tracker`] watches the same
//! events, so a goal the page ticks is a goal the grader counts.
#![forbid(unsafe_code)]

mod exercise;
mod goal;
mod grade;
mod write;

pub use exercise::{Exercise, GoalSpec, Level, MAX_EXERCISES, MAX_GOALS, Pack};
pub use goal::{Goal, MAX_DEPTH, MAX_PREDICATES, Tracker, met_text};
pub use grade::{
    GoalResult, Graded, MAX_LINK_BYTES, Solution, check_actions, encode, grade, own_actions,
    parse_link, result, solution_link,
};
pub use write::{exercise_toml, pack_toml};

/// The packs shipped with Splitbrain (`exercises/*.toml`), by file name (`raft`, `paxos`, …).
/// Read without checking: the tests check them, and a page holds only some labs.
pub fn shipped() -> Vec<(String, Pack)> {
    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
        pack: Pack,
    }
    let entries: Vec<Entry> =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/packs.json")))
            .unwrap_or_default();
    entries.into_iter().map(|e| (e.name, e.pack)).collect()
}
