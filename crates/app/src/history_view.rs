//! The clients' history, drawn as Jepsen and Porcupine draw one: a row per client, each
//! operation a bar from its invocation to its answer (open-ended while none came), the answer on
//! the bar; under it, the `Linearizable` check's verdict. When an operation fits no order it is
//! drawn red with the write it missed outlined, and the reason is given in words. Clicking an
//! operation moves the run to the moment it returned (or was sent).
//!
//! [`bars`] is plain Rust with native tests; [`view`] only draws what it returns.

use crate::history_check::Shown;
use crate::network::num;
use splitbrain_labs::consistency::Judgement;
use splitbrain_linearizable::Op;
use splitbrain_sim::{Time, format_time, words};
use yew::prelude::*;

/// Operations shown per client (the newest), and at most.
const PER_CLIENT: usize = 6;
pub const SHOWN: usize = 30;

/// How many of the newest operations the view draws for `clients` clients: enough for a few
/// each, few enough that their words fit on their bars.
pub fn limit(clients: usize) -> usize {
    (PER_CLIENT * clients).clamp(12, SHOWN)
}
/// Width of the drawing, in SVG units.
const WIDTH: f64 = 700.0;
/// Left column with the clients' names.
const NAMES: f64 = 40.0;
/// One client's row.
const ROW: f64 = 26.0;

/// How an operation is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Answered.
    Ok,
    /// Not answered (yet, or ever: the client gave up).
    Open,
    /// Refused with no effect (an increment of text).
    Refused,
    /// The operation no order can place.
    Bad,
    /// The write that put the value the bad operation did not see.
    Missed,
}

/// One bar, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Index into the history.
    pub op: usize,
    /// Row.
    pub client: u32,
    /// Left and right edges, in SVG units.
    pub x: (f64, f64),
    /// What it says: `set x=3`, `get x → 2`.
    pub text: String,
    /// How it looks.
    pub look: Look,
    /// Where clicking it goes: its answer, or its invocation.
    pub seek: Time,
}

/// The bars of the newest `limit` operations invoked by `now`. Time runs left to right
/// spaced by events, not to scale (as Knossos draws histories): every call and answer gets
/// its own step, so short operations stay readable beside long ones, while the order of
/// events, all that linearizability depends on, is exact.
pub fn bars(history: &[Op], now: Time, judged: Option<&Judgement>, limit: usize) -> Vec<Bar> {
    let (bad, missed) = match judged {
        Some(Judgement::Broken { failure, .. }) => (
            Some(failure.stuck),
            splitbrain_linearizable::explain(history, failure).set_by,
        ),
        _ => (None, None),
    };
    let invoked = history.iter().take_while(|o| o.call <= now).count();
    let first = invoked.saturating_sub(limit);
    // An answer after `now` (a rewound run's) is not known yet.
    let end = |o: &Op| o.done.as_ref().map_or(now, |d| d.0.min(now));
    let mut times: Vec<Time> = history[first..invoked]
        .iter()
        .flat_map(|o| [o.call, end(o)])
        .collect();
    times.sort_unstable();
    times.dedup();
    let step = (WIDTH - NAMES - 8.0) / times.len().saturating_sub(1).max(1) as f64;
    let x = |t: Time| NAMES + 4.0 + step * times.partition_point(|&u| u < t) as f64;
    history[first..invoked]
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let i = first + k;
            let answered = o.done.as_ref().filter(|d| d.0 <= now);
            let look = if Some(i) == bad {
                Look::Bad
            } else if Some(i) == missed {
                Look::Missed
            } else {
                match answered {
                    None => Look::Open,
                    Some((_, splitbrain_linearizable::Output::NotANumber)) => Look::Refused,
                    Some(_) => Look::Ok,
                }
            };
            Bar {
                op: i,
                client: o.client,
                x: (x(o.call), x(end(o)).max(x(o.call) + 4.0)),
                text: op_text(o, answered.is_some()),
                look,
                seek: answered.map_or(o.call, |d| d.0),
            }
        })
        .collect()
}

