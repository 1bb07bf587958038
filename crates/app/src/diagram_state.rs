//! The page's time-space diagram: the window it shows, what is selected, and the picture last
//! drawn. The index of the run and the drawing live in the diagram's worker
//! (`splitbrain-diagram-worker`), loaded when the panel is first opened; this state says what
//! to ask it (requests queue in `outbox` for the shell to post) and takes its replies. Plain
//! Rust with native tests, which run the worker's engine in place of the worker.
//!
//! The window follows the player like a chart recorder: the player's line moves down the page
//! and the window turns over when the line nears its bottom, so the picture is redrawn when the
//! run has something new to show (at the text panels' pace), not on every frame.

use splitbrain_diagram::{PointId, Scale, draw::HEADER};
use splitbrain_diagram_worker::protocol::{Reply, Request, Target, Window};
use splitbrain_sim::{Lab, MsgId, NodeId, Time};
use yew::AttrValue;

/// A typical message is drawn this tall when the diagram opens.
const MESSAGE_PX: f64 = 40.0;
/// Height of the window when the diagram opens.
const WINDOW_PX: f64 = 440.0;
/// Zoom limits, in pixels per second of virtual time.
const ZOOM: (f64, f64) = (2.0, 200_000.0);
/// Wall seconds a playing run takes, at least, to cross a followed window.
const MIN_WALL_S: f64 = 3.0;
/// Where the player's line sits after the window turns over (a share of the window).
const TURN_AT: f64 = 0.75;

/// What a click on the diagram asks of the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Click {
    /// Go to this moment.
    Seek(Time),
    /// Inspect this message (and go to its send, where it is in flight on the network view).
    Message(MsgId, Time),
}

/// A picture the worker drew, ready for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The picture, for the page's stylesheet.
    pub svg: AttrValue,
    /// Its width.
    pub width: f64,
    /// Its height, with the lane names' row.
    pub height: f64,
    scale: Scale,
    /// Events of the run the worker's index has read.
    pub events: u64,
}

/// A window saved as a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The file's text.
    pub svg: String,
    /// Its width, legend and caption included.
    pub width: f64,
    /// Its height.
    pub height: f64,
    /// To be saved as PNG.
    pub png: bool,
}

/// What a reply of the worker means to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A new picture to show.
    Redraw,
    /// A click hit a message or an event.
    Clicked(Click),
    /// An export to save.
    Save(Export),
    /// Nothing to do.
    Nothing,
    /// The worker could not read what it was sent.
    Failed(String),
}

/// The diagram panel's state.
#[derive(Debug, Clone)]
pub struct DiagramState {
    /// The panel is open (closed, the page pays nothing for it).
    pub open: bool,
    /// Requests for the worker, oldest first; the shell posts them.
    pub outbox: Vec<Request>,
    /// The number of the last request that gets a reply (drawings, clicks, exports).
    seq: u64,
    /// Replies to requests numbered below this are of an earlier run (or an earlier worker).
    current_from: u64,
    /// The drawing asked and not yet back: the next waits for it, so requests never pile up
    /// behind a slow one.
    drawing: Option<u64>,
    /// The click on a message or an event the worker is asked about, and the player's time
    /// then: an answer counts only while it is the last click and the run has not moved.
    asked: Option<(u64, Time)>,
    /// Another drawing was wanted while one was out.
    redraw: bool,
    /// Trace events the run had recorded when last read.
    synced: u64,
    /// The window turns over to keep the player's line in view.
    pub follow: bool,
    from: Time,
    px_per_sec: f64,
    /// Quiet stretches collapsed.
    pub compressed: bool,
    /// Message kinds left out of the picture.
    pub hidden: Vec<String>,
    /// Lanes left out of the picture.
    pub hidden_nodes: Vec<NodeId>,
    lanes: usize,
    /// A message's typical trip, for the default zoom and what counts as quiet.
    median: Time,
    /// The selection's causal counts in words.
    pub words: AttrValue,
    /// The picture last drawn.
    pub picture: Option<Drawn>,
    width: f64,
    /// The panel's width as last measured (0: not yet).
    box_width: f64,
    /// Read from the run since the picture was last asked for.
    stale: bool,
}

