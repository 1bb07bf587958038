//! The tour format: chapters of steps, each with narration, what to set up, what to point at
//! and how it ends. Written in TOML (`tours/*.toml`), compiled into the page as JSON.

use crate::markdown;
use serde::{Deserialize, Serialize};
use splitbrain_exercise::Goal;
use splitbrain_labs::RunDescription;
use splitbrain_sim::{Action, NodeId, Time, limits, secs, serde_opt_duration};

/// Most steps in one tour.
pub const MAX_STEPS: usize = 60;
/// Longest narration of one step, in bytes: a step is read in under a minute.
pub const MAX_TEXT: usize = 1_200;
/// Longest wait or `after` a step may have, in virtual time: a tour that would sit longer is a
/// tour whose event never comes.
pub const MAX_WAIT: Time = 120_000_000;
/// The wall-clock seconds before a your-turn step offers its hint, when the tour does not say.
pub const HINT_AFTER_S: f64 = 20.0;

/// Parts of the page a step can point at.
pub const PANELS: &[&str] = &[
    "network",
    "timeline",
    "log",
    "lab",
    "inspector",
    "controls",
    "diagram",
];

/// A guided tour of one lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tour {
    /// Used in links: `?tour=raft`.
    pub id: String,
    /// The lab every chapter runs in.
    pub lab: String,
    /// Title for the menu and the tour's header.
    pub title: String,
    /// One sentence for the menu and the first-visit offer.
    pub summary: String,
    /// About how long a newcomer takes, for the menu.
    pub minutes: u32,
    /// The chapters, in order.
    #[serde(rename = "chapter")]
    pub chapters: Vec<Chapter>,
}

/// A chapter: a title, the run it starts from and its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// Shown above its steps.
    pub title: String,
    /// The run the chapter starts from (a run description without `lab`); none goes on with
    /// the previous chapter's run as it stands. The first chapter must have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<serde_json::Value>,
    /// The steps.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

/// What a step points at. Every highlight also names itself in words in the step's card, so it
/// does not rely on colour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Highlight {
    /// Nodes to ring on the network view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeId>,
    /// A message kind (as the lab's legend names it) to stand out on the network view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A part of the page ([`PANELS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<String>,
    /// A node's row in the lab's own table (Raft's log table, Paxos's acceptors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<NodeId>,
}

impl Highlight {
    /// Whether it points at nothing.
    pub fn is_empty(&self) -> bool {
        self == &Highlight::default()
    }
}

/// A "your turn" step's task: the reader acts, the engine checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Met when the reader has done it (an exercise goal's predicate).
    pub goal: Goal,
    /// Offered after [`Task::hint_after`] wall-clock seconds.
    pub hint: String,
    /// Wall-clock seconds before the hint shows ([`HINT_AFTER_S`] by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_after: Option<f64>,
    /// What a reader could do, applied at the step's start when the tour is played without
    /// one (a step's link opened cold, the tests). Must meet the goal.
    pub answer: Vec<Action>,
}

/// One step of a tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The narration: short Markdown (bold, italics, code, links), paragraphs apart.
    pub text: String,
    /// Actions applied as the step starts, through the player like a reader's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub act: Vec<Action>,
    /// Automatic client traffic on or off from the step's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<bool>,
    /// Virtual seconds per wall second from the step's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Whether the run plays during the step; by default it plays when the step waits for
    /// something and is paused when it ends with Continue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play: Option<bool>,
    /// What to point at.
    #[serde(default, skip_serializing_if = "Highlight::is_empty")]
    pub highlight: Highlight,
    /// Ends the step when this holds (a real event: a leader elected, an entry committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Goal>,
    /// Ends the step after this much virtual time.
    #[serde(
        default,
        with = "serde_opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub after: Option<Time>,
    /// Asks the reader to act; ends when the task's goal holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
}

/// How a step ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ending<'a> {
    /// The reader presses Continue.
    Continue,
    /// This much virtual time after the step's start.
    After(Time),
    /// When the goal holds.
    Wait(&'a Goal),
    /// When the reader's action makes the goal hold.
    Task(&'a Task),
}

impl Step {
    /// How the step ends.
    pub fn ending(&self) -> Ending<'_> {
        match (&self.wait, self.after, &self.task) {
            (Some(g), _, _) => Ending::Wait(g),
            (_, Some(t), _) => Ending::After(t),
            (_, _, Some(t)) => Ending::Task(t),
            _ => Ending::Continue,
        }
    }

    /// The goal the engine watches during the step.
    pub fn goal(&self) -> Option<&Goal> {
        match self.ending() {
            Ending::Wait(g) => Some(g),
            Ending::Task(t) => Some(&t.goal),
            _ => None,
        }
    }

    /// Whether the run plays during the step.
    pub fn plays(&self) -> bool {
        self.play
            .unwrap_or(!matches!(self.ending(), Ending::Continue))
    }
}

/// A step with where it sits in the tour.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The step.
    pub step: &'a Step,
    /// Its chapter, and the chapter's number from 0.
    pub chapter: &'a Chapter,
    /// The chapter's number, from 0.
    pub chapter_index: usize,
    /// Whether it is its chapter's first step (where a chapter's run loads).
    pub first_of_chapter: bool,
}

