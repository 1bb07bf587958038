//! How hard the worker runs: all of one core, or half of it while the page plays on a machine
//! with too few cores to give the worker one of its own.
//!
//! Measured on a 2-core machine (`web/e2e/hunt-bench.mjs`): any thread busy all the time, even a
//! bare JavaScript loop, makes the playing page's main thread cost 1.5 to 1.9 times as much per
//! frame, because the page's main thread, its compositor and the browser share the other core.
//! A worker that pauses as long as it works costs the page 1.1 to 1.2 times; one that works three
//! quarters of the time, 1.35 to 1.45. So the page asks for politeness while it plays on fewer
//! than four cores (its `hunt.rs` decides), and the worker takes the whole core when the page is
//! paused or the machine has room.

/// How long a slice of seeds runs before the worker returns to its event loop (milliseconds).
pub const SLICE_MS: f64 = 8.0;

/// A slice when not polite: long, so the 4 ms minimum of a nested `setTimeout` costs little.
pub const GREEDY_SLICE_MS: f64 = 250.0;

/// (how long to run, how long to pause after) in milliseconds.
pub fn slice_and_pause(polite: bool) -> (f64, f64) {
    if polite {
        (SLICE_MS, SLICE_MS)
    } else {
        (GREEDY_SLICE_MS, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polite_worker_pauses_as_long_as_it_works() {
        assert_eq!(slice_and_pause(true), (8.0, 8.0));
        assert_eq!(slice_and_pause(false).1, 0.0);
    }
}
