//! Facts: figures written `{value, unit, as_of, source}` in front matter or data files.
//! Two jobs, both after content and data are loaded: resolving fact references
//! (`{data: "file.csv", row: "JP", column: "rate_percent"}`) into figures, so that every
//! number is typed once; and warning about figures older than `stale_after_days`.

use std::ops::Range;

use jiff::civil::Date;
use serde_json::Value;

use crate::config::Config;
use crate::content::Content;
use crate::content::front_matter::{FrontMatter, parse_date};
use crate::data::{DataFiles, plain, value_text};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::SourceFile;
use crate::yaml::{Yaml, YamlKey, YamlValue};

/// Replaces every fact reference in front matter by the figure it names. Unresolvable
/// references are errors at the reference.
pub fn resolve_references(content: &mut Content, data: &DataFiles) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for page in &mut content.pages {
        resolve_front(&mut page.front, &page.file, data, &mut problems);
    }
    for section in content.sections.values_mut() {
        if let Some(file) = &section.file {
            resolve_front(&mut section.front, file, data, &mut problems);
        }
    }
    problems
}

/// `resolve_references` for one page.
pub fn resolve_page(page: &mut crate::content::Page, data: &DataFiles) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    resolve_front(&mut page.front, &page.file, data, &mut problems);
    problems
}

fn resolve_front(
    front: &mut FrontMatter,
    file: &SourceFile,
    data: &DataFiles,
    problems: &mut Vec<Diagnostic>,
) {
    for value in front.fields.values_mut() {
        resolve_tree(value, file, data, problems);
    }
    if let Some(extra) = &mut front.extra_tree
        && resolve_tree(extra, file, data, problems)
    {
        front.extra = extra.to_json();
    }
}

/// Resolves references anywhere under `node`; true when something changed.
fn resolve_tree(
    node: &mut Yaml,
    file: &SourceFile,
    data: &DataFiles,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    if is_reference(node) {
        match resolve_one(node, file, data) {
            Ok(figure) => *node = figure,
            Err(d) => problems.push(d),
        }
        return true;
    }
    let mut changed = false;
    match &mut node.value {
        YamlValue::Seq(items) => {
            for item in items {
                changed |= resolve_tree(item, file, data, problems);
            }
        }
        YamlValue::Map(entries) => {
            for (_, value) in entries {
                changed |= resolve_tree(value, file, data, problems);
            }
        }
        _ => {}
    }
    changed
}

fn is_reference(node: &Yaml) -> bool {
    node.get("data").is_some() && (node.get("row").is_some() || node.get("column").is_some())
}

const REFERENCE_KEYS: [&str; 5] = ["data", "row", "column", "label", "unit"];

