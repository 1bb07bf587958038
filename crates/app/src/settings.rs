//! Page settings from the URL query (`?lab=broadcast&seed=7&nodes=5&speed=0.05`), checked
//! against the same limits as the CLI. A bad value gives a readable message and the defaults.

use splitbrain_labs::{RunDescription, find, labs};
use splitbrain_sim::{Latency, limits};

/// What the page starts from.
pub struct Settings {
    /// The run to build.
    pub run: RunDescription,
    /// Virtual seconds per wall second.
    pub speed: f64,
    /// `?bench=N`: measure Raft's simulator throughput on N nodes instead of animating.
    pub bench: Option<usize>,
    /// `?run=`: a shared run (its actions replay; no automatic traffic is added).
    pub shared: bool,
    /// `?t=`: open paused at this virtual time.
    pub at: Option<splitbrain_sim::Time>,
    /// `?selftest=panic`: panic on the first frame, so tests can see the error overlay.
    pub panic_test: bool,
    /// `?exercise=` (or a teacher's `?def=`): the exercise the page opens on; `run` is then its
    /// start.
    pub exercise: Option<splitbrain_exercise::Exercise>,
    /// With an exercise and `run=` (a solution link): the student's own actions, replayed as
    /// if just taken, so they count against the budget and a reset drops them.
    pub replay: Vec<splitbrain_sim::TimedAction>,
    /// `?exercises`: open the list of exercises.
    pub list: bool,
    /// `?tour=raft&step=7`: open this guided tour, at this step (from 0) or where this browser
    /// left it.
    pub tour: Option<(String, Option<usize>)>,
}

/// The `key=value` pairs of a query string, values URL-decoded (kept as typed when they do not
/// decode).
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = js_sys::decode_uri_component(v)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| v.to_string());
            (k.to_string(), v)
        })
}

/// A fresh run of this bundle's first lab, seed 1, before any page defaults.
fn first_lab_run() -> RunDescription {
    RunDescription::new(labs().first().map_or("raft", |l| l.name), 1, 5)
}

/// The run a page of this bundle opens on when its link cannot be used: the first lab with its
/// page defaults.
pub fn default_run() -> RunDescription {
    let mut run = first_lab_run();
    if let Ok(info) = find(&run.lab) {
        (info.page_defaults)(&mut run);
    }
    run
}

/// Slowest and fastest playback.
pub const SPEED_RANGE: (f64, f64) = (0.001, 10.0);

