//! Plain words for what the engine shows a learner: counts with the right noun, partitions as
//! groups of node names. The event log, the inspector and the labs' labels use these rather than
//! Rust's `Debug` or "1 values".

use crate::NodeId;

/// `1 value`, `2 values`, `0 values`. The plural is the noun with an `s`, which is right for
/// every noun the labs count (value, slot, key, action, seed, entry is not one of them).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A process's name as the picture and the history show it: servers `n0`, `n1`, …; the client
/// slots after the `servers` are `c1`, `c2`, … (slot `servers` is `c1`).
pub fn node_name(id: NodeId, servers: usize) -> String {
    match id.checked_sub(servers) {
        Some(c) => format!("c{}", c + 1),
        None => format!("n{id}"),
    }
}

/// A partition as a learner reads it: `{n0,n1} | the rest`.
pub fn groups_in_words(groups: &[Vec<NodeId>]) -> String {
    let mut parts: Vec<String> = groups
        .iter()
        .map(|g| {
            let names: Vec<String> = g.iter().map(|n| format!("n{n}")).collect();
            format!("{{{}}}", names.join(","))
        })
        .collect();
    parts.push("the rest".into());
    parts.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_named_after_the_servers_from_c1() {
        assert_eq!(node_name(4, 5), "n4");
        assert_eq!(node_name(5, 5), "c1");
        assert_eq!(node_name(7, 5), "c3");
    }

    #[test]
    fn one_takes_the_singular() {
        assert_eq!(count(1, "value"), "1 value");
        assert_eq!(count(0, "slot"), "0 slots");
        assert_eq!(count(3, "key"), "3 keys");
    }

    #[test]
    fn a_partition_reads_as_groups_of_node_names() {
        assert_eq!(
            groups_in_words(&[vec![0, 1], vec![4]]),
            "{n0,n1} | {n4} | the rest"
        );
    }
}

/// `text` cut to at most `n` characters, ending with `…` when it was cut: for labels drawn in a
/// fixed space (the full text goes in a tooltip or the inspector).
pub fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut t: String = text.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod clip_tests {
    #[test]
    fn a_long_label_is_cut_with_an_ellipsis_and_a_short_one_kept() {
        assert_eq!(super::clip("get x → 2", 20), "get x → 2");
        assert_eq!(super::clip("get x → 2", 5), "get …");
        assert_eq!(super::clip("abc", 0), "…");
    }
}
