//! Goals: named predicates over a run, checked by the engine after every event.
//!
//! A goal reads [`Fact`]s the lab answers and the violations its invariants recorded, so it is
//! decided by the same events in the page and in `splitbrain grade`. An exercise's goals are
//! latched: each is met at the first event where it holds (within the exercise's time limit) and
//! stays met, like an item ticked on a checklist.

use serde::{Deserialize, Serialize};
use splitbrain_sim::{Ask, Fact, Lab, NodeId, Time, Violation, Watch, format_time, limits};
use std::any::Any;
use std::collections::VecDeque;

/// Deepest nesting of `all`/`any`/`not`/`always`/`within` a goal may have.
pub const MAX_DEPTH: usize = 8;
/// Most predicates one goal may combine.
pub const MAX_PREDICATES: usize = 64;

fn first_term() -> u64 {
    1
}

/// A predicate over the run at one moment, with its parameters, or a combination of them.
///
/// Times are seconds of virtual time. `no_progress_for`, `p99_below` and `always` look back over
/// the run so far; the rest read the state just reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Goal {
    /// A node that is up leads, in term (Raft) or ballot round (Paxos) `min_term` or later.
    LeaderElected {
        /// Lowest term that counts.
        #[serde(default = "first_term")]
        min_term: u64,
    },
    /// Some node that is up has reached this term or ballot round.
    TermAtLeast {
        /// The term.
        term: u64,
    },
    /// The node is crashed (while it is: combine with `all` for "… while node 2 is down").
    NodeDown {
        /// The node.
        node: NodeId,
    },
    /// An invariant has been broken (bug hunts); any invariant when none is named.
    Violation {
        /// Its name, e.g. `StateMachineSafety`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invariant: Option<String>,
    },
    /// Log index (Raft, from 1) or slot (Paxos, from 0) is committed or chosen.
    ValueChosen {
        /// The slot.
        slot: u64,
    },
    /// At least this much work is done (see [`Fact::Progress`]).
    ProgressAtLeast {
        /// Committed index, chosen slots or answered requests.
        n: u64,
    },
    /// Nothing was committed, chosen or answered for the last `s` seconds.
    NoProgressFor {
        /// Seconds.
        s: f64,
    },
    /// The 99th percentile of request latency (nearest rank) over the last `window_s` seconds
    /// is under `ms`, counted once a whole window has passed.
    P99Below {
        /// Milliseconds.
        ms: f64,
        /// Seconds; samples that finished at `now - window_s` or later count.
        window_s: f64,
    },
    /// The same percentile is over `ms`, once a whole window has passed: an overload.
    P99Above {
        /// Milliseconds.
        ms: f64,
        /// Seconds.
        window_s: f64,
    },
    /// A membership change has finished and the latest one moved under this share of all keys.
    KeysMovedBelow {
        /// Share of the key space, e.g. 0.12.
        share: f64,
    },
    /// At least `n` membership changes have finished migrating their keys.
    ChangesDone {
        /// Changes.
        n: u64,
    },
    /// The membership has exactly `n` servers.
    Servers {
        /// Servers.
        n: u64,
    },
    /// At most this many reads found their key unavailable so far.
    UnavailableAtMost {
        /// Reads.
        keys: u64,
    },
    /// The clients' history is shown not linearizable (a run with clients): a stale read or a
    /// doubled write has happened, as the history view names it.
    NotLinearizable {},
    /// Every goal holds at once.
    All(Vec<Goal>),
    /// At least one goal holds.
    Any(Vec<Goal>),
    /// The goal does not hold.
    Not(Box<Goal>),
    /// The goal has held after every event so far.
    Always(Box<Goal>),
    /// The goal holds no later than `s` seconds into the run.
    Within {
        /// Seconds.
        s: f64,
        /// The goal.
        goal: Box<Goal>,
    },
}

/// Seconds as virtual time, refusing what no run could reach.
fn seconds(s: f64, what: &str) -> Result<Time, String> {
    let max = limits::MAX_TIME as f64 / 1e6;
    if s.is_finite() && s > 0.0 && s <= max {
        Ok((s * 1e6).round() as Time)
    } else {
        Err(format!(
            "{what} must be above 0 and at most {max} seconds, got {s}"
        ))
    }
}

