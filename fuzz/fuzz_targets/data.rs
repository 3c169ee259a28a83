//! Data files on any UTF-8 text, in all four formats, through `data::parse_file` (what
//! `data::load_all` does with each file of `data/`: CSV with its cell positions, YAML, JSON
//! read twice for positions, TOML, then the rows and the checks against the file's schema),
//! plus `yaml::parse` with a diagnostic at every node. Every diagnostic is rendered.
//!
//! The first byte picks the format (and the schema the file is checked against); the rest is
//! the file.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use annotate_snippets::Renderer;
use libfuzzer_sys::fuzz_target;
use tradetalks::config::Config;
use tradetalks::diagnostic::Diagnostic;
use tradetalks::source::SourceFile;
use tradetalks::yaml::{self, Yaml, YamlValue};

/// Diagnostics rendered per input at most (rendering is the slow part).
const RENDERED: usize = 64;

const CONFIG: &str = r#"title = "Fuzz"
base_url = "https://example.org/"

[data."d.csv"]
key = "iso2"
source = "Fuzz"
as_of = 2025-04-02
[data."d.csv".columns]
iso2 = { type = "country" }
name = { type = "string", label = "Name" }
rate = { type = "number", unit = "%", min = 0, max = 100 }
count = { type = "integer", required = false }
open = { type = "boolean", required = false }
signed = { type = "date", required = false }
link = { type = "url", required = false }
extra = { type = "any", required = false }

[data."d.yaml"]
key = "iso2"
[data."d.yaml".columns]
iso2 = { type = "country" }
rate = { type = "number", required = false }

[data."d.json"]
key = "id"
[data."d.json".columns]
id = { type = "string" }
signed = { type = "date", required = false }
"#;

const NAMES: [&str; 5] = ["d.csv", "d.yaml", "d.json", "d.toml", "plain.csv"];

static SITE: LazyLock<Config> = LazyLock::new(|| {
    let file = SourceFile::new("tradetalks.toml", "/fuzz/tradetalks.toml", CONFIG);
    match Config::parse(Path::new("/fuzz"), &file, None) {
        Ok(config) => config,
        Err(problems) => panic!("the fuzz config does not parse: {problems:?}"),
    }
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let renderer = Renderer::plain();
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let file = SourceFile::new(format!("data/{name}"), format!("/fuzz/data/{name}"), text);
    let schema = SITE.data.get(name).cloned();
    match tradetalks::data::parse_file(file.clone(), name.to_owned(), schema) {
        Ok((parsed, problems)) => {
            if let Some(rows) = &parsed.rows {
                for row in rows.rows.iter().take(RENDERED) {
                    for column in &rows.columns {
                        let _ = Diagnostic::error(format!("cell `{column}`"))
                            .at(&file, row.cell_span(column))
                            .render(&renderer);
                    }
                }
                let _ = parsed.row_by_key("JP");
            }
            for problem in problems.iter().take(RENDERED) {
                let _ = problem.render(&renderer);
            }
        }
        Err(problem) => {
            let _ = problem.render(&renderer);
        }
    }
    if name.ends_with(".yaml") {
        match yaml::parse(&file, 0..text.len()) {
            Ok(tree) => {
                let _ = tree.to_json();
                let mut budget = RENDERED;
                point_at(&file, &tree, &renderer, &mut budget);
            }
            Err(problem) => {
                let _ = problem.render(&renderer);
            }
        }
    }
});

/// A diagnostic at every node and key, as schema checks point at cells and fields.
fn point_at(file: &SourceFile, node: &Yaml, renderer: &Renderer, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let _ = node.as_str();
    let _ = Diagnostic::error(format!("found {}", node.type_name()))
        .at(file, node.span.clone())
        .render(renderer);
    match &node.value {
        YamlValue::Seq(items) => {
            for item in items {
                point_at(file, item, renderer, budget);
            }
        }
        YamlValue::Map(entries) => {
            let _ = node.get("value");
            for (key, value) in entries {
                let _ = Diagnostic::error(format!("key `{key_name}`", key_name = key.name))
                    .at(file, key.span.clone())
                    .render(renderer);
                point_at(file, value, renderer, budget);
            }
        }
        _ => {}
    }
}
