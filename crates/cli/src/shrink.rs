//! `splitbrain shrink`: a failing run, cut down to the actions that still break the same
//! invariant; and the fields a sweep's `--shrink` adds to its finding.

use crate::args::ShrinkArgs;
use crate::{Fail, describe};
use splitbrain_hunt::{ShrinkError, Shrunk, page_link, schedule_in_words};
use splitbrain_labs::RunDescription;
use splitbrain_sim::{format_time, limits};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn shrink(a: ShrinkArgs) -> Result<ExitCode, Fail> {
    let run = describe(&a.run)?;
    let max_events = a.run.max_events.unwrap_or(limits::MAX_EVENTS);
    let out = shrunk_fields(&run, max_events, a.budget, &a.site, a.out.as_deref())?;
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// Shrinks `run` and describes the result as JSON: `shrunk` (the run description),
/// `shrunk_actions` (in words), `shrunk_link` (the page link that opens it), `shrunk_violation`
/// and `shrink` (how far it got and what it cost). Writes the run to `out` as TOML if given.
pub fn shrunk_fields(
    run: &RunDescription,
    max_events: u64,
    budget: u32,
    site: &str,
    out: Option<&Path>,
) -> Result<serde_json::Value, Fail> {
    let started = Instant::now();
    let Shrunk {
        run: shrunk,
        failure,
        from_actions,
        runs,
        minimal,
    } = splitbrain_hunt::shrink(run, max_events, budget).map_err(|e| match e {
        ShrinkError::Run(e) => Fail(e.0),
        e @ ShrinkError::DoesNotFail => Fail(e.to_string()),
    })?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = out {
        let text = shrunk.to_toml();
        if let Some(why) = text.strip_prefix("# cannot write TOML: ") {
            return Err(Fail(format!("cannot save the run as TOML: {}", why.trim())));
        }
        std::fs::write(path, text)
            .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(serde_json::json!({
        "shrunk_violation": {
            "invariant": failure.invariant,
            "time": format_time(failure.time),
            "message": failure.message,
        },
        "shrunk_actions": schedule_in_words(&shrunk),
        "shrunk_link": page_link(site, &shrunk),
        "shrink": {
            "from_actions": from_actions,
            "to_actions": shrunk.actions.len(),
            "runs": runs,
            "minimal": minimal,
            "seconds": (seconds * 1000.0).round() / 1000.0,
        },
        "shrunk": shrunk,
    }))
}
