//! What the page remembers about the reader rather than the run: the selection, the log's
//! filters, which overlay is open, the notice, and text being typed. A reducer in the manner of
//! Yew's `function_todomvc` state: plain data, one message enum, no browser calls, tested
//! natively. The run itself lives in the player; nothing here changes it.

use splitbrain_sim::{MsgId, NodeId};
use std::rc::Rc;

/// The reader's side of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct UiState {
    /// The node the inspector shows, and requests and crashes go to.
    pub selected: Option<NodeId>,
    /// The message in flight the message inspector shows.
    pub selected_message: Option<MsgId>,
    /// The message under the pointer in the time-space diagram: the network view and the log
    /// pick it out too.
    pub hovered_message: Option<MsgId>,
    /// The event log shows only lines about this node.
    pub log_node: Option<NodeId>,
    /// The event log shows only lines whose event starts with this ("" for all).
    pub log_kind: String,
    /// The partition tool is open.
    pub partition_open: bool,
    /// The group letter of each node in the last partition the tool applied, so the picture
    /// keeps the learner's letters (see [`crate::partition::lettered`]).
    pub partition_letters: Vec<usize>,
    /// The keyboard help is open.
    pub help: bool,
    /// The exercise list is open.
    pub list_open: bool,
    /// What the page has to tell the reader (a refusal, an error, where a jump stopped).
    pub notice: Option<String>,
    /// Whether the clipboard took the last share link (`None` until it answers).
    pub share_copied: Option<bool>,
    /// The seed field and the request field as typed: shared strings, since the page hands
    /// them to its controls on every frame.
    pub seed_text: Rc<str>,
    pub request_text: Rc<str>,
    /// The loss %, duplication % and latency fields as typed or dragged: an input's value must
    /// follow the reader while the page redraws every frame.
    pub net_text: [Rc<str>; 3],
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            selected: Some(0),
            selected_message: None,
            hovered_message: None,
            log_node: None,
            log_kind: String::new(),
            partition_open: false,
            partition_letters: Vec::new(),
            help: false,
            list_open: false,
            notice: None,
            share_copied: None,
            seed_text: Rc::from(""),
            request_text: Rc::from(""),
            net_text: [Rc::from(""), Rc::from(""), Rc::from("")],
        }
    }
}

/// What the reader did to the page, not to the run.
#[derive(Debug, Clone, PartialEq)]
pub enum UiMsg {
    /// Select a node (a click, or a digit key).
    Select(NodeId),
    /// Select a message in flight.
    SelectMessage(MsgId),
    /// The pointer is over a message's arrow in the diagram (`None`: over none).
    HoverMessage(Option<MsgId>),
    /// Filter the log by node: `n3`, or "" for all.
    LogNode(String),
    /// Filter the log by event type ("" for all).
    LogKind(String),
    /// Hide the notice.
    Dismiss,
    /// The seed field is being edited.
    SeedText(String),
    /// The request field is being edited.
    RequestText(String),
    /// A network field is being edited: (field, text).
    NetEdit(usize, String),
    /// Open or close the partition tool.
    PartitionTool(bool),
    /// Show or hide the keyboard help.
    Help(bool),
    /// Close whatever overlay is open (Escape).
    Close,
}

/// What the page must do after a [`UiMsg`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Nothing to draw: the field already shows what was typed.
    Nothing,
    /// Draw the page again.
    Redraw,
    /// The inspector or the log shows something else: read the run again, now (a playing
    /// run's text panels may be up to 200 ms old, and the message just clicked newer), then
    /// draw.
    ReadPanels,
}

impl UiState {
    /// Applies one message; `nodes` is how many nodes the run has, so a digit key for a node
    /// that does not exist selects nothing.
    pub fn reduce(&mut self, msg: UiMsg, nodes: usize) -> After {
        match msg {
            UiMsg::Select(id) => {
                if id >= nodes {
                    return After::Nothing;
                }
                self.selected = Some(id);
                self.selected_message = None;
                return After::ReadPanels;
            }
            UiMsg::SelectMessage(id) => {
                self.selected_message = Some(id);
                return After::ReadPanels;
            }
            UiMsg::HoverMessage(id) => {
                if id == self.hovered_message {
                    return After::Nothing;
                }
                self.hovered_message = id;
                return After::Redraw;
            }
            UiMsg::LogNode(v) => {
                self.log_node = v.strip_prefix('n').and_then(|n| n.parse().ok());
                return After::ReadPanels;
            }
            UiMsg::LogKind(v) => {
                self.log_kind = v;
                return After::ReadPanels;
            }
            UiMsg::Dismiss => self.notice = None,
            UiMsg::SeedText(t) => {
                self.seed_text = t.into();
                return After::Nothing;
            }
            UiMsg::RequestText(t) => {
                self.request_text = t.into();
                return After::Nothing;
            }
            UiMsg::NetEdit(i, t) => {
                if let Some(field) = self.net_text.get_mut(i) {
                    *field = t.into();
                }
            }
            UiMsg::PartitionTool(open) => self.partition_open = open,
            UiMsg::Help(open) => self.help = open,
            UiMsg::Close => {
                self.help = false;
                self.partition_open = false;
            }
        }
        After::Redraw
    }

