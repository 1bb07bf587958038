//! `splitbrain sweep paxos` finds each deliberately buggy variant within a bounded number of
//! seeds, in both protocols, and the replay command reproduces the violation; the dueling
//! scenario livelocks and either fix ends it. (The correct protocols' 10 000-seed sweeps run
//! with the release binary in `cargo xtask test`.)

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .output()
        .unwrap()
}

fn sweep(mode: &str, variant: &str, seeds: &str) -> serde_json::Value {
    let o = cli(&[
        "sweep",
        "paxos",
        "--nodes",
        "5",
        "--seeds",
        seeds,
        "--param",
        &format!("mode={mode}"),
        "--param",
        &format!("variant={variant}"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{mode} {variant}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The replay command reproduces the same violation.
    let replay = found["replay"].as_str().unwrap();
    let args: Vec<&str> = replay.split_whitespace().skip(1).collect();
    let again: serde_json::Value = serde_json::from_slice(&cli(&args).stdout).unwrap();
    assert_eq!(again["violations"][0], found["violation"]);
    found
}

fn invariant(v: &serde_json::Value) -> &str {
    v["violation"]["invariant"].as_str().unwrap()
}

#[test]
fn sweep_finds_a_proposer_ignoring_promised_values_within_50_seeds() {
    for mode in ["single", "multi"] {
        let v = sweep(mode, "ignore-promised-values", "1..50");
        assert!(
            ["OneValueChosen", "LearnersAgree"].contains(&invariant(&v)),
            "{mode}: {v}"
        );
    }
}

#[test]
fn sweep_finds_an_acceptor_forgetting_its_promise_within_50_seeds() {
    for mode in ["single", "multi"] {
        let v = sweep(mode, "forget-promise", "1..50");
        assert!(
            ["PromiseNeverDecreases", "AcceptedWithinPromise"].contains(&invariant(&v)),
            "{mode}: {v}"
        );
    }
}

#[test]
fn sweep_finds_proposers_sharing_ballot_numbers_within_50_seeds() {
    for mode in ["single", "multi"] {
        let v = sweep(mode, "shared-ballots", "1..50");
        assert!(
            ["OneValueChosen", "LearnersAgree"].contains(&invariant(&v)),
            "{mode}: {v}"
        );
    }
}

fn chosen(extra: &[&str]) -> u64 {
    let mut args = vec![
        "run",
        "--scenario",
        "../../testdata/scenarios/paxos-dueling.toml",
    ];
    args.extend_from_slice(extra);
    let o = cli(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["violations"], serde_json::json!([]));
    v["summary"]["chosen_slots"].as_u64().unwrap()
}

#[test]
fn dueling_scenario_livelocks_and_backoff_or_a_distinguished_proposer_ends_it() {
    assert_eq!(chosen(&[]), 0);
    assert_eq!(chosen(&["--param", "backoff=true"]), 1);
    assert_eq!(chosen(&["--param", "leader=true"]), 1);
}

#[test]
fn bad_paxos_settings_exit_2_with_one_line() {
    for bad in [
        vec!["run", "paxos", "--nodes", "2"],
        vec!["run", "paxos", "--nodes", "5", "--param", "proposers=9"],
        vec!["run", "paxos", "--nodes", "5", "--param", "mode=triple"],
        vec!["run", "paxos", "--nodes", "5", "--param", "heartbeat=1s"],
    ] {
        let o = cli(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert_eq!(
            String::from_utf8_lossy(&o.stderr).trim().lines().count(),
            1,
            "{bad:?}"
        );
    }
}
