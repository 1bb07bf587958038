//! The shapes of one window of the diagram: where each lane, arrow, cross, band and mark goes,
//! and how each is emphasised (selected, in the selection's causal past or future, or dimmed
//! as concurrent with it). Only what crosses the window is drawn, so a run of 100,000 events
//! costs what its visible part costs.

use crate::causal::{Causality, Relation};
use crate::model::{Diagram, Fate, MarkKind, PointId};
use crate::scale::Scale;
use splitbrain_sim::{MsgId, NodeId, Time, format_time};

/// Height of the lane names' row.
pub const HEADER: f64 = 26.0;
/// Space either side of the lanes.
const SIDE: f64 = 10.0;
/// More arrows than this in the window and they are drawn in bulk: one path per kind, no
/// labels, heads or tooltips (time runs down, so each line's slope still says which way it
/// went). A window of thousands of messages stays a few elements; zoom in to pick one.
pub const DENSE: usize = 300;
/// More marks than this and they are drawn in bulk too.
pub const DENSE_MARKS: usize = 300;
/// More arrows than this in the window and labels are left off.
const MAX_LABELLED: usize = 160;

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The window of virtual time.
    pub from: Time,
    /// End of the window.
    pub to: Time,
    /// Pixels per second of true time (the zoom).
    pub px_per_sec: f64,
    /// Collapse stretches with no event longer than `quiet`.
    pub compressed: bool,
    /// Shortest silence that collapses.
    pub quiet: Time,
    /// Width of the picture.
    pub width: f64,
    /// The player's time: a line across, and what lies after it drawn as still to come.
    pub now: Option<Time>,
    /// The lab's message kinds in order: a kind's position picks its colour and shape, as on
    /// the network view.
    pub kinds: &'a [&'a str],
    /// Kinds not drawn.
    pub hidden_kinds: &'a [String],
    /// Lanes drawn, in order (`None`: every node).
    pub lanes: Option<&'a [NodeId]>,
    /// The message the inspector shows: drawn heavier.
    pub selected_msg: Option<MsgId>,
    /// The node selected on the network view: its lane is drawn heavier.
    pub selected_node: Option<NodeId>,
    /// The selected event's past and future, to emphasise them and dim the rest.
    pub causal: Option<&'a Causality>,
    /// Above this many arrows the window is drawn in bulk ([`DENSE`] on the page; a file
    /// written for a slide or a report draws every arrow whole).
    pub bulk_above: usize,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            from: 0,
            to: 1_000_000,
            px_per_sec: 400.0,
            compressed: false,
            quiet: 50_000,
            width: 480.0,
            now: None,
            kinds: &[],
            hidden_kinds: &[],
            lanes: None,
            selected_msg: None,
            selected_node: None,
            causal: None,
            bulk_above: DENSE,
        }
    }
}

/// How a shape stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emphasis {
    /// Nothing is selected.
    Plain,
    /// The selected message or event itself.
    Selected,
    /// In the selected event's causal past: it happened before.
    Past,
    /// In the selected event's causal future.
    Future,
    /// Concurrent with the selected event.
    Dim,
}

impl Emphasis {
    /// The CSS class that shows it.
    pub fn class(self) -> &'static str {
        match self {
            Emphasis::Plain => "",
            Emphasis::Selected => "sel",
            Emphasis::Past => "past",
            Emphasis::Future => "future",
            Emphasis::Dim => "dim",
        }
    }
}

/// How an arrow ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Delivered: an arrowhead at the receiver.
    Head,
    /// Dropped: a cross where it died.
    Cross,
    /// Still in flight at the newest moment the run has reached.
    Open,
}

/// One node's lane.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneShape {
    /// Whose lane.
    pub node: NodeId,
    /// Where it runs down.
    pub x: f64,
    /// Stretches (top, bottom) the node was down.
    pub down: Vec<(f64, f64)>,
    /// The node selected on the network view.
    pub selected: bool,
}

