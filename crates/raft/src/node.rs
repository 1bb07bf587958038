//! One Raft server (Fig. 2).

use crate::storage::{Durable, Write};
use crate::{Params, Variant};
use splitbrain_kv::client::{Answer, Client};
use splitbrain_kv::host;
use splitbrain_kv::{Cmd, Reply, Store};
use splitbrain_sim::{Cx, Describe, Fact, NodeId, NodeView, Process, World};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// How often a client request may be forwarded before it is refused.
const MAX_HOPS: u8 = 3;

/// A term number (§5.1).
pub type Term = u64;
/// A 1-based log index; 0 means "before the first entry".
pub type Index = u64;

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    /// Term in which the leader received it.
    pub term: Term,
    /// The command.
    pub cmd: Cmd,
}

/// Digest of a log through entry `i`, from the digest through `i - 1` ([`EMPTY_LOG`] for
/// none): two logs agree through `i` exactly when their digests there are equal (barring a
/// 64-bit collision). Lets the Fig. 3 invariants compare logs in O(1) instead of entry by
/// entry after every event.
pub fn chain(prev: u64, e: &Entry) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = splitbrain_sim::StableHasher::new();
    prev.hash(&mut h);
    e.hash(&mut h);
    h.finish()
}

/// Digest of the empty log.
pub const EMPTY_LOG: u64 = 0;

/// The digest chain of a whole log (for logs read from stable storage).
pub fn digests(log: &[Entry]) -> Vec<u64> {
    let mut out = Vec::with_capacity(log.len());
    let mut prev = EMPTY_LOG;
    for e in log {
        prev = chain(prev, e);
        out.push(prev);
    }
    out
}

/// §5.3: what a follower lost when the leader's entries replaced its own, e.g. `entries 2–3
/// (set x=1, set y=2) overwritten by n2, leader of term 3`.
fn overwritten(lost: &[Entry], first: Index, term: Term, leader: NodeId) -> String {
    let last = first + lost.len() as Index - 1;
    let which = if lost.len() == 1 {
        format!("entry {first}")
    } else {
        format!("entries {first}–{last}")
    };
    let mut cmds: Vec<String> = lost.iter().take(3).map(|e| e.cmd.to_string()).collect();
    if lost.len() > 3 {
        cmds.push("…".into());
    }
    format!(
        "{which} ({}) overwritten by n{leader}, leader of term {term}",
        cmds.join(", ")
    )
}

/// Server role (§5.1, Fig. 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Passive: answers leaders and candidates.
    Follower,
    /// Asking for votes.
    Candidate,
    /// Handles clients and replicates the log.
    Leader,
}

/// RPCs of Fig. 2, plus the follower's forward of a client request to the leader it knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// RequestVote arguments.
    RequestVote {
        /// Candidate's term.
        term: Term,
        /// Index of the candidate's last log entry.
        last_log_index: Index,
        /// Term of the candidate's last log entry.
        last_log_term: Term,
    },
    /// RequestVote results.
    Vote {
        /// Voter's current term.
        term: Term,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// AppendEntries arguments (also the heartbeat).
    Append {
        /// Leader's term.
        term: Term,
        /// Index of the entry just before the new ones.
        prev_log_index: Index,
        /// Its term.
        prev_log_term: Term,
        /// New entries (empty for a heartbeat).
        entries: Vec<Entry>,
        /// Leader's commitIndex.
        leader_commit: Index,
    },
    /// AppendEntries results.
    AppendReply {
        /// Follower's current term.
        term: Term,
        /// Whether the consistency check passed.
        success: bool,
        /// On success, the index of the last entry known to match the leader's log.
        match_index: Index,
        /// On failure, where the leader should retry (fast backup).
        conflict_index: Index,
        /// On failure, the term of the conflicting entry, if there is one (fast backup).
        conflict_term: Option<Term>,
    },
    /// A client request forwarded by a follower to the leader it knows.
    Forward {
        /// The request.
        cmd: Cmd,
        /// Times it was forwarded already (stale leader hints could bounce it around).
        hops: u8,
    },
    /// A client's request (§8): a numbered [`Cmd::Session`].
    Request {
        /// The request.
        cmd: Cmd,
    },
    /// A server's answer to a client's request number `seq`.
    Response {
        /// The request's number.
        seq: u64,
        /// The answer, or where the leader is.
        answer: Answer,
    },
}