impl Goal {
    /// Checks the parameters against the lab of a freshly built run: every fact a predicate
    /// reads must be one the lab has, nodes must exist, invariants must be the lab's.
    pub fn validate(&self, lab: &dyn Lab) -> Result<(), String> {
        let mut predicates = 0;
        self.validate_at(lab, 1, &mut predicates)
    }

    fn validate_at(&self, lab: &dyn Lab, depth: usize, count: &mut usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("goals nest at most {MAX_DEPTH} deep"));
        }
        let has = |fact: Fact, name: &str| {
            lab.fact(fact)
                .map(|_| ())
                .ok_or_else(|| format!("{name} is not something the {} lab has", lab.lab()))
        };
        let fraction = |x: f64, name: &str| {
            if x.is_finite() && (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!("{name} must be between 0 and 1, got {x}"))
            }
        };
        match self {
            Goal::All(list) | Goal::Any(list) => {
                if list.is_empty() {
                    return Err("all and any need at least one goal".into());
                }
                for g in list {
                    g.validate_at(lab, depth + 1, count)?;
                }
                return Ok(());
            }
            Goal::Not(g) | Goal::Always(g) => return g.validate_at(lab, depth + 1, count),
            Goal::Within { s, goal } => {
                seconds(*s, "within s")?;
                return goal.validate_at(lab, depth + 1, count);
            }
            _ => {}
        }
        *count += 1;
        if *count > MAX_PREDICATES {
            return Err(format!(
                "a goal combines at most {MAX_PREDICATES} predicates"
            ));
        }
        match self {
            Goal::LeaderElected { .. } => has(Fact::LeaderTerm, "leader_elected"),
            Goal::TermAtLeast { .. } => has(Fact::Term, "term_at_least"),
            Goal::NodeDown { node } => {
                if *node < lab.nodes() {
                    Ok(())
                } else {
                    Err(format!(
                        "node_down names node {node}; the run has nodes 0 to {}",
                        lab.nodes() - 1
                    ))
                }
            }
            Goal::Violation {
                invariant: Some(name),
            } => {
                let names = lab.invariant_names();
                if names.contains(&name.as_str()) {
                    Ok(())
                } else {
                    Err(format!(
                        "violation names {name:?}; the {} lab checks {}",
                        lab.lab(),
                        names.join(", ")
                    ))
                }
            }
            Goal::Violation { invariant: None } => Ok(()),
            Goal::ValueChosen { slot } => has(Fact::Chosen(*slot), "value_chosen"),
            Goal::ProgressAtLeast { .. } => has(Fact::Progress, "progress_at_least"),
            Goal::NoProgressFor { s } => {
                seconds(*s, "no_progress_for s")?;
                has(Fact::Progress, "no_progress_for")
            }
            Goal::P99Below { ms, window_s } | Goal::P99Above { ms, window_s } => {
                seconds(*window_s, "p99 window_s")?;
                seconds(*ms / 1e3, "p99 ms")?;
                has(Fact::Latencies, "p99_below and p99_above")
            }
            Goal::KeysMovedBelow { share } => {
                fraction(*share, "keys_moved_below share")?;
                has(Fact::MovedShare, "keys_moved_below")
            }
            Goal::UnavailableAtMost { .. } => has(Fact::Unavailable, "unavailable_at_most"),
            Goal::NotLinearizable {} => has(
                Fact::NotLinearizable,
                "not_linearizable (a run with clients)",
            ),
            Goal::ChangesDone { .. } => has(Fact::Changes, "changes_done"),
            Goal::Servers { .. } => has(Fact::Servers, "servers"),
            Goal::All(_) | Goal::Any(_) | Goal::Not(_) | Goal::Always(_) | Goal::Within { .. } => {
                Ok(())
            }
        }
    }

    /// The goal in words, for a checklist whose author gave it no name.
    pub fn describe(&self) -> String {
        let join = |list: &[Goal], word: &str| {
            list.iter()
                .map(|g| g.describe())
                .collect::<Vec<_>>()
                .join(word)
        };
        match self {
            Goal::LeaderElected { min_term } if *min_term <= 1 => "a leader is elected".into(),
            Goal::LeaderElected { min_term } => format!("a leader in term {min_term} or later"),
            Goal::TermAtLeast { term } => format!("some node reaches term {term}"),
            Goal::NodeDown { node } => format!("n{node} is down"),
            Goal::Violation { invariant: Some(i) } => format!("{i} is broken"),
            Goal::Violation { invariant: None } => "an invariant is broken".into(),
            Goal::ValueChosen { slot } => format!("slot {slot} is chosen"),
            Goal::ProgressAtLeast { n } => format!("progress reaches {n}"),
            Goal::NoProgressFor { s } => format!("no progress for {s} s"),
            Goal::P99Below { ms, window_s } => format!("p99 under {ms} ms over {window_s} s"),
            Goal::P99Above { ms, window_s } => format!("p99 over {ms} ms over {window_s} s"),
            Goal::KeysMovedBelow { share } => {
                format!("a change moves under {}% of keys", share * 100.0)
            }
            Goal::ChangesDone { n } => format!("{n} membership changes finished"),
            Goal::Servers { n } => format!("{n} servers"),
            Goal::UnavailableAtMost { keys: 0 } => "no key is unavailable".into(),
            Goal::UnavailableAtMost { keys } => format!("at most {keys} unavailable reads"),
            Goal::NotLinearizable {} => "the clients' history is not linearizable".into(),
            Goal::All(list) => join(list, " and "),
            Goal::Any(list) => format!("either {}", join(list, " or ")),
            Goal::Not(g) => format!("not ({})", g.describe()),
            Goal::Always(g) => format!("{} throughout", g.describe()),
            Goal::Within { s, goal } => format!("{} within {s} s", goal.describe()),
        }
    }
}

