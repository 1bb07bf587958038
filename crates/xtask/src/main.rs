//! `cargo xtask serve | test | dist | bench`: the two commands a fresh machine needs, the
//! release build on its own, and benchmarks.
//!
//! Every tool is checked first and installed only when missing or at the wrong version, with a
//! line saying what is being installed and why. No dependencies, so it builds in seconds.
#![forbid(unsafe_code)]

mod headers;
mod site;
mod static_server;
mod tools;

use site::BUNDLES;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// A step failed; the message says which and what to do.
pub struct Failure(pub String);

/// The repository root (the parent of `crates/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command in the repository root, echoing it; fails with its exit status.
pub fn run(program: &str, args: &[&str]) -> Result<(), Failure> {
    run_in(&root(), program, args, &[])
}

/// Runs a command in `dir` with extra environment variables.
pub fn run_in(
    dir: &Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(), Failure> {
    println!("    $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| Failure(format!("cannot start {program}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!(
            "`{program} {}` failed ({status})",
            args.join(" ")
        )))
    }
}

/// Runs a command and returns its stdout.
pub fn output(dir: &Path, program: &str, args: &[&str]) -> Result<String, Failure> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| Failure(format!("cannot start {program}: {e}")))?;
    if !out.status.success() {
        return Err(Failure(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn step(
    name: &str,
    timings: &mut Vec<(String, f64)>,
    f: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    println!("==> {name}");
    let t = Instant::now();
    let r = f();
    timings.push((name.to_string(), t.elapsed().as_secs_f64()));
    r.map_err(|Failure(m)| Failure(format!("{name}: {m}")))
}

const USAGE: &str = "usage: cargo xtask <command>
  serve [--port N] [--host H] [--frame-ancestors SOURCES]
                                install missing tools, build the site, serve it (default 127.0.0.1:8080)
                                with the recommended headers (framing by any site unless SOURCES)
  dist [--frame-ancestors SOURCES]
                                install missing tools and build the site into dist/ without serving;
                                prints each page's size (gzip, brotli); dist/_headers has the headers
  test                          install missing tools, then fmt, clippy (native + wasm32), every Rust
                                test, the native-vs-wasm determinism test, the release build, and the
                                browser tests in headless Chromium
  recipe nginx|caddy [--frame-ancestors SOURCES]
                                print a server configuration that sends the site's headers
  bench                         simulator throughput (native and in Chromium), page size, frame cost";

/// Crates that must build for wasm32 (linted and tested there too).
const WASM_CRATES: &[&str] = &[
    "splitbrain-sim",
    "splitbrain-broadcast",
    "splitbrain-ping",
    "splitbrain-raft",
    "splitbrain-kv",
    "splitbrain-paxos",
    "splitbrain-labs",
    "splitbrain-embed",
    "splitbrain-exercise",
    "splitbrain-hashing",
    "splitbrain-sharding",
    "splitbrain-balance",
    "splitbrain-quorum",
    "splitbrain-hunt",
    "splitbrain-hunt-worker",
    "splitbrain-diagram",
    "splitbrain-diagram-worker",
    "splitbrain-app",
];

fn wasm_args<'a>(first: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = first.to_vec();
    for c in WASM_CRATES {
        v.push("-p");
        v.push(c);
    }
    v.extend_from_slice(rest);
    v
}

fn test() -> Result<(), Failure> {
    let mut timings = Vec::new();
    let started = Instant::now();
    step("tools", &mut timings, || {
        tools::ensure_build_tools()?;
        tools::ensure_browser_tools()?;
        tools::ensure_docs_tools()
    })?;
    step("cargo fmt --check", &mut timings, || {
        run("cargo", &["fmt", "--all", "--", "--check"])
    })?;
    step("clippy (native)", &mut timings, || {
        run(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    step("clippy (wasm32)", &mut timings, || {
        run(
            "cargo",
            &wasm_args(
                &["clippy", "--target", "wasm32-unknown-unknown"],
                &["--", "-D", "warnings"],
            ),
        )?;
        // Each page's bundle is its own feature set of the app.
        let root = ("", "lab-raft", "");
        for (_, features, _) in std::iter::once(&root).chain(BUNDLES) {
            run(
                "cargo",
                &[
                    "clippy",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "splitbrain-app",
                    "--no-default-features",
                    "--features",
                    features,
                    "--",
                    "-D",
                    "warnings",
                ],
            )?;
        }
        Ok(())
    })?;
    step("Rust tests", &mut timings, || {
        if tools::has("cargo-nextest", &["--version"]) {
            run(
                "cargo",
                &["nextest", "run", "--workspace", "--no-fail-fast"],
            )?;
            run("cargo", &["test", "--workspace", "--doc"])
        } else {
            run("cargo", &["test", "--workspace"])
        }
    })?;
    step(
        "determinism: the golden runs compiled to wasm32, under Node",
        &mut timings,
        || {
            run(
                "cargo",
                &[
                    "test",
                    "-p",
                    "splitbrain-labs",
                    "-p",
                    "splitbrain-hashing",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "golden",
                ],
            )
        },
    )?;
    step(
        "Raft: the correct algorithm survives 10,000 random-fault seeds (release CLI)",
        &mut timings,
        || quiet_sweep(&["raft"]),
    )?;
    step(
        "Paxos: single-decree and Multi-Paxos each survive 10,000 random-fault seeds (release CLI)",
        &mut timings,
        || {
            quiet_sweep(&["paxos", "--nodes", "5", "--param", "mode=single"])?;
            quiet_sweep(&["paxos", "--nodes", "5", "--param", "mode=multi"])
        },
    )?;
    step(
        "clients: Raft and Multi-Paxos with 3 clients keep a linearizable history over 10,000 random-fault seeds each (release CLI)",
        &mut timings,
        || {
            quiet_sweep(&["raft", "--param", "clients=3"])?;
            quiet_sweep(&["paxos", "--nodes", "5", "--param", "clients=3"])
        },
    )?;
    step(
        "quorum: strict overlapping quorums with blocking read repair (ABD) keep a linearizable history over 10,000 random-fault seeds (release CLI)",
        &mut timings,
        || {
            quiet_sweep(&[
                "quorum",
                "--param",
                "repair=blocking",
                "--param",
                "sloppy=false",
            ])
        },
    )?;
    step(
        "hashing: migrations under membership changes survive 10,000 random-fault seeds (release CLI)",
        &mut timings,
        || quiet_sweep(&["hashing", "--nodes", "9"]),
    )?;
    step(
        "load balancing: timeouts, retries, breakers and health checks under 10,000 random-fault seeds (release CLI)",
        &mut timings,
        || {
            quiet_sweep(&[
                "balance",
                "--nodes",
                "6",
                "--param",
                "timeout=300ms",
                "--param",
                "retries=3",
                "--param",
                "health_check=200ms",
                "--param",
                r#"breaker={"failures":3,"open_for":"2s"}"#,
                "--param",
                "queue=5",
                "--param",
                r#"service="pareto:100ms,1.5""#,
                "--param",
                r#"arrival="bursty:60/s,2s,1s""#,
            ])
        },
    )?;
    step("release build (cargo xtask dist)", &mut timings, || {
        site::build(headers::ANY_SITE)
    })?;
    step("browser tests (headless Chromium)", &mut timings, || {
        run_in(
            &root().join("web/e2e"),
            "node",
            &["--test", "--test-concurrency=1"],
            &[],
        )
    })?;
    println!(
        "\nxtask test: every check passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    for (name, s) in timings {
        println!("  {s:>7.1}s  {name}");
    }
    Ok(())
}

/// The value after option `name`, or a clear error.
fn value<'a>(
    it: &mut impl Iterator<Item = &'a String>,
    name: &str,
    what: &str,
) -> Result<String, Failure> {
    it.next()
        .cloned()
        .ok_or_else(|| Failure(format!("{name} needs {what}")))
}

/// `frame-ancestors` sources as typed: `*`, `'self'`, `'none'` or origins. Anything else (a
/// `;` that would end the directive, a quote out of place) is refused here, not in a browser.
fn check_frame_ancestors(sources: &str) -> Result<(), Failure> {
    let ok = |s: &str| {
        matches!(s, "*" | "'self'" | "'none'")
            || (!s.is_empty()
                && !s.contains(['\'', '"', ';', ','])
                && s.chars().all(|c| c.is_ascii_graphic()))
    };
    if !sources.trim().is_empty() && sources.split_whitespace().all(ok) {
        Ok(())
    } else {
        Err(Failure(format!(
            "--frame-ancestors takes *, 'self', 'none' or origins separated by spaces \
             (e.g. \"'self' https://docs.example.org\"), got {sources:?}"
        )))
    }
}

fn dist(args: &[String]) -> Result<(), Failure> {
    let mut frame_ancestors = headers::ANY_SITE.to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--frame-ancestors" => frame_ancestors = value(&mut it, a, "sources")?,
            other => return Err(Failure(format!("unknown option {other:?}\n{USAGE}"))),
        }
    }
    check_frame_ancestors(&frame_ancestors)?;
    tools::ensure_build_tools()?;
    println!("==> building every page of the site into dist/");
    site::build(&frame_ancestors)?;
    println!("==> what a visitor downloads, per page");
    site::print_sizes()?;
    println!(
        "dist/ is ready to publish as it is; its headers are in dist/_headers (README, \"Hosting\")"
    );
    Ok(())
}

/// Prints a hosting recipe with the site's headers, for a host that allows framing by other
/// sites than any (`--frame-ancestors`).
fn recipe(args: &[String]) -> Result<(), Failure> {
    let mut frame_ancestors = headers::ANY_SITE.to_string();
    let mut kind = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--frame-ancestors" => frame_ancestors = value(&mut it, a, "sources")?,
            "nginx" | "caddy" if kind.is_none() => kind = Some(a.clone()),
            other => return Err(Failure(format!("unknown option {other:?}\n{USAGE}"))),
        }
    }
    check_frame_ancestors(&frame_ancestors)?;
    match kind.as_deref() {
        Some("nginx") => print!("{}", headers::nginx(&frame_ancestors)),
        Some(_) => print!("{}", headers::caddy(&frame_ancestors)),
        None => return Err(Failure(format!("recipe needs nginx or caddy\n{USAGE}"))),
    }
    Ok(())
}

