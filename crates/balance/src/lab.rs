//! The load-balancing lab as a simulation: node 0 is the balancer (and the clients behind it),
//! nodes `1..n` are backends with a service-time distribution, a speed factor, a concurrency
//! limit and a bounded queue.
//!
//! Client side: request timeouts; retries with exponential backoff and full jitter, limited by
//! a retry budget (at most `retry_budget` retries per request, plus a floor of ten, as in
//! Finagle's `RetryBudget`); an active health check that ejects backends that stop answering
//! pings; a per-backend circuit breaker (closed → open after `failures` consecutive failures
//! → half-open after `open_for`, one probe → closed on success, open again on failure).
//!
//! Times are virtual microseconds; metrics are exact, from every request of the run.

use crate::policy::{Backend, Policy};
use crate::workload::Arrival;
use serde::{Deserialize, Serialize};
use splitbrain_sim::{
    Cx, Describe, Duration, Fact, Latency, NodeId, NodeView, Process, SimRng, Time, World,
    format_time, ms, secs,
};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// The lab's name in links, files and the CLI.
pub const LAB: &str = "balance";
/// Stream number of the workload (arrivals, keys, service demands), apart from every node's.
const WORKLOAD: u64 = 0x5752_4b4c;
/// Most latencies kept for the overall percentiles (beyond, the summary says it stopped).
pub const MAX_SAMPLES: usize = 10_000_000;

/// The circuit breaker's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive failures (timeouts or drops) that open it.
    pub failures: u32,
    /// How long it stays open before letting one probe through.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub open_for: Duration,
}

/// Settings of a load-balancing run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Balancer policy: one of [`crate::POLICIES`].
    pub policy: String,
    /// How requests arrive.
    pub arrival: Arrival,
    /// Service time at speed 1.
    pub service: Latency,
    /// Requests a backend serves at once.
    pub concurrency: u32,
    /// Waiting requests a backend holds before it drops new ones (`None`: unbounded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<u32>,
    /// Backend weights, in node order (missing ones are 1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<u32>,
    /// Client timeout per attempt (`None`: wait forever).
    #[serde(
        default,
        with = "splitbrain_sim::serde_opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// Retries per request after a timeout or a drop.
    pub retries: u32,
    /// First backoff; each retry doubles it, and the wait is drawn uniformly below it.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub backoff: Duration,
    /// Retries allowed per request issued, over the run (plus ten).
    pub retry_budget: f64,
    /// Health-check interval (`None`: no health check).
    #[serde(
        default,
        with = "splitbrain_sim::serde_opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub health_check: Option<Duration>,
    /// Circuit breaker per backend (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerConfig>,
    /// The sliding window of the windowed percentiles.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub window: Duration,
    /// Distinct request keys (for the consistent-hash policy).
    pub keys: u32,
    /// Compare mode: a second balancer with this policy, in front of its own copy of the
    /// backends, serving the very same requests (nodes split into two equal sides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<String>,
    /// The workload's seed: the run's seed, set by the lab's builder (not a setting).
    #[serde(skip)]
    pub workload_seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            policy: "p2c".into(),
            arrival: Arrival::Poisson { rate: 9.0 },
            service: Latency::Exponential { mean: secs(1) },
            concurrency: 1,
            queue: None,
            weights: Vec::new(),
            timeout: None,
            retries: 0,
            backoff: ms(10),
            retry_budget: 0.2,
            health_check: None,
            breaker: None,
            window: secs(60),
            keys: 1_000,
            compare: None,
            workload_seed: 0,
        }
    }
}

impl Params {
    /// Checks ranges so a bad file or link gives a clear error.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        if !(2..=splitbrain_sim::limits::MAX_NODES).contains(&nodes) {
            return Err(format!(
                "balance needs a balancer and at least one backend (2 to {} nodes), got {nodes}",
                splitbrain_sim::limits::MAX_NODES
            ));
        }
        if let Some(c) = &self.compare {
            if nodes < 4 || nodes % 2 == 1 {
                return Err(format!(
                    "compare mode splits the nodes into two equal sides (a balancer and its backends each): use an even number of at least 4, got {nodes}"
                ));
            }
            crate::build(c, nodes / 2 - 1)?;
        }
        crate::build(&self.policy, nodes - 1)?;
        if !(1..=10_000).contains(&self.concurrency) {
            return Err("concurrency must be 1 to 10000".into());
        }
        if self.queue.is_some_and(|q| q > 1_000_000) {
            return Err("queue must be at most 1000000 (leave it out for unbounded)".into());
        }
        if self.weights.len() > nodes - 1 || self.weights.iter().any(|w| !(1..=1_000).contains(w)) {
            return Err(format!(
                "weights: at most one per backend ({}), each 1 to 1000",
                nodes - 1
            ));
        }
        if self.retries > 10 {
            return Err("retries must be 0 to 10".into());
        }
        if !(self.retry_budget.is_finite() && (0.0..=10.0).contains(&self.retry_budget)) {
            return Err("retry_budget must be 0 to 10 retries per request".into());
        }
        let max = splitbrain_sim::limits::MAX_LATENCY;
        let bad = |d: Duration| d == 0 || d > max;
        if self.timeout.is_some_and(bad) || bad(self.backoff) || bad(self.window) {
            return Err("timeout, backoff and window must be above 0 and at most 1 hour".into());
        }
        if self.health_check.is_some_and(|d| d < ms(1) || d > max) {
            return Err("health_check must be 1ms to 1 hour".into());
        }
        if self
            .breaker
            .is_some_and(|b| !(1..=1_000).contains(&b.failures) || bad(b.open_for))
        {
            return Err("breaker: failures 1 to 1000, open_for above 0 and at most 1 hour".into());
        }
        if !(1..=1_000_000).contains(&self.keys) {
            return Err("keys must be 1 to 1000000".into());
        }
        Ok(())
    }
}

