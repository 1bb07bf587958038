//! `splitbrain diagram`: a run's time-space diagram as an SVG file, drawn by the same code as
//! the page's diagram panel and its export.

use crate::args::DiagramArgs;
use crate::{Fail, describe, play};
use splitbrain_diagram::{Diagram, Options, SvgStyle, draw, to_svg};
use splitbrain_labs::find;
use splitbrain_sim::{format_time, limits};
use std::process::ExitCode;

/// The tallest picture written: a browser or a slide tool still opens it.
const MAX_HEIGHT: f64 = 200_000.0;

pub fn diagram(a: DiagramArgs) -> Result<ExitCode, Fail> {
    let mut desc = describe(&a.run)?;
    if a.run.until.is_none()
        && let Some(to) = a.to
    {
        desc.until = Some(to);
    }
    let info = find(&desc.lab)?;
    let played = play(&desc, limits::MAX_TRACE, a.run.max_events)?;
    let lab = played.lab();
    let lines = lab.trace_tail(usize::MAX);
    let from = a.from.unwrap_or_else(|| lines.first().map_or(0, |l| l.t));
    let to = a.to.unwrap_or_else(|| lab.now());
    if from >= to {
        return Err(Fail(format!(
            "--from {} must come before --to {} (the run ends at {})",
            format_time(from),
            format_time(to),
            format_time(lab.now())
        )));
    }
    // A typical message 40 px tall, unless asked otherwise.
    let median = desc.network.latency.median().max(100) as f64 / 1e6;
    let px_per_sec = a
        .px_per_sec
        .unwrap_or((40.0 / median).clamp(10.0, 200_000.0));
    let height = (to - from) as f64 / 1e6 * px_per_sec;
    if !a.compressed && height > MAX_HEIGHT {
        return Err(Fail(format!(
            "the picture would be {height:.0} px tall (at most {MAX_HEIGHT:.0}): narrow --from/--to, lower --px-per-sec or add --compressed"
        )));
    }
    let d = Diagram::from_lines(&lines, desc.nodes);
    let kinds: Vec<&str> = info.message_kinds.iter().map(|(k, _)| *k).collect();
    let opts = Options {
        from,
        to,
        px_per_sec,
        compressed: a.compressed,
        quiet: (2.0 * median * 1e6) as u64,
        width: a
            .width
            .unwrap_or((90.0 * d.lanes() as f64 + 20.0).clamp(320.0, 4000.0)),
        kinds: &kinds,
        bulk_above: usize::MAX,
        ..Options::default()
    };
    let picture = draw(&d, &opts);
    if picture.height > MAX_HEIGHT {
        return Err(Fail(format!(
            "the picture would be {:.0} px tall (at most {MAX_HEIGHT:.0}): narrow --from/--to or lower --px-per-sec",
            picture.height
        )));
    }
    let caption = vec![
        format!(
            "Splitbrain · {} · seed {} · {} nodes · {} to {}",
            info.title,
            desc.seed,
            desc.nodes,
            format_time(from),
            format_time(to)
        ),
        format!(
            "run fingerprint {:016x} at {}",
            lab.trace_hash(),
            format_time(lab.now())
        ),
        match &a.run.scenario {
            Some(file) => format!("replay: splitbrain run --scenario {}", file.display()),
            None => format!(
                "replay: splitbrain run {} --seed {} --nodes {}",
                desc.lab, desc.seed, desc.nodes
            ),
        },
    ];
    let svg = to_svg(
        &picture,
        &SvgStyle {
            standalone: true,
            kinds: &kinds,
            caption,
        },
    );
    std::fs::write(&a.out, &svg)
        .map_err(|e| Fail(format!("cannot write {}: {e}", a.out.display())))?;
    let out = serde_json::json!({
        "svg": a.out.display().to_string(),
        "from": format_time(from),
        "to": format_time(to),
        "lanes": picture.lanes.len(),
        "arrows": picture.arrows.len(),
        "height_px": picture.height.round(),
        "trace_hash": format!("{:016x}", lab.trace_hash()),
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}
