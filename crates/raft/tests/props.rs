//! Property tests: for any seed and any fault schedule, the correct Raft keeps every Fig. 3
//! invariant, the log digests the invariants rely on match the logs, what each server wrote to
//! stable storage (appends and truncations, not whole copies) is its log, and once the faults stop
//! the cluster elects a leader and commits on every node (liveness under the paper's timings).

use proptest::prelude::*;
use splitbrain_raft::{Node, Params, Role, digests, invariants};
use splitbrain_sim::{Action, Lab, LinkConfig, SimConfig, Simulator, TimedAction, secs, testing};

fn schedule(nodes: usize) -> impl Strategy<Value = Vec<TimedAction>> {
    testing::schedule(nodes, testing::kv_write())
}

/// A cluster with the paper's timings and this fault schedule ahead of it.
fn cluster(seed: u64, nodes: usize, actions: &[TimedAction]) -> Simulator<Node> {
    let mut cfg = SimConfig::new("raft", seed, nodes);
    cfg.link = LinkConfig::default();
    let mut s = Simulator::new(cfg, invariants::all(), |_| Node::new(Params::default())).unwrap();
    for a in actions {
        s.schedule(a.at, a.action.clone()).unwrap();
    }
    s
}

/// Any seed, 3 to 7 nodes, and a fault schedule for that many.
fn runs() -> impl Strategy<Value = (u64, usize, Vec<TimedAction>)> {
    (0u64..1_000_000, 3usize..=7).prop_flat_map(|(seed, n)| (Just(seed), Just(n), schedule(n)))
}

fn calm(s: &mut Simulator<Node>, at: u64) {
    for a in [
        Action::Heal,
        Action::Loss {
            p: 0.0,
            from: None,
            to: None,
        },
        Action::Duplicate {
            p: 0.0,
            from: None,
            to: None,
        },
    ] {
        s.schedule(at, a).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn fig3_invariants_hold_and_digests_match_logs_under_any_faults((seed, nodes, actions) in runs()) {
        let mut s = cluster(seed, nodes, &actions);
        s.run_until(secs(6), u64::MAX);
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
        for (i, n) in (0..nodes).filter_map(|i| s.process(i).map(|n| (i, n))) {
            let stored = s.world().durable(i).expect("every node has storage");
            prop_assert_eq!(&stored.log[..], n.log(), "n{}'s stored log", i);
            prop_assert_eq!(stored.current_term, n.term(), "n{}'s stored term", i);
            let chain = digests(n.log());
            for (i, d) in chain.iter().enumerate() {
                prop_assert_eq!(n.digest(i as u64 + 1), Some(*d));
            }
        }
    }

    #[test]
    fn after_faults_stop_a_leader_is_elected_and_a_request_commits_everywhere((seed, nodes, actions) in runs()) {
        let mut s = cluster(seed, nodes, &actions);
        calm(&mut s, secs(5));
        s.run_until(secs(5), u64::MAX);
        for node in 0..nodes {
            let _ = s.control(&Action::Restart { node });
        }
        // A few election timeouts (150–300 ms) are plenty once the network is whole.
        s.run_until(secs(8), u64::MAX);
        let leader = (0..nodes)
            .filter_map(|i| s.process(i).map(|n| (n.term(), n.role() == Role::Leader, i)))
            .filter(|(_, leads, _)| *leads)
            .max();
        prop_assert!(leader.is_some(), "no leader 3 s after the faults stopped");
        let (_, _, leader) = leader.unwrap();
        s.control(&Action::Client { node: leader, command: "set done=yes".into() }).unwrap();
        s.run_until(secs(9), u64::MAX);
        for i in 0..nodes {
            let kv = s.process(i).unwrap().kv();
            prop_assert_eq!(kv.get("done").map(|v| &**v), Some("yes"), "n{} did not apply it", i);
        }
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
    }
}
