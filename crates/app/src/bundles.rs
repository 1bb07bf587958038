//! The page is built as several bundles, each the shell plus a group of labs, so a visitor
//! downloads one lab's simulator and panel rather than every lab's (each adds tens of KB). The
//! lab menu lists every lab; one from another bundle is a navigation to that bundle's page,
//! and a link that names it (`?lab=` or `?run=`) is forwarded there with its query intact.
//!
//! `cargo xtask` builds the bundles from this table's directories and the app's `lab-*`
//! features (see `BUNDLES` in `crates/xtask/src/main.rs`).

use splitbrain_labs::find;

/// One page: where it lives under the site root, and its labs (name, menu title).
pub struct Bundle {
    /// Directory under the root: `""` for the root page.
    pub dir: &'static str,
    /// Its labs.
    pub labs: &'static [(&'static str, &'static str)],
}

/// Every bundle, root first; the first lab of a bundle is the one its page opens on.
pub const BUNDLES: &[Bundle] = &[
    Bundle {
        dir: "",
        labs: &[("raft", "Raft")],
    },
    Bundle {
        dir: "broadcast/",
        labs: &[("broadcast", "Gossip broadcast")],
    },
    Bundle {
        dir: "paxos/",
        labs: &[("paxos", "Paxos")],
    },
    Bundle {
        dir: "hashing/",
        labs: &[("hashing", "Consistent hashing")],
    },
    Bundle {
        dir: "balance/",
        labs: &[("balance", "Load balancing")],
    },
    Bundle {
        dir: "quorum/",
        labs: &[("quorum", "Quorum replication")],
    },
];

/// This build's directory: the root page carries Raft.
const HERE: &str = if cfg!(feature = "lab-raft") {
    ""
} else if cfg!(feature = "lab-broadcast") {
    "broadcast/"
} else if cfg!(feature = "lab-paxos") {
    "paxos/"
} else if cfg!(feature = "lab-hashing") {
    "hashing/"
} else if cfg!(feature = "lab-quorum") {
    "quorum/"
} else {
    "balance/"
};

/// Every lab of every bundle, for the menu: (name, title).
pub fn all_labs() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUNDLES.iter().flat_map(|b| b.labs.iter().copied())
}

/// The page that runs `lab`, relative to this page, with `query` (`?…`) appended; `None` when
/// this build runs it or no bundle has it.
pub fn elsewhere(lab: &str, query: &str) -> Option<String> {
    if find(lab).is_ok() {
        return None;
    }
    let bundle = BUNDLES
        .iter()
        .find(|b| b.labs.iter().any(|(name, _)| *name == lab))?;
    let up = if HERE.is_empty() { "./" } else { "../" };
    Some(format!("{up}{}{query}", bundle.dir))
}

/// The lab a page query asks for, read loosely (`lab=` or the `lab` of a `run=` description),
/// so a link to another bundle's lab is forwarded before the settings refuse it.
pub fn requested_lab(query: &str) -> Option<String> {
    for (k, v) in crate::settings::pairs(query) {
        match k.as_str() {
            // A tour is named like its lab.
            "lab" | "tour" => return Some(v),
            "exercise" => {
                if let Some(e) = crate::classroom::find(&v) {
                    return Some(e.lab);
                }
            }
            "def" => {
                if let Ok(e) = serde_json::from_str::<serde_json::Value>(&v)
                    && let Some(lab) = e.get("lab").and_then(|l| l.as_str())
                {
                    return Some(lab.to_string());
                }
            }
            "run" => {
                if let Ok(run) = serde_json::from_str::<serde_json::Value>(&v)
                    && let Some(lab) = run.get("lab").and_then(|l| l.as_str())
                {
                    return Some(lab.to_string());
                }
            }
            _ => {}
        }
    }
    None
}
