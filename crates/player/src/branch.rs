//! One line of a run's history: what was done on it, how far it got, and its checkpoints.

use crate::markers::{Marker, MarkerKind};
use crate::traffic::TrafficState;
use splitbrain_sim::{Action, Checkpoint, Time, TimedAction};
use std::rc::Rc;

/// Something recorded on a branch, applied again at its time whenever the branch replays.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A user action (or one of a loaded link's actions).
    Act(Action),
    /// A client request numbered like the automatic ones (the Request button): it counts.
    Request(Action),
    /// Automatic client traffic turned on or off.
    Traffic(bool),
}

/// An item at its virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// When it was applied: after every event due at that instant.
    pub at: Time,
    /// What.
    pub item: Item,
    /// Events the run had processed when it was applied (known once it has been): stepping
    /// back one event lands just before that event, with the actions taken there applied.
    pub events: Option<u64>,
}

impl Recorded {
    /// The action it applies, if it is one.
    pub fn action(&self) -> Option<&Action> {
        match &self.item {
            Item::Act(a) | Item::Request(a) => Some(a),
            Item::Traffic(_) => None,
        }
    }

    /// Words for the timeline's marker.
    pub fn label(&self) -> String {
        match &self.item {
            Item::Act(a) | Item::Request(a) => describe(a),
            Item::Traffic(on) => format!("client traffic {}", if *on { "on" } else { "off" }),
        }
    }
}

/// An action in a learner's words.
pub fn describe(a: &Action) -> String {
    match a {
        Action::Crash { node } => format!("crash n{node}"),
        Action::Restart { node } => format!("restart n{node}"),
        Action::Timeout { node } => format!("time out n{node}"),
        Action::Partition { groups } => {
            let groups: Vec<String> = groups
                .iter()
                .map(|g| {
                    let names: Vec<String> = g.iter().map(|n| format!("n{n}")).collect();
                    format!("{{{}}}", names.join(","))
                })
                .collect();
            format!("partition {}", groups.join(" | "))
        }
        Action::Heal => "heal the network".into(),
        Action::Cut { from, to } => format!("cut n{from}→n{to}"),
        Action::DropMessage { id } => format!("drop message #{id}"),
        Action::Client { node, command } => format!("{command} → n{node}"),
        Action::Loss { p, .. } => format!("loss {}%", (p * 100.0).round() as i64),
        Action::Duplicate { p, .. } => format!("duplication {}%", (p * 100.0).round() as i64),
        Action::Latency { latency, .. } => format!("latency {latency}"),
    }
}

/// One automatic request a branch sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Auto {
    /// Items applied before it: at one instant a request may come before or after what the
    /// learner did there, and a replay and a link keep that order.
    pub after: usize,
    /// When and what.
    pub request: TimedAction,
    /// The run took it (a request finds no node up when all are down).
    pub taken: bool,
}

/// A checkpoint of the run on a branch, with what the player needs to go on from it.
#[derive(Clone)]
pub(crate) struct Saved {
    pub at: Time,
    pub events: u64,
    /// Items of the branch already applied.
    pub cursor: usize,
    pub traffic: TrafficState,
    /// Shared by every branch whose history contains it.
    pub cp: Rc<Checkpoint>,
}

/// One line of history. The first branch is the run as first played; acting in the past makes
/// a new one from that moment, and the old one keeps its future.
#[derive(Clone)]
pub struct Branch {
    /// What was done on it, in order.
    pub items: Vec<Recorded>,
    /// The automatic requests it sent, for links and files (which list them as actions).
    pub autos: Vec<Auto>,
    /// The branch it was made from.
    pub parent: Option<usize>,
    /// When it parted from its parent (0 for the first).
    pub forked_at: Time,
    /// The furthest virtual time it was played to.
    pub reached: Time,
    /// Leaders, chosen values and violations seen on it, in time order.
    pub(crate) found: Vec<Marker>,
    /// Trace events already read for markers.
    pub(crate) scanned: u64,
    pub(crate) checkpoints: Vec<Saved>,
}

impl Branch {
    pub(crate) fn first(items: Vec<Recorded>, start: Saved) -> Self {
        Self {
            items,
            autos: Vec::new(),
            parent: None,
            forked_at: 0,
            reached: start.at,
            found: Vec::new(),
            scanned: 0,
            checkpoints: vec![start],
        }
    }

    /// Every marker, user actions among them, in time order.
    pub fn markers(&self) -> Vec<Marker> {
        let all: Vec<Marker> = self
            .items
            .iter()
            .map(|r| Marker {
                at: r.at,
                kind: MarkerKind::Action,
                label: r.label(),
            })
            .chain(self.found.iter().cloned())
            .collect();
        crate::by_time(all, |m| m.at)
    }

    /// Markers found in the run so far (leaders, chosen values, violations, goals): with the
    /// items, what tells the page its markers changed.
    pub fn markers_found(&self) -> usize {
        self.found.len()
    }

    /// User actions on it up to item `upto` (what an exercise's budget counts).
    pub fn actions_before(&self, upto: usize) -> usize {
        self.items[..upto.min(self.items.len())]
            .iter()
            .filter(|r| r.action().is_some())
            .count()
    }

    /// A learner's name for it.
    pub fn name(&self, index: usize) -> String {
        match self.parent {
            None => "main line".into(),
            Some(p) => format!(
                "branch {index} (from {} at {})",
                if p == 0 {
                    "the main line".to_string()
                } else {
                    format!("branch {p}")
                },
                splitbrain_sim::format_time(self.forked_at - self.forked_at % 1_000)
            ),
        }
    }
}
