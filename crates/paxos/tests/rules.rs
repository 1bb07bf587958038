//! Paxos's rules, each test named after the rule it checks ("pms" = Paxos Made Simple, "pmmc" =
//! Paxos Made Moderately Complex, with their sections). Nodes are driven directly through their
//! handlers and the effects they return; the last tests run whole clusters in the simulator.

use splitbrain_paxos::{
    Ballot, Durable, Mode, Msg, Node, Params, Phase, Timer, Value, Variant, invariants,
};
use splitbrain_sim::testing::{Harness, sends};
use splitbrain_sim::{Action, Effect, Lab, LinkConfig, Process, SimConfig, Simulator, ms, secs};

const N: usize = 5;

/// Node `id` of a five-node cluster, started from `durable`.
fn harness(id: usize, params: Params, durable: Durable) -> Harness<Node> {
    Harness::new(Node::new(params, id, N), id, N, &durable)
}

fn single() -> Params {
    Params {
        mode: Mode::Single,
        auto: false,
        ..Params::default()
    }
}

fn b(round: u64, node: usize) -> Ballot {
    Ballot::new(round, node)
}

fn word(w: &str) -> Value {
    Value::Word(w.into())
}

fn op(text: &str) -> Value {
    Value::parse(text).unwrap()
}

fn persisted(fx: &[Effect<Node>]) -> Option<Durable> {
    fx.iter().rev().find_map(|e| match e {
        Effect::Persist(d) => Some(d.clone()),
        _ => None,
    })
}

fn accepts(fx: &[Effect<Node>]) -> Vec<(u64, Value)> {
    let mut out: Vec<(u64, Value)> = sends(fx)
        .into_iter()
        .filter_map(|(to, m)| match (to, m) {
            (Some(1), Msg::Accept { slot, value, .. }) => Some((slot, value)),
            _ => None,
        })
        .collect();
    out.sort_by_key(|(s, _)| *s);
    out
}

fn acceptor_with(promised: Ballot, accepted: &[(u64, Ballot, Value)]) -> Durable {
    Durable {
        promised,
        accepted: accepted
            .iter()
            .map(|(s, b, v)| (*s, (*b, v.clone())))
            .collect(),
        ..Durable::default()
    }
}

#[test]
fn pms_2_2_acceptor_promises_a_higher_ballot_and_reports_the_proposal_it_accepted() {
    let mut h = harness(
        3,
        single(),
        acceptor_with(b(1, 1), &[(0, b(1, 1), word("red"))]),
    );
    let fx = h.deliver(
        0,
        Msg::Prepare {
            ballot: b(2, 0),
            from: 0,
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            Some(0),
            Msg::Promise {
                ballot: b(2, 0),
                accepted: vec![(0, b(1, 1), word("red"))]
            }
        )]
    );
    assert_eq!(h.node.promised(), b(2, 0));
    assert_eq!(persisted(&fx).unwrap().promised, b(2, 0));
}

#[test]
fn pms_2_2_p1a_acceptor_refuses_prepare_and_accept_below_its_promise_with_a_nack() {
    let mut h = harness(3, single(), acceptor_with(b(3, 2), &[]));
    for msg in [
        Msg::Prepare {
            ballot: b(2, 0),
            from: 0,
        },
        Msg::Accept {
            ballot: b(2, 0),
            slot: 0,
            value: word("red"),
        },
    ] {
        let fx = h.deliver(0, msg);
        assert_eq!(
            sends(&fx),
            vec![(
                Some(0),
                Msg::Nack {
                    ballot: b(2, 0),
                    promised: b(3, 2)
                }
            )]
        );
    }
    assert!(h.node.accepted().is_empty());
}

#[test]
fn pms_2_2_acceptor_accepts_at_or_above_its_promise_and_tells_every_learner() {
    let mut h = harness(3, single(), acceptor_with(b(3, 2), &[]));
    let fx = h.deliver(
        2,
        Msg::Accept {
            ballot: b(3, 2),
            slot: 0,
            value: word("red"),
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            None,
            Msg::Accepted {
                ballot: b(3, 2),
                slot: 0,
                value: word("red")
            }
        )]
    );
    assert_eq!(h.node.accepted()[&0], (b(3, 2), word("red")));
}

