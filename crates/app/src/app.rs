//! The page shell: the frame clock and the messages of the page, around the [`Player`] that
//! owns the run. Everything that changes the run goes through [`Player::apply`]; this file
//! turns clicks, keys, host commands and exercises into those inputs and keeps the picture up.

use crate::classroom::{ClassMsg, Lesson, Progress};
use crate::page::{download, page_base, query};
use crate::settings::{self, SPEED_RANGE, Settings};
use crate::timeline::BranchItem;
use gloo::events::EventListener;
use gloo::render::{AnimationFrame, request_animation_frame};
use splitbrain_embed::{Command, Control};
use splitbrain_labs::{RunDescription, Traffic, find};
use splitbrain_player::{Input, Marker, MarkerKind, Options, Player, TrafficState};
use splitbrain_sim::{Action, NodeId, RunOutcome, Time, TimedAction, TraceLine, WorldView};
use std::rc::Rc;
use yew::prelude::*;

/// Trace events the page keeps (the log shows the newest).
const TRACE_KEPT: usize = 10_000;
/// Events one frame may process before it yields to the browser.
const FRAME_BUDGET: u64 = 20_000;
/// Longest wall-clock step one frame may simulate, so a background tab does not jump.
const MAX_FRAME_MS: f64 = 100.0;
/// Event-log lines shown.
pub const LOG_SHOWN: usize = 14;
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
pub const FADE_WALL_S: f64 = 1.2;
/// Wall-clock milliseconds one jump (a link's `?t=`, a seek, a loop's start) may take before
/// it stops and says where: a slow jump leaves a usable tab, never a frozen one. The run up
/// to that point is exact; only how far one jump gets depends on the machine.
const JUMP_MS: f64 = 3_000.0;
/// Events a jump runs between looks at the clock.
const JUMP_CHUNK: u64 = 50_000;
/// Timers the inspector lists for one node.
pub const TIMERS_SHOWN: usize = 6;

/// Whether a log line passes the node and event-type filters.
fn log_matches(l: &TraceLine, node: Option<NodeId>, kind: &str) -> bool {
    let node_ok = node.is_none_or(|n| l.node == Some(n) || l.from == Some(n) || l.to == Some(n));
    let kind_ok = kind.is_empty() || l.ev.starts_with(kind);
    node_ok && kind_ok
}

