//! The hashing and load-balancing labs from the CLI: `sweep hashing` finds the release-early
//! migration bug within a bounded number of seeds and the replay reproduces it;
//! `experiment balance` compares policies on one workload; bad settings exit 2 with one line.
//! (The correct labs' 10 000-seed sweeps run with the release binary in `cargo xtask test`.)

use std::process::Command;

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn sweep_finds_releases_sent_before_the_copies_land_within_50_seeds() {
    let o = cli(&[
        "sweep",
        "hashing",
        "--seeds",
        "1..50",
        "--param",
        "variant=release-early",
        "--param",
        "replicas=1",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        ["NoLostKeys", "ReplicasHoldKeys"]
            .contains(&found["violation"]["invariant"].as_str().unwrap())
    );
    let replay = found["replay"].as_str().unwrap();
    let args: Vec<&str> = replay.split_whitespace().skip(1).collect();
    let v: serde_json::Value = serde_json::from_slice(&cli(&args).stdout).unwrap();
    assert_eq!(v["violations"][0], found["violation"]);
}

#[test]
fn bad_hashing_settings_exit_2_with_one_line() {
    for (args, expect) in [
        (
            vec!["run", "hashing", "--param", "algorithm=magic"],
            "unknown algorithm",
        ),
        (
            vec!["run", "hashing", "--param", "keys=1000000000"],
            "keys must be",
        ),
        (
            vec!["run", "hashing", "--nodes", "1"],
            "hashing needs a router",
        ),
        (
            vec!["run", "hashing", "--param", "replicas=9"],
            "replicas must be",
        ),
    ] {
        let o = cli(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn experiment_balance_prints_one_row_per_policy_on_the_same_workload() {
    let o = cli(&[
        "experiment",
        "balance",
        "--policy",
        "rr,least-outstanding",
        "--backends",
        "4",
        "--arrival",
        "poisson:3/s",
        "--service",
        "exp:1s",
        "--duration",
        "500s",
        "--slow",
        "2=5",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["policy"], "rr");
    assert_eq!(rows[0]["counts"]["requests"], rows[1]["counts"]["requests"]);
    assert_eq!(rows[0]["backends"].as_array().unwrap().len(), 4);
    assert!(
        rows[0]["latency"]["p99_ms"].as_f64().unwrap()
            > rows[1]["latency"]["p99_ms"].as_f64().unwrap()
    );
    for (args, expect) in [
        (
            vec!["experiment", "balance", "--policy", "magic"],
            "unknown policy",
        ),
        (
            vec!["experiment", "balance", "--arrival", "poisson:9"],
            "bad arrival",
        ),
        (
            vec!["experiment", "balance", "--slow", "99=5"],
            "no backend",
        ),
    ] {
        let o = cli(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}
