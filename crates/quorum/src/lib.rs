//! Quorum replication as Amazon's Dynamo does it (DeCandia et al., "Dynamo: Amazon's Highly
//! Available Key-value Store", SOSP 2007; "Dynamo" below).
//!
//! Every server stores keys and any server coordinates a client's request. A key's *preference
//! list* is the first N servers clockwise from its hash on a consistent-hash ring (§4.2–4.3).
//! A write is sent to them and answered once W have stored it; a read is answered once R have
//! replied, with the newest version among the replies (§4.5). With R + W > N every read quorum
//! meets every write quorum, so in a run without faults a read sees the latest completed write;
//! with R + W ≤ N it may not.
//!
//! Quorums that overlap are still not linearizable: a read may see a write that is still
//! under way while a later read does not. Read repair that writes the newest version back to a
//! write quorum *before* answering (`repair = blocking`, the write-back phase of Attiya,
//! Bar-Noy & Dolev, "Sharing Memory Robustly in Message-Passing Systems", 1995) closes that
//! gap; Dynamo's own read repair runs after answering (`async`, §5), and `off` does none.
//!
//! With a *sloppy quorum* (§4.6) a request goes to the first N servers that seem healthy: a
//! preference-list server that does not answer is replaced by the next one on the ring, which
//! keeps the write as a *hint* for the server it stands in for and hands it back once that one
//! answers again. Writes keep succeeding in a partition, and reads on the other side miss
//! them: availability paid for with consistency, as CAP says it must be.
//!
//! Versions are last-writer-wins by the client's clock when it sent the request, with its id to
//! break ties (Cassandra's client-side timestamps; Dynamo's vector clocks keep concurrent
//! versions as siblings, §4.4, which this lab does not model). The simulator's clocks agree
//! exactly, the best case for last-writer-wins: a write sent after another completed always
//! wins, and a duplicated request rewrites the same version.
#![forbid(unsafe_code)]

mod client;
mod coordinator;
pub mod invariants;
mod node;
mod params;
mod placement;
mod replica;
mod version;

pub use coordinator::Finished;
pub use node::{Durable, Msg, Node, Timer};
pub use params::{MAX_REPLICAS, Params, Repair};
pub use placement::Placement;
pub use version::{Version, Versioned, Writer};

/// Lab name in the registry, the CLI and links.
pub const LAB: &str = "quorum";
