//! Rendezvous or highest-random-weight hashing (Thaler & Ravishankar, "Using Name-Based Mappings
//! to Increase Hit Rates", IEEE/ACM ToN 1998): every server scores every key with `h(key,
//! server)` and the highest score wins. Adding a server moves exactly the keys it now wins, all
//! to it; removing one moves only its keys, each to its runner-up. O(n) per lookup, no state
//! beyond the server list. Weighted by the logarithmic method (Schindelhauer & Schomaker,
//! "Weighted Distributed Hash Tables", SPAA 2005): score = −w / ln(u) with u = h mapped into
//! (0, 1), which gives each server a share proportional to its weight.

use crate::{Placement, PlacementError, Server, ServerId, hash, push_new, set_weight, take};

/// Weighted rendezvous hashing.
#[derive(Debug, Clone, Default)]
pub struct Rendezvous {
    servers: Vec<Server>,
}

/// Server `s`'s score for the key whose hash is `kh`.
fn score(kh: u64, s: Server) -> f64 {
    let u = hash::unit(hash::pair(kh, u64::from(s.id)));
    -f64::from(s.weight) / libm::log(u)
}

impl Rendezvous {
    /// Servers by descending score for `key` (ties broken by id, so the order is total).
    fn ranked(&self, key: u64) -> Vec<(f64, ServerId)> {
        let kh = hash::key(key);
        let mut v: Vec<(f64, ServerId)> =
            self.servers.iter().map(|&s| (score(kh, s), s.id)).collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        v
    }
}

impl Placement for Rendezvous {
    fn name(&self) -> &'static str {
        "rendezvous"
    }
    fn servers(&self) -> &[Server] {
        &self.servers
    }
    fn owner(&self, key: u64) -> Option<ServerId> {
        let kh = hash::key(key);
        self.servers
            .iter()
            .map(|&s| (score(kh, s), s.id))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, id)| id)
    }
    /// The `r` highest scores.
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        self.ranked(key)
            .into_iter()
            .take(r)
            .map(|(_, id)| id)
            .collect()
    }
    fn add(&mut self, server: Server) -> Result<(), PlacementError> {
        push_new(&mut self.servers, server)
    }
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError> {
        take(&mut self.servers, id).map(drop)
    }
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError> {
        set_weight(&mut self.servers, id, weight)
    }
    fn weighted(&self) -> bool {
        true
    }
}