impl Default for DiagramState {
    fn default() -> Self {
        Self {
            open: false,
            outbox: Vec::new(),
            seq: 0,
            current_from: 0,
            drawing: None,
            asked: None,
            redraw: false,
            synced: 0,
            follow: true,
            from: 0,
            px_per_sec: 400.0,
            compressed: false,
            hidden: Vec::new(),
            hidden_nodes: Vec::new(),
            lanes: 0,
            median: 2_500,
            words: AttrValue::default(),
            picture: None,
            width: 480.0,
            box_width: 0.0,
            stale: false,
        }
    }
}

impl DiagramState {
    /// A new run of `lanes` nodes whose messages typically take `median`: a fresh index, the
    /// zoom that draws such a message [`MESSAGE_PX`] tall, following the player.
    pub fn reset(&mut self, lanes: usize, median: Time) {
        let (open, box_width, seq) = (self.open, self.box_width, self.seq);
        *self = Self {
            open,
            box_width,
            lanes,
            seq,
            // What is still out for the old run is answered, and its answers left unread.
            current_from: seq + 1,
            ..Self::default()
        };
        self.outbox.push(Request::Reset { lanes });
        self.median = median.max(100);
        self.px_per_sec = (MESSAGE_PX * 1e6 / self.median as f64).clamp(ZOOM.0, ZOOM.1);
        self.fit(box_width, lanes);
    }

    /// Draws the picture `width` wide (the panel's box), or as wide as its `lanes` need if
    /// that is less; a box too narrow to measure keeps the width.
    pub fn fit(&mut self, width: f64, lanes: usize) {
        if width >= 200.0 {
            self.box_width = width;
        }
        // Wide enough for a lane's labels; a box narrower than that scales the picture down.
        let wanted = (lanes as f64 * 92.0 + 20.0).clamp(320.0, 900.0);
        self.width = if self.box_width >= 200.0 {
            self.box_width.min(wanted).max(260.0)
        } else {
            wanted
        };
    }

    /// Sends the worker what the run recorded since last time. A run sent back keeps the
    /// index (what lies ahead will happen again); one that went another way is cut where it
    /// diverged.
    pub fn sync(&mut self, lab: &dyn Lab, kept: usize) {
        // A run sent back records fewer lines than were read: what comes next is sent again
        // (the last line of this function), so an action taken there, which starts another
        // branch, reaches the worker and cuts the old future off.
        let recorded = lab.trace_recorded();
        if recorded > self.synced {
            let lines = lab.trace_tail(((recorded - self.synced) as usize).min(kept));
            self.outbox.push(Request::Lines { lines });
        }
        self.synced = recorded;
        self.stale = true;
    }

    /// Read since last drawn: a playing page asks for the picture on a later frame than it
    /// read the run, so neither frame pays for both.
    pub fn stale(&self) -> bool {
        self.open && self.stale
    }

    /// Sends the whole kept trace again at the next sync, for the worker to check line by line
    /// against its index: after a switch to another branch, or while the panel was closed, the
    /// run may have gone another way at a moment the diagram has not looked at since.
    pub fn resync(&mut self) {
        self.synced = 0;
    }

    /// The open diagram has something new to draw: the run moved on, or the player's line is
    /// leaving the window it follows.
    pub fn due(&self, recorded: u64, now: Time) -> bool {
        let (from, to) = self.window();
        self.open
            && (recorded != self.synced
                || (self.follow && !(from..=to - self.span() / 20).contains(&now)))
    }

    /// Virtual time the window spans.
    pub fn span(&self) -> Time {
        (WINDOW_PX / self.px_per_sec * 1e6) as Time
    }

    /// The window: where it starts and ends.
    pub fn window(&self) -> (Time, Time) {
        (self.from, self.from + self.span())
    }