/// A goal with what it has seen so far (progress, a latency window, whether it ever failed).
#[derive(Debug, Clone)]
enum Check {
    Now(Goal),
    NoProgress {
        s: Time,
        last: Option<(f64, Time)>,
    },
    P99 {
        limit_us: u64,
        above: bool,
        window: Time,
        seen: f64,
        samples: VecDeque<(Time, u64)>,
        /// Samples in the window under the limit (for `p99_below`) or at most the limit (for
        /// `p99_above`): the nearest-rank percentile is then decided by counting, in O(1) per
        /// sample, however busy the run.
        counted: usize,
    },
    All(Vec<Check>),
    Any(Vec<Check>),
    Not(Box<Check>),
    Always {
        inner: Box<Check>,
        broken: bool,
    },
    Within {
        by: Time,
        inner: Box<Check>,
    },
}

impl Check {
    /// Built from a validated goal (the seconds are already known to be in range).
    fn new(goal: &Goal) -> Check {
        let t = |s: f64| (s * 1e6).round() as Time;
        match goal {
            Goal::NoProgressFor { s } => Check::NoProgress {
                s: t(*s),
                last: None,
            },
            Goal::P99Below { ms, window_s } | Goal::P99Above { ms, window_s } => Check::P99 {
                limit_us: (ms * 1e3).round() as u64,
                above: matches!(goal, Goal::P99Above { .. }),
                window: t(*window_s),
                seen: 0.0,
                samples: VecDeque::new(),
                counted: 0,
            },
            Goal::All(list) => Check::All(list.iter().map(Check::new).collect()),
            Goal::Any(list) => Check::Any(list.iter().map(Check::new).collect()),
            Goal::Not(g) => Check::Not(Box::new(Check::new(g))),
            Goal::Always(g) => Check::Always {
                inner: Box::new(Check::new(g)),
                broken: false,
            },
            Goal::Within { s, goal } => Check::Within {
                by: t(*s),
                inner: Box::new(Check::new(goal)),
            },
            g => Check::Now(g.clone()),
        }
    }

