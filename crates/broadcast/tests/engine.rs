//! Scenario tests that prove the engine end to end with the broadcast protocol: delivery, loss,
//! duplication, partitions, crashes and checkpoints, asserted exactly.

use splitbrain_broadcast::{Node, Params, Variant, invariants};
use splitbrain_sim::{
    Action, Lab, Latency, LinkConfig, RunOutcome, SimConfig, Simulator, TraceKind, ms, secs,
};

fn flood_only() -> Params {
    Params {
        anti_entropy_min: 0,
        anti_entropy_max: 0,
        variant: Variant::Correct,
    }
}

fn sim(nodes: usize, link: LinkConfig, params: Params) -> Simulator<Node> {
    let mut cfg = SimConfig::new("broadcast", 42, nodes);
    cfg.link = link;
    Simulator::new(cfg, invariants(), move |_| Node::new(params.clone())).unwrap()
}

fn constant(latency_ms: u64) -> LinkConfig {
    LinkConfig {
        latency: Latency::Constant(ms(latency_ms)),
        ..LinkConfig::default()
    }
}

fn known(s: &Simulator<Node>) -> Vec<usize> {
    (0..s.nodes())
        .map(|i| s.process(i).map_or(0, |p| p.values().len()))
        .collect()
}

/// A client asks `node` to broadcast `value`.
fn client(s: &mut Simulator<Node>, node: usize, value: &str) {
    s.control(&Action::Client {
        node,
        command: value.into(),
    })
    .unwrap();
}

fn count(s: &Simulator<Node>, f: impl Fn(&TraceKind<Node>) -> bool) -> usize {
    s.trace().events().filter(|e| f(&e.kind)).count()
}

#[test]
fn delivery_flooding_reaches_every_node_with_exact_message_count_and_time() {
    let mut s = sim(4, constant(10), flood_only());
    s.control(&Action::Client {
        node: 0,
        command: "broadcast 7".into(),
    })
    .unwrap();
    assert_eq!(s.run_until(secs(1), u64::MAX), RunOutcome::Reached);
    assert_eq!(known(&s), vec![1, 1, 1, 1]);
    // n0 sends 3; n1..n3 each forward to the 2 nodes other than the sender: 3 + 3*2 = 9.
    assert_eq!(count(&s, |k| matches!(k, TraceKind::Sent { .. })), 9);
    assert_eq!(count(&s, |k| matches!(k, TraceKind::Delivered { .. })), 9);
    // With a constant 10 ms link, the last delivery happens at exactly 20 ms.
    let last = s
        .trace()
        .events()
        .filter(|e| matches!(e.kind, TraceKind::Delivered { .. }))
        .map(|e| e.time)
        .max();
    assert_eq!(last, Some(ms(20)));
    assert!(s.violations().is_empty());
}

#[test]
fn loss_with_probability_one_drops_every_message_and_nothing_arrives() {
    let link = LinkConfig {
        loss: 1.0,
        ..constant(10)
    };
    let mut s = sim(3, link, flood_only());
    client(&mut s, 1, "5");
    s.run_until(secs(1), u64::MAX);
    assert_eq!(known(&s), vec![0, 1, 0]);
    let lost = count(&s, |k| {
        matches!(
            k,
            TraceKind::Dropped {
                reason: splitbrain_sim::DropReason::Lost,
                ..
            }
        )
    });
    assert_eq!(lost, 2);
}

#[test]
fn loss_on_one_link_only_affects_that_link() {
    let mut s = sim(3, constant(10), flood_only());
    s.control(&Action::Loss {
        p: 1.0,
        from: Some(0),
        to: Some(1),
    })
    .unwrap();
    client(&mut s, 0, "9");
    s.run_until(secs(1), u64::MAX);
    // n1 still learns 9 through n2's forward.
    assert_eq!(known(&s), vec![1, 1, 1]);
    assert_eq!(
        count(&s, |k| matches!(
            k,
            TraceKind::Dropped { from: 0, to: 1, .. }
        )),
        1
    );
}

