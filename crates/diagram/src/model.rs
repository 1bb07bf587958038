//! A bounded index of the trace, shaped for drawing: each message as one arrow with its fate,
//! each node's outages, the partitions in force, and the local events worth a mark. It is fed
//! the trace's new lines as the run goes; a line it already holds is checked against what it
//! saw, so going back in a run keeps the future already seen (the same seed and actions bring
//! it back bit for bit) while acting differently at an earlier moment cuts it off there.

use splitbrain_sim::{MsgId, NodeId, Time, TraceLine};
use std::collections::{BTreeMap, VecDeque};

/// The number of an event in the diagram, counted from the first ever held, so it stays the
/// same while older events are forgotten.
pub type PointId = u64;

/// Events held at most, by default: enough for 100,000 trace events of a busy run.
pub const DEFAULT_CAPACITY: usize = 120_000;

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Not yet delivered or dropped, as far as the run has gone.
    InFlight,
    /// Handled by its receiver.
    Delivered,
    /// Never arrived; the reason in words ("lost", "partitioned in flight", ...).
    Dropped(String),
}

/// One message copy, from its send to its end.
#[derive(Debug, Clone)]
pub struct Arrow {
    /// The run's id for it.
    pub id: MsgId,
    /// The message this is a network-made copy of.
    pub copy_of: Option<MsgId>,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// When it left.
    pub sent: Time,
    /// When the network meant to deliver it (`None`: dropped as it was sent).
    pub due: Option<Time>,
    /// When it was delivered or dropped.
    pub end: Option<Time>,
    /// How it ended, so far.
    pub fate: Fate,
    /// Its kind ("vote", "append"...), as the lab names it.
    pub kind: String,
    /// The animation's short label.
    pub short: String,
    /// The log's full label.
    pub label: String,
    /// Its send, as an event on the sender's lane.
    pub send: PointId,
    /// Its delivery, as an event on the receiver's lane.
    pub recv: Option<PointId>,
    /// Trace index of the line that made it (its `sent`, or a copy's `duplicated`), and of
    /// its end: to undo them when the run branches before them.
    made: u64,
    end_trace: Option<u64>,
    /// Copies the network made of it (their arrows' numbers).
    pub copies: Vec<u64>,
}

/// A local event drawn as a mark on its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A timer fired (an election timeout, a retry).
    Timer,
    /// The process noted something worth saying (a vote granted, an entry committed).
    Note,
    /// A client command arrived.
    Command,
    /// The node crashed.
    Crash,
    /// The node came back.
    Restart,
    /// An invariant broke.
    Violation,
}

/// A mark on a lane (or across all lanes, for a violation).
#[derive(Debug, Clone)]
pub struct Mark {
    /// When.
    pub t: Time,
    /// On which lane (`None`: the whole run, as a violation).
    pub node: Option<NodeId>,
    /// What happened.
    pub kind: MarkKind,
    /// What the trace said about it.
    pub text: String,
    /// Its event on the lane.
    pub point: Option<PointId>,
    trace: u64,
}

/// A stretch of time a node was down.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// Which node.
    pub node: NodeId,
    /// When it crashed.
    pub from: Time,
    /// When it came back (`None`: still down).
    pub to: Option<Time>,
    from_trace: u64,
    to_trace: Option<u64>,
}

/// A partition (or a one-way cut) in force from `from` to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// When it began.
    pub from: Time,
    /// When it was healed (`None`: still in force).
    pub to: Option<Time>,
    /// The groups as the run gave them; a cut is `[[from], [to]]`.
    pub groups: Vec<Vec<NodeId>>,
    /// A one-way cut rather than a partition.
    pub one_way: bool,
    /// It in words.
    pub text: String,
    from_trace: u64,
    to_trace: Option<u64>,
}

/// An event on a lane: what happened-before is computed over.
#[derive(Debug, Clone)]
pub struct Point {
    /// When.
    pub t: Time,
    /// On whose lane.
    pub node: NodeId,
    /// The previous event on the same lane.
    pub prev: Option<PointId>,
    /// The next event on the same lane.
    pub next: Option<PointId>,
    /// The arrow this event sends.
    pub sends: Option<u64>,
    /// The arrow this event receives.
    pub receives: Option<u64>,
    trace: u64,
}

