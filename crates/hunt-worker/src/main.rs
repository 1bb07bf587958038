//! The bug hunt's Web Worker. The page starts it (`hunt-worker_loader.js`, built by trunk with
//! `data-type="worker"`) only when a learner presses Hunt, so neither its script nor its wasm
//! is part of the page's first download, and it searches on another thread while the page
//! keeps playing. It cancels by being terminated. Messages are the JSON of `protocol`.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    use splitbrain_hunt_worker::protocol;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let post = |text: String| {
                let _ = reply.post_message(&JsValue::from_str(&text));
            };
            match e.data().as_string().map(|t| protocol::Request::parse(&t)) {
                Some(Ok(req)) => protocol::hunt(&req, js_sys::Date::now, post),
                Some(Err(why)) => {
                    post(serde_json::json!({"type": "error", "message": why}).to_string())
                }
                None => {
                    post(r#"{"type":"error","message":"send the request as JSON text"}"#.into())
                }
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its one listener.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(r#"{"type":"ready"}"#));
}

/// Natively there is no worker: the protocol is tested as a library (`cargo test`).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("hunt-worker runs in the browser; `splitbrain sweep --shrink` is the native hunt");
}
