//! The throughput workload, shared by `splitbrain bench` (native) and the page's `?bench=N`
//! mode (wasm in Chromium), so both figures measure exactly the same run.

use crate::registry::build;
use crate::run::{RunDescription, RunError};
use splitbrain_sim::{Latency, limits, ms};

/// Runs the ping lab on `nodes` nodes — two pings outstanding per node, 1–5 ms links, a retry
/// timer re-armed on every pong, its invariant checked after every event, and the last 10 000
/// trace events kept as the app does — until `events` events were processed. Work per event is
/// constant, so the figure is the engine's own cost. `clock_ms` is the caller's wall clock (the
/// simulation never reads one). Returns (events, elapsed milliseconds, trace hash).
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
    lab.run_until(limits::MAX_TIME, events);
    Ok((lab.events(), clock_ms() - started, lab.trace_hash()))
}
