//! A Multi-Paxos run's client processes: the slots after the servers run
//! [`splitbrain_kv::client::Client`] (numbered requests, redirects to the leader, retries, the
//! history the linearizability checker reads). This file only says how Paxos's messages carry
//! them; the node answers them in `node.rs` (`on_request`, and `learn` once applied).

use crate::Params;
use crate::node::{Msg, Node, Timer};
use splitbrain_kv::Cmd;
use splitbrain_kv::client::{Answer, Client, Settings};
use splitbrain_kv::host::Host;

impl Node {
    /// Client `id` (0-based) of a Multi-Paxos cluster of `servers` servers.
    pub fn new_client(params: Params, id: u32, servers: usize) -> Self {
        // Three leader time-outs: the silence that deposes a leader, and a new one's phase 1.
        let settings = Settings::waiting_at_least(params.leader_timeout.saturating_mul(3));
        let mut node = Node::new(params, servers + id as usize, servers);
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
