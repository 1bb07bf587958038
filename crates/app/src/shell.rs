//! The shell's views: the side column, the inspectors and log, the alerts, the network and the
//! embed bar, around the player's state.

use crate::app::{App, FADE_WALL_S, Msg, TIMERS_SHOWN};
use crate::classroom::ClassMsg;
use crate::network::{NetworkView, partition_groups};
use crate::partition::PartitionTool;
use crate::settings::SPEED_RANGE;
use splitbrain_embed::{Control, Panel};
use splitbrain_labs::find;
use splitbrain_sim::{Action, Time, format_time};
use yew::prelude::*;

impl App {
    /// The side column (controls, inspectors, event log), built when something in it may have
    /// changed (any user action, a panel refresh), not on every animation frame.
    pub fn view_side(&self, link: &html::Scope<Self>) -> Html {
        let v = &self.view;
        let info = find(v.lab).ok();
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
                <aside class="side">
                    <crate::page::Memo version={self.panels}>{ self.view_details(link, inspector, log) }</crate::page::Memo>
                </aside>
            };
        }
        let selected = self.selected.and_then(|s| v.nodes.get(s));
        let up = selected.is_some_and(|s| s.up);
        let partitioned = !v.blocked.is_empty();
        let placeholder = info.map_or(String::new(), |l| (l.client_command)(1, v.nodes.len()));
        html! {
            <aside class="side">
                if let Some(l) = &self.lesson {
                    { crate::classroom_view::view_lesson(l, self.player.actions_taken(), &link.callback(Msg::Class), link.callback(|_| Msg::Reset)) }
                }
                <div class="controls" role="toolbar" aria-label="simulation controls">
                    <button class="primary" onclick={link.callback(|_| Msg::TogglePlay)} title="Space">
                        { if self.player.playing() { "❚❚ Pause" } else { "▶ Play" } }
                    </button>
                    <button onclick={link.callback(|_| Msg::Step)} title="S">{ "Step" }</button>
                    <button onclick={link.callback(|_| Msg::Reset)} title="R">{ "Reset" }</button>
                    <label class="seed-field" data-control="load">{ "seed " }
                        <input type="text" inputmode="numeric" size="10" value={self.seed_text.clone()} aria-label="seed"
                            oninput={link.callback(|e: InputEvent| Msg::SeedText(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))}
                            onchange={link.callback(|e: Event| Msg::Seed(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    </label>
                    <button onclick={link.callback(|_| Msg::NewSeed)} data-control="load">{ "New seed" }</button>
                    <button onclick={link.callback(|_| Msg::Share)} title="a link that replays this run to this moment">{ "Share" }</button>
                    { self.speed_slider(link) }
                </div>
                <div class="controls">
                    <button onclick={link.callback(|_| Msg::Broadcast)} title="B" disabled={!up} data-control="request">{ "Client request" }</button>
                    <button onclick={link.callback(|_| Msg::CrashRestart)} title="C" data-control="crash">{ if up { "Crash node" } else { "Restart node" } }</button>
                    <button onclick={link.callback(|_| Msg::Isolate)} title="I" data-control="partition">{ "Isolate node" }</button>
                    <button onclick={link.callback(|_| Msg::PartitionTool(true))} title="P" aria-expanded={self.partition_open.to_string()} data-control="partition">{ "Partition…" }</button>
                    <button onclick={link.callback(|_| Msg::Act(Action::Heal))} title="H" disabled={!partitioned} data-control="partition">{ "Heal" }</button>
                    // Automatic traffic would spend an exercise's action budget.
                    if !info.is_some_and(|i| i.own_traffic) && self.lesson.is_none() {
                        <label class="check"><input type="checkbox" checked={self.player.traffic().on} onclick={link.callback(|_| Msg::ToggleAuto)} />{ " client traffic (A)" }</label>
                    }
                </div>
                if self.partition_open {
                    <PartitionTool current={partition_groups(v.nodes.len(), &v.blocked)}
                        on_apply={link.callback(Msg::ApplyPartition)} on_cancel={link.callback(|_| Msg::PartitionTool(false))} />
                }
                <form class="controls" aria-label="client request" data-control="request"
                      onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::SendRequest })}>
                    <input type="text" placeholder={placeholder} aria-label="request" value={self.request_text.clone()}
                           oninput={link.callback(|e: InputEvent| Msg::RequestText(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    <button type="submit" disabled={!up}>{ format!("Send to n{}", self.selected.unwrap_or(0)) }</button>
                </form>
                <div class="controls network-controls" aria-label="network" data-control="network">
                    <label>{ format!("loss {}%", self.net_text[0]) }
                        <input type="range" min="0" max="50" value={self.net_text[0].clone()} aria-label="loss percent"
                               oninput={link.callback(|e: InputEvent| Msg::NetEdit(0, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))}
                               onchange={link.callback(|e: Event| Msg::LinkPercent(true, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    </label>
                    <label>{ format!("duplication {}%", self.net_text[1]) }
                        <input type="range" min="0" max="30" value={self.net_text[1].clone()} aria-label="duplication percent"
                               oninput={link.callback(|e: InputEvent| Msg::NetEdit(1, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))}
                               onchange={link.callback(|e: Event| Msg::LinkPercent(false, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    </label>
                    <label>{ "latency " }
                        <input type="text" size="12" value={self.net_text[2].clone()} aria-label="latency"
                               oninput={link.callback(|e: InputEvent| Msg::NetEdit(2, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))}
                               onchange={link.callback(|e: Event| Msg::LatencyText(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    </label>
                </div>
                <crate::page::Memo version={self.panels}>{ self.view_details(link, true, true) }</crate::page::Memo>
                if let Some(l) = &self.share {
                    <label class="share">{ "Link to this exact state (copied):" }
                        <input readonly=true value={l.clone()} data-testid="share-link" />
                    </label>
                }
                // Only while paused: a line that changed every frame would re-lay out the column.
                <p class="fingerprint" data-testid="fingerprint">{
                    if self.player.playing() { "run fingerprint: pause to see it".to_string() }
                    else { format!("run fingerprint {:016x} at {}", self.player.lab().trace_hash(), format_time(self.player.lab().now())) }
                }</p>
                <p class="keys">{ "Keys: Space play · S step · 0–9 select · B request · C crash/restart · I isolate · P partition · H heal · ? all shortcuts" }</p>
            </aside>
        }
    }
    /// The message and node inspectors and the event log.
    pub fn view_details(&self, link: &html::Scope<Self>, inspector: bool, log: bool) -> Html {
        let v = &self.view;
        let selected = self.selected.and_then(|s| v.nodes.get(s));
        html! { <>
                if let (true, Some(id)) = (inspector, self.selected_message) {
                    <section class="inspector message-inspector" aria-label="message inspector">
                        <h2>{ format!("Message #{id}") }</h2>
                        { match v.messages.iter().find(|m| m.id == id) {
                            Some(m) => {
                                let drop = Action::DropMessage { id };
                                html! { <>
                                    <dl>
                                        <dt>{ "from → to" }</dt><dd>{ format!("n{} → n{}", m.from, m.to) }</dd>
                                        <dt>{ "kind" }</dt><dd>{ m.kind }</dd>
                                        <dt>{ "content" }</dt><dd>{ &m.label }</dd>
                                        <dt>{ "sent" }</dt><dd>{ format_time(m.sent) }</dd>
                                        <dt>{ "arrives" }</dt><dd>{ format_time(m.deliver) }</dd>
                                    </dl>
                                    <button onclick={link.callback(move |_| Msg::Act(drop.clone()))}>{ "Drop this message" }</button>
                                </> }
                            }
                            None => html! { <p class="gone">{ "No longer in flight: delivered or dropped (see the event log)." }</p> },
                        } }
                    </section>
                }
                if inspector {
                <section class="inspector" aria-label="inspector">
                    <h2>{ self.selected.map_or("No node selected".into(), |s| format!("Node n{s}")) }</h2>
                    if let Some(node) = selected {
                        <dl>
                            <dt>{ "state" }</dt><dd>{ if node.up { node.view.role.clone() } else { "crashed".into() } }</dd>
                            { for node.view.fields.iter().map(|(k, val)| html! { <><dt>{ k }</dt><dd>{ val }</dd></> }) }
                            // The first few: a router with a timeout per request has dozens.
                            { for node.timers.iter().take(TIMERS_SHOWN).map(|(t, at)| html! { <><dt>{ "timer" }</dt><dd>{ format!("{t} at {}", format_time(*at - *at % 1000)) }</dd></> }) }
                            if node.timers.len() > TIMERS_SHOWN {
                                <dt>{ "" }</dt><dd>{ format!("and {} more timers", node.timers.len() - TIMERS_SHOWN) }</dd>
                            }
                        </dl>
                    }
                </section>
                }
                if log {
                <section class="log" aria-label="event log">
                    <h2>{ "Events" }</h2>
                    <div class="log-tools">
                        <select aria-label="filter by node" onchange={link.callback(|e: Event| Msg::LogNode(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                            <option value="" selected={self.log_node.is_none()}>{ "all nodes" }</option>
                            { for (0..v.nodes.len()).map(|i| html! { <option key={i} value={format!("n{i}")} selected={self.log_node == Some(i)}>{ format!("n{i}") }</option> }) }
                        </select>
                        <select aria-label="filter by event" onchange={link.callback(|e: Event| Msg::LogKind(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                            { for [("", "all events"), ("sent", "sent"), ("delivered", "delivered"), ("dropped", "dropped"), ("timer", "timers"), ("crash", "crashes"), ("note", "notes"), ("violation", "violations")].iter().map(|(k, t)| html! {
                                <option key={*k} value={*k} selected={self.log_kind == *k}>{ *t }</option>
                            }) }
                        </select>
                        <button onclick={link.callback(|_| Msg::DownloadLog)} title="the whole kept trace as a readable transcript">{ "Download" }</button>
                    </div>
                    // Oldest first in the DOM and shown newest first by CSS, so a new event
                    // appends one row instead of shifting every row.
                    <ol>
                        { for self.log.iter().map(|l| html! {
                            <li key={l.i.to_string()} class={format!("ev ev-{}", l.ev)}>
                                <span class="t">{ format_time(l.t - l.t % 1000) }</span>
                                <span class="who">{ crate::page::who(l) }</span>
                                <span class="what">{ crate::page::what(l) }</span>
                            </li>
                        }) }
                    </ol>
                </section>
                }
        </> }
    }

    /// The speed slider: logarithmic, 0..100 maps onto SPEED_RANGE.
    fn speed_slider(&self, link: &html::Scope<Self>) -> Html {
        let speed_input = link.callback(|e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let t = input.value().parse::<f64>().unwrap_or(50.0) / 100.0;
            Msg::Speed(SPEED_RANGE.0 * (SPEED_RANGE.1 / SPEED_RANGE.0).powf(t))
        });
        let slider = ((self.player.speed() / SPEED_RANGE.0).ln()
            / (SPEED_RANGE.1 / SPEED_RANGE.0).ln()
            * 100.0)
            .round();
        html! {
            <label class="speed">
                { crate::page::speed_label(self.player.speed()) }
                <input type="range" min="0" max="100" value={slider.to_string()} oninput={speed_input} aria-label="speed" />
            </label>
        }
    }

    /// The whole page.
    pub fn page(&self, link: &html::Scope<Self>) -> Html {
        if let Some(e) = &self.embed {
            return self.view_embed(link, &e.options);
        }
        let v = &self.view;
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
            <div class={classes!("shell", self.lesson.as_ref().map(|_| "lesson-mode"), hidden)}>
                <header class="bar">
                    <h1>{ "Splitbrain" }</h1>
                    <label class="lab-pick">
                        <span class="visually-hidden">{ "lab" }</span>
                        <select aria-label="lab" title={title} onchange={link.callback(|e: Event| Msg::SwitchLab(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                            { for crate::bundles::all_labs().map(|(name, title)| html! { <option key={name} value={name} selected={name == v.lab}>{ title }</option> }) }
                        </select>
                    </label>
                    <span class="clock" data-testid="clock">{ format!("t = {}", format_time(self.now - self.now % 1000)) }</span>
                    <span class="seed">{ format!("seed {}", self.player.base().seed) }</span>
                    <button class="exercises-button" onclick={link.callback(|_| Msg::Class(ClassMsg::List(true)))} data-testid="exercises-button">{ "Exercises" }</button>
                    <button class="help-button" onclick={link.callback(|_| Msg::Help(true))} aria-label="keyboard shortcuts" title="?">{ "?" }</button>
                </header>
                if self.list_open {
                    { crate::classroom_view::view_list(&self.progress, self.lesson.as_ref().map(|l| l.exercise.id.as_str()), &link.callback(Msg::Class), link.callback(|_| Msg::Author(crate::author::AuthorMsg::Open(true)))) }
                }
                if let Some(d) = &self.draft {
                    { crate::author::view(d, &crate::page::page_base(), &link.callback(Msg::Author)) }
                }
                if self.help {
                    <div class="help-overlay" role="dialog" aria-modal="true" aria-label="keyboard shortcuts" data-testid="help"
                         onclick={link.callback(|_| Msg::Help(false))}>
                        <div class="help-card" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                            <h2>{ "Keyboard shortcuts" }</h2>
                            <dl>{ for crate::keys::SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }</dl>
                            <p class="hint">{ "Click a node to inspect it, a message to inspect or drop it, one direction of a link to cut it." }</p>
                            <button onclick={link.callback(|_| Msg::Help(false))}>{ "Close" }</button>
                        </div>
                    </div>
                }
                { self.view_alerts(link, true) }
                if let Some(b) = &self.bench {
                    <pre class="bench" data-testid="bench">{ b }</pre>
                }
                <main class="layout">
                    <section class="stage">
                        { self.view_network(link, kinds) }
                        { self.view_timeline(link, self.allows(Control::Seek)) }
                        <crate::page::Memo version={self.lab_panel}>{ self.lab_panel_html.clone() }</crate::page::Memo>
                        <p class="legend">
                            { for kinds.iter().enumerate().take(4).map(|(i, (_, text))| html! {
                                <span class={["key key-a", "key key-b", "key key-c", "key key-d"][i]}>{ format!("{} {text}", ["●", "■", "◆", "▲"][i]) }</span>
                            }) }
                            <span>{ format!("{} in flight · {} events", v.messages.len(), v.events) }</span>
                        </p>
                    </section>
                    { self.side_html.clone() }
                </main>
            </div>
        }
    }
    /// The notice, and the safety line: the first violation, or (when `safety`) which
    /// invariants hold.
    fn view_alerts(&self, link: &html::Scope<Self>, safety: bool) -> Html {
        html! { <>
            if let Some(n) = &self.notice {
                <div class="notice" role="alert" data-testid="notice">
                    <span>{ n }</span>
                    <button onclick={link.callback(|_| Msg::Dismiss)} aria-label="dismiss">{ "×" }</button>
                </div>
            }
            if let Some(x) = self.player.lab().violations().first() {
                <div class="violation" role="alert" data-testid="safety">
                    { format!("✗ {} broken ({}): {} — at {}, after: {}", x.invariant, x.source, x.message, format_time(x.time), x.event_text.trim()) }
                </div>
            } else if safety {
                <div class="safety" data-testid="safety">
                    { format!("✓ Safety holds: {} checked after every event", self.invariants) }
                </div>
            }
        </> }
    }

    /// The shared network view, wired to the shell.
    /// The timeline under the network.
    fn view_timeline(&self, link: &html::Scope<Self>, interactive: bool) -> Html {
        crate::timeline::view(crate::timeline::Timeline {
            now: self.now,
            reached: self.player.reached(),
            markers: &self.markers,
            markers_version: self.markers_version,
            branches: &self.branches,
            current: self.player.current(),
            interactive,
            on_seek: link.callback(Msg::SeekTo),
            on_scrub: link.callback(Msg::Scrub),
            on_step: link.callback(|fwd| if fwd { Msg::Step } else { Msg::StepBack }),
            on_branch: link.callback(Msg::Branch),
        })
    }

    fn view_network(
        &self,
        link: &html::Scope<Self>,
        kinds: &'static [(&'static str, &'static str)],
    ) -> Html {
        html! {
            <NetworkView view={self.view.clone()} now={self.now} selected={self.selected} on_select={link.callback(Msg::Select)} kinds={kinds}
                         flagged={self.player.lab().violations().first().map(|x| x.nodes.clone()).unwrap_or_default()}
                         on_message={link.callback(Msg::SelectMessage)} selected_message={self.selected_message}
                         on_cut={link.callback(|(from, to)| Msg::Act(Action::Cut { from, to }))}
                         fade={(self.player.speed() * FADE_WALL_S * 1e6) as Time} still={self.still} playing={self.player.playing()} />
        }
    }

    /// Embed mode: no site chrome, one bar with the controls the embedding page allows, the
    /// network, and the panels it asked for.
    fn view_embed(&self, link: &html::Scope<Self>, o: &splitbrain_embed::Options) -> Html {
        let v = &self.view;
        let info = find(v.lab).ok();
        let kinds = info.map_or(&[][..], |l| l.message_kinds);
        let node = self.selected.unwrap_or(0);
        let up = v.nodes.get(node).is_some_and(|s| s.up);
        let can = |c| o.controls.allows(c);
        let title = info.map_or(v.lab, |l| l.title);
        html! {
            // `no-<control>` for each control the page did not allow: style.css hides the lab
            // panels' own buttons and settings for it (marked `data-control`).
            <div class={classes!("shell", "embed", Control::ALL.iter().filter(|c| !o.controls.allows(**c)).map(|c| format!("no-{}", c.name())).collect::<Vec<_>>())} data-lab={v.lab}>
                <div class="embed-bar" role="toolbar" aria-label="simulation controls">
                    if can(Control::Play) {
                        <button class="primary" onclick={link.callback(|_| Msg::TogglePlay)} title="Space">
                            { if self.player.playing() { "❚❚ Pause" } else { "▶ Play" } }
                        </button>
                        <button onclick={link.callback(|_| Msg::Step)} title="S">{ "Step" }</button>
                    }
                    if can(Control::Reset) {
                        <button onclick={link.callback(|_| Msg::Reset)} title="R">{ "Reset" }</button>
                    }
                    if can(Control::Crash) {
                        <button onclick={link.callback(|_| Msg::CrashRestart)} title="C">{ format!("{} n{node}", if up { "Crash" } else { "Restart" }) }</button>
                    }
                    if can(Control::Partition) {
                        <button onclick={link.callback(|_| Msg::Isolate)} title="I">{ format!("Isolate n{node}") }</button>
                        <button onclick={link.callback(|_| Msg::Act(Action::Heal))} title="H" disabled={v.blocked.is_empty()}>{ "Heal" }</button>
                    }
                    if can(Control::Request) {
                        <button onclick={link.callback(|_| Msg::Broadcast)} title="B" disabled={!up}>{ "Request" }</button>
                    }
                    if can(Control::Speed) {
                        { self.speed_slider(link) }
                    }
                </div>
                { self.view_alerts(link, o.shows(Panel::Safety)) }
                <main class="layout">
                    <section class="stage">
                        // Over the network's corners, so a small frame keeps them in view.
                        <span class="clock" data-testid="clock">{ format!("t = {}", format_time(self.now - self.now % 1000)) }</span>
                        <a class="open-full" href={self.full_link.clone()} target="_blank" rel="noopener"
                           onpointerenter={link.callback(|_| Msg::FullLink)} onpointerdown={link.callback(|_| Msg::FullLink)}
                           onfocus={link.callback(|_| Msg::FullLink)}
                           aria-label="Open in Splitbrain"
                           title={format!("open this {title} run in the full Splitbrain app, at this moment")}><span class="wide">{ "Open in Splitbrain " }</span>{ "↗" }</a>
                        { self.view_network(link, kinds) }
                        if o.shows(Panel::Timeline) && can(Control::Seek) {
                            { self.view_timeline(link, true) }
                        }
                        if o.shows(Panel::Lab) {
                            <crate::page::Memo version={self.lab_panel}>{ self.lab_panel_html.clone() }</crate::page::Memo>
                        }
                    </section>
                    { self.side_html.clone() }
                </main>
            </div>
        }
    }
}
