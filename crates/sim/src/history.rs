//! The clients' history: every operation a client invoked, with its answer when one came,
//! kept by the simulator (not the client, whose state a crash throws away) for
//! [`crate::Lab::history`] and the `Linearizable` check.

use crate::limits;
use crate::time::Time;
use splitbrain_linearizable::{Input, Op, Output};
use std::collections::BTreeMap;

/// The clients' operations in invocation order, with the open ones found by (client, number).
#[derive(Clone, Default)]
pub(crate) struct History {
    pub(crate) ops: Vec<Op>,
    open: BTreeMap<(u32, u64), usize>,
    /// Past [`limits::MAX_HISTORY`]: later operations go unrecorded, so the open ones stay
    /// unknown (an answer could come from a write the history lacks).
    full: bool,
}

impl History {
    pub(crate) fn invoke(&mut self, client: u32, op: u64, input: Input, now: Time) {
        if self.ops.len() >= limits::MAX_HISTORY {
            self.full = true;
            return;
        }
        self.open.insert((client, op), self.ops.len());
        self.ops.push(Op::unknown(client, input, now));
    }

    /// An answer to an operation not open (never invoked, or answered before) changes nothing.
    pub(crate) fn complete(&mut self, client: u32, op: u64, output: Output, now: Time) {
        if self.full {
            return;
        }
        if let Some(i) = self.open.remove(&(client, op)) {
            self.ops[i].done = Some((now, output));
        }
    }
}
