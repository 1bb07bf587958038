//! The shell's side of a tour: opening one (from a link, the header, the first-visit offer or
//! an embed), the card's buttons and keys, the ending checked after every frame, and what the
//! page must redo when a step moved the run.

use crate::app::*;
use crate::tour::{TourMode, TourMsg, answer_offer};
use splitbrain_player::Input;

fn wall() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl App {
    /// Opens the tour `id` at `step` (from 0), or where this browser left it.
    pub(crate) fn start_tour(&mut self, id: &str, step: Option<usize>) {
        let Some(tour) = splitbrain_tour::find(id) else {
            // Another bundle's lab: its page has the tour.
            let query = format!(
                "?tour={id}{}",
                step.map_or(String::new(), |s| format!("&step={}", s + 1))
            );
            if let Some(url) = crate::bundles::elsewhere(id, &query)
                && let Some(w) = web_sys::window()
                && w.location().set_href(&url).is_ok()
            {
                return;
            }
            self.ui.notice = Some(format!("There is no tour called {id:?}."));
            return;
        };
        let saved = self.tour_progress.tours.get(id).copied();
        let step = step.unwrap_or_else(|| saved.filter(|r| !r.done).map_or(0, |r| r.step));
        // A tour runs its own runs: an open exercise closes.
        self.lesson = None;
        self.offer = None;
        answer_offer(true);
        match splitbrain_tour::TourRun::begin(std::rc::Rc::new(tour), step, &mut self.player) {
            // A notice already there (a part of the link refused) stays.
            Ok(run) => self.tour = Some(TourMode::new(run, wall())),
            Err(e) => self.ui.notice = Some(format!("The tour could not open: {e}")),
        }
        // A tour starts by loading its first chapter's run (a failed start may have, too).
        self.tour_moved(true);
    }

    /// A tour button, key or the offer.
    pub(crate) fn tour_msg(&mut self, m: TourMsg) -> bool {
        if let TourMsg::Start(id, step) = m {
            self.start_tour(&id, step);
            return true;
        }
        if let TourMsg::Offer(took) = m {
            answer_offer(took);
            let tour = self.offer.take();
            if took && let Some(t) = tour {
                self.start_tour(&t.id, None);
            }
            return true;
        }
        let Some(mode) = &mut self.tour else {
            return false;
        };
        let builds = mode.run.builds();
        let (i, len) = (mode.run.step(), mode.run.tour().len());
        let done = match m {
            // Ahead: a wait plays on to its event, a task is done as its answer does it.
            TourMsg::Next if i + 1 < len => mode.run.go(i + 1, &mut self.player),
            TourMsg::Next => mode.run.next(&mut self.player),
            TourMsg::Back => mode.run.back(&mut self.player),
            TourMsg::Again => mode.run.again(&mut self.player),
            TourMsg::Hint => {
                mode.hint = true;
                return true;
            }
            TourMsg::Close => {
                self.tour = None;
                self.player.set_watch(None);
                let _ = self.player.apply(Input::Pause);
                self.refresh();
                return true;
            }
            TourMsg::Start(..) | TourMsg::Offer(_) => Ok(()),
        };
        if let Err(e) = done {
            self.ui.notice = Some(e);
        }
        let rebuilt = self.tour.as_ref().is_some_and(|m| m.run.builds() != builds);
        self.tour_moved(rebuilt);
        true
    }

    /// After a frame: the step ends when its event happened or its time ran out, and the hint
    /// shows when due. Returns whether the page must redraw.
    pub(crate) fn follow_tour(&mut self) -> bool {
        let Some(mode) = &mut self.tour else {
            return false;
        };
        let builds = mode.run.builds();
        let redraw = mode.hint_due(wall());
        match mode.run.frame(&mut self.player) {
            Ok(false) => redraw,
            Ok(true) => {
                let rebuilt = mode.run.builds() != builds;
                self.tour_moved(rebuilt);
                true
            }
            Err(e) => {
                self.ui.notice = Some(e);
                true
            }
        }
    }

    /// The reader changed the run during the step (crashed a node, sent a request): the later
    /// steps start from what it became.
    pub(crate) fn tour_reader_acted(&mut self) {
        if let Some(m) = &mut self.tour {
            m.run.reader_acted();
        }
    }

    /// The tour moved the run: redraw it (from scratch when the tour loaded another run),
    /// keep the progress, and tell the embedding page and the screen reader.
    fn tour_moved(&mut self, rebuilt: bool) {
        if rebuilt {
            self.restarted();
        } else {
            self.rebaseline();
            self.refresh();
        }
        let Some(mode) = &mut self.tour else {
            return;
        };
        mode.stepped(wall());
        let (i, tour) = (mode.run.step(), mode.run.tour().clone());
        if self.tour_progress.reach(&tour.id, i, tour.len()) {
            self.tour_progress.save();
        }
        self.tour_said = mode.spoken().into();
        if let Some(e) = &self.embed {
            e.post(
                "tour-step",
                serde_json::json!({
                    "tour": tour.id,
                    "step": i + 1,
                    "steps": tour.len(),
                    "chapter": tour.at(i).map(|a| a.chapter.title.clone()),
                }),
            );
        }
    }
}
