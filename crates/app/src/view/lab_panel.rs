//! The running lab's own panel (Raft's log table, the hashing ring, ...), built by the shell
//! when the run moved and the throttle allowed, and redrawn only then.

use crate::view::pure::View;
use std::rc::Rc;
use yew::prelude::*;

/// Shows the panel as it was last built; the frames in between skip it entirely.
#[derive(Clone)]
pub struct LabPanel {
    /// The panel as last built: a new `Rc` each time it was.
    pub content: Rc<Html>,
}

impl PartialEq for LabPanel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.content, &other.content)
    }
}

impl View for LabPanel {
    fn view(&self) -> Html {
        let p = self;
        (*p.content).clone()
    }
}
