//! The labs this build knows. Adding a lab means adding one entry here, one crate implementing
//! `Process` and its invariants, and one panel in the app.

use crate::run::{RunDescription, RunError};
#[cfg(feature = "balance")]
use splitbrain_balance as balance;
#[cfg(feature = "broadcast")]
use splitbrain_broadcast as broadcast;
#[cfg(feature = "paxos")]
use splitbrain_paxos as paxos;
#[cfg(feature = "ping")]
use splitbrain_ping as ping;
#[cfg(feature = "quorum")]
use splitbrain_quorum as quorum;
#[cfg(feature = "raft")]
use splitbrain_raft as raft;
#[cfg(feature = "hashing")]
use splitbrain_sharding as sharding;
use splitbrain_sim::{Invariant, Lab, NodeId, Process, SimConfig, SimRng, Simulator};

/// Builds a fresh run of one lab from a description, keeping this many trace events.
type Builder = fn(&RunDescription, usize) -> Result<Box<dyn Lab>, RunError>;

/// A lab in the registry.
pub struct LabInfo {
    /// Name used in links, files and the CLI.
    pub name: &'static str,
    /// Title for menus.
    pub title: &'static str,
    /// One sentence for menus and `--help`.
    pub blurb: &'static str,
    /// Message kinds (as `Describe::kind` names them) with their legend text, in colour order:
    /// the shared network view colours and shapes messages by their position in this list.
    pub message_kinds: &'static [(&'static str, &'static str)],
    /// Builds a fresh run (actions not yet scheduled).
    build: Builder,
    /// Draws one client command for random workloads in sweeps.
    pub workload: fn(&mut SimRng) -> String,
    /// Adjusts a fresh run for watching in the page (e.g. slower links), before the link's own
    /// settings apply. The CLI does not use it.
    pub page_defaults: fn(&mut RunDescription),
    /// The page's starting speed (virtual seconds per wall second): slow enough to follow one
    /// message, fast enough that something happens within a few seconds.
    pub page_speed: f64,
    /// The `n`-th client command the page sends (the "client request" button and automatic
    /// traffic), for a run of `nodes` nodes.
    pub client_command: fn(n: u64, nodes: usize) -> String,
    /// The node that takes client commands, when only one does (the hashing lab's router);
    /// `None`: any node.
    pub entry: Option<NodeId>,
    /// The lab makes its own client traffic (from its parameters), so the page adds none.
    pub own_traffic: bool,
    /// Most nodes the page draws for this lab.
    pub page_max_nodes: usize,
    /// Makes a run's node count suit its parameters after the page changed one (the
    /// load-balancing lab's compare mode needs two equal sides).
    pub fit: fn(&mut RunDescription),
    /// What the lab reports to an embedding page as it happens, read from its summaries.
    pub happenings: crate::happenings::Happenings,
    /// The nodes the others hang from (a balancer, a router), in id order: the page draws each
    /// with the nodes after it as a fan joined only to it. Empty: peers that all talk to each
    /// other, drawn as a circle.
    pub hubs: fn(&RunDescription) -> Vec<NodeId>,
    /// Says why the protocol cannot make progress with these settings and links (a vote's
    /// round trip longer than the election timeout), so the page tells the learner instead of
    /// letting terms climb in silence; `None` when it can.
    pub hopeless: fn(&RunDescription, &splitbrain_sim::Latency) -> Option<String>,
    /// The node looks the legend explains, as (role class, words): the class is the drawn
    /// role's first part as one word (`stale leader` → `stale-leader`).
    pub looks: &'static [(&'static str, &'static str)],
    /// The timeout the ring on a node counts down to ([`splitbrain_sim::Process::countdown`])
    /// and a learner may fire by hand: its short name for the button, and the legend's words;
    /// `None` when the lab draws no rings.
    pub countdown: Option<(&'static str, &'static str)>,
}

/// Settings that never stall the protocol for good.
#[cfg(any(
    feature = "paxos",
    feature = "broadcast",
    feature = "hashing",
    feature = "balance",
    feature = "quorum",
    feature = "ping"
))]
fn never_hopeless(_: &RunDescription, _: &splitbrain_sim::Latency) -> Option<String> {
    None
}