    /// Whether the goal holds after this event. Every part is evaluated (no short cut), so the
    /// parts that look back keep their history up to date.
    fn holds(&mut self, now: Time, violations: &[Violation], ask: &mut Ask<'_>) -> bool {
        let at_least = |fact: Option<f64>, n: f64| fact.is_some_and(|v| v >= n);
        match self {
            Check::Now(goal) => match goal {
                Goal::LeaderElected { min_term } => {
                    at_least(ask(Fact::LeaderTerm), (*min_term).max(1) as f64)
                }
                Goal::TermAtLeast { term } => at_least(ask(Fact::Term), *term as f64),
                Goal::NodeDown { node } => ask(Fact::Up(*node)) == Some(0.0),
                Goal::Violation { invariant } => violations
                    .iter()
                    .any(|v| invariant.as_deref().is_none_or(|i| i == v.invariant)),
                Goal::ValueChosen { slot } => ask(Fact::Chosen(*slot)) == Some(1.0),
                Goal::ProgressAtLeast { n } => at_least(ask(Fact::Progress), *n as f64),
                Goal::KeysMovedBelow { share } => {
                    at_least(ask(Fact::Changes), 1.0)
                        && ask(Fact::MovedShare).is_some_and(|m| m < *share)
                }
                Goal::ChangesDone { n } => at_least(ask(Fact::Changes), *n as f64),
                Goal::Servers { n } => ask(Fact::Servers) == Some(*n as f64),
                Goal::UnavailableAtMost { keys } => {
                    ask(Fact::Unavailable).is_some_and(|u| u <= *keys as f64)
                }
                Goal::NotLinearizable {} => ask(Fact::NotLinearizable) == Some(1.0),
                _ => false,
            },
            Check::NoProgress { s, last } => {
                let Some(p) = ask(Fact::Progress) else {
                    return false;
                };
                // Progress is new work: a count that only fell (its node crashed) is not.
                match last {
                    Some((most, _)) if p <= *most => {}
                    _ => *last = Some((p, now)),
                }
                last.is_some_and(|(_, since)| now - since >= *s)
            }
            Check::P99 {
                limit_us,
                above,
                window,
                seen,
                samples,
                counted,
            } => {
                let counts = |v: u64| {
                    if *above {
                        v <= *limit_us
                    } else {
                        v < *limit_us
                    }
                };
                if let (Some(count), Some(latest)) = (ask(Fact::Latencies), ask(Fact::LastLatency))
                {
                    // The labs record at most one latency per event; should one record more,
                    // the newest stands for them. A restarted balancer counts from 0 again.
                    if count < *seen {
                        *seen = count;
                    }
                    if count > *seen {
                        *seen = count;
                        let v = latest as u64;
                        samples.push_back((now, v));
                        *counted += usize::from(counts(v));
                    }
                }
                while let Some(&(t, v)) = samples.front() {
                    if t + *window >= now {
                        break;
                    }
                    samples.pop_front();
                    *counted -= usize::from(counts(v));
                }
                let n = samples.len();
                if now < *window || n == 0 {
                    return false;
                }
                // Nearest rank, as the load-balancing lab reports it: the k-th smallest sample.
                let k = (99 * n).div_ceil(100).max(1);
                if *above {
                    // The k-th smallest is over the limit when fewer than k are at most it.
                    *counted < k
                } else {
                    // The k-th smallest is under the limit when at least k are under it.
                    *counted >= k
                }
            }
            Check::All(list) => {
                let mut ok = true;
                for c in list {
                    ok &= c.holds(now, violations, ask);
                }
                ok
            }
            Check::Any(list) => {
                let mut ok = false;
                for c in list {
                    ok |= c.holds(now, violations, ask);
                }
                ok
            }
            Check::Not(c) => !c.holds(now, violations, ask),
            Check::Always { inner, broken } => {
                if !inner.holds(now, violations, ask) {
                    *broken = true;
                }
                !*broken
            }
            Check::Within { by, inner } => inner.holds(now, violations, ask) && now <= *by,
        }
    }
}

/// Follows a run for an exercise: when each of its goals was first met. The engine runs it after
/// every event (see [`Watch`]); the page reads it for the checklist, the grader for the score.
#[derive(Debug, Clone)]
pub struct Tracker {
    checks: Vec<Check>,
    met: Vec<Option<Time>>,
    limit: Time,
    checked: u64,
}

