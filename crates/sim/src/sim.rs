//! The discrete-event simulator: one agenda of events ordered by (virtual time, class,
//! sequence), see [`crate::queue`].

use crate::NodeId;
use crate::control::{Action, ControlError};
use crate::history::History;
use crate::invariant::{Invariant, Violation, World};
use crate::lab::{
    Checkpoint, DroppedView, Lab, LinkView, MessageView, NodeState, RunOutcome, WorldView,
};
use crate::limits;
use crate::net::{LinkConfig, Network, check_probability};
use crate::process::{Cx, Describe, Effect, Process};
use crate::queue::{Agenda, Ev, Next};
use crate::rng::SimRng;
use crate::storage::Storage;
use crate::time::Time;
use crate::trace::{DropReason, MsgId, Trace, TraceKind, TraceLine};
use crate::watch::{Fact, Watch};
use splitbrain_linearizable::Op;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

/// How to build a run.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Lab name, reported by [`Lab::lab`].
    pub lab: &'static str,
    /// The run's seed; every random stream derives from it.
    pub seed: u64,
    /// Number of nodes, `1..=MAX_NODES`: the servers that run the algorithm.
    pub nodes: usize,
    /// Client processes after the servers (ids `nodes..nodes + clients`): they run the same
    /// process type in its client role, but `Cx::nodes`, broadcasts and the invariants' world
    /// cover only the servers. Their operations make up [`Lab::history`].
    pub clients: usize,
    /// Settings of every link at the start.
    pub link: LinkConfig,
    /// Trace events kept in memory (the hash covers all of them regardless).
    pub trace_capacity: usize,
}

impl SimConfig {
    /// A config with default links and a 100 000-event trace.
    pub fn new(lab: &'static str, seed: u64, nodes: usize) -> Self {
        Self {
            lab,
            seed,
            nodes,
            clients: 0,
            link: LinkConfig::default(),
            trace_capacity: 100_000,
        }
    }
}

pub(crate) struct NodeSlot<P: Process> {
    pub(crate) proc: Option<P>,
    pub(crate) durable: P::Durable,
    initial: Rc<P>,
    rng: SimRng,
    timer_rng: SimRng,
    /// Armed timers: (generation, fires at, armed at).
    timers: BTreeMap<P::Timer, (u64, Time, Time)>,
}

impl<P: Process> Clone for NodeSlot<P> {
    fn clone(&self) -> Self {
        Self {
            proc: self.proc.clone(),
            durable: self.durable.clone(),
            initial: self.initial.clone(),
            rng: self.rng.clone(),
            timer_rng: self.timer_rng.clone(),
            timers: self.timers.clone(),
        }
    }
}

#[derive(Clone)]
struct InFlight<M> {
    from: NodeId,
    to: NodeId,
    sent: Time,
    deliver: Time,
    msg: M,
    /// The original, when this is a copy the network made.
    copy_of: Option<MsgId>,
}

/// A recently dropped message, kept only for the picture ([`Lab::keep_drops`]).
#[derive(Clone)]
struct RecentDrop<M> {
    id: MsgId,
    from: NodeId,
    to: NodeId,
    sent: Time,
    deliver: Option<Time>,
    at: Time,
    reason: DropReason,
    msg: M,
}