/// `{data, row, column, label?, unit?}` → `{label, value, unit, as_of, source}`.
fn resolve_one(node: &Yaml, file: &SourceFile, data: &DataFiles) -> Result<Yaml, Diagnostic> {
    let error = |message: String, at: &Yaml| Diagnostic::error(message).at(file, at.span.clone());
    for (key, _) in node.entries().unwrap_or(&[]) {
        if !REFERENCE_KEYS.contains(&key.name.as_str()) {
            let mut d =
                Diagnostic::error(format!("unknown key `{}` in a fact reference", key.name))
                    .at(file, key.span.clone())
                    .with_note("a fact reference is {data, row, column, label?, unit?}");
            if let Some(help) = did_you_mean(&key.name, REFERENCE_KEYS) {
                d = d.with_help(help);
            }
            return Err(d);
        }
    }
    let text_of = |key: &str| -> Result<(String, &Yaml), Diagnostic> {
        let value = node.get(key).ok_or_else(|| {
            Diagnostic::error(format!("this fact reference has no `{key}`"))
                .at(file, node.span.start..node.span.start + 1)
                .with_help("write {data: \"file.csv\", row: \"KEY\", column: \"COLUMN\"}")
        })?;
        let text = match &value.value {
            YamlValue::Str(s) => s.clone(),
            YamlValue::Int(i) => i.to_string(),
            _ => return Err(error(format!("`{key}` must be text"), value)),
        };
        Ok((text, value))
    };
    let (name, name_node) = text_of("data")?;
    let (row_key, row_node) = text_of("row")?;
    let (column, column_node) = text_of("column")?;
    let Some(data_file) = data.get(&name) else {
        let mut d = error(format!("no data file `data/{name}`"), name_node);
        if let Some(help) = did_you_mean(&name, data.keys().map(String::as_str)) {
            d = d.with_help(help);
        }
        return Err(d);
    };
    if data_file.broken {
        // Its own error is already reported; keep the reference as written.
        return Ok(node.clone());
    }
    let Some(row) = data_file.row_by_key(&row_key) else {
        let key_column = data_file.key_column();
        return Err(error(
            format!("`{name}` has no row whose `{key_column}` is `{row_key}`"),
            row_node,
        ));
    };
    if !data_file.has_column(&column) {
        return Err(error(data_file.missing_column(&column), column_node));
    }
    let cell = row.cells.get(&column).cloned().unwrap_or(Value::Null);
    let schema = data_file.schema.as_ref();
    let column_schema = schema.and_then(|s| s.column(&column));
    let from_cell = |key: &str| cell.get(key).filter(|v| !v.is_null()).cloned();
    let from_row = |key: &str| row.cells.get(key).filter(|v| !v.is_null()).cloned();
    let reference_text = |key: &str| node.get(key).and_then(Yaml::as_str).map(Value::from);
    let label = reference_text("label")
        .or_else(|| from_cell("label"))
        .or_else(|| from_row("label"));
    let unit = reference_text("unit")
        .or_else(|| from_cell("unit"))
        .or_else(|| column_schema.and_then(|c| c.unit.clone()).map(Value::from))
        .or_else(|| from_row("unit"));
    let as_of = from_cell("as_of")
        .or_else(|| from_row("as_of"))
        .or_else(|| {
            schema
                .and_then(|s| s.as_of)
                .map(|d| Value::from(d.to_string()))
        });
    let source = from_cell("source")
        .or_else(|| from_row("source"))
        .or_else(|| schema.and_then(|s| s.source.clone()).map(Value::from));
    let mut entries = Vec::new();
    let span = node.span.clone();
    let mut push = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            entries.push((
                YamlKey {
                    name: key.to_owned(),
                    span: span.clone(),
                },
                json_to_yaml(&value, span.clone()),
            ));
        }
    };
    push("label", label);
    push("value", Some(plain(&cell).clone()));
    push("unit", unit);
    push("as_of", as_of);
    push("source", source);
    push(
        "data",
        Some(Value::from(format!("{name}#{row_key}.{column}"))),
    );
    Ok(Yaml {
        value: YamlValue::Map(entries),
        span,
    })
}

fn json_to_yaml(value: &Value, span: Range<usize>) -> Yaml {
    let value = match value {
        Value::Null => YamlValue::Null,
        Value::Bool(b) => YamlValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => YamlValue::Int(i),
            None => YamlValue::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => YamlValue::Str(s.clone()),
        Value::Array(items) => YamlValue::Seq(
            items
                .iter()
                .map(|v| json_to_yaml(v, span.clone()))
                .collect(),
        ),
        Value::Object(map) => YamlValue::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        YamlKey {
                            name: k.clone(),
                            span: span.clone(),
                        },
                        json_to_yaml(v, span.clone()),
                    )
                })
                .collect(),
        ),
    };
    Yaml { value, span }
}