impl Tracker {
    /// Tracks `goals` (validated) until virtual time `limit`; later events do not count.
    pub fn new<'a>(goals: impl IntoIterator<Item = &'a Goal>, limit: Time) -> Tracker {
        let checks: Vec<Check> = goals.into_iter().map(Check::new).collect();
        Tracker {
            met: vec![None; checks.len()],
            checks,
            limit,
            checked: 0,
        }
    }

    /// When each goal was first met, in the exercise's order.
    pub fn met(&self) -> &[Option<Time>] {
        &self.met
    }

    /// Whether every goal is met.
    pub fn done(&self) -> bool {
        self.met.iter().all(Option::is_some)
    }

    /// Events checked so far (for the overhead measurement).
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The tracker a run is watched by, if it is one.
    pub fn of(lab: &dyn Lab) -> Option<&Tracker> {
        lab.watch()?.as_any().downcast_ref()
    }
}

impl Watch for Tracker {
    fn after_event(&mut self, now: Time, violations: &[Violation], ask: &mut Ask<'_>) {
        if now > self.limit {
            return;
        }
        self.checked += 1;
        for (check, met) in self.checks.iter_mut().zip(&mut self.met) {
            if met.is_none() && check.holds(now, violations, ask) {
                *met = Some(now);
            }
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// "met at 3.2 s" or "not met".
pub fn met_text(met: Option<Time>) -> String {
    met.map_or_else(
        || "not met".into(),
        |t| format!("met at {}", format_time(t)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_sim::secs;
    use std::collections::BTreeMap;

    /// A run reduced to the facts a goal reads: set them, then "process an event" at a time.
    struct Fake {
        facts: BTreeMap<Fact, f64>,
        violations: Vec<Violation>,
        tracker: Tracker,
    }

    impl Fake {
        fn new(goals: &[Goal], limit: Time) -> Fake {
            Fake {
                facts: BTreeMap::new(),
                violations: Vec::new(),
                tracker: Tracker::new(goals, limit),
            }
        }
        fn set(&mut self, f: Fact, v: f64) -> &mut Self {
            self.facts.insert(f, v);
            self
        }
        fn event(&mut self, now: Time) -> Vec<Option<Time>> {
            let facts = self.facts.clone();
            self.tracker
                .after_event(now, &self.violations, &mut |f| facts.get(&f).copied());
            self.tracker.met().to_vec()
        }
    }

    fn goal(toml_like: serde_json::Value) -> Goal {
        serde_json::from_value(toml_like).unwrap()
    }

    #[test]
    fn leader_elected_needs_a_leader_in_at_least_min_term() {
        let mut f = Fake::new(
            &[goal(serde_json::json!({"leader_elected": {"min_term": 3}}))],
            secs(10),
        );
        f.set(Fact::LeaderTerm, 2.0);
        assert_eq!(f.event(1), vec![None]);
        f.set(Fact::LeaderTerm, 0.0).set(Fact::Term, 3.0);
        assert_eq!(
            f.event(2),
            vec![None],
            "a term with no leader is not an election"
        );
        f.set(Fact::LeaderTerm, 3.0);
        assert_eq!(f.event(3), vec![Some(3)]);
        f.set(Fact::LeaderTerm, 0.0);
        assert_eq!(f.event(4), vec![Some(3)], "met goals stay met");
    }

    #[test]
    fn default_min_term_is_one_and_term_zero_never_leads() {
        let g = goal(serde_json::json!({"leader_elected": {}}));
        assert_eq!(g, Goal::LeaderElected { min_term: 1 });
        let mut f = Fake::new(&[g], secs(10));
        f.set(Fact::LeaderTerm, 0.0);
        assert_eq!(f.event(1), vec![None]);
    }

    #[test]
    fn node_down_while_holds_only_at_the_same_moment() {
        let both = goal(serde_json::json!({"all": [
            {"leader_elected": {"min_term": 3}}, {"node_down": {"node": 2}}]}));
        let mut f = Fake::new(&[both], secs(10));
        f.set(Fact::Up(2), 0.0).set(Fact::LeaderTerm, 1.0);
        assert_eq!(f.event(1), vec![None]);
        f.set(Fact::Up(2), 1.0).set(Fact::LeaderTerm, 3.0);
        assert_eq!(f.event(2), vec![None], "n2 came back before term 3");
        f.set(Fact::Up(2), 0.0);
        assert_eq!(f.event(3), vec![Some(3)]);
    }

    #[test]
    fn violation_matches_by_name_or_any() {
        let named = goal(serde_json::json!({"violation": {"invariant": "StateMachineSafety"}}));
        let any = goal(serde_json::json!({"violation": {}}));
        let mut f = Fake::new(&[named, any], secs(10));
        let broke = |name: &'static str| Violation {
            invariant: name,
            source: "test",
            nodes: vec![0],
            message: String::new(),
            time: 0,
            event: 0,
            event_text: String::new(),
        };
        f.violations.push(broke("ElectionSafety"));
        assert_eq!(f.event(5), vec![None, Some(5)]);
        f.violations.push(broke("StateMachineSafety"));
        assert_eq!(f.event(6), vec![Some(6), Some(5)]);
    }

    #[test]
    fn value_chosen_and_progress_read_the_lab() {
        let mut f = Fake::new(
            &[
                Goal::ValueChosen { slot: 1 },
                Goal::ProgressAtLeast { n: 3 },
            ],
            secs(10),
        );
        f.set(Fact::Chosen(1), 0.0).set(Fact::Progress, 2.0);
        assert_eq!(f.event(1), vec![None, None]);
        f.set(Fact::Chosen(1), 1.0).set(Fact::Progress, 3.0);
        assert_eq!(f.event(2), vec![Some(2), Some(2)]);
    }

    #[test]
    fn no_progress_for_is_met_exactly_s_after_the_last_change() {
        let mut f = Fake::new(&[Goal::NoProgressFor { s: 2.0 }], secs(10));
        f.set(Fact::Progress, 0.0);
        assert_eq!(f.event(0), vec![None]);
        f.set(Fact::Progress, 1.0);
        assert_eq!(f.event(secs(1)), vec![None], "progress restarts the clock");
        assert_eq!(f.event(secs(3) - 1), vec![None], "1 µs short");
        assert_eq!(f.event(secs(3)), vec![Some(secs(3))], "exactly at the edge");
    }

    #[test]
    fn p99_below_counts_from_the_window_edge_and_forgets_old_samples() {
        let g = Goal::P99Below {
            ms: 100.0,
            window_s: 10.0,
        };
        let mut f = Fake::new(&[g], secs(100));
        // One slow request at 1 s, then fast ones every second.
        f.set(Fact::Latencies, 1.0)
            .set(Fact::LastLatency, 500_000.0);
        f.event(secs(1));
        for i in 2..=11 {
            f.set(Fact::Latencies, i as f64)
                .set(Fact::LastLatency, 20_000.0);
            assert_eq!(
                f.event(secs(i)),
                vec![None],
                "the slow sample is in [t-10 s, t] at {i} s"
            );
        }
        // At 11 s + 1 µs the sample of 1 s has left the window.
        assert_eq!(f.event(secs(11) + 1), vec![Some(secs(11) + 1)]);
    }

    #[test]
    fn p99_is_only_judged_once_a_whole_window_has_passed() {
        let above = Goal::P99Above {
            ms: 100.0,
            window_s: 30.0,
        };
        let below = Goal::P99Below {
            ms: 100.0,
            window_s: 30.0,
        };
        let mut f = Fake::new(&[above, below], secs(100));
        f.set(Fact::Latencies, 1.0).set(Fact::LastLatency, 10_000.0);
        assert_eq!(f.event(secs(29)), vec![None, None]);
        assert_eq!(
            f.event(secs(30)),
            vec![None, Some(secs(30))],
            "met exactly at the edge"
        );
    }

    #[test]
    fn p99_uses_the_nearest_rank() {
        // 100 samples, one slow: the 99th percentile is the 99th smallest, still fast.
        let mut f = Fake::new(
            &[Goal::P99Below {
                ms: 50.0,
                window_s: 1.0,
            }],
            secs(100),
        );
        for i in 1..=100 {
            let slow = if i == 50 { 900_000.0 } else { 10_000.0 };
            f.set(Fact::Latencies, i as f64)
                .set(Fact::LastLatency, slow);
            f.event(secs(1) + i);
        }
        assert!(f.tracker.done(), "{:?}", f.tracker.met());
    }

    #[test]
    fn keys_moved_below_needs_a_finished_change() {
        let mut f = Fake::new(&[Goal::KeysMovedBelow { share: 0.12 }], secs(10));
        f.set(Fact::Changes, 0.0).set(Fact::MovedShare, 0.0);
        assert_eq!(
            f.event(1),
            vec![None],
            "no change yet: nothing moved, nothing proven"
        );
        f.set(Fact::Changes, 1.0).set(Fact::MovedShare, 0.12);
        assert_eq!(f.event(2), vec![None], "under, not at");
        f.set(Fact::Changes, 2.0).set(Fact::MovedShare, 0.1147);
        assert_eq!(f.event(3), vec![Some(3)]);
    }

    #[test]
    fn always_stays_broken_and_not_inverts() {
        let g = Goal::All(vec![
            Goal::Always(Box::new(Goal::UnavailableAtMost { keys: 0 })),
            Goal::ChangesDone { n: 1 },
        ]);
        let mut f = Fake::new(&[g, Goal::Not(Box::new(Goal::Servers { n: 5 }))], secs(10));
        f.set(Fact::Unavailable, 1.0)
            .set(Fact::Changes, 0.0)
            .set(Fact::Servers, 5.0);
        assert_eq!(f.event(1), vec![None, None]);
        f.set(Fact::Unavailable, 0.0)
            .set(Fact::Changes, 1.0)
            .set(Fact::Servers, 6.0);
        assert_eq!(
            f.event(2),
            vec![None, Some(2)],
            "one failed read earlier breaks always"
        );
    }

    #[test]
    fn within_counts_up_to_and_including_its_time() {
        let g = Goal::Within {
            s: 1.0,
            goal: Box::new(Goal::ValueChosen { slot: 0 }),
        };
        let mut late = Fake::new(std::slice::from_ref(&g), secs(10));
        late.set(Fact::Chosen(0), 1.0);
        assert_eq!(late.event(secs(1) + 1), vec![None]);
        let mut edge = Fake::new(&[g], secs(10));
        edge.set(Fact::Chosen(0), 1.0);
        assert_eq!(edge.event(secs(1)), vec![Some(secs(1))]);
    }

    #[test]
    fn any_keeps_every_part_up_to_date() {
        // While the first part holds, the second must still see the progress counter, or it
        // would start counting from a later event.
        let g = Goal::Any(vec![
            Goal::ValueChosen { slot: 0 },
            Goal::NoProgressFor { s: 1.0 },
        ]);
        let mut f = Fake::new(&[Goal::Not(Box::new(g))], secs(10));
        f.set(Fact::Chosen(0), 1.0).set(Fact::Progress, 5.0);
        assert_eq!(f.event(secs(1)), vec![None]);
        f.set(Fact::Chosen(0), 0.0);
        assert_eq!(f.event(secs(5)), vec![None], "no progress since 1 s");
        f.set(Fact::Progress, 6.0);
        assert_eq!(f.event(secs(6)), vec![Some(secs(6))]);
    }

    #[test]
    fn events_after_the_time_limit_do_not_count() {
        let mut f = Fake::new(&[Goal::ValueChosen { slot: 0 }], secs(2));
        f.set(Fact::Chosen(0), 1.0);
        assert_eq!(f.event(secs(2) + 1), vec![None]);
        assert_eq!(f.tracker.checked(), 0);
    }

    #[test]
    fn a_fact_the_lab_lacks_never_holds() {
        let mut f = Fake::new(&[Goal::Servers { n: 0 }], secs(2));
        assert_eq!(f.event(1), vec![None]);
    }
}
