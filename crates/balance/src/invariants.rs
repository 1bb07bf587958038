//! What the simulation itself promises, checked after every event: the model's own rules, so a
//! statistic on the panel is never computed from an impossible state.

use crate::lab::Node;
use splitbrain_sim::{Invariant, NodeId, World};

/// Every invariant of the lab.
pub fn all() -> Vec<Box<dyn Invariant<Node>>> {
    vec![
        Box::new(ConcurrencyLimit),
        Box::new(QueueBound),
        Box::new(OpenBreakerGetsNoTraffic),
        Box::new(RequestsAccountedFor),
    ]
}

/// A backend never serves more requests at once than its concurrency limit.
#[derive(Debug, Clone)]
pub struct ConcurrencyLimit;

impl Invariant<Node> for ConcurrencyLimit {
    fn name(&self) -> &'static str {
        "ConcurrencyLimit"
    }
    fn source(&self) -> &'static str {
        "the backend model: c servers (an M/G/c station)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(i) = world.touched.filter(|&i| i > 0) else {
            return Vec::new();
        };
        match world.node(i).and_then(Node::backend) {
            Some(s) if s.in_service() as u32 > s.concurrency() => vec![(
                vec![i],
                format!(
                    "n{i} serves {} at once, limit {}",
                    s.in_service(),
                    s.concurrency()
                ),
            )],
            _ => Vec::new(),
        }
    }
}

/// A bounded queue never holds more than its bound (it drops instead).
#[derive(Debug, Clone)]
pub struct QueueBound;

impl Invariant<Node> for QueueBound {
    fn name(&self) -> &'static str {
        "QueueBound"
    }
    fn source(&self) -> &'static str {
        "the backend model: a finite waiting room (M/G/c/K)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(i) = world.touched.filter(|&i| i > 0) else {
            return Vec::new();
        };
        match world.node(i).and_then(Node::backend) {
            Some(s) if s.queue_cap().is_some_and(|c| s.queue_len() as u32 > c) => vec![(
                vec![i],
                format!("n{i} queues {} over its bound", s.queue_len()),
            )],
            _ => Vec::new(),
        }
    }
}

/// No attempt goes to a backend whose circuit breaker is open.
#[derive(Debug, Clone)]
pub struct OpenBreakerGetsNoTraffic;

impl Invariant<Node> for OpenBreakerGetsNoTraffic {
    fn name(&self) -> &'static str {
        "OpenBreakerGetsNoTraffic"
    }
    fn source(&self) -> &'static str {
        "Nygard, Release It! (2007): the circuit breaker pattern"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(id) = world.touched else {
            return Vec::new();
        };
        match world
            .node(id)
            .and_then(Node::balancer)
            .and_then(|b| b.sent_while_open().map(|i| i + b.first_backend()))
        {
            Some(n) => vec![(
                vec![id, n],
                format!("an attempt went to n{n} while its breaker was open"),
            )],
            None => Vec::new(),
        }
    }
}

/// Every client request is answered, failed, or still open: none vanishes or counts twice.
#[derive(Debug, Clone)]
pub struct RequestsAccountedFor;

impl Invariant<Node> for RequestsAccountedFor {
    fn name(&self) -> &'static str {
        "RequestsAccountedFor"
    }
    fn source(&self) -> &'static str {
        "conservation of requests (Little's law's bookkeeping)"
    }
    fn check(&mut self, world: &World<'_, Node>) -> Vec<(Vec<NodeId>, String)> {
        let Some(id) = world.touched else {
            return Vec::new();
        };
        let Some(b) = world.node(id).and_then(Node::balancer) else {
            return Vec::new();
        };
        let c = b.counts();
        let open = b.open_requests() as u64;
        if c.completed + c.failed + open != c.requests {
            return vec![(
                vec![id],
                format!(
                    "{} requests, but {} answered + {} failed + {open} open",
                    c.requests, c.completed, c.failed
                ),
            )];
        }
        Vec::new()
    }
}
