//! Which block tags of a template are left open. Tera reports an unclosed `{% if %}` where
//! it gives up (often at a later `{% endblock %}`, as "Unknown tag"), far from the tag an
//! editor must fix; this walks the template's tags and says which block is open and where it
//! was opened.

use std::ops::Range;

/// Tags that open a block, and the tag that closes each.
const BLOCKS: [(&str, &str); 6] = [
    ("if", "endif"),
    ("for", "endfor"),
    ("block", "endblock"),
    ("macro", "endmacro"),
    ("filter", "endfilter"),
    ("raw", "endraw"),
];

/// A block tag found in the template: its keyword and the byte range of the whole tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub keyword: String,
    pub span: Range<usize>,
}

/// What is wrong with the template's blocks.
#[derive(Debug, PartialEq, Eq)]
pub enum Imbalance {
    /// `open` is still open when `closing` (which closes another kind of block) comes.
    Crossed { open: Tag, closing: Tag },
    /// `open` is never closed before the end of the template.
    Unclosed { open: Tag },
    /// `closing` closes no open block.
    Stray { closing: Tag },
}

impl Imbalance {
    /// Where the first tag involved ends: an error reported before it is not this one.
    pub fn first_tag_end(&self) -> usize {
        match self {
            Imbalance::Crossed { open, .. } | Imbalance::Unclosed { open } => open.span.end,
            Imbalance::Stray { closing } => closing.span.start,
        }
    }

    /// The message, the tag to point at, and a help line.
    pub fn explain(&self, text: &str) -> (String, Range<usize>, String) {
        let line = |at: usize| text.get(..at).map_or(1, |t| t.matches('\n').count() + 1);
        match self {
            Imbalance::Crossed { open, closing } => (
                format!(
                    "this `{{% {} %}}` is not closed: `{{% {} %}}` on line {} comes first",
                    open.keyword,
                    closing.keyword,
                    line(closing.span.start)
                ),
                open.span.clone(),
                format!(
                    "add `{{% {} %}}` where the {} ends, before line {}",
                    closer(&open.keyword),
                    open.keyword,
                    line(closing.span.start)
                ),
            ),
            Imbalance::Unclosed { open } => (
                format!(
                    "this `{{% {} %}}` is never closed before the end of the template",
                    open.keyword
                ),
                open.span.clone(),
                format!(
                    "add `{{% {} %}}` where the {} ends",
                    closer(&open.keyword),
                    open.keyword
                ),
            ),
            Imbalance::Stray { closing } => (
                format!("this `{{% {} %}}` closes no open block", closing.keyword),
                closing.span.clone(),
                format!(
                    "remove it, or add the `{{% {} %}}` it should close",
                    opener(&closing.keyword)
                ),
            ),
        }
    }
}

fn closer(keyword: &str) -> &str {
    BLOCKS
        .iter()
        .find(|(open, _)| *open == keyword)
        .map_or("end", |(_, close)| close)
}

fn opener(keyword: &str) -> &str {
    BLOCKS
        .iter()
        .find(|(_, close)| *close == keyword)
        .map_or("?", |(open, _)| open)
}

/// The first imbalance of block tags in `text`, if any. Comments (`{# … #}`) and the content
/// of `{% raw %}` are skipped; `{% set x = … %}` and other one-line tags open nothing.
pub fn check(text: &str) -> Option<Imbalance> {
    let mut stack: Vec<Tag> = Vec::new();
    let mut at = 0;
    while let Some(found) = text.get(at..).and_then(|rest| rest.find('{')) {
        let start = at + found;
        let rest = text.get(start..).unwrap_or_default();
        if rest.starts_with("{#") {
            at = rest.find("#}").map_or(text.len(), |end| start + end + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            at = start + 1;
            continue;
        }
        let Some(end) = rest.find("%}") else {
            break;
        };
        let span = start..start + end + 2;
        let inner = rest.get(2..end).unwrap_or_default();
        let keyword = inner
            .trim_start_matches(['-', '+'])
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_end_matches(['-', '+'])
            .to_owned();
        at = span.end;
        let tag = Tag { keyword, span };
        if BLOCKS.iter().any(|(open, _)| *open == tag.keyword) {
            let raw = tag.keyword == "raw";
            stack.push(tag);
            if raw {
                // Everything up to `{% endraw %}` is text.
                match find_endraw(text, at) {
                    Some(close) => {
                        stack.pop();
                        at = close;
                    }
                    None => return stack.pop().map(|open| Imbalance::Unclosed { open }),
                }
            }
        } else if tag.keyword.starts_with("end") {
            match stack.pop() {
                Some(open) if closer(&open.keyword) == tag.keyword => {}
                Some(open) => return Some(Imbalance::Crossed { open, closing: tag }),
                None => return Some(Imbalance::Stray { closing: tag }),
            }
        }
    }
    stack.pop().map(|open| Imbalance::Unclosed { open })
}

/// Where the `{% endraw %}` after `from` ends.
fn find_endraw(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = text.get(at..)?.find("{%") {
        let start = at + found;
        let rest = text.get(start..)?;
        let end = rest.find("%}")?;
        let inner = rest
            .get(2..end)?
            .trim_matches(['-', '+', ' ', '\t', '\n', '\r']);
        if inner == "endraw" {
            return Some(start + end + 2);
        }
        at = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_if_left_open_is_found_at_its_tag() {
        let text = "{% block content %}\n{% if page.description %}\n<p>x</p>\n{% for a in b %}{{ a }}{% endfor %}\n{% endblock content %}\n";
        let Some(Imbalance::Crossed { open, closing }) = check(text) else {
            panic!("{:?}", check(text));
        };
        assert_eq!(open.keyword, "if");
        assert_eq!(
            text.get(open.span.clone()),
            Some("{% if page.description %}")
        );
        assert_eq!(closing.keyword, "endblock");
        let (message, span, help) = check(text).unwrap().explain(text);
        assert!(message.contains("line 5"), "{message}");
        assert_eq!(span, open.span);
        assert!(help.contains("{% endif %}"), "{help}");
    }

    #[test]
    fn balanced_templates_comments_and_raw_pass() {
        assert_eq!(
            check("{%- if a -%}x{% elif b %}y{% else %}z{%- endif %}"),
            None
        );
        assert_eq!(check("{# {% if %} #}{% raw %}{% if %}{% endraw %}"), None);
        assert_eq!(
            check("{% set x = 1 %}{{ x }}{% include \"a.html\" %}"),
            None
        );
        assert_eq!(check("{ not a tag } {{ '{%' }}"), None);
    }

    #[test]
    fn unclosed_and_stray_tags() {
        assert!(matches!(
            check("{% for x in y %}{{ x }}"),
            Some(Imbalance::Unclosed { open }) if open.keyword == "for"
        ));
        assert!(matches!(
            check("text {% endif %}"),
            Some(Imbalance::Stray { closing }) if closing.keyword == "endif"
        ));
        assert!(matches!(
            check("{% raw %}never closed"),
            Some(Imbalance::Unclosed { .. })
        ));
        // Any text at all: no panic.
        assert_eq!(check("{%日本%}{#"), None);
    }
}
