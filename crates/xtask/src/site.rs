//! Building the site into `dist/`: one page per bundle of labs, the embed snippet and its
//! example, each page's boot code as a file of its own (so the site runs under a CSP without
//! `'unsafe-inline'`), and `_headers` with the caching and policy of every file.

use crate::{Failure, headers, root, run, run_in};
use std::path::Path;

/// The site's pages besides the root one: (directory under `dist/`, the app's lab features,
/// extra `<head>` lines). Mirrors `BUNDLES` in `crates/app/src/bundles.rs`; the root page's
/// features are in `web/index.html`. Every page but `balance/` and `quorum/` (no buggy variants to
/// hunt: the quorum lab's settings are its lessons) also gets
/// the bug hunt's worker, built with the same lab features.
pub const BUNDLES: &[(&str, &str, &str)] = &[
    ("broadcast", "lab-broadcast", ""),
    ("paxos", "lab-paxos", ""),
    ("hashing", "lab-hashing", ""),
    ("quorum", "lab-quorum", ""),
    (
        "balance",
        "lab-balance",
        r#"<link data-trunk rel="copy-file" href="vendor/node_modules/uplot/dist/uPlot.iife.min.js">
  <link data-trunk rel="css" href="vendor/node_modules/uplot/dist/uPlot.min.css">
  <script src="uPlot.iife.min.js"></script>
"#,
    ),
];

/// Plain files copied beside the root page: the embed snippet and its example page.
const PLAIN_FILES: &[&str] = &[
    "embed.js",
    "embed-example.html",
    "embed-example.js",
    "embed-example.css",
];

fn io(what: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure(format!("{what}: {e}"))
}

