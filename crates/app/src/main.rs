//! The Splitbrain page: the shared network view driving a lab through `Box<dyn Lab>`.
//!
//! The run lives in the player (`splitbrain-player`), outside Yew state; the frame clock (a hook
//! over requestAnimationFrame, running only while the run plays) moves it by the wall time since
//! the last frame times the speed (capped, so a background tab does not jump), and the view's
//! function components redraw what changed. Animation-frame and `performance.now` timestamps are
//! the only wall clock in the app, and they decide how often the page redraws, never what the
//! run does.
#![forbid(unsafe_code)]

mod app;
mod author;
mod bundles;
mod classroom;
mod classroom_view;
mod crash;
mod diagram_msg;
mod diagram_state;
mod diagram_worker;
mod embed;
mod history_check;
mod history_view;
mod host;
mod hunt;
mod hunt_worker;
mod keys;
mod label_spot;
mod layout;
mod lessons;
mod msg;
mod narration;
mod network;
mod network_canvas;
mod network_export;
mod page;
mod panels;
mod partition;
mod png;
mod refresh;
mod run_control;
mod runs;
mod settings;
mod shell;
mod throttle;
mod tour;
mod tour_flow;
mod ui;
mod view;

fn main() {
    crash::install();
    yew::Renderer::<app::App>::new().render();
}
