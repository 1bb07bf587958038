//! Running a [`Client`] inside a lab's process type: the Raft and Multi-Paxos labs run their
//! clients as the slots after the servers, with the lab's own message and timer types. A lab
//! says how its messages carry requests and answers ([`Host`]); these functions do the rest.

use crate::Cmd;
use crate::client::{Answer, Client, Do};
use splitbrain_sim::{Cx, NodeId, NodeView, Process};

/// How a lab's messages and timers carry a client's traffic.
pub trait Host: Process {
    /// The message that carries request `cmd` (a [`Cmd::Session`]) to a server, for an
    /// operation the client invoked at `invoked` by its clock (a quorum store orders writes by
    /// it, as Cassandra's client-side timestamps do; consensus labs ignore it).
    fn request(cmd: Cmd, invoked: splitbrain_sim::Time) -> Self::Msg;
    /// The request number and answer a server's message carries to a client, if it is one.
    fn response(msg: &Self::Msg) -> Option<(u64, &Answer)>;
    /// The client's one timer.
    fn client_timer() -> Self::Timer;
}

/// Boot, and restart (see [`Client::start`]).
pub fn start<P: Host>(c: &mut Client, cx: &mut Cx<'_, P>) {
    let todo = c.start(cx.now());
    act(todo, cx);
}

/// A message for the client: only answers matter to it.
pub fn message<P: Host>(c: &mut Client, from: NodeId, msg: &P::Msg, cx: &mut Cx<'_, P>) {
    if let Some((seq, answer)) = P::response(msg) {
        let now = cx.now();
        let todo = c.answer(from, seq, answer, now, cx.rng());
        act(todo, cx);
    }
}

/// The client's time-out or pause ended.
pub fn timer<P: Host>(c: &mut Client, timer: &P::Timer, cx: &mut Cx<'_, P>) {
    if *timer == P::client_timer() {
        let now = cx.now();
        let todo = c.timer(now, cx.rng());
        act(todo, cx);
    }
}

/// An operation the user typed for this client.
pub fn command<P: Host>(c: &mut Client, cmd: Cmd, cx: &mut Cx<'_, P>) {
    let now = cx.now();
    let todo = c.command(cmd, now, cx.rng());
    act(todo, cx);
}

/// What the inspector shows for a client.
pub fn view(c: &Client) -> NodeView {
    NodeView {
        role: "client".into(),
        summary: c.summary(),
        fields: c.fields(),
    }
}

fn act<P: Host>(todo: Vec<Do>, cx: &mut Cx<'_, P>) {
    for d in todo {
        match d {
            Do::Send { to, cmd, invoked } => cx.send(to, P::request(cmd, invoked)),
            Do::Arm { min, max } => cx.set_timer(P::client_timer(), min, max),
            Do::Invoke { op, input } => cx.invoke(op, input),
            Do::Return { op, output } => cx.complete(op, output),
            Do::Note(text) => cx.note(text),
        }
    }
}
