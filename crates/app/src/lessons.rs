//! The exercise card, the exercise list and the teacher's builder, as the run moves.

use crate::app::*;
use crate::classroom::{ClassMsg, Progress};
use crate::page::{download, page_base};
use splitbrain_player::{Input, MarkerKind};
use yew::prelude::*;

impl App {
    /// Reads the exercise's checklist from the run after anything happened; when it changed,
    /// the card is redrawn, goals newly met go on the timeline, and a better result is kept
    /// (with its solution link once every goal is met).
    pub(crate) fn follow_lesson(&mut self) {
        let Some(l) = &mut self.lesson else {
            return;
        };
        let before = l.met.clone();
        if !l.read(self.player.lab()) {
            return;
        }
        let newly: Vec<String> = l
            .met
            .iter()
            .zip(&before)
            .zip(&l.exercise.goals)
            .filter(|((now, was), _)| now.is_some() && was.is_none())
            .map(|(_, g)| {
                let name = if g.name.is_empty() {
                    g.check.describe()
                } else {
                    g.name.clone()
                };
                format!("goal met: {name}")
            })
            .collect();
        for label in newly {
            self.player.mark(MarkerKind::Goal, label);
        }
        let Some(l) = &self.lesson else {
            return;
        };
        let (score, done) = (l.score(), l.done());
        // Watching someone's solution link is not solving it.
        if score == 0 || l.replayed {
            return;
        }
        let run = done.then(|| self.graded_run());
        let Some(l) = &mut self.lesson else {
            return;
        };
        let link = run.map(|run| {
            let link = splitbrain_exercise::solution_link(&page_base(), &l.exercise, &run);
            // A teacher's own exercise travels with its solutions, so they open in the page.
            if crate::classroom::find(&l.exercise.id).as_ref() == Some(&l.exercise) {
                link
            } else {
                let def = serde_json::to_string(&*l.exercise).unwrap_or_default();
                format!("{link}&def={}", splitbrain_exercise::encode(&def))
            }
        });
        l.solution = link.clone();
        let record = crate::classroom::Record {
            score,
            max: l.exercise.max_points(),
            link,
        };
        if self
            .progress
            .record(&crate::classroom::key(&l.exercise), record)
            && let Err(e) = self.progress.save()
        {
            self.ui.notice = Some(format!("Progress not kept: {e}"));
        }
    }

    /// The teacher's builder.
    pub(crate) fn author(&mut self, m: crate::author::AuthorMsg) {
        use crate::author::{AuthorMsg, Draft};
        match m {
            AuthorMsg::Open(true) => {
                self.ui.list_open = false;
                let _ = self.player.apply(Input::Pause);
                self.draft = Some(Draft::new(self.graded_run(), self.player.lab()));
            }
            AuthorMsg::Open(false) => self.draft = None,
            AuthorMsg::Download => {
                if let Some(d) = &self.draft {
                    match d.exercise() {
                        Ok(e) => download(&format!("{}.toml", e.id), "application/toml", d.toml()),
                        Err(e) => self.ui.notice = Some(e.clone()),
                    }
                }
            }
            m => {
                let first = self
                    .player
                    .lab()
                    .invariant_names()
                    .first()
                    .copied()
                    .unwrap_or("");
                if let Some(d) = &mut self.draft {
                    d.edit(m, first);
                }
            }
        }
    }

    /// The exercise card's and list's buttons.
    pub(crate) fn class(&mut self, ctx: &Context<Self>, m: ClassMsg) {
        match m {
            ClassMsg::Hint => {
                if let Some(l) = &mut self.lesson {
                    l.hints = (l.hints + 1).min(l.exercise.hints.len());
                }
            }
            ClassMsg::List(open) => {
                if open {
                    // Another tab may have solved something meanwhile.
                    self.progress = Progress::load();
                }
                self.ui.list_open = open;
            }
            ClassMsg::Export => match serde_json::to_string_pretty(&self.progress) {
                Ok(text) => download("splitbrain-progress.json", "application/json", &text),
                Err(e) => self.ui.notice = Some(format!("Cannot export: {e}")),
            },
            ClassMsg::ImportFile(file)
                if file.size() > crate::classroom::MAX_PROGRESS_BYTES as f64 =>
            {
                self.ui.notice = Some(format!(
                    "Not imported: the file is {} bytes; a progress file is at most {}",
                    file.size(),
                    crate::classroom::MAX_PROGRESS_BYTES
                ));
            }
            ClassMsg::ImportFile(file) => {
                let link = ctx.link().clone();
                self.reader = Some(gloo::file::callbacks::read_as_text(
                    &gloo::file::File::from(file),
                    move |r| {
                        link.send_message(Msg::Class(ClassMsg::Imported(
                            r.map_err(|e| e.to_string()),
                        )))
                    },
                ));
            }
            ClassMsg::Imported(text) => {
                self.reader = None;
                self.ui.notice = Some(match text.and_then(|t| Progress::parse(&t)) {
                    Ok(other) => {
                        let mut merged = Progress::load();
                        let better = merged.merge(other);
                        match merged.save() {
                            Ok(()) => {
                                self.progress = merged;
                                format!("Imported: {better} results better than this browser's")
                            }
                            Err(e) => format!("Not imported: {e}"),
                        }
                    }
                    Err(e) => format!("Not imported: {e}"),
                });
            }
            ClassMsg::Copy => {
                if let (Some(w), Some(link)) = (
                    web_sys::window(),
                    self.lesson.as_ref().and_then(|l| l.solution.as_ref()),
                ) {
                    let _ = w.navigator().clipboard().write_text(link);
                    self.ui.notice = Some("Solution link copied.".into());
                }
            }
        }
    }
}