/// Messages of the shell.
pub enum Msg {
    /// An animation frame at this timestamp (ms).
    Frame(f64),
    /// Play or pause.
    TogglePlay,
    /// Process exactly one event.
    Step,
    /// Go back one event.
    StepBack,
    /// Go to this virtual time (the timeline, Home).
    SeekTo(Time),
    /// Go this far from now (Shift+arrows), in µs.
    SeekBy(i64),
    /// Go to the end of the run so far (End).
    SeekEnd,
    /// Show another branch of the run.
    Branch(usize),
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
            Msg::StepBack | Msg::SeekTo(_) | Msg::SeekBy(_) | Msg::SeekEnd | Msg::Branch(_) => {
                Control::Seek
            }
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
    pub(crate) player: Player,
    pub(crate) view: Rc<WorldView>,
    /// Virtual time now; moves every frame, while `view` is rebuilt only when the trace grew.
    pub(crate) now: Time,
    /// Trace events recorded when `view` was built.
    seen_trace: u64,
    /// Version of the text panels (inspector, log, lab panel); they re-render when it changes.
    pub(crate) panels: u64,
    /// When the text panels were last refreshed during play (rAF timestamp, ms).
    panels_ts: f64,
    /// Trace events recorded when the text panels were last refreshed.
    panels_trace: u64,
    /// Version and refresh time of the lab panel, which follows at most every
    /// [`LAB_PANEL_EVERY_MS`] while playing.
    pub(crate) lab_panel: u64,
    lab_panel_ts: f64,
    lab_panel_trace: u64,
    pub(crate) lab_panel_html: Html,
    /// What the lab panel may ask of the shell.
    hooks: crate::panels::PanelHooks,
    /// The side column as last built, and the `panels` version it was built for.
    pub(crate) side_html: Html,
    side_version: u64,
    pub(crate) log: Vec<TraceLine>,
    last_ts: Option<f64>,
    pub(crate) selected: Option<NodeId>,
    pub(crate) notice: Option<String>,
    raf: Option<AnimationFrame>,
    pub(crate) bench: Option<String>,
    pub(crate) share: Option<String>,
    pub(crate) seed_text: String,
    pub(crate) request_text: String,
    /// Text of the loss %, duplication % and latency fields: the frame loop re-renders every
    /// frame, and an input's value must follow what the user is typing or dragging.
    pub(crate) net_text: [String; 3],
    pub(crate) selected_message: Option<splitbrain_sim::MsgId>,
    pub(crate) log_node: Option<NodeId>,
    pub(crate) log_kind: String,
    /// The lab's invariant names, joined once per build rather than every frame.
    pub(crate) invariants: String,
    pub(crate) partition_open: bool,
    pub(crate) help: bool,
    /// The visitor asked the system for reduced motion.
    pub(crate) still: bool,
    panic_test: bool,
    _keys: Option<EventListener>,
    /// Embed mode: the link with the embedding page (`None` on the site itself).
    pub(crate) embed: Option<crate::embed::Embed>,
    /// Embed mode's "open in Splitbrain" link: this run at this moment in the full app.
    pub(crate) full_link: String,
    /// The run moved since the embedding page last heard of it.
    observe_due: bool,
    /// Where the run starts when it loops (`?t=`).
    start_at: Time,
    /// Embed mode: pause here once; start the run over here.
    bounds: (Option<Time>, Option<Time>),
    /// The timeline's markers and branches, rebuilt when they change (not every frame).
    pub(crate) markers: Rc<Vec<Marker>>,
    pub(crate) branches: Rc<Vec<BranchItem>>,
    timeline_key: (usize, usize, usize),
    /// The exercise this page is open on.
    pub(crate) lesson: Option<Lesson>,
    /// This browser's exercise results.
    pub(crate) progress: Progress,
    /// The exercise list is open.
    pub(crate) list_open: bool,
    /// A progress file being read.
    reader: Option<gloo::file::callbacks::FileReader>,
    /// The exercise a teacher is making from this run.
    pub(crate) draft: Option<crate::author::Draft>,
}