/// One message's arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrowShape {
    /// The message, for a click to select it.
    pub id: MsgId,
    /// Start: the sender's lane at the send.
    pub x1: f64,
    /// Height of the send.
    pub y1: f64,
    /// End: the receiver's lane at the delivery, or where it died.
    pub x2: f64,
    /// Height of the delivery or the death.
    pub y2: f64,
    /// Colour and shape slot of its kind.
    pub slot: usize,
    /// Its short label, when there is room for it.
    pub label: Option<Label>,
    /// Words for a tooltip and a screen reader.
    pub title: String,
    /// How it ends.
    pub end: End,
    /// A copy the network made.
    pub dup: bool,
    /// Sent after the player's time: it will happen again as the run goes on.
    pub ahead: bool,
    /// How it stands out.
    pub emphasis: Emphasis,
}

/// Where an arrow's label is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The words (the animation's short label).
    pub text: String,
    /// Its anchor point.
    pub x: f64,
    /// Its baseline.
    pub y: f64,
    /// SVG `text-anchor`: it ends at its receiver, on whichever side that is.
    pub anchor: &'static str,
}

/// Roughly how wide a label's glyph is (9.5 px text).
const CHAR_W: f64 = 5.4;

/// A label just short of where its arrow ends: arrows fanning out of one send arrive on
/// different lanes, so their labels part there. `None` if it would cover one already placed
/// (a dense stretch keeps its first labels; zoom in for the rest).
fn place_label(
    text: &str,
    x2: f64,
    y2: f64,
    rightward: bool,
    placed: &mut Vec<(f64, f64, f64, f64)>,
) -> Option<Label> {
    let w = text.chars().count() as f64 * CHAR_W;
    let (x, anchor) = if rightward {
        (x2 - 9.0, "end")
    } else {
        (x2 + 9.0, "start")
    };
    let y = y2 - 4.0;
    let left = if rightward { x - w } else { x };
    let rect = (left, y - 9.0, left + w, y + 2.0);
    if placed
        .iter()
        .any(|p| rect.0 < p.2 && p.0 < rect.2 && rect.1 < p.3 && p.1 < rect.3)
    {
        return None;
    }
    placed.push(rect);
    Some(Label {
        text: text.to_string(),
        x,
        y,
        anchor,
    })
}

/// A mark on a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkShape {
    /// Where: its lane (or the left edge, for the whole run).
    pub x: f64,
    /// Its moment's height.
    pub y: f64,
    /// What happened.
    pub kind: MarkKind,
    /// It in words, for a tooltip and a screen reader.
    pub title: String,
    /// Its event, for a click to select it.
    pub point: Option<PointId>,
    /// How it stands out.
    pub emphasis: Emphasis,
}

/// A partition's shading over the lanes of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct BandShape {
    /// The columns it shades (left, right).
    pub columns: Vec<(f64, f64)>,
    /// Height where it begins.
    pub y0: f64,
    /// Height where it is healed (or the window ends).
    pub y1: f64,
    /// Group letter, or "cut".
    pub tag: String,
    /// The partition in words.
    pub title: String,
}

/// One window of the diagram, ready to write out.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Width of the picture.
    pub width: f64,
    /// Height including the lane names' row.
    pub height: f64,
    /// The map from time to height the shapes were laid out with.
    pub scale: Scale,
    /// Lanes, in the order asked for.
    pub lanes: Vec<LaneShape>,
    /// Width of one lane's column.
    pub lane_w: f64,
    /// Partitions and cuts.
    pub bands: Vec<BandShape>,
    /// Messages, oldest first.
    pub arrows: Vec<ArrowShape>,
    /// Local events.
    pub marks: Vec<MarkShape>,
    /// The player's time, when in the window.
    pub now_y: Option<f64>,
    /// Where quiet stretches were collapsed (picture coordinates).
    pub gaps: Vec<f64>,
    /// Time ticks down the left: (y, words).
    pub ticks: Vec<(f64, String)>,
    /// Too many arrows to draw one by one: [`DENSE`].
    pub dense: bool,
    /// Too many marks to draw one by one: [`DENSE_MARKS`].
    pub dense_marks: bool,
}

impl Picture {
    /// The time at height `y` of the picture (the lane names' row counts as the window's start).
    pub fn time_at(&self, y: f64) -> Time {
        self.scale.t(y - HEADER)
    }