/// A deterministic run of process `P` on `nodes` nodes.
pub struct Simulator<P: Process> {
    lab: &'static str,
    now: Time,
    events: u64,
    next_msg: MsgId,
    next_generation: u64,
    queue: Agenda<P::Timer>,
    /// Servers first, then clients.
    slots: Vec<NodeSlot<P>>,
    servers: usize,
    history: History,
    net: Network,
    net_rng: SimRng,
    inflight: BTreeMap<MsgId, InFlight<P::Msg>>,
    trace: Trace<P>,
    invariants: Vec<Box<dyn Invariant<P>>>,
    violations: Vec<Violation>,
    seen_violations: BTreeSet<(&'static str, String)>,
    cause: u64,
    touched: Option<NodeId>,
    halted: Option<String>,
    stop_on_violation: bool,
    scratch: Vec<Effect<P>>,
    keep_drops: usize,
    drops: VecDeque<RecentDrop<P::Msg>>,
    watch: Option<Box<dyn Watch>>,
}

impl<P: Process> Clone for Simulator<P> {
    fn clone(&self) -> Self {
        Self {
            lab: self.lab,
            now: self.now,
            events: self.events,
            next_msg: self.next_msg,
            next_generation: self.next_generation,
            queue: self.queue.clone(),
            slots: self.slots.clone(),
            servers: self.servers,
            history: self.history.clone(),
            net: self.net.clone(),
            net_rng: self.net_rng.clone(),
            inflight: self.inflight.clone(),
            trace: self.trace.clone(),
            invariants: self.invariants.clone(),
            violations: self.violations.clone(),
            seen_violations: self.seen_violations.clone(),
            cause: self.cause,
            touched: self.touched,
            halted: self.halted.clone(),
            stop_on_violation: self.stop_on_violation,
            scratch: Vec::new(),
            keep_drops: self.keep_drops,
            drops: self.drops.clone(),
            watch: self.watch.clone(),
        }
    }
}

impl<P: Process> Simulator<P> {
    /// Builds a run: `make(id)` gives each node's initial process, which is also what a restart
    /// starts from. Every node boots at time 0, in id order.
    ///
    /// Panics are avoided by validating first: callers get an error for bad sizes.
    pub fn new(
        config: SimConfig,
        invariants: Vec<Box<dyn Invariant<P>>>,
        make: impl Fn(NodeId) -> P,
    ) -> Result<Self, String> {
        if config.nodes == 0 || config.nodes > limits::MAX_NODES {
            return Err(format!(
                "nodes must be between 1 and {}, got {}",
                limits::MAX_NODES,
                config.nodes
            ));
        }
        if config.clients > limits::MAX_CLIENTS {
            return Err(format!(
                "clients must be at most {}, got {}",
                limits::MAX_CLIENTS,
                config.clients
            ));
        }
        config.link.validate()?;
        let total = config.nodes + config.clients;
        let slots = (0..total)
            .map(|i| NodeSlot {
                proc: None,
                durable: P::Durable::default(),
                initial: Rc::new(make(i)),
                rng: SimRng::derive(config.seed, SimRng::NODE, i as u64),
                timer_rng: SimRng::derive(config.seed, SimRng::TIMER, i as u64),
                timers: BTreeMap::new(),
            })
            .collect();
        let mut sim = Self {
            lab: config.lab,
            now: 0,
            events: 0,
            next_msg: 0,
            next_generation: 0,
            queue: Agenda::default(),
            slots,
            servers: config.nodes,
            history: History::default(),
            net: Network::new(total, config.link),
            net_rng: SimRng::derive(config.seed, SimRng::NET, 0),
            inflight: BTreeMap::new(),
            trace: Trace::new(config.trace_capacity.min(limits::MAX_TRACE)),
            invariants,
            violations: Vec::new(),
            seen_violations: BTreeSet::new(),
            cause: 0,
            touched: None,
            halted: None,
            stop_on_violation: false,
            scratch: Vec::new(),
            keep_drops: 0,
            drops: VecDeque::new(),
            watch: None,
        };
        for node in 0..total {
            sim.start(node);
            sim.check_invariants();
        }
        Ok(sim)
    }

    /// The trace recorded so far.
    pub fn trace(&self) -> &Trace<P> {
        &self.trace
    }

    /// A node's process, `None` while it is down.
    pub fn process(&self, node: NodeId) -> Option<&P> {
        self.slots.get(node).and_then(|s| s.proc.as_ref())
    }

    /// A running process, to change: for experiments that switch a setting between phases
    /// of a measurement (Raft's timeouts once a cluster is steady). Not a user action: the
    /// change is not in the trace, so a run that does this is not a shareable run.
    pub fn process_mut(&mut self, node: NodeId) -> Option<&mut P> {
        self.slots.get_mut(node).and_then(|s| s.proc.as_mut())
    }

    /// The network as it is now.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Read-only view for invariants and summaries.
    pub fn world(&self) -> World<'_, P> {
        World {
            now: self.now,
            event: self.cause,
            touched: None,
            slots: &self.slots[..self.servers],
        }
    }