/// Raft elects no leader when a RequestVote and its reply take longer than the longest election
/// timeout: every candidate times out before its votes arrive (§5.6: broadcastTime ≪
/// electionTimeout).
#[cfg(feature = "raft")]
fn raft_hopeless(run: &RunDescription, latency: &splitbrain_sim::Latency) -> Option<String> {
    use splitbrain_sim::format_time;
    let p: raft::Params = params(run).ok()?;
    let round_trip = latency.median().saturating_mul(2);
    (round_trip >= p.election_max).then(|| {
        format!(
            "No leader can be elected: with links of {latency}, a vote request and its reply take about {}, longer than the election timeout ({}–{}). Every candidate times out before its votes come back, so the term only climbs. Shorten the links or lengthen the timeout (§5.6: broadcast time ≪ election timeout).",
            format_time(round_trip),
            format_time(p.election_min),
            format_time(p.election_max)
        )
    })
}

/// Peers that all talk to each other: no hubs.
#[cfg(any(
    feature = "quorum",
    feature = "raft",
    feature = "paxos",
    feature = "broadcast",
    feature = "ping"
))]
fn peers(_: &RunDescription) -> Vec<NodeId> {
    Vec::new()
}

/// Random writes for the labs that replicate the key-value store (Raft, Multi-Paxos).
#[cfg(any(feature = "raft", feature = "paxos"))]
fn kv_workload(rng: &mut SimRng) -> String {
    let key = ["x", "y", "z"][rng.below(3) as usize];
    format!("set {key}={}", rng.below(100))
}

/// The page's client writes for the key-value labs.
#[cfg(any(feature = "raft", feature = "paxos"))]
fn kv_client_command(n: u64, _nodes: usize) -> String {
    format!("set k{}={n}", n % 3)
}

/// Five nodes and 10–20 ms links for the consensus labs' pages.
#[cfg(any(feature = "raft", feature = "paxos", feature = "quorum"))]
fn consensus_page(run: &mut RunDescription) {
    run.nodes = 5;
    run.network.latency = splitbrain_sim::Latency::Uniform {
        min: 10_000,
        max: 20_000,
    };
}

