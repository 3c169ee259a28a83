//! A whole site built in memory (`source::Tree::memory`, `pipeline::build_tree`) from
//! arbitrary text, through every stage and output: config, content walk, front matter against
//! a schema and taxonomies, fact references into the data file, Markdown with shortcodes,
//! templates, pages, sections, taxonomy pages, the table of contents, the search index, the
//! feed, the sitemap, CSV downloads, aliases, and the link check over the result.
//!
//! The input is UTF-8 text cut at NUL characters into up to five parts:
//!
//! 0. the page's file name (under `content/countries/`, `.md` added; `/` becomes `-`), whose
//!    length also picks the data file's format: `d.csv`, `d.yaml`, `d.json` or `d.toml`;
//! 1. the page's front matter (YAML, between `---` lines);
//! 2. the page's Markdown body;
//! 3. the data file;
//! 4. the section's Markdown body.
//!
//! A panic anywhere is caught by the pipeline (`guard`) and reported as an "internal error"
//! diagnostic; this target turns such a diagnostic back into a crash, so that libFuzzer saves
//! the input. Seeds (`fuzz/seeds/site/`) hold multilingual pages: Japanese, Korean, Hindi,
//! Arabic, emoji, combining marks, NFD, zero-width and bidi controls.

#![no_main]

use annotate_snippets::Renderer;
use libfuzzer_sys::fuzz_target;
use tradetalks::pipeline::{self, BuildOptions};
use tradetalks::source::Tree;

const CONFIG: &str = r#"title = "Fuzz"
base_url = "https://example.org/sub/"
host_files = true

[[taxonomies]]
name = "sectors"

[schema.countries]
country = "string?"
iso2 = "string?"
rate = "figure?"
asks = "list?"
signed = "date?"
share = "number?"
details = "map?"

[data."d.csv"]
key = "iso2"
source = "Fuzz"
as_of = 2025-04-02
[data."d.csv".columns]
iso2 = { type = "country", required = false }
rate = { type = "number", unit = "%", required = false }

[data."d.yaml"]
key = "iso2"
"#;

const HOME: &str = "---\ntitle: Home\n---\nSee [the page](@/countries/other.md).\n";

const OTHER: &str = "---\ntitle: Other\nsectors: [autos]\naliases: [/old/other/]\n---\n## Heading\n\nText.\n";

const FORMATS: [&str; 4] = ["csv", "yaml", "json", "toml"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(5, '\0');
    let mut part = || parts.next().unwrap_or_default();
    let (name, front, body, data_file, section_body) = (part(), part(), part(), part(), part());
    let name = name.replace('/', "-");
    let name = if name.is_empty() { "page".to_owned() } else { name };
    let format = FORMATS[name.chars().count() % FORMATS.len()];
    let tree = Tree::memory([
        ("tradetalks.toml".to_owned(), CONFIG.to_owned()),
        ("content/_index.md".to_owned(), HOME.to_owned()),
        (
            "content/countries/_index.md".to_owned(),
            format!("---\ntitle: Countries\n---\n{section_body}"),
        ),
        ("content/countries/other.md".to_owned(), OTHER.to_owned()),
        (
            format!("content/countries/{name}.md"),
            format!("---\n{front}\n---\n{body}"),
        ),
        (format!("data/d.{format}"), data_file.to_owned()),
    ]);
    let options = BuildOptions {
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        ..BuildOptions::default()
    };
    // The build runs the link check itself, as `check` and `serve` do.
    let (site, diagnostics) = pipeline::build_tree(&tree, &options);
    if let Some(site) = &site {
        for path in site.files.keys() {
            let _ = site.file(path);
        }
    }
    for diagnostic in diagnostics.iter() {
        if diagnostic.message.starts_with("internal error") {
            panic!("{}", diagnostic.message);
        }
    }
    let _ = diagnostics.render(&Renderer::plain());
});
