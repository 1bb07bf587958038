//! The run description and its decoders.

use serde::{Deserialize, Serialize};
use splitbrain_sim::{LinkConfig, Time, TimedAction, format_time, limits};
use std::fmt;

/// Version written into every run description; decoders refuse newer ones with a clear message.
pub const FORMAT_VERSION: u32 = 1;

/// Why a run description was refused. One line, meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError(pub String);

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

fn one_line(s: impl fmt::Display) -> String {
    s.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything needed to replay a run bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunDescription {
    /// Format version, [`FORMAT_VERSION`].
    #[serde(default = "default_version")]
    pub version: u32,
    /// Lab name, e.g. `broadcast`.
    pub lab: String,
    /// Seed of every random stream.
    #[serde(default)]
    pub seed: u64,
    /// Number of nodes.
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    /// Settings of every link at the start.
    #[serde(default)]
    pub network: LinkConfig,
    /// Lab-specific settings; each lab documents and checks its own.
    #[serde(default = "empty_object", skip_serializing_if = "is_empty_object")]
    pub params: serde_json::Value,
    /// Where the run stops, if the description says.
    #[serde(
        default,
        with = "splitbrain_sim::serde_opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub until: Option<Time>,
    /// Timed user actions, replayed in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<TimedAction>,
    /// The page's automatic client traffic, when it goes on after `actions` (which list the
    /// requests it already sent as ordinary client actions). A shared link carries it so the
    /// run it opens keeps sending the same requests at the same virtual times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
}

/// Where the page's automatic client traffic stands: the next request's time and number. One
/// request goes out every [`Traffic::EVERY`] of virtual time to a node that is up, with the
/// lab's client command for its number (`set k3=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// When the next automatic request goes out, e.g. `"2.1s"`.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub next: Time,
    /// Its number, which picks its node and command.
    #[serde(default)]
    pub count: u64,
}

impl Traffic {
    /// Virtual time between automatic requests: slow enough to follow one request's messages at
    /// the page's speed, fast enough to keep a log growing.
    pub const EVERY: Time = 400_000;
    /// When the first request of a fresh run goes out.
    pub const FIRST: Time = 100_000;

    /// Traffic as a fresh run starts it.
    pub fn start() -> Self {
        Self {
            next: Self::FIRST,
            count: 0,
        }
    }
}

fn default_version() -> u32 {
    FORMAT_VERSION
}
fn default_nodes() -> usize {
    5
}
fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}
fn is_empty_object(v: &serde_json::Value) -> bool {
    v.as_object().is_some_and(|o| o.is_empty())
}

impl RunDescription {
    /// Client processes the run has beside its servers (the key-value labs' `clients`
    /// parameter; 0 for other labs).
    pub fn clients(&self) -> usize {
        self.params
            .get("clients")
            .and_then(serde_json::Value::as_u64)
            .map_or(0, |n| n.min(usize::MAX as u64) as usize)
    }

    /// A run of `lab` with defaults.
    pub fn new(lab: &str, seed: u64, nodes: usize) -> Self {
        Self {
            version: FORMAT_VERSION,
            lab: lab.to_string(),
            seed,
            nodes,
            network: LinkConfig::default(),
            params: empty_object(),
            until: None,
            actions: Vec::new(),
            traffic: None,
        }
    }

    /// Reads a scenario file, TOML or JSON (chosen by the first non-blank character).
    pub fn parse(text: &str) -> Result<Self, RunError> {
        if text.len() > limits::MAX_SCENARIO_BYTES {
            return Err(RunError(format!(
                "scenario is {} bytes; the limit is {} bytes",
                text.len(),
                limits::MAX_SCENARIO_BYTES
            )));
        }
        let run: RunDescription = if text.trim_start().starts_with('{') {
            serde_json::from_str(text)
                .map_err(|e| RunError(format!("bad JSON scenario: {}", one_line(e))))?
        } else {
            Self::parse_toml(text)?
        };
        run.validate()?;
        Ok(run)
    }

    #[cfg(feature = "toml")]
    fn parse_toml(text: &str) -> Result<Self, RunError> {
        toml::from_str(text)
            .map_err(|e| RunError(format!("bad TOML scenario: {}", one_line(e.message()))))
    }

