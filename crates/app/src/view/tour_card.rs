//! The tour's card: chapter and step, the narration, what to look at in words, how the step
//! ends, and Back / Continue; and the first-visit offer. The narration's Markdown arrives as
//! spans and becomes elements here, never HTML text.

use crate::app::Msg;
use crate::tour::{TourMode, TourMsg};
use crate::view::pure::View;
use splitbrain_tour::markdown::{Span, Style, Text};
use splitbrain_tour::{Ending, Highlight, Tour};
use std::rc::Rc;
use yew::prelude::*;

/// The card of the tour being played.
#[derive(Clone)]
pub struct TourCard {
    /// The tour.
    pub tour: Rc<Tour>,
    /// The step shown, from 0.
    pub step: usize,
    /// Every step's narration, parsed.
    pub texts: Rc<Vec<Text>>,
    /// Every task's hint, parsed.
    pub hints: Rc<Vec<Text>>,
    /// The hint shows.
    pub hint: bool,
    /// The last step was ended.
    pub finished: bool,
    /// Virtual µs the step started at (for tests and the curious: a restored step says the
    /// same).
    pub start: Option<splitbrain_sim::Time>,
    /// What the screen reader says for this step.
    pub said: AttrValue,
    /// The shell.
    pub send: Callback<Msg>,
}

/// The tour and its parsed text never change while it is open: comparing the pointers keeps a
/// deep comparison of every step (and its code) out of the page.
impl PartialEq for TourCard {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.tour, &o.tour)
            && Rc::ptr_eq(&self.texts, &o.texts)
            && (self.step, self.hint, self.finished, self.start)
                == (o.step, o.hint, o.finished, o.start)
            && self.said == o.said
    }
}

impl TourCard {
    /// The card for `m`.
    pub fn of(m: &TourMode, said: AttrValue, send: &Callback<Msg>) -> Self {
        TourCard {
            tour: m.run.tour().clone(),
            step: m.run.step(),
            texts: m.texts.clone(),
            hints: m.hints.clone(),
            hint: m.hint,
            finished: m.run.finished(),
            start: m.run.started_at(),
            said,
            send: send.clone(),
        }
    }
}

fn span(s: &Span) -> Html {
    match s.style {
        Style::Plain => html! { { s.text.clone() } },
        Style::Bold => html! { <strong>{ s.text.clone() }</strong> },
        Style::Italic => html! { <em>{ s.text.clone() }</em> },
        Style::Code => html! { <code>{ s.text.clone() }</code> },
        Style::Link if s.href.starts_with('?') => {
            html! { <a href={s.href.clone()}>{ s.text.clone() }</a> }
        }
        Style::Link => {
            html! { <a href={s.href.clone()} target="_blank" rel="noopener">{ s.text.clone() }</a> }
        }
    }
}

/// Narration as paragraphs.
pub fn paragraphs(t: &Text) -> Html {
    html! { <>{ for t.iter().map(|p| html! { <p>{ for p.iter().map(span) }</p> }) }</> }
}

