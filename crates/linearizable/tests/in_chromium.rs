//! The checker compiled to wasm in headless Chromium (`cargo xtask bench`): the same concurrent
//! histories as `splitbrain bench --checker`, timed with the page's clock. Natively this file is
//! empty.
#![cfg(target_arch = "wasm32")]

use splitbrain_linearizable::{Verdict, bench::concurrent_history, check};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[wasm_bindgen_test]
fn a_thousand_operations_checked_in_chromium() {
    for (clients, ops) in [(1, 1_000), (5, 1_000), (10, 1_000), (5, 10_000)] {
        let h = concurrent_history(clients, ops, 10, 7);
        let mut ms: Vec<f64> = (0..5)
            .map(|_| {
                let t = now();
                let v = check(&h, 50_000_000);
                let took = now() - t;
                assert_eq!(v, Verdict::Linearizable);
                took
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        console_log!(
            "checker in Chromium: {ops} operations, {clients} clients, 10 keys: median {:.2} ms of 5 ({ms:?})",
            ms[2]
        );
    }
}