    fn remember_in_flight_drop(&mut self, id: MsgId, m: InFlight<P::Msg>, reason: DropReason) {
        if self.keep_drops > 0 {
            self.remember_drop(RecentDrop {
                id,
                from: m.from,
                to: m.to,
                sent: m.sent,
                deliver: Some(m.deliver),
                at: self.now,
                reason,
                msg: m.msg,
            });
        }
    }

    fn remember_drop(&mut self, drop: RecentDrop<P::Msg>) {
        while self.drops.len() >= self.keep_drops {
            self.drops.pop_front();
        }
        self.drops.push_back(drop);
    }

    fn push(&mut self, time: Time, ev: Ev<P::Timer>) {
        self.queue.push_event(time, ev);
    }

    fn record(&mut self, kind: TraceKind<P>) {
        self.trace.push(self.now, kind);
    }

    /// Marks the next trace event as the cause of whatever follows, for violation reports.
    /// `touched` is the only node whose state the event can change, when there is one: invariants
    /// may check just that node (network-wide actions pass `None`: check everything).
    fn begin_cause(&mut self, touched: Option<NodeId>) {
        self.cause = self.trace.recorded();
        self.touched = touched;
    }

    fn start(&mut self, node: NodeId) {
        self.begin_cause(Some(node));
        self.record(TraceKind::Start { node });
        let mut effects = std::mem::take(&mut self.scratch);
        {
            let n = self.servers;
            let slot = &mut self.slots[node];
            let initial = &slot.initial;
            let p = slot.proc.get_or_insert_with(|| (**initial).clone());
            let mut cx = Cx::new(node, n, self.now, &mut slot.rng, &mut effects);
            p.on_start(&slot.durable, &mut cx);
        }
        self.apply(node, &mut effects);
        self.scratch = effects;
    }

