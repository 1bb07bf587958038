//! Exercises in the page: the open exercise (its live checklist, hints, action budget and
//! solution link), the list of every shipped exercise with the visitor's progress, kept in
//! `localStorage` and moved between browsers as a file.
//!
//! The checklist is read from the run's own [`Tracker`], which the engine runs after every
//! event, so what the page ticks is what `splitbrain grade` counts for the solution link.

use serde::{Deserialize, Serialize};
use splitbrain_embed::Control;
use splitbrain_exercise::{Exercise, Pack, Tracker, shipped};
use splitbrain_sim::{Lab, Time, format_time};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Where progress is kept in the browser.
const STORE_KEY: &str = "splitbrain-progress";
/// Largest progress file accepted on import.
pub const MAX_PROGRESS_BYTES: usize = 1 << 20;

/// What the exercise parts of the page ask the shell to do.
pub enum ClassMsg {
    /// Show the next hint.
    Hint,
    /// Open or close the list of exercises.
    List(bool),
    /// Save progress as a file.
    Export,
    /// Read progress from a chosen file.
    ImportFile(web_sys::File),
    /// A progress file's text arrived.
    Imported(Result<String, String>),
    /// Copy the solution link.
    Copy,
}

/// The exercise this page is open on.
pub struct Lesson {
    /// The exercise.
    pub exercise: Rc<Exercise>,
    /// Hints shown so far.
    pub hints: usize,
    /// When each goal was met, as last read from the run.
    pub met: Vec<Option<Time>>,
    /// Once every goal is met: the link that replays the solution.
    pub solution: Option<String>,
    /// The run is someone's solution link, replayed: not this browser's result until the
    /// student acts in it.
    pub replayed: bool,
    /// The exercise's controls, read once: the frame loop asks about them.
    controls: splitbrain_embed::Controls,
}

impl Lesson {
    /// Opens `exercise`.
    pub fn new(exercise: Exercise) -> Lesson {
        Lesson {
            met: vec![None; exercise.goals.len()],
            controls: exercise.controls(),
            exercise: Rc::new(exercise),
            hints: 0,
            solution: None,
            replayed: false,
        }
    }

    /// Whether the exercise lets the student do this. Watching (play, step, speed) and starting
    /// over are always there, going back in time unless the exercise turns it off; changing the
    /// run itself never is.
    pub fn allows(&self, c: Control) -> bool {
        match c {
            Control::Play | Control::Speed | Control::Reset => true,
            Control::Seek => self.exercise.rewind,
            Control::Load => false,
            c => self.controls.allows(c),
        }
    }

    /// Why the student may not take one more action now, if not.
    pub fn refuses(&self, taken: usize, now: Time) -> Option<String> {
        let e = &self.exercise;
        if let Some(b) = e.budget
            && taken >= b as usize
        {
            return Some(format!(
                "This exercise allows {b} action{}: press Start over to try again.",
                if b == 1 { "" } else { "s" }
            ));
        }
        (now > e.time_limit).then(|| {
            format!(
                "Time is up ({}): press Start over to try again.",
                format_time(e.time_limit)
            )
        })
    }

    /// Reads the run's checklist; `true` when it changed.
    pub fn read(&mut self, lab: &dyn Lab) -> bool {
        let Some(t) = Tracker::of(lab) else {
            return false;
        };
        if t.met() == self.met.as_slice() {
            return false;
        }
        self.met = t.met().to_vec();
        true
    }

    /// The checklist starts over (a reset or a rewind rebuilt the run).
    pub fn restart(&mut self) {
        self.met = vec![None; self.exercise.goals.len()];
        self.solution = None;
    }

    /// Points for the goals met so far.
    pub fn score(&self) -> u32 {
        self.exercise.score(&self.met)
    }

    /// Whether every goal is met.
    pub fn done(&self) -> bool {
        self.met.iter().all(Option::is_some)
    }
}

thread_local! {
    /// The shipped packs, read once (the list is drawn every frame while it is open), in the
    /// lab menu's order.
    pub(crate) static PACKS: Vec<(String, Pack)> = {
        let mut packs = shipped();
        let order = |name: &str| crate::bundles::all_labs().position(|(lab, _)| lab == name);
        packs.sort_by_key(|(name, _)| order(name).unwrap_or(usize::MAX));
        packs
    };
    /// Their exercises' progress keys (id and content hash), by id.
    pub(crate) static KEYS: BTreeMap<String, String> = PACKS.with(|packs| {
        packs
            .iter()
            .flat_map(|(_, p)| p.exercises.iter().map(|e| (e.id.clone(), key(e))))
            .collect()
    });
}

/// The shipped exercise called `id`.
pub fn find(id: &str) -> Option<Exercise> {
    PACKS.with(|packs| packs.iter().find_map(|(_, p)| p.find(id).cloned()))
}

