//! Lab panels: the one component each lab adds to the shared shell. The shell asks for the
//! panel of whatever lab is running and knows nothing about any of them.

#[cfg(feature = "lab-balance")]
mod balance;
#[cfg(feature = "lab-hashing")]
mod hashing;
#[cfg(feature = "lab-paxos")]
mod paxos;
#[cfg(feature = "lab-quorum")]
mod quorum;
#[cfg(feature = "lab-raft")]
mod raft;

use splitbrain_sim::{Action, Lab};
use yew::prelude::*;

/// What a panel may ask of the shell: a user action (recorded in the run like any other, so a
/// shared link replays it), or a change of one lab setting (which restarts the run).
#[derive(Clone, PartialEq)]
pub struct PanelHooks {
    /// Apply an action now.
    pub act: Callback<Action>,
    /// Set a lab parameter (`null` removes it) and start over.
    pub param: Callback<(String, serde_json::Value)>,
    /// Set several parameters at once, named together by the first string, and start over.
    pub params: Callback<(String, Vec<(String, serde_json::Value)>)>,
    /// Move the run to this moment (the history view's operations).
    pub seek: Callback<splitbrain_sim::Time>,
}

/// The panel of the running lab, if it has one.
pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let _ = hooks;
    match lab.lab() {
        #[cfg(feature = "lab-raft")]
        splitbrain_raft::LAB => raft::panel(lab, hooks),
        #[cfg(feature = "lab-paxos")]
        splitbrain_paxos::LAB => paxos::panel(lab, hooks),
        #[cfg(feature = "lab-hashing")]
        splitbrain_sharding::LAB => hashing::panel(lab, hooks),
        #[cfg(feature = "lab-balance")]
        splitbrain_balance::LAB => balance::panel(lab, hooks),
        #[cfg(feature = "lab-quorum")]
        splitbrain_quorum::LAB => quorum::panel(lab, hooks),
        _ => None,
    }
}

/// A `<select>`'s options; a current value a link set that is not in the list is shown as its
/// own option rather than silently as the first one.
#[cfg(any(
    feature = "lab-hashing",
    feature = "lab-balance",
    feature = "lab-paxos",
    feature = "lab-raft",
    feature = "lab-quorum"
))]
fn options(values: &[(&str, &str)], current: &str) -> Html {
    let mut all: Vec<(String, String)> = values
        .iter()
        .map(|(v, label)| (v.to_string(), label.to_string()))
        .collect();
    if !values.iter().any(|(v, _)| *v == current) {
        all.push((current.to_string(), current.to_string()));
    }
    all.into_iter()
        .map(|(v, label)| {
            let selected = v == current;
            html! { <option key={v.clone()} {selected} value={v}>{ label }</option> }
        })
        .collect()
}

/// A `<select>` that sets lab parameter `key`: `none` removes it; otherwise the value is read
/// as JSON when `json` (numbers, objects), else as a string.
#[cfg(any(
    feature = "lab-hashing",
    feature = "lab-balance",
    feature = "lab-paxos",
    feature = "lab-raft",
    feature = "lab-quorum"
))]
fn param_select(hooks: &PanelHooks, key: &'static str, json: bool) -> Callback<Event> {
    let param = hooks.param.clone();
    Callback::from(move |e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        let value = if v == "none" {
            serde_json::Value::Null
        } else if json {
            serde_json::from_str(&v).unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::String(v)
        };
        param.emit((key.to_string(), value))
    })
}

/// A rate or share with up to three decimals, trailing zeros dropped (`9`, `0.5`).
#[cfg(feature = "lab-balance")]
fn short_decimal(x: f64) -> String {
    let t = splitbrain_hashing::metrics::decimal(x, 3);
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The key-value labs' client processes: how many run beside the servers (each is drawn on the
/// left and has a row in the client history).
#[cfg(any(feature = "lab-paxos", feature = "lab-raft", feature = "lab-quorum"))]
fn clients_select(hooks: &PanelHooks, current: usize) -> Html {
    let current = current.to_string();
    html! {
        <label data-control="load">{ "clients " }
            <select onchange={param_select(hooks, "clients", true)} aria-label="clients">
                { options(&[("0", "none"), ("1", "1"), ("2", "2"), ("3", "3"), ("5", "5"), ("10", "10")], &current) }
            </select>
        </label>
    }
}
