//! What a lab reports to an embedding page as it happens ("leader elected", "value chosen",
//! "keys moved", "SLO breached"): found by comparing two of the lab's own summaries
//! ([`splitbrain_sim::Lab::summary`]), the same JSON the CLI prints, so a lab needs no extra
//! hooks and the page and the CLI describe a run in the same words.
//!
//! Each function takes the summary before and after a stretch of the run and returns the
//! events, each a JSON object with a `type` and its details. A stretch is one frame or one
//! command in the page; an election and a deposition inside one stretch show as the newer
//! leader only.

use serde_json::{Value, json};

/// What the observer watches for beyond the lab itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Watch {
    /// The load-balancing lab's latency objective: `slo-breached` when the windowed p99 goes
    /// above it, `slo-met` when it comes back under.
    pub slo_ms: f64,
}

/// Finds the events between two summaries.
pub type Happenings = fn(before: &Value, after: &Value, watch: &Watch) -> Vec<Value>;

/// Labs with nothing to report beyond `state`.
pub fn none(_: &Value, _: &Value, _: &Watch) -> Vec<Value> {
    Vec::new()
}

/// Raft: `leader-elected` for each (node, term) that leads now and did not before (§5.2), and
/// `committed` when the highest commit index grows (§5.3).
#[cfg(feature = "raft")]
pub fn raft(before: &Value, after: &Value, _: &Watch) -> Vec<Value> {
    let leaders = |v: &Value| -> Vec<(u64, u64)> {
        v["leaders"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|x| Some((x["node"].as_u64()?, x["term"].as_u64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let old = leaders(before);
    let mut out: Vec<Value> = leaders(after)
        .into_iter()
        .filter(|l| !old.contains(l))
        .map(|(node, term)| json!({"type": "leader-elected", "node": node, "term": term}))
        .collect();
    let commit = |v: &Value| v["max_commit"].as_u64().unwrap_or(0);
    if commit(after) > commit(before) {
        out.push(json!({"type": "committed", "index": commit(after)}));
    }
    out
}

/// Paxos: `leader-elected` when a new Multi-Paxos leader (node and ballot) takes over, and
/// `value-chosen` for each slot newly chosen (Paxos Made Simple §2.3: chosen by a majority).
#[cfg(feature = "paxos")]
pub fn paxos(before: &Value, after: &Value, _: &Watch) -> Vec<Value> {
    let mut out = Vec::new();
    let leader = |v: &Value| (v["leader"].as_u64(), v["ballot"].as_str().map(String::from));
    if let (Some(node), Some(ballot)) = leader(after)
        && leader(before) != (Some(node), Some(ballot.clone()))
    {
        out.push(json!({"type": "leader-elected", "node": node, "ballot": ballot}));
    }
    // The summary lists the newest 20 chosen slots; a slot is new when it was not listed before
    // and lies above the old count's range (older slots scrolled out of the list are not new).
    let count = |v: &Value| v["chosen_slots"].as_u64().unwrap_or(0);
    if count(after) > count(before)
        && let Some(now) = after["chosen"].as_object()
    {
        let mut fresh: Vec<(u64, &Value)> = now
            .iter()
            .filter(|(slot, _)| before["chosen"].get(slot.as_str()).is_none())
            .filter_map(|(slot, v)| Some((slot.parse().ok()?, v)))
            .collect();
        fresh.sort_by_key(|(s, _)| *s);
        for (slot, value) in fresh {
            out.push(json!({"type": "value-chosen", "slot": slot, "value": value}));
        }
    }
    out
}

/// Broadcast: `converged` when every live node comes to know every value.
#[cfg(feature = "broadcast")]
pub fn broadcast(before: &Value, after: &Value, _: &Watch) -> Vec<Value> {
    let converged = |v: &Value| v["converged"].as_bool().unwrap_or(false);
    if converged(after) && !converged(before) && after["values"].as_u64().unwrap_or(0) > 0 {
        vec![json!({"type": "converged", "values": after["values"]})]
    } else {
        Vec::new()
    }
}

/// Consistent hashing: `keys-moved` when the router starts a membership change, with the
/// share of keys it moves against the least any placement must move (Karger et al. 1997's
/// monotonicity, measured).
#[cfg(feature = "hashing")]
pub fn hashing(before: &Value, after: &Value, _: &Watch) -> Vec<Value> {
    let change = &after["last_change"];
    if change.is_null() || change["number"] == before["last_change"]["number"] {
        return Vec::new();
    }
    vec![json!({
        "type": "keys-moved",
        "change": change["change"],
        "moved": change["moved"],
        "share": change["share"],
        "ideal": change["ideal"],
    })]
}

/// Quorum replication: `unavailable` when a coordinator refused a request for want of replies
/// (a strict quorum short of replicas), `hints-kept` when stand-ins start keeping writes for
/// servers they cannot reach (a sloppy quorum, Dynamo §4.6), `hints-handed-back` when the last
/// hint has gone home.
#[cfg(feature = "quorum")]
pub fn quorum(before: &Value, after: &Value, _: &Watch) -> Vec<Value> {
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let mut out = Vec::new();
    if n(after, "unavailable") > n(before, "unavailable") {
        out.push(json!({"type": "unavailable", "total": n(after, "unavailable")}));
    }
    match (n(before, "hints"), n(after, "hints")) {
        (0, h) if h > 0 => out.push(json!({"type": "hints-kept", "hints": h})),
        (h, 0) if h > 0 => out.push(json!({"type": "hints-handed-back"})),
        _ => {}
    }
    out
}

/// Load balancing: `slo-breached` when the windowed p99 latency goes above the objective,
/// `slo-met` when it is back under.
#[cfg(feature = "balance")]
pub fn balance(before: &Value, after: &Value, watch: &Watch) -> Vec<Value> {
    let p99 = |v: &Value| v["latency_window"]["p99_ms"].as_f64();
    let over = |v: &Value| p99(v).is_some_and(|p| p > watch.slo_ms);
    match (over(before), over(after), p99(after)) {
        (false, true, Some(p)) => {
            vec![json!({"type": "slo-breached", "p99_ms": p, "slo_ms": watch.slo_ms})]
        }
        (true, false, Some(p)) => {
            vec![json!({"type": "slo-met", "p99_ms": p, "slo_ms": watch.slo_ms})]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunDescription, build};

    const WATCH: Watch = Watch { slo_ms: 2_000.0 };

    /// Summaries of a real run at each time, and the events between consecutive ones.
    fn observe(run: &RunDescription, times: &[u64]) -> Vec<Value> {
        let info = crate::find(&run.lab).expect("lab");
        let mut lab = build(run, 0).expect("builds");
        let mut last = lab.summary();
        let mut out = Vec::new();
        for t in times {
            lab.run_until(*t, u64::MAX);
            let now = lab.summary();
            out.extend((info.happenings)(&last, &now, &WATCH));
            last = now;
        }
        out
    }

    #[cfg(feature = "raft")]
    #[test]
    fn raft_reports_each_election_once_and_commits() {
        let mut run = RunDescription::new("raft", 3, 5);
        run.actions = vec![splitbrain_sim::TimedAction {
            at: 600_000,
            action: splitbrain_sim::Action::Client {
                node: 3,
                command: "set x=1".into(),
            },
        }];
        let times: Vec<u64> = (1..=20).map(|i| i * 100_000).collect();
        let events = observe(&run, &times);
        let elected: Vec<&Value> = events
            .iter()
            .filter(|e| e["type"] == "leader-elected")
            .collect();
        assert_eq!(elected.len(), 1, "{events:?}");
        assert_eq!(
            (&elected[0]["node"], &elected[0]["term"]),
            (&json!(3), &json!(1))
        );
        assert!(events.iter().any(|e| e["type"] == "committed"));
    }

    #[cfg(feature = "raft")]
    #[test]
    fn raft_a_new_term_is_a_new_election() {
        let before = json!({"leaders": [{"node": 1, "term": 2}], "max_commit": 4});
        let after = json!({"leaders": [{"node": 1, "term": 3}], "max_commit": 4});
        assert_eq!(
            raft(&before, &after, &WATCH),
            vec![json!({"type": "leader-elected", "node": 1, "term": 3})]
        );
        assert!(raft(&after, &after, &WATCH).is_empty());
    }

    #[cfg(feature = "paxos")]
    #[test]
    fn paxos_reports_new_slots_in_order_and_new_leaders() {
        let before =
            json!({"leader": null, "ballot": null, "chosen_slots": 1, "chosen": {"0": "a"}});
        let after = json!({"leader": 2, "ballot": "1.2", "chosen_slots": 3, "chosen": {"0": "a", "10": "c", "9": "b"}});
        let e = paxos(&before, &after, &WATCH);
        assert_eq!(
            e[0],
            json!({"type": "leader-elected", "node": 2, "ballot": "1.2"})
        );
        assert_eq!((&e[1]["slot"], &e[2]["slot"]), (&json!(9), &json!(10)));
        assert_eq!(e.len(), 3);
    }

    #[cfg(feature = "hashing")]
    #[test]
    fn hashing_reports_a_change_when_it_starts() {
        let before = json!({"last_change": null});
        let after = json!({"last_change": {"number": 1, "change": "add", "moved": 1250, "share": 0.125, "ideal": 0.125}});
        let e = hashing(&before, &after, &WATCH);
        assert_eq!(e[0]["type"], "keys-moved");
        assert_eq!(e[0]["share"], 0.125);
        assert!(hashing(&after, &after, &WATCH).is_empty());
    }

    #[cfg(feature = "quorum")]
    #[test]
    fn s4_6_quorum_reports_stand_ins_keeping_hints_and_handing_them_back() {
        // A sloppy quorum with x's replicas n3 and n4 down for a while.
        let mut run = RunDescription::new("quorum", 1, 5);
        let at = |s: u64, action| splitbrain_sim::TimedAction {
            at: s * 1_000_000,
            action,
        };
        use splitbrain_sim::Action::{Crash, Restart};
        run.actions = vec![
            at(1, Crash { node: 3 }),
            at(1, Crash { node: 4 }),
            at(3, Restart { node: 3 }),
            at(3, Restart { node: 4 }),
        ];
        let times: Vec<u64> = (1..=50).map(|i| i * 100_000).collect();
        let types: Vec<String> = observe(&run, &times)
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_string())
            .collect();
        let kept = types.iter().position(|t| t == "hints-kept");
        let back = types.iter().position(|t| t == "hints-handed-back");
        assert!(kept.is_some() && kept < back, "{types:?}");
        // Strict: refused instead.
        run.params = json!({"sloppy": false});
        let types = observe(&run, &times);
        assert!(
            types.iter().any(|e| e["type"] == "unavailable"),
            "{types:?}"
        );
        assert!(types.iter().all(|e| e["type"] != "hints-kept"));
    }

    #[cfg(feature = "balance")]
    #[test]
    fn balance_slo_breached_just_above_the_objective_and_met_at_it() {
        let at = |p: f64| json!({"latency_window": {"p99_ms": p}});
        assert!(
            balance(&at(1_000.0), &at(2_000.0), &WATCH).is_empty(),
            "at the objective is within it"
        );
        let e = balance(&at(2_000.0), &at(2_000.5), &WATCH);
        assert_eq!(e[0]["type"], "slo-breached");
        assert_eq!(
            balance(&at(2_500.0), &at(1_999.0), &WATCH)[0]["type"],
            "slo-met"
        );
    }

    #[cfg(feature = "broadcast")]
    #[test]
    fn broadcast_reports_convergence_once_values_exist() {
        let empty = json!({"converged": true, "values": 0});
        let apart = json!({"converged": false, "values": 2});
        let done = json!({"converged": true, "values": 2});
        assert!(broadcast(&apart, &empty, &WATCH).is_empty());
        assert_eq!(broadcast(&apart, &done, &WATCH)[0]["type"], "converged");
    }
}
