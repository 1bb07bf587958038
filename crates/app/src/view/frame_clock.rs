//! The frame clock: animation frames while the run plays, none while it rests.

use gloo::render::{AnimationFrame, request_animation_frame};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// One animation frame: its timestamp and the milliseconds since the previous frame of the
/// same stretch of playing (0 for the first, so a pause is not played through).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    pub ts: f64,
    pub dt: f64,
}

type Slot = Rc<RefCell<Option<AnimationFrame>>>;

/// Calls `on_frame` on every animation frame while `running`; stops when it turns false or
/// the component goes away.
#[hook]
pub fn use_frame_clock(running: bool, on_frame: Callback<Tick>) {
    use_effect_with(running, move |&running| {
        let slot: Slot = Rc::default();
        if running {
            next(slot.clone(), on_frame, None);
        }
        // Dropping the pending frame cancels it, and frees the loop.
        move || drop(slot.borrow_mut().take())
    });
}

fn next(slot: Slot, on_frame: Callback<Tick>, last: Option<f64>) {
    let again = slot.clone();
    let frame = request_animation_frame(move |ts| {
        next(again, on_frame.clone(), Some(ts));
        on_frame.emit(Tick {
            ts,
            dt: last.map_or(0.0, |l| (ts - l).max(0.0)),
        });
    });
    *slot.borrow_mut() = Some(frame);
}

/// Props of [`FrameClock`].
#[derive(Properties, PartialEq)]
pub struct FrameClockProps {
    pub running: bool,
    pub on_frame: Callback<Tick>,
}

/// The frame clock as an element of the page: the shell is a struct component, which cannot
/// call hooks itself.
#[component]
pub fn FrameClock(p: &FrameClockProps) -> Html {
    use_frame_clock(p.running, p.on_frame.clone());
    Html::default()
}
