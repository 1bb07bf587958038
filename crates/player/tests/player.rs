//! The player, driven as the page drives it: every way of getting somewhere gives the same run.

use proptest::prelude::*;
use splitbrain_labs::{RunDescription, Traffic, build, find};
use splitbrain_player::{
    CHECKPOINT_EVERY, Input, MAX_CHECKPOINTS, MarkerKind, Options, Player, TrafficState,
};
use splitbrain_sim::{Action, RunOutcome, Time, TimedAction, ms, secs};

/// The page's Raft run: 5 nodes, its link latencies, automatic traffic on.
fn raft(seed: u64) -> Player {
    let mut run = RunDescription::new("raft", seed, 5);
    (find("raft").unwrap().page_defaults)(&mut run);
    Player::new(
        run,
        Vec::new(),
        TrafficState::from_run(Some(Traffic::start())),
        Options::default(),
    )
    .unwrap()
}

fn seek(p: &mut Player, t: Time) {
    p.apply(Input::Seek(t)).unwrap();
}

fn hash(p: &Player) -> u64 {
    p.lab().trace_hash()
}

/// A fresh player of the link `p` would share, at `t`.
fn replayed(p: &Player, t: Time) -> Player {
    let mut q = Player::from_link(p.link_run(), Options::default()).unwrap();
    seek(&mut q, t);
    q
}

#[test]
fn seek_back_equals_a_fresh_replay_to_that_time() {
    let mut p = raft(7);
    seek(&mut p, secs(2));
    p.apply(Input::Act(Action::Crash { node: 1 })).unwrap();
    seek(&mut p, secs(6));
    let later = hash(&p);
    seek(&mut p, secs(3));
    let mut fresh = raft(7);
    seek(&mut fresh, secs(2));
    fresh.apply(Input::Act(Action::Crash { node: 1 })).unwrap();
    seek(&mut fresh, secs(3));
    assert_eq!(hash(&p), hash(&fresh));
    assert_eq!(p.now(), secs(3));
    // Forward again over the recorded part: the same future.
    seek(&mut p, secs(6));
    assert_eq!(hash(&p), later);
}

#[test]
fn stepping_back_to_an_action_sends_the_request_that_fell_due_before_it_on_time() {
    // Played to 0.901 s: the automatic request went out at 0.9 s, then the learner crashed n0
    // with no event in between. Stepping back to that state must send the request at 0.9 s
    // again, not late at 0.901 s (which also logged it twice in the shared link).
    let mut p = raft(2);
    p.apply(Input::Play).unwrap();
    p.apply(Input::Speed(1.0)).unwrap();
    p.tick(901.0, 50_000);
    p.apply(Input::Pause).unwrap();
    p.apply(Input::Act(Action::Crash { node: 0 })).unwrap();
    let acted = hash(&p);
    p.apply(Input::Step).unwrap();
    p.apply(Input::StepBack).unwrap();
    assert_eq!(hash(&p), acted);
    let sent_at = |p: &Player| {
        p.lab()
            .trace_tail(10_000)
            .iter()
            .filter(|l| l.ev == "command")
            .map(|l| l.t)
            .collect::<Vec<_>>()
    };
    assert_eq!(sent_at(&p), vec![ms(100), ms(500), ms(900)]);
    let requests = p
        .link_run()
        .actions
        .iter()
        .filter(|a| matches!(a.action, Action::Client { .. }))
        .count();
    assert_eq!(requests, 3);
}

#[test]
fn step_sends_the_automatic_requests_that_play_sends() {
    let mut stepped = raft(3);
    while stepped.now() < ms(1_100) {
        stepped.apply(Input::Step).unwrap();
    }
    let commands = stepped
        .lab()
        .trace_tail(10_000)
        .iter()
        .filter(|l| l.ev == "command")
        .count();
    assert!(
        commands >= 3,
        "requests at 0.1, 0.5 and 0.9 s, got {commands}"
    );
    let mut played = raft(3);
    played.apply(Input::Play).unwrap();
    while played.now() < ms(1_200) {
        played.tick(16.0, 20_000);
        played.apply(Input::Speed(0.7)).unwrap();
    }
    seek(&mut stepped, ms(1_300));
    seek(&mut played, ms(1_300));
    assert_eq!(hash(&stepped), hash(&played));
}