impl Tour {
    /// Reads a tour (JSON, as compiled into the page) and checks it against its lab.
    pub fn parse(json: &str) -> Result<Tour, String> {
        if json.len() > limits::MAX_SCENARIO_BYTES {
            return Err(format!(
                "the tour is {} bytes; the limit is {}",
                json.len(),
                limits::MAX_SCENARIO_BYTES
            ));
        }
        let tour: Tour = serde_json::from_str(json).map_err(|e| {
            format!(
                "bad tour: {}",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })?;
        tour.validate()?;
        Ok(tour)
    }

    /// Steps in all.
    pub fn len(&self) -> usize {
        self.chapters.iter().map(|c| c.steps.len()).sum()
    }

    /// Whether the tour has no steps (never, once validated).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Step `i` (from 0, over all chapters) with its place.
    pub fn at(&self, i: usize) -> Option<At<'_>> {
        let mut first = 0;
        for (ci, c) in self.chapters.iter().enumerate() {
            if i < first + c.steps.len() {
                return Some(At {
                    step: &c.steps[i - first],
                    chapter: c,
                    chapter_index: ci,
                    first_of_chapter: i == first,
                });
            }
            first += c.steps.len();
        }
        None
    }

    /// The run chapter `c` loads, if it loads one.
    pub fn chapter_run(&self, c: usize) -> Result<Option<RunDescription>, String> {
        let Some(start) = self.chapters.get(c).and_then(|c| c.run.as_ref()) else {
            return Ok(None);
        };
        RunDescription::from_start(&self.lab, start)
            .map(Some)
            .map_err(|e| format!("run: {e}"))
    }

    /// Checks what an author could get wrong that the format does not: sizes, the Markdown,
    /// one ending per step, and every node, kind, panel and goal against the lab's own run.
    /// That each wait happens and each answer meets its task is checked by playing the tour
    /// ([`crate::walk`]).
    pub fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(format!(
                "a tour id is 1 to 64 lowercase letters, digits or -, not {:?}",
                self.id
            ));
        }
        let info = splitbrain_labs::find(&self.lab).map_err(|e| e.0)?;
        let steps = self.len();
        if steps == 0 || steps > MAX_STEPS {
            return Err(format!(
                "a tour has 1 to {MAX_STEPS} steps, this one {steps}"
            ));
        }
        if self.chapters.first().is_none_or(|c| c.run.is_none()) {
            return Err("the first chapter must load a run".into());
        }
        let mut lab = None;
        for (ci, chapter) in self.chapters.iter().enumerate() {
            if let Some(run) = self
                .chapter_run(ci)
                .map_err(|e| format!("chapter {} ({:?}): {e}", ci + 1, chapter.title))?
            {
                lab = Some(splitbrain_labs::build(&run, 0).map_err(|e| e.to_string())?);
            }
            let Some(lab) = lab.as_deref() else {
                continue;
            };
            if chapter.steps.is_empty() {
                return Err(format!("chapter {} has no steps", ci + 1));
            }
            for (si, step) in chapter.steps.iter().enumerate() {
                step.validate(lab, info)
                    .map_err(|e| format!("chapter {} step {}: {e}", ci + 1, si + 1))?;
            }
        }
        Ok(())
    }
}

impl Step {
    fn validate(
        &self,
        lab: &dyn splitbrain_sim::Lab,
        info: &splitbrain_labs::LabInfo,
    ) -> Result<(), String> {
        if self.text.trim().is_empty() || self.text.len() > MAX_TEXT {
            return Err(format!("the text is 1 to {MAX_TEXT} bytes"));
        }
        markdown::parse(&self.text)?;
        let endings = [
            self.wait.is_some(),
            self.after.is_some(),
            self.task.is_some(),
        ];
        if endings.iter().filter(|e| **e).count() > 1 {
            return Err("a step ends one way: wait, after or task".into());
        }
        if let Some(t) = self.after
            && (t == 0 || t > MAX_WAIT)
        {
            return Err(format!(
                "after must be above 0 and at most {}s",
                MAX_WAIT / secs(1)
            ));
        }
        if let Some(s) = self.speed
            && !(s.is_finite() && (0.001..=10.0).contains(&s))
        {
            return Err(format!("speed must be 0.001 to 10, got {s}"));
        }
        if let Some(g) = self.goal() {
            g.validate(lab)?;
        }
        if let Some(t) = &self.task {
            if t.hint.trim().is_empty() {
                return Err("a task needs a hint".into());
            }
            markdown::parse(&t.hint)?;
            if t.hint_after
                .is_some_and(|s| !(s.is_finite() && (0.0..=600.0).contains(&s)))
            {
                return Err("hint_after is 0 to 600 seconds".into());
            }
        }
        let h = &self.highlight;
        if let Some(n) = h.nodes.iter().chain(&h.row).find(|n| **n >= lab.nodes()) {
            return Err(format!(
                "highlight names n{n}; the run has n0 to n{}",
                lab.nodes() - 1
            ));
        }
        if let Some(k) = &h.kind
            && !info.message_kinds.iter().any(|(name, _)| name == k)
        {
            let names: Vec<&str> = info.message_kinds.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "highlight kind {k:?}: the {} lab's kinds are {}",
                info.name,
                names.join(", ")
            ));
        }
        if let Some(p) = &h.panel
            && !PANELS.contains(&p.as_str())
        {
            return Err(format!(
                "highlight panel {p:?}: one of {}",
                PANELS.join(", ")
            ));
        }
        Ok(())
    }
}
