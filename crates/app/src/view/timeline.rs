//! The timeline under the network: the whole run so far as a track to scrub, step back and
//! forward, its markers, and the branches a learner made by acting in the past.

use crate::app::Msg;
use crate::view::controls::value_of;
use crate::view::meter::meter;
use crate::view::pure::{View, pure};
use splitbrain_player::{Marker, MarkerKind};
use splitbrain_sim::{Time, format_time};
use std::rc::Rc;
use yew::prelude::*;

/// Most markers drawn on the track; a busier run shows an even sample, and violations always.
const MARKERS_SHOWN: usize = 160;

/// One branch, as the branch menu lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchItem {
    /// Its name ("main line", "branch 2 (from the main line at 3.1s)").
    pub name: String,
}

/// The timeline: the time in its props changes every frame of a playing run, so the markers
/// are a part of their own ([`Markers`]) that redraws only when they change.
#[derive(Clone)]
pub struct Timeline {
    /// Virtual time now.
    pub now: Time,
    /// How far this branch was played.
    pub reached: Time,
    /// This branch's markers, in time order: a new `Rc` only when they changed.
    pub markers: Rc<Vec<Marker>>,
    /// Every branch of the run.
    pub branches: Rc<Vec<BranchItem>>,
    /// The branch shown.
    pub current: usize,
    /// Scrubbing is allowed (an embed without `seek` shows the track only).
    pub interactive: bool,
    pub send: Callback<Msg>,
}

impl PartialEq for Timeline {
    fn eq(&self, other: &Self) -> bool {
        self.now == other.now
            && self.reached == other.reached
            && Rc::ptr_eq(&self.markers, &other.markers)
            && Rc::ptr_eq(&self.branches, &other.branches)
            && self.current == other.current
            && self.interactive == other.interactive
            && self.send == other.send
    }
}

/// The track's scale: the smallest of 1, 2, 5 × 10ᵏ seconds that holds the run, so markers
/// keep their places for many frames while the run grows.
pub fn scale(reached: Time) -> Time {
    let mut step: Time = 1_000_000;
    loop {
        for m in [1, 2, 5] {
            if step * m >= reached {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// `t` as a percentage of `end` for a style, with two decimals in integer arithmetic.
fn percent(t: Time, end: Time) -> String {
    // At most a day of µs × 10,000: within u64.
    let h = t.min(end) * 10_000 / end.max(1);
    format!("{}.{:02}%", h / 100, h % 100)
}

impl View for Timeline {
    fn view(&self) -> Html {
        let p = self;
        let end = scale(p.reached.max(1));
        let send = &p.send;
        let oninput = send.reform(|e: InputEvent| {
            // A range input always holds a whole number within its bounds.
            Msg::Scrub(value_of(e).parse::<Time>().unwrap_or_default())
        });
        let branch = send.reform(|e: Event| Msg::Branch(value_of(e).parse().unwrap_or(0)));
        html! {
            <div class="timeline" role="group" aria-label="timeline" data-testid="timeline">
                <button class="step-back" onclick={send.reform(|_| Msg::StepBack)} disabled={!p.interactive} title="one event back (←)" aria-label="one event back">{ "◀" }</button>
                <div class="track">
                    <span class="played">{ meter(p.reached as f64 / end as f64, None, &[]) }</span>
                    { pure(Markers { markers: p.markers.clone(), end, interactive: p.interactive, send: send.clone() }) }
                    <input type="range" min="0" max={end.to_string()} step="1000" value={p.now.min(end).to_string()}
                           disabled={!p.interactive} {oninput} aria-label="time in the run"
                           aria-valuetext={format!("t = {}", format_time(p.now - p.now % 1000))} />
                </div>
                <button class="step-fwd" onclick={send.reform(|_| Msg::Step)} disabled={!p.interactive} title="one event forward (→)" aria-label="one event forward">{ "▶" }</button>
                <span class="span" data-testid="timeline-span">{ format!("{} / {}", short(p.now), short(p.reached)) }</span>
                if p.branches.len() > 1 {
                    <select class="branches" aria-label="branch" onchange={branch} data-testid="branches" disabled={!p.interactive}>
                        { for p.branches.iter().enumerate().map(|(i, b)| html! {
                            <option key={i} value={i.to_string()} selected={i == p.current}>{ &b.name }</option>
                        }) }
                    </select>
                }
            </div>
        }
    }
}

/// Seconds with one decimal: the span beside the track.
fn short(t: Time) -> String {
    let tenths = t / 100_000;
    format!("{}.{}s", tenths / 10, tenths % 10)
}

/// The markers on the track: redrawn when they, the scale or whether they can be clicked
/// change, not as the scrubber moves.
#[derive(Clone)]
struct Markers {
    markers: Rc<Vec<Marker>>,
    /// The track's scale.
    end: Time,
    interactive: bool,
    send: Callback<Msg>,
}

impl PartialEq for Markers {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.markers, &other.markers)
            && self.end == other.end
            && self.interactive == other.interactive
            && self.send == other.send
    }
}

impl View for Markers {
    fn view(&self) -> Html {
        let p = self;
        let all = &p.markers;
        let every = all.len().div_ceil(MARKERS_SHOWN).max(1);
        let shown = all
            .iter()
            .enumerate()
            .filter(|(i, m)| i % every == 0 || m.kind == MarkerKind::Violation);
        html! {
            // SVG, so each marker's place along the track is an attribute (`x="12.50%"`), not an
            // inline style the page's CSP would refuse. A marker is a 14 px target centred there.
            <svg class={classes!("markers", (!p.interactive).then_some("disabled"))}>
                { for shown.map(|(i, m)| {
                    let at = m.at;
                    let title = format!("{} at {}", m.label, format_time(m.at - m.at % 1000));
                    html! {
                        <svg key={i} class={classes!("marker", format!("marker-{}", m.kind.name()))} x={percent(m.at, p.end)}
                             width="1" height="16" overflow="visible" role="button" aria-label={title.clone()}
                             onclick={p.interactive.then(|| p.send.reform(move |_| Msg::SeekTo(at)))}>
                            <title>{ title }</title>
                            <rect class="hit" x="-7" y="0" width="14" height="16" />
                            <text x="0" y="12" text-anchor="middle">{ glyph(m.kind) }</text>
                        </svg>
                    }
                }) }
            </svg>
        }
    }
}

/// Each kind has its own shape, so the track reads without colour.
fn glyph(k: MarkerKind) -> &'static str {
    match k {
        MarkerKind::Action => "▾",
        MarkerKind::Leader => "★",
        MarkerKind::Chosen => "✓",
        MarkerKind::Violation => "✗",
        MarkerKind::Goal => "⚑",
    }
}

#[cfg(test)]
mod tests {
    use super::{percent, scale};

    #[test]
    fn scale_grows_in_steps_of_one_two_five() {
        assert_eq!(scale(1), 1_000_000);
        assert_eq!(scale(1_500_000), 2_000_000);
        assert_eq!(scale(4_000_000), 5_000_000);
        assert_eq!(scale(5_000_001), 10_000_000);
        assert_eq!(scale(600_000_000), 1_000_000_000);
    }

    #[test]
    fn percent_has_two_decimals_and_stays_on_the_track() {
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(5, 2), "100.00%");
        assert_eq!(percent(0, 0), "0.00%");
    }
}
