//! Where the network view puts each node, and which pairs it joins with a link: the shape of
//! the system the lab models. Peers that all talk to each other (Raft, Paxos, gossip) sit on a
//! circle joined by a full mesh; a balancer or a router with its backends is drawn as a fan,
//! hub on the left and its backends in an arc on the right, joined only to the hub, since the
//! backends never talk to each other. Plain data with native tests: the view only reads it.

use splitbrain_sim::NodeId;
use std::f64::consts::{PI, TAU};

/// Side of the square SVG viewBox.
pub(crate) const SIZE: f64 = 600.0;
const CENTER: f64 = SIZE / 2.0;
/// Radius of the peers' circle (two nodes sit closer).
const RING: f64 = 215.0;
/// The hubs' column.
const HUB_X: f64 = 110.0;
/// How far right of the hub the fan reaches at its middle.
const FAN_REACH: f64 = 290.0;
/// Half the angle a fan spans: a flat arc, right of the hub, for a few backends; a rounder one
/// for many, so their arcs have the length to keep them apart.
const FAN_HALF_ANGLE: f64 = 55.0 * PI / 180.0;
const WIDE_FAN_HALF_ANGLE: f64 = 72.0 * PI / 180.0;
/// More backends than this in one fan are staggered on two arcs (three above twice this) so
/// their circles keep apart.
const ONE_ARC: usize = 20;
/// How far inside the one before it each further arc lies.
const ARC_STEP: f64 = 30.0;

/// With clients: the servers' circle's centre and radius, right of the clients' column.
const CLIENT_RING_X: f64 = 380.0;
const CLIENT_RING: f64 = 185.0;
/// The clients' column: their words go under them, clear of the servers' circle.
const CLIENT_X: f64 = 62.0;

/// Above this many nodes a circle shows only node numbers (the inspector has the rest): roles
/// and summaries would overlap.
const CROWDED: usize = 16;
/// Above this many backends in one fan, likewise.
const CROWDED_FAN: usize = 14;

/// Positions of every node and the links drawn between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pos: Vec<(f64, f64)>,
    /// Most backends any one hub has (0 on a circle).
    widest: usize,
    /// The least distance between two backends' centres in a fan (unbounded on a circle).
    closest: f64,
    /// For each node, the hub it hangs from; `None` for a hub, and for everyone on a mesh.
    hub_of: Vec<Option<NodeId>>,
    fan: bool,
    /// The first client's id: clients (the key-value labs' client processes) sit in a column
    /// on the left, joined to nothing (their requests still fly to the servers). `len()` when
    /// there are none.
    first_client: usize,
}

