//! `splitbrain grade` and `splitbrain exercises` as a teacher uses them: reference links made
//! with `exercises --link`, a class file with a refused row, every output format, and bad
//! files exiting 2 with one line.

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

fn link(id: &str, kind: &str) -> String {
    let path = format!("testdata/exercises/{id}.{kind}.toml");
    let o = cli(&["exercises", "--link", &path, "--id", id]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

fn class_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("splitbrain-class-{}.csv", std::process::id()));
    let csv = format!(
        "\u{feff}Student,Exercise,Link\nada,raft-term-3,{}\nbob,raft-term-3,{}\n\"carol, c.\",raft-depose,{}\n",
        link("raft-term-3", "solution"),
        link("raft-term-3", "attempt"),
        link("raft-term-3", "solution"),
    );
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn grade_prints_every_format_with_one_row_per_submission() {
    let class = class_file();
    let class = class.to_str().unwrap();
    let run = |format: &str| {
        let o = cli(&[
            "grade",
            "--exercises",
            "exercises/raft.toml",
            "--solutions",
            class,
            "--format",
            format,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("graded 3 submissions"));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run("text");
    assert!(text.contains("ada") && text.contains("2/2"), "{text}");
    assert!(text.contains("bob") && text.contains("0/2"), "{text}");
    assert!(
        text.contains("rejected: the link is for exercise \"raft-term-3\", not \"raft-depose\"")
    );

    let csv = run("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "student,exercise,score,max_score,status,detail");
    assert!(lines[1].starts_with("ada,raft-term-3,2,2,graded,"));
    assert!(lines[3].starts_with("\"carol, c.\",raft-depose,0,2,rejected,"));

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json[0]["goals"][0]["met_at"], 2_210_279);
    assert_eq!(json[1]["goals"][0]["met_at"], serde_json::Value::Null);

    let gs: serde_json::Value = serde_json::from_str(&run("gradescope")).unwrap();
    assert_eq!(gs["ada"]["score"], 2);
    assert_eq!(gs["ada"]["tests"][0]["max_score"], 2);
    assert_eq!(gs["bob"]["score"], 0);
    assert!(
        gs["carol, c."]["tests"][0]["output"]
            .as_str()
            .unwrap()
            .starts_with("Rejected:")
    );
}

#[test]
fn bad_files_exit_2_with_one_line() {
    let dir = std::env::temp_dir();
    let no_link = dir.join(format!("splitbrain-nolink-{}.csv", std::process::id()));
    std::fs::write(&no_link, "student,exercise\nada,raft-term-3\n").unwrap();
    let bad_pack = dir.join(format!("splitbrain-badpack-{}.toml", std::process::id()));
    std::fs::write(&bad_pack, "[[exercise]]\nid = \"x\"\n").unwrap();
    for (args, want) in [
        (
            vec![
                "grade",
                "--exercises",
                "exercises/raft.toml",
                "--solutions",
                no_link.to_str().unwrap(),
            ],
            "no link column",
        ),
        (
            vec![
                "grade",
                "--exercises",
                bad_pack.to_str().unwrap(),
                "--solutions",
                no_link.to_str().unwrap(),
            ],
            "bad TOML exercise file",
        ),
        (
            vec!["grade", "--exercises", "nope.toml", "--solutions", "x.csv"],
            "cannot read nope.toml",
        ),
        (
            vec!["exercises", "--link", "nope.toml", "--id", "raft-term-3"],
            "cannot read",
        ),
        (
            vec![
                "exercises",
                "--link",
                "testdata/exercises/raft-depose.solution.toml",
                "--id",
                "raft-term-3",
            ],
            "needs the partition control",
        ),
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

#[test]
fn exercises_lists_the_shipped_packs_and_prints_the_schema() {
    let o = cli(&["exercises"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = list.as_array().unwrap();
    for lab in ["raft", "paxos", "hashing", "balance"] {
        assert!(
            list.iter().filter(|e| e["lab"] == lab).count() >= 6,
            "{lab}"
        );
    }
    let o = cli(&["exercises", "--schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(schema["$defs"]["goal"].is_object());
}
