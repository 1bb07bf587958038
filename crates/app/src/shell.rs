//! The page laid out from its components, around the player's state: the full page, the
//! embed, and what both share (alerts, network, timeline, lab panel, side column).

use crate::app::{App, FADE_WALL_S, Msg};
use crate::classroom::ClassMsg;
use crate::classroom_view::ExerciseCard;
use crate::network::{NetworkView, partition_groups};
use crate::partition::{PartitionTool, lettered};
use crate::ui::UiMsg;
use crate::view::alerts::Alerts;
use crate::view::controls::{ControlBar, NetworkControls};
use crate::view::embed_bar::EmbedBar;
use crate::view::event_log::EventLog;
use crate::view::frame_clock::FrameClock;
use crate::view::inspector::Inspector;
use crate::view::lab_panel::LabPanel;
use crate::view::legend::Legend;
use crate::view::pure::pure;
use crate::view::timeline::Timeline;
use splitbrain_embed::{Control, Panel};
use splitbrain_labs::find;
use splitbrain_sim::{Action, Time, format_time};
use yew::prelude::*;

impl App {
    /// The side column: controls, the exercise card, inspectors and log. Built every render,
    /// but each component in it redraws only when its props changed.
    fn view_side(&self) -> Html {
        let v = &self.view;
        let send = &self.send;
        let ui = &self.ui;
        if let Some(e) = &self.embed {
            // Embed mode: only the panels the page asked for; the controls are in the bar.
            let (inspector, log) = (
                e.options.shows(Panel::Inspector),
                e.options.shows(Panel::Log),
            );
            if !inspector && !log {
                return Html::default();
            }
            return html! {
                <aside class="side">{ self.view_details(inspector, log) }</aside>
            };
        }
        let info = find(v.lab).ok();
        let up = v.nodes.get(ui.node()).is_some_and(|s| s.up);
        // Automatic traffic would spend an exercise's action budget.
        let traffic = (!info.is_some_and(|i| i.own_traffic) && self.lesson.is_none())
            .then(|| self.player.traffic().on);
        html! {
            <aside class="side">
                if let Some(l) = &self.lesson {
                    { pure(ExerciseCard::of(l, self.player.actions_taken(), send)) }
                }
                { self.view_tour() }
                { pure(ControlBar {
                    playing: self.player.playing(),
                    speed: self.player.speed(),
                    seed_text: ui.seed_text.clone().into(),
                    node: ui.node(),
                    up,
                    partitioned: !v.blocked.is_empty(),
                    partition_open: ui.partition_open,
                    traffic,
                    timeout: info.and_then(|i| i.countdown).map(|c| c.0),
                    send_to: {
                        let lab = self.player.lab();
                        let to = self.client_node();
                        if to >= lab.nodes() {
                            format!("c{}", to - lab.nodes() + 1)
                        } else {
                            format!("n{to}")
                        }
                        .into()
                    },
                    placeholder: self.placeholder.clone(),
                    request: ui.request_text.clone().into(),
                    send: send.clone(),
                }) }
                if let Some(l) = &self.share {
                    // Beside the Share button, saying what happened to the clipboard.
                    <label class="share" data-testid="share">{ match ui.share_copied {
                            Some(true) => "Link to this exact state (copied):",
                            Some(false) => "Link to this exact state (the browser did not let the page copy it: select it and copy):",
                            None => "Link to this exact state:",
                        } }
                        <input readonly=true value={l.clone()} data-testid="share-link" />
                    </label>
                }
                if ui.partition_open {
                    <PartitionTool current={lettered(&partition_groups(v.nodes.len(), &v.blocked), &ui.partition_letters)}
                        servers={self.player.lab().nodes()}
                        on_apply={send.reform(Msg::ApplyPartition)} on_cancel={send.reform(|_| Msg::Ui(UiMsg::PartitionTool(false)))} />
                }
                { pure(NetworkControls { text: ui.net_text.clone().map(AttrValue::from), send: send.clone() }) }
                if let Some(lab) = info.map(|i| i.name).filter(|l| self.lesson.is_none() && crate::hunt::variants(l).next().is_some()) {
                    { pure(crate::view::hunt_panel::HuntPanel { lab, hunt: self.hunt.clone(), send: send.clone() }) }
                }
                { self.view_details(true, true) }
                <p class="fingerprint" data-testid="fingerprint">{ self.fingerprint.clone() }</p>
                <p class="keys">{ "Keys: Space play · S step · 0–9 select · B request · C crash/restart · I isolate · P partition · H heal · ? all shortcuts" }</p>
                <label class="narrate"><input type="checkbox" checked={self.narrator.on}
                    onchange={send.reform({ let on = self.narrator.on; move |_| Msg::Narrate(!on) })} />{ " tell what happens, for screen readers" }</label>
                <p class="visually-hidden" aria-live="polite" data-testid="narration">{ self.narrator.said.clone() }</p>
            </aside>
        }
    }

