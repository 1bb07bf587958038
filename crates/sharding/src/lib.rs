//! The hashing lab: a sharded key-value store whose router places keys with one of
//! [`splitbrain_hashing`]'s algorithms, so learners watch what consistent hashing buys.
//!
//! Node 0 is the **router** (it also plays the clients). Nodes `1..n` are **server slots**: the
//! first `servers` are members at the start, the rest are spares that `add` brings in.
//!
//! - Clients `get` and `put` keys drawn uniformly or by Zipf's law from a sample of the key
//!   space. A get goes to the key's first replica and, on a miss or a timeout, to the next one
//!   in its preference list (Dynamo's §4.3 read path, DeCandia et al. 2007); a put goes to every
//!   replica and succeeds when one acknowledges.
//! - `add`, `remove N` and `weight N=W` change the membership. The router computes the new
//!   placement, measures over the whole key space (up to 1,000,000 keys) how many keys changed
//!   owner against the ideal share, and migrates the sampled keys as messages that carry them:
//!   `Migrate` orders a holder to send keys, `Transfer` carries them, `Moved` confirms, and once
//!   every flow has landed `Release` lets old holders drop what they no longer replicate. One
//!   change migrates at a time; later ones wait their turn, and reads fall back to the previous
//!   holders while keys are in flight.
//! - Servers keep their keys on disk: a crash makes them unavailable, not lost.
//!
//! The invariants ([`invariants`]) are the properties the papers promise: replica sets of R
//! distinct members, monotonicity for the algorithms that have it (Karger et al. 1997 §4.1), no
//! key ever lost by the protocol, and every replica holding its keys once a migration ends.
#![forbid(unsafe_code)]

pub mod invariants;
mod router;
mod server;

pub use router::{ChangeRecord, Config, NONE, ReplicaSets, Router, Stats};
pub use server::Storage;

use serde::{Deserialize, Serialize};
use splitbrain_hashing::metrics::decimal;
use splitbrain_hashing::{self as hashing, Placement, Settings};
use splitbrain_sim::{Cx, Describe, Duration, Fact, NodeId, NodeView, Process, World, ms, secs};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The lab's name in links, files and the CLI.
pub const LAB: &str = "hashing";
/// Most keys the metrics cover.
pub const MAX_KEYS: u32 = 1_000_000;
/// Most keys simulated (stored, migrated, requested and drawn).
pub const MAX_SAMPLE: u32 = 5_000;
/// Most replicas per key.
pub const MAX_REPLICAS: usize = 5;

/// How clients choose keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// Every sampled key equally often.
    Uniform,
    /// Key of rank r with probability ∝ 1/r^s (`zipf_s`): a few hot keys, a long tail.
    Zipf,
}

/// The migration protocol: correct, or with a deliberate bug for sweeps and bug hunts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Copy, confirm, then release.
    Correct,
    /// Bug: old holders are told to drop keys together with the order to copy them, so a
    /// release that overtakes its migrate order loses the key (NoLostKeys catches it).
    ReleaseEarly,
}

/// Settings of a hashing run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Placement algorithm: one of [`hashing::ALGORITHMS`].
    pub algorithm: String,
    /// A second algorithm measured on the same keys and the same changes (compare mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<String>,
    /// Virtual nodes per unit of weight (ring, bounded).
    pub vnodes: u32,
    /// Maglev's table size (a prime larger than the number of slots).
    pub table: u64,
    /// Bounded loads' capacity factor c.
    pub load_factor: f64,
    /// Copies of each key (its preference list's length).
    pub replicas: usize,
    /// Members at the start; the default leaves two spare slots (at least one member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<usize>,
    /// Keys the metrics cover.
    pub keys: u32,
    /// Keys simulated and drawn: ids `0..sample`, a uniform sample of hash positions.
    pub sample: u32,
    /// How clients pick keys.
    pub distribution: Distribution,
    /// Zipf exponent.
    pub zipf_s: f64,
    /// Client requests per virtual second (0: only typed requests).
    pub rate: f64,
    /// Share of requests that are puts.
    pub put_share: f64,
    /// How long the router waits for one replica before trying the next.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub timeout: Duration,
    /// How often the router re-sends migration orders that have not landed.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub retry: Duration,
    /// Correct or deliberately buggy migration.
    pub variant: Variant,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            algorithm: "ring".into(),
            compare: None,
            vnodes: 100,
            table: 65_537,
            load_factor: 1.25,
            replicas: 2,
            servers: None,
            keys: 10_000,
            sample: 2_000,
            distribution: Distribution::Uniform,
            zipf_s: 1.0,
            rate: 40.0,
            put_share: 0.1,
            timeout: ms(100),
            retry: secs(1),
            variant: Variant::Correct,
        }
    }
}

