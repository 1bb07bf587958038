//! The hashing lab's rules, each test named after the rule it checks. Whole runs go through the
//! simulator with the invariants on; the release rule drives one server directly.

use splitbrain_sharding::{Durable, Msg, Node, Params, Variant, invariants};
use splitbrain_sim::{
    Action, Cx, Effect, Lab, LinkConfig, Process, SimConfig, SimRng, Simulator, ms, secs,
};
use std::rc::Rc;

const N: usize = 9;

fn cluster(params: Params, seed: u64) -> Simulator<Node> {
    let mut cfg = SimConfig::new("hashing", seed, N);
    cfg.link = LinkConfig {
        latency: "5ms..10ms".parse().unwrap(),
        ..LinkConfig::default()
    };
    Simulator::new(
        cfg,
        invariants::all(),
        splitbrain_sharding::cluster(params, N),
    )
    .unwrap()
}

fn client(s: &mut Simulator<Node>, command: &str) {
    s.control(&Action::Client {
        node: 0,
        command: command.into(),
    })
    .unwrap();
}

fn router(s: &Simulator<Node>) -> &splitbrain_sharding::Router {
    s.process(0).and_then(Node::router).unwrap()
}

fn run(s: &mut Simulator<Node>, until: u64) {
    s.run_until(until, u64::MAX);
    assert_eq!(s.violations(), &[], "no invariant may break");
}

#[test]
fn dynamo_4_3_a_crashed_owners_keys_are_served_by_the_next_replica_when_r_is_2() {
    for (r, expect_failures) in [(2, false), (1, true)] {
        let mut s = cluster(
            Params {
                replicas: r,
                rate: 200.0,
                put_share: 0.0,
                ..Params::default()
            },
            7,
        );
        run(&mut s, secs(1));
        s.control(&Action::Crash { node: 3 }).unwrap();
        run(&mut s, secs(6));
        let st = router(&s).stats();
        assert!(st.gets_ok > 500, "R={r}: {st:?}");
        if expect_failures {
            assert!(
                st.gets_failed > 20,
                "R=1 leaves n3's keys unavailable: {st:?}"
            );
        } else {
            assert_eq!(st.gets_failed, 0, "R=2: {st:?}");
            assert!(st.from_replica > 20, "R=2: replicas answered: {st:?}");
        }
    }
}

#[test]
fn karger_4_1_monotonicity_adding_a_server_moves_keys_only_to_it_under_ring() {
    let mut s = cluster(Params::default(), 1);
    run(&mut s, ms(100));
    client(&mut s, "add");
    run(&mut s, secs(2));
    let r = router(&s);
    let last = r.history().last().unwrap();
    assert!(last.done_at.is_some(), "the migration finished");
    assert!(last.flows.iter().all(|f| f.1 == 7), "{:?}", last.flows);
    // About 1/7 of the keys, never far from the ideal.
    assert!((last.share - last.ideal).abs() < 0.05, "{last:?}");
    assert_eq!(r.completed(), 1);
}

#[test]
fn modulo_moves_most_keys_between_servers_that_did_not_change() {
    let mut s = cluster(
        Params {
            algorithm: "modulo".into(),
            compare: Some("rendezvous".into()),
            ..Params::default()
        },
        1,
    );
    client(&mut s, "add");
    run(&mut s, secs(2));
    let last = router(&s).history().last().unwrap().clone();
    assert!(last.share > 0.8, "{last:?}");
    assert!(last.flows.iter().any(|f| f.1 != 7));
    let (_, compare_share) = last.compare.unwrap();
    assert!(
        compare_share < 0.2,
        "rendezvous on the same change: {compare_share}"
    );
}