    #[cfg(not(feature = "toml"))]
    fn parse_toml(_: &str) -> Result<Self, RunError> {
        Err(RunError(
            "this is not a run description: a link's run is JSON, starting with `{` (TOML scenario files are read by the CLI)"
                .into(),
        ))
    }

    /// Writes the description as TOML, the form scenario files are kept in.
    #[cfg(feature = "toml")]
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot write TOML: {e}"))
    }

    /// The run an exercise's or a tour's `start` table describes in `lab`: a run description
    /// without `lab`, read through text as a link's run is (so the page carries one reader).
    /// `Err` says, in one line, what is wrong with the table.
    pub fn from_start(lab: &str, start: &serde_json::Value) -> Result<Self, String> {
        let mut start = start.clone();
        let Some(table) = start.as_object_mut() else {
            return Err("must be a table (a run description without lab)".into());
        };
        if table.contains_key("lab") {
            return Err(format!("must not name a lab: the {lab} lab is the one"));
        }
        table.insert("lab".into(), lab.into());
        Self::parse(&start.to_string()).map_err(|e| e.to_string())
    }

    /// Writes the description as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the limits that do not depend on the lab.
    pub fn validate(&self) -> Result<(), RunError> {
        if self.version == 0 || self.version > FORMAT_VERSION {
            return Err(RunError(format!(
                "run format version {} is not supported: this build reads version {FORMAT_VERSION}",
                self.version
            )));
        }
        if self.nodes == 0 || self.nodes > limits::MAX_NODES {
            return Err(RunError(format!(
                "nodes must be between 1 and {}, got {}",
                limits::MAX_NODES,
                self.nodes
            )));
        }
        self.network
            .validate()
            .map_err(|e| RunError(format!("network: {e}")))?;
        if let Some(u) = self.until
            && u > limits::MAX_TIME
        {
            return Err(RunError(format!(
                "until {} is past the limit of {}",
                format_time(u),
                format_time(limits::MAX_TIME)
            )));
        }
        if let Some(t) = self.traffic
            && t.next > limits::MAX_TIME
        {
            return Err(RunError(format!(
                "traffic.next {} is past the limit of {}",
                format_time(t.next),
                format_time(limits::MAX_TIME)
            )));
        }
        if self.actions.len() > limits::MAX_ACTIONS {
            return Err(RunError(format!(
                "{} actions; the limit is {}",
                self.actions.len(),
                limits::MAX_ACTIONS
            )));
        }
        if !self.params.is_object() {
            return Err(RunError("params must be a table of settings".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_read_the_same_run() {
        let toml = r#"
lab = "broadcast"
seed = 7
nodes = 3
until = "2s"
[network]
latency = "5ms..10ms"
loss = 0.1
[[actions]]
at = "100ms"
do = "client"
node = 0
command = "broadcast 1"
[[actions]]
at = "1s"
do = "partition"
groups = [[0], [1, 2]]
"#;
        let a = RunDescription::parse(toml).unwrap();
        let b = RunDescription::parse(&a.to_json()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.until, Some(2_000_000));
        assert_eq!(a.actions[1].at, 1_000_000);
        assert_eq!(RunDescription::parse(&a.to_toml()).unwrap(), a);
    }

    #[test]
    fn refuses_bad_input_with_one_line() {
        let cases = [
            (
                "lab = \"broadcast\"\nnodes = 1000000000",
                "nodes must be between 1 and 1000",
            ),
            (
                "lab = \"broadcast\"\nversion = 9",
                "version 9 is not supported",
            ),
            (
                "lab = \"broadcast\"\nuntil = \"100000000s\"",
                "past the limit",
            ),
            (
                "lab = \"broadcast\"\n[network]\nloss = 2.0",
                "loss probability",
            ),
            ("lab = \"broadcast\"\nbogus = 1", "unknown field"),
            ("{\"lab\": 3}", "bad JSON"),
            (
                "lab = \"broadcast\"\n[[actions]]\nat = \"1s\"\ndo = \"explode\"",
                "bad TOML",
            ),
        ];
        for (text, want) in cases {
            let err = RunDescription::parse(text).unwrap_err().0;
            assert!(err.contains(want), "{text:?} gave {err:?}");
            assert!(!err.contains('\n'), "one line: {err:?}");
        }
        let huge = "#".repeat(limits::MAX_SCENARIO_BYTES + 1);
        assert!(
            RunDescription::parse(&huge)
                .unwrap_err()
                .0
                .contains("limit")
        );
    }
}
