//! Random fault schedules for seed sweeps: the same seed always gives the same schedule.

use crate::registry::LabInfo;
use splitbrain_sim::{Action, NodeId, SimRng, Time, TimedAction};

/// How often each kind of step is drawn, relative to the others: a hunt that wants only
/// crashes, or no client load, sets the others to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultMix {
    /// Crash a node, or restart it if it is down.
    pub crash: u32,
    /// Split the network in two at random.
    pub partition: u32,
    /// Remove every partition.
    pub heal: u32,
    /// Set every link's loss to 0–29 %.
    pub loss: u32,
    /// Set every link's duplication to 0–19 %.
    pub duplicate: u32,
    /// A client command.
    pub client: u32,
}

impl FaultMix {
    /// The sweeps' mix, out of 10: crashes 2, partitions 1, heals 1, loss 1, duplication 1,
    /// client commands 4. With it [`random_faults_with`] draws exactly what it always drew, so
    /// every seed documented in the README and the tests keeps its schedule.
    pub const SWEEP: FaultMix = FaultMix {
        crash: 2,
        partition: 1,
        heal: 1,
        loss: 1,
        duplicate: 1,
        client: 4,
    };

    fn total(&self) -> u64 {
        [
            self.crash,
            self.partition,
            self.heal,
            self.loss,
            self.duplicate,
            self.client,
        ]
        .iter()
        .map(|&w| u64::from(w))
        .sum()
    }
}

impl Default for FaultMix {
    fn default() -> Self {
        FaultMix::SWEEP
    }
}

/// [`random_faults_with`] the sweeps' mix.
pub fn random_faults(lab: &LabInfo, seed: u64, nodes: usize, until: Time) -> Vec<TimedAction> {
    random_faults_with(lab, seed, nodes, until, &FaultMix::SWEEP)
}

/// A schedule of crashes, restarts, partitions, heals, loss, duplication and client commands
/// over `0..until`, drawn from `seed` with the weights of `mix`.
///
/// About one step every `until / 40`. A crashed node is restarted later with high
/// probability, so runs keep making progress, and every fault is healed before `until * 0.9`
/// so liveness properties can be checked at the end.
pub fn random_faults_with(
    lab: &LabInfo,
    seed: u64,
    nodes: usize,
    until: Time,
    mix: &FaultMix,
) -> Vec<TimedAction> {
    // Weights as cumulative bounds over 0..total.
    let bounds: Vec<u64> = [mix.crash, mix.partition, mix.heal, mix.loss, mix.duplicate]
        .iter()
        .scan(0u64, |acc, &w| {
            *acc += u64::from(w);
            Some(*acc)
        })
        .collect();
    let total = mix.total();
    let mut rng = SimRng::derive(seed, SimRng::FAULTS, 0);
    let mut out = Vec::new();
    let mut up = vec![true; nodes];
    let step = (until / 40).max(1);
    let calm = until / 10 * 9;
    let mut t = 0;
    while total > 0 && t + step < calm {
        t += rng.range_inclusive(step / 2, step + step / 2);
        if t >= calm {
            break;
        }
        let node = rng.below(nodes as u64) as NodeId;
        let draw = rng.below(total);
        let action = match bounds.iter().position(|&b| draw < b).unwrap_or(5) {
            0 => {
                if up[node] {
                    up[node] = false;
                    Action::Crash { node }
                } else {
                    up[node] = true;
                    Action::Restart { node }
                }
            }
            1 => {
                let mut a = Vec::new();
                for n in 0..nodes {
                    if rng.chance(0.5) {
                        a.push(n);
                    }
                }
                Action::Partition { groups: vec![a] }
            }
            2 => Action::Heal,
            3 => Action::Loss {
                p: rng.below(30) as f64 / 100.0,
                from: None,
                to: None,
            },
            4 => Action::Duplicate {
                p: rng.below(20) as f64 / 100.0,
                from: None,
                to: None,
            },
            _ => Action::Client {
                node: lab.entry.unwrap_or(node),
                command: (lab.workload)(&mut rng),
            },
        };
        out.push(TimedAction { at: t, action });
    }
    // Calm period: restore everything.
    out.push(TimedAction {
        at: calm,
        action: Action::Heal,
    });
    out.push(TimedAction {
        at: calm,
        action: Action::Loss {
            p: 0.0,
            from: None,
            to: None,
        },
    });
    out.push(TimedAction {
        at: calm,
        action: Action::Duplicate {
            p: 0.0,
            from: None,
            to: None,
        },
    });
    for (node, is_up) in up.iter().enumerate() {
        if !is_up {
            out.push(TimedAction {
                at: calm,
                action: Action::Restart { node },
            });
        }
    }
    out
}

#[cfg(all(test, feature = "raft"))]
mod tests {
    use super::*;
    use crate::find;
    use splitbrain_sim::secs;

    #[test]
    fn a_mix_draws_only_the_kinds_it_weighs() {
        let lab = find("raft").unwrap();
        let only_crashes = FaultMix {
            crash: 1,
            partition: 0,
            heal: 0,
            loss: 0,
            duplicate: 0,
            client: 0,
        };
        let calm = secs(27);
        for seed in 1..20 {
            for a in random_faults_with(lab, seed, 5, secs(30), &only_crashes) {
                assert!(
                    matches!(a.action, Action::Crash { .. } | Action::Restart { .. })
                        || a.at == calm,
                    "{a:?}"
                );
            }
        }
        let none = FaultMix {
            crash: 0,
            client: 0,
            ..only_crashes
        };
        // Nothing drawn: only the calm period's restoring steps.
        assert!(
            random_faults_with(lab, 1, 5, secs(30), &none)
                .iter()
                .all(|a| a.at == calm)
        );
    }

    #[test]
    fn the_sweep_mix_is_the_default() {
        let lab = find("raft").unwrap();
        assert_eq!(FaultMix::default(), FaultMix::SWEEP);
        assert_eq!(
            random_faults(lab, 5384, 5, secs(30)),
            random_faults_with(lab, 5384, 5, secs(30), &FaultMix::default())
        );
    }
}