/// Messages between the balancer and the backends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Balancer → backend: serve this request.
    Request {
        /// Attempt id.
        id: u64,
        /// Its service demand at normal speed (drawn with the workload, so every policy
        /// compared on a seed serves exactly the same requests).
        work: Duration,
    },
    /// Backend → balancer: done; `sojourn` is the time it spent at the backend (queue +
    /// service).
    Response {
        /// Attempt id.
        id: u64,
        /// Queue plus service time.
        sojourn: Duration,
    },
    /// Backend → balancer: the queue was full, the request was dropped.
    Dropped {
        /// Attempt id.
        id: u64,
    },
    /// Balancer → backend: health check.
    Ping {
        /// Sequence number.
        seq: u64,
    },
    /// Backend → balancer: alive.
    Pong {
        /// Sequence number.
        seq: u64,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::Request { id, work } => format!("Request #{id} ({} of work)", format_time(*work)),
            Msg::Response { id, sojourn } => {
                format!("Response #{id} after {}", format_time(*sojourn))
            }
            Msg::Dropped { id } => format!("Dropped #{id} (queue full)"),
            Msg::Ping { seq } => format!("Ping {seq}"),
            Msg::Pong { seq } => format!("Pong {seq}"),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "request",
            Msg::Response { .. } => "response",
            Msg::Dropped { .. } => "dropped",
            Msg::Ping { .. } | Msg::Pong { .. } => "health",
        }
    }
    fn short(&self) -> String {
        match self {
            Msg::Request { id, .. } => format!("#{id}"),
            Msg::Response { id, .. } => format!("#{id} ✓"),
            Msg::Dropped { id } => format!("#{id} ✗"),
            Msg::Ping { .. } => "ping".into(),
            Msg::Pong { .. } => "pong".into(),
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// Balancer: the next client request arrives.
    Arrival,
    /// Balancer: attempt `id` waited too long.
    Timeout(u64),
    /// Balancer: request `id` retries now (after its backoff).
    Retry(u64),
    /// Balancer: ping every backend.
    Health,
    /// Backend: request `id` finished its service.
    Done(u64),
    /// Balancer: close one second of the latency-over-time series.
    Sample,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Arrival => write!(f, "next arrival"),
            Timer::Timeout(id) => write!(f, "timeout of #{id}"),
            Timer::Retry(id) => write!(f, "retry of #{id}"),
            Timer::Health => write!(f, "health check"),
            Timer::Done(id) => write!(f, "service of #{id}"),
            Timer::Sample => write!(f, "latency sample"),
        }
    }
}

/// One second of the latency-over-time series: percentiles of the requests answered in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// End of the second.
    pub at: Time,
    /// Answered in it.
    pub answered: u32,
    /// p50, p90 and p99 in µs (`None` when nothing was answered).
    pub percentiles: Option<[u64; 3]>,
}

/// Seconds the series keeps.
pub const SERIES: usize = 240;

/// User commands: `rate 20` (balancer: new arrival rate per second), `slow 5` (backend: serve
/// five times slower; `slow 1` restores), `eject` / `admit` (balancer: take backend N out of or
/// back into rotation, as `eject 3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// New arrival rate, in thousandths of a request per second.
    Rate(u64),
    /// Slow-down factor for this backend, in thousandths.
    Slow(u64),
    /// Take a backend out of rotation.
    Eject(u32),
    /// Put it back.
    Admit(u32),
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Rate(r) => write!(f, "rate {}/s", Thousandths(*r)),
            Command::Slow(x) => write!(f, "slow {}", Thousandths(*x)),
            Command::Eject(n) => write!(f, "eject n{n}"),
            Command::Admit(n) => write!(f, "admit n{n}"),
        }
    }
}

