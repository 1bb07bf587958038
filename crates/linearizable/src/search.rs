//! Wing & Gong's search with Lowe's memoisation, over one key's call and return events.

use crate::history::{Op, Time};
use crate::model::{Input, Output, step};
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
    search(history, budget, &unobservable(history))
}

/// The search over every operation not marked `unseen`.
fn search(history: &[Op], budget: u64, unseen: &[bool]) -> Verdict {
    let mut keys: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        if !unseen[i] {
            keys.entry(op.input.key()).or_default().push(i);
        }
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

/// Operations of unknown outcome that no answer could depend on, which the search may leave
/// out without changing its verdict:
///
/// - a `get` whose answer never came: it changes no state;
/// - a `set k=v` whose answer never came, on a key with only `get`s and `set`s (answered or
///   not), none of whose answered `get`s returned `v`.
///
/// Leaving such an operation out never hides a failure: the search may already leave any
/// operation of unknown outcome out, as one that never took effect. It never makes one either:
/// take any order that places every answered operation; drop these from it; a `get` still sees
/// what it saw, because a dropped `set` of `v` was followed, up to the next `set`, only by
/// `get`s that may return anything (none answered `v`). A `cas` or an `incr` reads the state
/// and may have read `v`, answered or not, so a key with either keeps its unknown `set`s.
///
/// Timed-out writes are most of a faulty run's unknown operations, and each one left in
/// doubles the orders the search may try; without this a quorum store's 30-second history
/// with 30 of them can exhaust the budget.
fn unobservable(history: &[Op]) -> Vec<bool> {
    // Per key: the values answered `get`s returned, and whether a `cas` or `incr` touches it.
    let mut seen: BTreeMap<&str, (BTreeSet<&str>, bool)> = BTreeMap::new();
    for op in history {
        let (values, reads_state) = seen.entry(op.input.key()).or_default();
        match (&op.input, &op.done) {
            (Input::Set { .. }, _) | (Input::Get { .. }, None) => {}
            (Input::Get { .. }, Some((_, Output::Value(Some(v))))) => {
                values.insert(v);
            }
            (Input::Get { .. }, Some(_)) => {}
            (Input::Cas { .. } | Input::Incr { .. }, _) => *reads_state = true,
        }
    }
    history
        .iter()
        .map(|op| {
            op.done.is_none()
                && match &op.input {
                    Input::Get { .. } => true,
                    Input::Set { key, value } => seen
                        .get(key.as_str())
                        .is_some_and(|(values, reads)| !reads && !values.contains(value.as_str())),
                    _ => false,
                }
        })
        .collect()
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

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod pruning {
    use super::*;

    fn set(v: &str) -> Input {
        Input::Set {
            key: "x".into(),
            value: v.into(),
        }
    }
    fn get() -> Input {
        Input::Get { key: "x".into() }
    }

    #[test]
    fn unknown_reads_and_unseen_unknown_writes_are_left_out_but_a_write_someone_read_stays() {
        let h = vec![
            Op::unknown(0, set("1"), 0),
            Op::unknown(1, set("2"), 0),
            Op::unknown(2, get(), 0),
            Op::ok(3, get(), 10, 20, Output::Value(Some("2".into()))),
        ];
        assert_eq!(unobservable(&h), vec![true, false, true, false]);
        assert_eq!(check(&h, 1_000), Verdict::Linearizable);
    }

    #[test]
    fn an_unknown_incr_or_cas_keeps_the_unknown_write_it_may_have_read() {
        // set 5 and incr both timed out; a read of 6 needs both.
        let incr = Op::unknown(1, Input::Incr { key: "x".into() }, 1);
        let read = Op::ok(2, get(), 10, 20, Output::Value(Some("6".into())));
        let h = vec![Op::unknown(0, set("5"), 0), incr, read];
        assert_eq!(unobservable(&h), vec![false, false, false]);
        assert_eq!(check(&h, 1_000), Verdict::Linearizable);
        let cas = Op::unknown(
            1,
            Input::Cas {
                key: "x".into(),
                old: Some("1".into()),
                new: "2".into(),
            },
            1,
        );
        let read = Op::ok(2, get(), 10, 20, Output::Value(Some("2".into())));
        let h = vec![Op::unknown(0, set("1"), 0), cas, read];
        assert_eq!(unobservable(&h), vec![false, false, false]);
        assert_eq!(check(&h, 1_000), Verdict::Linearizable);
    }

    #[test]
    fn a_failed_cas_or_an_incr_keeps_every_unknown_write_of_its_key() {
        let cas = Op::ok(
            1,
            Input::Cas {
                key: "x".into(),
                old: None,
                new: "3".into(),
            },
            10,
            20,
            Output::Swapped(false),
        );
        // The failed cas needs x to have been written: only the unknown set explains it.
        let h = vec![Op::unknown(0, set("1"), 0), cas];
        assert_eq!(unobservable(&h), vec![false, false]);
        assert_eq!(check(&h, 1_000), Verdict::Linearizable);
    }

    proptest::proptest! {
        /// Random concurrent histories of gets, sets, failed cas and incrs on one key, some
        /// answers lost: leaving the unobservable operations out never changes the verdict.
        #[test]
        fn leaving_unobservable_operations_out_never_changes_the_verdict(
            ops in proptest::collection::vec((0u8..5, 0u8..4, 0u64..30, 1u64..30, proptest::bool::weighted(0.4)), 1..9)
        ) {
            let h: Vec<Op> = ops
                .into_iter()
                .enumerate()
                .map(|(i, (kind, v, call, len, lost))| {
                    let value = v.to_string();
                    let (input, output) = match kind {
                        0 | 1 => (set(&value), Output::Ok),
                        2 => (get(), Output::Value((v > 0).then_some(value))),
                        3 => (
                            Input::Cas { key: "x".into(), old: Some(value), new: "9".into() },
                            Output::Swapped(false),
                        ),
                        _ => (Input::Incr { key: "x".into() }, Output::Number(i64::from(v))),
                    };
                    if lost {
                        Op::unknown(i as u32, input, call)
                    } else {
                        Op::ok(i as u32, input, call, call + len, output)
                    }
                })
                .collect();
            let all = search(&h, 1_000_000, &vec![false; h.len()]);
            let pruned = check(&h, 1_000_000);
            proptest::prop_assert_eq!(
                matches!(all, Verdict::Linearizable),
                matches!(pruned, Verdict::Linearizable),
                "{:?}: {:?} vs {:?}", h, all, pruned
            );
        }
    }

    #[test]
    fn thirty_unseen_timed_out_writes_no_longer_exhaust_the_budget() {
        let mut h: Vec<Op> = (0..30)
            .map(|i| Op::unknown(i, set(&format!("w{i}")), i as u64))
            .collect();
        for i in 0..30u64 {
            h.push(Op::ok(
                99,
                get(),
                100 + 2 * i,
                101 + 2 * i,
                Output::Value(None),
            ));
        }
        assert_eq!(check(&h, 10_000), Verdict::Linearizable);
    }
}
