//! The embed protocol, kept apart from the browser so it is tested natively: which options an
//! embedding page may set (URL parameters of the frame, or `data-` attributes of the snippet),
//! and the one versioned message schema the page and the frame exchange with `postMessage`.
//!
//! Every message is a JSON object `{"splitbrain": 1, "type": "…", …}`. Messages into the frame
//! are checked here: an unknown type, a wrong shape, an oversized payload or a command the
//! embed's `controls` do not allow becomes a [`Refusal`] with one readable line, and the frame
//! keeps running. What each message means is documented on [`Command`] and [`outgoing`].
#![forbid(unsafe_code)]

use serde_json::{Map, Value, json};
use splitbrain_sim::{Action, Time, format_time, limits, parse_duration};

mod command;
pub use command::{Command, Refusal, parse_command};

/// Version of the message schema. A message that names another version is refused, so a page
/// written against a later schema fails loudly instead of half-working.
pub const PROTOCOL: u64 = 1;

/// Largest message the frame reads, as JSON text: a whole run description (the
/// [`limits::MAX_SCENARIO_BYTES`] a link may carry) plus its envelope. Bigger ones are refused
/// before they are parsed.
pub const MAX_MESSAGE_BYTES: usize = limits::MAX_SCENARIO_BYTES + 4_096;

/// Longest embed id (the snippet names frames `sb-1`, `sb-2`, …; a page may pick its own).
pub const MAX_ID_CHARS: usize = 64;

/// Something the embedding page may let the learner (and itself) do. The same list decides
/// which buttons the frame shows and which host commands it obeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Play, pause and step.
    Play,
    /// Jump to a virtual time (host command only; the full app has the rewind).
    Seek,
    /// Change the playback speed.
    Speed,
    /// Start the run over from its beginning.
    Reset,
    /// Crash and restart nodes.
    Crash,
    /// Partition, isolate and heal.
    Partition,
    /// Send client requests.
    Request,
    /// Replace the run with another (`load-run`), or change the lab's settings.
    Load,
    /// Link loss, duplication and latency; cutting a link; dropping a message in flight.
    Network,
}

impl Control {
    /// Every control, in the order the docs list them.
    pub const ALL: [Control; 9] = [
        Control::Play,
        Control::Seek,
        Control::Speed,
        Control::Reset,
        Control::Crash,
        Control::Partition,
        Control::Request,
        Control::Load,
        Control::Network,
    ];

    /// Its name in `controls=` lists.
    pub fn name(self) -> &'static str {
        match self {
            Control::Play => "play",
            Control::Seek => "seek",
            Control::Speed => "speed",
            Control::Reset => "reset",
            Control::Crash => "crash",
            Control::Partition => "partition",
            Control::Request => "request",
            Control::Load => "load",
            Control::Network => "network",
        }
    }

    /// What it lets a reader do, in the words of the page's buttons, for notices.
    pub fn label(self) -> &'static str {
        match self {
            Control::Play => "play and pause",
            Control::Seek => "going back in time",
            Control::Speed => "the speed",
            Control::Reset => "Start over",
            Control::Crash => "crashes and restarts",
            Control::Partition => "partitions",
            Control::Request => "client requests",
            Control::Load => "automatic client traffic",
            Control::Network => "the network's settings",
        }
    }

    /// The control a user action needs: what an embed or an exercise must allow for it.
    pub fn of(action: &Action) -> Control {
        match action {
            // Timing a node out by hand is a fault of the node, like a crash.
            Action::Crash { .. } | Action::Restart { .. } | Action::Timeout { .. } => {
                Control::Crash
            }
            Action::Partition { .. } | Action::Heal => Control::Partition,
            Action::Client { .. } => Control::Request,
            Action::Cut { .. }
            | Action::Loss { .. }
            | Action::Duplicate { .. }
            | Action::Latency { .. }
            | Action::DropMessage { .. } => Control::Network,
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of [`Control`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controls(u16);

impl Controls {
    /// What an embed allows when the page does not say: watching, with play/pause, seeking and
    /// speed, and starting over. Faults are opt-in, so a docs page shows exactly its story.
    pub const DEFAULT: Controls = Controls(
        1 << Control::Play as u16
            | 1 << Control::Seek as u16
            | 1 << Control::Speed as u16
            | 1 << Control::Reset as u16,
    );

    /// Nothing allowed.
    pub const NONE: Controls = Controls(0);

    /// Whether `c` is allowed.
    pub fn allows(self, c: Control) -> bool {
        self.0 & c.bit() != 0
    }

    /// Reads `play,crash,partition`, `all` or `none`.
    pub fn parse(text: &str) -> Result<Controls, String> {
        let mut set = 0;
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "all" => set = u16::MAX,
                "none" => {}
                w => match Control::ALL.iter().find(|c| c.name() == w) {
                    Some(c) => set |= c.bit(),
                    None => {
                        return Err(format!(
                            "unknown control {w:?}: expected some of {}, or all or none",
                            names(&Control::ALL)
                        ));
                    }
                },
            }
        }
        Ok(Controls(set))
    }

    /// The allowed controls' names, comma-separated.
    pub fn to_text(self) -> String {
        let on: Vec<Control> = Control::ALL
            .into_iter()
            .filter(|c| self.allows(*c))
            .collect();
        names(&on)
    }
}

fn names(list: &[Control]) -> String {
    list.iter().map(|c| c.name()).collect::<Vec<_>>().join(",")
}

/// A part of the page below the network an embed may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// The lab's own panel (Raft's log table, the hash ring, the latency chart).
    Lab,
    /// The safety line: which invariants hold.
    Safety,
    /// The node inspector.
    Inspector,
    /// The event log.
    Log,
    /// The timeline under the network: scrub, step back, markers, branches (needs the `seek`
    /// control).
    Timeline,
    /// The time-space diagram: every message as an arrow between lanes, opened.
    Diagram,
}

