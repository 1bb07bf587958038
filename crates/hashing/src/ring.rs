//! The consistent-hash ring (Karger et al., "Consistent Hashing and Random Trees", STOC 1997,
//! §4): each server is hashed to `vnodes × weight` points on a circle of 2^64 positions and a key
//! belongs to the first point clockwise from its hash. Adding a server takes only the arcs its
//! new points cut off, about 1/(n+1) of the keys, all to the new server; removing one hands its
//! arcs to the next points clockwise. More virtual nodes even out the arc lengths (the max/mean
//! load falls roughly as 1 + O(sqrt(log n / v))).
//!
//! Bounded loads (Mirrokni, Thorup & Zadimoghaddam, "Consistent Hashing with Bounded Loads",
//! SODA 2018, §2): the same ring, but a server accepts at most `ceil(c · m / n)` of the `m` keys
//! (c = 1 + ε, here weighted by capacity); a key whose server is full walks on clockwise to the
//! first one with room.

use crate::{
    MAX_RING_POINTS, MAX_VNODES, Placement, PlacementError, Server, ServerId, check_new, hash,
    index_of,
};
use std::collections::BTreeMap;

/// A consistent-hash ring with virtual nodes and weights.
#[derive(Debug, Clone)]
pub struct Ring {
    vnodes: u32,
    servers: Vec<Server>,
    points: BTreeMap<u64, ServerId>,
}

impl Ring {
    /// An empty ring with `vnodes` points per unit of weight.
    pub fn new(vnodes: u32) -> Result<Self, PlacementError> {
        if vnodes == 0 || vnodes > MAX_VNODES {
            return Err(PlacementError(format!(
                "vnodes must be 1 to {MAX_VNODES}, got {vnodes}"
            )));
        }
        Ok(Self {
            vnodes,
            servers: Vec::new(),
            points: BTreeMap::new(),
        })
    }

    /// The points of one server: (position, server).
    fn server_points(&self, s: Server) -> impl Iterator<Item = u64> {
        let n = u64::from(self.vnodes) * u64::from(s.weight);
        (0..n).map(move |v| hash::pair(u64::from(s.id), v))
    }

    fn place(&mut self, s: Server) -> Result<(), PlacementError> {
        let more = u64::from(self.vnodes) * u64::from(s.weight);
        if self.points.len() as u64 + more > MAX_RING_POINTS {
            return Err(PlacementError(format!(
                "the ring would have more than {MAX_RING_POINTS} points"
            )));
        }
        let pts: Vec<u64> = self.server_points(s).collect();
        for p in pts {
            // A collision of two 64-bit points is astronomically rare; the lower id keeps it,
            // so the outcome does not depend on the order servers were added.
            let e = self.points.entry(p).or_insert(s.id);
            *e = (*e).min(s.id);
        }
        Ok(())
    }

    fn unplace(&mut self, s: Server) {
        let pts: Vec<u64> = self.server_points(s).collect();
        for p in pts {
            if self.points.get(&p) == Some(&s.id) {
                self.points.remove(&p);
            }
        }
        // Put back any point a collision had given to this server's rival.
        let others: Vec<Server> = self.servers.clone();
        for o in others.into_iter().filter(|o| o.id != s.id) {
            let pts: Vec<u64> = self.server_points(o).collect();
            for p in pts {
                self.points.entry(p).or_insert(o.id);
            }
        }
    }

    /// Ring positions and owners, in clockwise order (for drawing the ticks).
    pub fn points(&self) -> impl Iterator<Item = (u64, ServerId)> + '_ {
        self.points.iter().map(|(&p, &s)| (p, s))
    }

    /// Servers clockwise from position `h`, with repeats (each point once around the circle).
    fn clockwise(&self, h: u64) -> impl Iterator<Item = ServerId> + '_ {
        self.points
            .range(h..)
            .chain(self.points.range(..h))
            .map(|(_, &s)| s)
    }
}

