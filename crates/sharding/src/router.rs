//! The router: places keys, plays the clients, and runs migrations when membership changes.

use crate::{Change, Command, Distribution, Durable, Msg, Node, Params, place};
use serde::Serialize;
use splitbrain_hashing::{self as hashing, Placement, Server, metrics};
use splitbrain_sim::{Cx, NodeId, NodeView, Time, format_time};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Marks an empty place in a replica set (fewer members than R).
pub const NONE: u32 = u32::MAX;

/// Changes kept for the panel and the summary.
const HISTORY: usize = 32;

/// What the router keeps on disk: membership and the migration under way, so a router that
/// crashes mid-migration finishes it after restart instead of stranding keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Config {
    /// (node, weight) of every member, in the order they joined.
    pub members: Vec<(u32, u32)>,
    /// Changes applied so far; the running migration's number.
    pub change: u32,
    /// Migration flows not yet confirmed: (holder, new replica) → sampled keys.
    pub flows: BTreeMap<(u32, u32), Rc<[u32]>>,
    /// Keys each old holder drops once every flow has landed.
    pub releases: BTreeMap<u32, Rc<[u32]>>,
    /// Members before the running migration (reads fall back to their holders).
    pub previous: Vec<(u32, u32)>,
    /// Router boots, so write versions stay increasing across router restarts.
    pub boots: u32,
    /// Changes asked for while a migration runs, applied in order after it.
    pub queued: Vec<Change>,
    /// Recent changes and what they cost, oldest first.
    pub history: Vec<ChangeRecord>,
}

impl Config {
    fn servers(list: &[(u32, u32)]) -> Vec<Server> {
        list.iter()
            .map(|&(id, weight)| Server { id, weight })
            .collect()
    }
}

/// The first R replicas of every sampled key, flat: key `k`'s set is
/// `sets[k * width..(k + 1) * width]`, padded with [`NONE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSets {
    /// R.
    pub width: usize,
    /// The sets.
    pub sets: Vec<u32>,
}

impl ReplicaSets {
    /// The owner comes from `owners` (the placement's assignment of the whole key space, which
    /// for bounded loads depends on the other keys); the other replicas follow the placement's
    /// preference list.
    fn of(placement: &dyn Placement, owners: &[u32], sample: u32, r: usize) -> Self {
        let mut sets = Vec::with_capacity(sample as usize * r);
        for k in 0..sample {
            let owner = owners.get(k as usize).copied().unwrap_or(NONE);
            let start = sets.len();
            if owner != NONE {
                sets.push(owner);
            }
            for s in placement.replicas(u64::from(k), r + 1) {
                if sets.len() - start < r && s != owner {
                    sets.push(s);
                }
            }
            sets.resize(start + r, NONE);
        }
        Self { width: r, sets }
    }
    /// Key `k`'s replicas, owner first.
    pub fn of_key(&self, k: u32) -> impl Iterator<Item = u32> + '_ {
        let w = self.width;
        self.sets[k as usize * w..(k as usize + 1) * w]
            .iter()
            .copied()
            .filter(|&s| s != NONE)
    }
}

/// Members as runs of ids, weights marked: `n1–n6 n8×2` (64 members make a short line).
fn members_text(members: &[(u32, u32)]) -> String {
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let (id, w) = sorted[i];
        let mut j = i;
        while w == 1 && j + 1 < sorted.len() && sorted[j + 1] == (sorted[j].0 + 1, 1) {
            j += 1;
        }
        out.push(match (j > i, w) {
            (true, _) => format!("n{id}–n{}", sorted[j].0),
            (false, 1) => format!("n{id}"),
            (false, w) => format!("n{id}×{w}"),
        });
        i = j + 1;
    }
    out.join(" ")
}

fn count(owners: &[u32]) -> BTreeMap<u32, u64> {
    let mut m = BTreeMap::new();
    for &o in owners {
        *m.entry(o).or_insert(0) += 1;
    }
    m
}

