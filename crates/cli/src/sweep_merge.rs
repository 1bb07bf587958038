//! `splitbrain sweep-merge`: the outputs of `sweep --shard K/N` on several machines, combined
//! into what one unsharded sweep of the same range prints. The lowest violating seed of all
//! shards is the unsharded answer, because a sweep reports the lowest violating seed of the
//! first chunk that has one, and each shard does the same over its own chunks.

use crate::Fail;
use crate::args::SweepMergeArgs;
use serde_json::Value;
use std::process::ExitCode;

pub fn merge(a: SweepMergeArgs) -> Result<ExitCode, Fail> {
    let mut shards = Vec::new();
    for path in &a.files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Fail(format!("cannot read {}: {e}", path.display())))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Fail(format!("{} is not a sweep's JSON: {e}", path.display())))?;
        shards.push((path.display().to_string(), v));
    }
    let merged = combine(&shards)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&merged).unwrap_or_default()
    );
    Ok(if merged["result"] == "violation" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The shard fields of one output: (K, N, first seed, last seed).
fn shard_of(name: &str, v: &Value) -> Result<(u64, u64, u64, u64), Fail> {
    let s = &v["shard"];
    let num = |k: &str| s[k].as_u64();
    if s["lab"].as_str().is_none() {
        return Err(Fail(format!(
            "{name} is not the output of `splitbrain sweep --shard K/N` (no \"shard\" field)"
        )));
    }
    match (num("index"), num("of"), num("first"), num("last")) {
        (Some(k), Some(n), Some(f), Some(l)) => Ok((k, n, f, l)),
        _ => Err(Fail(format!(
            "{name} is not the output of `splitbrain sweep --shard K/N` (no \"shard\" field)"
        ))),
    }
}

/// Checks that the outputs are the N shards of one sweep, each once, and combines them.
pub fn combine(shards: &[(String, Value)]) -> Result<Value, Fail> {
    let Some((first_name, first)) = shards.first() else {
        return Err(Fail("no shard outputs to merge".into()));
    };
    let (_, n, lo, hi) = shard_of(first_name, first)?;
    let mut seen = vec![false; n as usize];
    for (name, v) in shards {
        let (k, of, f, l) = shard_of(name, v)?;
        let lab = &v["shard"]["lab"];
        if (of, f, l) != (n, lo, hi) || lab != &first["shard"]["lab"] {
            return Err(Fail(format!(
                "{name} is shard {k}/{of} of {lab} seeds {f}..{l}, not of the same sweep as \
                 {first_name} ({} seeds {lo}..{hi}, {n} shards)",
                first["shard"]["lab"]
            )));
        }
        if std::mem::replace(&mut seen[k as usize - 1], true) {
            return Err(Fail(format!("shard {k}/{n} is given twice")));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(Fail(format!(
            "shard {}/{n} is missing: merge all {n} shards",
            missing + 1
        )));
    }
    let events: u64 = shards
        .iter()
        .map(|(_, v)| v["events"].as_u64().unwrap_or(0))
        .sum();
    let seconds = shards
        .iter()
        .map(|(_, v)| v["seconds"].as_f64().unwrap_or(0.0))
        .fold(0.0, f64::max);
    let found = shards
        .iter()
        .filter(|(_, v)| v["result"] == "violation")
        .min_by_key(|(_, v)| v["seed"].as_u64().unwrap_or(u64::MAX));
    Ok(match found {
        Some((_, v)) => {
            let mut out = v.clone();
            if let Some(o) = out.as_object_mut() {
                o.remove("shard");
            }
            out
        }
        None => serde_json::json!({
            "result": "ok",
            "lab": first["shard"]["lab"],
            "seeds": hi - lo + 1,
            "events": events,
            // The shards ran side by side: the sweep took as long as the slowest.
            "seconds": seconds,
            "events_per_second": (events as f64 / seconds.max(1e-9)).round(),
        }),
    })
}
