//! The record of a run: every send, delivery, drop, timer, fault and note, in order.
//!
//! Each message keeps its id, sender, receiver, send time and fate, which is what a time-space
//! (Lamport) diagram needs. Memory is bounded: past the capacity the oldest events are dropped,
//! while the running trace hash still covers every event ever recorded.

use crate::NodeId;
use crate::hash::StableHasher;
use crate::process::{Describe, Process};
use crate::time::{Time, format_time};
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

/// Unique id of one message copy in a run (a duplicate gets its own id).
pub type MsgId = u64;

/// Why a message never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// The network lost it (link loss probability).
    Lost,
    /// The link was partitioned or cut when it was sent.
    Partitioned,
    /// The link was partitioned or cut while it was in flight.
    PartitionedInFlight,
    /// The receiver was down when it arrived.
    NodeDown,
    /// A user dropped it by hand.
    User,
    /// It was addressed to a node that does not exist (a protocol bug).
    NoSuchNode,
}

impl DropReason {
    /// Readable words for the log.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Lost => "lost",
            DropReason::Partitioned => "partitioned",
            DropReason::PartitionedInFlight => "partitioned in flight",
            DropReason::NodeDown => "node down",
            DropReason::User => "dropped by user",
            DropReason::NoSuchNode => "no such node",
        }
    }
}

