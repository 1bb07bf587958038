//! What a change to the servers did, as pure functions of two assignments (key i → server):
//! how evenly keys spread, how many moved, where they went, and how many had to move at least.

use crate::{Server, ServerId};
use std::collections::BTreeMap;

/// Keys per server.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    /// Keys on each server (every server listed, also those with none).
    pub per_server: BTreeMap<ServerId, u64>,
    /// Mean keys per server.
    pub mean: f64,
    /// Standard deviation of keys per server.
    pub std_dev: f64,
    /// The busiest server's keys over the mean (1.0 is perfect balance).
    pub max_over_mean: f64,
}

/// How evenly `assignment` spreads keys over `servers`.
pub fn balance(assignment: &[ServerId], servers: &[Server]) -> Balance {
    let mut per_server: BTreeMap<ServerId, u64> = servers.iter().map(|s| (s.id, 0)).collect();
    for s in assignment {
        if let Some(c) = per_server.get_mut(s) {
            *c += 1;
        }
    }
    let n = per_server.len().max(1) as f64;
    let mean = per_server.values().sum::<u64>() as f64 / n;
    let var = per_server
        .values()
        .map(|&c| (c as f64 - mean) * (c as f64 - mean))
        .sum::<f64>()
        / n;
    let max = per_server.values().copied().max().unwrap_or(0) as f64;
    Balance {
        per_server,
        mean,
        std_dev: libm::sqrt(var),
        max_over_mean: if mean > 0.0 { max / mean } else { 0.0 },
    }
}

/// Keys that changed owner between two assignments of the same keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// Keys whose owner changed.
    pub moved: u64,
    /// `moved` over all keys.
    pub share: f64,
    /// The least share any placement must move for this change (see [`ideal_share`]).
    pub ideal_share: f64,
    /// (from, to) → keys, for the flow picture.
    pub flow: BTreeMap<(ServerId, ServerId), u64>,
}

/// Compares `before` and `after` (the same keys, in the same order).
pub fn movement(before: &[ServerId], after: &[ServerId], ideal_share: f64) -> Movement {
    let mut flow = BTreeMap::new();
    let mut moved = 0;
    for (a, b) in before.iter().zip(after) {
        if a != b {
            moved += 1;
            *flow.entry((*a, *b)).or_insert(0) += 1;
        }
    }
    Movement {
        moved,
        share: moved as f64 / before.len().max(1) as f64,
        ideal_share,
        flow,
    }
}

/// The share of keys a change from `before` to `after` servers must move at least, by weight:
/// the weight that arrives (a server added or grown) or leaves (removed or shrunk), over the
/// larger total. Adding one server to n equal ones: 1/(n+1); removing one: 1/n.
pub fn ideal_share(before: &[Server], after: &[Server]) -> f64 {
    let weight = |set: &[Server], id: ServerId| {
        set.iter()
            .find(|s| s.id == id)
            .map_or(0, |s| u64::from(s.weight))
    };
    let ids: std::collections::BTreeSet<ServerId> =
        before.iter().chain(after).map(|s| s.id).collect();
    let (mut gained, mut lost) = (0u64, 0u64);
    for id in ids {
        let (b, a) = (weight(before, id), weight(after, id));
        gained += a.saturating_sub(b);
        lost += b.saturating_sub(a);
    }
    let total_before: u64 = before.iter().map(|s| u64::from(s.weight)).sum();
    let total_after: u64 = after.iter().map(|s| u64::from(s.weight)).sum();
    let total = total_before.max(total_after).max(1);
    gained.max(lost) as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(n: u32) -> Vec<Server> {
        (0..n).map(Server::new).collect()
    }

    #[test]
    fn balance_counts_every_server_and_measures_the_spread() {
        let b = balance(&[0, 0, 1, 0], &servers(3));
        assert_eq!(b.per_server[&2], 0);
        assert!((b.mean - 4.0 / 3.0).abs() < 1e-12);
        assert!((b.max_over_mean - 2.25).abs() < 1e-12);
    }

    #[test]
    fn movement_counts_changed_owners_and_their_flow() {
        let m = movement(&[0, 1, 2, 0], &[0, 3, 3, 1], 0.25);
        assert_eq!(m.moved, 3);
        assert_eq!(m.flow[&(1, 3)], 1);
        assert_eq!(m.flow[&(0, 1)], 1);
        assert!((m.share - 0.75).abs() < 1e-12);
    }

    #[test]
    fn ideal_share_is_one_over_n_plus_one_for_an_add_and_one_over_n_for_a_remove() {
        assert!((ideal_share(&servers(10), &servers(11)) - 1.0 / 11.0).abs() < 1e-12);
        assert!((ideal_share(&servers(10), &servers(9)) - 1.0 / 10.0).abs() < 1e-12);
    }
}

/// `x` with `places` decimals, by integer arithmetic: the page then carries no float-formatting
/// code (several KB of wasm) for the few numbers it prints. Not finite: `NaN`/`inf` spelled out.
pub fn decimal(x: f64, places: u32) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let scale = 10u64.pow(places.min(9));
    let t = libm::round(x.abs() * scale as f64);
    if t >= 9.0e18 {
        return if x < 0.0 {
            "-huge".into()
        } else {
            "huge".into()
        };
    }
    let t = t as u64;
    let sign = if x < 0.0 && t > 0 { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{t}");
    }
    format!(
        "{sign}{}.{:0width$}",
        t / scale,
        t % scale,
        width = places as usize
    )
}

#[cfg(test)]
mod decimal_tests {
    use super::decimal;

    #[test]
    fn decimals_are_rounded_and_padded() {
        assert_eq!(decimal(14.2857, 1), "14.3");
        assert_eq!(decimal(0.05, 2), "0.05");
        assert_eq!(decimal(-1.25, 1), "-1.3");
        assert_eq!(decimal(3.0, 0), "3");
        assert_eq!(decimal(f64::NAN, 1), "NaN");
    }
}
