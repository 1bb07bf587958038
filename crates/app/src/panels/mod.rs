//! Lab panels: the one component each lab adds to the shared shell. The shell asks for the
//! panel of whatever lab is running and knows nothing about any of them.

#[cfg(feature = "lab-balance")]
mod balance;
#[cfg(feature = "lab-hashing")]
mod hashing;
#[cfg(feature = "lab-raft")]
mod raft;

use splitbrain_sim::{Action, Lab};
use yew::prelude::*;

/// What a panel may ask of the shell: a user action (recorded in the run like any other, so a
/// shared link replays it), or a change of one lab setting (which restarts the run).
#[derive(Clone, PartialEq)]
pub struct PanelHooks {
    /// Apply an action now.
    pub act: Callback<Action>,
    /// Set a lab parameter (`null` removes it) and start over.
    pub param: Callback<(String, serde_json::Value)>,
}

/// The panel of the running lab, if it has one.
pub fn panel(lab: &dyn Lab, hooks: &PanelHooks) -> Option<Html> {
    let _ = hooks;
    match lab.lab() {
        #[cfg(feature = "lab-raft")]
        splitbrain_raft::LAB => raft::log_table(lab),
        #[cfg(feature = "lab-hashing")]
        splitbrain_sharding::LAB => hashing::panel(lab, hooks),
        #[cfg(feature = "lab-balance")]
        splitbrain_balance::LAB => balance::panel(lab, hooks),
        _ => None,
    }
}
