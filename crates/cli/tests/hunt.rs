//! `sweep --shrink`, `shrink` and sharded sweeps: a finding shrinks to a run that replays to
//! the same violation, the same run shrinks the same way from a scenario file, and shards
//! merged give what one sweep gives, whatever the split.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splitbrain-hunt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn sweep_shrink_output_replays_to_the_same_violation() {
    let file = temp("shrunk.toml");
    let file_arg = file.display().to_string();
    let o = cli(&[
        "sweep",
        "raft",
        "--param",
        "variant=no-log-check",
        "--seeds",
        "1..100",
        "--shrink",
        "--shrunk-out",
        &file_arg,
        "--site",
        "https://splitbrain.example.org/labs/",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let shrunk = &v["shrunk"];
    let actions = shrunk["actions"].as_array().unwrap();
    assert!(
        !actions.is_empty()
            && actions.len() < v["shrink"]["from_actions"].as_u64().unwrap() as usize
    );
    assert_eq!(v["shrink"]["minimal"], true);
    assert_eq!(v["shrunk_actions"].as_array().unwrap().len(), actions.len());
    assert!(v["shrunk_actions"][0].as_str().unwrap().starts_with("at "));
    assert!(
        v["shrunk_link"]
            .as_str()
            .unwrap()
            .starts_with("https://splitbrain.example.org/labs/?run=%7B")
    );
    assert_eq!(
        v["shrunk_violation"]["invariant"],
        v["violation"]["invariant"]
    );
    // The scenario file replays to the same violation, at the same instant.
    let replay = json(&cli(&["run", "--scenario", &file_arg]));
    assert_eq!(
        replay["violations"][0]["invariant"],
        v["violation"]["invariant"]
    );
    assert_eq!(
        replay["violations"][0]["message"],
        v["shrunk_violation"]["message"]
    );
    // Shrinking the same seed's run from a saved scenario gives the same result.
    let failing = temp("failing.toml");
    let failing_arg = failing.display().to_string();
    let seed = v["seed"].as_u64().unwrap().to_string();
    let saved = cli(&[
        "run",
        "raft",
        "--seed",
        &seed,
        "--until",
        "30s",
        "--param",
        "variant=no-log-check",
        "--random-faults",
        "--save-run",
        &failing_arg,
    ]);
    assert!(saved.status.success());
    let again = cli(&[
        "shrink",
        "--scenario",
        &failing_arg,
        "--site",
        "https://splitbrain.example.org/labs/",
    ]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let again = json(&again);
    assert_eq!(again["shrunk"], v["shrunk"]);
    assert_eq!(again["shrunk_link"], v["shrunk_link"]);
}

#[test]
fn shrinking_a_run_that_does_not_fail_is_one_clear_error() {
    let o = cli(&["shrink", "raft", "--seed", "1", "--random-faults"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "splitbrain: the run breaks no invariant, so there is nothing to shrink"
    );
}

/// Runs the sweep as `n` shards, writes each output to a file and merges them.
fn sharded(args: &[&str], n: u64, tag: &str) -> (Vec<serde_json::Value>, Output) {
    let mut files = Vec::new();
    let mut outs = Vec::new();
    for k in 1..=n {
        let shard = format!("{k}/{n}");
        let mut all = args.to_vec();
        all.extend_from_slice(&["--shard", &shard]);
        let o = cli(&all);
        let v = json(&o);
        assert_eq!(v["shard"]["index"], k);
        let f = temp(&format!("{tag}-{k}.json"));
        std::fs::write(&f, &o.stdout).unwrap();
        files.push(f.display().to_string());
        outs.push(v);
    }
    let mut merge = vec!["sweep-merge"];
    merge.extend(files.iter().map(String::as_str));
    (outs, cli(&merge))
}

#[test]
fn four_shards_merged_find_the_unsharded_violation() {
    let args = [
        "sweep",
        "raft",
        "--param",
        "variant=no-log-check",
        "--seeds",
        "1..1100",
    ];
    let whole = cli(&args);
    assert_eq!(whole.status.code(), Some(1));
    let whole = json(&whole);
    let (shards, merged) = sharded(&args, 4, "violation");
    assert_eq!(merged.status.code(), Some(1));
    let merged = json(&merged);
    assert_eq!(merged, whole, "merged shards equal the unsharded sweep");
    // The answer came from shard 1 (seed 4 is in its first chunk); other shards found their own.
    assert!(shards.iter().filter(|s| s["result"] == "violation").count() >= 2);
}

#[test]
fn shards_of_a_clean_sweep_merge_to_the_same_count_of_seeds_and_events() {
    let args = ["sweep", "broadcast", "--seeds", "1..1100"];
    let whole = json(&cli(&args));
    assert_eq!(whole["result"], "ok");
    let (shards, merged) = sharded(&args, 3, "ok");
    assert!(merged.status.success());
    let merged = json(&merged);
    for key in ["result", "lab", "seeds", "events"] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    // Chunks of 256 seeds dealt in turn: 1, 4 | 2, 5 (76 seeds) | 3.
    let counts: Vec<u64> = shards
        .iter()
        .map(|s| s["seeds"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![512, 332, 256]);
}

#[test]
fn merging_an_incomplete_or_mixed_set_of_shards_is_refused() {
    let args = ["sweep", "broadcast", "--seeds", "1..600"];
    let one = temp("mixed-1.json");
    let two = temp("mixed-2.json");
    std::fs::write(&one, cli(&[&args[..], &["--shard", "1/2"]].concat()).stdout).unwrap();
    std::fs::write(
        &two,
        cli(&["sweep", "broadcast", "--seeds", "1..700", "--shard", "2/2"]).stdout,
    )
    .unwrap();
    let (one, two) = (one.display().to_string(), two.display().to_string());
    let err = |o: Output| {
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).trim().to_string()
    };
    assert_eq!(
        err(cli(&["sweep-merge", &one])),
        "splitbrain: shard 2/2 is missing: merge all 2 shards"
    );
    assert_eq!(
        err(cli(&["sweep-merge", &one, &one])),
        "splitbrain: shard 1/2 is given twice"
    );
    assert!(err(cli(&["sweep-merge", &one, &two])).contains("not of the same sweep"));
    let e = err(cli(&["sweep", "broadcast", "--shard", "3/2"]));
    assert!(e.contains("K must be 1..=N"), "{e}");
}

/// The page's worker hunts on the page's run (Raft's links there are 10–20 ms) and must shrink
/// exactly as the CLI does: web/e2e/hunt.test.mjs expects this same schedule from the worker.
#[test]
fn the_cli_shrinks_the_pages_run_to_the_schedule_the_worker_finds() {
    let o = cli(&[
        "shrink",
        "raft",
        "--seed",
        "4",
        "--until",
        "30s",
        "--latency",
        "10ms..20ms",
        "--param",
        "variant=no-log-check",
        "--random-faults",
    ]);
    assert!(o.status.success());
    let v = json(&o);
    let words: Vec<&str> = v["shrunk_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        words,
        [
            "at 10.017733s crash n1",
            "at 11.263986s crash n3",
            "at 14.878607s duplication 12%",
            "at 20.757448s set y=78 → n4",
            "at 21.383713s loss 18%",
            "at 22.081617s crash n4",
            "at 23.17597s restart n1",
        ]
    );
}
