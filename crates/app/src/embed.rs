//! Embed mode's side of the page: the frame talks to the page that embeds it. Commands arrive
//! as `message` events, are checked by `splitbrain-embed` (refusals go to the console and back
//! to the page as a `refused` event) and reach the shell as ordinary messages; events leave
//! with `postMessage` to the embedding page only.

use crate::app::{App, Msg};
use gloo::events::EventListener;
use serde_json::{Map, Value, json};
use splitbrain_embed::{Options, Origin, Theme, outgoing, parse_command, state_fields};
use splitbrain_labs::happenings::Watch;
use splitbrain_sim::Lab;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::html::Scope;

/// The observer that reports the frame's height, and the callback it calls (kept alive with it).
type HeightWatch = (web_sys::ResizeObserver, Closure<dyn FnMut(js_sys::Array)>);

/// The frame's link with its embedding page.
pub struct Embed {
    /// The page's choices.
    pub options: Options,
    parent: Option<web_sys::Window>,
    /// The summary the last `state` carried, to find the lab's events since.
    last_summary: Value,
    /// What the last `state` said, so an unchanged state is not sent again.
    last_state: Option<(u64, bool, u64, u64)>,
    /// Violations already reported.
    violations_sent: usize,
    _listener: Option<EventListener>,
    _resize: Option<HeightWatch>,
}

fn warn(text: &str) {
    web_sys::console::warn_1(&format!("splitbrain embed: {text}").into());
}

/// Hangs the theme off the root element, where style.css reads it.
pub fn set_theme(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.name());
    }
}