/// Nothing survives a crash: queues and in-flight requests are memory.
pub type Durable = ();

/// A backend's breaker state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaker {
    Closed { failures: u32 },
    Open { until: Time },
    HalfOpen { probing: bool },
}

/// One attempt in flight.
#[derive(Debug, Clone)]
struct Attempt {
    request: u64,
    backend: usize,
    sent: Time,
}

/// One client request, over its attempts.
#[derive(Debug, Clone)]
struct Request {
    key: u64,
    work: Duration,
    first: Time,
    attempts: u32,
}

/// Exact latency percentiles over the whole run and over a sliding window.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    all: Vec<u64>,
    capped: bool,
    window: VecDeque<(Time, u64)>,
    /// Samples recorded, also past the cap.
    recorded: u64,
}

impl Latencies {
    fn record(&mut self, now: Time, micros: u64, window: Duration) {
        let v = micros;
        self.recorded += 1;
        if self.all.len() < MAX_SAMPLES {
            self.all.push(v);
        } else {
            self.capped = true;
        }
        self.window.push_back((now, v));
        while self.window.front().is_some_and(|&(t, _)| t + window < now) {
            self.window.pop_front();
        }
    }
    /// Number of samples over the run.
    pub fn count(&self) -> usize {
        self.all.len()
    }
    /// (mean, p50, p90, p99, p99.9) in µs over the run, nearest-rank.
    pub fn overall(&self) -> Option<[f64; 5]> {
        summarize(self.all.clone())
    }
    /// The same over the sliding window.
    pub fn windowed(&self) -> Option<[f64; 5]> {
        summarize(self.window.iter().map(|&(_, v)| v).collect())
    }
    /// The window's samples, oldest first: (when it finished, µs).
    pub fn window(&self) -> impl Iterator<Item = (Time, u64)> + '_ {
        self.window.iter().copied()
    }
    /// Whether the run outgrew [`MAX_SAMPLES`].
    pub fn capped(&self) -> bool {
        self.capped
    }
}

fn summarize(mut v: Vec<u64>) -> Option<[f64; 5]> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    let rank = |p: f64| v[((p * n as f64).ceil() as usize).clamp(1, n) - 1] as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
    Some([mean, rank(0.5), rank(0.9), rank(0.99), rank(0.999)])
}

/// What the balancer counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Client requests issued.
    pub requests: u64,
    /// Answered.
    pub completed: u64,
    /// Attempts dropped by a full queue.
    pub drops: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// Retries scheduled.
    pub retries: u64,
    /// Requests given up (no retry left, or no budget).
    pub failed: u64,
    /// Requests no backend was available for.
    pub no_backend: u64,
    /// Attempts sent, per backend.
    pub sent: Vec<u64>,
}

/// The balancer.
#[derive(Clone)]
pub struct Balancer {
    params: Rc<Params>,
    /// Node id of its first backend (its backends are the next `backends.len()` ids).
    first: usize,
    /// The workload's own stream (arrivals, keys, service demands), apart from the stream the
    /// policy draws from, so every policy run on a seed sees the same requests.
    workload: SimRng,
    policy: Box<dyn Policy>,
    arrival: Arrival,
    backends: Vec<Backend>,
    ejected: Vec<bool>,
    breakers: Vec<Breaker>,
    last_pong: Vec<Option<Time>>,
    ping_seq: u64,
    attempts: BTreeMap<u64, Attempt>,
    requests: BTreeMap<u64, Request>,
    next_id: u64,
    counts: Counts,
    latency: Latencies,
    sojourn: Latencies,
    /// Latencies answered in the current second, and the series of past seconds.
    second: Vec<u64>,
    series: VecDeque<Point>,
    /// Set if an attempt ever went to a backend whose breaker was open (an invariant).
    sent_while_open: Option<usize>,
}

impl Balancer {
    fn new(params: Rc<Params>, policy: &str, first: usize, backends: usize) -> Self {
        let policy = crate::build(policy, backends)
            .unwrap_or_else(|_| Box::new(crate::RoundRobin::default()));
        let views = (0..backends)
            .map(|i| Backend {
                weight: params.weights.get(i).copied().unwrap_or(1),
                ..Backend::idle()
            })
            .collect();
        Self {
            first,
            arrival: params.arrival,
            workload: SimRng::derive(params.workload_seed, WORKLOAD, 0),
            policy,
            backends: views,
            ejected: vec![false; backends],
            breakers: vec![Breaker::Closed { failures: 0 }; backends],
            last_pong: vec![None; backends],
            ping_seq: 0,
            attempts: BTreeMap::new(),
            requests: BTreeMap::new(),
            next_id: 0,
            counts: Counts {
                sent: vec![0; backends],
                ..Counts::default()
            },
            latency: Latencies::default(),
            sojourn: Latencies::default(),
            second: Vec::new(),
            series: VecDeque::new(),
            sent_while_open: None,
            params,
        }
    }

