//! Stylesheets as a browser needs them: without comments and without the white space that
//! separates nothing. The stylesheet is render-blocking, so its bytes come straight off a
//! page's first paint (a third of the built-in stylesheet is comments and indentation; on
//! Lighthouse's slow-phone profile that was 0.15 s of first contentful paint, BENCHMARKS.md
//! "A map's weight").
//!
//! Deliberately conservative, so that it cannot change what a stylesheet means: it never
//! touches the inside of a string or of an unquoted `url(…)`, keeps `/*! … */` comments
//! (licences), turns every other comment and run of white space into at most one space, and
//! drops that space only next to `{`, `}`, `;`, `,` and `>`, where CSS never needs it (not
//! around `:`, which in a selector is the difference between `a :hover` and `a:hover`, nor
//! around `+` and `-`, which `calc()` needs spaced). A `;` before `}` goes too.

use crate::graphics::cut;

/// Where white space can go: next to these, a space separates nothing.
fn needs_no_space(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',' | '>')
}

/// `css` without its comments (but `/*! … */`) and needless white space.
pub fn css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.char_indices().peekable();
    // A space is owed between the last character written and the next, unless either of them
    // makes it needless.
    let mut space = false;
    let push = |out: &mut String, space: &mut bool, c: char| {
        if *space
            && let Some(last) = out.chars().last()
            && !needs_no_space(last)
            && !needs_no_space(c)
        {
            out.push(' ');
        }
        *space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    };
    while let Some((at, c)) = chars.next() {
        match c {
            '/' if cut(css, at..).starts_with("/*") => {
                let end = cut(css, at + 2..)
                    .find("*/")
                    .map_or(css.len(), |e| at + 2 + e + 2);
                if cut(css, at..).starts_with("/*!") {
                    push(&mut out, &mut space, '/');
                    out.push_str(cut(css, at + 1..end));
                } else {
                    space = true;
                }
                while chars.peek().is_some_and(|&(i, _)| i < end) {
                    chars.next();
                }
            }
            '"' | '\'' => {
                push(&mut out, &mut space, c);
                let mut escaped = false;
                for (_, s) in chars.by_ref() {
                    out.push(s);
                    match s {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        _ if s == c => break,
                        _ => {}
                    }
                }
            }
            '(' if out
                .get(out.len().saturating_sub(3)..)
                .is_some_and(|end| end.eq_ignore_ascii_case("url")) =>
            {
                push(&mut out, &mut space, c);
                let inner = cut(css, at + 1..).trim_start();
                if !inner.starts_with(['"', '\'']) {
                    // An unquoted URL runs to its `)` as it is.
                    let end = cut(css, at + 1..)
                        .find(')')
                        .map_or(css.len(), |e| at + 1 + e);
                    out.push_str(cut(css, at + 1..end));
                    while chars.peek().is_some_and(|&(i, _)| i < end) {
                        chars.next();
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            c => push(&mut out, &mut space, c),
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_needless_white_space_go() {
        let input =
            "/* The page */\nbody {\n  margin: 0;\n  color: red;\n}\n\na > b ,\ni { x: 1 }\n";
        assert_eq!(css(input), "body{margin: 0;color: red}a>b,i{x: 1}\n");
    }

    #[test]
    fn white_space_that_means_something_stays() {
        // A descendant selector, a pseudo-class on any descendant, calc() and !important.
        let input = "nav  a :hover { width: calc(100% - 2 * 1rem) !important }";
        assert_eq!(
            css(input),
            "nav a :hover{width: calc(100% - 2 * 1rem) !important}\n"
        );
        // A comment separates tokens as white space does.
        assert_eq!(css("a{margin:0/**/auto}"), "a{margin:0 auto}\n");
    }

    #[test]
    fn strings_urls_and_licences_are_left_as_they_are() {
        let input = "a::before { content: \"  /* not a comment */ ; } \\\" \" }\n\
                     b { background: url( a  b.png ) } c { background: URL(\"x  y.png\") }\n\
                     /*! Licence: keep me */ d { e: 'it''s' }";
        assert_eq!(
            css(input),
            "a::before{content: \"  /* not a comment */ ; } \\\" \"}b{background: url( a  b.png )}c{background: URL(\"x  y.png\")}/*! Licence: keep me */ d{e: 'it''s'}\n"
        );
    }

    #[test]
    fn nested_rules_and_media_queries() {
        let input = "@media (prefers-color-scheme: dark) {\n  :root { --bg: #111; }\n  .a, .b { fill: var(--bg); }\n}\n";
        assert_eq!(
            css(input),
            "@media (prefers-color-scheme: dark){:root{--bg: #111}.a,.b{fill: var(--bg)}}\n"
        );
    }

    #[test]
    fn any_text_is_safe() {
        for text in [
            "",
            "/*",
            "\"",
            "url(",
            "a{",
            "/*!",
            "é/* ü */日本",
            "'\\",
            "}}};;",
        ] {
            let _ = css(text);
        }
        assert_eq!(css("é /* ü */ 日本"), "é 日本\n");
    }

    #[test]
    fn the_built_in_stylesheet_loses_a_third_and_keeps_every_rule() {
        let original = include_str!("../../static/style.css");
        let small = css(original);
        assert!(
            small.len() * 10 < original.len() * 8,
            "{} → {}",
            original.len(),
            small.len()
        );
        let braces = |s: &str| (s.matches('{').count(), s.matches('}').count());
        let without_comments = regex_free_comments(original);
        assert_eq!(braces(&small), braces(&without_comments));
    }

    /// The stylesheet's text outside comments (none of its strings holds `/*`).
    fn regex_free_comments(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("/*") {
            out.push_str(cut(rest, ..start));
            rest = cut(rest, start..)
                .find("*/")
                .map_or("", |end| cut(rest, start + end + 2..));
        }
        out.push_str(rest);
        out
    }
}
