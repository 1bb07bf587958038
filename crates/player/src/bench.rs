//! The timeline's benchmark, shared by `splitbrain bench --seek` and the page's `?bench=seek`:
//! a 10-minute Raft run with automatic client traffic and faults, then seeks to instants drawn
//! from a fixed seed, each timed.

use crate::{Input, Options, Player, TrafficState};
use splitbrain_labs::{RunDescription, Traffic, find};
use splitbrain_sim::{Action, RunOutcome, SimRng, Time, TimedAction, secs};

/// Virtual length of the benchmark's run.
pub const RUN: Time = secs(600);

/// What one benchmark measured; times in milliseconds of the caller's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct SeekReport {
    /// Playing the whole run once (what the checkpoints are made from).
    pub play_ms: f64,
    /// Events in the run.
    pub events: u64,
    /// Each seek's time, in the order made.
    pub seeks_ms: Vec<f64>,
    /// Checkpoints held at the end.
    pub checkpoints: usize,
    /// The run's trace hash at the end, so native and wasm can be compared.
    pub hash: u64,
    /// The run as a link would carry it, at its end: the page's half of the benchmark opens it.
    pub link: RunDescription,
}

/// The run: Raft on 5 nodes with the page's settings and traffic; every minute a node crashes
/// (and restarts 20 s later) and another is cut off for 15 s.
pub fn run() -> Player {
    let mut base = RunDescription::new("raft", 1, 5);
    if let Ok(info) = find("raft") {
        (info.page_defaults)(&mut base);
    }
    let mut faults = Vec::new();
    for minute in 0..10u64 {
        let t = secs(60 * minute + 30);
        let (crash, cut) = ((minute % 5) as usize, ((minute + 2) % 5) as usize);
        let at = |t, action| TimedAction { at: t, action };
        faults.push(at(t, Action::Crash { node: crash }));
        faults.push(at(
            t + secs(5),
            Action::Partition {
                groups: vec![vec![cut]],
            },
        ));
        faults.push(at(t + secs(20), Action::Heal));
        faults.push(at(t + secs(20), Action::Restart { node: crash }));
    }
    let traffic = TrafficState::from_run(Some(Traffic::start()));
    Player::new(base, faults, traffic, Options::default()).expect("the benchmark run builds")
}

/// Plays [`run`] to its end, then makes `seeks` seeks to instants spread over it.
pub fn seek_bench(clock: &mut dyn FnMut() -> f64, seeks: usize) -> SeekReport {
    let mut p = run();
    let start = clock();
    while p.seek(RUN, u64::MAX) == RunOutcome::Budget {}
    let play_ms = clock() - start;
    let (events, hash) = (p.lab().events(), p.lab().trace_hash());
    let mut rng = SimRng::derive(7, SimRng::WORKLOAD, 0);
    let seeks_ms = (0..seeks)
        .map(|_| {
            let t = rng.below(RUN);
            let start = clock();
            let _ = p.apply(Input::Seek(t));
            clock() - start
        })
        .collect();
    SeekReport {
        play_ms,
        events,
        seeks_ms,
        checkpoints: p.checkpoint_count(),
        hash,
        link: {
            let _ = p.apply(Input::Seek(RUN));
            p.link_run()
        },
    }
}
