//! Trace lines written by hand for the tests.

use splitbrain_sim::{MsgId, NodeId, Time, TraceLine};

fn line(i: u64, t: Time, ev: &'static str) -> TraceLine {
    TraceLine {
        i,
        t,
        ev,
        node: None,
        id: None,
        from: None,
        to: None,
        at: None,
        kind: None,
        text: String::new(),
        short: String::new(),
        groups: None,
    }
}

pub fn sent(i: u64, t: Time, id: MsgId, from: NodeId, to: NodeId, at: Option<Time>) -> TraceLine {
    TraceLine {
        id: Some(id),
        from: Some(from),
        to: Some(to),
        at,
        kind: Some("vote".into()),
        text: format!("RequestVote #{id}"),
        short: format!("V{id}"),
        ..line(i, t, "sent")
    }
}

pub fn delivered(i: u64, t: Time, id: MsgId, from: NodeId, to: NodeId) -> TraceLine {
    TraceLine {
        id: Some(id),
        from: Some(from),
        to: Some(to),
        ..line(i, t, "delivered")
    }
}

pub fn dropped(i: u64, t: Time, id: MsgId, from: NodeId, to: NodeId, reason: &str) -> TraceLine {
    TraceLine {
        id: Some(id),
        from: Some(from),
        to: Some(to),
        kind: Some(reason.into()),
        ..line(i, t, "dropped")
    }
}

pub fn duplicated(i: u64, t: Time, id: MsgId, of: MsgId, at: Time) -> TraceLine {
    TraceLine {
        id: Some(id),
        at: Some(at),
        text: format!("copy of #{of}"),
        ..line(i, t, "duplicated")
    }
}

pub fn crash(i: u64, t: Time, node: NodeId) -> TraceLine {
    TraceLine {
        node: Some(node),
        ..line(i, t, "crash")
    }
}

pub fn restart(i: u64, t: Time, node: NodeId) -> TraceLine {
    TraceLine {
        node: Some(node),
        ..line(i, t, "restart")
    }
}

pub fn note(i: u64, t: Time, node: NodeId, text: &str) -> TraceLine {
    TraceLine {
        node: Some(node),
        text: text.into(),
        ..line(i, t, "note")
    }
}

pub fn partition(i: u64, t: Time, groups: Vec<Vec<NodeId>>) -> TraceLine {
    TraceLine {
        groups: Some(groups),
        text: "split".into(),
        ..line(i, t, "partition")
    }
}

pub fn heal(i: u64, t: Time) -> TraceLine {
    line(i, t, "heal")
}
