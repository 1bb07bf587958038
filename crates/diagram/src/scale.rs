//! Virtual time to height on the page. True time keeps durations comparable (a slow link looks
//! slow); compressed time collapses the quiet stretches between bursts (ShiViz and Porcupine
//! do the same), so a long run with long silences still fits on a screen. Either way the map is
//! monotone and can be inverted, so a click finds its moment.

use serde::{Deserialize, Serialize};
use splitbrain_sim::Time;

/// Height of a collapsed quiet stretch.
pub const GAP_PX: f64 = 14.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Seg {
    t0: Time,
    t1: Time,
    y0: f64,
    /// Pixels per µs within the segment.
    k: f64,
}

/// A monotone map from `[from, to]` to `[0, height]`. It crosses from the diagram's worker to
/// the page as JSON, so the page places the player's line and finds a clicked moment itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    segs: Vec<Seg>,
    /// Where quiet stretches were collapsed (their middle, in pixels).
    gaps: Vec<f64>,
}

impl Scale {
    /// True time at `px_per_sec`.
    pub fn linear(from: Time, to: Time, px_per_sec: f64) -> Self {
        let to = to.max(from + 1);
        Self {
            segs: vec![Seg {
                t0: from,
                t1: to,
                y0: 0.0,
                k: px_per_sec / 1e6,
            }],
            gaps: Vec::new(),
        }
    }

    /// Like [`Self::linear`], but every stretch between consecutive `times` longer than `quiet`
    /// keeps only `quiet / 2` at each end and collapses the rest to [`GAP_PX`].
    pub fn compressed(
        from: Time,
        to: Time,
        px_per_sec: f64,
        times: impl IntoIterator<Item = Time>,
        quiet: Time,
    ) -> Self {
        let to = to.max(from + 1);
        let k = px_per_sec / 1e6;
        let quiet = quiet.max(2);
        let mut segs = Vec::new();
        let mut gaps = Vec::new();
        let (mut t, mut y) = (from, 0.0);
        let push = |segs: &mut Vec<Seg>, t0: Time, t1: Time, y0: f64, k: f64| {
            if t1 > t0 {
                segs.push(Seg { t0, t1, y0, k });
            }
            y0 + (t1 - t0) as f64 * k
        };
        for next in times
            .into_iter()
            .filter(|&x| x > from && x < to)
            .chain([to])
        {
            if next <= t {
                continue;
            }
            if next - t > quiet {
                let a = t + quiet / 2;
                let b = next - quiet / 2;
                y = push(&mut segs, t, a, y, k);
                gaps.push(y + GAP_PX / 2.0);
                y = push(&mut segs, a, b, y, GAP_PX / (b - a) as f64);
                y = push(&mut segs, b, next, y, k);
            } else {
                y = push(&mut segs, t, next, y, k);
            }
            t = next;
        }
        Self { segs, gaps }
    }

    /// The first and last time shown.
    pub fn range(&self) -> (Time, Time) {
        (
            self.segs.first().map_or(0, |s| s.t0),
            self.segs.last().map_or(0, |s| s.t1),
        )
    }

    /// Height of the whole window.
    pub fn height(&self) -> f64 {
        self.segs
            .last()
            .map_or(0.0, |s| s.y0 + (s.t1 - s.t0) as f64 * s.k)
    }

    /// Where time `t` is drawn (clamped to the window).
    pub fn y(&self, t: Time) -> f64 {
        let (from, to) = self.range();
        let t = t.clamp(from, to);
        let i = self
            .segs
            .partition_point(|s| s.t1 < t)
            .min(self.segs.len().saturating_sub(1));
        self.segs
            .get(i)
            .map_or(0.0, |s| s.y0 + (t - s.t0) as f64 * s.k)
    }

    /// The time drawn at height `y` (clamped to the window).
    pub fn t(&self, y: f64) -> Time {
        let y = y.clamp(0.0, self.height());
        let i = self
            .segs
            .partition_point(|s| s.y0 + (s.t1 - s.t0) as f64 * s.k < y)
            .min(self.segs.len().saturating_sub(1));
        self.segs
            .get(i)
            .map_or(0, |s| s.t0 + ((y - s.y0) / s.k).round().max(0.0) as Time)
            .min(self.range().1)
    }

    /// Where quiet stretches were collapsed.
    pub fn gaps(&self) -> &[f64] {
        &self.gaps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_time_is_proportional() {
        let s = Scale::linear(1_000_000, 3_000_000, 100.0);
        assert_eq!(s.y(1_000_000), 0.0);
        assert_eq!(s.y(2_000_000), 100.0);
        assert_eq!(s.height(), 200.0);
        assert_eq!(s.t(150.0), 2_500_000);
    }

    #[test]
    fn a_quiet_stretch_collapses_and_keeps_room_around_its_events() {
        // Events at 10 ms and 12 ms, then silence until 900 ms: 100 px/s, quiet above 20 ms.
        let times = [10_000, 12_000, 900_000];
        let s = Scale::compressed(0, 1_000_000, 1000.0, times, 20_000);
        assert!(
            s.height() < 200.0,
            "a second of mostly silence is short: {}",
            s.height()
        );
        assert_eq!(
            s.gaps().len(),
            2,
            "the silence after 12 ms and after 900 ms"
        );
        // Close events keep their true spacing.
        assert!((s.y(12_000) - s.y(10_000) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn compressed_time_is_monotone_and_inverts() {
        let times = [5_000, 7_000, 300_000, 301_000, 800_000];
        let s = Scale::compressed(0, 1_000_000, 500.0, times, 10_000);
        let mut last = -1.0;
        for t in (0..=1_000_000).step_by(1_000) {
            let y = s.y(t);
            assert!(y >= last, "monotone at {t}");
            last = y;
        }
        for t in [5_000, 7_000, 300_000, 301_000, 800_000] {
            let back = s.t(s.y(t));
            assert!(back.abs_diff(t) <= 2, "{t} came back as {back}");
        }
    }

    #[test]
    fn collapse_keeps_every_event_inside_the_window() {
        let times: Vec<Time> = (0..100).map(|k| k * 37_000).collect();
        let s = Scale::compressed(0, 3_700_000, 200.0, times.iter().copied(), 5_000);
        for &t in &times {
            assert!((0.0..=s.height()).contains(&s.y(t)));
        }
    }

    #[test]
    fn an_empty_window_is_harmless() {
        let s = Scale::compressed(5, 5, 100.0, [], 10);
        assert!(s.height() >= 0.0);
        assert_eq!(s.t(10.0), s.range().1);
    }
}
