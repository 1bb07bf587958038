//! Arrival processes, written as `constant:10/s`, `poisson:9/s` or `bursty:20/s,2s,3s`.

use serde::{Deserialize, Serialize};
use splitbrain_sim::{Duration, SimRng, Time, format_time, parse_duration};
use std::fmt;
use std::str::FromStr;

/// Highest arrival rate, requests per virtual second.
pub const MAX_RATE: f64 = 100_000.0;

/// How client requests arrive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Arrival {
    /// Evenly spaced, `rate` per second.
    Constant {
        /// Requests per second.
        rate: f64,
    },
    /// A Poisson process: exponential gaps with mean 1/`rate` (independent users).
    Poisson {
        /// Requests per second.
        rate: f64,
    },
    /// On/off: Poisson at `rate` for `on`, then silence for `off`, repeating (bursts).
    Bursty {
        /// Requests per second while on.
        rate: f64,
        /// Length of a burst.
        on: Duration,
        /// Length of a pause.
        off: Duration,
    },
}

impl Arrival {
    /// The rate while requests arrive.
    pub fn rate(&self) -> f64 {
        match *self {
            Arrival::Constant { rate }
            | Arrival::Poisson { rate }
            | Arrival::Bursty { rate, .. } => rate,
        }
    }

    /// The same process at another rate.
    pub fn with_rate(self, rate: f64) -> Self {
        match self {
            Arrival::Constant { .. } => Arrival::Constant { rate },
            Arrival::Poisson { .. } => Arrival::Poisson { rate },
            Arrival::Bursty { on, off, .. } => Arrival::Bursty { rate, on, off },
        }
    }

    /// Mean requests per second over time.
    pub fn mean_rate(&self) -> f64 {
        match *self {
            Arrival::Bursty { rate, on, off } => rate * on as f64 / (on + off).max(1) as f64,
            other => other.rate(),
        }
    }

    /// The time of the next arrival after one at `now` (`None` at rate 0).
    pub fn next(&self, now: Time, rng: &mut SimRng) -> Option<Time> {
        let rate = self.rate();
        if rate <= 0.0 {
            return None;
        }
        let exp = |rng: &mut SimRng| {
            let u = 1.0 - rng.unit();
            ((-libm::log(u) / rate * 1e6) as u64).max(1)
        };
        Some(match *self {
            Arrival::Constant { .. } => now + ((1e6 / rate) as u64).max(1),
            Arrival::Poisson { .. } => now + exp(rng),
            Arrival::Bursty { on, off, .. } => {
                // Memorylessness: draw a gap, and if it crosses into a pause, continue the
                // draw from the start of the next burst.
                let period = on + off;
                let mut t = now;
                let mut gap = exp(rng);
                loop {
                    let into = t % period;
                    if into >= on {
                        t += period - into;
                        continue;
                    }
                    let left = on - into;
                    if gap < left {
                        break t + gap;
                    }
                    gap -= left;
                    t += left + off;
                }
            }
        })
    }
}

impl fmt::Display for Arrival {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Up to three decimals, trailing zeros dropped, without float formatting code.
        let r = |rate: f64| {
            let t = splitbrain_hashing::metrics::decimal(rate, 3);
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        match *self {
            Arrival::Constant { rate } => write!(f, "constant:{}/s", r(rate)),
            Arrival::Poisson { rate } => write!(f, "poisson:{}/s", r(rate)),
            Arrival::Bursty { rate, on, off } => write!(
                f,
                "bursty:{}/s,{},{}",
                r(rate),
                format_time(on),
                format_time(off)
            ),
        }
    }
}

impl FromStr for Arrival {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || {
            format!("bad arrival {s:?}: expected constant:10/s, poisson:9/s or bursty:20/s,2s,3s")
        };
        let (kind, rest) = s.trim().split_once(':').ok_or_else(usage)?;
        let mut parts = rest.split(',');
        let rate: f64 = parts
            .next()
            .and_then(|r| r.trim().strip_suffix("/s"))
            .and_then(|r| r.trim().parse().ok())
            .ok_or_else(usage)?;
        if !(rate.is_finite() && (0.0..=MAX_RATE).contains(&rate)) {
            return Err(format!("arrival rate must be 0 to {MAX_RATE} per second"));
        }
        let mut dur = || -> Result<Duration, String> {
            let d = parse_duration(parts.next().ok_or_else(usage)?.trim()).map_err(|_| usage())?;
            if (1..=splitbrain_sim::limits::MAX_TIME).contains(&d) {
                Ok(d)
            } else {
                Err(format!("burst lengths must be 1µs to one day in {s:?}"))
            }
        };
        let a = match kind.trim() {
            "constant" => Arrival::Constant { rate },
            "poisson" => Arrival::Poisson { rate },
            "bursty" => Arrival::Bursty {
                rate,
                on: dur()?,
                off: dur()?,
            },
            _ => return Err(usage()),
        };
        Ok(a)
    }
}

impl TryFrom<String> for Arrival {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Arrival> for String {
    fn from(a: Arrival) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_sim::secs;

    #[test]
    fn arrivals_round_trip_and_refuse_nonsense() {
        for s in [
            "constant:10/s",
            "poisson:9/s",
            "poisson:0.5/s",
            "bursty:20/s,2s,3s",
        ] {
            let a: Arrival = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        for s in [
            "poisson",
            "poisson:9",
            "poisson:-1/s",
            "poisson:1e9/s",
            "wave:1/s",
            "bursty:1/s,2s",
        ] {
            assert!(s.parse::<Arrival>().is_err(), "{s}");
        }
    }

    #[test]
    fn poisson_arrivals_come_at_their_rate() {
        let a: Arrival = "poisson:9/s".parse().unwrap();
        let mut rng = SimRng::derive(1, 0, 0);
        let (mut t, mut n) = (0, 0);
        while t < secs(10_000) {
            t = a.next(t, &mut rng).unwrap();
            n += 1;
        }
        // 90,000 expected, standard deviation 300.
        assert!((89_000..=91_000).contains(&n), "{n}");
    }

    #[test]
    fn bursty_arrivals_fall_only_inside_bursts_at_the_mean_rate() {
        let a: Arrival = "bursty:20/s,2s,3s".parse().unwrap();
        assert_eq!(a.mean_rate(), 8.0);
        let mut rng = SimRng::derive(2, 0, 0);
        let (mut t, mut n) = (0, 0);
        while t < secs(5_000) {
            t = a.next(t, &mut rng).unwrap();
            assert!(t % secs(5) < secs(2), "an arrival during a pause at {t}");
            n += 1;
        }
        assert!((39_000..=41_000).contains(&n), "{n}");
    }
}
