//! `splitbrain sweep raft` finds each deliberately buggy variant within a bounded number of
//! seeds, and the replay command reproduces the violation. (The correct algorithm's 10 000-seed
//! sweep runs with the release binary in `cargo xtask test`.)

use std::process::Command;

fn sweep(variant: &str, seeds: &str) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args([
            "sweep",
            "raft",
            "--seeds",
            seeds,
            "--param",
            &format!("variant={variant}"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{variant}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn replays(found: &serde_json::Value) {
    let replay = found["replay"].as_str().unwrap();
    let args: Vec<&str> = replay.split_whitespace().skip(1).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(&args)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["violations"][0], found["violation"]);
}

#[test]
fn sweep_finds_votes_granted_without_the_log_check_within_100_seeds() {
    let v = sweep("no-log-check", "1..100");
    assert!(
        ["LeaderCompleteness", "StateMachineSafety", "LogMatching"]
            .contains(&v["violation"]["invariant"].as_str().unwrap())
    );
    replays(&v);
}

#[test]
fn sweep_finds_the_unpersisted_voted_for_within_3000_seeds() {
    let v = sweep("volatile-voted-for", "1..3000");
    assert!(v["seed"].as_u64().unwrap() <= 3000);
    replays(&v);
}

#[test]
fn sweep_finds_the_fig8_previous_term_commit_within_6000_seeds() {
    let v = sweep("commit-previous-term", "1..6000");
    assert!(
        ["LeaderCompleteness", "StateMachineSafety"]
            .contains(&v["violation"]["invariant"].as_str().unwrap())
    );
    replays(&v);
}