    /// The tour's card, when a tour is open.
    fn view_tour(&self) -> Html {
        match &self.tour {
            Some(m) => pure(crate::view::tour_card::TourCard::of(
                m,
                self.tour_said.clone(),
                &self.send,
            )),
            None => Html::default(),
        }
    }

    /// The shell's classes for the tour's highlight of the shown step.
    fn tour_classes(&self) -> Vec<String> {
        let Some(m) = &self.tour else {
            return Vec::new();
        };
        let kinds = find(self.view.lab).map_or(&[][..], |l| l.message_kinds);
        crate::view::tour_card::highlight_classes(&m.run.current().highlight, kinds)
    }

    /// The message and node inspectors and the event log.
    fn view_details(&self, inspector: bool, log: bool) -> Html {
        let ui = &self.ui;
        html! { <>
            if inspector {
                { pure(Inspector { view: self.panel_view.clone(), servers: self.player.lab().nodes(), selected: ui.selected, message: ui.selected_message, send: self.send.clone() }) }
            }
            if log {
                { pure(EventLog {
                    lines: self.log.clone(),
                    nodes: self.panel_view.nodes.len(),
                    servers: self.player.lab().nodes(),
                    node: ui.log_node,
                    kind: ui.log_kind.clone().into(),
                    message: ui.hovered_message.or(ui.selected_message),
                    send: self.send.clone(),
                }) }
            }
        </> }
    }

