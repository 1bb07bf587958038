//! `hash(k) mod N`: the baseline. Adding an (N+1)th server changes the owner of a key unless
//! `h mod N == h mod (N+1)`, which holds for only about 1/(N+1) of keys: nearly everything moves.

use crate::{Placement, PlacementError, Server, ServerId, hash, push_new, set_weight, take};

/// Modulo placement over the servers in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Modulo {
    servers: Vec<Server>,
}

impl Placement for Modulo {
    fn name(&self) -> &'static str {
        "modulo"
    }
    fn servers(&self) -> &[Server] {
        &self.servers
    }
    fn owner(&self, key: u64) -> Option<ServerId> {
        let n = self.servers.len() as u64;
        (n > 0).then(|| self.servers[(hash::key(key) % n) as usize].id)
    }
    /// The owner and the servers after it in the list.
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        let n = self.servers.len();
        if n == 0 {
            return Vec::new();
        }
        let first = (hash::key(key) % n as u64) as usize;
        (0..r.min(n))
            .map(|i| self.servers[(first + i) % n].id)
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
}
