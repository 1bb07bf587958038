//! Making and replacing runs: links, a new seed, another lab or setting, exercises' bounds.

use crate::app::*;
use crate::page::page_base;
use splitbrain_embed::Control;
use splitbrain_labs::{RunDescription, Traffic, find};
use splitbrain_player::{Input, Player, TrafficState};
use splitbrain_sim::TimedAction;

impl App {
    /// A link that replays this run, with everything done in the page, to this moment, at
    /// this speed.
    pub(crate) fn share_link(&self) -> String {
        let run = self.player.link_run();
        let json: String = js_sys::encode_uri_component(&run.to_json()).into();
        format!(
            "{}?run={json}&speed={}&t={}",
            page_base(),
            crate::page::decimal(self.player.speed()),
            splitbrain_sim::format_time(self.player.now())
        )
    }

    /// This run's description with the actions of the branch shown, as an exercise grades it.
    pub(crate) fn graded_run(&self) -> RunDescription {
        let mut run = self.player.link_run();
        run.traffic = None;
        run
    }

    /// Whether the embedding page lets the learner and itself do this (always, on the site).
    pub(crate) fn allows(&self, c: Control) -> bool {
        self.embed
            .as_ref()
            .is_none_or(|e| e.options.controls.allows(c))
            && self.lesson.as_ref().is_none_or(|l| l.allows(c))
    }

    /// Builds a new player of `base` with `actions` recorded; on error nothing changes.
    pub(crate) fn rebuild(
        &mut self,
        base: RunDescription,
        actions: Vec<TimedAction>,
        traffic: TrafficState,
    ) -> Result<(), String> {
        let options = page_options(self.lesson.as_ref());
        let (speed, playing) = (self.player.speed(), self.player.playing());
        self.player = Player::new(base, actions, traffic, options)?;
        let _ = self.player.apply(Input::Speed(speed));
        if playing {
            let _ = self.player.apply(Input::Play);
        }
        self.restarted();
        Ok(())
    }

    /// After a new run or a reset: the exercise's checklist, bounds and the page's fields.
    pub(crate) fn restarted(&mut self) {
        let until = match &mut self.lesson {
            Some(l) => {
                l.restart();
                // Pause once where the judging ends; Play goes on from there, to watch.
                Some(l.exercise.time_limit)
            }
            None => self.bounds.0,
        };
        self.player.set_bounds(until, self.bounds.1, self.start_at);
        self.rebaseline();
        self.ui.run_changed(self.all_nodes());
        self.narrator.start(self.player.lab());
        self.reset_diagram();
        self.ui.seed_text = self.player.base().seed.to_string().into();
        self.placeholder = (self.player.info().client_command)(1, self.player.lab().nodes()).into();
        self.invariants = self.player.lab().invariant_names().join(", ").into();
        self.refresh();
        self.sync_net_text();
        if let Some(why) = self.hopeless() {
            self.ui.notice = Some(why);
        }
    }

    /// Starts over from another seed, keeping everything else.
    pub(crate) fn reseed(&mut self, seed: u64) {
        let mut base = self.player.base().clone();
        base.seed = seed;
        if let Err(e) = self.rebuild(base, Vec::new(), self.fresh_traffic()) {
            self.ui.notice = Some(e);
        }
    }

    /// Automatic traffic as a fresh run of this lab starts it on the site.
    pub(crate) fn fresh_traffic(&self) -> TrafficState {
        let own = find(&self.player.base().lab).is_ok_and(|l| l.own_traffic);
        if own || self.lesson.is_some() {
            TrafficState::off()
        } else {
            TrafficState::from_run(Some(Traffic::start()))
        }
    }

    pub(crate) fn switch_lab(&mut self, name: String) -> bool {
        let target = format!("?lab={name}&seed={}", self.player.base().seed);
        if let Some(url) = crate::bundles::elsewhere(&name, &target) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&url);
            }
            return false;
        }
        let Ok(info) = find(&name) else {
            self.ui.notice = Some(format!("unknown lab {name:?}"));
            return true;
        };
        let old = self.player.base();
        let mut run = RunDescription::new(info.name, old.seed, old.nodes);
        (info.page_defaults)(&mut run);
        let traffic = if info.own_traffic {
            TrafficState::off()
        } else {
            TrafficState::from_run(Some(Traffic::start()))
        };
        let mut built = self.rebuild(run.clone(), Vec::new(), traffic);
        if built.is_err() {
            // This node count does not suit the new lab: its default size does.
            run.nodes = 5;
            built = self.rebuild(run, Vec::new(), traffic);
        }
        match built {
            Ok(()) => {
                self.share = None;
                self.ui.notice = None;
                self.input(Input::Speed(info.page_speed));
            }
            Err(e) => self.ui.notice = Some(e),
        }
        true
    }

    pub(crate) fn param(&mut self, key: String, pairs: Vec<(String, serde_json::Value)>) {
        let mut run = self.player.base().clone();
        if !run.params.is_object() {
            run.params = serde_json::Value::Object(Default::default());
        }
        if let Some(obj) = run.params.as_object_mut() {
            // All at once: a setting of two parameters (an election timeout's min and max) is
            // checked as a whole, not through a half-changed state.
            for (k, value) in pairs {
                if value.is_null() {
                    obj.remove(&k);
                } else {
                    obj.insert(k, value);
                }
            }
        }
        if let Ok(info) = find(&run.lab) {
            (info.fit)(&mut run);
        }
        let traffic = self.fresh_traffic();
        self.ui.notice = Some(match self.rebuild(run, Vec::new(), traffic) {
            Ok(()) => {
                self.share = None;
                let changed = format!("{key} changed: the run starts over from the same seed.");
                match self.hopeless() {
                    Some(why) => format!("{changed} {why}"),
                    None => changed,
                }
            }
            Err(e) => format!("Not changed: {e}"),
        });
    }
}
