//! What the event log says is words, not Rust: every lab's default page run, with random
//! faults and client requests, is played and each trace line's text is checked for Rust's
//! `Debug` syntax (`Some(`, `Op(`, `Timeout(23)`, `{ key: "k1" }`); and every lab's commands
//! print as the text they are parsed from.

use splitbrain_labs::{RunDescription, build, labs, random_faults};
use splitbrain_sim::secs;

fn rust_syntax(text: &str) -> Option<&'static str> {
    let b = text.as_bytes();
    if text.contains("Some(") || text.contains("None") {
        return Some("an Option");
    }
    if text.contains("{ ") || text.contains(": \"") {
        return Some("a struct");
    }
    // `Timeout(23)`, `Op(…)`: a capitalised word glued to a parenthesis.
    for (i, _) in text.match_indices('(') {
        if i > 1
            && b[i - 1].is_ascii_alphabetic()
            && b[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic())
                .last()
                .is_some_and(|c| c.is_ascii_uppercase())
        {
            return Some("a tuple variant");
        }
    }
    None
}

#[test]
fn every_labs_event_log_reads_as_words_not_rust() {
    for info in labs() {
        let mut run = RunDescription::new(info.name, 7, 5);
        (info.page_defaults)(&mut run);
        let until = secs(20);
        run.until = Some(until);
        run.actions = random_faults(info, 7, run.nodes, until);
        let mut lab = build(&run, 1_000_000).unwrap();
        lab.run_until(until, 2_000_000);
        let lines = lab.trace_tail(100_000);
        assert!(lines.len() > 100, "{}: {} lines", info.name, lines.len());
        for l in &lines {
            if let Some(what) = rust_syntax(&l.text) {
                panic!(
                    "{}: {} line {:?} shows {what}: {}",
                    info.name, l.ev, l.i, l.text
                );
            }
        }
    }
}

#[test]
fn the_checker_itself_spots_rust_syntax() {
    assert!(rust_syntax("Set { key: \"k1\", value: \"1\" }").is_some());
    assert!(rust_syntax("Op(Set)").is_some());
    assert!(rust_syntax("Timeout(23)").is_some());
    assert!(rust_syntax("Some(3)").is_some());
    assert!(rust_syntax("set x=1").is_none());
    assert!(rust_syntax("{n0,n1} | the rest").is_none());
    assert!(rust_syntax("timeout of #23").is_none());
    assert!(rust_syntax("reply to client: set x=1 ok (index 3)").is_none());
}

fn round_trip<P: splitbrain_sim::Process>(texts: &[&str])
where
    P::Command: PartialEq + std::fmt::Debug,
{
    for t in texts {
        let c = P::parse_command(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(
            P::parse_command(&c.to_string()),
            Ok(c.clone()),
            "{t:?} printed as {c}"
        );
    }
}

#[test]
fn every_labs_commands_print_as_the_text_they_are_read_from() {
    round_trip::<splitbrain_raft::Node>(&["set x=1", "set k v", "get x"]);
    round_trip::<splitbrain_paxos::Node>(&["propose hello", "hello", "set x=1", "get y"]);
    round_trip::<splitbrain_broadcast::Node>(&["broadcast 4", "7"]);
    round_trip::<splitbrain_ping::Node>(&["ping 2"]);
    round_trip::<splitbrain_balance::Node>(&[
        "rate 20",
        "rate 1.5/s",
        "slow 5",
        "slow 0.25",
        "slow 1",
        "eject 3",
        "admit n2",
    ]);
    round_trip::<splitbrain_sharding::Node>(&[
        "add",
        "add w=3",
        "remove 2",
        "weight 1=5",
        "get k4",
        "put 9",
    ]);
}
