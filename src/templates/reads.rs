//! What a page template reads of its `section`, found in the text of the template and of every
//! template it extends, includes or imports.
//!
//! A page's `section` value carries the summaries of all the section's pages. When `serve`
//! changes one page's summary (its word count, say), only the pages whose templates read the
//! section's lists must render again; a template that reads only the section's own fields
//! (`section.title`, `section.schema`, …) gives the same page as before. The analysis is
//! conservative: any use of `section` other than one of those fields, by any template the page
//! template reaches (or a template it cannot find), counts as reading the lists.

use std::collections::BTreeSet;

use super::TemplateSources;

/// Fields of a section's value that come from the section's own file and configuration, not
/// from its pages (see `pipeline::views::section_summary`): all that a page whose templates do
/// not read the section's lists can see of it (the page cache keys such a page by them).
pub(crate) const OWN_FIELDS: [&str; 11] = [
    "title",
    "description",
    "path",
    "url",
    "permalink",
    "content_path",
    "extra",
    "schema",
    "content",
    "toc",
    "word_count",
];

impl TemplateSources {
    /// Whether template `name`, or any template it reaches, may read `section.pages`,
    /// `section.subsections` or the whole `section` value.
    pub fn reads_section_lists(&self, name: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut pending = vec![name.to_owned()];
        let mut components_visited = false;
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(text) = self.text(&name) else {
                return true;
            };
            for tag in tags(text) {
                if reads_lists(tag) {
                    return true;
                }
                pending.extend(referenced_templates(tag));
                // A component is defined in any template: a call reaches them all.
                if tag.trim_start_matches('-').trim_start().starts_with('<') && !components_visited
                {
                    components_visited = true;
                    pending.extend(self.names().map(str::to_owned));
                }
            }
        }
        false
    }
}

/// The insides of a template's `{{ … }}` and `{% … %}` tags, in order (comments skipped).
fn tags(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('{')?;
            let after = rest.get(start + 1..)?;
            let close = match after.chars().next() {
                Some('{') => "}}",
                Some('%') => "%}",
                Some('#') => "#}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let inner = after.get(1..)?;
            let (tag, next) = match inner.find(close) {
                Some(end) => (inner.get(..end)?, inner.get(end + close.len()..)?),
                None => (inner, ""),
            };
            rest = next;
            if close != "#}" {
                return Some(tag);
            }
        }
    })
}

/// The template names a `{% extends/include/import/from … %}` tag names.
fn referenced_templates(tag: &str) -> Vec<String> {
    let tag = tag.trim_matches(|c: char| c == '-' || c.is_whitespace());
    let keyword = tag.split_whitespace().next().unwrap_or_default();
    if !matches!(keyword, "extends" | "include" | "import" | "from") {
        return Vec::new();
    }
    strings(tag).map(str::to_owned).collect()
}

/// The string literals of a tag.
fn strings(tag: &str) -> impl Iterator<Item = &str> {
    let mut rest = tag;
    std::iter::from_fn(move || {
        let start = rest.find(['"', '\'', '`'])?;
        let quote = rest.get(start..)?.chars().next()?;
        let after = rest.get(start + 1..)?;
        let end = after.find(quote).unwrap_or(after.len());
        rest = after.get(end + 1..).unwrap_or_default();
        after.get(..end)
    })
}

/// Whether a tag uses `section` other than through one of its own fields.
fn reads_lists(tag: &str) -> bool {
    let code = without_strings(tag);
    // Tera's dump of the whole context holds the section with its lists.
    if code.contains("__tera_context") {
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(at) = code.get(from..).and_then(|rest| rest.find("section")) {
        let start = from + at;
        let end = start + "section".len();
        from = end;
        let before = code.get(..start).and_then(|b| b.chars().next_back());
        if before.is_some_and(|c| is_word(c) || c == '.') {
            continue;
        }
        let after = code.get(end..).unwrap_or_default();
        if after.chars().next().is_some_and(is_word) {
            continue;
        }
        let Some(field) = after.strip_prefix('.') else {
            return true;
        };
        let field: String = field.chars().take_while(|&c| is_word(c)).collect();
        if !OWN_FIELDS.contains(&field.as_str()) {
            return true;
        }
    }
    false
}

/// A tag with the text of its string literals blanked out (quotes kept).
fn without_strings(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut quote = None;
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.push(' '),
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Tree;

    fn sources(files: &[(&str, &str)]) -> TemplateSources {
        let tree = Tree::memory(
            files
                .iter()
                .map(|(name, text)| (format!("templates/{name}"), text.as_bytes().to_vec())),
        );
        TemplateSources::load(&tree).0
    }

    #[test]
    fn own_fields_do_not_read_the_lists() {
        let site = sources(&[(
            "own.html",
            "<section class=\"x\">{{ section.title }} {{ section.extra.key_figures | length }}</section>{% if section.schema %}{% set s = page.section %}{% endif %}{# section #}{{ get_section(path=\"section.md\").title }}",
        )]);
        assert!(!site.reads_section_lists("own.html"));
    }

    #[test]
    fn any_other_use_of_section_reads_them() {
        for body in [
            "{% for p in section.pages %}{{ p.title }}{% endfor %}",
            "{{ section.subsections | length }}",
            "{% set s = section %}{{ s.pages | length }}",
            "{{ section[\"pages\"] }}",
            "{{ m::list(of=section) }}",
            "{{ section | json_encode }}",
            "{{ __tera_context }}",
        ] {
            let site = sources(&[("p.html", body)]);
            assert!(site.reads_section_lists("p.html"), "{body}");
        }
    }

    #[test]
    fn templates_reached_through_extends_include_and_import_count() {
        let site = sources(&[
            (
                "base2.html",
                "<nav>{% for p in section.pages %}{{ p.url }}{% endfor %}</nav>{% block content %}{% endblock %}",
            ),
            (
                "child.html",
                "{% extends \"base2.html\" %}{% block content %}{{ section.title }}{% endblock %}",
            ),
            ("list.html", "{{ section.pages | length }}"),
            ("includer.html", "{%- include \"list.html\" -%}"),
            (
                "macros2.html",
                "{% macro m() %}{{ section.pages }}{% endmacro %}",
            ),
            (
                "importer.html",
                "{% import \"macros2.html\" as x %}{{ section.title }}",
            ),
            ("missing.html", "{% include \"nowhere.html\" %}"),
        ]);
        for name in [
            "child.html",
            "includer.html",
            "importer.html",
            "missing.html",
        ] {
            assert!(site.reads_section_lists(name), "{name}");
        }
        assert!(
            !site.reads_section_lists("page.html"),
            "the built-in page template"
        );
    }
}
