//! A Raft run's client processes (§8, "Client interaction"): the slots after the servers run
//! [`splitbrain_kv::client::Client`], which sends numbered requests to a server, follows
//! redirects to the leader, retries elsewhere on a time-out, and records the history the
//! linearizability checker reads. This file only translates between that client and Raft's
//! messages and timer.

use crate::Params;
use crate::node::{Msg, Node, Timer};
use splitbrain_kv::client::{Client, Do, Settings};
use splitbrain_sim::{Cx, NodeId, NodeView};

impl Node {
    /// Client `id` (0-based) of a cluster of `servers` servers.
    pub fn new_client(params: Params, id: u32, servers: usize) -> Node {
        let mut node = Node::new(params);
        node.client = Some(Box::new(Client::new(id, servers, Settings::default())));
        node
    }

    /// The client this slot runs, if it is not a server.
    pub fn as_client(&self) -> Option<&Client> {
        self.client.as_deref()
    }
}

/// Boot: a restarted client opens a new session, numbered from the clock so its numbers stay
/// above every number it used before the crash (each operation takes far more than a
/// microsecond), and the store's duplicate check never mistakes a new request for an old one.
pub(crate) fn start(c: &mut Client, cx: &mut Cx<'_, Node>) {
    let todo = c.start(cx.now());
    act(todo, cx);
}

/// A message for the client: only answers matter to it.
pub(crate) fn message(c: &mut Client, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
    if let Msg::Response { seq, answer } = msg {
        let todo = c.answer(from, seq, &answer, cx.rng());
        act(todo, cx);
    }
}

/// The client's time-out or pause ended.
pub(crate) fn timer(c: &mut Client, timer: Timer, cx: &mut Cx<'_, Node>) {
    if timer == Timer::Client {
        let todo = c.timer(cx.rng());
        act(todo, cx);
    }
}

/// An operation the user typed for this client.
pub(crate) fn command(c: &mut Client, cmd: splitbrain_kv::Cmd, cx: &mut Cx<'_, Node>) {
    let todo = c.command(cmd, cx.rng());
    act(todo, cx);
}

/// What the inspector shows for a client.
pub(crate) fn view(c: &Client) -> NodeView {
    NodeView {
        role: "client".into(),
        summary: c.summary(),
        fields: c.fields(),
    }
}

fn act(todo: Vec<Do>, cx: &mut Cx<'_, Node>) {
    for d in todo {
        match d {
            Do::Send { to, cmd } => cx.send(to, Msg::Request { cmd }),
            Do::Arm { min, max } => cx.set_timer(Timer::Client, min, max),
            Do::Invoke { op, input } => cx.invoke(op, input),
            Do::Return { op, output } => cx.complete(op, output),
            Do::Note(text) => cx.note(text),
        }
    }
}
