//! The live run told in words for screen readers: a polite `aria-live` region says what
//! happens ("n3 became leader of term 2", "n1 crashed", "entry 4 committed on a majority") at a
//! pace a listener can follow, one line every [`EVERY_MS`] at most, from the labs' happenings
//! (the events an embedding page hears) and the trace's faults. Going back in time is not
//! news and is not told. Plain Rust with native tests; the page only shows [`Narrator::said`].

use serde_json::Value;
use splitbrain_labs::happenings::Watch;
use splitbrain_sim::{Lab, Time, TraceLine};
use std::collections::VecDeque;

/// Shortest wall time between two lines, so a screen reader finishes one before the next.
pub const EVERY_MS: f64 = 2_500.0;
/// Lines waiting at most; what comes on top is counted ("and 3 more").
const WAITING: usize = 4;
/// Trace lines read per look at most (a jump forward is summed up by the happenings).
const LINES_READ: usize = 200;

/// The narrator's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrator {
    /// Narration is on (a reader may turn it off).
    pub on: bool,
    /// The line the live region shows.
    pub said: String,
    waiting: VecDeque<String>,
    more: usize,
    last_said: Option<f64>,
    summary: Value,
    /// Trace events recorded, and the run's time, at the last look.
    seen: u64,
    at: Time,
}

impl Default for Narrator {
    fn default() -> Self {
        Self {
            on: true,
            said: String::new(),
            waiting: VecDeque::new(),
            more: 0,
            last_said: None,
            summary: Value::Null,
            seen: 0,
            at: 0,
        }
    }
}

impl Narrator {
    /// A narrator, on or off.
    pub fn new(on: bool) -> Self {
        Self {
            on,
            ..Self::default()
        }
    }

    /// A new run: what it has done so far is not news.
    pub fn start(&mut self, lab: &dyn Lab) {
        *self = Self {
            on: self.on,
            said: String::new(),
            summary: lab.summary(),
            seen: lab.trace_recorded(),
            at: lab.now(),
            ..Self::default()
        };
    }

    /// Looks at the run (at wall time `wall_ms`) and says the next line if one is due; `true`
    /// if the line changed.
    pub fn observe(&mut self, lab: &dyn Lab, wall_ms: f64) -> bool {
        if !self.on {
            return false;
        }
        let recorded = lab.trace_recorded();
        if recorded != self.seen || lab.now() != self.at {
            let summary = lab.summary();
            if recorded > self.seen && lab.now() >= self.at {
                let new = ((recorded - self.seen) as usize).min(LINES_READ);
                for l in lab.trace_tail(new) {
                    if let Some(w) = line_words(&l) {
                        self.push(w);
                    }
                }
                if let Ok(info) = splitbrain_labs::find(lab.lab()) {
                    let watch = Watch { slo_ms: 2_000.0 };
                    for e in (info.happenings)(&self.summary, &summary, &watch) {
                        if let Some(w) = happening_words(&e) {
                            self.push(w);
                        }
                    }
                }
            } else {
                // Sent back (or to another branch): the reader already heard it, or chose it.
                self.waiting.clear();
                self.more = 0;
            }
            self.summary = summary;
            self.seen = recorded;
            self.at = lab.now();
        }
        self.speak(wall_ms)
    }

    fn push(&mut self, words: String) {
        if self.waiting.len() < WAITING {
            self.waiting.push_back(words);
        } else {
            self.more += 1;
        }
    }

    /// The next waiting line, if the last was said long enough ago.
    fn speak(&mut self, wall_ms: f64) -> bool {
        if self.last_said.is_some_and(|t| wall_ms - t < EVERY_MS) {
            return false;
        }
        let Some(next) = self.waiting.pop_front() else {
            return false;
        };
        self.said = if self.waiting.is_empty() && self.more > 0 {
            let more = std::mem::take(&mut self.more);
            format!("{next}; and {more} more events")
        } else {
            next
        };
        self.last_said = Some(wall_ms);
        true
    }
}

/// Where the reader's choice is kept.
const KEY: &str = "splitbrain.narrate";

/// Whether the reader left narration on (it is, unless they turned it off).
pub fn saved_on() -> bool {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .as_deref()
        != Some("off")
}