    /// The lane at `x`, if any.
    pub fn lane_at(&self, x: f64) -> Option<NodeId> {
        self.lanes
            .iter()
            .find(|l| (x - l.x).abs() <= self.lane_w / 2.0)
            .map(|l| l.node)
    }
}

/// Lays out the window `opts` asks for.
pub fn draw(d: &Diagram, opts: &Options) -> Picture {
    let (from, to) = (opts.from, opts.to.max(opts.from + 1));
    let scale = if opts.compressed {
        let times = d
            .points_in(from, to)
            .map(|(_, p)| p.t)
            .chain(d.marks_in(from, to).map(|m| m.t));
        let mut times: Vec<Time> = times.collect();
        times.sort_unstable();
        Scale::compressed(from, to, opts.px_per_sec, times, opts.quiet)
    } else {
        Scale::linear(from, to, opts.px_per_sec)
    };
    let y = |t: Time| HEADER + scale.y(t);
    let order: Vec<NodeId> = match opts.lanes {
        Some(l) => l.to_vec(),
        None => (0..d.lanes()).collect(),
    };
    let lane_w = (opts.width - 2.0 * SIDE) / order.len().max(1) as f64;
    let mut x_of = vec![None; order.iter().max().map_or(0, |m| m + 1)];
    for (k, &n) in order.iter().enumerate() {
        x_of[n] = Some(SIDE + lane_w * (k as f64 + 0.5));
    }
    let x = |n: NodeId| x_of.get(n).copied().flatten();
    let relation = |p: Option<PointId>| match (opts.causal, p) {
        (Some(c), Some(p)) => match c.relation(p) {
            Relation::Same => Emphasis::Selected,
            Relation::Before => Emphasis::Past,
            Relation::After => Emphasis::Future,
            Relation::Concurrent => Emphasis::Dim,
        },
        (Some(_), None) => Emphasis::Dim,
        (None, _) => Emphasis::Plain,
    };

    let lanes = order
        .iter()
        .filter_map(|&node| {
            let down = d
                .outages()
                .iter()
                .filter(|o| o.node == node && o.from <= to && o.to.is_none_or(|t| t >= from))
                .map(|o| (y(o.from), y(o.to.unwrap_or(to))))
                .collect();
            Some(LaneShape {
                node,
                x: x(node)?,
                down,
                selected: opts.selected_node == Some(node),
            })
        })
        .collect();

    let bands = d
        .bands()
        .iter()
        .filter(|b| b.from <= to && b.to.is_none_or(|t| t >= from))
        .flat_map(|b| {
            let (y0, y1) = (y(b.from), y(b.to.unwrap_or(to)));
            let column = |n: NodeId| x(n).map(|cx| (cx - lane_w / 2.0, cx + lane_w / 2.0));
            if b.one_way {
                let columns = b
                    .groups
                    .get(1)
                    .into_iter()
                    .flatten()
                    .filter_map(|&n| column(n))
                    .collect();
                return vec![BandShape {
                    columns,
                    y0,
                    y1,
                    tag: "cut".into(),
                    title: b.text.clone(),
                }];
            }
            // Group A is left plain; B, C... are shaded, so the lanes cut off from each other
            // differ at a glance. Nodes in no group form the last group.
            let mut groups = b.groups.clone();
            let named: Vec<NodeId> = groups.iter().flatten().copied().collect();
            let rest: Vec<NodeId> = order
                .iter()
                .copied()
                .filter(|n| !named.contains(n))
                .collect();
            if !rest.is_empty() {
                groups.push(rest);
            }
            groups
                .iter()
                .enumerate()
                .skip(1)
                .map(|(g, nodes)| BandShape {
                    columns: nodes.iter().filter_map(|&n| column(n)).collect(),
                    y0,
                    y1,
                    tag: char::from(b'A' + (g % 26) as u8).to_string(),
                    title: format!("partition: {}", b.text),
                })
                .collect()
        })
        .collect();

    let visible: Vec<_> = d
        .arrows_in(from, to)
        .filter(|(_, a)| !opts.hidden_kinds.contains(&a.kind))
        .filter(|(_, a)| x(a.from).is_some() && x(a.to).is_some())
        .collect();
    let labelled = visible.len() <= MAX_LABELLED;
    let dense = visible.len() > opts.bulk_above;
    let mut placed = Vec::new();
    let arrows = visible
        .into_iter()
        .filter_map(|(_, a)| {
            let (x1, x2) = (x(a.from)?, x(a.to)?);
            let y1 = y(a.sent);
            let (x2, y2, end) = match (&a.fate, a.end, a.due) {
                (Fate::Delivered, e, _) => (x2, y(e.unwrap_or(a.sent)), End::Head),
                (Fate::Dropped(_), Some(e), Some(due)) if due > a.sent => {
                    // Where it died, a share of the way along its path.
                    let f = (e - a.sent) as f64 / (due - a.sent) as f64;
                    (
                        x1 + (x2 - x1) * f.clamp(0.0, 1.0),
                        y(e).max(y1 + 4.0),
                        End::Cross,
                    )
                }
                (Fate::Dropped(_), _, _) => (x1 + (x2 - x1) * 0.25, y1 + 6.0, End::Cross),
                (Fate::InFlight, _, due) => (x2, y(due.unwrap_or(to)), End::Open),
            };
            let slot = opts
                .kinds
                .iter()
                .position(|k| *k == a.kind)
                .unwrap_or(3)
                .min(3);
            let mut emphasis = relation(Some(a.send));
            // The message the selected delivery received is in its past.
            if let (Some(c), Some(r)) = (opts.causal, a.recv)
                && c.relation(r) == Relation::Same
            {
                emphasis = Emphasis::Past;
            }
            if opts.selected_msg == Some(a.id) {
                emphasis = Emphasis::Selected;
            }
            // Drawn whole, with its words: all but a dense window's unselected arrows.
            let whole = !dense || emphasis == Emphasis::Selected;
            let long = (x2 - x1).abs().max(y2 - y1) >= 28.0;
            Some(ArrowShape {
                id: a.id,
                x1,
                y1,
                x2,
                y2,
                slot,
                label: (whole && labelled && long && !a.short.is_empty())
                    .then(|| place_label(&a.short, x2, y2, x2 >= x1, &mut placed))
                    .flatten(),
                title: if whole { arrow_words(a) } else { String::new() },
                end,
                dup: a.copy_of.is_some(),
                ahead: opts.now.is_some_and(|n| a.sent > n),
                emphasis,
            })
        })
        .collect();

    let dense_marks =
        opts.bulk_above < usize::MAX && d.marks_in(from, to).nth(DENSE_MARKS).is_some();
    let marks = d
        .marks_in(from, to)
        .filter_map(|m| {
            let mx = match m.node {
                Some(n) => x(n)?,
                None => SIDE,
            };
            Some(MarkShape {
                x: mx,
                y: y(m.t),
                kind: m.kind,
                title: if dense_marks {
                    String::new()
                } else {
                    format!(
                        "{} {}: {}",
                        format_time(m.t),
                        m.node.map(|n| format!("n{n}")).unwrap_or_default(),
                        mark_words(m.kind, &m.text)
                    )
                },
                point: m.point,
                emphasis: relation(m.point),
            })
        })
        .collect();

    let height = HEADER + scale.height() + 8.0;
    let ticks = ticks(&scale, from, to);
    Picture {
        width: opts.width,
        height,
        lanes,
        lane_w,
        bands,
        arrows,
        marks,
        now_y: opts.now.filter(|&n| (from..=to).contains(&n)).map(y),
        gaps: scale.gaps().iter().map(|g| g + HEADER).collect(),
        ticks,
        scale,
        dense,
        dense_marks,
    }
}