/// Reads the query string. Returns the settings and, if something was refused, why.
pub fn from_query(query: &str) -> (Settings, Option<String>) {
    let mut s = Settings {
        // The page defaults of whichever lab the link picks apply once, below.
        run: first_lab_run(),
        speed: 0.1,
        bench: None,
        shared: false,
        at: None,
        panic_test: false,
        exercise: None,
        replay: Vec::new(),
        list: false,
        tour: None,
    };
    let mut tour_step = None;
    let (mut exercise_id, mut def, mut hash) = (None, None, None);
    // Settings an exercise fixes itself: named here to refuse them next to one.
    let mut run_settings = Vec::new();
    let mut errors = Vec::new();
    let mut latency = None;
    let mut nodes = None;
    let mut speed = None;
    let mut lab_params = serde_json::Map::new();
    let q = query.trim_start_matches('?');
    if q.len() > limits::MAX_SCENARIO_BYTES {
        return (
            s,
            Some("the link is too long to be a Splitbrain run".into()),
        );
    }
    for (k, v) in pairs(q) {
        let k = k.as_str();
        if matches!(k, "lab" | "seed" | "nodes" | "latency") || k.starts_with("param.") {
            run_settings.push(k.to_string());
        }
        match k {
            "lab" => match find(&v) {
                Ok(info) => s.run.lab = info.name.to_string(),
                Err(e) => errors.push(e.0),
            },
            "seed" => match v.parse::<u64>() {
                Ok(seed) => s.run.seed = seed,
                Err(_) => errors.push(format!("seed {v:?} is not a whole number")),
            },
            // The upper limit is the lab's, checked once the lab is known (below).
            "nodes" => match v.parse::<u64>() {
                Ok(n) if n >= 2 => nodes = Some(usize::try_from(n).unwrap_or(usize::MAX)),
                _ => errors.push(format!(
                    "nodes must be a whole number, at least 2, got {v:?}"
                )),
            },
            "speed" => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && (SPEED_RANGE.0..=SPEED_RANGE.1).contains(&x) => {
                    speed = Some(x)
                }
                _ => errors.push(format!(
                    "speed must be between {} and {}, got {v:?}",
                    SPEED_RANGE.0, SPEED_RANGE.1
                )),
            },
            "latency" => match v.parse::<Latency>() {
                Ok(l) => latency = Some(l),
                Err(e) => errors.push(e.0),
            },
            "run" => match RunDescription::parse(&v) {
                Ok(run) => {
                    s.run = run;
                    s.shared = true;
                }
                Err(e) => errors.push(format!("the shared run cannot be read: {e}")),
            },
            "t" => match splitbrain_sim::parse_duration(&v) {
                Ok(t) if t <= limits::MAX_TIME => s.at = Some(t),
                _ => errors.push(format!(
                    "t must be a time like 1.5s, at most one day, got {v:?}"
                )),
            },
            "bench" => match v.parse::<usize>() {
                // Raft's own size check answers for sizes it does not run.
                Ok(n) if n <= limits::MAX_NODES => s.bench = Some(n),
                _ => errors.push(format!("bench needs at most {} nodes", limits::MAX_NODES)),
            },
            "selftest" if v == "panic" => s.panic_test = true,
            "exercise" => exercise_id = Some(v),
            "hash" => hash = Some(v),
            // A teacher's own exercise, written out in full by the exercise builder.
            "def" => {
                def = Some(
                    serde_json::from_str::<splitbrain_exercise::Exercise>(&v)
                        .map_err(|e| e.to_string())
                        .and_then(|e| e.validate().map(|()| e)),
                )
            }
            "exercises" => s.list = true,
            // A tour is named like its lab (`raft`); whether this page has it is checked when
            // it opens.
            "tour"
                if !v.is_empty()
                    && v.len() <= 64
                    && v.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
            {
                s.tour = Some((v.clone(), None))
            }
            "tour" => errors.push(format!("tour {v:?} is not a tour's name")),
            "step" => match v.parse::<usize>() {
                Ok(n) if (1..=1_000).contains(&n) => tour_step = Some(n - 1),
                _ => errors.push(format!("step must be a step number from 1, got {v:?}")),
            },
            // Embed mode's own settings, read by `splitbrain_embed::Options`.
            k if splitbrain_embed::KEYS.contains(&k) => {}
            k if k.starts_with("param.") && k.len() > 6 => {
                let value =
                    serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v.clone()));
                lab_params.insert(k[6..].to_string(), value);
            }
            _ => errors.push(format!("unknown setting {k:?} in the link")),
        }
    }
    if let Some((_, step)) = &mut s.tour {
        *step = tour_step;
    } else if tour_step.is_some() {
        errors.push("step= goes with tour=".into());
    }
    // A teacher's exercise comes whole; a shipped one by its id.
    let exercise = match (def, exercise_id) {
        (Some(Ok(e)), _) => Some(e),
        (Some(Err(why)), _) => {
            errors.push(format!("the exercise in the link cannot be used: {why}"));
            None
        }
        (None, Some(id)) => {
            let found = crate::classroom::find(&id);
            if found.is_none() {
                errors.push(format!("there is no exercise {id:?}"));
            }
            found
        }
        (None, None) => None,
    };
    if let Some(e) = exercise {
        // An exercise fixes its run; with `run=` (a solution link) the student's actions replay
        // on top of its start.
        if !run_settings.is_empty() {
            errors.push(format!(
                "an exercise fixes its own run, so {} cannot change it",
                run_settings.join(", ")
            ));
            (latency, nodes) = (None, None);
            lab_params.clear();
        }
        match e.run() {
            Ok(start) => {
                if s.shared {
                    // Actions the run cannot take (a node it lacks) are refused when the page
                    // replays them on the start, which is then kept.
                    let own = splitbrain_exercise::own_actions(&e, &s.run).and_then(|own| {
                        splitbrain_exercise::check_actions(&e, &own)?;
                        Ok(own)
                    });
                    match own {
                        Ok(own) => s.replay = own,
                        Err(why) => {
                            errors.push(format!("this is not a solution of {:?}: {why}", e.id))
                        }
                    }
                }
                s.run = start;
                if hash.is_some_and(|h| h != e.content_hash()) {
                    errors.push(format!(
                        "the solution was made for another version of {:?}; it is checked against this one",
                        e.id
                    ));
                }
                s.shared = true;
                s.exercise = Some(e);
            }
            Err(why) => errors.push(format!("exercise {:?}: {why}", e.id)),
        }
    }
    // A shared run is replayed as it is; otherwise the lab's page defaults apply first and the
    // link's own settings on top.
    if !s.shared
        && let Ok(info) = find(&s.run.lab)
    {
        (info.page_defaults)(&mut s.run);
    }
    s.speed = speed.unwrap_or_else(|| find(&s.run.lab).map_or(s.speed, |info| info.page_speed));
    if let Some(l) = latency {
        s.run.network.latency = l;
    }
    if let Some(n) = nodes {
        // Each lab draws legibly up to its own size.
        let max = find(&s.run.lab).map_or(MAX_DRAWN_NODES, |i| i.page_max_nodes);
        if n <= max {
            s.run.nodes = n;
        } else {
            errors.push(format!(
                "the {} lab draws at most {max} nodes on the page, got {n}",
                s.run.lab
            ));
        }
    }
    if let Some(obj) = s.run.params.as_object_mut() {
        obj.extend(lab_params);
    }
    let err =
        (!errors.is_empty()).then(|| format!("Ignored part of the link: {}", errors.join("; ")));
    (s, err)
}

/// Most nodes any lab draws on the page (each lab has its own, smaller or equal, limit); the
/// CLI goes to `limits::MAX_NODES`.
pub const MAX_DRAWN_NODES: usize = 81;