const LABS: &[LabInfo] = &[
    #[cfg(feature = "raft")]
    LabInfo {
        name: raft::LAB,
        title: "Raft",
        blurb: "Leader election and log replication (Ongaro & Ousterhout 2014), with a key-value store.",
        message_kinds: &[
            ("vote", "vote"),
            ("append", "append"),
            ("ack", "ack"),
            ("client", "client request / answer"),
        ],
        build: build_raft,
        workload: kv_workload,
        client_command: kv_client_command,
        // RaftScope's ratio of message delay to election timeout (about 1:10), still
        // "broadcastTime ≪ electionTimeout" (§5.6), so each message can be followed.
        page_defaults: consensus_page,
        // The first election (150–300 ms) comes 3–6 s after the page opens; a message takes
        // 0.2–0.4 s to cross.
        page_speed: 0.05,
        entry: None,
        own_traffic: false,
        page_max_nodes: 9,
        fit: |_| {},
        happenings: crate::happenings::raft,
        hubs: peers,
        hopeless: raft_hopeless,
        looks: &[
            ("follower", "follower"),
            ("candidate", "candidate"),
            ("leader", "leader"),
            ("stale-leader", "stale leader (a newer term exists)"),
        ],
        countdown: Some(("election", "time left to its election timeout")),
    },
    #[cfg(feature = "paxos")]
    LabInfo {
        name: paxos::LAB,
        title: "Paxos",
        blurb: "Single-decree Paxos with dueling proposers, and Multi-Paxos with a stable leader and the Raft lab's key-value store.",
        message_kinds: &[
            ("prepare", "prepare / promise"),
            ("accept", "accept / accepted"),
            ("nack", "nack (preempted)"),
            ("leader", "heartbeat, catch-up, forward, client"),
        ],
        build: build_paxos,
        workload: kv_workload,
        client_command: kv_client_command,
        // The Raft lab's page, so the two consensus labs can be watched side by side.
        page_defaults: consensus_page,
        page_speed: 0.05,
        entry: None,
        own_traffic: false,
        page_max_nodes: 9,
        fit: |_| {},
        happenings: crate::happenings::paxos,
        hubs: peers,
        hopeless: never_hopeless,
        looks: &[
            ("acceptor", "acceptor"),
            ("preparing", "preparing (phase 1)"),
            ("proposing", "proposing (phase 2)"),
            ("leader", "Multi-Paxos leader"),
        ],
        countdown: Some(("retry", "time left to its retry")),
    },
    #[cfg(feature = "broadcast")]
    LabInfo {
        name: broadcast::LAB,
        title: "Gossip broadcast",
        blurb: "Flooding plus anti-entropy: watch values spread, get lost, and converge after heal.",
        message_kinds: &[("gossip", "gossip"), ("digest", "digest (anti-entropy)")],
        build: build_broadcast,
        workload: |rng| format!("broadcast {}", rng.below(1_000)),
        client_command: |n, _| format!("broadcast {n}"),
        page_defaults: |run| {
            // Slow links and anti-entropy so a first-time visitor can follow each message.
            run.nodes = 5;
            run.network.latency = splitbrain_sim::Latency::Uniform {
                min: 40_000,
                max: 90_000,
            };
            run.params = serde_json::json!({"anti_entropy_min": "500ms", "anti_entropy_max": "1s"});
        },
        page_speed: 0.1,
        entry: None,
        own_traffic: false,
        page_max_nodes: 25,
        fit: |_| {},
        happenings: crate::happenings::broadcast,
        hubs: peers,
        hopeless: never_hopeless,
        looks: &[],
        countdown: None,
    },
    #[cfg(feature = "hashing")]
    LabInfo {
        name: sharding::LAB,
        title: "Consistent hashing",
        blurb: "A sharded key-value store: add, remove and crash servers and watch which keys move, under modulo, ring, rendezvous, jump, Maglev or bounded loads.",
        message_kinds: &[
            ("request", "get / put"),
            ("reply", "reply"),
            ("keys", "keys moving"),
            ("control", "migration orders"),
        ],
        build: build_hashing,
        // Mostly reads, with membership changes now and then, so sweeps exercise migrations
        // under the random faults.
        workload: |rng| match rng.below(20) {
            0 => "add".into(),
            1 => format!("remove {}", 1 + rng.below(6)),
            2 => format!("weight {}={}", 1 + rng.below(6), 1 + rng.below(3)),
            3 => format!("put {}", rng.below(2_000)),
            _ => format!("get {}", rng.below(2_000)),
        },
        client_command: |n, _| format!("get {}", n.wrapping_mul(7_919) % 2_000),
        page_defaults: |run| {
            // A router and 8 slots: 6 servers and 2 spares to add. Links slow enough that a
            // migration's four steps can be followed.
            run.nodes = 9;
            run.network.latency = splitbrain_sim::Latency::Uniform {
                min: 10_000,
                max: 20_000,
            };
        },
        page_speed: 0.1,
        entry: Some(0),
        own_traffic: true,
        page_max_nodes: 81,
        fit: |_| {},
        happenings: crate::happenings::hashing,
        // The router, node 0, and the servers it sends keys to.
        hubs: |_| vec![0],
        hopeless: never_hopeless,
        looks: &[
            ("router", "router"),
            ("server", "server"),
            ("spare", "spare (not in the ring)"),
        ],
        countdown: None,
    },
    #[cfg(feature = "balance")]
    LabInfo {
        name: balance::LAB,
        title: "Load balancing",
        blurb: "Eight balancer policies against slow, failing and crashing backends: queues, timeouts, retries, breakers and tail latency.",
        message_kinds: &[
            ("request", "request"),
            ("response", "response"),
            ("dropped", "dropped (queue full)"),
            ("health", "health check"),
        ],
        build: build_balance,
        // Faults of the lab's own: a backend slows down or recovers, the rate changes.
        workload: |rng| match rng.below(4) {
            0 => format!("rate {}", 1 + rng.below(12)),
            _ => format!("slow {}", 1 + rng.below(5)),
        },
        client_command: |n, _| format!("rate {}", 5 + n % 5),
        page_defaults: |run| {
            run.nodes = 11;
            run.network.latency = splitbrain_sim::Latency::Uniform {
                min: 1_000,
                max: 2_000,
            };
        },
        page_speed: 1.0,
        entry: None,
        own_traffic: true,
        page_max_nodes: 42,
        // Compare mode: a second balancer with its own copy of the backends (twice the nodes);
        // back to one side: half.
        fit: |run| {
            let compare = run.params.get("compare").is_some_and(|c| !c.is_null());
            if compare && run.nodes % 2 == 1 {
                run.nodes *= 2;
            } else if !compare && run.nodes % 2 == 0 {
                run.nodes /= 2;
            }
        },
        happenings: crate::happenings::balance,
        // The balancer (node 0) and, in compare mode, the second side's (the first node of
        // the second half), each with its own backends.
        hubs: |run| {
            if run.params.get("compare").is_some_and(|c| !c.is_null()) {
                vec![0, run.nodes / 2]
            } else {
                vec![0]
            }
        },
        hopeless: never_hopeless,
        looks: &[
            ("backend", "backend"),
            ("slow-5", "slowed down"),
            ("ejected", "ejected or unhealthy"),
            ("breaker-open", "breaker open"),
        ],
        countdown: None,
    },
    #[cfg(feature = "quorum")]
    LabInfo {
        name: quorum::LAB,
        title: "Quorum replication",
        blurb: "Dynamo-style replication: N replicas per key, read and write quorums R and W, read repair, sloppy quorums and hinted handoff, with clients whose history is checked.",
        message_kinds: &[
            ("read", "read / reply"),
            ("write", "write / stored"),
            ("repair", "read repair, hinted handoff"),
            ("client", "client request / answer"),
        ],
        build: build_quorum,
        // A sweep's random commands, on top of the clients' own traffic (the simulator hands a
        // command for a server to a client, so these go into the history too).
        workload: |rng| {
            format!(
                "set {}={}",
                ["x", "y"][rng.below(2) as usize],
                1 + rng.below(99)
            )
        },
        client_command: |n, _| format!("set x={}", 100 + n),
        page_defaults: consensus_page,
        page_speed: 0.05,
        entry: None,
        own_traffic: true,
        page_max_nodes: 9,
        fit: |_| {},
        happenings: crate::happenings::quorum,
        hubs: peers,
        hopeless: never_hopeless,
        looks: &[
            ("replica", "replica"),
            (
                "holding-hints",
                "holding hints for a server it stands in for",
            ),
        ],
        countdown: None,
    },
    #[cfg(feature = "ping")]
    LabInfo {
        name: ping::LAB,
        title: "Ping-pong load",
        blurb: "Constant request/response load with retries: the engine's throughput benchmark.",
        message_kinds: &[("ping", "ping"), ("pong", "pong")],
        build: build_ping,
        workload: |rng| format!("ping {}", rng.below(3)),
        client_command: |n, nodes| format!("ping {}", n % nodes.max(1) as u64),
        page_defaults: |_| {},
        page_speed: 0.1,
        entry: None,
        own_traffic: false,
        page_max_nodes: 25,
        fit: |_| {},
        happenings: crate::happenings::none,
        hubs: peers,
        hopeless: never_hopeless,
        looks: &[],
        countdown: None,
    },
];

