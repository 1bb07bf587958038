//! What must hold after every event, from the placement and versioning rules of Dynamo (§4.3,
//! §4.4, §4.6). A quorum store's consistency is not an invariant over its servers (stale
//! replicas are allowed): the clients' history and the `Linearizable` check judge that.

use crate::Node;
use splitbrain_sim::{Invariant, NodeId, World};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The servers of a world, not its clients.
fn servers<'a>(world: &World<'a, Node>) -> impl Iterator<Item = (NodeId, &'a Node)> + 'a {
    world.up().filter(|(_, n)| n.client.is_none())
}

/// A server keeps in its own store only keys it is one of the N for (§4.3: "each data item is
/// replicated at N hosts"); anything else it holds is a hint.
#[derive(Debug, Clone, Default)]
pub struct OnlyReplicasStore;

impl Invariant<Node> for OnlyReplicasStore {
    fn name(&self) -> &'static str {
        "OnlyReplicasStore"
    }
    fn source(&self) -> &'static str {
        "Dynamo §4.3 (replication: each key at its N preference-list servers)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        for (id, n) in touched(world) {
            for key in n.store().keys() {
                if !n.placement().holds(key, id) {
                    out.push((
                        vec![id],
                        format!("n{id} stores {key} but is not one of its N replicas"),
                    ));
                }
            }
        }
        out
    }
}

/// A hint is kept by a server outside the key's preference list, for a server inside it
/// (§4.6: the replica "will have a hint in its metadata that suggests which node was the
/// intended recipient").
#[derive(Debug, Clone, Default)]
pub struct HintsStandIn;

impl Invariant<Node> for HintsStandIn {
    fn name(&self) -> &'static str {
        "HintsStandIn"
    }
    fn source(&self) -> &'static str {
        "Dynamo §4.6 (sloppy quorum and hinted handoff)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut out = Vec::new();
        for (id, n) in touched(world) {
            for (owner, key) in n.hints().keys() {
                let place = n.placement();
                if !place.holds(key, *owner) || place.holds(key, id) {
                    out.push((
                        vec![id, *owner],
                        format!("n{id} keeps a hint of {key} for n{owner}, but the hint must stand in for one of {key}'s N from outside them"),
                    ));
                }
            }
        }
        out
    }
}

/// No two servers hold different values under one version: versions name writes, so last
/// writer wins picks the same value everywhere (§4.4, with a total order in place of vector
/// clocks).
#[derive(Debug, Clone, Default)]
pub struct OneValuePerVersion;

impl Invariant<Node> for OneValuePerVersion {
    fn name(&self) -> &'static str {
        "OneValuePerVersion"
    }
    fn source(&self) -> &'static str {
        "Dynamo §4.4 (data versioning), last writer wins"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let mut seen: BTreeMap<(Rc<str>, crate::Version), (NodeId, Rc<str>)> = BTreeMap::new();
        let mut out = Vec::new();
        for (id, n) in servers(world) {
            let own = n.store().iter();
            let hinted = n.hints().iter().map(|((_, k), v)| (k, v));
            for (key, v) in own.chain(hinted) {
                match seen.get(&(key.clone(), v.version)) {
                    Some((other, value)) if *value != v.value => out.push((
                        vec![*other, id],
                        format!(
                            "{key} at version {} is {value} at n{other} but {} at n{id}",
                            v.version, v.value
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        seen.insert((key.clone(), v.version), (id, v.value.clone()));
                    }
                }
            }
        }
        out
    }
}

/// The servers an event may have changed: the touched one, or all after a bulk change.
fn touched<'a>(world: &World<'a, Node>) -> Vec<(NodeId, &'a Node)> {
    match world.touched {
        Some(id) => world
            .node(id)
            .filter(|n| n.client.is_none())
            .map(|n| (id, n))
            .into_iter()
            .collect(),
        None => servers(world).collect(),
    }
}

/// Every invariant of the quorum lab.
pub fn all() -> Vec<Box<dyn Invariant<Node>>> {
    vec![
        Box::new(OnlyReplicasStore),
        Box::new(HintsStandIn),
        Box::new(OneValuePerVersion),
    ]
}
