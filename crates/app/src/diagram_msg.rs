//! What the diagram panel asks of the shell: open it, move and zoom its window, click in it,
//! save it, and what its worker answers. Clicks become the player's seeks and the inspector's
//! selection, like the timeline's and the network view's.

use crate::app::{App, TRACE_KEPT};
use crate::diagram_state::{Answer, Click};
use crate::page::download;
use splitbrain_diagram::PointId;
use splitbrain_diagram_worker::protocol::Reply;
use splitbrain_sim::{MsgId, NodeId, format_time};

/// Messages of the diagram panel.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagramMsg {
    /// Open or close it; the width its box has.
    Open(bool, f64),
    /// Zoom by this factor (above 1: in) around the player's time.
    Zoom(f64),
    /// Zoom by this factor around the moment at height `y` of the picture (the wheel, a pinch).
    ZoomAt(f64, f64),
    /// Move the window by this share of its height: earlier (below 0) or later.
    Pan(f64),
    /// Follow the player again.
    Follow,
    Compressed(bool),
    /// Show or hide a kind of message.
    Kind(&'static str),
    /// Show or hide a node's lane.
    Node(NodeId),
    /// A click at height `y` of the picture, on a message or an event if it hit one.
    Click {
        y: f64,
        msg: Option<MsgId>,
        point: Option<PointId>,
    },
    /// Save the window as SVG, or (`true`) as PNG.
    ExportSvg(bool),
    /// Save the kept trace as JSON lines.
    ExportTrace,
    /// The worker's answer, as JSON text.
    Reply(String),
    /// The worker stopped with an error: the next request starts another.
    WorkerFailed,
}

