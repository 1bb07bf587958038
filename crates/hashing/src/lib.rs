//! Consistent hashing, as pure and deterministic placement functions, plus the metrics that show
//! why it exists: keys per server and keys moved by a change.
//!
//! Every algorithm implements [`Placement`]: the owner of a key, its first `r` distinct servers
//! (replica set / preference list), and adding, removing and reweighting servers. Keys and
//! servers are hashed with [`hash::xxh64`] over fixed byte encodings, so a placement is the same
//! natively and in wasm.
//!
//! | algorithm | lookup | moved on add/remove | weights | source |
//! |---|---|---|---|---|
//! | [`Modulo`] | O(1) | almost all | no | the baseline |
//! | [`Ring`] | O(log(n·v)) | ~1/(n+1), to/from the changed server | vnodes ∝ weight | Karger et al. 1997 |
//! | [`Rendezvous`] | O(n) | ~1/(n+1), to/from the changed server | yes (logarithmic method) | Thaler & Ravishankar 1998 |
//! | [`Jump`] | O(log n) | ~1/(n+1) at the end of the list only | no | Lamping & Veach 2014 |
//! | [`Maglev`] | O(1) (table of prime size M) | near 1/(n+1), a little extra | no | Eisenbud et al. 2016 |
//! | [`Bounded`] | O(log(n·v)) amortised | ring's, plus overflow | vnodes ∝ weight | Mirrokni et al. 2018 |
#![forbid(unsafe_code)]

pub mod hash;
mod jump;
mod maglev;
pub mod metrics;
mod modulo;
mod rendezvous;
mod ring;

pub use jump::Jump;
pub use maglev::Maglev;
pub use modulo::Modulo;
pub use rendezvous::Rendezvous;
pub use ring::{Bounded, Ring};

/// A server's id: stable across changes, so movement can be measured by id.
pub type ServerId = u32;

/// A server and its relative weight (1 = an ordinary server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// Its id.
    pub id: ServerId,
    /// Relative capacity; algorithms without weights ignore it.
    pub weight: u32,
}

impl Server {
    /// A server of weight 1.
    pub fn new(id: ServerId) -> Self {
        Self { id, weight: 1 }
    }
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementError(pub String);

impl std::fmt::Display for PlacementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlacementError {}

/// Most servers one placement holds.
pub const MAX_SERVERS: usize = 10_000;
/// Most virtual nodes per unit of weight on a ring.
pub const MAX_VNODES: u32 = 10_000;
/// Most points on one ring (servers × weight × vnodes).
pub const MAX_RING_POINTS: u64 = 4_000_000;

/// A way to place keys on servers. Object-safe, so the lab, the CLI and compare mode hold a
/// `Box<dyn Placement>` and swap algorithms freely.
pub trait Placement {
    /// Short name (`ring`, `rendezvous`, ...).
    fn name(&self) -> &'static str;
    /// The servers, in the order they were added.
    fn servers(&self) -> &[Server];
    /// The server that owns `key`, or `None` with no servers.
    fn owner(&self, key: u64) -> Option<ServerId>;
    /// The first `r` distinct servers for `key`, owner first (fewer if there are fewer servers).
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId>;
    /// Adds a server.
    fn add(&mut self, server: Server) -> Result<(), PlacementError>;
    /// Removes a server.
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError>;
    /// Changes a server's weight (algorithms without weights accept and ignore it).
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError>;
    /// The owner of every key, in order. Placements whose choice depends on the other keys
    /// (bounded loads) override this; the others place each key on its own.
    fn assign(&self, keys: &[u64]) -> Vec<ServerId> {
        keys.iter()
            .map(|&k| self.owner(k).unwrap_or(ServerId::MAX))
            .collect()
    }
    /// Positions on the hash circle and the server each belongs to, clockwise, for algorithms
    /// that have a circle (ring, bounded); empty for the others, which the picture draws
    /// without ticks.
    fn ticks(&self) -> Vec<(u64, ServerId)> {
        Vec::new()
    }
    /// Whether weights change where keys go (ring, rendezvous, bounded); the others give every
    /// server an equal share, so their ideal movement ignores weights too.
    fn weighted(&self) -> bool {
        false
    }
}

/// Algorithms by name, for the CLI and the page.
pub const ALGORITHMS: &[&str] = &["modulo", "ring", "rendezvous", "jump", "maglev", "bounded"];

/// Settings that only some algorithms use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Virtual nodes per unit of weight (ring, bounded).
    pub vnodes: u32,
    /// Maglev's lookup-table size; must be a prime larger than the number of servers.
    pub table: u64,
    /// Bounded loads: a server takes at most `ceil(load_factor × mean)` keys (c = 1 + ε).
    pub load_factor: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            vnodes: 100,
            table: 65_537,
            load_factor: 1.25,
        }
    }
}

/// A fresh placement of algorithm `name` over `servers`.
pub fn build(
    name: &str,
    settings: Settings,
    servers: &[Server],
) -> Result<Box<dyn Placement>, PlacementError> {
    let mut p: Box<dyn Placement> = match name {
        "modulo" => Box::new(Modulo::default()),
        "ring" => Box::new(Ring::new(settings.vnodes)?),
        "rendezvous" => Box::new(Rendezvous::default()),
        "jump" => Box::new(Jump::default()),
        "maglev" => Box::new(Maglev::new(settings.table)?),
        "bounded" => Box::new(Bounded::new(settings.vnodes, settings.load_factor)?),
        other => {
            return Err(PlacementError(format!(
                "unknown algorithm {other:?}: expected {}",
                ALGORITHMS.join(", ")
            )));
        }
    };
    for &s in servers {
        p.add(s)?;
    }
    Ok(p)
}

/// Shared checks for `add`.
fn check_new(servers: &[Server], s: Server) -> Result<(), PlacementError> {
    if servers.len() >= MAX_SERVERS {
        return Err(PlacementError(format!("at most {MAX_SERVERS} servers")));
    }
    if s.weight == 0 || s.weight > 1_000 {
        return Err(PlacementError(format!(
            "weight must be 1 to 1000, got {}",
            s.weight
        )));
    }
    if servers.iter().any(|x| x.id == s.id) {
        return Err(PlacementError(format!("server {} is already there", s.id)));
    }
    Ok(())
}

/// Appends a server after the shared checks.
fn push_new(servers: &mut Vec<Server>, s: Server) -> Result<(), PlacementError> {
    check_new(servers, s)?;
    servers.push(s);
    Ok(())
}

/// Takes server `id` out, keeping the order of the others.
fn take(servers: &mut Vec<Server>, id: ServerId) -> Result<Server, PlacementError> {
    let i = index_of(servers, id)?;
    Ok(servers.remove(i))
}

/// Sets server `id`'s weight, with the same limits as `add`.
fn set_weight(servers: &mut [Server], id: ServerId, weight: u32) -> Result<(), PlacementError> {
    let i = index_of(servers, id)?;
    check_new(&[], Server { id, weight })?;
    servers[i].weight = weight;
    Ok(())
}

/// Index of server `id`, or an error naming it.
fn index_of(servers: &[Server], id: ServerId) -> Result<usize, PlacementError> {
    servers
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| PlacementError(format!("no server {id}")))
}