    /// A run playing at `speed` (virtual seconds per wall second) takes at least
    /// [`MIN_WALL_S`] to cross a followed window: if it would go faster, the zoom widens, so
    /// the player's line is read moving down a picture rather than flickering past it (a fast
    /// lab's 1 ms messages at 0.3x would cross a 40-px-per-message window in two frames).
    pub fn keep_up(&mut self, speed: f64) {
        let wall = self.span() as f64 / 1e6 / speed.max(1e-9);
        if self.follow && wall < MIN_WALL_S {
            self.px_per_sec = (WINDOW_PX / (speed * MIN_WALL_S)).clamp(ZOOM.0, ZOOM.1);
        }
    }

    /// Keeps the player's time in the window while following; `true` if the window moved.
    pub fn place(&mut self, now: Time) -> bool {
        let (from, to) = self.window();
        if !self.follow || (from..=to - self.span() / 20).contains(&now) {
            return false;
        }
        self.from = now.saturating_sub((self.span() as f64 * TURN_AT) as Time);
        true
    }

    /// Asks for the window again, unless a drawing is out: then once it is back.
    pub fn render(
        &mut self,
        now: Time,
        kinds: &[&str],
        message: Option<MsgId>,
        node: Option<NodeId>,
    ) {
        self.stale = false;
        if self.drawing.is_some() {
            self.redraw = true;
            return;
        }
        let seq = self.next_seq();
        self.drawing = Some(seq);
        let window = Window {
            selected_msg: message,
            selected_node: node,
            ..self.request_window(now, kinds)
        };
        self.outbox.push(Request::Draw { seq, window });
    }

