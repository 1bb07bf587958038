//! Command-line syntax.

use clap::{Args, Parser, Subcommand};
use splitbrain_sim::{Duration, Latency, limits, parse_duration};
use std::path::PathBuf;

/// Run Splitbrain labs headless: deterministic runs, seed sweeps, benchmarks.
#[derive(Parser)]
#[command(name = "splitbrain", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Run one seed and print a JSON summary.
    Run(RunArgs),
    /// Run many seeds with random faults; stop at the first invariant violation.
    Sweep(SweepArgs),
    /// Shrink a failing run to the few actions that still break the same invariant.
    Shrink(ShrinkArgs),
    /// Combine the JSON of `sweep --shard K/N` runs into what one unsharded sweep prints.
    SweepMerge(SweepMergeArgs),
    /// Measure simulator throughput (events per second).
    Bench(BenchArgs),
    /// Run a measurement experiment over many trials.
    #[command(subcommand)]
    Experiment(Experiment),
    /// List the labs of this build.
    Labs,
    /// Grade solution links against an exercise pack, replaying each one exactly.
    Grade(GradeArgs),
    /// Check an exercise pack and list its exercises, or print the pack format's JSON schema.
    Exercises(ExercisesArgs),
    /// Draw a run's time-space diagram (lanes, messages, drops, crashes, partitions) as SVG.
    Diagram(DiagramArgs),
}

#[derive(Args)]
pub struct DiagramArgs {
    /// The run to draw (run until --to when --until is not given).
    #[command(flatten)]
    pub run: RunArgs,
    /// Start of the window, e.g. 1s (default: the start of the run).
    #[arg(long, value_parser = parse_until)]
    pub from: Option<Duration>,
    /// End of the window, e.g. 3s (default: the end of the run).
    #[arg(long, value_parser = parse_until)]
    pub to: Option<Duration>,
    /// Where to write the SVG.
    #[arg(short, long)]
    pub out: PathBuf,
    /// Collapse the quiet stretches between bursts of messages.
    #[arg(long)]
    pub compressed: bool,
    /// Pixels per second of virtual time (default: a typical message is 40 px tall).
    #[arg(long, value_parser = parse_px_per_sec)]
    pub px_per_sec: Option<f64>,
    /// Width of the picture in px (default: 90 per node).
    #[arg(long, value_parser = parse_width)]
    pub width: Option<f64>,
}

/// Output of `grade`.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum GradeFormat {
    /// A table for people.
    Text,
    /// One row per submission.
    Csv,
    /// Every submission with every goal.
    Json,
    /// Gradescope's results.json (one object per student when there are several).
    Gradescope,
}

#[derive(Args)]
pub struct GradeArgs {
    /// The exercise pack (TOML or JSON), e.g. exercises/raft.toml.
    #[arg(long)]
    pub exercises: PathBuf,
    /// CSV with a header and the columns student, exercise, link.
    #[arg(long)]
    pub solutions: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: GradeFormat,
}

