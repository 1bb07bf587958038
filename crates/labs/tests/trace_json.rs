//! A trace line reads back from its JSON as the same line: the page hands its run's lines to
//! the time-space diagram's worker as JSON, and a saved trace is the same text. Every lab's
//! default page run, with random faults, is written out and read back line by line.

use splitbrain_labs::{RunDescription, build, labs, random_faults};
use splitbrain_sim::{EVENT_TYPES, TraceLine, secs};

#[test]
fn every_labs_trace_lines_read_back_from_their_json_unchanged() {
    let mut seen = std::collections::BTreeSet::new();
    for info in labs() {
        let mut run = RunDescription::new(info.name, 11, 5);
        (info.page_defaults)(&mut run);
        let until = secs(15);
        run.until = Some(until);
        run.actions = random_faults(info, 11, run.nodes, until);
        let mut lab = build(&run, 1_000_000).unwrap();
        lab.run_until(until, 2_000_000);
        let lines = lab.trace_tail(100_000);
        assert!(lines.len() > 100, "{}: {} lines", info.name, lines.len());
        for l in &lines {
            let text = serde_json::to_string(l).unwrap();
            let back: TraceLine = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {text} does not read back: {e}", info.name));
            assert_eq!(&back, l, "{}: {text}", info.name);
            seen.insert(l.ev);
        }
    }
    for ev in &seen {
        assert!(EVENT_TYPES.contains(ev), "{ev} is missing from EVENT_TYPES");
    }
}

#[test]
fn a_trace_line_of_an_unknown_type_is_refused_with_its_name() {
    let err = serde_json::from_str::<TraceLine>(r#"{"i":1,"t":5,"ev":"teleported"}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown event type \"teleported\""),
        "{err}"
    );
    let l: TraceLine = serde_json::from_str(r#"{"i":1,"t":5,"ev":"crash","node":2}"#).unwrap();
    assert_eq!((l.ev, l.node, l.text.as_str()), ("crash", Some(2), ""));
}