    /// Client-observed latency (first send to answer, over retries).
    pub fn latency(&self) -> &Latencies {
        &self.latency
    }
    /// Time at the backend (queue + service) of answered attempts.
    pub fn sojourn(&self) -> &Latencies {
        &self.sojourn
    }
    /// Latency percentiles per second, oldest first (the last [`SERIES`] seconds).
    pub fn series(&self) -> impl Iterator<Item = &Point> + '_ {
        self.series.iter()
    }
    /// What was counted.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }
    /// Attempts in flight per backend.
    pub fn outstanding(&self) -> Vec<u32> {
        self.backends.iter().map(|b| b.outstanding).collect()
    }
    /// Whether backend `i` is eligible now (rotation, health check, breaker).
    pub fn available(&self, i: usize) -> bool {
        self.backends.get(i).is_some_and(|b| b.available)
    }
    /// Whether backend `i` was taken out of rotation by hand (`eject`).
    pub fn ejected(&self, i: usize) -> bool {
        self.ejected.get(i).copied().unwrap_or(false)
    }
    /// Breaker state of backend `i` as a word.
    pub fn breaker(&self, i: usize) -> &'static str {
        match self.breakers.get(i) {
            Some(Breaker::Closed { .. }) | None => "closed",
            Some(Breaker::Open { .. }) => "open",
            Some(Breaker::HalfOpen { .. }) => "half-open",
        }
    }
    /// The arrival process now.
    pub fn arrival(&self) -> Arrival {
        self.arrival
    }
    /// Node id of its first backend.
    pub fn first_backend(&self) -> usize {
        self.first
    }
    /// Its policy's name.
    pub fn policy(&self) -> &'static str {
        self.policy.name()
    }
    /// The run's settings.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// An attempt went to a backend whose breaker was open (the invariant's evidence).
    pub fn sent_while_open(&self) -> Option<usize> {
        self.sent_while_open
    }
    /// Client requests still unanswered (over all their attempts).
    pub fn open_requests(&self) -> usize {
        self.requests.len()
    }

    /// Recomputes every backend's eligibility at `now`.
    fn refresh(&mut self, now: Time) {
        let hc = self.params.health_check;
        for i in 0..self.backends.len() {
            if let Breaker::Open { until } = self.breakers[i]
                && now >= until
            {
                self.breakers[i] = Breaker::HalfOpen { probing: false };
            }
            let healthy = match (hc, self.last_pong[i]) {
                // Two and a half intervals without a pong: ejected.
                (Some(every), Some(t)) => now <= t + every * 5 / 2,
                (Some(every), None) => now <= every * 5 / 2,
                (None, _) => true,
            };
            let breaker_ok = match self.breakers[i] {
                Breaker::Closed { .. } => true,
                Breaker::Open { .. } => false,
                Breaker::HalfOpen { probing } => !probing,
            };
            self.backends[i].available = !self.ejected[i] && healthy && breaker_ok;
        }
    }

    fn arm_arrival(&mut self, cx: &mut Cx<'_, Node>) {
        let now = cx.now();
        if let Some(t) = self.arrival.next(now, &mut self.workload) {
            cx.set_timer(Timer::Arrival, t - now, t - now);
        }
    }

    fn send(&mut self, request: u64, cx: &mut Cx<'_, Node>) {
        let now = cx.now();
        self.refresh(now);
        let Some(r) = self.requests.get(&request) else {
            return;
        };
        let (key, work) = (r.key, r.work);
        let pick = self.policy.pick(&self.backends, key, cx.rng(), now);
        let Some(b) = pick.filter(|&b| b < self.backends.len()) else {
            self.requests.remove(&request);
            self.counts.no_backend += 1;
            self.counts.failed += 1;
            return;
        };
        match self.breakers[b] {
            Breaker::Open { .. } => self.sent_while_open = Some(b),
            Breaker::HalfOpen { .. } => self.breakers[b] = Breaker::HalfOpen { probing: true },
            Breaker::Closed { .. } => {}
        }
        let id = self.next_id;
        self.next_id += 1;
        self.attempts.insert(
            id,
            Attempt {
                request,
                backend: b,
                sent: now,
            },
        );
        self.backends[b].outstanding += 1;
        self.counts.sent[b] += 1;
        cx.send(self.first + b, Msg::Request { id, work });
        if let Some(t) = self.params.timeout {
            cx.set_timer(Timer::Timeout(id), t, t);
        }
    }

    /// Attempt `id` ended; returns it.
    fn end(&mut self, id: u64, cx: &mut Cx<'_, Node>) -> Option<Attempt> {
        let a = self.attempts.remove(&id)?;
        let b = &mut self.backends[a.backend];
        b.outstanding = b.outstanding.saturating_sub(1);
        cx.cancel_timer(Timer::Timeout(id));
        Some(a)
    }

    fn success(&mut self, b: usize) {
        self.breakers[b] = Breaker::Closed { failures: 0 };
    }

    fn failure(&mut self, b: usize, now: Time) {
        let Some(cfg) = self.params.breaker else {
            return;
        };
        self.breakers[b] = match self.breakers[b] {
            Breaker::Closed { failures } if failures + 1 < cfg.failures => Breaker::Closed {
                failures: failures + 1,
            },
            _ => Breaker::Open {
                until: now + cfg.open_for,
            },
        };
    }

    /// A failed attempt of `request`: retry after a backoff if allowed, else give up.
    fn retry_or_fail(&mut self, request: u64, cx: &mut Cx<'_, Node>) {
        let Some(r) = self.requests.get_mut(&request) else {
            return;
        };
        let budget = self.params.retry_budget * self.counts.requests as f64 + 10.0;
        if r.attempts > self.params.retries || (self.counts.retries + 1) as f64 > budget {
            self.requests.remove(&request);
            self.counts.failed += 1;
            return;
        }
        // Exponential backoff with full jitter: uniform in [0, backoff · 2^(attempt-1)].
        let cap = self
            .params
            .backoff
            .saturating_mul(1 << (r.attempts - 1).min(20));
        // Counted when scheduled, so retries waiting out their backoff spend the budget too.
        self.counts.retries += 1;
        let wait = cx.rng().range_inclusive(0, cap).max(1);
        cx.set_timer(Timer::Retry(request), wait, wait);
    }

    fn start(&mut self, cx: &mut Cx<'_, Node>) {
        // Both sides of a comparison, and every policy run on a seed, draw the same workload.
        self.workload = SimRng::derive(self.params.workload_seed, WORKLOAD, 0);
        self.arm_arrival(cx);
        cx.set_timer(Timer::Sample, secs(1), secs(1));
        if let Some(every) = self.params.health_check {
            cx.set_timer(Timer::Health, every, every);
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
        let now = cx.now();
        match msg {
            Msg::Response { id, sojourn } => {
                if let Some(a) = self.end(id, cx) {
                    self.success(a.backend);
                    self.policy.observe(a.backend, now - a.sent, now);
                    let window = self.params.window;
                    self.sojourn.record(now, sojourn, window);
                    if let Some(r) = self.requests.remove(&a.request) {
                        self.counts.completed += 1;
                        self.latency.record(now, now - r.first, window);
                        self.second.push(now - r.first);
                        cx.cancel_timer(Timer::Retry(a.request));
                    }
                }
            }
            Msg::Dropped { id } => {
                if let Some(a) = self.end(id, cx) {
                    self.counts.drops += 1;
                    self.failure(a.backend, now);
                    self.retry_or_fail(a.request, cx);
                }
            }
            Msg::Pong { .. } => {
                if let Some(t) = self.last_pong.get_mut(from.wrapping_sub(self.first)) {
                    *t = Some(now);
                }
            }
            Msg::Request { .. } | Msg::Ping { .. } => {
                cx.note("the balancer ignores a message meant for backends")
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Node>) {
        let now = cx.now();
        match timer {
            Timer::Arrival => {
                let key = self.workload.below(u64::from(self.params.keys));
                let work = self.params.service.sample(&mut self.workload);
                let id = self.counts.requests;
                self.counts.requests += 1;
                self.requests.insert(
                    id,
                    Request {
                        key,
                        work,
                        first: now,
                        attempts: 1,
                    },
                );
                self.send(id, cx);
                self.arm_arrival(cx);
            }
            Timer::Timeout(id) => {
                if let Some(a) = self.end(id, cx) {
                    self.counts.timeouts += 1;
                    self.failure(a.backend, now);
                    self.retry_or_fail(a.request, cx);
                }
            }
            Timer::Retry(request) => {
                if let Some(r) = self.requests.get_mut(&request) {
                    r.attempts += 1;
                    self.send(request, cx);
                }
            }
            Timer::Health => {
                self.ping_seq += 1;
                for b in 0..self.backends.len() {
                    cx.send(self.first + b, Msg::Ping { seq: self.ping_seq });
                }
                if let Some(every) = self.params.health_check {
                    cx.set_timer(Timer::Health, every, every);
                }
            }
            Timer::Sample => {
                let mut v = std::mem::take(&mut self.second);
                v.sort_unstable();
                let n = v.len();
                let rank = |p: f64| v[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
                if self.series.len() == SERIES {
                    self.series.pop_front();
                }
                self.series.push_back(Point {
                    at: now,
                    answered: n as u32,
                    percentiles: (n > 0).then(|| [rank(0.5), rank(0.9), rank(0.99)]),
                });
                cx.set_timer(Timer::Sample, secs(1), secs(1));
            }
            Timer::Done(_) => {}
        }
    }

    fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Node>) {
        match cmd {
            Command::Rate(milli) => {
                self.arrival = self.arrival.with_rate(milli as f64 / 1_000.0);
                cx.cancel_timer(Timer::Arrival);
                self.arm_arrival(cx);
            }
            Command::Eject(n) | Command::Admit(n) => {
                let eject = matches!(cmd, Command::Eject(_));
                match self.ejected.get_mut((n as usize).wrapping_sub(self.first)) {
                    Some(e) => *e = eject,
                    None => cx.note(format!("no backend n{n}")),
                }
            }
            Command::Slow(_) => cx.note("slow is a backend command: send it to the backend"),
        }
    }

    fn view(&self) -> NodeView {
        let c = &self.counts;
        NodeView {
            role: "balancer".into(),
            summary: format!("{} · {} in flight", self.policy.name(), self.attempts.len()),
            fields: vec![
                ("policy".into(), self.policy.name().into()),
                ("arrival".into(), self.arrival.to_string()),
                (
                    "requests".into(),
                    format!(
                        "{} · {} answered · {} failed",
                        c.requests, c.completed, c.failed
                    ),
                ),
                (
                    "attempts".into(),
                    format!(
                        "{} drops · {} timeouts · {} retries",
                        c.drops, c.timeouts, c.retries
                    ),
                ),
            ],
        }
    }
}

/// A backend.
#[derive(Debug, Clone)]
pub struct Server {
    concurrency: u32,
    queue_cap: Option<u32>,
    /// Slow-down factor in thousandths (1000 = normal).
    slow: u64,
    /// Waiting: (attempt id, work, arrived, the balancer that sent it).
    queue: VecDeque<(u64, Duration, Time, NodeId)>,
    /// In service: attempt id → (arrived, service started, the balancer that sent it).
    serving: BTreeMap<u64, (Time, Time, NodeId)>,
    /// Service time completed, µs (utilisation = busy / (elapsed × concurrency)).
    busy: u64,
    served: u64,
    dropped: u64,
}

impl Server {
    fn new(p: &Params) -> Self {
        Self {
            concurrency: p.concurrency,
            queue_cap: p.queue,
            slow: 1_000,
            queue: VecDeque::new(),
            serving: BTreeMap::new(),
            busy: 0,
            served: 0,
            dropped: 0,
        }
    }
    /// Requests waiting.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
    /// Requests in service.
    pub fn in_service(&self) -> usize {
        self.serving.len()
    }
    /// Busy time so far, µs, counting the part of current services already done at `now`.
    pub fn busy(&self, now: Time) -> u64 {
        self.busy
            + self
                .serving
                .values()
                .map(|&(_, started, _)| now.saturating_sub(started))
                .sum::<u64>()
    }
    /// Requests served and dropped.
    pub fn served_dropped(&self) -> (u64, u64) {
        (self.served, self.dropped)
    }
    /// Slow-down factor.
    pub fn slowdown(&self) -> f64 {
        self.slow as f64 / 1_000.0
    }
    /// The concurrency limit.
    pub fn concurrency(&self) -> u32 {
        self.concurrency
    }
    /// The queue bound.
    pub fn queue_cap(&self) -> Option<u32> {
        self.queue_cap
    }

    fn begin(
        &mut self,
        id: u64,
        work: Duration,
        arrived: Time,
        from: NodeId,
        cx: &mut Cx<'_, Node>,
    ) {
        let now = cx.now();
        let d = (work.saturating_mul(self.slow) / 1_000).max(1);
        self.serving.insert(id, (arrived, now, from));
        cx.set_timer(Timer::Done(id), d, d);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
        match msg {
            Msg::Request { id, work } => {
                let now = cx.now();
                if (self.serving.len() as u32) < self.concurrency {
                    self.begin(id, work, now, from, cx);
                } else if self.queue_cap.is_none_or(|c| (self.queue.len() as u32) < c) {
                    self.queue.push_back((id, work, now, from));
                } else {
                    self.dropped += 1;
                    cx.send(from, Msg::Dropped { id });
                }
            }
            Msg::Ping { seq } => cx.send(from, Msg::Pong { seq }),
            _ => cx.note("a backend ignores a message meant for the balancer"),
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Node>) {
        if let Timer::Done(id) = timer
            && let Some((arrived, started, from)) = self.serving.remove(&id)
        {
            let now = cx.now();
            self.busy += now - started;
            self.served += 1;
            cx.send(
                from,
                Msg::Response {
                    id,
                    sojourn: now - arrived,
                },
            );
            if let Some((next, work, arrived, from)) = self.queue.pop_front() {
                self.begin(next, work, arrived, from, cx);
            }
        }
    }
}

/// One node: the balancer or a backend.
#[derive(Clone)]
pub enum Node {
    /// Node 0.
    Balancer(Box<Balancer>),
    /// Nodes `1..n`.
    Backend(Server),
}

impl Node {
    /// The balancer, when this is node 0.
    pub fn balancer(&self) -> Option<&Balancer> {
        match self {
            Node::Balancer(b) => Some(b),
            Node::Backend(_) => None,
        }
    }
    /// The backend, otherwise.
    pub fn backend(&self) -> Option<&Server> {
        match self {
            Node::Backend(s) => Some(s),
            Node::Balancer(_) => None,
        }
    }
}

/// Balancer ids of a run: node 0, and in compare mode the first node of the second half.
pub fn balancers(params: &Params, nodes: usize) -> Vec<usize> {
    if params.compare.is_some() {
        vec![0, nodes / 2]
    } else {
        vec![0]
    }
}

/// The initial node of each id for a run of `nodes` nodes with validated `params`.
pub fn cluster(params: Params, nodes: usize) -> impl Fn(NodeId) -> Node {
    let sides = balancers(&params, nodes);
    let side = nodes / sides.len();
    let params = Rc::new(params);
    move |id| {
        if id % side == 0 && id / side < sides.len() {
            let policy = match id / side {
                0 => params.policy.clone(),
                _ => params.compare.clone().unwrap_or_default(),
            };
            Node::Balancer(Box::new(Balancer::new(
                params.clone(),
                &policy,
                id + 1,
                side - 1,
            )))
        } else {
            Node::Backend(Server::new(&params))
        }
    }
}

/// A number kept in thousandths, written back as the user typed it: `1.5`, `20`.
struct Thousandths(u64);

impl std::fmt::Display for Thousandths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 1_000, self.0 % 1_000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

fn thousandths(s: &str, what: &str) -> Result<u64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{what} must be a number, got {s:?}"))?;
    if !(x.is_finite() && (0.0..=1_000_000.0).contains(&x)) {
        return Err(format!("{what} must be 0 to 1000000, got {s:?}"));
    }
    Ok((x * 1_000.0).round() as u64)
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Command;
    type Durable = Durable;

    fn on_start(&mut self, _: &Durable, cx: &mut Cx<'_, Self>) {
        if let Node::Balancer(b) = self {
            b.start(cx);
        }
    }
    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        match self {
            Node::Balancer(b) => b.on_message(from, msg, cx),
            Node::Backend(s) => s.on_message(from, msg, cx),
        }
    }
    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        match self {
            Node::Balancer(b) => b.on_timer(timer, cx),
            Node::Backend(s) => s.on_timer(timer, cx),
        }
    }
    fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Self>) {
        match (self, cmd) {
            (Node::Backend(s), Command::Slow(f)) => s.slow = f.max(1),
            (Node::Backend(_), other) => cx.note(format!(
                "`{other}` is a balancer command: send it to node 0"
            )),
            (Node::Balancer(b), cmd) => b.on_command(cmd, cx),
        }
    }
    fn parse_command(text: &str) -> Result<Command, String> {
        let mut w = text.split_whitespace();
        let (verb, arg) = (w.next().unwrap_or(""), w.next());
        if w.next().is_some() {
            return Err(format!("too many words in {text:?}"));
        }
        let node = |a: &str| {
            a.trim_start_matches('n')
                .parse::<u32>()
                .map_err(|_| format!("expected a backend number, got {a:?}"))
        };
        match (verb, arg) {
            ("rate", Some(r)) => Ok(Command::Rate(thousandths(
                r.trim_end_matches("/s"),
                "rate",
            )?)),
            ("slow", Some(f)) => {
                let f = thousandths(f, "slow factor")?;
                if f == 0 {
                    return Err("slow factor must be above 0 (1 is normal speed)".into());
                }
                Ok(Command::Slow(f))
            }
            ("eject", Some(n)) => Ok(Command::Eject(node(n)?)),
            ("admit", Some(n)) => Ok(Command::Admit(node(n)?)),
            _ => Err(format!(
                "unknown command {text:?}: expected rate R (balancer), eject N, admit N, or slow F (backend)"
            )),
        }
    }
    fn view(&self) -> NodeView {
        match self {
            Node::Balancer(b) => b.view(),
            Node::Backend(s) => NodeView {
                role: "backend".into(),
                summary: format!("{} queued · {} serving", s.queue.len(), s.serving.len()),
                fields: vec![
                    ("queue".into(), s.queue.len().to_string()),
                    ("in service".into(), s.serving.len().to_string()),
                    ("slow-down".into(), format!("{}×", s.slow as f64 / 1_000.0)),
                    (
                        "served · dropped".into(),
                        format!("{} · {}", s.served, s.dropped),
                    ),
                ],
            },
        }
    }
    /// A backend's look on the picture says how its balancer treats it, which only the
    /// balancer knows: taken out by hand, failing its health checks, behind an open or
    /// half-open circuit breaker, or slowed down.
    fn annotate(world: &World<'_, Self>, node: NodeId, view: &mut NodeView) {
        let Some(Node::Backend(s)) = world.node(node) else {
            return;
        };
        let balancer = (0..node)
            .rev()
            .find_map(|j| world.node(j).and_then(Node::balancer))
            .filter(|b| node >= b.first && node - b.first < b.backends.len());
        let mut marks: Vec<String> = Vec::new();
        if let Some(b) = balancer {
            let i = node - b.first;
            match (b.ejected(i), b.breaker(i), b.available(i)) {
                (true, _, _) => marks.push("ejected".into()),
                (_, "open", _) => marks.push("breaker open".into()),
                (_, "half-open", _) => marks.push("breaker half-open".into()),
                (_, _, false) => marks.push("unhealthy".into()),
                _ => {}
            }
        }
        if s.slow != 1_000 {
            marks.push(format!("slow ×{}", Thousandths(s.slow)));
        }
        if !marks.is_empty() {
            view.role = marks.join(" · ");
        }
    }
    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        summary(world)
    }

    /// The (first) balancer's answered requests and their latencies.
    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let b = world.node(0).and_then(Node::balancer);
        let count = |v: Option<u64>| Some(v.unwrap_or(0) as f64);
        match fact {
            Fact::Progress => count(b.map(|b| b.counts().completed)),
            Fact::Latencies => count(b.map(|b| b.latency().recorded)),
            Fact::LastLatency => count(b.and_then(|b| b.latency().window.back().map(|&(_, v)| v))),
            _ => None,
        }
    }
}

