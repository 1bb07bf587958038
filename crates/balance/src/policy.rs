//! The policies and the one trait they share.

use splitbrain_hashing::{Placement, Ring, Server};
use splitbrain_sim::{Duration, SimRng, Time};

/// What a policy sees of one backend when it chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backend {
    /// Relative capacity (1 = an ordinary backend).
    pub weight: u32,
    /// Requests this balancer has sent to it that have not answered yet.
    pub outstanding: u32,
    /// Eligible now: not ejected by the health check or an open circuit breaker.
    pub available: bool,
}

impl Backend {
    /// An available backend of weight 1 with nothing in flight.
    pub fn idle() -> Self {
        Self {
            weight: 1,
            outstanding: 0,
            available: true,
        }
    }
}

/// Lets boxed policies be cloned with the simulator for checkpoints.
pub trait PolicyClone {
    /// Clones into a box.
    fn clone_box(&self) -> Box<dyn Policy>;
}

impl<T: Policy + Clone + 'static> PolicyClone for T {
    fn clone_box(&self) -> Box<dyn Policy> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Policy> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A load-balancing policy. Object-safe, so the lab and the CLI hold a `Box<dyn Policy>`.
pub trait Policy: PolicyClone {
    /// Short name (`rr`, `p2c`, ...).
    fn name(&self) -> &'static str;
    /// The backend for a request with routing key `key`, or `None` when no backend is
    /// available. `rng` is the balancer's own seeded stream; `now` the virtual time.
    fn pick(
        &mut self,
        backends: &[Backend],
        key: u64,
        rng: &mut SimRng,
        now: Time,
    ) -> Option<usize>;
    /// Backend `i` answered after `latency` (policies that learn from latency use it).
    fn observe(&mut self, i: usize, latency: Duration, now: Time) {
        let _ = (i, latency, now);
    }
}

/// Policy names, for the CLI and the page.
pub const POLICIES: &[&str] = &[
    "rr",
    "swrr",
    "random",
    "weighted-random",
    "least-outstanding",
    "p2c",
    "peak-ewma",
    "hash",
];

/// A fresh policy called `name` for `n` backends.
pub fn build(name: &str, n: usize) -> Result<Box<dyn Policy>, String> {
    Ok(match name {
        "rr" => Box::new(RoundRobin::default()),
        "swrr" => Box::new(SmoothWeighted::default()),
        "random" => Box::new(Random),
        "weighted-random" => Box::new(WeightedRandom),
        "least-outstanding" => Box::new(LeastOutstanding),
        "p2c" => Box::new(PowerOfTwo),
        "peak-ewma" => Box::new(PeakEwma::new(Duration::from(10_000_000u64))),
        "hash" => Box::new(ConsistentHash::new(n)?),
        other => {
            return Err(format!(
                "unknown policy {other:?}: expected {}",
                POLICIES.join(", ")
            ));
        }
    })
}

fn available(backends: &[Backend]) -> impl Iterator<Item = usize> + '_ {
    backends
        .iter()
        .enumerate()
        .filter(|(_, b)| b.available)
        .map(|(i, _)| i)
}

/// Two distinct available backends drawn uniformly, or the only one.
fn two(backends: &[Backend], rng: &mut SimRng) -> Option<(usize, usize)> {
    let up: Vec<usize> = available(backends).collect();
    match up.len() {
        0 => None,
        1 => Some((up[0], up[0])),
        n => {
            let a = rng.below(n as u64) as usize;
            let mut b = rng.below(n as u64 - 1) as usize;
            if b >= a {
                b += 1;
            }
            Some((up[a], up[b]))
        }
    }
}

/// Each available backend in turn, in index order.
#[derive(Debug, Clone, Default)]
pub struct RoundRobin {
    next: usize,
}

impl Policy for RoundRobin {
    fn name(&self) -> &'static str {
        "rr"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, _: &mut SimRng, _: Time) -> Option<usize> {
        let n = backends.len();
        (0..n)
            .map(|k| (self.next + k) % n)
            .find(|&i| backends[i].available)
            .inspect(|&i| self.next = (i + 1) % n)
    }
}

