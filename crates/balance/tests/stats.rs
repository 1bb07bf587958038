//! Statistical checks with fixed seeds and long runs: the simulation reproduces queueing
//! theory where theory has an answer.

use splitbrain_balance::{Node, Params, cluster, invariants};
use splitbrain_sim::{Action, Lab, LinkConfig, SimConfig, Simulator, secs};

fn run(params: Params, backends: usize, seconds: u64, seed: u64) -> Simulator<Node> {
    let params = Params {
        workload_seed: seed,
        ..params
    };
    let mut cfg = SimConfig::new("balance", seed, backends + 1);
    cfg.link = LinkConfig {
        latency: "100us".parse().unwrap(),
        ..LinkConfig::default()
    };
    cfg.trace_capacity = 0;
    let mut s = Simulator::new(cfg, invariants::all(), cluster(params, backends + 1)).unwrap();
    s.run_until(secs(seconds), u64::MAX);
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    s
}

fn summary(s: &Simulator<Node>) -> serde_json::Value {
    s.summary()
}

#[test]
fn utilisation_matches_the_offered_load_within_two_percent() {
    // 10 backends, Poisson 9/s, exponential 1 s service: offered load 0.9 per backend.
    let s = run(Params::default(), 10, 20_000, 1);
    let v = summary(&s);
    let utils: Vec<f64> = v["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["utilisation"].as_f64().unwrap())
        .collect();
    let mean = utils.iter().sum::<f64>() / utils.len() as f64;
    assert!((mean - 0.9).abs() < 0.02, "mean utilisation {mean}");
    for u in utils {
        assert!((u - 0.9).abs() < 0.05, "a backend at {u}");
    }
}

#[test]
fn unbounded_queues_below_load_1_drop_nothing_and_answer_everything_but_the_tail() {
    let s = run(Params::default(), 10, 5_000, 2);
    let v = summary(&s);
    assert_eq!(v["counts"]["drops"], 0);
    assert_eq!(v["counts"]["failed"], 0);
    let issued = v["counts"]["requests"].as_f64().unwrap();
    let answered = v["counts"]["completed"].as_f64().unwrap();
    // Only the requests still queued at the end are unanswered.
    assert!(answered / issued > 0.99, "{answered} of {issued}");
}

#[test]
fn random_balancing_is_m_m_1_mean_sojourn_1_over_mu_minus_lambda() {
    // Random routing splits a Poisson stream into independent Poisson streams: each backend is
    // an M/M/1 queue with lambda = 0.9, mu = 1, whose mean sojourn is 1/(mu - lambda) = 10 s.
    let p = Params {
        policy: "random".into(),
        ..Params::default()
    };
    let s = run(p, 10, 50_000, 3);
    let mean_ms = summary(&s)["sojourn"]["mean_ms"].as_f64().unwrap();
    assert!(
        (mean_ms - 10_000.0).abs() < 1_500.0,
        "mean sojourn {mean_ms} ms"
    );
}

#[test]
fn joining_the_shortest_queue_beats_power_of_two_which_beats_round_robin_at_load_0_9() {
    let mean = |policy: &str| {
        let p = Params {
            policy: policy.into(),
            ..Params::default()
        };
        summary(&run(p, 10, 10_000, 4))["latency"]["mean_ms"]
            .as_f64()
            .unwrap()
    };
    let (lo, p2c, rr) = (mean("least-outstanding"), mean("p2c"), mean("rr"));
    assert!(
        lo < p2c && p2c < rr,
        "least-outstanding {lo}, p2c {p2c}, rr {rr}"
    );
}

#[test]
fn a_slow_backend_builds_a_queue_under_round_robin_but_not_under_least_outstanding() {
    let queue = |policy: &str| {
        let p = Params {
            policy: policy.into(),
            arrival: "poisson:5/s".parse().unwrap(),
            ..Params::default()
        };
        let mut cfg = SimConfig::new("balance", 5, 11);
        cfg.trace_capacity = 0;
        let mut s = Simulator::new(cfg, invariants::all(), cluster(p, 11)).unwrap();
        s.control(&Action::Client {
            node: 3,
            command: "slow 5".into(),
        })
        .unwrap();
        s.run_until(secs(2_000), u64::MAX);
        let v = s.summary();
        let b = &v["backends"][2];
        (
            b["queue"].as_u64().unwrap(),
            b["utilisation"].as_f64().unwrap(),
        )
    };
    // Round robin sends n3 a tenth of 5/s = 0.5/s, but it serves only 0.2/s: its queue grows
    // without bound. Least outstanding sends it work only when it is no busier than the rest.
    let (rr_queue, rr_util) = queue("rr");
    let (lo_queue, _) = queue("least-outstanding");
    assert!(
        rr_queue > 300 && rr_util > 0.99,
        "rr: {rr_queue} queued at {rr_util}"
    );
    assert!(lo_queue < 5, "least-outstanding: {lo_queue} queued");
}

#[test]
fn every_policy_on_a_seed_serves_the_same_requests_common_random_numbers() {
    let issued = |policy: &str| {
        let p = Params {
            policy: policy.into(),
            ..Params::default()
        };
        let s = run(p, 10, 2_000, 9);
        let v = summary(&s);
        (
            v["counts"]["requests"].as_u64().unwrap(),
            v["backends"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["utilisation"].as_f64().unwrap())
                .sum::<f64>(),
        )
    };
    let (rr, rr_busy) = issued("rr");
    for policy in ["random", "p2c", "least-outstanding", "peak-ewma", "hash"] {
        let (n, busy) = issued(policy);
        assert_eq!(n, rr, "{policy} saw other arrivals");
        // The same work, served in another order: total busy time differs only by what is
        // still in service or queued at the end. (Hashing by key overloads some backends, whose
        // queues then hold work at the end.)
        if policy != "hash" {
            assert!(
                (busy - rr_busy).abs() < 0.05,
                "{policy}: {busy} vs {rr_busy}"
            );
        }
    }
}

#[test]
fn compare_mode_runs_two_policies_side_by_side_on_the_very_same_requests() {
    let p = Params {
        policy: "rr".into(),
        compare: Some("least-outstanding".into()),
        arrival: "poisson:5/s".parse().unwrap(),
        workload_seed: 11,
        ..Params::default()
    };
    p.validate(22).unwrap();
    assert!(p.validate(21).unwrap_err().contains("two equal sides"));
    let mut cfg = SimConfig::new("balance", 11, 22);
    cfg.trace_capacity = 0;
    let mut s = Simulator::new(cfg, invariants::all(), cluster(p, 22)).unwrap();
    // The same gray failure on both sides: the third backend of each.
    for node in [3, 14] {
        s.control(&Action::Client {
            node,
            command: "slow 5".into(),
        })
        .unwrap();
    }
    s.run_until(secs(3_000), u64::MAX);
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let v = s.summary();
    let (a, b) = (&v, &v["compare"]);
    assert_eq!(a["policy"], "rr");
    assert_eq!(b["policy"], "least-outstanding");
    assert_eq!(a["counts"]["requests"], b["counts"]["requests"]);
    assert_eq!(a["backends"].as_array().unwrap().len(), 10);
    assert_eq!(b["backends"][2]["node"], 14);
    let mean = |x: &serde_json::Value| {
        x["latency"]["mean_ms"]
            .as_f64()
            .unwrap_or_else(|| panic!("{x}"))
    };
    assert!(mean(b) * 5.0 < mean(a), "lo {} vs rr {}", mean(b), mean(a));
}