#[test]
fn one_migration_at_a_time_later_changes_wait_and_every_replica_ends_holding_its_keys() {
    let mut s = cluster(Params::default(), 4);
    client(&mut s, "add");
    client(&mut s, "remove 2");
    client(&mut s, "weight 1=3");
    assert_eq!(router(&s).queued(), 2);
    run(&mut s, secs(3));
    let r = router(&s);
    assert_eq!(r.queued(), 0);
    assert_eq!(r.completed(), 3);
    assert_eq!(
        r.config().members,
        vec![(1, 3), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1)]
    );
    // ReplicasHoldKeys ran at each finish; check the end state by hand too.
    for k in 0..r.params().drawn() {
        for holder in r.replica_sets().of_key(k) {
            let store = s.process(holder as usize).and_then(Node::storage).unwrap();
            assert!(store.data().contains_key(&k), "n{holder} lacks k{k}");
        }
    }
}

#[test]
fn a_migration_waits_for_a_crashed_holder_and_finishes_after_its_restart() {
    let mut s = cluster(Params::default(), 5);
    s.control(&Action::Crash { node: 2 }).unwrap();
    client(&mut s, "remove 3");
    run(&mut s, secs(3));
    assert!(
        router(&s).migrating(),
        "flows from n2 cannot land while it is down"
    );
    s.control(&Action::Restart { node: 2 }).unwrap();
    run(&mut s, secs(6));
    assert!(!router(&s).migrating());
}

#[test]
fn a_router_restarted_mid_migration_resumes_it_from_disk() {
    let mut s = cluster(Params::default(), 6);
    s.control(&Action::Crash { node: 4 }).unwrap();
    client(&mut s, "add");
    run(&mut s, secs(1));
    s.control(&Action::Crash { node: 0 }).unwrap();
    s.control(&Action::Restart { node: 4 }).unwrap();
    s.control(&Action::Restart { node: 0 }).unwrap();
    assert!(
        router(&s).migrating(),
        "the running migration was persisted"
    );
    run(&mut s, secs(4));
    assert!(!router(&s).migrating());
    assert_eq!(router(&s).config().members.len(), 7);
}

#[test]
fn a_delayed_release_from_an_older_change_does_not_drop_a_key_a_newer_change_gave_back() {
    let params = Params::default();
    let mut node = splitbrain_sharding::cluster(params, N)(1);
    let mut rng = SimRng::derive(0, 0, 1);
    let mut fx: Vec<Effect<Node>> = Vec::new();
    let key = *node.storage().unwrap().data().keys().next().unwrap();
    let mut cx = Cx::new(1, N, 0, &mut rng, &mut fx);
    node.on_start(&Durable::default(), &mut cx);
    // Change 5 wrote the key here; a release from change 4 arrives late.
    node.on_message(
        0,
        Msg::Put {
            req: 1,
            key,
            version: 9,
            change: 5,
        },
        &mut cx,
    );
    node.on_message(
        0,
        Msg::Release {
            change: 4,
            keys: vec![key].into(),
        },
        &mut cx,
    );
    assert_eq!(
        node.storage().unwrap().data().get(&key).map(|s| s.version),
        Some(9)
    );
    // A release from the current change does apply.
    node.on_message(
        0,
        Msg::Release {
            change: 5,
            keys: vec![key].into(),
        },
        &mut cx,
    );
    assert!(!node.storage().unwrap().data().contains_key(&key));
}

#[test]
fn release_early_variant_loses_keys_and_the_invariants_catch_it() {
    // Every holder is told to drop and to copy at once: over a few seeds a release overtakes
    // its copy order.
    let caught = (1..200).any(|seed| {
        let mut cfg = SimConfig::new("hashing", seed, N);
        cfg.link = LinkConfig {
            latency: "1ms..30ms".parse().unwrap(),
            ..LinkConfig::default()
        };
        let p = Params {
            variant: Variant::ReleaseEarly,
            replicas: 1,
            ..Params::default()
        };
        let mut s =
            Simulator::new(cfg, invariants::all(), splitbrain_sharding::cluster(p, N)).unwrap();
        client(&mut s, "add");
        s.run_until(secs(2), u64::MAX);
        !s.violations().is_empty()
    });
    assert!(caught);
}

