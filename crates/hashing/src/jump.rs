//! Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
//! 2014, Fig. 1): maps a key to a bucket `0..n` with no state at all, in O(log n) steps, moving
//! only ~1/(n+1) of keys when bucket n is added. The trade-off: buckets are numbers, so only the
//! last one can come or go cleanly. Removing another server here moves the last server into the
//! freed bucket, which moves that server's keys too (about 2/n instead of 1/n): the reason jump
//! suits data that is sharded and replicated, not caches whose servers fail at random.

use crate::{Placement, PlacementError, Server, ServerId, hash, index_of, push_new, set_weight};

/// Jump consistent hashing over buckets in the order servers were added.
#[derive(Debug, Clone, Default)]
pub struct Jump {
    servers: Vec<Server>,
}

/// The paper's Fig. 1 recurrence: the bucket of `key` among `buckets` (0 when there are none).
pub fn jump(mut key: u64, buckets: u32) -> u32 {
    let (mut b, mut j) = (-1i64, 0i64);
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u32
}

impl Placement for Jump {
    fn name(&self) -> &'static str {
        "jump"
    }
    fn servers(&self) -> &[Server] {
        &self.servers
    }
    fn owner(&self, key: u64) -> Option<ServerId> {
        let n = self.servers.len() as u32;
        (n > 0).then(|| self.servers[jump(hash::key(key), n) as usize].id)
    }
    /// The owner, then the buckets the key jumps to among fewer and fewer of the others: each
    /// further replica is where the key would go if the ones before it were gone.
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        let mut left: Vec<ServerId> = self.servers.iter().map(|s| s.id).collect();
        let mut out = Vec::new();
        let kh = hash::key(key);
        let mut h = kh;
        while out.len() < r && !left.is_empty() {
            out.push(left.remove(jump(h, left.len() as u32) as usize));
            h = hash::pair(kh, out.len() as u64);
        }
        out
    }
    fn add(&mut self, server: Server) -> Result<(), PlacementError> {
        push_new(&mut self.servers, server)
    }
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError> {
        let i = index_of(&self.servers, id)?;
        self.servers.swap_remove(i);
        Ok(())
    }
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError> {
        set_weight(&mut self.servers, id, weight)
    }
}

#[cfg(test)]
mod tests {
    use super::jump;

    #[test]
    fn fig1_growing_n_by_one_moves_a_key_only_to_the_new_bucket() {
        assert_eq!(jump(0, 1), 0);
        for key in [1u64, 42, 0xDEAD_BEEF, u64::MAX] {
            for n in 1..200u32 {
                let (a, b) = (jump(key, n), jump(key, n + 1));
                assert!(a < n);
                assert!(b == a || b == n, "key {key}: {a} -> {b} at n={n}");
            }
        }
    }
}