impl Params {
    /// Members at the start for a run of `nodes` nodes.
    pub fn initial_servers(&self, nodes: usize) -> usize {
        self.servers
            .unwrap_or(nodes.saturating_sub(3).max(1))
            .min(nodes.saturating_sub(1))
    }

    /// Keys simulated and drawn: `sample`, or all keys when there are fewer.
    pub fn drawn(&self) -> u32 {
        self.sample.min(self.keys)
    }

    /// The placement settings.
    pub fn settings(&self) -> Settings {
        Settings {
            vnodes: self.vnodes,
            table: self.table,
            load_factor: self.load_factor,
        }
    }

    /// Checks ranges so a bad file or link gives a clear error, and builds both placements
    /// once, so an unknown algorithm or a bad table size is refused before the run starts.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        if !(2..=splitbrain_sim::limits::MAX_NODES).contains(&nodes) {
            return Err(format!(
                "hashing needs a router and at least one server slot (2 to {} nodes), got {nodes}",
                splitbrain_sim::limits::MAX_NODES
            ));
        }
        let servers = self.initial_servers(nodes);
        if servers == 0 || self.servers.is_some_and(|s| s > nodes - 1) {
            return Err(format!(
                "servers must be 1 to {} (the nodes after the router), got {}",
                nodes - 1,
                self.servers.unwrap_or(0)
            ));
        }
        if !(1..=MAX_REPLICAS).contains(&self.replicas) {
            return Err(format!(
                "replicas must be 1 to {MAX_REPLICAS}, got {}",
                self.replicas
            ));
        }
        if !(1..=MAX_KEYS).contains(&self.keys) {
            return Err(format!("keys must be 1 to {MAX_KEYS}, got {}", self.keys));
        }
        if !(1..=MAX_SAMPLE).contains(&self.sample) {
            return Err(format!(
                "sample must be 1 to {MAX_SAMPLE}, got {}",
                self.sample
            ));
        }
        if !(self.zipf_s.is_finite() && self.zipf_s > 0.0 && self.zipf_s <= 5.0) {
            return Err(format!(
                "zipf_s must be above 0 and at most 5, got {}",
                decimal(self.zipf_s, 3)
            ));
        }
        if !(self.rate.is_finite() && (0.0..=10_000.0).contains(&self.rate)) {
            return Err(format!(
                "rate must be 0 to 10000 requests per second, got {}",
                decimal(self.rate, 3)
            ));
        }
        if !(self.put_share.is_finite() && (0.0..=1.0).contains(&self.put_share)) {
            return Err(format!(
                "put_share must be 0 to 1, got {}",
                decimal(self.put_share, 3)
            ));
        }
        for (name, d) in [("timeout", self.timeout), ("retry", self.retry)] {
            if d < ms(1) || d > splitbrain_sim::limits::MAX_LATENCY {
                return Err(format!("{name} must be 1ms to 1 hour"));
            }
        }
        // Every slot may become a member, so the placement must accept all of them.
        let all: Vec<hashing::Server> = (1..nodes as u32).map(hashing::Server::new).collect();
        for algo in std::iter::once(&self.algorithm).chain(self.compare.as_ref()) {
            hashing::build(algo, self.settings(), &all[..servers])
                .map_err(|e| format!("{algo}: {e}"))?;
            if algo == "maglev" && self.table <= nodes as u64 {
                return Err(format!(
                    "maglev's table ({}) must be larger than the number of slots ({})",
                    self.table,
                    nodes - 1
                ));
            }
            if ["ring", "bounded"].contains(&algo.as_str())
                && u64::from(self.vnodes) * nodes as u64 > hashing::MAX_RING_POINTS
            {
                return Err(format!(
                    "{} vnodes × {} slots is more than {} ring points",
                    self.vnodes,
                    nodes - 1,
                    hashing::MAX_RING_POINTS
                ));
            }
        }
        Ok(())
    }
}

