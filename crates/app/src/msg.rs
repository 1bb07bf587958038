//! The shell's messages: every click, key, frame and host command, and the control each needs.

use crate::classroom::ClassMsg;
use splitbrain_embed::{Command, Control};
use splitbrain_sim::{Action, Time};

/// Messages of the shell.
pub enum Msg {
    /// An animation frame of the frame clock.
    Frame(crate::view::frame_clock::Tick),
    /// The reader did something to the page, not to the run (select, filter, type, open).
    Ui(crate::ui::UiMsg),
    /// Play or pause.
    TogglePlay,
    /// Process exactly one event.
    Step,
    /// Go back one event.
    StepBack,
    /// Go to this virtual time (a marker, Home).
    SeekTo(Time),
    /// The scrubber was dragged here: the network follows at once, the text panels at most
    /// every 200 ms, as while playing.
    Scrub(Time),
    /// Bring the text panels up to a scrubbed state.
    CatchUp,
    /// Go this far from now (Shift+arrows), in µs.
    SeekBy(i64),
    /// Go to the end of the run so far (End).
    SeekEnd,
    /// Show another branch of the run.
    Branch(usize),
    /// Set the speed (virtual s per wall s).
    Speed(f64),
    /// Save the whole kept trace as a transcript file.
    DownloadLog,
    /// Narration for screen readers on or off.
    Narrate(bool),
    /// Save the network view as a picture: SVG, or (`true`) PNG.
    SaveNetwork(bool),
    /// Apply a user action now.
    Act(Action),
    /// A client request to the selected node.
    Broadcast,
    /// Crash or restart the selected node.
    CrashRestart,
    /// Fire the selected node's election timeout or retry now.
    TimeOut,
    /// Cut the selected node off from the rest.
    Isolate,
    /// Turn automatic client traffic on or off.
    ToggleAuto,
    /// Start over from the same seed.
    Reset,
    /// The clipboard took the share link (`true`) or refused it.
    ShareCopied(bool),
    /// Start over from a new seed.
    NewSeed,
    /// Make a link that replays this run to this moment.
    Share,
    /// Start over from the seed typed in the seed field.
    Seed(String),
    /// Send the typed request to the selected node.
    SendRequest,
    /// Set every link's loss (`true`) or duplication (`false`) percentage.
    LinkPercent(bool, String),
    /// Set every link's latency from text (`5ms..10ms`).
    LatencyText(String),
    /// Split the network into these groups.
    ApplyPartition(Vec<usize>),
    /// Switch to another lab, with its page defaults.
    SwitchLab(String),
    /// Set lab parameters (`null` removes one), named together by the label, and start over from
    /// the same seed.
    Param(String, Vec<(String, serde_json::Value)>),
    /// A checked command from the page that embeds this one.
    Host(Command),
    /// Bring the embed's "open in Splitbrain" link up to this moment (as the pointer or focus
    /// reaches it, rather than on every frame).
    FullLink,
    /// The exercise card, the exercise list, progress files.
    Class(ClassMsg),
    /// The teacher's exercise builder.
    Author(crate::author::AuthorMsg),
    /// The bug hunt panel and its worker.
    Hunt(crate::hunt::HuntMsg),
    /// The time-space diagram panel.
    Diagram(crate::diagram_msg::DiagramMsg),
    /// The guided tour's card, keys and first-visit offer.
    Tour(crate::tour::TourMsg),
    /// ← (`false`) or → pressed: a tour's steps while one is open, else one event.
    Arrow(bool),
}

impl Msg {
    /// The embed control a message needs (`None`: always allowed), so an embed's `controls`
    /// decide its buttons, its keys and the host page's commands alike.
    pub(crate) fn control(&self) -> Option<Control> {
        Some(match self {
            Msg::TogglePlay | Msg::Step => Control::Play,
            Msg::StepBack
            | Msg::SeekTo(_)
            | Msg::Scrub(_)
            | Msg::SeekBy(_)
            | Msg::SeekEnd
            | Msg::Branch(_)
            | Msg::Diagram(crate::diagram_msg::DiagramMsg::Click { .. }) => Control::Seek,
            Msg::Speed(_) => Control::Speed,
            Msg::Reset => Control::Reset,
            // A new seed is another run: an embed's or an exercise's run is fixed.
            Msg::NewSeed | Msg::Seed(_) => Control::Load,
            Msg::CrashRestart | Msg::TimeOut => Control::Crash,
            Msg::Isolate | Msg::Ui(crate::ui::UiMsg::PartitionTool(_)) | Msg::ApplyPartition(_) => {
                Control::Partition
            }
            Msg::Broadcast | Msg::SendRequest | Msg::ToggleAuto => Control::Request,
            Msg::SwitchLab(_) | Msg::Param(..) => Control::Load,
            Msg::LinkPercent(..) | Msg::LatencyText(_) => Control::Network,
            Msg::Act(a) => Control::of(a),
            _ => return None,
        })
    }
}