    /// The whole page.
    pub fn page(&self) -> Html {
        let clock = html! {
            <FrameClock running={self.player.playing()} on_frame={self.on_frame.clone()} />
        };
        if let Some(e) = &self.embed {
            return html! { <>{ clock }{ self.view_embed(&e.options) }</> };
        }
        let v = &self.view;
        let send = &self.send;
        let info = find(v.lab).ok();
        let title = info.map_or(v.lab, |l| l.title);
        let kinds = info.map_or(&[][..], |l| l.message_kinds);
        // An exercise hides what it does not allow, as an embed does (the shell refuses it too).
        let hidden: Vec<String> = self
            .lesson
            .iter()
            .flat_map(|l| Control::ALL.into_iter().filter(|c| !l.allows(*c)))
            .map(|c| format!("no-{}", c.name()))
            .collect();
        html! {
            <div class={classes!("shell", self.lesson.as_ref().map(|_| "lesson-mode"), hidden, self.tour_classes())}>
                { clock }
                <header class="bar">
                    <h1>{ "Splitbrain" }</h1>
                    <label class="lab-pick">
                        <span class="visually-hidden">{ "lab" }</span>
                        <select aria-label="lab" title={title} onchange={send.reform(|e: Event| Msg::SwitchLab(crate::view::controls::value_of(e)))}>
                            { for crate::bundles::all_labs().map(|(name, title)| html! { <option key={name} value={name} selected={name == v.lab}>{ title }</option> }) }
                        </select>
                    </label>
                    <span class="clock" data-testid="clock">{ clock_text(self.now) }</span>
                    <span class="seed">{ format!("seed {}", self.player.base().seed) }</span>
                    if let Some(t) = crate::tour::of_lab(v.lab).filter(|_| self.tour.is_none()) {
                        <button class="tour-button" onclick={send.reform(move |_| Msg::Tour(crate::tour::TourMsg::Start(t.id.clone(), None)))}
                            title={format!("{} ({} minutes)", t.summary, t.minutes)} data-testid="tour-button">{ "Tour" }</button>
                    }
                    <button class="exercises-button" onclick={send.reform(|_| Msg::Class(ClassMsg::List(true)))} data-testid="exercises-button">{ "Exercises" }</button>
                    <button class="help-button" onclick={send.reform(|_| Msg::Ui(UiMsg::Help(true)))} aria-label="keyboard shortcuts" title="?">{ "?" }</button>
                </header>
                if self.ui.list_open {
                    { crate::classroom_view::view_list(&self.progress, self.lesson.as_ref().map(|l| l.exercise.id.as_str()), &send.reform(Msg::Class), send.reform(|_| Msg::Author(crate::author::AuthorMsg::Open(true)))) }
                }
                if let Some(d) = &self.draft {
                    { crate::author::view(d, &crate::page::page_base(), &send.reform(Msg::Author)) }
                }
                if self.ui.help {
                    { help(send) }
                }
                if let Some(t) = &self.offer {
                    { pure(crate::view::tour_card::TourOffer { tour: t.clone(), send: send.clone() }) }
                }
                { self.view_alerts(true) }
                if let Some(b) = &self.bench {
                    <pre class="bench" data-testid="bench">{ b }</pre>
                }
                <main class="layout">
                    <section class="stage">
                        { self.view_network(kinds) }
                        { pure(Legend {
                            kinds,
                            looks: info.map_or(&[][..], |i| i.looks),
                            countdown: info.and_then(|i| i.countdown).map(|c| c.1),
                            counts: (v.messages.len(), v.events),
                        }) }
                        { self.view_timeline(self.allows(Control::Seek)) }
                        { self.view_diagram() }
                        { pure(LabPanel { content: self.lab_panel.clone() }) }
                    </section>
                    { self.view_side() }
                </main>
            </div>
        }
    }

    /// The notice, and the safety line: the first violation, or (when `safety`) which
    /// invariants hold.
    fn view_alerts(&self, safety: bool) -> Html {
        pure(Alerts {
            notice: self.ui.notice.clone().map(AttrValue::from),
            broken: self.player.lab().violations().first().cloned(),
            holds: safety.then(|| self.invariants.clone()),
            send: self.send.clone(),
        })
    }

    /// The timeline under the network.
    fn view_timeline(&self, interactive: bool) -> Html {
        pure(Timeline {
            now: self.now,
            reached: self.player.reached(),
            markers: self.markers.clone(),
            branches: self.branches.clone(),
            current: self.player.current(),
            interactive,
            send: self.send.clone(),
        })
    }

    /// The time-space diagram, under the timeline.
    fn view_diagram(&self) -> Html {
        let d = &self.diagram;
        pure(crate::view::diagram_panel::DiagramPanel {
            open: d.open,
            svg: d.svg(),
            events: d.picture.as_ref().map_or(0, |p| p.events),
            size: d.size(),
            lanes: self.player.lab().nodes(),
            hidden_nodes: d.hidden_nodes.clone(),
            hovered: self.ui.hovered_message,
            now_y: d.now_y(self.now),
            follow: d.follow,
            compressed: d.compressed,
            kinds: self.player.info().message_kinds,
            hidden: d.hidden.clone(),
            words: d.words.clone(),
            send: self.send.clone(),
        })
    }

