//! The replicated key-value state machine shared by the consensus labs (Raft and Multi-Paxos),
//! so a learner can run the same client commands through both and compare what they do.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A client command, as stored in the log. Keys and values are shared strings: logs are
/// copied into stable storage and messages often, and a copy should not reallocate each one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Write `value` under `key`.
    Set {
        /// The key.
        key: Rc<str>,
        /// The value.
        value: Rc<str>,
    },
    /// Read `key`; goes through the log so the answer is linearizable (§8).
    Get {
        /// The key.
        key: Rc<str>,
    },
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Set { key, value } => write!(f, "set {key}={value}"),
            Cmd::Get { key } => write!(f, "get {key}"),
        }
    }
}

fn word_ok(w: &str) -> bool {
    !w.is_empty() && w.len() <= 64 && w.chars().all(|c| c.is_alphanumeric() || "_-.:".contains(c))
}

impl Cmd {
    /// Parses `set k v`, `set k=v` or `get k`. Keys and values are up to 64 characters of
    /// letters, digits and `_-.:`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || format!("expected `set key=value` or `get key`, got {text:?}");
        let words: Vec<&str> = text.split_whitespace().collect();
        let cmd = match words.as_slice() {
            ["set", kv] => {
                let (k, v) = kv.split_once('=').ok_or_else(usage)?;
                Cmd::Set {
                    key: k.into(),
                    value: v.into(),
                }
            }
            ["set", k, v] => Cmd::Set {
                key: (*k).into(),
                value: (*v).into(),
            },
            ["get", k] => Cmd::Get { key: (*k).into() },
            _ => return Err(usage()),
        };
        let ok = match &cmd {
            Cmd::Set { key, value } => word_ok(key) && word_ok(value),
            Cmd::Get { key } => word_ok(key),
        };
        if ok {
            Ok(cmd)
        } else {
            Err(format!(
                "keys and values are 1-64 letters, digits or _-.: ({text:?})"
            ))
        }
    }
}

/// What applying a command answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `set key=value` took effect.
    Written {
        /// The key.
        key: Rc<str>,
        /// The value now stored.
        value: Rc<str>,
    },
    /// `get key` read `value` (`None`: the key was never written).
    Read {
        /// The key.
        key: Rc<str>,
        /// What was stored.
        value: Option<Rc<str>>,
    },
}

impl fmt::Display for Reply {
    /// `set x=1 ok`, `get x = 1`, `get y = (none)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Written { key, value } => write!(f, "set {key}={value} ok"),
            Reply::Read { key, value } => {
                write!(f, "get {key} = {}", value.as_deref().unwrap_or("(none)"))
            }
        }
    }
}

/// The state machine itself: what every replica applies, in log (or slot) order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    map: BTreeMap<Rc<str>, Rc<str>>,
}

impl Store {
    /// Applies one command and returns the reply a client would get. Every replica applies every
    /// entry, and only a leader answers: the reply is data, formatted only when shown.
    pub fn apply(&mut self, cmd: &Cmd) -> Reply {
        match cmd {
            Cmd::Set { key, value } => {
                self.map.insert(key.clone(), value.clone());
                Reply::Written {
                    key: key.clone(),
                    value: value.clone(),
                }
            }
            Cmd::Get { key } => Reply::Read {
                key: key.clone(),
                value: self.map.get(key).cloned(),
            },
        }
    }
    /// The applied state, by key.
    pub fn map(&self) -> &BTreeMap<Rc<str>, Rc<str>> {
        &self.map
    }
    /// Number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// `true` before the first write.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// The first `n` pairs as `k=v, ...` for inspectors (`empty` for none).
    pub fn preview(&self, n: usize) -> String {
        if self.map.is_empty() {
            return "empty".into();
        }
        let pairs: Vec<String> = self
            .map
            .iter()
            .take(n)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_and_get_forms() {
        let set = Cmd::Set {
            key: "x".into(),
            value: "1".into(),
        };
        assert_eq!(Cmd::parse("set x=1"), Ok(set.clone()));
        assert_eq!(Cmd::parse("set x 1"), Ok(set));
        assert_eq!(Cmd::parse("get x"), Ok(Cmd::Get { key: "x".into() }));
        for bad in [
            "",
            "put x 1",
            "set x",
            "get",
            "set x=",
            "set =1",
            "get a b",
            "set x=<script>",
        ] {
            assert!(Cmd::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn store_replies_like_a_client_sees_them() {
        let mut s = Store::default();
        assert_eq!(
            s.apply(&Cmd::parse("get x").unwrap()).to_string(),
            "get x = (none)"
        );
        assert_eq!(
            s.apply(&Cmd::parse("set x=1").unwrap()).to_string(),
            "set x=1 ok"
        );
        assert_eq!(
            s.apply(&Cmd::parse("get x").unwrap()).to_string(),
            "get x = 1"
        );
        assert_eq!(s.preview(4), "x=1");
    }
}
