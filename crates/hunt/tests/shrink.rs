//! Shrinking every shipped buggy variant's first finding: the result still breaks the same
//! invariant, replays to it, is the same every time, and is a local minimum (removing any one
//! of its actions makes the bug go away).

use serde_json::json;
use splitbrain_hunt::{check, schedule_in_words, search, seeded, shrink};
use splitbrain_labs::RunDescription;
use splitbrain_sim::{limits, secs};

fn base(lab: &str, nodes: usize, params: serde_json::Value) -> RunDescription {
    let mut run = RunDescription::new(lab, 0, nodes);
    run.params = params;
    run.until = Some(secs(30));
    run
}

/// Finds the variant's first failing seed in `seeds`, shrinks it and checks the result.
fn shrinks_to_a_local_minimum(base: RunDescription, seeds: std::ops::RangeInclusive<u64>) {
    let what = format!("{} {}", base.lab, base.params);
    let (run, failure) = search(&base, seeds.clone(), limits::MAX_EVENTS, |_| true)
        .unwrap()
        .unwrap_or_else(|| panic!("{what}: no violation in seeds {seeds:?}"));
    let shrunk = shrink(&run, limits::MAX_EVENTS, 5_000).unwrap();
    assert!(shrunk.minimal, "{what}: the budget ran out");
    assert_eq!(
        shrunk.failure.invariant, failure.invariant,
        "{what}: same invariant"
    );
    assert!(shrunk.run.actions.len() <= run.actions.len());
    assert!(shrunk.run.until.unwrap() <= run.until.unwrap());
    // It replays to the same violation.
    let again = check(&shrunk.run, limits::MAX_EVENTS).unwrap().unwrap();
    assert_eq!(again, shrunk.failure, "{what}: the shrunk run replays");
    // Deterministic: the same input gives the same result.
    assert_eq!(
        shrink(&run, limits::MAX_EVENTS, 5_000).unwrap(),
        shrunk,
        "{what}"
    );
    // A local minimum: without any one of its actions, the same invariant no longer breaks
    // (within the original run's length).
    for i in 0..shrunk.run.actions.len() {
        let mut fewer = shrunk.run.clone();
        fewer.until = run.until;
        fewer.actions.remove(i);
        let f = check(&fewer, limits::MAX_EVENTS).unwrap();
        assert!(
            f.is_none_or(|f| f.invariant != failure.invariant),
            "{what}: action {i} ({}) could still go",
            schedule_in_words(&shrunk.run)[i]
        );
    }
    eprintln!(
        "{what}: seed {} shrunk from {} actions to {} in {} runs: {:?}",
        run.seed,
        run.actions.len(),
        shrunk.run.actions.len(),
        shrunk.runs,
        schedule_in_words(&shrunk.run)
    );
}

#[test]
fn raft_no_log_check_shrinks_to_a_local_minimum() {
    shrinks_to_a_local_minimum(base("raft", 5, json!({"variant": "no-log-check"})), 1..=100);
}

#[test]
fn raft_volatile_voted_for_shrinks_to_a_local_minimum() {
    shrinks_to_a_local_minimum(
        base("raft", 5, json!({"variant": "volatile-voted-for"})),
        1937..=1937,
    );
}

#[test]
fn raft_fig8_commit_previous_term_shrinks_to_a_local_minimum() {
    shrinks_to_a_local_minimum(
        base("raft", 5, json!({"variant": "commit-previous-term"})),
        5384..=5384,
    );
}

#[test]
fn paxos_variants_shrink_to_a_local_minimum() {
    for mode in ["single", "multi"] {
        for variant in ["ignore-promised-values", "forget-promise", "shared-ballots"] {
            shrinks_to_a_local_minimum(
                base("paxos", 5, json!({"mode": mode, "variant": variant})),
                1..=50,
            );
        }
    }
}

#[test]
fn hashing_release_early_shrinks_to_a_local_minimum() {
    shrinks_to_a_local_minimum(
        base(
            "hashing",
            5,
            json!({"variant": "release-early", "replicas": 1}),
        ),
        1..=50,
    );
}

#[test]
fn client_only_bugs_shrink_to_a_local_minimum_of_the_linearizable_check() {
    shrinks_to_a_local_minimum(
        base("raft", 5, json!({"variant": "local-reads", "clients": 3})),
        1..=100,
    );
    shrinks_to_a_local_minimum(
        base("paxos", 5, json!({"variant": "no-dedup", "clients": 3})),
        1..=100,
    );
}

#[test]
fn a_run_that_does_not_fail_is_refused() {
    let run = seeded(&base("raft", 5, json!({})), 1).unwrap();
    let e = shrink(&run, limits::MAX_EVENTS, 100).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the run breaks no invariant, so there is nothing to shrink"
    );
}

#[test]
fn a_small_budget_stops_with_the_best_run_so_far() {
    let b = base("raft", 5, json!({"variant": "commit-previous-term"}));
    let run = seeded(&b, 5384).unwrap();
    let shrunk = shrink(&run, limits::MAX_EVENTS, 3).unwrap();
    assert!(!shrunk.minimal);
    assert!(shrunk.runs <= 4);
    assert!(check(&shrunk.run, limits::MAX_EVENTS).unwrap().is_some());
}

#[test]
fn the_search_stops_when_told() {
    let b = base("raft", 5, json!({}));
    let mut seen = Vec::new();
    let found = search(&b, 1..=1000, limits::MAX_EVENTS, |s| {
        seen.push(s);
        s < 3
    })
    .unwrap();
    assert!(found.is_none());
    assert_eq!(seen, vec![1, 2, 3]);
}
