//! `splitbrain bench`: simulator throughput on a shared workload, median of several runs.

use crate::Fail;
use crate::args::BenchArgs;
use splitbrain_sim::limits;
use std::process::ExitCode;
use std::time::Instant;

/// One measurement of a shared workload (see `splitbrain_labs::bench`).
fn measure(lab: &str, nodes: usize, events: u64, goals: bool) -> Result<(u64, f64, u64), Fail> {
    let origin = Instant::now();
    let mut clock = || origin.elapsed().as_secs_f64() * 1_000.0;
    let watch = || goals.then(|| Box::new(bench_goals()) as Box<dyn splitbrain_sim::Watch>);
    let (ev, elapsed_ms, hash) = match lab {
        "raft" => splitbrain_labs::bench::raft_throughput(nodes, events, &mut clock, &watch)?,
        _ => splitbrain_labs::bench::throughput(nodes, events, &mut clock)?,
    };
    Ok((ev, elapsed_ms / 1_000.0, hash))
}

/// Goals like the Raft pack's, none of which the bench workload meets, so every one is
/// evaluated after every event: the most a checklist costs.
fn bench_goals() -> splitbrain_exercise::Tracker {
    let goals: Vec<splitbrain_exercise::Goal> = serde_json::from_value(serde_json::json!([
        {"all": [{"leader_elected": {"min_term": 50}}, {"node_down": {"node": 2}}]},
        {"value_chosen": {"slot": 1000000}},
        {"all": [{"term_at_least": {"term": 50}}, {"not": {"leader_elected": {"min_term": 2}}}]},
        {"all": [{"no_progress_for": {"s": 100}}, {"progress_at_least": {"n": 1}}]},
        {"any": [{"violation": {"invariant": "StateMachineSafety"}}, {"violation": {"invariant": "LeaderCompleteness"}}]},
    ]))
    .unwrap_or_default();
    splitbrain_exercise::Tracker::new(&goals, splitbrain_sim::limits::MAX_TIME)
}

