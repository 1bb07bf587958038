//! The page's time-space diagram: its index of the run, the window it shows, what is selected,
//! and the picture last drawn. Plain Rust with native tests; the panel only shows the SVG text
//! and sends back where it was clicked.
//!
//! The window follows the player like a chart recorder: the player's line moves down the page
//! and the window turns over when the line nears its bottom, so the picture is redrawn when the
//! run has something new to show (at the text panels' pace), not on every frame.

use splitbrain_diagram::{Causality, Diagram, Options, Picture, PointId, SvgStyle, draw, to_svg};
use splitbrain_sim::{Lab, MsgId, NodeId, Time, format_time};
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

/// What a click on the diagram asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Click {
    /// Go to this moment.
    Seek(Time),
    /// Inspect this message (and go to its send, where it is in flight on the network view).
    Message(MsgId, Time),
}

/// The diagram panel's state.
#[derive(Debug, Clone)]
pub struct DiagramState {
    /// The panel is open (closed, the page pays nothing for it).
    pub open: bool,
    model: Diagram,
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
    /// A message's typical trip, for the default zoom and what counts as quiet.
    median: Time,
    /// The selected event and its causal past and future.
    causal: Option<Causality>,
    /// The selection in words.
    pub words: AttrValue,
    picture: Option<Picture>,
    /// The picture as SVG text (for the page's stylesheet).
    pub svg: AttrValue,
    width: f64,
    /// The panel's width as last measured (0: not yet).
    box_width: f64,
    /// Read from the run since the picture was last drawn.
    stale: bool,
}

