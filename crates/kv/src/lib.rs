//! The replicated key-value state machine shared by the consensus labs (Raft and Multi-Paxos),
//! so a learner can run the same client commands through both and compare what they do.
//!
//! Commands that come from a [`client::Client`] carry the client's id and a sequence number, and
//! the store remembers each client's last answer: a request retried after a time-out (it may
//! already be in the log) is answered again rather than applied twice (Raft paper §8; van
//! Renesse & Altinbuken, "Paxos Made Moderately Complex", §3, the replica's duplicate check).
#![forbid(unsafe_code)]

pub mod client;
pub mod host;

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

pub use splitbrain_linearizable::{Input, Output};

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
    /// Write `new` under `key` if it holds `old`: a lost or doubled write changes its answer.
    Cas {
        /// The key.
        key: Rc<str>,
        /// The value expected.
        old: Rc<str>,
        /// The value written when it matches.
        new: Rc<str>,
    },
    /// Add one to the number under `key` (absent counts as 0): applied twice, the count shows it.
    Incr {
        /// The key.
        key: Rc<str>,
    },
    /// A client's `op`, numbered so the store applies it once however often it is retried.
    Session {
        /// The client (0-based).
        client: u32,
        /// The client's sequence number for it, from 1.
        seq: u64,
        /// What it asks.
        op: Rc<Cmd>,
    },
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Set { key, value } => write!(f, "set {key}={value}"),
            Cmd::Get { key } => write!(f, "get {key}"),
            Cmd::Cas { key, old, new } => write!(f, "cas {key} {old} {new}"),
            Cmd::Incr { key } => write!(f, "incr {key}"),
            Cmd::Session { client, seq, op } => write!(f, "{op} (c{} #{seq})", client + 1),
        }
    }
}

fn word_ok(w: &str) -> bool {
    !w.is_empty() && w.len() <= 64 && w.chars().all(|c| c.is_alphanumeric() || "_-.:".contains(c))
}

impl Cmd {
    /// Parses `set k v`, `set k=v`, `get k`, `cas k old new` or `incr k`. Keys and values are
    /// up to 64 characters of letters, digits and `_-.:`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "expected `set key=value`, `get key`, `cas key old new` or `incr key`, got {:?}",
                text.chars().take(80).collect::<String>()
            )
        };
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
            ["cas", k, old, new] => Cmd::Cas {
                key: (*k).into(),
                old: (*old).into(),
                new: (*new).into(),
            },
            ["incr", k] => Cmd::Incr { key: (*k).into() },
            _ => return Err(usage()),
        };
        let ok = match &cmd {
            Cmd::Set { key, value } => word_ok(key) && word_ok(value),
            Cmd::Cas { key, old, new } => word_ok(key) && word_ok(old) && word_ok(new),
            Cmd::Get { key } | Cmd::Incr { key } => word_ok(key),
            Cmd::Session { .. } => false,
        };
        if ok {
            Ok(cmd)
        } else {
            Err(format!(
                "keys and values are 1-64 letters, digits or _-.: ({:?})",
                text.chars().take(80).collect::<String>()
            ))
        }
    }

    /// The operation itself, without a client's numbering.
    pub fn op(&self) -> &Cmd {
        match self {
            Cmd::Session { op, .. } => op.op(),
            other => other,
        }
    }

    /// What the linearizability checker reads: the operation on one key.
    pub fn input(&self) -> Input {
        let s = |v: &Rc<str>| v.to_string();
        match self {
            Cmd::Set { key, value } => Input::Set {
                key: s(key),
                value: s(value),
            },
            Cmd::Get { key } => Input::Get { key: s(key) },
            Cmd::Cas { key, old, new } => Input::Cas {
                key: s(key),
                old: Some(s(old)),
                new: s(new),
            },
            Cmd::Incr { key } => Input::Incr { key: s(key) },
            Cmd::Session { op, .. } => op.input(),
        }
    }
}

/// What applying a command answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// `cas` wrote (`true`) or found another value (`false`).
    Swapped {
        /// The key.
        key: Rc<str>,
        /// Whether it wrote.
        done: bool,
    },
    /// `incr` made the number `n`.
    Number {
        /// The key.
        key: Rc<str>,
        /// The new number.
        n: i64,
    },
    /// `incr` found text, not a number, and changed nothing.
    NotANumber {
        /// The key.
        key: Rc<str>,
    },
}

