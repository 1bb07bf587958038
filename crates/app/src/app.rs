//! The page shell: the frame clock and the messages of the page, around the [`Player`] that
//! owns the run. Everything that changes the run goes through [`Player::apply`]; this file
//! turns clicks, keys, host commands and exercises into those inputs and keeps the picture up.

use crate::classroom::{Lesson, Progress};
use crate::page::query;
use crate::settings::{self, Settings};
use crate::throttle::{Drag, Throttle};
use crate::ui::UiState;
use crate::view::frame_clock::Tick;
use crate::view::timeline::BranchItem;
use gloo::events::EventListener;
use splitbrain_embed::Control;
use splitbrain_labs::{Traffic, find};
use splitbrain_player::{Input, Marker, Options, Player, TrafficState};
use splitbrain_sim::{Time, TraceLine, WorldView};
use std::rc::Rc;
use yew::prelude::*;

pub use crate::msg::Msg;

/// Trace events the page keeps (the log shows the newest).
pub(crate) const TRACE_KEPT: usize = 10_000;
/// Events one frame may process before it yields to the browser.
pub(crate) const FRAME_BUDGET: u64 = 20_000;
/// Longest wall-clock step one frame may simulate, so a background tab does not jump.
pub(crate) const MAX_FRAME_MS: f64 = 100.0;
/// Event-log lines shown.
pub(crate) const LOG_SHOWN: usize = 14;
/// Trace events a filtered log searches.
pub(crate) const LOG_SCAN: usize = 2_000;
/// Recent drops the view keeps, to fade them out where they died.
pub(crate) const DROPS_SHOWN: usize = 32;
/// Wall-clock milliseconds between updates of the text panels while playing.
pub(crate) const PANEL_EVERY_MS: f64 = 200.0;
/// The same for the lab's own panel (Raft's log table), the costliest to redraw: at 2 Hz it
/// still reads as live, and fewer than one frame in twenty pays for it.
pub(crate) const LAB_PANEL_EVERY_MS: f64 = 500.0;
/// Wall-clock seconds a dropped message takes to fade out, whatever the speed.
pub(crate) const FADE_WALL_S: f64 = 1.2;
/// Wall-clock milliseconds one jump (a link's `?t=`, a seek, a loop's start) may take before
/// it stops and says where: a slow jump leaves a usable tab, never a frozen one. The run up
/// to that point is exact; only how far one jump gets depends on the machine.
pub(crate) const JUMP_MS: f64 = 3_000.0;
/// Events a jump runs between looks at the clock.
pub(crate) const JUMP_CHUNK: u64 = 50_000;
/// Timers the inspector lists for one node.
pub(crate) const TIMERS_SHOWN: usize = 6;

/// How the page builds runs: the trace it keeps, the drops it draws, a stop at a violation,
/// and the exercise's goals watched.
pub(crate) fn page_options(lesson: Option<&Lesson>) -> Options {
    Options {
        trace_kept: TRACE_KEPT,
        keep_drops: DROPS_SHOWN,
        stop_on_violation: true,
        watch: lesson.map(|l| Box::new(l.exercise.tracker()) as Box<dyn splitbrain_sim::Watch>),
        ..Options::default()
    }
}

