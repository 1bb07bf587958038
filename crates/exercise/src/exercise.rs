//! The exercise format: what a teacher writes, a student opens and the grader checks.

use crate::goal::{Goal, Tracker};
use serde::{Deserialize, Serialize};
use splitbrain_embed::{Control, Controls};
use splitbrain_labs::RunDescription;
use splitbrain_sim::{Lab, Time, limits, serde_duration, stable_hash};

/// Most exercises in one pack.
pub const MAX_EXERCISES: usize = 200;
/// Most goals in one exercise.
pub const MAX_GOALS: usize = 20;
/// Most hints in one exercise.
pub const MAX_HINTS: usize = 20;
/// Longest id.
pub const MAX_ID_CHARS: usize = 64;

/// How much help an exercise gives, for ordering a pack from guided to hard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Says what to do; the hints give it away.
    Guided,
    /// Says what to reach, not how.
    Practice,
    /// Needs an idea of one's own.
    Hard,
}

/// One goal of an exercise, with its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalSpec {
    /// What the checklist says; [`Goal::describe`] when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Points for meeting it.
    #[serde(default = "one_point")]
    pub points: u32,
    /// The predicate.
    pub check: Goal,
}

fn rewind_on() -> bool {
    true
}

fn is_on(b: &bool) -> bool {
    *b
}

fn one_point() -> u32 {
    1
}

impl GoalSpec {
    /// What the checklist says.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.check.describe()
        } else {
            self.name.clone()
        }
    }
}

/// An exercise: a starting run, what the student may do, and goals the engine checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Stable id, used in solution links and submission files: `raft-depose`.
    pub id: String,
    /// Title for the list.
    pub title: String,
    /// The lab it runs in.
    pub lab: String,
    /// Guided, practice or hard.
    pub level: Level,
    /// The task, as the student reads it.
    pub brief: String,
    /// What the student may do, in the embed's words: some of `crash`, `partition`,
    /// `request`, `network`. Playing, stepping, the speed and starting over are always there.
    #[serde(default)]
    pub controls: String,
    /// Most actions the student may take; none means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<u32>,
    /// Whether the student may go back in time (scrub the timeline, step back) and act there,
    /// which replaces what came after; the budget counts the actions of the line graded. On
    /// unless the exercise turns it off, as a puzzle that must be solved in one pass would.
    #[serde(default = "rewind_on", skip_serializing_if = "is_on")]
    pub rewind: bool,
    /// How long the run is judged: goals met later do not count.
    #[serde(with = "serde_duration")]
    pub time_limit: Time,
    /// Hints, shown one at a time when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The starting run: a run description without `lab` (seed, nodes, network, params,
    /// actions already scheduled).
    #[serde(default = "empty_object")]
    pub start: serde_json::Value,
    /// The goals, each with its points.
    pub goals: Vec<GoalSpec>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// A file of exercises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Title of the set.
    #[serde(default)]
    pub title: String,
    /// The exercises, in the order students should take them.
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
}

impl Pack {
    /// Reads a pack, TOML (a file a teacher writes) or JSON, and checks every exercise.
    pub fn parse(text: &str) -> Result<Pack, String> {
        if text.len() > limits::MAX_SCENARIO_BYTES {
            return Err(format!(
                "the exercise file is {} bytes; the limit is {} bytes",
                text.len(),
                limits::MAX_SCENARIO_BYTES
            ));
        }
        let one_line = |e: String| e.split_whitespace().collect::<Vec<_>>().join(" ");
        let pack: Pack = if text.trim_start().starts_with('{') {
            serde_json::from_str(text)
                .map_err(|e| format!("bad JSON exercise file: {}", one_line(e.to_string())))?
        } else {
            parse_toml(text).map_err(|e| format!("bad TOML exercise file: {}", one_line(e)))?
        };
        pack.validate()?;
        Ok(pack)
    }