/// The diagram's index of a run.
#[derive(Debug, Clone)]
pub struct Diagram {
    points: VecDeque<Point>,
    points_base: u64,
    arrows: VecDeque<Arrow>,
    arrows_base: u64,
    marks: VecDeque<Mark>,
    outages: Vec<Outage>,
    bands: Vec<Band>,
    /// Messages still in flight: id to arrow number.
    flying: BTreeMap<MsgId, u64>,
    /// The newest event on each lane.
    last_on_lane: Vec<Option<PointId>>,
    /// A fingerprint of each trace line held, to notice a branch.
    seen: VecDeque<u32>,
    seen_base: u64,
    /// The longest any arrow spans, to find the arrows crossing a window.
    longest: Time,
    lanes: usize,
    capacity: usize,
    /// Times the index was cut back or started afresh: event numbers held before may now
    /// name other events.
    generation: u64,
}

impl Default for Diagram {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl Diagram {
    /// An empty diagram holding at most `capacity` events (the oldest go first).
    pub fn new(capacity: usize) -> Self {
        Self {
            points: VecDeque::new(),
            points_base: 0,
            arrows: VecDeque::new(),
            arrows_base: 0,
            marks: VecDeque::new(),
            outages: Vec::new(),
            bands: Vec::new(),
            flying: BTreeMap::new(),
            last_on_lane: Vec::new(),
            seen: VecDeque::new(),
            seen_base: 0,
            longest: 0,
            lanes: 0,
            capacity: capacity.max(64),
            generation: 0,
        }
    }

    /// A diagram of a whole trace.
    pub fn from_lines(lines: &[TraceLine], lanes: usize) -> Self {
        let mut d = Self::new(DEFAULT_CAPACITY.max(lines.len()));
        d.set_lanes(lanes);
        d.sync(lines);
        d
    }

    /// How many lanes to draw at least (the run's node count: a node that never sent still
    /// has a lane).
    pub fn set_lanes(&mut self, n: usize) {
        self.lanes = n;
    }

    /// Lanes drawn: the run's nodes, or more if the trace names more.
    pub fn lanes(&self) -> usize {
        self.lanes.max(self.last_on_lane.len())
    }

    /// Changes whenever the index is cut back or started afresh, after which a selected
    /// event's number may name another event.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Trace index just past the newest line held.
    pub fn seen(&self) -> u64 {
        self.seen_base + self.seen.len() as u64
    }

    /// Takes the trace's lines in order. A line already held that differs from this one means
    /// the run branched there: everything from it on is forgotten first. A gap (lines the run
    /// no longer holds) starts the diagram afresh.
    pub fn sync(&mut self, lines: &[TraceLine]) {
        for l in lines {
            if l.i < self.seen_base {
                continue;
            }
            if l.i < self.seen() {
                if self.seen[(l.i - self.seen_base) as usize] == fingerprint(l) {
                    continue;
                }
                self.truncate(l.i);
            }
            if l.i > self.seen() {
                let (lanes, generation) = (self.lanes, self.generation + 1);
                *self = Self::new(self.capacity);
                (self.lanes, self.generation) = (lanes, generation);
                self.seen_base = l.i;
            }
            self.ingest(l);
            self.seen.push_back(fingerprint(l));
        }
        self.trim();
    }

