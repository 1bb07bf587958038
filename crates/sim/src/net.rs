//! The network model: per directed link latency, loss and duplication, plus partitions and cuts.
//!
//! Reordering is not a separate knob: it falls out of jitter, because two messages on the same
//! link draw independent latencies.

use crate::NodeId;
use crate::limits;
use crate::rng::SimRng;
use crate::time::{Duration, format_time, parse_duration};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A latency distribution, sampled in integer microseconds.
///
/// Written as text everywhere (CLI flags, scenario files, links): `5ms`, `5ms..10ms`,
/// `exp:10ms`, `lognormal:10ms,0.5`. Transcendental functions come from `libm`, which gives the
/// same bits natively and on wasm32 (std's `ln`/`exp` do not).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Latency {
    /// Always the same delay.
    Constant(Duration),
    /// Uniform in `min..=max`.
    Uniform {
        /// Shortest delay.
        min: Duration,
        /// Longest delay.
        max: Duration,
    },
    /// Exponential with the given mean (memoryless queueing delay).
    Exponential {
        /// Mean delay.
        mean: Duration,
    },
    /// Log-normal: `median * exp(sigma * Z)`, a heavy tail as seen in real datacentre RTTs.
    LogNormal {
        /// Median delay.
        median: Duration,
        /// Shape; 0.5 gives p99 ≈ 3.2× the median.
        sigma: f64,
    },
    /// Pareto with the given mean and tail index `alpha` (> 1): most draws are short, a few are
    /// very long (service times of heavy-tailed workloads; the lower alpha, the heavier).
    Pareto {
        /// Mean delay.
        mean: Duration,
        /// Tail index.
        alpha: f64,
    },
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Uniform {
            min: 5_000,
            max: 10_000,
        }
    }
}

impl Latency {
    /// The middle delay: half of all messages take longer. Used to tell a learner when their
    /// links are too slow for the timeouts to ever let the protocol finish a round trip.
    pub fn median(&self) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { min, max } => min / 2 + max / 2,
            // ln 2 · mean.
            Latency::Exponential { mean } => mean.saturating_mul(693) / 1_000,
            Latency::LogNormal { median, .. } => median,
            // x_m · 2^(1/α), with x_m = mean · (α − 1) / α.
            Latency::Pareto { mean, alpha } => {
                (mean as f64 * (alpha - 1.0) / alpha * libm::pow(2.0, 1.0 / alpha)) as Duration
            }
        }
    }
    /// Draws one delay, capped at [`limits::MAX_LATENCY`] so a heavy tail cannot stall a run.
    pub fn sample(&self, rng: &mut SimRng) -> Duration {
        let d = match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { min, max } => rng.range_inclusive(min, max),
            Latency::Exponential { mean } => {
                // 1 - u is in (0, 1], so the log is finite.
                let u = 1.0 - rng.unit();
                let v = -(mean as f64) * libm::log(u);
                v as u64
            }
            Latency::LogNormal { median, sigma } => {
                // Box–Muller with libm for portability.
                let u1 = 1.0 - rng.unit();
                let u2 = rng.unit();
                let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2);
                let v = median as f64 * libm::exp(sigma * z);
                if v.is_finite() {
                    v as u64
                } else {
                    limits::MAX_LATENCY
                }
            }
            Latency::Pareto { mean, alpha } => {
                // Inverse CDF: x_m · u^(-1/alpha), with x_m = mean (alpha - 1) / alpha.
                let u = 1.0 - rng.unit();
                let xm = mean as f64 * (alpha - 1.0) / alpha;
                let v = xm * libm::exp(-libm::log(u) / alpha);
                if v.is_finite() {
                    v as u64
                } else {
                    limits::MAX_LATENCY
                }
            }
        };
        d.min(limits::MAX_LATENCY)
    }

    fn validate(self) -> Result<Self, String> {
        let too_big = |d: Duration| d > limits::MAX_LATENCY;
        let bad = match self {
            Latency::Constant(d) => too_big(d),
            Latency::Uniform { min, max } => min > max || too_big(max),
            Latency::Exponential { mean } => too_big(mean),
            Latency::LogNormal { median, sigma } => {
                too_big(median) || !sigma.is_finite() || !(0.0..=3.0).contains(&sigma)
            }
            Latency::Pareto { mean, alpha } => {
                too_big(mean) || !alpha.is_finite() || !(1.05..=10.0).contains(&alpha)
            }
        };
        if bad {
            Err(format!(
                "latency {self} out of range: at most {} per message, min <= max, lognormal sigma in 0..=3, pareto alpha in 1.05..=10",
                format_time(limits::MAX_LATENCY)
            ))
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Latency::Constant(d) => write!(f, "{}", fmt_dur(d)),
            Latency::Uniform { min, max } => write!(f, "{}..{}", fmt_dur(min), fmt_dur(max)),
            Latency::Exponential { mean } => write!(f, "exp:{}", fmt_dur(mean)),
            Latency::LogNormal { median, sigma } => {
                write!(f, "lognormal:{},{sigma}", fmt_dur(median))
            }
            Latency::Pareto { mean, alpha } => write!(f, "pareto:{},{alpha}", fmt_dur(mean)),
        }
    }
}

