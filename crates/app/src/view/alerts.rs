//! The notice (what the page has to tell the reader) and the safety line (the first broken
//! invariant, or which invariants hold).

use crate::app::Msg;
use crate::ui::UiMsg;
use crate::view::pure::View;
use splitbrain_sim::{Violation, format_time};
use yew::prelude::*;

/// The notice and the safety line.
#[derive(PartialEq)]
pub struct Alerts {
    /// A message the reader can dismiss.
    pub notice: Option<AttrValue>,
    /// The first broken invariant.
    pub broken: Option<Violation>,
    /// The lab's invariants, to say they hold (`None`: say nothing while they do).
    pub holds: Option<AttrValue>,
    pub send: Callback<Msg>,
}

impl View for Alerts {
    fn view(&self) -> Html {
        let p = self;
        html! { <>
            if let Some(n) = &p.notice {
                <div class="notice" role="alert" data-testid="notice">
                    <span>{ n.clone() }</span>
                    <button onclick={p.send.reform(|_| Msg::Ui(UiMsg::Dismiss))} aria-label="dismiss">{ "×" }</button>
                </div>
            }
            if let Some(x) = &p.broken {
                <div class="violation" role="alert" data-testid="safety">
                    { format!("✗ {} broken ({}): {} — at {}, after: {}", x.invariant, x.source, x.message, format_time(x.time), x.event_text.trim()) }
                </div>
            } else if let Some(names) = &p.holds {
                <div class="safety" data-testid="safety">
                    { format!("✓ Safety holds: {names} checked after every event") }
                </div>
            }
        </> }
    }
}