fn initial_members(params: &Params, nodes: usize) -> Vec<(u32, u32)> {
    (1..=params.initial_servers(nodes) as u32)
        .map(|id| (id, 1))
        .collect()
}

/// Client-side outcomes, counted by the router.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Requests issued.
    pub requests: u64,
    /// Gets answered.
    pub gets_ok: u64,
    /// Gets answered by a later replica after a miss or timeout at the first.
    pub from_replica: u64,
    /// Gets no replica could answer: the key was unavailable.
    pub gets_failed: u64,
    /// Gets that returned an older version than the newest acknowledged write.
    pub stale: u64,
    /// Puts acknowledged by at least one replica.
    pub puts_ok: u64,
    /// Puts no replica acknowledged in time.
    pub puts_failed: u64,
    /// Requests answered, per server.
    pub served: BTreeMap<u32, u64>,
}

/// One membership change and what it cost. Kept on the router's disk with the membership, so
/// the panel still shows it after the router restarts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRecord {
    /// Its number.
    pub number: u32,
    /// What changed (`add`, `remove 3`, ...).
    pub change: String,
    /// The server it added, removed or reweighted.
    pub node: u32,
    /// When it started.
    pub at: Time,
    /// When its migration finished.
    pub done_at: Option<Time>,
    /// Keys (of the whole key space) whose owner changed.
    pub moved: u64,
    /// `moved` over all keys.
    pub share: f64,
    /// The least share any placement must move for this change.
    pub ideal: f64,
    /// The compared algorithm's moved count and share for the same change.
    pub compare: Option<(u64, f64)>,
    /// Owner flows over the whole key space: (from, to, keys), largest first.
    pub flows: Vec<(u32, u32, u64)>,
    /// Sampled copies to migrate.
    pub copies: u32,
    /// Sampled keys whose owner changed (the picture outlines them).
    #[serde(skip)]
    pub touched: Rc<[u32]>,
}

/// Shares are finite numbers the router computed, never NaN, so equality is reflexive.
impl Eq for ChangeRecord {}

/// By bits for the shares: the run's trace hash covers what the router persists.
impl std::hash::Hash for ChangeRecord {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.number.hash(h);
        self.change.hash(h);
        self.node.hash(h);
        self.at.hash(h);
        self.done_at.hash(h);
        self.moved.hash(h);
        self.share.to_bits().hash(h);
        self.ideal.to_bits().hash(h);
        self.compare.map(|(m, s)| (m, s.to_bits())).hash(h);
        self.flows.hash(h);
        self.copies.hash(h);
        self.touched.hash(h);
    }
}

#[derive(Debug, Clone)]
struct Request {
    key: u32,
    /// The version a put writes (`None` for a get).
    put: Option<u64>,
    candidates: Vec<u32>,
    next: usize,
    acks: u32,
}

/// Most changes waiting behind a migration; more are refused.
const MAX_QUEUED: usize = 64;

/// The router's state.
#[derive(Clone)]
pub struct Router {
    params: Rc<Params>,
    nodes: usize,
    config: Rc<Config>,
    placement: Rc<dyn Placement>,
    compare: Option<Rc<dyn Placement>>,
    owners: Rc<Vec<u32>>,
    /// Keys of the whole key space per server (counted once per change, for the load bars).
    loads: Rc<BTreeMap<u32, u64>>,
    compare_owners: Option<Rc<Vec<u32>>>,
    sets: Rc<ReplicaSets>,
    previous_sets: Option<Rc<ReplicaSets>>,
    zipf: Option<Rc<Vec<f64>>>,
    requests: BTreeMap<u32, Request>,
    next_req: u32,
    /// Writes issued per key (the low half of a version).
    writes: BTreeMap<u32, u32>,
    /// Newest acknowledged version per key (a read of an older one is stale).
    acked: BTreeMap<u32, u64>,
    stats: Stats,
    completed: u64,
    /// Replica sets as the last migration finished, for the ReplicasHoldKeys invariant (the
    /// next queued change may replace `sets` in the same event).
    finished: Option<Rc<ReplicaSets>>,
}