    fn ingest(&mut self, l: &TraceLine) {
        match l.ev {
            "sent" => {
                let (Some(id), Some(from), Some(to)) = (l.id, l.from, l.to) else {
                    return;
                };
                let number = self.arrows_base + self.arrows.len() as u64;
                let send = self.point(l, from, Some(number), None);
                let dropped_at_once = l.at.is_none();
                if let Some(due) = l.at {
                    self.longest = self.longest.max(due.saturating_sub(l.t));
                    self.flying.insert(id, number);
                }
                self.arrows.push_back(Arrow {
                    id,
                    copy_of: None,
                    from,
                    to,
                    sent: l.t,
                    due: l.at,
                    end: dropped_at_once.then_some(l.t),
                    fate: if dropped_at_once {
                        Fate::Dropped(String::new())
                    } else {
                        Fate::InFlight
                    },
                    kind: l.kind.clone().unwrap_or_default(),
                    short: l.short.clone(),
                    label: l.text.clone(),
                    send,
                    recv: None,
                    made: l.i,
                    end_trace: None,
                    copies: Vec::new(),
                });
            }
            "duplicated" => {
                let Some(id) = l.id else { return };
                let of = l
                    .text
                    .strip_prefix("copy of #")
                    .and_then(|s| s.parse::<MsgId>().ok());
                let Some(orig) = of.and_then(|of| self.arrow_by_id(of)) else {
                    return;
                };
                let number = self.arrows_base + self.arrows.len() as u64;
                let mut copy = self
                    .arrow(orig)
                    .cloned()
                    .unwrap_or_else(|| unreachable_arrow(id));
                copy.id = id;
                copy.copy_of = of;
                copy.due = l.at;
                copy.end = None;
                copy.fate = Fate::InFlight;
                copy.recv = None;
                copy.made = l.i;
                copy.end_trace = None;
                copy.copies = Vec::new();
                if let Some(due) = l.at {
                    self.longest = self.longest.max(due.saturating_sub(copy.sent));
                }
                if let Some(a) = self.arrow_mut(orig) {
                    a.copies.push(number);
                }
                self.flying.insert(id, number);
                self.arrows.push_back(copy);
            }
            "delivered" => {
                let (Some(id), Some(to)) = (l.id, l.to) else {
                    return;
                };
                let Some(number) = self.flying.remove(&id) else {
                    return;
                };
                let recv = self.point(l, to, None, Some(number));
                if let Some(a) = self.arrow_mut(number) {
                    a.end = Some(l.t);
                    a.fate = Fate::Delivered;
                    a.recv = Some(recv);
                    a.end_trace = Some(l.i);
                }
            }
            "dropped" => {
                let Some(id) = l.id else { return };
                let reason = l.kind.clone().unwrap_or_default();
                if let Some(number) = self.flying.remove(&id) {
                    if let Some(a) = self.arrow_mut(number) {
                        a.end = Some(l.t);
                        a.fate = Fate::Dropped(reason);
                        a.end_trace = Some(l.i);
                    }
                } else if let Some(a) = self.arrows.back_mut().filter(|a| a.id == id) {
                    // Dropped as it was sent: the line right after its `sent`.
                    a.fate = Fate::Dropped(reason);
                    a.end_trace = Some(l.i);
                }
            }
            "timer-fired" => self.mark(l, MarkKind::Timer),
            "note" => self.mark(l, MarkKind::Note),
            "command" => self.mark(l, MarkKind::Command),
            "violation" => self.mark(l, MarkKind::Violation),
            "crash" => {
                self.mark(l, MarkKind::Crash);
                if let Some(node) = l.node {
                    self.outages.push(Outage {
                        node,
                        from: l.t,
                        to: None,
                        from_trace: l.i,
                        to_trace: None,
                    });
                }
            }
            "restart" => {
                self.mark(l, MarkKind::Restart);
                if let Some(o) = self
                    .outages
                    .iter_mut()
                    .rev()
                    .find(|o| Some(o.node) == l.node && o.to.is_none())
                {
                    o.to = Some(l.t);
                    o.to_trace = Some(l.i);
                }
            }
            "partition" => {
                self.end_bands(l, false);
                self.bands.push(Band {
                    from: l.t,
                    to: None,
                    groups: l.groups.clone().unwrap_or_default(),
                    one_way: false,
                    text: l.text.clone(),
                    from_trace: l.i,
                    to_trace: None,
                });
            }
            "cut" => {
                let (Some(from), Some(to)) = (l.from, l.to) else {
                    return;
                };
                self.bands.push(Band {
                    from: l.t,
                    to: None,
                    groups: vec![vec![from], vec![to]],
                    one_way: true,
                    text: format!("n{from} ↛ n{to} cut"),
                    from_trace: l.i,
                    to_trace: None,
                });
            }
            "heal" => self.end_bands(l, true),
            _ => {}
        }
    }

    /// Ends the partition in force (and with `cuts`, every cut too).
    fn end_bands(&mut self, l: &TraceLine, cuts: bool) {
        for b in self
            .bands
            .iter_mut()
            .filter(|b| b.to.is_none() && (cuts || !b.one_way))
        {
            b.to = Some(l.t);
            b.to_trace = Some(l.i);
        }
    }

