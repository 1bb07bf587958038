//! Gossip broadcast: the smallest protocol that exercises every part of the engine.
//!
//! A client asks one node to broadcast a value. That node stores it, persists it, and pushes it
//! to every peer; each node that learns a value for the first time does the same — eager
//! reliable broadcast by flooding (Cachin, Guerraoui & Rodrigues, *Introduction to Reliable and
//! Secure Distributed Programming*, 2011, §3.3, "Eager Reliable Broadcast"). Flooding alone
//! cannot repair a loss or a partition, so each node also runs anti-entropy: on a randomized
//! timer it pushes its whole set to one random peer (Demers et al., "Epidemic Algorithms for
//! Replicated Database Maintenance", PODC 1987, §1.3), which makes all live nodes converge once
//! the network heals.
//!
//! The `volatile` variant keeps values only in memory: a deliberate bug that the
//! [`Durability`] invariant catches as soon as a node that knew a value crashes and restarts.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};
use splitbrain_sim::{
    Cx, Describe, Duration, Invariant, NodeId, NodeView, Process, World, format_time, ms,
};
use std::collections::BTreeSet;

/// Lab name in the registry, the CLI and links.
pub const LAB: &str = "broadcast";

/// Which implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Values are persisted before they are forwarded.
    #[default]
    Correct,
    /// Bug: values live only in memory and vanish on a crash.
    Volatile,
}

/// Settings of a broadcast run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Shortest anti-entropy period; `0` together with `anti_entropy_max = 0` turns it off, which
    /// leaves pure flooding (a loss is then permanent: useful in exact tests).
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub anti_entropy_min: Duration,
    /// Longest anti-entropy period.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub anti_entropy_max: Duration,
    /// Correct or deliberately buggy.
    pub variant: Variant,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            anti_entropy_min: ms(400),
            anti_entropy_max: ms(600),
            variant: Variant::Correct,
        }
    }
}

impl Params {
    /// Checks ranges so a bad file gives a clear error.
    pub fn validate(&self) -> Result<(), String> {
        if self.anti_entropy_min > self.anti_entropy_max {
            return Err(format!(
                "anti_entropy_min ({}) is larger than anti_entropy_max ({})",
                format_time(self.anti_entropy_min),
                format_time(self.anti_entropy_max)
            ));
        }
        if self.anti_entropy_max != 0 && self.anti_entropy_min < ms(1) {
            return Err("anti_entropy_min must be at least 1ms (or both 0 to turn it off)".into());
        }
        if self.anti_entropy_max > splitbrain_sim::limits::MAX_LATENCY {
            return Err("anti_entropy_max must be at most 1 hour".into());
        }
        Ok(())
    }

    fn anti_entropy(&self) -> bool {
        self.anti_entropy_max > 0
    }
}

/// Messages between nodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Eager push of one newly learnt value.
    Gossip {
        /// The value.
        value: u64,
    },
    /// Anti-entropy push of everything the sender knows.
    Digest {
        /// Every value the sender knows, ascending.
        values: Vec<u64>,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::Gossip { value } => format!("gossip {value}"),
            Msg::Digest { values } => format!(
                "digest ({})",
                splitbrain_sim::words::count(values.len(), "value")
            ),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Gossip { .. } => "gossip",
            Msg::Digest { .. } => "digest",
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Time to push our set to a random peer.
    AntiEntropy,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::AntiEntropy => write!(f, "anti-entropy"),
        }
    }
}

/// Client commands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// Broadcast this value to every node.
    Broadcast(u64),
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Broadcast(v) => write!(f, "broadcast {v}"),
        }
    }
}

/// What survives a crash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Every value this node has learnt.
    pub values: BTreeSet<u64>,
}
splitbrain_sim::whole_storage!(Durable);

/// One node.
#[derive(Debug, Clone)]
pub struct Node {
    params: Params,
    values: BTreeSet<u64>,
    /// Volatile statistic, lost on crash.
    received: u64,
}