impl Describe for Msg {
    fn label(&self) -> String {
        match self {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => {
                format!("RequestVote t{term} lastLog={last_log_index}/{last_log_term}")
            }
            Msg::Vote { term, granted } => {
                format!("Vote t{term} {}", if *granted { "yes" } else { "no" })
            }
            Msg::Append {
                term,
                prev_log_index,
                entries,
                leader_commit,
                ..
            } => {
                if entries.is_empty() {
                    format!("Append t{term} heartbeat commit={leader_commit}")
                } else {
                    format!(
                        "Append t{term} [{}..{}] commit={leader_commit}",
                        prev_log_index + 1,
                        prev_log_index + entries.len() as u64
                    )
                }
            }
            Msg::AppendReply {
                term,
                success,
                match_index,
                conflict_index,
                ..
            } => {
                if *success {
                    format!("Ack t{term} match={match_index}")
                } else {
                    format!("Nack t{term} retry={conflict_index}")
                }
            }
            Msg::Forward { cmd, .. } => format!("Forward {cmd}"),
            Msg::Request { cmd } => format!("Request {cmd}"),
            Msg::Response { seq, answer } => format!("Response #{seq}: {answer}"),
        }
    }
    fn short(&self) -> String {
        match self {
            Msg::RequestVote { term, .. } => format!("RequestVote t{term}"),
            Msg::Vote { term, granted } => {
                format!("Vote t{term} {}", if *granted { "✓" } else { "✗" })
            }
            Msg::Append {
                term,
                prev_log_index,
                entries,
                ..
            } => match entries.len() as u64 {
                0 => format!("Append t{term}"),
                1 => format!("Append t{term} [{}]", prev_log_index + 1),
                n => format!(
                    "Append t{term} [{}..{}]",
                    prev_log_index + 1,
                    prev_log_index + n
                ),
            },
            Msg::AppendReply { term, success, .. } => {
                format!("{} t{term}", if *success { "Ack" } else { "Nack" })
            }
            Msg::Forward { .. } => "Forward".into(),
            Msg::Request { cmd } => cmd.op().to_string(),
            Msg::Response {
                answer: Answer::Done(reply),
                ..
            } => reply.to_string(),
            Msg::Response { .. } => "not leader".into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { .. } | Msg::Vote { .. } => "vote",
            Msg::Append { .. } => "append",
            Msg::AppendReply { .. } => "ack",
            Msg::Forward { .. } | Msg::Request { .. } | Msg::Response { .. } => "client",
        }
    }
}

/// Timers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// No word from a leader: start an election (§5.2).
    Election,
    /// Leader: time to send AppendEntries to everyone.
    Heartbeat,
    /// A client's one timer: its request timed out, or its pause before the next one ended.
    Client,
}

impl std::fmt::Display for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Election => write!(f, "election timeout"),
            Timer::Heartbeat => write!(f, "heartbeat"),
            Timer::Client => write!(f, "client timeout"),
        }
    }
}

/// One Raft server.
#[derive(Debug, Clone)]
pub struct Node {
    params: Params,
    // Persistent (every change is written to Durable, see `Write`).
    term: Term,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,
    /// `digests[i]` is the digest of `log[..=i]` (see [`chain`]), kept in step with the log.
    digests: Vec<u64>,
    // Volatile.
    role: Role,
    leader: Option<NodeId>,
    commit: Index,
    applied: Index,
    kv: Store,
    votes: BTreeSet<NodeId>,
    next_index: Vec<Index>,
    match_index: Vec<Index>,
    last_reply: Option<String>,
    /// Set when this slot runs a client instead of a server (see [`Node::new_client`]).
    pub(crate) client: Option<Box<Client>>,
}

/// The newest term anywhere in the run, a crashed server's stored one included: a leader of an
/// older term is deposed (§5.1), though it may not know yet.
pub fn newest_term(world: &World<'_, Node>) -> Term {
    (0..world.len())
        .filter_map(|i| {
            world
                .node(i)
                .map(|n| n.term)
                .or_else(|| world.durable(i).map(|d| d.current_term))
        })
        .max()
        .unwrap_or(0)
}