/// `--seek N`: the timeline's benchmark, `runs` times; medians of each run's figures.
fn seek(seeks: usize, runs: usize, with_run: bool) -> Result<ExitCode, Fail> {
    if !(1..=10_000).contains(&seeks) {
        return Err(Fail("--seek takes 1 to 10000 seeks".into()));
    }
    let origin = Instant::now();
    let mut clock = || origin.elapsed().as_secs_f64() * 1_000.0;
    let mut reports: Vec<_> = (0..runs.max(1))
        .map(|_| splitbrain_player::bench::seek_bench(&mut clock, seeks))
        .collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut medians: Vec<f64> = reports
        .iter_mut()
        .map(|r| median(&mut r.seeks_ms))
        .collect();
    let mut worst: Vec<f64> = reports
        .iter()
        .map(|r| r.seeks_ms.iter().copied().fold(0.0, f64::max))
        .collect();
    let mut play: Vec<f64> = reports.iter().map(|r| r.play_ms).collect();
    let r = &reports[0];
    let mut row = serde_json::json!({
        "bench": "seek",
        "run": "raft, 5 nodes, 10 min, automatic traffic, a crash and a partition every minute",
        "events": r.events,
        "seeks": seeks,
        "runs": reports.len(),
        "play_ms_median": (median(&mut play) * 10.0).round() / 10.0,
        "seek_ms_median": (median(&mut medians) * 100.0).round() / 100.0,
        "seek_ms_worst_median": (median(&mut worst) * 100.0).round() / 100.0,
        "checkpoints": r.checkpoints,
        "trace_hash": format!("{:016x}", r.hash),
    });
    if with_run {
        row["link_run"] = serde_json::to_value(&r.link).unwrap_or_default();
    }
    println!("{}", serde_json::to_string_pretty(&row).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// `--checker`: the linearizability checker on concurrent histories, by clients and length;
/// medians of `runs`.
fn checker(runs: usize) -> Result<ExitCode, Fail> {
    use splitbrain_linearizable::{Verdict, bench::concurrent_history, check};
    let mut rows = Vec::new();
    for clients in [1, 5, 10] {
        for ops in [100, 1_000, 10_000] {
            let h = concurrent_history(clients, ops, 10, 1);
            let mut ms = Vec::new();
            let mut verdict = String::new();
            for _ in 0..runs.max(1) {
                let start = Instant::now();
                let v = check(&h, 100_000_000);
                ms.push(start.elapsed().as_secs_f64() * 1_000.0);
                verdict = match v {
                    Verdict::Linearizable => "linearizable".into(),
                    Verdict::NotLinearizable(_) => "not linearizable".into(),
                    Verdict::Unknown { .. } => "unknown".into(),
                };
            }
            ms.sort_by(f64::total_cmp);
            rows.push(serde_json::json!({
                "clients": clients,
                "operations": ops,
                "keys": 10,
                "verdict": verdict,
                "ms_median": (ms[ms.len() / 2] * 100.0).round() / 100.0,
            }));
        }
    }
    let out = serde_json::json!({ "bench": "checker", "runs": runs.max(1), "rows": rows });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// `--diagram`: the diagram's costs on a 100,000-event Raft run; medians of `runs`.
fn diagram(runs: usize) -> Result<ExitCode, Fail> {
    use splitbrain_diagram::{Causality, Diagram, Options, SvgStyle, draw, to_svg};
    let desc = splitbrain_labs::RunDescription::new("raft", 1, 5);
    let command = splitbrain_labs::find("raft")?.client_command;
    let mut lab = splitbrain_labs::build(&desc, 100_000)?;
    // Client traffic and a crash, so the run has commits, drops and outages to draw.
    for k in 0..2_000u64 {
        let at = k * 15_000;
        let _ = lab.schedule(
            at,
            splitbrain_sim::Action::Client {
                node: (k % 5) as usize,
                command: command(k, 5),
            },
        );
    }
    let _ = lab.schedule(10_000_000, splitbrain_sim::Action::Crash { node: 1 });
    let _ = lab.schedule(12_000_000, splitbrain_sim::Action::Restart { node: 1 });
    while lab.trace_recorded() < 100_000 && lab.step() {}
    let lines = lab.trace_tail(100_000);
    let (first, last) = (
        lines.first().map_or(0, |l| l.t),
        lines.last().map_or(0, |l| l.t),
    );
    let mut index_ms = Vec::new();
    let mut window_ms = Vec::new();
    let mut zoomed_out_ms = Vec::new();
    let mut causal_ms = Vec::new();
    let mut arrows = 0;
    let mut past = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let d = Diagram::from_lines(&lines, 5);
        index_ms.push(t.elapsed().as_secs_f64() * 1e3);
        // The page's default window (440 px at 40 px per 15 ms message), mid-run.
        let mid = first + (last - first) / 2;
        let kinds = ["vote", "append", "ack"];
        let opts = Options {
            from: mid,
            to: mid + 165_000,
            px_per_sec: 2_667.0,
            width: 480.0,
            kinds: &kinds,
            ..Options::default()
        };
        let t = Instant::now();
        let svg = to_svg(&draw(&d, &opts), &SvgStyle::default());
        window_ms.push(t.elapsed().as_secs_f64() * 1e3);
        arrows = svg.matches("<g class=\"arr").count();
        // Zoomed far out: 10 s in the window, compressed.
        let wide = Options {
            from: mid,
            to: mid + 10_000_000,
            px_per_sec: 44.0,
            compressed: true,
            ..opts.clone()
        };
        let t = Instant::now();
        let _ = to_svg(&draw(&d, &wide), &SvgStyle::default());
        zoomed_out_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let range = d.point_range();
        let t = Instant::now();
        let c = Causality::of(&d, range.start + (range.end - range.start) / 2);
        causal_ms.push(t.elapsed().as_secs_f64() * 1e3);
        past = c.map_or(0, |c| c.before);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2] * 100.0).round() / 100.0
    };
    let out = serde_json::json!({
        "bench": "diagram",
        "runs": runs.max(1),
        "trace_events": lines.len(),
        "run_span": splitbrain_sim::format_time(last - first),
        "index_ms_median": median(&mut index_ms),
        "window_svg_ms_median": median(&mut window_ms),
        "window_arrows": arrows,
        "zoomed_out_10s_svg_ms_median": median(&mut zoomed_out_ms),
        "causal_ms_median": median(&mut causal_ms),
        "causal_past_events": past,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

pub fn bench(a: BenchArgs) -> Result<ExitCode, Fail> {
    if a.checker {
        return checker(a.runs);
    }
    if a.diagram {
        return diagram(a.runs);
    }
    if let Some(n) = a.seek {
        return seek(n, a.runs, a.with_run);
    }
    if a.goals && a.lab != "raft" {
        return Err(Fail(
            "--goals measures the raft workload (--lab raft)".into(),
        ));
    }
    if !matches!(a.lab.as_str(), "ping" | "raft") {
        return Err(Fail(format!(
            "bench workloads are ping and raft, not {:?}",
            a.lab
        )));
    }
    let nodes = match (a.nodes.is_empty(), a.lab.as_str()) {
        (false, _) => a.nodes.clone(),
        (true, "raft") => vec![5, 9],
        (true, _) => vec![5, 50, 500],
    };
    let mut rows = Vec::new();
    for &n in &nodes {
        if !(2..=limits::MAX_NODES).contains(&n) {
            return Err(Fail(format!(
                "bench nodes must be between 2 and {}",
                limits::MAX_NODES
            )));
        }
        let mut rates = Vec::new();
        let mut hash = 0;
        for _ in 0..a.runs.max(1) {
            let (ev, s, h) = measure(&a.lab, n, a.events, a.goals)?;
            rates.push(ev as f64 / s.max(1e-9));
            hash = h;
        }
        rates.sort_by(f64::total_cmp);
        let median = rates[rates.len() / 2];
        rows.push(serde_json::json!({
            "lab": a.lab,
            "goals": a.goals,
            "nodes": n,
            "events": a.events,
            "runs": rates.len(),
            "median_events_per_second": median.round(),
            "min": rates[0].round(),
            "max": rates[rates.len() - 1].round(),
            "trace_hash": format!("{hash:016x}"),
        }));
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