/// nginx's smooth weighted round robin: every pick adds each backend's weight to its current
/// value, takes the largest, and subtracts the total from it. Weights 5, 1, 1 give
/// `a a b a c a a`, spreading the heavy backend's turns instead of bunching them.
#[derive(Debug, Clone, Default)]
pub struct SmoothWeighted {
    current: Vec<i64>,
}

impl Policy for SmoothWeighted {
    fn name(&self) -> &'static str {
        "swrr"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, _: &mut SimRng, _: Time) -> Option<usize> {
        self.current.resize(backends.len(), 0);
        let mut total = 0i64;
        let mut best: Option<usize> = None;
        for i in available(backends) {
            let w = i64::from(backends[i].weight);
            self.current[i] += w;
            total += w;
            if best.is_none_or(|b| self.current[i] > self.current[b]) {
                best = Some(i);
            }
        }
        let b = best?;
        self.current[b] -= total;
        Some(b)
    }
}

/// A uniformly random available backend.
#[derive(Debug, Clone, Default)]
pub struct Random;

impl Policy for Random {
    fn name(&self) -> &'static str {
        "random"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, rng: &mut SimRng, _: Time) -> Option<usize> {
        let up: Vec<usize> = available(backends).collect();
        (!up.is_empty()).then(|| up[rng.below(up.len() as u64) as usize])
    }
}

/// An available backend drawn with probability proportional to its weight.
#[derive(Debug, Clone, Default)]
pub struct WeightedRandom;

impl Policy for WeightedRandom {
    fn name(&self) -> &'static str {
        "weighted-random"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, rng: &mut SimRng, _: Time) -> Option<usize> {
        let total: u64 = available(backends)
            .map(|i| u64::from(backends[i].weight))
            .sum();
        if total == 0 {
            return None;
        }
        let mut x = rng.below(total);
        available(backends).find(|&i| {
            let w = u64::from(backends[i].weight);
            if x < w {
                true
            } else {
                x -= w;
                false
            }
        })
    }
}

/// The available backend with the fewest requests in flight (ties: a random one of them), so
/// a slow backend, whose requests pile up, gets fewer new ones.
#[derive(Debug, Clone, Default)]
pub struct LeastOutstanding;

impl Policy for LeastOutstanding {
    fn name(&self) -> &'static str {
        "least-outstanding"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, rng: &mut SimRng, _: Time) -> Option<usize> {
        let least = available(backends).map(|i| backends[i].outstanding).min()?;
        let ties: Vec<usize> = available(backends)
            .filter(|&i| backends[i].outstanding == least)
            .collect();
        Some(ties[rng.below(ties.len() as u64) as usize])
    }
}

/// Power of two choices (Mitzenmacher 2001): two random backends, the one with fewer requests
/// in flight (the first on a tie). Nearly least-outstanding's balance without looking at every
/// backend, and without every balancer herding onto the same "least" one.
#[derive(Debug, Clone, Default)]
pub struct PowerOfTwo;

impl Policy for PowerOfTwo {
    fn name(&self) -> &'static str {
        "p2c"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, rng: &mut SimRng, _: Time) -> Option<usize> {
        let (a, b) = two(backends, rng)?;
        Some(if backends[b].outstanding < backends[a].outstanding {
            b
        } else {
            a
        })
    }
}

/// Peak-EWMA (Finagle, Linkerd): each backend's cost is a moving average of its latency that
/// jumps up at once to any slower response and decays with time constant `tau` (also while
/// the backend gets no traffic), times its requests in flight plus one; two random backends,
/// the cheaper wins. It reacts to a backend that turns slow within one response.
#[derive(Debug, Clone)]
pub struct PeakEwma {
    tau: Duration,
    /// Per backend: (average latency in µs, when it was last updated).
    ewma: Vec<(f64, Time)>,
}

