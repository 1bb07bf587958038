//! Where a key lives: the servers in ring order from its hash (Dynamo §4.2–4.3). The first N
//! are its preference list; the rest, in order, are the stand-ins a sloppy quorum asks when a
//! preference-list server does not answer (§4.6).

use splitbrain_hashing::{Placement as _, Ring, Server, hash};
use splitbrain_sim::NodeId;

/// Virtual nodes per server: Dynamo's "tokens" (§4.2), enough that five servers split the
/// circle fairly evenly.
const VNODES: u32 = 16;

/// Every server's place on the ring, shared by all servers (membership is fixed in this lab).
#[derive(Debug, Clone)]
pub struct Placement {
    ring: Ring,
    servers: usize,
    replicas: usize,
}

impl Placement {
    /// A ring of `servers` servers with `replicas` per key.
    pub fn new(servers: usize, replicas: usize) -> Placement {
        let mut ring = Ring::new(VNODES).expect("16 vnodes is within the ring's limits");
        for id in 0..servers {
            // Servers are few (the page draws at most a dozen), far below the ring's limits.
            let _ = ring.add(Server::new(id as u32));
        }
        Placement {
            ring,
            servers,
            replicas,
        }
    }

    /// Every server in ring order from `key`'s hash: the preference list, then the stand-ins.
    pub fn order(&self, key: &str) -> Vec<NodeId> {
        self.ring
            .replicas(hash::xxh64(key.as_bytes()), self.servers)
            .into_iter()
            .map(|s| s as NodeId)
            .collect()
    }

    /// The key's preference list: its first N servers.
    pub fn preference(&self, key: &str) -> Vec<NodeId> {
        let mut order = self.order(key);
        order.truncate(self.replicas);
        order
    }

    /// Whether `node` is one of `key`'s N.
    pub fn holds(&self, key: &str, node: NodeId) -> bool {
        self.preference(key).contains(&node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s4_3_each_key_has_n_distinct_servers_then_the_rest_in_ring_order() {
        let p = Placement::new(5, 3);
        for key in ["x", "y", "z", "k3"] {
            let order = p.order(key);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2, 3, 4], "{key}");
            assert_eq!(p.preference(key), order[..3].to_vec());
        }
        // Keys spread: x and y do not share the same first server list by accident of order.
        assert_ne!(p.order("x"), p.order("y"));
    }
}
