//! The page shell: clock, controls, inspector, event log, around the shared network view.

use crate::classroom::{ClassMsg, Lesson, Progress};
use crate::network::{NetworkView, partition_groups};
use crate::partition::PartitionTool;
use crate::settings::{self, SPEED_RANGE, Settings};
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{AnimationFrame, request_animation_frame};
use splitbrain_embed::{Command, Control, Panel};
use splitbrain_labs::{RunDescription, build, find};
use splitbrain_sim::{
    Action, Lab, NodeId, RunOutcome, Time, TimedAction, TraceLine, WorldView, format_time, secs,
};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Trace events the page keeps (the log shows the newest).
const TRACE_KEPT: usize = 10_000;
/// Events one frame may process before it yields to the browser.
const FRAME_BUDGET: u64 = 20_000;
/// Longest wall-clock step one frame may simulate, so a background tab does not jump.
const MAX_FRAME_MS: f64 = 100.0;
/// Event-log lines shown.
const LOG_SHOWN: usize = 14;
/// Trace events a filtered log searches.
const LOG_SCAN: usize = 2_000;
/// Recent drops the view keeps, to fade them out where they died.
const DROPS_SHOWN: usize = 32;
/// Wall-clock milliseconds between updates of the text panels while playing.
const PANEL_EVERY_MS: f64 = 200.0;
/// The same for the lab's own panel (Raft's log table), the costliest to redraw: at 2 Hz it
/// still reads as live, and fewer than one frame in twenty pays for it.
const LAB_PANEL_EVERY_MS: f64 = 500.0;
/// Wall-clock seconds a dropped message takes to fade out, whatever the speed.
const FADE_WALL_S: f64 = 1.2;

/// The keyboard shortcuts, shown in the help overlay.
const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "play / pause"),
    ("S or .", "step one event"),
    ("0–9", "select node"),
    ("B", "client request to the selected node"),
    ("C", "crash / restart the selected node"),
    ("I", "isolate the selected node"),
    ("P", "partition tool: put nodes in groups"),
    ("H", "heal every partition and cut"),
    ("A", "automatic client traffic on / off"),
    ("R", "reset to the start of this seed"),
    ("?", "this help"),
    ("Esc", "close help or the partition tool"),
];

/// Whether a log line passes the node and event-type filters.
fn log_matches(l: &TraceLine, node: Option<NodeId>, kind: &str) -> bool {
    let node_ok = node.is_none_or(|n| l.node == Some(n) || l.from == Some(n) || l.to == Some(n));
    let kind_ok = kind.is_empty() || l.ev.starts_with(kind);
    node_ok && kind_ok
}

/// Virtual time between automatic client requests.
const AUTO_EVERY: Time = secs(1) / 5 * 2;
/// When the first automatic client request goes out.
const FIRST_AUTO: Time = secs(1) / 10;
/// Wall-clock milliseconds one jump (a link's `?t=`, a seek, a loop's start) may take before
/// it stops and says where: a slow jump leaves a usable tab, never a frozen one. The run up
/// to that point is exact; only how far one jump gets depends on the machine.
const JUMP_MS: f64 = 3_000.0;
/// Events a jump runs between looks at the clock.
const JUMP_CHUNK: u64 = 50_000;

/// Timers the inspector lists for one node.
const TIMERS_SHOWN: usize = 6;

/// Messages of the shell.
pub enum Msg {
    /// An animation frame at this timestamp (ms).
    Frame(f64),
    /// Play or pause.
    TogglePlay,
    /// Process exactly one event.
    Step,
    /// Set the speed (virtual s per wall s).
    Speed(f64),
    /// Select a node for the inspector.
    Select(NodeId),
    /// Select a message in flight for the inspector.
    SelectMessage(splitbrain_sim::MsgId),
    /// Filter the event log by node ("" for all).
    LogNode(String),
    /// Filter the event log by event type ("" for all).
    LogKind(String),
    /// Save the whole kept trace as a transcript file.
    DownloadLog,
    /// Apply a user action now.
    Act(Action),
    /// A client request to the selected node.
    Broadcast,
    /// Crash or restart the selected node.
    CrashRestart,
    /// Cut the selected node off from the rest.
    Isolate,
    /// Turn automatic client traffic on or off.
    ToggleAuto,
    /// Start over from the same seed.
    Reset,
    /// Start over from a new seed.
    NewSeed,
    /// Hide the notice.
    Dismiss,
    /// Make a link that replays this run to this moment.
    Share,
    /// Start over from the seed typed in the seed field.
    Seed(String),
    /// The seed field is being edited.
    SeedText(String),
    /// The request field is being edited.
    RequestText(String),
    /// Send the typed request to the selected node.
    SendRequest,
    /// Set every link's loss (`true`) or duplication (`false`) percentage.
    LinkPercent(bool, String),
    /// Set every link's latency from text (`5ms..10ms`).
    LatencyText(String),
    /// A network field is being edited: (field, text).
    NetEdit(usize, String),
    /// Open or close the partition tool.
    PartitionTool(bool),
    /// Split the network into these groups.
    ApplyPartition(Vec<Vec<NodeId>>),
    /// Show or hide the keyboard help.
    Help(bool),
    /// Close whatever overlay is open (Escape).
    Close,
    /// Switch to another lab, with its page defaults.
    SwitchLab(String),
    /// Set one lab parameter (`null` removes it) and start over from the same seed.
    Param(String, serde_json::Value),
    /// A checked command from the page that embeds this one.
    Host(Command),
    /// Bring the embed's "open in Splitbrain" link up to this moment (as the pointer or focus
    /// reaches it, rather than on every frame).
    FullLink,
    /// The exercise card, the exercise list, progress files.
    Class(ClassMsg),
    /// The teacher's exercise builder.
    Author(crate::author::AuthorMsg),
}

impl Msg {
    /// The embed control a message needs (`None`: always allowed), so an embed's `controls`
    /// decide its buttons, its keys and the host page's commands alike.
    fn control(&self) -> Option<Control> {
        Some(match self {
            Msg::TogglePlay | Msg::Step => Control::Play,
            Msg::Speed(_) => Control::Speed,
            Msg::Reset => Control::Reset,
            // A new seed is another run: an embed's or an exercise's run is fixed.
            Msg::NewSeed | Msg::Seed(_) => Control::Load,
            Msg::CrashRestart => Control::Crash,
            Msg::Isolate | Msg::PartitionTool(_) | Msg::ApplyPartition(_) => Control::Partition,
            Msg::Broadcast | Msg::SendRequest | Msg::ToggleAuto => Control::Request,
            Msg::SwitchLab(_) | Msg::Param(..) => Control::Load,
            Msg::LinkPercent(..) | Msg::LatencyText(_) => Control::Network,
            Msg::Act(a) => Control::of(a),
            _ => return None,
        })
    }
}

