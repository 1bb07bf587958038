//! A key-value client as Jepsen and Maelstrom model one: it sends one operation at a time,
//! waits for the answer with a time-out, retries elsewhere, and records what it saw.
//!
//! Each operation gets the client's next sequence number and keeps it through every retry, so a
//! deduplicating store applies it once however many copies reach the log (Raft paper §8). An
//! operation is *invoked* when first sent and *returns* when an answer arrives; when the client
//! gives up after [`Settings::tries`] time-outs its outcome is unknown: it may have taken effect
//! or not, which is exactly what the linearizability checker must allow.
//!
//! The client is a pure state machine like the servers: it is told what happened and answers
//! with [`Do`] items, which the lab turns into messages, its one timer and history records.

use crate::{Cmd, Input, Output, Reply};
use splitbrain_sim::{Duration, NodeId, SimRng, Time, ms};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

/// Operations a client holds behind the one in flight; more are dropped with a note.
pub const MAX_QUEUE: usize = 8;

/// Most clients in a run: each is drawn beside the cluster and has a row in the history view.
pub const MAX_CLIENTS: usize = 10;

/// How clients behave: the same for every client of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long a client waits for an answer before it retries at another server.
    pub timeout: Duration,
    /// Shortest pause between an answer and the next operation.
    pub think_min: Duration,
    /// Longest pause.
    pub think_max: Duration,
    /// Sends of one operation (the first and its retries) before the client gives up on it.
    pub tries: u8,
    /// Keys the workload uses (`x`, `y`, `z`, ...): few keys, so clients contend.
    pub keys: u8,
    /// Whether clients draw operations themselves; `false`: only what the user sends.
    pub auto: bool,
    /// Whether the workload has `cas` and `incr`; `false` for stores with only get and put
    /// (Dynamo, §4: "get() and put()").
    pub atomic: bool,
}

impl Settings {
    /// The defaults, waiting at least `timeout`: a lab's failover time (Raft's election
    /// time-out, a Paxos leader's) stretches it for slow settings.
    pub fn waiting_at_least(timeout: Duration) -> Settings {
        let d = Settings::default();
        Settings {
            timeout: timeout.max(d.timeout),
            ..d
        }
    }
}

impl Default for Settings {
    /// Time-out twice Raft's longest election time-out (§9.3: 150–300 ms), so a request retried
    /// after a leader's crash usually finds the next leader elected.
    fn default() -> Self {
        Settings {
            timeout: ms(600),
            think_min: ms(150),
            think_max: ms(500),
            tries: 3,
            keys: 2,
            auto: true,
            atomic: true,
        }
    }
}

/// What a server tells a client.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The operation was applied (or had been: a retry's answer is the first one's).
    Done(Reply),
    /// This server does not lead; the leader it knows of, if any (Raft §8: "if the client
    /// contacts a follower, the follower will reject the request and supply information about
    /// the most recent leader it has heard from").
    NotLeader(Option<NodeId>),
    /// This server could not do it now (a quorum store short of replies): the client tries the
    /// next server after a pause. The operation may have taken effect in part, so a client that
    /// gives up records its outcome as unknown.
    Unavailable(String),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Done(reply) => write!(f, "{reply}"),
            Answer::NotLeader(Some(n)) => write!(f, "not leader, try n{n}"),
            Answer::NotLeader(None) => write!(f, "not leader, leader unknown"),
            Answer::Unavailable(why) => write!(f, "unavailable: {why}"),
        }
    }
}

/// What the client asks the lab to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Do {
    /// Send request `cmd` (a [`Cmd::Session`]) to server `to`.
    Send {
        /// The server.
        to: NodeId,
        /// The numbered command.
        cmd: Cmd,
        /// When the client invoked the operation (every retry carries the first time).
        invoked: Time,
    },
    /// (Re)arm the client's one timer to fire after a delay drawn from `min..=max`.
    Arm {
        /// Shortest delay.
        min: Duration,
        /// Longest delay.
        max: Duration,
    },
    /// The history records operation `op` as invoked now.
    Invoke {
        /// The operation's number (the client's sequence number).
        op: u64,
        /// What it asks.
        input: Input,
    },
    /// The history records operation `op` as returned now with `output`.
    Return {
        /// The operation's number.
        op: u64,
        /// What the store answered.
        output: Output,
    },
    /// A line for the event log.
    Note(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Waiting {
    cmd: Cmd,
    seq: u64,
    /// When the operation was invoked: every send of it carries this time.
    invoked: Time,
    /// Sends after a time-out so far (the first send counts).
    tries: u8,
    /// Redirects followed since the last send that timed out: a bound on ping-pong between
    /// servers with stale leader hints.
    redirects: u8,
    /// The timer now running is a pause before re-sending, not a time-out.
    backing_off: bool,
    /// Back-offs so far: with no leader anywhere (no quorum), the client gives up after
    /// [`MAX_BACKOFFS`] rather than asking forever.
    backoffs: u8,
}

/// Back-offs for one operation before the client gives up on it.
pub const MAX_BACKOFFS: u8 = 10;

/// One client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    id: u32,
    servers: usize,
    settings: Settings,
    target: NodeId,
    seq: u64,
    waiting: Option<Waiting>,
    queue: VecDeque<Cmd>,
    ok: u64,
    unknown: u64,
    last: String,
}