impl Node {
    /// A node with these settings.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            values: BTreeSet::new(),
            received: 0,
        }
    }

    /// Values this node knows.
    pub fn values(&self) -> &BTreeSet<u64> {
        &self.values
    }

    /// Stores a new value and floods it to everyone but `except`. Returns whether it was new.
    fn learn(&mut self, value: u64, except: Option<NodeId>, cx: &mut Cx<'_, Self>) -> bool {
        if !self.values.insert(value) {
            return false;
        }
        if self.params.variant == Variant::Correct {
            // Persist before forwarding, so a value we told others about is never forgotten.
            cx.persist(Durable {
                values: self.values.clone(),
            });
        }
        for peer in cx.peers().collect::<Vec<_>>() {
            if Some(peer) != except {
                cx.send(peer, Msg::Gossip { value });
            }
        }
        true
    }

    fn arm(&self, cx: &mut Cx<'_, Self>) {
        if self.params.anti_entropy() {
            cx.set_timer(
                Timer::AntiEntropy,
                self.params.anti_entropy_min,
                self.params.anti_entropy_max,
            );
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Command;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        self.values = durable.values.clone();
        self.arm(cx);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        self.received += 1;
        match msg {
            Msg::Gossip { value } => {
                self.learn(value, Some(from), cx);
            }
            Msg::Digest { values } => {
                // Anti-entropy merges without re-flooding: the next digests spread it further.
                let before = self.values.len();
                self.values.extend(values);
                if self.values.len() != before {
                    cx.note(format!(
                        "anti-entropy from n{from}: +{}",
                        self.values.len() - before
                    ));
                    if self.params.variant == Variant::Correct {
                        cx.persist(Durable {
                            values: self.values.clone(),
                        });
                    }
                }
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        match timer {
            Timer::AntiEntropy => {
                if !self.values.is_empty()
                    && let Some(peer) = cx.random_peer()
                {
                    cx.send(
                        peer,
                        Msg::Digest {
                            values: self.values.iter().copied().collect(),
                        },
                    );
                }
                self.arm(cx);
            }
        }
    }

    fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Self>) {
        match cmd {
            Command::Broadcast(v) => {
                if !self.learn(v, None, cx) {
                    cx.note(format!("{v} already known"));
                }
            }
        }
    }

    fn on_crash(&self) -> Option<String> {
        Some(format!(
            "lost its count of {} received messages",
            self.received
        ))
    }

    fn parse_command(text: &str) -> Result<Command, String> {
        let mut words = text.split_whitespace();
        let (verb, arg) = match (words.next(), words.next(), words.next()) {
            (Some(v), Some(a), None) => (v, a),
            (Some(a), None, None) => ("broadcast", a),
            _ => return Err(format!("expected `broadcast <number>`, got {text:?}")),
        };
        if verb != "broadcast" {
            return Err(format!(
                "unknown command {verb:?}: expected `broadcast <number>`"
            ));
        }
        arg.parse()
            .map(Command::Broadcast)
            .map_err(|_| format!("{arg:?} is not a whole number from 0 to 2^64-1"))
    }

    fn view(&self) -> NodeView {
        let shown: Vec<String> = self.values.iter().take(12).map(|v| v.to_string()).collect();
        let mut list = shown.join(", ");
        if self.values.len() > 12 {
            list.push_str(", …");
        }
        NodeView {
            role: "node".into(),
            summary: splitbrain_sim::words::count(self.values.len(), "value"),
            fields: vec![
                ("values".into(), list),
                ("messages received".into(), self.received.to_string()),
            ],
        }
    }

    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let all: BTreeSet<u64> = (0..world.len())
            .filter_map(|i| world.node(i))
            .flat_map(|n| n.values.iter().copied())
            .collect();
        let per_node: Vec<Option<usize>> = (0..world.len())
            .map(|i| world.node(i).map(|n| n.values.len()))
            .collect();
        let converged = world.up().all(|(_, n)| n.values == all);
        serde_json::json!({
            "values": all.len(),
            "known_per_node": per_node,
            "converged": converged,
        })
    }
}

/// Durability: a value a node has learnt is still known after it restarts (the point of
/// persisting before forwarding, §3.3's "no creation, no duplication" plus crash-recovery).
#[derive(Debug, Clone, Default)]
pub struct Durability {
    seen: Vec<BTreeSet<u64>>,
}

