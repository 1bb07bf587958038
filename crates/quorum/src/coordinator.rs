//! A server's coordinator part: it takes a client's get or set, asks the key's replicas, and
//! answers once R replies (a read) or W acknowledgements (a write) are in (Dynamo §4.5). With a
//! sloppy quorum a replica that does not answer within the time-out is replaced by the next
//! server on the ring, which keeps the write as a hint (§4.6). Reads repair stale replicas
//! after answering, before answering, or not at all ([`crate::Repair`]).

use crate::Repair;
use crate::node::{Msg, Node, Timer};
use crate::version::{Version, Versioned, Writer, newest};
use splitbrain_kv::client::Answer;
use splitbrain_kv::{Cmd, Reply};
use splitbrain_sim::{Cx, NodeId, Time};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// How long a server that did not answer stays suspected, in request time-outs: long enough
/// that the next few requests go straight to stand-ins.
const SUSPICION: u64 = 10;

/// One replica a request asks: a preference-list server, or a stand-in for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ask {
    pub node: NodeId,
    /// The preference-list server it stands in for.
    pub hint: Option<NodeId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Reading,
    Writing,
    /// A blocking read's write-back of the newest version.
    Repairing,
}

/// A request being coordinated.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The client and its number, to answer; `None` for a command typed at a server.
    reply_to: Option<(NodeId, u64)>,
    key: Rc<str>,
    /// What is being written (a set's new version, or a blocking read's newest).
    write: Option<Versioned>,
    stage: Stage,
    asked: Vec<Ask>,
    replies: BTreeMap<NodeId, Option<Versioned>>,
    acks: BTreeSet<NodeId>,
    expired: bool,
    started: Time,
    text: String,
}

/// A request its coordinator answered (or gave up on), for the panel: who was asked and what
/// each said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The coordinator's number for it (unique per coordinator).
    pub op: u64,
    /// The operation, `get x` or `set x=5`.
    pub text: String,
    /// Its key.
    pub key: Rc<str>,
    /// The server that coordinated it.
    pub coordinator: NodeId,
    /// When it came in and when it was answered.
    pub started: Time,
    /// When it was answered.
    pub at: Time,
    /// Each replica asked, the server it stood in for, and what it said by the answer
    /// (`None`: nothing in time).
    pub asked: Vec<(NodeId, Option<NodeId>, Option<String>)>,
    /// The answer in words, `get x = 5` or `unavailable: …`.
    pub result: String,
    /// Whether it succeeded.
    pub ok: bool,
}

impl Node {
    /// Takes a client's operation (or a command typed at this server), a set versioned by
    /// `stamp`, the client's clock when it sent the request.
    pub(crate) fn coordinate(
        &mut self,
        reply_to: Option<(NodeId, u64)>,
        stamp: Option<Version>,
        op: Cmd,
        cx: &mut Cx<'_, Self>,
    ) {
        let (key, write) = match &op {
            Cmd::Get { key } => (key.clone(), None),
            Cmd::Set { key, value } => {
                // Typed at a server: the coordinator's clock, strictly increasing even for
                // two writes in one microsecond.
                let version = stamp.unwrap_or_else(|| {
                    self.last_version = (self.last_version + 1).max(cx.now());
                    Version {
                        at: self.last_version,
                        by: Writer::Server(self.id),
                    }
                });
                (
                    key.clone(),
                    Some(Versioned {
                        value: value.clone(),
                        version,
                    }),
                )
            }
            other => {
                let why = "this store has only get and set".to_string();
                cx.note(format!("{other} refused: {why}"));
                if let Some((client, seq)) = reply_to {
                    cx.send(
                        client,
                        Msg::Response {
                            seq,
                            answer: Answer::Unavailable(why),
                        },
                    );
                }
                return;
            }
        };
        let op_id = self.next_op;
        self.next_op += 1;
        let stage = if write.is_some() {
            Stage::Writing
        } else {
            Stage::Reading
        };
        let targets = self.targets(&key, cx.now());
        self.pending.insert(
            op_id,
            Pending {
                reply_to,
                key,
                write,
                stage,
                asked: Vec::new(),
                replies: BTreeMap::new(),
                acks: BTreeSet::new(),
                expired: false,
                started: cx.now(),
                text: op.to_string(),
            },
        );
        cx.set_timer(
            Timer::Request(op_id),
            self.params.ack_timeout,
            self.params.ack_timeout,
        );
        self.ask_all(op_id, targets, cx);
    }

