//! Ping-pong: every node keeps a fixed number of pings outstanding to random peers and answers
//! every ping with a pong. The work per event is constant forever, which makes it the engine's
//! throughput benchmark (`splitbrain bench`) and a stress test for timers: a ping with no pong
//! after the timeout is given up and replaced (timeout and retransmit, as in any
//! request/response protocol over an unreliable network); a late or duplicated pong is counted
//! as stale and ignored.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};
use splitbrain_sim::{
    Cx, Describe, Duration, Invariant, NodeId, NodeView, Process, Time, World, ms,
};
use std::collections::BTreeMap;

/// Lab name in the registry, the CLI and links.
pub const LAB: &str = "ping";

/// Settings of a ping run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Pings each node keeps in flight.
    pub outstanding: u32,
    /// Retry timeout: a node that got no pong for this long sends a fresh ping.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub timeout: Duration,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            outstanding: 1,
            timeout: ms(500),
        }
    }
}

impl Params {
    /// Checks ranges so a bad file gives a clear error.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=64).contains(&self.outstanding) {
            return Err(format!(
                "outstanding must be 1..=64, got {}",
                self.outstanding
            ));
        }
        if self.timeout < ms(1) || self.timeout > splitbrain_sim::limits::MAX_LATENCY {
            return Err("timeout must be between 1ms and 1 hour".into());
        }
        Ok(())
    }
}

/// Messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Please answer.
    Ping {
        /// Sender's sequence number.
        seq: u64,
    },
    /// The answer.
    Pong {
        /// The ping's sequence number.
        seq: u64,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::Ping { seq } => format!("ping {seq}"),
            Msg::Pong { seq } => format!("pong {seq}"),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Ping { .. } => "ping",
            Msg::Pong { .. } => "pong",
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// No pong for a while: send a fresh ping.
    Retry,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Retry => write!(f, "retry"),
        }
    }
}

/// Commands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// Send one extra ping to this node.
    Ping(u32),
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Ping(n) => write!(f, "ping {n}"),
        }
    }
}

/// What survives a crash: how many times the node has booted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Boots so far, including this one.
    pub boots: u64,
}
splitbrain_sim::whole_storage!(Durable);

/// One node.
#[derive(Debug, Clone)]
pub struct Node {
    params: Params,
    boots: u64,
    next_seq: u64,
    sent: u64,
    round_trips: u64,
    answered: u64,
    stale_replies: u64,
    retries: u64,
    /// Pings awaiting a pong: sequence number → send time.
    pending: BTreeMap<u64, Time>,
}

impl Node {
    /// A node with these settings.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            boots: 0,
            next_seq: 0,
            sent: 0,
            round_trips: 0,
            answered: 0,
            stale_replies: 0,
            retries: 0,
            pending: BTreeMap::new(),
        }
    }

    /// Completed round trips since the last boot.
    pub fn round_trips(&self) -> u64 {
        self.round_trips
    }

    fn ping(&mut self, to: NodeId, cx: &mut Cx<'_, Self>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.sent += 1;
        self.pending.insert(seq, cx.now());
        cx.send(to, Msg::Ping { seq });
    }

    fn ping_random(&mut self, cx: &mut Cx<'_, Self>) {
        if let Some(peer) = cx.random_peer() {
            self.ping(peer, cx);
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Command;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        self.boots = durable.boots + 1;
        cx.persist(Durable { boots: self.boots });
        for _ in 0..self.params.outstanding {
            self.ping_random(cx);
        }
        cx.set_timer(Timer::Retry, self.params.timeout, self.params.timeout);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        match msg {
            Msg::Ping { seq } => {
                self.answered += 1;
                cx.send(from, Msg::Pong { seq });
            }
            Msg::Pong { seq } => {
                if self.pending.remove(&seq).is_some() {
                    self.round_trips += 1;
                    self.ping_random(cx);
                } else {
                    // A duplicate, or the answer to a ping we already gave up on.
                    self.stale_replies += 1;
                }
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        match timer {
            Timer::Retry => {
                // Give up on pings older than the timeout and put replacements in flight.
                let cutoff = cx.now().saturating_sub(self.params.timeout);
                let expired: Vec<u64> = self
                    .pending
                    .iter()
                    .filter(|&(_, &t)| t <= cutoff)
                    .map(|(&s, _)| s)
                    .collect();
                for seq in expired {
                    self.pending.remove(&seq);
                    self.retries += 1;
                    self.ping_random(cx);
                }
                cx.set_timer(Timer::Retry, self.params.timeout, self.params.timeout);
            }
        }
    }

    fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Self>) {
        let Command::Ping(to) = cmd;
        self.ping(to as NodeId, cx);
    }

    fn parse_command(text: &str) -> Result<Command, String> {
        let mut w = text.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("ping"), Some(n), None) => n
                .parse()
                .map(Command::Ping)
                .map_err(|_| format!("{n:?} is not a node number")),
            _ => Err(format!("expected `ping <node>`, got {text:?}")),
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            role: "node".into(),
            summary: format!("{} round trips", self.round_trips),
            fields: vec![
                ("boots".into(), self.boots.to_string()),
                ("pings sent".into(), self.sent.to_string()),
                ("pongs received".into(), self.round_trips.to_string()),
                ("pings answered".into(), self.answered.to_string()),
                ("awaiting pong".into(), self.pending.len().to_string()),
                ("timed out".into(), self.retries.to_string()),
                ("stale replies".into(), self.stale_replies.to_string()),
            ],
        }
    }

    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let trips: u64 = world.up().map(|(_, n)| n.round_trips).sum();
        serde_json::json!({ "round_trips": trips })
    }
}

/// A node never counts more round trips than it sent pings since it booted: each pong is
/// matched to one pending ping, so duplicated or late pongs must not count.
#[derive(Debug, Clone, Default)]
pub struct PongsAnswerPings;

impl Invariant<Node> for PongsAnswerPings {
    fn name(&self) -> &'static str {
        "PongsAnswerPings"
    }
    fn source(&self) -> &'static str {
        "request/response: each reply answers one request"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let check = |id: NodeId, n: &Node| {
            (n.round_trips > n.sent).then(|| {
                (
                    vec![id],
                    format!("node {id} got {} pongs for {} pings", n.round_trips, n.sent),
                )
            })
        };
        match world.touched {
            Some(id) => world
                .node(id)
                .and_then(|n| check(id, n))
                .into_iter()
                .collect(),
            None => world.up().filter_map(|(id, n)| check(id, n)).collect(),
        }
    }
}

/// Every invariant of the ping lab.
pub fn invariants() -> Vec<Box<dyn Invariant<Node>>> {
    vec![Box::new(PongsAnswerPings)]
}
