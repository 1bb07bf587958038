//! What the app and the CLI share: the registry of labs and the one run description.
//!
//! A run is `{version, lab, seed, nodes, network, params, until, actions}`. A scenario file, a
//! shared link, a sweep's reproduction and (later) an exercise solution are all this one type,
//! so they are interchangeable, and every decoder enforces the same [`splitbrain_sim::limits`].
#![forbid(unsafe_code)]

#[cfg(any(feature = "ping", feature = "raft"))]
pub mod bench;
pub mod consistency;
mod faults;
pub mod happenings;
mod registry;
mod run;

pub use faults::{FaultMix, random_faults, random_faults_with};
pub use registry::{LabInfo, build, find, labs};
pub use run::{FORMAT_VERSION, RunDescription, RunError, Traffic};
