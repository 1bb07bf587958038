//! The record of a run: every send, delivery, drop, timer, fault and note, in order.
//!
//! Each message keeps its id, sender, receiver, send time and fate, which is what a time-space
//! (Lamport) diagram needs. Memory is bounded: past the capacity the oldest events are dropped,
//! while the running trace hash still covers every event ever recorded.

use crate::NodeId;
use crate::hash::StableHasher;
use crate::process::{Describe, Process};
use crate::time::{Time, format_time};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

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

/// Every event type a [`TraceLine`] can name, so a line read back from JSON (the page's
/// diagram worker, a saved trace) names its type with the same `&'static str` as one made here.
pub const EVENT_TYPES: &[&str] = &[
    "start",
    "sent",
    "duplicated",
    "delivered",
    "dropped",
    "timer-set",
    "timer-fired",
    "timer-cancelled",
    "command",
    "persist",
    "crash",
    "restart",
    "partition",
    "cut",
    "heal",
    "link",
    "note",
    "skipped",
    "violation",
];

/// A [`TraceLine`] as JSON gives it, before its event type is checked against
/// [`EVENT_TYPES`].
#[derive(Deserialize, Default)]
#[serde(default)]
struct JsonLine {
    i: u64,
    t: Time,
    ev: String,
    node: Option<NodeId>,
    id: Option<MsgId>,
    from: Option<NodeId>,
    to: Option<NodeId>,
    at: Option<Time>,
    kind: Option<String>,
    text: String,
    short: String,
    groups: Option<Vec<Vec<NodeId>>>,
}

impl<'de> Deserialize<'de> for TraceLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::try_from(JsonLine::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<JsonLine> for TraceLine {
    type Error = String;

    fn try_from(l: JsonLine) -> Result<Self, String> {
        let Some(ev) = EVENT_TYPES.iter().find(|e| **e == l.ev).copied() else {
            return Err(format!("unknown event type {:?}", l.ev));
        };
        Ok(Self {
            i: l.i,
            t: l.t,
            ev,
            node: l.node,
            id: l.id,
            from: l.from,
            to: l.to,
            at: l.at,
            kind: l.kind,
            text: l.text,
            short: l.short,
            groups: l.groups,
        })
    }
}

/// A trace event in a serialisable, lab-independent form: one line of the JSON-lines export and
/// what the UI's event log and time-space diagram read. It reads back from its JSON, so the
/// page can hand lines to a worker.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TraceLine {
    /// Position in the run's trace.
    pub i: u64,
    /// Virtual time in µs.
    pub t: Time,
    /// Event type: `sent`, `delivered`, `dropped`, `timer-set`, `crash`, ... (one of
    /// [`EVENT_TYPES`]).
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
    /// A message's short label, as the animation shows it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub short: String,
    /// A partition's groups (the nodes in none of them form one more group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Vec<NodeId>>>,
}

