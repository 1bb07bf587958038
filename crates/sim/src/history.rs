//! The clients' history: every operation a client invoked, with its answer when one came,
//! kept by the simulator (not the client, whose state a crash throws away) for
//! [`crate::Lab::history`] and the `Linearizable` check.

use crate::limits;
use crate::time::Time;
use splitbrain_linearizable::{Input, Op, Output, Verdict, check};
use std::cell::Cell;
use std::collections::BTreeMap;

/// Search steps an exercise's goal may spend judging the history after an event: a few
/// milliseconds at most; past it the history counts as not (yet) shown broken.
const WATCH_BUDGET: u64 = 200_000;

/// The clients' operations in invocation order, with the open ones found by (client, number).
#[derive(Clone, Default)]
pub(crate) struct History {
    pub(crate) ops: Vec<Op>,
    open: BTreeMap<(u32, u64), usize>,
    /// Past [`limits::MAX_HISTORY`]: later operations go unrecorded, so the open ones stay
    /// unknown (an answer could come from a write the history lacks).
    full: bool,
    /// Answers recorded, so the verdict is recomputed only when the history changed.
    answered: usize,
    /// The last verdict, for (operations, answers): whether it was shown not linearizable.
    judged: Cell<Option<(usize, usize, bool)>>,
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
            self.answered += 1;
        }
    }

    /// Whether the history so far is shown not linearizable (for exercise goals): judged again
    /// only after an operation was invoked or answered, within [`WATCH_BUDGET`] steps.
    pub(crate) fn not_linearizable(&self) -> bool {
        let key = (self.ops.len(), self.answered);
        if let Some((len, answered, broken)) = self.judged.get()
            && (len, answered) == key
        {
            return broken;
        }
        let broken = matches!(check(&self.ops, WATCH_BUDGET), Verdict::NotLinearizable(_));
        self.judged.set(Some((key.0, key.1, broken)));
        broken
    }
}
