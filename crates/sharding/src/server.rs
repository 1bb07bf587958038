//! A storage server: keys on disk, answering the router and moving keys when told.

use crate::router::ReplicaSets;
use crate::{Durable, Msg, Node};
use splitbrain_sim::{Cx, NodeId, NodeView};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A server slot's state. Everything it holds is persisted at once, as a disk would keep it.
#[derive(Debug, Clone)]
pub struct Storage {
    id: u32,
    /// Newest change heard of (see [`Durable::epoch`]).
    epoch: u32,
    data: BTreeMap<u32, u32>,
    /// Keys dropped by releases so far (the no-lost-keys invariant checks after each release).
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
            .map(|(k, _)| (k as u32, 0))
            .collect();
        Self {
            id,
            epoch: 0,
            data,
            released: 0,
            last_released: Rc::from(Vec::new()),
        }
    }

    /// Keys and versions held.
    pub fn data(&self) -> &BTreeMap<u32, u32> {
        &self.data
    }

    /// How many releases have dropped keys, and the keys of the last one.
    pub fn releases(&self) -> (u64, &[u32]) {
        (self.released, &self.last_released)
    }

    fn save(&self, cx: &mut Cx<'_, Node>) {
        cx.persist(Durable {
            booted: true,
            epoch: self.epoch,
            data: self.data.clone(),
            config: None,
        });
    }

    pub(crate) fn start(&mut self, durable: &Durable, cx: &mut Cx<'_, Node>) {
        if durable.booted {
            self.data = durable.data.clone();
            self.epoch = durable.epoch;
        } else {
            self.save(cx);
        }
    }

    pub(crate) fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
        match msg {
            Msg::Get { req, key } => match self.data.get(&key) {
                Some(&version) => cx.send(from, Msg::Value { req, key, version }),
                None => cx.send(from, Msg::Missing { req, key }),
            },
            Msg::Put {
                req,
                key,
                version,
                change,
            } => {
                self.epoch = self.epoch.max(change);
                let v = self.data.entry(key).or_insert(version);
                *v = (*v).max(version);
                self.save(cx);
                cx.send(from, Msg::PutAck { req, key });
            }
            Msg::Migrate { change, to, keys } => {
                self.epoch = self.epoch.max(change);
                // Send what is here; a key this holder lacks shows up as a short count.
                let held: Vec<(u32, u32)> = keys
                    .iter()
                    .filter_map(|k| self.data.get(k).map(|&v| (*k, v)))
                    .collect();
                if held.len() < keys.len() {
                    cx.note(format!(
                        "asked for {} keys, holds {}",
                        keys.len(),
                        held.len()
                    ));
                }
                cx.send(
                    to as NodeId,
                    Msg::Transfer {
                        change,
                        keys: held.into(),
                    },
                );
            }
            Msg::Transfer { change, keys } => {
                self.epoch = self.epoch.max(change);
                for &(k, version) in keys.iter() {
                    let v = self.data.entry(k).or_insert(version);
                    *v = (*v).max(version);
                }
                self.save(cx);
                cx.send(
                    0,
                    Msg::Moved {
                        change,
                        from: from as u32,
                        count: keys.len() as u32,
                    },
                );
            }
            Msg::Release { change, keys } if change >= self.epoch => {
                self.epoch = change;
                for k in keys.iter() {
                    self.data.remove(k);
                }
                self.released += 1;
                self.last_released = keys;
                self.save(cx);
            }
            Msg::Release { change, .. } => cx.note(format!(
                "ignores a release from change {change}: change {} is newer",
                self.epoch
            )),
            Msg::Value { .. } | Msg::Missing { .. } | Msg::PutAck { .. } | Msg::Moved { .. } => {
                cx.note(format!("n{} ignores a reply meant for the router", self.id));
            }
        }
    }

    pub(crate) fn view(&self) -> NodeView {
        NodeView {
            role: "server".into(),
            summary: format!("{} keys", self.data.len()),
            // Cheap on purpose: the page rebuilds every node's view on every frame with events.
            fields: vec![
                ("keys held".into(), self.data.len().to_string()),
                ("newest change seen".into(), self.epoch.to_string()),
            ],
        }
    }
}