impl PeakEwma {
    /// A policy whose averages decay with time constant `tau` (Finagle's default is 10 s).
    pub fn new(tau: Duration) -> Self {
        Self {
            tau: tau.max(1),
            ewma: Vec::new(),
        }
    }
    /// Backend `i`'s average latency in µs now (0 before its first response).
    pub fn latency(&self, i: usize) -> f64 {
        self.ewma.get(i).map_or(0.0, |e| e.0)
    }
    fn cost(&self, b: &Backend, i: usize) -> f64 {
        // An unmeasured backend costs like an idle one that answers instantly, so it gets
        // tried and measured.
        self.latency(i) * f64::from(b.outstanding + 1)
    }
}

impl Policy for PeakEwma {
    fn name(&self) -> &'static str {
        "peak-ewma"
    }
    fn pick(&mut self, backends: &[Backend], _: u64, rng: &mut SimRng, now: Time) -> Option<usize> {
        let (a, b) = two(backends, rng)?;
        // As Finagle reads a cost: observe a zero latency first, so the cost of a backend that
        // gets no traffic decays and it is tried again.
        self.observe(a, 0, now);
        self.observe(b, 0, now);
        Some(if self.cost(&backends[b], b) < self.cost(&backends[a], a) {
            b
        } else {
            a
        })
    }
    fn observe(&mut self, i: usize, latency: Duration, now: Time) {
        if self.ewma.len() <= i {
            self.ewma.resize(i + 1, (0.0, now));
        }
        let (avg, at) = self.ewma[i];
        let rtt = latency as f64;
        let next = if rtt > avg {
            rtt
        } else {
            let w = libm::exp(-((now.saturating_sub(at)) as f64) / self.tau as f64);
            avg * w + rtt * (1.0 - w)
        };
        self.ewma[i] = (next, now);
    }
}

/// Requests with the same key go to the same backend (session affinity, caches): the
/// backend owning the key on a consistent-hash ring, or the next one clockwise while it is
/// unavailable.
#[derive(Debug, Clone)]
pub struct ConsistentHash {
    ring: Ring,
    n: usize,
}

impl ConsistentHash {
    /// A ring of `n` backends with 100 virtual nodes each.
    pub fn new(n: usize) -> Result<Self, String> {
        let mut ring = Ring::new(100).map_err(|e| e.0)?;
        for i in 0..n {
            ring.add(Server::new(i as u32)).map_err(|e| e.0)?;
        }
        Ok(Self { ring, n })
    }
}

