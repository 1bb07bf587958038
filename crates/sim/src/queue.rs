//! The simulator's agenda: protocol events in a heap, scheduled user actions in time order.
//!
//! Everything pops in one total order, (virtual time, class, sequence): at equal times protocol
//! events (class 0) come before scheduled actions (class 1), exactly as a live action lands
//! after everything already queued for its instant. That is what makes a recorded run replay
//! bit for bit.
//!
//! The two live apart because a replayed or benchmarked run schedules all its actions up front
//! (a client request every 20 ms for 30 s is 1,500 of them) while only a few dozen messages and
//! timers are pending at once. In one heap, every message and timer paid for the depth the
//! actions added; here they pay only for each other.

use crate::NodeId;
use crate::control::Action;
use crate::time::Time;
use crate::trace::MsgId;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// A protocol event.
#[derive(Clone)]
pub(crate) enum Ev<T> {
    Deliver(MsgId),
    Timer {
        node: NodeId,
        timer: T,
        generation: u64,
    },
}

/// What pops next.
pub(crate) enum Next<T> {
    Event(Ev<T>),
    Action(Action),
}

#[derive(Clone)]
struct Queued<T> {
    time: Time,
    seq: u64,
    ev: Ev<T>,
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl<T> Eq for Queued<T> {}
impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Queued<T> {
    /// Reversed so `BinaryHeap` pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.time.cmp(&self.time).then(other.seq.cmp(&self.seq))
    }
}

/// Pending events (`T` names a timer) and actions, popped in (time, class, sequence) order.
#[derive(Clone)]
pub(crate) struct Agenda<T> {
    events: BinaryHeap<Queued<T>>,
    /// Sorted by time, in the order scheduled within one instant. Actions nearly always arrive
    /// in time order (a replay schedules its whole list up front), so an insert is a push at
    /// the back; a sorted deque is also smaller in the page's wasm than a `BTreeMap`.
    actions: VecDeque<(Time, Action)>,
    seq: u64,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Self {
            events: BinaryHeap::new(),
            actions: VecDeque::new(),
            seq: 0,
        }
    }
}

impl<T> Agenda<T> {
    /// Queues a protocol event at `time`.
    pub fn push_event(&mut self, time: Time, ev: Ev<T>) {
        self.events.push(Queued {
            time,
            seq: self.seq,
            ev,
        });
        self.seq += 1;
    }

    /// Queues a user action at `time`, after every protocol event of that instant.
    pub fn push_action(&mut self, time: Time, action: Action) {
        // After every action at `time` or before, so one instant's actions keep their order.
        let at = self.actions.partition_point(|a| a.0 <= time);
        self.actions.insert(at, (time, action));
    }

    /// When the next thing happens.
    pub fn next_time(&self) -> Option<Time> {
        let event = self.events.peek().map(|q| q.time);
        let action = self.actions.front().map(|a| a.0);
        match (event, action) {
            (Some(e), Some(a)) => Some(e.min(a)),
            (e, a) => e.or(a),
        }
    }

    /// Removes and returns the next thing if it happens at or before `limit`.
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, Next<T>)> {
        let event = self.events.peek().map(|q| q.time);
        let action = self.actions.front().map(|a| a.0);
        // At equal times the protocol event goes first (class 0 before class 1).
        let take_event = match (event, action) {
            (Some(e), Some(a)) => e <= a,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_event {
            let q = self.events.peek().filter(|q| q.time <= limit)?;
            let time = q.time;
            let q = self.events.pop()?;
            Some((time, Next::Event(q.ev)))
        } else {
            if self.actions.front().is_none_or(|a| a.0 > limit) {
                return None;
            }
            let (time, action) = self.actions.pop_front()?;
            Some((time, Next::Action(action)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(agenda: &mut Agenda<u8>) -> Vec<(Time, String)> {
        let mut out = Vec::new();
        while let Some((t, next)) = agenda.pop_until(Time::MAX) {
            out.push((
                t,
                match next {
                    Next::Event(Ev::Deliver(id)) => format!("deliver {id}"),
                    Next::Event(Ev::Timer { node, .. }) => format!("timer n{node}"),
                    Next::Action(a) => format!("action {a:?}"),
                },
            ));
        }
        out
    }

    #[test]
    fn events_pop_in_time_then_sequence_order_and_actions_after_events_of_their_instant() {
        let mut a = Agenda::<u8>::default();
        a.push_action(5, Action::Heal);
        a.push_event(5, Ev::Deliver(1));
        a.push_event(3, Ev::Deliver(2));
        a.push_action(3, Action::Crash { node: 0 });
        a.push_event(5, Ev::Deliver(3));
        a.push_event(7, Ev::Deliver(4));
        let got: Vec<String> = order(&mut a).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            got,
            [
                "deliver 2",
                "action Crash { node: 0 }",
                "deliver 1",
                "deliver 3",
                "action Heal",
                "deliver 4"
            ]
        );
    }

    #[test]
    fn nothing_pops_past_the_limit() {
        let mut a = Agenda::<u8>::default();
        a.push_event(10, Ev::Deliver(1));
        a.push_action(4, Action::Heal);
        assert_eq!(a.next_time(), Some(4));
        assert!(a.pop_until(3).is_none());
        assert!(matches!(a.pop_until(4), Some((4, Next::Action(_)))));
        assert!(a.pop_until(9).is_none());
        assert_eq!(a.next_time(), Some(10));
    }
}