    /// The replicas to ask for `key`: its N, or with a sloppy quorum, stand-ins further round
    /// the ring for those suspected of being down ("the first N healthy nodes", §4.6).
    fn targets(&self, key: &str, now: Time) -> Vec<Ask> {
        let order = self.placement.order(key);
        let n = self.params.replicas.min(order.len());
        let (preference, rest) = order.split_at(n);
        if !self.params.sloppy {
            return preference
                .iter()
                .map(|&node| Ask { node, hint: None })
                .collect();
        }
        let mut stand_ins = rest.iter().filter(|&&s| !self.suspected(s, now));
        preference
            .iter()
            .filter_map(|&node| {
                if self.suspected(node, now) {
                    stand_ins.next().map(|&s| Ask {
                        node: s,
                        hint: Some(node),
                    })
                } else {
                    Some(Ask { node, hint: None })
                }
            })
            .collect()
    }

    /// Asks every one of `targets`: the others first, then this server, whose own answer comes
    /// at once and may complete the quorum (W=1), after which nobody else would be asked.
    fn ask_all(&mut self, op: u64, targets: Vec<Ask>, cx: &mut Cx<'_, Self>) {
        let me = self.id;
        let (local, remote): (Vec<Ask>, Vec<Ask>) = targets.into_iter().partition(|a| a.node == me);
        for a in remote.into_iter().chain(local) {
            self.ask(op, a, cx);
        }
    }

    /// Sends request `op`'s read or write to one replica; this server answers itself at once.
    fn ask(&mut self, op: u64, to: Ask, cx: &mut Cx<'_, Self>) {
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        if !p.asked.contains(&to) {
            p.asked.push(to);
        }
        let key = p.key.clone();
        let (stage, write) = (p.stage, p.write.clone());
        let local = to.node == self.id;
        match (stage, write) {
            (Stage::Reading, _) => {
                if local {
                    let value = self.lookup(&key, to.hint).cloned();
                    self.on_read_reply(op, to.node, value, cx);
                } else {
                    cx.send(
                        to.node,
                        Msg::Read {
                            op,
                            key,
                            hint: to.hint,
                        },
                    );
                }
            }
            (_, Some(value)) => {
                let repair = stage == Stage::Repairing;
                if local {
                    self.keep(&key, value, to.hint, cx);
                    self.on_ack(op, to.node, cx);
                } else {
                    cx.send(
                        to.node,
                        Msg::Write {
                            op,
                            key,
                            value,
                            hint: to.hint,
                            repair,
                        },
                    );
                }
            }
            (_, None) => {}
        }
    }

    /// A replica's version for read `op`.
    pub(crate) fn on_read_reply(
        &mut self,
        op: u64,
        from: NodeId,
        value: Option<Versioned>,
        cx: &mut Cx<'_, Self>,
    ) {
        let r = self.params.r;
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        if p.stage != Stage::Reading || !p.asked.iter().any(|a| a.node == from) {
            return;
        }
        p.replies.insert(from, value);
        if p.replies.len() >= r {
            self.read_quorum(op, cx);
        }
    }

