//! One Paxos node: proposer (if `id < proposers`), acceptor (if `id < acceptors`) and learner.

use crate::{Ballot, MAX_SLOTS, Mode, Params, Value, Variant, own_value};
use splitbrain_kv::client::{Answer, Client};
use splitbrain_kv::host;
use splitbrain_kv::{Cmd, Store};
use splitbrain_sim::{Cx, Describe, Duration, Fact, NodeId, NodeView, Process, Time, World};
use std::collections::{BTreeMap, VecDeque};

/// A position in the sequence of decided values (always 0 in single-decree runs).
pub type Slot = u64;

/// How often a client request may be forwarded before it is refused.
const MAX_HOPS: u8 = 3;
/// Client commands a proposer holds while no leader is known.
const MAX_QUEUE: usize = 64;
/// Unacknowledged Accepts a leader resends per heartbeat, and decided slots per catch-up reply.
const BATCH: usize = 16;
/// Attempts a proposer keeps in its record for the ballot timeline.
const MAX_ATTEMPTS: usize = 24;

/// Messages of PMS §2.2 (phases 1 and 2) and PMMC §3, plus heartbeats and catch-up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1a: "prepare request with number n" (PMS §2.2), for every slot from `from` on.
    Prepare {
        /// The proposer's ballot.
        ballot: Ballot,
        /// First slot the proposer has not learned (always 0 in single-decree runs).
        from: Slot,
    },
    /// Phase 1b: the promise not to accept lower ballots, with what was already accepted.
    Promise {
        /// The ballot promised.
        ballot: Ballot,
        /// Every (slot, ballot, value) accepted at `from` or later.
        accepted: Vec<(Slot, Ballot, Value)>,
    },
    /// A Prepare or Accept refused because the acceptor promised a higher ballot (the optional
    /// optimisation of PMS §2.2, and PMMC's preemption).
    Nack {
        /// The refused ballot.
        ballot: Ballot,
        /// The higher ballot the acceptor promised.
        promised: Ballot,
    },
    /// Phase 2a: "accept request" for one slot.
    Accept {
        /// The proposer's ballot.
        ballot: Ballot,
        /// The slot.
        slot: Slot,
        /// The value.
        value: Value,
    },
    /// Phase 2b, sent by the acceptor to every learner (PMS §2.3).
    Accepted {
        /// The ballot accepted.
        ballot: Ballot,
        /// The slot.
        slot: Slot,
        /// The value.
        value: Value,
    },
    /// A Multi-Paxos leader's periodic "I am alive", with how far it has learned.
    Heartbeat {
        /// The leader's ballot.
        ballot: Ballot,
        /// The leader's first unlearned slot: learners behind it ask to catch up.
        chosen: Slot,
    },
    /// A lagging learner asks for the decided slots from `from` on.
    CatchUp {
        /// First slot it has not learned.
        from: Slot,
    },
    /// Decided slots for a lagging learner.
    Decided {
        /// (slot, value) pairs, ascending.
        entries: Vec<(Slot, Value)>,
    },
    /// A client command forwarded to the leader a node knows.
    Forward {
        /// The command.
        value: Value,
        /// Times it was forwarded already.
        hops: u8,
    },
    /// A client process's request: a numbered [`Cmd::Session`].
    Request {
        /// The request.
        cmd: Cmd,
    },
    /// A server's answer to a client's request number `seq`.
    Response {
        /// The request's number.
        seq: u64,
        /// The answer, or where the leader is.
        answer: Answer,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::Prepare { ballot, from } => format!("Prepare b{ballot} from slot {from}"),
            Msg::Promise { ballot, accepted } => match accepted.as_slice() {
                [] => format!("Promise b{ballot} (nothing accepted)"),
                [(s, b, v)] => format!("Promise b{ballot} accepted {s}:{v}@{b}"),
                many => format!("Promise b{ballot} with {} accepted", many.len()),
            },
            Msg::Nack { ballot, promised } => format!("Nack b{ballot} promised b{promised}"),
            Msg::Accept {
                ballot,
                slot,
                value,
            } => format!("Accept b{ballot} slot {slot} = {value}"),
            Msg::Accepted {
                ballot,
                slot,
                value,
            } => format!("Accepted b{ballot} slot {slot} = {value}"),
            Msg::Heartbeat { ballot, chosen } => {
                format!("Heartbeat b{ballot} learned <{chosen}")
            }
            Msg::CatchUp { from } => format!("CatchUp from slot {from}"),
            Msg::Decided { entries } => match (entries.first(), entries.last()) {
                (Some((a, _)), Some((b, _))) => format!("Decided slots {a}..={b}"),
                _ => "Decided nothing".into(),
            },
            Msg::Forward { value, .. } => format!("Forward {value}"),
            Msg::Request { cmd } => format!("Request {cmd}"),
            Msg::Response { seq, answer } => format!("Response #{seq}: {answer}"),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } | Msg::Promise { .. } => "prepare",
            Msg::Accept { .. } | Msg::Accepted { .. } => "accept",
            Msg::Nack { .. } => "nack",
            _ => "leader",
        }
    }
    fn short(&self) -> String {
        match self {
            Msg::Prepare { ballot, .. } => format!("P {ballot}"),
            Msg::Promise { ballot, .. } => format!("✓ {ballot}"),
            Msg::Nack { promised, .. } => format!("✗ {promised}"),
            Msg::Accept { ballot, slot, .. } => format!("A {ballot} s{slot}"),
            Msg::Accepted { ballot, slot, .. } => format!("ok {ballot} s{slot}"),
            Msg::Heartbeat { ballot, .. } => format!("♥ {ballot}"),
            Msg::CatchUp { from } => format!("? s{from}"),
            Msg::Decided { entries } => splitbrain_sim::words::count(entries.len(), "slot"),
            Msg::Forward { .. } => "fwd".into(),
            Msg::Request { cmd } => cmd.op().to_string(),
            Msg::Response {
                answer: Answer::Done(reply),
                ..
            } => reply.to_string(),
            Msg::Response { .. } => "not leader".into(),
        }
    }
}