#[test]
fn pms_2_3_acceptor_keeps_its_promise_and_accepted_value_in_stable_storage() {
    let mut h = harness(3, single(), Durable::default());
    h.deliver(
        2,
        Msg::Prepare {
            ballot: b(4, 2),
            from: 0,
        },
    );
    let fx = h.deliver(
        2,
        Msg::Accept {
            ballot: b(4, 2),
            slot: 0,
            value: word("red"),
        },
    );
    let d = persisted(&fx).unwrap();
    assert_eq!(d.promised, b(4, 2));
    assert_eq!(d.accepted[&0], (b(4, 2), word("red")));
    // A restart from that storage refuses what it refused before.
    let mut again = harness(3, single(), d);
    let fx = again.deliver(
        0,
        Msg::Prepare {
            ballot: b(3, 0),
            from: 0,
        },
    );
    assert!(matches!(sends(&fx)[0].1, Msg::Nack { .. }));
}

#[test]
fn pms_2_3_bug_forget_promise_leaves_the_promise_out_of_stable_storage() {
    let p = Params {
        variant: Variant::ForgetPromise,
        ..single()
    };
    let mut h = harness(3, p, Durable::default());
    let fx = h.deliver(
        2,
        Msg::Prepare {
            ballot: b(4, 2),
            from: 0,
        },
    );
    assert_eq!(persisted(&fx).unwrap().promised, Ballot::ZERO);
}

/// Proposer n0 runs phase 1 and gets promises from itself, n1 and n2 (a majority of five).
fn phase1(
    params: Params,
    reports: [&[(u64, Ballot, Value)]; 2],
) -> (Harness<Node>, Vec<Effect<Node>>) {
    let mut h = harness(0, params.clone(), Durable::default());
    let fx = if params.mode == Mode::Single {
        h.command("propose red")
    } else {
        h.run(|n, cx| n.on_timer(Timer::Retry, cx))
    };
    let Some((_, Msg::Prepare { ballot, .. })) = sends(&fx).into_iter().next() else {
        panic!("no Prepare: {fx:?}");
    };
    let mut out = Vec::new();
    for (from, accepted) in [(1, reports[0]), (2, reports[1])] {
        out = h.deliver(
            from,
            Msg::Promise {
                ballot,
                accepted: accepted.to_vec(),
            },
        );
    }
    (h, out)
}

#[test]
fn pms_2_2_p2c_proposer_proposes_the_value_of_the_highest_ballot_reported() {
    let (h, fx) = phase1(
        single(),
        [
            &[(0, b(1, 1), word("blue"))],
            &[(0, b(2, 2), word("green"))],
        ],
    );
    assert!(matches!(h.node.phase(), Phase::Leading { .. }));
    assert_eq!(accepts(&fx), vec![(0, word("green"))]);
}

#[test]
fn pms_2_2_p2c_proposer_proposes_its_own_value_when_nothing_was_accepted() {
    let (_, fx) = phase1(single(), [&[], &[]]);
    assert_eq!(accepts(&fx), vec![(0, word("red"))]);
}

#[test]
fn pms_2_2_bug_ignore_promised_values_proposes_its_own_value_anyway() {
    let p = Params {
        variant: Variant::IgnorePromisedValues,
        ..single()
    };
    let (_, fx) = phase1(p, [&[(0, b(1, 1), word("blue"))], &[]]);
    assert_eq!(accepts(&fx), vec![(0, word("red"))]);
}