/// The shell component.
pub struct App {
    run: RunDescription,
    lab: Box<dyn Lab>,
    actions: Vec<TimedAction>,
    view: Rc<WorldView>,
    /// Virtual time now; moves every frame, while `view` is rebuilt only when the trace grew.
    now: Time,
    /// Trace events recorded when `view` was built.
    seen_trace: u64,
    /// Version of the text panels (inspector, log, lab panel); they re-render when it changes.
    panels: u64,
    /// When the text panels were last refreshed during play (rAF timestamp, ms).
    panels_ts: f64,
    /// Trace events recorded when the text panels were last refreshed.
    panels_trace: u64,
    /// Version and refresh time of the lab panel, which follows at most every
    /// [`LAB_PANEL_EVERY_MS`] while playing.
    lab_panel: u64,
    lab_panel_ts: f64,
    lab_panel_trace: u64,
    lab_panel_html: Html,
    /// What the lab panel may ask of the shell.
    hooks: crate::panels::PanelHooks,
    /// The side column as last built, and the `panels` version it was built for.
    side_html: Html,
    side_version: u64,
    log: Vec<TraceLine>,
    playing: bool,
    speed: f64,
    last_ts: Option<f64>,
    selected: Option<NodeId>,
    notice: Option<String>,
    auto: bool,
    next_auto: Time,
    auto_count: u64,
    raf: Option<AnimationFrame>,
    bench: Option<String>,
    share: Option<String>,
    seed_text: String,
    request_text: String,
    /// Text of the loss %, duplication % and latency fields: the frame loop re-renders every
    /// frame, and an input's value must follow what the user is typing or dragging.
    net_text: [String; 3],
    selected_message: Option<splitbrain_sim::MsgId>,
    log_node: Option<NodeId>,
    log_kind: String,
    /// The lab's invariant names, joined once per build rather than every frame.
    invariants: String,
    partition_open: bool,
    help: bool,
    /// The visitor asked the system for reduced motion.
    still: bool,
    panic_test: bool,
    _keys: Option<EventListener>,
    /// Embed mode: the link with the embedding page (`None` on the site itself).
    embed: Option<crate::embed::Embed>,
    /// Embed mode's "open in Splitbrain" link: this run at this moment in the full app.
    full_link: String,
    /// The run moved since the embedding page last heard of it.
    observe_due: bool,
    /// Where the run starts when it loops (`?t=`).
    start_at: Time,
    /// Embed mode: pause here once.
    until: Option<Time>,
    /// Embed mode: start the run over here.
    loop_at: Option<Time>,
    /// When the automatic client requests went out, so a seek back knows when the next is due.
    auto_log: Vec<Time>,
    /// The exercise this page is open on.
    lesson: Option<Lesson>,
    /// This browser's exercise results.
    progress: Progress,
    /// The exercise list is open.
    list_open: bool,
    /// A progress file being read.
    reader: Option<gloo::file::callbacks::FileReader>,
    /// The exercise a teacher is making from this run.
    draft: Option<crate::author::Draft>,
}

fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