/// The shell component.
pub struct App {
    pub(crate) player: Player,
    /// The reader's side of the page: selection, filters, overlays, notice, typed text.
    pub(crate) ui: UiState,
    /// Every click, key and host command reaches `update` through this one callback, made
    /// once, so the parts' props compare equal from frame to frame.
    pub(crate) send: Callback<Msg>,
    /// The frame clock's callback, made once for the same reason.
    pub(crate) on_frame: Callback<Tick>,
    /// The network picture: a new `Rc` whenever the trace grew.
    pub(crate) view: Rc<WorldView>,
    /// Where the picture's nodes sit: rebuilt only when the node count or the hubs change
    /// (a new run), not on every frame.
    pub(crate) layout: Rc<crate::layout::Layout>,
    /// Virtual time now; moves every frame, while `view` is rebuilt only when the trace grew.
    pub(crate) now: Time,
    /// Trace events recorded when `view` was built.
    pub(crate) seen_trace: u64,
    /// The run as the text panels (inspectors, log) last read it, and how far the trace was.
    pub(crate) panel_view: Rc<WorldView>,
    pub(crate) panels_trace: u64,
    pub(crate) log: Rc<Vec<TraceLine>>,
    /// The run's trace hash and time, as the text panels last read them (only while paused).
    pub(crate) fingerprint: AttrValue,
    /// The text panels follow a playing run or a drag at most every [`PANEL_EVERY_MS`].
    pub(crate) text_every: Throttle,
    /// Tells a drag of the scrubber from a click on its track.
    pub(crate) drag: Drag,
    pub(crate) catch_up: Option<gloo::timers::callback::Timeout>,
    /// The lab's own panel as last built, how far the trace was then, and its throttle
    /// ([`LAB_PANEL_EVERY_MS`]).
    pub(crate) lab_panel: Rc<Html>,
    pub(crate) lab_panel_trace: u64,
    pub(crate) lab_every: Throttle,
    /// The time-space diagram panel, and its own pace while playing (the lab panel's: the
    /// player's line moves every frame over it, so the picture need not).
    pub(crate) diagram: crate::diagram_state::DiagramState,
    pub(crate) diagram_every: Throttle,
    /// What the lab panel may ask of the shell.
    pub(crate) hooks: crate::panels::PanelHooks,
    /// The clients' history as last judged, shown under the lab panel.
    pub(crate) history_check: crate::history_check::HistoryCheck,
    /// The timeline's markers and branches: new `Rc`s only when they change.
    pub(crate) markers: Rc<Vec<Marker>>,
    pub(crate) branches: Rc<Vec<BranchItem>>,
    pub(crate) timeline_key: (usize, usize, usize),
    pub(crate) bench: Option<String>,
    pub(crate) share: Option<String>,
    /// The lab's invariant names, joined once per build rather than every frame.
    pub(crate) invariants: AttrValue,
    /// An example request of this lab, for the request field, made once per build.
    pub(crate) placeholder: AttrValue,
    /// The visitor asked the system for reduced motion.
    pub(crate) still: bool,
    pub(crate) panic_test: bool,
    pub(crate) _keys: Option<EventListener>,
    /// Embed mode: the link with the embedding page (`None` on the site itself).
    pub(crate) embed: Option<crate::embed::Embed>,
    /// Embed mode's "open in Splitbrain" link: this run at this moment in the full app.
    pub(crate) full_link: String,
    /// The run moved since the embedding page last heard of it.
    pub(crate) observe_due: bool,
    /// Where the run starts when it loops (`?t=`).
    pub(crate) start_at: Time,
    /// Embed mode: pause here once; start the run over here.
    pub(crate) bounds: (Option<Time>, Option<Time>),
    /// The exercise this page is open on.
    pub(crate) lesson: Option<Lesson>,
    /// The bug hunt panel, and its worker while one runs.
    pub(crate) hunt: crate::hunt::HuntState,
    pub(crate) hunt_worker: Option<crate::hunt_worker::Worker>,
    /// The run told in words for screen readers.
    pub(crate) narrator: crate::narration::Narrator,
    /// The time-space diagram's worker, once the diagram has been opened.
    pub(crate) diagram_worker: Option<crate::diagram_worker::DiagramWorker>,
    /// This browser's exercise results.
    pub(crate) progress: Progress,
    /// A progress file being read.
    pub(crate) reader: Option<gloo::file::callbacks::FileReader>,
    /// The exercise a teacher is making from this run.
    pub(crate) draft: Option<crate::author::Draft>,
    /// The guided tour being played.
    pub(crate) tour: Option<crate::tour::TourMode>,
    /// This browser's progress through the tours.
    pub(crate) tour_progress: crate::tour::TourProgress,
    /// The first-visit offer of this lab's tour, until answered.
    pub(crate) offer: Option<Rc<splitbrain_tour::Tour>>,
    /// What the screen reader was told of the tour's step.
    pub(crate) tour_said: AttrValue,
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
                tour,
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
        let options = || page_options(lesson.as_ref());
        let own = find(&run.lab).is_ok_and(|l| l.own_traffic);
        let built = if lesson.is_some() {
            // An exercise's start is its base; a solution link's actions replay as the
            // student's own.
            Player::new(run.clone(), replay.clone(), TrafficState::off(), options())
        } else if shared {
            Player::from_link(run.clone(), options())
        } else {
            let traffic = if own {
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
                page_options(None),
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
        let send = ctx.link().callback(|m| m);
        let mut app = Self {
            player,
            ui: UiState {
                notice,
                list_open: list,
                ..UiState::default()
            },
            on_frame: ctx.link().callback(Msg::Frame),
            hooks: crate::panels::PanelHooks {
                act: send.reform(Msg::Act),
                param: send.reform(|(k, v): (String, serde_json::Value)| {
                    Msg::Param(k.clone(), vec![(k, v)])
                }),
                params: send.reform(|(label, pairs)| Msg::Param(label, pairs)),
                seek: send.reform(Msg::SeekTo),
            },
            history_check: crate::history_check::HistoryCheck::default(),
            send,
            panel_view: view.clone(),
            layout: Rc::new(crate::layout::Layout::new(0, &[])),
            view,
            now: 0,
            seen_trace: 0,
            panels_trace: 0,
            log: Rc::default(),
            fingerprint: AttrValue::default(),
            text_every: Throttle::new(PANEL_EVERY_MS),
            drag: Drag::new(PANEL_EVERY_MS),
            catch_up: None,
            lab_panel: Rc::default(),
            lab_panel_trace: 0,
            lab_every: Throttle::new(LAB_PANEL_EVERY_MS),
            diagram: Default::default(),
            diagram_every: Throttle::new(LAB_PANEL_EVERY_MS),
            markers: Rc::default(),
            branches: Rc::default(),
            timeline_key: (usize::MAX, 0, 0),
            bench,
            share: None,
            invariants: AttrValue::default(),
            placeholder: AttrValue::default(),
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
            hunt: crate::hunt::HuntState::default(),
            hunt_worker: None,
            diagram_worker: None,
            narrator: crate::narration::Narrator::new(crate::narration::saved_on()),
            lesson,
            progress: Progress::load(),
            reader: None,
            draft: None,
            tour: None,
            tour_progress: crate::tour::TourProgress::load(),
            offer: None,
            tour_said: AttrValue::default(),
        };
        // An embed that asks for the diagram shows it open.
        app.diagram.open = app
            .embed
            .as_ref()
            .is_some_and(|e| e.options.shows(splitbrain_embed::Panel::Diagram));
        app.restarted();
        if !replay.is_empty()
            && let Some(l) = &mut app.lesson
        {
            l.replayed = true;
        }
        if let Some(e) = &mut app.embed {
            // Before the jump, so the embedding page hears what happened on the way to `at`.
            e.ready(app.player.lab(), app.player.base().seed);
        }
        if let Some(t) = at {
            // As if played there, automatic requests included.
            app.jump(t);
        }
        if playing {
            let _ = app.player.apply(Input::Play);
        }
        if let Some(n) = stop_notice {
            app.ui.notice = Some(n);
        }
        if let Some(e) = &mut app.embed {
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
        if let Some((id, step)) = tour {
            app.start_tour(&id, step);
        } else if app.embed.is_none()
            && app.lesson.is_none()
            && query().trim_start_matches('?').is_empty()
            && app.tour_progress.tours.is_empty()
            && !crate::tour::offer_answered()
        {
            // A first visit to a page with a tour: offer it.
            app.offer = crate::tour::of_lab(&app.player.base().lab);
        }
        app.refresh();
        if app.bench.is_some() {
            let _ = app.player.apply(Input::Pause);
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        use crate::tour::TourMsg;
        // In a tour, ← and → and Start over move through its steps.
        let msg = match (msg, self.tour.is_some()) {
            (Msg::Arrow(forward), true) => Msg::Tour(if forward {
                TourMsg::Next
            } else {
                TourMsg::Back
            }),
            (Msg::Arrow(true), false) => Msg::Step,
            (Msg::Arrow(false), false) => Msg::StepBack,
            (Msg::Reset, true) => Msg::Tour(TourMsg::Again),
            (m, _) => m,
        };
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
            self.ui.notice = Some(if self.lesson.is_some() {
                format!("This exercise does not allow {}.", c.label())
            } else {
                format!(
                    "This embed does not offer {}: open it in Splitbrain (↗) to try everything.",
                    c.label()
                )
            });
            return true;
        }
        if self.tour.is_some() && needs == Some(Control::Load) {
            // Another run or lab: the tour's steps no longer describe it.
            self.tour = None;
            self.player.set_watch(None);
        }
        let frame = matches!(msg, Msg::Frame(_));
        // A command from the page is always answered with a state.
        let host = matches!(msg, Msg::Host(_));
        let tour_msg = matches!(msg, Msg::Tour(_));
        // What the reader did to the run's history (not where they look in it).
        let history = |p: &Player| (p.branches().len(), p.current(), p.branch().items.len());
        let mark = history(&self.player);
        let mut render = self.handle(ctx, msg);
        if !tour_msg && self.tour.is_some() {
            if !frame && history(&self.player) != mark {
                self.tour_reader_acted();
            }
            // Also when paused: a task met by a click ends its step at once.
            render |= self.follow_tour();
        }
        self.follow_lesson();
        if (self.observe_due || !frame) && self.narrator.on {
            let wall = web_sys::window()
                .and_then(|w| w.performance())
                .map_or(0.0, |p| p.now());
            render |= self.narrator.observe(self.player.lab(), wall);
        }
        if let Some(w) = &mut self.hunt_worker {
            w.pace(self.player.playing());
        }
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
        render
    }

    fn view(&self, _: &Context<Self>) -> Html {
        self.page()
    }
}
