//! The teacher's exercise builder: the current run (with what was done in it so far) becomes an
//! exercise's start; the teacher picks the controls, the budget and goals from the predicates
//! this lab can answer, and takes away the TOML file `splitbrain grade` reads and a link that
//! opens the exercise for students.

use splitbrain_exercise::{Exercise, Goal, GoalSpec, Level, exercise_toml};
use splitbrain_labs::RunDescription;
use splitbrain_sim::{Lab, parse_duration};
use yew::prelude::*;

/// The predicates offered, with the parameters a new goal starts from.
const TEMPLATES: &[(&str, &[(&str, &str)])] = &[
    ("leader_elected", &[("min_term", "2")]),
    ("term_at_least", &[("term", "5")]),
    ("node_down", &[("node", "0")]),
    ("violation", &[("invariant", "")]),
    ("value_chosen", &[("slot", "1")]),
    ("progress_at_least", &[("n", "3")]),
    ("no_progress_for", &[("s", "5")]),
    ("p99_below", &[("ms", "1000"), ("window_s", "30")]),
    ("p99_above", &[("ms", "3000"), ("window_s", "30")]),
    ("keys_moved_below", &[("share", "0.2")]),
    ("changes_done", &[("n", "1")]),
    ("servers", &[("n", "6")]),
    ("unavailable_at_most", &[("keys", "0")]),
    ("not_linearizable", &[]),
];

/// The controls a teacher can give, in the embed's words.
const CONTROLS: [&str; 4] = ["crash", "partition", "request", "network"];

/// What the builder asks the shell to do.
pub enum AuthorMsg {
    /// Open (from the current run) or close the builder.
    Open(bool),
    /// A text field changed: which, and its text.
    Field(&'static str, String),
    /// Toggle one of [`CONTROLS`].
    Control(usize),
    /// Add a goal of this predicate.
    AddGoal(String),
    /// Remove goal `i`.
    RemoveGoal(usize),
    /// Goal `i`'s parameter `j` changed.
    GoalParam(usize, usize, String),
    /// Goal `i`'s points changed.
    GoalPoints(usize, String),
    /// Save the TOML as a file.
    Download,
}

/// One goal being written: a predicate and its parameters as typed.
#[derive(Clone)]
struct DraftGoal {
    kind: String,
    params: Vec<(String, String)>,
    points: String,
}

/// An exercise being written.
pub struct Draft {
    run: RunDescription,
    id: String,
    title: String,
    brief: String,
    level: String,
    time_limit: String,
    budget: String,
    hints: String,
    controls: [bool; 4],
    goals: Vec<DraftGoal>,
    /// The predicates this lab can answer.
    offered: Vec<&'static str>,
    /// The exercise as last edited, checked (building a lab), so drawing it costs nothing.
    result: Result<Exercise, String>,
    /// Its TOML and its `def=` query value, written once per edit.
    toml: String,
    def: String,
}

impl Draft {
    /// A draft starting from `run` (the page's run with its actions so far) in `lab`.
    pub fn new(run: RunDescription, lab: &dyn Lab) -> Draft {
        let invariant = lab.invariant_names().first().copied().unwrap_or("");
        let offered = TEMPLATES
            .iter()
            .filter(|(kind, params)| {
                goal_of(kind, &defaults(params, invariant)).is_ok_and(|g| g.validate(lab).is_ok())
            })
            .map(|(kind, _)| *kind)
            .collect();
        let mut d = Draft {
            id: format!("{}-my-exercise", run.lab),
            title: "My exercise".into(),
            brief: "What should the student make happen?".into(),
            level: "practice".into(),
            time_limit: "30s".into(),
            budget: "3".into(),
            hints: String::new(),
            controls: [true, true, true, false],
            goals: Vec::new(),
            offered,
            run,
            result: Err(String::new()),
            toml: String::new(),
            def: String::new(),
        };
        d.refresh();
        d
    }

    /// The exercise as written so far, checked as the grader checks it.
    pub fn exercise(&self) -> &Result<Exercise, String> {
        &self.result
    }

    /// Its file (empty while it has an error).
    pub fn toml(&self) -> &str {
        &self.toml
    }