impl Panel {
    const ALL: [Panel; 6] = [
        Panel::Lab,
        Panel::Safety,
        Panel::Inspector,
        Panel::Log,
        Panel::Timeline,
        Panel::Diagram,
    ];

    fn name(self) -> &'static str {
        match self {
            Panel::Lab => "lab",
            Panel::Safety => "safety",
            Panel::Inspector => "inspector",
            Panel::Log => "log",
            Panel::Timeline => "timeline",
            Panel::Diagram => "diagram",
        }
    }
}

/// Colour scheme of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow the visitor's system setting.
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Its name, as the page's `data-theme` attribute takes it.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Reads `light`, `dark` or `auto`.
    pub fn parse(v: &str) -> Result<Theme, String> {
        match v {
            "auto" => Ok(Theme::Auto),
            "light" => Ok(Theme::Light),
            "dark" => Ok(Theme::Dark),
            _ => Err(format!("theme must be light, dark or auto, got {v:?}")),
        }
    }
}

/// How an embedded frame is set up. Every field has a default, listed in the README.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// What the learner and the host page may do.
    pub controls: Controls,
    /// Panels shown under the network.
    pub panels: Vec<Panel>,
    /// Start playing at once (default) or wait for play.
    pub autoplay: bool,
    /// Pause when virtual time reaches this.
    pub until: Option<Time>,
    /// When virtual time reaches this, start the run over (a looping illustration).
    pub loop_at: Option<Time>,
    /// Colour scheme.
    pub theme: Theme,
    /// Which page origin the frame takes commands from and sends events to. The snippet sets
    /// it to the embedding page's own origin.
    pub origin: Origin,
    /// The frame's id, echoed in every event so one page can tell its embeds apart.
    pub id: String,
    /// Latency objective for the load-balancing lab's `slo-breached` event, in ms.
    pub slo_ms: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            controls: Controls::DEFAULT,
            panels: vec![Panel::Lab],
            autoplay: true,
            until: None,
            loop_at: None,
            theme: Theme::Auto,
            origin: Origin::Any,
            id: String::new(),
            slo_ms: 2_000.0,
        }
    }
}

/// The URL parameters that belong to embed mode (the others are the page's usual settings).
pub const KEYS: &[&str] = &[
    "embed", "controls", "panels", "autoplay", "until", "loop", "theme", "origin", "id", "slo",
];

