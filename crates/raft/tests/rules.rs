//! Raft's rules, each test named after the rule it checks (section numbers from the extended
//! paper). Nodes are driven directly through their handlers and the effects they return; the
//! last tests run whole clusters in the simulator.

use splitbrain_raft::{
    Cmd, Durable, Entry, Msg, Node, Params, Role, Timer, Variant, Write, invariants,
};
use splitbrain_sim::testing::{Harness, sends};
use splitbrain_sim::{
    Action, Effect, Lab, LinkConfig, Process, SimConfig, Simulator, Storage, secs,
};

const N: usize = 5;

/// Node `id` of a five-node cluster, started from `durable`.
fn harness(id: usize, params: Params, durable: Durable) -> Harness<Node> {
    Harness::new(Node::new(params), id, N, &durable)
}

fn entry(term: u64, v: &str) -> Entry {
    Entry {
        term,
        cmd: Cmd::Set {
            key: "k".into(),
            value: v.into(),
        },
    }
}

fn vote_reply(fx: &[Effect<Node>]) -> bool {
    sends(fx)
        .iter()
        .any(|(_, m)| matches!(m, Msg::Vote { granted: true, .. }))
}

fn durable(term: u64, log: Vec<Entry>) -> Durable {
    Durable {
        current_term: term,
        voted_for: None,
        log,
    }
}

#[test]
fn s5_2_election_timeout_makes_a_candidate_that_votes_for_itself_and_asks_everyone() {
    let mut h = harness(0, Params::default(), durable(3, vec![entry(2, "a")]));
    let fx = h.run(|n, cx| n.on_timer(Timer::Election, cx));
    assert_eq!(h.node.role(), Role::Candidate);
    assert_eq!(h.node.term(), 4);
    let vote = Write::Vote {
        current_term: 4,
        voted_for: Some(0),
    };
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Persist(w) if *w == vote))
    );
    assert!(sends(&fx).contains(&(
        None,
        Msg::RequestVote {
            term: 4,
            last_log_index: 1,
            last_log_term: 2
        }
    )));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::SetTimer {
                timer: Timer::Election,
                ..
            }
        )),
        "re-armed for a split vote"
    );
}

#[test]
fn s5_2_a_server_grants_at_most_one_vote_per_term() {
    let mut h = harness(0, Params::default(), Durable::default());
    assert!(vote_reply(&h.deliver(
        1,
        Msg::RequestVote {
            term: 1,
            last_log_index: 0,
            last_log_term: 0
        }
    )));
    assert!(!vote_reply(&h.deliver(
        2,
        Msg::RequestVote {
            term: 1,
            last_log_index: 0,
            last_log_term: 0
        }
    )));
    assert!(
        vote_reply(&h.deliver(
            1,
            Msg::RequestVote {
                term: 1,
                last_log_index: 0,
                last_log_term: 0
            }
        )),
        "same candidate again is fine"
    );
}

#[test]
fn s5_4_1_votes_require_a_log_at_least_as_up_to_date() {
    let log = vec![entry(1, "a"), entry(3, "b")];
    let mut h = harness(0, Params::default(), durable(3, log.clone()));
    // Older last term loses even with a longer log; same last term needs at least our length.
    assert!(!vote_reply(&h.deliver(
        1,
        Msg::RequestVote {
            term: 4,
            last_log_index: 9,
            last_log_term: 2
        }
    )));
    assert!(!vote_reply(&h.deliver(
        2,
        Msg::RequestVote {
            term: 5,
            last_log_index: 1,
            last_log_term: 3
        }
    )));
    assert!(vote_reply(&h.deliver(
        3,
        Msg::RequestVote {
            term: 6,
            last_log_index: 2,
            last_log_term: 3
        }
    )));
    let mut buggy = harness(
        0,
        Params {
            variant: Variant::NoLogCheck,
            ..Params::default()
        },
        durable(3, log),
    );
    assert!(
        vote_reply(&buggy.deliver(
            1,
            Msg::RequestVote {
                term: 4,
                last_log_index: 0,
                last_log_term: 0
            }
        )),
        "the NoLogCheck bug"
    );
}

