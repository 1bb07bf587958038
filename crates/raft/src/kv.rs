//! The replicated state machine: a key-value store driven by committed log entries.

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
}
