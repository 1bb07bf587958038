//! "Hunt for a bug": what the hunt panel shows, as plain data fed by the worker's JSON replies
//! (`crates/hunt-worker`). No browser calls here; `hunt_worker.rs` starts and stops the worker.

use crate::page::thousands;
use serde_json::Value;
use splitbrain_labs::RunDescription;
use std::rc::Rc;

/// The buggy variants a learner can hunt, per lab: (lab, variant, what is wrong). `correct`
/// comes last, to see a hunt find nothing.
pub const VARIANTS: &[(&str, &str, &str)] = &[
    (
        "raft",
        "commit-previous-term",
        "Fig. 8: a leader commits an earlier term's entries by counting replicas (§5.4.2)",
    ),
    (
        "raft",
        "no-log-check",
        "votes are granted without the up-to-date log check (§5.4.1)",
    ),
    (
        "raft",
        "volatile-voted-for",
        "votedFor is not persisted, so a restarted node votes twice (Fig. 2)",
    ),
    (
        "raft",
        "local-reads",
        "a leader answers reads from its own state: stale reads only clients see (§8)",
    ),
    ("raft", "correct", "the algorithm as the paper gives it"),
    (
        "paxos",
        "ignore-promised-values",
        "the proposer ignores values its promises report (P2c)",
    ),
    (
        "paxos",
        "forget-promise",
        "an acceptor forgets its promise when it restarts",
    ),
    (
        "paxos",
        "shared-ballots",
        "two proposers number their ballots alike",
    ),
    (
        "paxos",
        "no-dedup",
        "Multi-Paxos applies a retried command twice: only clients see it (PMMC §3)",
    ),
    ("paxos", "correct", "the protocol as the papers give it"),
    (
        "hashing",
        "release-early",
        "old holders drop keys before the copies land (hunted with 1 replica: a second copy hides the loss)",
    ),
    ("hashing", "correct", "copy, confirm, then release"),
    (
        "broadcast",
        "volatile",
        "a node forgets what it delivered when it restarts",
    ),
    (
        "broadcast",
        "correct",
        "gossip that keeps what it delivered",
    ),
];

/// Settings a hunt of (lab, variant) changes from the page's run, because the page's defaults
/// hide that bug: (lab, variant, parameter, value). The found run keeps them, so opening it
/// shows the lab as the hunt ran it. `sweep hashing --param replicas=1` finds `release-early`
/// in a few seeds; with the default two replicas, 10,000 seeds in the page found nothing.
/// The client-only bugs need clients to show.
pub const HUNT_SETTINGS: &[(&str, &str, &str, i64)] = &[
    ("hashing", "release-early", "replicas", 1),
    ("raft", "local-reads", "clients", 3),
    ("paxos", "no-dedup", "clients", 3),
];

/// Cores below which a playing page asks the hunt's worker to share the processor
/// (`crates/hunt-worker/src/pace.rs` has the measurements behind it).
pub const CORES_FOR_A_GREEDY_WORKER: u32 = 4;

/// Whether the worker should pause between slices: the page is playing, on a machine without
/// a core to spare for it. A paused page has nothing to draw, so the hunt takes the core.
pub fn polite(playing: bool, cores: u32) -> bool {
    playing && cores < CORES_FOR_A_GREEDY_WORKER
}

/// The variants of `lab`, or none when it has none to hunt.
pub fn variants(lab: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    VARIANTS
        .iter()
        .filter(move |v| v.0 == lab)
        .map(|v| (v.1, v.2))
}

/// The kinds of fault a hunt may draw, as the panel offers them: (name in the panel, the
/// weights it gives in the sweeps' mix: crash, partition, heal, loss, duplicate, client).
pub const FAULT_KINDS: [(&str, [u32; 6]); 5] = [
    ("crashes", [2, 0, 0, 0, 0, 0]),
    ("partitions", [0, 1, 1, 0, 0, 0]),
    ("loss", [0, 0, 0, 1, 0, 0]),
    ("duplication", [0, 0, 0, 0, 1, 0]),
    ("client load", [0, 0, 0, 0, 0, 4]),
];

/// Seeds a hunt may try, as offered in the panel.
pub const SEED_CHOICES: &[u64] = &[100, 1_000, 10_000];

/// Where a hunt stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing started.
    Idle,
    /// The worker is trying seeds.
    Searching,
    /// A seed failed; the worker is shrinking its run.
    Shrinking {
        /// The failing seed.
        seed: u64,
    },
    /// Found and shrunk.
    Found(Rc<Finding>),
    /// Every seed held.
    NoneFound,
    /// The worker could not hunt (a bad run, a worker that did not start).
    Failed(String),
}

