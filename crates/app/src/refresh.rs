//! Keeping the picture, the text panels and the timeline up with the run, no oftener than
//! a reader can follow.

use crate::app::*;
use crate::view::timeline::BranchItem;
use splitbrain_sim::{NodeId, TraceLine, format_time};
use std::rc::Rc;

/// Whether a log line passes the node and event-type filters.
fn log_matches(l: &TraceLine, node: Option<NodeId>, kind: &str) -> bool {
    let node_ok = node.is_none_or(|n| l.node == Some(n) || l.from == Some(n) || l.to == Some(n));
    let kind_ok = kind.is_empty() || l.ev.starts_with(kind);
    node_ok && kind_ok
}

impl App {
    /// The embedding page's events continue from this state (after a seek or a loop's replay,
    /// which are not news).
    pub(crate) fn rebaseline(&mut self) {
        if let Some(e) = &mut self.embed {
            e.restarted(self.player.lab());
        }
    }

    /// Everything on screen, now.
    pub(crate) fn refresh(&mut self) {
        self.refresh_view();
        self.refresh_panels();
        self.sync_timeline();
    }

    /// The network picture.
    pub(crate) fn refresh_view(&mut self) {
        self.view = Rc::new(self.player.lab().view());
        let hubs = (self.player.info().hubs)(self.player.base());
        let n = self.view.nodes.len();
        let clients = self.player.lab().clients();
        if self.layout.len() != n
            || self.layout.first_client() != n - clients.min(n)
            || !self
                .layout
                .hubs()
                .eq(hubs.iter().copied().filter(|&h| h < n))
        {
            self.layout = Rc::new(if clients > 0 {
                crate::layout::Layout::with_clients(n - clients, clients)
            } else {
                crate::layout::Layout::new(n, &hubs)
            });
        }
        self.now = self.player.now();
        self.seen_trace = self.player.lab().trace_recorded();
    }

    /// The timeline's markers and branch list, when they changed.
    pub(crate) fn sync_timeline(&mut self) {
        let b = self.player.branch();
        let key = (
            self.player.current(),
            self.player.branches().len(),
            b.items.len() + b.markers_found(),
        );
        if key == self.timeline_key {
            return;
        }
        self.timeline_key = key;
        self.markers = Rc::new(self.player.markers());
        self.branches = Rc::new(
            self.player
                .branches()
                .iter()
                .enumerate()
                .map(|(i, b)| BranchItem { name: b.name(i) })
                .collect(),
        );
    }

    pub(crate) fn refresh_lab_panel(&mut self) {
        self.lab_panel_trace = self.player.lab().trace_recorded();
        // Built here, not in `view`, so the frames in between do not pay for it.
        let lab = self.player.lab();
        let panel = crate::panels::panel(lab, &self.hooks).unwrap_or_default();
        let history = (lab.clients() > 0).then(|| {
            let shown = self
                .history_check
                .judge(lab.history(), self.player.playing());
            crate::history_view::view(
                lab.history(),
                lab.clients(),
                lab.now(),
                &shown,
                &self.hooks.seek,
            )
        });
        self.lab_panel = Rc::new(yew::html! { <>{ panel }{ for history }</> });
    }

    /// The inspector, event log and lab panel: text nobody can read at 60 updates a second,
    /// so while playing they follow at most every [`PANEL_EVERY_MS`] (at once when paused).
    pub(crate) fn refresh_panels(&mut self) {
        self.read_text_panels();
        self.refresh_lab_panel();
        self.refresh_diagram();
    }

    /// The text panels or the lab panel show an older state than the network (a drag held
    /// them back).
    pub(crate) fn panels_behind(&self) -> bool {
        self.panels_trace != self.seen_trace || self.lab_panel_trace != self.seen_trace
    }

    /// The inspectors and the log read the run as it is now.
    pub(crate) fn read_text_panels(&mut self) {
        let lab = self.player.lab();
        self.fingerprint = if self.player.playing() {
            // A line that changed every frame would re-lay out the column.
            "run fingerprint: pause to see it".into()
        } else {
            format!(
                "run fingerprint {:016x} at {}",
                lab.trace_hash(),
                format_time(lab.now())
            )
            .into()
        };
        self.panel_view = self.view.clone();
        self.panels_trace = self.player.lab().trace_recorded();
        self.refresh_log();
    }

    /// The event log's lines, filtered.
    pub(crate) fn refresh_log(&mut self) {
        let lab = self.player.lab();
        let (node, kind) = (self.ui.log_node, self.ui.log_kind.as_str());
        self.log = Rc::new(if node.is_none() && kind.is_empty() {
            lab.trace_tail(LOG_SHOWN)
        } else {
            // Filtered: look further back so the filter still finds recent matches.
            let mut lines: Vec<TraceLine> = lab
                .trace_tail(LOG_SCAN)
                .into_iter()
                .filter(|l| log_matches(l, node, kind))
                .collect();
            let skip = lines.len().saturating_sub(LOG_SHOWN);
            lines.drain(..skip);
            lines
        });
    }

    pub(crate) fn sync_net_text(&mut self) {
        let l = &self.view.link;
        self.ui.net_text = [
            ((l.loss * 100.0).round() as i64).to_string().into(),
            ((l.duplicate * 100.0).round() as i64).to_string().into(),
            l.latency.to_string().into(),
        ];
    }

    /// Why the protocol cannot progress with these settings and the links as they are now
    /// (`LabInfo::hopeless`): said when a run starts and when the latency changes, rather than
    /// letting terms climb in silence.
    pub(crate) fn hopeless(&self) -> Option<String> {
        (self.player.info().hopeless)(self.player.base(), &self.view.link.latency)
    }

    /// Servers and client processes: every node a reader can select.
    pub(crate) fn all_nodes(&self) -> usize {
        let lab = self.player.lab();
        lab.nodes() + lab.clients()
    }

    /// Where a typed or button request goes: the lab's entry node (the hashing lab's router),
    /// the selected node, or with clients the selected client (else the first).
    pub(crate) fn client_node(&self) -> NodeId {
        self.player.client_node(self.ui.selected)
    }
}
