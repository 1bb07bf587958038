//! The throughput workload, shared by `splitbrain bench` (native) and the page's `?bench=N`
//! mode (wasm in Chromium), so both figures measure exactly the same run.

use crate::registry::build;
use crate::run::{RunDescription, RunError};
use splitbrain_sim::{Latency, ms};

/// Runs the ping lab on `nodes` nodes — two pings outstanding per node, 1–5 ms links, a retry
/// timer re-armed on every pong, its invariant checked after every event, and the last 10 000
/// trace events kept as the app does — until `events` events were processed. Work per event is
/// constant, so the figure is the engine's own cost. `clock_ms` is the caller's wall clock (the
/// simulation never reads one). Returns (events, elapsed milliseconds, trace hash).
#[cfg(feature = "ping")]
pub fn throughput(
    nodes: usize,
    events: u64,
    clock_ms: &mut dyn FnMut() -> f64,
) -> Result<(u64, f64, u64), RunError> {
    let mut desc = RunDescription::new("ping", 1, nodes);
    desc.network.latency = Latency::Uniform {
        min: ms(1),
        max: ms(5),
    };
    desc.params = serde_json::json!({"outstanding": 2});
    let mut lab = build(&desc, 10_000)?;
    let started = clock_ms();
    lab.run_until(splitbrain_sim::limits::MAX_TIME, events);
    Ok((lab.events(), clock_ms() - started, lab.trace_hash()))
}

/// Virtual length of one Raft benchmark run: sweeps run many short runs, so this is the shape
/// of work whose speed matters.
pub const RAFT_RUN: splitbrain_sim::Time = splitbrain_sim::secs(30);

/// Raft's throughput: `nodes` nodes with the paper's timings (150–300 ms elections, 75 ms
/// heartbeats), 5–10 ms links, a client `set` every 20 ms to each node in turn, all five Fig. 3
/// invariants after every event and the last 10 000 trace events kept. Runs of [`RAFT_RUN`]
/// virtual seconds (seeds 1, 2, ...) repeat until `events` events were processed. Returns
/// (events, elapsed milliseconds, hash of the run hashes). `watch` gives each run a watch (an
/// exercise's goals) to measure what checking them after every event costs.
#[cfg(feature = "raft")]
pub fn raft_throughput(
    nodes: usize,
    events: u64,
    clock_ms: &mut dyn FnMut() -> f64,
    watch: &dyn Fn() -> Option<Box<dyn splitbrain_sim::Watch>>,
) -> Result<(u64, f64, u64), RunError> {
    use splitbrain_sim::{Action, StableHasher};
    use std::hash::{Hash, Hasher};
    let started = clock_ms();
    let (mut done, mut seed) = (0u64, 0u64);
    let mut hasher = StableHasher::new();
    while done < events {
        seed += 1;
        let mut desc = RunDescription::new("raft", seed, nodes);
        desc.network.latency = Latency::Uniform {
            min: ms(5),
            max: ms(10),
        };
        let mut lab = build(&desc, 10_000)?;
        lab.set_watch(watch());
        let every = ms(20);
        for k in 1..RAFT_RUN / every {
            let action = Action::Client {
                node: (k as usize) % nodes,
                command: format!("set k{}={k}", k % 7),
            };
            lab.schedule(k * every, action)
                .map_err(|e| RunError(e.to_string()))?;
        }
        lab.run_until(RAFT_RUN, events - done);
        done += lab.events();
        lab.trace_hash().hash(&mut hasher);
    }
    Ok((done, clock_ms() - started, hasher.finish()))
}
