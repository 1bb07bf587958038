//! Compiles the shipped tours (`tours/*.toml`) into one JSON file each, so the page reads them
//! without a TOML parser and a page bundle carries only its labs' tours.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../tours");
    println!("cargo:rerun-if-changed={}", dir.display());
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    let mut index = Vec::new();
    for name in ["raft", "paxos", "hashing", "balance", "broadcast"] {
        let path = dir.join(format!("{name}.toml"));
        println!("cargo:rerun-if-changed={}", path.display());
        // A lab without a tour yet compiles to nothing: `shipped` skips it.
        let json = match fs::read_to_string(&path) {
            Ok(text) => {
                let value: toml::Value = toml::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message()));
                let text = |k: &str| {
                    value
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                let minutes = value
                    .get("minutes")
                    .and_then(|v| v.as_integer())
                    .unwrap_or(0);
                index.push(format!(
                    "Listed {{ id: {:?}, lab: {:?}, title: {:?}, minutes: {minutes} }},",
                    text("id"),
                    text("lab"),
                    text("title")
                ));
                serde_json::to_string(&value).unwrap()
            }
            Err(_) => String::new(),
        };
        fs::write(out.join(format!("{name}.json")), json).unwrap();
    }
    // Every tour's name, whatever labs a build carries, for the page's list of tours: Rust
    // rather than JSON, so the page reads it without a parser.
    fs::write(out.join("index.rs"), format!("&[{}]", index.join("\n"))).unwrap();
}
