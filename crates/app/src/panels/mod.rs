//! Lab panels: the one component each lab adds to the shared shell. The shell asks for the
//! panel of whatever lab is running and knows nothing about any of them.

mod raft;

use splitbrain_sim::Lab;
use yew::prelude::*;

/// The panel of the running lab, if it has one.
pub fn panel(lab: &dyn Lab) -> Option<Html> {
    match lab.lab() {
        splitbrain_raft::LAB => raft::log_table(lab),
        _ => None,
    }
}
