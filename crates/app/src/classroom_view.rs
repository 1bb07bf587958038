//! The exercise card and the exercise list, drawn from a lesson and this browser's progress.

use crate::app::Msg;
use crate::classroom::*;
use crate::view::pure::View;
use splitbrain_exercise::Exercise;
use splitbrain_exercise::Level;
use splitbrain_sim::{Time, format_time};
use std::rc::Rc;
use yew::prelude::*;

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Guided => "guided",
        Level::Practice => "practice",
        Level::Hard => "hard",
    }
}

/// The open exercise: brief, checklist, budget, hints, and the solution once done.
#[derive(Clone)]
pub struct ExerciseCard {
    pub exercise: Rc<Exercise>,
    /// When each goal was met.
    pub met: Vec<Option<Time>>,
    /// Hints shown.
    pub hints: usize,
    /// The solution link, once every goal is met.
    pub solution: Option<AttrValue>,
    /// Actions taken on the graded branch.
    pub taken: usize,
    pub send: Callback<Msg>,
}

impl PartialEq for ExerciseCard {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.exercise, &other.exercise)
            && self.met == other.met
            && self.hints == other.hints
            && self.solution == other.solution
            && self.taken == other.taken
            && self.send == other.send
    }
}

impl ExerciseCard {
    /// The card for `l`.
    pub fn of(l: &Lesson, taken: usize, send: &Callback<Msg>) -> Self {
        ExerciseCard {
            exercise: l.exercise.clone(),
            met: l.met.clone(),
            hints: l.hints,
            solution: l.solution.clone().map(AttrValue::from),
            taken,
            send: send.clone(),
        }
    }
}

impl View for ExerciseCard {
    fn view(&self) -> Html {
        let p = self;
        let e = &p.exercise;
        let score = e.score(&p.met);
        html! {
            <section class="lesson" data-testid="lesson" aria-label="exercise">
                <header>
                    <span class={classes!("level", level_name(e.level))}>{ level_name(e.level) }</span>
                    <h2>{ &e.title }</h2>
                </header>
                <p class="brief">{ &e.brief }</p>
                <ul class="goals" data-testid="goals">
                    { for e.goals.iter().zip(&p.met).enumerate().map(|(i, (g, m))| html! {
                        <li key={i} class={classes!(m.is_some().then_some("met"))} data-met={m.is_some().to_string()}>
                            <span class="tick" aria-hidden="true">{ if m.is_some() { "✓" } else { "○" } }</span>
                            <span>{ g.label() }</span>
                            <span class="points">{ match m {
                                Some(t) => format!("{} pt · {}", g.points, format_time(*t)),
                                None => format!("{} pt", g.points),
                            } }</span>
                        </li>
                    }) }
                </ul>
                <p class="budget" data-testid="budget">{
                    format!(
                        "{score}/{} points · actions {}{} · judged until {}",
                        e.max_points(),
                        p.taken,
                        e.budget.map_or(String::new(), |b| format!(" of {b}")),
                        format_time(e.time_limit),
                    )
                }</p>
                if p.hints > 0 {
                    <ol class="hints" data-testid="hints">
                        { for e.hints.iter().take(p.hints).enumerate().map(|(i, h)| html! { <li key={i}>{ h }</li> }) }
                    </ol>
                }
                <div class="controls">
                    if p.hints < e.hints.len() {
                        <button onclick={p.send.reform(|_| Msg::Class(ClassMsg::Hint))}>{ format!("Hint ({} left)", e.hints.len() - p.hints) }</button>
                    }
                    <button onclick={p.send.reform(|_| Msg::Reset)} title="R">{ "Start over" }</button>
                    <button onclick={p.send.reform(|_| Msg::Class(ClassMsg::List(true)))}>{ "All exercises" }</button>
                </div>
                if let Some(link) = &p.solution {
                    <div class="solved" role="status" data-testid="solved">
                        <strong>{ "Solved. " }</strong>
                        { "Hand in this link: it replays your run exactly, and the grader checks the same goals." }
                        <label>{ "Solution link" }
                            <input readonly=true value={link.clone()} data-testid="solution-link" />
                        </label>
                        <button onclick={p.send.reform(|_| Msg::Class(ClassMsg::Copy))}>{ "Copy link" }</button>
                    </div>
                }
            </section>
        }
    }
}

/// Every shipped exercise, by lab, with this browser's progress; export and import.
/// `author` opens the teacher's builder on the current run.
pub fn view_list(
    progress: &Progress,
    here: Option<&str>,
    on: &Callback<ClassMsg>,
    author: Callback<MouseEvent>,
) -> Html {
    let close = on.reform(|_| ClassMsg::List(false));
    let export = on.reform(|_| ClassMsg::Export);
    let import = on.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        match input.files().and_then(|f| f.get(0)) {
            Some(file) => ClassMsg::ImportFile(file),
            None => ClassMsg::Imported(Err("no file chosen".into())),
        }
    });
    html! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-label="exercises" data-testid="exercise-list" onclick={close.clone()}>
            <div class="help-card exercise-list" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{ "Exercises" }</h2>
                <p class="hint">{ "Each exercise starts a run you act on. The checklist ticks as the engine sees each goal met; a solved exercise gives a link your teacher can grade." }</p>
                <section>
                    <h3>{ "Guided tours" }</h3>
                    <ol data-testid="tour-list">
                        { for splitbrain_tour::INDEX.iter().map(|t| {
                            let query = format!("?tour={}", t.id);
                            let href = crate::bundles::elsewhere(t.lab, &query).unwrap_or(query);
                            html! {
                                <li key={t.id}>
                                    <a href={href} data-tour={t.id}>{ t.title }</a>
                                    <span class="progress">{ format!("{} min", t.minutes) }</span>
                                </li>
                            }
                        }) }
                    </ol>
                </section>
                { PACKS.with(|packs| packs.iter().map(|(name, pack)| html! {
                    <section key={name.clone()}>
                        <h3>{ &pack.title }</h3>
                        <ol>
                            { for pack.exercises.iter().map(|e| {
                                let query = format!("?exercise={}", splitbrain_exercise::encode(&e.id));
                                let href = crate::bundles::elsewhere(&e.lab, &query).unwrap_or(query);
                                let rec = KEYS.with(|k| k.get(&e.id).and_then(|key| progress.of(key).cloned()));
                                let state = match rec {
                                    Some(r) if r.score == r.max => "✓ solved".to_string(),
                                    Some(r) => format!("{}/{} points", r.score, r.max),
                                    None => String::new(),
                                };
                                html! {
                                    <li key={e.id.clone()} class={classes!(here.is_some_and(|h| h == e.id).then_some("current"))}>
                                        <a href={href} data-exercise={e.id.clone()}>{ &e.title }</a>
                                        <span class={classes!("level", level_name(e.level))}>{ level_name(e.level) }</span>
                                        <span class="progress">{ state }</span>
                                    </li>
                                }
                            }) }
                        </ol>
                    </section>
                }).collect::<Html>()) }
                <div class="controls">
                    <button onclick={export} data-testid="export-progress">{ "Export progress" }</button>
                    <label class="file-button">{ "Import progress " }
                        <input type="file" accept="application/json,.json" onchange={import} data-testid="import-progress" />
                    </label>
                    <button onclick={author} data-testid="author-open" title="for teachers">{ "Make an exercise from this run…" }</button>
                    <button onclick={close}>{ "Close" }</button>
                </div>
            </div>
        </div>
    }
}
