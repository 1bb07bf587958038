//! Last-writer-wins versions: the client's clock when it sent the write, then its id.

use splitbrain_sim::{NodeId, Time, format_time};
use std::fmt;
use std::rc::Rc;

/// Who stamped a version: a client (its request's clock), or a server a set was typed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Writer {
    /// Client `c1` is `Client(0)`.
    Client(u32),
    /// A server.
    Server(NodeId),
}

impl fmt::Display for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Writer::Client(c) => write!(f, "c{}", c + 1),
            Writer::Server(n) => write!(f, "n{n}"),
        }
    }
}

/// Orders writes: a later clock wins, and the writer breaks a tie, so two writes never share a
/// version and every replica picks the same winner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The writer's clock when it sent the write (µs).
    pub at: Time,
    /// The writer.
    pub by: Writer,
}

impl fmt::Display for Version {
    /// `1.25s by c2`: when and by whom, which is what a learner compares.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} by {}", format_time(self.at), self.by)
    }
}

/// A value with its version, as replicas store it and send it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Versioned {
    /// The value.
    pub value: Rc<str>,
    /// Its version.
    pub version: Version,
}

impl fmt::Display for Versioned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.value, self.version)
    }
}

/// The newer of two, `None` being older than anything.
pub fn newest<'a>(a: Option<&'a Versioned>, b: Option<&'a Versioned>) -> Option<&'a Versioned> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.version > x.version { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: &str, at: Time, by: NodeId) -> Versioned {
        Versioned {
            value: value.into(),
            version: Version {
                at,
                by: Writer::Server(by),
            },
        }
    }

    #[test]
    fn lww_the_later_clock_wins_and_the_coordinator_id_breaks_ties() {
        let (a, b, c) = (v("1", 10, 3), v("2", 20, 0), v("3", 20, 1));
        assert_eq!(newest(Some(&a), Some(&b)), Some(&b));
        assert_eq!(newest(Some(&c), Some(&b)), Some(&c));
        assert_eq!(newest(None, Some(&a)), Some(&a));
        assert_eq!(newest(None, None), None);
        assert_eq!(c.to_string(), "3 (0.00002s by n1)");
    }
}