/// Every lab, in menu order.
pub fn labs() -> &'static [LabInfo] {
    LABS
}

/// The lab called `name`.
pub fn find(name: &str) -> Result<&'static LabInfo, RunError> {
    LABS.iter().find(|l| l.name == name).ok_or_else(|| {
        let known: Vec<&str> = LABS.iter().map(|l| l.name).collect();
        RunError(format!(
            "unknown lab {name:?}: this build has {}",
            known.join(", ")
        ))
    })
}

fn params<T: serde::de::DeserializeOwned>(run: &RunDescription) -> Result<T, RunError> {
    serde_json::from_value(run.params.clone())
        .map_err(|e| RunError(format!("{} params: {e}", run.lab)))
}

/// A simulator for process `P` from a description: the shared part of every lab's builder.
#[cfg(any(
    feature = "broadcast",
    feature = "hashing",
    feature = "balance",
    feature = "ping"
))]
fn simulator<P: Process>(
    run: &RunDescription,
    trace: usize,
    invariants: Vec<Box<dyn Invariant<P>>>,
    make: impl Fn(NodeId) -> P,
) -> Result<Box<dyn Lab>, RunError> {
    with_clients(run, trace, 0, invariants, make)
}

/// [`simulator`] with `clients` client processes after the servers (`make` gets their ids too).
fn with_clients<P: Process>(
    run: &RunDescription,
    trace: usize,
    clients: usize,
    invariants: Vec<Box<dyn Invariant<P>>>,
    make: impl Fn(NodeId) -> P,
) -> Result<Box<dyn Lab>, RunError> {
    let info = find(&run.lab)?;
    let mut cfg = SimConfig::new(info.name, run.seed, run.nodes);
    cfg.clients = clients;
    cfg.link = run.network.clone();
    cfg.trace_capacity = trace;
    Ok(Box::new(
        Simulator::new(cfg, invariants, make).map_err(RunError)?,
    ))
}

#[cfg(feature = "broadcast")]
fn build_broadcast(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: broadcast::Params = params(run)?;
    p.validate()
        .map_err(|e| RunError(format!("broadcast params: {e}")))?;
    simulator(run, trace, broadcast::invariants(), |_| {
        broadcast::Node::new(p.clone())
    })
}