#[test]
fn s5_1_a_higher_term_turns_any_server_into_a_follower() {
    let mut h = harness(0, Params::default(), durable(1, vec![]));
    h.run(|n, cx| n.on_timer(Timer::Election, cx));
    assert_eq!(h.node.role(), Role::Candidate);
    h.deliver(
        2,
        Msg::Vote {
            term: 7,
            granted: false,
        },
    );
    assert_eq!((h.node.role(), h.node.term()), (Role::Follower, 7));
}

#[test]
fn s5_3_append_is_rejected_on_a_log_mismatch_with_a_conflict_hint() {
    let mut h = harness(
        1,
        Params::default(),
        durable(2, vec![entry(1, "a"), entry(1, "b"), entry(2, "c")]),
    );
    let fx = h.deliver(
        0,
        Msg::Append {
            term: 3,
            prev_log_index: 3,
            prev_log_term: 3,
            entries: vec![],
            leader_commit: 0,
        },
    );
    assert!(sends(&fx).contains(&(
        Some(0),
        Msg::AppendReply {
            term: 3,
            success: false,
            match_index: 0,
            conflict_index: 3,
            conflict_term: Some(2)
        }
    )));
    let fx = h.deliver(
        0,
        Msg::Append {
            term: 3,
            prev_log_index: 9,
            prev_log_term: 3,
            entries: vec![],
            leader_commit: 0,
        },
    );
    assert!(
        sends(&fx).iter().any(|(_, m)| matches!(
            m,
            Msg::AppendReply {
                success: false,
                conflict_index: 4,
                conflict_term: None,
                ..
            }
        )),
        "log too short: retry after our last entry"
    );
}

#[test]
fn s5_3_conflicting_entries_are_deleted_and_new_ones_appended_then_commit_follows_the_leader() {
    let mut h = harness(
        1,
        Params::default(),
        durable(2, vec![entry(1, "a"), entry(2, "x"), entry(2, "y")]),
    );
    let fx = h.deliver(
        0,
        Msg::Append {
            term: 3,
            prev_log_index: 1,
            prev_log_term: 1,
            entries: vec![entry(3, "b")],
            leader_commit: 5,
        },
    );
    assert_eq!(h.node.log(), &[entry(1, "a"), entry(3, "b")]);
    assert_eq!(
        h.node.commit_index(),
        2,
        "min(leaderCommit, index of last new entry)"
    );
    assert_eq!(h.node.kv().get("k").map(|v| &**v), Some("b"));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Persist(w) if *w == Write::Entries {
                from: 2,
                entries: vec![entry(3, "b")]
            })),
        "entries 2.. rewritten on stable storage before replying"
    );
    assert!(
        notes(&fx).contains(
            &"entries 2–3 (set k=x, set k=y) overwritten by n0, leader of term 3".to_string()
        ),
        "the learner is told what was lost: {:?}",
        notes(&fx)
    );
}

