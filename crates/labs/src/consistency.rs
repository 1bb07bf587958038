//! The `Linearizable` check: the clients' history judged as a whole, as Jepsen judges a store,
//! beside the servers' own invariants. It runs on a finished (or paused) run rather than after
//! every event: a history is judged by all its operations together.

use splitbrain_linearizable::{Failure, Op, Verdict, check, explain};
use splitbrain_sim::{Lab, Time, Violation, format_time};

/// The check's name, where invariants' names go.
pub const LINEARIZABLE: &str = "Linearizable";

/// Where the rule comes from.
pub const SOURCE: &str =
    "Herlihy & Wing 1990, §2; checked as Porcupine does (Wing & Gong 1993, Lowe 2017)";

/// Search steps one check may take: a few hundred milliseconds natively in the worst case,
/// far more than a correct run's history of a few thousand operations needs.
pub const BUDGET: u64 = 3_000_000;

/// The verdict on a history, with what the page and the CLI show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// No client operations.
    Empty,
    /// Every operation fits one legal order.
    Linearizable {
        /// Operations judged.
        ops: usize,
    },
    /// Too concurrent to decide within the budget.
    Unknown {
        /// Steps taken.
        steps: u64,
    },
    /// An operation fits no order.
    Broken {
        /// The search's longest order and the operation after it.
        failure: Failure,
        /// Why, in words.
        reason: String,
    },
}

/// Judges `history` within `budget` steps.
pub fn judge(history: &[Op], budget: u64) -> Judgement {
    if history.is_empty() {
        return Judgement::Empty;
    }
    match check(history, budget) {
        Verdict::Linearizable => Judgement::Linearizable { ops: history.len() },
        Verdict::Unknown { steps } => Judgement::Unknown { steps },
        Verdict::NotLinearizable(failure) => Judgement::Broken {
            reason: reason(history, &failure),
            failure,
        },
    }
}

/// `c2's get x returned 1 at 3.4s, but x was 2 since 1.2s, when c1's set x=2 completed`.
pub fn reason(history: &[Op], failure: &Failure) -> String {
    let Some(op) = history.get(failure.stuck) else {
        return "an operation fits no order".into();
    };
    let key = &failure.key;
    let e = explain(history, failure);
    let answered = match &op.done {
        Some((at, out)) => format!(
            "c{}'s {} returned {out} at {}",
            op.client + 1,
            op.input,
            format_time(*at)
        ),
        None => format!("c{}'s {}", op.client + 1, op.input),
    };
    let held = e.state.as_deref().unwrap_or("(none)");
    let returned = op.done.as_ref().map_or(Time::MAX, |d| d.0);
    match e.set_by.and_then(|i| history.get(i)) {
        Some(w) => match w.done.as_ref().map(|d| d.0) {
            Some(since) if since <= returned => format!(
                "{answered}, but {key} was {held} since {}, when c{}'s {} completed",
                format_time(since),
                w.client + 1,
                w.input
            ),
            // The write had not completed when the read returned: the order the search found
            // put it first, and nothing fits after.
            _ => format!(
                "{answered}, but {key} was {held} in the longest order that fits, after c{}'s {} (sent at {})",
                w.client + 1,
                w.input,
                format_time(w.call)
            ),
        },
        None => format!(
            "{answered}, but {key} was {held}: no order of the operations explains that answer"
        ),
    }
}

/// The check as a violation, for `run`, `sweep` and their replays; `None` when the history
/// is linearizable, empty, or undecided.
pub fn violation(lab: &dyn Lab) -> Option<Violation> {
    let history = lab.history();
    let Judgement::Broken { failure, reason } = judge(history, BUDGET) else {
        return None;
    };
    let op = history.get(failure.stuck)?;
    Some(Violation {
        invariant: LINEARIZABLE,
        source: SOURCE,
        nodes: vec![lab.nodes() + op.client as usize],
        message: reason,
        time: op.done.as_ref().map_or(op.call, |d| d.0),
        event: lab.events(),
        event_text: String::new(),
    })
}

/// The servers' invariant violations, then the history's, if any.
pub fn violations(lab: &dyn Lab) -> Vec<Violation> {
    let mut all = lab.violations().to_vec();
    if lab.clients() > 0 {
        all.extend(violation(lab));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_linearizable::{Input, Output};

    #[test]
    fn a_stale_read_is_named_with_the_write_it_missed() {
        let set = Input::Set {
            key: "x".into(),
            value: "2".into(),
        };
        let get = Input::Get { key: "x".into() };
        let h = vec![
            Op::ok(0, set, 1_000_000, 1_200_000, Output::Ok),
            Op::ok(1, get, 3_000_000, 3_400_000, Output::Value(None)),
        ];
        let Judgement::Broken { reason, .. } = judge(&h, 1_000) else {
            panic!("stale");
        };
        assert_eq!(
            reason,
            "c2's get x returned (none) at 3.4s, but x was 2 since 1.2s, when c1's set x=2 completed"
        );
    }
}
