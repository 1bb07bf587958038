//! Where a moving message's label goes so no node's circle covers it. A message rides 6 px to
//! the right of its link; its label sits further out on that side, held back from the two ends
//! so it clears the sender's and the receiver's circles, and crosses to the other side of the
//! link when a third node sits in the way. Plain geometry with native tests: the view only
//! reads the answer.

use crate::layout::Layout;
use splitbrain_sim::NodeId;

/// How far a message rides to the right of its link's centre line (as `network::along`).
pub(crate) const LANE: f64 = 6.0;
/// How far the label's near edge sits from the link's centre line.
const GAP: f64 = 13.0;
/// Rough size of a label's glyphs (10.5 px text in style.css's `.msg-label`).
const CHAR_W: f64 = 6.0;
const TEXT_H: f64 = 11.0;
/// Room kept between a label and any node's circle.
const CLEAR: f64 = 3.0;
/// Half the width of the words under a node ("t12 · log 40 · commit 39").
const WORDS_HALF_W: f64 = 68.0;
/// Furthest a label moves from its message to find a clear place.
const MAX_AWAY: f64 = 70.0;

/// A box: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

/// A label's place relative to its message: the text's anchor point and how the text hangs
/// from it (SVG `text-anchor`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelSpot {
    pub dx: f64,
    pub dy: f64,
    pub anchor: &'static str,
}

/// The label of a message from `from` to `to`, a fraction `f` of the way along, `chars` long;
/// `None` while no place near it is clear of the nodes and their words (the label comes back
/// once the message is out in the open).
pub fn label_spot(
    layout: &Layout,
    from: NodeId,
    to: NodeId,
    f: f64,
    chars: usize,
) -> Option<LabelSpot> {
    let (x1, y1) = layout.pos(from);
    let (x2, y2) = layout.pos(to);
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    // The side the message rides on (right of travel on screen) and the other.
    let right = (-uy, ux);
    let at = (x1 + dx * f + right.0 * LANE, y1 + dy * f + right.1 * LANE);
    let width = chars.max(1) as f64 * CHAR_W;
    // Beside the message first; then held back from the ends, step by step, but never so far
    // that the label reads as another message's.
    for side in [1.0, -1.0] {
        let n = (right.0 * side, right.1 * side);
        let (anchor, half_along) = hang(n, width, ux);
        let margin = ((layout.radius() + CLEAR + half_along) / len).min(0.5);
        let near = f.clamp(margin, 1.0 - margin);
        for step in 0..4 {
            let g = near + (0.5 - near) * f64::from(step) / 3.0;
            if (g - f).abs() * len > MAX_AWAY {
                break;
            }
            let base = (x1 + dx * g + n.0 * GAP, y1 + dy * g + n.1 * GAP);
            let rect = text_box(base, anchor, n, width);
            if clear(layout, rect) {
                return Some(LabelSpot {
                    dx: rect.0 + offset_x(anchor, width) - at.0,
                    dy: rect.3 - 2.0 - at.1,
                    anchor,
                });
            }
        }
    }
    None
}

/// Whether a label's box keeps out of every node's circle and the words drawn beside it.
fn clear(layout: &Layout, rect: Rect) -> bool {
    (0..layout.len()).all(|i| {
        let c = layout.pos(i);
        clear_of(rect, c, layout.radius() + CLEAR)
            && words_box(layout, i).is_none_or(|w| !overlap(rect, w))
    })
}

