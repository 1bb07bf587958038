//! Pressing play, stepping, seeking, acting: each message of the shell becomes a player input,
//! and the frame clock moves the run on.

use crate::app::*;
use crate::page::download;
use crate::settings::SPEED_RANGE;
use crate::ui::{After, UiMsg};
use crate::view::frame_clock::Tick;
use splitbrain_player::Input;
use splitbrain_sim::{Action, RunOutcome, Time};
use yew::prelude::*;

impl App {
    /// One message: what `update` does before the side column is rebuilt.
    pub(crate) fn handle(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(tick) => return self.frame(tick),
            Msg::Diagram(m) => return self.diagram_msg(m),
            Msg::Ui(m) => {
                if matches!(m, UiMsg::SelectMessage(_)) {
                    // A clicked message stops where it is, so its fields can be read.
                    let _ = self.player.apply(Input::Pause);
                }
                return match self.ui.reduce(m, self.all_nodes()) {
                    After::Nothing => false,
                    After::Redraw => true,
                    After::ReadPanels => {
                        self.read_text_panels();
                        self.refresh_diagram();
                        true
                    }
                };
            }
            Msg::TogglePlay => self.input(Input::TogglePlay),
            Msg::Step => self.input(Input::Step),
            Msg::StepBack => self.input(Input::StepBack),
            Msg::SeekTo(t) => self.jump(t),
            Msg::Scrub(t) => self.scrub(ctx, t),
            Msg::CatchUp => {
                self.catch_up = None;
                if self.panels_behind() {
                    self.refresh_panels();
                }
            }
            Msg::SeekBy(d) => {
                // Forward past the end plays on, as the scrubber does.
                self.jump(self.player.now().saturating_add_signed(d));
            }
            Msg::SeekEnd => self.jump(self.player.reached()),
            Msg::Branch(b) => {
                // Another branch: the diagram checks the whole kept trace against its index.
                self.diagram.resync();
                self.input(Input::Branch(b));
                self.rebaseline();
            }
            Msg::Speed(s) => self.input(Input::Speed(s.clamp(SPEED_RANGE.0, SPEED_RANGE.1))),
            Msg::Narrate(on) => {
                self.narrator.on = on;
                crate::narration::save_on(on);
                if on {
                    self.narrator.start(self.player.lab());
                } else {
                    self.narrator.said.clear();
                }
                return true;
            }
            Msg::SaveNetwork(png) => {
                let base = self.player.base();
                let name = format!("splitbrain-{}-seed{}-network", base.lab, base.seed);
                match crate::network_export::network_svg(&self.picture_caption()) {
                    Some((svg, w, h)) if png => {
                        crate::png::download_png(&format!("{name}.png"), &svg, w, h)
                    }
                    Some((svg, _, _)) => download(&format!("{name}.svg"), "image/svg+xml", &svg),
                    None => {
                        self.ui.notice = Some("The network view cannot be saved here.".into());
                        return true;
                    }
                }
                return false;
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
            Msg::Act(a) => self.act(Input::Act(a)),
            Msg::Broadcast => self.act(Input::Request(Some(self.client_node()))),
            Msg::CrashRestart => {
                let node = self.ui.node();
                self.act(Input::Act(if self.player.lab().up(node) {
                    Action::Crash { node }
                } else {
                    Action::Restart { node }
                }));
            }
            Msg::TimeOut => {
                if self.player.info().countdown.is_none() {
                    self.ui.notice = Some(format!(
                        "The {} lab has no timeout to fire: T is for Raft's election timeout and a Paxos proposer's retry.",
                        self.player.info().title
                    ));
                } else {
                    let node = self.ui.node();
                    self.act(Input::Act(Action::Timeout { node }));
                }
            }
            Msg::Isolate => {
                let node = self.ui.node();
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
            Msg::SendRequest => {
                let node = self.client_node();
                let command = self.ui.request_text.trim().to_string();
                if command.is_empty() {
                    self.ui.notice = Some("type a request first, e.g. `set x=1` or `get x`".into());
                } else {
                    self.act(Input::Act(Action::Client { node, command }));
                }
            }
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
                    if let Some(why) = self.hopeless() {
                        self.ui.notice = Some(why);
                    }
                }
                Err(e) => self.ui.notice = Some(e.0),
            },
            Msg::Seed(text) => match text.trim().parse::<u64>() {
                Ok(seed) => self.reseed(seed),
                Err(_) => {
                    self.ui.notice = Some(format!(
                        "seed {text:?} is not a whole number from 0 to 2^64-1"
                    ))
                }
            },
            Msg::ApplyPartition(letters) => {
                self.ui.partition_open = false;
                let groups = crate::partition::groups_of(&letters);
                self.ui.partition_letters = letters;
                self.act(Input::Act(if groups.len() > 1 {
                    Action::Partition { groups }
                } else {
                    Action::Heal
                }));
            }
            Msg::SwitchLab(name) => return self.switch_lab(name),
            Msg::Param(label, pairs) => self.param(label, pairs),
            Msg::Host(cmd) => self.host(ctx, cmd),
            Msg::FullLink => self.full_link = self.share_link(),
            Msg::ShareCopied(ok) => self.ui.share_copied = Some(ok),
            Msg::Class(m) => self.class(ctx, m),
            Msg::Author(m) => self.author(m),
            Msg::Hunt(m) => self.hunt(ctx, m),
            Msg::Tour(m) => return self.tour_msg(m),
            // Mapped to steps or tour steps before `handle`.
            Msg::Arrow(_) => return false,
            Msg::Share => {
                let link = self.share_link();
                self.ui.share_copied = None;
                if let Some(w) = web_sys::window() {
                    // The clipboard answers later, and may refuse (no permission, no focus).
                    let copy = wasm_bindgen_futures::JsFuture::from(
                        w.navigator().clipboard().write_text(&link),
                    );
                    let reply = ctx.link().clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        reply.send_message(Msg::ShareCopied(copy.await.is_ok()));
                    });
                }
                let _ = self.player.apply(Input::Pause);
                self.share = Some(link);
                self.refresh();
            }
        }
        true
    }

    /// One animation frame: the player moves on by the wall time since the last one.
    pub(crate) fn frame(&mut self, Tick { ts, dt }: Tick) -> bool {
        if self.panic_test {
            panic!("self-test: ?selftest=panic asked for a panic to show the error overlay");
        }
        if !self.player.playing() {
            return false;
        }
        let before = self.player.now();
        self.player.tick(dt.min(MAX_FRAME_MS), FRAME_BUDGET);
        if let Some(h) = self.player.lab().halted() {
            self.ui.notice = Some(format!("The run stopped: {h}"));
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
            return true;
        }
        if self.player.lab().trace_recorded() == self.seen_trace {
            // Nothing happened: only the messages move.
            self.now = self.player.now();
        } else {
            self.refresh_view();
        }
        // The text panels catch up within PANEL_EVERY_MS, also after the last event.
        let text_due = self.panels_trace != self.seen_trace && self.text_every.pass(ts);
        if text_due {
            self.observe_due = true;
            self.read_text_panels();
        } else if self.lab_panel_trace != self.seen_trace && self.lab_every.pass(ts) {
            // Never on the same frame as the text panels: two redraws would add up.
            self.refresh_lab_panel();
        } else if self.diagram.stale() {
            // The frame after the diagram read the run: it draws, and reads nothing.
            self.draw_diagram();
        } else if self.diagram.due(self.seen_trace, self.player.now())
            && self.diagram_every.pass(ts)
        {
            self.sync_diagram();
        }
        true
    }

    /// Sends one input to the player; what it refuses becomes the notice.
    pub(crate) fn input(&mut self, i: Input) {
        match self.player.apply(i) {
            Ok(()) => {}
            Err(e) => self.ui.notice = Some(e),
        }
        self.refresh();
    }

    /// A user action (or a request, or traffic switched), unless the exercise refuses it now.
    pub(crate) fn act(&mut self, i: Input) {
        if let Some(why) = self
            .lesson
            .as_ref()
            .and_then(|l| l.refuses(self.player.actions_taken(), self.player.now()))
        {
            self.ui.notice = Some(why);
            self.refresh();
            return;
        }
        match self.player.apply(i) {
            Ok(()) => {
                self.ui.notice = None;
                if let Some(l) = &mut self.lesson {
                    l.replayed = false;
                }
            }
            Err(e) => self.ui.notice = Some(e),
        }
        self.refresh();
    }

    /// Dragging the scrubber: the run at `t` and its picture now, the text panels (the
    /// costliest part of a frame) at most every [`PANEL_EVERY_MS`], and once more when the drag
    /// rests, as while playing.
    pub(crate) fn scrub(&mut self, ctx: &Context<Self>, t: Time) {
        self.seek_to(t);
        self.refresh_view();
        self.sync_timeline();
        let now = web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now());
        // A single move (a click on the track) shows everything at once; a drag, whose moves
        // come every frame, refreshes the text at most every PANEL_EVERY_MS and the lab panel
        // every LAB_PANEL_EVERY_MS, never both on one frame, as while playing.
        if !self.drag.moved(now) {
            self.text_every.went(now);
            self.lab_every.went(now);
            self.refresh_panels();
        } else if self.text_every.pass(now) {
            self.read_text_panels();
        } else if self.lab_every.pass(now) {
            self.refresh_lab_panel();
        }
        if self.panels_behind() && self.catch_up.is_none() {
            let link = ctx.link().clone();
            self.catch_up = Some(gloo::timers::callback::Timeout::new(
                self.text_every.every() as u32,
                move || link.send_message(Msg::CatchUp),
            ));
        }
    }

    /// This run's state at virtual time `t`, paused: back in time from the nearest checkpoint,
    /// forward by playing on, automatic requests and all, for at most [`JUMP_MS`].
    pub(crate) fn jump(&mut self, t: Time) {
        self.seek_to(t);
        self.refresh();
    }

    /// Moves the run to `t`, paused, for at most [`JUMP_MS`] of the reader's time.
    fn seek_to(&mut self, t: Time) {
        let _ = self.player.apply(Input::Pause);
        // Forward is as if played there: the embedding page hears what happened on the way (a
        // leader elected). Back is not news: its events continue from the earlier state.
        let back = t < self.player.now();
        let perf = web_sys::window().and_then(|w| w.performance());
        let clock = || perf.as_ref().map_or(0.0, |p| p.now());
        let start = clock();
        while self.player.seek(t, JUMP_CHUNK) == RunOutcome::Budget {
            if clock() - start > JUMP_MS {
                self.ui.notice = Some(format!(
                    "Stopped at t = {}: a jump may take {} s of your time. Press play to go on, or jump again.",
                    splitbrain_sim::format_time(self.player.now()),
                    JUMP_MS / 1_000.0
                ));
                break;
            }
        }
        if back {
            self.rebaseline();
        }
    }
}
