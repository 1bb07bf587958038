//! A guided tour in the page: the runner ([`TourRun`]) and what the card shows around it (the
//! step's parsed narration, when its hint may show), the reader's progress kept in
//! `localStorage`, and the first-visit offer. No browser calls here but the storage ones.

use splitbrain_tour::markdown::{self, Text};
use splitbrain_tour::{HINT_AFTER_S, Tour, TourRun};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Where the reader's progress through each tour is kept.
const PROGRESS_KEY: &str = "splitbrain-tours";
/// Set once the first-visit offer was dismissed or taken: it never shows again.
const OFFER_KEY: &str = "splitbrain-tour-offer";

/// What the tour card and the keys ask of the shell.
#[derive(Clone, Debug, PartialEq)]
pub enum TourMsg {
    /// Open the tour called this, at this step (from 0), or where the reader left it.
    Start(String, Option<usize>),
    /// Continue: the next step, or past a wait.
    Next,
    /// The step before, as it started.
    Back,
    /// This step as it started, again.
    Again,
    /// Show the task's hint now.
    Hint,
    /// Leave the tour; the run stays as it is.
    Close,
    /// The first-visit offer was answered: `true` took it.
    Offer(bool),
}

/// The tour being played.
pub struct TourMode {
    /// The runner.
    pub run: TourRun,
    /// Each step's narration, parsed once (the card renders it every time it redraws).
    pub texts: Rc<Vec<Text>>,
    /// Each task's hint, parsed once (empty for other steps).
    pub hints: Rc<Vec<Text>>,
    /// Wall-clock ms when the shown step started, for its hint.
    pub since: f64,
    /// The hint shows.
    pub hint: bool,
}

impl TourMode {
    /// Wraps a runner, parsing the tour's text.
    pub fn new(run: TourRun, wall: f64) -> TourMode {
        let tour = run.tour().clone();
        let parse = |s: &str| markdown::parse(s).unwrap_or_default();
        let texts = (0..tour.len())
            .filter_map(|i| tour.at(i))
            .map(|a| parse(&a.step.text))
            .collect();
        let hints = (0..tour.len())
            .filter_map(|i| tour.at(i))
            .map(|a| {
                a.step
                    .task
                    .as_ref()
                    .map(|t| parse(&t.hint))
                    .unwrap_or_default()
            })
            .collect();
        TourMode {
            run,
            texts: Rc::new(texts),
            hints: Rc::new(hints),
            since: wall,
            hint: false,
        }
    }

    /// The step changed: its hint waits again.
    pub fn stepped(&mut self, wall: f64) {
        self.since = wall;
        self.hint = false;
    }

    /// Whether the shown step's hint is due (after its wait, on the reader's clock); `true`
    /// when that changed the card.
    pub fn hint_due(&mut self, wall: f64) -> bool {
        if self.hint {
            return false;
        }
        let Some(task) = &self.run.current().task else {
            return false;
        };
        let after = task.hint_after.unwrap_or(HINT_AFTER_S);
        if wall - self.since >= after * 1_000.0 {
            self.hint = true;
            return true;
        }
        false
    }

    /// The step's words for the screen reader: "Step 3 of 22, Electing a leader: …".
    pub fn spoken(&self) -> String {
        let i = self.run.step();
        let tour = self.run.tour();
        let chapter = tour.at(i).map_or("", |a| a.chapter.title.as_str());
        let text = self.texts.get(i).map(markdown::plain).unwrap_or_default();
        format!("Step {} of {}, {chapter}: {text}", i + 1, tour.len())
    }
}

/// How far the reader got in each tour, by id: the step to resume at (from 0) and whether they
/// reached the end once. Kept as `raft 7 0;paxos 21 1`, read by hand: a serde format for three
/// numbers would cost the page more than it says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TourProgress {
    /// By tour id.
    pub tours: BTreeMap<String, Reached>,
}

/// One tour's progress.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reached {
    /// The step the reader was last on, from 0.
    pub step: usize,
    /// They saw the last step.
    pub done: bool,
}

impl TourProgress {
    /// This browser's progress (none when storage is off; what does not read is left out).
    pub fn load() -> TourProgress {
        storage()
            .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
            .map_or_else(TourProgress::default, |t| TourProgress::read(&t))
    }

