//! Writes a [`Picture`] as SVG text: the page shows it (styled by the page's stylesheet), and
//! the exports and `splitbrain diagram` save it with its own style, a legend and the run's
//! fingerprint and link in the corner, so it can go on a slide or in a report as it is.

use crate::draw::{ArrowShape, Emphasis, End, HEADER, MarkShape, Picture};
use crate::model::MarkKind;
use std::fmt::Write as _;

/// How to write the picture.
#[derive(Debug, Clone, Default)]
pub struct SvgStyle<'a> {
    /// A file of its own: its own colours and fonts, a white ground, a legend and a caption.
    pub standalone: bool,
    /// The lab's message kinds in slot order, for the legend.
    pub kinds: &'a [&'a str],
    /// Lines under the picture (the lab, the run's fingerprint, its link).
    pub caption: Vec<String>,
}

/// The colours the page uses (style.css), written into a standalone file.
const STANDALONE_CSS: &str = "\
svg.tsd{font:11px system-ui,sans-serif;background:#fff}\
.tsd .bg{fill:#fff}.tsd .lane{stroke:#9aa3ad;stroke-width:1.5}.tsd .lane.sel{stroke:#1d4ed8;stroke-width:3}\
.tsd .lname{font-weight:600;text-anchor:middle;fill:#1f2937}.tsd .down{fill:#e5e7eb;stroke:#9ca3af;stroke-dasharray:3 3}\
.tsd .tick line{stroke:#eef0f3}.tsd .tick text{fill:#6b7280;font-size:9.5px;text-anchor:end}\
.tsd .band{fill:#fde68a;opacity:.45}.tsd .band.cut{fill:#fecaca}.tsd .btag{font-size:9.5px;fill:#92400e;text-anchor:middle}\
.tsd .gap{stroke:#9ca3af;fill:none;stroke-dasharray:4 3}\
.tsd .arr line.path{stroke-width:1.6}.tsd .arr .hit{stroke:transparent;stroke-width:10}\
.tsd .k0 .path,.tsd .k0 .head{stroke:#2563eb;fill:#2563eb}.tsd .k1 .path,.tsd .k1 .head{stroke:#c2410c;fill:#c2410c}\
.tsd .k2 .path,.tsd .k2 .head{stroke:#7c3aed;fill:#7c3aed}.tsd .k3 .path,.tsd .k3 .head{stroke:#047857;fill:#047857}\
.tsd .k1 .path{stroke-dasharray:7 2}.tsd .k2 .path{stroke-dasharray:2 2}.tsd .k3 .path{stroke-dasharray:9 3 2 3}\
.tsd .open .path{opacity:.55}.tsd .cross{stroke:#dc2626;stroke-width:2.2}.tsd .dupmark{fill:#b45309;font-size:9px}\
.tsd .alabel{font-size:9.5px;fill:#374151;paint-order:stroke;stroke:#fff;stroke-width:3px}\
.tsd .ahead{opacity:.35}.tsd .dim{opacity:.15}.tsd .sel .path{stroke-width:3.5}.tsd .past .path,.tsd .future .path{stroke-width:2.6}\
.tsd .mark{stroke:#374151;stroke-width:1;fill:#fff}.tsd .mark.timer{fill:#f59e0b}.tsd .mark.note{fill:#10b981}\
.tsd .mark.command{fill:#6366f1}.tsd .mark.crash,.tsd .mark.violation{fill:#dc2626}.tsd .mark.restart{fill:#22c55e}\
.tsd .now{stroke:#dc2626;stroke-width:1.5}.tsd .caption{fill:#4b5563;font-size:10px}.tsd .legend text{fill:#374151}";

/// Space under a standalone picture for its legend and caption.
const FOOT_LINE: f64 = 15.0;

/// The size of the picture as written (a standalone file adds its legend and caption).
pub fn size(p: &Picture, style: &SvgStyle) -> (f64, f64) {
    let foot = if style.standalone {
        FOOT_LINE * (2 + style.caption.len()) as f64 + 6.0
    } else {
        0.0
    };
    (p.width, p.height + foot)
}

