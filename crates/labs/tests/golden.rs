//! Determinism, tested rather than assumed.
//!
//! The same file runs natively (`cargo test`) and as wasm32 under Node (`cargo test --target
//! wasm32-unknown-unknown`, see `cargo xtask test`): both must reproduce the same pinned hashes
//! and the same transcript, which is how native-versus-wasm equality is checked.

use splitbrain_labs::{RunDescription, build, find, random_faults};
use splitbrain_sim::{Lab, secs};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const BASIC: &str = include_str!("../../../testdata/scenarios/broadcast-basic.toml");
const FAULTS: &str = include_str!("../../../testdata/scenarios/broadcast-faults.toml");
const PING: &str = include_str!("../../../testdata/scenarios/ping-faults.toml");
const HASHING: &str = include_str!("../../../testdata/scenarios/hashing-faults.toml");
const PAXOS_DUEL: &str = include_str!("../../../testdata/scenarios/paxos-dueling.toml");
const PAXOS_FAILOVER: &str = include_str!("../../../testdata/scenarios/paxos-failover.toml");
const RAFT_STALE_READ: &str = include_str!("../../../testdata/scenarios/raft-stale-read.toml");
const QUORUM_SPLIT: &str = include_str!("../../../testdata/scenarios/quorum-sloppy-split.toml");
const BASIC_TRANSCRIPT: &str = include_str!("../../../testdata/transcripts/broadcast-basic.txt");

/// Pinned trace hashes. A change here means runs replay differently: old links would break, so
/// change them only on purpose and say so in the commit.
const GOLDEN_BASIC: u64 = 0xb5e2_89c0_8a66_092a;
const GOLDEN_FAULTS: u64 = 0x899a_68a9_a1dd_6d99;
const GOLDEN_PING: u64 = 0xdb9c_ec93_58ce_b46a;
const GOLDEN_BENCH: u64 = 0x062b_57b2_3353_1192;
const GOLDEN_SWEEP: u64 = 0xdc92_56eb_7c4c_050d;
const GOLDEN_HASHING: u64 = 0x1c1f_8789_4777_b118;
const GOLDEN_PAXOS_DUEL: u64 = 0xec83_469b_b3f2_570c;
const GOLDEN_PAXOS_FAILOVER: u64 = 0x91b9_60f1_7687_b340;
const GOLDEN_RAFT_STALE_READ: u64 = 0xd6c5_c529_443d_9434;
const GOLDEN_QUORUM_SPLIT: u64 = 0x31e1_6f70_fdeb_9f9f;

fn run(text: &str) -> Box<dyn Lab> {
    let desc = RunDescription::parse(text).expect("scenario parses");
    let mut lab = build(&desc, 1_000_000).expect("scenario builds");
    lab.run_until(desc.until.unwrap(), u64::MAX);
    lab
}

fn sweep_hash() -> u64 {
    // Twenty generated fault schedules, folded into one hash.
    let info = find("broadcast").unwrap();
    let mut acc = 0u64;
    for seed in 1..=20 {
        let mut desc = RunDescription::new("broadcast", seed, 5);
        desc.actions = random_faults(info, seed, 5, secs(30));
        let mut lab = build(&desc, 0).unwrap();
        lab.run_until(secs(30), u64::MAX);
        acc = acc.rotate_left(7) ^ lab.trace_hash();
    }
    acc
}

#[test]
fn same_seed_twice_gives_identical_trace_hash() {
    assert_eq!(run(FAULTS).trace_hash(), run(FAULTS).trace_hash());
    let a = run(FAULTS);
    let mut other = RunDescription::parse(FAULTS).unwrap();
    other.seed += 1;
    let mut b = build(&other, 0).unwrap();
    b.run_until(other.until.unwrap(), u64::MAX);
    assert_ne!(a.trace_hash(), b.trace_hash(), "the seed matters");
}

#[test]
fn golden_hash_basic_scenario() {
    let lab = run(BASIC);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_BASIC,
        "hash {:#x}",
        lab.trace_hash()
    );
}

#[test]
fn golden_hash_every_fault_scenario() {
    let lab = run(FAULTS);
    assert!(lab.violations().is_empty());
    assert_eq!(lab.summary()["converged"], true);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_FAULTS,
        "hash {:#x}",
        lab.trace_hash()
    );
}

#[test]
fn golden_hash_generated_fault_schedules() {
    let h = sweep_hash();
    assert_eq!(h, GOLDEN_SWEEP, "hash {h:#x}");
}

#[test]
fn golden_transcript_basic_scenario() {
    let got = run(BASIC).transcript().join("\n") + "\n";
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/transcripts/broadcast-basic.txt"
        );
        std::fs::write(path, &got).unwrap();
        return;
    }
    assert_eq!(
        got, BASIC_TRANSCRIPT,
        "transcript changed; rerun with UPDATE_GOLDEN=1 if intended"
    );
}

#[test]
fn golden_hash_ping_scenario() {
    let lab = run(PING);
    assert!(lab.summary()["round_trips"].as_u64().unwrap() > 500);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_PING,
        "hash {:#x}",
        lab.trace_hash()
    );
}

#[test]
fn golden_hash_throughput_workload() {
    // The benchmark's run, so the figure measured in Chromium is provably the same run as the
    // native one (`cargo xtask bench` prints this hash from the browser).
    let (events, _, hash) = splitbrain_labs::bench::throughput(5, 20_000, &mut || 0.0).unwrap();
    assert_eq!(events, 20_000);
    assert_eq!(hash, GOLDEN_BENCH, "hash {hash:#x}");
}