impl Placement for Ring {
    fn name(&self) -> &'static str {
        "ring"
    }
    fn servers(&self) -> &[Server] {
        &self.servers
    }
    fn owner(&self, key: u64) -> Option<ServerId> {
        self.clockwise(hash::key(key)).next()
    }
    /// The first `r` distinct servers clockwise: Dynamo's preference list.
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        let want = r.min(self.servers.len());
        let mut out = Vec::with_capacity(want);
        for s in self.clockwise(hash::key(key)) {
            if out.len() == want {
                break;
            }
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
    fn add(&mut self, server: Server) -> Result<(), PlacementError> {
        check_new(&self.servers, server)?;
        self.place(server)?;
        self.servers.push(server);
        Ok(())
    }
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError> {
        let i = index_of(&self.servers, id)?;
        let s = self.servers.remove(i);
        self.unplace(s);
        Ok(())
    }
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError> {
        let i = index_of(&self.servers, id)?;
        let old = self.servers[i];
        let new = Server { id, weight };
        check_new(&[], new)?;
        self.servers.remove(i);
        self.unplace(old);
        self.place(new)?;
        self.servers.insert(i, new);
        Ok(())
    }
    fn ticks(&self) -> Vec<(u64, ServerId)> {
        self.points().collect()
    }
    fn weighted(&self) -> bool {
        true
    }
}

/// Consistent hashing with bounded loads: a ring whose servers take at most
/// `ceil(load_factor · m · weight / total weight)` of the `m` keys placed together.
#[derive(Debug, Clone)]
pub struct Bounded {
    ring: Ring,
    load_factor: f64,
}

impl Bounded {
    /// An empty ring with `vnodes` per unit of weight and capacity factor `c = load_factor`.
    pub fn new(vnodes: u32, load_factor: f64) -> Result<Self, PlacementError> {
        if !(load_factor.is_finite() && (1.0..=10.0).contains(&load_factor)) {
            return Err(PlacementError(format!(
                "load factor must be 1 to 10, got {}",
                crate::metrics::decimal(load_factor, 3)
            )));
        }
        Ok(Self {
            ring: Ring::new(vnodes)?,
            load_factor,
        })
    }

    /// Capacity of each server for `m` keys.
    fn capacities(&self, m: usize) -> BTreeMap<ServerId, u64> {
        let total: u64 = self.ring.servers.iter().map(|s| u64::from(s.weight)).sum();
        self.ring
            .servers
            .iter()
            .map(|s| {
                let fair = m as f64 * f64::from(s.weight) / total.max(1) as f64;
                (s.id, libm::ceil(self.load_factor * fair).max(1.0) as u64)
            })
            .collect()
    }
}

impl Placement for Bounded {
    fn name(&self) -> &'static str {
        "bounded"
    }
    fn servers(&self) -> &[Server] {
        self.ring.servers()
    }
    /// Alone, a key goes where the plain ring puts it: bounds only exist among many keys.
    fn owner(&self, key: u64) -> Option<ServerId> {
        self.ring.owner(key)
    }
    fn replicas(&self, key: u64, r: usize) -> Vec<ServerId> {
        self.ring.replicas(key, r)
    }
    fn add(&mut self, server: Server) -> Result<(), PlacementError> {
        self.ring.add(server)
    }
    fn remove(&mut self, id: ServerId) -> Result<(), PlacementError> {
        self.ring.remove(id)
    }
    fn reweight(&mut self, id: ServerId, weight: u32) -> Result<(), PlacementError> {
        self.ring.reweight(id, weight)
    }
    fn ticks(&self) -> Vec<(u64, ServerId)> {
        self.ring.points().collect()
    }
    /// Keys are placed in the given order (the paper's arrival order); each takes the first
    /// server clockwise that still has room.
    fn assign(&self, keys: &[u64]) -> Vec<ServerId> {
        let cap = self.capacities(keys.len());
        let mut load: BTreeMap<ServerId, u64> = cap.keys().map(|&s| (s, 0)).collect();
        keys.iter()
            .map(|&k| {
                let chosen = self
                    .ring
                    .clockwise(hash::key(k))
                    .find(|s| load[s] < cap[s])
                    .unwrap_or(ServerId::MAX);
                if let Some(l) = load.get_mut(&chosen) {
                    *l += 1;
                }
                chosen
            })
            .collect()
    }
    fn weighted(&self) -> bool {
        true
    }
}