/// The run's metrics as JSON, units in the names: latencies in ms, rates per second. In compare
/// mode the second side's metrics are under `compare`.
pub fn summary(world: &World<'_, Node>) -> serde_json::Value {
    let n = world.len();
    let ids = (0..n)
        .find_map(|i| world.node(i).and_then(Node::balancer))
        .map_or_else(|| vec![0], |b| balancers(b.params(), n));
    let side = n / ids.len();
    let mut v = side_summary(world, 0, 1..side);
    if ids.len() > 1 {
        v["compare"] = side_summary(world, side, side + 1..n);
    }
    v
}

fn side_summary(
    world: &World<'_, Node>,
    balancer: usize,
    backends: std::ops::Range<usize>,
) -> serde_json::Value {
    let now = world.now.max(1);
    let secs_run = now as f64 / 1e6;
    let ms = |v: Option<[f64; 5]>| {
        v.map(|[mean, p50, p90, p99, p999]| {
            serde_json::json!({
                "mean_ms": mean / 1e3, "p50_ms": p50 / 1e3, "p90_ms": p90 / 1e3,
                "p99_ms": p99 / 1e3, "p999_ms": p999 / 1e3,
            })
        })
    };
    let backends: Vec<serde_json::Value> = backends
        .map(|i| match world.node(i).and_then(Node::backend) {
            Some(s) => {
                let (served, dropped) = s.served_dropped();
                serde_json::json!({
                    "node": i,
                    "utilisation": s.busy(world.now) as f64 / (now as f64 * f64::from(s.concurrency)),
                    "queue": s.queue_len(), "in_service": s.in_service(),
                    "served": served, "dropped": dropped, "slowdown": s.slowdown(),
                })
            }
            None => serde_json::json!({ "node": i, "down": true }),
        })
        .collect();
    let Some(b) = world.node(balancer).and_then(Node::balancer) else {
        return serde_json::json!({ "balancer": "down", "backends": backends });
    };
    let c = b.counts();
    serde_json::json!({
        "policy": b.policy.name(),
        "arrival": b.arrival().to_string(),
        "seconds": secs_run,
        "throughput_per_s": c.completed as f64 / secs_run,
        "counts": c,
        "retry_extra_load": c.retries as f64 / c.requests.max(1) as f64,
        "drop_rate": c.drops as f64 / c.requests.max(1) as f64,
        "latency": ms(b.latency().overall()),
        "latency_window": ms(b.latency().windowed()),
        "sojourn": ms(b.sojourn().overall()),
        "sojourn_window": ms(b.sojourn().windowed()),
        "samples_capped": b.latency().capped(),
        "backends": backends,
    })
}