impl Node {
    /// A server with these settings.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            term: 0,
            voted_for: None,
            log: Vec::new(),
            digests: Vec::new(),
            role: Role::Follower,
            leader: None,
            commit: 0,
            applied: 0,
            kv: Store::default(),
            votes: BTreeSet::new(),
            next_index: Vec::new(),
            match_index: Vec::new(),
            last_reply: None,
            client: None,
        }
    }

    /// Current role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// Current term.
    pub fn term(&self) -> Term {
        self.term
    }
    /// The log (entry `i` is `log()[i - 1]`).
    pub fn log(&self) -> &[Entry] {
        &self.log
    }
    /// Digest of the log through `index` (1-based; 0 is the empty log), or `None` past its end.
    pub fn digest(&self, index: Index) -> Option<u64> {
        match index {
            0 => Some(EMPTY_LOG),
            i => self.digests.get(i as usize - 1).copied(),
        }
    }
    fn push_entry(&mut self, e: Entry) {
        let prev = self.digests.last().copied().unwrap_or(EMPTY_LOG);
        self.digests.push(chain(prev, &e));
        self.log.push(e);
    }
    /// Highest index known to be committed.
    pub fn commit_index(&self) -> Index {
        self.commit
    }
    /// Highest index applied to the key-value store.
    pub fn last_applied(&self) -> Index {
        self.applied
    }
    /// The applied key-value state.
    pub fn kv(&self) -> &BTreeMap<Rc<str>, Rc<str>> {
        self.kv.map()
    }
    /// The leader this node believes in.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    /// Its settings, for the page's timing menus to show what the run uses.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// New settings from now on: a timer already running keeps its time, the next one armed
    /// uses these. For experiments that reach steady state with one timing and measure another.
    /// A restart after a crash builds the server afresh, with the run's own settings.
    pub fn retune(&mut self, params: Params) {
        self.params = params;
    }
    /// A candidate's votes so far, itself included (§5.2); empty otherwise.
    pub fn votes(&self) -> &BTreeSet<NodeId> {
        &self.votes
    }
    /// A leader's nextIndex and matchIndex for `peer` (Fig. 2, volatile state on leaders):
    /// the next entry to send it, and the highest entry known to be on it.
    pub fn progress(&self, peer: NodeId) -> Option<(Index, Index)> {
        if self.role != Role::Leader {
            return None;
        }
        Some((*self.next_index.get(peer)?, *self.match_index.get(peer)?))
    }

    fn last_index(&self) -> Index {
        self.log.len() as Index
    }

    fn term_at(&self, i: Index) -> Term {
        if i == 0 {
            0
        } else {
            self.log.get(i as usize - 1).map_or(0, |e| e.term)
        }
    }

    /// Writes `currentTerm` and `votedFor`.
    fn persist_vote(&self, cx: &mut Cx<'_, Self>) {
        let voted_for = match self.params.variant {
            // The bug: votedFor never reaches stable storage.
            Variant::VolatileVotedFor => None,
            _ => self.voted_for,
        };
        cx.persist(Write::Vote {
            current_term: self.term,
            voted_for,
        });
    }

    /// Writes the log from index `from` to its end (truncating what was stored there).
    fn persist_entries(&self, from: Index, cx: &mut Cx<'_, Self>) {
        let start = from.saturating_sub(1) as usize;
        cx.persist(Write::Entries {
            from,
            entries: self.log[start.min(self.log.len())..].to_vec(),
        });
    }

    fn reset_election_timer(&self, cx: &mut Cx<'_, Self>) {
        cx.set_timer(
            Timer::Election,
            self.params.election_min,
            self.params.election_max,
        );
    }

    /// §5.1: a server that sees a higher term adopts it and becomes a follower. A leader or
    /// candidate says so: that moment is where a learner sees an old leader lose its place.
    fn adopt_term(&mut self, term: Term, from: NodeId, cx: &mut Cx<'_, Self>) {
        let was = match self.role {
            Role::Leader => Some("leader"),
            Role::Candidate => Some("candidate"),
            Role::Follower => None,
        };
        if let Some(was) = was {
            cx.note(format!(
                "{was} of term {} steps down: saw term {term} from n{from}",
                self.term
            ));
        }
        if self.role == Role::Leader {
            // Its clients' requests past the commit index get no answer from it now: they
            // commit only if the new leader has them (§8: the client times out and retries).
            // `get`: a buggy variant can leave commitIndex past the end of its log.
            let pending: Vec<String> = self
                .log
                .get(self.commit as usize..)
                .unwrap_or_default()
                .iter()
                .filter(|e| e.term == self.term)
                .map(|e| e.cmd.to_string())
                .collect();
            if !pending.is_empty() {
                self.last_reply = Some(format!(
                    "no answer for {}: no longer leader (saw term {term}); committed only if the new leader has it",
                    pending.join(", ")
                ));
            }
        }
        self.term = term;
        self.voted_for = None;
        self.votes.clear();
        if self.role == Role::Leader {
            cx.cancel_timer(Timer::Heartbeat);
            self.reset_election_timer(cx);
        }
        self.role = Role::Follower;
        self.leader = None;
        self.persist_vote(cx);
    }

    fn start_election(&mut self, cx: &mut Cx<'_, Self>) {
        self.term += 1;
        self.role = Role::Candidate;
        self.leader = None;
        self.voted_for = Some(cx.id());
        self.votes = BTreeSet::from([cx.id()]);
        self.persist_vote(cx);
        cx.note(format!(
            "election timeout: candidate for term {}",
            self.term
        ));
        cx.broadcast(Msg::RequestVote {
            term: self.term,
            last_log_index: self.last_index(),
            last_log_term: self.term_at(self.last_index()),
        });
        self.reset_election_timer(cx);
        self.maybe_win(cx);
    }

    fn maybe_win(&mut self, cx: &mut Cx<'_, Self>) {
        if self.role == Role::Candidate && self.votes.len() > cx.nodes() / 2 {
            self.role = Role::Leader;
            self.leader = Some(cx.id());
            self.next_index = vec![self.last_index() + 1; cx.nodes()];
            self.match_index = vec![0; cx.nodes()];
            self.match_index[cx.id()] = self.last_index();
            cx.cancel_timer(Timer::Election);
            cx.note(format!(
                "leader for term {} with {} votes",
                self.term,
                self.votes.len()
            ));
            self.broadcast_append(cx);
            cx.set_timer(
                Timer::Heartbeat,
                self.params.heartbeat,
                self.params.heartbeat,
            );
        }
    }

    fn broadcast_append(&mut self, cx: &mut Cx<'_, Self>) {
        for peer in cx.peers().collect::<Vec<_>>() {
            self.send_append(peer, cx);
        }
    }

    fn send_append(&self, peer: NodeId, cx: &mut Cx<'_, Self>) {
        let next = self.next_index[peer].clamp(1, self.last_index() + 1);
        let prev = next - 1;
        let end = (prev + u64::from(self.params.max_batch)).min(self.last_index());
        cx.send(
            peer,
            Msg::Append {
                term: self.term,
                prev_log_index: prev,
                prev_log_term: self.term_at(prev),
                entries: self.log[prev as usize..end as usize].to_vec(),
                leader_commit: self.commit,
            },
        );
    }

    /// §5.3 and §5.4.2: the highest index stored on a majority, if its entry is from the
    /// current term (the buggy variant drops that condition), becomes committed.
    fn advance_commit(&mut self, cx: &mut Cx<'_, Self>) {
        let majority = cx.nodes() / 2 + 1;
        let mut n = self.last_index();
        while n > self.commit {
            let replicas = self.match_index.iter().filter(|&&m| m >= n).count();
            let current = self.term_at(n) == self.term;
            if replicas >= majority
                && (current || self.params.variant == Variant::CommitPreviousTerm)
            {
                self.commit = n;
                break;
            }
            n -= 1;
        }
        self.apply(cx);
    }

    fn apply(&mut self, cx: &mut Cx<'_, Self>) {
        while self.applied < self.commit {
            self.applied += 1;
            let entry = &self.log[self.applied as usize - 1];
            let reply = self.kv.apply(&entry.cmd);
            if self.role != Role::Leader {
                continue;
            }
            if let Cmd::Session { client, seq, .. } = &entry.cmd
                && entry.term == self.term
                && self.kv.session(*client) == *seq
            {
                // §8: the leader answers the client once the entry is applied. Entries of
                // earlier terms (a restarted leader re-applies its whole log) are answered
                // through the client's retry, which the store's duplicate check answers.
                let to = cx.nodes() + *client as usize;
                let seq = *seq;
                self.last_reply = Some(reply.to_string());
                cx.send(
                    to,
                    Msg::Response {
                        seq,
                        answer: Answer::Done(reply),
                    },
                );
            } else if !matches!(entry.cmd, Cmd::Session { .. }) {
                cx.note(format!("reply to client: {reply} (index {})", self.applied));
                self.last_reply = Some(reply.to_string());
            }
        }
    }

    fn on_request_vote(
        &mut self,
        from: NodeId,
        term: Term,
        last_log_index: Index,
        last_log_term: Term,
        cx: &mut Cx<'_, Self>,
    ) {
        if term > self.term {
            self.adopt_term(term, from, cx);
        }
        // §5.4.1: the candidate's log must be at least as up to date as ours.
        let my_last = self.last_index();
        let my_term = self.term_at(my_last);
        let up_to_date =
            last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_last);
        let log_ok = up_to_date || self.params.variant == Variant::NoLogCheck;
        let granted = term == self.term && self.voted_for.is_none_or(|v| v == from) && log_ok;
        if granted {
            self.voted_for = Some(from);
            self.persist_vote(cx);
            self.reset_election_timer(cx);
        }
        cx.send(
            from,
            Msg::Vote {
                term: self.term,
                granted,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        from: NodeId,
        term: Term,
        prev: Index,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: Index,
        cx: &mut Cx<'_, Self>,
    ) {
        let reply = |cx: &mut Cx<'_, Self>,
                     me: &Self,
                     success,
                     match_index,
                     conflict_index,
                     conflict_term| {
            cx.send(
                from,
                Msg::AppendReply {
                    term: me.term,
                    success,
                    match_index,
                    conflict_index,
                    conflict_term,
                },
            );
        };
        if term < self.term {
            reply(cx, self, false, 0, 0, None);
            return;
        }
        if term > self.term {
            self.adopt_term(term, from, cx);
        }
        if self.role != Role::Follower {
            // A candidate that hears from the leader of its term steps down (§5.2).
            self.role = Role::Follower;
            self.votes.clear();
        }
        self.leader = Some(from);
        self.reset_election_timer(cx);
        if prev > self.last_index() {
            reply(cx, self, false, 0, self.last_index() + 1, None);
            return;
        }
        if self.term_at(prev) != prev_term {
            let conflict_term = self.term_at(prev);
            let first = (1..=prev)
                .find(|&i| self.term_at(i) == conflict_term)
                .unwrap_or(prev);
            reply(cx, self, false, 0, first, Some(conflict_term));
            return;
        }
        // §5.3 step 3/4: delete conflicting entries and append the new ones.
        let mut first_written = None;
        for (k, e) in entries.iter().enumerate() {
            let i = prev + 1 + k as u64;
            if i <= self.last_index() {
                if self.term_at(i) == e.term {
                    continue;
                }
                cx.note(overwritten(&self.log[i as usize - 1..], i, term, from));
                self.log.truncate(i as usize - 1);
                self.digests.truncate(i as usize - 1);
            }
            self.push_entry(e.clone());
            first_written.get_or_insert(i);
        }
        if let Some(from) = first_written {
            self.persist_entries(from, cx);
        }
        let last_new = prev + entries.len() as u64;
        if leader_commit > self.commit {
            self.commit = leader_commit.min(last_new);
            self.apply(cx);
        }
        reply(cx, self, true, last_new, 0, None);
    }

    fn on_append_reply(
        &mut self,
        from: NodeId,
        success: bool,
        match_index: Index,
        conflict_index: Index,
        conflict_term: Option<Term>,
        cx: &mut Cx<'_, Self>,
    ) {
        if success {
            let advanced = match_index > self.match_index[from];
            self.match_index[from] = self.match_index[from].max(match_index);
            self.next_index[from] = self.next_index[from].max(self.match_index[from] + 1);
            self.advance_commit(cx);
            // Send the rest only on news: a stale reply (its request crossed newer ones, as
            // on slow links) re-sending would start a chain of Appends per heartbeat that never
            // ends while the client keeps writing.
            if advanced && self.next_index[from] <= self.last_index() {
                self.send_append(from, cx);
            }
            return;
        }
        let next = if self.params.fast_backup && conflict_index > 0 {
            // End of §5.3: skip a whole conflicting term at a time.
            match conflict_term.and_then(|t| {
                (1..=self.last_index())
                    .rev()
                    .find(|&i| self.term_at(i) == t)
            }) {
                Some(last_of_term) => last_of_term + 1,
                None => conflict_index,
            }
        } else {
            self.next_index[from].saturating_sub(1)
        };
        self.next_index[from] = next.clamp(self.match_index[from] + 1, self.last_index() + 1);
        self.send_append(from, cx);
    }
    /// A client process's request (§8): the leader appends it and answers once it is applied;
    /// anyone else says who leads, as far as it knows. A `get` is an entry like any other, so
    /// the leader answers only after a majority has it in its current term: a deposed leader
    /// cannot answer from stale state ("Read-only operations", §8).
    fn on_request(&mut self, from: NodeId, cmd: Cmd, cx: &mut Cx<'_, Self>) {
        let Cmd::Session { seq, op, .. } = &cmd else {
            return;
        };
        let seq = *seq;
        if self.role != Role::Leader {
            let hint = self.leader.filter(|&l| l != cx.id());
            cx.send(
                from,
                Msg::Response {
                    seq,
                    answer: Answer::NotLeader(hint),
                },
            );
            return;
        }
        if self.params.variant == Variant::LocalReads
            && let Cmd::Get { key } = &**op
        {
            // The bug: answer from this node's own applied state, without a read index or a
            // current-term commit, so a leader deposed in a minority still serves old values.
            let reply = Reply::Read {
                key: key.clone(),
                value: self.kv.map().get(key).cloned(),
            };
            cx.send(
                from,
                Msg::Response {
                    seq,
                    answer: Answer::Done(reply),
                },
            );
            return;
        }
        self.client(cmd, 0, cx);
    }

    /// A client request, from a user or forwarded by a follower: the leader appends it;
    /// a follower redirects it to the leader it knows (§8); otherwise it is refused.
    fn client(&mut self, cmd: Cmd, hops: u8, cx: &mut Cx<'_, Self>) {
        match (self.role, self.leader) {
            (Role::Leader, _) => {
                self.push_entry(Entry {
                    term: self.term,
                    cmd,
                });
                self.persist_entries(self.last_index(), cx);
                self.match_index[cx.id()] = self.last_index();
                self.broadcast_append(cx);
                self.advance_commit(cx);
            }
            (_, Some(leader)) if leader != cx.id() && hops < MAX_HOPS => {
                cx.note(format!("redirect {cmd} to leader n{leader}"));
                cx.send(
                    leader,
                    Msg::Forward {
                        cmd,
                        hops: hops + 1,
                    },
                );
            }
            _ => cx.note(format!("no leader known: {cmd} refused")),
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Command = Cmd;
    type Durable = Durable;

    fn on_start(&mut self, durable: &Durable, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::start(c, cx);
        }
        self.term = durable.current_term;
        self.voted_for = durable.voted_for;
        self.log = durable.log.clone();
        self.digests = digests(&self.log);
        self.reset_election_timer(cx);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::message(c, from, &msg, cx);
        }
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.on_request_vote(from, term, last_log_index, last_log_term, cx),
            Msg::Vote { term, granted } => {
                if term > self.term {
                    self.adopt_term(term, from, cx);
                } else if term == self.term && granted && self.role == Role::Candidate {
                    self.votes.insert(from);
                    self.maybe_win(cx);
                }
            }
            Msg::Append {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => self.on_append(
                from,
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                cx,
            ),
            Msg::AppendReply {
                term,
                success,
                match_index,
                conflict_index,
                conflict_term,
            } => {
                if term > self.term {
                    self.adopt_term(term, from, cx);
                } else if term == self.term && self.role == Role::Leader {
                    self.on_append_reply(
                        from,
                        success,
                        match_index,
                        conflict_index,
                        conflict_term,
                        cx,
                    );
                }
            }
            Msg::Forward { cmd, hops } => self.client(cmd, hops, cx),
            Msg::Request { cmd } => self.on_request(from, cmd, cx),
            Msg::Response { .. } => {}
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::timer(c, &timer, cx);
        }
        match timer {
            Timer::Election => {
                if self.role != Role::Leader {
                    self.start_election(cx);
                }
            }
            Timer::Heartbeat => {
                if self.role == Role::Leader {
                    self.broadcast_append(cx);
                    cx.set_timer(
                        Timer::Heartbeat,
                        self.params.heartbeat,
                        self.params.heartbeat,
                    );
                }
            }
            Timer::Client => {}
        }
    }

    fn on_command(&mut self, cmd: Cmd, cx: &mut Cx<'_, Self>) {
        if let Some(c) = self.client.as_deref_mut() {
            return host::command(c, cmd, cx);
        }
        self.client(cmd, 0, cx);
    }

    fn on_crash(&self) -> Option<String> {
        if let Some(c) = self.client.as_deref() {
            return Some(format!("{} lost what it was waiting for", c.name()));
        }
        Some(format!(
            "lost commitIndex {}, lastApplied {}, {} KV keys",
            self.commit,
            self.applied,
            self.kv.len()
        ))
    }

    /// A leader whose term is no longer the newest is drawn as stale (§5.1): it still believes
    /// it leads, but a newer term exists, so nothing it appends can commit.
    fn annotate(world: &World<'_, Self>, node: NodeId, view: &mut NodeView) {
        let Some(me) = world.node(node).filter(|n| n.role == Role::Leader) else {
            return;
        };
        let newest = newest_term(world);
        if me.term < newest {
            view.role = "stale leader".into();
            view.summary = format!("t{} < t{newest} · log {}", me.term, me.log.len());
        }
    }
    /// The election timeout (§5.2): whoever runs out first stands as candidate.
    fn countdown(timer: &Timer) -> bool {
        *timer == Timer::Election
    }
    fn parse_command(text: &str) -> Result<Cmd, String> {
        Cmd::parse(text)
    }

    fn view(&self) -> NodeView {
        if let Some(c) = self.client.as_deref() {
            return host::view(c);
        }
        let role = match self.role {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        };
        let log: Vec<String> = self
            .log
            .iter()
            .enumerate()
            .rev()
            .take(8)
            .rev()
            .map(|(i, e)| format!("{}:t{} {}", i + 1, e.term, e.cmd))
            .collect();
        NodeView {
            role: role.into(),
            summary: format!(
                "t{} · log {} · commit {}",
                self.term,
                self.log.len(),
                self.commit
            ),
            fields: vec![
                ("currentTerm".into(), self.term.to_string()),
                (
                    "votedFor".into(),
                    self.voted_for.map_or("—".into(), |v| format!("n{v}")),
                ),
                (
                    "leader".into(),
                    self.leader.map_or("unknown".into(), |v| format!("n{v}")),
                ),
                ("commitIndex".into(), self.commit.to_string()),
                ("lastApplied".into(), self.applied.to_string()),
                (
                    "log".into(),
                    if log.is_empty() {
                        "empty".into()
                    } else {
                        log.join(", ")
                    },
                ),
                ("kv".into(), self.kv.preview(12)),
                (
                    "last reply".into(),
                    self.last_reply.clone().unwrap_or_default(),
                ),
            ],
        }
    }

    fn summarize(world: &World<'_, Self>) -> serde_json::Value {
        let leaders: Vec<serde_json::Value> = world
            .up()
            .filter(|(_, n)| n.role == Role::Leader)
            .map(|(id, n)| serde_json::json!({"node": id, "term": n.term}))
            .collect();
        let max_commit = world.up().map(|(_, n)| n.commit).max().unwrap_or(0);
        let max_term = world.up().map(|(_, n)| n.term).max().unwrap_or(0);
        serde_json::json!({"leaders": leaders, "max_term": max_term, "max_commit": max_commit})
    }

    /// Terms (§5.1) and commit indexes (§5.3) of the nodes that are up: a handful of fields.
    fn fact(world: &World<'_, Self>, fact: Fact) -> Option<f64> {
        let up = || world.up().map(|(_, n)| n);
        let most = |v: Option<u64>| Some(v.unwrap_or(0) as f64);
        match fact {
            Fact::LeaderTerm => most(
                up().filter(|n| n.role == Role::Leader)
                    .map(|n| n.term)
                    .max(),
            ),
            Fact::Term => most(up().map(|n| n.term).max()),
            Fact::Chosen(i) => Some(f64::from(u8::from(i >= 1 && up().any(|n| n.commit >= i)))),
            Fact::Progress => most(up().map(|n| n.commit).max()),
            _ => None,
        }
    }
}
