//! The page's parts as function components with `PartialEq` props: each redraws only when
//! what it shows changed, so a frame of a playing run touches the network picture and the
//! clock, not the side column. Every click goes to the shell as one `Msg` through a callback
//! made once.

pub mod alerts;
pub mod controls;
pub mod diagram_panel;
pub mod embed_bar;
pub mod event_log;
pub mod frame_clock;
pub mod hunt_panel;
pub mod inspector;
pub mod lab_panel;
pub mod legend;
pub mod meter;
pub mod pure;
pub mod timeline;
pub mod tour_card;