    fn mark(&mut self, l: &TraceLine, kind: MarkKind) {
        let point = l.node.map(|node| self.point(l, node, None, None));
        let text = match kind {
            MarkKind::Violation => {
                format!("{}: {}", l.kind.as_deref().unwrap_or("violation"), l.text)
            }
            _ => l.text.clone(),
        };
        self.marks.push_back(Mark {
            t: l.t,
            node: l.node,
            kind,
            text,
            point,
            trace: l.i,
        });
    }

    /// Adds an event on `node`'s lane.
    fn point(
        &mut self,
        l: &TraceLine,
        node: NodeId,
        sends: Option<u64>,
        receives: Option<u64>,
    ) -> PointId {
        let id = self.points_base + self.points.len() as u64;
        if self.last_on_lane.len() <= node {
            self.last_on_lane.resize(node + 1, None);
        }
        let prev = self.last_on_lane[node];
        if let Some(p) = prev.and_then(|p| self.point_mut(p)) {
            p.next = Some(id);
        }
        self.last_on_lane[node] = Some(id);
        self.points.push_back(Point {
            t: l.t,
            node,
            prev,
            next: None,
            sends,
            receives,
            trace: l.i,
        });
        id
    }

    /// Forgets everything from trace index `i` on: the run went another way from there.
    fn truncate(&mut self, i: u64) {
        self.generation += 1;
        while self.points.back().is_some_and(|p| p.trace >= i) {
            self.points.pop_back();
        }
        let end = self.points_base + self.points.len() as u64;
        for p in &mut self.points {
            if p.next.is_some_and(|n| n >= end) {
                p.next = None;
            }
        }
        while self
            .arrows
            .back()
            .is_some_and(|a| a.made >= i || a.send >= end)
        {
            self.arrows.pop_back();
        }
        let arrows_end = self.arrows_base + self.arrows.len() as u64;
        for a in &mut self.arrows {
            a.copies.retain(|&c| c < arrows_end);
            if a.end_trace.is_some_and(|t| t >= i) || a.recv.is_some_and(|r| r >= end) {
                // Back to what its `sent` line said: in flight, or dropped as it left.
                (a.end, a.fate) = match a.due {
                    Some(_) => (None, Fate::InFlight),
                    None => (Some(a.sent), Fate::Dropped(String::new())),
                };
                a.recv = None;
                a.end_trace = None;
            }
        }
        while self.marks.back().is_some_and(|m| m.trace >= i) {
            self.marks.pop_back();
        }
        self.outages.retain(|o| o.from_trace < i);
        for o in &mut self.outages {
            if o.to_trace.is_some_and(|t| t >= i) {
                o.to = None;
                o.to_trace = None;
            }
        }
        self.bands.retain(|b| b.from_trace < i);
        for b in &mut self.bands {
            if b.to_trace.is_some_and(|t| t >= i) {
                b.to = None;
                b.to_trace = None;
            }
        }
        self.flying = self
            .arrows
            .iter()
            .enumerate()
            .filter(|(_, a)| a.fate == Fate::InFlight && a.due.is_some())
            .map(|(k, a)| (a.id, self.arrows_base + k as u64))
            .collect();
        for lane in &mut self.last_on_lane {
            *lane = None;
        }
        for (k, p) in self.points.iter().enumerate() {
            self.last_on_lane[p.node] = Some(self.points_base + k as u64);
        }
        self.seen.truncate((i - self.seen_base) as usize);
    }

    /// Forgets the oldest events past the capacity, a tenth at a time.
    fn trim(&mut self) {
        if self.seen.len() <= self.capacity {
            return;
        }
        let keep = self.capacity - self.capacity / 10;
        let cut_trace = self.seen_base + (self.seen.len() - keep) as u64;
        self.seen.drain(..self.seen.len() - keep);
        self.seen_base = cut_trace;
        while self.points.front().is_some_and(|p| p.trace < cut_trace) {
            self.points.pop_front();
            self.points_base += 1;
        }
        // An arrow goes with its send; its delivery may stay as a point whose sender is gone.
        while self
            .arrows
            .front()
            .is_some_and(|a| a.send < self.points_base)
        {
            if let Some(a) = self.arrows.pop_front() {
                self.flying.remove(&a.id);
            }
            self.arrows_base += 1;
        }
        while self.marks.front().is_some_and(|m| m.trace < cut_trace) {
            self.marks.pop_front();
        }
        let first = self.points.front().map_or(Time::MAX, |p| p.t);
        self.outages.retain(|o| o.to.is_none_or(|t| t >= first));
        self.bands.retain(|b| b.to.is_none_or(|t| t >= first));
    }