#[test]
fn duplication_with_probability_one_delivers_two_copies() {
    let link = LinkConfig {
        duplicate: 1.0,
        ..constant(10)
    };
    let mut s = sim(2, link, flood_only());
    client(&mut s, 0, "3");
    s.run_until(secs(1), u64::MAX);
    assert_eq!(count(&s, |k| matches!(k, TraceKind::Duplicated { .. })), 1);
    assert_eq!(count(&s, |k| matches!(k, TraceKind::Delivered { .. })), 2);
    assert_eq!(known(&s), vec![1, 1]);
}

#[test]
fn partition_blocks_flooding_and_anti_entropy_repairs_after_heal() {
    let mut s = sim(5, constant(10), Params::default());
    s.control(&Action::Partition {
        groups: vec![vec![0, 1], vec![2, 3, 4]],
    })
    .unwrap();
    client(&mut s, 0, "1");
    s.run_until(secs(5), u64::MAX);
    assert_eq!(
        known(&s),
        vec![1, 1, 0, 0, 0],
        "the minority side cannot reach the rest"
    );
    let blocked = count(&s, |k| {
        matches!(
            k,
            TraceKind::Dropped {
                reason: splitbrain_sim::DropReason::Partitioned,
                ..
            }
        )
    });
    assert!(blocked >= 3, "n0's sends to n2..n4 are dropped: {blocked}");
    s.control(&Action::Heal).unwrap();
    s.run_until(secs(10), u64::MAX);
    assert_eq!(
        known(&s),
        vec![1, 1, 1, 1, 1],
        "anti-entropy converges after heal"
    );
    assert_eq!(s.summary()["converged"], true);
}

#[test]
fn partition_drops_messages_already_in_flight() {
    let mut s = sim(2, constant(100), flood_only());
    client(&mut s, 0, "1");
    s.run_until(ms(50), u64::MAX);
    s.control(&Action::Cut { from: 0, to: 1 }).unwrap();
    s.run_until(secs(1), u64::MAX);
    assert_eq!(known(&s), vec![1, 0]);
    assert_eq!(
        count(&s, |k| matches!(
            k,
            TraceKind::Dropped {
                reason: splitbrain_sim::DropReason::PartitionedInFlight,
                ..
            }
        )),
        1
    );
}

#[test]
fn one_way_cut_blocks_only_that_direction() {
    let mut s = sim(2, constant(10), flood_only());
    s.control(&Action::Cut { from: 0, to: 1 }).unwrap();
    client(&mut s, 1, "4");
    client(&mut s, 0, "5");
    s.run_until(secs(1), u64::MAX);
    assert!(
        s.process(0).unwrap().values().contains(&4),
        "1 -> 0 still works"
    );
    assert!(
        !s.process(1).unwrap().values().contains(&5),
        "0 -> 1 is cut"
    );
}

#[test]
fn crash_drops_messages_with_node_down_and_kills_timers_restart_keeps_persisted_values() {
    let mut s = sim(3, constant(10), Params::default());
    client(&mut s, 0, "8");
    s.run_until(ms(100), u64::MAX);
    s.control(&Action::Crash { node: 2 }).unwrap();
    assert!(
        s.view().nodes[2].timers.is_empty(),
        "a crash kills its timers"
    );
    client(&mut s, 0, "9");
    s.run_until(ms(200), u64::MAX);
    assert!(
        count(&s, |k| matches!(
            k,
            TraceKind::Dropped {
                to: 2,
                reason: splitbrain_sim::DropReason::NodeDown,
                ..
            }
        )) >= 1
    );
    s.control(&Action::Restart { node: 2 }).unwrap();
    assert!(
        s.process(2).unwrap().values().contains(&8),
        "persisted value survives"
    );
    s.run_until(secs(5), u64::MAX);
    assert!(
        s.process(2).unwrap().values().contains(&9),
        "anti-entropy catches up"
    );
    assert!(s.violations().is_empty());
}