/// Where node `i`'s role and summary are written (see `network::Nodes`): under a circle's
/// node, right of a fan's backend; a crowded picture writes only names, over the circles.
fn words_box(layout: &Layout, i: NodeId) -> Option<Rect> {
    if layout.crowded() {
        return None;
    }
    let (x, y) = layout.pos(i);
    let r = layout.radius();
    Some(if layout.label_right(i) {
        (x + r + 4.0, y - 13.0, x + r + 120.0, y + 17.0)
    } else {
        (
            x - WORDS_HALF_W,
            y + r + 4.0,
            x + WORDS_HALF_W,
            y + r + 35.0,
        )
    })
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// How text hangs off a point on the side `n` of a link along `ux`: to the right or left of it
/// on a steep link, centred on a flat one; and how far it then reaches back along the link.
fn hang(n: (f64, f64), width: f64, ux: f64) -> (&'static str, f64) {
    let anchor = if n.0 > 0.45 {
        "start"
    } else if n.0 < -0.45 {
        "end"
    } else {
        "middle"
    };
    let reach = if anchor == "middle" {
        width / 2.0
    } else {
        width * ux.abs()
    };
    (anchor, reach)
}

/// The text's box (left, top, right, bottom) when its nearest corner to the link is at `p`.
fn text_box(p: (f64, f64), anchor: &str, n: (f64, f64), width: f64) -> Rect {
    let left = match anchor {
        "start" => p.0,
        "end" => p.0 - width,
        _ => p.0 - width / 2.0,
    };
    // Below the link the box hangs down from the point; above, it stands on it; beside a
    // steep link it is centred on it.
    let top = if n.1 > 0.45 {
        p.1
    } else if n.1 < -0.45 {
        p.1 - TEXT_H
    } else {
        p.1 - TEXT_H / 2.0
    };
    (left, top, left + width, top + TEXT_H)
}

/// Where the anchor point lies from the box's left edge.
fn offset_x(anchor: &str, width: f64) -> f64 {
    match anchor {
        "start" => 0.0,
        "end" => width,
        _ => width / 2.0,
    }
}

/// Whether a box keeps out of a circle.
fn clear_of(rect: Rect, c: (f64, f64), r: f64) -> bool {
    let nx = c.0.clamp(rect.0, rect.2);
    let ny = c.1.clamp(rect.1, rect.3);
    (c.0 - nx).powi(2) + (c.1 - ny).powi(2) >= r * r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The box a spot describes, in picture coordinates, for a message at `at`.
    fn placed(spot: LabelSpot, at: (f64, f64), chars: usize) -> Rect {
        let width = chars as f64 * CHAR_W;
        let left = at.0 + spot.dx - offset_x(spot.anchor, width);
        let bottom = at.1 + spot.dy + 2.0;
        (left, bottom - TEXT_H, left + width, bottom)
    }

    fn message_at(l: &Layout, from: NodeId, to: NodeId, f: f64) -> (f64, f64) {
        let (x1, y1) = l.pos(from);
        let (x2, y2) = l.pos(to);
        let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt();
        let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
        (
            x1 + (x2 - x1) * f - uy * LANE,
            y1 + (y2 - y1) * f + ux * LANE,
        )
    }

    /// The pictures of the labs that label their messages: up to 9 peers, a balancer's fan of
    /// 10, hashing's router and 6 servers.
    fn pictures() -> Vec<Layout> {
        (2..=9)
            .map(|n| Layout::new(n, &[]))
            .chain([Layout::new(11, &[0]), Layout::new(7, &[0])])
            .collect()
    }

    #[test]
    fn a_message_label_is_never_under_a_node_or_its_words() {
        for l in pictures() {
            for a in 0..l.len() {
                for b in (0..l.len()).filter(|&b| l.linked(a, b)) {
                    for step in 0..=20 {
                        let f = f64::from(step) / 20.0;
                        for chars in [3, 9, 14] {
                            let Some(spot) = label_spot(&l, a, b, f, chars) else {
                                continue;
                            };
                            let rect = placed(spot, message_at(&l, a, b, f), chars);
                            for i in 0..l.len() {
                                assert!(
                                    clear_of(rect, l.pos(i), l.radius()),
                                    "{} nodes: label of {a}→{b} at {f} ({chars} chars) under n{i}: {rect:?}",
                                    l.len()
                                );
                                if let Some(w) = words_box(&l, i) {
                                    assert!(
                                        !overlap(rect, w),
                                        "{} nodes: label of {a}→{b} at {f} over n{i}'s words",
                                        l.len()
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Hiding is the exception: most of a link's length is open, so most positions are labelled.
    #[test]
    fn a_message_keeps_its_label_over_most_of_its_way() {
        for l in pictures() {
            let (mut shown, mut all) = (0, 0);
            for a in 0..l.len() {
                for b in (0..l.len()).filter(|&b| l.linked(a, b)) {
                    for step in 0..=20 {
                        all += 1;
                        shown +=
                            usize::from(label_spot(&l, a, b, f64::from(step) / 20.0, 14).is_some());
                    }
                }
            }
            assert!(
                shown * 10 >= all * 7,
                "{} nodes: {shown} of {all} positions labelled",
                l.len()
            );
        }
    }

    #[test]
    fn a_label_rides_beside_its_message_in_the_open_middle_of_a_link() {
        let l = Layout::new(3, &[]);
        let at = message_at(&l, 1, 2, 0.5);
        let spot = label_spot(&l, 1, 2, 0.5, 5).expect("the middle of a link is open");
        let rect = placed(spot, at, 5);
        let (cx, cy) = ((rect.0 + rect.2) / 2.0, (rect.1 + rect.3) / 2.0);
        assert!(
            ((cx - at.0).powi(2) + (cy - at.1).powi(2)).sqrt() < 30.0,
            "{spot:?}"
        );
    }

    #[test]
    fn a_request_and_its_reply_label_opposite_sides_of_a_link() {
        let l = Layout::new(5, &[]);
        let there = placed(
            label_spot(&l, 0, 2, 0.5, 6).unwrap(),
            message_at(&l, 0, 2, 0.5),
            6,
        );
        let back = placed(
            label_spot(&l, 2, 0, 0.5, 6).unwrap(),
            message_at(&l, 2, 0, 0.5),
            6,
        );
        assert!(!overlap(there, back), "{there:?} {back:?}");
    }

    #[test]
    fn stale_node_ids_are_harmless() {
        let l = Layout::new(3, &[]);
        if let Some(s) = label_spot(&l, 7, 9, 0.3, 4) {
            assert!(s.dx.is_finite() && s.dy.is_finite());
        }
    }
}