impl Options {
    /// Reads the embed parameters among a link's `key=value` pairs; `None` when the link does
    /// not ask for embed mode (`embed=1`). Each refused value is one message in the list, and
    /// that option keeps its default.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Option<Options>, Vec<String>) {
        let mut o = Options::default();
        let mut embed = false;
        let mut errors = Vec::new();
        for (k, v) in pairs {
            let flag = |v: &str| match v {
                "" | "1" | "true" | "yes" => Ok(true),
                "0" | "false" | "no" => Ok(false),
                _ => Err(format!("{k} must be true or false, got {v:?}")),
            };
            let time = |v: &str| match parse_duration(v) {
                Ok(t) if t > 0 && t <= limits::MAX_TIME => Ok(t),
                _ => Err(format!(
                    "{k} must be a time like 20s, at most one day, got {v:?}"
                )),
            };
            let r: Result<(), String> = match k {
                "embed" => flag(v).map(|b| embed = b),
                "controls" => Controls::parse(v).map(|c| o.controls = c),
                "panels" => parse_panels(v).map(|p| o.panels = p),
                "autoplay" => flag(v).map(|b| o.autoplay = b),
                "until" => time(v).map(|t| o.until = Some(t)),
                "loop" => time(v).map(|t| o.loop_at = Some(t)),
                "theme" => Theme::parse(v).map(|t| o.theme = t),
                "origin" => match check_origin(v) {
                    Ok(origin) => {
                        o.origin = origin;
                        Ok(())
                    }
                    Err(e) => {
                        // A page that meant to restrict the frame must not get an open one.
                        o.origin = Origin::Nowhere;
                        Err(e)
                    }
                },
                "id" if v.chars().count() <= MAX_ID_CHARS => {
                    o.id = v.to_string();
                    Ok(())
                }
                "id" => Err(format!("id is longer than {MAX_ID_CHARS} characters")),
                "slo" => match parse_duration(v) {
                    Ok(t) if t > 0 && t <= limits::MAX_TIME => {
                        o.slo_ms = t as f64 / 1_000.0;
                        Ok(())
                    }
                    _ => Err(format!("slo must be a latency like 2s or 500ms, got {v:?}")),
                },
                _ => Ok(()),
            };
            if let Err(e) = r {
                errors.push(e);
            }
        }
        (embed.then_some(o), errors)
    }

    /// Whether the frame shows `panel`.
    pub fn shows(&self, panel: Panel) -> bool {
        self.panels.contains(&panel)
    }
}

fn parse_panels(text: &str) -> Result<Vec<Panel>, String> {
    let mut out = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match (word, Panel::ALL.iter().find(|p| p.name() == word)) {
            ("none", _) => {}
            ("all", _) => out = Panel::ALL.to_vec(),
            (_, Some(p)) => out.push(*p),
            (w, None) => {
                return Err(format!(
                    "unknown panel {w:?}: expected some of lab,safety,inspector,log,timeline, or all or none"
                ));
            }
        }
    }
    Ok(out)
}

/// Who the frame talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Any embedding page (events are sent to `*`).
    Any,
    /// Only a page of this origin, in the form browsers report it (`https://docs.example.org`).
    Only(String),
    /// Nobody: the page asked for an origin that cannot be one, so the frame stays silent
    /// rather than open.
    Nowhere,
}

/// `https://docs.example.org` (scheme, host, optional port), or `*` for any. Written as a
/// browser reports `MessageEvent.origin`: lower case, no default port, no trailing slash.
fn check_origin(v: &str) -> Result<Origin, String> {
    if v == "*" {
        return Ok(Origin::Any);
    }
    let lower = v.to_ascii_lowercase();
    let lower = lower.trim_end_matches('/');
    let (scheme, host) = match lower.split_once("://") {
        Some((s @ ("http" | "https"), h)) => (s, h),
        _ => ("", ""),
    };
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(host);
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || v.len() > 256 || !host.chars().all(allowed) {
        return Err(format!(
            "origin must be a page origin like https://docs.example.org, got {v:?}; this embed will neither take commands nor send events"
        ));
    }
    Ok(Origin::Only(format!("{scheme}://{host}")))
}

/// An event for the embedding page: `{"splitbrain": 1, "type": kind, "id": …, …fields}`.
///
/// The frame sends `ready` once the lab is built, `state` whenever what it shows changed
/// (at most five times a second while playing, and after every command), the lab's own events
/// (`leader-elected`, `value-chosen`, `keys-moved`, `slo-breached`, …: see each lab's
/// `happenings` in the registry), `violation` when an invariant breaks, `refused` when a
/// command was not obeyed, and `resize` with the height the frame's content needs.
pub fn outgoing(kind: &str, id: &str, fields: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("splitbrain".into(), json!(PROTOCOL));
    m.insert("type".into(), json!(kind));
    m.insert("id".into(), json!(id));
    m.extend(fields);
    Value::Object(m)
}