impl<P: Process> TraceEvent<P> {
    /// The lab-independent form of this event.
    pub fn line(&self) -> TraceLine {
        let mut l = TraceLine {
            i: self.index,
            t: self.time,
            ..TraceLine::default()
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
                l.short = msg.short();
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
                l.text = timer.to_string();
            }
            TraceKind::TimerFired { node, timer } => {
                l.ev = "timer-fired";
                l.node = Some(*node);
                l.text = timer.to_string();
            }
            TraceKind::TimerCancelled { node, timer } => {
                l.ev = "timer-cancelled";
                l.node = Some(*node);
                l.text = timer.to_string();
            }
            TraceKind::Command { node, cmd } => {
                l.ev = "command";
                l.node = Some(*node);
                l.text = cmd.to_string();
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
                l.text = crate::words::groups_in_words(groups);
                l.groups = Some(groups.clone());
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

/// Events per sealed chunk of a [`Trace`]. Sealed chunks are immutable and shared, so a
/// checkpoint of the run holds pointers to them instead of a copy of every event.
const CHUNK: usize = 256;

/// A bounded trace with a running hash over everything ever recorded.
///
/// Events live in sealed chunks of [`CHUNK`] (behind `Rc`, never changed again) plus one open
/// chunk being filled. Cloning a trace, as every checkpoint of the run does, copies at most one
/// chunk's events; the rest is shared with the original.
#[derive(Debug)]
pub struct Trace<P: Process> {
    sealed: VecDeque<Rc<[TraceEvent<P>]>>,
    open: Vec<TraceEvent<P>>,
    /// Events at the front of the first chunk that are no longer held (past the capacity).
    skip: usize,
    capacity: usize,
    recorded: u64,
    hasher: StableHasher,
}

impl<P: Process> Clone for Trace<P> {
    fn clone(&self) -> Self {
        Self {
            sealed: self.sealed.clone(),
            open: self.open.clone(),
            skip: self.skip,
            capacity: self.capacity,
            recorded: self.recorded,
            hasher: self.hasher.clone(),
        }
    }
}

impl<P: Process> Trace<P> {
    /// Events kept even when a capacity of 0 is asked for, so a violation can always quote the
    /// event that caused it.
    pub const MIN_CAPACITY: usize = 64;

    /// A trace keeping at most `capacity` events (at least [`Self::MIN_CAPACITY`]).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(Self::MIN_CAPACITY);
        Self {
            sealed: VecDeque::new(),
            open: Vec::with_capacity(CHUNK),
            skip: 0,
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
        self.open.push(ev);
        if self.open.len() == CHUNK {
            let full = std::mem::replace(&mut self.open, Vec::with_capacity(CHUNK));
            self.sealed.push_back(full.into());
        }
        self.trim(self.capacity);
    }

    /// Forgets the oldest events until at most `keep` are held.
    fn trim(&mut self, keep: usize) {
        let excess = self.len().saturating_sub(keep);
        if excess == 0 {
            return;
        }
        self.skip += excess;
        while let Some(first) = self.sealed.front() {
            if self.skip < first.len() {
                break;
            }
            self.skip -= first.len();
            self.sealed.pop_front();
        }
    }

    /// A copy holding only the newest `keep` events (at least [`Self::MIN_CAPACITY`]), sharing
    /// its sealed chunks with this one: what a checkpoint keeps, so a thousand checkpoints of a
    /// long run do not each hold the whole kept trace. The hash and count still cover every event.
    pub fn tail_copy(&self, keep: usize) -> Self {
        let mut copy = self.clone();
        copy.trim(keep.max(Self::MIN_CAPACITY));
        copy
    }

    /// Events held, and so what [`Self::events`] yields.
    fn len(&self) -> usize {
        self.sealed.len() * CHUNK + self.open.len() - self.skip
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
        self.recorded - self.len() as u64
    }

    /// Whether this trace and `other` hold the same sealed chunk of events at their front:
    /// checkpoints share, rather than copy, what they keep (a test of that promise).
    pub fn shares_chunks_with(&self, other: &Self) -> bool {
        self.sealed
            .iter()
            .any(|c| other.sealed.iter().any(|o| Rc::ptr_eq(c, o)))
    }

    /// The events still held, oldest first.
    pub fn events(&self) -> Events<'_, P> {
        Events {
            trace: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The `i`-th held event (0 = oldest held).
    fn get(&self, i: usize) -> &TraceEvent<P> {
        let abs = self.skip + i;
        let (c, at) = (abs / CHUNK, abs % CHUNK);
        match self.sealed.get(c) {
            Some(chunk) => &chunk[at],
            None => &self.open[abs - self.sealed.len() * CHUNK],
        }
    }
}

/// The events a [`Trace`] holds, oldest first; double-ended and of known length.
pub struct Events<'a, P: Process> {
    trace: &'a Trace<P>,
    front: usize,
    back: usize,
}

impl<'a, P: Process> Iterator for Events<'a, P> {
    type Item = &'a TraceEvent<P>;

    fn next(&mut self) -> Option<Self::Item> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.trace.get(self.front - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl<P: Process> DoubleEndedIterator for Events<'_, P> {
    fn next_back(&mut self) -> Option<Self::Item> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.trace.get(self.back)
        })
    }
}

impl<P: Process> ExactSizeIterator for Events<'_, P> {}