/// A membership change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// Bring in the lowest spare slot with this weight.
    Add {
        /// Its weight.
        weight: u32,
    },
    /// Take a member out; its keys move to their new owners first.
    Remove {
        /// The node.
        node: u32,
    },
    /// Change a member's weight.
    Weight {
        /// The node.
        node: u32,
        /// New weight.
        weight: u32,
    },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Add { weight: 1 } => write!(f, "add"),
            Change::Add { weight } => write!(f, "add w={weight}"),
            Change::Remove { node } => write!(f, "remove {node}"),
            Change::Weight { node, weight } => write!(f, "weight {node}={weight}"),
        }
    }
}

/// What a user or a scenario asks the router.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// A membership change (router only).
    Change(Change),
    /// Read a key (its id, taken modulo the sample).
    Get(u32),
    /// Write a key.
    Put(u32),
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Change(c) => write!(f, "{c}"),
            Command::Get(k) => write!(f, "get k{k}"),
            Command::Put(k) => write!(f, "put k{k}"),
        }
    }
}

/// Messages between the router and the servers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Router → server: read `key`.
    Get {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
    },
    /// Router → server: store `key` at `version`.
    Put {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
        /// Version (the router numbers writes per key).
        version: u64,
        /// The router's change number when it sent this.
        change: u32,
    },
    /// Server → router: the key's value.
    Value {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
        /// Version held.
        version: u64,
    },
    /// Server → router: not held here.
    Missing {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
    },
    /// Server → router: put stored.
    PutAck {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
    },
    /// Server → router: the key was copied elsewhere or released after this put was issued;
    /// write it to the key's current replicas instead.
    PutRefused {
        /// Request id.
        req: u32,
        /// Key id.
        key: u32,
    },
    /// Router → holder: send these keys to `to`.
    Migrate {
        /// Which change.
        change: u32,
        /// Destination server.
        to: u32,
        /// Key ids.
        keys: Rc<[u32]>,
    },
    /// Holder → new replica: the keys themselves.
    Transfer {
        /// Which change.
        change: u32,
        /// (key, version) pairs.
        keys: Rc<[(u32, u64)]>,
    },
    /// New replica → router: a transfer from `from` landed.
    Moved {
        /// Which change.
        change: u32,
        /// The holder it came from.
        from: u32,
        /// Keys received.
        count: u32,
    },
    /// Router → old holder: drop keys you no longer replicate.
    Release {
        /// Which change.
        change: u32,
        /// Key ids.
        keys: Rc<[u32]>,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::Get { req, key } => format!("Get k{key} (req {req})"),
            Msg::Put {
                req, key, version, ..
            } => format!("Put k{key} v{version} (req {req})"),
            Msg::Value { key, version, .. } => format!("Value k{key} v{version}"),
            Msg::Missing { key, .. } => format!("Missing k{key}"),
            Msg::PutAck { key, .. } => format!("Ack k{key}"),
            Msg::PutRefused { key, .. } => format!("Refused k{key} (moved since)"),
            Msg::Migrate { change, to, keys } => {
                format!("Migrate {} keys → n{to} (change {change})", keys.len())
            }
            Msg::Transfer { change, keys } => {
                format!("Transfer {} keys (change {change})", keys.len())
            }
            Msg::Moved {
                change,
                from,
                count,
            } => format!("Moved {count} keys from n{from} (change {change})"),
            Msg::Release { change, keys } => {
                format!("Release {} keys (change {change})", keys.len())
            }
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Get { .. } | Msg::Put { .. } => "request",
            Msg::Value { .. }
            | Msg::Missing { .. }
            | Msg::PutAck { .. }
            | Msg::PutRefused { .. } => "reply",
            Msg::Transfer { .. } => "keys",
            Msg::Migrate { .. } | Msg::Moved { .. } | Msg::Release { .. } => "control",
        }
    }
    fn short(&self) -> String {
        match self {
            Msg::Get { key, .. } => format!("get k{key}"),
            Msg::Put { key, .. } => format!("put k{key}"),
            Msg::Value { key, .. } => format!("k{key} ✓"),
            Msg::Missing { key, .. } => format!("k{key} ✗"),
            Msg::PutAck { key, .. } => format!("ack k{key}"),
            Msg::PutRefused { key, .. } => format!("k{key} moved"),
            Msg::Migrate { keys, to, .. } => format!("send {} → n{to}", keys.len()),
            Msg::Transfer { keys, .. } => splitbrain_sim::words::count(keys.len(), "key"),
            Msg::Moved { count, .. } => format!("moved {count}"),
            Msg::Release { keys, .. } => format!("drop {}", keys.len()),
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// The next client request.
    Traffic,
    /// Request `req` waited too long for its current replica.
    Timeout(u32),
    /// Re-send migration orders that have not landed.
    Retry,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Traffic => write!(f, "next request"),
            Timer::Timeout(req) => write!(f, "timeout of req {req}"),
            Timer::Retry => write!(f, "retry"),
        }
    }
}

