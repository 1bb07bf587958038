//! Every parser a stranger can reach, fed mutations of valid inputs (issue 22's fuzz suite):
//! run descriptions and scenario files, exercise packs, solution links through the grader,
//! embed messages, tours, the diagram worker's requests, client operations and the key-value labs'
//! client settings. Each input is a valid example with
//! its structure changed (a value replaced by an absurd one, a key dropped or invented, a list
//! blown up) or its text cut and spliced. Whatever comes in: no panic, every refusal one line,
//! and none takes over a second. About 105,000 inputs in all.

use proptest::prelude::*;
use serde_json::{Value, json};
use splitbrain_embed::{Controls, parse_command};
use splitbrain_exercise::{Pack, grade, solution_link};
use splitbrain_labs::RunDescription;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// A TOML file as JSON, so its structure can be mutated.
fn toml_as_json(text: &str) -> Value {
    let v: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_value(v).unwrap()
}

/// What a refusal must look like, and how long anything may take.
#[allow(clippy::disallowed_methods)] // the wall clock only times the parser, as the issue asks
fn judged<T, E: std::fmt::Display>(what: &str, input: &str, f: impl FnOnce() -> Result<T, E>) {
    let started = std::time::Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(
        took.as_secs_f64() < 1.0,
        "{what} took {took:?} on {}",
        input.chars().take(300).collect::<String>()
    );
    if let Err(e) = out {
        let e = e.to_string();
        assert!(!e.trim().is_empty(), "{what}: an empty refusal");
        assert!(
            !e.contains('\n'),
            "{what}: a refusal of more than one line: {e}"
        );
    }
}

/// A value no one would write: out of range, of the wrong type, huge, nested, hostile.
fn absurd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(1_000_000_000u64)),
        Just(json!(u64::MAX)),
        Just(json!(-9.9e300)),
        Just(json!(1e300)),
        Just(json!(0.5)),
        Just(json!("")),
        Just(json!("1e9")),
        Just(json!("10ms..5ms")),
        Just(json!("999999999h")),
        Just(json!("<script>alert(1)</script>")),
        Just(json!("\u{0}\u{202e}🦀")),
        Just(json!("x".repeat(100_000))),
        Just(json!([])),
        Just(json!([[[[[[[[[[[[[[[[[[[[[[[[[[[
            [[[1]]]
        ]]]]]]]]]]]]]]]]]]]]]]]]]]])),
        Just(json!({})),
        Just(json!({"do": "crash", "node": 1_000_000})),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9 .=_-]{0,12}".prop_map(|s| json!(s)),
    ]
}

/// One change to a JSON tree, steered by `picks` (each pick chooses a branch on the way down).
#[derive(Debug, Clone)]
enum Change {
    Replace(Value),
    Drop,
    Invent(String, Value),
    /// Repeat the chosen array's first element this many times.
    BlowUp(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => absurd().prop_map(Change::Replace),
        2 => Just(Change::Drop),
        1 => ("[a-z_]{1,8}", absurd()).prop_map(|(k, v)| Change::Invent(k, v)),
        1 => (2usize..3_000).prop_map(Change::BlowUp),
    ]
}

fn apply(v: &mut Value, picks: &[usize], c: &Change) {
    let children = match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    // Stop here at the end of the path, at a leaf, or one time in four.
    let stop = picks.is_empty() || children == 0 || picks[0].is_multiple_of(4);
    if !stop {
        let i = picks[0] / 4 % children;
        match v {
            Value::Object(m) => {
                let key = m.keys().nth(i).cloned().unwrap_or_default();
                match (c, &picks[1..]) {
                    (Change::Drop, []) => {
                        m.remove(&key);
                    }
                    (_, rest) => apply(m.get_mut(&key).unwrap(), rest, c),
                }
            }
            Value::Array(a) => match (c, &picks[1..]) {
                (Change::Drop, []) => {
                    a.remove(i);
                }
                (_, rest) => apply(&mut a[i], rest, c),
            },
            _ => {}
        }
        return;
    }
    match c {
        Change::Replace(x) => *v = x.clone(),
        Change::Drop => *v = Value::Null,
        Change::Invent(k, x) => {
            if let Value::Object(m) = v {
                m.insert(k.clone(), x.clone());
            } else {
                *v = x.clone();
            }
        }
        Change::BlowUp(n) => {
            if let Value::Array(a) = v
                && let Some(first) = a.first().cloned()
            {
                a.extend(std::iter::repeat_n(first, *n));
            } else {
                *v = Value::Array(vec![v.clone(); (*n).min(50)]);
            }
        }
    }
}

