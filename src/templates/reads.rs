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

    /// The data files (names under `data/`) that a `load_data` call of any template or
    /// shortcode names by a string literal: the files whose values are worth making before
    /// templates render. `None` when a call names its file by an expression (a variable, a
    /// concatenation), which may be any file. A file this misses is still loaded, by the
    /// call itself (`templates::DataLookup`): the scan decides only what is made ahead.
    pub fn data_files_loaded(&self) -> Option<BTreeSet<String>> {
        let mut files = BTreeSet::new();
        for (_, text) in self.texts() {
            for tag in tags(text) {
                for path in load_data_paths(tag) {
                    files.insert(path?.trim_start_matches("data/").to_owned());
                }
            }
        }
        Some(files)
    }
}

/// The `path` argument of each `load_data(…)` call of a tag: `Some` of a string literal,
/// `None` for anything else. Calls without a `path` argument (which fail when they render)
/// give nothing.
fn load_data_paths(tag: &str) -> Vec<Option<&str>> {
    let code = without_strings(tag);
    let mut found = Vec::new();
    for end in identifier_ends(&code, "load_data") {
        let after = code.get(end..).unwrap_or_default();
        let Some(arguments) = after.trim_start().strip_prefix('(') else {
            // Named but not called here (a test such as `is defined`): nothing loaded.
            continue;
        };
        // `code` has the tag's offsets: the arguments are read from the tag itself.
        let start = code.len() - arguments.len();
        for range in top_level_arguments(arguments) {
            let argument = tag.get(start + range.start..start + range.end);
            if let Some((name, value)) = argument.and_then(|a| a.split_once('='))
                && name.trim() == "path"
            {
                found.push(string_literal(value.trim()));
            }
        }
    }
    found
}

/// Where each use of identifier `name` ends in `code` (a tag without its strings): not
/// part of a longer name, nor a field (`x.name`).
fn identifier_ends(code: &str, name: &str) -> Vec<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(at) = code.get(from..).and_then(|rest| rest.find(name)) {
        let start = from + at;
        let end = start + name.len();
        from = end;
        let before = code.get(..start).and_then(|b| b.chars().next_back());
        let after = code.get(end..).and_then(|a| a.chars().next());
        if !before.is_some_and(|c| is_word(c) || c == '.') && !after.is_some_and(is_word) {
            ends.push(end);
        }
    }
    ends
}

/// Where the comma-separated arguments of a call are, in `code` (without strings) from just
/// after its `(` to its `)`: commas inside brackets and nested calls do not separate.
fn top_level_arguments(code: &str) -> Vec<std::ops::Range<usize>> {
    let mut arguments = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (at, c) in code.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                arguments.push(start..at);
                return arguments;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                arguments.push(start..at);
                start = at + 1;
            }
            _ => {}
        }
    }
    arguments.push(start..code.len());
    arguments
}

/// The text of `value` when it is one string literal and nothing else.
fn string_literal(value: &str) -> Option<&str> {
    let quote = value
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote)).then_some(inner)
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
    for end in identifier_ends(&code, "section") {
        let after = code.get(end..).unwrap_or_default();
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

/// A tag with the text of its string literals blanked out (quotes kept), a space for each
/// byte: every offset in it is the same in the tag.
fn without_strings(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut quote = None;
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
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
    fn the_data_files_templates_load_are_found() {
        let site = sources(&[
            (
                "page.html",
                "{% set r = load_data(path=\"rates.csv\") %}{{ load_data( on=\"today\", path = 'data/deals.yaml' ) | length }}{# load_data(path=x) #}{{ \"load_data(path=y)\" }}",
            ),
            (
                "shortcodes/t.html",
                "{% for x in load_data(path=`日本/税.json`).rows %}{% endfor %}{{ \"한국어\" ~ load_data(path='é.csv').a }}",
            ),
            (
                "other.html",
                "{{ my_load_data(path=v) }}{{ x.load_data }}{{ load_data(path=\"a,b.csv\", on=f(x, y)) }}",
            ),
        ]);
        let files = site.data_files_loaded().unwrap();
        let found: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_eq!(
            found,
            [
                "a,b.csv",
                "deals.yaml",
                "rates.csv",
                "é.csv",
                "日本/税.json"
            ]
        );
        for call in [
            "{{ load_data(path=name) }}",
            "{{ load_data(path=\"rates\" ~ \".csv\") }}",
            "{% set d = load_data(path=page.extra.data) %}",
        ] {
            let site = sources(&[("page.html", call)]);
            assert_eq!(site.data_files_loaded(), None, "{call}");
        }
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