/// What happened.
#[derive(Debug, Clone)]
pub enum TraceKind<P: Process> {
    /// A node started (first boot or restart).
    Start {
        /// The node.
        node: NodeId,
    },
    /// A message left its sender. `deliver_at` is `None` when it was dropped at once.
    Sent {
        /// Message id.
        id: MsgId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Scheduled arrival.
        deliver_at: Option<Time>,
        /// The message.
        msg: P::Msg,
    },
    /// The network delivered a second copy of message `of` as message `id`.
    Duplicated {
        /// Original id.
        of: MsgId,
        /// Id of the copy.
        id: MsgId,
        /// Arrival of the copy.
        deliver_at: Time,
    },
    /// A message arrived and was handled.
    Delivered {
        /// Message id.
        id: MsgId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
    },
    /// A message was dropped.
    Dropped {
        /// Message id.
        id: MsgId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Why.
        reason: DropReason,
    },
    /// A timer was armed.
    TimerSet {
        /// The node.
        node: NodeId,
        /// Which timer.
        timer: P::Timer,
        /// When it will fire.
        at: Time,
    },
    /// A timer fired.
    TimerFired {
        /// The node.
        node: NodeId,
        /// Which timer.
        timer: P::Timer,
    },
    /// A timer was disarmed before firing.
    TimerCancelled {
        /// The node.
        node: NodeId,
        /// Which timer.
        timer: P::Timer,
    },
    /// A client command reached a node.
    Command {
        /// The node.
        node: NodeId,
        /// The command.
        cmd: P::Command,
    },
    /// A node wrote stable storage.
    Persist {
        /// The node.
        node: NodeId,
    },
    /// A node crashed; `lost` is what the process says it lost.
    Crash {
        /// The node.
        node: NodeId,
        /// What the process reports losing.
        lost: Option<String>,
    },
    /// A crashed node came back.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// The network was split into groups.
    Partition {
        /// The groups (unnamed nodes form one more group).
        groups: Vec<Vec<NodeId>>,
    },
    /// One direction of one link was cut.
    Cut {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Every partition and cut was removed.
    Heal,
    /// Link settings changed.
    Link {
        /// Readable description of the change.
        change: String,
    },
    /// A note from a process.
    Note {
        /// The node.
        node: NodeId,
        /// The note.
        text: String,
    },
    /// A scheduled action could not run in the state the run was in (e.g. crash a node that
    /// is already down); the run goes on.
    Skipped {
        /// Why.
        reason: String,
    },
    /// An invariant was broken.
    Violation {
        /// Name of the invariant.
        invariant: &'static str,
        /// What it says.
        message: String,
    },
}

/// One recorded event.
#[derive(Debug, Clone)]
pub struct TraceEvent<P: Process> {
    /// Position in the whole run's trace (0-based), stable even after old events are dropped.
    pub index: u64,
    /// Virtual time.
    pub time: Time,
    /// What happened.
    pub kind: TraceKind<P>,
}

/// A trace event in a serialisable, lab-independent form: one line of the JSON-lines export and
/// what the UI's event log and time-space diagram read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceLine {
    /// Position in the run's trace.
    pub i: u64,
    /// Virtual time in µs.
    pub t: Time,
    /// Event type: `sent`, `delivered`, `dropped`, `timer-set`, `crash`, ...
    pub ev: &'static str,
    /// Node the event happened on, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    /// Message id, for message events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<MsgId>,
    /// Sender, for message events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NodeId>,
    /// Receiver, for message events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NodeId>,
    /// Scheduled time (arrival, or timer firing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Time>,
    /// Category (message kind, drop reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Readable detail.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl<P: Process> TraceEvent<P> {
    /// The lab-independent form of this event.
    pub fn line(&self) -> TraceLine {
        let mut l = TraceLine {
            i: self.index,
            t: self.time,
            ev: "",
            node: None,
            id: None,
            from: None,
            to: None,
            at: None,
            kind: None,
            text: String::new(),
        };
        match &self.kind {
            TraceKind::Start { node } => {
                l.ev = "start";
                l.node = Some(*node);
            }
            TraceKind::Sent {
                id,
                from,
                to,
                deliver_at,
                msg,
            } => {
                l.ev = "sent";
                (l.id, l.from, l.to, l.at) = (Some(*id), Some(*from), Some(*to), *deliver_at);
                l.kind = Some(msg.kind().to_string());
                l.text = msg.label();
            }
            TraceKind::Duplicated { of, id, deliver_at } => {
                l.ev = "duplicated";
                (l.id, l.at) = (Some(*id), Some(*deliver_at));
                l.text = format!("copy of #{of}");
            }
            TraceKind::Delivered { id, from, to } => {
                l.ev = "delivered";
                (l.id, l.from, l.to) = (Some(*id), Some(*from), Some(*to));
            }
            TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            } => {
                l.ev = "dropped";
                (l.id, l.from, l.to) = (Some(*id), Some(*from), Some(*to));
                l.kind = Some(reason.as_str().to_string());
            }
            TraceKind::TimerSet { node, timer, at } => {
                l.ev = "timer-set";
                (l.node, l.at) = (Some(*node), Some(*at));
                l.text = format!("{timer:?}");
            }
            TraceKind::TimerFired { node, timer } => {
                l.ev = "timer-fired";
                l.node = Some(*node);
                l.text = format!("{timer:?}");
            }
            TraceKind::TimerCancelled { node, timer } => {
                l.ev = "timer-cancelled";
                l.node = Some(*node);
                l.text = format!("{timer:?}");
            }
            TraceKind::Command { node, cmd } => {
                l.ev = "command";
                l.node = Some(*node);
                l.text = format!("{cmd:?}");
            }
            TraceKind::Persist { node } => {
                l.ev = "persist";
                l.node = Some(*node);
            }
            TraceKind::Crash { node, lost } => {
                l.ev = "crash";
                l.node = Some(*node);
                l.text = lost.clone().unwrap_or_default();
            }
            TraceKind::Restart { node } => {
                l.ev = "restart";
                l.node = Some(*node);
            }
            TraceKind::Partition { groups } => {
                l.ev = "partition";
                l.text = format!("{groups:?}");
            }
            TraceKind::Cut { from, to } => {
                l.ev = "cut";
                (l.from, l.to) = (Some(*from), Some(*to));
            }
            TraceKind::Heal => l.ev = "heal",
            TraceKind::Link { change } => {
                l.ev = "link";
                l.text = change.clone();
            }
            TraceKind::Note { node, text } => {
                l.ev = "note";
                l.node = Some(*node);
                l.text = text.clone();
            }
            TraceKind::Skipped { reason } => {
                l.ev = "skipped";
                l.text = reason.clone();
            }
            TraceKind::Violation { invariant, message } => {
                l.ev = "violation";
                l.kind = Some((*invariant).to_string());
                l.text = message.clone();
            }
        }
        l
    }

    /// One line of the readable transcript, e.g. `   1.25s  n0 -> n2  sent #4 gossip 7`.
    pub fn transcript(&self) -> String {
        let l = self.line();
        let mut s = format!("{:>12}  ", format_time(self.time));
        match (l.from, l.to, l.node) {
            (Some(f), Some(t), _) => {
                let _ = write!(s, "n{f} -> n{t}  ");
            }
            (_, _, Some(n)) => {
                let _ = write!(s, "n{n}  ");
            }
            _ => s.push_str("net  "),
        }
        s.push_str(l.ev);
        if let Some(id) = l.id {
            let _ = write!(s, " #{id}");
        }
        if !l.text.is_empty() {
            let _ = write!(s, " {}", l.text);
        }
        if let Some(k) = &l.kind
            && l.ev == "dropped"
        {
            let _ = write!(s, " ({k})");
        }
        if let Some(at) = l.at {
            let _ = write!(s, " @{}", format_time(at));
        }
        s
    }

    fn fold(&self, h: &mut StableHasher) {
        self.time.hash(h);
        match &self.kind {
            TraceKind::Start { node } => (0u8, node).hash(h),
            TraceKind::Sent {
                id,
                from,
                to,
                deliver_at,
                msg,
            } => {
                (1u8, id, from, to, deliver_at).hash(h);
                msg.hash(h);
            }
            TraceKind::Duplicated { of, id, deliver_at } => (2u8, of, id, deliver_at).hash(h),
            TraceKind::Delivered { id, from, to } => (3u8, id, from, to).hash(h),
            TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            } => (4u8, id, from, to, reason).hash(h),
            TraceKind::TimerSet { node, timer, at } => (5u8, node, timer, at).hash(h),
            TraceKind::TimerFired { node, timer } => (6u8, node, timer).hash(h),
            TraceKind::TimerCancelled { node, timer } => (7u8, node, timer).hash(h),
            TraceKind::Command { node, cmd } => (8u8, node, cmd).hash(h),
            TraceKind::Persist { node } => (9u8, node).hash(h),
            TraceKind::Crash { node, lost } => (10u8, node, lost).hash(h),
            TraceKind::Restart { node } => (11u8, node).hash(h),
            TraceKind::Partition { groups } => {
                // Not `groups.hash(h)`: std hashes a `[usize]` as raw memory, 4 bytes per id on
                // wasm32 and 8 on x86_64. Widen each id explicitly.
                12u8.hash(h);
                for g in groups {
                    (g.len() as u64).hash(h);
                    g.iter().for_each(|&n| (n as u64).hash(h));
                }
            }
            TraceKind::Cut { from, to } => (13u8, from, to).hash(h),
            TraceKind::Heal => 14u8.hash(h),
            TraceKind::Link { change } => (15u8, change).hash(h),
            TraceKind::Note { node, text } => (16u8, node, text).hash(h),
            TraceKind::Violation { invariant, message } => (17u8, invariant, message).hash(h),
            TraceKind::Skipped { reason } => (18u8, reason).hash(h),
        }
    }
}