/// An arrow in words, for its tooltip and a screen reader.
fn arrow_words(a: &crate::model::Arrow) -> String {
    let fate = match &a.fate {
        Fate::Delivered => format!("delivered at {}", format_time(a.end.unwrap_or(a.sent))),
        Fate::Dropped(why) if why.is_empty() => "dropped".to_string(),
        // "dropped (by user)", not "dropped (dropped by user)".
        Fate::Dropped(why) => format!(
            "dropped ({}) at {}",
            why.strip_prefix("dropped ").unwrap_or(why),
            format_time(a.end.unwrap_or(a.sent))
        ),
        Fate::InFlight => "in flight".to_string(),
    };
    let copy = a
        .copy_of
        .map(|of| format!(" (a copy of #{of} the network made)"))
        .unwrap_or_default();
    format!(
        "#{} n{} → n{}: {}{copy}; sent at {}, {fate}",
        a.id,
        a.from,
        a.to,
        a.label,
        format_time(a.sent)
    )
}

/// A mark's meaning in words.
fn mark_words(kind: MarkKind, text: &str) -> String {
    match kind {
        MarkKind::Timer => format!("{text} fired"),
        MarkKind::Command => format!("client command {text}"),
        MarkKind::Crash if text.is_empty() => "crashed".into(),
        MarkKind::Crash => format!("crashed, losing {text}"),
        MarkKind::Restart => "restarted".into(),
        MarkKind::Note | MarkKind::Violation => text.to_string(),
    }
}

