//! What the labs' own tests share (feature `testing`, for dev-dependencies only): a harness
//! that drives one node through its handlers and collects the effects it returns, and proptest
//! strategies for random fault schedules.

use crate::{Action, Cx, Effect, NodeId, Process, SimRng, TimedAction, ms};
use proptest::prelude::*;

/// One node of an `n`-node cluster, driven directly: each call returns the effects it asked for.
pub struct Harness<P: Process> {
    /// The node, to inspect between calls.
    pub node: P,
    id: NodeId,
    n: usize,
    rng: SimRng,
}

impl<P: Process> Harness<P> {
    /// Starts `node` as node `id` of `n` from `durable` (its stable storage).
    pub fn new(node: P, id: NodeId, n: usize, durable: &P::Durable) -> Self {
        let mut h = Self {
            node,
            id,
            n,
            rng: SimRng::derive(0, 0, id as u64),
        };
        h.run(|p, cx| p.on_start(durable, cx));
        h
    }

    /// Runs one handler at time 0.
    pub fn run(&mut self, f: impl FnOnce(&mut P, &mut Cx<'_, P>)) -> Vec<Effect<P>> {
        let mut fx = Vec::new();
        let mut cx = Cx::new(self.id, self.n, 0, &mut self.rng, &mut fx);
        f(&mut self.node, &mut cx);
        fx
    }

    /// Delivers `msg` from node `from`.
    pub fn deliver(&mut self, from: NodeId, msg: P::Msg) -> Vec<Effect<P>> {
        self.run(|p, cx| p.on_message(from, msg, cx))
    }

    /// Hands the node a client command, written as a user types it.
    pub fn command(&mut self, text: &str) -> Vec<Effect<P>> {
        let cmd = P::parse_command(text).expect("the test's command parses");
        self.run(|p, cx| p.on_command(cmd, cx))
    }
}

/// One fault on an `nodes`-node cluster (crash, restart, a partition, heal, loss, duplication),
/// or a client command drawn from `command`.
pub fn fault_or_command(
    nodes: usize,
    command: impl Strategy<Value = String> + Clone + 'static,
) -> impl Strategy<Value = Action> {
    let node = 0..nodes;
    prop_oneof![
        node.clone().prop_map(|node| Action::Crash { node }),
        node.clone().prop_map(|node| Action::Restart { node }),
        proptest::collection::btree_set(0..nodes, 1..nodes).prop_map(|g| Action::Partition {
            groups: vec![g.into_iter().collect()]
        }),
        Just(Action::Heal),
        (0.0..=0.5f64).prop_map(|p| Action::Loss {
            p,
            from: None,
            to: None
        }),
        (0.0..=0.3f64).prop_map(|p| Action::Duplicate {
            p,
            from: None,
            to: None
        }),
        (node, command).prop_map(|(node, command)| Action::Client { node, command }),
    ]
}

/// Up to 60 of [`fault_or_command`] over the first five seconds, in time order.
pub fn schedule(
    nodes: usize,
    command: impl Strategy<Value = String> + Clone + 'static,
) -> impl Strategy<Value = Vec<TimedAction>> {
    proptest::collection::vec((0..5_000u64, fault_or_command(nodes, command)), 0..60).prop_map(
        |mut v| {
            v.sort_by_key(|(t, _)| *t);
            v.into_iter()
                .map(|(t, action)| TimedAction { at: ms(t), action })
                .collect()
        },
    )
}

/// Writes to the replicated key-value store (`set k3=41`), for the consensus labs.
pub fn kv_write() -> impl Strategy<Value = String> + Clone {
    (0..5u8, 0..100u64).prop_map(|(k, v)| format!("set k{k}={v}"))
}

/// The messages among `fx`: `(Some(to), msg)` for a send, `(None, msg)` for a broadcast.
pub fn sends<P: Process>(fx: &[Effect<P>]) -> Vec<(Option<NodeId>, P::Msg)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg } => Some((Some(*to), msg.clone())),
            Effect::Broadcast { msg } => Some((None, msg.clone())),
            _ => None,
        })
        .collect()
}
