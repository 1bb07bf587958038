//! `splitbrain grade` and `splitbrain exercises`: a class's solution links, replayed exactly and
//! scored against the exercise pack, in parallel across cores.

use crate::Fail;
use crate::args::{ExercisesArgs, GradeArgs, GradeFormat};
use rayon::prelude::*;
use serde::Serialize;
use splitbrain_exercise::{GoalResult, Pack, met_text, shipped};
use std::process::ExitCode;

/// The site a teacher's links point at (the grader reads only the query).
const BASE: &str = "https://splitbrain.example/";

/// Most submissions in one file.
const MAX_ROWS: usize = 100_000;
/// Largest submissions file.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// One graded (or refused) submission.
#[derive(Serialize)]
struct Row {
    student: String,
    exercise: String,
    score: u32,
    max_score: u32,
    /// `graded` or `rejected`.
    status: &'static str,
    /// Why it was refused (empty when graded).
    reason: String,
    goals: Vec<GoalResult>,
}

fn read(path: &std::path::Path, limit: u64) -> Result<String, Fail> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Fail(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > limit {
        return Err(Fail(format!(
            "{} is {} bytes; the limit is {limit}",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| Fail(format!("cannot read {}: {e}", path.display())))
}

fn load_pack(path: &std::path::Path) -> Result<Pack, Fail> {
    let text = read(path, splitbrain_sim::limits::MAX_SCENARIO_BYTES as u64)?;
    Pack::parse(&text).map_err(|e| Fail(format!("{}: {e}", path.display())))
}

/// (student, exercise, link) rows of a CSV with a header naming those columns.
fn submissions(path: &std::path::Path) -> Result<Vec<[String; 3]>, Fail> {
    let text = read(path, MAX_FILE_BYTES)?;
    let bad = |e: csv::Error| Fail(format!("{}: {e}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().map_err(bad)?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Fail(format!(
                    "{}: no {name} column (the header must name student, exercise and link)",
                    path.display()
                ))
            })
    };
    let cols = [column("student")?, column("exercise")?, column("link")?];
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(Fail(format!(
                "{}: more than {MAX_ROWS} submissions",
                path.display()
            )));
        }
        rows.push(cols.map(|c| record.get(c).unwrap_or("").trim().to_string()));
    }
    Ok(rows)
}

pub fn grade(a: GradeArgs) -> Result<ExitCode, Fail> {
    let pack = load_pack(&a.exercises)?;
    let rows = submissions(&a.solutions)?;
    let started = std::time::Instant::now();
    let graded: Vec<Row> = rows
        .par_iter()
        .map(|[student, exercise, link]| {
            let max_score = pack.find(exercise).map_or(0, |e| e.max_points());
            let base = Row {
                student: student.clone(),
                exercise: exercise.clone(),
                score: 0,
                max_score,
                status: "rejected",
                reason: String::new(),
                goals: Vec::new(),
            };
            match splitbrain_exercise::grade(&pack, exercise, link) {
                Ok(g) => Row {
                    score: g.score,
                    max_score: g.max_score,
                    status: "graded",
                    goals: g.goals,
                    ..base
                },
                Err(reason) => Row { reason, ..base },
            }
        })
        .collect();
    let took = started.elapsed().as_secs_f64();
    eprintln!(
        "graded {} submissions in {:.2} s ({:.0} per second, {} threads)",
        graded.len(),
        took,
        graded.len() as f64 / took.max(1e-9),
        rayon::current_num_threads()
    );
    let out = match a.format {
        GradeFormat::Text => text(&graded),
        GradeFormat::Csv => csv_rows(&graded)?,
        GradeFormat::Json => serde_json::to_string_pretty(&graded).unwrap_or_default(),
        GradeFormat::Gradescope => gradescope(&graded),
    };
    println!("{}", out.trim_end());
    Ok(ExitCode::SUCCESS)
}

