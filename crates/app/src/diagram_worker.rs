//! The time-space diagram's Web Worker from the page's side: started when the diagram is first
//! opened (so its script and wasm are no part of the page's first download) and kept for the
//! page's life, so its index of the run survives closing the panel. Requests wait in a queue
//! until the worker says it is ready; its replies come back as the diagram panel's messages.

use crate::app::{App, Msg};
use crate::diagram_msg::DiagramMsg;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::Callback;

/// The worker's loader beside the page (trunk's `data-loader-shim` for `diagram-worker`).
const LOADER: &str = "./diagram-worker_loader.js";

/// A running worker, its listeners (which live as long as it does) and what waits for it.
pub struct DiagramWorker {
    worker: web_sys::Worker,
    /// Requests posted before the worker said it was ready, oldest first.
    waiting: Vec<String>,
    ready: bool,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl DiagramWorker {
    fn start(send: Callback<Msg>) -> Result<Self, String> {
        let worker = web_sys::Worker::new(LOADER)
            .map_err(|_| "the diagram cannot start its worker".to_string())?;
        let to_page = send.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(text) = e.data().as_string() {
                    to_page.emit(Msg::Diagram(DiagramMsg::Reply(text)));
                }
            });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            send.emit(Msg::Diagram(DiagramMsg::WorkerFailed));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            waiting: Vec::new(),
            ready: false,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn post(&mut self, text: String) {
        if self.ready {
            let _ = self.worker.post_message(&text.into());
        } else {
            self.waiting.push(text);
        }
    }

    /// The worker runs: what waited goes to it, in order.
    pub fn ready(&mut self) {
        self.ready = true;
        for text in std::mem::take(&mut self.waiting) {
            let _ = self.worker.post_message(&text.into());
        }
    }
}

impl Drop for DiagramWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

impl App {
    /// Stops the worker now, and frees its callbacks once the one running has returned (its
    /// error reaches here from inside its own callback).
    pub(crate) fn retire_diagram_worker(&mut self) {
        if let Some(w) = self.diagram_worker.take() {
            w.worker.terminate();
            gloo::timers::callback::Timeout::new(0, move || drop(w)).forget();
        }
    }

    /// Posts what the open diagram asks of its worker, starting the worker the first time.
    pub(crate) fn post_diagram(&mut self) {
        if !self.diagram.open || self.diagram.outbox.is_empty() {
            return;
        }
        if self.diagram_worker.is_none() {
            match DiagramWorker::start(self.send.clone()) {
                Ok(w) => self.diagram_worker = Some(w),
                Err(why) => {
                    self.ui.notice = Some(format!("The diagram cannot be drawn: {why}."));
                    // Tried again, from the start (the outbox holds a reset), at the next request.
                    self.diagram.restart();
                    return;
                }
            }
        }
        if let Some(w) = self.diagram_worker.as_mut() {
            for r in std::mem::take(&mut self.diagram.outbox) {
                w.post(r.to_json());
            }
        }
    }
}