impl Invariant<Node> for Durability {
    fn name(&self) -> &'static str {
        "Durability"
    }
    fn source(&self) -> &'static str {
        "Cachin et al. 2011, §3.3 (eager reliable broadcast, crash-recovery)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        if self.seen.len() != world.len() {
            self.seen = vec![BTreeSet::new(); world.len()];
        }
        let mut out = Vec::new();
        let nodes: Vec<(NodeId, &Node)> = match world.touched {
            Some(id) => world.node(id).map(|n| (id, n)).into_iter().collect(),
            None => world.up().collect(),
        };
        for (id, node) in nodes {
            let seen = &mut self.seen[id];
            if let Some(lost) = seen.difference(&node.values).next() {
                out.push((
                    vec![id],
                    format!("node {id} forgot value {lost} it had learnt"),
                ));
            }
            // Cheap: sets only grow in the correct protocol, so compare sizes first.
            if node.values.len() != seen.len() || !node.values.is_superset(seen) {
                seen.extend(node.values.iter().copied());
            }
        }
        out
    }
}

/// Every invariant of the broadcast lab.
pub fn invariants() -> Vec<Box<dyn Invariant<Node>>> {
    vec![Box::new(Durability::default())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_sim::{Effect, SimRng};

    fn run<F: FnOnce(&mut Node, &mut Cx<'_, Node>)>(node: &mut Node, f: F) -> Vec<Effect<Node>> {
        let mut rng = SimRng::derive(0, 0, 0);
        let mut effects = Vec::new();
        let mut cx = Cx::new(1, 3, 0, &mut rng, &mut effects);
        f(node, &mut cx);
        effects
    }

    #[test]
    fn eager_broadcast_persists_then_floods_to_all_peers() {
        let mut n = Node::new(Params::default());
        let fx = run(&mut n, |n, cx| n.on_command(Command::Broadcast(7), cx));
        assert!(matches!(&fx[0], Effect::Persist(d) if d.values.contains(&7)));
        let sends: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some((*to, msg.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            sends,
            vec![(0, Msg::Gossip { value: 7 }), (2, Msg::Gossip { value: 7 })]
        );
    }

    #[test]
    fn eager_broadcast_forwards_new_values_except_to_sender_and_drops_repeats() {
        let mut n = Node::new(Params::default());
        let fx = run(&mut n, |n, cx| {
            n.on_message(0, Msg::Gossip { value: 3 }, cx)
        });
        assert_eq!(
            fx.iter()
                .filter(|e| matches!(e, Effect::Send { to: 2, .. }))
                .count(),
            1
        );
        assert_eq!(
            fx.iter()
                .filter(|e| matches!(e, Effect::Send { to: 0, .. }))
                .count(),
            0
        );
        let again = run(&mut n, |n, cx| {
            n.on_message(2, Msg::Gossip { value: 3 }, cx)
        });
        assert!(again.is_empty());
    }

    #[test]
    fn volatile_variant_never_persists() {
        let mut n = Node::new(Params {
            variant: Variant::Volatile,
            ..Params::default()
        });
        let fx = run(&mut n, |n, cx| n.on_command(Command::Broadcast(1), cx));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Persist(_))));
    }

    #[test]
    fn anti_entropy_timer_rearms_and_pushes_to_another_node() {
        let mut n = Node::new(Params::default());
        n.values.insert(5);
        let fx = run(&mut n, |n, cx| n.on_timer(Timer::AntiEntropy, cx));
        assert!(fx.iter().any(|e| matches!(e, Effect::Send { to, msg: Msg::Digest { values } } if *to != 1 && values == &vec![5])));
        assert!(fx.iter().any(
            |e| matches!(e, Effect::SetTimer { min, max, .. } if *min == ms(400) && *max == ms(600))
        ));
    }

    #[test]
    fn commands_parse_or_explain() {
        assert_eq!(
            Node::parse_command("broadcast 4"),
            Ok(Command::Broadcast(4))
        );
        assert_eq!(Node::parse_command("9"), Ok(Command::Broadcast(9)));
        assert!(Node::parse_command("set x 1").is_err());
        assert!(Node::parse_command("broadcast -1").is_err());
        assert!(Node::parse_command("").is_err());
    }
}