/// Timers of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// A proposer's "try a (higher) ballot now" timer: the retry of an unfinished attempt, and,
    /// in Multi-Paxos, the failure detector for the leader.
    Retry,
    /// A Multi-Paxos leader's heartbeat.
    Heartbeat,
    /// A client's one timer: its request timed out, or its pause before the next one ended.
    Client,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Retry => write!(f, "retry"),
            Timer::Heartbeat => write!(f, "heartbeat"),
            Timer::Client => write!(f, "client timeout"),
        }
    }
}

/// How a proposer's attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Its value was chosen (single-decree).
    Chosen,
    /// An acceptor or a heartbeat reported this higher ballot.
    Preempted(Ballot),
    /// The retry timer fired first; a higher ballot follows.
    TimedOut,
    /// The proposer crashed; recorded when it restarted.
    Crashed,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Chosen => write!(f, "chosen"),
            Outcome::Preempted(b) => write!(f, "preempted by ballot {b}"),
            Outcome::TimedOut => write!(f, "timed out"),
            Outcome::Crashed => write!(f, "crashed"),
        }
    }
}

/// One ballot a proposer tried, for the ballot timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attempt {
    /// The ballot.
    pub ballot: Ballot,
    /// When phase 1 started.
    pub start: Time,
    /// When a majority promised (phase 2 started, or leadership began).
    pub promised: Option<Time>,
    /// When and how it ended; `None` while it runs.
    pub end: Option<(Time, Outcome)>,
}

/// Stable storage (PMS §2.3): the acceptor's promise and accepted values, the proposer's rounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// Highest ballot promised.
    pub promised: Ballot,
    /// For each slot, the highest-ballot proposal accepted.
    pub accepted: BTreeMap<Slot, (Ballot, Value)>,
    /// Highest round this proposer used, so a restart never reuses a ballot.
    pub round: u64,
    /// The proposer's recent attempts, oldest first.
    pub attempts: Vec<Attempt>,
}
splitbrain_sim::whole_storage!(Durable);

/// A proposer's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not trying.
    Idle,
    /// Phase 1 with `ballot`: waiting for a majority of promises.
    Preparing {
        /// The ballot.
        ballot: Ballot,
        /// Acceptors that promised, as a bit set.
        promises: u32,
        /// Per slot, the highest-ballot value the promises reported.
        reported: BTreeMap<Slot, (Ballot, Value)>,
    },
    /// Phase 1 done: proposing with `ballot` (a Multi-Paxos leader, or a single-decree
    /// proposer in phase 2).
    Leading {
        /// The ballot.
        ballot: Ballot,
    },
}

/// Something a handler did that the invariants need to see, cleared at the start of each
/// handler call. Cheaper than diffing a node's whole state after every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// This proposer sent Accepts for `value` in `slot`.
    Proposed(Slot, Value),
    /// This acceptor accepted `value` in `slot` with `ballot`.
    Accepted(Slot, Ballot, Value),
    /// This learner learned `value` for `slot`.
    Learned(Slot, Value),
}

/// A value in phase 2 at the current ballot, with the acceptors that accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proposal {
    value: Value,
    acks: u32,
}

/// One Paxos node.
#[derive(Debug, Clone)]
pub struct Node {
    params: Params,
    id: NodeId,
    nodes: usize,
    // Acceptor (persisted).
    durable: Durable,
    max_accepted: Ballot,
    // Proposer (volatile, apart from `durable.round` and `durable.attempts`).
    phase: Phase,
    want: Option<Value>,
    queue: VecDeque<Value>,
    proposals: BTreeMap<Slot, Proposal>,
    next_slot: Slot,
    highest_seen: Ballot,
    leader_seen: Option<(Ballot, Time)>,
    fails: u32,
    // Learner (volatile).
    tallies: BTreeMap<Slot, BTreeMap<(Ballot, u64), u32>>,
    learned: BTreeMap<Slot, Value>,
    first_unlearned: Slot,
    store: Store,
    /// Slots this leader proposed client commands for: it replies when they are applied.
    awaiting_reply: BTreeMap<Slot, u64>,
    last_reply: Option<String>,
    observed: Vec<Observed>,
    /// Set when this slot runs a client instead of a server (see [`Node::new_client`]).
    pub(crate) client: Option<Box<Client>>,
}