/// A shrunk finding, ready to open.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The failing seed and how many seeds it took.
    pub seed: u64,
    pub seeds: u64,
    /// Milliseconds to find it and to shrink it.
    pub found_ms: f64,
    pub shrink_ms: f64,
    /// Actions before and after shrinking.
    pub from_actions: u64,
    pub to_actions: u64,
    /// The shrunk schedule, in words.
    pub actions: Vec<String>,
    /// The invariant broken, when, and how.
    pub invariant: String,
    pub time: String,
    pub message: String,
    /// The shrunk run.
    pub run: RunDescription,
}

/// The hunt panel's state.
#[derive(Debug, Clone, PartialEq)]
pub struct HuntState {
    /// The variant chosen (`None`: the lab's first).
    pub variant: Option<String>,
    /// How many seeds to try.
    pub count: u64,
    /// Which of [`FAULT_KINDS`] a hunt draws (all: the sweeps' mix).
    pub faults: [bool; 5],
    pub phase: Phase,
    /// Seeds tried, events played and milliseconds spent so far.
    pub seeds: u64,
    pub events: u64,
    pub ms: f64,
}

impl Default for HuntState {
    fn default() -> Self {
        HuntState {
            variant: None,
            count: SEED_CHOICES[1],
            faults: [true; 5],
            phase: Phase::Idle,
            seeds: 0,
            events: 0,
            ms: 0.0,
        }
    }
}

/// What the reader or the worker did.
#[derive(Debug, Clone, PartialEq)]
pub enum HuntMsg {
    /// A variant picked in the menu.
    Variant(String),
    /// How many seeds to try.
    Count(u64),
    /// Draw this kind of fault ([`FAULT_KINDS`]) or not.
    Fault(usize, bool),
    /// Start a hunt (the worker is asked with [`HuntState::request`]).
    Start,
    /// Stop it (the worker is terminated).
    Cancel,
    /// A JSON reply from the worker.
    Reply(String),
    /// Open the finding as the page's run.
    Open,
}