fn outcome(r: &Row) -> String {
    if r.status == "rejected" {
        return format!("rejected: {}", r.reason);
    }
    r.goals
        .iter()
        .map(|g| format!("{} ({})", g.goal, met_text(g.met_at)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn text(rows: &[Row]) -> String {
    let w =
        |f: fn(&Row) -> usize, title: &str| rows.iter().map(f).max().unwrap_or(0).max(title.len());
    let (ws, we) = (
        w(|r| r.student.chars().count(), "student"),
        w(|r| r.exercise.len(), "exercise"),
    );
    let mut out = format!(
        "{:ws$}  {:we$}  {:>7}  result\n",
        "student", "exercise", "score"
    );
    for r in rows {
        out += &format!(
            "{:ws$}  {:we$}  {:>7}  {}\n",
            r.student,
            r.exercise,
            format!("{}/{}", r.score, r.max_score),
            outcome(r)
        );
    }
    out
}

fn csv_rows(rows: &[Row]) -> Result<String, Fail> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Fail(format!("cannot write CSV: {e}"));
    w.write_record([
        "student",
        "exercise",
        "score",
        "max_score",
        "status",
        "detail",
    ])
    .map_err(fail)?;
    for r in rows {
        w.write_record([
            r.student.as_str(),
            &r.exercise,
            &r.score.to_string(),
            &r.max_score.to_string(),
            r.status,
            &outcome(r),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Fail(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Gradescope's results.json: one test per goal (or one per refused submission).
fn gradescope(rows: &[Row]) -> String {
    let mut students: Vec<&str> = rows.iter().map(|r| r.student.as_str()).collect();
    students.sort_unstable();
    students.dedup();
    let results = |student: &str| {
        let mut tests = Vec::new();
        for r in rows.iter().filter(|r| r.student == student) {
            if r.status == "rejected" {
                tests.push(serde_json::json!({
                    "name": r.exercise, "score": 0, "max_score": r.max_score,
                    "output": format!("Rejected: {}", r.reason),
                }));
            }
            for g in &r.goals {
                tests.push(serde_json::json!({
                    "name": format!("{}: {}", r.exercise, g.goal),
                    "score": if g.met_at.is_some() { g.max_points } else { 0 },
                    "max_score": g.max_points,
                    "output": met_text(g.met_at),
                }));
            }
        }
        let score: u64 = tests.iter().filter_map(|t| t["score"].as_u64()).sum();
        serde_json::json!({ "score": score, "tests": tests })
    };
    let value = match students.as_slice() {
        [one] => results(one),
        many => {
            serde_json::Value::Object(many.iter().map(|s| (s.to_string(), results(s))).collect())
        }
    };
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

pub fn exercises(a: ExercisesArgs) -> Result<ExitCode, Fail> {
    if a.schema {
        println!(
            "{}",
            include_str!("../../../exercises/exercise.schema.json").trim_end()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(run), Some(id)) = (&a.link, &a.id) {
        let packs = match &a.pack {
            Some(path) => vec![(String::new(), load_pack(path)?)],
            None => shipped(),
        };
        let exercise = packs
            .iter()
            .find_map(|(_, p)| p.find(id))
            .ok_or_else(|| Fail(format!("no exercise {id:?}")))?;
        let text = read(run, splitbrain_sim::limits::MAX_SCENARIO_BYTES as u64)?;
        let run = splitbrain_labs::RunDescription::parse(&text)
            .map_err(|e| Fail(format!("{}: {e}", run.display())))?;
        let own = splitbrain_exercise::own_actions(exercise, &run).map_err(Fail)?;
        splitbrain_exercise::check_actions(exercise, &own).map_err(Fail)?;
        println!(
            "{}",
            splitbrain_exercise::solution_link(BASE, exercise, &run)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let packs = match &a.pack {
        Some(path) => vec![(path.display().to_string(), load_pack(path)?)],
        None => {
            let mut packs = shipped();
            for (name, pack) in &packs {
                pack.validate().map_err(|e| Fail(format!("{name}: {e}")))?;
            }
            packs.sort_by(|a, b| a.0.cmp(&b.0));
            packs
        }
    };
    let list: Vec<serde_json::Value> = packs
        .iter()
        .flat_map(|(name, pack)| {
            pack.exercises.iter().map(move |e| {
                serde_json::json!({
                    "pack": name, "id": e.id, "title": e.title, "lab": e.lab, "level": e.level,
                    "points": e.max_points(), "budget": e.budget, "hash": e.content_hash(),
                    "goals": e.goals.iter().map(|g| g.label()).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&list).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