impl App {
    /// One message: what `update` does before the side column is rebuilt.
    fn handle(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        if !matches!(msg, Msg::Frame(_)) {
            // Anything the user did shows at once.
            self.panels += 1;
        }
        match msg {
            Msg::Frame(ts) => return self.frame(ctx, ts),
            Msg::TogglePlay => {
                self.input(Input::TogglePlay);
                self.last_ts = None;
                if self.player.playing() && self.raf.is_none() {
                    self.schedule_frame(ctx);
                }
            }
            Msg::Step => self.input(Input::Step),
            Msg::StepBack => self.input(Input::StepBack),
            Msg::SeekTo(t) => self.jump(t),
            Msg::SeekBy(d) => {
                // Forward past the end plays on, as the scrubber does.
                self.jump(self.player.now().saturating_add_signed(d));
            }
            Msg::SeekEnd => self.jump(self.player.reached()),
            Msg::Branch(b) => {
                self.input(Input::Branch(b));
                self.rebaseline();
            }
            Msg::Speed(s) => self.input(Input::Speed(s.clamp(SPEED_RANGE.0, SPEED_RANGE.1))),
            Msg::Select(id) => {
                if id < self.player.lab().nodes() {
                    self.selected = Some(id);
                    self.selected_message = None;
                }
            }
            Msg::LogNode(v) => {
                self.log_node = v.strip_prefix('n').and_then(|n| n.parse().ok());
                self.refresh();
            }
            Msg::LogKind(v) => {
                self.log_kind = v;
                self.refresh();
            }
            Msg::DownloadLog => {
                let text = self.player.lab().transcript().join("\n") + "\n";
                let base = self.player.base();
                download(
                    &format!("splitbrain-{}-seed{}.txt", base.lab, base.seed),
                    "text/plain",
                    &text,
                );
                return false;
            }
            Msg::SelectMessage(id) => self.selected_message = Some(id),
            Msg::Act(a) => self.act(Input::Act(a)),
            Msg::Broadcast => self.act(Input::Request(Some(self.client_node()))),
            Msg::CrashRestart => {
                let node = self.selected.unwrap_or(0);
                self.act(Input::Act(if self.player.lab().up(node) {
                    Action::Crash { node }
                } else {
                    Action::Restart { node }
                }));
            }
            Msg::Isolate => {
                let node = self.selected.unwrap_or(0);
                self.act(Input::Act(Action::Partition {
                    groups: vec![vec![node]],
                }));
            }
            Msg::ToggleAuto => self.act(Input::Traffic(!self.player.traffic().on)),
            Msg::Reset => {
                self.input(Input::Reset);
                self.restarted();
            }
            Msg::NewSeed => self.reseed(crate::page::fresh_seed()),
            Msg::Dismiss => self.notice = None,
            Msg::RequestText(text) => {
                self.request_text = text;
                return false;
            }
            Msg::SendRequest => {
                let node = self.client_node();
                let command = self.request_text.trim().to_string();
                if command.is_empty() {
                    self.notice = Some("type a request first, e.g. `set x=1` or `get x`".into());
                } else {
                    self.act(Input::Act(Action::Client { node, command }));
                }
            }
            Msg::NetEdit(i, text) => self.net_text[i] = text,
            Msg::LinkPercent(loss, v) => {
                let p = v.parse::<f64>().unwrap_or(0.0) / 100.0;
                let (from, to) = (None, None);
                self.act(Input::Act(if loss {
                    Action::Loss { p, from, to }
                } else {
                    Action::Duplicate { p, from, to }
                }));
                self.sync_net_text();
            }
            Msg::LatencyText(v) => match v.parse::<splitbrain_sim::Latency>() {
                Ok(latency) => {
                    self.act(Input::Act(Action::Latency {
                        latency,
                        from: None,
                        to: None,
                    }));
                    self.sync_net_text();
                }
                Err(e) => self.notice = Some(e.0),
            },
            Msg::SeedText(text) => {
                self.seed_text = text;
                return false;
            }
            Msg::Seed(text) => match text.trim().parse::<u64>() {
                Ok(seed) => self.reseed(seed),
                Err(_) => {
                    self.notice = Some(format!(
                        "seed {text:?} is not a whole number from 0 to 2^64-1"
                    ))
                }
            },
            Msg::PartitionTool(open) => self.partition_open = open,
            Msg::ApplyPartition(groups) => {
                self.partition_open = false;
                self.act(Input::Act(if groups.len() > 1 {
                    Action::Partition { groups }
                } else {
                    Action::Heal
                }));
            }
            Msg::Help(open) => self.help = open,
            Msg::Close => {
                self.help = false;
                self.partition_open = false;
            }
            Msg::SwitchLab(name) => return self.switch_lab(name),
            Msg::Param(key, value) => self.param(key, value),
            Msg::Host(cmd) => self.host(ctx, cmd),
            Msg::FullLink => self.full_link = self.share_link(),
            Msg::Class(m) => self.class(ctx, m),
            Msg::Author(m) => self.author(m),
            Msg::Share => {
                let link = self.share_link();
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&link);
                }
                let _ = self.player.apply(Input::Pause);
                self.share = Some(link);
                self.refresh();
            }
        }
        true
    }

    /// One animation frame: the player moves on by the wall time since the last one.
    fn frame(&mut self, ctx: &Context<Self>, ts: f64) -> bool {
        self.raf = None;
        if self.panic_test {
            panic!("self-test: ?selftest=panic asked for a panic to show the error overlay");
        }
        if !self.player.playing() {
            self.last_ts = None;
            return false;
        }
        let dt = self
            .last_ts
            .map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
        self.last_ts = Some(ts);
        let before = self.player.now();
        self.player.tick(dt, FRAME_BUDGET);
        if let Some(h) = self.player.lab().halted() {
            self.notice = Some(format!("The run stopped: {h}"));
            let _ = self.player.apply(Input::Pause);
        }
        if self.player.now() < before {
            // The loop started the run over: not news for the embedding page.
            self.rebaseline();
            self.refresh();
        }
        self.sync_timeline();
        if !self.player.playing() {
            self.refresh();
            self.observe_due = true;
        } else {
            if self.player.lab().trace_recorded() == self.seen_trace {
                // Nothing happened: only the messages move.
                self.now = self.player.now();
            } else {
                self.refresh_view();
            }
            // The panels catch up within PANEL_EVERY_MS, also after the last event.
            let text_due =
                self.panels_trace != self.seen_trace && ts - self.panels_ts >= PANEL_EVERY_MS;
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

    /// Sends one input to the player; what it refuses becomes the notice.
    fn input(&mut self, i: Input) {
        match self.player.apply(i) {
            Ok(()) => {}
            Err(e) => self.notice = Some(e),
        }
        self.refresh();
    }

    /// A user action (or a request, or traffic switched), unless the exercise refuses it now.
    fn act(&mut self, i: Input) {
        if let Some(why) = self
            .lesson
            .as_ref()
            .and_then(|l| l.refuses(self.player.actions_taken(), self.player.now()))
        {
            self.notice = Some(why);
            self.refresh();
            return;
        }
        match self.player.apply(i) {
            Ok(()) => {
                self.notice = None;
                if let Some(l) = &mut self.lesson {
                    l.replayed = false;
                }
            }
            Err(e) => self.notice = Some(e),
        }
        self.refresh();
    }

    /// This run's state at virtual time `t`, paused: back in time from the nearest checkpoint,
    /// forward by playing on, automatic requests and all, for at most [`JUMP_MS`].
    fn jump(&mut self, t: Time) {
        let _ = self.player.apply(Input::Pause);
        let perf = web_sys::window().and_then(|w| w.performance());
        let clock = || perf.as_ref().map_or(0.0, |p| p.now());
        let start = clock();
        while self.player.seek(t, JUMP_CHUNK) == RunOutcome::Budget {
            if clock() - start > JUMP_MS {
                self.notice = Some(format!(
                    "Stopped at t = {}: a jump may take {} s of your time. Press play to go on, or jump again.",
                    splitbrain_sim::format_time(self.player.now()),
                    JUMP_MS / 1_000.0
                ));
                break;
            }
        }
        self.rebaseline();
        self.refresh();
    }

    /// A link that replays this run, with everything done in the page, to this moment, at
    /// this speed.
    pub(crate) fn share_link(&self) -> String {
        let run = self.player.link_run();
        let json: String = js_sys::encode_uri_component(&run.to_json()).into();
        format!(
            "{}?run={json}&t={}&speed={}",
            page_base(),
            splitbrain_sim::format_time(self.player.now()),
            self.player.speed()
        )
    }

    /// This run's description with the actions of the branch shown, as an exercise grades it.
    fn graded_run(&self) -> RunDescription {
        let mut run = self.player.link_run();
        run.traffic = None;
        run
    }

    /// Whether the embedding page lets the learner and itself do this (always, on the site).
    pub(crate) fn allows(&self, c: Control) -> bool {
        self.embed
            .as_ref()
            .is_none_or(|e| e.options.controls.allows(c))
            && self.lesson.as_ref().is_none_or(|l| l.allows(c))
    }

    /// Builds a new player of `base` with `actions` recorded; on error nothing changes.
    fn rebuild(
        &mut self,
        base: RunDescription,
        actions: Vec<TimedAction>,
        traffic: TrafficState,
    ) -> Result<(), String> {
        let options = Options {
            trace_kept: TRACE_KEPT,
            keep_drops: DROPS_SHOWN,
            stop_on_violation: true,
            watch: self
                .lesson
                .as_ref()
                .map(|l| Box::new(l.exercise.tracker()) as Box<dyn splitbrain_sim::Watch>),
            ..Options::default()
        };
        let speed = self.player.speed();
        self.player = Player::new(base, actions, traffic, options)?;
        let _ = self.player.apply(Input::Speed(speed));
        self.restarted();
        Ok(())
    }

    /// After a new run or a reset: the exercise's checklist, bounds and the page's fields.
    fn restarted(&mut self) {
        let until = match &mut self.lesson {
            Some(l) => {
                l.restart();
                // Pause once where the judging ends; Play goes on from there, to watch.
                Some(l.exercise.time_limit)
            }
            None => self.bounds.0,
        };
        self.player.set_bounds(until, self.bounds.1, self.start_at);
        self.rebaseline();
        self.selected_message = None;
        self.partition_open = false;
        if self
            .selected
            .is_some_and(|s| s >= self.player.lab().nodes())
        {
            self.selected = Some(0);
        }
        self.seed_text = self.player.base().seed.to_string();
        self.invariants = self.player.lab().invariant_names().join(", ");
        self.refresh();
        self.sync_net_text();
    }

    /// Starts over from another seed, keeping everything else.
    fn reseed(&mut self, seed: u64) {
        let mut base = self.player.base().clone();
        base.seed = seed;
        if let Err(e) = self.rebuild(base, Vec::new(), self.fresh_traffic()) {
            self.notice = Some(e);
        }
    }

    /// Automatic traffic as a fresh run of this lab starts it on the site.
    fn fresh_traffic(&self) -> TrafficState {
        let own = find(&self.player.base().lab).is_ok_and(|l| l.own_traffic);
        if own || self.lesson.is_some() || self.embed.is_some() && !self.allows(Control::Request) {
            TrafficState::off()
        } else {
            TrafficState::from_run(Some(Traffic::start()))
        }
    }

    fn switch_lab(&mut self, name: String) -> bool {
        let target = format!("?lab={name}&seed={}", self.player.base().seed);
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
        let old = self.player.base();
        let mut run = RunDescription::new(info.name, old.seed, old.nodes);
        (info.page_defaults)(&mut run);
        let traffic = if info.own_traffic {
            TrafficState::off()
        } else {
            TrafficState::from_run(Some(Traffic::start()))
        };
        let mut built = self.rebuild(run.clone(), Vec::new(), traffic);
        if built.is_err() {
            // This node count does not suit the new lab: its default size does.
            run.nodes = 5;
            built = self.rebuild(run, Vec::new(), traffic);
        }
        match built {
            Ok(()) => {
                self.share = None;
                self.notice = None;
                self.input(Input::Speed(info.page_speed));
            }
            Err(e) => self.notice = Some(e),
        }
        true
    }

    fn param(&mut self, key: String, value: serde_json::Value) {
        let mut run = self.player.base().clone();
        if !run.params.is_object() {
            run.params = serde_json::Value::Object(Default::default());
        }
        if let Some(obj) = run.params.as_object_mut() {
            if value.is_null() {
                obj.remove(&key);
            } else {
                obj.insert(key.clone(), value);
            }
        }
        if let Ok(info) = find(&run.lab) {
            (info.fit)(&mut run);
        }
        let traffic = self.fresh_traffic();
        self.notice = Some(match self.rebuild(run, Vec::new(), traffic) {
            Ok(()) => {
                self.share = None;
                format!("{key} changed: the run starts over from the same seed")
            }
            Err(e) => format!("Not changed: {e}"),
        });
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
                if self.player.playing() != (cmd == Command::Play) {
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
            Command::Seek(t) => self.jump(t),
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
                // A loaded run replays as it is, like a shared link, from its start.
                let mut run = *run;
                let actions = std::mem::take(&mut run.actions);
                let traffic = TrafficState::from_run(run.traffic.take());
                self.start_at = 0;
                match self.rebuild(run, actions, traffic) {
                    Ok(()) => {
                        self.share = None;
                        if let Some(e) = &mut self.embed {
                            e.ready(self.player.lab(), self.player.base().seed);
                        }
                    }
                    Err(e) => refuse(self, format!("load-run: {e}")),
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
                self.notice = None;
                self.act(Input::Act(action));
                if let Some(n) = self.notice.clone() {
                    refuse(self, n);
                }
            }
            Command::GetState => {
                let (playing, speed) = (self.player.playing(), self.player.speed());
                if let Some(e) = &mut self.embed {
                    e.observe(
                        self.player.lab(),
                        self.player.base().seed,
                        playing,
                        speed,
                        true,
                    );
                }
            }
        }
        self.observe_due = true;
    }

    /// The embedding page's events continue from this state (after a seek or a loop's replay,
    /// which are not news).
    fn rebaseline(&mut self) {
        if let Some(e) = &mut self.embed {
            e.restarted(self.player.lab());
        }
    }

    /// Everything on screen, now.
    fn refresh(&mut self) {
        self.refresh_view();
        self.refresh_panels();
        self.sync_timeline();
    }

    /// The network picture.
    fn refresh_view(&mut self) {
        self.view = Rc::new(self.player.lab().view());
        self.now = self.player.now();
        self.seen_trace = self.player.lab().trace_recorded();
    }

    /// The timeline's markers and branch list, when they changed.
    fn sync_timeline(&mut self) {
        let b = self.player.branch();
        let key = (
            self.player.current(),
            self.player.branches().len(),
            b.items.len() + b.markers_found(),
        );
        if key == self.timeline_key {
            return;
        }
        self.timeline_key = key;
        self.markers = Rc::new(self.player.markers());
        self.branches = Rc::new(
            self.player
                .branches()
                .iter()
                .enumerate()
                .map(|(i, b)| BranchItem { name: b.name(i) })
                .collect(),
        );
    }

    fn refresh_lab_panel(&mut self) {
        self.lab_panel += 1;
        self.lab_panel_trace = self.player.lab().trace_recorded();
        // Built here, not in `view`, so the frames in between do not pay for it.
        self.lab_panel_html =
            crate::panels::panel(self.player.lab(), &self.hooks).unwrap_or_default();
    }

    /// The inspector, event log and lab panel: text nobody can read at 60 updates a second,
    /// so while playing they follow at most every [`PANEL_EVERY_MS`] (at once when paused).
    fn refresh_panels(&mut self) {
        self.panels += 1;
        self.panels_trace = self.player.lab().trace_recorded();
        self.refresh_lab_panel();
        self.refresh_log();
    }

    /// The event log's lines, filtered.
    fn refresh_log(&mut self) {
        let lab = self.player.lab();
        self.log = if self.log_node.is_none() && self.log_kind.is_empty() {
            lab.trace_tail(LOG_SHOWN)
        } else {
            // Filtered: look further back so the filter still finds recent matches.
            let mut lines: Vec<TraceLine> = lab
                .trace_tail(LOG_SCAN)
                .into_iter()
                .filter(|l| log_matches(l, self.log_node, &self.log_kind))
                .collect();
            let skip = lines.len().saturating_sub(LOG_SHOWN);
            lines.drain(..skip);
            lines
        };
    }

    /// Reads the exercise's checklist from the run after anything happened; when it changed,
    /// the card is redrawn, goals newly met go on the timeline, and a better result is kept
    /// (with its solution link once every goal is met).
    fn follow_lesson(&mut self) {
        let Some(l) = &mut self.lesson else {
            return;
        };
        let before = l.met.clone();
        if !l.read(self.player.lab()) {
            return;
        }
        self.panels += 1;
        let newly: Vec<String> = l
            .met
            .iter()
            .zip(&before)
            .zip(&l.exercise.goals)
            .filter(|((now, was), _)| now.is_some() && was.is_none())
            .map(|(_, g)| {
                let name = if g.name.is_empty() {
                    g.check.describe()
                } else {
                    g.name.clone()
                };
                format!("goal met: {name}")
            })
            .collect();
        for label in newly {
            self.player.mark(MarkerKind::Goal, label);
        }
        let Some(l) = &self.lesson else {
            return;
        };
        let (score, done) = (l.score(), l.done());
        // Watching someone's solution link is not solving it.
        if score == 0 || l.replayed {
            return;
        }
        let run = done.then(|| self.graded_run());
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

    /// The teacher's builder.
    fn author(&mut self, m: crate::author::AuthorMsg) {
        use crate::author::{AuthorMsg, Draft};
        match m {
            AuthorMsg::Open(true) => {
                self.list_open = false;
                let _ = self.player.apply(Input::Pause);
                self.draft = Some(Draft::new(self.graded_run(), self.player.lab()));
            }
            AuthorMsg::Open(false) => self.draft = None,
            AuthorMsg::Download => {
                if let Some(d) = &self.draft {
                    match d.exercise() {
                        Ok(e) => download(&format!("{}.toml", e.id), "application/toml", d.toml()),
                        Err(e) => self.notice = Some(e.clone()),
                    }
                }
            }
            m => {
                let first = self
                    .player
                    .lab()
                    .invariant_names()
                    .first()
                    .copied()
                    .unwrap_or("");
                if let Some(d) = &mut self.draft {
                    d.edit(m, first);
                }
            }
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

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.raf = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }

    /// Where a typed or button request goes: the lab's entry node (the hashing lab's router)
    /// or the selected node.
    fn client_node(&self) -> NodeId {
        self.player.client_node(self.selected)
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
        let bench = bench.map(crate::page::run_bench);
        // The exercise, if its run is the one asked for.
        let lesson = exercise
            .filter(|e| e.lab == run.lab)
            .map(crate::classroom::Lesson::new);
        let options = || Options {
            trace_kept: TRACE_KEPT,
            keep_drops: DROPS_SHOWN,
            stop_on_violation: true,
            watch: lesson
                .as_ref()
                .map(|l| Box::new(l.exercise.tracker()) as Box<dyn splitbrain_sim::Watch>),
            ..Options::default()
        };
        let own = find(&run.lab).is_ok_and(|l| l.own_traffic);
        let may_request = embed_options
            .as_ref()
            .is_none_or(|o| o.controls.allows(Control::Request));
        let built = if lesson.is_some() {
            // An exercise's start is its base; a solution link's actions replay as the
            // student's own.
            Player::new(run.clone(), replay.clone(), TrafficState::off(), options())
        } else if shared {
            Player::from_link(run.clone(), options())
        } else {
            let traffic = if own || !may_request {
                TrafficState::off()
            } else {
                TrafficState::from_run(Some(Traffic::start()))
            };
            Player::new(run.clone(), Vec::new(), traffic, options())
        };
        let mut player = built.unwrap_or_else(|e| {
            notice = Some(format!(
                "This link cannot be run ({e}); showing the default lab."
            ));
            Player::new(
                settings::default_run(),
                Vec::new(),
                TrafficState::from_run(Some(Traffic::start())),
                Options {
                    trace_kept: TRACE_KEPT,
                    keep_drops: DROPS_SHOWN,
                    ..Options::default()
                },
            )
            .expect("the default run always builds")
        });
        let lesson = lesson.filter(|l| l.exercise.lab == player.base().lab);
        let _ = player.apply(Input::Speed(speed));
        // An end at or before the start would replay the run on every frame.
        let start = at.unwrap_or(0);
        let mut stop_notice = None;
        let mut end = |t: Option<Time>, what: &str| match t {
            Some(t) if t <= start => {
                stop_notice = Some(format!(
                    "Ignored {what}={}: it must come after the start ({})",
                    splitbrain_sim::format_time(t),
                    splitbrain_sim::format_time(start)
                ));
                None
            }
            t => t,
        };
        let until = end(embed_options.as_ref().and_then(|o| o.until), "until");
        let loop_at = end(embed_options.as_ref().and_then(|o| o.loop_at), "loop");
        let playing = match &embed_options {
            Some(o) => o.autoplay,
            None => at.is_none(),
        };
        let view = Rc::new(player.lab().view());
        let mut app = Self {
            player,
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
            last_ts: None,
            selected: Some(0),
            notice,
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
            _keys: crate::keys::listen(ctx.link().clone()),
            embed: embed_options
                .filter(|_| !leaving)
                .map(|o| crate::embed::Embed::new(o, ctx.link().clone())),
            full_link: String::new(),
            observe_due: false,
            start_at: start,
            bounds: (until, loop_at),
            markers: Rc::default(),
            branches: Rc::default(),
            timeline_key: (usize::MAX, 0, 0),
            lesson,
            progress: Progress::load(),
            list_open: list,
            reader: None,
            draft: None,
        };
        app.restarted();
        if !replay.is_empty()
            && let Some(l) = &mut app.lesson
        {
            l.replayed = true;
        }
        if let Some(t) = at {
            // As if played there, automatic requests included.
            app.jump(t);
        }
        if playing {
            let _ = app.player.apply(Input::Play);
        }
        if let Some(n) = stop_notice {
            app.notice = Some(n);
        }
        if let Some(e) = &mut app.embed {
            e.ready(app.player.lab(), app.player.base().seed);
            e.observe(
                app.player.lab(),
                app.player.base().seed,
                app.player.playing(),
                app.player.speed(),
                true,
            );
            app.full_link = app.share_link();
        }
        app.follow_lesson();
        app.refresh();
        // A link that opens paused gets no frames: the side column must exist from the start.
        app.side_version = app.panels;
        app.side_html = app.view_side(ctx.link());
        if app.bench.is_some() {
            let _ = app.player.apply(Input::Pause);
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
                self.player.lab(),
                self.player.base().seed,
                self.player.playing(),
                self.player.speed(),
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
        self.page(ctx.link())
    }
}