    /// Arrow number `n`, if still held.
    pub fn arrow(&self, n: u64) -> Option<&Arrow> {
        n.checked_sub(self.arrows_base)
            .and_then(|k| self.arrows.get(k as usize))
    }

    fn arrow_mut(&mut self, n: u64) -> Option<&mut Arrow> {
        n.checked_sub(self.arrows_base)
            .and_then(|k| self.arrows.get_mut(k as usize))
    }

    /// The arrow of message `id`, searching back from the newest.
    pub fn arrow_by_id(&self, id: MsgId) -> Option<u64> {
        if let Some(&n) = self.flying.get(&id) {
            return Some(n);
        }
        // The run numbers messages and copies in the order they are made, so a binary search
        // over the arrows finds it.
        let k = self.arrows.partition_point(|a| a.id < id);
        (self.arrows.get(k)?.id == id).then_some(self.arrows_base + k as u64)
    }

    /// Event `p`, if still held.
    pub fn point_at(&self, p: PointId) -> Option<&Point> {
        p.checked_sub(self.points_base)
            .and_then(|k| self.points.get(k as usize))
    }

    fn point_mut(&mut self, p: PointId) -> Option<&mut Point> {
        p.checked_sub(self.points_base)
            .and_then(|k| self.points.get_mut(k as usize))
    }

    /// Numbers of the events held: `first..end`.
    pub fn point_range(&self) -> std::ops::Range<PointId> {
        self.points_base..self.points_base + self.points.len() as u64
    }

    /// The arrows that cross the window `[from, to]`, each with its number, oldest first.
    pub fn arrows_in(&self, from: Time, to: Time) -> impl Iterator<Item = (u64, &Arrow)> {
        let start = self
            .arrows
            .partition_point(|a| a.sent < from.saturating_sub(self.longest));
        self.arrows
            .range(start..)
            .enumerate()
            .take_while(move |(_, a)| a.sent <= to)
            .filter(move |(_, a)| a.end.or(a.due).is_none_or(|e| e >= from))
            .map(move |(k, a)| (self.arrows_base + (start + k) as u64, a))
    }

    /// The marks in `[from, to]`.
    pub fn marks_in(&self, from: Time, to: Time) -> impl Iterator<Item = &Mark> {
        let start = self.marks.partition_point(|m| m.t < from);
        self.marks.range(start..).take_while(move |m| m.t <= to)
    }

    /// The events in `[from, to]`, oldest first.
    pub fn points_in(&self, from: Time, to: Time) -> impl Iterator<Item = (PointId, &Point)> {
        let start = self.points.partition_point(|p| p.t < from);
        self.points
            .range(start..)
            .enumerate()
            .take_while(move |(_, p)| p.t <= to)
            .map(move |(k, p)| (self.points_base + (start + k) as u64, p))
    }

    /// Each node's outages.
    pub fn outages(&self) -> &[Outage] {
        &self.outages
    }

