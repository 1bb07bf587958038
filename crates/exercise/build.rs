//! Compiles the shipped exercise packs (`exercises/*.toml`) into one JSON file, so the page reads
//! them without a TOML parser and the CLI without a path.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../exercises");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut packs = Vec::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap();
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message()));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        packs.push(serde_json::json!({ "name": name, "pack": value }));
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("packs.json");
    fs::write(out, serde_json::to_string(&packs).unwrap()).unwrap();
}