    /// R replies are in: answer with the newest, repairing as the settings say.
    fn read_quorum(&mut self, op: u64, cx: &mut Cx<'_, Self>) {
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        let best = p
            .replies
            .values()
            .fold(None, |acc, v| newest(acc, v.as_ref()))
            .cloned();
        let Some(best) = best else {
            return self.finish(op, Ok(None), cx);
        };
        let holders: BTreeSet<NodeId> = p
            .replies
            .iter()
            .filter(|(_, v)| v.as_ref().is_some_and(|v| v.version == best.version))
            .map(|(n, _)| *n)
            .collect();
        let stale: Vec<Ask> = p
            .asked
            .iter()
            .filter(|a| p.replies.contains_key(&a.node) && !holders.contains(&a.node))
            .copied()
            .collect();
        match self.params.repair {
            Repair::Off => self.finish(op, Ok(Some(best.value)), cx),
            Repair::Async => {
                let key = p.key.clone();
                self.finish(op, Ok(Some(best.value.clone())), cx);
                // After answering, as Dynamo does: the next read finds them fixed.
                for a in stale {
                    if a.node == self.id {
                        self.keep(&key, best.clone(), a.hint, cx);
                    } else {
                        cx.send(
                            a.node,
                            Msg::Write {
                                op,
                                key: key.clone(),
                                value: best.clone(),
                                hint: a.hint,
                                repair: true,
                            },
                        );
                    }
                }
            }
            Repair::Blocking => {
                // Write the newest back until W replicas hold it, then answer: no read that
                // starts later can find fewer than R… of them stale.
                p.acks = holders;
                if p.acks.len() >= self.params.w {
                    return self.finish(op, Ok(Some(best.value)), cx);
                }
                p.stage = Stage::Repairing;
                p.write = Some(best);
                let acks = p.acks.clone();
                let again: Vec<Ask> = p
                    .asked
                    .iter()
                    .filter(|a| !acks.contains(&a.node))
                    .copied()
                    .collect();
                self.ask_all(op, again, cx);
            }
        }
    }

    /// A replica stored write (or write-back) `op`.
    pub(crate) fn on_ack(&mut self, op: u64, from: NodeId, cx: &mut Cx<'_, Self>) {
        let w = self.params.w;
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        if p.stage == Stage::Reading || !p.asked.iter().any(|a| a.node == from) {
            return;
        }
        p.acks.insert(from);
        if p.acks.len() >= w {
            let value = p.write.as_ref().map(|v| v.value.clone());
            self.finish(op, Ok(value), cx);
        }
    }

    /// Request `op`'s time-out: the first time, suspect the silent replicas and (sloppy) ask
    /// stand-ins; the second, give up.
    pub(crate) fn expire(&mut self, op: u64, cx: &mut Cx<'_, Self>) {
        let now = cx.now();
        let until = now + self.params.ack_timeout.saturating_mul(SUSPICION);
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        let silent: Vec<Ask> = p
            .asked
            .iter()
            .filter(|a| !p.replies.contains_key(&a.node) && !p.acks.contains(&a.node))
            .copied()
            .collect();
        if p.expired {
            let (have, need, what) = match p.stage {
                Stage::Reading => (p.replies.len(), self.params.r, "R"),
                _ => (p.acks.len(), self.params.w, "W"),
            };
            let why = format!("{have} of {what}={need} replicas answered in time");
            return self.finish(op, Err(why), cx);
        }
        p.expired = true;
        cx.set_timer(
            Timer::Request(op),
            self.params.ack_timeout,
            self.params.ack_timeout,
        );
        for a in &silent {
            self.suspect.insert(a.node, until);
        }
        if !self.params.sloppy {
            return;
        }
        let key = p.key.clone();
        let used: BTreeSet<NodeId> = p.asked.iter().map(|a| a.node).collect();
        let order = self.placement.order(&key);
        let mut stand_ins = order[self.params.replicas.min(order.len())..]
            .iter()
            .filter(|s| !used.contains(s) && !self.suspected(**s, now))
            .copied()
            .collect::<Vec<_>>()
            .into_iter();
        let mut extra = Vec::new();
        for a in silent {
            let Some(s) = stand_ins.next() else { break };
            extra.push(Ask {
                node: s,
                hint: Some(a.hint.unwrap_or(a.node)),
            });
        }
        for a in &extra {
            cx.note(format!(
                "n{} silent: asks n{} instead (sloppy quorum)",
                a.hint.unwrap_or(a.node),
                a.node
            ));
        }
        self.ask_all(op, extra, cx);
    }

