//! The bug hunt's Web Worker. The page starts it (`hunt-worker_loader.js`, built by trunk with
//! `data-type="worker"`) only when a learner presses Hunt, so neither its script nor its wasm
//! is part of the page's first download, and it searches on another thread while the page
//! keeps playing. It hunts in slices (`hunting.rs`), pausing between them when the page asks it
//! to share the processor (`pace.rs`). It cancels by being terminated. Messages are the JSON of
//! `protocol`.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    use splitbrain_hunt_worker::hunting::Hunt;
    use splitbrain_hunt_worker::pace::slice_and_pause;
    use splitbrain_hunt_worker::protocol::Message;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    /// The worker's one hunt, how hard it runs, and the callback that runs its next slice.
    #[derive(Default)]
    struct State {
        hunt: Option<Hunt>,
        polite: bool,
        next: Option<Closure<dyn FnMut()>>,
    }

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(State::default()));
    let post = {
        let scope = scope.clone();
        move |text: String| {
            let _ = scope.post_message(&JsValue::from_str(&text));
        }
    };
    // Runs one slice and, unless the hunt is over, asks for the next after the pause.
    let next_slice = {
        let (state, scope, post) = (state.clone(), scope.clone(), post.clone());
        Closure::<dyn FnMut()>::new(move || {
            let mut s = state.borrow_mut();
            let (run_ms, pause_ms) = slice_and_pause(s.polite);
            let until = js_sys::Date::now() + run_ms;
            let mut post = post.clone();
            let done = match s.hunt.as_mut() {
                Some(h) => h.slice(until, &mut js_sys::Date::now, &mut post),
                None => true,
            };
            if done {
                s.hunt = None;
            } else if let Some(f) = s.next.as_ref() {
                let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
                    f.as_ref().unchecked_ref(),
                    pause_ms as i32,
                );
            }
        })
    };
    state.borrow_mut().next = Some(next_slice);
    let on_message = {
        let (state, scope) = (state.clone(), scope.clone());
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let post = post.clone();
            let Some(text) = e.data().as_string() else {
                return post(
                    r#"{"type":"error","message":"send the request as JSON text"}"#.into(),
                );
            };
            let mut s = state.borrow_mut();
            match Message::parse(&text) {
                Ok(Message::Pace { polite }) => s.polite = polite,
                Ok(Message::Hunt(req)) if s.hunt.is_none() => {
                    s.polite = req.polite;
                    s.hunt = Some(Hunt::new(*req, js_sys::Date::now()));
                    if let Some(f) = s.next.as_ref() {
                        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
                            f.as_ref().unchecked_ref(),
                            0,
                        );
                    }
                }
                Ok(Message::Hunt(_)) => {
                    post(r#"{"type":"error","message":"this worker is already hunting"}"#.into())
                }
                Err(why) => post(serde_json::json!({"type": "error", "message": why}).to_string()),
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so do its listener and its slice callback
    // (held by `state`).
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(r#"{"type":"ready"}"#));
}

/// Natively there is no worker: the protocol is tested as a library (`cargo test`).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("hunt-worker runs in the browser; `splitbrain sweep --shrink` is the native hunt");
}
