//! The hunt's Web Worker from the page's side: started when the reader presses Hunt (so the
//! worker's script and wasm are no part of the page's first download), terminated to cancel,
//! and its JSON replies handed to the hunt panel's state (`hunt.rs`).

use crate::app::{App, Msg};
use crate::hunt::{HuntMsg, Phase};
use splitbrain_player::Input;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// The worker's loader beside the page (trunk's `data-loader-shim` for `hunt-worker`).
const LOADER: &str = "./hunt-worker_loader.js";

/// What the worker says when it can take the request.
const READY: &str = r#"{"type":"ready"}"#;

/// A running worker and its listeners, which live as long as it does.
pub struct Worker {
    worker: web_sys::Worker,
    /// The pace last asked of it.
    polite: bool,
    /// The machine's cores, read once.
    cores: u32,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Worker {
    /// Tells the worker how hard to run when the page starts or stops playing.
    pub fn pace(&mut self, playing: bool) {
        let polite = crate::hunt::polite(playing, self.cores);
        if polite != self.polite {
            self.polite = polite;
            let text = if polite {
                r#"{"type":"pace","polite":true}"#
            } else {
                r#"{"type":"pace","polite":false}"#
            };
            let _ = self.worker.post_message(&text.into());
        }
    }
}

/// The machine's logical cores, as the browser reports them.
fn cores() -> u32 {
    web_sys::window().map_or(1, |w| w.navigator().hardware_concurrency() as u32)
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn start(ctx: &Context<App>, request: &str, polite: bool, cores: u32) -> Result<Worker, String> {
    let worker = web_sys::Worker::new(LOADER)
        .map_err(|e| format!("the hunt cannot start its worker: {e:?}"))?;
    let link = ctx.link().clone();
    // The worker says `ready` once its wasm runs; a message sent before would find no listener.
    let (request, to_worker) = (request.to_string(), worker.clone());
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            if text != READY {
                link.send_message(Msg::Hunt(HuntMsg::Reply(text)));
            } else if to_worker.post_message(&request.as_str().into()).is_err() {
                let reply = r#"{"type":"error","message":"the hunt cannot talk to its worker"}"#;
                link.send_message(Msg::Hunt(HuntMsg::Reply(reply.into())));
            }
        });
    let link = ctx.link().clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
        let reply = r#"{"type":"error","message":"the hunt's worker stopped with an error (see the console)"}"#;
        link.send_message(Msg::Hunt(HuntMsg::Reply(reply.into())));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Worker {
        worker,
        polite,
        cores,
        _on_message: on_message,
        _on_error: on_error,
    })
}

impl App {
    /// A message of the hunt panel or its worker.
    pub(crate) fn hunt(&mut self, ctx: &Context<Self>, m: HuntMsg) {
        match &m {
            HuntMsg::Start => {
                self.retire_worker();
                let cores = cores();
                let polite = crate::hunt::polite(self.player.playing(), cores);
                let Some(request) = self.hunt.request(self.player.base(), polite) else {
                    return;
                };
                self.hunt.update(HuntMsg::Start);
                match start(ctx, &request, polite, cores) {
                    Ok(w) => self.hunt_worker = Some(w),
                    Err(why) => self.hunt.phase = Phase::Failed(why),
                }
                return;
            }
            HuntMsg::Cancel | HuntMsg::Variant(_) => self.retire_worker(),
            HuntMsg::Open => {
                if let Phase::Found(f) = &self.hunt.phase {
                    let run = f.run.clone();
                    let until = run.until;
                    self.start_at = 0;
                    match self.player.apply(Input::LoadRun(Box::new(run))) {
                        Ok(()) => {
                            self.restarted();
                            self.share = None;
                            // Open on the violation: the run stops at the event that breaks it.
                            if let Some(t) = until {
                                self.jump(t);
                            }
                        }
                        Err(e) => {
                            self.ui.notice = Some(format!("The finding cannot be opened: {e}"))
                        }
                    }
                }
            }
            HuntMsg::Count(_) | HuntMsg::Fault(..) | HuntMsg::Reply(_) => {}
        }
        self.hunt.update(m);
        // Done: the worker's memory goes back to the page.
        if !self.hunt.running() {
            self.retire_worker();
        }
    }

    /// Stops the worker now, and frees its callbacks once the one running has returned: the
    /// reply that ends a hunt reaches here from inside the worker's own message callback, and
    /// freeing a closure while it runs makes wasm-bindgen throw ("closure invoked recursively
    /// or after being dropped", seen in a browser test once in three full runs).
    fn retire_worker(&mut self) {
        if let Some(w) = self.hunt_worker.take() {
            w.worker.terminate();
            gloo::timers::callback::Timeout::new(0, move || drop(w)).forget();
        }
    }
}
