//! `splitbrain sweep hashing` finds the release-early migration bug within a bounded number of
//! seeds, the replay reproduces it, and bad hashing settings exit 2 with one line. (The correct
//! protocol's 10 000-seed sweep runs with the release binary in `cargo xtask test`.)

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
