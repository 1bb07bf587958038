//! Placements are the same on every target: pinned hashes of whole assignments. The same file
//! runs natively and as wasm32 under Node in `cargo xtask test`.

use splitbrain_hashing::{ALGORITHMS, Server, Settings, build, hash};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// XXH64 over every owner and every 3-replica set of 5,000 keys, per algorithm, 12 servers of
/// weights 1..3, 40 vnodes, a 1,021-slot Maglev table. Change only on purpose: links and
/// exercises that name a placement would change with it.
const GOLDEN: [(&str, u64); 6] = [
    ("modulo", 0x55d7_e3bf_452d_b473),
    ("ring", 0xbdd2_0738_7eac_2bd8),
    ("rendezvous", 0xf28d_fa1b_16f8_4923),
    ("jump", 0x401f_2ccf_2632_1824),
    ("maglev", 0xbc2a_44fb_1a0b_cf7d),
    ("bounded", 0xd361_c778_e0ab_fab2),
];

fn fingerprint(algo: &str) -> u64 {
    let servers: Vec<Server> = (0..12)
        .map(|id| Server {
            id,
            weight: 1 + id % 3,
        })
        .collect();
    let settings = Settings {
        vnodes: 40,
        table: 1_021,
        load_factor: 1.25,
    };
    let p = build(algo, settings, &servers).unwrap();
    let keys: Vec<u64> = (0..5_000).collect();
    let mut bytes = Vec::new();
    for s in p.assign(&keys) {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    for &k in &keys {
        for s in p.replicas(k, 3) {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
    }
    hash::xxh64(&bytes)
}

#[test]
fn every_algorithm_places_keys_exactly_as_pinned() {
    assert_eq!(GOLDEN.len(), ALGORITHMS.len());
    let got: Vec<(&str, u64)> = ALGORITHMS.iter().map(|a| (*a, fingerprint(a))).collect();
    if std::env::var_os("PRINT_GOLDEN").is_some() {
        println!("{got:#x?}");
    }
    assert_eq!(got, GOLDEN.to_vec());
}