/// One exercise's best result in this browser, kept under its [`key`] (which names the
/// version of the exercise it was for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Best score.
    pub score: u32,
    /// Points possible.
    pub max: u32,
    /// The link of the best solution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Progress over every exercise, as kept and as exported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Which program wrote it.
    #[serde(default)]
    pub app: String,
    /// By exercise id and content hash (`raft-term-3#52dc4f2531f94df9`): a result for one
    /// version of an exercise never hides or replaces one for another, and two teachers'
    /// exercises with the same id stay apart.
    pub exercises: BTreeMap<String, Record>,
}

/// The key of an exercise's results.
pub fn key(e: &Exercise) -> String {
    format!("{}#{}", e.id, e.content_hash())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Progress {
    /// What this browser kept (nothing when storage is off or the entry unreadable).
    pub fn load() -> Progress {
        storage()
            .and_then(|s| s.get_item(STORE_KEY).ok().flatten())
            .and_then(|text| Progress::parse(&text).ok())
            .unwrap_or_default()
    }

    /// Keeps it in this browser; says why not when it could not.
    pub fn save(&self) -> Result<(), String> {
        let text = serde_json::to_string(self).map_err(|e| e.to_string())?;
        storage()
            .ok_or("this browser keeps no local storage")?
            .set_item(STORE_KEY, &text)
            .map_err(|_| "the browser refused to store progress".to_string())
    }

    /// Reads an exported file.
    pub fn parse(text: &str) -> Result<Progress, String> {
        if text.len() > MAX_PROGRESS_BYTES {
            return Err(format!(
                "the file is {} bytes; a progress file is at most {MAX_PROGRESS_BYTES}",
                text.len()
            ));
        }
        let p: Progress = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a Splitbrain progress file ({})",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })?;
        if p.exercises.len() > 10_000 {
            return Err("a progress file lists at most 10000 exercises".into());
        }
        Ok(p)
    }

    /// Adds a result for the exercise under `key`, keeping the better one; `true` when it was
    /// better.
    pub fn record(&mut self, key: &str, r: Record) -> bool {
        match self.exercises.get(key) {
            Some(old) if old.score >= r.score => false,
            _ => {
                self.exercises.insert(key.to_string(), r);
                true
            }
        }
    }

    /// Takes in another browser's progress; returns how many results improved.
    pub fn merge(&mut self, other: Progress) -> usize {
        other
            .exercises
            .into_iter()
            .filter(|(id, r)| self.record(id, r.clone()))
            .count()
    }

    /// This browser's result for the exercise under `key`, if any.
    pub fn of(&self, key: &str) -> Option<&Record> {
        self.exercises.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(score: u32) -> Record {
        Record {
            score,
            max: 3,
            link: None,
        }
    }

    #[test]
    fn a_result_is_kept_only_when_better_and_merging_counts_improvements() {
        let mut p = Progress::default();
        assert!(p.record("raft-term-3#a", rec(1)));
        assert!(!p.record("raft-term-3#a", rec(1)), "not better");
        assert!(p.record("raft-term-3#a", rec(3)));
        assert!(
            !p.record("raft-term-3#a", rec(2)),
            "a worse result does not replace a better"
        );
        // Another version of the exercise is kept apart, never replacing this one.
        assert!(p.record("raft-term-3#b", rec(1)));
        assert_eq!(p.of("raft-term-3#a").unwrap().score, 3);
        let mut other = Progress::default();
        other.record("raft-term-3#a", rec(2));
        other.record("paxos-livelock#c", rec(3));
        assert_eq!(p.merge(other), 1, "only the new exercise improved");
    }

    #[test]
    fn progress_files_are_checked() {
        let good = r#"{"app":"x","exercises":{"a#h":{"score":1,"max":2}}}"#;
        assert_eq!(Progress::parse(good).unwrap().exercises.len(), 1);
        assert!(
            Progress::parse("{}")
                .unwrap_err()
                .contains("not a Splitbrain progress file")
        );
        assert!(
            Progress::parse("nope")
                .unwrap_err()
                .contains("not a Splitbrain progress file")
        );
        let huge = " ".repeat(MAX_PROGRESS_BYTES + 1);
        assert!(Progress::parse(&huge).unwrap_err().contains("at most"));
    }

    #[test]
    fn an_exercise_allows_watching_and_its_own_controls_never_load() {
        let mut e = find("raft-failover").expect("shipped");
        e.controls = "crash".into();
        let l = Lesson::new(e);
        for c in [
            Control::Play,
            Control::Speed,
            Control::Reset,
            Control::Seek,
            Control::Crash,
        ] {
            assert!(l.allows(c), "{c:?}");
        }
        for c in [
            Control::Partition,
            Control::Request,
            Control::Network,
            Control::Load,
        ] {
            assert!(!l.allows(c), "{c:?}");
        }
        assert!(l.refuses(2, 0).unwrap().contains("allows 2 actions"));
        assert!(
            l.refuses(1, l.exercise.time_limit + 1)
                .unwrap()
                .contains("Time is up")
        );
        assert_eq!(l.refuses(1, l.exercise.time_limit), None);
    }
}
