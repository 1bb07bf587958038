//! The live run told in words for screen readers: a polite `aria-live` region says what
//! happens ("n3 became leader of term 2", "n1 crashed", "entry 4 committed on a majority") at a
//! pace a listener can follow, one line every [`EVERY_MS`] at most, from the labs' happenings
//! (the events an embedding page hears) and the trace's faults. Going back in time is not
//! news and is not told. Plain Rust with native tests; the page only shows [`Narrator::said`].

use serde_json::Value;
use splitbrain_labs::happenings::Watch;
use splitbrain_sim::{Lab, Time, TraceLine};
use std::collections::VecDeque;

/// What a waiting line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    /// Faults and elections: each is told.
    Event,
    /// Progress that comes in a stream (a commit, a chosen value, keys moved): only the newest
    /// of each kind is told.
    Stream(&'static str),
}

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
    /// Lines waiting, each with what it is about: a steady stream (commits, chosen values)
    /// keeps only its newest line, so it cannot crowd out a crash or an election.
    waiting: VecDeque<(Topic, String)>,
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
            let back = recorded < self.seen || lab.now() < self.at;
            if !back && recorded > self.seen {
                let new = ((recorded - self.seen) as usize).min(LINES_READ);
                for l in lab.trace_tail(new) {
                    if let Some(w) = line_words(&l) {
                        self.push(Topic::Event, w);
                    }
                }
                if let Ok(info) = splitbrain_labs::find(lab.lab()) {
                    let watch = Watch { slo_ms: 2_000.0 };
                    for e in (info.happenings)(&self.summary, &summary, &watch) {
                        if let Some((topic, w)) = happening_words(&e) {
                            self.push(topic, w);
                        }
                    }
                }
            } else if back {
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

    fn push(&mut self, topic: Topic, words: String) {
        if let Topic::Stream(_) = topic
            && let Some(w) = self.waiting.iter_mut().find(|w| w.0 == topic)
        {
            w.1 = words;
            return;
        }
        if self.waiting.len() >= WAITING {
            // Room for an event: the oldest stream line gives way to it.
            match self.waiting.iter().position(|w| w.0 != Topic::Event) {
                Some(i) if topic == Topic::Event => {
                    self.waiting.remove(i);
                }
                _ => {
                    self.more += 1;
                    return;
                }
            }
        }
        self.waiting.push_back((topic, words));
    }

    /// The next waiting line, if the last was said long enough ago.
    fn speak(&mut self, wall_ms: f64) -> bool {
        if self.last_said.is_some_and(|t| wall_ms - t < EVERY_MS) {
            return false;
        }
        let Some((_, next)) = self.waiting.pop_front() else {
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
fn happening_words(e: &Value) -> Option<(Topic, String)> {
    let num = |k: &str| e[k].as_u64();
    let node = num("node").map(|n| format!("n{n}"));
    let kind = e["type"].as_str()?;
    let topic = match kind {
        "leader-elected" => Topic::Event,
        "committed" => Topic::Stream("committed"),
        "value-chosen" => Topic::Stream("value-chosen"),
        _ => Topic::Stream("other"),
    };
    let words = match kind {
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
    };
    Some((topic, words))
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
    fn a_stream_of_commits_keeps_its_newest_line_and_never_crowds_out_a_crash() {
        let mut n = Narrator::default();
        for i in 1..=50 {
            n.push(
                Topic::Stream("committed"),
                format!("entry {i} committed on a majority"),
            );
        }
        n.push(Topic::Event, "n2 crashed".into());
        let lines: Vec<String> = n.waiting.iter().map(|w| w.1.clone()).collect();
        assert_eq!(
            lines,
            vec!["entry 50 committed on a majority", "n2 crashed"]
        );
        // Full of events, an event is counted, and a stream line gives way to one.
        for k in 0..5 {
            n.push(Topic::Event, format!("n{k} restarted"));
        }
        assert!(n.waiting.iter().all(|w| w.0 == Topic::Event));
        assert_eq!(n.more, 2);
    }

    #[test]
    fn time_passing_without_events_keeps_what_waits() {
        let mut lab = raft();
        let mut n = Narrator::default();
        lab.run_until(300_000, u64::MAX);
        n.start(lab.as_ref());
        lab.control(&Action::Crash { node: 1 }).unwrap();
        n.observe(lab.as_ref(), 0.0);
        lab.control(&Action::Crash { node: 2 }).unwrap();
        n.observe(lab.as_ref(), 1.0);
        assert_eq!(n.waiting.len(), 1, "n2's crash waits its turn");
        // The run moves on a microsecond with nothing new to tell, then the line is due.
        let (recorded, at) = (lab.trace_recorded(), lab.now());
        lab.run_until(at + 1, u64::MAX);
        assert!(
            lab.now() > at && lab.trace_recorded() == recorded,
            "a quiet step"
        );
        n.observe(lab.as_ref(), 2.0);
        n.observe(lab.as_ref(), EVERY_MS + 1.0);
        assert_eq!(n.said, "n2 crashed");
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
            let (_, w) = happening_words(&e).unwrap();
            assert!(!w.contains('{') && !w.contains('"'), "{w}");
        }
    }
}