impl Default for DiagramState {
    fn default() -> Self {
        Self {
            open: false,
            model: Diagram::default(),
            synced: 0,
            follow: true,
            from: 0,
            px_per_sec: 400.0,
            compressed: false,
            hidden: Vec::new(),
            median: 2_500,
            causal: None,
            words: AttrValue::default(),
            picture: None,
            svg: AttrValue::default(),
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
        let (open, box_width) = (self.open, self.box_width);
        *self = Self {
            open,
            box_width,
            ..Self::default()
        };
        self.model.set_lanes(lanes);
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

    /// Reads what the run recorded since last time. A run sent back keeps the index (what
    /// lies ahead will happen again); one that went another way is cut where it diverged.
    pub fn sync(&mut self, lab: &dyn Lab, kept: usize) {
        let recorded = lab.trace_recorded();
        if recorded > self.synced {
            let generation = self.model.generation();
            let lines = lab.trace_tail(((recorded - self.synced) as usize).min(kept));
            self.model.sync(&lines);
            // Cut back: the selected event's number may now name another event.
            if self.model.generation() != generation {
                self.select(None);
            }
        }
        self.synced = recorded;
        self.stale = true;
    }

    /// Read since last drawn: a playing page draws it on a later frame than it read it, so
    /// neither frame pays for both.
    pub fn stale(&self) -> bool {
        self.open && self.stale
    }

    /// Reads the whole kept trace again at the next sync, checking it line by line against
    /// the index: after a switch to another branch, or while the panel was closed, the run may
    /// have gone another way at a moment the diagram has not looked at since.
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

    /// Draws the window again.
    pub fn render(
        &mut self,
        now: Time,
        kinds: &[&str],
        message: Option<MsgId>,
        node: Option<NodeId>,
    ) {
        let opts = Options {
            selected_msg: message,
            selected_node: node,
            ..self.options(now, kinds)
        };
        let mut picture = draw(&self.model, &opts);
        // The page draws the player's line itself, every frame, over the picture.
        picture.now_y = None;
        self.svg = to_svg(&picture, &SvgStyle::default()).into();
        self.picture = Some(picture);
        self.stale = false;
    }

    /// How the window is drawn: its times, zoom, width, hidden kinds and selection.
    fn options<'a>(&'a self, now: Time, kinds: &'a [&'a str]) -> Options<'a> {
        let (from, to) = self.window();
        Options {
            from,
            to,
            px_per_sec: self.px_per_sec,
            compressed: self.compressed,
            quiet: 2 * self.median,
            width: self.width,
            now: Some(now),
            kinds,
            hidden_kinds: &self.hidden,
            causal: self.causal.as_ref(),
            ..Options::default()
        }
    }

    /// Size of the picture last drawn (its SVG viewBox).
    pub fn size(&self) -> (f64, f64) {
        self.picture
            .as_ref()
            .map_or((self.width, 0.0), |p| (p.width, p.height))
    }

    /// Where the player's line goes on the picture last drawn.
    pub fn now_y(&self, now: Time) -> Option<f64> {
        let p = self.picture.as_ref()?;
        let (from, to) = p.scale.range();
        (from..=to)
            .contains(&now)
            .then(|| splitbrain_diagram::draw::HEADER + p.scale.y(now))
    }

    /// A click at (`x`, `y`) of the picture, on message `msg` or event `point` if it hit one.
    pub fn click(&mut self, y: f64, msg: Option<MsgId>, point: Option<PointId>) -> Click {
        let hit = msg
            .and_then(|m| self.model.arrow_by_id(m))
            .and_then(|n| self.model.arrow(n))
            .map(|a| (a.id, a.send, a.sent));
        if let Some((id, send, sent)) = hit {
            self.select(Some(send));
            return Click::Message(id, sent);
        }
        if let Some(p) = point.and_then(|p| self.model.point_at(p).map(|pt| (p, pt.t))) {
            self.select(Some(p.0));
            return Click::Seek(p.1);
        }
        self.select(None);
        Click::Seek(self.picture.as_ref().map_or(0, |p| p.time_at(y)))
    }

    /// Selects event `p` (or nothing), with its causal past and future.
    pub fn select(&mut self, p: Option<PointId>) {
        self.causal = p.and_then(|p| Causality::of(&self.model, p));
        self.words = match (&self.causal, p.and_then(|p| self.model.point_at(p))) {
            (Some(c), Some(pt)) => format!(
                "Selected: n{} at {}. {}.",
                pt.node,
                format_time(pt.t),
                c.words()
            )
            .into(),
            _ => AttrValue::default(),
        };
    }

    /// Shows or hides one kind of message.
    pub fn toggle_kind(&mut self, kind: &str) {
        if let Some(k) = self.hidden.iter().position(|h| h == kind) {
            self.hidden.remove(k);
        } else {
            self.hidden.push(kind.to_string());
        }
    }

    /// Zooms in (`factor` > 1) or out around the player's time.
    pub fn zoom(&mut self, factor: f64, now: Time) {
        let (from, to) = self.window();
        let keep = now.clamp(from, to);
        let share = (keep - from) as f64 / self.span().max(1) as f64;
        self.px_per_sec = (self.px_per_sec * factor).clamp(ZOOM.0, ZOOM.1);
        self.from = keep.saturating_sub((self.span() as f64 * share) as Time);
    }

    /// Moves the window by half its height, earlier (`-1`) or later (`1`); it stops following.
    pub fn pan(&mut self, dir: i64) {
        self.follow = false;
        let half = self.span() / 2;
        self.from = if dir < 0 {
            self.from.saturating_sub(half)
        } else {
            self.from + half
        };
    }

    /// Follows the player again, from where it is.
    pub fn follow_now(&mut self, now: Time) {
        self.follow = true;
        self.from = now.saturating_sub((self.span() as f64 * TURN_AT) as Time);
    }

    /// The window as a file of its own: style, legend and the run named in the corner.
    /// Also its size, for a PNG of it.
    pub fn export(&self, now: Time, kinds: &[&str], caption: Vec<String>) -> (String, f64, f64) {
        let opts = Options {
            // A file: every arrow whole, however many.
            bulk_above: usize::MAX,
            ..self.options(now, kinds)
        };
        let picture = draw(&self.model, &opts);
        let style = SvgStyle {
            standalone: true,
            kinds,
            caption,
        };
        let (w, h) = splitbrain_diagram::svg::size(&picture, &style);
        (to_svg(&picture, &style), w, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_labs::{RunDescription, build};

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
    fn a_hidden_kind_leaves_the_picture_until_shown_again() {
        let mut lab = raft();
        lab.run_until(400_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        d.sync(lab.as_ref(), 10_000);
        d.follow = false;
        d.zoom(0.2, 0);
        d.render(lab.now(), &["vote", "append", "ack"], None, None);
        assert!(d.svg.contains("arr k0"));
        d.toggle_kind("vote");
        d.render(lab.now(), &["vote", "append", "ack"], None, None);
        assert!(!d.svg.contains("arr k0"), "no vote arrows");
        assert!(d.svg.contains("arr k1"), "appends stay");
        d.toggle_kind("vote");
        assert!(d.hidden.is_empty());
    }

    #[test]
    fn what_the_diagram_reads_is_drawn_on_a_later_call() {
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
    fn a_resync_finds_where_another_branch_went_another_way() {
        let mut a = raft();
        a.run_until(300_000, u64::MAX);
        let mut d = opened(a.as_ref());
        d.sync(a.as_ref(), 10_000);
        // Another branch of the same run: a crash at 0.2 s, and on to 0.35 s.
        let mut b = raft();
        b.run_until(200_000, u64::MAX);
        b.control(&splitbrain_sim::Action::Crash { node: 0 })
            .unwrap();
        b.run_until(350_000, u64::MAX);
        d.resync();
        d.sync(b.as_ref(), 10_000);
        assert_eq!(
            d.model.outages().len(),
            1,
            "the other branch's crash is in the index"
        );
        assert!(d.model.generation() > 0, "cut where the branches part");
    }

    #[test]
    fn a_cut_back_index_drops_the_selection() {
        let mut a = raft();
        a.run_until(300_000, u64::MAX);
        let mut d = opened(a.as_ref());
        d.sync(a.as_ref(), 10_000);
        d.select(Some(d.model.point_range().start + 3));
        assert!(!d.words.is_empty());
        let mut b = raft();
        b.run_until(100_000, u64::MAX);
        b.control(&splitbrain_sim::Action::Crash { node: 1 })
            .unwrap();
        b.run_until(350_000, u64::MAX);
        d.resync();
        d.sync(b.as_ref(), 10_000);
        assert!(
            d.words.is_empty(),
            "the numbers it named may be other events now"
        );
    }

    #[test]
    fn panning_stops_following_and_follow_brings_the_player_back() {
        let mut d = opened(raft().as_ref());
        d.place(2_000_000);
        d.pan(-1);
        assert!(!d.follow);
        assert!(!d.place(5_000_000), "a window the reader moved stays");
        d.follow_now(5_000_000);
        assert!((d.window().0..d.window().1).contains(&5_000_000));
    }

    #[test]
    fn the_diagram_draws_the_runs_election_and_a_click_on_a_message_selects_it() {
        let mut lab = raft();
        lab.run_until(400_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        d.sync(lab.as_ref(), 10_000);
        d.follow = false;
        d.from = 0;
        d.zoom(0.2, 0);
        d.render(lab.now(), &["vote", "append", "ack"], None, None);
        assert!(
            d.svg.contains("RequestVote t1"),
            "the election is in the picture"
        );
        let id: MsgId = d
            .svg
            .split("data-msg=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        match d.click(0.0, Some(id), None) {
            Click::Message(m, sent) => {
                assert_eq!(m, id);
                assert!(sent <= lab.now());
            }
            other => panic!("{other:?}"),
        }
        assert!(d.words.contains("happened before this"), "{}", d.words);
        d.render(lab.now(), &["vote", "append", "ack"], Some(id), None);
        assert!(
            d.svg.contains(" sel\""),
            "the selected message is drawn heavier"
        );
    }

    #[test]
    fn a_click_on_empty_space_seeks_to_its_moment() {
        let mut lab = raft();
        lab.run_until(400_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        d.sync(lab.as_ref(), 10_000);
        d.place(lab.now());
        d.render(lab.now(), &[], None, None);
        let (from, to) = d.window();
        let mid = splitbrain_diagram::draw::HEADER
            + (d.size().1 - splitbrain_diagram::draw::HEADER) / 2.0;
        match d.click(mid, None, None) {
            Click::Seek(t) => assert!(t > from && t < to, "{t} in {from}..{to}"),
            other => panic!("{other:?}"),
        }
        assert!(d.words.is_empty());
    }

    #[test]
    fn the_players_line_is_placed_on_the_picture_only_inside_the_window() {
        let mut lab = raft();
        lab.run_until(300_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        d.sync(lab.as_ref(), 10_000);
        d.place(lab.now());
        d.render(lab.now(), &[], None, None);
        assert!(d.now_y(lab.now()).is_some());
        assert!(d.now_y(lab.now() + 10 * d.span()).is_none());
    }

    #[test]
    fn an_export_is_a_standalone_file_naming_the_run() {
        let mut lab = raft();
        lab.run_until(300_000, u64::MAX);
        let mut d = opened(lab.as_ref());
        d.sync(lab.as_ref(), 10_000);
        d.place(lab.now());
        let (svg, w, h) = d.export(
            lab.now(),
            &["vote"],
            vec![format!("run fingerprint {:016x}", lab.trace_hash())],
        );
        assert!(svg.starts_with("<svg xmlns="));
        assert!(
            svg.contains(&format!(r#"width="{w}" height="{h}""#)),
            "{w}x{h}"
        );
        assert!(svg.contains(&format!("{:016x}", lab.trace_hash())));
    }
}
