//! What the worker does with each request: it keeps the index of the run ([`Diagram`]), the
//! selected event's causal past and future, and draws the windows the page asks for. Plain
//! Rust: the worker's `main` only moves JSON text in and out.

use crate::protocol::{Reply, Request, Target, Window};
use splitbrain_diagram::{Causality, Diagram, Options, PointId, SvgStyle, draw, to_svg};
use splitbrain_sim::{NodeId, format_time};

/// The worker's state.
#[derive(Debug, Default)]
pub struct Engine {
    model: Diagram,
    /// The selected event and its causal past and future.
    causal: Option<Causality>,
}

impl Engine {
    /// Handles one request; some need no answer.
    pub fn handle(&mut self, request: Request) -> Option<Reply> {
        let refuse = |seq, message: String| Some(Reply::Error { seq, message });
        match &request {
            Request::Reset { lanes } if *lanes > splitbrain_sim::limits::MAX_NODES => {
                return refuse(
                    None,
                    format!(
                        "a run has at most {} nodes",
                        splitbrain_sim::limits::MAX_NODES
                    ),
                );
            }
            Request::Draw { seq, window } | Request::Export { seq, window, .. } => {
                if let Err(e) = window.check() {
                    return refuse(Some(*seq), e);
                }
            }
            _ => {}
        }
        match request {
            Request::Reset { lanes } => {
                *self = Self::default();
                self.model.set_lanes(lanes);
                None
            }
            Request::Lines { lines } => {
                let generation = self.model.generation();
                self.model.sync(&lines);
                // Cut back: the selected event's number may now name another event.
                if self.model.generation() != generation {
                    self.causal = None;
                }
                None
            }
            Request::Draw { seq, window } => Some(self.draw(seq, &window)),
            Request::Click { seq, msg, point } => Some(Reply::Clicked {
                seq,
                target: self.click(msg, point),
            }),
            Request::Export {
                seq,
                window,
                caption,
                png,
            } => {
                let (svg, width, height) = self.export(&window, caption);
                Some(Reply::Exported {
                    seq,
                    svg,
                    width,
                    height,
                    png,
                })
            }
        }
    }

    /// Handles a request as JSON text; a request it cannot read gets an error.
    pub fn handle_json(&mut self, text: &str) -> Option<String> {
        match Request::parse(text) {
            Ok(r) => self.handle(r).map(|r| r.to_json()),
            Err(message) => Some(Reply::Error { seq: None, message }.to_json()),
        }
    }

    /// A click on a message selects its send; on an event, the event; on neither, nothing.
    fn click(&mut self, msg: Option<u64>, point: Option<PointId>) -> Option<Target> {
        let hit = msg
            .and_then(|m| self.model.arrow_by_id(m))
            .and_then(|n| self.model.arrow(n))
            .map(|a| (a.id, a.send, a.sent));
        if let Some((id, send, sent)) = hit {
            self.select(Some(send));
            return Some(Target::Message { id, sent });
        }
        if let Some((p, t)) = point.and_then(|p| self.model.point_at(p).map(|pt| (p, pt.t))) {
            self.select(Some(p));
            return Some(Target::Event { t });
        }
        self.select(None);
        None
    }

    fn select(&mut self, p: Option<PointId>) {
        self.causal = p.and_then(|p| Causality::of(&self.model, p));
    }

    /// The selection in words: where it is and how many events lie before and after it.
    pub fn words(&self) -> String {
        let Some(c) = &self.causal else {
            return String::new();
        };
        self.model.point_at(c.origin()).map_or(String::new(), |pt| {
            format!(
                "Selected: n{} at {}. {}.",
                pt.node,
                format_time(pt.t),
                c.words()
            )
        })
    }

    /// The lanes shown: every node but those hidden (`None`: all of them).
    fn lanes(&self, hidden: &[NodeId]) -> Option<Vec<NodeId>> {
        (!hidden.is_empty()).then(|| {
            (0..self.model.lanes() as NodeId)
                .filter(|n| !hidden.contains(n))
                .collect()
        })
    }

    fn draw(&self, seq: u64, w: &Window) -> Reply {
        let kinds: Vec<&str> = w.kinds.iter().map(String::as_str).collect();
        let lanes = self.lanes(&w.hidden_nodes);
        let opts = Options {
            selected_msg: w.selected_msg,
            selected_node: w.selected_node,
            lanes: lanes.as_deref(),
            ..options(w, &kinds, self.causal.as_ref())
        };
        let mut picture = draw(&self.model, &opts);
        // The page draws the player's line itself, every frame, over the picture.
        picture.now_y = None;
        Reply::Drawn {
            seq,
            svg: to_svg(&picture, &SvgStyle::default()),
            width: picture.width,
            height: picture.height,
            scale: picture.scale,
            words: self.words(),
            events: self.model.seen(),
        }
    }