#[test]
fn durability_violation_names_the_node_the_value_and_the_event() {
    let params = Params {
        variant: Variant::Volatile,
        ..Params::default()
    };
    let mut s = sim(3, constant(10), params);
    client(&mut s, 0, "8");
    s.run_until(ms(100), u64::MAX);
    s.control(&Action::Crash { node: 1 }).unwrap();
    s.control(&Action::Restart { node: 1 }).unwrap();
    let v = &s.violations()[0];
    assert_eq!(v.invariant, "Durability");
    assert_eq!(v.nodes, vec![1]);
    assert!(v.message.contains("value 8"), "{}", v.message);
    assert!(v.event_text.contains("start"), "{}", v.event_text);
}

#[test]
fn user_can_drop_a_chosen_message_in_flight() {
    let mut s = sim(2, constant(100), flood_only());
    client(&mut s, 0, "1");
    let id = s.view().messages[0].id;
    s.control(&Action::DropMessage { id }).unwrap();
    assert!(
        s.control(&Action::DropMessage { id }).is_err(),
        "already gone"
    );
    s.run_until(secs(1), u64::MAX);
    assert_eq!(known(&s), vec![1, 0]);
}

#[test]
fn bad_controls_are_refused_and_leave_the_run_unchanged() {
    let mut s = sim(3, constant(10), flood_only());
    let before = s.trace_hash();
    for bad in [
        Action::Crash { node: 3 },
        Action::Restart { node: 0 },
        Action::Loss {
            p: 1.5,
            from: None,
            to: None,
        },
        Action::Loss {
            p: f64::NAN,
            from: None,
            to: None,
        },
        Action::Cut { from: 1, to: 1 },
        Action::Partition {
            groups: vec![vec![0, 1], vec![1]],
        },
        Action::Client {
            node: 0,
            command: "explode".into(),
        },
        Action::Client {
            node: 0,
            command: "1".repeat(5000),
        },
    ] {
        assert!(s.control(&bad).is_err(), "{bad:?}");
    }
    assert_eq!(s.trace_hash(), before);
    assert!(s.schedule(0, Action::Heal).is_ok());
    s.run_until(ms(10), u64::MAX);
    assert!(s.schedule(ms(5), Action::Heal).is_err(), "in the past");
}

#[test]
fn checkpoint_restore_replays_identically() {
    let mut s = sim(
        5,
        LinkConfig {
            loss: 0.2,
            ..LinkConfig::default()
        },
        Params::default(),
    );
    client(&mut s, 0, "1");
    s.run_until(secs(1), u64::MAX);
    let cp = s.checkpoint();
    s.run_until(secs(3), u64::MAX);
    let (hash, now) = (s.trace_hash(), s.now());
    s.restore(&cp).unwrap();
    assert_eq!(s.now(), secs(1));
    s.run_until(secs(3), u64::MAX);
    assert_eq!((s.trace_hash(), s.now()), (hash, now));
}

#[test]
fn checkpoint_shares_the_trace_instead_of_copying_it() {
    let mut cfg = SimConfig::new("broadcast", 42, 5);
    cfg.trace_capacity = 100_000;
    let mut s = Simulator::new(cfg, invariants(), |_| Node::new(Params::default())).unwrap();
    client(&mut s, 0, "1");
    s.run_until(secs(120), u64::MAX);
    assert!(s.trace().events().len() > 2 * splitbrain_sim::limits::CHECKPOINT_TRACE);
    let cp = s.checkpoint();
    let mut back = s.clone();
    back.run_until(secs(25), u64::MAX);
    back.restore(&cp).unwrap();
    // The restored run holds the newest events only, in chunks it shares with the live run.
    assert!(back.trace().shares_chunks_with(s.trace()));
    let kept: Vec<u64> = back.trace().events().map(|e| e.index).collect();
    assert!(kept.len() >= splitbrain_sim::limits::CHECKPOINT_TRACE);
    assert!(kept.len() < s.trace().events().len());
    let live: Vec<u64> = s.trace().events().map(|e| e.index).collect();
    assert!(live.ends_with(&kept), "the newest events, in order");
    assert_eq!(back.trace_hash(), s.trace_hash());
}

