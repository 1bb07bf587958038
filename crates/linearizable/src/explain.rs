//! Why an operation could not be placed, in the terms a learner reads a history in: what the
//! key held after the longest order the search found, and which operation put it there.

use crate::history::Op;
use crate::model::step;
use crate::search::Failure;

/// The key's state where the search got stuck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What the key held after the placed operations (`None`: never written).
    pub state: Option<String>,
    /// The placed operation that last changed it, as an index into the history.
    pub set_by: Option<usize>,
}

/// Replays the failure's placed operations (a legal order, by construction) to find what the
/// stuck operation had to agree with.
pub fn explain(history: &[Op], failure: &Failure) -> Explanation {
    let mut state: Option<String> = None;
    let mut set_by = None;
    for &i in &failure.placed {
        let Some(op) = history.get(i) else { break };
        let Some(next) = step(&state, &op.input, op.done.as_ref().map(|d| &d.1)) else {
            break;
        };
        if next != state {
            set_by = Some(i);
        }
        state = next;
    }
    Explanation { state, set_by }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Input, Output};
    use crate::search::{Verdict, check};

    #[test]
    fn a_stale_read_is_explained_by_the_write_it_missed() {
        let set = |v: &str| Input::Set {
            key: "x".into(),
            value: v.into(),
        };
        let get = Input::Get { key: "x".into() };
        let h = vec![
            Op::ok(0, set("1"), 0, 10, Output::Ok),
            Op::ok(0, set("2"), 20, 30, Output::Ok),
            Op::ok(1, get, 40, 50, Output::Value(Some("1".into()))),
        ];
        let Verdict::NotLinearizable(f) = check(&h, 1_000) else {
            panic!("a read of an overwritten value after the overwrite completed is stale");
        };
        assert_eq!(f.stuck, 2);
        let e = explain(&h, &f);
        assert_eq!(e.state.as_deref(), Some("2"));
        assert_eq!(e.set_by, Some(1));
    }
}
