//! A picture saved as PNG: the standalone SVG drawn into a canvas by the browser's own SVG
//! renderer (as an image of a `blob:` URL the page made), then offered as a file. The SVG is
//! the one drawing; the PNG is its pixels.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Pixels per picture pixel: sharp on a slide or a high-density screen.
const SCALE: f64 = 2.0;

/// Offers `svg` (a standalone SVG `width` × `height`) as the PNG file `name`. Nothing happens
/// if the browser refuses a step: the SVG export is still there.
pub fn download_png(name: &str, svg: &str, width: f64, height: f64) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(svg));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let name = name.to_string();
    let (image, src) = (img.clone(), url.clone());
    // Runs once, when the image has loaded, and is freed then.
    let onload = Closure::once_into_js(move || {
        let canvas = document
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        if let Some(canvas) = canvas {
            canvas.set_width((width * SCALE).ceil() as u32);
            canvas.set_height((height * SCALE).ceil() as u32);
            let ctx = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
            if let Some(ctx) = ctx {
                let _ = ctx.scale(SCALE, SCALE);
                let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(
                    &image, 0.0, 0.0, width, height,
                );
                if let Ok(data) = canvas.to_data_url_with_type("image/png") {
                    crate::page::download_href(&name, &data);
                }
            }
        }
        let _ = web_sys::Url::revoke_object_url(&src);
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
}