/// One key on a server: its version and the change that last gave it to this server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stored {
    /// Newest version held.
    pub version: u64,
    /// The change that last wrote or copied it here (0: loaded at the start).
    pub change: u32,
}

/// What survives a crash: a server's keys; the router's membership and running migration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Written once at first boot, so a restart knows the disk is not blank.
    pub booted: bool,
    /// A server's keys.
    pub data: BTreeMap<u32, Stored>,
    /// A server's released keys and the change that released each.
    pub gone: BTreeMap<u32, u32>,
    /// A server's latest migration as a holder: the change and the keys it copied away.
    pub handed: (u32, std::collections::BTreeSet<u32>),
    /// The router's configuration.
    pub config: Option<Rc<router::Config>>,
}
splitbrain_sim::whole_storage!(Durable);

/// One node: the router or a server slot.
#[derive(Clone)]
pub enum Node {
    /// Node 0.
    Router(Box<Router>),
    /// Nodes `1..n`.
    Server(Storage),
}

/// The initial node of each id for a run of `nodes` nodes with validated `params`: placing
/// the whole key space is done once here, not once per node.
pub fn cluster(params: Params, nodes: usize) -> impl Fn(NodeId) -> Node {
    let router = Router::new(Rc::new(params), nodes);
    move |id| {
        if id == 0 {
            Node::Router(Box::new(router.clone()))
        } else {
            Node::Server(Storage::new(id as u32, router.replica_sets()))
        }
    }
}

impl Node {
    /// The router, when this is node 0.
    pub fn router(&self) -> Option<&Router> {
        match self {
            Node::Router(r) => Some(r),
            Node::Server(_) => None,
        }
    }
    /// The storage, when this is a server slot.
    pub fn storage(&self) -> Option<&Storage> {
        match self {
            Node::Server(s) => Some(s),
            Node::Router(_) => None,
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Command;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        match self {
            Node::Router(r) => r.start(durable, cx),
            Node::Server(s) => s.start(durable, cx),
        }
    }
    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        match self {
            Node::Router(r) => r.on_message(from, msg, cx),
            Node::Server(s) => s.on_message(from, msg, cx),
        }
    }
    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        if let Node::Router(r) = self {
            r.on_timer(timer, cx);
        }
    }
    fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Self>) {
        match self {
            Node::Router(r) => r.on_command(cmd, cx),
            Node::Server(_) => cx.note(format!(
                "servers take no commands: send `{cmd}` to the router, node 0"
            )),
        }
    }
    fn parse_command(text: &str) -> Result<Command, String> {
        parse_command(text)
    }
    fn view(&self) -> NodeView {
        match self {
            Node::Router(r) => r.view(),
            Node::Server(s) => s.view(),
        }
    }
    /// A server the router has not made a member (a spare to add) says so on the picture.
    fn annotate(world: &World<'_, Self>, node: NodeId, view: &mut NodeView) {
        if node == 0 {
            return;
        }
        if let Some(r) = world.node(0).and_then(Node::router)
            && !r.config().members.iter().any(|&(m, _)| m as usize == node)
        {
            view.role = "spare".into();
        }
    }
    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let held: usize = (1..world.len())
            .filter_map(|i| world.durable(i))
            .map(|d| d.data.len())
            .sum();
        match world.node(0).and_then(Node::router) {
            Some(r) => r.summary(held),
            None => serde_json::json!({ "router": "down", "copies_held": held }),
        }
    }

    /// What the router counts: changes and what they moved, answers, unavailable keys.
    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let r = world.node(0).and_then(Node::router);
        let count = |v: Option<u64>| Some(v.unwrap_or(0) as f64);
        match fact {
            Fact::Changes => {
                count(r.map(|r| u64::from(r.config().change) - u64::from(r.migrating())))
            }
            Fact::Servers => count(r.map(|r| r.config().members.len() as u64)),
            Fact::MovedShare => Some(r.and_then(|r| r.history().last()).map_or(0.0, |c| c.share)),
            Fact::Unavailable => count(r.map(|r| r.stats().gets_failed)),
            Fact::Progress => count(r.map(|r| r.stats().gets_ok + r.stats().puts_ok)),
            _ => None,
        }
    }
}

