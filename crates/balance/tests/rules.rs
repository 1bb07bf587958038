//! The client-side rules, each test named after the rule it checks.

use splitbrain_balance::lab::BreakerConfig;
use splitbrain_balance::{Node, Params, cluster, invariants};
use splitbrain_sim::{Action, Lab, Process, SimConfig, Simulator, ms, secs};

fn sim(params: Params, nodes: usize) -> Simulator<Node> {
    let mut cfg = SimConfig::new("balance", 7, nodes);
    cfg.trace_capacity = 0;
    Simulator::new(cfg, invariants::all(), cluster(params, nodes)).unwrap()
}

fn counts(s: &Simulator<Node>) -> serde_json::Value {
    s.summary()["counts"].clone()
}

#[test]
fn retries_with_backoff_turn_a_crashed_backends_timeouts_into_answers_elsewhere() {
    let base = Params {
        policy: "rr".into(),
        arrival: "poisson:20/s".parse().unwrap(),
        service: "exp:50ms".parse().unwrap(),
        timeout: Some(ms(500)),
        ..Params::default()
    };
    let run = |retries| {
        let mut s = sim(
            Params {
                retries,
                retry_budget: 1.0,
                ..base.clone()
            },
            5,
        );
        s.control(&Action::Crash { node: 2 }).unwrap();
        s.run_until(secs(200), u64::MAX);
        assert!(s.violations().is_empty());
        counts(&s)
    };
    let none = run(0);
    let two = run(2);
    assert!(none["failed"].as_u64().unwrap() > 500, "{none}");
    assert!(two["retries"].as_u64().unwrap() > 500, "{two}");
    assert!(
        two["failed"].as_u64().unwrap() < none["failed"].as_u64().unwrap() / 10,
        "retries rescue most: {two} vs {none}"
    );
}

#[test]
fn the_retry_budget_caps_retries_at_its_share_of_requests() {
    let mut s = sim(
        Params {
            policy: "rr".into(),
            arrival: "poisson:20/s".parse().unwrap(),
            service: "exp:50ms".parse().unwrap(),
            timeout: Some(ms(200)),
            retries: 3,
            retry_budget: 0.1,
            ..Params::default()
        },
        4,
    );
    // Two of three backends down: most attempts time out.
    s.control(&Action::Crash { node: 1 }).unwrap();
    s.control(&Action::Crash { node: 2 }).unwrap();
    s.run_until(secs(300), u64::MAX);
    let c = counts(&s);
    let (retries, requests) = (
        c["retries"].as_f64().unwrap(),
        c["requests"].as_f64().unwrap(),
    );
    assert!(retries <= 0.1 * requests + 10.0, "{c}");
}

#[test]
fn an_open_breaker_keeps_traffic_off_a_failing_backend_until_a_probe_succeeds() {
    let mut s = sim(
        Params {
            policy: "rr".into(),
            arrival: "poisson:20/s".parse().unwrap(),
            service: "exp:50ms".parse().unwrap(),
            timeout: Some(ms(300)),
            breaker: Some(BreakerConfig {
                failures: 3,
                open_for: secs(5),
            }),
            ..Params::default()
        },
        5,
    );
    s.control(&Action::Crash { node: 2 }).unwrap();
    s.run_until(secs(60), u64::MAX);
    // OpenBreakerGetsNoTraffic held throughout, and n2 got few attempts: a handful before each
    // opening, one probe per 5 s after.
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let sent = counts(&s)["sent"].clone();
    let to_n2 = sent[1].as_u64().unwrap();
    let to_n3 = sent[2].as_u64().unwrap();
    assert!(to_n2 < 40 && to_n3 > 250, "n2 {to_n2}, n3 {to_n3}");
    // Back up: the next probe succeeds and it gets its share again.
    s.control(&Action::Restart { node: 2 }).unwrap();
    s.run_until(secs(120), u64::MAX);
    let later = counts(&s)["sent"][1].as_u64().unwrap();
    assert!(later > to_n2 + 200, "{later}");
}