/// A bounded trace with a running hash over everything ever recorded.
#[derive(Debug, Clone)]
pub struct Trace<P: Process> {
    events: VecDeque<TraceEvent<P>>,
    capacity: usize,
    recorded: u64,
    hasher: StableHasher,
}

impl<P: Process> Trace<P> {
    /// Events kept even when a capacity of 0 is asked for, so a violation can always quote the
    /// event that caused it.
    pub const MIN_CAPACITY: usize = 64;

    /// A trace keeping at most `capacity` events (at least [`Self::MIN_CAPACITY`]).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(Self::MIN_CAPACITY);
        Self {
            events: VecDeque::with_capacity(capacity.min(4_096)),
            capacity,
            recorded: 0,
            hasher: StableHasher::new(),
        }
    }

    /// Records one event.
    #[inline]
    pub fn push(&mut self, time: Time, kind: TraceKind<P>) {
        let ev = TraceEvent {
            index: self.recorded,
            time,
            kind,
        };
        ev.fold(&mut self.hasher);
        self.recorded += 1;
        if self.events.len() == self.capacity {
            self.events.pop_front();
        }
        self.events.push_back(ev);
    }

    /// Hash of every event recorded so far: equal hashes mean identical runs.
    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// How many events were ever recorded.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// How many old events were dropped to respect the capacity.
    pub fn dropped(&self) -> u64 {
        self.recorded - self.events.len() as u64
    }

    /// The events still held, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &TraceEvent<P>> + ExactSizeIterator {
        self.events.iter()
    }
}
