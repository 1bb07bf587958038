//! The `Linearizable` check as the page runs it: again only when the clients' history changed,
//! and, while the run plays, with a step budget small enough for a frame; paused, with the
//! whole budget the CLI uses. Plain Rust with native tests: the history view only reads it.

use splitbrain_labs::consistency::{BUDGET, Judgement, judge};
use splitbrain_linearizable::Op;
use std::rc::Rc;

/// Search steps while playing: about a millisecond of work in the page.
pub const LIVE_BUDGET: u64 = 20_000;

/// The last judgement and what it was made on.
#[derive(Clone)]
pub struct HistoryCheck {
    /// (operations, answered operations, whole budget, the newest operation's call and answer
    /// times): these tell a changed history from the same one.
    key: (usize, usize, bool, Option<(u64, Option<u64>)>),
    judged: Rc<Judgement>,
}

impl Default for HistoryCheck {
    fn default() -> Self {
        HistoryCheck {
            key: (0, 0, true, None),
            judged: Rc::new(Judgement::Empty),
        }
    }
}

/// What the history view shows of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// The judgement.
    Judged(Rc<Judgement>),
    /// Playing, and the live budget was not enough: the check waits for a pause.
    Waiting,
}

impl HistoryCheck {
    /// Judges `history`, or returns the last judgement if it has not changed. A live check
    /// that ran out of budget says so rather than "unknown"; the pause decides.
    pub fn judge(&mut self, history: &[Op], playing: bool) -> Shown {
        let answered = history.iter().filter(|o| o.done.is_some()).count();
        let whole = !playing;
        // The newest operation's times tell two branches' histories of equal counts apart.
        let last = history
            .last()
            .map(|o| (o.call, o.done.as_ref().map(|d| d.0)));
        let key = (history.len(), answered, whole, last);
        let same = (key.0, key.1, key.3) == (self.key.0, self.key.1, self.key.3);
        // A whole check answers for a live one too; a live one that ran out does not.
        if !(same && (self.key.2 || !whole)) {
            let budget = if whole { BUDGET } else { LIVE_BUDGET };
            self.judged = Rc::new(judge(history, budget));
            self.key = key;
        }
        match (&*self.judged, self.key.2) {
            (Judgement::Unknown { .. }, false) => Shown::Waiting,
            _ => Shown::Judged(self.judged.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_linearizable::bench::concurrent_history;

    #[test]
    fn the_same_history_is_judged_once() {
        let h = concurrent_history(3, 40, 2, 1);
        let mut c = HistoryCheck::default();
        let Shown::Judged(a) = c.judge(&h, false) else {
            panic!("a whole check decides")
        };
        let Shown::Judged(b) = c.judge(&h, true) else {
            panic!("the pause's answer stands while playing")
        };
        assert!(Rc::ptr_eq(&a, &b));
        assert!(matches!(*a, Judgement::Linearizable { ops: 40 }));
    }

    #[test]
    fn a_live_check_out_of_budget_waits_for_the_pause() {
        // 12,000 operations: 24,000 call and return events, more than the live budget visits.
        let h = concurrent_history(10, 12_000, 3, 7);
        let mut c = HistoryCheck::default();
        assert_eq!(c.judge(&h, true), Shown::Waiting);
        assert!(matches!(c.judge(&h, false), Shown::Judged(_)));
    }

    #[test]
    fn a_rewound_history_is_judged_again() {
        let h = concurrent_history(3, 40, 2, 1);
        let mut c = HistoryCheck::default();
        c.judge(&h, false);
        let Shown::Judged(j) = c.judge(&h[..10], false) else {
            panic!("decided")
        };
        assert!(matches!(*j, Judgement::Linearizable { ops: 10 }));
    }
}