impl Client {
    /// Client `id` (0-based) of a cluster of `servers` servers; it starts at server
    /// `id % servers`, so clients spread over the cluster as a load balancer would spread them.
    pub fn new(id: u32, servers: usize, settings: Settings) -> Client {
        Client {
            id,
            servers: servers.max(1),
            settings,
            target: id as usize % servers.max(1),
            seq: 0,
            waiting: None,
            queue: VecDeque::new(),
            ok: 0,
            unknown: 0,
            last: String::new(),
        }
    }

    /// The client's number as people see it (`c1` for id 0).
    pub fn name(&self) -> String {
        format!("c{}", self.id + 1)
    }

    /// Boot at virtual time `now` (µs). A restarted client starts afresh: its unanswered
    /// operation stays unknown in the history, and its numbers go on from `now`, above every
    /// number it used before (each operation takes far longer than a microsecond), so a
    /// deduplicating store never takes a new request for a retry of an old one.
    pub fn start(&mut self, now: u64) -> Vec<Do> {
        self.seq = self.seq.max(now);
        self.think()
    }

    /// A user's operation from the page's request box or a scenario: sent after the one in
    /// flight, or now.
    pub fn command(&mut self, cmd: Cmd, now: Time, rng: &mut SimRng) -> Vec<Do> {
        if self.queue.len() >= MAX_QUEUE {
            return vec![Do::Note(format!(
                "{} is busy ({MAX_QUEUE} operations waiting): {cmd} dropped",
                self.name()
            ))];
        }
        self.queue.push_back(cmd.op().clone());
        if self.waiting.is_none() {
            self.next(now, rng)
        } else {
            Vec::new()
        }
    }

    /// The timer fired: a time-out (retry at the next server, or give up after the last try),
    /// the end of a back-off (re-send), or the end of a pause (next operation).
    pub fn timer(&mut self, now: Time, rng: &mut SimRng) -> Vec<Do> {
        let Some(w) = self.waiting.as_mut() else {
            return self.next(now, rng);
        };
        if w.backing_off {
            w.backing_off = false;
            return self.resend();
        }
        if w.tries >= self.settings.tries {
            return self.give_up(now, rng);
        }
        w.tries += 1;
        w.redirects = 0;
        self.target = (self.target + 1) % self.servers;
        let mut out = vec![Do::Note(format!(
            "{} timed out: retries at n{}",
            self.name(),
            self.target
        ))];
        out.extend(self.resend());
        out
    }

    /// The last try timed out, or no leader could be found: the outcome stays unknown.
    fn give_up(&mut self, now: Time, rng: &mut SimRng) -> Vec<Do> {
        let gave_up = self
            .waiting
            .take()
            .map(|w| w.cmd.op().to_string())
            .unwrap_or_default();
        self.unknown += 1;
        self.last = format!("{gave_up} unknown");
        let mut out = vec![Do::Note(format!(
            "{} gives up on {gave_up}: it may or may not have happened",
            self.name()
        ))];
        out.extend(self.think_or_next(now, rng));
        out
    }

    /// A server's answer to request `seq`. Answers to earlier requests (a retry's twin, a
    /// duplicated message) are ignored.
    pub fn answer(
        &mut self,
        from: NodeId,
        seq: u64,
        answer: &Answer,
        now: Time,
        rng: &mut SimRng,
    ) -> Vec<Do> {
        let Some(w) = self.waiting.as_mut().filter(|w| w.seq == seq) else {
            return Vec::new();
        };
        match answer {
            Answer::Done(reply) => {
                self.waiting = None;
                self.ok += 1;
                self.last = reply.to_string();
                self.target = from;
                let mut out = vec![Do::Return {
                    op: seq,
                    output: reply.output(),
                }];
                out.extend(self.think_or_next(now, rng));
                out
            }
            Answer::NotLeader(_) | Answer::Unavailable(_) => {
                w.redirects += 1;
                let hops = self.servers.min(u8::MAX as usize) as u8;
                let hint = match answer {
                    Answer::NotLeader(hint) => *hint,
                    _ => None,
                };
                match hint {
                    Some(h) if h < self.servers && w.redirects <= hops => {
                        self.target = h;
                        self.resend()
                    }
                    _ if w.backoffs >= MAX_BACKOFFS => self.give_up(now, rng),
                    _ => {
                        // No leader known (an election is under way): wait a little, then
                        // try the next server.
                        w.backing_off = true;
                        w.backoffs += 1;
                        self.target = (from + 1) % self.servers;
                        vec![Do::Arm {
                            min: ms(50),
                            max: ms(100),
                        }]
                    }
                }
            }
        }
    }