    /// The node requests and crashes go to when none is selected: the first.
    pub fn node(&self) -> NodeId {
        self.selected.unwrap_or(0)
    }

    /// After a reset or a new run: a selection the run no longer has (fewer nodes) falls back
    /// to the first node; a selected message and the partition tool, made for the old run, go.
    pub fn run_changed(&mut self, nodes: usize) {
        if self.selected.is_some_and(|s| s >= nodes) {
            self.selected = Some(0);
        }
        self.selected_message = None;
        self.hovered_message = None;
        self.partition_open = false;
        self.partition_letters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selecting_a_node_that_does_not_exist_changes_nothing() {
        let mut ui = UiState::default();
        ui.reduce(UiMsg::SelectMessage(7), 5);
        assert_eq!(ui.reduce(UiMsg::Select(5), 5), After::Nothing);
        assert_eq!((ui.selected, ui.selected_message), (Some(0), Some(7)));
    }

    #[test]
    fn selecting_reads_the_run_again_and_a_node_forgets_the_selected_message() {
        let mut ui = UiState::default();
        assert_eq!(ui.reduce(UiMsg::SelectMessage(7), 5), After::ReadPanels);
        assert_eq!(ui.reduce(UiMsg::Select(3), 5), After::ReadPanels);
        assert_eq!((ui.node(), ui.selected_message), (3, None));
    }

    #[test]
    fn log_filters_read_the_run_again_and_unknown_nodes_mean_all() {
        let mut ui = UiState::default();
        assert_eq!(ui.reduce(UiMsg::LogNode("n4".into()), 5), After::ReadPanels);
        assert_eq!(ui.log_node, Some(4));
        ui.reduce(UiMsg::LogNode(String::new()), 5);
        assert_eq!(ui.log_node, None);
        ui.reduce(UiMsg::LogNode("x".into()), 5);
        assert_eq!(ui.log_node, None);
        assert_eq!(
            ui.reduce(UiMsg::LogKind("dropped".into()), 5),
            After::ReadPanels
        );
        assert_eq!(ui.log_kind, "dropped");
    }

    #[test]
    fn typing_needs_no_redraw_but_is_kept() {
        let mut ui = UiState::default();
        assert_eq!(ui.reduce(UiMsg::SeedText("42".into()), 5), After::Nothing);
        assert_eq!(
            ui.reduce(UiMsg::RequestText("set x=1".into()), 5),
            After::Nothing
        );
        assert_eq!((&*ui.seed_text, &*ui.request_text), ("42", "set x=1"));
        // A field that does not exist is ignored rather than a panic.
        ui.reduce(UiMsg::NetEdit(9, "1".into()), 5);
        ui.reduce(UiMsg::NetEdit(0, "12".into()), 5);
        assert_eq!(&*ui.net_text[0], "12");
    }

    #[test]
    fn escape_closes_help_and_the_partition_tool_but_not_the_notice() {
        let mut ui = UiState {
            notice: Some("x".into()),
            ..UiState::default()
        };
        ui.reduce(UiMsg::Help(true), 5);
        ui.reduce(UiMsg::PartitionTool(true), 5);
        ui.reduce(UiMsg::Close, 5);
        assert!(!ui.help && !ui.partition_open);
        assert!(ui.notice.is_some());
        ui.reduce(UiMsg::Dismiss, 5);
        assert_eq!(ui.notice, None);
    }

    #[test]
    fn a_smaller_run_moves_the_selection_back_to_the_first_node() {
        let mut ui = UiState::default();
        ui.reduce(UiMsg::Select(6), 7);
        ui.reduce(UiMsg::SelectMessage(3), 7);
        ui.reduce(UiMsg::PartitionTool(true), 7);
        ui.run_changed(7);
        assert_eq!((ui.selected, ui.selected_message), (Some(6), None));
        assert!(!ui.partition_open);
        ui.run_changed(3);
        assert_eq!(ui.selected, Some(0));
    }
}