    /// Checks sizes, unique ids and every exercise.
    pub fn validate(&self) -> Result<(), String> {
        if self.exercises.is_empty() || self.exercises.len() > MAX_EXERCISES {
            return Err(format!(
                "a pack holds 1 to {MAX_EXERCISES} exercises, this one {}",
                self.exercises.len()
            ));
        }
        for (i, e) in self.exercises.iter().enumerate() {
            if self.exercises[..i].iter().any(|o| o.id == e.id) {
                return Err(format!("two exercises are called {:?}", e.id));
            }
            e.validate()
                .map_err(|why| format!("exercise {:?}: {why}", e.id))?;
        }
        Ok(())
    }

    /// The exercise called `id`.
    pub fn find(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }
}

#[cfg(feature = "toml")]
fn parse_toml(text: &str) -> Result<Pack, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

#[cfg(not(feature = "toml"))]
fn parse_toml(_: &str) -> Result<Pack, String> {
    Err("this build reads JSON exercise files only".into())
}

impl Exercise {
    /// The run a student starts from.
    pub fn run(&self) -> Result<RunDescription, String> {
        if self.start.get("traffic").is_some() {
            return Err(
                "start must not set traffic: the page's automatic requests would spend the student's budget"
                    .into(),
            );
        }
        RunDescription::from_start(&self.lab, &self.start).map_err(|e| format!("start: {e}"))
    }

    /// What the student may do.
    pub fn controls(&self) -> Controls {
        // Checked by `validate`; a bad list allows nothing.
        Controls::parse(&self.controls).unwrap_or(Controls::NONE)
    }

    /// Points for meeting every goal.
    pub fn max_points(&self) -> u32 {
        self.goals.iter().map(|g| g.points).sum()
    }

    /// A fingerprint of everything the exercise says: a solution link carries it, so a link made
    /// against an exercise that has since changed is refused rather than graded against the
    /// new one.
    pub fn content_hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        format!("{:016x}", stable_hash(text.as_bytes()))
    }

    /// A fresh build of `run` (the exercise's start, or a solution of it) with the goals
    /// watched.
    pub fn watched(
        &self,
        run: &RunDescription,
        trace_capacity: usize,
    ) -> Result<Box<dyn Lab>, String> {
        let mut lab = splitbrain_labs::build(run, trace_capacity).map_err(|e| e.to_string())?;
        lab.set_watch(Some(Box::new(self.tracker())));
        Ok(lab)
    }

    /// Points for the goals met (`met`, in the exercise's order, as a [`Tracker`] reports it).
    pub fn score(&self, met: &[Option<Time>]) -> u32 {
        self.goals
            .iter()
            .zip(met)
            .filter(|(_, m)| m.is_some())
            .map(|(g, _)| g.points)
            .sum()
    }

    /// The goal checker for this exercise.
    pub fn tracker(&self) -> Tracker {
        Tracker::new(self.goals.iter().map(|g| &g.check), self.time_limit)
    }

    /// Checks everything a teacher could get wrong, with the lab itself.
    pub fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= MAX_ID_CHARS
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(format!(
                "an id is 1 to {MAX_ID_CHARS} letters, digits, - or _, not {:?}",
                self.id
            ));
        }
        let controls = Controls::parse(&self.controls)?;
        for c in [Control::Load, Control::Seek] {
            if controls.allows(c) {
                return Err(format!(
                    "controls: {} would let the student change the exercise itself",
                    c.name()
                ));
            }
        }
        if self.time_limit == 0 || self.time_limit > limits::MAX_TIME {
            return Err("time_limit must be above 0 and at most a day".into());
        }
        if self.goals.is_empty() || self.goals.len() > MAX_GOALS {
            return Err(format!("an exercise has 1 to {MAX_GOALS} goals"));
        }
        if self.hints.len() > MAX_HINTS {
            return Err(format!("an exercise has at most {MAX_HINTS} hints"));
        }
        let lab = splitbrain_labs::build(&self.run()?, 0).map_err(|e| e.to_string())?;
        for (i, g) in self.goals.iter().enumerate() {
            g.check
                .validate(lab.as_ref())
                .map_err(|why| format!("goal {}: {why}", i + 1))?;
        }
        Ok(())
    }
}