    /// Runs `f` on an up node's process and applies its effects. Does nothing if it is down.
    fn handle(&mut self, node: NodeId, f: impl FnOnce(&mut P, &mut Cx<'_, P>)) {
        let mut effects = std::mem::take(&mut self.scratch);
        {
            let n = self.servers;
            let slot = &mut self.slots[node];
            let Some(p) = slot.proc.as_mut() else {
                self.scratch = effects;
                return;
            };
            let mut cx = Cx::new(node, n, self.now, &mut slot.rng, &mut effects);
            f(p, &mut cx);
        }
        self.apply(node, &mut effects);
        self.scratch = effects;
    }

    fn apply(&mut self, node: NodeId, effects: &mut Vec<Effect<P>>) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg } => self.send(node, to, msg),
                Effect::Broadcast { msg } => {
                    for to in 0..self.servers {
                        if to != node {
                            self.send(node, to, msg.clone());
                        }
                    }
                }
                Effect::SetTimer { timer, min, max } => {
                    let (lo, hi) = (min.min(max), max.max(min).min(limits::MAX_LATENCY));
                    let d = self.slots[node].timer_rng.range_inclusive(lo.min(hi), hi);
                    let at = self.now.saturating_add(d);
                    let generation = self.next_generation;
                    self.next_generation += 1;
                    self.slots[node]
                        .timers
                        .insert(timer.clone(), (generation, at, self.now));
                    self.record(TraceKind::TimerSet {
                        node,
                        timer: timer.clone(),
                        at,
                    });
                    self.push(
                        at,
                        Ev::Timer {
                            node,
                            timer,
                            generation,
                        },
                    );
                }
                Effect::CancelTimer { timer } => {
                    if self.slots[node].timers.remove(&timer).is_some() {
                        self.record(TraceKind::TimerCancelled { node, timer });
                    }
                }
                Effect::Persist(w) => {
                    self.slots[node].durable.write(w);
                    self.record(TraceKind::Persist { node });
                }
                Effect::Note(text) => self.record(TraceKind::Note { node, text }),
                Effect::Invoke { op, input } => {
                    let client = node.saturating_sub(self.servers) as u32;
                    self.history.invoke(client, op, input, self.now);
                }
                Effect::Return { op, output } => {
                    let client = node.saturating_sub(self.servers) as u32;
                    self.history.complete(client, op, output, self.now);
                }
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let id = self.next_msg;
        self.next_msg += 1;
        let drop_now = if to >= self.slots.len() {
            Some(DropReason::NoSuchNode)
        } else if self.net.blocked(from, to) {
            Some(DropReason::Partitioned)
        } else if self.net_rng.chance(self.net.link(from, to).loss) {
            Some(DropReason::Lost)
        } else {
            None
        };
        if let Some(reason) = drop_now {
            if self.keep_drops > 0 {
                let drop = RecentDrop {
                    id,
                    from,
                    to,
                    sent: self.now,
                    deliver: None,
                    at: self.now,
                    reason,
                    msg: msg.clone(),
                };
                self.remember_drop(drop);
            }
            self.record(TraceKind::Sent {
                id,
                from,
                to,
                deliver_at: None,
                msg,
            });
            self.record(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            });
            return;
        }
        if self.inflight.len() >= limits::MAX_IN_FLIGHT {
            self.halted = Some(format!(
                "more than {} messages in flight: the protocol is flooding the network",
                limits::MAX_IN_FLIGHT
            ));
            return;
        }
        let link = self.net.link(from, to);
        let (latency, dup) = (link.latency, link.duplicate);
        let deliver = self.now.saturating_add(latency.sample(&mut self.net_rng));
        let copy = self.net_rng.chance(dup).then(|| msg.clone());
        self.record(TraceKind::Sent {
            id,
            from,
            to,
            deliver_at: Some(deliver),
            msg: msg.clone(),
        });
        self.inflight.insert(
            id,
            InFlight {
                from,
                to,
                sent: self.now,
                deliver,
                msg,
                copy_of: None,
            },
        );
        self.push(deliver, Ev::Deliver(id));
        if let Some(msg) = copy {
            let copy_id = self.next_msg;
            self.next_msg += 1;
            let at = self.now.saturating_add(latency.sample(&mut self.net_rng));
            self.record(TraceKind::Duplicated {
                of: id,
                id: copy_id,
                deliver_at: at,
            });
            self.inflight.insert(
                copy_id,
                InFlight {
                    from,
                    to,
                    sent: self.now,
                    deliver: at,
                    msg,
                    copy_of: Some(id),
                },
            );
            self.push(at, Ev::Deliver(copy_id));
        }
    }

    /// One event, if one is due at or before `limit` and the run may go on.
    fn step_until(&mut self, limit: Time) -> bool {
        if self.halted.is_some() {
            return false;
        }
        if self.events >= limits::MAX_EVENTS {
            self.halted = Some(format!(
                "reached the limit of {} events",
                limits::MAX_EVENTS
            ));
            return false;
        }
        self.process_next(limit)
    }

    /// Processes the next live event at or before `limit`. Stale entries (a cancelled timer, a
    /// message already dropped) are skipped without counting, and never carry the run past
    /// `limit`: the live event behind them may lie beyond it.
    fn process_next(&mut self, limit: Time) -> bool {
        loop {
            let Some((time, next)) = self.queue.pop_until(limit) else {
                return false;
            };
            debug_assert!(time >= self.now);
            match next {
                Next::Event(Ev::Deliver(id)) => {
                    let Some(m) = self.inflight.remove(&id) else {
                        continue;
                    };
                    self.now = time;
                    self.events += 1;
                    let (from, to) = (m.from, m.to);
                    self.begin_cause(Some(to));
                    let reason = if self.net.blocked(from, to) {
                        Some(DropReason::PartitionedInFlight)
                    } else if self.slots[to].proc.is_none() {
                        Some(DropReason::NodeDown)
                    } else {
                        None
                    };
                    if let Some(reason) = reason {
                        self.record(TraceKind::Dropped {
                            id,
                            from,
                            to,
                            reason,
                        });
                        self.remember_in_flight_drop(id, m, reason);
                    } else {
                        self.record(TraceKind::Delivered { id, from, to });
                        let msg = m.msg;
                        self.handle(to, move |p, cx| p.on_message(from, msg, cx));
                    }
                }
                Next::Event(Ev::Timer {
                    node,
                    timer,
                    generation,
                }) => {
                    let slot = &mut self.slots[node];
                    match slot.timers.get(&timer) {
                        Some(&(g, _, _)) if g == generation => {
                            slot.timers.remove(&timer);
                        }
                        _ => continue,
                    }
                    self.now = time;
                    self.events += 1;
                    self.begin_cause(Some(node));
                    self.record(TraceKind::TimerFired {
                        node,
                        timer: timer.clone(),
                    });
                    self.handle(node, move |p, cx| p.on_timer(timer, cx));
                }
                Next::Action(action) => {
                    self.now = time;
                    self.events += 1;
                    if let Err(e) = self.execute(&action) {
                        self.begin_cause(None);
                        self.record(TraceKind::Skipped {
                            reason: e.to_string(),
                        });
                    }
                }
            }
            self.after_event();
            return true;
        }
    }

    /// What runs after every event and live action: the invariants, then the watch.
    fn after_event(&mut self) {
        self.check_invariants();
        self.run_watch();
    }

    /// Shows the watch the state just reached.
    fn run_watch(&mut self) {
        if let Some(mut watch) = self.watch.take() {
            let world = self.world();
            let history = &self.history;
            let clients = self.slots.len() > self.servers;
            watch.after_event(self.now, &self.violations, &mut |f| {
                fact(&world, history, clients, f)
            });
            self.watch = Some(watch);
        }
    }

    fn check_invariants(&mut self) {
        // A client's event changes no server: the invariants are about servers.
        if self.invariants.is_empty() || self.touched.is_some_and(|n| n >= self.servers) {
            return;
        }
        let world = World {
            now: self.now,
            event: self.cause,
            touched: self.touched,
            slots: &self.slots[..self.servers],
        };
        let mut found = Vec::new();
        for inv in &mut self.invariants {
            for (nodes, message) in inv.check(&world) {
                found.push((inv.name(), inv.source(), nodes, message));
            }
        }
        for (name, source, nodes, message) in found {
            if !self.seen_violations.insert((name, message.clone())) {
                continue;
            }
            if self.violations.len() >= limits::MAX_VIOLATIONS {
                continue;
            }
            let event_text = self
                .trace
                .events()
                .rev()
                .find(|e| e.index == self.cause)
                .map(|e| e.transcript())
                .unwrap_or_else(|| format!("event #{}", self.cause));
            self.violations.push(Violation {
                invariant: name,
                source,
                nodes,
                message: message.clone(),
                time: self.now,
                event: self.cause,
                event_text,
            });
            self.record(TraceKind::Violation {
                invariant: name,
                message,
            });
        }
    }

    fn check_node(&self, node: NodeId) -> Result<(), ControlError> {
        if node < self.slots.len() {
            Ok(())
        } else {
            Err(ControlError::NoSuchNode {
                node,
                nodes: self.slots.len(),
            })
        }
    }

    /// Checks what can be checked without running: ids, probabilities, command syntax.
    fn validate(&self, action: &Action) -> Result<(), ControlError> {
        let opt = |n: Option<NodeId>| n.map_or(Ok(()), |n| self.check_node(n));
        let prob = |p: f64| check_probability("the", p).map_err(ControlError::BadParameter);
        match action {
            Action::Crash { node } | Action::Restart { node } | Action::Timeout { node } => {
                self.check_node(*node)
            }
            Action::Partition { groups } => {
                let mut seen = BTreeSet::new();
                for &n in groups.iter().flatten() {
                    self.check_node(n)?;
                    if !seen.insert(n) {
                        return Err(ControlError::BadParameter(format!(
                            "node {n} appears in more than one partition group"
                        )));
                    }
                }
                Ok(())
            }
            Action::Heal => Ok(()),
            Action::Cut { from, to } => {
                self.check_node(*from)?;
                self.check_node(*to)?;
                if from == to {
                    return Err(ControlError::BadParameter(
                        "cannot cut a node from itself".into(),
                    ));
                }
                Ok(())
            }
            Action::Loss { p, from, to } | Action::Duplicate { p, from, to } => {
                prob(*p)?;
                opt(*from)?;
                opt(*to)
            }
            Action::Latency { from, to, .. } => {
                opt(*from)?;
                opt(*to)
            }
            Action::DropMessage { .. } => Ok(()),
            Action::Client { node, command } => {
                self.check_node(*node)?;
                if command.len() > limits::MAX_COMMAND_BYTES {
                    return Err(ControlError::BadCommand(format!(
                        "longer than {} bytes",
                        limits::MAX_COMMAND_BYTES
                    )));
                }
                P::parse_command(command)
                    .map(|_| ())
                    .map_err(ControlError::BadCommand)
            }
        }
    }

    fn execute(&mut self, action: &Action) -> Result<(), ControlError> {
        self.validate(action)?;
        let sel = |from: &Option<NodeId>, to: &Option<NodeId>| {
            format!(
                "{}->{}",
                from.map_or("*".to_string(), |n| format!("n{n}")),
                to.map_or("*".to_string(), |n| format!("n{n}"))
            )
        };
        match action {
            Action::Crash { node } => {
                let node = *node;
                let slot = &mut self.slots[node];
                let Some(p) = slot.proc.take() else {
                    return Err(ControlError::InvalidState(format!(
                        "node {node} is already down"
                    )));
                };
                let lost = p.on_crash();
                slot.timers.clear();
                self.begin_cause(Some(node));
                self.record(TraceKind::Crash { node, lost });
            }
            Action::Restart { node } => {
                let node = *node;
                if self.slots[node].proc.is_some() {
                    return Err(ControlError::InvalidState(format!(
                        "node {node} is already up"
                    )));
                }
                self.begin_cause(Some(node));
                self.record(TraceKind::Restart { node });
                self.start(node);
            }
            Action::Timeout { node } => {
                let node = *node;
                let slot = &mut self.slots[node];
                if slot.proc.is_none() {
                    return Err(ControlError::InvalidState(format!(
                        "node {node} is down: only a running node can time out"
                    )));
                }
                let Some(timer) = slot.timers.keys().find(|t| P::countdown(t)).cloned() else {
                    return Err(ControlError::InvalidState(format!(
                        "node {node} has no timeout running to fire now (a Raft leader, an idle Paxos acceptor)"
                    )));
                };
                // Disarmed first, so the pending firing is passed over as stale.
                slot.timers.remove(&timer);
                self.begin_cause(Some(node));
                self.record(TraceKind::Note {
                    node,
                    text: format!("{timer} fired by hand (time out now)"),
                });
                self.record(TraceKind::TimerFired {
                    node,
                    timer: timer.clone(),
                });
                self.handle(node, move |p, cx| p.on_timer(timer, cx));
            }
            Action::Partition { groups } => {
                self.net.partition(groups);
                self.begin_cause(None);
                self.record(TraceKind::Partition {
                    groups: groups.clone(),
                });
            }
            Action::Heal => {
                self.net.heal();
                self.begin_cause(None);
                self.record(TraceKind::Heal);
            }
            Action::Cut { from, to } => {
                self.net.cut(*from, *to);
                self.begin_cause(None);
                self.record(TraceKind::Cut {
                    from: *from,
                    to: *to,
                });
            }
            Action::Loss { p, from, to } => {
                let p = *p;
                self.net.update(*from, *to, |l| l.loss = p);
                self.begin_cause(None);
                self.record(TraceKind::Link {
                    change: format!("loss {p} on {}", sel(from, to)),
                });
            }
            Action::Duplicate { p, from, to } => {
                let p = *p;
                self.net.update(*from, *to, |l| l.duplicate = p);
                self.begin_cause(None);
                self.record(TraceKind::Link {
                    change: format!("duplicate {p} on {}", sel(from, to)),
                });
            }
            Action::Latency { latency, from, to } => {
                let latency = *latency;
                self.net.update(*from, *to, |l| l.latency = latency);
                self.begin_cause(None);
                self.record(TraceKind::Link {
                    change: format!("latency {latency} on {}", sel(from, to)),
                });
            }
            Action::DropMessage { id } => {
                let Some(m) = self.inflight.remove(id) else {
                    return Err(ControlError::NoSuchMessage(*id));
                };
                self.begin_cause(None);
                self.record(TraceKind::Dropped {
                    id: *id,
                    from: m.from,
                    to: m.to,
                    reason: DropReason::User,
                });
                self.remember_in_flight_drop(*id, m, DropReason::User);
            }
            Action::Client { node, command } => {
                // With client processes, a command for a server goes through a client, so
                // the store never changes outside the history they record.
                let clients = self.slots.len() - self.servers;
                let node = match *node {
                    n if clients > 0 && n < self.servers => self.servers + n % clients,
                    n => n,
                };
                let cmd = P::parse_command(command).map_err(ControlError::BadCommand)?;
                if self.slots[node].proc.is_none() {
                    return Err(ControlError::InvalidState(format!(
                        "node {node} is down: the client's request was refused"
                    )));
                }
                self.begin_cause(Some(node));
                self.record(TraceKind::Command {
                    node,
                    cmd: cmd.clone(),
                });
                self.handle(node, move |p, cx| p.on_command(cmd, cx));
            }
        }
        Ok(())
    }
}

