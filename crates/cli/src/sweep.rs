//! `splitbrain sweep`: many seeds, random faults, first violation wins.

use crate::args::SweepArgs;
use crate::{Fail, describe, report};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use splitbrain_labs::{RunDescription, build};
use splitbrain_sim::{format_time, limits, secs};
use std::process::ExitCode;
use std::time::Instant;

/// Seeds handed to the thread pool at once. The lowest violating seed of the first chunk that
/// has one is reported, so the answer does not depend on thread timing.
const CHUNK: u64 = 256;

fn replay_command(a: &SweepArgs, desc: &RunDescription, seed: u64) -> String {
    let mut cmd = vec!["splitbrain".to_string(), "run".to_string()];
    if let Some(path) = &a.run.scenario {
        cmd.push(format!("--scenario {}", path.display()));
    } else {
        cmd.push(desc.lab.clone());
    }
    cmd.push(format!("--seed {seed}"));
    cmd.push(format!("--nodes {}", desc.nodes));
    if let Some(u) = desc.until {
        cmd.push(format!("--until {}", format_time(u)));
    }
    if let Some(l) = a.run.latency {
        cmd.push(format!("--latency {l}"));
    }
    if let Some(p) = a.run.loss {
        cmd.push(format!("--loss {p}"));
    }
    if let Some(p) = a.run.duplicate {
        cmd.push(format!("--duplicate {p}"));
    }
    for (k, v) in &a.run.params {
        let v = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        cmd.push(format!("--param {k}={v}"));
    }
    cmd.push("--random-faults".into());
    cmd.join(" ")
}

/// The run a sweep plays for `seed`: the base run with that seed's random faults.
fn seed_run(a: &SweepArgs, seed: u64) -> Result<RunDescription, Fail> {
    let mut args = a.run.clone();
    args.seed = Some(seed);
    args.random_faults = true;
    if args.until.is_none() && args.scenario.is_none() {
        args.until = Some(secs(30));
    }
    describe(&args)
}

pub fn sweep(a: SweepArgs) -> Result<ExitCode, Fail> {
    let mut base_args = a.run.clone();
    base_args.random_faults = false;
    if base_args.until.is_none() && base_args.scenario.is_none() {
        base_args.until = Some(secs(30));
    }
    let base = describe(&base_args)?;
    // Fail on a bad base run before spending any time.
    build(&base, 0)?;
    if let Some(j) = a.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .map_err(|e| Fail(format!("cannot start {j} threads: {e}")))?;
    }
    let (first, last) = a.seeds;
    let total = last - first + 1;
    let (shard_k, shard_n) = a.shard.unwrap_or((1, 1));
    if total.div_ceil(shard_n) > crate::args::MAX_SEEDS {
        return Err(Fail(format!(
            "at most {} seeds per sweep: split {total} seeds with --shard K/N (N >= {})",
            crate::args::MAX_SEEDS,
            total.div_ceil(crate::args::MAX_SEEDS)
        )));
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} seeds  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let max_events = a.run.max_events.unwrap_or(limits::MAX_EVENTS);
    let run_seed = |seed: u64| -> (u64, Option<serde_json::Value>) {
        let Ok(desc) = seed_run(&a, seed) else {
            return (0, None);
        };
        let Ok(mut lab) = build(&desc, 64) else {
            return (0, None);
        };
        lab.set_stop_on_violation(true);
        lab.run_until(desc.until.unwrap_or(secs(30)), max_events);
        // The servers' invariants stop the run at once; the clients' history is judged whole,
        // at the end.
        let found = (!splitbrain_labs::consistency::violations(lab.as_ref()).is_empty())
            .then(|| report(&desc, lab.as_ref(), "violation"));
        (lab.events(), found)
    };
    let mut events = 0u64;
    let mut start = first;
    let mut chunk = 0u64;
    let mut tried = 0u64;
    // A shard: every N-th chunk, starting with chunk K (1-based), so shards share the work
    // evenly whatever the range.
    let shard = a.shard.map(|(k, n)| {
        serde_json::json!({"index": k, "of": n, "first": first, "last": last, "lab": base.lab})
    });
    while start <= last {
        let end = start.saturating_add(CHUNK - 1).min(last);
        let mine = chunk % shard_n == shard_k - 1;
        chunk += 1;
        if !mine {
            bar.inc(end - start + 1);
            start = end.saturating_add(1);
            if end == u64::MAX {
                break;
            }
            continue;
        }
        tried += end - start + 1;
        let results: Vec<(u64, u64, Option<serde_json::Value>)> = (start..=end)
            .into_par_iter()
            .map(|s| {
                let (e, f) = run_seed(s);
                bar.inc(1);
                (s, e, f)
            })
            .collect();
        events += results.iter().map(|r| r.1).sum::<u64>();
        if let Some((seed, _, Some(found))) = results.into_iter().find(|r| r.2.is_some()) {
            bar.finish_and_clear();
            let mut out = serde_json::json!({
                "result": "violation",
                "seed": seed,
                "seeds_tried": seed - first + 1,
                "violation": found["violations"][0],
                "run": found,
                "replay": replay_command(&a, &base, seed),
            });
            if a.shrink || a.shrunk_out.is_some() {
                eprintln!("violation at seed {seed}; shrinking it");
                let run = seed_run(&a, seed)?;
                let fields = crate::shrink::shrunk_fields(
                    &run,
                    max_events,
                    splitbrain_hunt::DEFAULT_BUDGET,
                    &a.site,
                    a.shrunk_out.as_deref(),
                )?;
                if let (Some(o), Some(f)) = (out.as_object_mut(), fields.as_object()) {
                    o.extend(f.clone());
                }
            }
            if let (Some(o), Some(s)) = (out.as_object_mut(), &shard) {
                o.insert("shard".into(), s.clone());
            }
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            eprintln!(
                "violation at seed {seed}; replay: {}",
                replay_command(&a, &base, seed)
            );
            return Ok(ExitCode::from(1));
        }
        start = end + 1;
        if end == u64::MAX {
            break;
        }
    }
    bar.finish_and_clear();
    let secs_taken = started.elapsed().as_secs_f64();
    let mut out = serde_json::json!({
        "result": "ok",
        "lab": base.lab,
        "seeds": tried,
        "events": events,
        "seconds": (secs_taken * 1000.0).round() / 1000.0,
        "events_per_second": (events as f64 / secs_taken.max(1e-9)).round(),
    });
    if let (Some(o), Some(s)) = (out.as_object_mut(), shard) {
        o.insert("shard".into(), s);
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
