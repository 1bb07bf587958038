//! Virtual time: integers in microseconds, so ordering and arithmetic are exact on every target.

use std::fmt;

/// A point in virtual time, in microseconds since the start of the run.
pub type Time = u64;
/// A span of virtual time, in microseconds.
pub type Duration = u64;

/// `n` milliseconds as a [`Duration`].
pub const fn ms(n: u64) -> Duration {
    n * 1_000
}

/// `n` seconds as a [`Duration`].
pub const fn secs(n: u64) -> Duration {
    n * 1_000_000
}

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError(pub String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad duration {:?}: expected a number with a unit, like 250us, 150ms, 1.5s or 2m",
            self.0
        )
    }
}

impl std::error::Error for ParseDurationError {}

/// Parses `250us`, `150ms`, `1.5s`, `2m` or a bare integer (microseconds).
///
/// Decimal fractions are parsed with integer arithmetic so `0.1s` is exactly 100 000 µs on every
/// target; more than six fractional digits of a second are refused rather than rounded.
pub fn parse_duration(text: &str) -> Result<Duration, ParseDurationError> {
    let err = || ParseDurationError(text.to_string());
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "us" | "µs" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "m" | "min" => 60_000_000,
        _ => return Err(err()),
    };
    if num.is_empty() {
        return Err(err());
    }
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(err());
    }
    let int: u64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| err())?
    };
    let mut total = int.checked_mul(scale).ok_or_else(err)?;
    if !frac.is_empty() {
        let digits = frac.len() as u32;
        let denom = 10u64.checked_pow(digits).ok_or_else(err)?;
        let f: u64 = frac.parse().map_err(|_| err())?;
        let part = f.checked_mul(scale).ok_or_else(err)?;
        if part % denom != 0 {
            return Err(err());
        }
        total = total.checked_add(part / denom).ok_or_else(err)?;
    }
    Ok(total)
}

/// Formats a time as seconds with microsecond precision, trimming trailing zeros: `1.25s`.
pub fn format_time(t: Time) -> String {
    let s = t / 1_000_000;
    let us = t % 1_000_000;
    if us == 0 {
        format!("{s}s")
    } else {
        let frac = format!("{us:06}");
        format!("{s}.{}s", frac.trim_end_matches('0'))
    }
}

/// Serde helpers so scenario files can say `at = "1.5s"` as well as `at = 1500000`.
pub mod serde_duration {
    use super::{Duration, format_time, parse_duration};
    use serde::{Deserializer, Serializer, de};

    /// Writes a duration in its readable form (`"1.5s"`).
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_time(*d))
    }

    /// Reads a string with a unit, or an integer number of microseconds. A visitor rather
    /// than an untagged enum: no buffering, and a smaller wasm.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration such as \"1.5s\" or an integer of microseconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v).map_err(|_| E::custom(format!("duration {v} is negative")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Like [`serde_duration`], for optional fields (`until = "10s"` or absent).
pub mod serde_opt_duration {
    use super::{Duration, format_time};
    use serde::{Deserializer, Serializer};

    /// Writes the readable form, or nothing.
    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format_time(*d)),
            None => s.serialize_none(),
        }
    }

    /// Reads a string with a unit or an integer of microseconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::serde_duration::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(parse_duration("250us"), Ok(250));
        assert_eq!(parse_duration("150ms"), Ok(150_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration("0.1s"), Ok(100_000));
        assert_eq!(parse_duration("2m"), Ok(120_000_000));
        assert_eq!(parse_duration("42"), Ok(42));
        assert_eq!(parse_duration(".5ms"), Ok(500));
    }

    #[test]
    fn refuses_garbage_and_overflow() {
        for bad in [
            "",
            "ms",
            "1.2.3s",
            "1h",
            "-5ms",
            "1.0000001s",
            "99999999999999999999s",
            ".",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn formats_round_trip() {
        for t in [0, 1, 1_500_000, 123_456_789, secs(10)] {
            assert_eq!(parse_duration(&format_time(t)), Ok(t));
        }
    }
}