fn number<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what} must be a whole number, got {s:?}"))
}

/// Reads `add`, `add w=2`, `remove 3`, `weight 3=2`, `get 17` or `put 17`.
pub fn parse_command(text: &str) -> Result<Command, String> {
    let mut words = text.split_whitespace();
    let verb = words.next().unwrap_or("");
    let arg = words.next();
    if words.next().is_some() {
        return Err(format!("too many words in {text:?}"));
    }
    let weight = |s: &str| -> Result<u32, String> {
        let w: u32 = number(s, "weight")?;
        if (1..=1_000).contains(&w) {
            Ok(w)
        } else {
            Err(format!("weight must be 1 to 1000, got {w}"))
        }
    };
    Ok(match (verb, arg) {
        ("add", None) => Command::Change(Change::Add { weight: 1 }),
        ("add", Some(a)) => Command::Change(Change::Add {
            weight: weight(a.trim_start_matches("w="))?,
        }),
        ("remove", Some(n)) => Command::Change(Change::Remove {
            node: number(n.trim_start_matches('n'), "node")?,
        }),
        ("weight", Some(a)) => {
            let (n, w) = a
                .split_once('=')
                .ok_or_else(|| format!("expected weight NODE=W, got {text:?}"))?;
            Command::Change(Change::Weight {
                node: number(n.trim_start_matches('n'), "node")?,
                weight: weight(w)?,
            })
        }
        ("get", Some(k)) => Command::Get(number(k.trim_start_matches('k'), "key")?),
        ("put", Some(k)) => Command::Put(number(k.trim_start_matches('k'), "key")?),
        _ => {
            return Err(format!(
                "unknown command {text:?}: expected add [w=W], remove N, weight N=W, get K or put K"
            ));
        }
    })
}

/// A fresh placement of `algo` over `members`. The run's parameters were validated, so this
/// fails only for a change the router refuses (and reports).
fn place(
    params: &Params,
    algo: &str,
    members: &[hashing::Server],
) -> Result<Rc<dyn Placement>, String> {
    hashing::build(algo, params.settings(), members)
        .map(Rc::from)
        .map_err(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!(
            parse_command("add").unwrap(),
            Command::Change(Change::Add { weight: 1 })
        );
        assert_eq!(
            parse_command("add w=3").unwrap(),
            Command::Change(Change::Add { weight: 3 })
        );
        assert_eq!(
            parse_command("remove n4").unwrap(),
            Command::Change(Change::Remove { node: 4 })
        );
        assert_eq!(
            parse_command("weight 2=5").unwrap(),
            Command::Change(Change::Weight { node: 2, weight: 5 })
        );
        assert_eq!(parse_command("get k17").unwrap(), Command::Get(17));
        assert!(
            parse_command("weight 2=0")
                .unwrap_err()
                .contains("1 to 1000")
        );
        assert!(parse_command("jump").unwrap_err().contains("expected add"));
        assert!(
            parse_command("remove x")
                .unwrap_err()
                .contains("whole number")
        );
    }

    #[test]
    fn params_refuse_unknown_algorithms_and_absurd_sizes() {
        let p = Params {
            algorithm: "magic".into(),
            ..Params::default()
        };
        assert!(p.validate(9).unwrap_err().contains("unknown algorithm"));
        let p = Params {
            keys: 1_000_000_000,
            ..Params::default()
        };
        assert!(p.validate(9).unwrap_err().contains("keys must be"));
        assert!(Params::default().validate(1).is_err());
        assert!(Params::default().validate(1_000_000_000).is_err());
        let p = Params {
            servers: Some(9),
            ..Params::default()
        };
        assert!(p.validate(9).unwrap_err().contains("servers must be"));
        Params::default().validate(9).unwrap();
    }
}