    fn resend(&mut self) -> Vec<Do> {
        let Some(w) = self.waiting.as_mut() else {
            return Vec::new();
        };
        w.backing_off = false;
        vec![
            Do::Send {
                to: self.target,
                cmd: w.cmd.clone(),
                invoked: w.invoked,
            },
            Do::Arm {
                min: self.settings.timeout,
                max: self.settings.timeout,
            },
        ]
    }

    fn think(&self) -> Vec<Do> {
        if self.settings.auto {
            vec![Do::Arm {
                min: self.settings.think_min,
                max: self.settings.think_max,
            }]
        } else {
            Vec::new()
        }
    }

    fn think_or_next(&mut self, now: Time, rng: &mut SimRng) -> Vec<Do> {
        if self.queue.is_empty() {
            self.think()
        } else {
            self.next(now, rng)
        }
    }

    /// Starts the next operation: the user's first, else one drawn from the workload.
    fn next(&mut self, now: Time, rng: &mut SimRng) -> Vec<Do> {
        let op = match self.queue.pop_front() {
            Some(op) => op,
            None if self.settings.auto => draw(rng, self.settings.keys, self.settings.atomic),
            None => return Vec::new(),
        };
        self.seq += 1;
        let cmd = Cmd::Session {
            client: self.id,
            seq: self.seq,
            op: Rc::new(op),
        };
        let input = cmd.input();
        self.waiting = Some(Waiting {
            cmd,
            seq: self.seq,
            invoked: now,
            tries: 1,
            redirects: 0,
            backing_off: false,
            backoffs: 0,
        });
        let mut out = vec![Do::Invoke {
            op: self.seq,
            input,
        }];
        out.extend(self.resend());
        out
    }

    /// One line under the client: what it waits for, or its tally.
    pub fn summary(&self) -> String {
        match &self.waiting {
            Some(w) => format!("{} → n{}", w.cmd.op(), self.target),
            None => format!("{} ok · {} unknown", self.ok, self.unknown),
        }
    }

    /// Rows for the inspector.
    pub fn fields(&self) -> Vec<(String, String)> {
        vec![
            (
                "waiting for".into(),
                self.waiting
                    .as_ref()
                    .map(|w| format!("{} (#{}, try {})", w.cmd.op(), w.seq, w.tries))
                    .unwrap_or_else(|| "nothing".into()),
            ),
            ("sends to".into(), format!("n{}", self.target)),
            ("answered".into(), self.ok.to_string()),
            ("gave up".into(), self.unknown.to_string()),
            ("last answer".into(), self.last.clone()),
        ]
    }
}

/// Key names: `x`, `y`, `z`, then `k3`, `k4`, ...
fn key(i: u64) -> Rc<str> {
    match i {
        0 => "x".into(),
        1 => "y".into(),
        2 => "z".into(),
        n => format!("k{n}").into(),
    }
}

