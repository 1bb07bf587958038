//! Wing & Gong's search with Lowe's memoisation, over one key's call and return events.

use crate::history::{Op, Time};
use crate::model::step;
use std::collections::{BTreeMap, BTreeSet};

/// The answer for a whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every key's operations can be placed in a legal order within their intervals.
    Linearizable,
    /// Some key's cannot.
    NotLinearizable(Failure),
    /// The step budget ran out before an answer (the history is too concurrent to decide
    /// cheaply): neither a pass nor a failure.
    Unknown {
        /// Steps taken.
        steps: u64,
    },
}

/// Why a history is not linearizable, for the history view: the longest order of one key's
/// operations the search could place, and the operation that could not follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The key.
    pub key: String,
    /// Indices into the history, in the order placed.
    pub placed: Vec<usize>,
    /// The index of the completed operation that no order could place before it returned.
    pub stuck: usize,
}

/// Checks `history` within `budget` search steps in all (about one per call or return event
/// visited).
pub fn check(history: &[Op], budget: u64) -> Verdict {
    let mut keys: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        keys.entry(op.input.key()).or_default().push(i);
    }
    let mut steps = 0;
    for (key, ops) in keys {
        match check_key(history, &ops, budget, &mut steps) {
            Some(Ok(())) => {}
            Some(Err((placed, stuck))) => {
                return Verdict::NotLinearizable(Failure {
                    key: key.to_string(),
                    placed,
                    stuck,
                });
            }
            None => return Verdict::Unknown { steps },
        }
    }
    Verdict::Linearizable
}

/// One event of the history: an operation's call or return (at `Time::MAX` when unknown).
#[derive(Debug, Clone, Copy)]
struct Event {
    at: Time,
    ret: bool,
    /// Position in the key's operation list.
    op: usize,
}

/// The events as a doubly linked list over their sorted positions, with node `n` as the head:
/// placing an operation unlinks its call and return, backtracking links them again.
struct List {
    next: Vec<usize>,
    prev: Vec<usize>,
}

impl List {
    fn new(n: usize) -> List {
        // Node n is the sentinel head (and the end marker).
        List {
            next: (0..=n).map(|i| if i == n { 0 } else { i + 1 }).collect(),
            prev: (0..=n).map(|i| if i == 0 { n } else { i - 1 }).collect(),
        }
    }
    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        self.next[p] = n;
        self.prev[n] = p;
    }
    fn relink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        self.next[p] = i;
        self.prev[n] = i;
    }
}

/// `Some(Ok)` when the key's operations are linearizable, `Some(Err((placed, stuck)))` when
/// not, `None` when `budget` ran out.
#[allow(clippy::type_complexity)]
fn check_key(
    history: &[Op],
    ops: &[usize],
    budget: u64,
    steps: &mut u64,
) -> Option<Result<(), (Vec<usize>, usize)>> {
    let mut events: Vec<Event> = Vec::with_capacity(ops.len() * 2);
    for (k, &i) in ops.iter().enumerate() {
        let op = &history[i];
        events.push(Event {
            at: op.call,
            ret: false,
            op: k,
        });
        events.push(Event {
            at: op.done.as_ref().map_or(Time::MAX, |d| d.0.max(op.call)),
            ret: true,
            op: k,
        });
    }
    // Calls before returns at one instant: an operation that returned as another was called
    // counts as concurrent with it, so ties never make a history fail.
    events.sort_by_key(|e| (e.at, e.ret, e.op));
    let n = events.len();
    let mut ret_of = vec![0; ops.len()];
    for (pos, e) in events.iter().enumerate() {
        if e.ret {
            ret_of[e.op] = pos;
        }
    }
    let mut list = List::new(n);
    let words = ops.len().div_ceil(64);
    let mut placed = vec![0u64; words];
    let mut seen: BTreeSet<(Vec<u64>, Option<String>)> = BTreeSet::new();
    // Placed calls, with the state before each.
    let mut stack: Vec<(usize, Option<String>)> = Vec::new();
    let mut state: Option<String> = None;
    let mut best: (usize, Vec<usize>, usize) = (0, Vec::new(), usize::MAX);
    let mut at = list.next[n];
    loop {
        *steps += 1;
        if *steps > budget {
            return None;
        }
        if at == n {
            return Some(Ok(()));
        }
        let e = events[at];
        if e.ret && e.at == Time::MAX {
            // Only operations of unknown outcome are left: they may never have happened.
            return Some(Ok(()));
        }
        if !e.ret {
            let op = &history[ops[e.op]];
            let output = op.done.as_ref().map(|d| &d.1);
            if let Some(next) = step(&state, &op.input, output) {
                let mut with = placed.clone();
                with[e.op / 64] |= 1 << (e.op % 64);
                if seen.insert((with.clone(), next.clone())) {
                    stack.push((at, std::mem::replace(&mut state, next)));
                    placed = with;
                    list.unlink(at);
                    list.unlink(ret_of[e.op]);
                    at = list.next[n];
                    continue;
                }
            }
            at = list.next[at];
        } else {
            // This operation returned and was never placed: undo the last placement.
            if best.2 == usize::MAX || stack.len() > best.0 {
                best = (
                    stack.len(),
                    stack.iter().map(|(p, _)| ops[events[*p].op]).collect(),
                    ops[e.op],
                );
            }
            let Some((call, before)) = stack.pop() else {
                return Some(Err((best.1, best.2)));
            };
            let k = events[call].op;
            list.relink(ret_of[k]);
            list.relink(call);
            placed[k / 64] &= !(1 << (k % 64));
            state = before;
            at = list.next[call];
        }
    }
}
