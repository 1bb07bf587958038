//! `splitbrain bench`: simulator throughput on the broadcast lab, median of several runs.

use crate::Fail;
use crate::args::BenchArgs;
use splitbrain_labs::{RunDescription, build};
use splitbrain_sim::{Action, limits, ms};
use std::process::ExitCode;
use std::time::Instant;

/// One measurement: a steady stream of broadcasts (one per millisecond of virtual time, from
/// rotating nodes) with anti-entropy on, until `events` events were processed. The trace keeps
/// its last 10 000 events, as the app does.
fn measure(nodes: usize, events: u64) -> Result<(u64, f64), Fail> {
    let mut desc = RunDescription::new("broadcast", 1, nodes);
    desc.network.latency = "1ms..5ms"
        .parse()
        .map_err(|e: splitbrain_sim::ParseLatencyError| Fail(e.0))?;
    let mut lab = build(&desc, 10_000)?;
    let started = Instant::now();
    let mut value = 0u64;
    while lab.events() < events {
        let node = (value as usize) % nodes;
        lab.control(&Action::Client {
            node,
            command: format!("broadcast {value}"),
        })
        .map_err(|e| Fail(e.to_string()))?;
        value += 1;
        let next = lab.now() + ms(1);
        lab.run_until(next, events - lab.events().min(events) + 1);
        if lab.halted().is_some() {
            break;
        }
    }
    Ok((lab.events(), started.elapsed().as_secs_f64()))
}

pub fn bench(a: BenchArgs) -> Result<ExitCode, Fail> {
    let mut rows = Vec::new();
    for &n in &a.nodes {
        if !(2..=limits::MAX_NODES).contains(&n) {
            return Err(Fail(format!(
                "bench nodes must be between 2 and {}",
                limits::MAX_NODES
            )));
        }
        let mut rates = Vec::new();
        for _ in 0..a.runs.max(1) {
            let (ev, s) = measure(n, a.events)?;
            rates.push(ev as f64 / s.max(1e-9));
        }
        rates.sort_by(f64::total_cmp);
        let median = rates[rates.len() / 2];
        rows.push(serde_json::json!({
            "nodes": n,
            "events": a.events,
            "runs": rates.len(),
            "median_events_per_second": median.round(),
            "min": rates[0].round(),
            "max": rates[rates.len() - 1].round(),
        }));
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