fn fmt_dur(d: Duration) -> String {
    if d.is_multiple_of(1_000) && d < 1_000_000 {
        format!("{}ms", d / 1_000)
    } else {
        format_time(d)
    }
}

/// Why a latency string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLatencyError(pub String);

impl fmt::Display for ParseLatencyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseLatencyError {}

impl FromStr for Latency {
    type Err = ParseLatencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let usage = || {
            ParseLatencyError(format!(
                "bad latency {s:?}: expected 5ms, 5ms..10ms, const:5ms, exp:10ms, lognormal:10ms,0.5 or pareto:10ms,1.5"
            ))
        };
        let dur = |t: &str| parse_duration(t).map_err(|_| usage());
        let (kind, rest) = match s.split_once(':') {
            Some((k, r)) => (k, r),
            None if s.contains("..") => ("uniform", s),
            None => ("const", s),
        };
        let lat = match kind {
            "const" | "constant" => Latency::Constant(dur(rest)?),
            "uniform" => {
                let (a, b) = rest.split_once("..").ok_or_else(usage)?;
                Latency::Uniform {
                    min: dur(a)?,
                    max: dur(b)?,
                }
            }
            "exp" | "exponential" => Latency::Exponential { mean: dur(rest)? },
            "lognormal" => {
                let (m, sg) = rest.split_once(',').ok_or_else(usage)?;
                let sigma: f64 = sg.trim().parse().map_err(|_| usage())?;
                Latency::LogNormal {
                    median: dur(m)?,
                    sigma,
                }
            }
            "pareto" => {
                let (m, a) = rest.split_once(',').ok_or_else(usage)?;
                let alpha: f64 = a.trim().parse().map_err(|_| usage())?;
                Latency::Pareto {
                    mean: dur(m)?,
                    alpha,
                }
            }
            _ => return Err(usage()),
        };
        lat.validate().map_err(ParseLatencyError)
    }
}

impl TryFrom<String> for Latency {
    type Error = ParseLatencyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Latency> for String {
    fn from(l: Latency) -> String {
        l.to_string()
    }
}

/// The behaviour of one directed link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// Delay of each message.
    pub latency: Latency,
    /// Probability that a message is lost, in `[0, 1]`.
    pub loss: f64,
    /// Probability that a message is delivered twice, in `[0, 1]`.
    pub duplicate: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            latency: Latency::default(),
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

impl LinkConfig {
    /// Checks the probabilities and the latency.
    pub fn validate(&self) -> Result<(), String> {
        check_probability("loss", self.loss)?;
        check_probability("duplicate", self.duplicate)?;
        self.latency.validate().map(|_| ())
    }
}

/// Checks that `p` is a probability.
pub(crate) fn check_probability(what: &str, p: f64) -> Result<(), String> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(format!(
            "{what} probability must be between 0 and 1, got {p}"
        ))
    }
}

/// Links and reachability between `n` nodes.
///
/// Reachability is a dense `n × n` matrix of blocked directed links: partitions and one-way cuts
/// both write into it, and heal clears it. Per-link settings are a default plus sparse overrides.
#[derive(Debug, Clone)]
pub struct Network {
    n: usize,
    default: LinkConfig,
    overrides: BTreeMap<(NodeId, NodeId), LinkConfig>,
    blocked: Vec<bool>,
    any_blocked: bool,
}

impl Network {
    /// A fully connected network where every link behaves like `default`.
    pub fn new(n: usize, default: LinkConfig) -> Self {
        Self {
            n,
            default,
            overrides: BTreeMap::new(),
            blocked: vec![false; n * n],
            any_blocked: false,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.n
    }

    /// `true` for a network of no nodes.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Settings of the link `from → to`.
    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        if self.overrides.is_empty() {
            return &self.default;
        }
        self.overrides.get(&(from, to)).unwrap_or(&self.default)
    }

    /// The default link settings.
    pub fn default_link(&self) -> &LinkConfig {
        &self.default
    }

    /// Changes settings: of one link when both ends are given, of every link out of / into a node
    /// when one is, of every link otherwise.
    pub fn update(
        &mut self,
        from: Option<NodeId>,
        to: Option<NodeId>,
        f: impl Fn(&mut LinkConfig),
    ) {
        if from.is_none() && to.is_none() {
            f(&mut self.default);
            for cfg in self.overrides.values_mut() {
                f(cfg);
            }
            return;
        }
        for a in 0..self.n {
            for b in 0..self.n {
                if a == b || from.is_some_and(|x| x != a) || to.is_some_and(|x| x != b) {
                    continue;
                }
                let entry = self
                    .overrides
                    .entry((a, b))
                    .or_insert_with(|| self.default.clone());
                f(entry);
            }
        }
    }