#[test]
fn pms_2_5_a_new_ballot_exceeds_every_ballot_used_or_heard_and_survives_a_restart() {
    // Without the distinguished-proposer rule, which would wait for 7.2's owner to go quiet.
    let p = Params {
        leader: false,
        ..single()
    };
    let mut h = harness(1, p, Durable::default());
    let fx = h.command("propose blue");
    let first = persisted(&fx).unwrap();
    assert_eq!(first.round, 1);
    assert_eq!(first.attempts[0].ballot, b(1, 1));
    h.deliver(
        3,
        Msg::Nack {
            ballot: b(1, 1),
            promised: b(7, 2),
        },
    );
    let fx = h.run(|n, cx| n.on_timer(Timer::Retry, cx));
    let Some((_, Msg::Prepare { ballot, .. })) = sends(&fx).into_iter().next() else {
        panic!("no Prepare");
    };
    assert_eq!(ballot, b(8, 1));
    // After a crash, the persisted round keeps it from reusing 8.1.
    let mut again = harness(1, single(), persisted(&fx).unwrap());
    let fx = again.command("propose blue");
    assert!(matches!(
        sends(&fx)[0].1,
        Msg::Prepare { ballot, .. } if ballot == b(9, 1)
    ));
}

#[test]
fn pms_2_5_bug_shared_ballots_numbers_every_proposers_ballot_as_proposer_0s() {
    let p = Params {
        variant: Variant::SharedBallots,
        ..single()
    };
    let mut h = harness(2, p, Durable::default());
    let fx = h.command("propose green");
    assert!(matches!(
        sends(&fx)[0].1,
        Msg::Prepare { ballot, .. } if ballot == b(1, 0)
    ));
}

#[test]
fn pms_2_3_learner_learns_a_value_once_a_majority_accepted_it_in_the_same_ballot() {
    let mut h = harness(4, single(), Durable::default());
    let accepted = |round, node| Msg::Accepted {
        ballot: b(round, node),
        slot: 0,
        value: word("red"),
    };
    h.deliver(0, accepted(1, 0));
    h.deliver(1, accepted(1, 0));
    // A third acceptor, but for another ballot: not the same proposal.
    h.deliver(2, accepted(2, 1));
    assert!(h.node.learned().is_empty());
    h.deliver(3, accepted(1, 0));
    assert_eq!(h.node.learned().get(&0), Some(&word("red")));
}

#[test]
fn pms_3_pmmc_new_leader_reproposes_reported_values_and_fills_gaps_with_noops() {
    let (mut h, _) = phase1(
        Params::default(),
        [
            &[(0, b(1, 1), op("set x=1"))],
            &[(2, b(1, 1), op("set y=2"))],
        ],
    );
    // The Accepts went out as the majority completed, in the last delivery; check the state.
    assert!(matches!(h.node.phase(), Phase::Leading { .. }));
    let fx = h.command("set z=3");
    assert_eq!(accepts(&fx), vec![(3, op("set z=3"))]);
    let fx = h.run(|n, cx| n.on_timer(Timer::Heartbeat, cx));
    // The heartbeat resends the unanswered Accepts: the reported values and a no-op at slot 1.
    assert_eq!(
        accepts(&fx),
        vec![
            (0, op("set x=1")),
            (1, Value::Noop),
            (2, op("set y=2")),
            (3, op("set z=3"))
        ]
    );
}

#[test]
fn pmmc_3_leader_is_preempted_by_a_higher_ballot_and_forwards_to_the_new_leader() {
    let (mut h, _) = phase1(Params::default(), [&[], &[]]);
    h.deliver(
        3,
        Msg::Nack {
            ballot: b(1, 0),
            promised: b(5, 2),
        },
    );
    assert_eq!(h.node.phase(), &Phase::Idle);
    assert_eq!(h.node.leader(), Some(2));
    let fx = h.command("set x=1");
    assert!(matches!(
        sends(&fx).as_slice(),
        [(Some(2), Msg::Forward { .. })]
    ));
}

#[test]
fn pms_3_lagging_learner_catches_up_from_the_leaders_heartbeat() {
    let mut h = harness(4, Params::default(), Durable::default());
    let fx = h.deliver(
        1,
        Msg::Heartbeat {
            ballot: b(2, 1),
            chosen: 2,
        },
    );
    assert_eq!(sends(&fx), vec![(Some(1), Msg::CatchUp { from: 0 })]);
    h.deliver(
        1,
        Msg::Decided {
            entries: vec![(0, op("set x=1")), (1, Value::Noop)],
        },
    );
    assert_eq!(h.node.first_unlearned(), 2);
    assert_eq!(h.node.store().preview(4), "x=1");
}

