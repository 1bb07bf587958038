//! The HTTP headers the site should be served with, in one place: `cargo xtask serve` sends
//! them, `cargo xtask dist` writes them as `dist/_headers` (which the browser tests' server
//! reads, so every test runs under them), and the README's nginx and Caddy recipes are
//! rendered here too (a test checks the README holds exactly these).
//!
//! The policy: scripts only from the site itself plus WebAssembly compilation
//! (`'wasm-unsafe-eval'`), styles only from the site's stylesheets (the app draws every
//! run-dependent length as an SVG attribute, never an inline `style`), no plugins, and
//! framing by the sites `frame-ancestors` names (any page by default, so docs can embed it).
//! HTML and the unversioned files (`embed.js`) are revalidated on every visit; files whose
//! name carries a content hash never change and are cached for a year.

/// `frame-ancestors` when the host does not say: every page may embed the labs.
pub const ANY_SITE: &str = "*";

/// The Content-Security-Policy for every response. For [`ANY_SITE`] it has no
/// `frame-ancestors` at all: the directive's `*` matches only http(s) pages, so it would shut
/// out a docs page opened from a local file and sandboxed frames (a playground's preview),
/// which have no such origin.
pub fn csp(frame_ancestors: &str) -> String {
    // `img-src blob:`: the diagram's PNG export draws the page's own SVG, as a `blob:` image,
    // into a canvas.
    let policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                  img-src 'self' blob:; object-src 'none'; base-uri 'self'";
    if frame_ancestors == ANY_SITE {
        policy.to_string()
    } else {
        format!("{policy}; frame-ancestors {frame_ancestors}")
    }
}

/// Cache-Control for files named by their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control for everything else: keep a copy, but ask the server each time.
pub const REVALIDATE: &str = "no-cache";

/// The pattern of a content-hashed file name (trunk's `name-<hash>.ext`, wasm-bindgen's
/// `name-<hash>_bg.wasm`, our `boot-<hash>.js`), as an nginx and Caddy regular expression.
pub const HASHED_REGEX: &str = r"-[0-9a-f]{12,}(_bg)?\.(js|wasm|css|svg)$";

/// Whether `name` (a file name or URL path) is content-hashed: [`HASHED_REGEX`] by hand.
pub fn is_hashed(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "js" | "wasm" | "css" | "svg") || ext.contains('/') {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() >= 12 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Every header for the file at URL path `path`.
pub fn for_path(path: &str, frame_ancestors: &str) -> Vec<(&'static str, String)> {
    let cache = if is_hashed(path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    vec![
        ("Content-Security-Policy", csp(frame_ancestors)),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Cache-Control", cache.into()),
    ]
}

/// `dist/_headers` for the files at these URL paths (Netlify's and Cloudflare Pages' format,
/// read by the browser tests' server): the policy for every path, then each file's caching.
pub fn headers_file(paths: &[String], frame_ancestors: &str) -> String {
    let mut out = format!(
        "# Written by `cargo xtask dist` from crates/xtask/src/headers.rs.\n/*\n  \
         Content-Security-Policy: {}\n  X-Content-Type-Options: nosniff\n",
        csp(frame_ancestors)
    );
    for p in paths {
        let cache = if is_hashed(p) { IMMUTABLE } else { REVALIDATE };
        out.push_str(&format!("{p}\n  Cache-Control: {cache}\n"));
        // A page is also asked for by its folder (`/paxos/`).
        if let Some(folder) = p.strip_suffix("index.html") {
            out.push_str(&format!("{folder}\n  Cache-Control: {cache}\n"));
        }
    }
    out
}

/// The nginx recipe: a `server` block serving `dist/` from `/srv/splitbrain` (README,
/// "Hosting"; Debian's `http` block already includes `mime.types`, which knows `.wasm`).
/// nginx drops a level's `add_header`s when a nested block has its own, so the block for
/// hashed files repeats them.
pub fn nginx(frame_ancestors: &str) -> String {
    let policy = |indent: &str| {
        format!(
            "{indent}add_header Content-Security-Policy \"{}\" always;\n\
             {indent}add_header X-Content-Type-Options nosniff always;\n",
            csp(frame_ancestors)
        )
    };
    format!(
        "server {{\n    listen 8080;\n    root /srv/splitbrain;\n{}    \
         add_header Cache-Control \"{REVALIDATE}\" always;\n    \
         location ~ \"{HASHED_REGEX}\" {{\n{}        \
         add_header Cache-Control \"{IMMUTABLE}\" always;\n    }}\n}}\n",
        policy("    "),
        policy("        ")
    )
}

/// The Caddy recipe (a Caddyfile) for the same headers.
pub fn caddy(frame_ancestors: &str) -> String {
    format!(
        ":8080 {{
	root * /srv/splitbrain
	file_server
	header Content-Security-Policy \"{}\"
	header X-Content-Type-Options nosniff
	@hashed path_regexp {HASHED_REGEX}
	header @hashed Cache-Control \"{IMMUTABLE}\"
	@other not path_regexp {HASHED_REGEX}
	header @other Cache-Control \"{REVALIDATE}\"
}}
",
        csp(frame_ancestors)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_the_build_outputs_only() {
        for yes in [
            "/splitbrain-app-3f2c9f45b0dd4a91.js",
            "/paxos/splitbrain-app-3f2c9f45b0dd4a91_bg.wasm",
            "style-c5de813eb366374d.css",
            "/favicon-b4a063eebdb4edd.svg",
            "/boot-0123456789abcdef.js",
        ] {
            assert!(is_hashed(yes), "{yes}");
        }
        for no in [
            "/",
            "/index.html",
            "/embed.js",
            "/balance/uPlot.iife.min.js",
            "/a-0123.js",
            "/x-0123456789abcdef.html",
            "/x-0123456789ABCDEF.js",
        ] {
            assert!(!is_hashed(no), "{no}");
        }
    }

    #[test]
    fn the_policy_allows_no_inline_script_or_style() {
        let p = csp(ANY_SITE);
        assert!(!p.contains("unsafe-inline") && !p.contains("'unsafe-eval'"));
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(p.ends_with("base-uri 'self'"), "any page may frame it: {p}");
        let listed = csp("'self' https://docs.example.org");
        assert!(listed.ends_with("; frame-ancestors 'self' https://docs.example.org"));
    }

    #[test]
    fn the_headers_file_caches_each_file_by_its_name() {
        let f = headers_file(
            &["/index.html".into(), "/a-0123456789abcdef.js".into()],
            "'self'",
        );
        assert!(f.contains("/*\n  Content-Security-Policy: default-src 'self';"));
        assert!(f.contains("frame-ancestors 'self'\n"));
        assert!(
            f.contains("/index.html\n  Cache-Control: no-cache\n/\n  Cache-Control: no-cache\n")
        );
        assert!(f.contains(
            "/a-0123456789abcdef.js\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }

    /// The README's recipes are these functions' output, so they cannot drift from what
    /// `cargo xtask serve` and the browser tests use.
    #[test]
    fn the_readme_holds_the_recipes_verbatim() {
        let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
        for (name, recipe) in [("nginx", nginx(ANY_SITE)), ("Caddy", caddy(ANY_SITE))] {
            assert!(
                readme.contains(&recipe),
                "README.md's {name} recipe differs from crates/xtask/src/headers.rs; it should read:\n{recipe}"
            );
        }
    }
}