impl Policy for ConsistentHash {
    fn name(&self) -> &'static str {
        "hash"
    }
    fn pick(&mut self, backends: &[Backend], key: u64, _: &mut SimRng, _: Time) -> Option<usize> {
        if backends.len() != self.n {
            *self = Self::new(backends.len()).ok()?;
        }
        self.ring
            .replicas(key, self.n)
            .into_iter()
            .map(|s| s as usize)
            .find(|&i| backends[i].available)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> SimRng {
        SimRng::derive(1, 2, 3)
    }

    fn idle(n: usize) -> Vec<Backend> {
        vec![Backend::idle(); n]
    }

    #[test]
    fn round_robin_cycles_exactly_and_skips_unavailable_backends() {
        let mut p = RoundRobin::default();
        let mut b = idle(3);
        let picks: Vec<usize> = (0..7)
            .map(|_| p.pick(&b, 0, &mut rng(), 0).unwrap())
            .collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0]);
        b[2].available = false;
        let picks: Vec<usize> = (0..4)
            .map(|_| p.pick(&b, 0, &mut rng(), 0).unwrap())
            .collect();
        assert_eq!(picks, [1, 0, 1, 0]);
        assert_eq!(p.pick(&[], 0, &mut rng(), 0), None);
    }

    #[test]
    fn smooth_weighted_round_robin_gives_the_nginx_sequence_for_weights_5_1_1() {
        let mut p = SmoothWeighted::default();
        let b: Vec<Backend> = [5, 1, 1]
            .iter()
            .map(|&weight| Backend {
                weight,
                ..Backend::idle()
            })
            .collect();
        let picks: String = (0..14)
            .map(|_| (b'a' + p.pick(&b, 0, &mut rng(), 0).unwrap() as u8) as char)
            .collect();
        assert_eq!(picks, "aabacaaaabacaa");
    }

    #[test]
    fn power_of_two_never_picks_the_busier_of_its_two_samples() {
        let mut r = rng();
        for round in 0..2_000u32 {
            let b: Vec<Backend> = (0..5)
                .map(|i| Backend {
                    outstanding: (round * 7 + i * 13) % 6,
                    ..Backend::idle()
                })
                .collect();
            // Replay the same two draws the policy makes.
            let mut twin = r.clone();
            let (x, y) = two(&b, &mut twin).unwrap();
            let pick = PowerOfTwo.pick(&b, 0, &mut r, 0).unwrap();
            assert!(pick == x || pick == y);
            assert_eq!(b[pick].outstanding, b[x].outstanding.min(b[y].outstanding));
        }
    }

    #[test]
    fn least_outstanding_picks_a_backend_with_the_fewest_in_flight() {
        let mut p = LeastOutstanding;
        let b: Vec<Backend> = [3, 1, 4, 1, 5]
            .iter()
            .map(|&outstanding| Backend {
                outstanding,
                ..Backend::idle()
            })
            .collect();
        let mut r = rng();
        for _ in 0..100 {
            assert!([1, 3].contains(&p.pick(&b, 0, &mut r, 0).unwrap()));
        }
    }

    #[test]
    fn weighted_random_follows_the_weights() {
        let mut p = WeightedRandom;
        let b: Vec<Backend> = [1, 3]
            .iter()
            .map(|&weight| Backend {
                weight,
                ..Backend::idle()
            })
            .collect();
        let mut r = rng();
        let heavy = (0..40_000)
            .filter(|_| p.pick(&b, 0, &mut r, 0) == Some(1))
            .count();
        // 30,000 expected; the binomial's standard deviation is about 87.
        assert!((29_500..=30_500).contains(&heavy), "{heavy}");
    }

    #[test]
    fn peak_ewma_jumps_to_a_slow_response_at_once_and_decays_with_time() {
        let mut p = PeakEwma::new(1_000_000);
        p.observe(0, 1_000, 0);
        p.observe(0, 50_000, 10);
        assert_eq!(p.latency(0), 50_000.0);
        // One time constant later, a fast response pulls the average about 63 % of the way.
        p.observe(0, 1_000, 1_000_010);
        let expect = 50_000.0 * libm::exp(-1.0) + 1_000.0 * (1.0 - libm::exp(-1.0));
        assert!((p.latency(0) - expect).abs() < 1e-6);
        // A backend known to be slow loses to an unmeasured one.
        let b = idle(2);
        let mut r = rng();
        for _ in 0..50 {
            assert_eq!(p.pick(&b, 0, &mut r, 0), Some(1));
        }
    }

    #[test]
    fn consistent_hash_keeps_a_key_on_one_backend_and_moves_it_only_while_that_one_is_out() {
        let mut p = ConsistentHash::new(5).unwrap();
        let mut b = idle(5);
        let home = p.pick(&b, 42, &mut rng(), 0).unwrap();
        for _ in 0..10 {
            assert_eq!(p.pick(&b, 42, &mut rng(), 0), Some(home));
        }
        b[home].available = false;
        let away = p.pick(&b, 42, &mut rng(), 0).unwrap();
        assert_ne!(away, home);
        b[home].available = true;
        assert_eq!(p.pick(&b, 42, &mut rng(), 0), Some(home));
    }

    #[test]
    fn every_policy_refuses_when_nothing_is_available_and_unknown_names_are_errors() {
        let b = vec![
            Backend {
                available: false,
                ..Backend::idle()
            };
            3
        ];
        for name in POLICIES {
            let mut p = build(name, 3).unwrap();
            assert_eq!(p.name(), *name);
            assert_eq!(p.pick(&b, 7, &mut rng(), 0), None, "{name}");
        }
        assert!(build("magic", 3).is_err_and(|e| e.contains("unknown policy")));
    }
}
