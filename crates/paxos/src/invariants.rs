//! The safety properties of Paxos, checked after every event.
//!
//! Each reads what the touched node did in that event ([`Observed`]) or its acceptor state, so
//! a check costs a few map lookups; the history they keep (who accepted what, what was chosen,
//! proposed and learned) is part of a checkpoint.

use crate::node::{Node, Observed, Slot};
use crate::{Ballot, Params};
use splitbrain_sim::{Invariant, NodeId, World};
use std::collections::{BTreeMap, BTreeSet};

/// Every invariant of the Paxos lab, for a run of `nodes` nodes with these settings.
pub fn all(params: &Params, nodes: usize) -> Vec<Box<dyn Invariant<Node>>> {
    vec![
        Box::new(OneValueChosen::new(params.majority(nodes))),
        Box::new(OnlyProposedChosen::default()),
        Box::new(PromiseNeverDecreases::default()),
        Box::new(AcceptedWithinPromise),
        Box::new(LearnersAgree::default()),
    ]
}

fn touched<'a>(world: &World<'a, Node>) -> Option<(NodeId, &'a Node)> {
    let id = world.touched?;
    world.node(id).map(|n| (id, n))
}

/// PMS §2.1, safety: "only a single value is chosen" — per slot (PMS §3) — and "a process
/// never learns that a value has been chosen unless it actually has been". A value is chosen
/// when a majority of acceptors accepted it in the same ballot; this keeps, for every
/// (slot, ballot, value), the acceptors that ever accepted it.
#[derive(Debug, Clone)]
pub struct OneValueChosen {
    majority: usize,
    accepts: BTreeMap<(Slot, Ballot, u64), u32>,
    chosen: BTreeMap<Slot, (u64, String)>,
}

impl OneValueChosen {
    /// For acceptor majorities of this size.
    pub fn new(majority: usize) -> Self {
        Self {
            majority,
            accepts: BTreeMap::new(),
            chosen: BTreeMap::new(),
        }
    }
}

impl Invariant<Node> for OneValueChosen {
    fn name(&self) -> &'static str {
        "OneValueChosen"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §2.1 (safety), §3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        let Some((id, node)) = touched(world) else {
            return out;
        };
        for o in node.observed() {
            let (slot, ballot, value) = match o {
                Observed::Accepted(slot, ballot, value) => (slot, ballot, value),
                // A learner may only learn what a majority accepted (PMS §2.3).
                Observed::Learned(slot, value) => {
                    match self.chosen.get(slot) {
                        Some((d, _)) if *d == value.digest() => {}
                        Some((_, c)) => out.push((
                            vec![id],
                            format!("slot {slot}: n{id} learned {value}, but {c} was chosen"),
                        )),
                        None => out.push((
                            vec![id],
                            format!(
                                "slot {slot}: n{id} learned {value}, which no majority accepted"
                            ),
                        )),
                    }
                    continue;
                }
                Observed::Proposed(..) => continue,
            };
            let digest = value.digest();
            let set = self.accepts.entry((*slot, *ballot, digest)).or_default();
            *set |= 1 << id;
            if set.count_ones() as usize != self.majority {
                continue;
            }
            match self.chosen.get(slot) {
                Some((d, first)) if *d != digest => out.push((
                    vec![id],
                    format!(
                        "slot {slot}: {value} chosen at ballot {ballot}, but {first} was chosen before"
                    ),
                )),
                Some(_) => {}
                None => {
                    self.chosen.insert(*slot, (digest, value.to_string()));
                }
            }
        }
        out
    }
}

/// PMS §2.1, nontriviality: "only a value that has been proposed may be chosen". Every value
/// accepted or learned for a slot must have been proposed for it.
#[derive(Debug, Clone, Default)]
pub struct OnlyProposedChosen {
    proposed: BTreeSet<(Slot, u64)>,
}

impl Invariant<Node> for OnlyProposedChosen {
    fn name(&self) -> &'static str {
        "OnlyProposedChosen"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §2.1 (nontriviality)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        let Some((id, node)) = touched(world) else {
            return out;
        };
        // Proposals first: a co-located proposer's own acceptor accepts in the same event.
        for o in node.observed() {
            if let Observed::Proposed(slot, value) = o {
                self.proposed.insert((*slot, value.digest()));
            }
        }
        for o in node.observed() {
            let (slot, value, what) = match o {
                Observed::Accepted(slot, _, value) => (slot, value, "accepted"),
                Observed::Learned(slot, value) => (slot, value, "learned"),
                Observed::Proposed(..) => continue,
            };
            if !self.proposed.contains(&(*slot, value.digest())) {
                out.push((
                    vec![id],
                    format!("slot {slot}: {what} {value}, which no proposer proposed"),
                ));
            }
        }
        out
    }
}

/// PMS §2.2 (P1a) and §2.3: an acceptor's promise is a lower bound it keeps for good, across
/// crashes — its promised ballot never decreases.
#[derive(Debug, Clone, Default)]
pub struct PromiseNeverDecreases {
    highest: BTreeMap<NodeId, Ballot>,
}

impl Invariant<Node> for PromiseNeverDecreases {
    fn name(&self) -> &'static str {
        "PromiseNeverDecreases"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §2.2 (P1a), §2.3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some((id, node)) = touched(world) else {
            return Vec::new();
        };
        let now = node.promised();
        let before = self.highest.entry(id).or_insert(now);
        if now < *before {
            let msg = format!("n{id} promised ballot {before}, now only {now}");
            *before = now;
            return vec![(vec![id], msg)];
        }
        *before = now;
        Vec::new()
    }
}

/// PMS §2.2 (P1a): an acceptor accepts ballot b only if it has not promised a higher one, and
/// accepting b promises b. So every accepted ballot is at most the acceptor's promise.
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptedWithinPromise;

impl Invariant<Node> for AcceptedWithinPromise {
    fn name(&self) -> &'static str {
        "AcceptedWithinPromise"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §2.2 (P1a)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        match touched(world) {
            Some((id, n)) if n.max_accepted() > n.promised() => vec![(
                vec![id],
                format!(
                    "n{id} holds a value accepted at ballot {} but has promised only {}",
                    n.max_accepted(),
                    n.promised()
                ),
            )],
            _ => Vec::new(),
        }
    }
}

/// PMS §2.3: learners learn only chosen values, so any two learners — and one learner before
/// and after a crash — agree on every slot.
#[derive(Debug, Clone, Default)]
pub struct LearnersAgree {
    learned: BTreeMap<Slot, (u64, NodeId, String)>,
}

impl Invariant<Node> for LearnersAgree {
    fn name(&self) -> &'static str {
        "LearnersAgree"
    }
    fn source(&self) -> &'static str {
        "Paxos Made Simple §2.3"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        let Some((id, node)) = touched(world) else {
            return out;
        };
        for o in node.observed() {
            let Observed::Learned(slot, value) = o else {
                continue;
            };
            let digest = value.digest();
            match self.learned.get(slot) {
                Some((d, who, first)) if *d != digest => out.push((
                    vec![*who, id],
                    format!("slot {slot}: n{id} learned {value}, n{who} learned {first}"),
                )),
                Some(_) => {}
                None => {
                    self.learned.insert(*slot, (digest, id, value.to_string()));
                }
            }
        }
        out
    }
}
