//! One server of the quorum store (and, in the slots after the servers, one client): its
//! messages, timers and storage, and the `Process` glue that hands each event to the
//! coordinator's part (`coordinator.rs`) or the replica's (`replica.rs`).

use crate::Params;
use crate::coordinator::{Finished, Pending};
use crate::placement::Placement;
use crate::version::{Version, Versioned, Writer};
use splitbrain_kv::Cmd;
use splitbrain_kv::client::{Answer, Client};
use splitbrain_kv::host;
use splitbrain_sim::{Cx, Describe, Fact, NodeId, NodeView, Process, Time, World};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::rc::Rc;

/// Messages between clients, coordinators and replicas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// A client's request (a [`Cmd::Session`]) to the server it picked as coordinator.
    Request {
        /// The numbered operation.
        cmd: Cmd,
        /// When the client sent it, by its clock: a set's version (client-side timestamps, as
        /// Cassandra's drivers make them), so a write invoked after another completed always
        /// wins over it, and a duplicated or late copy of a request writes nothing new.
        sent: Time,
    },
    /// The coordinator's answer.
    Response {
        /// The client's number for the request.
        seq: u64,
        /// The answer.
        answer: Answer,
    },
    /// Coordinator → replica: your version of `key`.
    Read {
        /// The coordinator's request number.
        op: u64,
        /// The key.
        key: Rc<str>,
        /// Asked as a stand-in for this server (sloppy quorum): answer from its hints.
        hint: Option<NodeId>,
    },
    /// Replica → coordinator: its version, `None` if it has none.
    ReadReply {
        /// The coordinator's request number.
        op: u64,
        /// The key.
        key: Rc<str>,
        /// What it holds.
        value: Option<Versioned>,
    },
    /// Coordinator → replica: store this version if it is newer than yours.
    Write {
        /// The coordinator's request number.
        op: u64,
        /// The key.
        key: Rc<str>,
        /// The version.
        value: Versioned,
        /// Stored as a hint for this server (sloppy quorum, §4.6).
        hint: Option<NodeId>,
        /// A read repair, not a client's write.
        repair: bool,
    },
    /// Replica → coordinator: stored (or already had something newer).
    Written {
        /// The coordinator's request number.
        op: u64,
        /// The key.
        key: Rc<str>,
        /// Acknowledging a read repair.
        repair: bool,
    },
    /// A stand-in hands a hinted version back to the server it was meant for (§4.6).
    Handoff {
        /// The key.
        key: Rc<str>,
        /// The version.
        value: Versioned,
    },
    /// The server took it back: the stand-in may forget its hint.
    HandedOff {
        /// The key.
        key: Rc<str>,
        /// The version taken.
        version: Version,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        let hinted =
            |h: &Option<NodeId>| h.map(|h| format!(" (hint for n{h})")).unwrap_or_default();
        match self {
            Msg::Request { cmd, .. } => cmd.op().to_string(),
            Msg::Response { answer, .. } => answer.to_string(),
            Msg::Read { key, hint, .. } => format!("read {key}{}", hinted(hint)),
            Msg::ReadReply { key, value, .. } => match value {
                Some(v) => format!("{key} = {v}"),
                None => format!("{key}: none"),
            },
            Msg::Write {
                key,
                value,
                hint,
                repair,
                ..
            } => format!(
                "{} {key}={}{}",
                if *repair { "repair" } else { "write" },
                value.value,
                hinted(hint)
            ),
            Msg::Written { key, .. } => format!("stored {key}"),
            Msg::Handoff { key, value } => format!("hand back {key}={}", value.value),
            Msg::HandedOff { key, .. } => format!("took back {key}"),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } | Msg::Response { .. } => "client",
            Msg::Read { .. } | Msg::ReadReply { .. } => "read",
            Msg::Write { repair: false, .. } | Msg::Written { repair: false, .. } => "write",
            _ => "repair",
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A coordinated request's wait for replies ran out.
    Request(u64),
    /// Time to try handing hints back.
    Handoff,
    /// A client's time-out or pause.
    Client,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timer::Request(op) => write!(f, "request #{op}"),
            Timer::Handoff => write!(f, "hinted handoff"),
            Timer::Client => write!(f, "client"),
        }
    }
}

/// What survives a crash: the replica's store and the hints it keeps for others (Dynamo's
/// storage engines are durable, §4.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Key → newest version stored.
    pub store: BTreeMap<Rc<str>, Versioned>,
    /// (server it is meant for, key) → version kept for it.
    pub hints: BTreeMap<(NodeId, Rc<str>), Versioned>,
}
splitbrain_sim::whole_storage!(Durable);

/// Finished requests a coordinator remembers for the panel.
const RECENT: usize = 8;

/// One server, or one client.
#[derive(Debug, Clone)]
pub struct Node {
    pub(crate) params: Params,
    pub(crate) placement: Rc<Placement>,
    pub(crate) id: NodeId,
    pub(crate) data: Durable,
    pub(crate) pending: BTreeMap<u64, Pending>,
    pub(crate) next_op: u64,
    pub(crate) last_version: Time,
    /// Servers that did not answer in time, until when (a crude local failure detector,
    /// §4.8.3: "node A may consider node B failed if node B does not respond").
    pub(crate) suspect: BTreeMap<NodeId, Time>,
    pub(crate) recent: VecDeque<Finished>,
    pub(crate) answered: u64,
    pub(crate) unavailable: u64,
    /// The hand-back timer runs (only while hints are kept, so a quiet cluster has no timers).
    pub(crate) handing_off: bool,
    pub(crate) client: Option<Box<Client>>,
}

