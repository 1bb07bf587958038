//! How often text follows the run: nobody reads an event log redrawn 60 times a second, and
//! redrawing it costs more than the rest of a frame. Plain Rust over the frame clock's
//! timestamps, so the rule is tested natively.

/// Lets an update through at most once per `every` milliseconds. What it holds back, the page
/// brings up later: on a later frame, or by a timer when a drag rests.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    every: f64,
    last: f64,
}

impl Throttle {
    /// A throttle that lets the first update through.
    pub fn new(every_ms: f64) -> Self {
        Throttle {
            every: every_ms,
            last: f64::NEG_INFINITY,
        }
    }

    /// Whether an update at `now` (ms) may go through now.
    pub fn pass(&mut self, now: f64) -> bool {
        let due = now - self.last >= self.every;
        if due {
            self.went(now);
        }
        due
    }

    /// An update went through at `now` whatever the throttle said (the reader acted).
    pub fn went(&mut self, now: f64) {
        self.last = now;
    }

    /// The interval, for a timer that brings a held update up.
    pub fn every(&self) -> f64 {
        self.every
    }
}

/// Tells a drag (moves closer together than `gap` milliseconds) from a single move.
#[derive(Debug, Clone, PartialEq)]
pub struct Drag {
    gap: f64,
    last: f64,
}

impl Drag {
    /// No move yet.
    pub fn new(gap_ms: f64) -> Self {
        Drag {
            gap: gap_ms,
            last: f64::NEG_INFINITY,
        }
    }

    /// A move at `now` (ms): whether it continues a drag.
    pub fn moved(&mut self, now: f64) -> bool {
        let dragging = now - self.last < self.gap;
        self.last = now;
        dragging
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_update_goes_through_and_the_next_waits_its_interval() {
        let mut t = Throttle::new(200.0);
        assert!(t.pass(1_000.0));
        assert!(!t.pass(1_100.0));
        assert!(!t.pass(1_199.9));
        assert!(t.pass(1_200.0));
        assert!(!t.pass(1_201.0));
    }

    #[test]
    fn an_update_the_reader_forced_restarts_the_interval() {
        let mut t = Throttle::new(500.0);
        assert!(t.pass(0.0));
        assert!(!t.pass(100.0));
        t.went(450.0);
        assert!(!t.pass(460.0));
        assert!(!t.pass(900.0));
        assert!(t.pass(950.0));
    }

    #[test]
    fn moves_a_frame_apart_are_a_drag_and_a_pause_ends_it() {
        let mut d = Drag::new(200.0);
        assert!(!d.moved(0.0));
        assert!(d.moved(16.7));
        assert!(d.moved(33.4));
        assert!(!d.moved(400.0));
    }
}
