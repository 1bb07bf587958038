//! The clients' history, judged: the correct Raft and Multi-Paxos keep it linearizable under
//! random faults, and each buggy variant that only clients can see is found by a sweep of
//! seeds, as `splitbrain sweep` looks for it (30 s runs with random faults).

use splitbrain_labs::consistency::{BUDGET, Judgement, LINEARIZABLE, judge, violations};
use splitbrain_labs::{RunDescription, build, find, random_faults};
use splitbrain_sim::secs;

/// A sweep's run for `seed`: the lab with `clients` clients and `variant`, random faults.
fn seed_run(lab: &str, variant: &str, clients: usize, seed: u64) -> RunDescription {
    let mut run = RunDescription::new(lab, seed, 5);
    run.params = serde_json::json!({ "clients": clients, "variant": variant });
    let until = secs(30);
    run.until = Some(until);
    run.actions = random_faults(find(lab).unwrap(), seed, run.nodes, until);
    run
}

/// The first seed in `seeds` whose run breaks the `Linearizable` check, with its message.
fn first_broken(lab: &str, variant: &str, seeds: std::ops::Range<u64>) -> Option<(u64, String)> {
    seeds.into_iter().find_map(|seed| {
        let run = seed_run(lab, variant, 3, seed);
        let mut built = build(&run, 0).unwrap();
        built.set_stop_on_violation(true);
        built.run_until(run.until.unwrap(), 5_000_000);
        let v = violations(built.as_ref());
        assert!(
            v.iter().all(|v| v.invariant == LINEARIZABLE),
            "{lab} {variant} seed {seed}: a server invariant broke: {v:?}"
        );
        v.first().map(|v| (seed, v.message.clone()))
    })
}

#[test]
fn raft_local_reads_serve_a_stale_read_section_8_read_only_operations() {
    let (seed, message) = first_broken("raft", "local-reads", 0..200)
        .expect("a deposed leader answering reads locally is caught within 200 seeds");
    assert!(message.contains("get"), "seed {seed}: {message}");
}

#[test]
fn paxos_without_dedup_applies_a_retried_command_twice_pmmc_section_3() {
    let (seed, message) = first_broken("paxos", "no-dedup", 0..200)
        .expect("a doubled command is caught within 200 seeds");
    assert!(
        message.contains("incr") || message.contains("cas"),
        "seed {seed}: {message}"
    );
}

#[test]
fn raft_with_clients_stays_linearizable_under_random_faults_section_8() {
    assert_eq!(first_broken("raft", "correct", 0..60), None);
}

#[test]
fn multi_paxos_with_clients_stays_linearizable_under_random_faults() {
    assert_eq!(first_broken("paxos", "correct", 0..60), None);
}

#[test]
fn a_fault_free_run_answers_every_operation_and_replays_the_same_history() {
    let mut run = RunDescription::new("raft", 3, 5);
    run.params = serde_json::json!({ "clients": 4 });
    let play = || {
        let mut lab = build(&run, 0).unwrap();
        lab.run_until(secs(20), 5_000_000);
        lab.history().to_vec()
    };
    let h = play();
    assert!(h.len() > 100, "{} operations", h.len());
    // Only the operation in flight at the end may be unanswered, one per client.
    let open = h.iter().filter(|o| o.done.is_none()).count();
    assert!(open <= 4, "{open} unanswered");
    assert!(matches!(judge(&h, BUDGET), Judgement::Linearizable { .. }));
    assert_eq!(play(), h, "same seed, same history");
}

#[test]
fn clients_are_refused_past_ten_and_in_single_decree_paxos() {
    let mut run = RunDescription::new("raft", 1, 3);
    run.params = serde_json::json!({ "clients": 11 });
    let err = build(&run, 0).err().unwrap().to_string();
    assert_eq!(err, "raft params: clients must be 0 to 10, got 11");
    let mut run = RunDescription::new("paxos", 1, 3);
    run.params = serde_json::json!({ "clients": 2, "mode": "single" });
    let err = build(&run, 0).err().unwrap().to_string();
    assert!(err.starts_with("paxos params: clients need mode"), "{err}");
}

/// The scenario file the README and the browser test use.
fn stale_read_scenario() -> RunDescription {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/scenarios/raft-stale-read.toml"
    );
    RunDescription::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_leader_cut_off_with_a_client_serves_it_a_stale_read_only_in_local_reads_section_8() {
    let run = stale_read_scenario();
    let play = |run: &RunDescription| {
        let mut lab = build(run, 0).unwrap();
        lab.run_until(run.until.unwrap(), 5_000_000);
        judge(lab.history(), BUDGET)
    };
    let Judgement::Broken { reason, .. } = play(&run) else {
        panic!("local reads on the cut-off leader must be caught");
    };
    assert_eq!(
        reason,
        "c1's get x returned 1 at 6.42463s, but x was 3 since 4.769866s, when c2's set x=3 completed"
    );
    let mut correct = run.clone();
    correct.params["variant"] = "correct".into();
    assert!(matches!(play(&correct), Judgement::Linearizable { .. }));
}
