//! A horizontal bar drawn in SVG: a filled part and thin marks at given fractions.
//!
//! The page runs under `style-src 'self'`, which refuses inline `style` attributes, so a
//! length that only the run knows (a queue's depth, the played part of the timeline) cannot be
//! a `style="width: …"`. SVG geometry is plain attributes, and a rect's `width` takes a
//! percentage of its picture, so the bar stays a fluid CSS box.

use yew::prelude::*;

/// `x` of 0..=1 as an SVG percentage with two decimals.
pub fn percent(x: f64) -> String {
    let hundredths = (x.clamp(0.0, 1.0) * 10_000.0).round() as u32;
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// The picture inside a bar: `filled` of it (0..=1) drawn with class `fill` (and colour `fill`
/// when given), then one vertical line per `(class, at)`. It fills its positioned parent
/// (`.meter` in style.css).
pub fn meter(filled: f64, fill: Option<String>, marks: &[(&'static str, f64)]) -> Html {
    html! {
        <svg class="meter" aria-hidden="true">
            <rect class="fill" width={percent(filled)} height="100%" {fill} />
            { for marks.iter().map(|&(class, at)| {
                let x = percent(at);
                html! { <line class={class} x1={x.clone()} x2={x} y1="-25%" y2="125%" /> }
            }) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn fractions_become_clamped_percentages() {
        assert_eq!(percent(0.0), "0.00%");
        assert_eq!(percent(0.12345), "12.35%");
        assert_eq!(percent(1.5), "100.00%");
        assert_eq!(percent(-1.0), "0.00%");
    }
}