#[test]
fn a_queued_change_and_the_change_history_survive_a_router_restart() {
    let mut s = cluster(Params::default(), 8);
    s.control(&Action::Crash { node: 3 }).unwrap();
    client(&mut s, "remove 2");
    client(&mut s, "weight 1=2");
    run(&mut s, secs(1));
    assert!(router(&s).migrating(), "flows from n3 wait for it");
    assert_eq!(router(&s).queued(), 1);
    s.control(&Action::Crash { node: 0 }).unwrap();
    s.control(&Action::Restart { node: 0 }).unwrap();
    assert_eq!(router(&s).queued(), 1);
    assert_eq!(router(&s).history().len(), 1);
    s.control(&Action::Restart { node: 3 }).unwrap();
    run(&mut s, secs(5));
    let r = router(&s);
    assert_eq!(r.queued(), 0);
    assert_eq!(r.history().len(), 2);
    assert!(r.config().members.contains(&(1, 2)));
}

/// Drives server n1 directly and returns the messages it sent.
fn deliver(node: &mut Node, msgs: Vec<Msg>) -> Vec<Msg> {
    let mut rng = SimRng::derive(0, 0, 1);
    let mut fx: Vec<Effect<Node>> = Vec::new();
    let mut cx = Cx::new(1, N, 0, &mut rng, &mut fx);
    for m in msgs {
        node.on_message(0, m, &mut cx);
    }
    fx.into_iter()
        .filter_map(|e| match e {
            Effect::Send { msg, .. } => Some(msg),
            _ => None,
        })
        .collect()
}

#[test]
fn a_put_issued_before_the_key_was_copied_away_is_refused_so_the_router_rewrites_it() {
    let mut node = splitbrain_sharding::cluster(Params::default(), N)(1);
    let key = *node.storage().unwrap().data().keys().next().unwrap();
    let sent = deliver(
        &mut node,
        vec![
            Msg::Migrate {
                change: 1,
                to: 7,
                keys: Rc::from(vec![key]),
            },
            // Issued under change 0, arriving after the copy for change 1 left.
            Msg::Put {
                req: 3,
                key,
                version: 5,
                change: 0,
            },
            // Issued under change 1: this holder still takes it.
            Msg::Put {
                req: 4,
                key,
                version: 6,
                change: 1,
            },
        ],
    );
    assert!(
        matches!(sent[1], Msg::PutRefused { req: 3, .. }),
        "{sent:?}"
    );
    assert!(matches!(sent[2], Msg::PutAck { req: 4, .. }), "{sent:?}");
}

#[test]
fn a_late_transfer_does_not_bring_back_a_key_a_later_change_released() {
    let mut node = splitbrain_sharding::cluster(Params::default(), N)(1);
    let key = *node.storage().unwrap().data().keys().next().unwrap();
    deliver(
        &mut node,
        vec![
            Msg::Release {
                change: 3,
                keys: Rc::from(vec![key]),
            },
            Msg::Transfer {
                change: 2,
                keys: Rc::from(vec![(key, 8)]),
            },
        ],
    );
    assert!(!node.storage().unwrap().data().contains_key(&key));
    // A transfer of a later change does give it back.
    deliver(
        &mut node,
        vec![Msg::Transfer {
            change: 4,
            keys: Rc::from(vec![(key, 8)]),
        }],
    );
    assert!(node.storage().unwrap().data().contains_key(&key));
}

#[test]
fn a_refused_queued_change_is_dropped_for_good_and_not_replayed_after_a_router_restart() {
    let mut s = cluster(Params::default(), 9);
    s.control(&Action::Crash { node: 3 }).unwrap();
    client(&mut s, "remove 2");
    client(&mut s, "remove 2");
    run(&mut s, secs(1));
    s.control(&Action::Restart { node: 3 }).unwrap();
    run(&mut s, secs(4));
    s.control(&Action::Crash { node: 0 }).unwrap();
    s.control(&Action::Restart { node: 0 }).unwrap();
    assert_eq!(
        router(&s).queued(),
        0,
        "the second remove was refused and forgotten"
    );
    client(&mut s, "add");
    run(&mut s, secs(8));
    let r = router(&s);
    assert!(
        r.config().members.iter().any(|m| m.0 == 2),
        "slot 2 came back and stays"
    );
    assert_eq!(r.queued(), 0);
}