#[test]
fn golden_hash_hashing_scenario_with_membership_changes_and_faults() {
    // Zipf traffic, compare mode, 50,000 keys: the placements, the metrics and every migration
    // message must come out the same natively and in wasm.
    let lab = run(HASHING);
    assert!(lab.violations().is_empty(), "{:?}", lab.violations());
    let s = lab.summary();
    assert_eq!(s["changes"], 3);
    assert_eq!(s["migrating"], false);
    assert_eq!(s["last_change"]["change"], "weight 1=3");
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_HASHING,
        "hash {:#x}",
        lab.trace_hash()
    );
}

#[test]
fn golden_hash_paxos_dueling_proposers_never_choose() {
    // Paxos Made Simple §2.4's livelock, message for message: no value is chosen in 2 s.
    let lab = run(PAXOS_DUEL);
    assert!(lab.violations().is_empty(), "{:?}", lab.violations());
    assert_eq!(lab.summary()["chosen_slots"], 0);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_PAXOS_DUEL,
        "hash {:#x}",
        lab.trace_hash()
    );
}

#[test]
fn golden_hash_multi_paxos_failover_scenario() {
    let lab = run(PAXOS_FAILOVER);
    assert!(lab.violations().is_empty(), "{:?}", lab.violations());
    let s = lab.summary();
    assert_eq!(s["chosen_slots"], 6);
    // The command given to the cut-off side is held until a leader is reachable again.
    assert_eq!(s["chosen"]["4"], "set z=4");
    assert_eq!(s["chosen"]["5"], "set w=5");
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_PAXOS_FAILOVER,
        "hash {:#x}",
        lab.trace_hash()
    );
}

/// Client processes replay bit for bit too, with the history they record: the stale-read
/// scenario's clients (time-outs, retries, a read served by a cut-off leader).
#[test]
fn golden_hash_raft_clients_stale_read_scenario() {
    let lab = run(RAFT_STALE_READ);
    assert!(lab.violations().is_empty(), "{:?}", lab.violations());
    let bad = splitbrain_labs::consistency::violation(lab.as_ref()).expect("the stale read");
    assert_eq!(bad.time, 6_424_630);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_RAFT_STALE_READ,
        "hash {:#x}",
        lab.trace_hash()
    );
}

/// The quorum lab replays bit for bit: a sloppy quorum's stand-ins, hints and a stale read on
/// the side of a partition without the key's replicas.
#[test]
fn golden_hash_quorum_sloppy_split_scenario() {
    let lab = run(QUORUM_SPLIT);
    assert!(lab.violations().is_empty(), "{:?}", lab.violations());
    let bad = splitbrain_labs::consistency::violation(lab.as_ref()).expect("the stale read");
    assert_eq!(bad.time, 2_549_002);
    assert_eq!(
        lab.trace_hash(),
        GOLDEN_QUORUM_SPLIT,
        "hash {:#x}",
        lab.trace_hash()
    );
}

/// A Raft run whose isolated leader's cancelled timers and dropped messages leave stale queue
/// entries: `run_until` must still stop at its target, never on the live event behind them,
/// so a link's `t=2s` (and an embed's seek) shows exactly 2 s.
#[test]
fn run_until_lands_on_its_target_past_stale_queue_entries() {
    let text = r#"{"lab":"raft","seed":7,"nodes":5,"network":{"latency":"10ms..20ms"},
        "actions":[{"at":"0.100781s","do":"client","node":0,"command":"set k1=1"},
                   {"at":"0.215642s","do":"partition","groups":[[0]]},{"at":"0.354814s","do":"heal"}]}"#;
    let desc = RunDescription::parse(text).unwrap();
    let mut whole = build(&desc, 0).unwrap();
    whole.run_until(secs(2), u64::MAX);
    assert_eq!(whole.now(), secs(2));
    // The same run in many small pieces, as the page plays it frame by frame, is the same run.
    let mut pieces = build(&desc, 0).unwrap();
    for i in 1..=200 {
        pieces.run_until(i * secs(2) / 200, u64::MAX);
        assert_eq!(pieces.now(), i * secs(2) / 200);
    }
    assert_eq!(pieces.trace_hash(), whole.trace_hash());
}

/// A live action taken at an instant that already has a scheduled action (an exercise's own at
/// 0 s, say, right after Start over) lands after it, where a replay of the link schedules it: the
/// page and the replayed link are the same run.
#[test]
fn a_live_action_lands_after_the_actions_already_scheduled_for_its_instant() {
    use splitbrain_sim::{Action, TimedAction};
    let text = r#"{"lab":"raft","seed":3,"nodes":5,"network":{"latency":"10ms..20ms"},
        "actions":[{"at":"0s","do":"partition","groups":[[0]]}]}"#;
    let desc = RunDescription::parse(text).unwrap();
    // Live: the student heals at once, before playing.
    let mut live = build(&desc, 0).unwrap();
    assert_eq!(live.now(), 0);
    live.control(&Action::Heal).unwrap();
    live.run_until(secs(3), u64::MAX);
    // The link: the heal scheduled at 0 s, after the exercise's own partition.
    let mut link = desc.clone();
    link.actions.push(TimedAction {
        at: 0,
        action: Action::Heal,
    });
    let mut replay = build(&link, 0).unwrap();
    replay.run_until(secs(3), u64::MAX);
    assert!(replay.view().blocked.is_empty(), "partitioned, then healed");
    assert!(
        live.view().blocked.is_empty(),
        "the live heal came after the partition too"
    );
    assert_eq!(live.trace_hash(), replay.trace_hash());
}