fn bit(n: NodeId) -> u32 {
    1 << n
}

impl Node {
    /// Node `id` of `nodes`, with these settings.
    /// Acceptor sets are 32-bit masks; [`Params::validate`] keeps runs to 9 nodes.
    pub fn new(params: Params, id: NodeId, nodes: usize) -> Self {
        debug_assert!(nodes <= 32, "paxos runs on at most 32 nodes");
        let dedup = params.variant != Variant::NoDedup;
        Self {
            params,
            id,
            nodes,
            durable: Durable::default(),
            max_accepted: Ballot::ZERO,
            phase: Phase::Idle,
            want: None,
            queue: VecDeque::new(),
            proposals: BTreeMap::new(),
            next_slot: 0,
            highest_seen: Ballot::ZERO,
            leader_seen: None,
            fails: 0,
            tallies: BTreeMap::new(),
            learned: BTreeMap::new(),
            first_unlearned: 0,
            // PMMC §3: a replica skips a command it has already performed; the buggy variant
            // performs every copy.
            store: if dedup {
                Store::default()
            } else {
                Store::without_dedup()
            },
            awaiting_reply: BTreeMap::new(),
            last_reply: None,
            observed: Vec::new(),
            client: None,
        }
    }

    /// Its settings.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// Whether this node proposes.
    pub fn is_proposer(&self) -> bool {
        self.id < self.params.proposers as usize
    }
    /// Whether this node is an acceptor.
    pub fn is_acceptor(&self) -> bool {
        self.id < self.params.acceptor_count(self.nodes)
    }
    /// The ballot this acceptor promised.
    pub fn promised(&self) -> Ballot {
        self.durable.promised
    }
    /// The highest ballot among its accepted proposals.
    pub fn max_accepted(&self) -> Ballot {
        self.max_accepted
    }
    /// What this acceptor accepted, per slot.
    pub fn accepted(&self) -> &BTreeMap<Slot, (Ballot, Value)> {
        &self.durable.accepted
    }
    /// What this learner learned, per slot.
    pub fn learned(&self) -> &BTreeMap<Slot, Value> {
        &self.learned
    }
    /// The first slot this learner has not learned.
    pub fn first_unlearned(&self) -> Slot {
        self.first_unlearned
    }
    /// The proposer's state.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }
    /// The proposer's recent attempts, oldest first.
    pub fn attempts(&self) -> &[Attempt] {
        &self.durable.attempts
    }
    /// The applied key-value state.
    pub fn store(&self) -> &Store {
        &self.store
    }
    /// What the last handler call did, for the invariants.
    pub fn observed(&self) -> &[Observed] {
        &self.observed
    }
    /// The leader this node believes in: itself while leading, or the owner of the highest
    /// ballot heard from within the leader timeout (as of the last event it handled).
    pub fn leader(&self) -> Option<NodeId> {
        match self.phase {
            Phase::Leading { .. } if self.params.mode == Mode::Multi => Some(self.id),
            _ => self.leader_seen.map(|(b, _)| b.owner()),
        }
    }

    fn majority(&self) -> usize {
        self.params.majority(self.nodes)
    }
    fn acceptors(&self) -> impl Iterator<Item = NodeId> + use<> {
        0..self.params.acceptor_count(self.nodes)
    }
    fn ballot(&self) -> Option<Ballot> {
        match &self.phase {
            Phase::Idle => None,
            Phase::Preparing { ballot, .. } | Phase::Leading { ballot } => Some(*ballot),
        }
    }

    fn persist(&self, cx: &mut Cx<'_, Self>) {
        let mut d = self.durable.clone();
        if self.params.variant == Variant::ForgetPromise {
            // The bug: only the accepted proposals reach the disk.
            d.promised = Ballot::ZERO;
        }
        cx.persist(d);
    }

    /// Sends to one node, or handles it here when the role is co-located.
    fn send(&mut self, to: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        if to == self.id {
            self.handle(to, msg, cx);
        } else {
            cx.send(to, msg);
        }
    }
    fn send_to_acceptors(&mut self, msg: Msg, cx: &mut Cx<'_, Self>) {
        let ballot = self.ballot();
        for a in self.acceptors() {
            // The co-located acceptor may have preempted this ballot already.
            if self.ballot() != ballot {
                break;
            }
            self.send(a, msg.clone(), cx);
        }
    }
    /// Phase 2b goes to every learner (PMS §2.3), and every node is one.
    fn send_to_learners(&mut self, msg: Msg, cx: &mut Cx<'_, Self>) {
        cx.broadcast(msg.clone());
        self.handle(self.id, msg, cx);
    }

