//! Writes exercises as TOML without a TOML library, so the page (which leaves the parser out to
//! stay small) can hand a teacher the file `splitbrain grade` reads.

use crate::exercise::{Exercise, Pack};
use serde_json::Value;

/// The order fields are written in: the order a teacher reads them.
const FIELDS: &[&str] = &[
    "id",
    "title",
    "lab",
    "level",
    "brief",
    "controls",
    "budget",
    "rewind",
    "time_limit",
    "hints",
    "start",
];

/// A key, bare when TOML allows it.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        Value::String(k.into()).to_string()
    }
}

/// A value written inline. JSON's strings, numbers and booleans are valid TOML as they are;
/// objects become inline tables. TOML has no null: null fields are left out.
fn inline(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .filter(|i| !i.is_null())
                .map(inline)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect();
            if fields.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", fields.join(", "))
            }
        }
        other => other.to_string(),
    }
}

/// One exercise as a `[[exercise]]` table with its `[[exercise.goals]]`.
pub fn exercise_toml(e: &Exercise) -> String {
    // Through text rather than `to_value`: the page then carries one writer, not two.
    let v: Value = serde_json::to_string(e)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut out = String::from("[[exercise]]\n");
    for f in FIELDS {
        match v.get(*f) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) if a.len() > 1 && a.iter().all(Value::is_string) => {
                out += &format!("{f} = [\n");
                for item in a {
                    out += &format!("  {item},\n");
                }
                out += "]\n";
            }
            Some(x) => out += &format!("{f} = {}\n", inline(x)),
        }
    }
    for g in v["goals"].as_array().into_iter().flatten() {
        out += "\n[[exercise.goals]]\n";
        for f in ["name", "points", "check"] {
            if let Some(x) = g.get(f).filter(|x| !x.is_null()) {
                out += &format!("{f} = {}\n", inline(x));
            }
        }
    }
    out
}

/// A whole pack, as `exercises/*.toml` files are written.
pub fn pack_toml(p: &Pack) -> String {
    let mut out = String::new();
    if !p.title.is_empty() {
        out += &format!("title = {}\n", Value::String(p.title.clone()));
    }
    for e in &p.exercises {
        out += "\n";
        out += &exercise_toml(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_pack_reads_back_the_same_from_its_written_toml() {
        for (name, pack) in crate::shipped() {
            let text = pack_toml(&pack);
            let back: Pack =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            assert_eq!(back, pack, "{name}");
        }
    }

    #[test]
    fn awkward_strings_and_keys_survive() {
        assert_eq!(key("min_term"), "min_term");
        assert_eq!(key("a b"), "\"a b\"");
        let v = serde_json::json!({"x": "quote \" backslash \\ newline \n tab \t é", "n": null});
        let text = format!("v = {}\n", inline(&v));
        let back: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(back["v"]["x"].as_str().unwrap(), v["x"].as_str().unwrap());
        assert!(back["v"].get("n").is_none());
    }
}
