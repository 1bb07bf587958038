//! User actions: what a learner does with the mouse, what a scenario file schedules, and what a
//! shared link replays. One serde type for all three, so they are interchangeable.

use crate::NodeId;
use crate::net::Latency;
use crate::time::{Time, serde_duration};
use crate::trace::MsgId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One user action.
///
/// Read through [`RawAction`], a flat record checked by hand, rather than serde's internally
/// tagged enums: those buffer every field, cost tens of KB of wasm, and give vaguer errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", try_from = "RawAction")]
pub enum Action {
    /// Crash a node: volatile state is lost, timers die, messages to it are dropped.
    Crash {
        /// The node.
        node: NodeId,
    },
    /// Restart a crashed node from its stable storage.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// Fire the node's deciding timeout now ([`crate::Process::countdown`]: Raft's election
    /// timeout, a Paxos proposer's retry), as RaftScope's "Timeout": make this node the one that
    /// runs for leader.
    Timeout {
        /// The node.
        node: NodeId,
    },
    /// Split the network into groups; unnamed nodes form one more group.
    Partition {
        /// The groups.
        groups: Vec<Vec<NodeId>>,
    },
    /// Remove every partition and cut.
    Heal,
    /// Block one direction of one link.
    Cut {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Set the loss probability of the links selected by `from`/`to` (all when both are absent).
    Loss {
        /// Probability in `[0, 1]`.
        p: f64,
        /// Sender side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<NodeId>,
        /// Receiver side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<NodeId>,
    },
    /// Set the duplication probability of the selected links.
    Duplicate {
        /// Probability in `[0, 1]`.
        p: f64,
        /// Sender side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<NodeId>,
        /// Receiver side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<NodeId>,
    },
    /// Set the latency distribution of the selected links.
    Latency {
        /// The distribution, e.g. `"5ms..10ms"`.
        latency: Latency,
        /// Sender side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<NodeId>,
        /// Receiver side, or any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<NodeId>,
    },
    /// Drop one message that is in flight.
    DropMessage {
        /// Its id.
        id: MsgId,
    },
    /// Deliver a client command to a node, as text the lab parses (e.g. `"set x 1"`).
    Client {
        /// The node.
        node: NodeId,
        /// The command.
        command: String,
    },
}

/// An action at a virtual time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawAction")]
pub struct TimedAction {
    /// When, e.g. `"1.5s"` or an integer of µs.
    #[serde(with = "serde_duration")]
    pub at: Time,
    /// What.
    #[serde(flatten)]
    pub action: Action,
}

/// Every field any action (or timed action) may have, as written in files and links.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    #[serde(default, with = "crate::time::serde_opt_duration")]
    at: Option<Time>,
    #[serde(rename = "do")]
    kind: String,
    node: Option<NodeId>,
    groups: Option<Vec<Vec<NodeId>>>,
    from: Option<NodeId>,
    to: Option<NodeId>,
    p: Option<f64>,
    latency: Option<Latency>,
    id: Option<MsgId>,
    command: Option<String>,
}

impl RawAction {
    /// The action, refusing missing fields and fields this kind of action does not take.
    fn action(self) -> Result<Action, String> {
        let kind = self.kind;
        let present = [
            ("node", self.node.is_some()),
            ("groups", self.groups.is_some()),
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("p", self.p.is_some()),
            ("latency", self.latency.is_some()),
            ("id", self.id.is_some()),
            ("command", self.command.is_some()),
        ];
        let takes: &[&str] = match kind.as_str() {
            "crash" | "restart" | "timeout" => &["node"],
            "partition" => &["groups"],
            "heal" => &[],
            "cut" => &["from", "to"],
            "loss" | "duplicate" => &["p", "from", "to"],
            "latency" => &["latency", "from", "to"],
            "drop-message" => &["id"],
            "client" => &["node", "command"],
            other => {
                return Err(format!(
                    "unknown action {other:?}: expected crash, restart, timeout, partition, heal, \
                     cut, loss, duplicate, latency, drop-message or client"
                ));
            }
        };
        if let Some((field, _)) = present.iter().find(|(f, set)| *set && !takes.contains(f)) {
            return Err(format!("action {kind:?} does not take {field:?}"));
        }
        let need = |field: &str| format!("action {kind:?} needs {field:?}");
        Ok(match kind.as_str() {
            "crash" => Action::Crash {
                node: self.node.ok_or_else(|| need("node"))?,
            },
            "restart" => Action::Restart {
                node: self.node.ok_or_else(|| need("node"))?,
            },
            "timeout" => Action::Timeout {
                node: self.node.ok_or_else(|| need("node"))?,
            },
            "partition" => Action::Partition {
                groups: self.groups.ok_or_else(|| need("groups"))?,
            },
            "heal" => Action::Heal,
            "cut" => Action::Cut {
                from: self.from.ok_or_else(|| need("from"))?,
                to: self.to.ok_or_else(|| need("to"))?,
            },
            "loss" => Action::Loss {
                p: self.p.ok_or_else(|| need("p"))?,
                from: self.from,
                to: self.to,
            },
            "duplicate" => Action::Duplicate {
                p: self.p.ok_or_else(|| need("p"))?,
                from: self.from,
                to: self.to,
            },
            "latency" => Action::Latency {
                latency: self.latency.ok_or_else(|| need("latency"))?,
                from: self.from,
                to: self.to,
            },
            "drop-message" => Action::DropMessage {
                id: self.id.ok_or_else(|| need("id"))?,
            },
            _ => Action::Client {
                node: self.node.ok_or_else(|| need("node"))?,
                command: self.command.ok_or_else(|| need("command"))?,
            },
        })
    }
}