#[test]
fn play_at_any_speed_gives_the_same_trace() {
    let mut slow = raft(11);
    let mut fast = raft(11);
    for p in [&mut slow, &mut fast] {
        p.apply(Input::Play).unwrap();
    }
    slow.apply(Input::Speed(0.05)).unwrap();
    fast.apply(Input::Speed(2.0)).unwrap();
    while fast.now() < secs(3) {
        fast.tick(16.7, 20_000);
    }
    while slow.now() < secs(3) {
        slow.tick(1_000.0, 20_000);
    }
    seek(&mut slow, secs(3));
    seek(&mut fast, secs(3));
    assert_eq!(hash(&slow), hash(&fast));
}

#[test]
fn step_back_returns_to_each_earlier_event() {
    let mut p = raft(5);
    seek(&mut p, secs(1));
    let mut seen = Vec::new();
    for _ in 0..60 {
        seen.push((p.lab().events(), hash(&p), p.now()));
        p.apply(Input::Step).unwrap();
    }
    for (i, (events, h, now)) in seen.into_iter().enumerate().rev() {
        p.apply(Input::StepBack).unwrap();
        assert_eq!((p.lab().events(), hash(&p)), (events, h));
        // The first state is the seek's, whose clock stood past its last event.
        if i > 0 {
            assert_eq!(p.now(), now);
        }
    }
}

#[test]
fn step_back_over_a_crash_brings_the_node_back_up() {
    let mut p = raft(5);
    seek(&mut p, secs(1));
    p.apply(Input::Act(Action::Crash { node: 2 })).unwrap();
    p.apply(Input::Step).unwrap();
    assert!(!p.lab().up(2));
    p.apply(Input::StepBack).unwrap();
    assert!(
        !p.lab().up(2),
        "just before the next event: after the crash"
    );
    p.apply(Input::StepBack).unwrap();
    assert!(p.lab().up(2), "before the crash");
    assert_eq!(p.branches().len(), 1, "looking back is not acting");
}

#[test]
fn acting_in_the_past_branches_and_keeps_the_old_future() {
    let mut p = raft(9);
    seek(&mut p, secs(5));
    let old_future = hash(&p);
    seek(&mut p, secs(2));
    p.apply(Input::Act(Action::Crash { node: 0 })).unwrap();
    assert_eq!(p.branches().len(), 2);
    assert_eq!(p.current(), 1);
    assert_eq!(p.branch().parent, Some(0));
    assert_eq!(p.branch().forked_at, secs(2));
    seek(&mut p, secs(5));
    assert_ne!(hash(&p), old_future, "the new branch has the crash");
    p.apply(Input::Branch(0)).unwrap();
    assert_eq!(p.now(), secs(5));
    assert_eq!(hash(&p), old_future, "the old future is intact");
    assert!(p.apply(Input::Branch(7)).is_err());
}

#[test]
fn dropping_an_unacted_future_lets_an_action_continue_the_branch() {
    let mut p = raft(9);
    seek(&mut p, secs(4));
    seek(&mut p, secs(2));
    assert!(p.drop_future());
    assert_eq!(p.branch().reached, secs(2));
    p.apply(Input::Act(Action::Crash { node: 0 })).unwrap();
    assert_eq!(
        p.branches().len(),
        1,
        "no branch: nothing was done after 2 s"
    );
    seek(&mut p, secs(4));
    let mut fresh = raft(9);
    seek(&mut fresh, secs(2));
    fresh.apply(Input::Act(Action::Crash { node: 0 })).unwrap();
    seek(&mut fresh, secs(4));
    assert_eq!(hash(&p), hash(&fresh));
    assert_eq!(
        p.link_run(),
        fresh.link_run(),
        "the same link, requests included"
    );
}

#[test]
fn a_future_with_actions_is_not_dropped() {
    let mut p = raft(9);
    seek(&mut p, secs(3));
    p.apply(Input::Act(Action::Crash { node: 0 })).unwrap();
    seek(&mut p, secs(5));
    seek(&mut p, secs(1));
    assert!(!p.drop_future());
    assert_eq!(p.branch().reached, secs(5));
}

#[test]
fn a_failed_action_in_the_past_makes_no_branch() {
    let mut p = raft(9);
    seek(&mut p, secs(3));
    seek(&mut p, secs(1));
    assert!(p.apply(Input::Act(Action::Crash { node: 99 })).is_err());
    assert_eq!(p.branches().len(), 1);
}

