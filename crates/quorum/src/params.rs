//! The lab's settings, as links, scenario files and the panel set them.

use serde::{Deserialize, Serialize};
use splitbrain_kv::client::MAX_CLIENTS;
use splitbrain_sim::{Duration, format_time, ms};

/// When a read repairs the replicas that answered with an older version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Repair {
    /// Never: stale replicas stay stale until a newer write reaches them.
    Off,
    /// After answering the client, as Dynamo does (§5): cheap, and the read that found the
    /// newer version does not wait for it to spread.
    #[default]
    Async,
    /// Before answering: the newest version is written back until W replicas hold it (ABD's
    /// write-back phase), so no later read can return anything older.
    Blocking,
}

impl Repair {
    /// The name links and the panel use.
    pub fn name(self) -> &'static str {
        match self {
            Repair::Off => "off",
            Repair::Async => "async",
            Repair::Blocking => "blocking",
        }
    }
}

/// Settings of a quorum run. The defaults are Dynamo's common configuration, (N, R, W) =
/// (3, 2, 2) with sloppy quorums and read repair (§6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// N: servers that hold each key (its preference list).
    pub replicas: usize,
    /// R: replies a read waits for.
    pub r: usize,
    /// W: acknowledgements a write waits for.
    pub w: usize,
    /// When reads repair stale replicas.
    pub repair: Repair,
    /// Sloppy quorum with hinted handoff (§4.6); `false`: a strict quorum of the preference
    /// list only, which refuses rather than writes elsewhere.
    pub sloppy: bool,
    /// Client processes (0–10): their operations make the history the checker judges.
    pub clients: usize,
    /// Whether clients draw their own gets and sets; `false`: they send only what the learner
    /// types, so an exercise can ask for one exact schedule.
    pub auto: bool,
    /// How long a coordinator waits for a replica before it counts it as failed (and, with a
    /// sloppy quorum, asks the next server on the ring instead). The request fails after twice
    /// this with too few replies.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub ack_timeout: Duration,
    /// How often a server holding hints tries to hand them back.
    #[serde(with = "splitbrain_sim::serde_duration")]
    pub handoff: Duration,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            replicas: 3,
            r: 2,
            w: 2,
            repair: Repair::Async,
            sloppy: true,
            clients: 3,
            auto: true,
            ack_timeout: ms(100),
            handoff: ms(500),
        }
    }
}

/// Most replicas per key: each is a row of the panel's table.
pub const MAX_REPLICAS: usize = 9;

impl Params {
    /// Checks ranges against the run's `nodes` servers, so a bad link gives a clear error.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        let n = self.replicas;
        if n == 0 || n > nodes.min(MAX_REPLICAS) {
            return Err(format!(
                "replicas (N) must be 1 to {} (the servers, at most {MAX_REPLICAS}), got {n}",
                nodes.min(MAX_REPLICAS)
            ));
        }
        if self.r == 0 || self.r > n {
            return Err(format!("r must be 1 to N = {n}, got {}", self.r));
        }
        if self.w == 0 || self.w > n {
            return Err(format!("w must be 1 to N = {n}, got {}", self.w));
        }
        if self.clients > MAX_CLIENTS {
            return Err(format!(
                "clients must be 0 to {MAX_CLIENTS}, got {}",
                self.clients
            ));
        }
        for (name, d) in [("ack_timeout", self.ack_timeout), ("handoff", self.handoff)] {
            if d < ms(1) || d > splitbrain_sim::limits::MAX_LATENCY {
                return Err(format!(
                    "{name} must be 1ms to 1 hour, got {}",
                    format_time(d)
                ));
            }
        }
        Ok(())
    }

    /// Whether every read quorum meets every write quorum.
    pub fn overlapping(&self) -> bool {
        self.r + self.w > self.replicas
    }

    /// The quorum settings in the paper's notation: `N=3 R=2 W=2`.
    pub fn quorums(&self) -> String {
        format!("N={} R={} W={}", self.replicas, self.r, self.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s6_the_defaults_are_dynamos_common_configuration_3_2_2() {
        let p = Params::default();
        assert_eq!((p.replicas, p.r, p.w), (3, 2, 2));
        assert!(p.sloppy && p.overlapping());
        assert_eq!(p.validate(5), Ok(()));
    }

    #[test]
    fn quorums_larger_than_the_cluster_are_refused_in_one_line() {
        let p = Params {
            replicas: 6,
            ..Params::default()
        };
        let e = p.validate(5).unwrap_err();
        assert!(e.starts_with("replicas (N) must be 1 to 5"), "{e}");
        let p = Params {
            r: 4,
            ..Params::default()
        };
        assert_eq!(p.validate(5).unwrap_err(), "r must be 1 to N = 3, got 4");
        let p = Params {
            clients: 11,
            ..Params::default()
        };
        assert!(p.validate(5).unwrap_err().starts_with("clients must be"));
    }

    #[test]
    fn params_read_from_json_with_kebab_case_repair() {
        let p: Params =
            serde_json::from_value(serde_json::json!({"r": 1, "w": 1, "repair": "blocking"}))
                .unwrap();
        assert_eq!((p.r, p.w, p.repair), (1, 1, Repair::Blocking));
        assert!(!p.overlapping());
    }
}