impl Embed {
    /// Starts listening to the parent page, and reports the frame's height as it changes.
    pub fn new(options: Options, link: Scope<App>) -> Self {
        let window = web_sys::window();
        let parent = window
            .as_ref()
            .and_then(|w| w.parent().ok().flatten())
            .filter(|p| window.as_ref().is_some_and(|w| !js_sys::Object::is(p, w)))
            // An origin that cannot be one: no commands in, no events out.
            .filter(|_| options.origin != Origin::Nowhere);
        set_theme(options.theme);
        let mut embed = Self {
            parent: parent.clone(),
            last_summary: Value::Null,
            last_state: None,
            violations_sent: 0,
            _listener: None,
            _resize: None,
            options,
        };
        embed._listener = window.as_ref().map(|w| {
            let controls = embed.options.controls;
            let origin = embed.options.origin.clone();
            let reply = embed.replier();
            EventListener::new(w, "message", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                // Only the embedding page speaks to the frame, and only from its origin.
                let from_parent = match (&parent, e.source()) {
                    (Some(p), Some(src)) => js_sys::Object::is(p, &src),
                    _ => false,
                };
                if !from_parent {
                    return;
                }
                // Other scripts talk to frames too (resizers, analytics): only messages that
                // claim this protocol are read, and only those are answered when refused.
                let data = e.data();
                let ours = data.is_object()
                    && !js_sys::Array::is_array(&data)
                    && js_sys::Reflect::has(&data, &"splitbrain".into()).unwrap_or(false);
                if !ours {
                    return;
                }
                if let Origin::Only(o) = &origin
                    && e.origin() != *o
                {
                    warn(&format!(
                        "ignored a message from {}: this embed takes commands from {o} only",
                        e.origin()
                    ));
                    return;
                }
                // A UTF-16 length over the byte limit is over it in UTF-8 too: such a message
                // is refused before it is copied into the module.
                let limit = splitbrain_embed::MAX_MESSAGE_BYTES;
                let result = match js_sys::JSON::stringify(&data) {
                    Ok(t) if t.is_string() && t.length() as usize > limit => {
                        Err(splitbrain_embed::Refusal(format!(
                            "ignored a {} character message: the limit is {limit} bytes",
                            t.length()
                        )))
                    }
                    Ok(t) if t.is_string() => parse_command(&String::from(t), controls),
                    _ => Err(splitbrain_embed::Refusal(
                        "ignored a message that cannot be read as JSON".into(),
                    )),
                };
                match result {
                    Ok(cmd) => link.send_message(Msg::Host(cmd)),
                    Err(r) => {
                        warn(&r.0);
                        reply("refused", json!({ "reason": r.0 }));
                    }
                }
            })
        });
        embed._resize = embed.watch_height(window.as_ref());
        embed
    }

    /// Sends events to the page from inside a listener.
    fn replier(&self) -> impl Fn(&str, Value) + 'static {
        let parent = self.parent.clone();
        let target = self.target();
        let id = self.options.id.clone();
        move |kind, fields| {
            if let (Some(p), Value::Object(f)) = (&parent, fields) {
                send(p, &target, &outgoing(kind, &id, f));
            }
        }
    }

    fn target(&self) -> String {
        match &self.options.origin {
            Origin::Only(o) => o.clone(),
            _ => "*".into(),
        }
    }

    /// A `resize` event whenever the page's content changes height, so the snippet can size
    /// the frame to it without scroll bars.
    fn watch_height(&self, window: Option<&web_sys::Window>) -> Option<HeightWatch> {
        let root = window?.document()?.document_element()?;
        let reply = self.replier();
        let mut last = 0.0;
        let measured = root.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
            let height = measured.get_bounding_client_rect().height().ceil();
            if height != last {
                last = height;
                reply("resize", json!({ "height": height }));
            }
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&root);
        Some((observer, callback))
    }

    /// Sends one event to the page.
    pub fn post(&self, kind: &str, fields: Value) {
        if let (Some(p), Value::Object(f)) = (&self.parent, fields) {
            send(p, &self.target(), &outgoing(kind, &self.options.id, f));
        }
    }

    /// `ready`: the lab is built and commands are taken from now on.
    pub fn ready(&mut self, lab: &dyn Lab, seed: u64) {
        self.post(
            "ready",
            json!({
                "protocol": splitbrain_embed::PROTOCOL,
                "lab": lab.lab(),
                "seed": seed,
                "nodes": lab.nodes(),
                "controls": self.options.controls.to_text(),
                "invariants": lab.invariant_names(),
            }),
        );
        self.last_summary = lab.summary();
    }

    /// After the run moved or the user acted: the lab's events since the last look, any new
    /// violation, then `state` if something it reports changed (always when `force`).
    pub fn observe(&mut self, lab: &dyn Lab, seed: u64, playing: bool, speed: f64, force: bool) {
        let key = (lab.now(), playing, lab.trace_recorded(), speed.to_bits());
        if !force && self.last_state == Some(key) {
            return;
        }
        self.last_state = Some(key);
        let summary = lab.summary();
        if let Ok(info) = splitbrain_labs::find(lab.lab()) {
            let watch = Watch {
                slo_ms: self.options.slo_ms,
            };
            for event in (info.happenings)(&self.last_summary, &summary, &watch) {
                if let Value::Object(mut fields) = event {
                    let kind = fields
                        .remove("type")
                        .and_then(|k| k.as_str().map(String::from))
                        .unwrap_or_default();
                    fields.insert("time".into(), json!(splitbrain_sim::format_time(lab.now())));
                    self.post(&kind, Value::Object(fields));
                }
            }
        }
        let violations = lab.violations();
        for v in violations.iter().skip(self.violations_sent) {
            self.post(
                "violation",
                json!({
                    "invariant": v.invariant,
                    "source": v.source,
                    "message": v.message,
                    "time": splitbrain_sim::format_time(v.time),
                    "nodes": v.nodes,
                }),
            );
        }
        self.violations_sent = violations.len();
        let fields: Map<String, Value> = state_fields(
            lab.lab(),
            seed,
            lab.now(),
            playing,
            speed,
            lab.events(),
            violations.len(),
            lab.trace_hash(),
            summary.clone(),
        );
        self.post("state", Value::Object(fields));
        self.last_summary = summary;
    }

    /// A new run replaced the old one: its events start from its own beginning.
    pub fn restarted(&mut self, lab: &dyn Lab) {
        self.last_summary = lab.summary();
        // Violations already there are not news either (a new run has none).
        self.violations_sent = lab.violations().len();
        self.last_state = None;
    }
}

fn send(parent: &web_sys::Window, target: &str, msg: &Value) {
    if let Ok(v) = js_sys::JSON::parse(&msg.to_string())
        && parent.post_message(&v, target).is_err()
    {
        warn("could not post to the embedding page");
    }
}