#[cfg(feature = "raft")]
fn build_raft(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: raft::Params = params(run)?;
    p.validate(run.nodes)
        .map_err(|e| RunError(format!("raft params: {e}")))?;
    let servers = run.nodes;
    with_clients(run, trace, p.clients, raft::invariants::all(), |id| {
        if id < servers {
            raft::Node::new(p.clone())
        } else {
            raft::Node::new_client(p.clone(), (id - servers) as u32, servers)
        }
    })
}

#[cfg(feature = "paxos")]
fn build_paxos(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: paxos::Params = params(run)?;
    p.validate(run.nodes)
        .map_err(|e| RunError(format!("paxos params: {e}")))?;
    let nodes = run.nodes;
    let invariants = paxos::invariants::all(&p, nodes);
    with_clients(run, trace, p.clients, invariants, |id| {
        if id < nodes {
            paxos::Node::new(p.clone(), id, nodes)
        } else {
            paxos::Node::new_client(p.clone(), (id - nodes) as u32, nodes)
        }
    })
}

#[cfg(feature = "hashing")]
fn build_hashing(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: sharding::Params = params(run)?;
    p.validate(run.nodes)
        .map_err(|e| RunError(format!("hashing params: {e}")))?;
    simulator(
        run,
        trace,
        sharding::invariants::all(),
        sharding::cluster(p, run.nodes),
    )
}

#[cfg(feature = "balance")]
fn build_balance(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let mut p: balance::Params = params(run)?;
    p.validate(run.nodes)
        .map_err(|e| RunError(format!("balance params: {e}")))?;
    // The workload follows the run's seed, the same for every policy and both compared sides.
    p.workload_seed = run.seed;
    simulator(
        run,
        trace,
        balance::invariants::all(),
        balance::cluster(p, run.nodes),
    )
}

#[cfg(feature = "quorum")]
fn build_quorum(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: quorum::Params = params(run)?;
    p.validate(run.nodes)
        .map_err(|e| RunError(format!("quorum params: {e}")))?;
    let servers = run.nodes;
    with_clients(run, trace, p.clients, quorum::invariants::all(), |id| {
        if id < servers {
            quorum::Node::new(p.clone(), id, servers)
        } else {
            quorum::Node::new_client(p.clone(), (id - servers) as u32, servers)
        }
    })
}

#[cfg(feature = "ping")]
fn build_ping(run: &RunDescription, trace: usize) -> Result<Box<dyn Lab>, RunError> {
    let p: ping::Params = params(run)?;
    p.validate()
        .map_err(|e| RunError(format!("ping params: {e}")))?;
    simulator(run, trace, ping::invariants(), |_| {
        ping::Node::new(p.clone())
    })
}

/// Builds the run a description describes, with its actions scheduled, keeping at most
/// `trace_capacity` trace events in memory.
pub fn build(run: &RunDescription, trace_capacity: usize) -> Result<Box<dyn Lab>, RunError> {
    run.validate()?;
    let info = find(&run.lab)?;
    let mut lab = (info.build)(run, trace_capacity)?;
    for (i, a) in run.actions.iter().enumerate() {
        lab.schedule(a.at, a.action.clone()).map_err(|e| {
            RunError(format!(
                "action {} (at {}): {e}",
                i + 1,
                splitbrain_sim::format_time(a.at)
            ))
        })?;
    }
    Ok(lab)
}

#[cfg(all(test, feature = "raft"))]
mod tests {
    use super::*;

    #[test]
    fn s5_6_raft_says_no_leader_can_be_elected_when_a_vote_round_trip_outlasts_the_timeout() {
        let run = RunDescription::new("raft", 1, 5);
        let raft = find("raft").unwrap();
        let slow: splitbrain_sim::Latency = "800ms..1.2s".parse().unwrap();
        let text = (raft.hopeless)(&run, &slow).expect("hopeless");
        assert!(text.starts_with("No leader can be elected"), "{text}");
        assert!(
            text.contains("about 2s") && text.contains("0.15s–0.3s"),
            "{text}"
        );
        let page: splitbrain_sim::Latency = "10ms..20ms".parse().unwrap();
        assert_eq!((raft.hopeless)(&run, &page), None);
        // A longer timeout in the run's parameters makes the same links workable.
        let mut patient = run.clone();
        patient.params = serde_json::json!({"election_min": "3s", "election_max": "6s"});
        assert_eq!((raft.hopeless)(&patient, &slow), None);
    }
}