    /// The shared network view, wired to the shell.
    fn view_network(&self, kinds: &'static [(&'static str, &'static str)]) -> Html {
        let send = &self.send;
        html! {
            <NetworkView view={self.view.clone()} layout={self.layout.clone()} letters={self.ui.partition_letters.clone()} now={self.now} selected={self.ui.selected} on_select={send.reform(|n| Msg::Ui(UiMsg::Select(n)))} kinds={kinds}
                         flagged={self.player.lab().violations().first().map(|x| x.nodes.clone()).unwrap_or_default()}
                         on_message={send.reform(|m| Msg::Ui(UiMsg::SelectMessage(m)))} selected_message={self.ui.selected_message} hovered_message={self.ui.hovered_message}
                         on_cut={send.reform(|(from, to)| Msg::Act(Action::Cut { from, to }))}
                         fade={(self.player.speed() * FADE_WALL_S * 1e6) as Time} still={self.still} playing={self.player.playing()} />
        }
    }

    /// Embed mode: no site chrome, one bar with the controls the embedding page allows, the
    /// network, and the panels it asked for.
    fn view_embed(&self, o: &splitbrain_embed::Options) -> Html {
        let v = &self.view;
        let send = &self.send;
        let info = find(v.lab).ok();
        let kinds = info.map_or(&[][..], |l| l.message_kinds);
        let node = self.ui.node();
        let title = info.map_or(v.lab, |l| l.title);
        html! {
            // `no-<control>` for each control the page did not allow: style.css hides the lab
            // panels' own buttons and settings for it (marked `data-control`).
            <div class={classes!("shell", "embed", Control::ALL.iter().filter(|c| !o.controls.allows(**c)).map(|c| format!("no-{}", c.name())).collect::<Vec<_>>(), self.tour_classes())} data-lab={v.lab}>
                { pure(EmbedBar {
                    controls: o.controls,
                    playing: self.player.playing(),
                    speed: self.player.speed(),
                    node,
                    up: v.nodes.get(node).is_some_and(|s| s.up),
                    partitioned: !v.blocked.is_empty(),
                    send: send.clone(),
                }) }
                { self.view_alerts(o.shows(Panel::Safety)) }
                <main class="layout">
                    <section class="stage">
                        // Over the network's corners, so a small frame keeps them in view.
                        <span class="clock" data-testid="clock">{ clock_text(self.now) }</span>
                        <a class="open-full" href={self.full_link.clone()} target="_blank" rel="noopener"
                           onpointerenter={send.reform(|_| Msg::FullLink)} onpointerdown={send.reform(|_| Msg::FullLink)}
                           onfocus={send.reform(|_| Msg::FullLink)}
                           aria-label="Open in Splitbrain"
                           title={format!("open this {title} run in the full Splitbrain app, at this moment")}><span class="wide">{ "Open in Splitbrain " }</span>{ "↗" }</a>
                        { self.view_network(kinds) }
                        { self.view_tour() }
                        if o.shows(Panel::Timeline) && o.controls.allows(Control::Seek) {
                            { self.view_timeline(true) }
                        }
                        if o.shows(Panel::Diagram) {
                            { self.view_diagram() }
                        }
                        if o.shows(Panel::Lab) {
                            { pure(LabPanel { content: self.lab_panel.clone() }) }
                        }
                    </section>
                    { self.view_side() }
                </main>
            </div>
        }
    }
}

/// The clock, to the millisecond.
fn clock_text(now: Time) -> String {
    format!("t = {}", format_time(now - now % 1000))
}

/// The keyboard help overlay.
fn help(send: &Callback<Msg>) -> Html {
    let close = send.reform(|_| Msg::Ui(UiMsg::Help(false)));
    html! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-label="keyboard shortcuts" data-testid="help"
             onclick={close.clone()}>
            <div class="help-card" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{ "Keyboard shortcuts" }</h2>
                <dl>{ for crate::keys::SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }</dl>
                <p class="hint">{ "Click a node to inspect it, a message to inspect or drop it, one direction of a link to cut it." }</p>
                <button onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