/// `set x=3`, `get x → 2`, `incr x → 4`, `cas x 1 2 → swapped`, `get x → ?` while open.
pub fn op_text(o: &Op, answered: bool) -> String {
    use splitbrain_linearizable::Input;
    match (&o.input, &o.done) {
        (Input::Set { .. }, _) => o.input.to_string(),
        (_, Some((_, out))) if answered => format!("{} → {out}", o.input),
        _ => format!("{} → ?", o.input),
    }
}

/// The view: bars, then the verdict. `clients` rows even for clients with nothing yet.
pub fn view(
    history: &[Op],
    clients: usize,
    now: Time,
    shown: &Shown,
    seek: &Callback<Time>,
) -> Html {
    let judged = match shown {
        Shown::Judged(j) => Some(&**j),
        Shown::Waiting => None,
    };
    let limit = limit(clients);
    let drawn = bars(history, now, judged, limit);
    let height = ROW * clients as f64 + 18.0;
    let rows = (0..clients).map(|c| {
        let y = ROW * c as f64;
        html! {
            <g key={format!("r{c}")} class="hist-row">
                <line x1={num(NAMES)} y1={num(y + ROW - 2.0)} x2={num(WIDTH)} y2={num(y + ROW - 2.0)} />
                <text class="hist-name" x="4" y={num(y + 17.0)}>{ format!("c{}", c + 1) }</text>
            </g>
        }
    });
    let ops = drawn.iter().map(|b| {
        let y = ROW * b.client as f64 + 3.0;
        let w = b.x.1 - b.x.0;
        let class = match b.look {
            Look::Ok => "hist-op",
            Look::Open => "hist-op hist-open",
            Look::Refused => "hist-op hist-refused",
            Look::Bad => "hist-op hist-bad",
            Look::Missed => "hist-op hist-missed",
        };
        let o = &history[b.op];
        let when = match o.done.as_ref().filter(|d| d.0 <= now) {
            Some((t, _)) => format!("{} to {}", format_time(o.call), format_time(*t)),
            None => format!("sent {}, no answer: it may or may not have taken effect", format_time(o.call)),
        };
        let label = format!("c{} {}, {when}", b.client + 1, b.text);
        let seek = seek.clone();
        let at = b.seek;
        let onclick = Callback::from(move |_: MouseEvent| seek.emit(at));
        // Words only where they fit: about 6 units a character.
        let fits = (w / 6.2) as usize;
        let text = (fits >= 4).then(|| words::clip(&b.text, fits));
        html! {
            <g key={format!("o{}", b.op)} class={class} data-op={b.op.to_string()} role="button" tabindex="0"
               aria-label={label.clone()} onclick={onclick}>
                <title>{ label }</title>
                <rect x={num(b.x.0)} y={num(y)} width={num(w)} height={num(ROW - 8.0)} rx="3" />
                if let Some(t) = text {
                    <text x={num(b.x.0 + 3.0)} y={num(y + 13.0)}>{ t }</text>
                }
            </g>
        }
    });
    let invoked = history.iter().take_while(|o| o.call <= now).count();
    let start = history[invoked.saturating_sub(limit)..invoked]
        .iter()
        .map(|o| o.call)
        .min()
        .unwrap_or(now);
    let axis = html! {
        <g class="hist-axis">
            <text x={num(NAMES)} y={num(height - 4.0)}>{ format_time(start) }</text>
            <text class="mid" x={num((NAMES + WIDTH) / 2.0)} y={num(height - 4.0)}>{ "events in order, not to scale" }</text>
            <text class="end" x={num(WIDTH)} y={num(height - 4.0)}>{ format_time(now) }</text>
        </g>
    };
    html! {
        <section class="panel history" aria-label="Client history" data-testid="history">
            <h2>{ "Client history" } <span class="hint">{ "each bar: one operation, from sent to answered · dashed: no answer (it may or may not have happened)" }</span></h2>
            <svg class="hist" viewBox={format!("0 0 {} {}", num(WIDTH), num(height))} role="group" aria-label="operations by client">
                { for rows }{ for ops }{ axis }
            </svg>
            { verdict(history, shown, seek) }
        </section>
    }
}

