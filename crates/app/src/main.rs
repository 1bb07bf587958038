//! The Splitbrain page: the shared network view driving a lab through `Box<dyn Lab>`.
//!
//! The simulator lives outside Yew state; a requestAnimationFrame loop advances it by the wall
//! time since the last frame times the speed (capped, so a background tab does not jump), then
//! hands the view a fresh `WorldView`. rAF's timestamp is the only wall clock in the app.
#![forbid(unsafe_code)]

mod app;
mod author;
mod bundles;
mod classroom;
mod classroom_view;
mod crash;
mod embed;
mod host;
mod keys;
mod lessons;
mod msg;
mod network;
mod network_canvas;
mod page;
mod panels;
mod partition;
mod refresh;
mod run_control;
mod runs;
mod settings;
mod shell;
mod timeline;

fn main() {
    crash::install();
    yew::Renderer::<app::App>::new().render();
}
