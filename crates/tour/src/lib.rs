//! Guided tours: each lab taught on its real, seeded engine. A tour is chapters of steps with
//! narration, setup through the player's one [`splitbrain_player::Input`], highlights, and an
//! ending: Continue, a virtual time, a real event (an exercise goal's predicate) or a "your
//! turn" task the reader performs. The runner keeps each step's start, so back and forward
//! are checkpoint restores, and a step's link opens the same run every time.
#![forbid(unsafe_code)]

mod format;
pub mod markdown;
mod runner;

pub use format::{
    At, Chapter, Ending, HINT_AFTER_S, Highlight, MAX_STEPS, MAX_TEXT, MAX_WAIT, PANELS, Step,
    Task, Tour,
};
pub use runner::TourRun;

/// The compiled tours (`tours/*.toml`) of the labs this build carries, as JSON (empty for a
/// lab without a tour).
const COMPILED: &[&str] = &[
    #[cfg(feature = "raft")]
    include_str!(concat!(env!("OUT_DIR"), "/raft.json")),
    #[cfg(feature = "paxos")]
    include_str!(concat!(env!("OUT_DIR"), "/paxos.json")),
    #[cfg(feature = "hashing")]
    include_str!(concat!(env!("OUT_DIR"), "/hashing.json")),
    #[cfg(feature = "balance")]
    include_str!(concat!(env!("OUT_DIR"), "/balance.json")),
    #[cfg(feature = "broadcast")]
    include_str!(concat!(env!("OUT_DIR"), "/broadcast.json")),
];

fn compiled() -> Vec<&'static str> {
    COMPILED.iter().copied().filter(|j| !j.is_empty()).collect()
}

/// The shipped tours this build carries, read without checking against the labs (the tests
/// check them; checking builds every chapter's run).
pub fn shipped() -> Vec<Tour> {
    compiled()
        .into_iter()
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect()
}

/// The shipped tour called `id`.
pub fn find(id: &str) -> Option<Tour> {
    shipped().into_iter().find(|t| t.id == id)
}

/// A tour's entry in the list of every tour, which every page carries whatever its labs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Listed {
    /// Its id (`?tour=`), named like its lab.
    pub id: &'static str,
    /// Its lab.
    pub lab: &'static str,
    /// Its title.
    pub title: &'static str,
    /// About how long it takes.
    pub minutes: i64,
}

/// Every shipped tour, including other bundles' (their pages have the tours themselves).
pub const INDEX: &[Listed] = include!(concat!(env!("OUT_DIR"), "/index.rs"));

/// Every compiled tour's JSON, for the tests to parse and check.
pub fn shipped_json() -> Vec<&'static str> {
    compiled()
}