/// Builds every page into `dist/` (trunk replaces the whole directory), moves each page's boot
/// script into a file, and writes `dist/_headers` allowing framing by `frame_ancestors`.
pub fn build(frame_ancestors: &str) -> Result<(), Failure> {
    run(
        "trunk",
        &["build", "--release", "--offline", "--skip-version-check"],
    )?;
    let dist = root().join("dist");
    for file in PLAIN_FILES {
        std::fs::copy(root().join("web").join(file), dist.join(file))
            .map_err(io(&format!("cannot copy web/{file} into dist/")))?;
    }
    // The icon under a name that does not change, for the example page and hosts' links.
    std::fs::copy(root().join("static/favicon.svg"), dist.join("favicon.svg"))
        .map_err(io("cannot copy static/favicon.svg into dist/"))?;
    let page = std::fs::read_to_string(root().join("web/index.html"))
        .map_err(io("cannot read web/index.html"))?;
    let root_features = r#"data-cargo-features="lab-raft""#;
    if !page.contains(root_features) {
        return Err(Failure(format!(
            "web/index.html must name its labs with {root_features}"
        )));
    }
    for (dir, features, head) in BUNDLES {
        let html = format!("web/.bundle-{dir}.html");
        let mut bundle = page
            .replace(
                root_features,
                &format!(r#"data-cargo-features="{features}""#),
            )
            .replace("</head>", &format!("  {head}</head>"));
        if matches!(*dir, "balance" | "quorum") {
            bundle = without_worker(&bundle);
        }
        std::fs::write(root().join(&html), bundle).map_err(io(&format!("cannot write {html}")))?;
        run(
            "trunk",
            &[
                "build",
                "--release",
                "--offline",
                "--skip-version-check",
                &html,
                "--dist",
                &format!("dist/{dir}"),
            ],
        )?;
    }
    externalize_boot(&dist)?;
    worker_loader(&dist)?;
    for (dir, _, _) in BUNDLES {
        externalize_boot(&dist.join(dir))?;
        worker_loader(&dist.join(dir))?;
    }
    let mut paths = Vec::new();
    list(&dist, "", &mut paths).map_err(io("cannot list dist/"))?;
    paths.sort();
    std::fs::write(
        dist.join("_headers"),
        headers::headers_file(&paths, frame_ancestors),
    )
    .map_err(io("cannot write dist/_headers"))
}

/// The workers a page may carry, by the name trunk gives their files.
const WORKERS: &[&str] = &["hunt-worker", "diagram-worker"];

/// Trunk's loader for a worker starts wasm-bindgen's glue with a bare path, which the glue now
/// warns about in the console; the same start with the options object it asks for.
fn worker_loader(dir: &Path) -> Result<(), Failure> {
    for name in WORKERS {
        let path = dir.join(format!("{name}_loader.js"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // a page without this worker
        };
        let wasm = format!(r#"wasm_bindgen("./{name}_bg.wasm")"#);
        if !text.contains(&wasm) {
            return Err(Failure(format!(
                "{}: trunk's worker loader changed; expected {wasm}",
                path.display()
            )));
        }
        let fixed = text.replace(
            &wasm,
            &format!(r#"wasm_bindgen({{ module_or_path: "./{name}_bg.wasm" }})"#),
        );
        std::fs::write(&path, fixed).map_err(io("cannot rewrite a worker's loader"))?;
    }
    Ok(())
}

/// The page without the hunt worker's `<link>` (a page whose labs have no bugs to hunt).
fn without_worker(page: &str) -> String {
    let Some(start) = page.find(r#"<link data-trunk rel="rust" href="../crates/hunt-worker"#)
    else {
        return page.to_string();
    };
    let end = page[start..]
        .find('>')
        .map_or(page.len(), |e| start + e + 1);
    format!(
        "{}{}",
        &page[..start],
        page[end..].trim_start_matches([' ', '\n'])
    )
}

/// Prints each page's download, gzip and brotli, as `web/tools/sizes.mjs` measures it.
pub fn print_sizes() -> Result<(), Failure> {
    run_in(&root(), "node", &["web/tools/sizes.mjs"], &[])
}

/// Every file under `dir` as a URL path from the site's root (`/paxos/index.html`).
fn list(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        if entry.file_type()?.is_dir() {
            list(&entry.path(), &path, out)?;
        } else if name != "_headers" {
            out.push(path);
        }
    }
    Ok(())
}

/// A stable 64-bit FNV-1a: names the boot file by its content, so it may be cached forever.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Trunk writes each page's start-up as an inline `<script type="module">`, which a CSP
/// without `'unsafe-inline'` refuses (trunk-rs/trunk#288). The same code as a file beside the
/// page runs the same: its imports are relative to the file, which sits in the page's folder.
fn externalize_boot(dir: &Path) -> Result<(), Failure> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(io("cannot read a built page"))?;
    let rewritten =
        move_inline_module(&html).map_err(|m| Failure(format!("{}: {m}", index.display())))?;
    let (page, boot_name, boot) = rewritten;
    std::fs::write(dir.join(&boot_name), boot).map_err(io("cannot write a boot script"))?;
    std::fs::write(&index, page).map_err(io("cannot rewrite a built page"))
}

/// The page with its one inline module script replaced by `<script type="module" src>`, the
/// new file's name and its text. Fails if the page then still holds inline script or style.
fn move_inline_module(html: &str) -> Result<(String, String, String), String> {
    const OPEN: &str = r#"<script type="module">"#;
    let start = html
        .find(OPEN)
        .ok_or("no inline module script to move (has trunk changed its output?)")?;
    let len = html[start..]
        .find("</script>")
        .ok_or("an unterminated <script>")?;
    let code = html[start + OPEN.len()..start + len].trim().to_string() + "\n";
    let name = format!("boot-{:016x}.js", fnv1a(code.as_bytes()));
    let page = format!(
        r#"{}<script type="module" src="./{name}"></script>{}"#,
        &html[..start],
        &html[start + len + "</script>".len()..]
    );
    for (i, _) in page.match_indices("<script") {
        let tag = &page[i..i + page[i..].find('>').unwrap_or(0)];
        if !tag.contains("src=") {
            return Err(format!("an inline script remains: {tag}>"));
        }
    }
    if page.contains("<style") || page.contains(" style=") {
        return Err("inline style remains, which style-src 'self' refuses".into());
    }
    Ok((page, name, code))
}

#[cfg(test)]
mod tests {
    use super::move_inline_module;

    #[test]
    fn the_boot_script_moves_to_a_file_named_by_its_content() {
        let html = "<head>\n<script type=\"module\">\nimport init from './a-1.js';\nawait init();\n</script>\n<link rel=\"icon\" href=\"f.svg\"></head>";
        let (page, name, code) = move_inline_module(html).unwrap();
        assert_eq!(code, "import init from './a-1.js';\nawait init();\n");
        assert!(name.starts_with("boot-") && name.ends_with(".js") && name.len() == 24);
        assert_eq!(
            page,
            format!(
                "<head>\n<script type=\"module\" src=\"./{name}\"></script>\n<link rel=\"icon\" href=\"f.svg\"></head>"
            )
        );
        let (_, again, _) = move_inline_module(html).unwrap();
        assert_eq!(name, again);
    }

    #[test]
    fn inline_code_left_behind_is_an_error() {
        let two = "<script type=\"module\">a()</script><script>b()</script>";
        assert!(
            move_inline_module(two)
                .unwrap_err()
                .contains("inline script remains")
        );
        let styled = "<script type=\"module\">a()</script><p style=\"x\">";
        assert!(move_inline_module(styled).is_err());
        assert!(move_inline_module("<p>").is_err());
    }
}