impl Node {
    /// Server `id` of `servers`.
    pub fn new(params: Params, id: NodeId, servers: usize) -> Node {
        let placement = Rc::new(Placement::new(servers, params.replicas));
        Node {
            params,
            placement,
            id,
            data: Durable::default(),
            pending: BTreeMap::new(),
            next_op: 0,
            last_version: 0,
            suspect: BTreeMap::new(),
            recent: VecDeque::new(),
            answered: 0,
            unavailable: 0,
            handing_off: false,
            client: None,
        }
    }

    /// Key → newest version this server stores.
    pub fn store(&self) -> &BTreeMap<Rc<str>, Versioned> {
        &self.data.store
    }

    /// The versions it keeps for servers it stands in for.
    pub fn hints(&self) -> &BTreeMap<(NodeId, Rc<str>), Versioned> {
        &self.data.hints
    }

    /// Where keys live.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// The settings.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The requests this server coordinated last, oldest first.
    pub fn recent(&self) -> impl Iterator<Item = &Finished> {
        self.recent.iter()
    }

    pub(crate) fn remember(&mut self, done: Finished) {
        if self.recent.len() >= RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(done);
    }

    pub(crate) fn suspected(&self, node: NodeId, now: Time) -> bool {
        self.suspect.get(&node).is_some_and(|until| *until > now)
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Cmd;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::start(c, cx);
        }
        self.id = cx.id();
        self.data = durable.clone();
        // Request numbers from the clock, so a late answer to a request from before a crash
        // never matches a new one.
        self.next_op = self.next_op.max(cx.now());
        self.last_version = self.last_version.max(cx.now());
        self.handing_off = false;
        self.arm_handoff(cx);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::message(c, from, &msg, cx);
        }
        // Heard from: no longer suspected.
        self.suspect.remove(&from);
        match msg {
            Msg::Request { cmd, sent } => {
                let (reply_to, stamp) = match &cmd {
                    Cmd::Session { client, seq, .. } => (
                        Some((from, *seq)),
                        Some(Version {
                            at: sent,
                            by: Writer::Client(*client),
                        }),
                    ),
                    _ => (None, None),
                };
                self.coordinate(reply_to, stamp, cmd.op().clone(), cx);
            }
            Msg::Response { .. } => {}
            Msg::Read { op, key, hint } => {
                let value = self.lookup(&key, hint).cloned();
                cx.send(from, Msg::ReadReply { op, key, value });
            }
            Msg::ReadReply { op, value, .. } => self.on_read_reply(op, from, value, cx),
            Msg::Write {
                op,
                key,
                value,
                hint,
                repair,
            } => {
                self.keep(&key, value, hint, cx);
                cx.send(from, Msg::Written { op, key, repair });
            }
            Msg::Written { op, .. } => self.on_ack(op, from, cx),
            Msg::Handoff { key, value } => {
                let version = value.version;
                self.keep(&key, value, None, cx);
                cx.send(from, Msg::HandedOff { key, version });
            }
            Msg::HandedOff { key, version } => self.handed_off(from, key, version, cx),
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::timer(c, &timer, cx);
        }
        match timer {
            Timer::Request(op) => self.expire(op, cx),
            Timer::Handoff => self.hand_off(cx),
            Timer::Client => {}
        }
    }

    fn on_command(&mut self, cmd: Cmd, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::command(c, cmd, cx);
        }
        self.coordinate(None, None, cmd.op().clone(), cx);
    }

    fn on_crash(&self) -> Option<String> {
        if let Some(c) = self.client.as_deref() {
            return Some(format!("{} lost what it was waiting for", c.name()));
        }
        (!self.pending.is_empty()).then(|| {
            format!(
                "dropped {} it was coordinating",
                splitbrain_sim::words::count(self.pending.len(), "request")
            )
        })
    }

    /// Get and set only: Dynamo's interface is `get()` and `put()` (§4), with no atomic
    /// read-modify-write to offer.
    fn parse_command(text: &str) -> Result<Cmd, String> {
        match Cmd::parse(text)? {
            c @ (Cmd::Get { .. } | Cmd::Set { .. }) => Ok(c),
            _ => Err(format!(
                "the quorum store has only `get key` and `set key=value` (Dynamo offers get and put, no atomic operations), got {:?}",
                splitbrain_sim::words::clip(text, 40)
            )),
        }
    }

    fn view(&self) -> NodeView {
        if let Some(c) = self.client.as_deref() {
            return host::view(c);
        }
        crate::replica::view(self)
    }

    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        crate::replica::summarize(world)
    }

    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let servers = || world.up().filter(|(_, n)| n.client.is_none());
        match fact {
            Fact::Progress => Some(servers().map(|(_, n)| n.answered).sum::<u64>() as f64),
            Fact::Unavailable => Some(servers().map(|(_, n)| n.unavailable).sum::<u64>() as f64),
            _ => None,
        }
    }
}