/// A cut or splice of the text itself: truncation, an inserted or replaced character, a
/// repeated slice.
#[derive(Debug, Clone)]
enum Splice {
    Cut(usize),
    Insert(usize, char),
    Repeat(usize, usize, usize),
}

fn splice() -> impl Strategy<Value = Splice> {
    prop_oneof![
        any::<usize>().prop_map(Splice::Cut),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Splice::Insert(i, c)),
        (any::<usize>(), 1usize..40, 1usize..200).prop_map(|(i, l, n)| Splice::Repeat(i, l, n)),
    ]
}

fn spliced(text: &str, s: &Splice) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| {
        if chars.is_empty() {
            0
        } else {
            i % (chars.len() + 1)
        }
    };
    match *s {
        Splice::Cut(i) => chars[..at(i)].iter().collect(),
        Splice::Insert(i, c) => {
            let mut out = chars.clone();
            out.insert(at(i), c);
            out.into_iter().collect()
        }
        Splice::Repeat(i, l, n) => {
            let from = at(i);
            let to = (from + l).min(chars.len());
            let piece: String = chars[from..to].iter().collect();
            let mut out: String = chars[..to].iter().collect();
            out.push_str(&piece.repeat(n));
            out.extend(&chars[to..]);
            out
        }
    }
}

/// Either a structural change (rendered as JSON) or a splice of the valid text.
fn mutate(
    valid: &Value,
    valid_text: &str,
    picks: &[usize],
    c: &Change,
    s: &Splice,
    structural: bool,
) -> String {
    if structural {
        let mut v = valid.clone();
        apply(&mut v, picks, c);
        v.to_string()
    } else {
        spliced(valid_text, s)
    }
}

fn scenarios() -> Vec<(Value, String)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("testdata/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        out.push((toml_as_json(&text), text));
    }
    out
}

fn packs() -> Vec<(Value, String)> {
    ["raft", "paxos", "hashing", "balance", "quorum"]
        .iter()
        .map(|name| {
            let text = read(&format!("exercises/{name}.toml"));
            (toml_as_json(&text), text)
        })
        .collect()
}

fn tours() -> Vec<Value> {
    ["raft", "paxos", "hashing", "balance"]
        .iter()
        .map(|name| toml_as_json(&read(&format!("tours/{name}.toml"))))
        .collect()
}

fn commands() -> Vec<Value> {
    vec![
        json!({"splitbrain": 1, "type": "play"}),
        json!({"splitbrain": 1, "type": "seek", "t": "1.5s"}),
        json!({"splitbrain": 1, "type": "speed", "speed": 0.5}),
        json!({"splitbrain": 1, "type": "load-run", "run": {"lab": "raft", "seed": 3, "nodes": 5}}),
        json!({"splitbrain": 1, "type": "crash", "node": 1}),
        json!({"splitbrain": 1, "type": "partition", "groups": [[0, 1], [2, 3, 4]]}),
        json!({"splitbrain": 1, "type": "request", "command": "set x=1", "node": 0}),
        json!({"splitbrain": 1, "type": "theme", "theme": "dark"}),
    ]
}

thread_local! {
    /// The diagram worker's engine after a reset and two seconds of a Raft run's lines; the
    /// requests change it as the page's would.
    static DIAGRAM: std::cell::RefCell<splitbrain_diagram_worker::engine::Engine> = {
        let mut run = RunDescription::new("raft", 1, 5);
        run.until = Some(splitbrain_sim::secs(2));
        let mut lab = splitbrain_labs::build(&run, 100_000).unwrap();
        lab.run_until(splitbrain_sim::secs(2), u64::MAX);
        let lines = lab.trace_tail(100_000);
        let mut e = splitbrain_diagram_worker::engine::Engine::default();
        e.handle_json(&json!({"reset": {"lanes": 5}}).to_string());
        e.handle_json(&json!({"lines": {"lines": lines}}).to_string());
        std::cell::RefCell::new(e)
    };
}

fn picks() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(any::<usize>(), 0..8)
}

/// Cases for each family, about 100,000 inputs in all, weighted by how fast each parser is.
fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(50_000))]
    /// Run descriptions, as links carry them (JSON) and scenario files hold them (TOML).
    #[test]
    fn run_descriptions_refuse_in_one_line(
        which in any::<usize>(), p in picks(), c in change(), s in splice(), structural in any::<bool>()
    ) {
        let all = scenarios();
        let (v, toml_text) = &all[which % all.len()];
        let json_text = v.to_string();
        let text = mutate(v, if which % 2 == 0 { toml_text } else { &json_text }, &p, &c, &s, structural);
        judged("run description", &text, || RunDescription::parse(&text));
    }
}

