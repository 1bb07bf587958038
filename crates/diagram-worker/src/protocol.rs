//! The requests the page sends the diagram's worker and its replies, as JSON text: one object
//! per message, named by its one key (`{"draw":{...}}`), not by a `type` field, which would
//! make the page's reader buffer every reply and cost it 20 KB of code. The worker answers in
//! order, so a reply always describes the index as the requests before it left it.

use serde::{Deserialize, Serialize};
use splitbrain_diagram::{PointId, Scale};
use splitbrain_sim::{MsgId, NodeId, Time, TraceLine};

/// One window of the diagram, as the page wants it drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Where the window starts.
    pub from: Time,
    /// Where it ends.
    pub to: Time,
    /// Pixels per second of true time.
    pub px_per_sec: f64,
    /// Quiet stretches collapsed.
    pub compressed: bool,
    /// Shortest silence that collapses.
    pub quiet: Time,
    /// Width of the picture (the panel's box).
    pub width: f64,
    /// The player's time: what lies after it is drawn as still to come.
    pub now: Time,
    /// The lab's message kinds in the network view's order (a kind's place picks its look).
    pub kinds: Vec<String>,
    /// Kinds left out.
    pub hidden: Vec<String>,
    /// Lanes left out.
    #[serde(default)]
    pub hidden_nodes: Vec<NodeId>,
    /// The message the inspector shows: drawn heavier.
    pub selected_msg: Option<MsgId>,
    /// The node the network view selected: its lane drawn heavier.
    pub selected_node: Option<NodeId>,
}

/// What the page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// A new run of this many nodes: a fresh index.
    Reset {
        /// Nodes of the run.
        lanes: usize,
    },
    /// Lines of the trace, oldest first: new ones, or (after a branch or a reopening) the
    /// whole kept trace to check against the index.
    Lines {
        /// The lines, as the run's trace gives them.
        lines: Vec<TraceLine>,
    },
    /// Draw this window for the page.
    Draw {
        /// The page's number for this request, echoed in the reply.
        seq: u64,
        /// What to draw.
        window: Window,
    },
    /// A click on message `msg` or event `point` (or on neither: the selection is cleared).
    Click {
        /// The page's number for this request, echoed in the reply.
        seq: u64,
        /// The message under the click.
        msg: Option<MsgId>,
        /// The event under the click.
        point: Option<PointId>,
    },
    /// Draw this window as a file of its own, with a legend and `caption` under it.
    Export {
        /// The page's number for this request, echoed in the reply.
        seq: u64,
        /// What to draw.
        window: Window,
        /// Lines under the picture: the lab, the run's fingerprint, its link.
        caption: Vec<String>,
        /// The page turns it into a PNG.
        png: bool,
    },
}

/// What a click hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// A message, sent at `sent`: the page goes there, where it is in flight.
    Message {
        /// The message.
        id: MsgId,
        /// When it was sent.
        sent: Time,
    },
    /// An event at `t`.
    Event {
        /// When it happened.
        t: Time,
    },
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reply {
    /// The worker runs and takes requests.
    Ready,
    /// A window drawn: its SVG, its size, its map from time to height, and the selection's
    /// causal counts in words (empty: nothing selected).
    Drawn {
        /// The request's number.
        seq: u64,
        /// The picture, for the page's stylesheet.
        svg: String,
        /// Its width.
        width: f64,
        /// Its height, with the lane names' row.
        height: f64,
        /// Its map from time to height below the lane names' row.
        scale: Scale,
        /// The selection in words.
        words: String,
        /// Events of the run the index has read (it holds the most recent 120,000).
        events: u64,
    },
    /// What a click on a message or an event hit (`None`: it names nothing the index holds).
    Clicked {
        /// The request's number.
        seq: u64,
        /// What it hit.
        target: Option<Target>,
    },
    /// A window as a file.
    Exported {
        /// The request's number.
        seq: u64,
        /// The file's text.
        svg: String,
        /// Its width, legend and caption included.
        width: f64,
        /// Its height, legend and caption included.
        height: f64,
        /// To be turned into a PNG.
        png: bool,
    },
    /// A request it could not read.
    Error {
        /// The request's number, if it could be read.
        #[serde(default)]
        seq: Option<u64>,
        /// Why, in one line.
        message: String,
    },
}

/// Widest picture the page asks for, in CSS px.
pub const MAX_WIDTH: f64 = 100_000.0;
/// Most px one second of virtual time may take.
pub const MAX_PX_PER_SEC: f64 = 1e9;

impl Window {
    /// Refuses a window no page asks for (times past the simulator's limit, a zoom or width
    /// out of range), so a bad message gets an answer rather than overflowing the layout.
    pub fn check(&self) -> Result<(), String> {
        use splitbrain_sim::limits::MAX_TIME;
        if [self.from, self.to, self.now, self.quiet]
            .iter()
            .any(|t| *t > MAX_TIME)
        {
            return Err("a diagram window's times are at most a day".into());
        }
        if !(self.px_per_sec.is_finite()
            && self.px_per_sec > 0.0
            && self.px_per_sec <= MAX_PX_PER_SEC)
        {
            return Err(format!(
                "a diagram window's scale is above 0 and at most {MAX_PX_PER_SEC} px per second"
            ));
        }
        if !(self.width.is_finite() && (1.0..=MAX_WIDTH).contains(&self.width)) {
            return Err(format!("a diagram window is 1 to {MAX_WIDTH} px wide"));
        }
        Ok(())
    }
}

impl Request {
    /// The request as the worker reads it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a request, or says in one line why it cannot.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a diagram request: {e}"))
    }
}

impl Reply {
    /// The reply as the page reads it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a reply, or says in one line why it cannot.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a diagram reply: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_read_back_from_their_json() {
        let line: TraceLine =
            serde_json::from_str(r#"{"i":3,"t":40,"ev":"sent","id":7,"from":0,"to":1}"#).unwrap();
        let r = Request::Lines { lines: vec![line] };
        assert_eq!(Request::parse(&r.to_json()), Ok(r));
        let c = Request::Click {
            seq: 3,
            msg: Some(7),
            point: None,
        };
        assert_eq!(Request::parse(&c.to_json()), Ok(c));
        let d = Reply::Drawn {
            seq: 4,
            svg: "<svg/>".into(),
            width: 300.0,
            height: 200.0,
            scale: Scale::linear(0, 1_000, 400.0),
            words: String::new(),
            events: 12,
        };
        assert_eq!(Reply::parse(&d.to_json()), Ok(d));
    }

    #[test]
    fn a_request_it_cannot_read_is_refused_in_one_line() {
        let e = Request::parse(r#"{"type":"teleport"}"#).unwrap_err();
        assert!(e.starts_with("not a diagram request: "), "{e}");
        assert!(!e.contains('\n'));
        assert!(Request::parse("not json").is_err());
    }
}