/// The engine's answers (whether a node is up, whether a run with clients has a history
/// shown not linearizable), then the lab's.
fn fact<P: Process>(
    world: &World<'_, P>,
    history: &History,
    clients: bool,
    f: Fact,
) -> Option<f64> {
    match f {
        Fact::Up(n) => (n < world.len()).then(|| f64::from(u8::from(world.node(n).is_some()))),
        Fact::NotLinearizable => clients.then(|| f64::from(u8::from(history.not_linearizable()))),
        _ => P::fact(world, f),
    }
}

impl<P: Process> Lab for Simulator<P> {
    fn lab(&self) -> &'static str {
        self.lab
    }

    fn nodes(&self) -> usize {
        self.servers
    }

    fn clients(&self) -> usize {
        self.slots.len() - self.servers
    }

    fn history(&self) -> &[Op] {
        &self.history.ops
    }

    fn up(&self, node: NodeId) -> bool {
        self.slots.get(node).is_some_and(|s| s.proc.is_some())
    }

    fn now(&self) -> Time {
        self.now
    }

    fn events(&self) -> u64 {
        self.events
    }

    fn next_event_time(&self) -> Option<Time> {
        self.queue.next_time()
    }

    fn step(&mut self) -> bool {
        self.step_until(Time::MAX)
    }

    fn step_until(&mut self, limit: Time) -> bool {
        Simulator::step_until(self, limit)
    }

    fn run_until(&mut self, t: Time, max_events: u64) -> RunOutcome {
        let t = t.min(limits::MAX_TIME);
        let mut done = 0;
        while let Some(next) = self.next_event_time() {
            if next > t {
                break;
            }
            if done >= max_events {
                return RunOutcome::Budget;
            }
            let before = self.violations.len();
            if !self.step_until(t) {
                if self.halted.is_some() {
                    return RunOutcome::Halted;
                }
                // Only stale entries were left before `t`.
                break;
            }
            done += 1;
            if self.stop_on_violation && self.violations.len() > before {
                return RunOutcome::Violation;
            }
        }
        if self.halted.is_some() {
            return RunOutcome::Halted;
        }
        self.now = self.now.max(t);
        RunOutcome::Reached
    }

    fn set_stop_on_violation(&mut self, on: bool) {
        self.stop_on_violation = on;
    }

    fn control(&mut self, action: &Action) -> Result<(), ControlError> {
        // A live action lands after everything already queued for the current instant:
        // protocol events, then actions scheduled for it. A replay schedules it at this time
        // after those, so it lands in the same place, even right after a single `step`.
        self.validate(action)?;
        while self.queue.next_time().is_some_and(|t| t <= self.now) && self.halted.is_none() {
            if !self.process_next(self.now) {
                break;
            }
        }
        self.execute(action)?;
        self.after_event();
        Ok(())
    }

    fn schedule(&mut self, at: Time, action: Action) -> Result<(), ControlError> {
        if at < self.now {
            return Err(ControlError::InThePast { at, now: self.now });
        }
        if at > limits::MAX_TIME {
            return Err(ControlError::BadParameter(format!(
                "action at {} is past the limit of {}",
                crate::format_time(at),
                crate::format_time(limits::MAX_TIME)
            )));
        }
        self.validate(&action)?;
        self.queue.push_action(at, action);
        Ok(())
    }

    fn view(&self) -> WorldView {
        let world = self.world();
        WorldView {
            lab: self.lab,
            now: self.now,
            events: self.events,
            nodes: self
                .slots
                .iter()
                .enumerate()
                .map(|(id, s)| NodeState {
                    id,
                    up: s.proc.is_some(),
                    view: s
                        .proc
                        .as_ref()
                        .map(|p| {
                            let mut v = p.view();
                            P::annotate(&world, id, &mut v);
                            v
                        })
                        .unwrap_or_default(),
                    timers: s
                        .timers
                        .iter()
                        .map(|(t, &(_, at, _))| (t.to_string(), at))
                        .collect(),
                    countdown: s
                        .timers
                        .iter()
                        .find(|(t, _)| P::countdown(t))
                        .map(|(_, &(_, at, armed))| (armed, at)),
                })
                .collect(),
            messages: self
                .inflight
                .iter()
                .map(|(&id, m)| MessageView {
                    id,
                    from: m.from,
                    to: m.to,
                    sent: m.sent,
                    deliver: m.deliver,
                    label: m.msg.label(),
                    short: m.msg.short(),
                    kind: m.msg.kind(),
                    copy_of: m.copy_of,
                })
                .collect(),
            dropped: self
                .drops
                .iter()
                .map(|d| DroppedView {
                    id: d.id,
                    from: d.from,
                    to: d.to,
                    sent: d.sent,
                    deliver: d.deliver,
                    at: d.at,
                    label: d.msg.label(),
                    kind: d.msg.kind(),
                    reason: d.reason.as_str(),
                })
                .collect(),
            blocked: self
                .net
                .blocked_links()
                .into_iter()
                .map(|(from, to)| LinkView { from, to })
                .collect(),
            link: self.net.default_link().clone(),
            violations: self.violations.len(),
        }
    }

    fn keep_drops(&mut self, n: usize) {
        self.keep_drops = n;
        while self.drops.len() > n {
            self.drops.pop_front();
        }
    }

    fn invariant_names(&self) -> Vec<&'static str> {
        self.invariants.iter().map(|i| i.name()).collect()
    }

    fn violations(&self) -> &[Violation] {
        &self.violations
    }

    fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    fn trace_recorded(&self) -> u64 {
        self.trace.recorded()
    }

    fn trace_tail(&self, n: usize) -> Vec<TraceLine> {
        let len = self.trace.events().len();
        self.trace
            .events()
            .skip(len.saturating_sub(n))
            .map(|e| e.line())
            .collect()
    }

    fn transcript(&self) -> Vec<String> {
        self.trace.events().map(|e| e.transcript()).collect()
    }

    fn summary(&self) -> serde_json::Value {
        P::summarize(&self.world())
    }

    fn set_watch(&mut self, watch: Option<Box<dyn Watch>>) {
        self.watch = watch;
        // The state it starts from counts, as a goal may already hold there.
        self.run_watch();
    }

    fn watch(&self) -> Option<&dyn Watch> {
        self.watch.as_deref()
    }

    fn fact(&self, f: Fact) -> Option<f64> {
        fact(
            &self.world(),
            &self.history,
            self.slots.len() > self.servers,
            f,
        )
    }

    fn checkpoint(&self) -> Checkpoint {
        // The trace's sealed chunks are shared, not copied, and a checkpoint keeps only the
        // newest of them: enough for the event log after a rewind, and a long run's hundreds of
        // checkpoints stay small. The hash still covers every event.
        let mut saved = self.clone();
        saved.trace = self.trace.tail_copy(limits::CHECKPOINT_TRACE);
        Checkpoint {
            lab: self.lab,
            state: Box::new(saved),
        }
    }

    fn restore(&mut self, cp: &Checkpoint) -> Result<(), ControlError> {
        let saved = cp
            .state
            .downcast_ref::<Self>()
            .ok_or(ControlError::WrongCheckpoint)?;
        *self = saved.clone();
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
