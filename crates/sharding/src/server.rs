//! A storage server: keys on disk, answering the router and moving keys when told.
//!
//! Messages from before a change can arrive after it (the network delays, reorders and
//! duplicates), so every stored key remembers the change that last gave it to this server,
//! and every key released remembers the change that took it away:
//! - a `Release(c)` drops a key only if no change after `c` gave it back;
//! - a `Transfer(c)` or a `Put` issued under change `c` does not bring back a key released at
//!   a later change;
//! - a `Put` issued before the change that copied the key elsewhere is refused
//!   (`PutRefused`), so the router writes it again to the key's current replicas instead of
//!   acknowledging a value that the copy did not carry and the release will drop.

use crate::router::ReplicaSets;
use crate::{Durable, Msg, Node, Stored};
use splitbrain_sim::{Cx, NodeId, NodeView};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// A server slot's state. Everything it holds is persisted at once, as a disk would keep it.
#[derive(Debug, Clone)]
pub struct Storage {
    id: u32,
    data: BTreeMap<u32, Stored>,
    /// Key → the change that released it from here.
    gone: BTreeMap<u32, u32>,
    /// The latest change this server copied keys away for, and those keys.
    handed: (u32, BTreeSet<u32>),
    /// Releases so far (the no-lost-keys invariant checks after each one).
    released: u64,
    /// The keys of the last release.
    last_released: Rc<[u32]>,
}

impl Storage {
    /// Slot `id` as it boots the first time: a member holds the sampled keys it replicates at
    /// the start (as if loaded before the run), a spare holds nothing.
    pub(crate) fn new(id: u32, initial: &ReplicaSets) -> Self {
        let data = initial
            .sets
            .chunks(initial.width.max(1))
            .enumerate()
            .filter(|(_, set)| set.contains(&id))
            .map(|(k, _)| (k as u32, Stored::default()))
            .collect();
        Self {
            id,
            data,
            gone: BTreeMap::new(),
            handed: (0, BTreeSet::new()),
            released: 0,
            last_released: Rc::from(Vec::new()),
        }
    }

    /// Keys held, with their versions and the change that last gave them here.
    pub fn data(&self) -> &BTreeMap<u32, Stored> {
        &self.data
    }

    /// How many releases have dropped keys, and the keys of the last one.
    pub fn releases(&self) -> (u64, &[u32]) {
        (self.released, &self.last_released)
    }

    fn save(&self, cx: &mut Cx<'_, Node>) {
        cx.persist(Durable {
            booted: true,
            data: self.data.clone(),
            gone: self.gone.clone(),
            handed: self.handed.clone(),
            config: None,
        });
    }

    pub(crate) fn start(&mut self, durable: &Durable, cx: &mut Cx<'_, Node>) {
        if durable.booted {
            self.data = durable.data.clone();
            self.gone = durable.gone.clone();
            self.handed = durable.handed.clone();
        } else {
            self.save(cx);
        }
    }

    /// Stores `version` of `key` as given by change `change`, unless a later change took the
    /// key away. Returns whether it was stored.
    fn store(&mut self, key: u32, version: u64, change: u32) -> bool {
        if self.gone.get(&key).is_some_and(|&g| g > change) {
            return false;
        }
        self.gone.remove(&key);
        let s = self.data.entry(key).or_insert(Stored { version, change });
        s.version = s.version.max(version);
        s.change = s.change.max(change);
        true
    }

    pub(crate) fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
        match msg {
            Msg::Get { req, key } => match self.data.get(&key) {
                Some(s) => cx.send(
                    from,
                    Msg::Value {
                        req,
                        key,
                        version: s.version,
                    },
                ),
                None => cx.send(from, Msg::Missing { req, key }),
            },
            Msg::Put {
                req,
                key,
                version,
                change,
            } => {
                let copied_since = self.handed.0 > change && self.handed.1.contains(&key);
                if copied_since || !self.store(key, version, change) {
                    cx.send(from, Msg::PutRefused { req, key });
                } else {
                    self.save(cx);
                    cx.send(from, Msg::PutAck { req, key });
                }
            }
            Msg::Migrate { change, to, keys } => {
                if change > self.handed.0 {
                    self.handed = (change, BTreeSet::new());
                }
                if change == self.handed.0 {
                    self.handed.1.extend(keys.iter().copied());
                }
                // Send what is here; a key this holder lacks shows up as a short count, and
                // the router keeps the flow open.
                let held: Vec<(u32, u64)> = keys
                    .iter()
                    .filter_map(|k| self.data.get(k).map(|s| (*k, s.version)))
                    .collect();
                if held.len() < keys.len() {
                    cx.note(format!(
                        "asked for {} keys, holds {}",
                        keys.len(),
                        held.len()
                    ));
                }
                self.save(cx);
                cx.send(
                    to as NodeId,
                    Msg::Transfer {
                        change,
                        keys: held.into(),
                    },
                );
            }
            Msg::Transfer { change, keys } => {
                let mut count = 0;
                for &(k, version) in keys.iter() {
                    count += u32::from(self.store(k, version, change));
                }
                self.save(cx);
                cx.send(
                    0,
                    Msg::Moved {
                        change,
                        from: from as u32,
                        count,
                    },
                );
            }
            Msg::Release { change, keys } => {
                for &k in keys.iter() {
                    // A later change may have given the key back: keep that copy.
                    if self.data.get(&k).is_some_and(|s| s.change <= change) {
                        self.data.remove(&k);
                    }
                    if !self.data.contains_key(&k) {
                        let g = self.gone.entry(k).or_insert(change);
                        *g = (*g).max(change);
                    }
                }
                self.released += 1;
                self.last_released = keys;
                self.save(cx);
            }
            Msg::Value { .. }
            | Msg::Missing { .. }
            | Msg::PutAck { .. }
            | Msg::PutRefused { .. }
            | Msg::Moved { .. } => {
                cx.note(format!("n{} ignores a reply meant for the router", self.id));
            }
        }
    }

    pub(crate) fn view(&self) -> NodeView {
        NodeView {
            role: "server".into(),
            // The drawn keys it stores (copies included): the hashing panel's bars count every
            // key the algorithm assigns, so the words keep the two numbers apart.
            summary: splitbrain_sim::words::count(self.data.len(), "drawn key"),
            // Cheap on purpose: the page rebuilds every node's view on every frame with events.
            fields: vec![
                ("keys held".into(), self.data.len().to_string()),
                ("keys released".into(), self.gone.len().to_string()),
            ],
        }
    }
}
