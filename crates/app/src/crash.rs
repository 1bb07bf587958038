//! The panic hook: a bug in the app must leave a readable overlay, not a frozen page.
//!
//! The wasm module aborts after a panic, so the overlay is built straight in the DOM (Yew is
//! gone by then) and offers a reload and the message to put in a bug report.

use std::panic::PanicHookInfo;

/// Installs the hook; call before the first render.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(show));
}

fn show(info: &PanicHookInfo<'_>) {
    let text = info.to_string();
    web_sys::console::error_1(&format!("Splitbrain stopped: {text}").into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let Ok(overlay) = doc.create_element("div") else {
        return;
    };
    overlay.set_class_name("crash-overlay");
    let _ = overlay.set_attribute("role", "alertdialog");
    let _ = overlay.set_attribute("data-testid", "crash");
    let parts = [
        ("h2", "Splitbrain hit a bug and stopped"),
        (
            "p",
            "The simulation cannot continue in this tab. Reloading starts it again; a shared \
             link to your run still replays exactly.",
        ),
        ("pre", text.as_str()),
    ];
    for (tag, content) in parts {
        if let Ok(el) = doc.create_element(tag) {
            el.set_text_content(Some(content));
            let _ = overlay.append_child(&el);
        }
    }
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", "");
        a.set_text_content(Some("Reload"));
        let _ = overlay.append_child(&a);
    }
    let _ = body.append_child(&overlay);
}