    /// Applies an edit.
    pub fn edit(&mut self, m: AuthorMsg, invariant: &str) {
        match m {
            AuthorMsg::Field(f, v) => match f {
                "id" => self.id = v,
                "title" => self.title = v,
                "brief" => self.brief = v,
                "level" => self.level = v,
                "time_limit" => self.time_limit = v,
                "budget" => self.budget = v,
                "hints" => self.hints = v,
                _ => {}
            },
            AuthorMsg::Control(i) => {
                if let Some(c) = self.controls.get_mut(i) {
                    *c = !*c;
                }
            }
            AuthorMsg::AddGoal(kind) => {
                if let Some((k, params)) = TEMPLATES.iter().find(|(k, _)| *k == kind) {
                    self.goals.push(DraftGoal {
                        kind: k.to_string(),
                        params: defaults(params, invariant),
                        points: "1".into(),
                    });
                }
            }
            AuthorMsg::RemoveGoal(i) => {
                if i < self.goals.len() {
                    self.goals.remove(i);
                }
            }
            AuthorMsg::GoalParam(i, j, v) => {
                if let Some(p) = self.goals.get_mut(i).and_then(|g| g.params.get_mut(j)) {
                    p.1 = v;
                }
            }
            AuthorMsg::GoalPoints(i, v) => {
                if let Some(g) = self.goals.get_mut(i) {
                    g.points = v;
                }
            }
            AuthorMsg::Open(_) | AuthorMsg::Download => return,
        }
        self.refresh();
    }

    /// Checks the exercise and writes its file and link value.
    fn refresh(&mut self) {
        self.result = self.check();
        (self.toml, self.def) = match &self.result {
            Ok(e) => (
                exercise_toml(e),
                splitbrain_exercise::encode(&serde_json::to_string(e).unwrap_or_default()),
            ),
            Err(_) => (String::new(), String::new()),
        };
    }

