//! `splitbrain experiment raft-failover`: how long a Raft cluster is without a leader after the
//! leader crashes, over many trials — the measurement behind Fig. 16 of the Raft paper, which
//! shows how the spread of election timeouts decides how often votes split.
//!
//! The cluster reaches steady state with the paper's 150–300 ms timeouts and only then switches
//! to the timeouts under test, as the paper's cluster was already running: with 150–150 ms from
//! the start, every node would time out at the same instant forever and no first leader would
//! ever be elected. A trial with no new leader within the patience is censored (counted, not
//! a failure): Fig. 16's narrowest range has such tails.

use crate::Fail;
use crate::args::FailoverArgs;
use rayon::prelude::*;
use splitbrain_labs::{RunDescription, build};
use splitbrain_raft::{Node, Params, Role, Timer};
use splitbrain_sim::{Action, Lab, NodeId, SimRng, Simulator, Time, TraceKind, format_time, secs};
use std::process::ExitCode;

/// Longest a trial waits for anything (election, steady state, failover).
const PATIENCE: Time = secs(60);

fn raft(lab: &dyn Lab) -> Option<&Simulator<Node>> {
    lab.as_any().downcast_ref::<Simulator<Node>>()
}

fn leader(lab: &dyn Lab) -> Option<(NodeId, u64)> {
    let sim = raft(lab)?;
    (0..lab.nodes()).find_map(|i| {
        sim.process(i)
            .filter(|n| n.role() == Role::Leader)
            .map(|n| (i, n.term()))
    })
}

/// Steps event by event until `done` holds or `deadline` passes; returns the time it held.
fn run_until_true(
    lab: &mut dyn Lab,
    deadline: Time,
    done: impl Fn(&dyn Lab) -> bool,
) -> Option<Time> {
    while lab.next_event_time().is_some_and(|t| t <= deadline) {
        lab.step();
        if done(lab) {
            return Some(lab.now());
        }
    }
    None
}

/// What one trial measured.
enum Outcome {
    /// A new leader after this long (µs), in this many terms.
    Elected(Time, u64),
    /// No leader within [`PATIENCE`] of the crash.
    Censored,
}

/// The settings under test, checked by the lab itself.
fn tested(a: &FailoverArgs) -> Result<Params, String> {
    let json = serde_json::json!({
        "election_min": format_time(a.election_timeout.0),
        "election_max": format_time(a.election_timeout.1),
        "heartbeat": format_time(a.heartbeat),
    });
    let p: Params = serde_json::from_value(json).map_err(|e| e.to_string())?;
    p.validate(a.nodes)?;
    Ok(p)
}