// ---- Whole clusters ----

fn cluster(seed: u64, params: Params, latency: &str) -> Simulator<Node> {
    let mut cfg = SimConfig::new("paxos", seed, N);
    cfg.link = LinkConfig {
        latency: latency.parse().unwrap(),
        ..LinkConfig::default()
    };
    let inv = invariants::all(&params, N);
    Simulator::new(cfg, inv, move |id| Node::new(params.clone(), id, N)).unwrap()
}

fn chosen(s: &Simulator<Node>, slot: u64) -> Vec<Option<Value>> {
    (0..N)
        .map(|i| s.process(i).and_then(|n| n.learned().get(&slot).cloned()))
        .collect()
}

fn leader(s: &Simulator<Node>) -> Option<usize> {
    (0..N).find(|&i| {
        s.process(i)
            .is_some_and(|n| matches!(n.phase(), Phase::Leading { .. }))
    })
}

fn client(s: &mut Simulator<Node>, node: usize, command: &str) {
    s.control(&Action::Client {
        node,
        command: command.into(),
    })
    .unwrap();
}

/// The duel of `testdata/scenarios/paxos-dueling.toml`: fixed 10 ms links, a fixed 25 ms retry.
fn duel(backoff: bool, leader: bool) -> Simulator<Node> {
    let p = Params {
        proposers: 2,
        retry: ms(25),
        backoff,
        leader,
        ..single()
    };
    let mut s = cluster(1, p, "10ms");
    s.schedule(
        0,
        Action::Client {
            node: 0,
            command: "propose red".into(),
        },
    )
    .unwrap();
    s.schedule(
        ms(10),
        Action::Client {
            node: 1,
            command: "propose blue".into(),
        },
    )
    .unwrap();
    s
}

#[test]
fn pms_2_4_two_proposers_with_fixed_retries_preempt_each_other_forever() {
    let mut s = duel(false, false);
    s.run_until(secs(2), u64::MAX);
    assert_eq!(chosen(&s, 0), vec![None; N]);
    let tries = s.process(0).unwrap().attempts().len() + s.process(1).unwrap().attempts().len();
    assert!(tries >= 40, "only {tries} attempts in 2 s");
    assert!(s.violations().is_empty());
}

#[test]
fn pms_2_4_randomized_backoff_or_a_distinguished_proposer_ends_the_duel() {
    for (backoff, leader) in [(true, false), (false, true)] {
        let mut s = duel(backoff, leader);
        s.run_until(ms(500), u64::MAX);
        let c = chosen(&s, 0);
        assert!(
            c.iter().all(|v| v.is_some() && *v == c[0]),
            "backoff {backoff}, leader {leader}: {c:?}"
        );
    }
}

#[test]
fn pmmc_3_a_stable_leader_orders_commands_and_every_replica_applies_them_in_slot_order() {
    let mut s = cluster(3, Params::default(), "5ms..10ms");
    s.run_until(secs(1), u64::MAX);
    let l = leader(&s).expect("a leader within 1 s");
    for (i, cmd) in ["set x=1", "set y=2", "set x=3"].iter().enumerate() {
        // From a follower too: it forwards to the leader.
        client(&mut s, (l + i) % N, cmd);
        s.run_until(secs(1) + ms(100 * (i as u64 + 1)), u64::MAX);
    }
    s.run_until(secs(2), u64::MAX);
    for i in 0..N {
        let n = s.process(i).unwrap();
        assert_eq!(n.first_unlearned(), 3, "n{i}");
        assert_eq!(n.store().preview(4), "x=3, y=2", "n{i}");
    }
    assert!(s.violations().is_empty());
}