/// One operation of the workload: reads 40 %, writes 30 %, compare-and-set 15 %, increments
/// 15 %, over small numbers so compare-and-set sometimes matches. Without `atomic`: reads and
/// writes half each, of numbers up to 999, so two writes seldom share a value: a stale read
/// then names the write it saw, and a timed-out write nobody read can be left out of the check.
fn draw(rng: &mut SimRng, keys: u8, atomic: bool) -> Cmd {
    let k = key(rng.below(u64::from(keys.max(1))));
    if !atomic {
        return match rng.below(2) {
            0 => Cmd::Get { key: k },
            _ => Cmd::Set {
                key: k,
                value: (1 + rng.below(999)).to_string().into(),
            },
        };
    }
    let small = |rng: &mut SimRng| -> Rc<str> { (1 + rng.below(5)).to_string().into() };
    match rng.below(20) {
        0..8 => Cmd::Get { key: k },
        8..14 => Cmd::Set {
            key: k,
            value: small(rng),
        },
        14..17 => Cmd::Cas {
            key: k,
            old: small(rng),
            new: small(rng),
        },
        _ => Cmd::Incr { key: k },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> SimRng {
        SimRng::derive(1, 2, 3)
    }

    fn manual() -> Client {
        Client::new(
            0,
            3,
            Settings {
                auto: false,
                ..Settings::default()
            },
        )
    }

    fn sent(out: &[Do]) -> Vec<(NodeId, Cmd)> {
        out.iter()
            .filter_map(|d| match d {
                Do::Send { to, cmd, .. } => Some((*to, cmd.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_command_is_invoked_numbered_and_sent_with_a_timeout() {
        let mut c = manual();
        let out = c.command(Cmd::parse("set x=1").unwrap(), 0, &mut rng());
        assert!(matches!(
            &out[0],
            Do::Invoke {
                op: 1,
                input: Input::Set { .. }
            }
        ));
        let s = sent(&out);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, 0);
        assert!(matches!(
            &s[0].1,
            Cmd::Session {
                client: 0,
                seq: 1,
                ..
            }
        ));
        assert!(out.contains(&Do::Arm {
            min: ms(600),
            max: ms(600)
        }));
    }

    #[test]
    fn a_timed_out_request_is_retried_with_the_same_number_at_the_next_server() {
        let mut c = manual();
        c.command(Cmd::parse("incr x").unwrap(), 0, &mut rng());
        let out = c.timer(0, &mut rng());
        let s = sent(&out);
        assert_eq!(s[0].0, 1);
        assert!(matches!(&s[0].1, Cmd::Session { seq: 1, .. }), "{s:?}");
    }

    #[test]
    fn after_the_last_try_the_outcome_is_unknown_and_never_returned() {
        let mut c = manual();
        c.command(Cmd::parse("incr x").unwrap(), 0, &mut rng());
        c.timer(0, &mut rng());
        c.timer(0, &mut rng());
        let out = c.timer(0, &mut rng());
        assert!(
            out.iter()
                .all(|d| !matches!(d, Do::Return { .. } | Do::Send { .. }))
        );
        assert!(c.summary().contains("1 unknown"), "{}", c.summary());
        // A late answer to the abandoned request is not recorded either.
        let late = Answer::Done(Reply::Number {
            key: "x".into(),
            n: 1,
        });
        assert!(c.answer(2, 1, &late, 0, &mut rng()).is_empty());
    }

    #[test]
    fn a_redirect_is_followed_to_the_named_leader_section_8() {
        let mut c = manual();
        c.command(Cmd::parse("get x").unwrap(), 0, &mut rng());
        let out = c.answer(0, 1, &Answer::NotLeader(Some(2)), 0, &mut rng());
        assert_eq!(sent(&out)[0].0, 2);
        let done = Answer::Done(Reply::Read {
            key: "x".into(),
            value: None,
        });
        let out = c.answer(2, 1, &done, 0, &mut rng());
        assert_eq!(
            out[0],
            Do::Return {
                op: 1,
                output: Output::Value(None)
            }
        );
    }

    #[test]
    fn with_no_leader_known_the_client_backs_off_before_trying_the_next_server() {
        let mut c = manual();
        c.command(Cmd::parse("get x").unwrap(), 0, &mut rng());
        let out = c.answer(0, 1, &Answer::NotLeader(None), 0, &mut rng());
        assert!(sent(&out).is_empty());
        let out = c.timer(0, &mut rng());
        assert_eq!(sent(&out)[0].0, 1);
    }

    #[test]
    fn with_no_leader_anywhere_the_client_gives_up_after_its_back_offs() {
        let mut c = manual();
        c.command(Cmd::parse("get x").unwrap(), 0, &mut rng());
        for _ in 0..MAX_BACKOFFS {
            assert!(
                !c.answer(0, 1, &Answer::NotLeader(None), 0, &mut rng())
                    .is_empty()
            );
            let out = c.timer(0, &mut rng());
            assert_eq!(sent(&out).len(), 1, "the back-off ends in a re-send");
        }
        c.answer(0, 1, &Answer::NotLeader(None), 0, &mut rng());
        assert!(c.summary().contains("1 unknown"), "{}", c.summary());
    }

    #[test]
    fn user_commands_queue_behind_the_one_in_flight() {
        let mut c = manual();
        c.command(Cmd::parse("set x=1").unwrap(), 0, &mut rng());
        assert!(
            c.command(Cmd::parse("get x").unwrap(), 0, &mut rng())
                .is_empty()
        );
        let ok = Answer::Done(Reply::Written {
            key: "x".into(),
            value: "1".into(),
        });
        let out = c.answer(0, 1, &ok, 0, &mut rng());
        assert!(matches!(
            &out[1],
            Do::Invoke {
                op: 2,
                input: Input::Get { .. }
            }
        ));
    }

    #[test]
    fn the_workload_draws_every_kind_of_operation() {
        let mut r = rng();
        let ops: Vec<Cmd> = (0..200).map(|_| draw(&mut r, 2, true)).collect();
        for kind in ["get", "set", "cas", "incr"] {
            assert!(
                ops.iter().any(|o| o.to_string().starts_with(kind)),
                "{kind}"
            );
        }
    }
}
