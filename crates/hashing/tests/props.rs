//! Property tests of the placements, named after the promise each algorithm makes.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use splitbrain_hashing::{Placement, Server, Settings, build, metrics};

fn servers(n: u32) -> Vec<Server> {
    (0..n).map(Server::new).collect()
}

fn placement(algo: &str, n: u32, vnodes: u32) -> Box<dyn Placement> {
    let settings = Settings {
        vnodes,
        table: 4_099,
        ..Settings::default()
    };
    build(algo, settings, &servers(n)).unwrap()
}

fn keys(seed: u64, count: usize) -> Vec<u64> {
    (0..count as u64)
        .map(|i| seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn adding_a_server_moves_keys_only_to_it_under_ring_rendezvous_and_jump(
        n in 1u32..30, vnodes in 1u32..50, seed in any::<u64>(),
    ) {
        let ks = keys(seed, 2_000);
        for algo in ["ring", "rendezvous", "jump"] {
            let mut p = placement(algo, n, vnodes);
            let before = p.assign(&ks);
            p.add(Server::new(1_000)).unwrap();
            let after = p.assign(&ks);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a == b || *a == 1_000, "{algo}: a key moved from {b} to {a}");
            }
        }
    }

    #[test]
    fn removing_a_server_moves_only_its_keys(
        n in 2u32..30, vnodes in 1u32..50, seed in any::<u64>(), pick in any::<u32>(),
    ) {
        let ks = keys(seed, 2_000);
        let gone = pick % n;
        for algo in ["ring", "rendezvous"] {
            let mut p = placement(algo, n, vnodes);
            let before = p.assign(&ks);
            p.remove(gone).unwrap();
            let after = p.assign(&ks);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a == b || *b == gone, "{algo}: {b} lost a key to {a}");
                prop_assert!(*a != gone);
            }
        }
        // Jump can only let go of its last bucket cleanly.
        let mut p = placement("jump", n, 1);
        let before = p.assign(&ks);
        p.remove(n - 1).unwrap();
        for (b, a) in before.iter().zip(&p.assign(&ks)) {
            prop_assert!(a == b || *b == n - 1);
        }
    }

    #[test]
    fn replica_sets_hold_r_distinct_servers_owner_first(
        n in 1u32..20, r in 1usize..6, key in any::<u64>(),
    ) {
        for algo in splitbrain_hashing::ALGORITHMS {
            let p = placement(algo, n, 10);
            let set = p.replicas(key, r);
            prop_assert_eq!(set.len(), r.min(n as usize), "{}", algo);
            let distinct: std::collections::BTreeSet<_> = set.iter().collect();
            prop_assert_eq!(distinct.len(), set.len(), "{}", algo);
            prop_assert_eq!(Some(set[0]), p.owner(key), "{}", algo);
        }
    }

    #[test]
    fn bounded_loads_never_exceed_the_capacity_and_place_every_key(
        n in 1u32..20, seed in any::<u64>(), c in 1.0f64..2.0,
    ) {
        let ks = keys(seed, 3_000);
        let p = build("bounded", Settings { vnodes: 20, load_factor: c, ..Settings::default() }, &servers(n)).unwrap();
        let b = metrics::balance(&p.assign(&ks), p.servers());
        let cap = (c * ks.len() as f64 / f64::from(n)).ceil() as u64;
        prop_assert_eq!(b.per_server.values().sum::<u64>(), ks.len() as u64);
        prop_assert!(b.per_server.values().all(|&k| k <= cap), "{:?} > {}", b.per_server, cap);
    }
}

#[test]
fn modulo_moves_almost_everything_and_the_ring_about_the_ideal_share() {
    let ks = keys(7, 50_000);
    let share = |algo: &str| {
        let mut p = placement(algo, 10, 200);
        let before = p.assign(&ks);
        p.add(Server::new(10)).unwrap();
        metrics::movement(&before, &p.assign(&ks), 1.0 / 11.0).share
    };
    assert!(share("modulo") > 0.85, "modulo {}", share("modulo"));
    for algo in ["ring", "rendezvous", "jump", "maglev"] {
        let s = share(algo);
        assert!((0.06..0.13).contains(&s), "{algo} moved {s}, ideal 0.091");
    }
}

#[test]
fn more_virtual_nodes_balance_the_ring_better() {
    let ks = keys(3, 100_000);
    let spread = |vnodes| {
        let p = placement("ring", 20, vnodes);
        metrics::balance(&p.assign(&ks), p.servers()).max_over_mean
    };
    let (one, hundred) = (spread(1), spread(100));
    assert!(one > 1.8, "1 vnode: max/mean {one}");
    assert!(hundred < 1.35, "100 vnodes: max/mean {hundred}");
}

#[test]
fn weights_give_proportional_shares_on_the_ring_and_under_rendezvous() {
    let ks = keys(5, 60_000);
    for algo in ["ring", "rendezvous"] {
        let mut p = placement(algo, 3, 200);
        p.reweight(2, 2).unwrap();
        let b = metrics::balance(&p.assign(&ks), p.servers());
        let heavy = b.per_server[&2] as f64 / ks.len() as f64;
        assert!(
            (0.45..0.55).contains(&heavy),
            "{algo}: weight 2 of 4 got {heavy}"
        );
    }
}
