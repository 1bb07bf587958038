//! One client's operation as the client saw it.

use crate::model::{Input, Output};

/// Virtual time, in the simulator's microseconds.
pub type Time = u64;

/// One operation of a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The client that sent it (for the history view and error messages).
    pub client: u32,
    /// What was asked.
    pub input: Input,
    /// When the client sent it.
    pub call: Time,
    /// When and with what it completed; `None` when the client gave up waiting (timed out, or
    /// the run ended first): it may or may not have taken effect.
    pub done: Option<(Time, Output)>,
}

impl Op {
    /// A completed operation.
    pub fn ok(client: u32, input: Input, call: Time, ret: Time, output: Output) -> Op {
        Op {
            client,
            input,
            call,
            done: Some((ret, output)),
        }
    }

    /// An operation whose outcome the client never learned.
    pub fn unknown(client: u32, input: Input, call: Time) -> Op {
        Op {
            client,
            input,
            call,
            done: None,
        }
    }
}