#[derive(Args)]
pub struct ExercisesArgs {
    /// The exercise pack to check; without it, the packs shipped with this build.
    pub pack: Option<PathBuf>,
    /// Print the JSON schema of the exercise format instead.
    #[arg(long)]
    pub schema: bool,
    /// Print the solution link of this run (a scenario file) for exercise --id instead: how a
    /// teacher makes a reference solution.
    #[arg(long, requires = "id")]
    pub link: Option<PathBuf>,
    /// The exercise --link is for.
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Args, Clone)]
pub struct RunArgs {
    /// Lab name (see `splitbrain labs`); optional with --scenario.
    pub lab: Option<String>,
    /// Seed of the run.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of nodes.
    #[arg(long, value_parser = parse_nodes)]
    pub nodes: Option<usize>,
    /// Virtual time to run to, e.g. 10s or 1500ms.
    #[arg(long, value_parser = parse_until)]
    pub until: Option<Duration>,
    /// Scenario file (TOML or JSON): lab, params, seed and timed actions.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Write the trace as JSON lines.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// Write the readable transcript.
    #[arg(long)]
    pub transcript: Option<PathBuf>,
    /// Link latency for every link: 5ms, 5ms..10ms, exp:10ms, lognormal:10ms,0.5.
    #[arg(long, value_parser = parse_latency)]
    pub latency: Option<Latency>,
    /// Loss probability of every link.
    #[arg(long, value_parser = parse_prob)]
    pub loss: Option<f64>,
    /// Duplication probability of every link.
    #[arg(long, value_parser = parse_prob)]
    pub duplicate: Option<f64>,
    /// Lab setting, repeatable: --param variant=volatile.
    #[arg(long = "param", value_parser = parse_param)]
    pub params: Vec<(String, serde_json::Value)>,
    /// Add the random fault schedule a sweep uses for this seed.
    #[arg(long)]
    pub random_faults: bool,
    /// Also write the run description (a scenario file, TOML) here: a sweep's finding becomes a
    /// file to edit, share or start an exercise from.
    #[arg(long)]
    pub save_run: Option<PathBuf>,
    /// Stop after this many events.
    #[arg(long, value_parser = parse_max_events)]
    pub max_events: Option<u64>,
}