    /// The window as the worker is asked to draw it.
    fn request_window(&self, now: Time, kinds: &[&str]) -> Window {
        let (from, to) = self.window();
        Window {
            from,
            to,
            px_per_sec: self.px_per_sec,
            compressed: self.compressed,
            quiet: 2 * self.median,
            width: self.width,
            now,
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            hidden: self.hidden.clone(),
            hidden_nodes: self.hidden_nodes.clone(),
            selected_msg: None,
            selected_node: None,
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The worker is gone (it failed, or could not start): nothing asked of it will be
    /// answered. The next worker starts from a fresh index and the whole kept trace.
    pub fn restart(&mut self) {
        self.current_from = self.seq + 1;
        self.drawing = None;
        self.redraw = false;
        self.asked = None;
        self.synced = 0;
        self.stale = true;
        self.outbox = vec![Request::Reset { lanes: self.lanes }];
    }

    /// Takes one reply of the worker, the player being at `now`. A drawing that comes back
    /// while another was wanted leaves [`Self::stale`] set, so the shell asks again; an answer
    /// to an earlier run, an earlier click, or a click the run has since moved away from is
    /// left unread.
    pub fn answer(&mut self, reply: Reply, now: Time) -> Answer {
        match reply {
            Reply::Ready => Answer::Nothing,
            Reply::Drawn { seq, .. } | Reply::Exported { seq, .. } | Reply::Clicked { seq, .. }
                if seq < self.current_from =>
            {
                Answer::Nothing
            }
            Reply::Drawn {
                seq,
                svg,
                width,
                height,
                scale,
                words,
                events,
            } => {
                if self.drawing == Some(seq) {
                    self.drawing = None;
                }
                if std::mem::take(&mut self.redraw) {
                    self.stale = true;
                }
                self.words = words.into();
                self.picture = Some(Drawn {
                    svg: svg.into(),
                    width,
                    height,
                    scale,
                    events,
                });
                Answer::Redraw
            }
            Reply::Clicked { seq, target } => {
                if self.asked != Some((seq, now)) {
                    return Answer::Nothing;
                }
                self.asked = None;
                match target {
                    Some(Target::Message { id, sent }) => Answer::Clicked(Click::Message(id, sent)),
                    Some(Target::Event { t }) => Answer::Clicked(Click::Seek(t)),
                    None => Answer::Nothing,
                }
            }
            Reply::Exported {
                seq: _,
                svg,
                width,
                height,
                png,
            } => Answer::Save(Export {
                svg,
                width,
                height,
                png,
            }),
            Reply::Error { seq, message } => {
                // A drawing that failed, or a request the worker could not even number: the
                // next drawing is not held back by one that will never come.
                if seq.is_none() || seq == self.drawing {
                    self.drawing = None;
                }
                Answer::Failed(message)
            }
        }
    }

    /// Size of the picture last drawn (its SVG viewBox).
    pub fn size(&self) -> (f64, f64) {
        self.picture
            .as_ref()
            .map_or((self.width, 0.0), |p| (p.width, p.height))
    }

    /// The picture last drawn, as SVG text.
    pub fn svg(&self) -> AttrValue {
        self.picture
            .as_ref()
            .map_or_else(AttrValue::default, |p| p.svg.clone())
    }

    /// Where the player's line goes on the picture last drawn.
    pub fn now_y(&self, now: Time) -> Option<f64> {
        let p = self.picture.as_ref()?;
        let (from, to) = p.scale.range();
        (from..=to).contains(&now).then(|| HEADER + p.scale.y(now))
    }

    /// A click at height `y` of the picture, the player at `now`, on message `msg` or event
    /// `point` if it hit one. The worker is asked what a message or an event is (and selects
    /// it); a click on neither clears the selection and goes to the moment under it at once.
    pub fn click(
        &mut self,
        y: f64,
        msg: Option<MsgId>,
        point: Option<PointId>,
        now: Time,
    ) -> Option<Click> {
        let seq = self.next_seq();
        self.outbox.push(Request::Click { seq, msg, point });
        if msg.is_some() || point.is_some() {
            self.asked = Some((seq, now));
            return None;
        }
        self.asked = None;
        self.words = AttrValue::default();
        let p = self.picture.as_ref()?;
        Some(Click::Seek(p.scale.t(y - HEADER)))
    }

    /// Shows or hides one kind of message.
    pub fn toggle_kind(&mut self, kind: &str) {
        if let Some(k) = self.hidden.iter().position(|h| h == kind) {
            self.hidden.remove(k);
        } else {
            self.hidden.push(kind.to_string());
        }
    }

    /// Shows or hides one node's lane; the last lane shown stays.
    pub fn toggle_node(&mut self, node: NodeId) {
        if let Some(k) = self.hidden_nodes.iter().position(|h| *h == node) {
            self.hidden_nodes.remove(k);
        } else if self.hidden_nodes.len() + 1 < self.lanes {
            self.hidden_nodes.push(node);
        }
    }

    /// Zooms in (`factor` > 1) or out around time `at` (the player's time, or where the
    /// wheel turned), which keeps its place on the picture.
    pub fn zoom(&mut self, factor: f64, at: Time) {
        let (from, to) = self.window();
        let keep = at.clamp(from, to);
        let share = (keep - from) as f64 / self.span().max(1) as f64;
        self.px_per_sec = (self.px_per_sec * factor).clamp(ZOOM.0, ZOOM.1);
        self.from = keep.saturating_sub((self.span() as f64 * share) as Time);
    }

    /// Zooms by `factor` at height `y` of the picture last drawn (the wheel, a pinch): the
    /// moment there stays at the same height, in true or compressed time. It stops following.
    pub fn zoom_at(&mut self, factor: f64, y: f64) {
        self.follow = false;
        let Some(p) = &self.picture else {
            return self.zoom(factor, self.from);
        };
        let at = p.scale.t(y - HEADER);
        let share = ((y - HEADER) / (p.height - HEADER).max(1.0)).clamp(0.0, 1.0);
        self.px_per_sec = (self.px_per_sec * factor).clamp(ZOOM.0, ZOOM.1);
        self.from = at.saturating_sub((self.span() as f64 * share) as Time);
    }

    /// Moves the window by `share` of its height, earlier (below 0) or later; it stops
    /// following.
    pub fn pan(&mut self, share: f64) {
        self.follow = false;
        let by = (self.span() as f64 * share.abs()) as Time;
        self.from = if share < 0.0 {
            self.from.saturating_sub(by)
        } else {
            self.from + by
        };
    }

    /// Moves the window, if need be, so moment `t` is in it (a quarter down): a clicked
    /// message whose send lies above the window is then seen where the run now is.
    pub fn reveal(&mut self, t: Time) {
        let (from, to) = self.window();
        if !(from..=to - self.span() / 20).contains(&t) {
            self.from = t.saturating_sub(self.span() / 4);
        }
    }

    /// Follows the player again, from where it is.
    pub fn follow_now(&mut self, now: Time) {
        self.follow = true;
        self.from = now.saturating_sub((self.span() as f64 * TURN_AT) as Time);
    }

    /// Asks for the window as a file of its own: style, legend and the run named in the
    /// corner (`png`: to be turned into a PNG).
    pub fn export(&mut self, now: Time, kinds: &[&str], caption: Vec<String>, png: bool) {
        let window = self.request_window(now, kinds);
        let seq = self.next_seq();
        self.outbox.push(Request::Export {
            seq,
            window,
            caption,
            png,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_diagram_worker::engine::Engine;
    use splitbrain_labs::{RunDescription, build};

    const KINDS: &[&str] = &["vote", "append", "ack"];

    fn raft() -> Box<dyn Lab> {
        let run = RunDescription::new("raft", 3, 5);
        build(&run, 10_000).unwrap()
    }

    fn opened(lab: &dyn Lab) -> DiagramState {
        let mut d = DiagramState {
            open: true,
            ..DiagramState::default()
        };
        d.reset(lab.nodes(), 7_500);
        d
    }

    /// The worker, in place: each request goes out and each reply comes back as JSON text,
    /// as they do between the page and its worker.
    fn post(d: &mut DiagramState, worker: &mut Engine) -> Vec<Answer> {
        post_at(d, worker, 0)
    }

    /// [`post`], the player being at `now` when the replies come back.
    fn post_at(d: &mut DiagramState, worker: &mut Engine, now: Time) -> Vec<Answer> {
        let mut answers = Vec::new();
        for r in std::mem::take(&mut d.outbox) {
            if let Some(text) = worker.handle_json(&r.to_json()) {
                answers.push(d.answer(Reply::parse(&text).unwrap(), now));
            }
        }
        answers
    }

    /// A lab run to `t`, read and drawn by a worker from the window's start.
    fn drawn(t: Time) -> (Box<dyn Lab>, DiagramState, Engine) {
        let mut lab = raft();
        lab.run_until(t, u64::MAX);
        let mut d = opened(lab.as_ref());
        let mut worker = Engine::default();
        d.sync(lab.as_ref(), 10_000);
        d.follow = false;
        d.zoom(0.2, 0);
        d.render(lab.now(), KINDS, None, None);
        assert_eq!(post(&mut d, &mut worker), vec![Answer::Redraw]);
        (lab, d, worker)
    }

    #[test]
    fn following_turns_the_window_over_when_the_player_nears_its_bottom() {
        let mut d = opened(raft().as_ref());
        assert!(d.place(1_000_000));
        let (from, to) = d.window();
        assert!((from..to).contains(&1_000_000));
        assert!(
            !d.place(1_000_000 + d.span() / 10),
            "still inside: no redraw"
        );
        assert!(d.place(to + 1));
    }

    #[test]
    fn the_picture_takes_the_width_of_its_box_up_to_what_its_lanes_need() {
        let mut d = opened(raft().as_ref());
        d.fit(300.0, 5);
        assert_eq!(d.width, 300.0);
        d.fit(1200.0, 5);
        assert_eq!(d.width, 480.0);
        d.fit(0.0, 5);
        assert_eq!(d.width, 480.0, "an unmeasured box changes nothing");
    }

    #[test]
    fn a_hidden_kind_or_lane_leaves_the_picture_until_shown_again() {
        let (lab, mut d, mut worker) = drawn(400_000);
        assert!(d.svg().contains("arr k0"));
        d.toggle_kind("vote");
        d.toggle_node(4);
        d.render(lab.now(), KINDS, None, None);
        post(&mut d, &mut worker);
        assert!(!d.svg().contains("arr k0"), "no vote arrows");
        assert!(d.svg().contains("arr k1"), "appends stay");
        assert!(!d.svg().contains(">n4<"), "no lane n4");
        d.toggle_kind("vote");
        d.toggle_node(4);
        assert!(d.hidden.is_empty() && d.hidden_nodes.is_empty());
    }

    #[test]
    fn the_last_lane_shown_cannot_be_hidden() {
        let mut d = opened(raft().as_ref());
        for n in 0..5 {
            d.toggle_node(n);
        }
        assert_eq!(d.hidden_nodes, vec![0, 1, 2, 3]);
    }

    #[test]
    fn what_the_diagram_reads_is_asked_for_on_a_later_call() {
        let mut lab = raft();
        lab.run_until(200_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        assert!(!d.stale());
        d.sync(lab.as_ref(), 10_000);
        assert!(d.stale(), "read, not yet drawn");
        d.render(lab.now(), &[], None, None);
        assert!(!d.stale());
        d.open = false;
        d.sync(lab.as_ref(), 10_000);
        assert!(!d.stale(), "a closed diagram draws nothing");
    }

    #[test]
    fn one_drawing_is_out_at_a_time_and_one_more_is_asked_when_it_is_back() {
        let mut lab = raft();
        lab.run_until(200_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        let mut worker = Engine::default();
        d.sync(lab.as_ref(), 10_000);
        d.render(lab.now(), &[], None, None);
        d.render(lab.now(), &[], None, None);
        d.render(lab.now(), &[], None, None);
        let draws = |d: &DiagramState| {
            d.outbox
                .iter()
                .filter(|r| matches!(r, Request::Draw { .. }))
                .count()
        };
        assert_eq!(draws(&d), 1, "the others wait for it");
        assert!(!d.stale());
        post(&mut d, &mut worker);
        assert!(d.stale(), "back, and another is wanted");
        d.render(lab.now(), &[], None, None);
        assert_eq!(draws(&d), 1);
    }

    #[test]
    fn a_drawing_of_the_run_before_a_reset_is_left_unread_and_holds_nothing_back() {
        let (lab, mut d, mut worker) = drawn(300_000);
        d.render(lab.now(), KINDS, None, None);
        let old: Vec<String> = d.outbox.drain(..).map(|r| r.to_json()).collect();
        // A new run while that drawing is out.
        d.reset(3, 7_500);
        d.render(0, KINDS, None, None);
        assert_eq!(
            d.outbox
                .iter()
                .filter(|r| matches!(r, Request::Draw { .. }))
                .count(),
            1,
            "the new run's drawing goes out at once"
        );
        for text in old.iter().filter_map(|r| worker.handle_json(r)) {
            assert_eq!(d.answer(Reply::parse(&text).unwrap(), 0), Answer::Nothing);
        }
        assert!(
            d.svg().is_empty(),
            "the old run's picture is not shown as the new one's"
        );
        assert_eq!(post(&mut d, &mut worker), vec![Answer::Redraw]);
        assert!(
            d.svg().contains(">n2<") && !d.svg().contains(">n3<"),
            "the new run's 3 lanes"
        );
    }

    #[test]
    fn a_clicks_answer_counts_only_if_it_is_the_last_click_and_the_run_has_not_moved() {
        let (lab, mut d, mut worker) = drawn(400_000);
        let id: MsgId = d
            .svg()
            .split("data-msg=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        // The run moved on before the answer came back.
        d.click(0.0, Some(id), None, lab.now());
        assert_eq!(
            post_at(&mut d, &mut worker, lab.now() + 1),
            vec![Answer::Nothing]
        );
        // Another click came after it.
        d.click(0.0, Some(id), None, lab.now());
        d.click(HEADER + 5.0, None, None, lab.now());
        assert!(
            post_at(&mut d, &mut worker, lab.now())
                .iter()
                .all(|a| *a == Answer::Nothing)
        );
        // Alone and in time, it counts.
        d.click(0.0, Some(id), None, lab.now());
        assert!(matches!(
            post_at(&mut d, &mut worker, lab.now()).as_slice(),
            [Answer::Clicked(Click::Message(m, _))] if *m == id
        ));
    }

    #[test]
    fn a_failed_worker_is_replaced_by_one_given_a_fresh_index_and_the_whole_trace() {
        let (lab, mut d, _) = drawn(300_000);
        d.render(lab.now(), KINDS, None, None);
        assert!(d.drawing.is_some());
        d.restart();
        assert_eq!(d.outbox, vec![Request::Reset { lanes: 5 }]);
        assert!(d.stale(), "asks for a picture again");
        let mut fresh = Engine::default();
        d.sync(lab.as_ref(), 10_000);
        d.render(lab.now(), KINDS, None, None);
        assert_eq!(post(&mut d, &mut fresh), vec![Answer::Redraw]);
        assert!(d.svg().contains("RequestVote t1"));
    }

    #[test]
    fn a_fast_run_widens_the_followed_window_so_the_line_does_not_flicker_past() {
        let mut d = DiagramState {
            open: true,
            ..DiagramState::default()
        };
        d.reset(5, 1_000);
        let narrow = d.span();
        d.keep_up(0.3);
        assert!(
            d.span() as f64 >= 0.3 * MIN_WALL_S * 1e6 * 0.99,
            "{} µs",
            d.span()
        );
        assert!(d.span() > narrow);
        // A slow run keeps the zoom the reader has.
        let mut slow = DiagramState {
            open: true,
            ..DiagramState::default()
        };
        slow.reset(5, 15_000);
        let before = slow.span();
        slow.keep_up(0.05);
        assert_eq!(slow.span(), before);
    }

    #[test]
    fn a_resync_sends_the_whole_kept_trace_again() {
        let mut a = raft();
        a.run_until(300_000, u64::MAX);
        let mut d = opened(a.as_ref());
        d.sync(a.as_ref(), 10_000);
        d.outbox.clear();
        d.sync(a.as_ref(), 10_000);
        assert!(d.outbox.is_empty(), "nothing new");
        d.resync();
        d.sync(a.as_ref(), 10_000);
        match d.outbox.as_slice() {
            [Request::Lines { lines }] => assert_eq!(lines.len(), a.trace_tail(10_000).len()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_action_taken_after_going_back_reaches_the_index_and_cuts_the_old_future() {
        let mut lab = raft();
        lab.run_until(300_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        let mut worker = Engine::default();
        d.sync(lab.as_ref(), 10_000);
        post(&mut d, &mut worker);
        // Back to 0.2 s (the page replays to there), then a crash: another branch.
        let mut back = raft();
        back.run_until(200_000, u64::MAX);
        d.sync(back.as_ref(), 10_000);
        assert!(d.outbox.is_empty(), "going back sends nothing");
        back.control(&splitbrain_sim::Action::Crash { node: 2 })
            .unwrap();
        d.sync(back.as_ref(), 10_000);
        match d.outbox.as_slice() {
            [Request::Lines { lines }] => assert!(lines.iter().any(|l| l.ev == "crash")),
            other => panic!("{other:?}"),
        }
        post(&mut d, &mut worker);
        d.follow = false;
        d.from = 0;
        d.zoom(0.2, 0);
        d.render(back.now(), KINDS, None, None);
        post(&mut d, &mut worker);
        assert!(
            d.svg().contains("class=\"down"),
            "the crash greys n2's lane"
        );
    }

    #[test]
    fn panning_stops_following_and_follow_brings_the_player_back() {
        let mut d = opened(raft().as_ref());
        d.place(2_000_000);
        let from = d.window().0;
        d.pan(-0.5);
        assert!(!d.follow);
        assert_eq!(d.window().0, from - d.span() / 2);
        assert!(!d.place(5_000_000), "a window the reader moved stays");
        d.follow_now(5_000_000);
        assert!((d.window().0..d.window().1).contains(&5_000_000));
    }

    #[test]
    fn a_moment_above_the_window_is_brought_into_it_and_one_inside_stays_put() {
        let mut d = opened(raft().as_ref());
        d.follow = false;
        d.from = 1_000_000;
        d.reveal(1_000_000 + d.span() / 2);
        assert_eq!(d.window().0, 1_000_000, "inside: the window stays");
        d.reveal(900_000);
        let (from, to) = d.window();
        assert!((from..to).contains(&900_000));
        assert_eq!(900_000 - from, d.span() / 4);
    }

    #[test]
    fn zooming_at_a_moment_keeps_that_moment_where_it_was() {
        let mut d = opened(raft().as_ref());
        d.follow = false;
        let (from, to) = d.window();
        let at = from + (to - from) / 4;
        d.zoom(2.0, at);
        let (f2, t2) = d.window();
        assert_eq!(t2 - f2, (to - from) / 2);
        let share = (at - f2) as f64 / (t2 - f2) as f64;
        assert!((share - 0.25).abs() < 0.01, "{share}");
    }

    #[test]
    fn a_click_on_a_message_asks_the_worker_and_selects_its_send() {
        let (lab, mut d, mut worker) = drawn(400_000);
        assert!(d.svg().contains("RequestVote t1"), "the election is drawn");
        let id: MsgId = d
            .svg()
            .split("data-msg=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        assert_eq!(
            d.click(0.0, Some(id), None, lab.now()),
            None,
            "the worker answers"
        );
        match post_at(&mut d, &mut worker, lab.now()).as_slice() {
            [Answer::Clicked(Click::Message(m, sent))] => {
                assert_eq!(*m, id);
                assert!(*sent <= lab.now());
            }
            other => panic!("{other:?}"),
        }
        d.render(lab.now(), KINDS, Some(id), None);
        post(&mut d, &mut worker);
        assert!(d.words.contains("happened before this"), "{}", d.words);
        assert!(
            d.svg().contains(" sel\""),
            "the selected message is drawn heavier"
        );
    }

    #[test]
    fn a_click_on_empty_space_seeks_to_its_moment_at_once_and_clears_the_selection() {
        let (_, mut d, mut worker) = drawn(400_000);
        let (from, to) = d.window();
        let mid = HEADER + (d.size().1 - HEADER) / 2.0;
        match d.click(mid, None, None, 0) {
            Some(Click::Seek(t)) => assert!(t > from && t < to, "{t} in {from}..{to}"),
            other => panic!("{other:?}"),
        }
        assert!(d.words.is_empty());
        assert_eq!(
            post(&mut d, &mut worker),
            vec![Answer::Nothing],
            "the worker only forgets the selection"
        );
    }

    #[test]
    fn the_players_line_is_placed_on_the_picture_only_inside_the_window() {
        let (lab, d, _) = drawn(300_000);
        assert!(d.now_y(lab.now()).is_some());
        assert!(d.now_y(lab.now() + 10 * d.span()).is_none());
    }

    #[test]
    fn an_export_comes_back_as_a_standalone_file_naming_the_run() {
        let (lab, mut d, mut worker) = drawn(300_000);
        let fp = format!("run fingerprint {:016x}", lab.trace_hash());
        d.export(lab.now(), &["vote"], vec![fp.clone()], false);
        match post(&mut d, &mut worker).as_slice() {
            [Answer::Save(e)] => {
                assert!(e.svg.starts_with("<svg xmlns=") && !e.png);
                assert!(e.svg.contains(&fp));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_new_run_asks_for_a_fresh_index_first() {
        let d = opened(raft().as_ref());
        assert_eq!(d.outbox, vec![Request::Reset { lanes: 5 }]);
    }
}
