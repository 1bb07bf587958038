//! User actions: what a learner does with the mouse, what a scenario file schedules, and what a
//! shared link replays. One serde type for all three, so they are interchangeable.

use crate::NodeId;
use crate::net::Latency;
use crate::time::{Time, serde_duration};
use crate::trace::MsgId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One user action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
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
pub struct TimedAction {
    /// When, e.g. `"1.5s"` or an integer of µs.
    #[serde(with = "serde_duration")]
    pub at: Time,
    /// What.
    #[serde(flatten)]
    pub action: Action,
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