proptest! {
    #![proptest_config(cases(35_000))]
    /// Messages from an embedding page.
    #[test]
    fn embed_messages_refuse_in_one_line(
        which in any::<usize>(), p in picks(), c in change(), s in splice(), structural in any::<bool>()
    ) {
        let all = commands();
        let v = &all[which % all.len()];
        let text = mutate(v, &v.to_string(), &p, &c, &s, structural);
        let all = Controls::parse("all").unwrap();
        judged("embed message", &text, || parse_command(&text, all));
    }
}

proptest! {
    #![proptest_config(cases(5_000))]
    /// Exercise files a teacher writes (TOML) or the builder exports (JSON).
    #[test]
    fn exercise_packs_refuse_in_one_line(
        which in any::<usize>(), p in picks(), c in change(), s in splice(), structural in any::<bool>()
    ) {
        let all = packs();
        let (v, toml_text) = &all[which % all.len()];
        let text = mutate(v, toml_text, &p, &c, &s, structural);
        judged("exercise pack", &text, || Pack::parse(&text));
    }
}

proptest! {
    #![proptest_config(cases(5_000))]
    /// Tours, as the page reads them (JSON).
    #[test]
    fn tours_refuse_in_one_line(
        which in any::<usize>(), p in picks(), c in change(), s in splice(), structural in any::<bool>()
    ) {
        let all = tours();
        let v = &all[which % all.len()];
        let text = mutate(v, &v.to_string(), &p, &c, &s, structural);
        judged("tour", &text, || splitbrain_tour::Tour::parse(&text));
    }
}

proptest! {
    #![proptest_config(cases(4_000))]
    /// The diagram worker's requests, which come from the page: read and answered by its
    /// engine, holding a short Raft run (an absurd window must not take it long).
    #[test]
    fn diagram_worker_requests_are_answered_quickly(
        p in picks(), c in change(), s in splice(), structural in any::<bool>()
    ) {
        let v = json!({"draw": {"seq": 3, "window": {
            "from": 0, "to": 2_000_000, "px_per_sec": 300.0, "compressed": false, "quiet": 0,
            "width": 600.0, "now": 1_000_000, "kinds": ["vote", "append", "ack"], "hidden": [],
            "hidden_nodes": [], "selected_msg": null, "selected_node": null}}});
        let text = mutate(&v, &v.to_string(), &p, &c, &s, structural);
        judged("diagram request", &text, || {
            splitbrain_diagram_worker::protocol::Request::parse(&text)?;
            DIAGRAM.with(|e| e.borrow_mut().handle_json(&text));
            Ok::<(), String>(())
        });
    }
}

proptest! {
    #![proptest_config(cases(1_000))]
    /// Solution links, through the grader: a link is parsed, its run replayed and judged.
    #[test]
    fn solution_links_through_the_grader_refuse_in_one_line(
        which in any::<usize>(), s in splice(), seed in 0u64..1_000
    ) {
        let (_, text) = &packs()[which % 4];
        let pack = Pack::parse(text).unwrap();
        let e = &pack.exercises[which / 4 % pack.exercises.len()];
        let mut run = e.run().unwrap();
        run.seed = seed;
        let link = solution_link("https://example.org/", e, &run);
        let bad = spliced(&link, &s);
        judged("solution link", &bad, || grade(&pack, &e.id, &bad));
    }
}

proptest! {
    #![proptest_config(cases(5_000))]
    /// Client operations as the request box and scenario files give them, and the key-value
    /// labs' client settings (the quorum lab's N, R, W and the rest) as a link may carry them,
    /// built into a run.
    #[test]
    fn client_operations_and_settings_refuse_in_one_line(
        which in any::<usize>(), s in splice(), p in picks(), c in change()
    ) {
        let ops = ["set x=1", "set x 1", "get x", "cas x 1 2", "incr y"];
        let text = spliced(ops[which % ops.len()], &s);
        judged("client operation", &text, || splitbrain_raft::Cmd::parse(&text));
        let (lab, mut params) = match which % 3 {
            0 => ("raft", json!({"clients": 3, "variant": "local-reads"})),
            1 => ("paxos", json!({"clients": 3, "variant": "no-dedup"})),
            _ => ("quorum", json!({"clients": 3, "replicas": 3, "r": 1, "w": 3, "repair": "blocking", "sloppy": true, "auto": false, "ack_timeout": "100ms"})),
        };
        apply(&mut params, &p, &c);
        let mut run = RunDescription::new(lab, 1, 5);
        run.params = params;
        judged("clients setting", &run.params.to_string(), || splitbrain_labs::build(&run, 0).map(|_| ()));
    }
}
