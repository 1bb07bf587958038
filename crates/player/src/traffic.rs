//! Automatic client traffic as part of the run, in virtual time.

use splitbrain_labs::{LabInfo, Traffic};
use splitbrain_sim::{Action, Lab, NodeId, Time};

/// Where automatic traffic stands. Cheap to copy: each checkpoint and branch keeps its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficState {
    /// Requests go out.
    pub on: bool,
    /// When the next one goes out (meaningful while `on`).
    pub next: Time,
    /// Requests numbered so far (automatic and button ones): picks the next one's node and
    /// command.
    pub count: u64,
}

impl TrafficState {
    /// No automatic traffic.
    pub fn off() -> Self {
        Self {
            on: false,
            next: 0,
            count: 0,
        }
    }

    /// As a run description sets it (`None`: off).
    pub fn from_run(t: Option<Traffic>) -> Self {
        t.map_or(Self::off(), |t| Self {
            on: true,
            next: t.next,
            count: t.count,
        })
    }

    /// What a run description records of it, so a link goes on sending the same requests.
    pub fn describe(&self) -> Option<Traffic> {
        self.on.then_some(Traffic {
            next: self.next,
            count: self.count,
        })
    }

    /// When the next request is due.
    pub fn due(&self) -> Option<Time> {
        self.on.then_some(self.next)
    }

    /// Turned on at `now` (the first request goes at once) or off.
    pub fn set(&mut self, on: bool, now: Time) {
        if on && !self.on {
            self.next = now;
        }
        self.on = on;
    }

    /// The next numbered request to `node` with the lab's client command (a button request).
    pub fn numbered(&mut self, info: &LabInfo, nodes: usize, node: NodeId) -> Action {
        let command = (info.client_command)(self.count, nodes);
        self.count += 1;
        Action::Client { node, command }
    }

    /// The automatic request due now: to a node that is up, as a real client would retry
    /// elsewhere, asked of the run itself (not of a picture a frame old).
    ///
    /// A run with client processes sends through them instead (a command straight to a server
    /// would change the store behind the clients' backs, outside the history they record).
    pub fn fire(&mut self, lab: &dyn Lab, info: &LabInfo) -> Action {
        let (first, n) = match lab.clients() {
            0 => (0, lab.nodes().max(1)),
            c => (lab.nodes(), c),
        };
        let mut k = (self.count as usize * 2) % n;
        for _ in 0..n {
            if lab.up(first + k) {
                break;
            }
            k = (k + 1) % n;
        }
        let node = first + k;
        self.next = lab.now() + Traffic::EVERY;
        self.numbered(info, lab.nodes(), node)
    }
}