impl HuntState {
    /// Whether the worker is busy.
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Searching | Phase::Shrinking { .. })
    }

    /// The variant the hunt uses in `lab`.
    pub fn variant_in(&self, lab: &str) -> Option<&str> {
        let first = variants(lab).next().map(|v| v.0);
        match &self.variant {
            Some(v) if variants(lab).any(|(name, _)| name == v) => Some(v.as_str()),
            _ => first,
        }
    }

    /// The message for the worker: hunt `count` seeds from seed 1 of `base` (the page's run:
    /// its lab, nodes and settings) with the chosen variant, 30 s each, no actions of its own.
    pub fn request(&self, base: &RunDescription, polite: bool) -> Option<String> {
        let variant = self.variant_in(&base.lab)?;
        let mut run = RunDescription::new(&base.lab, 0, base.nodes);
        run.network = base.network.clone();
        run.params = base.params.clone();
        if let Some(p) = run.params.as_object_mut() {
            p.insert("variant".into(), variant.into());
            for &(_, _, name, value) in HUNT_SETTINGS
                .iter()
                .filter(|s| s.0 == base.lab && s.1 == variant)
            {
                p.insert(name.into(), value.into());
            }
        }
        run.until = Some(splitbrain_sim::secs(30));
        // The worker's FaultMix: the sweeps' weights of the kinds left on.
        let mut w = [0u32; 6];
        for ((_, weights), on) in FAULT_KINDS.iter().zip(self.faults) {
            if on {
                for (total, x) in w.iter_mut().zip(weights) {
                    *total += x;
                }
            }
        }
        let faults = serde_json::json!({
            "crash": w[0], "partition": w[1], "heal": w[2], "loss": w[3], "duplicate": w[4], "client": w[5],
        });
        Some(
            serde_json::json!({"type": "hunt", "base": run, "first": 1, "count": self.count, "faults": faults, "polite": polite})
                .to_string(),
        )
    }

    /// Applies a message of the reader or the worker.
    pub fn update(&mut self, msg: HuntMsg) {
        match msg {
            HuntMsg::Variant(v) => {
                self.variant = Some(v);
                self.reset();
            }
            HuntMsg::Count(c) => self.count = c,
            HuntMsg::Fault(i, on) => {
                if let Some(f) = self.faults.get_mut(i) {
                    *f = on;
                }
            }
            HuntMsg::Start => {
                self.reset();
                self.phase = Phase::Searching;
            }
            HuntMsg::Cancel => self.reset(),
            HuntMsg::Reply(text) => self.reply(&text),
            // The shell loads the run; the finding stays listed.
            HuntMsg::Open => {}
        }
    }

    fn reset(&mut self) {
        self.phase = Phase::Idle;
        (self.seeds, self.events, self.ms) = (0, 0, 0.0);
    }

    fn reply(&mut self, text: &str) {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            self.phase = Phase::Failed("the hunt's worker sent something unreadable".into());
            return;
        };
        // A reply after a cancel (already on its way) is not news.
        if !self.running() {
            return;
        }
        let num = |k: &str| v[k].as_u64().unwrap_or(0);
        match v["type"].as_str().unwrap_or("") {
            "progress" | "done" => {
                (self.seeds, self.events) = (num("seeds"), num("events"));
                self.ms = v["ms"].as_f64().unwrap_or(0.0);
                if v["type"] == "done" {
                    self.phase = Phase::NoneFound;
                }
            }
            "found" => {
                (self.seeds, self.events) = (num("seeds"), num("events"));
                self.ms = v["ms"].as_f64().unwrap_or(0.0);
                self.phase = Phase::Shrinking { seed: num("seed") };
            }
            "shrunk" => {
                let run = RunDescription::parse(&v["run"].to_string());
                self.phase = match run {
                    Ok(run) => Phase::Found(Rc::new(Finding {
                        seed: num("seed"),
                        seeds: num("seeds"),
                        found_ms: v["found_ms"].as_f64().unwrap_or(0.0),
                        shrink_ms: v["ms"].as_f64().unwrap_or(0.0),
                        from_actions: num("from_actions"),
                        to_actions: num("to_actions"),
                        actions: v["actions"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|s| s.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        invariant: v["violation"]["invariant"].as_str().unwrap_or("").into(),
                        time: v["violation"]["time"].as_str().unwrap_or("").into(),
                        message: v["violation"]["message"].as_str().unwrap_or("").into(),
                        run,
                    })),
                    Err(e) => Phase::Failed(format!("the shrunk run cannot be opened: {e}")),
                };
            }
            "error" => {
                self.phase =
                    Phase::Failed(v["message"].as_str().unwrap_or("the hunt failed").into())
            }
            _ => {}
        }
    }

    /// The line under the progress bar.
    pub fn status(&self) -> String {
        let rate = |n: u64| {
            if self.ms > 0.0 {
                format!(
                    "{}/s",
                    thousands((n as f64 * 1000.0 / self.ms).round() as u64)
                )
            } else {
                "…".into()
            }
        };
        match &self.phase {
            Phase::Idle => String::new(),
            Phase::Searching => format!(
                "{} of {} seeds · {} seeds · {} events · {}",
                thousands(self.seeds),
                thousands(self.count),
                rate(self.seeds),
                rate(self.events),
                seconds(self.ms)
            ),
            Phase::Shrinking { seed } => format!(
                "found at seed {seed} after {} seeds ({}); shrinking…",
                thousands(self.seeds),
                seconds(self.ms)
            ),
            Phase::Found(f) => format!(
                "Found at seed {} after {} ({}); shrunk from {} actions to {} in {}.",
                f.seed,
                seeds(f.seeds),
                seconds(f.found_ms),
                f.from_actions,
                f.to_actions,
                seconds(f.shrink_ms)
            ),
            Phase::NoneFound => format!(
                "No violation in {} seeds ({}, {} events): every run held.",
                thousands(self.seeds),
                seconds(self.ms),
                thousands(self.events)
            ),
            Phase::Failed(why) => why.clone(),
        }
    }
}

/// `1 seed`, `4,010 seeds`.
fn seeds(n: u64) -> String {
    if n == 1 {
        "1 seed".into()
    } else {
        format!("{} seeds", thousands(n))
    }
}