/// The fields of a `state` event.
#[allow(clippy::too_many_arguments)]
pub fn state_fields(
    lab: &str,
    seed: u64,
    now: Time,
    playing: bool,
    speed: f64,
    events: u64,
    violations: usize,
    fingerprint: u64,
    summary: Value,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("lab".into(), json!(lab));
    m.insert("seed".into(), json!(seed));
    m.insert("time".into(), json!(format_time(now)));
    m.insert("time_us".into(), json!(now));
    m.insert("playing".into(), json!(playing));
    m.insert("speed".into(), json!(speed));
    m.insert("events".into(), json!(events));
    m.insert("violations".into(), json!(violations));
    // The trace hash the full app shows as "run fingerprint": equal means the same run.
    m.insert("fingerprint".into(), json!(format!("{fingerprint:016x}")));
    m.insert("summary".into(), summary);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> (Option<Options>, Vec<String>) {
        let v: Vec<(&str, &str)> = q
            .split('&')
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        Options::from_pairs(v)
    }

    #[test]
    fn embed_mode_needs_embed_1_and_every_option_has_a_default() {
        assert_eq!(pairs("lab=raft&seed=3").0, None);
        let (o, e) = pairs("embed=1");
        assert!(e.is_empty());
        assert_eq!(o, Some(Options::default()));
        let o = o.unwrap_or_default();
        assert!(
            o.autoplay && o.controls.allows(Control::Play) && !o.controls.allows(Control::Crash)
        );
    }

    #[test]
    fn options_are_read_and_bad_ones_keep_their_default_with_a_reason() {
        let (o, e) = pairs(
            "embed=1&controls=play,crash,partition&panels=lab,log&autoplay=false&loop=20s&theme=dark&origin=https://docs.example.org&id=sb-2&slo=500ms",
        );
        assert!(e.is_empty(), "{e:?}");
        let o = o.unwrap_or_default();
        assert_eq!(o.controls.to_text(), "play,crash,partition");
        assert_eq!(o.panels, vec![Panel::Lab, Panel::Log]);
        assert!(!o.autoplay);
        assert_eq!(o.loop_at, Some(20_000_000));
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(o.origin, Origin::Only("https://docs.example.org".into()));
        assert_eq!((o.id.as_str(), o.slo_ms), ("sb-2", 500.0));
        let (o, e) = pairs("embed=1&controls=play,fly&theme=pink&origin=javascript:x&loop=forever");
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains("unknown control \"fly\""));
        let o = o.unwrap_or_default();
        assert_eq!(
            o.origin,
            Origin::Nowhere,
            "a bad origin closes the frame, not opens it"
        );
        assert_eq!(
            (o.controls, o.theme, o.loop_at),
            (Controls::DEFAULT, Theme::Auto, None)
        );
    }

    #[test]
    fn origins_are_written_as_browsers_report_them() {
        for (given, seen) in [
            ("https://Docs.Example.org/", "https://docs.example.org"),
            ("https://docs.example.org:443", "https://docs.example.org"),
            ("http://localhost:8080", "http://localhost:8080"),
        ] {
            assert_eq!(
                check_origin(given),
                Ok(Origin::Only(seen.into())),
                "{given}"
            );
        }
        assert_eq!(check_origin("*"), Ok(Origin::Any));
        assert!(check_origin("https://").is_err());
    }

    #[test]
    fn events_carry_the_protocol_version_and_the_embed_id() {
        let v = outgoing(
            "state",
            "sb-1",
            state_fields(
                "raft",
                3,
                1_500_000,
                true,
                0.1,
                42,
                0,
                0xab,
                json!({"max_term": 1}),
            ),
        );
        assert_eq!(v["splitbrain"], 1);
        assert_eq!(v["type"], "state");
        assert_eq!(v["id"], "sb-1");
        assert_eq!(v["time"], "1.5s");
        assert_eq!(v["summary"]["max_term"], 1);
        assert_eq!(v["fingerprint"], "00000000000000ab");
    }
}
