//! What the page and the worker say to each other, and the hunt loop, in plain Rust: the
//! worker's `main` only moves these JSON strings across `postMessage`.
//!
//! The page sends `{"type":"hunt","base":{…run…},"first":1,"count":2000,"polite":false}`;
//! the worker answers with `progress` (at most every [`PROGRESS_EVERY_MS`]), then `found` and
//! `shrunk`, or `done` when no seed failed, or `error`. While it runs, the page may send
//! `{"type":"pace","polite":true}` (see [`crate::pace`]). The page cancels by terminating
//! the worker.

use serde_json::{Value, json};
use splitbrain_hunt::{Failure, FaultMix};
use splitbrain_labs::RunDescription;
use splitbrain_sim::format_time;

pub use crate::hunting::{PROGRESS_EVERY_MS, hunt};

/// Most seeds one hunt may try.
pub const MAX_SEEDS: u64 = 10_000_000;

/// A message from the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Start a hunt.
    Hunt(Box<Request>),
    /// Share the processor with the page (`true`), or take all of one core.
    Pace {
        /// Whether to pause between slices.
        polite: bool,
    },
}

impl Message {
    /// Reads the page's message; a bad one gets a reason for an `error` reply.
    pub fn parse(text: &str) -> Result<Message, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match v["type"].as_str() {
            Some("hunt") => Request::from_json(&v).map(|r| Message::Hunt(Box::new(r))),
            Some("pace") => Ok(Message::Pace {
                polite: v["polite"]
                    .as_bool()
                    .ok_or("\"polite\" must be true or false")?,
            }),
            _ => Err(format!("unknown message type {}", v["type"])),
        }
    }
}

/// A hunt the page asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The run every seed starts from (its lab, nodes, parameters, length).
    pub base: RunDescription,
    /// The first seed.
    pub first: u64,
    /// How many seeds to try.
    pub count: u64,
    /// How often each kind of fault is drawn (`"faults": {"crash": 2, …}`; the sweeps' mix
    /// when absent).
    pub mix: FaultMix,
    /// Whether to start sharing the processor with the page (see [`crate::pace`]).
    pub polite: bool,
}

impl Request {
    /// Reads a `hunt` message.
    pub fn parse(text: &str) -> Result<Request, String> {
        match Message::parse(text)? {
            Message::Hunt(r) => Ok(*r),
            Message::Pace { .. } => Err("expected a hunt, got a pace".into()),
        }
    }

    fn from_json(v: &Value) -> Result<Request, String> {
        let base = RunDescription::parse(&v["base"].to_string()).map_err(|e| e.0)?;
        // A lab this page's worker was not built with is refused here, not in the first run.
        splitbrain_labs::find(&base.lab).map_err(|e| e.0)?;
        let first = v["first"].as_u64().ok_or("\"first\" must be a seed")?;
        let count = v["count"]
            .as_u64()
            .filter(|c| (1..=MAX_SEEDS).contains(c))
            .ok_or(format!("\"count\" must be 1..={MAX_SEEDS}"))?;
        let mix = match v.get("faults") {
            None | Some(Value::Null) => FaultMix::SWEEP,
            Some(m) => serde_json::from_value(m.clone()).map_err(|e| format!("\"faults\": {e}"))?,
        };
        Ok(Request {
            base,
            first,
            count,
            mix,
            polite: v["polite"].as_bool().unwrap_or(false),
        })
    }
}