    /// Answers request `op` (`Ok(value)`: the read's value or the write's; `Err`: why it
    /// failed) and remembers it for the panel.
    fn finish(&mut self, op: u64, outcome: Result<Option<Rc<str>>, String>, cx: &mut Cx<'_, Self>) {
        let Some(p) = self.pending.remove(&op) else {
            return;
        };
        cx.cancel_timer(Timer::Request(op));
        let reading = p.stage != Stage::Writing;
        let answer = match &outcome {
            Ok(value) if reading => Answer::Done(Reply::Read {
                key: p.key.clone(),
                value: value.clone(),
            }),
            Ok(value) => Answer::Done(Reply::Written {
                key: p.key.clone(),
                value: value.clone().unwrap_or_else(|| "".into()),
            }),
            Err(why) => Answer::Unavailable(why.clone()),
        };
        if outcome.is_ok() {
            self.answered += 1;
        } else {
            self.unavailable += 1;
        }
        let said = |a: &Ask| -> Option<String> {
            if let Some(v) = p.replies.get(&a.node) {
                return Some(v.as_ref().map_or("none".into(), |v| v.to_string()));
            }
            p.acks.contains(&a.node).then(|| "stored".into())
        };
        let asked = p.asked.iter().map(|a| (a.node, a.hint, said(a))).collect();
        let result = answer.to_string();
        self.remember(Finished {
            op,
            text: p.text.clone(),
            key: p.key.clone(),
            coordinator: self.id,
            started: p.started,
            at: cx.now(),
            asked,
            result: result.clone(),
            ok: outcome.is_ok(),
        });
        match p.reply_to {
            Some((client, seq)) => cx.send(client, Msg::Response { seq, answer }),
            None => cx.note(result),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;
    use splitbrain_sim::{Effect, Process, SimRng};

    /// One server of five, booted, with `params`.
    fn server(id: NodeId, params: Params) -> Node {
        let mut n = Node::new(params, id, 5);
        step(&mut n, 0, |n, cx| n.on_start(&Default::default(), cx));
        n
    }

    fn step(
        node: &mut Node,
        now: Time,
        f: impl FnOnce(&mut Node, &mut Cx<'_, Node>),
    ) -> Vec<Effect<Node>> {
        let mut rng = SimRng::derive(0, 0, 0);
        let mut effects = Vec::new();
        let mut cx = Cx::new(node.id, 5, now, &mut rng, &mut effects);
        f(node, &mut cx);
        effects
    }

    /// Replica `from` acknowledges write (or write-back) `op` of x at `now`.
    fn ack(n: &mut Node, now: Time, from: NodeId, op: u64, repair: bool) -> Vec<Effect<Node>> {
        let key = "x".into();
        step(n, now, |n, cx| {
            n.on_message(from, Msg::Written { op, key, repair }, cx)
        })
    }

    fn sends(fx: &[Effect<Node>]) -> Vec<(NodeId, Msg)> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some((*to, msg.clone())),
                _ => None,
            })
            .collect()
    }

    fn request(cmd: &str) -> Msg {
        Msg::Request {
            cmd: Cmd::Session {
                client: 0,
                seq: 1,
                op: Rc::new(Cmd::parse(cmd).unwrap()),
            },
            sent: 1_000,
        }
    }

    /// A server not among x's three replicas, so every replica is a message away.
    fn outsider(params: &Params) -> NodeId {
        let place = crate::Placement::new(5, params.replicas);
        (0..5).find(|n| !place.holds("x", *n)).unwrap()
    }

