//! Every shipped tour, played as the page plays it: it parses and validates against its lab,
//! plays to the end through its reference answers within a time budget, and the page's
//! frame-by-frame play reaches every step from the same run as that reference.

use proptest::prelude::*;
use splitbrain_player::{Options, Player, TrafficState};
use splitbrain_sim::{Lab, Time, format_time, secs};
use splitbrain_tour::{Ending, Tour, TourRun, markdown, shipped_json};
use std::rc::Rc;

fn tours() -> Vec<Rc<Tour>> {
    shipped_json()
        .into_iter()
        .map(|j| Rc::new(Tour::parse(j).unwrap_or_else(|e| panic!("{e}"))))
        .collect()
}

/// A player as the page makes one, on the tour's first run (the tour loads its own).
fn player(tour: &Tour) -> Player {
    let run = tour.chapter_run(0).unwrap().unwrap();
    Player::new(run, Vec::new(), TrafficState::off(), Options::default()).unwrap()
}

/// One line per node: role and summary, for reading a tour's run while writing it.
fn roles(lab: &dyn Lab) -> String {
    lab.view()
        .nodes
        .iter()
        .map(|n| {
            if n.up {
                format!("n{} {} ({})", n.id, n.view.role, n.view.summary)
            } else {
                format!("n{} down", n.id)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn every_lab_the_issue_names_has_a_tour() {
    let labs: Vec<String> = tours().iter().map(|t| t.lab.clone()).collect();
    let named = ["raft", "paxos", "hashing", "balance"];
    for lab in named {
        assert!(labs.iter().any(|l| l == lab), "no tour for {lab}: {labs:?}");
    }
}

#[test]
fn every_tour_plays_to_the_end_through_its_reference_answers() {
    for tour in tours() {
        let mut p = player(&tour);
        let mut run = TourRun::begin(tour.clone(), 0, &mut p).unwrap();
        println!("== {} ({} steps)", tour.id, tour.len());
        for i in 0..tour.len() {
            assert_eq!(run.step(), i);
            println!(
                "step {:2} at {:>10}: {}",
                i + 1,
                format_time(p.now()),
                roles(p.lab())
            );
            let last = i + 1 == tour.len();
            if !last {
                run.go(i + 1, &mut p)
                    .unwrap_or_else(|e| panic!("{}: {e}", tour.id));
            }
        }
        assert!(
            p.lab().violations().is_empty() || tour.id.contains("raft"),
            "{}: {:?}",
            tour.id,
            p.lab().violations()
        );
        // The budget, in the engine's own units: a cold link to the last step stays quick.
        assert!(
            p.lab().events() < 200_000,
            "{} needs {} events to play",
            tour.id,
            p.lab().events()
        );
    }
}

/// The page's way through a tour: frames of `frames` wall milliseconds at the tour's speeds,
/// Continue pressed at once, each task's answer given as its step starts. Returns each step's
/// start time and the run's fingerprint there.
fn play_by_frames(tour: &Rc<Tour>, frames: &[f64]) -> Vec<(Time, u64)> {
    let mut p = player(tour);
    let mut run = TourRun::begin(tour.clone(), 0, &mut p).unwrap();
    let mut seen = vec![(p.now(), p.lab().trace_hash())];
    let mut answered = usize::MAX;
    let mut f = 0;
    while !run.finished() {
        let i = run.step();
        match run.current().ending() {
            Ending::Continue => run.next(&mut p).unwrap(),
            Ending::Task(t) if answered != i => {
                answered = i;
                for a in &t.answer {
                    p.apply(splitbrain_player::Input::Act(a.clone())).unwrap();
                }
            }
            _ => {
                p.tick(frames[f % frames.len()], u64::MAX);
                f += 1;
                assert!(f < 1_000_000, "{} stuck at step {}", tour.id, i + 1);
                run.frame(&mut p).unwrap();
            }
        }
        if run.step() != i && !run.finished() {
            seen.push((p.now(), p.lab().trace_hash()));
        }
    }
    seen
}

/// The reference play's step starts.
fn reference(tour: &Rc<Tour>) -> Vec<(Time, u64)> {
    let mut p = player(tour);
    let mut run = TourRun::begin(tour.clone(), 0, &mut p).unwrap();
    let mut seen = vec![(p.now(), p.lab().trace_hash())];
    for i in 1..tour.len() {
        run.go(i, &mut p).unwrap();
        seen.push((p.now(), p.lab().trace_hash()));
    }
    seen
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// Whatever the frame rate, a step that waits ends at the event it waits for, so the page
    /// reaches every step from the same run as a cold link does.
    #[test]
    fn frames_of_any_length_reach_every_step_from_the_reference_run(
        frames in prop::collection::vec(1.0f64..120.0, 1..8)
    ) {
        for tour in tours() {
            prop_assert_eq!(play_by_frames(&tour, &frames), reference(&tour), "{}", tour.id);
        }
    }
}

#[test]
fn back_restores_each_step_as_it_started_and_forward_again_is_the_same() {
    for tour in tours() {
        let starts = reference(&tour);
        let mut p = player(&tour);
        let last = tour.len() - 1;
        let mut run = TourRun::begin(tour.clone(), last, &mut p).unwrap();
        for i in (0..last).rev() {
            run.back(&mut p).unwrap();
            assert_eq!(run.step(), i);
            assert_eq!(
                (p.now(), p.lab().trace_hash()),
                starts[i],
                "{} back to step {}",
                tour.id,
                i + 1
            );
        }
        assert!(run.back(&mut p).is_err(), "nothing before the first step");
        run.go(last, &mut p).unwrap();
        assert_eq!((p.now(), p.lab().trace_hash()), starts[last]);
        assert_eq!(
            p.branches().len(),
            1,
            "{}: going back and forth made no branch",
            tour.id
        );
    }
}

#[test]
fn a_step_link_opened_cold_is_the_same_run_every_time() {
    for tour in tours() {
        let starts = reference(&tour);
        for i in [1, tour.len() / 2, tour.len() - 1] {
            let mut p = player(&tour);
            let run = TourRun::begin(tour.clone(), i, &mut p).unwrap();
            assert_eq!(run.step(), i);
            assert_eq!(
                (p.now(), p.lab().trace_hash()),
                starts[i],
                "{} step {}",
                tour.id,
                i + 1
            );
        }
    }
}

#[test]
fn a_reader_who_acts_replaces_the_later_steps_and_back_still_restores() {
    let tour = tours().into_iter().find(|t| t.id == "raft").unwrap();
    let starts = reference(&tour);
    let mut p = player(&tour);
    let mut run = TourRun::begin(tour.clone(), 10, &mut p).unwrap();
    run.back(&mut p).unwrap();
    // The reader crashes n0 during step 10 instead of reading on.
    p.apply(splitbrain_player::Input::Act(
        splitbrain_sim::Action::Crash { node: 0 },
    ))
    .unwrap();
    run.reader_acted();
    run.next(&mut p).unwrap();
    assert_eq!(run.step(), 10);
    assert!(
        !p.lab().view().nodes[0].up,
        "step 11 starts from the reader's run"
    );
    run.back(&mut p).unwrap();
    assert_eq!((p.now(), p.lab().trace_hash()), starts[9]);
}

#[test]
fn every_step_says_something_and_tasks_say_how() {
    for tour in tours() {
        for i in 0..tour.len() {
            let at = tour.at(i).unwrap();
            let text = markdown::parse(&at.step.text).unwrap();
            assert!(
                markdown::plain(&text).split_whitespace().count() >= 8,
                "{} step {}",
                tour.id,
                i + 1
            );
            if let Ending::Task(t) = at.step.ending() {
                assert!(
                    at.step.text.contains("Your turn"),
                    "{} step {}: a task says it is the reader's turn",
                    tour.id,
                    i + 1
                );
                assert!(!t.answer.is_empty());
            }
        }
        let minutes = estimated_minutes(&tour);
        println!(
            "{}: about {minutes:.1} minutes (says {})",
            tour.id, tour.minutes
        );
        assert!(
            (10.0..=20.0).contains(&minutes),
            "{}: about {minutes:.1} minutes for a newcomer; the issue asks 10 to 20",
            tour.id
        );
    }
}

/// How long a newcomer takes: reading at 150 words a minute, each wait or `after` at its
/// speed in wall time, and half a minute per task.
fn estimated_minutes(tour: &Rc<Tour>) -> f64 {
    let starts = reference(tour);
    let mut speed = splitbrain_labs::find(&tour.lab).unwrap().page_speed;
    let mut seconds = 0.0;
    for i in 0..tour.len() {
        let step = tour.at(i).unwrap().step;
        speed = step.speed.unwrap_or(speed);
        let words = markdown::plain(&markdown::parse(&step.text).unwrap())
            .split_whitespace()
            .count();
        seconds += words as f64 / 150.0 * 60.0;
        if !matches!(step.ending(), Ending::Continue) {
            // How long the step plays: to the next step's start, or (when the next chapter
            // loads a run of its own, or it is the last) to where its own ending lies.
            let next_loads = tour
                .at(i + 1)
                .is_none_or(|a| a.first_of_chapter && a.chapter.run.is_some());
            let end = if next_loads {
                let mut p = player(tour);
                let mut run = TourRun::begin(tour.clone(), i, &mut p).unwrap();
                run.finish_as_reference(&mut p).unwrap();
                p.now()
            } else {
                starts[i + 1].0
            };
            let virtual_s = end.saturating_sub(starts[i].0) as f64 / secs(1) as f64;
            seconds += virtual_s / speed;
        }
        if matches!(step.ending(), Ending::Task(_)) {
            seconds += 30.0;
        }
    }
    seconds / 60.0
}

#[test]
fn a_wait_that_looks_back_keeps_counting_across_frames() {
    // No progress for 0.3 s needs the tracker that saw the last commit: a watch made anew on
    // each frame would never see 0.3 s pass.
    let json = r#"{"id":"t","lab":"raft","title":"t","summary":"t","minutes":1,"chapter":[{"title":"c",
        "run":{"seed":1,"network":{"latency":"10ms..20ms"}},
        "step":[{"text":"wait for the cluster to go quiet for a while now","wait":{"all":[{"leader_elected":{}},{"no_progress_for":{"s":0.3}}]}},
                {"text":"and this is the end of this little test tour"}]}]}"#;
    let tour = Rc::new(Tour::parse(json).unwrap());
    let by_frames = play_by_frames(&tour, &[16.0]);
    assert_eq!(by_frames, reference(&tour));
    assert!(by_frames[1].0 > secs(0), "the wait ended after a while");
}
