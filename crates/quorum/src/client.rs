//! A quorum run's client processes: the slots after the servers run
//! [`splitbrain_kv::client::Client`] with gets and sets only. A client picks a server as
//! coordinator (Dynamo §4.5: "route its request through a generic load balancer"), and on a
//! time-out or an `unavailable` answer tries the next one.

use crate::Params;
use crate::node::{Msg, Node, Timer};
use splitbrain_kv::Cmd;
use splitbrain_kv::client::{Answer, Client, Settings};
use splitbrain_kv::host::Host;
use splitbrain_sim::Time;

impl Node {
    /// Client `id` (0-based) of a cluster of `servers` servers.
    pub fn new_client(params: Params, id: u32, servers: usize) -> Node {
        // A coordinator gives up after two ack time-outs; wait for that and its answer.
        let settings = Settings {
            atomic: false,
            auto: params.auto,
            ..Settings::waiting_at_least(params.ack_timeout.saturating_mul(4))
        };
        let mut node = Node::new(params, servers + id as usize, servers);
        node.client = Some(Box::new(Client::new(id, servers, settings)));
        node
    }
}

impl Host for Node {
    fn request(cmd: Cmd, sent: Time) -> Msg {
        Msg::Request { cmd, sent }
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