impl Router {
    pub(crate) fn new(params: Rc<Params>, nodes: usize) -> Self {
        let config = Rc::new(Config {
            members: initial_members(&params, nodes),
            change: 0,
            flows: BTreeMap::new(),
            releases: BTreeMap::new(),
            previous: Vec::new(),
            boots: 0,
            queued: Vec::new(),
            history: Vec::new(),
        });
        let zipf = (params.distribution == Distribution::Zipf).then(|| {
            let mut acc = 0.0;
            let mut cdf: Vec<f64> = (0..params.drawn())
                .map(|r| {
                    // (r+1)^-s as exp(-s ln(r+1)): the same libm functions the network's
                    // latency draws use, so the page carries no separate pow.
                    acc += libm::exp(-params.zipf_s * libm::log(f64::from(r + 1)));
                    acc
                })
                .collect();
            for c in &mut cdf {
                *c /= acc;
            }
            Rc::new(cdf)
        });
        let mut router = Self {
            placement: Rc::new(hashing::Modulo::default()),
            compare: None,
            owners: Rc::default(),
            loads: Rc::default(),
            compare_owners: None,
            sets: Rc::new(ReplicaSets {
                width: params.replicas,
                sets: Vec::new(),
            }),
            previous_sets: None,
            zipf,
            requests: BTreeMap::new(),
            next_req: 0,
            writes: BTreeMap::new(),
            acked: BTreeMap::new(),
            stats: Stats::default(),
            completed: 0,
            finished: None,
            params,
            nodes,
            config,
        };
        router.derive();
        router
    }

    /// Recomputes placements, owners and replica sets from the configuration.
    fn derive(&mut self) {
        let p = &self.params;
        let members = Config::servers(&self.config.members);
        // Validated at build; a failure here would be a bug, and an empty modulo keeps the page up.
        self.placement = place(p, &p.algorithm, &members)
            .unwrap_or_else(|_| Rc::new(hashing::Modulo::default()));
        self.compare = p.compare.as_ref().and_then(|c| place(p, c, &members).ok());
        self.owners = Rc::new(self.assign(self.placement.as_ref()));
        self.loads = Rc::new(count(&self.owners));
        self.compare_owners = self
            .compare
            .as_ref()
            .map(|c| Rc::new(self.assign(c.as_ref())));
        self.sets = Rc::new(ReplicaSets::of(
            self.placement.as_ref(),
            &self.owners,
            p.drawn(),
            p.replicas,
        ));
        self.previous_sets = (!self.config.flows.is_empty() || !self.config.releases.is_empty())
            .then(|| {
                place(p, &p.algorithm, &Config::servers(&self.config.previous))
                    .ok()
                    .map(|prev| {
                        let owners = self.assign(prev.as_ref());
                        Rc::new(ReplicaSets::of(
                            prev.as_ref(),
                            &owners,
                            p.drawn(),
                            p.replicas,
                        ))
                    })
            })
            .flatten();
    }

    /// The owner of every key of the whole key space.
    fn assign(&self, placement: &dyn Placement) -> Vec<u32> {
        let keys: Vec<u64> = (0..u64::from(self.params.keys)).collect();
        placement.assign(&keys)
    }

    // ----- what the panel, the summary and the invariants read -----