#[test]
fn a_link_replays_the_branch_and_its_traffic_goes_on() {
    let mut p = raft(21);
    seek(&mut p, ms(1_500));
    p.apply(Input::Act(Action::Partition {
        groups: vec![vec![0, 1]],
    }))
    .unwrap();
    p.apply(Input::Request(Some(3))).unwrap();
    seek(&mut p, secs(4));
    let link = p.link_run();
    assert!(link.traffic.is_some(), "traffic was on");
    let mut opened = Player::from_link(link.clone(), Options::default()).unwrap();
    seek(&mut opened, secs(4));
    assert_eq!(hash(&opened), hash(&p));
    // Both press play: the runs stay together, automatic requests and all.
    seek(&mut p, secs(8));
    seek(&mut opened, secs(8));
    assert_eq!(hash(&opened), hash(&p));
    // The CLI, which schedules every action of the file, agrees up to the share point.
    let mut cli = build(&link, 10_000).unwrap();
    cli.run_until(secs(4), u64::MAX);
    let mut at4 = Player::from_link(link, Options::default()).unwrap();
    seek(&mut at4, secs(4));
    assert_eq!(cli.trace_hash(), hash(&at4));
}

#[test]
fn traffic_off_is_part_of_the_run() {
    let mut p = raft(4);
    seek(&mut p, secs(1));
    p.apply(Input::Traffic(false)).unwrap();
    seek(&mut p, secs(3));
    let link = p.link_run();
    assert!(link.traffic.is_none());
    let q = replayed(&p, secs(3));
    assert_eq!(hash(&q), hash(&p));
    let mut p2 = raft(4);
    seek(&mut p2, secs(3));
    assert_ne!(hash(&p2), hash(&p), "traffic on sends more");
}

#[test]
fn until_pauses_once_and_loop_starts_over() {
    let mut p = raft(2);
    p.set_bounds(Some(secs(1)), None, 0);
    p.apply(Input::Play).unwrap();
    p.apply(Input::Speed(1.0)).unwrap();
    while p.playing() {
        p.tick(100.0, 20_000);
    }
    assert_eq!(p.now(), secs(1));
    p.apply(Input::Play).unwrap();
    p.tick(100.0, 20_000);
    assert!(p.playing() && p.now() > secs(1), "once");

    let mut l = raft(2);
    l.set_bounds(None, Some(secs(2)), secs(1));
    l.apply(Input::Play).unwrap();
    l.apply(Input::Speed(1.0)).unwrap();
    let mut looped = false;
    for _ in 0..40 {
        let before = l.now();
        l.tick(100.0, 20_000);
        looped |= l.now() < before;
        assert!(l.now() <= secs(2));
    }
    assert!(looped && l.playing());
}

#[test]
fn play_stops_at_the_violating_event() {
    // The volatile variant forgets values on a crash: the restart at 2.5 s breaks Durability.
    let mut run = RunDescription::new("broadcast", 1, 3);
    run.params = serde_json::json!({"variant": "volatile"});
    let at = |t, action| TimedAction { at: t, action };
    run.actions = vec![
        at(
            0,
            Action::Client {
                node: 0,
                command: "broadcast 1".into(),
            },
        ),
        at(secs(2), Action::Crash { node: 1 }),
        at(ms(2_500), Action::Restart { node: 1 }),
    ];
    let mut p = Player::from_link(run, Options::default()).unwrap();
    p.apply(Input::Play).unwrap();
    p.apply(Input::Speed(1.0)).unwrap();
    let mut out = RunOutcome::Reached;
    for _ in 0..100 {
        out = p.tick(100.0, 20_000);
        if !p.playing() {
            break;
        }
    }
    assert_eq!(out, RunOutcome::Violation);
    assert!(!p.playing());
    assert_eq!(p.now(), ms(2_500), "at the breaking event");
    assert_eq!(p.lab().violations()[0].invariant, "Durability");
    assert!(
        p.markers()
            .iter()
            .any(|m| m.kind == MarkerKind::Violation && m.at == ms(2_500))
    );
}