/// Milliseconds as seconds with one decimal, in integer arithmetic (formatting an `f64` would
/// add the float printer to the download).
fn seconds(ms: f64) -> String {
    let tenths = (ms.max(0.0) / 100.0).round() as u64;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> HuntState {
        let mut h = HuntState::default();
        h.update(HuntMsg::Start);
        h
    }

    #[test]
    fn the_request_sets_the_variant_on_the_page_run() {
        let mut base = RunDescription::new("raft", 42, 7);
        base.params = serde_json::json!({"heartbeat": "50ms"});
        let h = HuntState::default();
        let req: Value = serde_json::from_str(&h.request(&base, false).unwrap()).unwrap();
        assert_eq!(req["type"], "hunt");
        assert_eq!(req["first"], 1);
        assert_eq!(req["count"], 1000);
        assert_eq!(req["base"]["nodes"], 7);
        assert_eq!(req["base"]["params"]["variant"], "commit-previous-term");
        assert_eq!(req["base"]["params"]["heartbeat"], "50ms");
        assert_eq!(req["base"]["until"], "30s");
        assert_eq!(
            req["faults"],
            serde_json::json!({"crash": 2, "partition": 1, "heal": 1, "loss": 1, "duplicate": 1, "client": 4}),
            "all kinds on: the sweeps' mix"
        );
        let mut only = HuntState::default();
        only.update(HuntMsg::Fault(1, false));
        only.update(HuntMsg::Fault(4, false));
        let req: Value = serde_json::from_str(&only.request(&base, false).unwrap()).unwrap();
        assert_eq!(
            req["faults"],
            serde_json::json!({"crash": 2, "partition": 0, "heal": 0, "loss": 1, "duplicate": 1, "client": 0})
        );
        assert!(
            HuntState::default()
                .request(&RunDescription::new("balance", 1, 5), false)
                .is_none()
        );
    }

    #[test]
    fn a_playing_page_on_two_cores_asks_the_worker_to_share() {
        assert!(polite(true, 2));
        assert!(
            !polite(false, 2),
            "paused: nothing to draw, the hunt takes the core"
        );
        assert!(!polite(true, 8), "enough cores for both");
        let req: Value = serde_json::from_str(
            &HuntState::default()
                .request(&RunDescription::new("raft", 1, 5), true)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(req["polite"], true);
    }

    #[test]
    fn release_early_is_hunted_with_one_replica_because_a_second_copy_hides_it() {
        let mut base = RunDescription::new("hashing", 1, 6);
        base.params = serde_json::json!({"replicas": 2, "servers": 5});
        let mut h = HuntState::default();
        h.update(HuntMsg::Variant("release-early".into()));
        let req: Value = serde_json::from_str(&h.request(&base, false).unwrap()).unwrap();
        assert_eq!(req["base"]["params"]["replicas"], 1);
        assert_eq!(req["base"]["params"]["servers"], 5);
        h.update(HuntMsg::Variant("correct".into()));
        let req: Value = serde_json::from_str(&h.request(&base, false).unwrap()).unwrap();
        assert_eq!(
            req["base"]["params"]["replicas"], 2,
            "the correct one as the page runs it"
        );
    }

    #[test]
    fn a_variant_of_another_lab_falls_back_to_this_labs_first() {
        let mut h = HuntState::default();
        h.update(HuntMsg::Variant("forget-promise".into()));
        assert_eq!(h.variant_in("paxos"), Some("forget-promise"));
        assert_eq!(h.variant_in("raft"), Some("commit-previous-term"));
    }

    #[test]
    fn replies_move_the_hunt_from_searching_to_a_finding() {
        let mut h = running();
        h.update(HuntMsg::Reply(
            r#"{"type":"progress","seed":40,"seeds":40,"events":200000,"ms":2000}"#.into(),
        ));
        assert_eq!(
            h.status(),
            "40 of 1,000 seeds · 20/s seeds · 100,000/s events · 2.0 s"
        );
        h.update(HuntMsg::Reply(r#"{"type":"found","seed":45,"seeds":45,"events":230000,"ms":2100,"violation":{"invariant":"LeaderCompleteness"}}"#.into()));
        assert_eq!(h.phase, Phase::Shrinking { seed: 45 });
        let run = RunDescription::new("raft", 45, 5);
        let shrunk = serde_json::json!({
            "type": "shrunk", "seed": 45, "seeds": 45, "found_ms": 2100, "ms": 600,
            "from_actions": 41, "to_actions": 4, "actions": ["at 2.31s crash n1"],
            "violation": {"invariant": "LeaderCompleteness", "time": "9.05s", "message": "m"},
            "run": run,
        });
        h.update(HuntMsg::Reply(shrunk.to_string()));
        assert_eq!(
            h.status(),
            "Found at seed 45 after 45 seeds (2.1 s); shrunk from 41 actions to 4 in 0.6 s."
        );
        let Phase::Found(f) = &h.phase else { panic!() };
        assert_eq!(f.run, run);
        assert_eq!(f.actions, vec!["at 2.31s crash n1".to_string()]);
    }

    #[test]
    fn a_cancel_ignores_replies_still_on_their_way() {
        let mut h = running();
        h.update(HuntMsg::Cancel);
        h.update(HuntMsg::Reply(
            r#"{"type":"done","seeds":9,"events":1,"ms":5}"#.into(),
        ));
        assert_eq!(h.phase, Phase::Idle);
        assert_eq!(h.status(), "");
    }

    #[test]
    fn nothing_found_and_errors_are_said_in_words() {
        let mut h = running();
        h.update(HuntMsg::Reply(
            r#"{"type":"done","seeds":100,"events":1234567,"ms":4100}"#.into(),
        ));
        assert_eq!(
            h.status(),
            "No violation in 100 seeds (4.1 s, 1,234,567 events): every run held."
        );
        let mut h = running();
        h.update(HuntMsg::Reply(
            r#"{"type":"error","message":"unknown lab \"x\""}"#.into(),
        ));
        assert_eq!(h.status(), "unknown lab \"x\"");
        let mut h = running();
        h.update(HuntMsg::Reply("garbage".into()));
        assert!(matches!(h.phase, Phase::Failed(_)));
    }
}