    fn check(&self) -> Result<Exercise, String> {
        if self.run.seed > i64::MAX as u64 {
            return Err(format!(
                "seed {} is too large for a TOML file (at most {}): start from a smaller seed",
                self.run.seed,
                i64::MAX
            ));
        }
        let mut start: serde_json::Value =
            serde_json::from_str(&self.run.to_json()).map_err(|e| e.to_string())?;
        if let Some(o) = start.as_object_mut() {
            o.remove("lab");
            o.remove("until");
            o.remove("version");
        }
        let level: Level =
            serde_json::from_str(&serde_json::Value::from(self.level.clone()).to_string())
                .map_err(|_| format!("level {:?} is not guided, practice or hard", self.level))?;
        let budget = match self.budget.trim() {
            "" => None,
            b => Some(
                b.parse::<u32>()
                    .map_err(|_| format!("budget {b:?} is not a whole number"))?,
            ),
        };
        let goals =
            self.goals
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    Ok(GoalSpec {
                        name: String::new(),
                        points: g.points.trim().parse().map_err(|_| {
                            format!("goal {}: points must be a whole number", i + 1)
                        })?,
                        check: goal_of(&g.kind, &g.params)
                            .map_err(|e| format!("goal {}: {e}", i + 1))?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
        let e = Exercise {
            id: self.id.trim().into(),
            title: self.title.trim().into(),
            lab: self.run.lab.clone(),
            level,
            brief: self.brief.trim().into(),
            controls: CONTROLS
                .iter()
                .zip(self.controls)
                .filter(|(_, on)| *on)
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(","),
            budget,
            rewind: true,
            time_limit: parse_duration(self.time_limit.trim())
                .map_err(|e| format!("time limit: {}", e.0))?,
            hints: self
                .hints
                .lines()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(String::from)
                .collect(),
            start,
            goals,
        };
        e.validate()?;
        Ok(e)
    }
}

fn defaults(params: &[(&str, &str)], invariant: &str) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| {
            let v = if *k == "invariant" { invariant } else { v };
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// A goal from a predicate and its parameters as typed (numbers where they read as numbers).
fn goal_of(kind: &str, params: &[(String, String)]) -> Result<Goal, String> {
    let fields: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(k, v)| {
            let v = v.trim();
            let value = serde_json::from_str::<serde_json::Number>(v)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(v.to_string()));
            (k.clone(), value)
        })
        .collect();
    serde_json::from_str(&serde_json::json!({ kind: fields }).to_string())
        .map_err(|e| format!("{kind}: {e}"))
}

/// The builder's dialog.
pub fn view(d: &Draft, base: &str, on: &Callback<AuthorMsg>) -> Html {
    let field = |name: &'static str| {
        on.reform(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            AuthorMsg::Field(name, v)
        })
    };
    let area = |name: &'static str| {
        on.reform(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            AuthorMsg::Field(name, v)
        })
    };
    let result = d.exercise();
    let (toml, link) = (d.toml.clone(), format!("{base}?def={}", d.def));
    let close = on.reform(|_| AuthorMsg::Open(false));
    html! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-label="make an exercise" data-testid="author" onclick={close.clone()}>
            <div class="help-card author" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{ "Make an exercise from this run" }</h2>
                <p class="hint">{ format!("Students start from this run: {} lab, seed {}, {} nodes, and the {} taken so far.", d.run.lab, d.run.seed, d.run.nodes, splitbrain_sim::words::count(d.run.actions.len(), "action")) }</p>
                <div class="author-grid">
                    <label>{ "id" }<input value={d.id.clone()} oninput={field("id")} data-testid="author-id" /></label>
                    <label>{ "title" }<input value={d.title.clone()} oninput={field("title")} /></label>
                    <label class="wide">{ "task" }<textarea value={d.brief.clone()} oninput={area("brief")} rows="2" /></label>
                    <label>{ "level" }
                        <select onchange={on.reform(|e: Event| AuthorMsg::Field("level", e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                            { for ["guided", "practice", "hard"].iter().map(|l| html! { <option key={*l} value={*l} selected={d.level == *l}>{ *l }</option> }) }
                        </select>
                    </label>
                    <label>{ "judged until" }<input value={d.time_limit.clone()} oninput={field("time_limit")} size="6" /></label>
                    <label>{ "most actions" }<input value={d.budget.clone()} oninput={field("budget")} size="4" placeholder="any" /></label>
                    <fieldset class="wide"><legend>{ "the student may" }</legend>
                        { for CONTROLS.iter().enumerate().map(|(i, c)| html! {
                            <label key={*c} class="check"><input type="checkbox" checked={d.controls[i]} onclick={on.reform(move |_| AuthorMsg::Control(i))} />{ format!(" {c}") }</label>
                        }) }
                    </fieldset>
                    <label class="wide">{ "hints, one per line" }<textarea value={d.hints.clone()} oninput={area("hints")} rows="2" /></label>
                </div>
                <h3>{ "Goals" }</h3>
                <ol class="author-goals">
                    { for d.goals.iter().enumerate().map(|(i, g)| html! {
                        <li key={i}>
                            <code>{ &g.kind }</code>
                            { for g.params.iter().enumerate().map(|(j, (k, v))| html! {
                                <label key={k.clone()}>{ format!(" {k} ") }
                                    <input value={v.clone()} size="8" oninput={on.reform(move |e: InputEvent| AuthorMsg::GoalParam(i, j, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                                </label>
                            }) }
                            <label>{ " points " }<input value={g.points.clone()} size="3" oninput={on.reform(move |e: InputEvent| AuthorMsg::GoalPoints(i, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} /></label>
                            <button onclick={on.reform(move |_| AuthorMsg::RemoveGoal(i))} aria-label="remove goal">{ "×" }</button>
                        </li>
                    }) }
                </ol>
                <label>{ "add a goal " }
                    <select data-testid="author-add-goal" onchange={on.reform(|e: Event| {
                        let s = e.target_unchecked_into::<web_sys::HtmlSelectElement>();
                        let v = s.value();
                        s.set_value("");
                        AuthorMsg::AddGoal(v)
                    })}>
                        <option value="" selected=true>{ "choose…" }</option>
                        { for d.offered.iter().map(|k| html! { <option key={*k} value={*k}>{ *k }</option> }) }
                    </select>
                </label>
                { match result {
                    Err(e) => html! { <p class="author-error" role="alert" data-testid="author-error">{ e }</p> },
                    Ok(_) => html! { <>
                        <label class="wide">{ "exercise file (add it to a pack, then grade with splitbrain grade)" }
                            <textarea readonly=true value={toml} rows="10" data-testid="author-toml" />
                        </label>
                        <label class="wide">{ "link for students" }
                            <input readonly=true value={link} data-testid="author-link" />
                        </label>
                    </> },
                } }
                <div class="controls">
                    <button onclick={on.reform(|_| AuthorMsg::Download)} disabled={result.is_err()}>{ "Download TOML" }</button>
                    <button onclick={close}>{ "Close" }</button>
                </div>
            </div>
        </div>
    }
}
