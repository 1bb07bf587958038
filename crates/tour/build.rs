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
                let field = |k: &str| value.get(k).cloned().unwrap_or(toml::Value::Integer(0));
                index.push(serde_json::json!({
                    "id": field("id"), "lab": field("lab"), "title": field("title"),
                    "minutes": field("minutes"),
                }));
                serde_json::to_string(&value).unwrap()
            }
            Err(_) => String::new(),
        };
        fs::write(out.join(format!("{name}.json")), json).unwrap();
    }
    // Every tour's name, whatever labs a build carries, for the page's list of tours.
    fs::write(
        out.join("index.json"),
        serde_json::to_string(&index).unwrap(),
    )
    .unwrap();
}
