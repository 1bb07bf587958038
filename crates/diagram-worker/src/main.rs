//! The time-space diagram's Web Worker. The page starts it (`diagram-worker_loader.js`, built
//! by trunk with `data-type="worker"`) when the diagram is first opened, so the index, the
//! layout and the SVG writer are no part of the page's first download, and the drawing runs
//! off the page's thread. Messages are the JSON of `protocol`, answered in order by `engine`.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    use splitbrain_diagram_worker::engine::Engine;
    use splitbrain_diagram_worker::protocol::Reply;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine = RefCell::new(Engine::default());
    let post = {
        let scope = scope.clone();
        move |text: String| {
            let _ = scope.post_message(&JsValue::from_str(&text));
        }
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let reply = match e.data().as_string() {
                // A request that panicked left the engine borrowed: the page hears of it and
                // starts another worker.
                Some(text) => match engine.try_borrow_mut() {
                    Ok(mut e) => e.handle_json(&text),
                    Err(_) => Some(
                        Reply::Error {
                            seq: None,
                            message: "the diagram's worker failed".into(),
                        }
                        .to_json(),
                    ),
                },
                None => Some(
                    Reply::Error {
                        seq: None,
                        message: "send the request as JSON text".into(),
                    }
                    .to_json(),
                ),
            };
            if let Some(r) = reply {
                post(r);
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it, and its listener with it.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(&Reply::Ready.to_json()));
}

/// Natively there is no worker: the protocol and the engine are tested as a library, and
/// `splitbrain diagram` draws the same pictures.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("diagram-worker runs in the browser; `splitbrain diagram` draws natively");
}