#[test]
fn markers_name_leaders_and_actions() {
    let mut p = raft(1);
    seek(&mut p, secs(2));
    p.apply(Input::Act(Action::Crash { node: 3 })).unwrap();
    seek(&mut p, secs(4));
    let m = p.markers();
    assert!(
        m.iter()
            .any(|m| m.kind == MarkerKind::Leader && m.label.contains("leads term"))
    );
    assert!(
        m.iter()
            .any(|m| m.kind == MarkerKind::Action && m.label == "crash n3")
    );
    assert!(m.windows(2).all(|w| w[0].at <= w[1].at));
    // Replaying the same stretch finds nothing new.
    let n = m.len();
    seek(&mut p, secs(1));
    seek(&mut p, secs(4));
    assert_eq!(p.markers().len(), n);
}

#[test]
fn checkpoints_stay_bounded_on_a_long_run() {
    let options = || Options {
        checkpoint_every: 200,
        max_checkpoints: 16,
        ..Options::default()
    };
    let mut run = RunDescription::new("raft", 8, 5);
    (find("raft").unwrap().page_defaults)(&mut run);
    let traffic = TrafficState::from_run(Some(Traffic::start()));
    let mut p = Player::new(run.clone(), Vec::new(), traffic, options()).unwrap();
    seek(&mut p, secs(60));
    assert!(p.lab().events() > 200 * 40, "long enough to thin");
    assert!(p.checkpoint_count() <= 16);
    let end = hash(&p);
    for t in [secs(1), secs(30), secs(59)] {
        seek(&mut p, t);
        let mut fresh = Player::new(run.clone(), Vec::new(), traffic, options()).unwrap();
        seek(&mut fresh, t);
        assert_eq!(hash(&p), hash(&fresh), "at {t}");
    }
    seek(&mut p, secs(60));
    assert_eq!(hash(&p), end);
    let _ = (CHECKPOINT_EVERY, MAX_CHECKPOINTS);
}

#[derive(Debug, Clone)]
enum Op {
    Play(u16),
    Step(u8),
    Back(u8),
    Seek(u16),
    Crash(usize),
    Restart(usize),
    Isolate(usize),
    Heal,
    Request,
    Traffic(bool),
    Branch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u16..3_000).prop_map(Op::Play),
        2 => (1u8..40).prop_map(Op::Step),
        2 => (1u8..40).prop_map(Op::Back),
        3 => (0u16..6_000).prop_map(Op::Seek),
        2 => (0usize..5).prop_map(Op::Crash),
        1 => (0usize..5).prop_map(Op::Restart),
        1 => (0usize..5).prop_map(Op::Isolate),
        1 => Just(Op::Heal),
        1 => Just(Op::Request),
        1 => any::<bool>().prop_map(Op::Traffic),
        1 => (0usize..4).prop_map(Op::Branch),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever a learner did (play, step, step back, seek, act in the past, switch branches),
    /// the state after a seek equals a fresh replay of the shared link to the same time.
    #[test]
    fn seek_equals_a_fresh_replay(seed in 0u64..1_000, ops in prop::collection::vec(op(), 1..25)) {
        let mut p = raft(seed);
        for o in ops {
            let _ = match o {
                Op::Play(m) => {
                    p.apply(Input::Play).unwrap();
                    p.apply(Input::Speed(1.0)).unwrap();
                    p.tick(f64::from(m), 50_000);
                    p.apply(Input::Pause)
                }
                Op::Step(n) => (0..n).try_for_each(|_| p.apply(Input::Step)),
                Op::Back(n) => (0..n).try_for_each(|_| p.apply(Input::StepBack)),
                Op::Seek(t) => p.apply(Input::Seek(ms(u64::from(t)))),
                Op::Crash(node) => p.apply(Input::Act(Action::Crash { node })),
                Op::Restart(node) => p.apply(Input::Act(Action::Restart { node })),
                Op::Isolate(node) => p.apply(Input::Act(Action::Partition { groups: vec![vec![node]] })),
                Op::Heal => p.apply(Input::Act(Action::Heal)),
                Op::Request => p.apply(Input::Request(None)),
                Op::Traffic(on) => p.apply(Input::Traffic(on)),
                Op::Branch(b) => p.apply(Input::Branch(b)),
            };
        }
        // A step can leave an instant half done; a seek finishes it, as a link's replay does.
        let t = p.now() + 1;
        seek(&mut p, t);
        let fresh = replayed(&p, t);
        prop_assert_eq!(hash(&fresh), hash(&p));
        prop_assert_eq!(fresh.lab().events(), p.lab().events());
    }
}
