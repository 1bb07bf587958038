//! Histories for measuring the checker (`splitbrain bench --checker`) and for tests: clients
//! with one operation in flight each, overlapping one another, against a store that applies
//! every operation at the middle of its interval. Linearizable by construction, and as
//! concurrent as the clients make them, so the search must find the order rather than fail
//! fast.

use crate::history::Op;
use crate::model::{Input, Output};

/// A history of `ops` operations by `clients` clients over `keys` keys (a third of them writes,
/// the rest reads), drawn from `seed`.
pub fn concurrent_history(clients: usize, ops: usize, keys: usize, seed: u64) -> Vec<Op> {
    let (clients, keys) = (clients.max(1), keys.max(1));
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut draw = move |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m.max(1)
    };
    let mut free = vec![0u64; clients];
    // (the instant it takes effect, the client, the key, call, return)
    let mut planned: Vec<(u64, u32, usize, u64, u64)> = (0..ops)
        .map(|i| {
            let c = i % clients;
            let call = free[c] + draw(20);
            let ret = call + 10 + draw(60);
            free[c] = ret;
            (
                (call + ret) / 2,
                c as u32,
                draw(keys as u64) as usize,
                call,
                ret,
            )
        })
        .collect();
    planned.sort_by_key(|p| p.0);
    let mut value: Vec<Option<String>> = vec![None; keys];
    planned
        .into_iter()
        .enumerate()
        .map(|(i, (_, client, k, call, ret))| {
            let key = format!("k{k}");
            if i % 3 == 0 {
                value[k] = Some(format!("v{i}"));
                let input = Input::Set {
                    key,
                    value: format!("v{i}"),
                };
                Op::ok(client, input, call, ret, Output::Ok)
            } else {
                let out = Output::Value(value[k].clone());
                Op::ok(client, Input::Get { key }, call, ret, out)
            }
        })
        .collect()
}
