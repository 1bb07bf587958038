//! The `splitbrain` binary as a user runs it: exit codes, one-line errors, JSON output, sweeps
//! that find the buggy variant, and replay commands that reproduce what a sweep found.

use std::process::{Command, Output};

fn splitbrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

fn assert_one_line_error(args: &[&str], want: &str) {
    let o = splitbrain(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line, got {err:?}"
    );
    assert!(err.contains(want), "{args:?}: wanted {want:?} in {err:?}");
    assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    assert!(!err.contains("panicked"), "{args:?}");
}

#[test]
fn bad_input_exits_2_with_one_clear_line() {
    let dir = std::env::temp_dir().join(format!("splitbrain-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad_toml = dir.join("bad.toml");
    std::fs::write(
        &bad_toml,
        "lab = \"broadcast\"\n[[actions]]\nat = \"1s\"\ndo = \"crash\"\nnode = 99\n",
    )
    .unwrap();
    let garbage = dir.join("garbage.toml");
    std::fs::write(&garbage, "this is = = not toml").unwrap();
    let unknown_param = dir.join("param.toml");
    std::fs::write(
        &unknown_param,
        "lab = \"broadcast\"\n[params]\nturbo = true\n",
    )
    .unwrap();
    let huge = dir.join("huge.toml");
    std::fs::write(&huge, "#".repeat(2 << 20)).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", "paxos9"], "unknown lab"),
        (
            vec!["run", "broadcast", "--nodes", "1000000000"],
            "nodes must be between 1 and 1000",
        ),
        (
            vec!["run", "broadcast", "--nodes", "0"],
            "nodes must be between",
        ),
        (
            vec!["run", "broadcast", "--until", "9999999h"],
            "bad duration",
        ),
        (vec!["run", "broadcast", "--until", "100000000s"], "at most"),
        (vec!["run", "broadcast", "--loss", "1.5"], "between 0 and 1"),
        (vec!["run", "broadcast", "--latency", "fast"], "bad latency"),
        (vec!["run", "broadcast", "--seed=-4"], "invalid value"),
        (
            vec!["run", "broadcast", "--frobnicate"],
            "unexpected argument",
        ),
        (
            vec!["run", "broadcast", "--max-events", "999999999999"],
            "at most",
        ),
        (
            vec!["run", "broadcast", "--param", "variant=haunted"],
            "unknown variant",
        ),
        (
            vec!["run", "--scenario", "no/such/file.toml"],
            "cannot read scenario",
        ),
        (
            vec!["run", "--scenario", bad_toml.to_str().unwrap()],
            "no node 99",
        ),
        (
            vec!["run", "--scenario", garbage.to_str().unwrap()],
            "bad TOML",
        ),
        (
            vec!["run", "--scenario", unknown_param.to_str().unwrap()],
            "unknown field",
        ),
        (vec!["run", "--scenario", huge.to_str().unwrap()], "limit"),
        (
            vec!["sweep", "broadcast", "--seeds", "10..1"],
            "empty range",
        ),
        (
            vec!["sweep", "broadcast", "--seeds", "1..99999999999"],
            "at most",
        ),
        (vec!["sweep", "broadcast", "--seeds", "abc"], "not a range"),
        (vec!["nonsense"], "unrecognized subcommand"),
        (vec!["run"], "name a lab"),
        (
            vec!["bench", "--lab", "paxos"],
            "bench workloads are ping and raft",
        ),
        (
            vec!["experiment", "hashing", "--algo", "ring,chord"],
            "unknown algorithm \"chord\"",
        ),
        (
            vec!["experiment", "hashing", "--change", "explode"],
            "expected add:N, remove:ID or weight:ID=W",
        ),
        (
            vec![
                "experiment",
                "hashing",
                "--change",
                "remove:99",
                "--keys",
                "10",
            ],
            "no server 99",
        ),
        (
            vec!["experiment", "hashing", "--keys", "1000000000"],
            "1000000000",
        ),
        (
            vec![
                "experiment",
                "hashing",
                "--algo",
                "maglev",
                "--table",
                "65536",
            ],
            "must be a prime",
        ),
        (
            vec!["bench", "--lab", "raft", "--nodes", "50"],
            "raft runs on 3 to 9 nodes",
        ),
    ];
    for (args, want) in cases {
        assert_one_line_error(&args, want);
    }
}

#[test]
fn run_prints_a_json_summary_matching_the_golden_hash() {
    let o = splitbrain(&[
        "run",
        "--scenario",
        "testdata/scenarios/broadcast-faults.toml",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["trace_hash"], "899a68a9a1dd6d99");
    assert_eq!(v["summary"]["converged"], true);
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
}

#[test]
fn run_writes_the_trace_as_json_lines_and_a_transcript() {
    let dir = std::env::temp_dir().join(format!("splitbrain-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("t.jsonl");
    let transcript = dir.join("t.txt");
    let o = splitbrain(&[
        "run",
        "--scenario",
        "testdata/scenarios/broadcast-basic.toml",
        "--trace",
        trace.to_str().unwrap(),
        "--transcript",
        transcript.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len() as u64,
        json(&o)["trace_events"].as_u64().unwrap()
    );
    assert!(
        lines
            .iter()
            .any(|l| l["ev"] == "sent" && l["kind"] == "gossip")
    );
    let golden = std::fs::read_to_string("../../testdata/transcripts/broadcast-basic.txt")
        .or_else(|_| {
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../testdata/transcripts/broadcast-basic.txt"
            ))
        })
        .unwrap();
    assert_eq!(std::fs::read_to_string(&transcript).unwrap(), golden);
}

#[test]
fn sweep_finds_the_volatile_variant_and_the_replay_command_reproduces_it() {
    let o = splitbrain(&[
        "sweep",
        "broadcast",
        "--seeds",
        "1..50",
        "--param",
        "variant=volatile",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["violation"]["invariant"], "Durability");
    assert!(v["seeds_tried"].as_u64().unwrap() <= 50);
    let replay = v["replay"].as_str().unwrap();
    let args: Vec<&str> = replay.split_whitespace().skip(1).collect();
    let r = splitbrain(&args);
    assert!(r.status.success(), "{}", stderr(&r));
    let rv = json(&r);
    assert_eq!(
        rv["violations"][0], v["violation"],
        "replay gives the same first violation"
    );
}

#[test]
fn sweep_of_the_correct_protocol_finds_nothing() {
    let o = splitbrain(&["sweep", "broadcast", "--seeds", "1..300", "--until", "20s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["result"], "ok");
    assert_eq!(v["seeds"], 300);
}

#[test]
fn hashing_experiment_prints_a_row_per_algorithm_and_vnodes_with_moved_keys_against_the_ideal() {
    let o = splitbrain(&[
        "experiment",
        "hashing",
        "--algo",
        "modulo,ring,jump",
        "--vnodes",
        "1,100",
        "--servers",
        "10",
        "--keys",
        "20000",
        "--change",
        "add:1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json(&o);
    let rows = rows.as_array().unwrap();
    // The vnodes sweep applies to the ring only.
    let names: Vec<(&str, Option<u64>)> = rows
        .iter()
        .map(|r| (r["algo"].as_str().unwrap(), r["vnodes"].as_u64()))
        .collect();
    assert_eq!(
        names,
        [
            ("modulo", None),
            ("ring", Some(1)),
            ("ring", Some(100)),
            ("jump", None)
        ]
    );
    for r in rows {
        assert!((r["ideal_share"].as_f64().unwrap() - 1.0 / 11.0).abs() < 1e-9);
        assert_eq!(r["servers_after"], 11);
    }
    assert!(
        rows[0]["moved_share"].as_f64().unwrap() > 0.8,
        "modulo reshuffles"
    );
    assert!(
        rows[3]["moved_share"].as_f64().unwrap() < 0.12,
        "jump moves about 1/11"
    );
    assert!(
        rows[1]["balance_before"]["max_over_mean"].as_f64().unwrap()
            > rows[2]["balance_before"]["max_over_mean"].as_f64().unwrap(),
        "more vnodes, better balance"
    );
}

#[test]
fn a_run_with_the_pages_automatic_traffic_replays_as_the_page_plays_it() {
    let dir = std::env::temp_dir().join(format!("splitbrain-traffic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("traffic.toml");
    let text =
        "lab = \"raft\"\nseed = 3\nnodes = 5\nuntil = \"3s\"\n\n[traffic]\nnext = \"0.1s\"\n";
    std::fs::write(&scenario, text).unwrap();
    let o = splitbrain(&["run", "--scenario", scenario.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = json(&o);
    // The page's player, natively: the same description, played to the same instant.
    let desc = splitbrain_labs::RunDescription::parse(text).unwrap();
    let mut player =
        splitbrain_player::Player::from_link(desc, splitbrain_player::Options::default()).unwrap();
    player.seek(splitbrain_sim::secs(3), u64::MAX);
    assert_eq!(
        out["trace_hash"],
        format!("{:016x}", player.lab().trace_hash()),
        "the CLI's run is the page's"
    );
    // A request every 0.4 s from 0.1 s: eight by 3 s, all but the newest committed.
    assert_eq!(out["summary"]["max_commit"], 7);
    let plain = splitbrain(&["run", "raft", "--seed", "3", "--until", "3s"]);
    assert_eq!(
        json(&plain)["summary"]["max_commit"],
        0,
        "no traffic, no commands"
    );
}

#[test]
fn diagram_draws_the_runs_messages_as_an_svg_that_names_the_run() {
    let dir = std::env::temp_dir().join(format!("splitbrain-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("raft.svg");
    let o = splitbrain(&[
        "diagram",
        "raft",
        "--seed",
        "3",
        "--from",
        "150ms",
        "--to",
        "400ms",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = json(&o);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    // An election, then heartbeats: votes and appends between five lanes.
    assert_eq!(report["lanes"], 5);
    assert!(report["arrows"].as_u64().unwrap() >= 20, "{report}");
    assert!(svg.contains("RequestVote t1") && svg.contains("Append t1"));
    let hash = report["trace_hash"].as_str().unwrap();
    assert!(
        svg.contains(&format!("run fingerprint {hash}")),
        "the picture names its run"
    );
    // The same run drawn compressed is shorter: the quiet stretches between heartbeats go.
    let short = dir.join("short.svg");
    let c = splitbrain(&[
        "diagram",
        "raft",
        "--seed",
        "3",
        "--from",
        "150ms",
        "--to",
        "400ms",
        "--compressed",
        "-o",
        short.to_str().unwrap(),
    ]);
    assert!(json(&c)["height_px"].as_f64() < report["height_px"].as_f64());
    assert_eq!(json(&c)["arrows"], report["arrows"]);
}

#[test]
fn diagram_refuses_a_backwards_or_giant_window_in_one_line() {
    assert_one_line_error(
        &[
            "diagram",
            "raft",
            "--from",
            "2s",
            "--to",
            "1s",
            "-o",
            "/tmp/never.svg",
        ],
        "must come before",
    );
    assert_one_line_error(
        &["diagram", "raft", "--to", "100s", "-o", "/tmp/never.svg"],
        "px tall",
    );
    assert_one_line_error(
        &[
            "diagram",
            "raft",
            "--px-per-sec",
            "0",
            "-o",
            "/tmp/never.svg",
        ],
        "pixels per second",
    );
}