    /// The run's settings.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The current placement.
    pub fn placement(&self) -> &dyn Placement {
        self.placement.as_ref()
    }
    /// The compared placement, in compare mode.
    pub fn compare(&self) -> Option<&dyn Placement> {
        self.compare.as_deref()
    }
    /// Owner of every key of the key space, under the placement and the compared one.
    pub fn owners(&self) -> (&[u32], Option<&[u32]>) {
        (&self.owners, self.compare_owners.as_deref().map(|v| &v[..]))
    }
    /// Keys of the whole key space per server.
    pub fn loads(&self) -> &BTreeMap<u32, u64> {
        &self.loads
    }
    /// Replica sets of the sampled keys.
    pub fn replica_sets(&self) -> &ReplicaSets {
        &self.sets
    }
    /// The configuration (members, migration under way).
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Recent changes, oldest first.
    pub fn history(&self) -> &[ChangeRecord] {
        &self.config.history
    }
    /// Changes waiting for the running migration.
    pub fn queued(&self) -> usize {
        self.config.queued.len()
    }
    /// Client outcomes.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    /// Migrations finished since boot.
    pub fn completed(&self) -> u64 {
        self.completed
    }
    /// The replica sets as the last migration finished.
    pub fn finished_sets(&self) -> Option<&ReplicaSets> {
        self.finished.as_deref()
    }
    /// Sampled keys still in flight.
    pub fn in_flight(&self) -> impl Iterator<Item = u32> + '_ {
        self.config.flows.values().flat_map(|k| k.iter().copied())
    }
    /// `true` while a migration runs.
    pub fn migrating(&self) -> bool {
        !self.config.flows.is_empty()
    }

    // ----- the process -----

    fn save(&self, cx: &mut Cx<'_, Node>) {
        cx.persist(Durable {
            booted: true,
            config: Some(self.config.clone()),
            ..Durable::default()
        });
    }

    pub(crate) fn start(&mut self, durable: &Durable, cx: &mut Cx<'_, Node>) {
        if let Some(config) = &durable.config {
            let mut config = (**config).clone();
            config.boots += 1;
            self.config = Rc::new(config);
            self.derive();
        }
        // Request ids of this boot never meet replies to an earlier boot's requests.
        self.next_req = self.config.boots << 20;
        self.save(cx);
        self.arm_traffic(cx);
        if self.migrating() {
            self.send_flows(cx);
        } else {
            self.dequeue(cx);
        }
    }

    fn arm_traffic(&self, cx: &mut Cx<'_, Node>) {
        if self.params.rate > 0.0 {
            // Poisson arrivals: exponential gaps with mean 1/rate.
            let u = cx.rng().unit();
            let gap = (-libm::log(u) / self.params.rate * 1e6).clamp(1.0, 3.6e9) as u64;
            cx.set_timer(crate::Timer::Traffic, gap, gap);
        }
    }

    fn pick_key(&self, cx: &mut Cx<'_, Node>) -> u32 {
        match &self.zipf {
            Some(cdf) => {
                let u = cx.rng().unit();
                cdf.partition_point(|&c| c < u).min(cdf.len() - 1) as u32
            }
            None => cx.rng().below(u64::from(self.params.drawn())) as u32,
        }
    }

    fn issue(&mut self, key: u32, put: bool, cx: &mut Cx<'_, Node>) {
        let key = key % self.params.drawn();
        let mut candidates: Vec<u32> = self.sets.of_key(key).collect();
        if !put && let Some(prev) = &self.previous_sets {
            for s in prev.of_key(key) {
                if !candidates.contains(&s) {
                    candidates.push(s);
                }
            }
        }
        let req = self.next_req;
        self.next_req = self.next_req.wrapping_add(1);
        self.stats.requests += 1;
        let mut version = None;
        if put {
            // Versions grow across router restarts: the boot count is the high half.
            let count = self.writes.entry(key).or_insert(0);
            *count += 1;
            let v = (u64::from(self.config.boots) << 32) | u64::from(*count);
            version = Some(v);
            self.send_put(req, key, v, &candidates, cx);
        } else {
            cx.send(candidates[0] as NodeId, Msg::Get { req, key });
        }
        let t = self.params.timeout;
        cx.set_timer(crate::Timer::Timeout(req), t, t);
        self.requests.insert(
            req,
            Request {
                key,
                put: version,
                candidates,
                next: 0,
                acks: 0,
            },
        );
    }

    fn send_put(&self, req: u32, key: u32, version: u64, to: &[u32], cx: &mut Cx<'_, Node>) {
        for &s in to {
            cx.send(
                s as NodeId,
                Msg::Put {
                    req,
                    key,
                    version,
                    change: self.config.change,
                },
            );
        }
    }

    /// A get's current replica missed or timed out: ask the next one, or give up.
    fn next_replica(&mut self, req: u32, cx: &mut Cx<'_, Node>) {
        let Some(r) = self.requests.get_mut(&req) else {
            return;
        };
        r.next += 1;
        if let Some(&s) = r.candidates.get(r.next) {
            cx.send(s as NodeId, Msg::Get { req, key: r.key });
            let t = self.params.timeout;
            cx.set_timer(crate::Timer::Timeout(req), t, t);
        } else {
            let key = r.key;
            self.requests.remove(&req);
            self.stats.gets_failed += 1;
            cx.cancel_timer(crate::Timer::Timeout(req));
            cx.note(format!("k{key} unavailable: no replica answered"));
        }
    }

    pub(crate) fn on_message(&mut self, from: NodeId, msg: Msg, cx: &mut Cx<'_, Node>) {
        let sender = from as u32;
        match msg {
            Msg::Value { req, key, version } => {
                if self
                    .requests
                    .get(&req)
                    .is_some_and(|r| r.put.is_none() && r.key == key)
                {
                    let r = self.requests.remove(&req).expect("checked");
                    cx.cancel_timer(crate::Timer::Timeout(req));
                    self.stats.gets_ok += 1;
                    if r.candidates.first() != Some(&sender) {
                        self.stats.from_replica += 1;
                    }
                    if version < self.acked.get(&key).copied().unwrap_or(0) {
                        self.stats.stale += 1;
                    }
                    *self.stats.served.entry(sender).or_insert(0) += 1;
                }
            }
            Msg::Missing { req, key } => {
                if self.requests.get(&req).is_some_and(|r| {
                    r.put.is_none() && r.key == key && r.candidates.get(r.next) == Some(&sender)
                }) {
                    self.next_replica(req, cx);
                }
            }
            Msg::PutAck { req, key } => {
                if let Some(r) = self.requests.get_mut(&req).filter(|r| r.key == key)
                    && let Some(version) = r.put
                {
                    r.acks += 1;
                    *self.stats.served.entry(sender).or_insert(0) += 1;
                    if r.acks == 1 {
                        self.stats.puts_ok += 1;
                        let newest = self.acked.entry(key).or_insert(0);
                        *newest = (*newest).max(version);
                    }
                    if r.acks as usize >= r.candidates.len() {
                        self.requests.remove(&req);
                        cx.cancel_timer(crate::Timer::Timeout(req));
                    }
                }
            }
            // The key moved after the put was issued: write it to its current replicas.
            Msg::PutRefused { req, key } => {
                if let Some(r) = self.requests.get(&req).filter(|r| r.key == key)
                    && let Some(version) = r.put
                {
                    let to: Vec<u32> = self.sets.of_key(key).collect();
                    self.send_put(req, key, version, &to, cx);
                    if let Some(r) = self.requests.get_mut(&req) {
                        r.candidates = to;
                    }
                    let t = self.params.timeout;
                    cx.set_timer(crate::Timer::Timeout(req), t, t);
                }
            }
            // A flow is (holder, new replica): the new replica confirms what the holder sent.
            // A short count (the holder lacked keys) leaves the flow open for the retry.
            Msg::Moved {
                change,
                from: holder,
                count,
            } => {
                if change == self.config.change
                    && self
                        .config
                        .flows
                        .get(&(holder, sender))
                        .is_some_and(|keys| count as usize >= keys.len())
                {
                    Rc::make_mut(&mut self.config)
                        .flows
                        .remove(&(holder, sender));
                    if self.config.flows.is_empty() {
                        self.finish(cx);
                    } else {
                        self.save(cx);
                    }
                }
            }
            Msg::Get { .. }
            | Msg::Put { .. }
            | Msg::Migrate { .. }
            | Msg::Transfer { .. }
            | Msg::Release { .. } => cx.note("the router ignores a message meant for servers"),
        }
    }

    pub(crate) fn on_timer(&mut self, timer: crate::Timer, cx: &mut Cx<'_, Node>) {
        match timer {
            crate::Timer::Traffic => {
                let key = self.pick_key(cx);
                let put = cx.rng().chance(self.params.put_share);
                self.issue(key, put, cx);
                self.arm_traffic(cx);
            }
            crate::Timer::Timeout(req) => match self.requests.get(&req) {
                Some(r) if r.put.is_some() => {
                    if r.acks == 0 {
                        self.stats.puts_failed += 1;
                        cx.note(format!("put k{} failed: no replica acknowledged", r.key));
                    }
                    self.requests.remove(&req);
                }
                Some(_) => self.next_replica(req, cx),
                None => {}
            },
            crate::Timer::Retry => {
                if self.migrating() {
                    self.send_flows(cx);
                }
            }
        }
    }

    pub(crate) fn on_command(&mut self, cmd: Command, cx: &mut Cx<'_, Node>) {
        match cmd {
            Command::Get(k) => self.issue(k, false, cx),
            Command::Put(k) => self.issue(k, true, cx),
            Command::Change(c) if self.config.queued.len() >= MAX_QUEUED => cx.note(format!(
                "{c} refused: {MAX_QUEUED} changes already wait for change {}",
                self.config.change
            )),
            Command::Change(c) => {
                if self.migrating() {
                    cx.note(format!(
                        "{c}: queued until change {} finishes migrating",
                        self.config.change
                    ));
                }
                Rc::make_mut(&mut self.config).queued.push(c);
                self.dequeue(cx);
            }
        }
    }

    fn send_flows(&self, cx: &mut Cx<'_, Node>) {
        for (&(src, dst), keys) in &self.config.flows {
            cx.send(
                src as NodeId,
                Msg::Migrate {
                    change: self.config.change,
                    to: dst,
                    keys: keys.clone(),
                },
            );
        }
        let t = self.params.retry;
        cx.set_timer(crate::Timer::Retry, t, t);
    }

    /// The membership after `change`, or why it is refused.
    fn changed(&self, change: &Change) -> Result<Vec<(u32, u32)>, String> {
        let mut members = self.config.members.clone();
        let find = |members: &[(u32, u32)], node: u32| {
            members
                .iter()
                .position(|m| m.0 == node)
                .ok_or_else(|| format!("n{node} is not a member"))
        };
        match *change {
            Change::Add { weight } => {
                let spare = (1..self.nodes as u32)
                    .find(|id| members.iter().all(|m| m.0 != *id))
                    .ok_or("no spare server slot: start the run with more nodes")?;
                members.push((spare, weight));
            }
            Change::Remove { node } => {
                let i = find(&members, node)?;
                if members.len() == 1 {
                    return Err("the last server cannot leave".into());
                }
                members.remove(i);
            }
            Change::Weight { node, weight } => {
                let i = find(&members, node)?;
                members[i].1 = weight;
            }
        }
        Ok(members)
    }

    /// Applies a membership change: measures it over the whole key space and starts migrating
    /// the sampled keys whose replica sets changed.
    fn apply(&mut self, change: Change, cx: &mut Cx<'_, Node>) {
        let members = match self.changed(&change) {
            Ok(m) => m,
            Err(e) => return cx.note(format!("{change} refused: {e}")),
        };
        let p = self.params.clone();
        let placement = match place(&p, &p.algorithm, &Config::servers(&members)) {
            Ok(pl) => pl,
            Err(e) => return cx.note(format!("{change} refused: {e}")),
        };
        let before = Config::servers(&self.config.members);
        let after = Config::servers(&members);
        // An algorithm that ignores weights is measured against equal shares.
        let unit =
            |list: &[Server]| -> Vec<Server> { list.iter().map(|s| Server::new(s.id)).collect() };
        let ideal = if placement.weighted() {
            metrics::ideal_share(&before, &after)
        } else {
            metrics::ideal_share(&unit(&before), &unit(&after))
        };
        let owners = self.assign(placement.as_ref());
        let movement = metrics::movement(&self.owners, &owners, ideal);
        let compare = p.compare.as_deref().and_then(|c| place(&p, c, &after).ok());
        let compare_owners = compare.as_ref().map(|c| self.assign(c.as_ref()));
        let compare_moved = match (&self.compare_owners, &compare_owners) {
            (Some(old), Some(new)) => {
                let m = metrics::movement(old, new, ideal);
                Some((m.moved, m.share))
            }
            _ => None,
        };
        let sets = ReplicaSets::of(placement.as_ref(), &owners, p.drawn(), p.replicas);
        let mut flows: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
        let mut releases: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut touched = Vec::new();
        for k in 0..p.drawn() {
            let old: Vec<u32> = self.sets.of_key(k).collect();
            let new: Vec<u32> = sets.of_key(k).collect();
            if old == new {
                continue;
            }
            // The picture outlines keys whose owner changed, as the headline counts them.
            if old.first() != new.first() {
                touched.push(k);
            }
            // Copy from a holder that stays, so a leaving server is asked only when it is
            // the key's only copy.
            let source = old
                .iter()
                .copied()
                .find(|s| members.iter().any(|m| m.0 == *s))
                .or_else(|| old.first().copied());
            for &dst in new.iter().filter(|s| !old.contains(s)) {
                if let Some(src) = source {
                    flows.entry((src, dst)).or_default().push(k);
                }
            }
            for &gone in old.iter().filter(|s| !new.contains(s)) {
                releases.entry(gone).or_default().push(k);
            }
        }
        let copies: usize = flows.values().map(Vec::len).sum();
        let mut top: Vec<(u32, u32, u64)> = movement
            .flow
            .iter()
            .map(|(&(a, b), &n)| (a, b, n))
            .collect();
        top.sort_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        let number = self.config.change + 1;
        cx.note(format!(
            "change {number} ({change}): {} of {} keys change owner ({}%, ideal {}%); {copies} sampled copies move in {} flows",
            movement.moved,
            p.keys,
            metrics::decimal(movement.share * 100.0, 1),
            metrics::decimal(ideal * 100.0, 1),
            flows.len()
        ));
        let mut history = std::mem::take(&mut Rc::make_mut(&mut self.config).history);
        if history.len() == HISTORY {
            history.remove(0);
        }
        history.push(ChangeRecord {
            number,
            change: change.to_string(),
            node: match change {
                Change::Add { .. } => members.last().map_or(0, |m| m.0),
                Change::Remove { node } | Change::Weight { node, .. } => node,
            },
            at: cx.now(),
            done_at: None,
            moved: movement.moved,
            share: movement.share,
            ideal,
            compare: compare_moved,
            flows: top,
            copies: copies as u32,
            touched: touched.into(),
        });
        let previous = std::mem::take(&mut self.config);
        self.config = Rc::new(Config {
            members,
            change: number,
            flows: flows.into_iter().map(|(k, v)| (k, v.into())).collect(),
            releases: releases.into_iter().map(|(k, v)| (k, v.into())).collect(),
            previous: previous.members.clone(),
            boots: previous.boots,
            queued: previous.queued.clone(),
            history,
        });
        self.previous_sets = Some(std::mem::replace(&mut self.sets, Rc::new(sets)));
        self.placement = placement;
        self.loads = Rc::new(count(&owners));
        self.owners = Rc::new(owners);
        self.compare = compare;
        self.compare_owners = compare_owners.map(Rc::new);
        if self.params.variant == crate::Variant::ReleaseEarly {
            self.send_releases(cx);
        }
        if self.migrating() {
            self.save(cx);
            self.send_flows(cx);
        } else {
            self.complete(cx);
        }
    }

    /// The last flow landed: finish the migration, then start the next queued change.
    fn finish(&mut self, cx: &mut Cx<'_, Node>) {
        self.complete(cx);
        self.dequeue(cx);
    }

    /// Every flow landed: old holders may drop what they no longer replicate.
    fn complete(&mut self, cx: &mut Cx<'_, Node>) {
        self.send_releases(cx);
        Rc::make_mut(&mut self.config).previous.clear();
        self.previous_sets = None;
        self.completed += 1;
        let change = self.config.change;
        if let Some(last) = Rc::make_mut(&mut self.config).history.last_mut()
            && last.number == change
        {
            last.done_at = Some(cx.now());
        }
        self.finished = Some(self.sets.clone());
        cx.cancel_timer(crate::Timer::Retry);
        self.save(cx);
    }

    fn send_releases(&mut self, cx: &mut Cx<'_, Node>) {
        let releases = std::mem::take(&mut Rc::make_mut(&mut self.config).releases);
        for (s, keys) in releases {
            cx.send(
                s as NodeId,
                Msg::Release {
                    change: self.config.change,
                    keys,
                },
            );
        }
    }

    /// Applies waiting changes in order until one starts a migration (a loop, not recursion:
    /// changes that move nothing or are refused finish at once).
    fn dequeue(&mut self, cx: &mut Cx<'_, Node>) {
        while !self.migrating() && !self.config.queued.is_empty() {
            let next = Rc::make_mut(&mut self.config).queued.remove(0);
            self.apply(next, cx);
        }
        self.save(cx);
    }

    pub(crate) fn view(&self) -> NodeView {
        let s = &self.stats;
        let summary = if self.migrating() {
            format!("migrating {} flows", self.config.flows.len())
        } else {
            format!("{} servers", self.config.members.len())
        };
        let mut fields = vec![
            ("algorithm".into(), self.placement.name().to_string()),
            ("replicas R".into(), self.params.replicas.to_string()),
            (
                format!("members ({})", self.config.members.len()),
                members_text(&self.config.members),
            ),
            (
                "gets".into(),
                format!(
                    "{} ok ({} from a replica, {} stale) · {} unavailable",
                    s.gets_ok, s.from_replica, s.stale, s.gets_failed
                ),
            ),
            (
                "puts".into(),
                format!("{} ok · {} failed", s.puts_ok, s.puts_failed),
            ),
        ];
        if let Some(c) = self.config.history.last() {
            fields.push((
                "last change".into(),
                format!(
                    "{} at {}: moved {}% (ideal {}%)",
                    c.change,
                    format_time(c.at),
                    metrics::decimal(c.share * 100.0, 1),
                    metrics::decimal(c.ideal * 100.0, 1)
                ),
            ));
        }
        NodeView {
            role: "router".into(),
            summary,
            fields,
        }
    }

    pub(crate) fn summary(&self, copies_held: usize) -> serde_json::Value {
        serde_json::json!({
            "algorithm": self.placement.name(),
            "members": self.config.members,
            "changes": self.config.change,
            "migrating": self.migrating(),
            "queued": self.config.queued.len(),
            "last_change": self.config.history.last(),
            "stats": self.stats,
            "copies_held": copies_held,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn members_are_listed_as_runs_with_weights_marked() {
        let m = [(1, 1), (2, 1), (3, 1), (5, 2), (6, 1), (8, 1), (9, 1)];
        assert_eq!(super::members_text(&m), "n1–n3 n5×2 n6 n8–n9");
    }
}
