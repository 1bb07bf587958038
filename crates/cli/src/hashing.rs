//! `splitbrain experiment hashing`: place a key set, make one change to the servers, and report
//! balance before and after, the keys that moved against the ideal, where they went, and what
//! lookups and the metrics cost.

use crate::Fail;
use crate::args::HashingArgs;
use splitbrain_hashing::{ALGORITHMS, Placement, Server, ServerId, Settings, build, hash, metrics};
use std::process::ExitCode;
use std::time::Instant;

/// One change to the servers.
enum Change {
    Add(u32),
    Remove(ServerId),
    Weight(ServerId, u32),
}

fn parse_change(s: &str) -> Result<Change, Fail> {
    let bad = || {
        Fail(format!(
            "--change {s:?}: expected add:N, remove:ID or weight:ID=W"
        ))
    };
    let (kind, arg) = s.split_once(':').ok_or_else(bad)?;
    match kind {
        "add" => match arg.parse::<u32>() {
            Ok(n @ 1..=1_000) => Ok(Change::Add(n)),
            _ => Err(Fail(format!(
                "--change add:N takes 1 to 1000 servers, got {arg:?}"
            ))),
        },
        "remove" => arg.parse().map(Change::Remove).map_err(|_| bad()),
        "weight" => {
            let (id, w) = arg.split_once('=').ok_or_else(bad)?;
            Ok(Change::Weight(
                id.parse().map_err(|_| bad())?,
                w.parse().map_err(|_| bad())?,
            ))
        }
        _ => Err(bad()),
    }
}

fn apply(p: &mut dyn Placement, change: &Change) -> Result<(), Fail> {
    let err = |e: splitbrain_hashing::PlacementError| Fail(format!("--change: {e}"));
    match *change {
        Change::Add(n) => {
            let next = p.servers().iter().map(|s| s.id + 1).max().unwrap_or(0);
            for id in next..next + n {
                p.add(Server::new(id)).map_err(err)?;
            }
        }
        Change::Remove(id) => p.remove(id).map_err(err)?,
        Change::Weight(id, w) => p.reweight(id, w).map_err(err)?,
    }
    Ok(())
}

fn balance_json(b: &metrics::Balance) -> serde_json::Value {
    serde_json::json!({
        "mean": b.mean,
        "std_dev": b.std_dev,
        "max_over_mean": b.max_over_mean,
    })
}

pub fn experiment(a: HashingArgs) -> Result<ExitCode, Fail> {
    for algo in &a.algo {
        if !ALGORITHMS.contains(&algo.as_str()) {
            return Err(Fail(format!(
                "unknown algorithm {algo:?}: expected {}",
                ALGORITHMS.join(", ")
            )));
        }
    }
    if a.vnodes.len() > 32 {
        return Err(Fail("at most 32 --vnodes values".into()));
    }
    let change = parse_change(&a.change)?;
    // The key set: derived from the seed, the same for every algorithm and row.
    let keys: Vec<u64> = (0..a.keys).map(|i| hash::pair(a.seed, i)).collect();
    let servers: Vec<Server> = (0..a.servers).map(Server::new).collect();
    let mut rows = Vec::new();
    for algo in &a.algo {
        let uses_vnodes = matches!(algo.as_str(), "ring" | "bounded");
        let vnodes: &[u32] = if uses_vnodes {
            &a.vnodes
        } else {
            &a.vnodes[..1]
        };
        for &v in vnodes {
            let settings = Settings {
                vnodes: v,
                table: a.table,
                load_factor: a.load_factor,
            };
            let mut p = build(algo, settings, &servers).map_err(|e| Fail(e.to_string()))?;
            let started = Instant::now();
            let before = p.assign(&keys);
            let lookup_ns = started.elapsed().as_nanos() as f64 / keys.len() as f64;
            let servers_before = p.servers().to_vec();
            let balance_before = metrics::balance(&before, &servers_before);
            let started = Instant::now();
            apply(p.as_mut(), &change)?;
            let after = p.assign(&keys);
            let moved = metrics::movement(
                &before,
                &after,
                metrics::ideal_share(&servers_before, p.servers()),
            );
            let balance_after = metrics::balance(&after, p.servers());
            let metrics_ms = started.elapsed().as_secs_f64() * 1_000.0;
            let mut flow: Vec<_> = moved.flow.iter().collect();
            flow.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
            rows.push(serde_json::json!({
                "algo": algo,
                "vnodes": if uses_vnodes { Some(v) } else { None },
                "servers_before": servers_before.len(),
                "servers_after": p.servers().len(),
                "keys": keys.len(),
                "change": a.change,
                "balance_before": balance_json(&balance_before),
                "balance_after": balance_json(&balance_after),
                "moved": moved.moved,
                "moved_share": moved.share,
                "ideal_share": moved.ideal_share,
                "moved_over_ideal": moved.share / moved.ideal_share.max(f64::MIN_POSITIVE),
                "top_flows": flow.iter().take(5).map(|((f, t), n)| serde_json::json!({"from": f, "to": t, "keys": n})).collect::<Vec<_>>(),
                "replicas_of_key_0": p.replicas(keys[0], a.replicas as usize),
                "lookup_ns": lookup_ns,
                "change_and_metrics_ms": metrics_ms,
            }));
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
