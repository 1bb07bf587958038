//! What a learner wants to find again on the timeline.

use splitbrain_sim::{Time, TraceLine};

/// A marker's kind: its colour and shape on the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// Something the learner (or a loaded link) did: crash, restart, partition, heal, drop, a
    /// request, a network change.
    Action,
    /// A new leader (Raft §5.2; a Multi-Paxos leader's phase 1).
    Leader,
    /// A value chosen (single-decree Paxos §2.3).
    Chosen,
    /// An invariant broke.
    Violation,
    /// An exercise goal was met.
    Goal,
}

impl MarkerKind {
    /// The word the page and its tests use (`marker-leader`).
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Action => "action",
            MarkerKind::Leader => "leader",
            MarkerKind::Chosen => "chosen",
            MarkerKind::Violation => "violation",
            MarkerKind::Goal => "goal",
        }
    }
}

/// One marker on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// When.
    pub at: Time,
    /// What kind.
    pub kind: MarkerKind,
    /// What the hover says, e.g. "n2 leads term 3".
    pub label: String,
}

/// The marker a trace event deserves, if any. Read from the labs' own notes, so a new lab that
/// writes "leader for term" or "is chosen" notes gets markers without the player knowing it.
pub fn from_trace(l: &TraceLine) -> Option<(MarkerKind, String)> {
    let node = l.node.map_or(String::new(), |n| format!("n{n} "));
    match l.ev {
        "violation" => Some((
            MarkerKind::Violation,
            format!("{} broken", l.kind.as_deref().unwrap_or("an invariant")),
        )),
        "note" if l.text.starts_with("leader for term") => {
            let term = l.text["leader for term".len()..]
                .split_whitespace()
                .next()
                .unwrap_or("?");
            Some((MarkerKind::Leader, format!("{node}leads term {term}")))
        }
        "note" if l.text.contains(" leads with ballot ") => {
            Some((MarkerKind::Leader, l.text.clone()))
        }
        "note" if l.text.ends_with(" is chosen") => {
            // Every learner says it; the value is what matters.
            let value = l
                .text
                .split(" learns ")
                .nth(1)
                .map_or(l.text.as_str(), |v| v.trim_end_matches(" is chosen"));
            Some((MarkerKind::Chosen, format!("{value} chosen")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str) -> TraceLine {
        TraceLine {
            i: 0,
            t: 5,
            ev: "note",
            node: Some(2),
            id: None,
            from: None,
            to: None,
            at: None,
            kind: None,
            text: text.into(),
            short: String::new(),
            groups: None,
        }
    }

    #[test]
    fn raft_leader_note_is_a_leader_marker() {
        assert_eq!(
            from_trace(&note("leader for term 3 with 3 votes")),
            Some((MarkerKind::Leader, "n2 leads term 3".into()))
        );
    }

    #[test]
    fn paxos_chosen_note_names_the_value_once_per_value() {
        assert_eq!(
            from_trace(&note("n2 learns v1 is chosen")),
            Some((MarkerKind::Chosen, "v1 chosen".into()))
        );
        assert_eq!(from_trace(&note("reply to client: ok (index 3)")), None);
    }
}
