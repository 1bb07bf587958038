//! Properties of the hashing lab over arbitrary algorithms, membership changes and faults: no
//! invariant ever breaks, and once faults stop every migration finishes with each replica
//! holding its keys.

use proptest::prelude::*;
use splitbrain_hashing::ALGORITHMS;
use splitbrain_sharding::{Node, Params, cluster, invariants};
use splitbrain_sim::{Action, Lab, LinkConfig, SimConfig, Simulator, ms, secs};

const N: usize = 8;

#[derive(Debug, Clone)]
enum Step {
    Command(String),
    Crash(usize),
    Restart(usize),
    Partition(Vec<usize>),
    Heal,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Command("add".into())),
        (1..N).prop_map(|n| Step::Command(format!("remove {n}"))),
        (1..N, 1u32..4).prop_map(|(n, w)| Step::Command(format!("weight {n}={w}"))),
        (0..N).prop_map(Step::Crash),
        (0..N).prop_map(Step::Restart),
        proptest::collection::vec(0..N, 1..4).prop_map(Step::Partition),
        Just(Step::Heal),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_changes_under_faults_keep_every_invariant_and_migrations_finish_after_heal(
        algo in 0..ALGORITHMS.len(),
        replicas in 1usize..4,
        seed in 0u64..1_000,
        steps in proptest::collection::vec((step(), 1u64..400), 1..12),
    ) {
        let params = Params {
            algorithm: ALGORITHMS[algo].into(),
            replicas,
            keys: 2_000,
            sample: 300,
            rate: 50.0,
            ..Params::default()
        };
        let mut cfg = SimConfig::new("hashing", seed, N);
        cfg.link = LinkConfig { latency: "2ms..20ms".parse().unwrap(), ..LinkConfig::default() };
        let mut s = Simulator::new(cfg, invariants::all(), cluster(params, N)).unwrap();
        let mut t = 0;
        for (st, gap) in steps {
            t += ms(gap);
            s.run_until(t, u64::MAX);
            let a = match st {
                Step::Command(command) => Action::Client { node: 0, command },
                Step::Crash(node) => Action::Crash { node },
                Step::Restart(node) => Action::Restart { node },
                Step::Partition(group) => Action::Partition { groups: vec![group] },
                Step::Heal => Action::Heal,
            };
            // Crashing a crashed node or restarting a live one is refused: fine.
            let _ = s.control(&a);
        }
        s.control(&Action::Heal).unwrap();
        for node in 0..N {
            let _ = s.control(&Action::Restart { node });
        }
        s.run_until(t + secs(20), u64::MAX);
        prop_assert!(s.violations().is_empty(), "{:?}", s.violations());
        let r = s.process(0).and_then(Node::router).unwrap();
        prop_assert!(!r.migrating(), "a migration is still running after heal");
        prop_assert_eq!(r.queued(), 0);
        for k in 0..r.params().drawn() {
            for holder in r.replica_sets().of_key(k) {
                let store = s.process(holder as usize).and_then(Node::storage).unwrap();
                prop_assert!(store.data().contains_key(&k), "n{} lacks k{}", holder, k);
            }
        }
    }
}
