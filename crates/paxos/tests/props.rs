//! Property tests: for any seed and any fault schedule, both protocols keep every safety
//! invariant, and once the faults stop Multi-Paxos elects a leader and every replica learns and
//! applies a new command (liveness once the network is whole, PMMC §3).

use proptest::prelude::*;
use splitbrain_paxos::{Mode, Node, Params, Phase, invariants};
use splitbrain_sim::{Action, Lab, SimConfig, Simulator, TimedAction, secs, testing};

/// Any seed, 3 to 7 nodes, either mode, and a fault schedule over the first 5 s.
fn runs() -> impl Strategy<Value = (u64, usize, Mode, Vec<TimedAction>)> {
    (
        0u64..1_000_000,
        3usize..=7,
        prop_oneof![Just(Mode::Single), Just(Mode::Multi)],
    )
        .prop_flat_map(|(seed, n, mode)| {
            let schedule = testing::schedule(n, testing::kv_write());
            (Just(seed), Just(n), Just(mode), schedule)
        })
}

fn cluster(seed: u64, nodes: usize, mode: Mode, actions: &[TimedAction]) -> Simulator<Node> {
    let params = Params {
        mode,
        ..Params::default()
    };
    let cfg = SimConfig::new("paxos", seed, nodes);
    let inv = invariants::all(&params, nodes);
    let mut s = Simulator::new(cfg, inv, move |id| Node::new(params.clone(), id, nodes)).unwrap();
    for a in actions {
        s.schedule(a.at, a.action.clone()).unwrap();
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn safety_invariants_hold_under_any_faults((seed, nodes, mode, actions) in runs()) {
        let mut s = cluster(seed, nodes, mode, &actions);
        s.run_until(secs(6), u64::MAX);
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
    }

    #[test]
    fn after_faults_stop_multi_paxos_elects_a_leader_and_every_replica_applies_a_command(
        (seed, nodes, _, actions) in runs()
    ) {
        let mut s = cluster(seed, nodes, Mode::Multi, &actions);
        s.run_until(secs(5), u64::MAX);
        s.control(&Action::Heal).unwrap();
        s.control(&Action::Loss { p: 0.0, from: None, to: None }).unwrap();
        s.control(&Action::Duplicate { p: 0.0, from: None, to: None }).unwrap();
        for node in 0..nodes {
            let _ = s.control(&Action::Restart { node });
        }
        s.run_until(secs(8), u64::MAX);
        let leader = (0..nodes).find(|&i| {
            s.process(i).is_some_and(|n| matches!(n.phase(), Phase::Leading { .. }))
        });
        prop_assert!(leader.is_some(), "no leader 3 s after the faults stopped");
        s.control(&Action::Client { node: leader.unwrap(), command: "set done=yes".into() }).unwrap();
        s.run_until(secs(9), u64::MAX);
        for i in 0..nodes {
            let store = s.process(i).unwrap().store();
            prop_assert_eq!(store.map().get("done").map(|v| &**v), Some("yes"), "n{} did not apply it", i);
        }
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
    }
}