impl App {
    /// The diagram's lab-given words: its message kinds in the network view's order.
    fn diagram_kinds(&self) -> Vec<&'static str> {
        self.player
            .info()
            .message_kinds
            .iter()
            .map(|k| k.0)
            .collect()
    }

    /// The lines under a saved picture (the diagram's, the network view's): the lab, seed and
    /// moment, the run's fingerprint, and the link that replays it.
    pub(crate) fn picture_caption(&self) -> Vec<String> {
        let base = self.player.base();
        vec![
            format!(
                "Splitbrain · {} · seed {} · {} nodes · at {}",
                self.player.info().title,
                base.seed,
                base.nodes,
                format_time(self.player.now())
            ),
            format!("run fingerprint {:016x}", self.player.lab().trace_hash()),
            self.share_link(),
        ]
    }

    /// Brings the open diagram up to the run, and draws it.
    pub(crate) fn refresh_diagram(&mut self) {
        if self.diagram.open {
            self.sync_diagram();
            self.draw_diagram();
        }
    }

    /// Reads what the run recorded since last time, and moves the window to follow it.
    pub(crate) fn sync_diagram(&mut self) {
        self.diagram.sync(self.player.lab(), TRACE_KEPT);
        if self.player.playing() {
            self.diagram.keep_up(self.player.speed());
        }
        self.diagram.place(self.player.now());
        self.post_diagram();
    }

    /// Asks for the window as the diagram last read it.
    pub(crate) fn draw_diagram(&mut self) {
        let kinds = self.diagram_kinds();
        self.diagram.render(
            self.player.now(),
            &kinds,
            self.ui.selected_message,
            self.ui.selected,
        );
        self.post_diagram();
    }

    /// A new run: a fresh diagram.
    pub(crate) fn reset_diagram(&mut self) {
        let median = self.player.base().network.latency.median();
        self.diagram.reset(self.player.lab().nodes(), median);
        self.post_diagram();
    }

    /// Where a click on the diagram goes.
    fn diagram_click(&mut self, click: Click) {
        self.diagram.follow = false;
        match click {
            Click::Seek(t) => {
                self.ui.selected_message = None;
                self.jump(t);
            }
            Click::Message(id, sent) => {
                // Its send may lie above the window (its arrow crossed into it).
                self.diagram.reveal(sent);
                self.jump(sent);
                // At its send it is in flight: the network view and the inspector show it,
                // and the run waits there to be read.
                self.ui.selected_message = Some(id);
                let _ = self.player.apply(splitbrain_player::Input::Pause);
                self.read_text_panels();
            }
        }
    }

    /// The worker's answer.
    fn diagram_reply(&mut self, text: &str) -> bool {
        let reply = match Reply::parse(text) {
            Ok(Reply::Ready) => {
                if let Some(w) = self.diagram_worker.as_mut() {
                    w.ready();
                }
                return false;
            }
            Ok(r) => r,
            Err(why) => {
                // Not a reply of this page's protocol: nothing it says can be trusted, so
                // nothing waits for it either.
                self.ui.notice = Some(format!("The diagram cannot be drawn: {why}."));
                Reply::Error {
                    seq: None,
                    message: why,
                }
            }
        };
        match self.diagram.answer(reply, self.player.now()) {
            Answer::Redraw => {
                // Another drawing was wanted while this one was out; a playing page asks on
                // its next frame.
                if self.diagram.stale() && !self.player.playing() {
                    self.draw_diagram();
                }
                true
            }
            Answer::Clicked(c) => {
                self.diagram_click(c);
                self.refresh_diagram();
                true
            }
            Answer::Save(e) => {
                let base = self.player.base();
                let name = format!("splitbrain-{}-seed{}-diagram", base.lab, base.seed);
                if e.png {
                    crate::png::download_png(&format!("{name}.png"), &e.svg, e.width, e.height);
                } else {
                    download(&format!("{name}.svg"), "image/svg+xml", &e.svg);
                }
                false
            }
            Answer::Failed(why) => {
                self.ui.notice = Some(format!("The diagram cannot be drawn: {why}."));
                true
            }
            Answer::Nothing => false,
        }
    }

    pub(crate) fn diagram_msg(&mut self, m: DiagramMsg) -> bool {
        let now = self.player.now();
        match m {
            DiagramMsg::Reply(text) => return self.diagram_reply(&text),
            DiagramMsg::WorkerFailed => {
                self.retire_diagram_worker();
                self.diagram.restart();
                self.ui.notice = Some(
                    "The diagram's worker stopped with an error (see the console); it starts again."
                        .into(),
                );
            }
            DiagramMsg::Open(open, width) => {
                let opened = open && !self.diagram.open;
                self.diagram.open = open;
                if !open {
                    // Its arrows are gone, and no pointer leaves them.
                    self.ui.hovered_message = None;
                    return true;
                }
                self.diagram.fit(width, self.player.lab().nodes());
                if opened {
                    // The run may have gone another way while the panel was closed.
                    self.diagram.resync();
                    self.diagram.follow_now(now);
                }
            }
            DiagramMsg::Zoom(f) => self.diagram.zoom(f, now),
            DiagramMsg::ZoomAt(f, y) => self.diagram.zoom_at(f, y),
            DiagramMsg::Pan(share) => self.diagram.pan(share),
            DiagramMsg::Follow => self.diagram.follow_now(now),
            DiagramMsg::Compressed(on) => self.diagram.compressed = on,
            DiagramMsg::Kind(k) => self.diagram.toggle_kind(k),
            DiagramMsg::Node(n) => self.diagram.toggle_node(n),
            DiagramMsg::Click { y, msg, point } => {
                if let Some(c) = self.diagram.click(y, msg, point, now) {
                    self.diagram_click(c);
                }
            }
            DiagramMsg::ExportSvg(png) => {
                let caption = self.picture_caption();
                let kinds = self.diagram_kinds();
                self.diagram.export(now, &kinds, caption, png);
                self.post_diagram();
                return false;
            }
            DiagramMsg::ExportTrace => {
                let base = self.player.base();
                let mut text = String::new();
                for line in self.player.lab().trace_tail(TRACE_KEPT) {
                    text.push_str(&serde_json::to_string(&line).unwrap_or_default());
                    text.push('\n');
                }
                download(
                    &format!("splitbrain-{}-seed{}-trace.jsonl", base.lab, base.seed),
                    "application/x-ndjson",
                    &text,
                );
                return false;
            }
        }
        self.refresh_diagram();
        self.post_diagram();
        true
    }
}
