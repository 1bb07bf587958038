//! Stable storage, written the way a server writes its disk.
//!
//! Most labs keep a few numbers on disk and rewrite them whole. Raft's log grows with the run:
//! rewriting it on every append would make each append cost the log's length (the engine spent
//! over half its time copying logs before this trait). So a lab says what one write is, and a
//! log can be appended to and truncated, as real implementations write their write-ahead log.

use std::fmt::Debug;
use std::hash::Hash;

/// What survives a crash, and how a process changes it.
pub trait Storage: Clone + Debug + Default + Hash {
    /// One write a process issues (see [`crate::Cx::persist`]).
    type Write: Clone + Debug + PartialEq;
    /// Applies a write. It is durable from the moment the effect is applied: the simulator
    /// has no torn or lost writes.
    fn write(&mut self, write: Self::Write);
}

/// Storage that is rewritten whole on every write: `impl Storage for T` with `Write = T`.
#[macro_export]
macro_rules! whole_storage {
    ($t:ty) => {
        impl $crate::Storage for $t {
            type Write = $t;
            fn write(&mut self, write: $t) {
                *self = write;
            }
        }
    };
}

whole_storage!(());

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Default, Hash, PartialEq)]
    struct Boots(u32);
    whole_storage!(Boots);

    #[test]
    fn whole_storage_replaces_the_value() {
        let mut s = Boots(1);
        s.write(Boots(7));
        assert_eq!(s, Boots(7));
    }
}