pub(crate) fn failure_json(f: &Failure) -> Value {
    json!({
        "invariant": f.invariant,
        "time": format_time(f.time),
        "time_us": f.time,
        "message": f.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(variant: &str, first: u64, count: u64) -> String {
        json!({
            "type": "hunt",
            "base": {"lab": "raft", "nodes": 5, "until": "30s", "params": {"variant": variant}},
            "first": first, "count": count,
        })
        .to_string()
    }

    fn replies(text: &str) -> Vec<Value> {
        let req = Request::parse(text).unwrap();
        let mut clock = 0.0;
        let mut out = Vec::new();
        hunt(
            &req,
            || {
                clock += 40.0;
                clock
            },
            |m| out.push(serde_json::from_str(&m).unwrap()),
        );
        out
    }

    #[test]
    fn a_hunt_reports_progress_then_the_finding_shrunk() {
        let out = replies(&request("no-log-check", 1, 100));
        let kinds: Vec<&str> = out.iter().map(|m| m["type"].as_str().unwrap()).collect();
        assert_eq!(kinds.last(), Some(&"shrunk"));
        assert_eq!(kinds[kinds.len() - 2], "found");
        let found = &out[out.len() - 2];
        assert_eq!(found["seed"], 4, "the CLI's sweep finds it at seed 4 too");
        let shrunk = out.last().unwrap();
        assert_eq!(
            shrunk["violation"]["invariant"],
            found["violation"]["invariant"]
        );
        assert!(shrunk["to_actions"].as_u64() < shrunk["from_actions"].as_u64());
        assert_eq!(
            shrunk["actions"].as_array().unwrap().len() as u64,
            shrunk["to_actions"].as_u64().unwrap()
        );
        assert!(shrunk["link"].as_str().unwrap().starts_with("/?run=%7B"));
        // The run in the reply is a run description the page can load.
        let run = RunDescription::parse(&shrunk["run"].to_string()).unwrap();
        assert_eq!(
            run.actions.len() as u64,
            shrunk["to_actions"].as_u64().unwrap()
        );
    }

    #[test]
    fn a_hunt_of_the_correct_algorithm_tries_every_seed_and_finds_nothing() {
        let out = replies(&request("correct", 1, 5));
        let done = out.last().unwrap();
        assert_eq!(done["type"], "done");
        assert_eq!(done["seeds"], 5);
        assert!(done["events"].as_u64().unwrap() > 10_000);
        // The clock moves 40 ms a call: progress at most every 250 ms of it.
        assert!(out.iter().filter(|m| m["type"] == "progress").count() <= 3);
    }

    #[test]
    fn the_page_can_set_the_pace_at_the_start_and_while_it_runs() {
        assert!(!Request::parse(&request("correct", 1, 3)).unwrap().polite);
        let mut polite: Value = serde_json::from_str(&request("correct", 1, 3)).unwrap();
        polite["polite"] = json!(true);
        assert!(Request::parse(&polite.to_string()).unwrap().polite);
        assert_eq!(
            Message::parse(r#"{"type":"pace","polite":true}"#),
            Ok(Message::Pace { polite: true })
        );
        assert!(
            Message::parse(r#"{"type":"pace"}"#)
                .unwrap_err()
                .contains("\"polite\"")
        );
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        assert!(Request::parse("nope").unwrap_err().starts_with("not JSON"));
        assert!(
            Request::parse(r#"{"type":"dance"}"#)
                .unwrap_err()
                .contains("unknown message type")
        );
        let e = Request::parse(&request("correct", 1, 0)).unwrap_err();
        assert!(e.contains("\"count\" must be"), "{e}");
        let unknown = json!({"type": "hunt", "base": {"lab": "tarot"}, "first": 1, "count": 3});
        assert!(
            Request::parse(&unknown.to_string())
                .unwrap_err()
                .contains("tarot")
        );
        let mut bad_mix: Value = serde_json::from_str(&request("correct", 1, 3)).unwrap();
        bad_mix["faults"] = json!({"meteor": 1});
        assert!(
            Request::parse(&bad_mix.to_string())
                .unwrap_err()
                .contains("\"faults\"")
        );
    }

    #[test]
    fn a_hunt_draws_only_the_faults_asked_for() {
        let mut req: Value = serde_json::from_str(&request("no-log-check", 1, 30)).unwrap();
        req["faults"] =
            json!({"crash": 1, "partition": 0, "heal": 0, "loss": 0, "duplicate": 0, "client": 1});
        let out = replies(&req.to_string());
        let shrunk = out.last().unwrap();
        assert_eq!(shrunk["type"], "shrunk", "{out:?}");
        for a in shrunk["actions"].as_array().unwrap() {
            let a = a.as_str().unwrap();
            assert!(
                a.contains("crash") || a.contains("restart") || a.contains('→'),
                "{a}"
            );
        }
    }
}
