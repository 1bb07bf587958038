//! The sequential specification: one register per key holding a string, or nothing.

/// What a client asks of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Write `value`.
    Set {
        /// The key.
        key: String,
        /// What is written.
        value: String,
    },
    /// Read.
    Get {
        /// The key.
        key: String,
    },
    /// Write `new` if the value is `old` (`None`: absent), answering whether it did.
    Cas {
        /// The key.
        key: String,
        /// The value expected.
        old: Option<String>,
        /// The value written when it matches.
        new: String,
    },
    /// Add one to a number (absent counts as 0), answering the new number: applied twice, the
    /// answers show it.
    Incr {
        /// The key.
        key: String,
    },
}

impl Input {
    /// The key the operation touches.
    pub fn key(&self) -> &str {
        match self {
            Input::Set { key, .. }
            | Input::Get { key }
            | Input::Cas { key, .. }
            | Input::Incr { key } => key,
        }
    }
}

/// What the store answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A write was done.
    Ok,
    /// A read's value.
    Value(Option<String>),
    /// Whether a compare-and-set wrote.
    Swapped(bool),
    /// An increment's new number.
    Number(i64),
    /// An increment of a value that is not a number: refused, nothing changed (Jepsen's
    /// `fail`, an operation that definitely did not happen).
    NotANumber,
}

impl std::fmt::Display for Input {
    /// As a client typed it: `set x=1`, `get x`, `cas x 1 2`, `incr x`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Set { key, value } => write!(f, "set {key}={value}"),
            Input::Get { key } => write!(f, "get {key}"),
            Input::Cas { key, old, new } => {
                write!(f, "cas {key} {} {new}", old.as_deref().unwrap_or("(none)"))
            }
            Input::Incr { key } => write!(f, "incr {key}"),
        }
    }
}

impl std::fmt::Display for Output {
    /// The answer's words: `ok`, a value (`(none)` for nothing), `swapped`, `not swapped`, a
    /// number, `not a number`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Ok => write!(f, "ok"),
            Output::Value(v) => write!(f, "{}", v.as_deref().unwrap_or("(none)")),
            Output::Swapped(true) => write!(f, "swapped"),
            Output::Swapped(false) => write!(f, "not swapped"),
            Output::Number(n) => write!(f, "{n}"),
            Output::NotANumber => write!(f, "not a number"),
        }
    }
}

/// Applies `input` to `state`; `output` is what the store answered (`None`: unknown, anything
/// goes). Returns the next state, or `None` when the answer is impossible in this state.
pub(crate) fn step(
    state: &Option<String>,
    input: &Input,
    output: Option<&Output>,
) -> Option<Option<String>> {
    match input {
        Input::Set { value, .. } => match output {
            None | Some(Output::Ok) => Some(Some(value.clone())),
            Some(_) => None,
        },
        Input::Get { .. } => match output {
            None => Some(state.clone()),
            Some(Output::Value(v)) if v == state => Some(state.clone()),
            Some(_) => None,
        },
        Input::Cas { old, new, .. } => {
            let swaps = old == state;
            match output {
                None => Some(if swaps {
                    Some(new.clone())
                } else {
                    state.clone()
                }),
                Some(Output::Swapped(b)) if *b == swaps => Some(if swaps {
                    Some(new.clone())
                } else {
                    state.clone()
                }),
                Some(_) => None,
            }
        }
        Input::Incr { .. } => {
            let now = match state {
                None => Some(0),
                Some(s) => s.parse::<i64>().ok(),
            };
            match (now.and_then(|n| n.checked_add(1)), output) {
                (Some(next), None) => Some(Some(next.to_string())),
                (Some(next), Some(Output::Number(n))) if *n == next => Some(Some(next.to_string())),
                (None, None | Some(Output::NotANumber)) => Some(state.clone()),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> String {
        "x".into()
    }

    #[test]
    fn a_read_must_return_the_register_and_a_write_replaces_it() {
        let get = Input::Get { key: key() };
        assert_eq!(step(&None, &get, Some(&Output::Value(None))), Some(None));
        assert_eq!(
            step(&None, &get, Some(&Output::Value(Some("1".into())))),
            None
        );
        let set = Input::Set {
            key: key(),
            value: "2".into(),
        };
        assert_eq!(step(&None, &set, Some(&Output::Ok)), Some(Some("2".into())));
        assert_eq!(step(&None, &set, Some(&Output::Swapped(true))), None);
    }

    #[test]
    fn compare_and_set_writes_exactly_when_the_old_value_matches() {
        let cas = Input::Cas {
            key: key(),
            old: Some("1".into()),
            new: "2".into(),
        };
        let one = Some("1".to_string());
        assert_eq!(
            step(&one, &cas, Some(&Output::Swapped(true))),
            Some(Some("2".into()))
        );
        assert_eq!(step(&one, &cas, Some(&Output::Swapped(false))), None);
        assert_eq!(step(&None, &cas, Some(&Output::Swapped(false))), Some(None));
        assert_eq!(step(&None, &cas, None), Some(None));
    }

    #[test]
    fn an_increment_answers_the_next_number_and_is_refused_on_text() {
        let incr = Input::Incr { key: key() };
        assert_eq!(
            step(&None, &incr, Some(&Output::Number(1))),
            Some(Some("1".into()))
        );
        assert_eq!(
            step(&Some("1".into()), &incr, Some(&Output::Number(3))),
            None
        );
        assert_eq!(
            step(&Some("a".into()), &incr, Some(&Output::NotANumber)),
            Some(Some("a".into()))
        );
        assert_eq!(
            step(&Some("a".into()), &incr, Some(&Output::Number(1))),
            None
        );
        assert_eq!(
            step(&Some("1".into()), &incr, Some(&Output::NotANumber)),
            None
        );
    }
}