#[derive(Args)]
pub struct SweepArgs {
    /// The run every seed starts from.
    #[command(flatten)]
    pub run: RunArgs,
    /// Seeds to try, inclusive: 1..10000.
    #[arg(long, value_parser = parse_seeds, default_value = "1..1000")]
    pub seeds: (u64, u64),
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Shrink the violation found to the actions that still cause it, and add the result
    /// (`shrunk`, `shrunk_actions`, `shrunk_link`) to the output.
    #[arg(long)]
    pub shrink: bool,
    /// Also write the shrunk run here as a scenario file (TOML); implies --shrink.
    #[arg(long)]
    pub shrunk_out: Option<PathBuf>,
    /// Where the app is served, for `shrunk_link`.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    pub site: String,
    /// Run only shard K of N (1-based): every N-th chunk of 256 seeds, starting with chunk K.
    /// `splitbrain sweep-merge` combines the N outputs.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

#[derive(Args)]
pub struct ShrinkArgs {
    /// The failing run: a scenario file, or a lab with --seed and --random-faults as a sweep's
    /// replay line gives it.
    #[command(flatten)]
    pub run: RunArgs,
    /// Also write the shrunk run here as a scenario file (TOML).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where the app is served, for `shrunk_link`.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    pub site: String,
    /// Stop after this many runs with the smallest failing run found so far.
    #[arg(long, default_value_t = splitbrain_hunt::DEFAULT_BUDGET, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub budget: u32,
}

#[derive(Args)]
pub struct SweepMergeArgs {
    /// The shards' JSON outputs, one file each.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum Experiment {
    /// Crash a Raft leader at a random moment and measure the time to elect the next one.
    RaftFailover(FailoverArgs),
    /// Place keys with a consistent-hashing algorithm, change the servers, and measure balance
    /// and the keys that moved.
    Hashing(HashingArgs),
    /// Run balancer policies on the same seeded workload and report latency percentiles,
    /// throughput, drops, timeouts, retries and per-backend utilisation.
    Balance(BalanceArgs),
}

#[derive(Args)]
pub struct BalanceArgs {
    /// Policies, comma-separated: rr, swrr, random, weighted-random, least-outstanding, p2c,
    /// peak-ewma, hash. One row each, on the same workload.
    #[arg(long, value_delimiter = ',', default_value = "p2c")]
    pub policy: Vec<String>,
    /// Backends (1 to 999).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=999))]
    pub backends: u64,
    /// Arrivals: constant:10/s, poisson:9/s or bursty:20/s,2s,3s.
    #[arg(long, default_value = "poisson:9/s")]
    pub arrival: String,
    /// Service time at normal speed: 1s, 0.5s..1.5s, exp:1s, lognormal:1s,0.5 or pareto:1s,1.5.
    #[arg(long, default_value = "exp:1s", value_parser = parse_latency)]
    pub service: Latency,
    /// Virtual time to simulate.
    #[arg(long, default_value = "10000s", value_parser = parse_until)]
    pub duration: Duration,
    /// Requests each backend serves at once.
    #[arg(long, default_value_t = 1)]
    pub concurrency: u32,
    /// Queue bound per backend (default: unbounded).
    #[arg(long)]
    pub queue: Option<u32>,
    /// Client timeout per attempt.
    #[arg(long, value_parser = parse_until)]
    pub timeout: Option<Duration>,
    /// Retries per request (exponential backoff with full jitter, 20 % retry budget).
    #[arg(long, default_value_t = 0)]
    pub retries: u32,
    /// Slow backends from the start: N=F, comma-separated (e.g. 3=5: backend n3 five times slower).
    #[arg(long, value_delimiter = ',')]
    pub slow: Vec<String>,
    /// Network latency between balancer and backends.
    #[arg(long, default_value = "100us", value_parser = parse_latency)]
    pub latency: Latency,
    /// Seed of the workload (the same for every policy).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct HashingArgs {
    /// Algorithms, comma-separated: modulo, ring, rendezvous, jump, maglev, bounded.
    #[arg(long, value_delimiter = ',', default_value = "ring")]
    pub algo: Vec<String>,
    /// Virtual nodes per server, comma-separated for a sweep (ring and bounded).
    #[arg(long, value_delimiter = ',', default_value = "100")]
    pub vnodes: Vec<u32>,
    /// Servers before the change (1 to 10,000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub servers: u32,
    /// Keys placed (1 to 1,000,000).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub keys: u64,
    /// The change: add:N (N new servers), remove:ID, or weight:ID=W.
    #[arg(long, default_value = "add:1")]
    pub change: String,
    /// Replica set size R reported for one sample key.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub replicas: u64,
    /// Maglev table size (a prime).
    #[arg(long, default_value_t = 65_537)]
    pub table: u64,
    /// Bounded loads' capacity factor c = 1 + epsilon.
    #[arg(long, default_value_t = 1.25)]
    pub load_factor: f64,
    /// Seed of the key set.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct FailoverArgs {
    /// Cluster size (3 to 9).
    #[arg(long, default_value_t = 5, value_parser = parse_nodes)]
    pub nodes: usize,
    /// Election timeout range, e.g. 150ms..300ms.
    #[arg(long, default_value = "150ms..300ms", value_parser = parse_range)]
    pub election_timeout: (Duration, Duration),
    /// Heartbeat interval.
    #[arg(long, default_value = "75ms", value_parser = parse_until)]
    pub heartbeat: Duration,
    /// Link latency.
    #[arg(long, default_value = "5ms..10ms", value_parser = parse_latency)]
    pub latency: Latency,
    /// Number of trials.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub trials: u64,
    /// Seed; trial i uses a stream derived from it.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

fn parse_range(s: &str) -> Result<(Duration, Duration), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?} is not a range like 150ms..300ms"))?;
    let a = parse_duration(a).map_err(|e| e.to_string())?;
    let b = parse_duration(b).map_err(|e| e.to_string())?;
    if a > b || b > limits::MAX_LATENCY {
        return Err(format!("{s:?}: need min <= max <= 1 hour"));
    }
    Ok((a, b))
}