    /// Notes a ballot heard from another proposer, for the distinguished-proposer rule.
    fn hear(&mut self, b: Ballot, cx: &Cx<'_, Self>) {
        if b > self.highest_seen {
            self.highest_seen = b;
        }
        if b.owner() != self.id && self.leader_seen.is_none_or(|(seen, _)| b >= seen) {
            self.leader_seen = Some((b, cx.now()));
        }
    }
    fn leader_alive(&self, now: Time) -> bool {
        self.leader_seen.is_some_and(|(b, at)| {
            b.owner() != self.id
                && self.ballot().is_none_or(|mine| b > mine)
                && now < at + self.params.leader_timeout
        })
    }

    fn retry_delay(&self) -> (Duration, Duration) {
        let r = self.params.retry;
        if self.params.backoff {
            (r, r << self.fails.min(5))
        } else {
            (r, r)
        }
    }
    /// Arms the retry timer: the retry of a running attempt, or, for an idle Multi-Paxos
    /// proposer, the randomized leader timeout (like Raft's election timeout).
    fn arm_retry(&mut self, cx: &mut Cx<'_, Self>) {
        let (min, max) = if self.params.mode == Mode::Multi && self.phase == Phase::Idle {
            let t = self.params.leader_timeout;
            let (_, extra) = self.retry_delay();
            (t, 2 * t + extra - self.params.retry)
        } else {
            self.retry_delay()
        };
        cx.set_timer(Timer::Retry, min, max);
    }

    fn end_attempt(&mut self, outcome: Outcome, cx: &mut Cx<'_, Self>) {
        if let Some(a) = self.durable.attempts.last_mut()
            && a.end.is_none()
        {
            a.end = Some((cx.now(), outcome));
            self.persist(cx);
        }
    }

    /// Phase 1a with a ballot higher than any this proposer used or heard of (PMS §2.2).
    fn start_attempt(&mut self, cx: &mut Cx<'_, Self>) {
        if self.phase != Phase::Idle {
            self.fails += 1;
            self.end_attempt(Outcome::TimedOut, cx);
        }
        let round = self.durable.round.max(self.highest_seen.round) + 1;
        let owner = if self.params.variant == Variant::SharedBallots {
            0
        } else {
            self.id
        };
        let ballot = Ballot::new(round, owner);
        self.durable.round = round;
        if self.durable.attempts.len() >= MAX_ATTEMPTS {
            self.durable.attempts.remove(0);
        }
        self.durable.attempts.push(Attempt {
            ballot,
            start: cx.now(),
            promised: None,
            end: None,
        });
        self.persist(cx);
        self.phase = Phase::Preparing {
            ballot,
            promises: 0,
            reported: BTreeMap::new(),
        };
        self.proposals.clear();
        cx.note(format!("n{} starts phase 1 with ballot {ballot}", self.id));
        self.arm_retry(cx);
        let from = self.first_unlearned;
        self.send_to_acceptors(Msg::Prepare { ballot, from }, cx);
    }

    /// A higher ballot exists: stop proposing with ours (PMMC §3, "preempted").
    fn preempted(&mut self, by: Ballot, cx: &mut Cx<'_, Self>) {
        if self.ballot().is_none_or(|mine| by <= mine) {
            return;
        }
        cx.note(format!(
            "n{} preempted by ballot {by}; waits before a higher ballot",
            self.id
        ));
        self.end_attempt(Outcome::Preempted(by), cx);
        self.phase = Phase::Idle;
        self.fails += 1;
        cx.cancel_timer(Timer::Heartbeat);
        // Client commands proposed but not yet learned go to the new leader with the queued
        // ones. One may also be chosen from this ballot's Accepts, so a command can fill two
        // slots: the store applies a numbered client command once (PMMC §3), and the
        // `no-dedup` variant shows what happens when it does not.
        for (_, p) in std::mem::take(&mut self.proposals) {
            if matches!(p.value, Value::Op(_)) && self.queue.len() < MAX_QUEUE {
                self.queue.push_back(p.value);
            }
        }
        self.awaiting_reply.clear();
        if self.params.mode == Mode::Multi {
            // Watch the new leader instead (PMMC §3). A single-decree proposer keeps the retry
            // timer its attempt armed: the fixed timeout that lets two proposers duel.
            self.arm_retry(cx);
        }
        self.flush_queue(cx);
    }

    // ---- Acceptor (PMS §2.2, PMMC §3 "acceptor") ----

    fn on_prepare(&mut self, from: NodeId, ballot: Ballot, first: Slot, cx: &mut Cx<'_, Self>) {
        if !self.is_acceptor() {
            return;
        }
        self.hear(ballot, cx);
        if ballot >= self.durable.promised {
            if ballot > self.durable.promised {
                self.durable.promised = ballot;
                self.persist(cx);
            }
            let accepted = self
                .durable
                .accepted
                .range(first..)
                .map(|(s, (b, v))| (*s, *b, v.clone()))
                .collect();
            self.send(from, Msg::Promise { ballot, accepted }, cx);
        } else {
            self.refuse(from, ballot, cx);
        }
        // A co-located proposer with a lower ballot has lost.
        self.preempted(ballot, cx);
    }