impl fmt::Display for Reply {
    /// `set x=1 ok`, `get x = 1`, `get y = (none)`, `cas x ok`, `incr n = 3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Written { key, value } => write!(f, "set {key}={value} ok"),
            Reply::Read { key, value } => {
                write!(f, "get {key} = {}", value.as_deref().unwrap_or("(none)"))
            }
            Reply::Swapped { key, done: true } => write!(f, "cas {key} ok"),
            Reply::Swapped { key, done: false } => write!(f, "cas {key} failed: other value"),
            Reply::Number { key, n } => write!(f, "incr {key} = {n}"),
            Reply::NotANumber { key } => write!(f, "incr {key} refused: not a number"),
        }
    }
}

impl Reply {
    /// What the linearizability checker reads.
    pub fn output(&self) -> Output {
        match self {
            Reply::Written { .. } => Output::Ok,
            Reply::Read { value, .. } => Output::Value(value.as_deref().map(str::to_string)),
            Reply::Swapped { done, .. } => Output::Swapped(*done),
            Reply::Number { n, .. } => Output::Number(*n),
            Reply::NotANumber { .. } => Output::NotANumber,
        }
    }
}

/// The state machine itself: what every replica applies, in log (or slot) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    map: BTreeMap<Rc<str>, Rc<str>>,
    /// Each client's highest sequence number applied and its answer (§8).
    sessions: BTreeMap<u32, (u64, Reply)>,
    /// `false` for the buggy variant that applies a retried request again.
    dedup: bool,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            map: BTreeMap::new(),
            sessions: BTreeMap::new(),
            dedup: true,
        }
    }
}

impl Store {
    /// A store that applies every copy of a retried request (the `no-dedup` bug): an `incr`
    /// sent twice counts twice.
    pub fn without_dedup() -> Store {
        Store {
            dedup: false,
            ..Store::default()
        }
    }

    /// Applies one command and returns the reply a client would get. Every replica applies every
    /// entry, and only a leader answers: the reply is data, formatted only when shown.
    ///
    /// A client's command whose number the store has already applied is not applied again
    /// (§8): the answer is the one it gave the first time.
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
            Cmd::Cas { key, old, new } => {
                let done = self.map.get(key) == Some(old);
                if done {
                    self.map.insert(key.clone(), new.clone());
                }
                Reply::Swapped {
                    key: key.clone(),
                    done,
                }
            }
            Cmd::Incr { key } => {
                let now = match self.map.get(key) {
                    None => Some(0),
                    Some(v) => v.parse::<i64>().ok(),
                };
                match now.and_then(|n| n.checked_add(1)) {
                    Some(n) => {
                        self.map.insert(key.clone(), n.to_string().into());
                        Reply::Number {
                            key: key.clone(),
                            n,
                        }
                    }
                    None => Reply::NotANumber { key: key.clone() },
                }
            }
            Cmd::Session { client, seq, op } => {
                if self.dedup
                    && let Some((last, reply)) = self.sessions.get(client)
                    && *seq <= *last
                {
                    return reply.clone();
                }
                let reply = self.apply(op);
                self.sessions.insert(*client, (*seq, reply.clone()));
                reply
            }
        }
    }
    /// The number of a client's last applied command (0: none), for the inspector.
    pub fn session(&self, client: u32) -> u64 {
        self.sessions.get(&client).map_or(0, |(s, _)| *s)
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

    #[test]
    fn a_retried_request_is_applied_once_and_answered_again_section_8() {
        let incr = |seq| Cmd::Session {
            client: 3,
            seq,
            op: Rc::new(Cmd::parse("incr n").unwrap()),
        };
        let mut s = Store::default();
        let first = s.apply(&incr(1));
        assert_eq!(
            s.apply(&incr(1)),
            first,
            "the duplicate gets the first answer"
        );
        assert_eq!(s.map().get("n").map(|v| &**v), Some("1"));
        assert_eq!(s.apply(&incr(2)).to_string(), "incr n = 2");
        assert_eq!(s.session(3), 2);

        let mut buggy = Store::without_dedup();
        buggy.apply(&incr(1));
        assert_eq!(buggy.apply(&incr(1)).to_string(), "incr n = 2");
    }

    #[test]
    fn cas_and_incr_answer_what_they_did() {
        let mut s = Store::default();
        let mut run = |t: &str| s.apply(&Cmd::parse(t).unwrap()).to_string();
        assert_eq!(run("cas x 1 2"), "cas x failed: other value");
        assert_eq!(run("set x 1"), "set x=1 ok");
        assert_eq!(run("cas x 1 2"), "cas x ok");
        assert_eq!(run("incr x"), "incr x = 3");
        assert_eq!(run("set x a"), "set x=a ok");
        assert_eq!(run("incr x"), "incr x refused: not a number");
        assert_eq!(run("get x"), "get x = a");
    }
}