    /// `true` when messages from `from` cannot reach `to`.
    #[inline]
    pub fn blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.any_blocked && self.blocked[from * self.n + to]
    }

    /// Splits the nodes into groups that cannot talk to each other. Nodes not named in any group
    /// form one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let mut group_of = vec![usize::MAX; self.n];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group_of[m] = g;
            }
        }
        for a in 0..self.n {
            for b in 0..self.n {
                self.blocked[a * self.n + b] = group_of[a] != group_of[b];
            }
        }
        self.any_blocked = self.blocked.iter().any(|&x| x);
    }

    /// Blocks the single direction `from → to`.
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.blocked[from * self.n + to] = true;
        self.any_blocked = true;
    }

    /// Restores the single direction `from → to`.
    pub fn uncut(&mut self, from: NodeId, to: NodeId) {
        self.blocked[from * self.n + to] = false;
        self.any_blocked = self.blocked.iter().any(|&x| x);
    }

    /// Removes every partition and cut.
    pub fn heal(&mut self) {
        self.blocked.iter_mut().for_each(|b| *b = false);
        self.any_blocked = false;
    }

    /// Every blocked directed link, in order.
    pub fn blocked_links(&self) -> Vec<(NodeId, NodeId)> {
        if !self.any_blocked {
            return Vec::new();
        }
        let mut out = Vec::new();
        for a in 0..self.n {
            for b in 0..self.n {
                if a != b && self.blocked[a * self.n + b] {
                    out.push((a, b));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_text_round_trips() {
        for s in [
            "5ms",
            "5ms..10ms",
            "exp:10ms",
            "lognormal:10ms,0.5",
            "pareto:1s,1.5",
            "1.5s",
        ] {
            let l: Latency = s.parse().unwrap();
            assert_eq!(l.to_string().parse::<Latency>().unwrap(), l, "{s}");
        }
    }

    #[test]
    fn latency_refuses_nonsense() {
        for s in [
            "",
            "fast",
            "10ms..5ms",
            "lognormal:10ms,nan",
            "lognormal:10ms,9",
            "exp:-1ms",
            "99999s",
            "pareto:1s,1",
            "pareto:1s",
        ] {
            assert!(s.parse::<Latency>().is_err(), "{s}");
        }
    }

    #[test]
    fn samples_stay_within_uniform_bounds_and_cap() {
        let mut r = SimRng::derive(1, 0, 0);
        let u: Latency = "5ms..10ms".parse().unwrap();
        for _ in 0..1000 {
            let d = u.sample(&mut r);
            assert!((5_000..=10_000).contains(&d));
        }
        let heavy = Latency::LogNormal {
            median: 1_000_000,
            sigma: 3.0,
        };
        for _ in 0..1000 {
            assert!(heavy.sample(&mut r) <= limits::MAX_LATENCY);
        }
    }

    #[test]
    fn exponential_mean_is_close() {
        let mut r = SimRng::derive(2, 0, 0);
        let e = Latency::Exponential { mean: 10_000 };
        let n = 20_000;
        let sum: u64 = (0..n).map(|_| e.sample(&mut r)).sum();
        let mean = sum as f64 / n as f64;
        assert!((mean - 10_000.0).abs() < 300.0, "mean {mean}");
    }

    #[test]
    fn pareto_mean_is_close_and_most_draws_are_below_it() {
        let mut r = SimRng::derive(3, 0, 0);
        let p = Latency::Pareto {
            mean: 10_000,
            alpha: 3.0,
        };
        let n = 100_000;
        let draws: Vec<u64> = (0..n).map(|_| p.sample(&mut r)).collect();
        let mean = draws.iter().sum::<u64>() as f64 / n as f64;
        // alpha = 3 has a finite variance: the sample mean is within a few percent.
        assert!((mean - 10_000.0).abs() < 400.0, "mean {mean}");
        // P(X < mean) = 1 - ((alpha-1)/alpha)^alpha = 1 - (2/3)^3 ≈ 0.70.
        let below = draws.iter().filter(|&&d| d < 10_000).count() as f64 / n as f64;
        assert!((below - 0.7037).abs() < 0.01, "{below}");
    }

    #[test]
    fn partition_blocks_across_groups_only() {
        let mut net = Network::new(5, LinkConfig::default());
        net.partition(&[vec![0, 1], vec![2, 3]]);
        assert!(!net.blocked(0, 1));
        assert!(net.blocked(1, 2));
        assert!(net.blocked(4, 0), "unnamed nodes form their own group");
        net.heal();
        assert!(!net.blocked(1, 2));
        net.cut(0, 1);
        assert!(net.blocked(0, 1));
        assert!(!net.blocked(1, 0), "a cut is one direction");
        assert_eq!(net.blocked_links(), vec![(0, 1)]);
    }
}
