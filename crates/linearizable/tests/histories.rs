//! Histories with known answers, written for this crate in the manner of Porcupine's and
//! Knossos's test cases: a register per key, real-time order between operations that do not
//! overlap, and operations whose outcome the client never learned.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use splitbrain_linearizable::{Input, Op, Output, Verdict, check};

const BUDGET: u64 = 1_000_000;

fn set(c: u32, k: &str, v: &str, call: u64, ret: u64) -> Op {
    Op::ok(
        c,
        Input::Set {
            key: k.into(),
            value: v.into(),
        },
        call,
        ret,
        Output::Ok,
    )
}
fn get(c: u32, k: &str, v: Option<&str>, call: u64, ret: u64) -> Op {
    Op::ok(
        c,
        Input::Get { key: k.into() },
        call,
        ret,
        Output::Value(v.map(String::from)),
    )
}
fn incr(c: u32, k: &str, n: i64, call: u64, ret: u64) -> Op {
    Op::ok(
        c,
        Input::Incr { key: k.into() },
        call,
        ret,
        Output::Number(n),
    )
}
fn ok(h: &[Op]) -> bool {
    check(h, BUDGET) == Verdict::Linearizable
}

#[test]
fn sequential_write_then_read_is_linearizable() {
    assert!(ok(&[
        set(0, "x", "1", 0, 10),
        get(1, "x", Some("1"), 20, 30)
    ]));
}

#[test]
fn a_read_of_an_overwritten_value_after_the_overwrite_completed_is_a_stale_read() {
    let h = [
        set(0, "x", "1", 0, 10),
        set(0, "x", "2", 20, 30),
        get(1, "x", Some("1"), 40, 50),
    ];
    let Verdict::NotLinearizable(f) = check(&h, BUDGET) else {
        panic!("a stale read passed");
    };
    assert_eq!(f.key, "x");
    assert_eq!(
        f.stuck, 2,
        "the read is the operation that cannot be placed"
    );
    assert_eq!(
        f.placed,
        vec![0, 1],
        "both writes place; the read cannot follow"
    );
}

#[test]
fn a_read_overlapping_a_write_may_see_either_value() {
    assert!(ok(&[
        set(0, "x", "1", 0, 100),
        get(1, "x", Some("1"), 10, 20)
    ]));
    assert!(ok(&[set(0, "x", "1", 0, 100), get(1, "x", None, 10, 20)]));
}

#[test]
fn reads_cannot_see_a_value_go_back_once_a_newer_one_was_read() {
    // Two concurrent writes; reads see 1, then 2, then 1 again: no single order explains it.
    let h = [
        set(0, "x", "1", 0, 100),
        set(1, "x", "2", 0, 100),
        get(2, "x", Some("1"), 10, 20),
        get(2, "x", Some("2"), 30, 40),
        get(2, "x", Some("1"), 50, 60),
    ];
    assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
    assert!(ok(&h[..4]), "without the last read it is fine");
}

#[test]
fn an_operation_that_returned_exactly_as_another_began_counts_as_concurrent() {
    assert!(ok(&[set(0, "x", "1", 0, 10), get(1, "x", None, 10, 20)]));
}

#[test]
fn a_timed_out_write_may_have_happened_or_not() {
    let unknown = Op::unknown(
        0,
        Input::Set {
            key: "x".into(),
            value: "2".into(),
        },
        20,
    );
    let base = [set(0, "x", "1", 0, 10), unknown];
    let read = |v, call| get(1, "x", Some(v), call, call + 5);
    assert!(
        ok(&[base[0].clone(), base[1].clone(), read("1", 30)]),
        "never took effect"
    );
    assert!(
        ok(&[base[0].clone(), base[1].clone(), read("2", 30)]),
        "took effect"
    );
    // But it cannot be undone: once 2 was read, 1 cannot come back.
    let h = [
        base[0].clone(),
        base[1].clone(),
        read("2", 30),
        read("1", 40),
    ];
    assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
    // Nor take effect before it was sent.
    let early = [set(0, "x", "1", 0, 10), read("2", 12), base[1].clone()];
    assert!(matches!(check(&early, BUDGET), Verdict::NotLinearizable(_)));
}

#[test]
fn an_increment_applied_twice_shows_in_its_answers() {
    assert!(ok(&[incr(0, "n", 1, 0, 10), incr(1, "n", 2, 20, 30)]));
    // The second client's increment answered 3: someone's was applied twice.
    let h = [incr(0, "n", 1, 0, 10), incr(1, "n", 3, 20, 30)];
    assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
    // Unless a timed-out increment in between took effect.
    let lost = Op::unknown(2, Input::Incr { key: "n".into() }, 5);
    assert!(ok(&[incr(0, "n", 1, 0, 10), lost, incr(1, "n", 3, 20, 30)]));
}

