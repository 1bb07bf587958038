//! Small things the page needs from the browser and nothing else: its address, downloads, a
//! fresh seed, the in-tab benchmark, and the words of the event log.

use splitbrain_sim::TraceLine;
use wasm_bindgen::JsCast;

/// `n` with thousands separators.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number for a link, to six decimals, with integer arithmetic: formatting an `f64` would
/// add the float printer to the download.
pub fn decimal(v: f64) -> String {
    let m = (v.max(0.0) * 1e6).round() as u64;
    let frac = format!("{:06}", m % 1_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        (m / 1_000_000).to_string()
    } else {
        format!("{}.{frac}", m / 1_000_000)
    }
}

/// The query string of the page's address.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// This page's address without its query: where links made here point.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Offers the file at `href` (a `data:` URL) to save as `name`.
pub fn download_href(name: &str, href: &str) {
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok());
    if let Some(a) = anchor {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", name);
        if let Some(el) = a.dyn_ref::<web_sys::HtmlElement>() {
            el.click();
        }
    }
}

/// Offers `text` as a file to save.
pub fn download(name: &str, mime: &str, text: &str) {
    let href = format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    download_href(name, &href);
}

/// "Speed 0.05×", "Speed 1/500×": two decimals with integer arithmetic (see `network::num`).
pub fn speed_label(speed: f64) -> String {
    if speed < 0.01 {
        format!("Speed 1/{}×", (1.0 / speed).round() as i64)
    } else {
        let h = (speed * 100.0).round() as i64;
        format!("Speed {}.{:02}×", h / 100, h % 100)
    }
}

/// A seed for "New seed": the one place the page asks the browser for randomness. Runs stay
/// reproducible because the seed is shown and goes into every shared link.
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        // Keep seeds short enough to read and type.
        Ok(()) => u64::from_le_bytes(bytes) % 1_000_000_000,
        Err(_) => (js_sys::Math::random() * 1e9) as u64,
    }
}

/// Runs the shared Raft throughput workload (`splitbrain bench --lab raft`) in this tab and
/// reports it as JSON, to compare wasm in Chromium with native.
#[cfg(not(feature = "lab-raft"))]
pub fn run_bench(_: usize) -> String {
    "{\"error\": \"the benchmark runs on the page that carries Raft\"}".into()
}

/// Runs the shared Raft throughput workload (`splitbrain bench --lab raft`) in this tab and
/// reports it as JSON, to compare wasm in Chromium with native.
#[cfg(feature = "lab-raft")]
pub fn run_bench(nodes: usize) -> String {
    let perf = web_sys::window().and_then(|w| w.performance());
    let mut clock = move || perf.as_ref().map_or(0.0, |p| p.now());
    match splitbrain_labs::bench::raft_throughput(nodes, 1_000_000, &mut clock, &|| None) {
        Ok((events, ms, hash)) => serde_json::json!({
            "lab": "raft",
            "nodes": nodes,
            "events": events,
            "ms": ms,
            "events_per_second": (events as f64 / (ms / 1_000.0).max(1e-9)).round(),
            "trace_hash": format!("{hash:016x}"),
        })
        .to_string(),
        Err(e) => format!("{{\"error\": {:?}}}", e.0),
    }
}

/// Who a log line is about, clients named `c1`… after the `servers`.
pub fn who(l: &TraceLine, servers: usize) -> String {
    let name = |n| splitbrain_sim::words::node_name(n, servers);
    match (l.from, l.to, l.node) {
        (Some(f), Some(t), _) => format!("{}→{}", name(f), name(t)),
        (_, _, Some(n)) => name(n),
        _ => "net".into(),
    }
}

pub fn what(l: &TraceLine) -> String {
    let mut s = l.ev.to_string();
    if !l.text.is_empty() {
        s.push(' ');
        s.push_str(&l.text);
    }
    if l.ev == "dropped"
        && let Some(k) = &l.kind
    {
        s.push_str(&format!(" ({k})"));
    }
    s
}
