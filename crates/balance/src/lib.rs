//! Load-balancing policies for the load-balancing lab, as pure state machines: each takes the
//! backends' state, the request's key, an injected seeded random stream and the current
//! virtual time, and returns a choice. Nothing reads a clock or OS randomness, so a policy
//! replays bit for bit natively and in wasm.
//!
//! | policy | looks at | source |
//! |---|---|---|
//! | [`RoundRobin`] | nothing | the classic cyclic order |
//! | [`SmoothWeighted`] | weights | nginx's smooth weighted round robin (`ngx_http_upstream_round_robin.c`) |
//! | [`Random`] | nothing | uniform choice |
//! | [`WeightedRandom`] | weights | choice proportional to weight |
//! | [`LeastOutstanding`] | requests in flight | "least connections" / least outstanding requests |
//! | [`PowerOfTwo`] | in flight, two samples | Mitzenmacher 2001, "The Power of Two Choices in Randomized Load Balancing" |
//! | [`PeakEwma`] | latency and in flight, two samples | Finagle's / Linkerd's peak-EWMA load metric |
//! | [`ConsistentHash`] | the request's key | Karger et al. 1997 (via `splitbrain-hashing`'s ring) |
#![forbid(unsafe_code)]

pub mod invariants;
pub mod lab;
mod policy;
mod workload;

pub use lab::{LAB, Node, Params, cluster};
pub use policy::{
    Backend, ConsistentHash, LeastOutstanding, POLICIES, PeakEwma, Policy, PolicyClone, PowerOfTwo,
    Random, RoundRobin, SmoothWeighted, WeightedRandom, build,
};
pub use workload::Arrival;