impl App {
    /// One message: what `update` does before the side column is rebuilt.
    fn handle(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        if !matches!(msg, Msg::Frame(_)) {
            // Anything the user did shows at once.
            self.panels += 1;
        }
        match msg {
            Msg::Frame(ts) => {
                self.raf = None;
                if self.panic_test {
                    panic!(
                        "self-test: ?selftest=panic asked for a panic to show the error overlay"
                    );
                }
                if !self.playing {
                    self.last_ts = None;
                    return false;
                }
                let dt = self
                    .last_ts
                    .map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
                self.last_ts = Some(ts);
                let advance = (dt * 1_000.0 * self.speed) as Time;
                let mut target = self.lab.now() + advance;
                if let Some(end) = self.until.into_iter().chain(self.loop_at).min() {
                    target = target.min(end);
                }
                if self.advance(target, FRAME_BUDGET) == RunOutcome::Violation {
                    // Stop at the event that broke it, so the learner sees that exact state.
                    self.playing = false;
                }
                if let Some(h) = self.lab.halted() {
                    self.notice = Some(format!("The run stopped: {h}"));
                    self.playing = false;
                }
                let now = self.lab.now();
                if self.playing && self.until.is_some_and(|u| now >= u) {
                    // Once: Play goes on from here.
                    self.until = None;
                    self.playing = false;
                } else if self.playing && self.loop_at.is_some_and(|l| now >= l) {
                    // Round again from the start, still playing.
                    match self.rebuild() {
                        Ok(()) => {
                            self.jump(|app, n| app.advance(app.start_at, n));
                            self.rebaseline();
                        }
                        Err(e) => self.notice = Some(e),
                    }
                    self.refresh();
                }
                if !self.playing {
                    self.refresh();
                    self.observe_due = true;
                } else {
                    if self.lab.trace_recorded() == self.seen_trace {
                        // Nothing happened: only the messages move.
                        self.now = self.lab.now();
                    } else {
                        self.refresh_view();
                    }
                    // The panels catch up within PANEL_EVERY_MS, also after the last event.
                    let text_due = self.panels_trace != self.seen_trace
                        && ts - self.panels_ts >= PANEL_EVERY_MS;
                    if text_due {
                        self.observe_due = true;
                        self.panels_ts = ts;
                        self.panels += 1;
                        self.panels_trace = self.seen_trace;
                        self.refresh_log();
                    }
                    // Never on the same frame as the text panels: two redraws would add up.
                    if !text_due
                        && self.lab_panel_trace != self.seen_trace
                        && ts - self.lab_panel_ts >= LAB_PANEL_EVERY_MS
                    {
                        self.lab_panel_ts = ts;
                        self.refresh_lab_panel();
                    }
                }
                self.schedule_frame(ctx);
                true
            }
            Msg::TogglePlay => {
                self.playing = !self.playing;
                self.refresh();
                self.last_ts = None;
                if self.playing && self.raf.is_none() {
                    self.schedule_frame(ctx);
                }
                true
            }
            Msg::Step => {
                self.playing = false;
                self.lab.step();
                self.refresh();
                true
            }
            Msg::Speed(s) => {
                self.speed = s.clamp(SPEED_RANGE.0, SPEED_RANGE.1);
                true
            }
            Msg::Select(id) => {
                if id < self.lab.nodes() {
                    self.selected = Some(id);
                    self.selected_message = None;
                }
                true
            }
            Msg::LogNode(v) => {
                self.log_node = v.strip_prefix('n').and_then(|n| n.parse().ok());
                self.refresh();
                true
            }
            Msg::LogKind(v) => {
                self.log_kind = v;
                self.refresh();
                true
            }
            Msg::DownloadLog => {
                let text = self.lab.transcript().join("\n") + "\n";
                let name = format!("splitbrain-{}-seed{}.txt", self.run.lab, self.run.seed);
                download(&name, "text/plain", &text);
                false
            }
            Msg::SelectMessage(id) => {
                self.selected_message = Some(id);
                true
            }
            Msg::Act(a) => {
                self.act(a);
                true
            }
            Msg::Broadcast => {
                let node = self.client_node();
                self.auto_count += 1;
                let command = self.client_command();
                self.act(Action::Client { node, command });
                true
            }
            Msg::CrashRestart => {
                let node = self.selected.unwrap_or(0);
                let up = self.view.nodes.get(node).is_some_and(|s| s.up);
                self.act(if up {
                    Action::Crash { node }
                } else {
                    Action::Restart { node }
                });
                true
            }
            Msg::Isolate => {
                let node = self.selected.unwrap_or(0);
                self.act(Action::Partition {
                    groups: vec![vec![node]],
                });
                true
            }
            Msg::ToggleAuto => {
                self.auto = !self.auto;
                self.next_auto = self.lab.now();
                true
            }
            Msg::Reset => {
                if let Err(e) = self.rebuild() {
                    self.notice = Some(e);
                }
                true
            }
            Msg::NewSeed => {
                let old = self.run.seed;
                self.run.seed = fresh_seed();
                if let Err(e) = self.rebuild() {
                    self.run.seed = old;
                    self.notice = Some(e);
                }
                true
            }
            Msg::Dismiss => {
                self.notice = None;
                true
            }
            Msg::RequestText(text) => {
                self.request_text = text;
                false
            }
            Msg::SendRequest => {
                let node = self.client_node();
                let command = self.request_text.trim().to_string();
                if command.is_empty() {
                    self.notice = Some("type a request first, e.g. `set x=1` or `get x`".into());
                } else {
                    self.act(Action::Client { node, command });
                }
                true
            }
            Msg::NetEdit(i, text) => {
                self.net_text[i] = text;
                true
            }
            Msg::LinkPercent(loss, v) => {
                let p = v.parse::<f64>().unwrap_or(0.0) / 100.0;
                let (from, to) = (None, None);
                self.act(if loss {
                    Action::Loss { p, from, to }
                } else {
                    Action::Duplicate { p, from, to }
                });
                self.sync_net_text();
                true
            }
            Msg::LatencyText(v) => {
                match v.parse::<splitbrain_sim::Latency>() {
                    Ok(latency) => {
                        self.act(Action::Latency {
                            latency,
                            from: None,
                            to: None,
                        });
                        self.sync_net_text();
                    }
                    Err(e) => self.notice = Some(e.0),
                }
                true
            }
            Msg::SeedText(text) => {
                self.seed_text = text;
                false
            }
            Msg::Seed(text) => {
                match text.trim().parse::<u64>() {
                    Ok(seed) => {
                        let old = self.run.seed;
                        self.run.seed = seed;
                        if let Err(e) = self.rebuild() {
                            self.run.seed = old;
                            self.notice = Some(e);
                        }
                    }
                    Err(_) => {
                        self.notice = Some(format!(
                            "seed {text:?} is not a whole number from 0 to 2^64-1"
                        ))
                    }
                }
                true
            }
            Msg::PartitionTool(open) => {
                self.partition_open = open;
                true
            }
            Msg::ApplyPartition(groups) => {
                self.partition_open = false;
                self.act(if groups.len() > 1 {
                    Action::Partition { groups }
                } else {
                    Action::Heal
                });
                true
            }
            Msg::Help(open) => {
                self.help = open;
                true
            }
            Msg::Close => {
                self.help = false;
                self.partition_open = false;
                true
            }
            Msg::SwitchLab(name) => {
                let target = format!("?lab={name}&seed={}", self.run.seed);
                if let Some(url) = crate::bundles::elsewhere(&name, &target) {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&url);
                    }
                    return false;
                }
                let Ok(info) = find(&name) else {
                    self.notice = Some(format!("unknown lab {name:?}"));
                    return true;
                };
                let fresh = RunDescription::new(info.name, self.run.seed, self.run.nodes);
                let old = std::mem::replace(&mut self.run, fresh);
                (info.page_defaults)(&mut self.run);
                let mut built = self.rebuild();
                if built.is_err() {
                    // This node count does not suit the new lab: its default size does.
                    self.run.nodes = 5;
                    built = self.rebuild();
                }
                match built {
                    Ok(()) => {
                        if self.selected.is_some_and(|s| s >= self.lab.nodes()) {
                            self.selected = Some(0);
                        }
                        self.share = None;
                        self.auto = true;
                        self.speed = info.page_speed;
                        self.notice = None;
                    }
                    Err(e) => {
                        self.run = old;
                        self.notice = Some(e);
                        let _ = self.rebuild();
                    }
                }
                true
            }
            Msg::Param(key, value) => {
                let old = self.run.params.clone();
                if !self.run.params.is_object() {
                    self.run.params = serde_json::Value::Object(Default::default());
                }
                if let Some(obj) = self.run.params.as_object_mut() {
                    if value.is_null() {
                        obj.remove(&key);
                    } else {
                        obj.insert(key.clone(), value);
                    }
                }
                let old_nodes = self.run.nodes;
                if let Ok(info) = find(&self.run.lab) {
                    (info.fit)(&mut self.run);
                }
                match self.rebuild() {
                    Ok(()) => {
                        self.share = None;
                        self.notice = Some(format!(
                            "{key} changed: the run starts over from the same seed"
                        ));
                    }
                    Err(e) => {
                        self.run.params = old;
                        self.run.nodes = old_nodes;
                        self.notice = Some(format!("Not changed: {e}"));
                        let _ = self.rebuild();
                    }
                }
                true
            }
            Msg::Host(cmd) => {
                self.host(ctx, cmd);
                true
            }
            Msg::FullLink => {
                self.full_link = self.share_link();
                true
            }
            Msg::Class(m) => {
                self.class(ctx, m);
                true
            }
            Msg::Author(m) => {
                use crate::author::{AuthorMsg, Draft};
                match m {
                    AuthorMsg::Open(true) => {
                        self.list_open = false;
                        self.playing = false;
                        self.draft =
                            Some(Draft::new(self.run_with(&self.actions), self.lab.as_ref()));
                    }
                    AuthorMsg::Open(false) => self.draft = None,
                    AuthorMsg::Download => {
                        if let Some(d) = &self.draft {
                            match d.exercise() {
                                Ok(e) => download(
                                    &format!("{}.toml", e.id),
                                    "application/toml",
                                    d.toml(),
                                ),
                                Err(e) => self.notice = Some(e.clone()),
                            }
                        }
                    }
                    m => {
                        let first = self.lab.invariant_names().first().copied().unwrap_or("");
                        if let Some(d) = &mut self.draft {
                            d.edit(m, first);
                        }
                    }
                }
                true
            }
            Msg::Share => {
                let link = self.share_link();
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&link);
                }
                self.playing = false;
                self.share = Some(link);
                self.refresh();
                true
            }
        }
    }

    /// The side column (controls, inspectors, event log), built when something in it may have
    /// changed (any user action, a panel refresh), not on every animation frame.
    fn view_side(&self, link: &html::Scope<Self>) -> Html {
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
                    <Memo version={self.panels}>{ self.view_details(link, inspector, log) }</Memo>
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
                    { crate::classroom::view_lesson(l, self.actions.len(), &link.callback(Msg::Class), link.callback(|_| Msg::Reset)) }
                }
                <div class="controls" role="toolbar" aria-label="simulation controls">
                    <button class="primary" onclick={link.callback(|_| Msg::TogglePlay)} title="Space">
                        { if self.playing { "❚❚ Pause" } else { "▶ Play" } }
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
                        <label class="check"><input type="checkbox" checked={self.auto} onclick={link.callback(|_| Msg::ToggleAuto)} />{ " client traffic (A)" }</label>
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
                <Memo version={self.panels}>{ self.view_details(link, true, true) }</Memo>
                if let Some(l) = &self.share {
                    <label class="share">{ "Link to this exact state (copied):" }
                        <input readonly=true value={l.clone()} data-testid="share-link" />
                    </label>
                }
                // Only while paused: a line that changed every frame would re-lay out the column.
                <p class="fingerprint" data-testid="fingerprint">{
                    if self.playing { "run fingerprint: pause to see it".to_string() }
                    else { format!("run fingerprint {:016x} at {}", self.lab.trace_hash(), format_time(self.lab.now())) }
                }</p>
                <p class="keys">{ "Keys: Space play · S step · 0–9 select · B request · C crash/restart · I isolate · P partition · H heal · ? all shortcuts" }</p>
            </aside>
        }
    }
    /// The message and node inspectors and the event log.
    fn view_details(&self, link: &html::Scope<Self>, inspector: bool, log: bool) -> Html {
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
                                <span class="who">{ who(l) }</span>
                                <span class="what">{ what(l) }</span>
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
        let slider = ((self.speed / SPEED_RANGE.0).ln() / (SPEED_RANGE.1 / SPEED_RANGE.0).ln()
            * 100.0)
            .round();
        html! {
            <label class="speed">
                { speed_label(self.speed) }
                <input type="range" min="0" max="100" value={slider.to_string()} oninput={speed_input} aria-label="speed" />
            </label>
        }
    }

    /// A link that replays this run, with everything done in the page, to this moment.
    fn share_link(&self) -> String {
        let run = self.run_with(&self.actions);
        let base = page_base();
        let json: String = js_sys::encode_uri_component(&run.to_json()).into();
        format!("{base}?run={json}&t={}", format_time(self.lab.now()))
    }

    /// This run's description with `actions` taken in the page added, in time order.
    fn run_with(&self, actions: &[TimedAction]) -> RunDescription {
        let mut run = self.run.clone();
        run.actions.extend(actions.iter().cloned());
        run.actions.sort_by_key(|a| a.at);
        run
    }

    /// Whether the embedding page lets the learner and itself do this (always, on the site).
    fn allows(&self, c: Control) -> bool {
        self.embed
            .as_ref()
            .is_none_or(|e| e.options.controls.allows(c))
            && self.lesson.as_ref().is_none_or(|l| l.allows(c))
    }

    /// A command from the embedding page (already checked against the embed's controls).
    fn host(&mut self, ctx: &Context<Self>, cmd: Command) {
        let refuse = |app: &mut Self, why: String| {
            if let Some(e) = &app.embed {
                web_sys::console::warn_1(&format!("splitbrain embed: {why}").into());
                e.post("refused", serde_json::json!({ "reason": why }));
            }
        };
        match cmd {
            Command::Play | Command::Pause => {
                if self.playing != (cmd == Command::Play) {
                    self.handle(ctx, Msg::TogglePlay);
                }
            }
            Command::Step => {
                self.handle(ctx, Msg::Step);
            }
            Command::Speed(s) => {
                self.handle(ctx, Msg::Speed(s));
            }
            Command::Reset => {
                self.handle(ctx, Msg::Reset);
            }
            Command::Seek(t) => {
                if let Err(e) = self.seek(t) {
                    refuse(self, format!("seek: {e}"));
                }
            }
            Command::LoadRun(_) if self.lesson.is_some() => {
                refuse(self, "load-run: an exercise fixes its run".into());
                return;
            }
            Command::LoadRun(run) => {
                if crate::bundles::elsewhere(&run.lab, "").is_some() {
                    refuse(
                        self,
                        format!(
                            "load-run: the {} lab runs in another page of Splitbrain; embed that page",
                            run.lab
                        ),
                    );
                    return;
                }
                let old = std::mem::replace(&mut self.run, *run);
                match self.rebuild() {
                    Ok(()) => {
                        // A loaded run replays as it is, like a shared link, from its start.
                        self.auto = false;
                        self.share = None;
                        self.start_at = 0;
                        if self.selected.is_some_and(|s| s >= self.lab.nodes()) {
                            self.selected = Some(0);
                        }
                        if let Some(e) = &mut self.embed {
                            e.ready(self.lab.as_ref(), self.run.seed);
                        }
                    }
                    Err(e) => {
                        self.run = old;
                        let _ = self.rebuild();
                        refuse(self, format!("load-run: {e}"));
                    }
                }
            }
            Command::Act(_) | Command::Request { .. } => {
                let action = match cmd {
                    Command::Request { node, command } => Action::Client {
                        node: node.unwrap_or_else(|| self.client_node()),
                        command,
                    },
                    Command::Act(action) => action,
                    _ => return,
                };
                if !self.allows(Control::of(&action)) {
                    refuse(
                        self,
                        format!(
                            "this exercise does not give {}",
                            Control::of(&action).name()
                        ),
                    );
                    return;
                }
                let before = self.actions.len();
                self.act(action);
                if self.actions.len() == before
                    && let Some(n) = self.notice.clone()
                {
                    refuse(self, n);
                }
            }
            Command::GetState => {
                if let Some(e) = &mut self.embed {
                    e.observe(
                        self.lab.as_ref(),
                        self.run.seed,
                        self.playing,
                        self.speed,
                        true,
                    );
                }
            }
        }
        self.observe_due = true;
    }

    /// This run's state at virtual time `t`, paused. Going back replays the run from its
    /// start with the actions taken before `t` (automatic requests included, at their times),
    /// so the state is the one a link with `?t=` opens on; later actions are forgotten, as a
    /// rewind does. Going forward plays on, automatic requests and all.
    fn seek(&mut self, t: Time) -> Result<(), String> {
        if t < self.lab.now() {
            let kept: Vec<TimedAction> =
                self.actions.iter().filter(|a| a.at <= t).cloned().collect();
            let auto_log: Vec<Time> = self.auto_log.iter().copied().filter(|a| *a <= t).collect();
            self.restart(kept)?;
            self.notice = None;
            self.auto_count = self
                .actions
                .iter()
                .filter(|a| matches!(a.action, Action::Client { .. }))
                .count() as u64;
            self.next_auto = auto_log.last().map_or(FIRST_AUTO, |a| a + AUTO_EVERY);
            self.auto_log = auto_log;
            // The kept requests replay as scheduled actions: none are added on the way.
            self.jump(|app, n| app.lab.run_until(t, n));
        } else {
            self.jump(|app, n| app.advance(t, n));
        }
        self.rebaseline();
        self.playing = false;
        self.refresh();
        Ok(())
    }

    /// Runs to `target` (at most `budget` events), sending the automatic client requests at
    /// their own virtual times on the way: a run with traffic is then the same whatever the
    /// frame rate, and a seek forward equals playing there.
    fn advance(&mut self, target: Time, budget: u64) -> RunOutcome {
        let own = find(&self.run.lab).is_ok_and(|l| l.own_traffic);
        let start = self.lab.events();
        loop {
            let due = (self.auto && !own).then_some(self.next_auto);
            let left = budget.saturating_sub(self.lab.events() - start);
            let outcome = self
                .lab
                .run_until(due.map_or(target, |d| d.min(target)), left);
            if outcome != RunOutcome::Reached {
                return outcome;
            }
            if due.is_some_and(|d| self.lab.now() >= d) {
                self.auto_traffic();
            }
            if self.lab.now() >= target {
                return RunOutcome::Reached;
            }
        }
    }

    /// A jump through the run: `go(app, n)` runs at most `n` more events towards its target,
    /// again until it gets there or [`JUMP_MS`] have passed; then the notice says where it
    /// stopped.
    fn jump(&mut self, mut go: impl FnMut(&mut Self, u64) -> RunOutcome) {
        let perf = web_sys::window().and_then(|w| w.performance());
        let clock = || perf.as_ref().map_or(0.0, |p| p.now());
        let start = clock();
        while go(self, JUMP_CHUNK) == RunOutcome::Budget {
            if clock() - start > JUMP_MS {
                self.notice = Some(format!(
                    "Stopped at t = {}: a jump may take {} s of your time. Press play to go on, or jump again.",
                    format_time(self.lab.now()),
                    JUMP_MS / 1_000.0
                ));
                return;
            }
        }
    }

    /// The embedding page's events continue from this state (after a seek or a loop's replay,
    /// which are not news).
    fn rebaseline(&mut self) {
        if let Some(e) = &mut self.embed {
            e.restarted(self.lab.as_ref());
        }
    }

    fn rebuild(&mut self) -> Result<(), String> {
        self.restart(Vec::new())
    }

    /// Starts this run over, with `kept` (actions already taken) replayed at their times.
    fn restart(&mut self, kept: Vec<TimedAction>) -> Result<(), String> {
        self.lab = if kept.is_empty() {
            fresh_lab(&self.run)?
        } else {
            fresh_lab(&self.run_with(&kept))?
        };
        if let Some(l) = &mut self.lesson {
            self.lab.set_watch(Some(Box::new(l.exercise.tracker())));
            l.restart();
            // Pause once where the judging ends; Play goes on from there, to watch.
            self.until = Some(l.exercise.time_limit);
        }
        self.rebaseline();
        self.selected_message = None;
        self.partition_open = false;
        self.actions = kept;
        self.seed_text = self.run.seed.to_string();
        self.invariants = self.lab.invariant_names().join(", ");
        self.next_auto = FIRST_AUTO;
        self.auto_count = 0;
        self.auto_log.clear();
        self.refresh();
        self.sync_net_text();
        Ok(())
    }

    /// Everything on screen, now.
    fn refresh(&mut self) {
        self.refresh_view();
        self.refresh_panels();
    }

    /// The network picture.
    fn refresh_view(&mut self) {
        self.view = Rc::new(self.lab.view());
        self.now = self.lab.now();
        self.seen_trace = self.lab.trace_recorded();
    }

    fn refresh_lab_panel(&mut self) {
        self.lab_panel += 1;
        self.lab_panel_trace = self.lab.trace_recorded();
        // Built here, not in `view`, so the frames in between do not pay for it.
        self.lab_panel_html =
            crate::panels::panel(self.lab.as_ref(), &self.hooks).unwrap_or_default();
    }

    /// The inspector, event log and lab panel: text nobody can read at 60 updates a second,
    /// so while playing they follow at most every [`PANEL_EVERY_MS`] (at once when paused).
    fn refresh_panels(&mut self) {
        self.panels += 1;
        self.panels_trace = self.lab.trace_recorded();
        self.refresh_lab_panel();
        self.refresh_log();
    }

    /// The event log's lines, filtered.
    fn refresh_log(&mut self) {
        self.log = if self.log_node.is_none() && self.log_kind.is_empty() {
            self.lab.trace_tail(LOG_SHOWN)
        } else {
            // Filtered: look further back so the filter still finds recent matches.
            let mut lines: Vec<TraceLine> = self
                .lab
                .trace_tail(LOG_SCAN)
                .into_iter()
                .filter(|l| log_matches(l, self.log_node, &self.log_kind))
                .collect();
            let skip = lines.len().saturating_sub(LOG_SHOWN);
            lines.drain(..skip);
            lines
        };
    }

    fn act(&mut self, action: Action) {
        if let Some(why) = self
            .lesson
            .as_ref()
            .and_then(|l| l.refuses(self.actions.len(), self.lab.now()))
        {
            self.notice = Some(why);
            self.refresh();
            return;
        }
        let before = self.lab.violations().len();
        match self.lab.control(&action) {
            Ok(()) => {
                self.actions.push(TimedAction {
                    at: self.lab.now(),
                    action,
                });
                self.notice = None;
                if let Some(l) = &mut self.lesson {
                    l.replayed = false;
                }
            }
            Err(e) => self.notice = Some(format!("Not done: {e}")),
        }
        if self.lab.violations().len() > before {
            // The action itself broke an invariant (a restart that forgot state): stop here.
            self.playing = false;
        }
        self.refresh();
    }

    /// Reads the exercise's checklist from the run after anything happened; when it changed,
    /// the card is redrawn, and a better result is kept (with its solution link once every goal
    /// is met).
    fn follow_lesson(&mut self) {
        let Some(l) = &mut self.lesson else {
            return;
        };
        if !l.read(self.lab.as_ref()) {
            return;
        }
        self.panels += 1;
        let (score, done) = (l.score(), l.done());
        // Watching someone's solution link is not solving it.
        if score == 0 || l.replayed {
            return;
        }
        let run = done.then(|| self.run_with(&self.actions));
        let Some(l) = &mut self.lesson else {
            return;
        };
        let link = run.map(|run| {
            let link = splitbrain_exercise::solution_link(&page_base(), &l.exercise, &run);
            // A teacher's own exercise travels with its solutions, so they open in the page.
            if crate::classroom::find(&l.exercise.id).as_ref() == Some(&l.exercise) {
                link
            } else {
                let def = serde_json::to_string(&l.exercise).unwrap_or_default();
                format!("{link}&def={}", splitbrain_exercise::encode(&def))
            }
        });
        l.solution = link.clone();
        let record = crate::classroom::Record {
            score,
            max: l.exercise.max_points(),
            link,
        };
        if self
            .progress
            .record(&crate::classroom::key(&l.exercise), record)
            && let Err(e) = self.progress.save()
        {
            self.notice = Some(format!("Progress not kept: {e}"));
        }
    }

    /// The exercise card's and list's buttons.
    fn class(&mut self, ctx: &Context<Self>, m: ClassMsg) {
        match m {
            ClassMsg::Hint => {
                if let Some(l) = &mut self.lesson {
                    l.hints = (l.hints + 1).min(l.exercise.hints.len());
                }
            }
            ClassMsg::List(open) => {
                if open {
                    // Another tab may have solved something meanwhile.
                    self.progress = Progress::load();
                }
                self.list_open = open;
            }
            ClassMsg::Export => match serde_json::to_string_pretty(&self.progress) {
                Ok(text) => download("splitbrain-progress.json", "application/json", &text),
                Err(e) => self.notice = Some(format!("Cannot export: {e}")),
            },
            ClassMsg::ImportFile(file)
                if file.size() > crate::classroom::MAX_PROGRESS_BYTES as f64 =>
            {
                self.notice = Some(format!(
                    "Not imported: the file is {} bytes; a progress file is at most {}",
                    file.size(),
                    crate::classroom::MAX_PROGRESS_BYTES
                ));
            }
            ClassMsg::ImportFile(file) => {
                let link = ctx.link().clone();
                self.reader = Some(gloo::file::callbacks::read_as_text(
                    &gloo::file::File::from(file),
                    move |r| {
                        link.send_message(Msg::Class(ClassMsg::Imported(
                            r.map_err(|e| e.to_string()),
                        )))
                    },
                ));
            }
            ClassMsg::Imported(text) => {
                self.reader = None;
                self.notice = Some(match text.and_then(|t| Progress::parse(&t)) {
                    Ok(other) => {
                        let mut merged = Progress::load();
                        let better = merged.merge(other);
                        match merged.save() {
                            Ok(()) => {
                                self.progress = merged;
                                format!("Imported: {better} results better than this browser's")
                            }
                            Err(e) => format!("Not imported: {e}"),
                        }
                    }
                    Err(e) => format!("Not imported: {e}"),
                });
            }
            ClassMsg::Copy => {
                if let (Some(w), Some(link)) = (
                    web_sys::window(),
                    self.lesson.as_ref().and_then(|l| l.solution.as_ref()),
                ) {
                    let _ = w.navigator().clipboard().write_text(link);
                    self.notice = Some("Solution link copied.".into());
                }
            }
        }
    }

    fn sync_net_text(&mut self) {
        let l = &self.view.link;
        self.net_text = [
            ((l.loss * 100.0).round() as i64).to_string(),
            ((l.duplicate * 100.0).round() as i64).to_string(),
            l.latency.to_string(),
        ];
    }

    fn client_command(&self) -> String {
        find(&self.run.lab)
            .map(|l| (l.client_command)(self.auto_count, self.lab.nodes()))
            .unwrap_or_default()
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.raf = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }

    /// Where a typed or button request goes: the lab's entry node (the hashing lab's router)
    /// or the selected node.
    fn client_node(&self) -> NodeId {
        find(&self.run.lab)
            .ok()
            .and_then(|l| l.entry)
            .or(self.selected)
            .unwrap_or(0)
    }

    /// One automatic client request, now (the time [`App::advance`] found it due).
    fn auto_traffic(&mut self) {
        let n = self.lab.nodes().max(1);
        let mut node = (self.auto_count as usize * 2) % n;
        // Ask a node that is up, as a real client would retry elsewhere: the run's own state,
        // not the picture, which may be a frame old.
        for _ in 0..n {
            if self.lab.up(node) {
                break;
            }
            node = (node + 1) % n;
        }
        self.auto_log.push(self.lab.now());
        self.auto_count += 1;
        let command = self.client_command();
        if self
            .lab
            .control(&Action::Client {
                node,
                command: command.clone(),
            })
            .is_ok()
        {
            self.actions.push(TimedAction {
                at: self.lab.now(),
                action: Action::Client { node, command },
            });
        }
        self.next_auto = self.lab.now() + AUTO_EVERY;
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (
            Settings {
                run,
                speed,
                bench,
                shared,
                at,
                panic_test,
                exercise,
                replay,
                list,
            },
            mut notice,
        ) = settings::from_query(&query());
        let (embed_options, embed_errors) = {
            let pairs: Vec<(String, String)> = settings::pairs(&query()).collect();
            splitbrain_embed::Options::from_pairs(
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
        };
        if !embed_errors.is_empty() {
            let more = format!(
                "Ignored part of the embed settings: {}",
                embed_errors.join("; ")
            );
            notice = Some(notice.map_or(more.clone(), |n| format!("{n}. {more}")));
        }
        // A link to a lab another bundle carries: go there with the same query (an embed
        // there says ready; this page, on its way out, must not).
        let mut leaving = false;
        if let Some(url) = crate::bundles::requested_lab(&query())
            .and_then(|lab| crate::bundles::elsewhere(&lab, &query()))
            && let Some(w) = web_sys::window()
        {
            leaving = w.location().replace(&url).is_ok();
        }
        let bench = bench.map(run_bench);
        let (run, lab) = match build(&run, TRACE_KEPT) {
            Ok(l) => (run, l),
            Err(e) => {
                notice = Some(format!(
                    "This link cannot be run ({e}); showing the default lab."
                ));
                let fallback = settings::default_run();
                let lab = build(&fallback, TRACE_KEPT).expect("the default run always builds");
                (fallback, lab)
            }
        };
        let keys = web_sys::window().and_then(|w| w.document()).map(|doc| {
            let link = ctx.link().clone();
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let in_field = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| match el.tag_name().as_str() {
                        "SELECT" | "TEXTAREA" => true,
                        // Typing goes to text fields; a ticked box or a slider keeps shortcuts.
                        "INPUT" => !matches!(
                            el.get_attribute("type").as_deref(),
                            Some("checkbox" | "range" | "radio" | "button")
                        ),
                        _ => false,
                    });
                if in_field {
                    return;
                }
                let msg = match e.key().as_str() {
                    "Escape" => Msg::Close,
                    "?" => Msg::Help(true),
                    "p" => Msg::PartitionTool(true),
                    " " | "k" => Msg::TogglePlay,
                    "s" | "." => Msg::Step,
                    "b" => Msg::Broadcast,
                    "c" => Msg::CrashRestart,
                    "i" => Msg::Isolate,
                    "h" => Msg::Act(Action::Heal),
                    "a" => Msg::ToggleAuto,
                    "r" => Msg::Reset,
                    k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() => {
                        Msg::Select((k.as_bytes()[0] - b'0') as NodeId)
                    }
                    _ => return,
                };
                e.prevent_default();
                link.send_message(msg);
            })
        });
        let mut lab = lab;
        lab.set_stop_on_violation(true);
        lab.keep_drops(DROPS_SHOWN);
        // The exercise, if its run is the one that built (not the fallback).
        let lesson = exercise
            .filter(|e| e.lab == run.lab)
            .map(crate::classroom::Lesson::new);
        if let Some(l) = &lesson {
            lab.set_watch(Some(Box::new(l.exercise.tracker())));
        }
        let playing = match &embed_options {
            Some(o) => o.autoplay,
            None => at.is_none(),
        };
        // An end at or before the start would replay the run on every frame.
        let start = at.unwrap_or(0);
        let mut stop_notice = None;
        let mut end = |t: Option<Time>, what: &str| match t {
            Some(t) if t <= start => {
                stop_notice = Some(format!(
                    "Ignored {what}={}: it must come after the start ({})",
                    format_time(t),
                    format_time(start)
                ));
                None
            }
            t => t,
        };
        let until = end(
            embed_options
                .as_ref()
                .and_then(|o| o.until)
                .or(lesson.as_ref().map(|l| l.exercise.time_limit)),
            "until",
        );
        let loop_at = end(embed_options.as_ref().and_then(|o| o.loop_at), "loop");
        let view = Rc::new(lab.view());
        let mut app = Self {
            run,
            lab,
            actions: Vec::new(),
            view,
            now: 0,
            seen_trace: 0,
            panels: 0,
            panels_ts: 0.0,
            panels_trace: 0,
            lab_panel: 0,
            lab_panel_ts: 0.0,
            lab_panel_trace: 0,
            lab_panel_html: Html::default(),
            hooks: crate::panels::PanelHooks {
                act: ctx.link().callback(Msg::Act),
                param: ctx.link().callback(|(k, v)| Msg::Param(k, v)),
            },
            side_html: Html::default(),
            side_version: u64::MAX,
            log: Vec::new(),
            playing,
            speed,
            last_ts: None,
            selected: Some(0),
            notice,
            auto: !shared,
            next_auto: FIRST_AUTO,
            auto_count: 0,
            raf: None,
            bench,
            share: None,
            seed_text: String::new(),
            request_text: String::new(),
            net_text: Default::default(),
            selected_message: None,
            log_node: None,
            log_kind: String::new(),
            invariants: String::new(),
            partition_open: false,
            help: false,
            still: web_sys::window()
                .and_then(|w| {
                    w.match_media("(prefers-reduced-motion: reduce)")
                        .ok()
                        .flatten()
                })
                .is_some_and(|m| m.matches()),
            panic_test,
            _keys: keys,
            embed: embed_options
                .filter(|_| !leaving)
                .map(|o| crate::embed::Embed::new(o, ctx.link().clone())),
            full_link: String::new(),
            observe_due: false,
            start_at: at.unwrap_or(0),
            until,
            loop_at,
            auto_log: Vec::new(),
            lesson,
            progress: Progress::load(),
            list_open: list,
            reader: None,
            draft: None,
        };
        if !replay.is_empty() {
            // A solution link: the student's actions replay as if just taken.
            // One the run cannot take leaves the exercise at its start, saying why.
            match app.restart(replay) {
                Ok(()) => {
                    if let Some(l) = &mut app.lesson {
                        l.replayed = true;
                    }
                }
                Err(e) => app.notice = Some(format!("The solution cannot be replayed: {e}")),
            }
        }
        if let Some(t) = at {
            // As if played there, automatic requests included.
            app.jump(|app, n| app.advance(t, n));
        }
        if let Some(n) = stop_notice {
            app.notice = Some(n);
        }
        if let Some(e) = &mut app.embed {
            e.ready(app.lab.as_ref(), app.run.seed);
            e.observe(app.lab.as_ref(), app.run.seed, app.playing, app.speed, true);
            app.full_link = app.share_link();
        }
        app.follow_lesson();
        app.refresh();
        app.seed_text = app.run.seed.to_string();
        app.invariants = app.lab.invariant_names().join(", ");
        app.sync_net_text();
        // A link that opens paused gets no frames: the side column must exist from the start.
        app.side_version = app.panels;
        app.side_html = app.view_side(ctx.link());
        if app.bench.is_some() {
            app.playing = false;
        } else {
            app.schedule_frame(ctx);
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        // Automatic traffic in an exercise would spend the budget behind the student's back.
        let needs = if self.lesson.is_some() && matches!(msg, Msg::ToggleAuto) {
            Some(Control::Load)
        } else {
            msg.control()
        };
        if let Some(c) = needs
            && !self.allows(c)
        {
            // A key, or a lab panel's button, for something this embed or exercise does not
            // offer.
            self.notice = Some(if self.lesson.is_some() {
                format!("This exercise does not let you use \"{}\".", c.name())
            } else {
                format!(
                    "This embed does not offer \"{}\": open it in Splitbrain (↗) to try everything.",
                    c.name()
                )
            });
            self.panels += 1;
            if self.side_version != self.panels {
                self.side_version = self.panels;
                self.side_html = self.view_side(ctx.link());
            }
            return true;
        }
        let frame = matches!(msg, Msg::Frame(_));
        // A command from the page is always answered with a state.
        let host = matches!(msg, Msg::Host(_));
        let render = self.handle(ctx, msg);
        self.follow_lesson();
        if let Some(e) = &mut self.embed
            && (self.observe_due || !frame)
        {
            self.observe_due = false;
            e.observe(
                self.lab.as_ref(),
                self.run.seed,
                self.playing,
                self.speed,
                host,
            );
        }
        if self.side_version != self.panels {
            self.side_version = self.panels;
            self.side_html = self.view_side(ctx.link());
        }
        render
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
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
                    <span class="seed">{ format!("seed {}", self.run.seed) }</span>
                    <button class="exercises-button" onclick={link.callback(|_| Msg::Class(ClassMsg::List(true)))} data-testid="exercises-button">{ "Exercises" }</button>
                    <button class="help-button" onclick={link.callback(|_| Msg::Help(true))} aria-label="keyboard shortcuts" title="?">{ "?" }</button>
                </header>
                if self.list_open {
                    { crate::classroom::view_list(&self.progress, self.lesson.as_ref().map(|l| l.exercise.id.as_str()), &link.callback(Msg::Class), link.callback(|_| Msg::Author(crate::author::AuthorMsg::Open(true)))) }
                }
                if let Some(d) = &self.draft {
                    { crate::author::view(d, &page_base(), &link.callback(Msg::Author)) }
                }
                if self.help {
                    <div class="help-overlay" role="dialog" aria-modal="true" aria-label="keyboard shortcuts" data-testid="help"
                         onclick={link.callback(|_| Msg::Help(false))}>
                        <div class="help-card" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                            <h2>{ "Keyboard shortcuts" }</h2>
                            <dl>{ for SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }</dl>
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
                        <Memo version={self.lab_panel}>{ self.lab_panel_html.clone() }</Memo>
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
}

impl App {
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
            if let Some(x) = self.lab.violations().first() {
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
    fn view_network(
        &self,
        link: &html::Scope<Self>,
        kinds: &'static [(&'static str, &'static str)],
    ) -> Html {
        html! {
            <NetworkView view={self.view.clone()} now={self.now} selected={self.selected} on_select={link.callback(Msg::Select)} kinds={kinds}
                         flagged={self.lab.violations().first().map(|x| x.nodes.clone()).unwrap_or_default()}
                         on_message={link.callback(Msg::SelectMessage)} selected_message={self.selected_message}
                         on_cut={link.callback(|(from, to)| Msg::Act(Action::Cut { from, to }))}
                         fade={(self.speed * FADE_WALL_S * 1e6) as Time} still={self.still} playing={self.playing} />
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
                            { if self.playing { "❚❚ Pause" } else { "▶ Play" } }
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
                        if o.shows(Panel::Lab) {
                            <Memo version={self.lab_panel}>{ self.lab_panel_html.clone() }</Memo>
                        }
                    </section>
                    { self.side_html.clone() }
                </main>
            </div>
        }
    }
}

/// This page's address without its query: where links made here point.
fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Offers `text` as a file to save.
fn download(name: &str, mime: &str, text: &str) {
    let href = format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok());
    if let Some(a) = anchor {
        let _ = a.set_attribute("href", &href);
        let _ = a.set_attribute("download", name);
        if let Some(el) = a.dyn_ref::<web_sys::HtmlElement>() {
            el.click();
        }
    }
}

/// A lab built for the page: it stops at a violation and keeps recent drops to draw.
fn fresh_lab(run: &RunDescription) -> Result<Box<dyn Lab>, String> {
    let mut lab = build(run, TRACE_KEPT).map_err(|e| e.0)?;
    lab.set_stop_on_violation(true);
    lab.keep_drops(DROPS_SHOWN);
    Ok(lab)
}

/// "Speed 0.05×", "Speed 1/500×": two decimals with integer arithmetic (see `network::num`).
fn speed_label(speed: f64) -> String {
    if speed < 0.01 {
        format!("Speed 1/{}×", (1.0 / speed).round() as i64)
    } else {
        let h = (speed * 100.0).round() as i64;
        format!("Speed {}.{:02}×", h / 100, h % 100)
    }
}

/// Props of [`Memo`].
#[derive(Properties)]
struct MemoProps {
    /// Re-render only when this changes.
    version: u64,
    children: Html,
}

impl PartialEq for MemoProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// Shows its children as they were when `version` last changed: the text panels skip the
/// frames in between instead of being diffed and laid out 60 times a second.
#[component]
fn Memo(props: &MemoProps) -> Html {
    props.children.clone()
}

/// A seed for "New seed": the one place the page asks the browser for randomness. Runs stay
/// reproducible because the seed is shown and goes into every shared link.
fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        // Keep seeds short enough to read and type.
        Ok(()) => u64::from_le_bytes(bytes) % 1_000_000_000,
        Err(_) => (js_sys::Math::random() * 1e9) as u64,
    }
}