#[test]
fn compare_and_set_decides_on_the_value_at_its_linearization_point() {
    let cas = |c, old: Option<&str>, new: &str, call, ret, b| {
        Op::ok(
            c,
            Input::Cas {
                key: "x".into(),
                old: old.map(String::from),
                new: new.into(),
            },
            call,
            ret,
            Output::Swapped(b),
        )
    };
    // Both succeed only if they run one after the other.
    assert!(ok(&[
        cas(0, None, "1", 0, 10, true),
        cas(1, Some("1"), "2", 0, 10, true)
    ]));
    // Two swaps from the same old value cannot both succeed.
    let h = [
        cas(0, None, "1", 0, 10, true),
        cas(1, None, "2", 0, 10, true),
    ];
    assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
}

#[test]
fn keys_are_checked_apart() {
    let h = [
        set(0, "x", "1", 0, 10),
        set(1, "y", "2", 0, 10),
        get(2, "x", Some("1"), 20, 30),
        get(2, "y", Some("1"), 20, 30),
    ];
    let Verdict::NotLinearizable(f) = check(&h, BUDGET) else {
        panic!("y was never 1");
    };
    assert_eq!((f.key.as_str(), f.stuck), ("y", 3));
}

#[test]
fn an_undecidable_budget_answers_unknown_instead_of_searching_on() {
    // Many overlapping writes and a read nobody could have seen: the search must try orders.
    let mut h: Vec<Op> = (0..12)
        .map(|i| set(i, "x", &i.to_string(), 0, 100))
        .collect();
    h.push(get(99, "x", Some("none of them"), 50, 60));
    assert!(matches!(check(&h, 100), Verdict::Unknown { .. }));
    assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
}

#[test]
fn an_empty_history_is_linearizable() {
    assert!(ok(&[]));
}

/// A history made by running operations one at a time against a register, each given a
/// real-time interval around the instant it ran: linearizable by construction.
fn sequential() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (0u32..4, 0u8..3, 0u8..3, 0u64..40, 0u64..40, any::<bool>()),
        1..40,
    )
    .prop_map(|steps| {
        let mut value: [Option<String>; 3] = Default::default();
        let mut out = Vec::new();
        for (i, (client, kind, key, before, after, lost)) in steps.into_iter().enumerate() {
            let at = 100 * i as u64 + 50;
            let (call, ret) = (at - before, at + after);
            let k = format!("k{key}");
            let slot = &mut value[key as usize];
            let (input, output) = match kind {
                0 => {
                    *slot = Some(format!("v{i}"));
                    (
                        Input::Set {
                            key: k,
                            value: format!("v{i}"),
                        },
                        Output::Ok,
                    )
                }
                1 => (Input::Get { key: k }, Output::Value(slot.clone())),
                _ => {
                    let n = slot.as_deref().and_then(|s| s.parse::<i64>().ok());
                    match n.or(slot.is_none().then_some(0)) {
                        Some(n) => {
                            *slot = Some((n + 1).to_string());
                            (Input::Incr { key: k }, Output::Number(n + 1))
                        }
                        None => (Input::Get { key: k }, Output::Value(slot.clone())),
                    }
                }
            };
            out.push(if lost && !matches!(input, Input::Get { .. }) {
                Op::unknown(client, input, call)
            } else {
                Op::ok(client, input, call, ret, output)
            });
        }
        out
    })
}

proptest! {
    #[test]
    fn histories_run_one_operation_at_a_time_are_linearizable(h in sequential()) {
        prop_assert_eq!(check(&h, BUDGET), Verdict::Linearizable);
    }

    #[test]
    fn a_read_of_a_value_never_written_is_never_linearizable(mut h in sequential(), pick in any::<prop::sample::Index>()) {
        let reads: Vec<usize> = (0..h.len()).filter(|&i| matches!(h[i].input, Input::Get { .. }) && h[i].done.is_some()).collect();
        prop_assume!(!reads.is_empty());
        let i = reads[pick.index(reads.len())];
        if let Some((_, out)) = &mut h[i].done {
            *out = Output::Value(Some("never written".into()));
        }
        prop_assert!(matches!(check(&h, BUDGET), Verdict::NotLinearizable(_)));
    }
}

#[test]
fn a_thousand_operations_of_five_concurrent_clients_on_ten_keys() {
    let h = splitbrain_linearizable::bench::concurrent_history(5, 1_000, 10, 7);
    assert_eq!(h.len(), 1_000);
    // The clients overlap: some operation is called before another one returned.
    assert!(
        h.windows(2)
            .any(|w| w[1].call < w[0].done.as_ref().unwrap().0)
    );
    assert_eq!(check(&h, BUDGET), Verdict::Linearizable);
    // A stale read slipped in: a read answering a value overwritten before it was called.
    let mut bad = h.clone();
    let i = (1..bad.len())
        .find(|&i| {
            matches!(bad[i].input, Input::Get { .. })
                && bad[..i].iter().any(|w| {
                    w.input.key() == bad[i].input.key()
                        && matches!(w.input, Input::Set { .. })
                        && w.done.as_ref().unwrap().0 < bad[i].call
                })
        })
        .expect("some read follows a completed write");
    bad[i].done.as_mut().unwrap().1 = Output::Value(None);
    assert!(matches!(check(&bad, BUDGET), Verdict::NotLinearizable(_)));
}