impl Layout {
    /// `hubs` lists the balancers or routers in id order; each owns the nodes after it up to
    /// the next hub. No hubs: a circle of peers.
    pub fn new(n: usize, hubs: &[NodeId]) -> Self {
        let mut hubs: Vec<NodeId> = hubs.iter().copied().filter(|&h| h < n).collect();
        hubs.sort_unstable();
        hubs.dedup();
        // Every node must hang from a hub: the first hub is node 0, or the picture is a circle.
        if hubs.first() != Some(&0) || n < 2 {
            return Self {
                pos: (0..n).map(|i| ring_pos(i, n)).collect(),
                widest: 0,
                closest: f64::INFINITY,
                hub_of: vec![None; n],
                fan: false,
                first_client: n,
            };
        }
        let mut pos = vec![(0.0, 0.0); n];
        let mut hub_of = vec![None; n];
        let band = SIZE / hubs.len() as f64;
        let mut widest = 0;
        for (k, &hub) in hubs.iter().enumerate() {
            let end = hubs.get(k + 1).copied().unwrap_or(n);
            let centre = band * (k as f64 + 0.5);
            pos[hub] = (HUB_X, centre);
            let spokes: Vec<NodeId> = (hub + 1..end).collect();
            widest = widest.max(spokes.len());
            // The fan's height fits its band, less room for the labels under the outer nodes.
            let reach_y = (band / 2.0 - 32.0).max(20.0);
            let arcs = spokes.len().div_ceil(ONE_ARC).clamp(1, 3);
            let half = if arcs > 1 {
                WIDE_FAN_HALF_ANGLE
            } else {
                FAN_HALF_ANGLE
            };
            for (j, &s) in spokes.iter().enumerate() {
                let f = if spokes.len() == 1 {
                    0.5
                } else {
                    j as f64 / (spokes.len() - 1) as f64
                };
                let a = -half + 2.0 * half * f;
                let reach = FAN_REACH - ARC_STEP * (j % arcs) as f64;
                pos[s] = (
                    HUB_X + reach * a.cos(),
                    centre + reach_y * reach / FAN_REACH * a.sin() / half.sin(),
                );
                hub_of[s] = Some(hub);
            }
        }
        let mut closest = f64::INFINITY;
        for a in 0..n {
            for b in a + 1..n {
                if hub_of[a].is_some() && hub_of[b].is_some() {
                    let ((x1, y1), (x2, y2)) = (pos[a], pos[b]);
                    closest = closest.min(((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt());
                }
            }
        }
        Self {
            pos,
            widest,
            closest,
            hub_of,
            fan: true,
            first_client: n,
        }
    }

    /// `servers` peers on a circle moved right, and `clients` client processes after them
    /// (ids `servers..`) in a column on the left, top to bottom in id order.
    pub fn with_clients(servers: usize, clients: usize) -> Self {
        let mut l = Layout::new(servers, &[]);
        if clients == 0 {
            return l;
        }
        let shrink = CLIENT_RING / RING;
        for p in &mut l.pos {
            *p = (
                CLIENT_RING_X + (p.0 - CENTER) * shrink,
                CENTER + (p.1 - CENTER) * shrink,
            );
        }
        let gap = (SIZE - 80.0) / clients as f64;
        l.pos
            .extend((0..clients).map(|k| (CLIENT_X, 40.0 + gap * (k as f64 + 0.5))));
        l.hub_of.extend(std::iter::repeat_n(None, clients));
        l.first_client = servers;
        l
    }

    /// The first client's id (`len()` when there are none).
    pub fn first_client(&self) -> usize {
        self.first_client
    }

    /// Whether node `i` is a client process, and which (0-based).
    pub fn client(&self, i: NodeId) -> Option<usize> {
        (i >= self.first_client && i < self.len()).then(|| i - self.first_client)
    }

    /// Every node's radius: large for a few, small so 80 fit. A fan's backends sit closer
    /// together than a circle's nodes, so a fan's size goes by its widest side.
    pub fn radius(&self) -> f64 {
        if self.fan {
            let r: f64 = match self.widest {
                0..=6 => 26.0,
                7..=CROWDED_FAN => 18.0,
                15..=30 => 12.0,
                _ => 8.0,
            };
            // Two fans (compare mode) are half as tall: neighbours must not touch.
            return r.min(self.closest / 2.0 - 1.0).max(5.0);
        }
        if self.first_client < self.len() {
            return 26.0;
        }
        match self.len() {
            0..=12 => 30.0,
            13..=CROWDED => 20.0,
            17..=30 => 12.0,
            _ => 8.0,
        }
    }

    /// Too many nodes for roles and summaries beside them: names only.
    pub fn crowded(&self) -> bool {
        if self.fan {
            self.widest > CROWDED_FAN
        } else {
            self.len() > CROWDED
        }
    }

    /// Whether node `i`'s words go to its right (a fan's backends, whose neighbours sit above
    /// and below) rather than under it.
    pub fn label_right(&self, i: NodeId) -> bool {
        self.fan && self.hub_of.get(i).is_some_and(Option::is_some)
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// Where node `i` sits (the centre when out of range, so a stale frame never panics).
    pub fn pos(&self, i: NodeId) -> (f64, f64) {
        self.pos.get(i).copied().unwrap_or((CENTER, CENTER))
    }

    /// The hubs of a fan (none on a circle of peers): clients' requests come in through them.
    pub fn hubs(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.len()).filter(|&i| self.fan && self.hub_of[i].is_none())
    }

    /// Whether the view draws a link from `a` to `b`: every pair on a circle of peers; a hub
    /// and its own backends in a fan.
    pub fn linked(&self, a: NodeId, b: NodeId) -> bool {
        if a == b || a >= self.first_client || b >= self.first_client {
            return false;
        }
        !self.fan || self.hub_of[a] == Some(b) || self.hub_of[b] == Some(a)
    }

    /// The unit vector pointing from the picture's middle out through node `i`, for labels
    /// that sit outside a crowded circle.
    pub fn outward(&self, i: NodeId) -> (f64, f64) {
        let (x, y) = self.pos(i);
        if self.client(i).is_some() {
            return (-1.0, 0.0);
        }
        let centre_x = if self.first_client < self.len() {
            CLIENT_RING_X
        } else {
            CENTER
        };
        let (dx, dy) = if self.fan {
            (x - HUB_X, y - self.hub_of[i].map_or(y, |h| self.pos(h).1))
        } else {
            (x - centre_x, y - CENTER)
        };
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            (0.0, 1.0)
        } else {
            (dx / len, dy / len)
        }
    }
}

/// Where node `i` of `n` peers sits on the circle, node 0 at the top.
fn ring_pos(i: usize, n: usize) -> (f64, f64) {
    let r = if n <= 2 { 150.0 } else { RING };
    let a = -PI / 2.0 + TAU * i as f64 / n.max(1) as f64;
    (CENTER + r * a.cos(), CENTER + r * a.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(p: (f64, f64)) -> bool {
        (30.0..=SIZE - 30.0).contains(&p.0) && (30.0..=SIZE - 30.0).contains(&p.1)
    }

    #[test]
    fn peers_sit_on_a_circle_joined_by_a_full_mesh() {
        let l = Layout::new(5, &[]);
        assert_eq!(l.hubs().count(), 0);
        assert_eq!(l.pos(0), (CENTER, CENTER - RING));
        for a in 0..5 {
            for b in 0..5 {
                assert_eq!(l.linked(a, b), a != b);
            }
        }
    }

    #[test]
    fn a_balancer_and_its_backends_form_a_fan_with_no_backend_to_backend_links() {
        let l = Layout::new(11, &[0]);
        assert_eq!(l.hubs().collect::<Vec<_>>(), vec![0]);
        assert_eq!(l.pos(0), (HUB_X, CENTER));
        for b in 1..11 {
            assert!(l.linked(0, b) && l.linked(b, 0));
            assert!(l.pos(b).0 > HUB_X + 100.0, "backends to the hub's right");
            for c in 1..11 {
                assert!(!l.linked(b, c), "n{b} and n{c} never talk");
            }
        }
        // Top to bottom in id order, so the picture reads like the panel's list.
        assert!((1..10).all(|b| l.pos(b).1 < l.pos(b + 1).1));
    }

    #[test]
    fn compare_mode_draws_two_fans_one_above_the_other() {
        let l = Layout::new(22, &[0, 11]);
        assert_eq!(l.hubs().collect::<Vec<_>>(), vec![0, 11]);
        assert!(l.pos(0).1 < CENTER && l.pos(11).1 > CENTER);
        assert!(l.linked(11, 12) && !l.linked(0, 12) && !l.linked(11, 1));
        assert!((1..11).all(|b| l.pos(b).1 < CENTER) && (12..22).all(|b| l.pos(b).1 > CENTER));
    }

    #[test]
    fn every_node_fits_the_picture_at_the_page_limits() {
        for (n, hubs) in [
            (81, vec![0]),
            (42, vec![0, 21]),
            (2, vec![0]),
            (81, vec![]),
            (1, vec![0]),
        ] {
            let l = Layout::new(n, &hubs);
            assert!((0..n).all(|i| inside(l.pos(i))), "{n} nodes, hubs {hubs:?}");
        }
    }

    #[test]
    fn many_backends_are_staggered_so_neighbours_do_not_overlap() {
        // Node radius is 8 above 30 nodes: centres at least two radii apart.
        for n in [41, 81] {
            let l = Layout::new(n, &[0]);
            let gap = |a: usize, b: usize| {
                let ((x1, y1), (x2, y2)) = (l.pos(a), l.pos(b));
                ((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt()
            };
            for a in 1..n {
                for b in a + 1..n {
                    assert!(
                        gap(a, b) >= 16.0,
                        "n{a} and n{b} of {n} are {} apart",
                        gap(a, b)
                    );
                }
            }
        }
    }

    #[test]
    fn a_fans_backends_carry_their_words_to_the_right_until_it_is_crowded() {
        let l = Layout::new(11, &[0]);
        assert!(!l.label_right(0) && (1..11).all(|b| l.label_right(b)));
        assert!(!l.crowded() && l.radius() < 30.0);
        assert!(Layout::new(42, &[0]).crowded());
        assert!(!Layout::new(9, &[]).label_right(3));
    }

    #[test]
    fn backends_never_touch_even_two_fans_to_a_picture() {
        for (n, hubs) in [
            (22, vec![0, 11]),
            (42, vec![0, 21]),
            (11, vec![0]),
            (81, vec![0]),
        ] {
            let l = Layout::new(n, &hubs);
            let r = l.radius();
            for a in 0..n {
                for b in a + 1..n {
                    if hubs.contains(&a) || hubs.contains(&b) {
                        continue;
                    }
                    let ((x1, y1), (x2, y2)) = (l.pos(a), l.pos(b));
                    let d = ((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt();
                    assert!(
                        d >= 2.0 * r,
                        "{n} nodes {hubs:?}: n{a}, n{b} {d} apart, radius {r}"
                    );
                }
            }
        }
    }

    #[test]
    fn hubs_not_starting_at_node_0_draw_a_circle() {
        assert_eq!(Layout::new(5, &[2]).hubs().count(), 0);
        assert_eq!(
            Layout::new(6, &[3, 0]).hubs().collect::<Vec<_>>(),
            vec![0, 3]
        );
        assert!(!Layout::new(9, &[]).label_right(3));
    }

    #[test]
    fn clients_sit_in_a_column_left_of_the_servers_and_join_no_link() {
        let l = Layout::with_clients(5, 10);
        assert_eq!(l.len(), 15);
        assert_eq!(
            (l.client(4), l.client(5), l.client(14)),
            (None, Some(0), Some(9))
        );
        assert!(
            (0..15).all(|i| inside(l.pos(i))),
            "every node in the picture"
        );
        let ring_left = (0..5).map(|i| l.pos(i).0).fold(f64::INFINITY, f64::min);
        assert!(
            (5..15).all(|c| l.pos(c).0 + 110.0 < ring_left),
            "room for words"
        );
        assert!((5..14).all(|c| l.pos(c + 1).1 - l.pos(c).1 >= 2.0 * l.radius()));
        assert!(l.linked(0, 1) && !l.linked(0, 5) && !l.linked(5, 6));
    }

    #[test]
    fn a_hub_out_of_range_or_a_stale_index_is_harmless() {
        let l = Layout::new(3, &[7]);
        assert_eq!(l.hubs().count(), 0);
        assert_eq!(l.pos(99), (CENTER, CENTER));
        assert!(!l.linked(0, 99));
    }
}