    fn answers(fx: &[Effect<Node>]) -> Vec<String> {
        sends(fx)
            .into_iter()
            .filter_map(|(_, m)| match m {
                Msg::Response { answer, .. } => Some(answer.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn s4_5_a_write_goes_to_all_n_and_is_answered_after_w_acks_not_before() {
        let p = Params::default();
        let me = outsider(&p);
        let mut n = server(me, p.clone());
        let fx = step(&mut n, 1_000, |n, cx| {
            n.on_message(9, request("set x=5"), cx)
        });
        let writes: Vec<(NodeId, u64)> = sends(&fx)
            .into_iter()
            .filter_map(|(to, m)| match m {
                Msg::Write { op, value, .. } => {
                    assert_eq!(
                        value.version,
                        Version {
                            at: 1_000,
                            by: Writer::Client(0)
                        },
                        "the client's clock"
                    );
                    Some((to, op))
                }
                _ => None,
            })
            .collect();
        assert_eq!(writes.len(), 3, "all N replicas are asked");
        let (first, op) = writes[0];
        let fx = ack(&mut n, 2_000, first, op, false);
        assert!(answers(&fx).is_empty(), "one ack of W=2 is not enough");
        // A duplicate ack from the same replica does not count twice.
        let fx = ack(&mut n, 2_100, first, op, false);
        assert!(answers(&fx).is_empty());
        let second = writes[1].0;
        let fx = ack(&mut n, 3_000, second, op, false);
        assert_eq!(answers(&fx), vec!["set x=5 ok"]);
    }

    fn read_replies(
        n: &mut Node,
        fx: &[Effect<Node>],
        values: &[Option<Versioned>],
    ) -> Vec<Effect<Node>> {
        let reads: Vec<(NodeId, u64)> = sends(fx)
            .into_iter()
            .filter_map(|(to, m)| match m {
                Msg::Read { op, .. } => Some((to, op)),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for ((to, op), value) in reads.into_iter().zip(values) {
            out.extend(step(n, 5_000, |n, cx| {
                n.on_message(
                    to,
                    Msg::ReadReply {
                        op,
                        key: "x".into(),
                        value: value.clone(),
                    },
                    cx,
                )
            }));
        }
        out
    }

    fn v(value: &str, at: Time) -> Option<Versioned> {
        Some(Versioned {
            value: value.into(),
            version: Version {
                at,
                by: Writer::Server(7),
            },
        })
    }

    #[test]
    fn s4_5_with_w_1_a_coordinator_that_is_a_replica_still_sends_the_write_to_the_other_two() {
        let p = Params {
            w: 1,
            ..Params::default()
        };
        let first = crate::Placement::new(5, 3).order("x")[0];
        let mut n = server(first, p);
        let fx = step(&mut n, 1_000, |n, cx| {
            n.on_message(9, request("set x=5"), cx)
        });
        assert_eq!(answers(&fx), vec!["set x=5 ok"], "its own copy is W=1");
        let writes = sends(&fx)
            .iter()
            .filter(|(_, m)| matches!(m, Msg::Write { .. }))
            .count();
        assert_eq!(writes, 2, "the other replicas get it too");
    }

    #[test]
    fn s4_5_a_read_answers_the_newest_of_r_replies_and_repairs_after_answering() {
        let p = Params::default();
        let mut n = server(outsider(&p), p);
        let fx = step(&mut n, 4_000, |n, cx| n.on_message(9, request("get x"), cx));
        let fx = read_replies(&mut n, &fx, &[v("old", 10), v("new", 20)]);
        assert_eq!(answers(&fx), vec!["get x = new"]);
        let repairs: Vec<_> = sends(&fx)
            .into_iter()
            .filter(|(_, m)| matches!(m, Msg::Write { repair: true, .. }))
            .collect();
        assert_eq!(
            repairs.len(),
            1,
            "the stale replier is repaired: {repairs:?}"
        );
    }

    #[test]
    fn abd_a_blocking_read_writes_the_newest_back_to_w_replicas_before_answering() {
        let p = Params {
            r: 1,
            w: 3,
            repair: crate::Repair::Blocking,
            ..Params::default()
        };
        let mut n = server(outsider(&p), p);
        let fx = step(&mut n, 4_000, |n, cx| n.on_message(9, request("get x"), cx));
        let fx = read_replies(&mut n, &fx, &[v("new", 20)]);
        assert!(answers(&fx).is_empty(), "1 of W=3 holds it: no answer yet");
        let backs: Vec<(NodeId, u64)> = sends(&fx)
            .into_iter()
            .filter_map(|(to, m)| match m {
                Msg::Write {
                    op,
                    repair: true,
                    value,
                    ..
                } => {
                    assert_eq!(&*value.value, "new");
                    Some((to, op))
                }
                _ => None,
            })
            .collect();
        assert_eq!(backs.len(), 2);
        let mut last = Vec::new();
        for (to, op) in backs {
            last = ack(&mut n, 6_000, to, op, true);
        }
        assert_eq!(answers(&last), vec!["get x = new"]);
    }

    #[test]
    fn s4_6_a_sloppy_quorum_asks_the_next_server_with_a_hint_when_one_is_silent() {
        let p = Params::default();
        let place = crate::Placement::new(5, 3);
        let order = place.order("x");
        let coordinator = order[0];
        let mut n = server(coordinator, p.clone());
        let fx = step(&mut n, 1_000, |n, cx| {
            n.on_message(9, request("set x=5"), cx)
        });
        // Its own copy counts at once; the other two stay silent.
        assert!(answers(&fx).is_empty());
        let fx = step(&mut n, 1_000 + p.ack_timeout, |n, cx| {
            n.on_timer(Timer::Request(n.next_op - 1), cx)
        });
        let hinted: Vec<(NodeId, Option<NodeId>)> = sends(&fx)
            .into_iter()
            .filter_map(|(to, m)| match m {
                Msg::Write { hint, .. } => Some((to, hint)),
                _ => None,
            })
            .collect();
        assert_eq!(
            hinted,
            vec![(order[3], Some(order[1])), (order[4], Some(order[2]))]
        );
        // The next request skips the suspected servers from the start.
        let fx = step(&mut n, 1_500 + p.ack_timeout, |n, cx| {
            n.on_message(9, request("get x"), cx)
        });
        let asked: Vec<NodeId> = sends(&fx).into_iter().map(|(to, _)| to).collect();
        assert_eq!(asked, vec![order[3], order[4]]);
    }

    #[test]
    fn s4_6_a_strict_quorum_answers_unavailable_rather_than_write_elsewhere() {
        let p = Params {
            sloppy: false,
            ..Params::default()
        };
        let mut n = server(outsider(&p), p.clone());
        step(&mut n, 1_000, |n, cx| {
            n.on_message(9, request("set x=5"), cx)
        });
        let op = n.next_op - 1;
        let fx = step(&mut n, 1_000 + p.ack_timeout, |n, cx| {
            n.on_timer(Timer::Request(op), cx)
        });
        assert!(sends(&fx).is_empty(), "no stand-ins: {:?}", sends(&fx));
        let fx = step(&mut n, 1_000 + 2 * p.ack_timeout, |n, cx| {
            n.on_timer(Timer::Request(op), cx)
        });
        assert_eq!(
            answers(&fx),
            vec!["unavailable: 0 of W=2 replicas answered in time"]
        );
        assert_eq!(n.unavailable, 1);
    }

    #[test]
    fn s4_6_a_stand_in_hands_its_hint_back_and_forgets_it_once_taken() {
        let p = Params::default();
        let order = crate::Placement::new(5, 3).order("x");
        let mut stand_in = server(order[3], p.clone());
        let value = v("5", 1_000).unwrap();
        step(&mut stand_in, 1_000, |n, cx| {
            n.on_message(
                order[0],
                Msg::Write {
                    op: 1,
                    key: "x".into(),
                    value: value.clone(),
                    hint: Some(order[1]),
                    repair: false,
                },
                cx,
            )
        });
        assert!(
            stand_in.store().is_empty(),
            "kept as a hint, not in its own store"
        );
        let fx = step(&mut stand_in, 2_000, |n, cx| n.on_timer(Timer::Handoff, cx));
        assert_eq!(
            sends(&fx),
            vec![(
                order[1],
                Msg::Handoff {
                    key: "x".into(),
                    value: value.clone()
                }
            )]
        );
        let mut owner = server(order[1], p);
        let fx = step(&mut owner, 2_010, |n, cx| {
            n.on_message(
                order[3],
                Msg::Handoff {
                    key: "x".into(),
                    value: value.clone(),
                },
                cx,
            )
        });
        assert_eq!(owner.store().get("x"), Some(&value));
        let (_, took) = sends(&fx).remove(0);
        step(&mut stand_in, 2_020, |n, cx| {
            n.on_message(order[1], took, cx)
        });
        assert!(stand_in.hints().is_empty());
    }

    #[test]
    fn lww_a_replica_keeps_the_newer_version_whatever_order_writes_arrive_in() {
        let order = crate::Placement::new(5, 3).order("x");
        let mut n = server(order[0], Params::default());
        for (value, at) in [("b", 20), ("a", 10)] {
            step(&mut n, 3_000, |n, cx| {
                n.on_message(
                    4,
                    Msg::Write {
                        op: 1,
                        key: "x".into(),
                        value: v(value, at).unwrap(),
                        hint: None,
                        repair: false,
                    },
                    cx,
                )
            });
        }
        assert_eq!(&*n.store()["x"].value, "b");
    }
}
