//! `splitbrain experiment balance`: the same seeded workload under each policy, one JSON row
//! per policy with latency percentiles (ms), throughput, drops, timeouts, retries and
//! per-backend utilisation, plus how fast the simulation ran.

use crate::Fail;
use crate::args::BalanceArgs;
use rayon::prelude::*;
use splitbrain_labs::{RunDescription, build};
use splitbrain_sim::{Action, TimedAction};
use std::process::ExitCode;
use std::time::Instant;

fn run_one(a: &BalanceArgs, policy: &str) -> Result<serde_json::Value, Fail> {
    let nodes = a.backends as usize + 1;
    let mut run = RunDescription::new(splitbrain_balance::LAB, a.seed, nodes);
    run.network.latency = a.latency;
    let mut params = serde_json::json!({
        "policy": policy,
        "arrival": a.arrival,
        "service": a.service.to_string(),
        "concurrency": a.concurrency,
        "retries": a.retries,
    });
    if let Some(q) = a.queue {
        params["queue"] = q.into();
    }
    if let Some(t) = a.timeout {
        params["timeout"] = t.into();
    }
    run.params = params;
    for s in &a.slow {
        let (n, f) = s
            .split_once('=')
            .ok_or_else(|| Fail(format!("--slow {s:?}: expected N=F, e.g. 3=5")))?;
        let node: usize = n
            .trim_start_matches('n')
            .parse()
            .ok()
            .filter(|&n| (1..nodes).contains(&n))
            .ok_or_else(|| Fail(format!("--slow {s:?}: no backend {n}")))?;
        run.actions.push(TimedAction {
            at: 0,
            action: Action::Client {
                node,
                command: format!("slow {f}"),
            },
        });
    }
    let mut lab = build(&run, 0)?;
    let started = Instant::now();
    lab.run_until(a.duration, u64::MAX);
    let wall = started.elapsed().as_secs_f64();
    let mut row = lab.summary();
    let requests = row["counts"]["requests"].as_f64().unwrap_or(0.0);
    row["simulated_requests_per_wall_second"] = (requests / wall.max(1e-9)).round().into();
    row["events"] = lab.events().into();
    row["trace_hash"] = format!("{:016x}", lab.trace_hash()).into();
    row["violations"] = lab.violations().len().into();
    Ok(row)
}

/// Runs every policy (in parallel) and prints one row each, in the order given.
pub fn experiment(a: BalanceArgs) -> Result<ExitCode, Fail> {
    for p in &a.policy {
        splitbrain_balance::build(p, a.backends as usize).map_err(Fail)?;
    }
    let rows: Vec<Result<serde_json::Value, Fail>> =
        a.policy.par_iter().map(|p| run_one(&a, p)).collect();
    let rows: Vec<serde_json::Value> = rows.into_iter().collect::<Result<_, _>>()?;
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).expect("rows serialize")
    );
    Ok(ExitCode::SUCCESS)
}