/// Round times down the side, about every 60 px.
fn ticks(scale: &Scale, from: Time, to: Time) -> Vec<(f64, String)> {
    let span = to - from;
    let per_px = span as f64 / scale.height().max(1.0);
    let want = (per_px * 60.0).max(1.0) as Time;
    let step = [
        1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
        2_000_000, 5_000_000, 10_000_000, 60_000_000,
    ]
    .into_iter()
    .find(|&s| s >= want)
    .unwrap_or(60_000_000);
    let mut out = Vec::new();
    let mut t = from.div_ceil(step) * step;
    let mut last = f64::NEG_INFINITY;
    while t <= to && out.len() < 200 {
        let y = HEADER + scale.y(t);
        // Collapsed stretches squeeze ticks together: keep the first of a crowd.
        if y - last >= 24.0 {
            out.push((y, format_time(t)));
            last = y;
        }
        t += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    fn split_vote() -> Diagram {
        Diagram::from_lines(
            &[
                sent(0, 100_000, 1, 0, 1, Some(110_000)),
                sent(1, 100_000, 2, 0, 2, Some(112_000)),
                partition(2, 104_000, vec![vec![0, 1], vec![2]]),
                dropped(3, 105_000, 2, 0, 2, "partitioned in flight"),
                delivered(4, 110_000, 1, 0, 1),
                crash(5, 120_000, 2),
                sent(6, 130_000, 3, 1, 0, Some(150_000)),
            ],
            3,
        )
    }

    /// `n` messages from n0 to n1 from 100 ms on, `gap` µs apart, each taking `trip`.
    fn burst(n: usize, gap: Time, trip: Time) -> Diagram {
        let mut lines = Vec::new();
        for k in 0..n as u64 {
            let at = 100_000 + k * gap;
            lines.push(sent(0, at, k, 0, 1, Some(at + trip)));
            lines.push(delivered(0, at + trip, k, 0, 1));
        }
        lines.sort_by_key(|l| l.t);
        for (i, l) in lines.iter_mut().enumerate() {
            l.i = i as u64;
        }
        Diagram::from_lines(&lines, 2)
    }

    fn opts() -> Options<'static> {
        Options {
            from: 90_000,
            to: 200_000,
            px_per_sec: 2000.0,
            width: 300.0,
            kinds: &["vote"],
            ..Options::default()
        }
    }

    #[test]
    fn each_arrow_runs_from_its_senders_lane_to_its_receivers() {
        let p = draw(&split_vote(), &opts());
        let a = &p.arrows[0];
        assert_eq!((a.x1, a.x2), (p.lanes[0].x, p.lanes[1].x));
        assert_eq!(a.end, End::Head);
        assert!((a.y2 - a.y1 - 20.0).abs() < 1e-9, "10 ms at 2000 px/s");
    }

    #[test]
    fn a_drop_ends_in_a_cross_where_it_died_and_in_flight_stays_open() {
        let p = draw(&split_vote(), &opts());
        let dropped = &p.arrows[1];
        assert_eq!(dropped.end, End::Cross);
        // Died 5 ms into a 12 ms trip: under halfway across.
        assert!(dropped.x2 < (p.lanes[0].x + p.lanes[2].x) / 2.0);
        assert_eq!(p.arrows[2].end, End::Open);
        assert!(p.arrows[1].title.contains("partitioned in flight"));
    }

    #[test]
    fn a_crash_cuts_the_lane_and_a_partition_shades_the_minority() {
        let p = draw(&split_vote(), &opts());
        assert_eq!(p.lanes[2].down.len(), 1);
        assert_eq!(p.bands.len(), 1);
        assert_eq!(p.bands[0].tag, "B");
        assert_eq!(p.bands[0].columns.len(), 1);
    }

    #[test]
    fn a_window_draws_only_what_crosses_it() {
        let d = split_vote();
        let p = draw(
            &d,
            &Options {
                from: 140_000,
                to: 200_000,
                ..opts()
            },
        );
        assert_eq!(p.arrows.iter().map(|a| a.id).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn hidden_kinds_and_lanes_are_left_out() {
        let d = split_vote();
        let hidden = ["vote".to_string()];
        assert!(
            draw(
                &d,
                &Options {
                    hidden_kinds: &hidden,
                    ..opts()
                }
            )
            .arrows
            .is_empty()
        );
        let lanes = [0, 1];
        let p = draw(
            &d,
            &Options {
                lanes: Some(&lanes),
                ..opts()
            },
        );
        assert_eq!(p.lanes.len(), 2);
        assert!(p.arrows.iter().all(|a| a.id != 2));
    }

    #[test]
    fn selecting_an_event_emphasises_its_past_and_future_and_dims_the_rest() {
        let d = split_vote();
        // The delivery of message 1 on n1 (point 2: sends at 0 and 1, then this).
        let c = Causality::of(&d, 2).unwrap();
        let p = draw(
            &d,
            &Options {
                causal: Some(&c),
                ..opts()
            },
        );
        let by_id = |id| p.arrows.iter().find(|a| a.id == id).unwrap().emphasis;
        assert_eq!(by_id(1), Emphasis::Past);
        assert_eq!(by_id(3), Emphasis::Future);
    }

    #[test]
    fn labels_never_cover_each_other() {
        // Five messages from n0 to n1 sent a millisecond apart: their labels would stack.
        let p = draw(&burst(5, 1_000, 20_000), &opts());
        let labels: Vec<&Label> = p.arrows.iter().filter_map(|a| a.label.as_ref()).collect();
        assert!(
            !labels.is_empty() && labels.len() < 5,
            "{} labels",
            labels.len()
        );
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(
                    (a.y - b.y).abs() >= 11.0 || a.anchor != b.anchor,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_dense_window_is_drawn_in_bulk_but_keeps_the_selected_message_whole() {
        let d = burst(DENSE + 50, 100, 50_000);
        let p = draw(
            &d,
            &Options {
                selected_msg: Some(7),
                ..opts()
            },
        );
        assert!(p.dense);
        assert!(
            p.arrows
                .iter()
                .filter(|a| a.id != 7)
                .all(|a| a.title.is_empty() && a.label.is_none())
        );
        assert!(
            !p.arrows
                .iter()
                .find(|a| a.id == 7)
                .unwrap()
                .title
                .is_empty()
        );
        let svg = crate::svg::to_svg(&p, &crate::svg::SvgStyle::default());
        assert!(
            svg.matches("<g class=\"arr").count() <= 2,
            "one group for the selected message"
        );
        assert!(svg.contains("data-msg=\"7\""));
    }

    #[test]
    fn clicking_a_height_finds_its_moment() {
        let p = draw(&split_vote(), &opts());
        let t = p.time_at(HEADER + 40.0);
        assert_eq!(t, 110_000);
        assert_eq!(p.lane_at(p.lanes[1].x + 3.0), Some(1));
    }

    #[test]
    fn the_players_time_is_a_line_and_what_follows_it_is_ahead() {
        let p = draw(
            &split_vote(),
            &Options {
                now: Some(125_000),
                ..opts()
            },
        );
        assert!(p.now_y.is_some());
        assert!(p.arrows.iter().find(|a| a.id == 3).unwrap().ahead);
        assert!(!p.arrows[0].ahead);
    }
}