    /// Nack: the acceptor promised a higher ballot than `ballot`.
    fn refuse(&mut self, from: NodeId, ballot: Ballot, cx: &mut Cx<'_, Self>) {
        let promised = self.durable.promised;
        self.send(from, Msg::Nack { ballot, promised }, cx);
    }

    fn on_accept(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        slot: Slot,
        value: Value,
        cx: &mut Cx<'_, Self>,
    ) {
        if !self.is_acceptor() {
            return;
        }
        self.hear(ballot, cx);
        if ballot >= self.durable.promised {
            self.durable.promised = ballot;
            self.durable.accepted.insert(slot, (ballot, value.clone()));
            self.max_accepted = self.max_accepted.max(ballot);
            self.persist(cx);
            self.observed
                .push(Observed::Accepted(slot, ballot, value.clone()));
            self.send_to_learners(
                Msg::Accepted {
                    ballot,
                    slot,
                    value,
                },
                cx,
            );
        } else {
            self.refuse(from, ballot, cx);
        }
        self.preempted(ballot, cx);
    }

    // ---- Proposer (PMS §2.2; PMMC §3 "scout" and "commander") ----

    fn on_promise(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        accepted: Vec<(Slot, Ballot, Value)>,
        cx: &mut Cx<'_, Self>,
    ) {
        let majority = self.majority();
        let ignore = self.params.variant == Variant::IgnorePromisedValues;
        let Phase::Preparing {
            ballot: mine,
            promises,
            reported,
        } = &mut self.phase
        else {
            return;
        };
        if *mine != ballot || *promises & bit(from) != 0 {
            return;
        }
        *promises |= bit(from);
        if !ignore {
            for (s, b, v) in accepted {
                if reported.get(&s).is_none_or(|(rb, _)| b > *rb) {
                    reported.insert(s, (b, v));
                }
            }
        }
        if promises.count_ones() as usize >= majority {
            let reported = std::mem::take(reported);
            self.adopted(ballot, reported, cx);
        }
    }

    /// A majority promised: phase 2 may start (PMMC §3, "adopted").
    fn adopted(
        &mut self,
        ballot: Ballot,
        reported: BTreeMap<Slot, (Ballot, Value)>,
        cx: &mut Cx<'_, Self>,
    ) {
        self.phase = Phase::Leading { ballot };
        if let Some(a) = self.durable.attempts.last_mut() {
            a.promised = Some(cx.now());
        }
        self.persist(cx);
        self.fails = 0;
        match self.params.mode {
            Mode::Single => {
                // P2c: the value of the highest-numbered proposal reported, else our own.
                let value = match reported.get(&0) {
                    Some((b, v)) => {
                        cx.note(format!(
                            "n{} adopts {v} (accepted at ballot {b}) instead of its own",
                            self.id
                        ));
                        v.clone()
                    }
                    None => match &self.want {
                        Some(v) => v.clone(),
                        None => return,
                    },
                };
                self.propose(0, value, cx);
            }
            Mode::Multi => {
                cx.note(format!("n{} leads with ballot {ballot}", self.id));
                cx.cancel_timer(Timer::Retry);
                self.heartbeat(cx);
                let top = reported.keys().next_back().map_or(0, |s| s + 1);
                self.next_slot = self
                    .first_unlearned
                    .max(top)
                    .max(self.learned.keys().next_back().map_or(0, |s| s + 1));
                for s in self.first_unlearned..self.next_slot {
                    if self.learned.contains_key(&s) {
                        continue;
                    }
                    // Re-propose what a majority may have chosen; fill gaps with no-ops.
                    let value = reported.get(&s).map_or(Value::Noop, |(_, v)| v.clone());
                    self.propose(s, value, cx);
                }
                while let Some(v) = self.queue.pop_front() {
                    self.client(v, 0, cx);
                }
            }
        }
    }

    fn propose(&mut self, slot: Slot, value: Value, cx: &mut Cx<'_, Self>) {
        let Phase::Leading { ballot } = self.phase else {
            return;
        };
        self.observed.push(Observed::Proposed(slot, value.clone()));
        self.proposals.insert(
            slot,
            Proposal {
                value: value.clone(),
                acks: 0,
            },
        );
        self.send_to_acceptors(
            Msg::Accept {
                ballot,
                slot,
                value,
            },
            cx,
        );
    }

