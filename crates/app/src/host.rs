//! Commands from the page that embeds this one.

use crate::app::*;
use splitbrain_embed::{Command, Control};
use splitbrain_player::Input;
use splitbrain_sim::Action;
use yew::prelude::*;

impl App {
    /// A command from the embedding page (already checked against the embed's controls).
    pub(crate) fn host(&mut self, ctx: &Context<Self>, cmd: Command) {
        let refuse = |app: &mut Self, why: String| {
            if let Some(e) = &app.embed {
                web_sys::console::warn_1(&format!("splitbrain embed: {why}").into());
                e.post("refused", serde_json::json!({ "reason": why }));
            }
        };
        match cmd {
            Command::Play | Command::Pause => {
                if self.player.playing() != (cmd == Command::Play) {
                    self.handle(ctx, Msg::TogglePlay);
                }
            }
            Command::Step => {
                self.handle(ctx, Msg::Step);
            }
            Command::Speed(s) => {
                self.handle(ctx, Msg::Speed(s));
            }
            Command::Reset => {
                self.handle(ctx, Msg::Reset);
            }
            Command::Seek(t) => self.jump(t),
            Command::LoadRun(_) if self.lesson.is_some() => {
                refuse(self, "load-run: an exercise fixes its run".into());
                return;
            }
            Command::LoadRun(run) => {
                if crate::bundles::elsewhere(&run.lab, "").is_some() {
                    refuse(
                        self,
                        format!(
                            "load-run: the {} lab runs in another page of Splitbrain; embed that page",
                            run.lab
                        ),
                    );
                    return;
                }
                // A loaded run replays as it is, like a shared link, from its start.
                self.start_at = 0;
                match self.player.apply(Input::LoadRun(run)) {
                    Ok(()) => {
                        self.restarted();
                        self.share = None;
                        if let Some(e) = &mut self.embed {
                            e.ready(self.player.lab(), self.player.base().seed);
                        }
                    }
                    Err(e) => refuse(self, format!("load-run: {e}")),
                }
            }
            Command::Act(_) | Command::Request { .. } => {
                let action = match cmd {
                    Command::Request { node, command } => Action::Client {
                        node: node.unwrap_or_else(|| self.client_node()),
                        command,
                    },
                    Command::Act(action) => action,
                    _ => return,
                };
                if !self.allows(Control::of(&action)) {
                    refuse(
                        self,
                        format!(
                            "this exercise does not give {}",
                            Control::of(&action).name()
                        ),
                    );
                    return;
                }
                self.ui.notice = None;
                self.act(Input::Act(action));
                if let Some(n) = self.ui.notice.clone() {
                    refuse(self, n);
                }
            }
            Command::Theme(theme) => {
                // CSS follows at once; the message canvas of a busy run re-reads its colours
                // on its next frame.
                crate::embed::set_theme(theme);
                crate::network_canvas::forget_colours();
            }
            Command::GetState => {
                let (playing, speed) = (self.player.playing(), self.player.speed());
                if let Some(e) = &mut self.embed {
                    e.observe(
                        self.player.lab(),
                        self.player.base().seed,
                        playing,
                        speed,
                        true,
                    );
                }
            }
        }
        self.observe_due = true;
    }
}
