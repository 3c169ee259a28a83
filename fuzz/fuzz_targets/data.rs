//! Data files on any UTF-8 text, through the public entry points there are today:
//! `yaml::parse` (YAML data files; JSON files too, which `data::load_one` reads a second time
//! as YAML for positions) and a JSON syntax error placed with `Diagnostic::at_line_col`, as
//! `load_one` places it. Every diagnostic is rendered, including one at each node of the tree.
//!
//! CSV and TOML loading (`data::parse_csv`, the TOML branch of `load_one`, `yaml_rows`,
//! `json_rows` and the schema checks) are private: see README.md for what to make public.

#![no_main]

use annotate_snippets::Renderer;
use libfuzzer_sys::fuzz_target;
use tradetalks::diagnostic::Diagnostic;
use tradetalks::source::SourceFile;
use tradetalks::yaml::{self, Yaml, YamlValue};

/// Diagnostics rendered per input at most (rendering is the slow part).
const RENDERED: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let renderer = Renderer::plain();
    let file = SourceFile::new("data/fuzz.yaml", "/fuzz/data/fuzz.yaml", text);
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
    if let Err(err) = serde_json::from_str::<serde_json::Value>(text) {
        let problem = Diagnostic::error(format!("invalid JSON: {err}")).at_line_col(
            &file,
            err.line(),
            err.column().max(1),
            1,
        );
        let _ = problem.render(&renderer);
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
                let _ = Diagnostic::error(format!("key `{}`", key.name))
                    .at(file, key.span.clone())
                    .render(renderer);
                point_at(file, value, renderer, budget);
            }
        }
        _ => {}
    }
}