    fn heartbeat(&mut self, cx: &mut Cx<'_, Self>) {
        let Phase::Leading { ballot } = self.phase else {
            return;
        };
        cx.broadcast(Msg::Heartbeat {
            ballot,
            chosen: self.first_unlearned,
        });
        // Resend phase 2a to acceptors that have not answered (lost messages, or lagging and
        // restarted acceptors).
        let resend: Vec<(Slot, Value, u32)> = self
            .proposals
            .iter()
            .take(BATCH)
            .map(|(s, p)| (*s, p.value.clone(), p.acks))
            .collect();
        for (slot, value, acks) in resend {
            for a in self.acceptors() {
                if acks & bit(a) == 0 && a != self.id {
                    cx.send(
                        a,
                        Msg::Accept {
                            ballot,
                            slot,
                            value: value.clone(),
                        },
                    );
                }
            }
        }
        cx.set_timer(
            Timer::Heartbeat,
            self.params.heartbeat,
            self.params.heartbeat,
        );
    }

    /// A client command, typed at this node or forwarded to it.
    fn client(&mut self, value: Value, hops: u8, cx: &mut Cx<'_, Self>) {
        if self.params.mode == Mode::Single {
            if !self.is_proposer() {
                cx.note(format!("n{} is not a proposer: {value} refused", self.id));
                return;
            }
            if let Some(v) = self.learned.get(&0) {
                cx.note(format!("already chosen: {v}"));
                return;
            }
            self.want = Some(value);
            if self.phase == Phase::Idle {
                self.start_attempt(cx);
            }
            return;
        }
        if matches!(value, Value::Word(_) | Value::Noop) {
            cx.note(format!(
                "multi-paxos takes set/get commands: {value} refused"
            ));
            return;
        }
        if let Phase::Leading { .. } = self.phase {
            if self.next_slot >= MAX_SLOTS {
                cx.note(format!("all {MAX_SLOTS} slots used: {value} refused"));
                return;
            }
            let slot = self.next_slot;
            self.next_slot += 1;
            cx.note(format!("n{} proposes {value} for slot {slot}", self.id));
            self.awaiting_reply.insert(slot, value.digest());
            self.propose(slot, value, cx);
            return;
        }
        let target = match self.leader_seen {
            Some((b, _)) if b.owner() != self.id && self.leader_alive(cx.now()) => Some(b.owner()),
            _ if !self.is_proposer() => Some(0),
            _ => None,
        };
        match target {
            Some(to) if hops < MAX_HOPS && to != self.id => {
                cx.send(
                    to,
                    Msg::Forward {
                        value,
                        hops: hops + 1,
                    },
                );
            }
            _ if self.is_proposer() && self.queue.len() < MAX_QUEUE => {
                cx.note(format!(
                    "n{} holds {value} until a leader is known",
                    self.id
                ));
                self.queue.push_back(value);
            }
            _ => cx.note(format!("no leader known: {value} refused")),
        }
    }

    fn flush_queue(&mut self, cx: &mut Cx<'_, Self>) {
        if self.leader_alive(cx.now()) {
            while let Some(v) = self.queue.pop_front() {
                self.client(v, 0, cx);
            }
        }
    }

    // ---- Learner (PMS §2.3) ----

    fn on_accepted(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        slot: Slot,
        value: Value,
        cx: &mut Cx<'_, Self>,
    ) {
        if self.ballot() == Some(ballot)
            && let Some(p) = self.proposals.get_mut(&slot)
        {
            p.acks |= bit(from);
        }
        if ballot.owner() != self.id {
            self.hear(ballot, cx);
        }
        if self.learned.contains_key(&slot) {
            return;
        }
        let majority = self.majority();
        let votes = self
            .tallies
            .entry(slot)
            .or_default()
            .entry((ballot, value.digest()))
            .or_default();
        *votes |= bit(from);
        if votes.count_ones() as usize >= majority {
            self.learn(slot, value, cx);
        }
    }

    fn learn(&mut self, slot: Slot, value: Value, cx: &mut Cx<'_, Self>) {
        if self.learned.contains_key(&slot) {
            return;
        }
        self.tallies.remove(&slot);
        self.proposals.remove(&slot);
        self.observed.push(Observed::Learned(slot, value.clone()));
        self.learned.insert(slot, value);
        while let Some(v) = self.learned.get(&self.first_unlearned) {
            if let Value::Op(cmd) = v {
                let reply = self.store.apply(cmd);
                // Reply only if the slot holds the command this leader proposed there (a later
                // leader may have filled it with another one).
                if self.awaiting_reply.remove(&self.first_unlearned) == Some(v.digest()) {
                    self.last_reply = Some(reply.to_string());
                    if let Cmd::Session { client, seq, .. } = cmd {
                        // An older number than the client's newest: it has moved on.
                        if self.store.session(*client) == *seq {
                            let to = self.nodes + *client as usize;
                            let msg = Msg::Response {
                                seq: *seq,
                                answer: Answer::Done(reply),
                            };
                            cx.send(to, msg);
                        }
                    } else {
                        cx.note(format!(
                            "reply to client: {reply} (slot {})",
                            self.first_unlearned
                        ));
                    }
                }
            }
            self.first_unlearned += 1;
        }
        if self.params.mode == Mode::Single && slot == 0 {
            cx.note(format!(
                "n{} learns {} is chosen",
                self.id, self.learned[&0]
            ));
            if self.is_proposer() {
                let mine = self.ballot();
                if mine.is_some() {
                    self.end_attempt(Outcome::Chosen, cx);
                }
                self.phase = Phase::Idle;
                cx.cancel_timer(Timer::Retry);
            }
        }
    }

