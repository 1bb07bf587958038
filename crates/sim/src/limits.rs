//! Every limit of a run, in one place, so the CLI, the URL decoder and the UI enforce the same
//! numbers and a user sees a clear error instead of a frozen tab.

use crate::time::{Duration, Time};

/// Most nodes in one run. The reachability matrix is `n²` booleans and the view draws every node.
pub const MAX_NODES: usize = 1_000;
/// Longest virtual time a run may reach: one day.
pub const MAX_TIME: Time = 86_400 * 1_000_000;
/// Longest single message delay or timer: one hour of virtual time.
pub const MAX_LATENCY: Duration = 3_600 * 1_000_000;
/// Most events (deliveries, timer firings, actions) one run may process.
pub const MAX_EVENTS: u64 = 200_000_000;
/// Most trace events kept in memory at once; older ones are dropped (the trace hash still covers
/// every event).
pub const MAX_TRACE: usize = 2_000_000;
/// Most timed actions in one scenario or link.
pub const MAX_ACTIONS: usize = 10_000;
/// Most bytes of a scenario file or run description.
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;
/// Most bytes of one client command.
pub const MAX_COMMAND_BYTES: usize = 1_024;
/// Most messages in flight at once; a protocol flooding past this is stopped with an error.
pub const MAX_IN_FLIGHT: usize = 1_000_000;
/// Most violations recorded per run (the first ones are the interesting ones).
pub const MAX_VIOLATIONS: usize = 100;
/// Newest trace events a checkpoint keeps (sharing them with the run, not copying): enough for
/// the event log after a rewind, small enough that a long run's many checkpoints stay cheap.
pub const CHECKPOINT_TRACE: usize = 1_024;
/// Most client processes beside the servers.
pub const MAX_CLIENTS: usize = 10;
/// Most client operations a run's history keeps; later operations are not recorded (a run of
/// ten clients reaches this after hours of virtual time).
pub const MAX_HISTORY: usize = 100_000;