/// The picture as SVG text.
pub fn to_svg(p: &Picture, style: &SvgStyle) -> String {
    let (w, h) = size(p, style);
    let mut s = String::with_capacity(4096 + 400 * p.arrows.len());
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="tsd" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="time-space diagram: {} lanes, {} messages" data-from="{}" data-to="{}">"#,
        n(w),
        n(h),
        n(w),
        n(h),
        p.lanes.len(),
        p.arrows.len(),
        p.scale.range().0,
        p.scale.range().1
    );
    if style.standalone {
        let _ = write!(s, "<style>{STANDALONE_CSS}</style>");
    }
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/>"#,
        n(w),
        n(h)
    );
    for (y, words) in &p.ticks {
        let _ = write!(
            s,
            r#"<g class="tick"><line x1="0" x2="{}" y1="{y}" y2="{y}"/><text x="{}" y="{}">{}</text></g>"#,
            n(w),
            n(w - 2.0),
            n(y - 2.0),
            esc(words),
            y = n(*y)
        );
    }
    for b in &p.bands {
        let cut = if b.tag == "cut" { " cut" } else { "" };
        let _ = write!(s, r#"<g class="bandg"><title>{}</title>"#, esc(&b.title));
        for (l, r) in &b.columns {
            let _ = write!(
                s,
                r#"<rect class="band{cut}" x="{}" y="{}" width="{}" height="{}"/><text class="btag" x="{}" y="{}">{}</text>"#,
                n(*l),
                n(b.y0),
                n(r - l),
                n((b.y1 - b.y0).max(1.0)),
                n((l + r) / 2.0),
                n(b.y0 + 10.0),
                esc(&b.tag)
            );
        }
        s.push_str("</g>");
    }
    for g in &p.gaps {
        let mut d = format!("M0 {}", n(*g));
        let mut x = 0.0;
        while x < w {
            x += 8.0;
            let _ = write!(
                d,
                " L{} {}",
                n(x),
                n(g + if (x / 8.0) as i64 % 2 == 0 { 3.0 } else { -3.0 })
            );
        }
        let _ = write!(
            s,
            r#"<path class="gap" d="{d}"><title>a quiet stretch, collapsed</title></path>"#
        );
    }
    let bottom = p.height - 8.0;
    for l in &p.lanes {
        let sel = if l.selected { " sel" } else { "" };
        let _ = write!(
            s,
            r#"<g class="laneg" data-node="{node}"><text class="lname" x="{x}" y="17">n{node}</text><line class="lane{sel}" x1="{x}" x2="{x}" y1="{top}" y2="{}"/>"#,
            n(bottom),
            node = l.node,
            x = n(l.x),
            top = n(HEADER)
        );
        for (y0, y1) in &l.down {
            let _ = write!(
                s,
                r#"<rect class="down" x="{}" y="{}" width="12" height="{}"><title>n{} down</title></rect>"#,
                n(l.x - 6.0),
                n(*y0),
                n((y1 - y0).max(2.0)),
                l.node
            );
        }
        s.push_str("</g>");
    }
    if p.dense {
        bulk_arrows(&mut s, p);
    } else {
        for a in &p.arrows {
            arrow(&mut s, a);
        }
    }
    if p.dense_marks {
        bulk_marks(&mut s, p);
    } else {
        for m in &p.marks {
            mark(&mut s, m);
        }
    }
    if let Some(y) = p.now_y {
        let _ = write!(
            s,
            r#"<line class="now" x1="0" x2="{}" y1="{y}" y2="{y}"/>"#,
            n(w),
            y = n(y)
        );
    }
    if style.standalone {
        let mut y = p.height + FOOT_LINE;
        s.push_str(r#"<g class="legend">"#);
        let mut x = 10.0;
        for (slot, kind) in style.kinds.iter().enumerate().take(4) {
            let _ = write!(
                s,
                r#"<g class="arr k{slot}"><line class="path" x1="{}" x2="{}" y1="{}" y2="{}"/></g><text x="{}" y="{}">{}</text>"#,
                n(x),
                n(x + 22.0),
                n(y - 4.0),
                n(y - 4.0),
                n(x + 26.0),
                n(y),
                esc(kind)
            );
            x += 34.0 + 6.5 * kind.chars().count() as f64;
        }
        let _ = write!(
            s,
            r#"<line class="cross" x1="{a}" y1="{b}" x2="{c}" y2="{d}"/><line class="cross" x1="{a}" y1="{d}" x2="{c}" y2="{b}"/><text x="{}" y="{}">dropped</text>"#,
            n(x + 12.0),
            n(y),
            a = n(x),
            b = n(y - 8.0),
            c = n(x + 7.0),
            d = n(y - 1.0)
        );
        s.push_str("</g>");
        y += 4.0;
        for line in &style.caption {
            y += FOOT_LINE;
            let _ = write!(
                s,
                r#"<text class="caption" x="10" y="{}">{}</text>"#,
                n(y - 4.0),
                esc(line)
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn arrow(s: &mut String, a: &ArrowShape) {
    let mut class = format!("arr k{}", a.slot);
    for (on, c) in [
        (a.dup, "dup"),
        (a.ahead, "ahead"),
        (a.end == End::Open, "open"),
        (true, a.emphasis.class()),
    ] {
        if on && !c.is_empty() {
            class.push(' ');
            class.push_str(c);
        }
    }
    let (x1, y1, x2, y2) = (n(a.x1), n(a.y1), n(a.x2), n(a.y2));
    let _ = write!(
        s,
        r#"<g class="{class}" data-msg="{}"><title>{}</title><line class="hit" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/><line class="path" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>"#,
        a.id,
        esc(&a.title)
    );
    let (dx, dy) = (a.x2 - a.x1, a.y2 - a.y1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    match a.end {
        End::Head => {
            // A filled head 7 px long, its tip on the receiver's lane.
            let (bx, by) = (a.x2 - ux * 7.0, a.y2 - uy * 7.0);
            let _ = write!(
                s,
                r#"<path class="head" d="M{} {} L{} {} L{} {} Z"/>"#,
                n(a.x2),
                n(a.y2),
                n(bx - uy * 3.5),
                n(by + ux * 3.5),
                n(bx + uy * 3.5),
                n(by - ux * 3.5)
            );
        }
        End::Cross => {
            let _ = write!(
                s,
                r#"<path class="cross" d="M{} {} l8 8 M{} {} l-8 8"/>"#,
                n(a.x2 - 4.0),
                n(a.y2 - 4.0),
                n(a.x2 + 4.0),
                n(a.y2 - 4.0)
            );
        }
        End::Open => {}
    }
    if a.dup {
        let _ = write!(
            s,
            r#"<text class="dupmark" x="{}" y="{}">×2</text>"#,
            n(a.x2 + 4.0),
            n(a.y2 - 2.0)
        );
    }
    if let Some(l) = &a.label {
        let _ = write!(
            s,
            r#"<text class="alabel" x="{}" y="{}" text-anchor="{}">{}</text>"#,
            n(l.x),
            n(l.y),
            l.anchor,
            esc(&l.text)
        );
    }
    s.push_str("</g>");
}

/// Bulk segments snap to this grid (pixels), and a segment already drawn on it is not drawn
/// again: a dense window of a busy run has many messages a pixel apart between the same lanes,
/// and the browser paints every one (13,456 segments became 5,624 in a 10x heavy Raft window,
/// and its picture a third of the text).
const BULK_GRID: f64 = 2.0;

/// A dense window: one path per kind and look, the crosses in one more, and the selected
/// message whole on top, so thousands of messages are a handful of elements.
fn bulk_arrows(s: &mut String, p: &Picture) {
    let mut groups: std::collections::BTreeMap<(usize, bool, &str), String> =
        std::collections::BTreeMap::new();
    let mut drawn = std::collections::BTreeSet::new();
    let mut crosses = String::new();
    let snap = |v: f64| (v / BULK_GRID).round() as i64;
    for a in p.arrows.iter().filter(|a| a.emphasis != Emphasis::Selected) {
        let key = (a.slot, a.ahead, a.emphasis.class());
        let seg = (snap(a.x1), snap(a.y1), snap(a.x2), snap(a.y2));
        if drawn.insert((key, seg)) {
            let g = BULK_GRID;
            let (x1, y1, x2, y2) = (
                seg.0 as f64 * g,
                seg.1 as f64 * g,
                seg.2 as f64 * g,
                seg.3 as f64 * g,
            );
            let d = groups.entry(key).or_default();
            let _ = write!(d, "M{} {}L{} {}", n(x1), n(y1), n(x2), n(y2));
        }
        if a.end == End::Cross {
            let _ = write!(
                crosses,
                "M{} {}l6 6M{} {}l-6 6",
                n(a.x2 - 3.0),
                n(a.y2 - 3.0),
                n(a.x2 + 3.0),
                n(a.y2 - 3.0)
            );
        }
    }
    for ((slot, ahead, emphasis), d) in &groups {
        let ahead = if *ahead { " ahead" } else { "" };
        let emphasis = if emphasis.is_empty() {
            String::new()
        } else {
            format!(" {emphasis}")
        };
        let _ = write!(
            s,
            r#"<g class="arr bulk k{slot}{ahead}{emphasis}"><path class="path" d="{d}"/></g>"#
        );
    }
    if !crosses.is_empty() {
        let _ = write!(s, r#"<path class="cross" d="{crosses}"/>"#);
    }
    for a in p.arrows.iter().filter(|a| a.emphasis == Emphasis::Selected) {
        arrow(s, a);
    }
}

/// Many marks: one path of small squares per kind.
fn bulk_marks(s: &mut String, p: &Picture) {
    let mut groups: std::collections::BTreeMap<&str, String> = std::collections::BTreeMap::new();
    for m in &p.marks {
        let d = groups.entry(mark_class(m.kind)).or_default();
        let _ = write!(d, "M{} {}h5v5h-5z", n(m.x - 2.5), n(m.y - 2.5));
    }
    for (kind, d) in &groups {
        let _ = write!(s, r#"<path class="mark {kind}" d="{d}"/>"#);
    }
}

fn mark_class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Timer => "timer",
        MarkKind::Note => "note",
        MarkKind::Command => "command",
        MarkKind::Crash => "crash",
        MarkKind::Restart => "restart",
        MarkKind::Violation => "violation",
    }
}

fn mark(s: &mut String, m: &MarkShape) {
    let kind = mark_class(m.kind);
    let class = format!("mark {kind} {}", m.emphasis.class());
    let class = class.trim_end();
    let point = m
        .point
        .map(|p| format!(r#" data-point="{p}""#))
        .unwrap_or_default();
    let title = esc(&m.title);
    let (x, y) = (n(m.x), n(m.y));
    let _ = match m.kind {
        MarkKind::Timer => write!(
            s,
            r#"<circle class="{class}"{point} cx="{x}" cy="{y}" r="3.5"><title>{title}</title></circle>"#
        ),
        MarkKind::Crash | MarkKind::Violation => write!(
            s,
            r#"<path class="{class}"{point} d="M{} {} l10 0 l-5 9 z"><title>{title}</title></path>"#,
            n(m.x - 5.0),
            n(m.y - 4.5)
        ),
        _ => write!(
            s,
            r#"<rect class="{class}"{point} x="{}" y="{}" width="6" height="6" transform="rotate(45 {x} {y})"><title>{title}</title></rect>"#,
            n(m.x - 3.0),
            n(m.y - 3.0)
        ),
    };
}

/// A coordinate with at most one decimal: small text, and the same on every machine.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Text made safe inside SVG (the page's network picture uses it for its caption too).
pub fn esc(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::{Options, draw};
    use crate::model::Diagram;
    use crate::testing::*;

    fn small() -> Diagram {
        Diagram::from_lines(
            &[
                sent(0, 10_000, 1, 0, 1, Some(20_000)),
                sent(1, 10_000, 2, 0, 2, Some(24_000)),
                partition(2, 12_000, vec![vec![0, 1], vec![2]]),
                dropped(3, 14_000, 2, 0, 2, "partitioned in flight"),
                delivered(4, 20_000, 1, 0, 1),
                note(5, 20_000, 1, "voted for n0 in term 1 <\"x\">"),
                crash(6, 30_000, 2),
                heal(7, 40_000),
                sent(8, 45_000, 3, 1, 0, Some(55_000)),
            ],
            3,
        )
    }

    /// The whole of [`small`], 4 px per millisecond.
    fn small_window() -> Options<'static> {
        Options {
            from: 0,
            to: 60_000,
            px_per_sec: 4000.0,
            width: 240.0,
            kinds: &["vote"],
            ..Options::default()
        }
    }

    #[test]
    fn a_dense_window_paints_messages_a_pixel_apart_once_and_keeps_every_lane_pair() {
        // 600 messages n0 -> n1 sent 1 µs apart (all within one pixel row), and one n1 -> n2.
        let mut lines = Vec::new();
        for k in 0..600u64 {
            lines.push(sent(2 * k, 1_000 + k, k, 0, 1, Some(5_000 + k)));
            lines.push(delivered(2 * k + 1, 5_000 + k, k, 0, 1));
        }
        lines.push(sent(1_200, 2_000, 600, 1, 2, Some(6_000)));
        let d = Diagram::from_lines(&lines, 3);
        let p = draw(&d, &small_window());
        assert!(p.dense, "{} arrows", p.arrows.len());
        let svg = to_svg(&p, &SvgStyle::default());
        let segments = svg.matches('M').count();
        assert!(segments < 10, "{segments} segments for two lane pairs");
        let lanes_crossed: std::collections::BTreeSet<(i64, i64)> = p
            .arrows
            .iter()
            .map(|a| (a.x1 as i64, a.x2 as i64))
            .collect();
        assert_eq!(lanes_crossed.len(), 2);
        assert!(
            segments >= lanes_crossed.len(),
            "each lane pair still drawn"
        );
    }

    #[test]
    fn text_is_escaped_so_any_note_makes_valid_svg() {
        let p = draw(&small(), &small_window());
        let svg = to_svg(&p, &SvgStyle::default());
        assert!(svg.contains("&lt;&quot;x&quot;&gt;"));
        assert!(!svg.contains("<\"x\">"));
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    }

    #[test]
    fn a_standalone_picture_carries_its_style_legend_and_caption() {
        let p = draw(&small(), &small_window());
        let svg = to_svg(
            &p,
            &SvgStyle {
                standalone: true,
                kinds: &["vote"],
                caption: vec!["run fingerprint 00ff".into()],
            },
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<style>"));
        assert!(svg.contains(">vote</text>"));
        assert!(svg.contains("run fingerprint 00ff"));
    }

    /// The small scenario's picture, byte for byte (`UPDATE_GOLDEN=1` rewrites it after a
    /// deliberate change; then look at it).
    #[test]
    fn golden_small_scenario() {
        let p = draw(
            &small(),
            &Options {
                now: Some(50_000),
                ..small_window()
            },
        );
        let svg = to_svg(
            &p,
            &SvgStyle {
                standalone: true,
                kinds: &["vote"],
                caption: vec!["golden test".into()],
            },
        );
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/small.svg");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &svg).unwrap();
        }
        let want = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            want == svg,
            "testdata/small.svg differs; rerun with UPDATE_GOLDEN=1 and look at it"
        );
    }
}