fn notes(fx: &[Effect<Node>]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Note(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn s5_1_a_leader_that_sees_a_higher_term_steps_down_and_says_why() {
    let mut h = leader_with(Params::default(), vec![], 2);
    assert_eq!(h.node.role(), Role::Leader);
    let fx = h.deliver(
        3,
        Msg::Vote {
            term: 5,
            granted: false,
        },
    );
    assert_eq!((h.node.role(), h.node.term()), (Role::Follower, 5));
    assert!(
        notes(&fx).contains(&"leader of term 2 steps down: saw term 5 from n3".to_string()),
        "{:?}",
        notes(&fx)
    );
}

#[test]
fn s8_a_deposed_leader_tells_its_client_it_cannot_answer_a_request_it_had_not_committed() {
    let mut h = leader_with(Params::default(), vec![], 2);
    h.run(|n, cx| {
        n.on_command(
            Cmd::Set {
                key: "x".into(),
                value: "1".into(),
            },
            cx,
        )
    });
    h.deliver(
        3,
        Msg::Vote {
            term: 5,
            granted: false,
        },
    );
    let view = h.node.view();
    let reply = &view
        .fields
        .iter()
        .find(|(k, _)| k == "last reply")
        .unwrap()
        .1;
    assert_eq!(
        reply,
        "no answer for set x=1: no longer leader (saw term 5); committed only if the new leader has it"
    );
}

fn leader_with(params: Params, log: Vec<Entry>, term: u64) -> Harness<Node> {
    let mut h = harness(0, params, durable(term - 1, log));
    h.run(|n, cx| n.on_timer(Timer::Election, cx));
    for v in 1..3 {
        h.deliver(
            v,
            Msg::Vote {
                term,
                granted: true,
            },
        );
    }
    assert_eq!(h.node.role(), Role::Leader);
    h
}

#[test]
fn s5_4_2_only_current_term_entries_are_committed_by_counting_replicas() {
    let mut h = leader_with(Params::default(), vec![entry(1, "old")], 3);
    // A majority (leader + 2) stores the term-1 entry: still not committed.
    for f in 1..3 {
        h.deliver(
            f,
            Msg::AppendReply {
                term: 3,
                success: true,
                match_index: 1,
                conflict_index: 0,
                conflict_term: None,
            },
        );
    }
    assert_eq!(h.node.commit_index(), 0);
    // A current-term entry on a majority commits it and, with it, everything before.
    h.run(|n, cx| {
        n.on_command(
            Cmd::Set {
                key: "k".into(),
                value: "new".into(),
            },
            cx,
        )
    });
    for f in 1..3 {
        h.deliver(
            f,
            Msg::AppendReply {
                term: 3,
                success: true,
                match_index: 2,
                conflict_index: 0,
                conflict_term: None,
            },
        );
    }
    assert_eq!(h.node.commit_index(), 2);
    let mut buggy = leader_with(
        Params {
            variant: Variant::CommitPreviousTerm,
            ..Params::default()
        },
        vec![entry(1, "old")],
        3,
    );
    for f in 1..3 {
        buggy.deliver(
            f,
            Msg::AppendReply {
                term: 3,
                success: true,
                match_index: 1,
                conflict_index: 0,
                conflict_term: None,
            },
        );
    }
    assert_eq!(buggy.node.commit_index(), 1, "the Fig. 8 bug");
}

/// The `prevLogIndex` of the retry a leader with log terms [1, 4, 4, 5] sends after a follower
/// rejects with the given conflict hint.
fn retry_after_nack(fast_backup: bool, conflict_index: u64, conflict_term: Option<u64>) -> u64 {
    let log = vec![entry(1, "a"), entry(4, "b"), entry(4, "c"), entry(5, "d")];
    let mut h = leader_with(
        Params {
            fast_backup,
            ..Params::default()
        },
        log,
        6,
    );
    let nack = Msg::AppendReply {
        term: 6,
        success: false,
        match_index: 0,
        conflict_index,
        conflict_term,
    };
    sends(&h.deliver(1, nack))
        .into_iter()
        .find_map(|(to, m)| match m {
            Msg::Append { prev_log_index, .. } if to == Some(1) => Some(prev_log_index),
            _ => None,
        })
        .expect("the leader retries at once")
}

#[test]
fn s5_3_fast_backup_skips_a_whole_conflicting_term() {
    // The follower's entry at index 2 is from term 3, which the leader never had: retry from
    // the first index of that term.
    assert_eq!(retry_after_nack(true, 2, Some(3)), 1);
    // The follower has term 4 up to some point: retry after the leader's last term-4 entry.
    assert_eq!(retry_after_nack(true, 2, Some(4)), 3);
    // The follower's log is too short: retry right after its end.
    assert_eq!(retry_after_nack(true, 2, None), 1);
    // Without the setting, nextIndex backs up one entry per rejection (§5.3).
    assert_eq!(retry_after_nack(false, 2, Some(3)), 3);
}

#[test]
fn s5_3_a_reply_that_brings_news_sends_the_rest_and_a_stale_one_sends_nothing() {
    let log: Vec<Entry> = (0..40).map(|i| entry(1, &i.to_string())).collect();
    let mut h = leader_with(Params::default(), log, 2);
    let ack = |match_index| Msg::AppendReply {
        term: 2,
        success: true,
        match_index,
        conflict_index: 0,
        conflict_term: None,
    };
    // n1's log is empty: the leader backs up to index 1 and sends a first batch of 16.
    h.deliver(
        1,
        Msg::AppendReply {
            term: 2,
            success: false,
            match_index: 0,
            conflict_index: 1,
            conflict_term: None,
        },
    );
    // n1 now holds 16 entries: the next batch goes out at once.
    let more = sends(&h.deliver(1, ack(16)));
    assert!(
        more.iter().any(|(to, m)| *to == Some(1)
            && matches!(
                m,
                Msg::Append {
                    prev_log_index: 16,
                    ..
                }
            )),
        "{more:?}"
    );
    // A late reply to an earlier Append tells nothing new: no second copy of that batch
    // (on slow links those copies would multiply with every heartbeat).
    assert!(sends(&h.deliver(1, ack(8))).is_empty());
    assert!(sends(&h.deliver(1, ack(16))).is_empty());
}

fn cluster(seed: u64, variant: Variant) -> Simulator<Node> {
    let params = Params {
        variant,
        ..Params::default()
    };
    let mut cfg = SimConfig::new("raft", seed, N);
    cfg.link = LinkConfig {
        latency: "5ms..10ms".parse().unwrap(),
        ..LinkConfig::default()
    };
    Simulator::new(cfg, invariants::all(), move |_| Node::new(params.clone())).unwrap()
}

fn leaders(s: &Simulator<Node>) -> Vec<usize> {
    (0..N)
        .filter(|&i| s.process(i).is_some_and(|n| n.role() == Role::Leader))
        .collect()
}

#[test]
fn s5_2_a_cluster_elects_one_leader_within_a_second_and_replicates_a_command_to_every_node() {
    let mut s = cluster(7, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let l = leaders(&s);
    assert_eq!(l.len(), 1, "{l:?}");
    s.control(&Action::Client {
        node: (l[0] + 1) % N,
        command: "set x=1".into(),
    })
    .unwrap();
    s.run_until(secs(2), u64::MAX);
    for i in 0..N {
        let n = s.process(i).unwrap();
        assert_eq!(
            n.kv().get("x").map(|v| &**v),
            Some("1"),
            "n{i} applied it (follower redirected the request)"
        );
    }
    assert!(s.violations().is_empty());
}

#[test]
fn s5_2_followers_show_their_election_countdown_and_the_leader_has_none() {
    let mut s = cluster(7, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let l = leaders(&s)[0];
    let view = s.view();
    let p = Params::default();
    for node in &view.nodes {
        match node.countdown {
            Some((armed, fires)) => {
                assert_ne!(node.id, l, "a leader waits for no election");
                assert!(armed <= view.now && view.now <= fires, "running now");
                let span = fires - armed;
                assert!(
                    (p.election_min..=p.election_max).contains(&span),
                    "n{} armed for {span} µs",
                    node.id
                );
            }
            None => assert_eq!(node.id, l, "n{} has no countdown", node.id),
        }
    }
}

#[test]
fn s5_1_a_leader_cut_off_in_a_minority_is_drawn_stale_once_a_newer_term_exists() {
    let mut s = cluster(7, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let old = leaders(&s)[0];
    s.control(&Action::Partition {
        groups: vec![vec![old]],
    })
    .unwrap();
    s.run_until(secs(3), u64::MAX);
    let view = s.view();
    assert_eq!(
        s.process(old).unwrap().role(),
        Role::Leader,
        "it has not heard"
    );
    assert_eq!(view.nodes[old].view.role, "stale leader");
    let new: Vec<_> = view
        .nodes
        .iter()
        .filter(|n| n.view.role == "leader")
        .map(|n| n.id)
        .collect();
    assert_eq!(new.len(), 1);
    assert_ne!(new[0], old);
}

#[test]
fn s5_2_a_follower_timed_out_by_hand_stands_for_the_next_term_and_a_leader_cannot_be() {
    let mut s = cluster(7, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let l = leaders(&s)[0];
    let term = s.process(l).unwrap().term();
    let err = s.control(&Action::Timeout { node: l }).unwrap_err();
    assert!(err.to_string().contains("no timeout running"), "{err}");
    let f = (l + 1) % N;
    s.control(&Action::Timeout { node: f }).unwrap();
    let n = s.process(f).unwrap();
    assert_eq!((n.role(), n.term()), (Role::Candidate, term + 1));
    assert!(
        s.view().nodes[f].countdown.is_some(),
        "re-armed for a split vote"
    );
    // Its log is as up to date as anyone's, so it wins the new term (§5.4.1).
    s.run_until(secs(2), u64::MAX);
    assert_eq!(leaders(&s), vec![f]);
    assert_eq!(s.process(f).unwrap().term(), term + 1);
    assert!(s.violations().is_empty());
}

#[test]
fn fig2_term_vote_and_log_survive_a_crash_and_everything_else_is_lost() {
    let mut s = cluster(3, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let l = leaders(&s)[0];
    s.control(&Action::Client {
        node: l,
        command: "set y=2".into(),
    })
    .unwrap();
    s.run_until(secs(2), u64::MAX);
    let f = (l + 1) % N;
    let (term, log) = (
        s.process(f).unwrap().term(),
        s.process(f).unwrap().log().to_vec(),
    );
    s.control(&Action::Crash { node: f }).unwrap();
    s.control(&Action::Restart { node: f }).unwrap();
    let n = s.process(f).unwrap();
    assert_eq!((n.term(), n.log()), (term, &log[..]));
    assert_eq!(
        (n.commit_index(), n.last_applied(), n.kv().len()),
        (0, 0, 0),
        "volatile state is gone"
    );
    s.run_until(secs(3), u64::MAX);
    assert_eq!(
        s.process(f).unwrap().kv().get("y").map(|v| &**v),
        Some("2"),
        "re-applied after the next heartbeat"
    );
}

#[test]
fn fig2_stable_storage_appends_truncates_at_a_conflict_and_keeps_term_and_vote_apart() {
    let mut d = durable(2, vec![entry(1, "a"), entry(2, "x"), entry(2, "y")]);
    d.write(Write::Entries {
        from: 4,
        entries: vec![entry(2, "z")],
    });
    assert_eq!(d.log.len(), 4, "an append keeps what is stored");
    d.write(Write::Entries {
        from: 2,
        entries: vec![entry(3, "b")],
    });
    assert_eq!(
        d.log,
        [entry(1, "a"), entry(3, "b")],
        "§5.3: the entry at the conflict and all that follow it are deleted"
    );
    d.write(Write::Vote {
        current_term: 5,
        voted_for: Some(2),
    });
    assert_eq!((d.current_term, d.voted_for, d.log.len()), (5, Some(2), 2));
}

#[test]
fn s5_2_a_minority_partition_cannot_commit_and_the_majority_elects_a_new_leader() {
    let mut s = cluster(11, Variant::Correct);
    s.run_until(secs(1), u64::MAX);
    let old = leaders(&s)[0];
    let buddy = (old + 1) % N;
    s.control(&Action::Partition {
        groups: vec![vec![old, buddy]],
    })
    .unwrap();
    s.control(&Action::Client {
        node: old,
        command: "set z=9".into(),
    })
    .unwrap();
    s.run_until(secs(3), u64::MAX);
    assert_eq!(
        s.process(old).unwrap().commit_index(),
        0,
        "no majority, no commit"
    );
    let majority_leaders: Vec<usize> = leaders(&s).into_iter().filter(|&i| i != old).collect();
    assert_eq!(majority_leaders.len(), 1);
    s.control(&Action::Heal).unwrap();
    s.run_until(secs(5), u64::MAX);
    assert_eq!(leaders(&s), majority_leaders, "the old leader stepped down");
    // Its stale entry stays until the new leader's own entry at that index replaces it (§5.3).
    s.control(&Action::Client {
        node: majority_leaders[0],
        command: "set z=10".into(),
    })
    .unwrap();
    s.run_until(secs(6), u64::MAX);
    let z10 = Cmd::Set {
        key: "z".into(),
        value: "10".into(),
    };
    assert_eq!(
        s.process(old)
            .unwrap()
            .log()
            .iter()
            .map(|e| &e.cmd)
            .collect::<Vec<_>>(),
        vec![&z10],
        "overwritten"
    );
    assert_eq!(
        s.process(old).unwrap().kv().get("z").map(|v| &**v),
        Some("10")
    );
    assert!(s.violations().is_empty(), "{:?}", s.violations());
}
