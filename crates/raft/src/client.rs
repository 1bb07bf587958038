//! A Raft run's client processes (§8, "Client interaction"): the slots after the servers run
//! [`splitbrain_kv::client::Client`], which sends numbered requests to a server, follows
//! redirects to the leader, retries elsewhere on a time-out, and records the history the
//! linearizability checker reads. This file only says how Raft's messages carry them.

use crate::Params;
use crate::node::{Msg, Node, Timer};
use splitbrain_kv::Cmd;
use splitbrain_kv::client::{Answer, Client, Settings};
use splitbrain_kv::host::Host;

impl Node {
    /// Client `id` (0-based) of a cluster of `servers` servers.
    pub fn new_client(params: Params, id: u32, servers: usize) -> Node {
        // Twice the longest election time-out (the default's reasoning, Settings::default).
        let settings = Settings::waiting_at_least(params.election_max.saturating_mul(2));
        let mut node = Node::new(params);
        node.client = Some(Box::new(Client::new(id, servers, settings)));
        node
    }

    /// The client this slot runs, if it is not a server.
    pub fn as_client(&self) -> Option<&Client> {
        self.client.as_deref()
    }
}

impl Host for Node {
    fn request(cmd: Cmd, _now: splitbrain_sim::Time) -> Msg {
        Msg::Request { cmd }
    }
    fn response(msg: &Msg) -> Option<(u64, &Answer)> {
        match msg {
            Msg::Response { seq, answer } => Some((*seq, answer)),
            _ => None,
        }
    }
    fn client_timer() -> Timer {
        Timer::Client
    }
}
