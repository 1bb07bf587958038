//! Every shipped exercise against its stored reference solution (full marks) and non-solution
//! (not full marks), so a pack change that breaks an exercise fails here; and the grader's
//! refusals, one reason each.

use proptest::prelude::*;
use splitbrain_exercise::{Exercise, Level, Pack, Tracker, grade, shipped, solution_link};
use splitbrain_labs::RunDescription;
use splitbrain_sim::{RunOutcome, Time};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pack(name: &str) -> Pack {
    let text = std::fs::read_to_string(root().join(format!("exercises/{name}.toml"))).unwrap();
    let pack: Pack = toml::from_str(&text).unwrap();
    pack.validate().unwrap();
    pack
}

fn stored(id: &str, kind: &str) -> RunDescription {
    let path = root().join(format!("testdata/exercises/{id}.{kind}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    RunDescription::parse(&text).unwrap()
}

fn link(e: &Exercise, kind: &str) -> String {
    solution_link("https://splitbrain.example/", e, &stored(&e.id, kind))
}

#[test]
fn each_lab_has_six_exercises_or_more_from_guided_to_hard() {
    let packs = shipped();
    for lab in ["raft", "paxos", "hashing", "balance", "quorum"] {
        let (_, p) = packs.iter().find(|(n, _)| n == lab).expect(lab);
        assert_eq!(*p, pack(lab), "the compiled-in {lab} pack is the file");
        assert!(p.exercises.len() >= 6, "{lab}: {}", p.exercises.len());
        assert!(p.exercises.iter().all(|e| e.lab == lab));
        let levels: Vec<Level> = p.exercises.iter().map(|e| e.level).collect();
        assert!(
            levels.is_sorted(),
            "{lab} goes from guided to hard: {levels:?}"
        );
        assert_eq!(levels.first(), Some(&Level::Guided));
        assert_eq!(levels.last(), Some(&Level::Hard));
    }
}

#[test]
fn every_reference_solution_grades_full_marks_and_every_non_solution_does_not() {
    for (name, p) in shipped() {
        for e in &p.exercises {
            let full = grade(&p, &e.id, &link(e, "solution"))
                .unwrap_or_else(|why| panic!("{name}/{}: solution refused: {why}", e.id));
            assert_eq!(full.score, e.max_points(), "{}: {:?}", e.id, full.goals);
            assert!(full.max_score > 0);
            match grade(&p, &e.id, &link(e, "attempt")) {
                Ok(g) => assert!(
                    g.score < g.max_score,
                    "{}: the non-solution scored full",
                    e.id
                ),
                Err(why) => panic!(
                    "{}: the non-solution should be graded, not refused: {why}",
                    e.id
                ),
            }
        }
    }
}

fn raft() -> (Pack, Exercise) {
    let p = pack("raft");
    let e = p.find("raft-term-3").unwrap().clone();
    (p, e)
}

#[test]
fn a_link_for_another_exercise_is_refused() {
    let (p, e) = raft();
    let why = grade(&p, "raft-depose", &link(&e, "solution")).unwrap_err();
    assert_eq!(
        why,
        "the link is for exercise \"raft-term-3\", not \"raft-depose\""
    );
}

#[test]
fn a_link_made_against_a_changed_exercise_is_refused() {
    let (p, e) = raft();
    let mut changed = e.clone();
    changed.budget = Some(9);
    let why = grade(&p, &e.id, &link(&changed, "solution")).unwrap_err();
    assert!(why.contains("another version of \"raft-term-3\""), "{why}");
    // A hand-edited hash too.
    let tampered = link(&e, "solution").replace(&e.content_hash(), "0123456789abcdef");
    assert!(
        grade(&p, &e.id, &tampered)
            .unwrap_err()
            .contains("another version")
    );
}

#[test]
fn a_tampered_run_is_refused() {
    let (p, e) = raft();
    let mut run = stored(&e.id, "solution");
    run.seed = 2;
    let why = grade(&p, &e.id, &solution_link("x", &e, &run)).unwrap_err();
    assert!(why.contains("not the exercise's starting run"), "{why}");
    // Dropping an action the exercise itself schedules (n3's crash in hashing-shrink).
    let hashing = pack("hashing");
    let shrink = hashing.find("hashing-shrink").unwrap();
    let mut cut = stored(&shrink.id, "solution");
    cut.actions.remove(0);
    let why = grade(&hashing, &shrink.id, &solution_link("x", shrink, &cut)).unwrap_err();
    assert!(why.contains("lacks the exercise's own action"), "{why}");
}

#[test]
fn over_budget_and_forbidden_controls_are_refused() {
    let (p, e) = raft();
    let mut run = stored(&e.id, "solution");
    let extra = run.actions[0].clone();
    run.actions.push(extra);
    let why = grade(&p, &e.id, &solution_link("x", &e, &run)).unwrap_err();
    assert_eq!(why, "over budget: 5 actions, the exercise allows 4");
    let mut run = stored(&e.id, "solution");
    run.actions[0].action = splitbrain_sim::Action::Heal;
    let why = grade(&p, &e.id, &solution_link("x", &e, &run)).unwrap_err();
    assert!(why.contains("needs the partition control"), "{why}");
}

#[test]
fn malformed_and_oversized_links_are_refused_with_one_line() {
    let (p, e) = raft();
    let hash = e.content_hash();
    let cases = [
        ("https://x/?exercise=raft-term-3".to_string(), "has no run"),
        (
            format!("?exercise=raft-term-3&hash={hash}&run=%7B"),
            "bad JSON",
        ),
        (
            format!("?exercise=raft-term-3&hash={hash}&run=%FF"),
            "not valid UTF-8",
        ),
        (
            format!(
                "?exercise=raft-term-3&hash={hash}&run=%7B%22lab%22%3A%22raft%22%2C%22nodes%22%3A1000000000%7D"
            ),
            "nodes must be between",
        ),
        ("?run=x&hash=y".to_string(), "bad TOML"),
        (
            format!(
                "?exercise=raft-term-3&hash={hash}&run={}",
                "a".repeat(300_000)
            ),
            "the limit is",
        ),
        ("not a link at all".to_string(), "has no run"),
    ];
    for (link, want) in cases {
        let why = grade(&p, "raft-term-3", &link).unwrap_err();
        assert!(why.contains(want), "{link:.80}: {why}");
        assert!(!why.contains('\n'));
    }
    assert!(
        grade(&p, "no-such-exercise", "?")
            .unwrap_err()
            .contains("has no exercise")
    );
}

#[test]
fn bad_exercises_are_refused_with_the_reason() {
    let (_, e) = raft();
    let with = |f: &dyn Fn(&mut Exercise)| {
        let mut x = e.clone();
        f(&mut x);
        x.validate().unwrap_err()
    };
    let goal = |json: &str| serde_json::from_str(json).unwrap();
    assert!(with(&|x| x.lab = "quantum".into()).contains("unknown lab"));
    assert!(with(&|x| x.controls = "crash,load".into()).contains("load"));
    assert!(with(&|x| x.controls = "teleport".into()).contains("unknown control"));
    assert!(with(&|x| x.id = "has space".into()).contains("an id is"));
    assert!(with(&|x| x.goals.clear()).contains("1 to 20 goals"));
    assert!(
        with(&|x| x.goals[0].check = goal(r#"{"node_down":{"node":7}}"#)).contains("nodes 0 to 4")
    );
    assert!(
        with(&|x| x.goals[0].check = goal(r#"{"violation":{"invariant":"Nope"}}"#))
            .contains("ElectionSafety")
    );
    assert!(
        with(&|x| x.goals[0].check = goal(r#"{"keys_moved_below":{"share":0.1}}"#))
            .contains("not something the raft lab has")
    );
    assert!(
        with(&|x| x.goals[0].check = goal(r#"{"no_progress_for":{"s":1e300}}"#))
            .contains("at most")
    );
    assert!(with(&|x| x.start = serde_json::json!({"nodes": 1_000_000_000})).contains("nodes"));
    assert!(
        with(&|x| x.start = serde_json::json!({"lab": "paxos"})).contains("must not name a lab")
    );
    let mut deep = serde_json::json!({"node_down": {"node": 0}});
    for _ in 0..10 {
        deep = serde_json::json!({ "not": deep });
    }
    let deep: splitbrain_exercise::Goal = serde_json::from_value(deep).unwrap();
    assert!(with(&|x| x.goals[0].check = deep.clone()).contains("nest"));
    let mut twice = pack("raft");
    twice.exercises.push(e.clone());
    assert!(
        twice
            .validate()
            .unwrap_err()
            .contains("two exercises are called")
    );
}

/// The met times of a watched run played to the time limit in steps of the given sizes.
fn met_in_steps(e: &Exercise, run: &RunDescription, steps: &[Time]) -> Vec<Option<Time>> {
    let mut lab = splitbrain_labs::build(run, 0).unwrap();
    lab.set_watch(Some(Box::new(e.tracker())));
    let mut t = 0;
    for &s in steps.iter().cycle() {
        t = (t + s).min(e.time_limit);
        while lab.run_until(t, 1_000) == RunOutcome::Budget {}
        if t == e.time_limit {
            break;
        }
    }
    Tracker::of(lab.as_ref()).unwrap().met().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The page advances by frames of any length and the grader in one go: both see the same
    /// events, so goals are met at the same instants.
    #[test]
    fn goals_are_met_at_the_same_instants_whatever_the_frame_steps(
        steps in proptest::collection::vec(1_000u64..400_000, 1..8),
        which in 0usize..4,
    ) {
        let id = ["raft-term-3", "paxos-livelock", "hashing-shrink", "balance-overload"][which];
        let (_, p) = shipped().into_iter().find(|(_, p)| p.find(id).is_some()).unwrap();
        let e = p.find(id).unwrap();
        let run = stored(id, "solution");
        let whole = met_in_steps(e, &run, &[e.time_limit]);
        prop_assert!(whole.iter().all(Option::is_some));
        prop_assert_eq!(met_in_steps(e, &run, &steps), whole);
    }
}

#[test]
fn grading_is_the_same_twice_and_the_exercise_hash_covers_everything() {
    let (p, e) = raft();
    let l = link(&e, "solution");
    assert_eq!(grade(&p, &e.id, &l), grade(&p, &e.id, &l));
    let mut hint = e.clone();
    hint.hints.push("one more".into());
    assert_ne!(hint.content_hash(), e.content_hash());
    assert_eq!(e.content_hash().len(), 16);
}

#[test]
fn live_actions_and_the_replayed_link_meet_the_goals_at_the_same_instants() {
    let (p, e) = raft();
    let run = stored(&e.id, "solution");
    let mut lab = e.watched(&e.run().unwrap(), 0).unwrap();
    for a in &run.actions {
        lab.run_until(a.at, u64::MAX);
        lab.control(&a.action).unwrap();
    }
    lab.run_until(e.time_limit, u64::MAX);
    let graded = grade(&p, &e.id, &link(&e, "solution")).unwrap();
    let live = splitbrain_exercise::result(&e, lab.as_ref(), run.actions.len());
    assert_eq!(live, graded);
}

/// The JSON schema teachers' editors validate against lists every goal and every field.
#[test]
fn the_schema_lists_every_goal_and_every_exercise_field() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../exercises/exercise.schema.json")).unwrap();
    let goals: Vec<String> = schema["$defs"]["goal"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["properties"].as_object().unwrap().keys().cloned())
        .collect();
    let one = |json: &str| -> splitbrain_exercise::Goal { serde_json::from_str(json).unwrap() };
    let every = [
        one(r#"{"leader_elected":{}}"#),
        one(r#"{"term_at_least":{"term":1}}"#),
        one(r#"{"node_down":{"node":0}}"#),
        one(r#"{"violation":{}}"#),
        one(r#"{"value_chosen":{"slot":0}}"#),
        one(r#"{"progress_at_least":{"n":1}}"#),
        one(r#"{"no_progress_for":{"s":1}}"#),
        one(r#"{"p99_below":{"ms":1,"window_s":1}}"#),
        one(r#"{"p99_above":{"ms":1,"window_s":1}}"#),
        one(r#"{"keys_moved_below":{"share":0.1}}"#),
        one(r#"{"changes_done":{"n":1}}"#),
        one(r#"{"servers":{"n":1}}"#),
        one(r#"{"unavailable_at_most":{"keys":0}}"#),
        one(r#"{"not_linearizable":{}}"#),
        one(r#"{"all":[]}"#),
        one(r#"{"any":[]}"#),
        one(r#"{"not":{"servers":{"n":1}}}"#),
        one(r#"{"always":{"servers":{"n":1}}}"#),
        one(r#"{"within":{"s":1,"goal":{"servers":{"n":1}}}}"#),
    ];
    let names: Vec<String> = every
        .iter()
        .map(|g| {
            let v = serde_json::to_value(g).unwrap();
            v.as_object().unwrap().keys().next().unwrap().clone()
        })
        .collect();
    assert_eq!(names, goals, "the schema's goals, in the enum's order");
    let (_, mut e) = raft();
    e.budget = Some(1);
    e.rewind = false;
    let fields: Vec<String> = serde_json::to_value(&e)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut listed: Vec<String> = schema["$defs"]["exercise"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    listed.sort();
    assert_eq!(fields, listed);
}

/// Rewinding is on unless an exercise says `rewind = false`, which survives the JSON a link
/// or the page's builder carries; a start may not switch the page's automatic traffic on.
#[test]
fn rewind_defaults_on_and_a_start_cannot_set_traffic() {
    let (_, e) = raft();
    assert!(e.rewind, "the shipped packs allow going back");
    let mut off = e.clone();
    off.rewind = false;
    let json = serde_json::to_string(&off).unwrap();
    assert!(json.contains("\"rewind\":false"));
    let back: Exercise = serde_json::from_str(&json).unwrap();
    assert!(!back.rewind);
    assert_ne!(off.content_hash(), e.content_hash(), "another version");
    let mut busy = e.clone();
    busy.start["traffic"] = serde_json::json!({"next": "0.1s"});
    assert!(busy.run().unwrap_err().contains("must not set traffic"));
}