    /// Reads the kept form, skipping what does not read.
    pub fn read(text: &str) -> TourProgress {
        let tours = text
            .split(';')
            .filter_map(|entry| {
                let mut w = entry.split(' ');
                let id = w.next().filter(|id| !id.is_empty())?;
                let step = w.next()?.parse().ok()?;
                let done = w.next()? == "1";
                Some((id.to_string(), Reached { step, done }))
            })
            .collect();
        TourProgress { tours }
    }

    /// The kept form.
    pub fn write(&self) -> String {
        self.tours
            .iter()
            .map(|(id, r)| format!("{id} {} {}", r.step, u8::from(r.done)))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Notes that the reader is on `step` of `id` (of `len` steps); `true` when it changed.
    pub fn reach(&mut self, id: &str, step: usize, len: usize) -> bool {
        let r = self.tours.entry(id.to_string()).or_default();
        let done = r.done || step + 1 >= len;
        if r.step == step && r.done == done {
            return false;
        }
        *r = Reached { step, done };
        true
    }

    /// Keeps it for the next visit.
    pub fn save(&self) {
        if let Some(s) = storage() {
            let _ = s.set_item(PROGRESS_KEY, &self.write());
        }
    }
}

/// Whether the first-visit offer was already answered in this browser.
pub fn offer_answered() -> bool {
    storage()
        .and_then(|s| s.get_item(OFFER_KEY).ok().flatten())
        .is_some()
}

/// Remembers that the offer was answered, so it never shows again.
pub fn answer_offer(took: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(OFFER_KEY, if took { "taken" } else { "dismissed" });
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The lab's menu title ("Raft"), or its name.
pub fn lab_title(lab: &str) -> &str {
    crate::bundles::all_labs()
        .find(|(name, _)| *name == lab)
        .map_or(lab, |(_, title)| title)
}

/// The shipped tour of `lab` in this bundle, if there is one.
pub fn of_lab(lab: &str) -> Option<Rc<Tour>> {
    splitbrain_tour::shipped()
        .into_iter()
        .find(|t| t.lab == lab)
        .map(Rc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_keeps_the_last_step_and_remembers_the_end() {
        let mut p = TourProgress::default();
        assert!(p.reach("raft", 3, 10));
        assert!(!p.reach("raft", 3, 10), "the same step is no change");
        assert!(p.reach("raft", 9, 10));
        assert!(p.tours["raft"].done);
        assert!(p.reach("raft", 2, 10), "going back is kept");
        assert!(p.tours["raft"].done, "and the end stays reached");
        p.reach("paxos", 0, 21);
        assert_eq!(p.write(), "paxos 0 0;raft 2 1");
        assert_eq!(TourProgress::read(&p.write()), p);
        assert_eq!(
            TourProgress::read("raft x 1;;{\"json\":1};paxos 3 0").write(),
            "paxos 3 0"
        );
    }

    #[test]
    fn a_hint_shows_after_its_wait_on_the_readers_clock() {
        let tour = Rc::new(
            splitbrain_tour::shipped()
                .into_iter()
                .find(|t| t.id == "raft")
                .unwrap(),
        );
        let task = (0..tour.len())
            .find(|i| tour.at(*i).unwrap().step.task.is_some())
            .unwrap();
        let mut player = splitbrain_player::Player::new(
            tour.chapter_run(0).unwrap().unwrap(),
            Vec::new(),
            splitbrain_player::TrafficState::off(),
            splitbrain_player::Options::default(),
        )
        .unwrap();
        let run = TourRun::begin(tour.clone(), task, &mut player).unwrap();
        let mut m = TourMode::new(run, 1_000.0);
        assert!(!m.hint_due(1_000.0 + HINT_AFTER_S * 1_000.0 - 1.0));
        assert!(m.hint_due(1_000.0 + HINT_AFTER_S * 1_000.0));
        assert!(!m.hint_due(1e9), "once");
        m.stepped(5e9);
        assert!(!m.hint);
        assert!(
            m.spoken()
                .starts_with(&format!("Step {} of {}", task + 1, tour.len()))
        );
    }
}
