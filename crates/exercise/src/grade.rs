//! Solution links and grading: a solution is a run description that replays bit for bit, so
//! grading is replaying it with the exercise's goals watched.

use crate::exercise::{Exercise, Pack};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::Serialize;
use splitbrain_embed::Control;
use splitbrain_labs::RunDescription;
use splitbrain_sim::{Lab, RunOutcome, Time, TimedAction, format_time};

/// Longest solution link accepted: a run with about a thousand actions.
pub const MAX_LINK_BYTES: usize = 256 * 1024;

/// Characters `encodeURIComponent` leaves alone, so the page and the CLI write the same links.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// A value for a link's query, as `encodeURIComponent` writes it.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The solution link of `run` for `exercise`, after `base` (the page's address).
pub fn solution_link(base: &str, exercise: &Exercise, run: &RunDescription) -> String {
    format!(
        "{base}?exercise={}&hash={}&run={}",
        encode(&exercise.id),
        exercise.content_hash(),
        encode(&run.to_json())
    )
}

/// What a solution link says.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The exercise it solves.
    pub exercise: String,
    /// That exercise's content hash when the link was made.
    pub hash: String,
    /// The run.
    pub run: RunDescription,
}

/// Reads a solution link (a whole address, or just its query).
pub fn parse_link(link: &str) -> Result<Solution, String> {
    let link = link.trim();
    if link.len() > MAX_LINK_BYTES {
        return Err(format!(
            "the link is {} bytes; the limit is {MAX_LINK_BYTES}",
            link.len()
        ));
    }
    let query = link.split_once('?').map_or(link, |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let (mut exercise, mut hash, mut run) = (None, None, None);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode_str(v)
            .decode_utf8()
            .map_err(|_| format!("the link's {k} is not valid UTF-8 once decoded"))?;
        match k {
            "exercise" => exercise = Some(v.into_owned()),
            "hash" => hash = Some(v.into_owned()),
            "run" => run = Some(v.into_owned()),
            _ => {}
        }
    }
    let missing = |what: &str| format!("not a solution link: it has no {what}");
    let run = RunDescription::parse(&run.ok_or_else(|| missing("run"))?)
        .map_err(|e| format!("the link's run: {e}"))?;
    Ok(Solution {
        exercise: exercise.ok_or_else(|| missing("exercise"))?,
        hash: hash.ok_or_else(|| missing("hash"))?,
        run,
    })
}

/// One goal's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalResult {
    /// What the checklist says.
    pub goal: String,
    /// Points it is worth.
    pub max_points: u32,
    /// When it was first met (µs of virtual time), if it was.
    pub met_at: Option<Time>,
}

/// A graded solution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graded {
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max_score: u32,
    /// The student's own actions.
    pub actions: usize,
    /// Each goal.
    pub goals: Vec<GoalResult>,
}

/// The student's actions in `run`: everything beyond the exercise's own scheduled actions, which
/// must all be there.
pub fn own_actions(exercise: &Exercise, run: &RunDescription) -> Result<Vec<TimedAction>, String> {
    let start = exercise.run()?;
    let mut theirs = run.clone();
    let mut ours = start.clone();
    theirs.actions.clear();
    theirs.until = None;
    ours.actions.clear();
    ours.until = None;
    if theirs != ours {
        return Err(
            "the run is not the exercise's starting run (its lab, seed, nodes, network or settings differ)"
                .into(),
        );
    }
    let mut own = run.actions.clone();
    for a in &start.actions {
        match own.iter().position(|b| b == a) {
            Some(i) => {
                own.remove(i);
            }
            None => {
                return Err(format!(
                    "the run lacks the exercise's own action at {}",
                    format_time(a.at)
                ));
            }
        }
    }
    Ok(own)
}

/// Checks that `actions` are allowed and within budget.
pub fn check_actions(exercise: &Exercise, actions: &[TimedAction]) -> Result<(), String> {
    let allowed = exercise.controls();
    if let Some(a) = actions
        .iter()
        .find(|a| !allowed.allows(Control::of(&a.action)))
    {
        return Err(format!(
            "the action at {} needs the {} control, which this exercise does not give",
            format_time(a.at),
            Control::of(&a.action).name()
        ));
    }
    if let Some(budget) = exercise.budget
        && actions.len() > budget as usize
    {
        return Err(format!(
            "over budget: {} actions, the exercise allows {budget}",
            actions.len()
        ));
    }
    if let Some(a) = actions.iter().find(|a| a.at > exercise.time_limit) {
        return Err(format!(
            "an action at {} is past the time limit of {}",
            format_time(a.at),
            format_time(exercise.time_limit)
        ));
    }
    Ok(())
}

/// Grades one solution link submitted for exercise `expected` of `pack`. `Err` is the reason it
/// was refused, one line.
pub fn grade(pack: &Pack, expected: &str, link: &str) -> Result<Graded, String> {
    let exercise = pack
        .find(expected)
        .ok_or_else(|| format!("the pack has no exercise {expected:?}"))?;
    let solution = parse_link(link)?;
    if solution.exercise != expected {
        return Err(format!(
            "the link is for exercise {:?}, not {expected:?}",
            solution.exercise
        ));
    }
    let hash = exercise.content_hash();
    if solution.hash != hash {
        return Err(format!(
            "the link was made for another version of {expected:?} (hash {}, the pack's is {hash})",
            solution.hash
        ));
    }
    let own = own_actions(exercise, &solution.run)?;
    check_actions(exercise, &own)?;
    let mut lab = exercise.watched(&solution.run, 0)?;
    replay(lab.as_mut(), exercise.time_limit);
    Ok(result(exercise, lab.as_ref(), own.len()))
}

/// Runs to the time limit, however many calls that takes.
fn replay(lab: &mut dyn Lab, limit: Time) {
    while lab.run_until(limit, 1_000_000) == RunOutcome::Budget {}
}

/// The score of a watched run.
pub fn result(exercise: &Exercise, lab: &dyn Lab, actions: usize) -> Graded {
    let met = crate::Tracker::of(lab)
        .map(|t| t.met().to_vec())
        .unwrap_or_default();
    let goals: Vec<GoalResult> = exercise
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| GoalResult {
            goal: g.label(),
            max_points: g.points,
            met_at: met.get(i).copied().flatten(),
        })
        .collect();
    Graded {
        score: exercise.score(&met),
        max_score: exercise.max_points(),
        actions,
        goals,
    }
}
