//! The hunt loop, in slices: the worker runs one slice, then returns to its event loop, so a
//! `pace` message from the page is read between slices and the worker can pause to leave the
//! processor to the page (see [`crate::pace`]). Natively, [`hunt`] runs the slices back to back.

use crate::protocol::{Request, failure_json};
use serde_json::json;
use splitbrain_hunt::{DEFAULT_BUDGET, page_link, play, schedule_in_words, seeded_with};
use splitbrain_sim::limits;

/// Gap between progress messages: four a second keep the bar moving; each redraws the panel on
/// the page's thread, which a faster rate made cost more than the hunt's share of a frame.
pub const PROGRESS_EVERY_MS: f64 = 250.0;

/// A hunt under way: the next seed to try and what the hunt has counted so far.
#[derive(Debug)]
pub struct Hunt {
    req: Request,
    next: u64,
    last: u64,
    started: f64,
    last_report: f64,
    seeds: u64,
    events: u64,
    finished: bool,
}

impl Hunt {
    /// A hunt of `req` starting at time `now` (milliseconds).
    pub fn new(req: Request, now: f64) -> Self {
        let last = req.first.saturating_add(req.count - 1);
        Self {
            next: req.first,
            last,
            req,
            started: now,
            last_report: now,
            seeds: 0,
            events: 0,
            finished: false,
        }
    }

    /// `true` once it has posted its last reply (`shrunk`, `done` or `error`).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Tries seeds until `now()` passes `until` (at least one seed per call), posting progress
    /// and, at the end, the result. `now` is a millisecond clock (the worker's `Date.now()`; a
    /// test's counter), used only for progress and the durations reported, never by the runs,
    /// which stay deterministic. Returns [`Hunt::finished`].
    pub fn slice(
        &mut self,
        until: f64,
        now: &mut impl FnMut() -> f64,
        post: &mut impl FnMut(String),
    ) -> bool {
        while !self.finished {
            if self.next > self.last {
                self.finished = true;
                post(
                    json!({
                        "type": "done", "seeds": self.seeds, "events": self.events,
                        "ms": (now() - self.started).round(),
                    })
                    .to_string(),
                );
                break;
            }
            let seed = self.next;
            self.next += 1;
            self.try_seed(seed, now, post);
            let t = now();
            if !self.finished && t - self.last_report >= PROGRESS_EVERY_MS {
                self.last_report = t;
                post(json!({
                    "type": "progress", "seed": seed, "seeds": self.seeds, "events": self.events,
                    "count": self.req.count, "ms": (t - self.started).round(),
                })
                .to_string());
            }
            if t >= until {
                break;
            }
        }
        self.finished
    }

    fn try_seed(
        &mut self,
        seed: u64,
        now: &mut impl FnMut() -> f64,
        post: &mut impl FnMut(String),
    ) {
        let fail = |e: String| json!({"type": "error", "message": e}).to_string();
        let run = match seeded_with(&self.req.base, seed, &self.req.mix) {
            Ok(run) => run,
            Err(e) => {
                self.finished = true;
                return post(fail(e.0));
            }
        };
        let played = match play(&run, limits::MAX_EVENTS) {
            Ok(p) => p,
            Err(e) => {
                self.finished = true;
                return post(fail(e.0));
            }
        };
        self.seeds += 1;
        self.events += played.events;
        let Some(failure) = played.failure else {
            return;
        };
        self.finished = true;
        let found_ms = now() - self.started;
        post(
            json!({
                "type": "found", "seed": seed, "seeds": self.seeds, "events": self.events,
                "ms": found_ms.round(), "actions": run.actions.len(),
                "violation": failure_json(&failure),
            })
            .to_string(),
        );
        // Shrinking takes well under a second on every shipped variant: one piece.
        let shrink_started = now();
        let reply = match splitbrain_hunt::shrink(&run, limits::MAX_EVENTS, DEFAULT_BUDGET) {
            Ok(s) => json!({
                "type": "shrunk", "seed": seed, "seeds": self.seeds,
                "found_ms": found_ms.round(), "ms": (now() - shrink_started).round(),
                "from_actions": s.from_actions, "to_actions": s.run.actions.len(),
                "runs": s.runs, "minimal": s.minimal,
                "actions": schedule_in_words(&s.run),
                "violation": failure_json(&s.failure),
                "link": page_link("", &s.run),
                "run": s.run,
            }),
            Err(e) => json!({"type": "error", "message": e.to_string()}),
        };
        post(reply.to_string());
    }
}

/// Runs a whole hunt in one call: what the worker does in slices, for native callers and tests.
pub fn hunt(req: &Request, mut now: impl FnMut() -> f64, mut post: impl FnMut(String)) {
    let start = now();
    let mut h = Hunt::new(req.clone(), start);
    while !h.slice(f64::INFINITY, &mut now, &mut post) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_hunt_in_slices_answers_as_one_in_a_single_call() {
        let text = json!({
            "type": "hunt",
            "base": {"lab": "raft", "nodes": 5, "until": "30s", "params": {"variant": "no-log-check"}},
            "first": 1, "count": 20,
        })
        .to_string();
        let req = Request::parse(&text).unwrap();
        let last = |replies: Vec<String>| -> Value {
            serde_json::from_str(replies.last().unwrap()).unwrap()
        };
        let mut whole = Vec::new();
        hunt(&req, || 0.0, |m| whole.push(m));
        // One seed per slice: the clock is always past the slice's end.
        let mut sliced = Vec::new();
        let mut clock = 0.0;
        let mut h = Hunt::new(req, 0.0);
        let mut slices = 0;
        while !h.slice(
            0.0,
            &mut || {
                clock += 1.0;
                clock
            },
            &mut |m| sliced.push(m),
        ) {
            slices += 1;
        }
        assert!(
            slices >= 3,
            "seed 4 is the first to fail: three slices before it"
        );
        let (a, b) = (last(whole), last(sliced));
        assert_eq!(a["type"], "shrunk");
        assert_eq!((&a["seed"], &a["run"]), (&b["seed"], &b["run"]));
    }
}
