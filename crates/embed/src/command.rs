//! The embedding page's commands: one message of the postMessage schema (protocol 1) read,
//! checked against the embed's controls and limits, and turned into a [`Command`], or refused
//! with one line for the console.

use crate::{Control, Controls, MAX_MESSAGE_BYTES, PROTOCOL, Theme};
use serde_json::Value;
use splitbrain_labs::RunDescription;
use splitbrain_sim::{Action, NodeId, Time, limits, parse_duration};

/// A command from the embedding page, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `{"type":"play"}`: start playing.
    Play,
    /// `{"type":"pause"}`.
    Pause,
    /// `{"type":"step"}`: pause and process one event.
    Step,
    /// `{"type":"seek","t":"1.5s"}` (or `"t": 1.5`, seconds): the state of this run at virtual
    /// time `t`, paused. Earlier times replay the run from its start, so the state is exactly
    /// the one the full app shows for the same link at that time.
    Seek(Time),
    /// `{"type":"speed","speed":0.5}`: virtual seconds per wall second.
    Speed(f64),
    /// `{"type":"reset"}`: the run from its start.
    Reset,
    /// `{"type":"load-run","run":{…}}` (object or JSON text): replace the run.
    LoadRun(Box<RunDescription>),
    /// `{"type":"crash","node":1}`, `restart`, `partition` (`"groups":[[0,1],[2,3,4]]`),
    /// `isolate` (`"node":2`), `heal`: a fault, applied now and recorded in the run like a
    /// click on the frame's own buttons.
    Act(Action),
    /// `{"type":"request","command":"set x=1","node":0}`: a client request (node optional).
    Request {
        /// The node it goes to (`None`: the lab's entry node or the selected one).
        node: Option<NodeId>,
        /// Its text.
        command: String,
    },
    /// `{"type":"get-state"}`: answer with a `state` event now (always allowed).
    GetState,
    /// `{"type":"theme","theme":"dark"}` (`light`, `dark`, `auto`): the frame's colours, so it
    /// follows the host page's own light/dark switch (always allowed: it changes no run).
    Theme(Theme),
}

