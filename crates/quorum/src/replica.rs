//! A server's replica part: it stores the newest version of each key it is asked to keep,
//! keeps versions for servers it stands in for as hints, and hands those back (Dynamo §4.6).

use crate::node::{Msg, Node, Timer};
use crate::version::{Version, Versioned};
use splitbrain_sim::{Cx, NodeId, NodeView, World};
use std::rc::Rc;

/// Hints handed back per round: a long partition's backlog goes back a few at a time.
const HANDOFF_BATCH: usize = 8;

impl Node {
    /// What it holds for `key`: its own copy, or as a stand-in for `hint`, the hint it keeps.
    pub(crate) fn lookup(&self, key: &Rc<str>, hint: Option<NodeId>) -> Option<&Versioned> {
        match hint {
            Some(owner) => self.data.hints.get(&(owner, key.clone())),
            None => self.data.store.get(key),
        }
    }

    /// Stores `value` (as a hint for `hint`) if it is newer than what is there: last writer
    /// wins, so replicas that see the same versions in any order end up equal.
    pub(crate) fn keep(
        &mut self,
        key: &Rc<str>,
        value: Versioned,
        hint: Option<NodeId>,
        cx: &mut Cx<'_, Self>,
    ) {
        let Some(owner) = hint else {
            // A version of a key this server is not one of the N for can only be a hint.
            if !self.placement.holds(key, self.id) {
                cx.note(format!("not a replica of {key}: ignored"));
                return;
            }
            return self.keep_own(key, value, cx);
        };
        let slot = (owner, key.clone());
        let newer = self
            .data
            .hints
            .get(&slot)
            .is_none_or(|old| value.version > old.version);
        if newer {
            self.data.hints.insert(slot, value);
            cx.persist(self.data.clone());
            self.arm_handoff(cx);
        }
    }

    /// Starts the hand-back timer if hints are kept and it is not running.
    pub(crate) fn arm_handoff(&mut self, cx: &mut Cx<'_, Self>) {
        if !self.handing_off && !self.data.hints.is_empty() {
            self.handing_off = true;
            cx.set_timer(Timer::Handoff, self.params.handoff, self.params.handoff);
        }
    }

    fn keep_own(&mut self, key: &Rc<str>, value: Versioned, cx: &mut Cx<'_, Self>) {
        let newer = self
            .data
            .store
            .get(key)
            .is_none_or(|old| value.version > old.version);
        if newer {
            self.data.store.insert(key.clone(), value);
            cx.persist(self.data.clone());
        }
    }

    /// Offers a few hints back to the servers they are meant for (those not suspected of being
    /// down), and re-arms while any are left.
    pub(crate) fn hand_off(&mut self, cx: &mut Cx<'_, Self>) {
        let now = cx.now();
        let due: Vec<(NodeId, Rc<str>, Versioned)> = self
            .data
            .hints
            .iter()
            .filter(|((owner, _), _)| !self.suspected(*owner, now))
            .take(HANDOFF_BATCH)
            .map(|((owner, key), v)| (*owner, key.clone(), v.clone()))
            .collect();
        for (owner, key, value) in due {
            cx.send(owner, Msg::Handoff { key, value });
        }
        self.handing_off = false;
        self.arm_handoff(cx);
    }

    /// `owner` took back `key` at `version`: the hint goes, unless a newer one came since.
    pub(crate) fn handed_off(
        &mut self,
        owner: NodeId,
        key: Rc<str>,
        version: Version,
        cx: &mut Cx<'_, Self>,
    ) {
        let slot = (owner, key);
        if self
            .data
            .hints
            .get(&slot)
            .is_some_and(|v| v.version == version)
        {
            self.data.hints.remove(&slot);
            cx.persist(self.data.clone());
            cx.note(format!("handed {} back to n{owner}", slot.1));
        }
    }
}

/// The inspector's and the picture's view of a server.
pub(crate) fn view(node: &Node) -> NodeView {
    let values: Vec<String> = node
        .data
        .store
        .iter()
        .map(|(k, v)| format!("{k}={}", v.value))
        .collect();
    let mut summary = if values.is_empty() {
        "empty".to_string()
    } else {
        values
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ")
    };
    if !node.data.hints.is_empty() {
        summary.push_str(&format!(
            " · {}",
            splitbrain_sim::words::count(node.data.hints.len(), "hint")
        ));
    }
    let role = if node.data.hints.is_empty() {
        "replica"
    } else {
        "holding hints"
    };
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    NodeView {
        role: role.into(),
        summary,
        fields: vec![
            (
                "stores".into(),
                list(
                    node.data
                        .store
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect(),
                ),
            ),
            (
                "hints".into(),
                list(
                    node.data
                        .hints
                        .iter()
                        .map(|((o, k), v)| format!("{k}={v} for n{o}"))
                        .collect(),
                ),
            ),
            ("coordinating".into(), node.pending.len().to_string()),
            ("answered".into(), node.answered.to_string()),
            ("unavailable".into(), node.unavailable.to_string()),
        ],
    }
}

/// For the CLI's report and embeds: each key's newest version and how many of its N hold it.
pub(crate) fn summarize(world: &World<'_, Node>) -> serde_json::Value {
    let servers: Vec<(NodeId, &Node)> = world.up().filter(|(_, n)| n.client.is_none()).collect();
    let mut keys = serde_json::Map::new();
    let all: std::collections::BTreeSet<&Rc<str>> = servers
        .iter()
        .flat_map(|(_, n)| n.data.store.keys())
        .collect();
    for key in all {
        let newest = servers
            .iter()
            .filter_map(|(_, n)| n.data.store.get(key))
            .max_by_key(|v| v.version);
        if let Some(newest) = newest {
            let holding = servers
                .iter()
                .filter(|(_, n)| {
                    n.data
                        .store
                        .get(key)
                        .is_some_and(|v| v.version == newest.version)
                })
                .count();
            keys.insert(
                key.to_string(),
                serde_json::json!({
                    "value": &*newest.value,
                    "version": newest.version.to_string(),
                    "replicas_with_it": holding,
                }),
            );
        }
    }
    serde_json::json!({
        "keys": keys,
        "answered": servers.iter().map(|(_, n)| n.answered).sum::<u64>(),
        "unavailable": servers.iter().map(|(_, n)| n.unavailable).sum::<u64>(),
        "hints": servers.iter().map(|(_, n)| n.data.hints.len()).sum::<usize>(),
    })
}
