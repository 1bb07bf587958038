//! Property tests: for any seed and any fault schedule, the engine keeps its promises and the
//! correct protocol keeps its invariants.

use proptest::prelude::*;
use splitbrain_broadcast::{Node, Params, invariants};
use splitbrain_sim::{Action, Lab, LinkConfig, SimConfig, Simulator, TimedAction, secs};

/// Random faults and client broadcasts over the first five seconds: the schedule the Raft and
/// Paxos suites use, with this lab's command.
fn schedule(nodes: usize) -> impl Strategy<Value = Vec<TimedAction>> {
    splitbrain_sim::testing::schedule(nodes, (0..100u64).prop_map(|v| format!("broadcast {v}")))
}

fn run(seed: u64, nodes: usize, actions: &[TimedAction]) -> Simulator<Node> {
    let mut cfg = SimConfig::new("broadcast", seed, nodes);
    cfg.link = LinkConfig::default();
    let mut s = Simulator::new(cfg, invariants(), |_| Node::new(Params::default())).unwrap();
    for a in actions {
        s.schedule(a.at, a.action.clone()).unwrap();
    }
    // Calm period: heal, no loss, everyone up; then give anti-entropy time to converge.
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
        s.schedule(secs(9), a).unwrap();
    }
    s.run_until(secs(9), u64::MAX);
    for node in 0..nodes {
        let _ = s.control(&Action::Restart { node });
    }
    s.run_until(secs(40), u64::MAX);
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn same_seed_and_actions_replay_bit_for_bit(seed in any::<u64>(), actions in schedule(4)) {
        prop_assert_eq!(run(seed, 4, &actions).trace_hash(), run(seed, 4, &actions).trace_hash());
    }

    #[test]
    fn trace_time_never_goes_backwards(seed in any::<u64>(), actions in schedule(5)) {
        let s = run(seed, 5, &actions);
        let times: Vec<u64> = s.trace().events().map(|e| e.time).collect();
        prop_assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn durability_holds_and_anti_entropy_converges_after_heal(seed in any::<u64>(), actions in schedule(5)) {
        let s = run(seed, 5, &actions);
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
        prop_assert_eq!(&s.summary()["converged"], &serde_json::Value::Bool(true));
    }
}

fn fresh(seed: u64) -> Simulator<Node> {
    Simulator::new(SimConfig::new("broadcast", seed, 4), invariants(), |_| {
        Node::new(Params::default())
    })
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// What a shared link relies on: actions applied live (as the page does, between frames or
    /// after single steps) and the same actions scheduled up front give the identical run.
    #[test]
    fn live_actions_and_their_recording_replay_identically(seed in any::<u64>(), actions in schedule(4), steps in proptest::collection::vec(0..5usize, 40)) {
        let mut live = fresh(seed);
        let mut recorded = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            live.run_until(a.at, u64::MAX);
            for _ in 0..steps[i % steps.len()] {
                live.step();
            }
            let at = live.now();
            if live.control(&a.action).is_ok() {
                recorded.push(TimedAction { at, action: a.action.clone() });
            }
        }
        // Single steps may have carried the live run past 12 s; compare at the same instant.
        let end = secs(12).max(live.now());
        live.run_until(end, u64::MAX);
        let mut replay = fresh(seed);
        for a in &recorded {
            replay.schedule(a.at, a.action.clone()).unwrap();
        }
        replay.run_until(end, u64::MAX);
        prop_assert_eq!(live.trace_hash(), replay.trace_hash());
    }
}
