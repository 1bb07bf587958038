//! The network view's canvas layer: a busy run's messages drawn as one path per kind per
//! frame instead of hundreds of SVG elements.

use crate::network::{NetworkProps, SIZE, along, kind_slot, progress};
use yew::prelude::*;

/// A busy network's messages, drawn on a canvas over the SVG: one path and one fill per kind
/// per frame instead of hundreds of DOM elements.
#[component]
pub(crate) fn MessageCanvas(props: &NetworkProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let props = props.clone();
        use_effect(move || draw(&canvas, &props));
    }
    html! { <canvas ref={canvas} class="network-canvas" data-testid="message-canvas" aria-hidden="true"></canvas> }
}

/// A canvas element and its 2D context, when the element is mounted.
pub fn context_2d(
    canvas: &NodeRef,
) -> Option<(
    web_sys::HtmlCanvasElement,
    web_sys::CanvasRenderingContext2d,
)> {
    use wasm_bindgen::JsCast;
    let el = canvas.cast::<web_sys::HtmlCanvasElement>()?;
    let ctx = el
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .ok()?;
    Some((el, ctx))
}

thread_local! {
    /// Theme colours as the canvas takes them, resolved once per page (a change of the
    /// system's colour scheme while a busy run plays shows at the next load).
    static CANVAS_COLOURS: std::cell::RefCell<std::collections::BTreeMap<&'static str, String>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// Forgets the resolved colours: the theme changed (the host page switched to dark).
pub fn forget_colours() {
    CANVAS_COLOURS.with(|m| m.borrow_mut().clear());
}

/// The colour of theme variable `var` as `rgb(…)`. The variables hold `light-dark(…)` pairs,
/// which only a colour property resolves, so the canvas's own `color` (it draws nothing with
/// it) takes the variable for a moment and the computed value is read back.
fn canvas_colour(
    window: &web_sys::Window,
    el: &web_sys::HtmlCanvasElement,
    var: &'static str,
    fallback: &str,
) -> String {
    if let Some(c) = CANVAS_COLOURS.with(|m| m.borrow().get(var).cloned()) {
        return c;
    }
    let style = el.style();
    let _ = style.set_property("color", &format!("var({var}, {fallback})"));
    let resolved = window
        .get_computed_style(el)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("color").ok())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| fallback.to_string());
    let _ = style.remove_property("color");
    CANVAS_COLOURS.with(|m| m.borrow_mut().insert(var, resolved.clone()));
    resolved
}

fn draw(canvas: &NodeRef, props: &NetworkProps) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some((el, ctx)) = context_2d(canvas) else {
        return;
    };
    let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
    let dpr = window.device_pixel_ratio().max(1.0);
    let (pw, ph) = ((w * dpr) as u32, (h * dpr) as u32);
    if el.width() != pw || el.height() != ph {
        el.set_width(pw);
        el.set_height(ph);
    }
    // The SVG's viewBox, centred and scaled to fit ("xMidYMid meet").
    let scale = (w.min(h) / SIZE) * dpr;
    let (ox, oy) = (
        (w * dpr - SIZE * scale) / 2.0,
        (h * dpr - SIZE * scale) / 2.0,
    );
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, ox, oy);
    let colour = |var: &'static str, fallback: &str| canvas_colour(&window, &el, var, fallback);
    let v = &props.view;
    let trace = |slot: usize, x: f64, y: f64| match slot {
        0 => {
            ctx.move_to(x + 7.0, y);
            let _ = ctx.arc(x, y, 7.0, 0.0, std::f64::consts::TAU);
        }
        1 => ctx.rect(x - 6.0, y - 6.0, 12.0, 12.0),
        2 => {
            ctx.move_to(x, y - 8.0);
            ctx.line_to(x + 8.0, y);
            ctx.line_to(x, y + 8.0);
            ctx.line_to(x - 8.0, y);
            ctx.close_path();
        }
        _ => {
            ctx.move_to(x, y - 8.0);
            ctx.line_to(x + 7.0, y + 6.0);
            ctx.line_to(x - 7.0, y + 6.0);
            ctx.close_path();
        }
    };
    for (slot, var, fallback) in [
        (0, "--a", "#2b6cb0"),
        (1, "--b", "#c05621"),
        (2, "--c", "#6b46c1"),
        (3, "--d", "#2f855a"),
    ] {
        ctx.begin_path();
        for m in v
            .messages
            .iter()
            .filter(|m| kind_slot(props.kinds, m.kind) == slot)
        {
            let (x, y) = along(
                &props.layout,
                m.from,
                m.to,
                progress(m.sent, m.deliver, props.now, props.still),
            );
            trace(slot, x, y);
        }
        ctx.set_fill_style_str(&colour(var, fallback));
        ctx.fill();
    }
    // Network copies: a ring, as the dashed outline in the SVG view.
    ctx.begin_path();
    for m in v.messages.iter().filter(|m| m.copy_of.is_some()) {
        let (x, y) = along(
            &props.layout,
            m.from,
            m.to,
            progress(m.sent, m.deliver, props.now, props.still),
        );
        ctx.move_to(x + 10.0, y);
        let _ = ctx.arc(x, y, 10.0, 0.0, std::f64::consts::TAU);
    }
    ctx.set_stroke_style_str(&colour("--ink", "#1a202c"));
    ctx.set_line_width(1.5);
    ctx.stroke();
    // Recent drops: crosses fading out.
    ctx.set_stroke_style_str(&colour("--bad", "#c53030"));
    ctx.set_line_width(3.0);
    for d in &v.dropped {
        let age = props.now.saturating_sub(d.at);
        if age > props.fade || d.at > props.now {
            continue;
        }
        let f = d
            .deliver
            .map_or(0.18, |deliver| progress(d.sent, deliver, d.at, false));
        let (x, y) = along(&props.layout, d.from, d.to, f);
        ctx.set_global_alpha(if props.still {
            1.0
        } else {
            1.0 - 0.85 * age as f64 / props.fade.max(1) as f64
        });
        ctx.begin_path();
        ctx.move_to(x - 7.0, y - 7.0);
        ctx.line_to(x + 7.0, y + 7.0);
        ctx.move_to(x + 7.0, y - 7.0);
        ctx.line_to(x - 7.0, y + 7.0);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}