#[test]
fn trace_iterates_both_ways_across_chunks() {
    let mut cfg = SimConfig::new("broadcast", 3, 5);
    cfg.trace_capacity = 700;
    let mut s = Simulator::new(cfg, invariants(), |_| Node::new(Params::default())).unwrap();
    client(&mut s, 0, "1");
    s.run_until(secs(30), u64::MAX);
    let fwd: Vec<u64> = s.trace().events().map(|e| e.index).collect();
    let mut back: Vec<u64> = s.trace().events().rev().map(|e| e.index).collect();
    back.reverse();
    assert_eq!(fwd.len(), 700);
    assert_eq!(fwd, back);
    assert_eq!(*fwd.last().unwrap(), s.trace().recorded() - 1);
    assert!(fwd.windows(2).all(|w| w[1] == w[0] + 1));
    assert_eq!(s.trace().events().nth(3).map(|e| e.index), Some(fwd[3]));
}

#[test]
fn events_are_totally_ordered_by_time_then_sequence() {
    let mut s = sim(5, LinkConfig::default(), Params::default());
    for v in 0..5 {
        s.control(&Action::Client {
            node: v,
            command: v.to_string(),
        })
        .unwrap();
    }
    s.run_until(secs(3), u64::MAX);
    let times: Vec<u64> = s.trace().events().map(|e| e.time).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let idx: Vec<u64> = s.trace().events().map(|e| e.index).collect();
    assert!(idx.windows(2).all(|w| w[1] == w[0] + 1));
}

#[test]
fn bounded_trace_keeps_memory_flat_but_hashes_everything() {
    let mut cfg = SimConfig::new("broadcast", 1, 5);
    cfg.trace_capacity = 100;
    let mut small =
        Simulator::new(cfg.clone(), invariants(), |_| Node::new(Params::default())).unwrap();
    cfg.trace_capacity = 1_000_000;
    let mut big = Simulator::new(cfg, invariants(), |_| Node::new(Params::default())).unwrap();
    for s in [&mut small, &mut big] {
        client(s, 0, "1");
        s.run_until(secs(20), u64::MAX);
    }
    assert_eq!(small.trace().events().len(), 100);
    assert!(small.trace().dropped() > 0);
    assert_eq!(small.trace_hash(), big.trace_hash());
}

#[test]
fn the_view_marks_the_network_copy_of_a_duplicated_message() {
    let link = LinkConfig {
        duplicate: 1.0,
        ..constant(10)
    };
    let mut s = sim(2, link, flood_only());
    client(&mut s, 0, "3");
    let v = s.view();
    assert_eq!(v.messages.len(), 2);
    assert_eq!(v.messages[0].copy_of, None);
    assert_eq!(v.messages[1].copy_of, Some(v.messages[0].id));
}

#[test]
fn kept_drops_say_where_and_why_a_message_died_and_stay_bounded() {
    let mut s = sim(3, constant(100), flood_only());
    // Off by default: sweeps pay nothing.
    client(&mut s, 0, "1");
    let id = s.view().messages[0].id;
    s.control(&Action::DropMessage { id }).unwrap();
    assert!(s.view().dropped.is_empty());

    s.keep_drops(2);
    let hash_before = s.trace_hash();
    s.run_until(ms(40), u64::MAX);
    let id = s.view().messages[0].id;
    s.control(&Action::DropMessage { id }).unwrap();
    let d = s.view().dropped;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].id, d[0].at, d[0].deliver),
        (id, ms(40), Some(ms(100)))
    );
    assert_eq!(d[0].reason, "dropped by user");

    // Sent into a cut: dropped at the sender, with no arrival time.
    s.control(&Action::Partition {
        groups: vec![vec![1]],
    })
    .unwrap();
    client(&mut s, 1, "2");
    let d = s.view().dropped;
    assert_eq!(d.len(), 2, "bounded at the two asked for");
    assert!(
        d.iter()
            .all(|x| x.reason == "partitioned" && x.deliver.is_none() && x.from == 1)
    );
    // Keeping drops is for the picture only: the same run without it hashes the same.
    let mut plain = sim(3, constant(100), flood_only());
    plain
        .control(&Action::Client {
            node: 0,
            command: "1".into(),
        })
        .unwrap();
    let first = plain.view().messages[0].id;
    plain.control(&Action::DropMessage { id: first }).unwrap();
    assert_eq!(plain.trace_hash(), hash_before);
}
