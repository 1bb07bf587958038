//! The little Markdown a step's narration uses: paragraphs apart by a blank line, `**bold**`,
//! `*italics*`, `` `code` `` and `[links](https://…)`. Parsed to spans the page turns into
//! elements, never into HTML text, so a tour cannot inject markup.

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain.
    Plain,
    /// `**bold**`.
    Bold,
    /// `*italics*`.
    Italic,
    /// `` `code` ``.
    Code,
    /// `[text](href)`.
    Link,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Its style.
    pub style: Style,
    /// The words.
    pub text: String,
    /// Where a link goes (empty otherwise).
    pub href: String,
}

/// Paragraphs, each a list of spans.
pub type Text = Vec<Vec<Span>>;

fn span(style: Style, text: &str) -> Span {
    Span {
        style,
        text: text.to_string(),
        href: String::new(),
    }
}

/// Reads the narration; an error says what is unclosed or unsafe.
pub fn parse(text: &str) -> Result<Text, String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
        if para.is_empty() {
            continue;
        }
        out.push(paragraph(&para)?);
    }
    Ok(out)
}

fn paragraph(p: &str) -> Result<Vec<Span>, String> {
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut rest = p;
    let flush = |plain: &mut String, spans: &mut Vec<Span>| {
        if !plain.is_empty() {
            spans.push(span(Style::Plain, plain));
            plain.clear();
        }
    };
    while let Some(c) = rest.chars().next() {
        let (style, open, close) = match c {
            '*' if rest.starts_with("**") => (Style::Bold, "**", "**"),
            '*' => (Style::Italic, "*", "*"),
            '`' => (Style::Code, "`", "`"),
            '[' => (Style::Link, "[", "]"),
            _ => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            }
        };
        let inner = &rest[open.len()..];
        let Some(end) = inner.find(close) else {
            return Err(format!("unclosed {open} in {p:?}"));
        };
        flush(&mut plain, &mut spans);
        let words = &inner[..end];
        rest = &inner[end + close.len()..];
        if style != Style::Link {
            spans.push(span(style, words));
            continue;
        }
        let Some(after) = rest.strip_prefix('(') else {
            return Err(format!("[{words}] needs (a link) right after it"));
        };
        let Some(close) = after.find(')') else {
            return Err(format!("unclosed ( after [{words}]"));
        };
        let href = &after[..close];
        if !(href.starts_with("https://") || href.starts_with("http://") || href.starts_with('?')) {
            return Err(format!(
                "a link goes to http(s):// or to a page query (?…), not {href:?}"
            ));
        }
        spans.push(Span {
            style,
            text: words.to_string(),
            href: href.to_string(),
        });
        rest = &after[close + 1..];
    }
    flush(&mut plain, &mut spans);
    Ok(spans)
}

/// The narration as plain words, for the screen reader's live region and the first-visit offer.
pub fn plain(text: &Text) -> String {
    text.iter()
        .map(|p| p.iter().map(|s| s.text.as_str()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_split_into_spans_and_paragraphs_on_blank_lines() {
        let t = parse("A **leader** sends *heartbeats*\nevery `50ms`.\n\nSee [the paper](https://raft.github.io).")
            .unwrap();
        assert_eq!(t.len(), 2);
        let styles: Vec<Style> = t[0].iter().map(|s| s.style).collect();
        assert_eq!(
            styles,
            [
                Style::Plain,
                Style::Bold,
                Style::Plain,
                Style::Italic,
                Style::Plain,
                Style::Code,
                Style::Plain
            ]
        );
        assert_eq!(t[0][4].text, " every ", "a line break is a space");
        assert_eq!(t[1][1].href, "https://raft.github.io");
        assert_eq!(
            plain(&t),
            "A leader sends heartbeats every 50ms. See the paper."
        );
    }

    #[test]
    fn unclosed_marks_and_unsafe_links_are_refused() {
        assert!(parse("a **bold").unwrap_err().contains("unclosed **"));
        assert!(parse("`code").is_err());
        assert!(parse("[x]").unwrap_err().contains("needs (a link)"));
        assert!(
            parse("[x](javascript:alert(1))")
                .unwrap_err()
                .contains("http(s)")
        );
        assert!(parse("[x](?tour=raft&step=2)").is_ok());
    }
}
