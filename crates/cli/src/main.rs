//! `splitbrain`: the labs without a browser, for scripts, sweeps, grading and benchmarks.
//!
//! Output is JSON on stdout. Bad input is one line on stderr and exit code 2; a sweep that finds
//! a violation exits 1 after printing the seed and the command that replays it.
#![forbid(unsafe_code)]

mod args;
mod balance;
mod bench;
mod diagram;
mod experiment;
mod grade;
mod hashing;
mod shrink;
mod sweep;
mod sweep_merge;

use args::{Cli, Cmd, RunArgs};
use clap::Parser;
use splitbrain_labs::{RunDescription, RunError, build, find, random_faults};
use splitbrain_sim::{Lab, format_time, limits};
use std::io::Write;
use std::process::ExitCode;

/// A user-facing failure: printed as one line, exit code 2.
pub struct Fail(pub String);

impl From<RunError> for Fail {
    fn from(e: RunError) -> Self {
        Fail(e.0)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(
                e.kind(),
                DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let line = text.lines().next().unwrap_or("bad arguments");
            let line = line.strip_prefix("error: ").unwrap_or(line);
            eprintln!("splitbrain: {line} (see splitbrain --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.cmd {
        Cmd::Run(a) => run(a),
        Cmd::Sweep(a) => sweep::sweep(a),
        Cmd::Shrink(a) => shrink::shrink(a),
        Cmd::SweepMerge(a) => sweep_merge::merge(a),
        Cmd::Bench(a) => bench::bench(a),
        Cmd::Experiment(args::Experiment::RaftFailover(a)) => experiment::raft_failover(a),
        Cmd::Experiment(args::Experiment::Hashing(a)) => hashing::experiment(a),
        Cmd::Experiment(args::Experiment::Balance(a)) => balance::experiment(a),
        Cmd::Grade(a) => grade::grade(a),
        Cmd::Exercises(a) => grade::exercises(a),
        Cmd::Diagram(a) => diagram::diagram(a),
        Cmd::Labs => {
            let labs: Vec<_> = splitbrain_labs::labs()
                .iter()
                .map(|l| serde_json::json!({"name": l.name, "title": l.title, "about": l.blurb}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&labs).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("splitbrain: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Builds the run description from a scenario file and/or flags (flags win).
pub fn describe(a: &RunArgs) -> Result<RunDescription, Fail> {
    let mut desc = match &a.scenario {
        Some(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| Fail(format!("cannot read scenario {}: {e}", path.display())))?;
            if meta.len() > limits::MAX_SCENARIO_BYTES as u64 {
                return Err(Fail(format!(
                    "scenario {} is {} bytes; the limit is {} bytes",
                    path.display(),
                    meta.len(),
                    limits::MAX_SCENARIO_BYTES
                )));
            }
            let text = std::fs::read_to_string(path)
                .map_err(|e| Fail(format!("cannot read scenario {}: {e}", path.display())))?;
            let d = RunDescription::parse(&text)
                .map_err(|e| Fail(format!("{}: {e}", path.display())))?;
            if let Some(lab) = &a.lab
                && lab != &d.lab
            {
                return Err(Fail(format!(
                    "lab {lab:?} on the command line but {:?} in {}",
                    d.lab,
                    path.display()
                )));
            }
            d
        }
        None => {
            let lab = a.lab.as_deref().ok_or_else(|| {
                Fail("name a lab (see `splitbrain labs`) or give --scenario".into())
            })?;
            let mut d = RunDescription::new(find(lab)?.name, 0, 5);
            d.until = Some(splitbrain_sim::secs(10));
            d
        }
    };
    find(&desc.lab)?;
    if let Some(s) = a.seed {
        desc.seed = s;
    }
    if let Some(n) = a.nodes {
        desc.nodes = n;
    }
    if let Some(u) = a.until {
        desc.until = Some(u);
    }
    if let Some(l) = a.latency {
        desc.network.latency = l;
    }
    if let Some(p) = a.loss {
        desc.network.loss = p;
    }
    if let Some(p) = a.duplicate {
        desc.network.duplicate = p;
    }
    for (k, v) in &a.params {
        if let Some(obj) = desc.params.as_object_mut() {
            obj.insert(k.clone(), v.clone());
        }
    }
    desc.validate()?;
    if a.random_faults {
        let info = find(&desc.lab)?;
        let until = desc.until.unwrap_or(splitbrain_sim::secs(10));
        desc.actions
            .extend(random_faults(info, desc.seed, desc.nodes, until));
        desc.actions.sort_by_key(|t| t.at);
        desc.validate()?;
    }
    Ok(desc)
}

/// A finished run: through the page's own player when the run has its automatic client
/// traffic (a shared link, or a scenario that sets `traffic`), so it is the page's run bit for
/// bit; otherwise the lab alone.
pub struct Played {
    by: PlayedBy,
    /// How the run ended.
    pub outcome: splitbrain_sim::RunOutcome,
}

enum PlayedBy {
    Player(Box<splitbrain_player::Player>),
    Lab(Box<dyn Lab>),
}

impl Played {
    /// The run's lab as it ended.
    pub fn lab(&self) -> &dyn Lab {
        match &self.by {
            PlayedBy::Player(p) => p.lab(),
            PlayedBy::Lab(b) => b.as_ref(),
        }
    }
}

/// Runs `desc` to its `until` (10 s if unset), keeping `keep` trace events.
pub fn play(desc: &RunDescription, keep: usize, max_events: Option<u64>) -> Result<Played, Fail> {
    let until = desc.until.unwrap_or(splitbrain_sim::secs(10));
    let max = max_events.unwrap_or(limits::MAX_EVENTS);
    if desc.traffic.is_some() {
        let options = splitbrain_player::Options {
            trace_kept: keep,
            stop_on_violation: false,
            ..splitbrain_player::Options::default()
        };
        let mut player =
            splitbrain_player::Player::from_link(desc.clone(), options).map_err(Fail)?;
        let outcome = player.seek(until, max);
        Ok(Played {
            by: PlayedBy::Player(Box::new(player)),
            outcome,
        })
    } else {
        let mut built = build(desc, keep)?;
        let outcome = built.run_until(until, max);
        Ok(Played {
            by: PlayedBy::Lab(built),
            outcome,
        })
    }
}

/// The JSON summary of a finished run, shared by `run` and `sweep`.
pub fn report(desc: &RunDescription, lab: &dyn Lab, outcome: &str) -> serde_json::Value {
    let mut out = report_servers(desc, lab, outcome);
    if lab.clients() > 0 {
        out["history"] = history_report(lab);
    }
    out
}

/// The clients' history in numbers, and the `Linearizable` check's verdict on it.
fn history_report(lab: &dyn Lab) -> serde_json::Value {
    use splitbrain_labs::consistency::{BUDGET, Judgement, judge};
    let h = lab.history();
    let answered = h.iter().filter(|o| o.done.is_some()).count();
    let verdict = match judge(h, BUDGET) {
        Judgement::Empty => "no operations".to_string(),
        Judgement::Linearizable { .. } => "linearizable".to_string(),
        Judgement::Unknown { steps } => format!("unknown: the check stopped after {steps} steps"),
        Judgement::Broken { reason, .. } => format!("not linearizable: {reason}"),
    };
    serde_json::json!({
        "clients": lab.clients(),
        "operations": h.len(),
        "answered": answered,
        "unknown": h.len() - answered,
        "verdict": verdict,
    })
}

fn report_servers(desc: &RunDescription, lab: &dyn Lab, outcome: &str) -> serde_json::Value {
    serde_json::json!({
        "lab": desc.lab,
        "seed": desc.seed,
        "nodes": desc.nodes,
        "until": desc.until.map(format_time),
        "now": format_time(lab.now()),
        "outcome": outcome,
        "halted": lab.halted(),
        "events": lab.events(),
        "trace_events": lab.trace_recorded(),
        "trace_hash": format!("{:016x}", lab.trace_hash()),
        "violations": splitbrain_labs::consistency::violations(lab),
        "summary": lab.summary(),
    })
}

fn run(a: RunArgs) -> Result<ExitCode, Fail> {
    let desc = describe(&a)?;
    if let Some(path) = &a.save_run {
        let text = desc.to_toml();
        // TOML's integers stop at 2^63 - 1; `to_toml` says so in place of the file.
        if let Some(why) = text.strip_prefix("# cannot write TOML: ") {
            return Err(Fail(format!("cannot save the run as TOML: {}", why.trim())));
        }
        std::fs::write(path, text)
            .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
    }
    let keep = if a.trace.is_some() || a.transcript.is_some() {
        limits::MAX_TRACE
    } else {
        0
    };
    let played = play(&desc, keep, a.max_events)?;
    let (lab, outcome) = (played.lab(), played.outcome);
    let outcome = serde_json::to_value(outcome).unwrap_or_default();
    let mut out = report(&desc, lab, outcome.as_str().unwrap_or(""));
    if let Some(path) = &a.trace {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?,
        );
        for line in lab.trace_tail(usize::MAX) {
            serde_json::to_writer(&mut w, &line).map_err(|e| Fail(e.to_string()))?;
            w.write_all(b"\n").map_err(|e| Fail(e.to_string()))?;
        }
        w.flush().map_err(|e| Fail(e.to_string()))?;
        let kept = lab.trace_tail(usize::MAX).len() as u64;
        out["trace_file"] = serde_json::json!({
            "path": path.display().to_string(),
            "lines": kept,
            "truncated": lab.trace_recorded() - kept,
        });
    }
    if let Some(path) = &a.transcript {
        let text = lab.transcript().join("\n") + "\n";
        std::fs::write(path, text)
            .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
