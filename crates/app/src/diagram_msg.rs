//! What the diagram panel asks of the shell: open it, move and zoom its window, click in it,
//! save it. Clicks become the player's seeks and the inspector's selection, like the timeline's
//! and the network view's.

use crate::app::{App, TRACE_KEPT};
use crate::diagram_state::Click;
use crate::page::download;
use splitbrain_diagram::PointId;
use splitbrain_sim::{MsgId, format_time};

/// Messages of the diagram panel.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagramMsg {
    /// Open or close it; the width its box has.
    Open(bool, f64),
    /// Zoom by this factor (above 1: in).
    Zoom(f64),
    /// Half a window earlier (-1) or later (1).
    Pan(i64),
    /// Follow the player again.
    Follow,
    Compressed(bool),
    /// Show or hide a kind of message.
    Kind(&'static str),
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
    }

    /// Draws the window as the diagram last read it.
    pub(crate) fn draw_diagram(&mut self) {
        let kinds = self.diagram_kinds();
        self.diagram.render(
            self.player.now(),
            &kinds,
            self.ui.selected_message,
            self.ui.selected,
        );
    }

    /// A new run: a fresh diagram.
    pub(crate) fn reset_diagram(&mut self) {
        let median = self.player.base().network.latency.median();
        self.diagram.reset(self.player.lab().nodes(), median);
    }

    pub(crate) fn diagram_msg(&mut self, m: DiagramMsg) -> bool {
        let now = self.player.now();
        match m {
            DiagramMsg::Open(open, width) => {
                let opened = open && !self.diagram.open;
                self.diagram.open = open;
                if !open {
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
            DiagramMsg::Pan(dir) => self.diagram.pan(dir),
            DiagramMsg::Follow => self.diagram.follow_now(now),
            DiagramMsg::Compressed(on) => self.diagram.compressed = on,
            DiagramMsg::Kind(k) => self.diagram.toggle_kind(k),
            DiagramMsg::Click { y, msg, point } => {
                match self.diagram.click(y, msg, point) {
                    Click::Seek(t) => {
                        self.ui.selected_message = None;
                        self.diagram.follow = false;
                        self.jump(t);
                    }
                    Click::Message(id, sent) => {
                        self.diagram.follow = false;
                        self.jump(sent);
                        // At its send it is in flight: the network view and the inspector
                        // show it, and the run waits there to be read.
                        self.ui.selected_message = Some(id);
                        let _ = self.player.apply(splitbrain_player::Input::Pause);
                        self.read_text_panels();
                    }
                }
            }
            DiagramMsg::ExportSvg(png) => {
                let base = self.player.base();
                let lab = self.player.lab();
                let caption = vec![
                    format!(
                        "Splitbrain · {} · seed {} · {} nodes · at {}",
                        self.player.info().title,
                        base.seed,
                        base.nodes,
                        format_time(now)
                    ),
                    format!("run fingerprint {:016x}", lab.trace_hash()),
                    self.share_link(),
                ];
                let (svg, w, h) = self.diagram.export(now, &self.diagram_kinds(), caption);
                let name = format!("splitbrain-{}-seed{}-diagram", base.lab, base.seed);
                if png {
                    crate::png::download_png(&format!("{name}.png"), &svg, w, h);
                } else {
                    download(&format!("{name}.svg"), "image/svg+xml", &svg);
                }
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
        true
    }
}
