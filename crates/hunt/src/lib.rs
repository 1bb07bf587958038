//! Bug hunts: run a lab under seeded random fault schedules until an invariant breaks, then
//! shrink the failing run to the few actions that still break it.
//!
//! One seed draws the whole run (TigerBeetle's VOPR): [`seeded`] adds the seed's fault
//! schedule to a base run, and [`check`] plays it to the first violation. [`shrink`] is delta
//! debugging over the run's actions (Zeller's ddmin, as DSLabs' trace minimiser does): it drops
//! what happens after the violation, then removes chunks of actions, halving the chunks when no
//! chunk can go, and keeps a removal whenever the *same* invariant still breaks. It ends when
//! no single action can be removed (a local minimum), and cuts the run off just after the
//! violation. Everything here is a pure function of its input, so a finding replays bit for bit
//! in the CLI, the page and the tests, and builds for wasm32 for the page's worker.
#![forbid(unsafe_code)]

mod link;

pub use link::page_link;

pub use splitbrain_labs::FaultMix;
use splitbrain_labs::{RunDescription, RunError, build, find, random_faults_with};
use splitbrain_player::{Options, Player};
use splitbrain_sim::{Lab, Time, TimedAction};

/// A hunt's runs last this long when the base run does not say.
pub const DEFAULT_UNTIL: Time = 30_000_000;

/// What broke, and when: the first violation of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The invariant's name (`LeaderCompleteness`).
    pub invariant: String,
    /// Virtual time of the event that broke it.
    pub time: Time,
    /// That event's index in the trace.
    pub event: u64,
    /// What is wrong, in the invariant's words.
    pub message: String,
}

/// `base` with `seed`, and the random fault schedule that seed draws added to its actions:
/// the run a sweep tries for that seed.
pub fn seeded(base: &RunDescription, seed: u64) -> Result<RunDescription, RunError> {
    seeded_with(base, seed, &FaultMix::SWEEP)
}

/// [`seeded`] with the fault kinds weighed as `mix` says (the page's hunt lets a learner leave
/// out crashes, partitions, loss, duplication or client load).
pub fn seeded_with(
    base: &RunDescription,
    seed: u64,
    mix: &FaultMix,
) -> Result<RunDescription, RunError> {
    let mut run = base.clone();
    run.seed = seed;
    let until = run.until.unwrap_or(DEFAULT_UNTIL);
    run.until = Some(until);
    let info = find(&run.lab)?;
    run.actions
        .extend(random_faults_with(info, seed, run.nodes, until, mix));
    run.actions.sort_by_key(|t| t.at);
    run.validate()?;
    Ok(run)
}

/// Plays `run` to its end (or at most `max_events` events) and returns its first violation:
/// a broken invariant, or else a history that fails the `Linearizable` check.
/// A run with the page's automatic client traffic plays through the page's own player, so a
/// shared link is checked exactly as it plays in the page.
pub fn check(run: &RunDescription, max_events: u64) -> Result<Option<Failure>, RunError> {
    play(run, max_events).map(|p| p.failure)
}

/// What playing a run found, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Played {
    /// Its first violation, where it stopped.
    pub failure: Option<Failure>,
    /// Events processed.
    pub events: u64,
}

/// [`check`], also counting the events played (a hunt's events per second).
pub fn play(run: &RunDescription, max_events: u64) -> Result<Played, RunError> {
    let until = run.until.unwrap_or(DEFAULT_UNTIL);
    // The servers' invariants stop the run at once; the clients' history is judged at its end.
    let first = |lab: &dyn Lab| {
        splitbrain_labs::consistency::violations(lab)
            .first()
            .map(|v| Failure {
                invariant: v.invariant.to_string(),
                time: v.time,
                event: v.event,
                message: v.message.clone(),
            })
    };
    if run.traffic.is_some() {
        let options = Options {
            trace_kept: 0,
            stop_on_violation: true,
            ..Options::default()
        };
        let mut player = Player::from_link(run.clone(), options).map_err(RunError)?;
        player.seek(until, max_events);
        let lab = player.lab();
        return Ok(Played {
            failure: first(lab),
            events: lab.events(),
        });
    }
    let mut lab = build(run, 0)?;
    lab.set_stop_on_violation(true);
    lab.run_until(until, max_events);
    Ok(Played {
        failure: first(lab.as_ref()),
        events: lab.events(),
    })
}

/// A shrunk finding: the smallest run found that breaks the same invariant.
#[derive(Debug, Clone, PartialEq)]
pub struct Shrunk {
    /// The run: the actions that matter, and `until` just after the violation.
    pub run: RunDescription,
    /// Its violation (the same invariant as the original's).
    pub failure: Failure,
    /// Actions in the run given to [`shrink`].
    pub from_actions: usize,
    /// Runs played while shrinking.
    pub runs: u32,
    /// `false` when the budget of runs ran out before a local minimum was reached.
    pub minimal: bool,
}

/// Why a run could not be shrunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShrinkError {
    /// The run is not valid (an unknown lab, a bad parameter).
    Run(RunError),
    /// The run breaks no invariant, so there is nothing to keep failing.
    DoesNotFail,
}

impl std::fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShrinkError::Run(e) => write!(f, "{e}"),
            ShrinkError::DoesNotFail => {
                f.write_str("the run breaks no invariant, so there is nothing to shrink")
            }
        }
    }
}

impl From<RunError> for ShrinkError {
    fn from(e: RunError) -> Self {
        ShrinkError::Run(e)
    }
}