fn serve(args: &[String]) -> Result<(), Failure> {
    let mut port = "8080".to_string();
    let mut host = "127.0.0.1".to_string();
    let mut frame_ancestors = headers::ANY_SITE.to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => port = value(&mut it, a, "a number")?,
            "--host" => host = value(&mut it, a, "an address")?,
            "--frame-ancestors" => frame_ancestors = value(&mut it, a, "sources")?,
            other => return Err(Failure(format!("unknown option {other:?}\n{USAGE}"))),
        }
    }
    if port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(Failure(format!("--port must be 1..65535, got {port:?}")));
    }
    check_frame_ancestors(&frame_ancestors)?;
    tools::ensure_build_tools()?;
    println!("==> building every page of the site");
    site::build(&frame_ancestors)?;
    let addr = format!("{host}:{port}");
    println!("==> serving dist/ at http://{addr}/ (Ctrl-C to stop)");
    println!("    embedding example: http://{addr}/embed-example.html");
    println!("    headers: {}", headers::csp(&frame_ancestors));
    static_server::serve(&root().join("dist"), &addr, &frame_ancestors)
        .map_err(|e| Failure(format!("cannot serve at {addr}: {e}")))
}

/// A 10,000-seed sweep of a correct lab with the release CLI, without its progress output.
fn quiet_sweep(lab_args: &[&str]) -> Result<(), Failure> {
    let mut all = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "splitbrain-cli",
        "--",
        "sweep",
    ];
    all.extend_from_slice(lab_args);
    all.extend_from_slice(&["--seeds", "1..10000"]);
    run("cargo", &all)
}