/// What a highlight points at, in words, so it never relies on colour alone.
pub fn look_at(h: &Highlight, kinds: &[(&str, &str)]) -> Option<String> {
    let mut parts = Vec::new();
    if !h.nodes.is_empty() {
        let names: Vec<String> = h.nodes.iter().map(|n| format!("n{n}")).collect();
        parts.push(names.join(", "));
    }
    if let Some(k) = &h.kind {
        let words = kinds
            .iter()
            .find(|(name, _)| name == k)
            .map_or(k.as_str(), |(_, w)| w);
        parts.push(format!("the {words} messages"));
    }
    if let Some(r) = h.row {
        parts.push(format!("n{r}'s row of the table"));
    }
    if let Some(p) = &h.panel {
        parts.push(
            match p.as_str() {
                "network" => "the network",
                "timeline" => "the timeline",
                "log" => "the event log",
                "lab" => "the lab's table",
                "inspector" => "the inspector",
                "controls" => "the controls",
                "diagram" => "the time-space diagram",
                other => other,
            }
            .to_string(),
        );
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The shell's classes for a step's highlight (`style.css` draws them): a dashed ring on
/// nodes, heavier messages of one kind, an outlined panel, a marked table row.
pub fn highlight_classes(h: &Highlight, kinds: &[(&str, &str)]) -> Vec<String> {
    let mut out = vec!["tour-mode".to_string()];
    out.extend(h.nodes.iter().map(|n| format!("tour-node-{n}")));
    if let Some(i) = h
        .kind
        .as_ref()
        .and_then(|k| kinds.iter().position(|(n, _)| n == k))
    {
        out.push(format!("tour-kind-{}", ["a", "b", "c", "d"][i % 4]));
    }
    out.extend(h.panel.iter().map(|p| format!("tour-panel-{p}")));
    out.extend(h.row.iter().map(|r| format!("tour-row-{r}")));
    out
}

impl View for TourCard {
    fn view(&self) -> Html {
        let p = self;
        let Some(at) = p.tour.at(p.step) else {
            return Html::default();
        };
        let step = at.step;
        let kinds = splitbrain_labs::find(&p.tour.lab).map_or(&[][..], |i| i.message_kinds);
        let last = p.step + 1 == p.tour.len();
        let (status, next) = match step.ending() {
            _ if p.finished => (Some("You reached the end of the tour.".to_string()), None),
            Ending::Continue => (None, Some(if last { "Finish" } else { "Continue ▸" })),
            Ending::After(_) => (
                Some("Playing for a moment…".to_string()),
                Some("Skip ahead ▸"),
            ),
            Ending::Wait(g) => (
                Some(format!("Waiting until {}…", g.describe())),
                Some("Skip ahead ▸"),
            ),
            Ending::Task(_) => (
                Some("Your turn: the tour goes on when you have done it.".to_string()),
                Some("Do it for me ▸"),
            ),
        };
        let send = &p.send;
        html! {
            <section class="tour-card" data-testid="tour" data-step={(p.step + 1).to_string()}
                data-start={p.start.map(|t| t.to_string())} aria-label="guided tour">
                <header>
                    <h2>{ &p.tour.title }</h2>
                    <span class="tour-pos" data-testid="tour-pos">{ format!("Step {} of {}", p.step + 1, p.tour.len()) }</span>
                </header>
                <h3>{ &at.chapter.title }</h3>
                <div class="tour-text" data-testid="tour-text">{ paragraphs(&p.texts[p.step]) }</div>
                if let Some(words) = look_at(&step.highlight, kinds) {
                    <p class="tour-look" data-testid="tour-look"><span aria-hidden="true">{ "▶ " }</span>{ format!("Look at: {words}") }</p>
                }
                if let Some(s) = status {
                    <p class="tour-status" data-testid="tour-status">{ s }</p>
                }
                if p.hint && step.task.is_some() {
                    <div class="tour-hint" data-testid="tour-hint"><strong>{ "Hint: " }</strong>{ paragraphs(&p.hints[p.step]) }</div>
                }
                <p class="visually-hidden" aria-live="polite" data-testid="tour-said">{ p.said.clone() }</p>
                <div class="controls tour-buttons">
                    <button onclick={send.reform(|_| Msg::Tour(TourMsg::Back))} disabled={p.step == 0}
                        title="← (previous step)" data-testid="tour-back">{ "◂ Back" }</button>
                    if let Some(label) = next {
                        <button class="primary" onclick={send.reform(|_| Msg::Tour(TourMsg::Next))}
                            title="→ (next step)" data-testid="tour-next">{ label }</button>
                    }
                    if step.task.is_some() && !p.hint {
                        <button onclick={send.reform(|_| Msg::Tour(TourMsg::Hint))} data-testid="tour-hint-button">{ "Hint" }</button>
                    }
                    <button onclick={send.reform(|_| Msg::Tour(TourMsg::Again))} title="R (this step from its start)">{ "Start step over" }</button>
                    <button onclick={send.reform(|_| Msg::Tour(TourMsg::Close))} data-testid="tour-close">{ "Leave tour" }</button>
                </div>
            </section>
        }
    }
}

/// The first-visit offer: one line and two buttons, answered once for good.
#[derive(Clone)]
pub struct TourOffer {
    /// The tour offered.
    pub tour: Rc<Tour>,
    /// The shell.
    pub send: Callback<Msg>,
}

impl PartialEq for TourOffer {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.tour, &o.tour)
    }
}

impl View for TourOffer {
    fn view(&self) -> Html {
        let p = self;
        let id = p.tour.id.clone();
        html! {
            <aside class="tour-offer" data-testid="tour-offer" aria-label="guided tour">
                <p><strong>{ format!("New to {}? ", crate::tour::lab_title(&p.tour.lab)) }</strong>{ format!("{} (about {} minutes)", p.tour.summary, p.tour.minutes) }</p>
                <div class="controls">
                    <button class="primary" onclick={p.send.reform(|_| Msg::Tour(TourMsg::Offer(true)))} data-testid="tour-offer-start" data-tour={id}>{ "Start the tour" }</button>
                    <button onclick={p.send.reform(|_| Msg::Tour(TourMsg::Offer(false)))} data-testid="tour-offer-dismiss">{ "No thanks" }</button>
                </div>
            </aside>
        }
    }
}