#[test]
fn the_health_check_ejects_a_backend_that_stops_answering_pings() {
    let mut s = sim(
        Params {
            policy: "rr".into(),
            arrival: "poisson:20/s".parse().unwrap(),
            service: "exp:50ms".parse().unwrap(),
            health_check: Some(ms(200)),
            timeout: Some(ms(500)),
            ..Params::default()
        },
        5,
    );
    s.run_until(secs(10), u64::MAX);
    s.control(&Action::Crash { node: 4 }).unwrap();
    let before = counts(&s)["sent"][3].as_u64().unwrap();
    s.run_until(secs(60), u64::MAX);
    let after = counts(&s)["sent"][3].as_u64().unwrap();
    // Within 2.5 intervals (0.5 s) it is out: about 2 attempts at 5 per second each, not 250.
    assert!(after - before < 10, "{before} -> {after}");
}

#[test]
fn commands_parse_and_bad_ones_say_what_is_expected() {
    assert!(Node::parse_command("rate 12.5").is_ok());
    assert!(Node::parse_command("slow 5").is_ok());
    assert!(Node::parse_command("eject n3").is_ok());
    assert!(
        Node::parse_command("slow 0")
            .unwrap_err()
            .contains("above 0")
    );
    assert!(
        Node::parse_command("rate x")
            .unwrap_err()
            .contains("number")
    );
    assert!(
        Node::parse_command("jump")
            .unwrap_err()
            .contains("expected rate")
    );
    let p = Params {
        policy: "magic".into(),
        ..Params::default()
    };
    assert!(p.validate(5).unwrap_err().contains("unknown policy"));
    assert!(Params::default().validate(1).is_err());
    assert!(Params::default().validate(1_000_000_000).is_err());
}

#[test]
fn an_ejected_backend_gets_no_new_requests_until_it_is_admitted_again() {
    let mut s = sim(
        Params {
            policy: "rr".into(),
            arrival: "poisson:20/s".parse().unwrap(),
            service: "exp:50ms".parse().unwrap(),
            ..Params::default()
        },
        5,
    );
    let eject = |s: &mut Simulator<Node>, command: &str| {
        s.control(&Action::Client {
            node: 0,
            command: command.into(),
        })
        .unwrap();
    };
    eject(&mut s, "eject 2");
    s.run_until(secs(30), u64::MAX);
    assert_eq!(counts(&s)["sent"][1], 0);
    eject(&mut s, "admit 2");
    s.run_until(secs(60), u64::MAX);
    assert!(counts(&s)["sent"][1].as_u64().unwrap() > 100);
}

#[test]
fn the_picture_marks_a_backend_ejected_slowed_or_behind_an_open_breaker() {
    let mut s = sim(
        Params {
            policy: "rr".into(),
            arrival: "poisson:20/s".parse().unwrap(),
            service: "exp:50ms".parse().unwrap(),
            timeout: Some(secs(1)),
            breaker: Some(BreakerConfig {
                failures: 3,
                open_for: secs(30),
            }),
            ..Params::default()
        },
        5,
    );
    s.control(&Action::Client {
        node: 0,
        command: "eject 1".into(),
    })
    .unwrap();
    s.control(&Action::Client {
        node: 2,
        command: "slow 5".into(),
    })
    .unwrap();
    s.control(&Action::Crash { node: 3 }).unwrap();
    s.run_until(secs(5), u64::MAX);
    let roles: Vec<String> = s.view().nodes.iter().map(|n| n.view.role.clone()).collect();
    assert_eq!(roles[0], "balancer");
    assert_eq!(roles[1], "ejected");
    assert_eq!(roles[2], "slow ×5");
    assert_eq!(roles[3], "", "crashed: drawn as down, not annotated");
    assert_eq!(roles[4], "backend");
    // The crashed backend's timeouts open its breaker: marked once it is back.
    s.control(&Action::Restart { node: 3 }).unwrap();
    assert!(
        s.view().nodes[3].view.role.starts_with("breaker"),
        "{:?}",
        s.view().nodes[3].view.role
    );
}