#[derive(Args)]
pub struct BenchArgs {
    /// Workload: `ping` (the engine's own cost, constant work per event) or `raft` (the Raft
    /// lab with client traffic and its five invariants; 3 to 9 nodes).
    #[arg(long, default_value = "ping")]
    pub lab: String,
    /// Node counts to measure, comma-separated (default 5,50,500 for ping, 5,9 for raft).
    #[arg(long, value_delimiter = ',')]
    pub nodes: Vec<usize>,
    /// Events per measurement.
    #[arg(long, default_value_t = 2_000_000)]
    pub events: u64,
    /// Repetitions; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Also check five exercise goals after every event (raft), to measure what goals cost.
    #[arg(long)]
    pub goals: bool,
    /// Measure the timeline instead: play a 10-minute Raft run with traffic and faults, then
    /// time this many seeks to instants spread over it (median and worst, per run).
    #[arg(long)]
    pub seek: Option<usize>,
    /// With `--seek`: print the benchmark's run as a run description too (`link_run`), for the
    /// page's half of the benchmark to open.
    #[arg(long)]
    pub with_run: bool,
    /// Measure the linearizability checker instead: concurrent key-value histories of 1, 5
    /// and 10 clients and 100 to 10,000 operations on 10 keys.
    #[arg(long)]
    pub checker: bool,
    /// Measure the time-space diagram instead: index a Raft run of 100,000 trace events, draw
    /// windows of it as SVG, and find one event's causal past and future.
    #[arg(long)]
    pub diagram: bool,
}

fn parse_nodes(s: &str) -> Result<usize, String> {
    let n: u64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if n == 0 || n > limits::MAX_NODES as u64 {
        return Err(format!("nodes must be between 1 and {}", limits::MAX_NODES));
    }
    Ok(n as usize)
}

fn parse_until(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    if d > limits::MAX_TIME {
        return Err(format!(
            "at most {} of virtual time",
            splitbrain_sim::format_time(limits::MAX_TIME)
        ));
    }
    Ok(d)
}

fn parse_px_per_sec(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (1.0..=1_000_000.0).contains(&v) {
        Ok(v)
    } else {
        Err("between 1 and 1000000 pixels per second".into())
    }
}

fn parse_width(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (200.0..=8000.0).contains(&v) {
        Ok(v)
    } else {
        Err("between 200 and 8000 px".into())
    }
}

fn parse_latency(s: &str) -> Result<Latency, String> {
    s.parse()
        .map_err(|e: splitbrain_sim::ParseLatencyError| e.0)
}

fn parse_prob(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err("a probability must be between 0 and 1".into())
    }
}

fn parse_max_events(s: &str) -> Result<u64, String> {
    let n: u64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if n > limits::MAX_EVENTS {
        return Err(format!("at most {}", limits::MAX_EVENTS));
    }
    Ok(n)
}

fn parse_param(s: &str) -> Result<(String, serde_json::Value), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not key=value"))?;
    let value = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.into()));
    Ok((k.trim().to_string(), value))
}

/// Most seeds one sweep (or one shard of a sharded sweep) may run: about two days of a
/// Raft sweep on one core; larger ranges are split with `--shard`.
pub const MAX_SEEDS: u64 = 10_000_000;
/// Widest seed range a sharded sweep may cover.
pub const MAX_RANGE: u64 = 1_000_000_000_000;

/// `K/N` with 1 <= K <= N <= 100,000.
fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{s:?} is not a shard like 3/8 (shard 3 of 8)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || n > 100_000 || k == 0 || k > n {
        return Err(format!("shard {s}: K must be 1..=N and N 1..=100000"));
    }
    Ok((k, n))
}

fn parse_seeds(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?} is not a range like 1..10000"))?;
    let b = b.strip_prefix('=').unwrap_or(b);
    let a: u64 = a.parse().map_err(|_| format!("{a:?} is not a seed"))?;
    let b: u64 = b.parse().map_err(|_| format!("{b:?} is not a seed"))?;
    if a > b {
        return Err(format!("empty range {s}"));
    }
    if b - a >= MAX_RANGE {
        return Err(format!("at most {MAX_RANGE} seeds in a range"));
    }
    Ok((a, b))
}
