//! The keyboard: one listener on the document that turns keys into the shell's messages.

use crate::app::Msg;
use crate::ui::UiMsg;
use gloo::events::{EventListener, EventListenerOptions};
use splitbrain_sim::{Action, NodeId};
use wasm_bindgen::JsCast;
use yew::html::Scope;

/// The keyboard shortcuts, shown in the help overlay.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "play / pause"),
    ("S or .", "step one event"),
    (
        "← / →",
        "one event back / forward; in a tour, the previous / next step",
    ),
    ("Shift+← / →", "one second back / forward"),
    ("Home / End", "start / end of the run so far"),
    ("0–9", "select node"),
    ("B", "client request to the selected node"),
    ("C", "crash / restart the selected node"),
    (
        "T",
        "time the selected node out now (Raft, Paxos): it runs for leader",
    ),
    ("I", "isolate the selected node"),
    ("P", "partition tool: put nodes in groups"),
    ("H", "heal every partition and cut"),
    ("A", "automatic client traffic on / off"),
    ("R", "reset to the start of this seed"),
    ("?", "this help"),
    ("Esc", "close help or the partition tool"),
];

/// The message a key press sends, if any (`shift` for Shift+arrows).
fn message(key: &str, shift: bool) -> Option<Msg> {
    Some(match key {
        "Escape" => Msg::Ui(UiMsg::Close),
        "?" => Msg::Ui(UiMsg::Help(true)),
        "p" => Msg::Ui(UiMsg::PartitionTool(true)),
        " " | "k" => Msg::TogglePlay,
        "s" | "." => Msg::Step,
        "ArrowLeft" if shift => Msg::SeekBy(-1_000_000),
        "ArrowRight" if shift => Msg::SeekBy(1_000_000),
        "ArrowLeft" => Msg::Arrow(false),
        "ArrowRight" => Msg::Arrow(true),
        "Home" => Msg::SeekTo(0),
        "End" => Msg::SeekEnd,
        "b" => Msg::Broadcast,
        "c" => Msg::CrashRestart,
        "t" => Msg::TimeOut,
        "i" => Msg::Isolate,
        "h" => Msg::Act(Action::Heal),
        "a" => Msg::ToggleAuto,
        "r" => Msg::Reset,
        k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() => {
            Msg::Ui(UiMsg::Select((k.as_bytes()[0] - b'0') as NodeId))
        }
        _ => return None,
    })
}

/// Listens for shortcuts on the whole page, except while typing in a field.
pub fn listen(link: Scope<crate::app::App>) -> Option<EventListener> {
    let doc = web_sys::window().and_then(|w| w.document())?;
    let options = EventListenerOptions::enable_prevent_default();
    Some(EventListener::new_with_options(
        &doc,
        "keydown",
        options,
        move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let in_field = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| match el.tag_name().as_str() {
                    "SELECT" | "TEXTAREA" => true,
                    // Typing goes to text fields; a ticked box or a slider keeps shortcuts.
                    "INPUT" => !matches!(
                        el.get_attribute("type").as_deref(),
                        Some("checkbox" | "range" | "radio" | "button")
                    ),
                    _ => false,
                });
            if in_field {
                return;
            }
            if let Some(msg) = message(&e.key(), e.shift_key()) {
                e.prevent_default();
                link.send_message(msg);
            }
        },
    ))
}