    /// A client process's request: the leader proposes it and answers once it is applied
    /// (PMMC §3: the replica that performs it responds); any other node says which leader it
    /// knows of, if any.
    fn on_request(&mut self, from: NodeId, cmd: Cmd, cx: &mut Cx<'_, Self>) {
        let Cmd::Session { seq, .. } = &cmd else {
            return;
        };
        let seq = *seq;
        if matches!(self.phase, Phase::Leading { .. }) && self.params.mode == Mode::Multi {
            self.client(Value::Op(cmd), 0, cx);
            return;
        }
        let hint = match self.leader_seen {
            Some((b, _)) if b.owner() != self.id && self.leader_alive(cx.now()) => Some(b.owner()),
            _ => None,
        };
        cx.send(
            from,
            Msg::Response {
                seq,
                answer: Answer::NotLeader(hint),
            },
        );
    }

    fn handle(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        match msg {
            Msg::Request { cmd } => self.on_request(from, cmd, cx),
            Msg::Response { .. } => {}
            Msg::Prepare { ballot, from: s } => self.on_prepare(from, ballot, s, cx),
            Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, cx),
            Msg::Nack { promised, .. } => {
                self.hear(promised, cx);
                self.preempted(promised, cx);
            }
            Msg::Accept {
                ballot,
                slot,
                value,
            } => self.on_accept(from, ballot, slot, value, cx),
            Msg::Accepted {
                ballot,
                slot,
                value,
            } => self.on_accepted(from, ballot, slot, value, cx),
            Msg::Heartbeat { ballot, chosen } => {
                let known = self.highest_seen.max(self.durable.promised);
                if ballot < known || self.ballot().is_some_and(|mine| ballot < mine) {
                    // A deposed leader that missed its preemption: tell it, so it steps down
                    // instead of holding followers' failure detectors back.
                    let promised = known.max(self.ballot().unwrap_or(Ballot::ZERO));
                    cx.send(from, Msg::Nack { ballot, promised });
                    return;
                }
                self.hear(ballot, cx);
                self.preempted(ballot, cx);
                if self.is_proposer() && self.phase == Phase::Idle {
                    // The leader is alive: restart the failure detector (PMMC §3).
                    self.arm_retry(cx);
                }
                self.flush_queue(cx);
                if self.first_unlearned < chosen {
                    cx.send(
                        from,
                        Msg::CatchUp {
                            from: self.first_unlearned,
                        },
                    );
                }
            }
            Msg::CatchUp { from: first } => {
                let entries: Vec<(Slot, Value)> = self
                    .learned
                    .range(first..)
                    .take(BATCH)
                    .map(|(s, v)| (*s, v.clone()))
                    .collect();
                if !entries.is_empty() {
                    cx.send(from, Msg::Decided { entries });
                }
            }
            Msg::Decided { entries } => {
                for (s, v) in entries {
                    self.learn(s, v, cx);
                }
            }
            Msg::Forward { value, hops } => self.client(value, hops, cx),
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Value;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::start(c, cx);
        }
        self.observed.clear();
        self.durable = durable.clone();
        // Its own acceptor's promise is a ballot it has heard of: start above it.
        self.highest_seen = durable.promised;
        self.max_accepted = durable
            .accepted
            .values()
            .map(|(b, _)| *b)
            .max()
            .unwrap_or(Ballot::ZERO);
        if self
            .durable
            .attempts
            .last()
            .is_some_and(|a| a.end.is_none())
        {
            self.end_attempt(Outcome::Crashed, cx);
        }
        if !self.is_proposer() {
            return;
        }
        match self.params.mode {
            Mode::Single => {
                if self.params.auto {
                    self.want = Some(own_value(self.id));
                    // Proposers boot at slightly different times.
                    cx.set_timer(Timer::Retry, 0, self.params.retry);
                }
            }
            Mode::Multi => self.arm_retry(cx),
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::message(c, from, &msg, cx);
        }
        self.observed.clear();
        self.handle(from, msg, cx);
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::timer(c, &timer, cx);
        }
        self.observed.clear();
        match timer {
            Timer::Client => {}
            Timer::Heartbeat => self.heartbeat(cx),
            Timer::Retry => {
                let done = match self.params.mode {
                    Mode::Single => self.learned.contains_key(&0) || self.want.is_none(),
                    Mode::Multi => matches!(self.phase, Phase::Leading { .. }),
                };
                if done {
                    return;
                }
                if self.params.leader && self.leader_alive(cx.now()) {
                    // Distinguished proposer: leave the field to the live higher ballot.
                    self.arm_retry(cx);
                    return;
                }
                self.start_attempt(cx);
            }
        }
    }

    fn on_command(&mut self, cmd: Value, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            match cmd {
                Value::Op(op) => host::command(c, op, cx),
                other => cx.note(format!("a client sends set/get/cas/incr: {other} refused")),
            }
            return;
        }
        self.observed.clear();
        self.client(cmd, 0, cx);
    }

    fn on_crash(&self) -> Option<String> {
        if let Some(c) = self.client.as_deref() {
            return Some(format!("{} lost what it was waiting for", c.name()));
        }
        Some(format!(
            "lost {} learned slots and {} queued commands",
            self.learned.len(),
            self.queue.len()
        ))
    }

    /// The retry: the proposer whose timer runs out first tries the next ballot.
    fn countdown(timer: &Timer) -> bool {
        *timer == Timer::Retry
    }
    fn parse_command(text: &str) -> Result<Value, String> {
        Value::parse(text)
    }

    fn view(&self) -> NodeView {
        if let Some(c) = self.client.as_deref() {
            return host::view(c);
        }
        let role = match (&self.phase, self.params.mode) {
            (Phase::Leading { .. }, Mode::Multi) => "leader",
            (Phase::Leading { .. }, Mode::Single) => "proposing",
            (Phase::Preparing { .. }, _) => "preparing",
            _ if self.is_proposer() => "proposer",
            _ if self.is_acceptor() => "acceptor",
            _ => "learner",
        };
        let summary = match self.params.mode {
            Mode::Single => match self.learned.get(&0) {
                Some(v) => format!("chosen {v}"),
                None => format!(
                    "promised {} · accepted {}",
                    self.durable.promised,
                    self.durable
                        .accepted
                        .get(&0)
                        .map_or("—".into(), |(b, v)| format!("{v}@{b}"))
                ),
            },
            Mode::Multi => format!(
                "promised {} · learned {}",
                self.durable.promised, self.first_unlearned
            ),
        };
        let accepted: Vec<String> = self
            .durable
            .accepted
            .iter()
            .rev()
            .take(6)
            .rev()
            .map(|(s, (b, v))| format!("{s}:{v}@{b}"))
            .collect();
        let ballot = self.ballot().map_or("—".into(), |b| b.to_string());
        NodeView {
            role: role.into(),
            summary,
            fields: vec![
                (
                    "roles".into(),
                    [
                        (self.is_proposer(), "proposer"),
                        (self.is_acceptor(), "acceptor"),
                        (true, "learner"),
                    ]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, r)| *r)
                    .collect::<Vec<_>>()
                    .join(", "),
                ),
                ("ballot".into(), ballot),
                ("promised".into(), self.durable.promised.to_string()),
                (
                    "accepted".into(),
                    if accepted.is_empty() {
                        "nothing".into()
                    } else {
                        accepted.join(", ")
                    },
                ),
                (
                    "learned".into(),
                    format!(
                        "{}, all below {}",
                        splitbrain_sim::words::count(self.learned.len(), "slot"),
                        self.first_unlearned
                    ),
                ),
                (
                    "leader".into(),
                    self.leader().map_or("unknown".into(), |l| format!("n{l}")),
                ),
                ("kv".into(), self.store.preview(12)),
                (
                    "last reply".into(),
                    self.last_reply.clone().unwrap_or_default(),
                ),
            ],
        }
    }

    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let mut chosen: BTreeMap<Slot, String> = BTreeMap::new();
        let mut leader = None;
        for (id, n) in world.up() {
            for (s, v) in &n.learned {
                chosen.entry(*s).or_insert_with(|| v.to_string());
            }
            if let (Phase::Leading { ballot }, Mode::Multi) = (&n.phase, n.params.mode) {
                leader = Some((id, ballot.to_string()));
            }
        }
        let shown: BTreeMap<String, String> = chosen
            .iter()
            .rev()
            .take(20)
            .map(|(s, v)| (s.to_string(), v.clone()))
            .collect();
        serde_json::json!({
            "leader": leader.as_ref().map(|(n, _)| *n),
            "ballot": leader.map(|(_, b)| b),
            "chosen_slots": chosen.len(),
            "chosen": shown,
        })
    }

    /// Ballot rounds (PMS §2.2), and slots learned (§2.3) at the nodes that are up.
    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let up = || world.up().map(|(_, n)| n);
        let most = |v: Option<u64>| Some(v.unwrap_or(0) as f64);
        match fact {
            Fact::LeaderTerm => most(
                up().filter_map(|n| match n.phase {
                    Phase::Leading { ballot } => Some(ballot.round),
                    _ => None,
                })
                .max(),
            ),
            Fact::Term => most(
                up().map(|n| n.highest_seen.round.max(n.durable.promised.round))
                    .max(),
            ),
            Fact::Chosen(s) => Some(f64::from(u8::from(
                up().any(|n| n.learned.contains_key(&s)),
            ))),
            Fact::Progress => most(up().map(|n| n.learned.len() as u64).max()),
            _ => None,
        }
    }
}