#[test]
fn pmmc_3_when_the_leader_crashes_a_higher_ballot_takes_over_and_keeps_chosen_values() {
    let mut s = cluster(4, Params::default(), "5ms..10ms");
    s.run_until(secs(1), u64::MAX);
    let old = leader(&s).unwrap();
    client(&mut s, old, "set a=1");
    s.run_until(ms(1_200), u64::MAX);
    s.control(&Action::Crash { node: old }).unwrap();
    s.run_until(secs(3), u64::MAX);
    let new = leader(&s).expect("a new leader");
    assert_ne!(new, old);
    let (Phase::Leading { ballot: nb }, Some(first)) = (
        s.process(new).unwrap().phase().clone(),
        s.process(new).unwrap().attempts().last().copied(),
    ) else {
        panic!()
    };
    assert_eq!(nb, first.ballot);
    client(&mut s, new, "set b=2");
    s.control(&Action::Restart { node: old }).unwrap();
    s.run_until(secs(4), u64::MAX);
    // The restarted node caught up from heartbeats.
    for i in 0..N {
        assert_eq!(s.process(i).unwrap().store().preview(4), "a=1, b=2", "n{i}");
    }
    assert!(s.violations().is_empty());
}

#[test]
fn pms_2_2_a_minority_of_acceptors_down_does_not_stop_progress_but_no_majority_does() {
    let mut s = cluster(5, Params::default(), "5ms..10ms");
    s.run_until(secs(1), u64::MAX);
    let l = leader(&s).unwrap();
    let others: Vec<usize> = (0..N).filter(|&i| i != l).collect();
    s.control(&Action::Crash { node: others[0] }).unwrap();
    s.control(&Action::Crash { node: others[1] }).unwrap();
    client(&mut s, l, "set x=1");
    s.run_until(ms(1_500), u64::MAX);
    assert_eq!(s.process(l).unwrap().first_unlearned(), 1);
    // Cut the leader and one acceptor off from the rest: two of five is no majority.
    s.control(&Action::Partition {
        groups: vec![vec![l, others[2]], vec![others[3]]],
    })
    .unwrap();
    client(&mut s, l, "set x=2");
    s.run_until(secs(3), u64::MAX);
    assert!(
        (0..N).all(|i| s.process(i).is_none_or(|n| n.first_unlearned() <= 1)),
        "a slot was chosen without a majority"
    );
    s.control(&Action::Heal).unwrap();
    s.run_until(secs(4), u64::MAX);
    assert_eq!(s.process(l).map(|n| n.first_unlearned()), Some(2));
    assert!(s.violations().is_empty());
}

#[test]
fn pms_2_3_bug_forget_promise_breaks_promise_never_decreases_at_restart() {
    let p = Params {
        variant: Variant::ForgetPromise,
        ..Params::default()
    };
    let mut s = cluster(6, p, "5ms..10ms");
    s.run_until(secs(1), u64::MAX);
    s.control(&Action::Crash { node: 4 }).unwrap();
    s.control(&Action::Restart { node: 4 }).unwrap();
    let names: Vec<&str> = s.violations().iter().map(|v| v.invariant).collect();
    assert!(names.contains(&"PromiseNeverDecreases"), "{names:?}");
}

#[test]
fn pmmc_3_a_deposed_leaders_heartbeat_is_answered_with_the_higher_ballot_it_missed() {
    let mut h = harness(2, Params::default(), acceptor_with(b(2, 1), &[]));
    let fx = h.deliver(
        0,
        Msg::Heartbeat {
            ballot: b(1, 0),
            chosen: 0,
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            Some(0),
            Msg::Nack {
                ballot: b(1, 0),
                promised: b(2, 1)
            }
        )]
    );
    // ...and it does not count as a live leader.
    assert_eq!(h.node.leader(), None);
}

#[test]
fn pmmc_3_a_preempted_leader_hands_its_unchosen_commands_to_the_new_leader() {
    let (mut h, _) = phase1(Params::default(), [&[], &[]]);
    h.command("set x=1");
    let fx = h.deliver(
        3,
        Msg::Heartbeat {
            ballot: b(5, 2),
            chosen: 0,
        },
    );
    assert!(
        sends(&fx).iter().any(|(to, m)| *to == Some(2)
            && matches!(m, Msg::Forward { value, .. } if *value == op("set x=1"))),
        "{fx:?}"
    );
}
