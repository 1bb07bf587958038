//! The network view saved as a picture for a slide or a report: its stacked layers (links and
//! partitions, messages, nodes) copied into one standalone SVG with the run named under it.
//! The page styles the view with its stylesheet, so each shape of the copy carries the styles
//! the browser computed for it (set through the CSSOM, which the page's CSP allows); messages
//! drawn on the canvas layer of a busy run go in as that canvas's pixels.

use crate::layout::SIZE;
use crate::network::num;
use wasm_bindgen::JsCast;

/// The styles a shape of the view takes from the page's stylesheet.
const PROPS: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "opacity",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "paint-order",
    "visibility",
    "display",
];

/// Height of one caption line under the picture.
const LINE: f64 = 16.0;

/// The network view now as a standalone SVG with `caption` under it, and its size; `None` if
/// the page has no network view.
pub fn network_svg(caption: &[String]) -> Option<(String, f64, f64)> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let view = document.query_selector(".network-box").ok()??;
    let layers = view
        .query_selector_all("svg.network, canvas.network-canvas")
        .ok()?;
    let serializer = web_sys::XmlSerializer::new().ok()?;
    let height = SIZE + 8.0 + LINE * caption.len() as f64;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="system-ui, sans-serif"><rect width="{w}" height="{h}" fill="white"/>"#,
        w = num(SIZE),
        h = num(height),
    );
    for i in 0..layers.length() {
        let Some(layer) = layers
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if let Ok(canvas) = layer.clone().dyn_into::<web_sys::HtmlCanvasElement>() {
            if let Ok(png) = canvas.to_data_url() {
                out.push_str(&format!(
                    r#"<image width="{s}" height="{s}" href="{png}"/>"#,
                    s = num(SIZE)
                ));
            }
            continue;
        }
        let copy = styled_copy(&window, &layer)?;
        let _ = copy.set_attribute("width", &num(SIZE));
        let _ = copy.set_attribute("height", &num(SIZE));
        out.push_str(&serializer.serialize_to_string(&copy).ok()?);
    }
    for (k, line) in caption.iter().enumerate() {
        out.push_str(&format!(
            r##"<text x="8" y="{}" font-size="11" fill="#4b5563">{}</text>"##,
            num(SIZE + 4.0 + LINE * (k as f64 + 0.8)),
            splitbrain_diagram::svg::esc(line)
        ));
    }
    out.push_str("</svg>");
    Some((out, SIZE, height))
}

/// A deep copy of `layer` whose every shape carries the styles computed for the original.
fn styled_copy(window: &web_sys::Window, layer: &web_sys::Element) -> Option<web_sys::Element> {
    let copy: web_sys::Element = layer.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    let from = layer.query_selector_all("*").ok()?;
    let to = copy.query_selector_all("*").ok()?;
    for i in 0..from.length().min(to.length()) {
        let (Some(a), Some(b)) = (from.item(i), to.item(i)) else {
            continue;
        };
        let (Ok(a), Ok(b)) = (
            a.dyn_into::<web_sys::Element>(),
            b.dyn_into::<web_sys::SvgElement>(),
        ) else {
            continue;
        };
        let Ok(Some(computed)) = window.get_computed_style(&a) else {
            continue;
        };
        let style = b.style();
        for p in PROPS {
            if let Ok(v) = computed.get_property_value(p) {
                let _ = style.set_property(p, &v);
            }
        }
    }
    Some(copy)
}
