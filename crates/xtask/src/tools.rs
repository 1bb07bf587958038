//! Finding and installing the tools the build and the tests need, each at a known version.

use crate::{Failure, output, root, run, run_in};
use std::process::Command;

/// Trunk 0.22 needs rustc 1.96; this machine kind has 1.95.
const TRUNK: &str = "0.21.14";
/// npm's binaryen; Debian's is too old to read current rustc output.
const BINARYEN: &str = "132.0.0";
const WASM_OPT_VERSION: &str = "version 132";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The book tool the embedding test builds a real book with.
const MDBOOK: &str = "0.5.4";
/// The servers the README's hosting recipes are tried with: (binary, Debian package).
const SERVERS: &[(&str, &str)] = &[
    ("/usr/sbin/nginx", "nginx-light"),
    ("/usr/bin/caddy", "caddy"),
];

/// `true` when `program args` runs and succeeds.
pub fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn version(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String, Failure> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| Failure(format!("cannot read Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|v| v.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err(Failure("Cargo.lock has no wasm-bindgen entry".into()))
}

fn cargo_install(krate: &str, version: &str) -> Result<(), Failure> {
    cargo_install_with(krate, version, &[])
}

fn cargo_install_with(krate: &str, version: &str, extra: &[&str]) -> Result<(), Failure> {
    let spec = format!("{krate}@{version}");
    let args = |locked: bool| {
        let mut a = vec!["install"];
        if locked {
            a.push("--locked");
        }
        a.push(&spec);
        a.extend_from_slice(extra);
        a
    };
    if run("cargo", &args(true)).is_ok() {
        return Ok(());
    }
    println!(
        "    --locked failed (the registry mirror may lag a pinned crate); retrying without it"
    );
    run("cargo", &args(false)).map_err(|Failure(m)| {
        Failure(format!(
            "{m}\n    could not install {spec}; install it by hand with `cargo install {spec}`"
        ))
    })
}

/// The wasm32 target, trunk, wasm-bindgen-cli and wasm-opt.
pub fn ensure_build_tools() -> Result<(), Failure> {
    let targets = output(&root(), "rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        println!("    ok  wasm32-unknown-unknown target");
    } else {
        println!("    installing the wasm32-unknown-unknown target (rustup)");
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }

    match version("trunk") {
        Some(v) if v.ends_with(TRUNK) => println!("    ok  {v}"),
        found => {
            println!(
                "    installing trunk {TRUNK} (found {}); this compiles for ~10 minutes",
                found.as_deref().unwrap_or("none")
            );
            cargo_install("trunk", TRUNK)?;
        }
    }

    // JavaScript the pages ship (uPlot for the load-balancing charts), pinned in
    // web/vendor/package-lock.json.
    let vendor = root().join("web/vendor");
    if vendor.join("node_modules/uplot/package.json").exists() {
        println!("    ok  uplot (web/vendor/node_modules)");
    } else {
        need_npm()?;
        println!("    installing uplot for the load-balancing charts (npm ci in web/vendor)");
        run_in(&vendor, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    }

    let wb = locked_wasm_bindgen()?;
    match version("wasm-bindgen") {
        Some(v) if v.ends_with(&wb) && has("wasm-bindgen-test-runner", &["--version"]) => {
            println!("    ok  {v}")
        }
        found => {
            println!(
                "    installing wasm-bindgen-cli {wb} to match Cargo.lock (found {})",
                found.as_deref().unwrap_or("none")
            );
            cargo_install("wasm-bindgen-cli", &wb)?;
        }
    }

    match version("wasm-opt") {
        Some(v) if v.contains(WASM_OPT_VERSION) => println!("    ok  wasm-opt {WASM_OPT_VERSION}"),
        found => {
            println!(
                "    installing wasm-opt (npm binaryen@{BINARYEN}; found {})",
                found.as_deref().unwrap_or("none")
            );
            need_npm()?;
            run("npm", &["install", "-g", &format!("binaryen@{BINARYEN}")])?;
        }
    }
    Ok(())
}

fn need_npm() -> Result<(), Failure> {
    if has("npm", &["--version"]) && has("node", &["--version"]) {
        Ok(())
    } else {
        Err(Failure(
            "Node.js and npm are needed (wasm-opt, browser tests): apt-get install -y nodejs npm"
                .into(),
        ))
    }
}

fn is_root() -> bool {
    output(&root(), "id", &["-u"]).is_ok_and(|s| s.trim() == "0")
}

/// Installs Debian packages with apt when running as root; otherwise fails with the line to
/// run.
fn apt_install(packages: &[&str], for_what: &str) -> Result<(), Failure> {
    let list = packages.join(" ");
    if !is_root() {
        return Err(Failure(format!(
            "{for_what} need {list}; install with: sudo apt-get install -y --no-install-recommends {list}"
        )));
    }
    println!("    installing {list} (apt-get) for {for_what}");
    run("apt-get", &["update"])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run_in(
        &root(),
        "apt-get",
        &args,
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

/// Debian's Chromium and the e2e suite's npm packages.
pub fn ensure_browser_tools() -> Result<(), Failure> {
    if std::path::Path::new(CHROMIUM).exists() {
        println!(
            "    ok  {}",
            version(CHROMIUM).unwrap_or_else(|| CHROMIUM.into())
        );
    } else {
        apt_install(&["chromium", "chromium-driver"], "the browser tests")?;
    }
    need_npm()?;
    let e2e = root().join("web/e2e");
    if e2e
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        println!("    ok  playwright-core (web/e2e/node_modules)");
    } else {
        println!(
            "    installing playwright-core for the browser tests (npm ci in web/e2e; no browser download)"
        );
        run_in(&e2e, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    }
    Ok(())
}

/// What the hosting and documentation tests run: nginx and Caddy (Debian's, for the README's
/// recipes) and mdBook (a real book that embeds the labs).
pub fn ensure_docs_tools() -> Result<(), Failure> {
    let missing: Vec<&str> = SERVERS
        .iter()
        .filter(|(bin, _)| !std::path::Path::new(bin).exists())
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        println!("    ok  nginx and caddy (Debian)");
    } else {
        apt_install(&missing, "the README's hosting recipes")?;
    }
    match version("mdbook") {
        Some(v) if v.ends_with(MDBOOK) => println!("    ok  {v}"),
        found => {
            println!(
                "    installing mdbook {MDBOOK} for the embedding test (found {}); this compiles for a few minutes",
                found.as_deref().unwrap_or("none")
            );
            cargo_install_with("mdbook", MDBOOK, &["--no-default-features"])?;
        }
    }
    Ok(())
}
