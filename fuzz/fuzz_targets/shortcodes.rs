//! Shortcode syntax on any UTF-8 Markdown body: `shortcodes::parse::code_ranges` and
//! `shortcodes::parse::parse`, with the body placed after front matter as `render_body` places
//! it. Every range of the tree must lie inside the file on character boundaries (the expander
//! slices the file with them), and every diagnostic must render.

#![no_main]

use std::ops::Range;

use annotate_snippets::Renderer;
use libfuzzer_sys::fuzz_target;
use tradetalks::diagnostic::Diagnostic;
use tradetalks::shortcodes::parse::{self, Arg, ArgValue, Node};
use tradetalks::source::SourceFile;

/// Bodies are parsed where they sit in their file: after the front matter.
const FRONT: &str = "---\ntitle: Fuzz\n---\n";

/// Diagnostics rendered per input at most (rendering is the slow part).
const RENDERED: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse::may_contain_shortcodes(body);
    for range in parse::code_ranges(body) {
        assert!(
            range.start <= range.end && range.end <= body.len(),
            "code range {range:?} outside 0..{}",
            body.len()
        );
    }

    let file = SourceFile::new(
        "content/fuzz.md",
        "/fuzz/content/fuzz.md",
        format!("{FRONT}{body}"),
    );
    let base = FRONT.len();
    let (nodes, errors) = parse::parse(&file.text[base..], base);
    let renderer = Renderer::plain();
    let mut spans = Vec::new();
    walk(&file.text, &nodes, &mut spans);
    for span in spans.into_iter().take(RENDERED) {
        let _ = Diagnostic::error("fuzz").at(&file, span).render(&renderer);
    }
    for error in errors.into_iter().take(RENDERED) {
        check_range(&file.text, &error.span, "error span");
        let mut problem =
            Diagnostic::error(format!("shortcode: {}", error.message)).at(&file, error.span);
        if let Some(help) = error.help {
            problem = problem.with_help(help);
        }
        let _ = problem.render(&renderer);
    }
});

fn check_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what} {range:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what} {range:?} splits a character"
    );
}

/// Checks every range of the tree and collects the spans diagnostics point at.
fn walk(text: &str, nodes: &[Node], spans: &mut Vec<Range<usize>>) {
    for node in nodes {
        match node {
            Node::Text(range) => check_range(text, range, "text"),
            Node::Call(call) => {
                check_range(text, &call.span, "call");
                check_range(text, &call.name_span, "shortcode name");
                spans.push(call.name_span.clone());
                for arg in &call.args {
                    check_range(text, &arg.name_span, "argument name");
                    spans.push(arg.name_span.clone());
                    check_arg(text, &arg.arg, spans);
                }
                if let Some(body) = &call.body {
                    check_range(text, &body.range, "body");
                    walk(text, &body.nodes, spans);
                }
            }
        }
    }
}

fn check_arg(text: &str, arg: &Arg, spans: &mut Vec<Range<usize>>) {
    check_range(text, &arg.span, "argument value");
    spans.push(arg.span.clone());
    let _ = arg.value.type_name();
    let _ = arg.value.to_json();
    if let ArgValue::Array(items) = &arg.value {
        for item in items {
            check_arg(text, item, spans);
        }
    }
}
