//! The "Hunt for a bug" panel: pick a buggy variant and a number of seeds, hunt in a Web
//! Worker while the run keeps playing, then read the shrunk schedule and open it.

use crate::app::Msg;
use crate::hunt::{FAULT_KINDS, HuntMsg, HuntState, Phase, SEED_CHOICES, variants};
use crate::view::controls::value_of;
use crate::view::meter::meter;
use crate::view::pure::View;
use yew::prelude::*;

/// The panel's props: the hunt's state and the lab it hunts in.
#[derive(PartialEq)]
pub struct HuntPanel {
    pub lab: &'static str,
    pub hunt: HuntState,
    pub send: Callback<Msg>,
}

impl View for HuntPanel {
    fn view(&self) -> Html {
        let h = &self.hunt;
        let send = &self.send;
        let chosen = h.variant_in(self.lab).unwrap_or("");
        let blurb = variants(self.lab)
            .find(|v| v.0 == chosen)
            .map_or("", |v| v.1);
        let hunt = |m: HuntMsg| Msg::Hunt(m);
        let progress = match &h.phase {
            Phase::Searching => h.seeds as f64 / h.count.max(1) as f64,
            Phase::Idle | Phase::Failed(_) => 0.0,
            _ => 1.0,
        };
        html! {
            <details class="hunt" data-testid="hunt">
                <summary>{ "Hunt for a bug" }</summary>
                <p class="hint">{ "Try many seeds, each with its own random crashes, partitions, loss and client requests, off the page's thread. The first run that breaks an invariant is shrunk to the few actions that still break it." }</p>
                <div class="controls">
                    <label>{ "variant " }
                        <select aria-label="variant to hunt" data-testid="hunt-variant" disabled={h.running()}
                                onchange={send.reform(move |e: Event| hunt(HuntMsg::Variant(value_of(e))))}>
                            { for variants(self.lab).map(|(name, _)| html! {
                                <option value={name} selected={name == chosen}>{ name }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "seeds " }
                        <select aria-label="seeds to try" data-testid="hunt-count" disabled={h.running()}
                                onchange={send.reform(move |e: Event| hunt(HuntMsg::Count(value_of(e).parse().unwrap_or(1_000))))}>
                            { for SEED_CHOICES.iter().map(|&c| html! {
                                <option value={c.to_string()} selected={c == h.count}>{ format!("{c}") }</option>
                            }) }
                        </select>
                    </label>
                    if h.running() {
                        <button onclick={send.reform(move |_| hunt(HuntMsg::Cancel))} data-testid="hunt-cancel">{ "Cancel" }</button>
                    } else {
                        <button class="primary" onclick={send.reform(move |_| hunt(HuntMsg::Start))} data-testid="hunt-start">{ "Hunt" }</button>
                    }
                </div>
                <p class="hint">{ blurb }</p>
                <fieldset class="hunt-faults" disabled={h.running()}>
                    <legend>{ "faults to draw" }</legend>
                    { for FAULT_KINDS.iter().enumerate().map(|(i, (name, _))| {
                        let on = h.faults[i];
                        html! {
                            <label class="check"><input type="checkbox" checked={on} data-testid={format!("hunt-fault-{i}")}
                                onclick={send.reform(move |_| hunt(HuntMsg::Fault(i, !on)))} />{ format!(" {name}") }</label>
                        }
                    }) }
                </fieldset>
                if h.phase != Phase::Idle {
                    <div class="hunt-progress" role="progressbar" aria-label="seeds tried"
                         aria-valuenow={h.seeds.to_string()} aria-valuemax={h.count.to_string()}>
                        { meter(progress, None, &[]) }
                    </div>
                    <p class={classes!("hunt-status", matches!(h.phase, Phase::Failed(_)).then_some("bad"))}
                       data-testid="hunt-status" aria-live="polite">{ h.status() }</p>
                }
                if let Phase::Found(f) = &h.phase {
                    <p class="hunt-broken">{ format!("{} broke at {}: {}", f.invariant, f.time, f.message) }</p>
                    <ol class="hunt-schedule" data-testid="hunt-schedule">
                        { for f.actions.iter().map(|a| html! { <li>{ a }</li> }) }
                        if f.actions.is_empty() {
                            <li>{ "no action at all: the bug needs no fault" }</li>
                        }
                    </ol>
                    <button class="primary" onclick={send.reform(move |_| hunt(HuntMsg::Open))} data-testid="hunt-open">{ "Open it" }</button>
                }
            </details>
        }
    }
}