/// Runs the shared Raft throughput workload (`splitbrain bench --lab raft`) in this tab and
/// reports it as JSON, to compare wasm in Chromium with native.
#[cfg(not(feature = "lab-raft"))]
fn run_bench(_: usize) -> String {
    "{\"error\": \"the benchmark runs on the page that carries Raft\"}".into()
}

/// Runs the shared Raft throughput workload (`splitbrain bench --lab raft`) in this tab and
/// reports it as JSON, to compare wasm in Chromium with native.
#[cfg(feature = "lab-raft")]
fn run_bench(nodes: usize) -> String {
    let perf = web_sys::window().and_then(|w| w.performance());
    let mut clock = move || perf.as_ref().map_or(0.0, |p| p.now());
    match splitbrain_labs::bench::raft_throughput(nodes, 1_000_000, &mut clock, &|| None) {
        Ok((events, ms, hash)) => serde_json::json!({
            "lab": "raft",
            "nodes": nodes,
            "events": events,
            "ms": ms,
            "events_per_second": (events as f64 / (ms / 1_000.0).max(1e-9)).round(),
            "trace_hash": format!("{hash:016x}"),
        })
        .to_string(),
        Err(e) => format!("{{\"error\": {:?}}}", e.0),
    }
}

fn who(l: &TraceLine) -> String {
    match (l.from, l.to, l.node) {
        (Some(f), Some(t), _) => format!("n{f}→n{t}"),
        (_, _, Some(n)) => format!("n{n}"),
        _ => "net".into(),
    }
}

fn what(l: &TraceLine) -> String {
    let mut s = l.ev.to_string();
    if !l.text.is_empty() {
        s.push(' ');
        s.push_str(&l.text);
    }
    if l.ev == "dropped"
        && let Some(k) = &l.kind
    {
        s.push_str(&format!(" ({k})"));
    }
    s
}