    /// The window as a file of its own: style, legend and the run named in the corner.
    fn export(&self, w: &Window, caption: Vec<String>) -> (String, f64, f64) {
        let kinds: Vec<&str> = w.kinds.iter().map(String::as_str).collect();
        let lanes = self.lanes(&w.hidden_nodes);
        let opts = Options {
            // A file: every arrow whole, however many.
            bulk_above: usize::MAX,
            lanes: lanes.as_deref(),
            ..options(w, &kinds, self.causal.as_ref())
        };
        let picture = draw(&self.model, &opts);
        let style = SvgStyle {
            standalone: true,
            kinds: &kinds,
            caption,
        };
        let (width, height) = splitbrain_diagram::svg::size(&picture, &style);
        (to_svg(&picture, &style), width, height)
    }
}

/// How a window is drawn: its times, zoom, width, hidden kinds and selection.
fn options<'a>(w: &'a Window, kinds: &'a [&'a str], causal: Option<&'a Causality>) -> Options<'a> {
    Options {
        from: w.from,
        to: w.to,
        px_per_sec: w.px_per_sec,
        compressed: w.compressed,
        quiet: w.quiet,
        width: w.width,
        now: Some(w.now),
        kinds,
        hidden_kinds: &w.hidden,
        causal,
        ..Options::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitbrain_labs::{RunDescription, build};
    use splitbrain_sim::{Lab, MsgId};

    fn raft_until(t: u64) -> Box<dyn Lab> {
        let mut lab = build(&RunDescription::new("raft", 3, 5), 10_000).unwrap();
        lab.run_until(t, u64::MAX);
        lab
    }

    fn fed(lab: &dyn Lab) -> Engine {
        let mut e = Engine::default();
        e.handle(Request::Reset { lanes: lab.nodes() });
        e.handle(Request::Lines {
            lines: lab.trace_tail(10_000),
        });
        e
    }

    fn window(to: u64) -> Window {
        Window {
            from: 0,
            to,
            px_per_sec: 1_000.0,
            compressed: false,
            quiet: 15_000,
            width: 480.0,
            now: to,
            kinds: vec!["vote".into(), "append".into(), "ack".into()],
            hidden: vec![],
            hidden_nodes: vec![],
            selected_msg: None,
            selected_node: None,
        }
    }

    #[test]
    fn a_window_or_a_run_past_the_limits_is_refused_not_drawn() {
        let mut e = Engine::default();
        assert!(matches!(
            e.handle(Request::Reset { lanes: usize::MAX }),
            Some(Reply::Error { seq: None, .. })
        ));
        e.handle(Request::Reset { lanes: 3 });
        for bad in [
            Window {
                from: u64::MAX,
                ..window(1_000)
            },
            Window {
                px_per_sec: f64::NAN,
                ..window(1_000)
            },
            Window {
                width: 1e12,
                ..window(1_000)
            },
        ] {
            let reply = e.handle(Request::Draw {
                seq: 7,
                window: bad,
            });
            assert!(
                matches!(reply, Some(Reply::Error { seq: Some(7), .. })),
                "{reply:?}"
            );
        }
        assert!(matches!(
            e.handle(Request::Draw {
                seq: 8,
                window: window(1_000)
            }),
            Some(Reply::Drawn { .. })
        ));
    }

    fn svg(r: Option<Reply>) -> String {
        match r {
            Some(Reply::Drawn { svg, .. }) => svg,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_worker_draws_the_runs_election_and_a_click_on_a_message_selects_its_send() {
        let lab = raft_until(400_000);
        let mut e = fed(lab.as_ref());
        let drawn = svg(e.handle(Request::Draw {
            seq: 1,
            window: window(400_000),
        }));
        assert!(drawn.contains("RequestVote t1"), "the election is drawn");
        let id: MsgId = drawn
            .split("data-msg=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        match e.handle(Request::Click {
            seq: 2,
            msg: Some(id),
            point: None,
        }) {
            Some(Reply::Clicked {
                target: Some(Target::Message { id: m, sent }),
                ..
            }) => assert!(m == id && sent <= lab.now()),
            other => panic!("{other:?}"),
        }
        assert!(e.words().contains("happened before this"), "{}", e.words());
        let mut w = window(400_000);
        w.selected_msg = Some(id);
        assert!(svg(e.handle(Request::Draw { seq: 2, window: w })).contains(" sel\""));
        // A click on nothing clears the selection.
        e.handle(Request::Click {
            seq: 4,
            msg: None,
            point: None,
        });
        assert!(e.words().is_empty());
    }

    #[test]
    fn hidden_kinds_and_hidden_lanes_leave_the_picture() {
        let lab = raft_until(400_000);
        let mut e = fed(lab.as_ref());
        let all = svg(e.handle(Request::Draw {
            seq: 1,
            window: window(400_000),
        }));
        assert!(
            all.contains("arr k0") && all.contains(">n4<"),
            "votes, lane n4"
        );
        let mut w = window(400_000);
        w.hidden = vec!["vote".into()];
        w.hidden_nodes = vec![4];
        let some = svg(e.handle(Request::Draw { seq: 2, window: w }));
        assert!(!some.contains("arr k0"), "no vote arrows");
        assert!(!some.contains(">n4<"), "no lane n4");
        assert!(some.contains(">n3<"));
    }

    #[test]
    fn a_cut_back_index_drops_the_selection() {
        let a = raft_until(300_000);
        let mut e = fed(a.as_ref());
        let first = e.model.point_range().start + 3;
        e.select(Some(first));
        assert!(!e.words().is_empty());
        // Another branch: a crash at 0.1 s, and on to 0.35 s.
        let mut b = raft_until(100_000);
        b.control(&splitbrain_sim::Action::Crash { node: 1 })
            .unwrap();
        b.run_until(350_000, u64::MAX);
        e.handle(Request::Lines {
            lines: b.trace_tail(10_000),
        });
        assert_eq!(e.model.outages().len(), 1, "the other branch's crash");
        assert!(
            e.words().is_empty(),
            "the numbers it named may be other events now"
        );
    }

    #[test]
    fn an_export_is_a_standalone_file_of_the_size_it_says_naming_the_run() {
        let lab = raft_until(300_000);
        let mut e = fed(lab.as_ref());
        let fp = format!("run fingerprint {:016x}", lab.trace_hash());
        match e.handle(Request::Export {
            seq: 1,
            window: window(300_000),
            caption: vec![fp.clone()],
            png: true,
        }) {
            Some(Reply::Exported {
                svg,
                width,
                height,
                png,
                ..
            }) => {
                assert!(svg.starts_with("<svg xmlns=") && png);
                assert!(svg.contains(&format!(r#"width="{width}" height="{height}""#)));
                assert!(svg.contains(&fp));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_it_cannot_read_gets_an_error_reply_and_the_index_stays() {
        let lab = raft_until(200_000);
        let mut e = fed(lab.as_ref());
        let seen = e.model.seen();
        let reply = e.handle_json(r#"{"lines":{"lines":[{"ev":"teleported"}]}}"#);
        assert!(reply.is_some_and(|r| r.starts_with(r#"{"error":"#) && r.contains("teleported")));
        assert_eq!(e.model.seen(), seen);
        assert_eq!(e.handle_json(r#"{"reset":{"lanes":3}}"#), None);
    }
}

#[cfg(test)]
mod long_run {
    use super::*;
    use splitbrain_labs::{RunDescription, build};

    /// The page's heavy scene fed as the page feeds it (the new lines every 0.5 s of the run,
    /// a drawing after each) past the index's cap, so it trims as it goes.
    #[test]
    fn an_index_past_its_cap_keeps_taking_lines_and_drawing() {
        let mut run = RunDescription::new("raft", 1, 9);
        run.network.latency = splitbrain_sim::Latency::Uniform {
            min: 800_000,
            max: 1_200_000,
        };
        let mut lab = build(&run, 20_000).unwrap();
        let mut e = Engine::default();
        e.handle(Request::Reset { lanes: 9 });
        let (mut synced, mut t) = (0u64, 0u64);
        while lab.trace_recorded() < 160_000 {
            t += 500_000;
            lab.run_until(t, u64::MAX);
            let recorded = lab.trace_recorded();
            let lines = lab.trace_tail((recorded - synced) as usize);
            synced = recorded;
            e.handle(Request::Lines { lines });
            let w = Window {
                from: t.saturating_sub(2_000_000),
                to: t,
                px_per_sec: 200.0,
                compressed: false,
                quiet: 2_000_000,
                width: 900.0,
                now: t,
                kinds: vec!["vote".into(), "append".into(), "ack".into()],
                hidden: vec![],
                hidden_nodes: vec![],
                selected_msg: None,
                selected_node: None,
            };
            match e.handle(Request::Draw { seq: 2, window: w }) {
                Some(Reply::Drawn { events, .. }) => assert!(events > 0),
                other => panic!("{other:?}"),
            }
        }
        let held = e.model.point_range();
        assert!(held.end - held.start > 50_000, "{held:?}");
        assert!(e.model.seen() >= 160_000, "{}", e.model.seen());
    }
}
