//! Happened-before (Lamport 1978, §2): event a precedes b when they are on one lane in that
//! order, or a sends the message b receives, or through a chain of those. Everything else is
//! concurrent with it. Computed by searching the diagram's lane and message edges backwards
//! and forwards from one event: linear in the events held, which for 100,000 is a few
//! milliseconds, and nothing is kept per event between selections.

use crate::model::{Diagram, PointId};

/// How an event stands to the selected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The selected event itself.
    Same,
    /// In its causal past: it happened before.
    Before,
    /// In its causal future.
    After,
    /// Neither: nothing links them.
    Concurrent,
}

/// The causal past and future of one event.
#[derive(Debug, Clone)]
pub struct Causality {
    origin: PointId,
    base: PointId,
    past: Vec<bool>,
    future: Vec<bool>,
    /// Counts of events before, after and concurrent with it.
    pub before: usize,
    /// Events in its causal future.
    pub after: usize,
    /// Events neither before nor after it.
    pub concurrent: usize,
}

impl Causality {
    /// The past and future of event `origin`; `None` if the diagram no longer holds it.
    pub fn of(d: &Diagram, origin: PointId) -> Option<Self> {
        d.point_at(origin)?;
        let range = d.point_range();
        let n = (range.end - range.start) as usize;
        let idx = |p: PointId| (p - range.start) as usize;
        let held = |p: PointId| range.contains(&p);
        let mut past = vec![false; n];
        let mut future = vec![false; n];
        let mut stack = vec![origin];
        // Backwards: the previous event on the lane, and the send of what this receives.
        while let Some(p) = stack.pop() {
            let Some(pt) = d.point_at(p) else { continue };
            let from_send = pt.receives.and_then(|a| d.arrow(a)).map(|a| a.send);
            for q in [pt.prev, from_send]
                .into_iter()
                .flatten()
                .filter(|&q| held(q))
            {
                if !past[idx(q)] {
                    past[idx(q)] = true;
                    stack.push(q);
                }
            }
        }
        // Forwards: the next event on the lane, and the deliveries of what this sends (and of
        // the network's copies of it).
        stack.push(origin);
        let mut recvs = Vec::new();
        while let Some(p) = stack.pop() {
            let Some(pt) = d.point_at(p) else { continue };
            recvs.clear();
            if let Some(a) = pt.sends.and_then(|a| d.arrow(a)) {
                recvs.extend(a.recv);
                recvs.extend(
                    a.copies
                        .iter()
                        .filter_map(|&c| d.arrow(c))
                        .filter_map(|c| c.recv),
                );
            }
            for q in pt
                .next
                .into_iter()
                .chain(recvs.iter().copied())
                .filter(|&q| held(q))
            {
                if !future[idx(q)] {
                    future[idx(q)] = true;
                    stack.push(q);
                }
            }
        }
        let before = past.iter().filter(|&&b| b).count();
        let after = future.iter().filter(|&&b| b).count();
        Some(Self {
            origin,
            base: range.start,
            concurrent: n - before - after - 1,
            past,
            future,
            before,
            after,
        })
    }

    /// The selected event.
    pub fn origin(&self) -> PointId {
        self.origin
    }

    /// How event `p` stands to the selected one (an event the diagram no longer holds, or one
    /// newer than the selection's computation, counts as concurrent).
    pub fn relation(&self, p: PointId) -> Relation {
        if p == self.origin {
            return Relation::Same;
        }
        let Some(k) = p.checked_sub(self.base).map(|k| k as usize) else {
            return Relation::Concurrent;
        };
        if self.past.get(k).copied().unwrap_or(false) {
            Relation::Before
        } else if self.future.get(k).copied().unwrap_or(false) {
            Relation::After
        } else {
            Relation::Concurrent
        }
    }

    /// The counts in words, as the page says them.
    pub fn words(&self) -> String {
        let ev = |n: usize| {
            if n == 1 {
                "1 event".to_string()
            } else {
                format!("{n} events")
            }
        };
        format!(
            "{} happened before this, {} after it; {} concurrent with it",
            ev(self.before),
            ev(self.after),
            if self.concurrent == 1 {
                "1 is".to_string()
            } else {
                format!("{} are", self.concurrent)
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    /// Lamport's vector clocks, computed by hand for a three-node exchange:
    ///
    /// ```text
    /// n0: a(send m1) ------------------- e(recv m3)
    /// n1:        b(recv m1) c(send m2) d(send m3)
    /// n2: f(note)                g(recv m2)
    /// ```
    /// a=[1,0,0] b=[1,1,0] c=[1,2,0] d=[1,3,0] e=[2,3,0] f=[0,0,1] g=[1,2,2].
    /// x happened before y iff VC(x) < VC(y).
    fn exchange() -> Diagram {
        Diagram::from_lines(
            &[
                note(0, 5, 2, "f"),
                sent(1, 10, 1, 0, 1, Some(20)),
                delivered(2, 20, 1, 0, 1),
                sent(3, 30, 2, 1, 2, Some(50)),
                sent(4, 40, 3, 1, 0, Some(60)),
                delivered(5, 50, 2, 1, 2),
                delivered(6, 60, 3, 1, 0),
            ],
            3,
        )
    }

    fn vc() -> Vec<(PointId, [u32; 3])> {
        // Points in trace order: f a b c d g e.
        vec![
            (0, [0, 0, 1]),
            (1, [1, 0, 0]),
            (2, [1, 1, 0]),
            (3, [1, 2, 0]),
            (4, [1, 3, 0]),
            (5, [1, 2, 2]),
            (6, [2, 3, 0]),
        ]
    }

    fn less(x: [u32; 3], y: [u32; 3]) -> bool {
        x != y && x.iter().zip(y).all(|(a, b)| *a <= b)
    }

    #[test]
    fn happened_before_agrees_with_hand_computed_vector_clocks() {
        let d = exchange();
        for (p, vp) in vc() {
            let c = Causality::of(&d, p).unwrap();
            for (q, vq) in vc() {
                let want = if p == q {
                    Relation::Same
                } else if less(vq, vp) {
                    Relation::Before
                } else if less(vp, vq) {
                    Relation::After
                } else {
                    Relation::Concurrent
                };
                assert_eq!(c.relation(q), want, "event {q} against selected {p}");
            }
        }
    }

    #[test]
    fn the_counts_say_how_many_came_before_after_and_alongside() {
        let d = exchange();
        // c (n1 sends m2): before it a, b; after it d, g, e; f is concurrent.
        let c = Causality::of(&d, 3).unwrap();
        assert_eq!((c.before, c.after, c.concurrent), (2, 3, 1));
        assert_eq!(
            c.words(),
            "2 events happened before this, 3 events after it; 1 is concurrent with it"
        );
    }

    #[test]
    fn a_lost_message_links_nothing() {
        let d = Diagram::from_lines(
            &[
                sent(0, 10, 1, 0, 1, Some(20)),
                dropped(1, 15, 1, 0, 1, "lost"),
                note(2, 30, 1, "x"),
            ],
            2,
        );
        let c = Causality::of(&d, 0).unwrap();
        assert_eq!(c.relation(1), Relation::Concurrent);
    }

    #[test]
    fn a_forgotten_event_has_no_causality() {
        let d = exchange();
        assert!(Causality::of(&d, 99).is_none());
    }
}
