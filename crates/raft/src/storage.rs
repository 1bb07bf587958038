//! A Raft server's stable storage (Fig. 2, "Persistent state on all servers") and the writes
//! that change it: `currentTerm` with `votedFor`, and the log as an append-only file with
//! truncation, so an append costs the entries written rather than the whole log.

use crate::node::{Entry, Index, Term};
use splitbrain_sim::{NodeId, Storage};

/// Fig. 2, "Persistent state on all servers".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Latest term this server has seen.
    pub current_term: Term,
    /// Candidate voted for in the current term.
    pub voted_for: Option<NodeId>,
    /// The log.
    pub log: Vec<Entry>,
}

/// One write to a server's stable storage, as Fig. 2 requires it "before responding to RPCs".
/// The log is written as an append-only file with truncation, so an append costs the entries
/// written, not the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// `currentTerm` and `votedFor`, which change together (§5.1, §5.2).
    Vote {
        /// Latest term seen.
        current_term: Term,
        /// Vote in that term.
        voted_for: Option<NodeId>,
    },
    /// Entries from index `from` on: any stored entry at or after `from` is deleted first
    /// (§5.3: "delete the existing entry and all that follow it"), then `entries` are appended.
    Entries {
        /// Index of the first entry written.
        from: Index,
        /// The entries, in index order.
        entries: Vec<Entry>,
    },
}

impl Storage for Durable {
    type Write = Write;
    fn write(&mut self, write: Write) {
        match write {
            Write::Vote {
                current_term,
                voted_for,
            } => {
                self.current_term = current_term;
                self.voted_for = voted_for;
            }
            Write::Entries { from, mut entries } => {
                self.log.truncate(from.saturating_sub(1) as usize);
                self.log.append(&mut entries);
            }
        }
    }
}