/// Keeps the reader's choice for their next visit.
pub fn save_on(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, if on { "on" } else { "off" });
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A fault in the trace, in words.
fn line_words(l: &TraceLine) -> Option<String> {
    let node = l.node.map(|n| format!("n{n}"));
    Some(match l.ev {
        "crash" => format!("{} crashed", node?),
        "restart" => format!("{} restarted", node?),
        "partition" => "the network split into groups".to_string(),
        "heal" => "the network healed".to_string(),
        "violation" => format!("an invariant broke: {}", l.text),
        _ => return None,
    })
}

/// A lab's happening (`{"type": "leader-elected", "node": 3, "term": 2}`), in words.
fn happening_words(e: &Value) -> Option<String> {
    let num = |k: &str| e[k].as_u64();
    let node = num("node").map(|n| format!("n{n}"));
    Some(match e["type"].as_str()? {
        "leader-elected" => match (num("term"), e["ballot"].as_str()) {
            (Some(term), _) => format!("{} became leader of term {term}", node?),
            (None, Some(ballot)) => format!("{} leads with ballot {ballot}", node?),
            _ => format!("{} became leader", node?),
        },
        "committed" => format!("entry {} committed on a majority", num("index")?),
        "value-chosen" => {
            let value = match &e["value"] {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            format!("slot {} chose {value}", num("slot")?)
        }
        other => other.replace('-', " "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_labs::{RunDescription, build};
    use splitbrain_sim::Action;

    fn raft() -> Box<dyn Lab> {
        build(&RunDescription::new("raft", 3, 5), 10_000).unwrap()
    }

    #[test]
    fn an_election_is_told_as_the_leader_and_its_term_section_5_2() {
        let mut lab = raft();
        let mut n = Narrator::default();
        n.start(lab.as_ref());
        lab.run_until(400_000, u64::MAX);
        assert!(n.observe(lab.as_ref(), 0.0));
        assert!(n.said.contains("became leader of term 1"), "{:?}", n.said);
    }

    #[test]
    fn lines_come_at_a_listeners_pace_and_a_backlog_is_counted() {
        let mut lab = raft();
        let mut n = Narrator::default();
        n.start(lab.as_ref());
        lab.run_until(300_000, u64::MAX);
        for node in 0..5 {
            lab.control(&Action::Crash { node }).unwrap();
        }
        assert!(n.observe(lab.as_ref(), 0.0));
        let first = n.said.clone();
        assert!(!n.observe(lab.as_ref(), EVERY_MS - 1.0), "too soon");
        let mut lines = vec![first];
        let mut t = 0.0;
        while n.observe(lab.as_ref(), {
            t += EVERY_MS;
            t
        }) {
            lines.push(n.said.clone());
        }
        assert!(lines.len() <= WAITING, "{lines:?}");
        assert!(
            lines.last().unwrap().contains("more events"),
            "the rest is counted: {lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("crashed") || l.contains("crashed;"))
        );
    }

    #[test]
    fn going_back_in_time_is_not_news() {
        let mut lab = raft();
        let mut n = Narrator::default();
        lab.run_until(400_000, u64::MAX);
        n.start(lab.as_ref());
        // The same run from the start, to 0.1 s: earlier than the narrator last looked.
        let mut back = raft();
        back.run_until(100_000, u64::MAX);
        assert!(!n.observe(back.as_ref(), 0.0));
        assert!(n.said.is_empty());
    }

    #[test]
    fn turned_off_it_says_nothing() {
        let mut lab = raft();
        let mut n = Narrator::new(false);
        n.start(lab.as_ref());
        lab.run_until(400_000, u64::MAX);
        assert!(!n.observe(lab.as_ref(), 0.0));
        assert!(n.said.is_empty());
    }

    #[test]
    fn every_labs_happenings_read_as_words_not_json() {
        for e in [
            serde_json::json!({"type": "leader-elected", "node": 2, "ballot": "3.1"}),
            serde_json::json!({"type": "value-chosen", "slot": 4, "value": "set x=1"}),
            serde_json::json!({"type": "keys-moved", "moved": 12}),
        ] {
            let w = happening_words(&e).unwrap();
            assert!(!w.contains('{') && !w.contains('"'), "{w}");
        }
    }
}