impl TryFrom<RawAction> for Action {
    type Error = String;
    fn try_from(raw: RawAction) -> Result<Self, String> {
        if raw.at.is_some() {
            return Err("\"at\" belongs to a scheduled action, not to an action".into());
        }
        raw.action()
    }
}

impl TryFrom<RawAction> for TimedAction {
    type Error = String;
    fn try_from(raw: RawAction) -> Result<Self, String> {
        let at = raw
            .at
            .ok_or("a scheduled action needs \"at\", e.g. at = \"1.5s\"")?;
        Ok(TimedAction {
            at,
            action: raw.action()?,
        })
    }
}

/// Why an action was refused. The run is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// A node id outside `0..nodes`.
    NoSuchNode {
        /// The id given.
        node: NodeId,
        /// Number of nodes.
        nodes: usize,
    },
    /// The action makes no sense in the node's state (crash a crashed node, ...).
    InvalidState(String),
    /// A parameter is out of range.
    BadParameter(String),
    /// No message in flight has this id.
    NoSuchMessage(MsgId),
    /// The lab could not parse the client command.
    BadCommand(String),
    /// The action is scheduled before the current time.
    InThePast {
        /// Requested time.
        at: Time,
        /// Current time.
        now: Time,
    },
    /// A checkpoint from another lab was given to restore.
    WrongCheckpoint,
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::NoSuchNode { node, nodes } => {
                write!(
                    f,
                    "no node {node}: this run has nodes 0..{}",
                    nodes.saturating_sub(1)
                )
            }
            ControlError::InvalidState(s) | ControlError::BadParameter(s) => f.write_str(s),
            ControlError::NoSuchMessage(id) => write!(f, "no message #{id} is in flight"),
            ControlError::BadCommand(s) => write!(f, "bad command: {s}"),
            ControlError::InThePast { at, now } => write!(
                f,
                "action at {} is before the current time {}",
                crate::format_time(*at),
                crate::format_time(*now)
            ),
            ControlError::WrongCheckpoint => f.write_str("checkpoint belongs to another lab"),
        }
    }
}

impl std::error::Error for ControlError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(json: &str) -> Result<TimedAction, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_action_round_trips_through_json() {
        let all = vec![
            Action::Crash { node: 1 },
            Action::Restart { node: 1 },
            Action::Timeout { node: 3 },
            Action::Partition {
                groups: vec![vec![0, 1], vec![2]],
            },
            Action::Heal,
            Action::Cut { from: 0, to: 2 },
            Action::Loss {
                p: 0.25,
                from: Some(1),
                to: None,
            },
            Action::Duplicate {
                p: 0.5,
                from: None,
                to: None,
            },
            Action::Latency {
                latency: Latency::Constant(5_000),
                from: None,
                to: Some(3),
            },
            Action::DropMessage { id: 17 },
            Action::Client {
                node: 2,
                command: "set x=1".into(),
            },
        ];
        for action in all {
            let t = TimedAction { at: 1_500, action };
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(timed(&json).unwrap(), t, "{json}");
        }
    }

    #[test]
    fn a_bad_action_says_exactly_what_is_wrong() {
        let cases = [
            (
                r#"{"at":"1s","do":"explode"}"#,
                "unknown action \"explode\"",
            ),
            (
                r#"{"at":"1s","do":"crash"}"#,
                "action \"crash\" needs \"node\"",
            ),
            (
                r#"{"at":"1s","do":"crash","node":1,"p":0.5}"#,
                "action \"crash\" does not take \"p\"",
            ),
            (r#"{"do":"heal"}"#, "needs \"at\""),
            (r#"{"at":"1s","do":"heal","colour":1}"#, "unknown field"),
            (r#"{"at":"soon","do":"heal"}"#, "soon"),
        ];
        for (json, want) in cases {
            let err = timed(json).unwrap_err();
            assert!(err.contains(want), "{json}: {err}");
        }
        let plain: Result<Action, _> = serde_json::from_str(r#"{"at":"1s","do":"heal"}"#);
        assert!(plain.is_err(), "a bare action has no time");
    }
}
