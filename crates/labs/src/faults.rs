//! Random fault schedules for seed sweeps: the same seed always gives the same schedule.

use crate::registry::LabInfo;
use splitbrain_sim::{Action, NodeId, SimRng, Time, TimedAction};

/// A schedule of crashes, restarts, partitions, heals, loss, duplication and client commands
/// over `0..until`, drawn from `seed`.
///
/// About one fault every `until / 40`, and at least one client command every `until / 40`. A
/// crashed node is restarted later with high probability, so runs keep making progress, and
/// every fault is healed before `until * 0.9` so liveness properties can be checked at the end.
pub fn random_faults(lab: &LabInfo, seed: u64, nodes: usize, until: Time) -> Vec<TimedAction> {
    let mut rng = SimRng::derive(seed, SimRng::FAULTS, 0);
    let mut out = Vec::new();
    let mut up = vec![true; nodes];
    let step = (until / 40).max(1);
    let calm = until / 10 * 9;
    let mut t = 0;
    while t + step < calm {
        t += rng.range_inclusive(step / 2, step + step / 2);
        if t >= calm {
            break;
        }
        let node = rng.below(nodes as u64) as NodeId;
        let action = match rng.below(10) {
            0 | 1 => {
                if up[node] {
                    up[node] = false;
                    Action::Crash { node }
                } else {
                    up[node] = true;
                    Action::Restart { node }
                }
            }
            2 => {
                let mut a = Vec::new();
                for n in 0..nodes {
                    if rng.chance(0.5) {
                        a.push(n);
                    }
                }
                Action::Partition { groups: vec![a] }
            }
            3 => Action::Heal,
            4 => Action::Loss {
                p: rng.below(30) as f64 / 100.0,
                from: None,
                to: None,
            },
            5 => Action::Duplicate {
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