/// How much a shrink may cost: it stops with the best run so far after this many runs.
pub const DEFAULT_BUDGET: u32 = 5_000;

/// Shrinks `run` to a local minimum: no single action of the result can be removed and still
/// break the same invariant. Plays at most `budget` runs of at most `max_events` events each.
pub fn shrink(run: &RunDescription, max_events: u64, budget: u32) -> Result<Shrunk, ShrinkError> {
    let original = check(run, max_events)?.ok_or(ShrinkError::DoesNotFail)?;
    let mut s = Shrinker {
        base: run.clone(),
        invariant: original.invariant.clone(),
        max_events,
        budget,
        runs: 1,
        best: original,
    };
    // What happens after the violation cannot have caused it.
    let mut actions: Vec<TimedAction> = run
        .actions
        .iter()
        .filter(|a| a.at <= s.best.time)
        .cloned()
        .collect();
    if actions.len() < run.actions.len() && !s.fails(&actions)? {
        // An action after the violation mattered after all (it cannot, as events at one
        // instant keep their order; this guards a future engine that breaks that).
        actions = run.actions.clone();
    }
    let minimal = s.ddmin(&mut actions)?;
    let mut shrunk = s.base.clone();
    shrunk.actions = actions;
    // Cut the run off just after the violation (at the next whole millisecond), so its link
    // opens on the moment it breaks.
    let cut = (s.best.time / 1_000 + 1) * 1_000;
    let mut short = shrunk.clone();
    short.until = Some(cut.min(run.until.unwrap_or(DEFAULT_UNTIL)));
    s.runs += 1;
    if let Some(f) = check(&short, max_events)?
        && f.invariant == s.invariant
    {
        shrunk = short;
        s.best = f;
    }
    Ok(Shrunk {
        run: shrunk,
        failure: s.best,
        from_actions: run.actions.len(),
        runs: s.runs,
        minimal,
    })
}

struct Shrinker {
    base: RunDescription,
    invariant: String,
    max_events: u64,
    budget: u32,
    runs: u32,
    best: Failure,
}

impl Shrinker {
    /// Whether the base run with these actions breaks the same invariant (and keeps that
    /// violation as the best so far when it does).
    fn fails(&mut self, actions: &[TimedAction]) -> Result<bool, RunError> {
        self.runs += 1;
        let mut run = self.base.clone();
        run.actions = actions.to_vec();
        match check(&run, self.max_events)? {
            Some(f) if f.invariant == self.invariant => {
                self.best = f;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// ddmin over the complements: try the actions without each of `n` chunks; a failing
    /// complement becomes the new set (with one chunk fewer); when none fails, split finer. At
    /// `n` = the number of actions this tries every single removal, so ending there means a
    /// local minimum. Returns `false` when the budget ran out first.
    fn ddmin(&mut self, actions: &mut Vec<TimedAction>) -> Result<bool, RunError> {
        let mut n = 2usize;
        while !actions.is_empty() {
            let chunks = n.min(actions.len());
            n = chunks;
            let mut removed = false;
            for i in 0..chunks {
                if self.runs >= self.budget {
                    return Ok(false);
                }
                let (lo, hi) = chunk(actions.len(), chunks, i);
                let rest: Vec<TimedAction> = actions[..lo]
                    .iter()
                    .chain(&actions[hi..])
                    .cloned()
                    .collect();
                if self.fails(&rest)? {
                    *actions = rest;
                    n = (chunks - 1).max(2);
                    removed = true;
                    break;
                }
            }
            if !removed {
                if n >= actions.len() {
                    return Ok(true);
                }
                n = (n * 2).min(actions.len());
            }
        }
        // No action at all still fails: the bug needs no fault.
        Ok(true)
    }
}

/// The bounds of chunk `i` of `n` nearly equal chunks of `len` items.
fn chunk(len: usize, n: usize, i: usize) -> (usize, usize) {
    (len * i / n, len * (i + 1) / n)
}

/// The first seed in `seeds` whose run breaks an invariant, with that run and its failure;
/// `on_seed` hears of every seed tried (a progress bar, a worker's messages) and may stop
/// the search by returning `false`.
pub fn search(
    base: &RunDescription,
    seeds: std::ops::RangeInclusive<u64>,
    max_events: u64,
    mut on_seed: impl FnMut(u64) -> bool,
) -> Result<Option<(RunDescription, Failure)>, RunError> {
    for seed in seeds {
        let run = seeded(base, seed)?;
        if let Some(f) = check(&run, max_events)? {
            return Ok(Some((run, f)));
        }
        if !on_seed(seed) {
            break;
        }
    }
    Ok(None)
}

/// Each action of a run in words, with its time: `at 2.31s partition {n1,n2} | {n3,n4}`.
pub fn schedule_in_words(run: &RunDescription) -> Vec<String> {
    run.actions
        .iter()
        .map(|a| {
            format!(
                "at {} {}",
                splitbrain_sim::format_time(a.at),
                splitbrain_player::describe(&a.action)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::chunk;

    #[test]
    fn chunks_cover_the_list_without_gaps() {
        for len in 1..40 {
            for n in 1..=len {
                let mut next = 0;
                for i in 0..n {
                    let (lo, hi) = chunk(len, n, i);
                    assert_eq!(lo, next);
                    assert!(hi > lo, "no empty chunk: {len} {n} {i}");
                    next = hi;
                }
                assert_eq!(next, len);
            }
        }
    }
}