/// Runs the release `splitbrain` CLI with these arguments.
fn release_cli(args: &[&str]) -> Result<(), Failure> {
    let mut all = vec!["run", "--release", "-p", "splitbrain-cli", "--"];
    all.extend_from_slice(args);
    run("cargo", &all)
}

fn bench() -> Result<(), Failure> {
    tools::ensure_build_tools()?;
    tools::ensure_browser_tools()?;
    println!("==> native throughput, engine workload (release CLI)");
    release_cli(&["bench"])?;
    println!("==> native throughput, Raft lab with client traffic and its invariants");
    release_cli(&["bench", "--lab", "raft", "--nodes", "5,9"])?;
    println!(
        "==> the linearizability checker: natively, then compiled to wasm in headless Chromium"
    );
    release_cli(&["bench", "--checker"])?;
    run_in(
        &root().join("crates/linearizable"),
        "cargo",
        &[
            "test",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "in_chromium",
            "--",
            "--nocapture",
        ],
        &[("CHROMEDRIVER", "/usr/bin/chromedriver")],
    )?;
    println!("==> the timeline, native: seeks in a 10-minute Raft run with traffic and faults");
    release_cli(&["bench", "--seek", "200"])?;
    println!(
        "==> consistent hashing: lookups and metrics for 1,000,000 keys after adding a server"
    );
    release_cli(&[
        "experiment",
        "hashing",
        "--algo",
        "modulo,ring,rendezvous,jump,maglev,bounded",
        "--servers",
        "10",
        "--keys",
        "1000000",
    ])?;
    println!("==> release build of the app");
    site::build(headers::ANY_SITE)?;
    println!(
        "==> page size, wasm throughput, first render, frame work and frame cost in Chromium \
         (set RAFTSCOPE_DIR to measure RaftScope in the same sitting)"
    );
    run_in(&root().join("web/e2e"), "node", &["bench.mjs"], &[])?;
    println!(
        "==> the timeline: seeks in a 10-minute Raft run (native and through the page), its \
         memory in the page, and the frame cost of dragging the scrubber"
    );
    // The benchmark's run travels as a link of 1,500 actions: larger than Node's default limit
    // on a request's headers.
    run_in(
        &root().join("web/e2e"),
        "node",
        &["--max-http-header-size=4000000", "timeline-bench.mjs"],
        &[],
    )?;
    println!(
        "==> the bug hunt: the worker's seeds/s, finding and shrinking each variant in its page, frame cost while hunting"
    );
    release_cli(&[
        "sweep",
        "raft",
        "--seeds",
        "1..1000",
        "--jobs",
        "1",
        "--latency",
        "10ms..20ms",
    ])?;
    run_in(&root().join("web/e2e"), "node", &["hunt-bench.mjs"], &[])
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("dist") => dist(&args[1..]),
        Some("recipe") => recipe(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Failure(format!("unknown command {other:?}\n{USAGE}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}