fn verdict(history: &[Op], shown: &Shown, seek: &Callback<Time>) -> Html {
    let n = history.len();
    let line = |class: &'static str, text: String| {
        html! { <p class={classes!("hist-verdict", class)} data-testid="history-verdict">{ text }</p> }
    };
    match shown {
        Shown::Waiting => line(
            "hist-wait",
            format!(
                "Checking {} as the run plays; pause to check them all.",
                words::count(n, "operation")
            ),
        ),
        Shown::Judged(j) => match &**j {
            Judgement::Empty => line("hist-wait", "No operations yet.".into()),
            Judgement::Linearizable { ops } => line(
                "hist-ok",
                format!(
                    "Linearizable: all {} fit one order, each taking effect at an instant inside its bar.",
                    words::count(*ops, "operation")
                ),
            ),
            Judgement::Unknown { steps } => line(
                "hist-wait",
                format!(
                    "Undecided: the check stopped after {steps} steps (too many overlapping operations)."
                ),
            ),
            Judgement::Broken { failure, reason } => {
                let at = history
                    .get(failure.stuck)
                    .map_or(0, |o| o.done.as_ref().map_or(o.call, |d| d.0));
                let seek = seek.clone();
                let onclick = Callback::from(move |_: MouseEvent| seek.emit(at));
                html! {
                    <div class="hist-verdict hist-broken" data-testid="history-verdict">
                        <p>{ format!("Not linearizable: {reason}.") }</p>
                        <p class="hint">{ format!(
                            "{} of key {} fit an order; the red one fits after none of them. Outlined: the write it missed.",
                            words::count(failure.placed.len(), "operation"),
                            failure.key
                        ) }</p>
                        <button onclick={onclick} data-testid="history-seek">{ format!("Go to {}", format_time(at)) }</button>
                    </div>
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_labs::consistency::judge;
    use splitbrain_linearizable::{Input, Output};
    use splitbrain_sim::secs;

    fn stale() -> Vec<Op> {
        let set = Input::Set {
            key: "x".into(),
            value: "2".into(),
        };
        let get = Input::Get { key: "x".into() };
        vec![
            Op::ok(0, set, secs(1), secs(2), Output::Ok),
            Op::ok(1, get.clone(), secs(3), secs(4), Output::Value(None)),
            Op::unknown(1, get, secs(5)),
        ]
    }

    #[test]
    fn the_bad_read_is_red_and_the_write_it_missed_outlined() {
        let h = stale();
        let j = judge(&h, 1_000);
        let b = bars(&h, secs(6), Some(&j), SHOWN);
        let looks: Vec<Look> = b.iter().map(|b| b.look).collect();
        assert_eq!(looks, vec![Look::Missed, Look::Bad, Look::Open]);
        assert_eq!(
            b[1].seek,
            secs(4),
            "clicking the bad read goes to its answer"
        );
        assert_eq!(b[1].text, "get x → (none)");
        assert_eq!(b[2].text, "get x → ?");
    }

    #[test]
    fn events_are_spaced_evenly_in_order_and_an_open_operation_reaches_now() {
        let h = stale();
        let b = bars(&h, secs(6), None, SHOWN);
        // Events 1, 2, 3, 4, 5 and now (6): six steps across.
        let step = (WIDTH - NAMES - 8.0) / 5.0;
        assert_eq!(b[0].x, (NAMES + 4.0, NAMES + 4.0 + step));
        assert_eq!(b[2].x.1, WIDTH - 4.0);
        // Rewound to 3.5 s: the read is open, its answer not known yet.
        let earlier = bars(&h, secs(3) + 500_000, None, SHOWN);
        assert_eq!(earlier.len(), 2);
        assert_eq!(
            (earlier[1].look, earlier[1].text.as_str()),
            (Look::Open, "get x → ?")
        );
    }

    #[test]
    fn only_the_newest_operations_are_drawn() {
        let get = Input::Get { key: "x".into() };
        let h: Vec<Op> = (0..100)
            .map(|i| Op::ok(0, get.clone(), secs(i), secs(i) + 10, Output::Value(None)))
            .collect();
        let b = bars(&h, secs(200), None, SHOWN);
        assert_eq!(b.len(), SHOWN);
        assert_eq!(b[0].op, 100 - SHOWN);
    }
}
