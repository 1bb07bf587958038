//! Maglev hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
//! Balancer", NSDI 2016, §3.4): each server walks its own permutation of a prime-sized table
//! (offset and skip from two hashes of its name) and the servers take turns claiming their next
//! free slot, so every server gets M/n slots (±1). A lookup is one table read. A change rebuilds
//! the table; a little more than 1/(n+1) of slots change owner (the paper's Fig. 12 trade-off
//! between balance and disruption).

use crate::{Placement, PlacementError, Server, ServerId, check_new, hash, set_weight, take};

/// A Maglev lookup table.
#[derive(Debug, Clone)]
pub struct Maglev {
    size: u64,
    servers: Vec<Server>,
    table: Vec<ServerId>,
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

impl Maglev {
    /// An empty table of prime size `size` (the paper uses 65,537).
    pub fn new(size: u64) -> Result<Self, PlacementError> {
        if !(7..=1_000_003).contains(&size) || !is_prime(size) {
            return Err(PlacementError(format!(
                "the Maglev table size must be a prime from 7 to 1000003, got {size}"
            )));
        }
        Ok(Self {
            size,
            servers: Vec::new(),
            table: Vec::new(),
        })
    }

    /// The table: slot → server (for drawing and tests).
    pub fn table(&self) -> &[ServerId] {
        &self.table
    }

    /// §3.4, Pseudocode 1.
    fn populate(&mut self) {
        let m = self.size;
        let n = self.servers.len();
        self.table = Vec::new();
        if n == 0 {
            return;
        }
        let perm: Vec<(u64, u64)> = self
            .servers
            .iter()
            .map(|s| {
                let id = u64::from(s.id);
                let offset = hash::pair(id, 0xA) % m;
                let skip = hash::pair(id, 0xB) % (m - 1) + 1;
                (offset, skip)
            })
            .collect();
        let mut next = vec![0u64; n];
        let mut entry = vec![ServerId::MAX; m as usize];
        let mut filled = 0u64;
        'fill: loop {
            for i in 0..n {
                let (offset, skip) = perm[i];
                let mut c = (offset + next[i] * skip) % m;
                while entry[c as usize] != ServerId::MAX {
                    next[i] += 1;
                    c = (offset + next[i] * skip) % m;
                }
                entry[c as usize] = self.servers[i].id;
                next[i] += 1;
                filled += 1;
                if filled == m {
                    break 'fill;
                }
            }
        }
        self.table = entry;
    }
}

impl Placement for Maglev {
    fn name(&self) -> &'static str {
        "maglev"
    }
    fn servers(&self) -> &[Server] {
        &self.servers
    }
    fn owner(&self, key: u64) -> Option<ServerId> {
        (!self.table.is_empty()).then(|| self.table[(hash::key(key) % self.size) as usize])
    }
    /// The owner, then the next distinct servers found walking the table from the key's slot.
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        let want = r.min(self.servers.len());
        let mut out = Vec::with_capacity(want);
        if self.table.is_empty() {
            return out;
        }
        let start = (hash::key(key) % self.size) as usize;
        for k in 0..self.table.len() {
            if out.len() == want {
                break;
            }
            let s = self.table[(start + k) % self.table.len()];
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
    fn add(&mut self, server: Server) -> Result<(), PlacementError> {
        check_new(&self.servers, server)?;
        if self.servers.len() as u64 + 1 >= self.size {
            return Err(PlacementError(format!(
                "a Maglev table of {} slots holds fewer servers than that",
                self.size
            )));
        }
        self.servers.push(server);
        self.populate();
        Ok(())
    }
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError> {
        take(&mut self.servers, id)?;
        self.populate();
        Ok(())
    }
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError> {
        set_weight(&mut self.servers, id, weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_4_every_server_gets_an_almost_equal_share_of_the_table() {
        let mut m = Maglev::new(65_537).unwrap();
        for id in 0..10 {
            m.add(Server::new(id)).unwrap();
        }
        let mut count = [0u64; 10];
        for &s in m.table() {
            count[s as usize] += 1;
        }
        let (lo, hi) = (count.iter().min().unwrap(), count.iter().max().unwrap());
        assert!(hi - lo <= 1, "{count:?}");
    }

    #[test]
    fn table_sizes_must_be_prime() {
        assert!(Maglev::new(65_536).is_err());
        assert!(Maglev::new(13).is_ok());
    }
}