    /// Partitions and cuts, oldest first.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The first and last times the diagram holds.
    pub fn span(&self) -> Option<(Time, Time)> {
        let first = self
            .points
            .front()
            .map(|p| p.t)
            .into_iter()
            .chain(self.marks.front().map(|m| m.t))
            .min()?;
        let last = self
            .points
            .back()
            .map(|p| p.t)
            .into_iter()
            .chain(self.marks.back().map(|m| m.t))
            .max()?;
        Some((first, last))
    }
}

/// A stand-in that never happens: `arrow_by_id` found the original, so `arrow` finds it too.
fn unreachable_arrow(id: MsgId) -> Arrow {
    Arrow {
        id,
        copy_of: None,
        from: 0,
        to: 0,
        sent: 0,
        due: None,
        end: None,
        fate: Fate::InFlight,
        kind: String::new(),
        short: String::new(),
        label: String::new(),
        send: 0,
        recv: None,
        made: 0,
        end_trace: None,
        copies: Vec::new(),
    }
}

/// Enough of a line to tell the same run's line from another's (FNV-1a over its fields).
fn fingerprint(l: &TraceLine) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |v: u64| {
        for b in v.to_le_bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    eat(l.t);
    eat(l.node.map_or(u64::MAX, |n| n as u64));
    eat(l.id.unwrap_or(u64::MAX));
    eat(l.from.map_or(u64::MAX, |n| n as u64));
    eat(l.to.map_or(u64::MAX, |n| n as u64));
    eat(l.at.unwrap_or(u64::MAX));
    // Every word too: a partition into other groups, or a link set to another loss, is
    // another run from there on.
    for text in [l.ev, &l.text, &l.short, l.kind.as_deref().unwrap_or("")] {
        eat(text.len() as u64);
        for b in text.bytes() {
            eat(u64::from(b));
        }
    }
    for g in l.groups.iter().flatten() {
        eat(u64::MAX - 1);
        for &n in g {
            eat(n as u64);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn a_delivered_message_is_one_arrow_from_its_send_to_its_delivery() {
        let d = Diagram::from_lines(
            &[sent(0, 10, 1, 0, 1, Some(30)), delivered(1, 30, 1, 0, 1)],
            2,
        );
        let (_, a) = d.arrows_in(0, 100).next().unwrap();
        assert_eq!(
            (a.from, a.to, a.sent, a.end, &a.fate),
            (0, 1, 10, Some(30), &Fate::Delivered)
        );
        let recv = d.point_at(a.recv.unwrap()).unwrap();
        assert_eq!((recv.node, recv.t), (1, 30));
    }

    #[test]
    fn a_dropped_message_ends_where_it_died_with_its_reason() {
        let d = Diagram::from_lines(
            &[
                sent(0, 10, 1, 0, 1, Some(50)),
                dropped(1, 20, 1, 0, 1, "partitioned in flight"),
                sent(2, 30, 2, 1, 0, None),
                dropped(3, 30, 2, 1, 0, "lost"),
            ],
            2,
        );
        let arrows: Vec<_> = d
            .arrows_in(0, 100)
            .map(|(_, a)| (a.end, a.fate.clone()))
            .collect();
        assert_eq!(
            arrows,
            [
                (Some(20), Fate::Dropped("partitioned in flight".into())),
                (Some(30), Fate::Dropped("lost".into()))
            ]
        );
    }

    #[test]
    fn a_network_copy_is_its_own_arrow_from_the_same_send() {
        let d = Diagram::from_lines(
            &[
                sent(0, 10, 1, 0, 1, Some(30)),
                duplicated(1, 10, 2, 1, 40),
                delivered(2, 30, 1, 0, 1),
                delivered(3, 40, 2, 0, 1),
            ],
            2,
        );
        let arrows: Vec<_> = d.arrows_in(0, 100).map(|(_, a)| a.clone()).collect();
        assert_eq!(arrows.len(), 2);
        assert_eq!(arrows[1].copy_of, Some(1));
        assert_eq!(arrows[0].send, arrows[1].send);
        assert_eq!(arrows[1].end, Some(40));
        assert_eq!(arrows[0].copies, [1]);
    }

    #[test]
    fn crashes_cut_a_lane_until_the_restart_and_partitions_band_until_heal() {
        let d = Diagram::from_lines(
            &[
                crash(0, 10, 2),
                partition(1, 20, vec![vec![0], vec![1, 2]]),
                restart(2, 30, 2),
                heal(3, 40),
            ],
            3,
        );
        assert_eq!(d.outages().len(), 1);
        assert_eq!((d.outages()[0].from, d.outages()[0].to), (10, Some(30)));
        assert_eq!((d.bands()[0].from, d.bands()[0].to), (20, Some(40)));
        assert_eq!(d.bands()[0].groups, vec![vec![0], vec![1, 2]]);
    }

    #[test]
    fn going_back_keeps_the_future_already_seen_and_a_branch_cuts_it_off() {
        let run = [
            sent(0, 10, 1, 0, 1, Some(30)),
            delivered(1, 30, 1, 0, 1),
            sent(2, 40, 2, 1, 0, Some(60)),
            delivered(3, 60, 2, 1, 0),
        ];
        let mut d = Diagram::new(1000);
        d.sync(&run);
        // The same lines again (a seek back and forward): nothing changes.
        d.sync(&run[1..]);
        assert_eq!(d.arrows_in(0, 100).count(), 2);
        // From line 2 on the run went another way: a crash instead of the second message.
        d.sync(&[crash(2, 35, 1)]);
        assert_eq!(d.arrows_in(0, 100).count(), 1);
        assert_eq!(d.outages().len(), 1);
        assert_eq!(d.seen(), 3);
    }

    #[test]
    fn a_branch_before_a_delivery_puts_the_message_back_in_flight() {
        let mut d = Diagram::new(1000);
        d.sync(&[sent(0, 10, 1, 0, 1, Some(30)), delivered(1, 30, 1, 0, 1)]);
        d.sync(&[dropped(1, 20, 1, 0, 1, "dropped by user")]);
        let (_, a) = d.arrows_in(0, 100).next().unwrap();
        assert_eq!(
            (a.end, &a.fate, a.recv),
            (Some(20), &Fate::Dropped("dropped by user".into()), None)
        );
    }

    #[test]
    fn a_partition_into_other_groups_is_another_run() {
        let mut d = Diagram::new(1000);
        d.sync(&[partition(0, 10, vec![vec![0], vec![1, 2]])]);
        d.sync(&[partition(0, 10, vec![vec![2], vec![0, 1]])]);
        assert_eq!(d.bands().len(), 1);
        assert_eq!(d.bands()[0].groups, vec![vec![2], vec![0, 1]]);
        assert_eq!(d.generation(), 1);
    }

    #[test]
    fn a_branch_forgets_a_copy_only_the_old_run_made() {
        let mut d = Diagram::new(1000);
        d.sync(&[
            sent(0, 10, 1, 0, 1, Some(30)),
            duplicated(1, 10, 2, 1, 40),
            delivered(2, 30, 1, 0, 1),
        ]);
        d.sync(&[delivered(1, 30, 1, 0, 1)]);
        let ids: Vec<_> = d
            .arrows_in(0, 100)
            .map(|(_, a)| (a.id, a.fate.clone(), a.copies.clone()))
            .collect();
        assert_eq!(ids, [(1, Fate::Delivered, vec![])]);
        // A later line naming the forgotten copy finds nothing in flight.
        d.sync(&[delivered(2, 40, 2, 0, 1)]);
        assert_eq!(d.arrows_in(0, 100).count(), 1);
    }

    #[test]
    fn a_branch_between_a_send_and_its_drop_keeps_it_dropped_as_it_left() {
        let mut d = Diagram::new(1000);
        d.sync(&[sent(0, 10, 1, 0, 1, None), dropped(1, 10, 1, 0, 1, "lost")]);
        d.sync(&[crash(1, 10, 2)]);
        let (_, a) = d.arrows_in(0, 100).next().unwrap();
        assert_eq!((a.end, &a.fate), (Some(10), &Fate::Dropped(String::new())));
    }

    #[test]
    fn the_index_stays_within_its_capacity() {
        let mut d = Diagram::new(100);
        let mut lines = Vec::new();
        for k in 0..1000u64 {
            lines.push(sent(2 * k, 10 * k, k, 0, 1, Some(10 * k + 5)));
            lines.push(delivered(2 * k + 1, 10 * k + 5, k, 0, 1));
        }
        d.sync(&lines);
        assert!(d.point_range().end - d.point_range().start <= 100);
        assert!(d.arrows_in(0, u64::MAX).count() <= 50);
        let (_, last) = d.arrows_in(0, u64::MAX).last().unwrap();
        assert_eq!(last.id, 999);
        assert_eq!(
            d.arrow_by_id(999).and_then(|n| d.arrow(n)).map(|a| a.id),
            Some(999)
        );
    }

    #[test]
    fn a_gap_in_the_lines_starts_afresh() {
        let mut d = Diagram::new(1000);
        d.sync(&[sent(0, 10, 1, 0, 1, Some(30))]);
        d.sync(&[sent(9, 50, 5, 1, 0, Some(70))]);
        assert_eq!(
            d.arrows_in(0, 100).map(|(_, a)| a.id).collect::<Vec<_>>(),
            [5]
        );
    }
}