/// Why a message was not obeyed: one line for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks one message from the page (its JSON text, as `JSON.stringify` gave it), against the
/// embed's allowed controls.
pub fn parse_command(text: &str, allowed: Controls) -> Result<Command, Refusal> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Refusal(format!(
            "ignored a {} byte message: the limit is {MAX_MESSAGE_BYTES} bytes",
            text.len()
        )));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Refusal(format!("ignored a message that is not JSON: {e}")))?;
    let Some(msg) = value.as_object() else {
        return Err(Refusal("ignored a message that is not an object".into()));
    };
    match msg.get("splitbrain").and_then(Value::as_u64) {
        Some(PROTOCOL) => {}
        Some(v) => {
            return Err(Refusal(format!(
                "ignored a message for protocol version {v}: this frame speaks version {PROTOCOL}"
            )));
        }
        None => {
            return Err(Refusal(format!(
                "ignored a message without \"splitbrain\": {PROTOCOL}"
            )));
        }
    }
    let kind = msg
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| Refusal("ignored a message without a string \"type\"".into()))?;
    let need = |c: Control| -> Result<(), Refusal> {
        if allowed.allows(c) {
            Ok(())
        } else {
            Err(Refusal(format!(
                "refused {kind:?}: this embed's controls ({}) do not include {:?}",
                allowed.to_text(),
                c.name()
            )))
        }
    };
    let bad = |what: &str| Refusal(format!("ignored {kind:?}: {what}"));
    let node = |key: &str| -> Result<NodeId, Refusal> {
        msg.get(key)
            .and_then(Value::as_u64)
            .filter(|n| *n < limits::MAX_NODES as u64)
            .map(|n| n as NodeId)
            .ok_or_else(|| bad(&format!("\"{key}\" must be a node number")))
    };
    Ok(match kind {
        "play" | "pause" | "step" => {
            need(Control::Play)?;
            match kind {
                "play" => Command::Play,
                "pause" => Command::Pause,
                _ => Command::Step,
            }
        }
        "seek" => {
            need(Control::Seek)?;
            let t = match msg.get("t") {
                Some(Value::String(s)) => parse_duration(s).ok(),
                Some(Value::Number(n)) => n
                    .as_f64()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| (s * 1e6).round() as Time),
                _ => None,
            };
            match t {
                Some(t) if t <= limits::MAX_TIME => Command::Seek(t),
                _ => {
                    return Err(bad(
                        "\"t\" must be a time like \"1.5s\" or seconds, at most one day",
                    ));
                }
            }
        }
        "speed" => {
            need(Control::Speed)?;
            match msg.get("speed").and_then(Value::as_f64) {
                Some(s) if s.is_finite() && s > 0.0 => Command::Speed(s),
                _ => return Err(bad("\"speed\" must be a positive number")),
            }
        }
        "reset" => {
            need(Control::Reset)?;
            Command::Reset
        }
        "load-run" => {
            need(Control::Load)?;
            let text = match msg.get("run") {
                Some(Value::String(s)) => s.clone(),
                Some(v @ Value::Object(_)) => v.to_string(),
                _ => return Err(bad("\"run\" must be a run description")),
            };
            let run = RunDescription::parse(&text)
                .map_err(|e| bad(&format!("the run cannot be used: {e}")))?;
            Command::LoadRun(Box::new(run))
        }
        "crash" | "restart" => {
            need(Control::Crash)?;
            let node = node("node")?;
            Command::Act(if kind == "crash" {
                Action::Crash { node }
            } else {
                Action::Restart { node }
            })
        }
        "isolate" => {
            need(Control::Partition)?;
            Command::Act(Action::Partition {
                groups: vec![vec![node("node")?]],
            })
        }
        "heal" => {
            need(Control::Partition)?;
            Command::Act(Action::Heal)
        }
        "partition" => {
            need(Control::Partition)?;
            let groups: Option<Vec<Vec<NodeId>>> = msg
                .get("groups")
                .and_then(Value::as_array)
                .filter(|g| !g.is_empty() && g.len() <= limits::MAX_NODES)
                .and_then(|groups| {
                    groups
                        .iter()
                        .map(|g| {
                            g.as_array()?
                                .iter()
                                .map(|n| {
                                    n.as_u64()
                                        .filter(|n| *n < limits::MAX_NODES as u64)
                                        .map(|n| n as NodeId)
                                })
                                .collect()
                        })
                        .collect()
                });
            match groups {
                Some(groups) => Command::Act(Action::Partition { groups }),
                None => return Err(bad("\"groups\" must be a list of lists of node numbers")),
            }
        }
        "request" => {
            need(Control::Request)?;
            let command = msg
                .get("command")
                .and_then(Value::as_str)
                .filter(|c| !c.trim().is_empty() && c.len() <= limits::MAX_COMMAND_BYTES)
                .ok_or_else(|| bad("\"command\" must be the request's text, like \"set x=1\""))?;
            let node = match msg.get("node") {
                None | Some(Value::Null) => None,
                Some(_) => Some(node("node")?),
            };
            Command::Request {
                node,
                command: command.trim().to_string(),
            }
        }
        "get-state" => Command::GetState,
        "theme" => msg
            .get("theme")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("\"theme\" must be light, dark or auto"))
            .and_then(|v| Theme::parse(v).map_err(|e| bad(&e)))
            .map(Command::Theme)?,
        other => {
            return Err(Refusal(format!(
                "ignored unknown message type {other:?}: see the README's embedding section for the schema"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Result<Command, Refusal> {
        parse_command(
            text,
            Controls::parse("play,seek,crash,load").unwrap_or(Controls::NONE),
        )
    }

    #[test]
    fn commands_are_read_with_their_arguments() {
        assert_eq!(
            cmd(r#"{"splitbrain":1,"type":"pause"}"#),
            Ok(Command::Pause)
        );
        assert_eq!(
            cmd(r#"{"splitbrain":1,"type":"seek","t":"1.5s"}"#),
            Ok(Command::Seek(1_500_000))
        );
        assert_eq!(
            cmd(r#"{"splitbrain":1,"type":"seek","t":2.25}"#),
            Ok(Command::Seek(2_250_000))
        );
        assert_eq!(
            cmd(r#"{"splitbrain":1,"type":"crash","node":2}"#),
            Ok(Command::Act(Action::Crash { node: 2 }))
        );
        assert!(matches!(
            cmd(r#"{"splitbrain":1,"type":"load-run","run":{"lab":"raft","seed":4}}"#),
            Ok(Command::LoadRun(r)) if r.seed == 4
        ));
        assert_eq!(
            cmd(r#"{"splitbrain":1,"type":"get-state"}"#),
            Ok(Command::GetState)
        );
    }

    #[test]
    fn the_theme_command_is_always_allowed_and_checked() {
        let only = |text: &str| parse_command(text, Controls::NONE);
        assert_eq!(
            only(r#"{"splitbrain":1,"type":"theme","theme":"dark"}"#),
            Ok(Command::Theme(Theme::Dark))
        );
        assert_eq!(
            only(r#"{"splitbrain":1,"type":"theme","theme":"auto"}"#),
            Ok(Command::Theme(Theme::Auto))
        );
        let e = only(r#"{"splitbrain":1,"type":"theme","theme":"navy"}"#).unwrap_err();
        assert!(e.0.contains("theme must be light, dark or auto"), "{e}");
        assert!(only(r#"{"splitbrain":1,"type":"theme"}"#).is_err());
    }

    #[test]
    fn commands_outside_the_embeds_controls_are_refused() {
        let e = cmd(r#"{"splitbrain":1,"type":"heal"}"#).unwrap_err();
        assert!(e.0.contains("do not include \"partition\""), "{e}");
        let e = parse_command(
            r#"{"splitbrain":1,"type":"crash","node":1}"#,
            Controls::DEFAULT,
        )
        .unwrap_err();
        assert!(e.0.contains("play,seek,speed,reset"), "{e}");
    }

    #[test]
    fn hostile_messages_are_refused_with_one_reason() {
        for (text, why) in [
            ("[1,2]", "not an object"),
            ("nonsense", "not JSON"),
            (r#"{"type":"play"}"#, "without \"splitbrain\""),
            (r#"{"splitbrain":2,"type":"play"}"#, "protocol version 2"),
            (
                r#"{"splitbrain":1,"type":"explode"}"#,
                "unknown message type",
            ),
            (r#"{"splitbrain":1,"type":7}"#, "string \"type\""),
            (
                r#"{"splitbrain":1,"type":"seek","t":"soon"}"#,
                "\"t\" must be",
            ),
            (r#"{"splitbrain":1,"type":"seek","t":-1}"#, "\"t\" must be"),
            (
                r#"{"splitbrain":1,"type":"crash","node":-1}"#,
                "node number",
            ),
            (
                r#"{"splitbrain":1,"type":"load-run","run":{"lab":"raft","nodes":1000000000}}"#,
                "nodes must be between 1 and 1000",
            ),
        ] {
            let e = cmd(text).expect_err(text);
            assert!(e.0.contains(why), "{text}: {e}");
        }
        let huge = format!(
            r#"{{"splitbrain":1,"type":"play","pad":"{}"}}"#,
            "x".repeat(10 << 20)
        );
        assert!(cmd(&huge).unwrap_err().0.contains("the limit is"));
    }
}
