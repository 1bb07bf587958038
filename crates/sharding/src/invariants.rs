//! What consistent hashing and the migration protocol promise, checked after every event.
//!
//! Each check runs only when the event could have changed what it looks at (a change applied,
//! a migration finished, a release), so a run pays for them a few times, not per request.

use crate::Node;
use splitbrain_sim::{Invariant, NodeId, World};

/// Every invariant of the lab.
pub fn all() -> Vec<Box<dyn Invariant<Node>>> {
    vec![
        Box::new(DistinctReplicas::default()),
        Box::new(Monotonicity::default()),
        Box::new(NoLostKeys::default()),
        Box::new(ReplicasHoldKeys::default()),
    ]
}

/// Every sampled key's preference list holds `min(R, members)` distinct members.
#[derive(Debug, Clone, Default)]
pub struct DistinctReplicas {
    checked: Option<(u32, u32)>,
}

impl Invariant<Node> for DistinctReplicas {
    fn name(&self) -> &'static str {
        "DistinctReplicas"
    }
    fn source(&self) -> &'static str {
        "DeCandia et al. 2007 (Dynamo) §4.3: the preference list holds N distinct nodes"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(r) = world.node(0).and_then(Node::router) else {
            return Vec::new();
        };
        let stamp = (r.config().change, r.config().boots);
        if self.checked == Some(stamp) {
            return Vec::new();
        }
        self.checked = Some(stamp);
        let members = &r.config().members;
        let want = r.params().replicas.min(members.len());
        let sets = r.replica_sets();
        for k in 0..r.params().drawn() {
            let set: Vec<u32> = sets.of_key(k).collect();
            let distinct = set.iter().enumerate().all(|(i, s)| !set[..i].contains(s));
            let known = set.iter().all(|s| members.iter().any(|m| m.0 == *s));
            if set.len() != want || !distinct || !known {
                return vec![(
                    set.iter().map(|&s| s as NodeId).collect(),
                    format!("key k{k}'s replicas are {set:?}: expected {want} distinct members"),
                )];
            }
        }
        Vec::new()
    }
}

/// Algorithms that promise it move keys only to an added server, and only off a removed one.
#[derive(Debug, Clone, Default)]
pub struct Monotonicity {
    checked: u32,
}

impl Invariant<Node> for Monotonicity {
    fn name(&self) -> &'static str {
        "Monotonicity"
    }
    fn source(&self) -> &'static str {
        "Karger et al. 1997 §4.1 (monotonicity); Thaler & Ravishankar 1998; Lamping & Veach 2014 §2 (jump: adding a bucket at the end)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(r) = world.node(0).and_then(Node::router) else {
            return Vec::new();
        };
        let algo = r.placement().name();
        // Every change recorded since the last check (several can apply in one event when
        // queued changes move nothing).
        let fresh: Vec<_> = r
            .history()
            .iter()
            .filter(|c| c.number > self.checked)
            .collect();
        let Some(last) = fresh.last() else {
            return Vec::new();
        };
        self.checked = last.number;
        for c in fresh {
            let bad = match c.change.split_whitespace().next() {
                Some("add") if ["ring", "rendezvous", "jump"].contains(&algo) => {
                    c.flows.iter().find(|f| f.1 != c.node)
                }
                Some("remove") if ["ring", "rendezvous"].contains(&algo) => {
                    c.flows.iter().find(|f| f.0 != c.node)
                }
                _ => None,
            };
            if let Some(&(from, to, n)) = bad {
                return vec![(
                    vec![from as NodeId, to as NodeId],
                    format!(
                        "{algo}: change {} ({}) moved {n} keys from n{from} to n{to}, which the change did not involve",
                        c.number, c.change
                    ),
                )];
            }
        }
        Vec::new()
    }
}

/// A release never drops a key's last copy: the router releases only after every new copy
/// landed.
#[derive(Debug, Clone, Default)]
pub struct NoLostKeys {
    releases: Vec<u64>,
}

impl Invariant<Node> for NoLostKeys {
    fn name(&self) -> &'static str {
        "NoLostKeys"
    }
    fn source(&self) -> &'static str {
        "this lab's migration protocol: copy, confirm, then release (as in Dynamo §4.9's handoff)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(id) = world.touched.filter(|&i| i > 0) else {
            return Vec::new();
        };
        let Some(s) = world.node(id).and_then(Node::storage) else {
            return Vec::new();
        };
        if self.releases.len() < world.len() {
            self.releases.resize(world.len(), 0);
        }
        let (count, keys) = s.releases();
        if self.releases[id] == count {
            return Vec::new();
        }
        self.releases[id] = count;
        for &k in keys {
            let held =
                (1..world.len()).any(|i| world.durable(i).is_some_and(|d| d.data.contains_key(&k)));
            if !held {
                return vec![(
                    vec![id],
                    format!("n{id} released k{k}, and no server holds it any more"),
                )];
            }
        }
        Vec::new()
    }
}

/// When a migration ends, every replica of every sampled key holds it (on disk, so a crashed
/// replica counts).
#[derive(Debug, Clone, Default)]
pub struct ReplicasHoldKeys {
    completed: u64,
}

impl Invariant<Node> for ReplicasHoldKeys {
    fn name(&self) -> &'static str {
        "ReplicasHoldKeys"
    }
    fn source(&self) -> &'static str {
        "Karger et al. 1997 §4 / Dynamo §4.3: a key lives on the servers its placement names"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(r) = world.node(0).and_then(Node::router) else {
            return Vec::new();
        };
        if r.completed() == self.completed {
            return Vec::new();
        }
        self.completed = r.completed();
        // The sets as that migration finished: a queued change may already have replaced them.
        let Some(sets) = r.finished_sets() else {
            return Vec::new();
        };
        for k in 0..r.params().drawn() {
            for s in sets.of_key(k) {
                let held = world
                    .durable(s as NodeId)
                    .is_some_and(|d| d.data.contains_key(&k));
                if !held {
                    return vec![(
                        vec![s as NodeId],
                        format!(
                            "change {} finished, but replica n{s} does not hold k{k}",
                            r.config().change
                        ),
                    )];
                }
            }
        }
        Vec::new()
    }
}