/// Warnings for every figure dated more than `stale_after_days` before `today`: figures in
/// front matter (by field path) and data files (by cell, or by the file's `as_of`).
pub fn stale_figures(
    config: &Config,
    content: &Content,
    data: &DataFiles,
    today: Date,
) -> Vec<Diagnostic> {
    let stale = stale_check(config, today);
    let mut warnings = Vec::new();
    let fronts = content
        .pages
        .iter()
        .map(|p| (&p.front, Some(&p.file)))
        .chain(
            content
                .sections
                .values()
                .map(|s| (&s.front, s.file.as_ref())),
        );
    for (front, file) in fronts {
        let Some(file) = file else { continue };
        stale_in_front(&stale, front, file, &mut warnings);
    }
    for data_file in data.values() {
        for row in data_file.rows.iter().flat_map(|r| &r.rows) {
            let dated = row.cells.iter().find_map(|(column, cell)| {
                let as_of = if column == "as_of" {
                    cell
                } else {
                    cell.get("as_of")?
                };
                Some((column, as_of.as_str()?))
            });
            if let Some((column, as_of)) = dated {
                let what = format!("row {} of `data/{}`", row_name(row), data_file.name);
                if let Some(d) = stale(as_of, &what) {
                    warnings.push(d.at(&data_file.file, row.cell_span(column)));
                }
            }
        }
        if let Some(as_of) = data_file.schema.as_ref().and_then(|s| s.as_of) {
            let what = format!("`data/{}` (its schema's `as_of`)", data_file.name);
            if let Some(d) = stale(&as_of.to_string(), &what) {
                let span = data_file.schema.as_ref().map_or(0..0, |s| s.span.clone());
                warnings.push(d.at(&config.file, span));
            }
        }
    }
    warnings
}

/// `stale_figures` for one page's front matter.
pub fn stale_page_figures(
    config: &Config,
    page: &crate::content::Page,
    today: Date,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    stale_in_front(
        &stale_check(config, today),
        &page.front,
        &page.file,
        &mut warnings,
    );
    warnings
}

/// A warning when a figure dated `as_of` is older than `stale_after_days` allows.
fn stale_check(config: &Config, today: Date) -> impl Fn(&str, &str) -> Option<Diagnostic> {
    let limit = i64::from(config.stale_after_days);
    move |as_of: &str, what: &str| -> Option<Diagnostic> {
        let date = parse_date(as_of).ok()?;
        let age = i64::from(date.until(today).ok()?.get_days());
        (age > limit).then(|| {
            Diagnostic::warning(format!(
                "stale figure: {what} is as of {date}, {age} days before {today} (the limit is {limit} days)"
            ))
            .with_help(
                "check the figure and update its `as_of`, or raise `stale_after_days` in tradetalks.toml",
            )
        })
    }
}

fn stale_in_front(
    stale: &impl Fn(&str, &str) -> Option<Diagnostic>,
    front: &FrontMatter,
    file: &SourceFile,
    warnings: &mut Vec<Diagnostic>,
) {
    let trees = front
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v))
        .chain(front.extra_tree.iter().map(|t| ("extra".to_owned(), t)));
    for (path, tree) in trees {
        walk_figures(tree, &path, &mut |path, figure, as_of| {
            if let Some(d) = stale(as_of, &describe_figure(path, figure)) {
                warnings.push(d.at(file, figure.span.clone()));
            }
        });
    }
}

fn row_name(row: &crate::data::Row) -> String {
    ["id", "label", "title", "name", "country"]
        .iter()
        .find_map(|k| {
            row.cells
                .get(*k)
                .map(|v| format!("`{}`", value_text(plain(v))))
        })
        .unwrap_or_else(|| "(unnamed)".into())
}

fn describe_figure(path: &str, figure: &Yaml) -> String {
    match figure.get("label").and_then(Yaml::as_str) {
        Some(label) => format!("`{path}` (\"{label}\")"),
        None => format!("`{path}`"),
    }
}

/// Calls `found(path, figure, as_of)` for every map under `node` with a `value` and `as_of`.
fn walk_figures<'a>(node: &'a Yaml, path: &str, found: &mut dyn FnMut(&str, &'a Yaml, &str)) {
    if let (Some(_), Some(as_of)) = (node.get("value"), node.get("as_of")) {
        let as_of = match &as_of.value {
            YamlValue::Str(s) => s.clone(),
            _ => return,
        };
        found(path, node, &as_of);
        return;
    }
    match &node.value {
        YamlValue::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_figures(item, &format!("{path}[{i}]"), found);
            }
        }
        YamlValue::Map(entries) => {
            for (key, value) in entries {
                walk_figures(value, &format!("{path}.{}", key.name), found);
            }
        }
        _ => {}
    }
}