/// One trial.
fn trial(a: &FailoverArgs, seed: u64) -> Result<Outcome, String> {
    let test = tested(a)?;
    // Steady state with the paper's timeouts when the tested heartbeat allows them; otherwise
    // with the tested minimum spread over a range twice as wide (randomized, so a first leader
    // is elected even when the range under test has no spread at all).
    let paper = Params {
        heartbeat: test.heartbeat,
        ..Params::default()
    };
    let setup = if paper.validate(a.nodes).is_ok() {
        paper
    } else {
        Params {
            election_max: test.election_min.saturating_mul(2),
            ..test.clone()
        }
    };
    let mut desc = RunDescription::new("raft", seed, a.nodes);
    desc.network.latency = a.latency;
    desc.params = serde_json::to_value(&setup).map_err(|e| e.to_string())?;
    let mut lab = build(&desc, 0).map_err(|e| e.0)?;
    let lab = lab.as_mut();
    let mut rng = SimRng::derive(seed, SimRng::WORKLOAD, 0);

    // 1. Steady state: a leader, a few committed entries everywhere.
    run_until_true(lab, PATIENCE, |l| leader(l).is_some()).ok_or("no first leader")?;
    let (old, _) = leader(lab).ok_or("no first leader")?;
    for k in 0..3 {
        lab.control(&Action::Client {
            node: old,
            command: format!("set k{k}={k}"),
        })
        .map_err(|e| e.to_string())?;
    }
    lab.run_until(lab.now() + a.heartbeat * 4, u64::MAX);
    // From here on the timeouts under test: each follower re-arms its election timer with them
    // at the next heartbeat it hears.
    let sim = lab
        .as_any_mut()
        .downcast_mut::<Simulator<Node>>()
        .ok_or("not a Raft run")?;
    for i in 0..a.nodes {
        if let Some(n) = sim.process_mut(i) {
            n.retune(test.clone());
        }
    }
    // Follower logs of different lengths. Right when the leader's heartbeat fires (so every
    // follower has just heard from it), clients send one request per follower; follower k is
    // left with only the first k of the new entries by dropping the later AppendEntries to it
    // while they are in flight. Nothing is cut, so the leader stays leader until it crashes.
    let is_heartbeat = |l: &dyn Lab| {
        raft(l).is_some_and(|sim| {
            sim.trace().events().next_back().is_some_and(|e| {
                // The handler re-arms its timer last, after sending the heartbeats.
                matches!(e.kind, TraceKind::TimerSet { node, timer: Timer::Heartbeat, .. } if node == old)
            })
        })
    };
    let deadline = lab.now() + PATIENCE;
    let beat = run_until_true(lab, deadline, is_heartbeat).ok_or("no heartbeat")?;
    let old_term = leader(lab)
        .map(|(_, t)| t)
        .ok_or("the leader stepped down")?;
    let mut followers: Vec<NodeId> = (0..a.nodes).filter(|&i| i != old).collect();
    for i in (1..followers.len()).rev() {
        followers.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for k in 0..followers.len() {
        lab.control(&Action::Client {
            node: old,
            command: format!("set lag{k}={k}"),
        })
        .map_err(|e| e.to_string())?;
    }
    for (k, &f) in followers.iter().enumerate() {
        // In send order: the heartbeat, then one AppendEntries per new entry.
        let to_f: Vec<u64> = lab
            .view()
            .messages
            .iter()
            .filter(|m| m.from == old && m.to == f && m.sent == beat)
            .map(|m| m.id)
            .collect();
        for &id in to_f.iter().skip(1 + k) {
            lab.control(&Action::DropMessage { id })
                .map_err(|e| e.to_string())?;
        }
    }
    // 2. Crash the leader at a uniformly random moment within its heartbeat interval.
    let at = beat + rng.range_inclusive(0, a.heartbeat.saturating_sub(1));
    lab.run_until(at, u64::MAX);
    if leader(lab).map(|(l, _)| l) != Some(old) {
        return Err("the leader lost leadership before the crash".into());
    }
    lab.control(&Action::Crash { node: old })
        .map_err(|e| e.to_string())?;
    let crashed = lab.now();
    // 3. Time until another node is leader.
    let Some(when) = run_until_true(lab, crashed + PATIENCE, |l| leader(l).is_some()) else {
        return Ok(Outcome::Censored);
    };
    let new_term = leader(lab).map_or(0, |(_, t)| t);
    Ok(Outcome::Elected(
        when - crashed,
        new_term.saturating_sub(old_term),
    ))
}

fn pct(sorted: &[Time], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1_000.0
}

pub fn raft_failover(a: FailoverArgs) -> Result<ExitCode, Fail> {
    if !(3..=9).contains(&a.nodes) {
        return Err(Fail(format!("raft runs on 3 to 9 nodes, got {}", a.nodes)));
    }
    // Validate the settings once, with a clear message, before spending time.
    trial(&a, a.seed).map_err(|e| Fail(format!("raft-failover: {e}")))?;
    let results: Vec<Result<Outcome, String>> = (0..a.trials)
        .into_par_iter()
        .map(|i| trial(&a, splitbrain_sim::derive_seed(a.seed, 77, i)))
        .collect();
    let mut times = Vec::new();
    let mut terms = Vec::new();
    let (mut failed, mut censored) = (0, 0);
    for r in results {
        match r {
            Ok(Outcome::Elected(t, k)) => {
                times.push(t);
                terms.push(k);
            }
            Ok(Outcome::Censored) => censored += 1,
            Err(_) => failed += 1,
        }
    }
    if times.is_empty() {
        return Err(Fail(format!(
            "raft-failover: no trial elected a new leader within {} of the crash",
            format_time(PATIENCE)
        )));
    }
    times.sort_unstable();
    let extra = terms.iter().filter(|&&k| k > 1).count();
    let out = serde_json::json!({
        "experiment": "raft-failover",
        "nodes": a.nodes,
        "election_timeout": format!("{}..{}", format_time(a.election_timeout.0), format_time(a.election_timeout.1)),
        "heartbeat": format_time(a.heartbeat),
        "latency": a.latency.to_string(),
        "trials": a.trials,
        "failed_trials": failed,
        // Trials with no leader within the patience: the percentiles below are over the others,
        // so with censored trials they understate the tail.
        "censored": {
            "count": censored,
            "share": censored as f64 / a.trials.max(1) as f64,
            "patience": format_time(PATIENCE),
        },
        "unit": "ms",
        "time_to_new_leader": {
            "min": pct(&times, 0.0),
            "median": pct(&times, 0.5),
            "p90": pct(&times, 0.9),
            "p99": pct(&times, 0.99),
            "max": pct(&times, 1.0),
        },
        // Elections that needed more than one term: split votes, and candidates whose logs were
        // too short to win (§5.4.1) — both grow as the timeout range narrows.
        "terms_to_elect": {
            "mean": terms.iter().sum::<u64>() as f64 / terms.len() as f64,
            "share_over_one": extra as f64 / terms.len() as f64,
        },
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
