//! Facts: figures written `{value, unit, as_of, source}` in front matter or data files.
//! Two jobs, both after content and data are loaded: resolving fact references
//! (`{data: "file.csv", row: "JP", column: "rate_percent"}`) into figures, so that every
//! number is typed once; and warning about figures older than `stale_after_days`.

use std::fmt::Write as _;
use std::ops::Range;

use jiff::civil::Date;
use serde_json::Value;

use crate::config::Config;
use crate::content::Content;
use crate::content::front_matter::{FrontMatter, parse_date};
use crate::data::{DataFiles, plain};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::SourceFile;
use crate::yaml::{Yaml, YamlKey, YamlValue};

/// Replaces every fact reference in front matter by the figure it names. Unresolvable
/// references are errors at the reference.
pub fn resolve_references(content: &mut Content, data: &DataFiles, today: Date) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let read = Reading { data, today };
    // Pages in parallel, their problems in page order.
    let mut problems: Vec<Diagnostic> = content
        .pages
        .par_iter_mut()
        .flat_map_iter(|page| {
            let mut problems = Vec::new();
            resolve_front(&mut page.front, &page.file, &read, &mut problems);
            problems
        })
        .collect();
    for section in content.sections.values_mut() {
        if let Some(file) = &section.file {
            resolve_front(&mut section.front, file, &read, &mut problems);
        }
    }
    problems
}

/// The data references are resolved from, and the date a file kept through time is read as
/// of (the build date, unless a reference says `on`).
struct Reading<'a> {
    data: &'a DataFiles,
    today: Date,
}

/// `resolve_references` for one page.
pub fn resolve_page(
    page: &mut crate::content::Page,
    data: &DataFiles,
    today: Date,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    resolve_front(
        &mut page.front,
        &page.file,
        &Reading { data, today },
        &mut problems,
    );
    problems
}

fn resolve_front(
    front: &mut FrontMatter,
    file: &SourceFile,
    data: &Reading,
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
    data: &Reading,
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

const REFERENCE_KEYS: [&str; 6] = ["data", "row", "column", "label", "unit", "on"];

/// `{data, row, column, label?, unit?, on?}` → `{label, value, unit, as_of, source}`.
fn resolve_one(node: &Yaml, file: &SourceFile, read: &Reading) -> Result<Yaml, Diagnostic> {
    let data = read.data;
    let error = |message: String, at: &Yaml| Diagnostic::error(message).at(file, at.span.clone());
    for (key, _) in node.entries().unwrap_or(&[]) {
        if !REFERENCE_KEYS.contains(&key.name.as_str()) {
            let mut d =
                Diagnostic::error(format!("unknown key `{}` in a fact reference", key.name))
                    .at(file, key.span.clone())
                    .with_note("a fact reference is {data, row, column, label?, unit?, on?}");
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
    // A file kept through time is read as of the build date, or the reference's `on`.
    let on = match node.get("on") {
        None => read.today,
        Some(on_node) => {
            let text = on_node
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| on_node.to_json().to_string());
            if data_file.versions().is_none() {
                return Err(error(
                    format!(
                        "`on` reads a file kept through time as of a date, and `data/{name}` is not one: its schema names no `effective` column"
                    ),
                    on_node,
                ));
            }
            crate::content::front_matter::parse_date(text.trim_matches('"')).map_err(|message| {
                error(format!("`on` must be a date: {message}"), on_node)
                    .with_help("write `on: 2025-04-10` (YYYY-MM-DD)")
            })?
        }
    };
    let row = match data_file.row_on(&row_key, on) {
        Ok(row) => row,
        Err(why) => {
            let key_column = data_file.key_column();
            let message = match why {
                crate::data::NotInForce::NoSuchKey => {
                    format!("`{name}` has no row whose `{key_column}` is `{row_key}`")
                }
                crate::data::NotInForce::NotYet(first) => format!(
                    "`{name}` has nothing in force for `{row_key}` on {on}: its first row takes effect on {first}"
                ),
                crate::data::NotInForce::Ended(last) => format!(
                    "`{name}` has nothing in force for `{row_key}` on {on}: its last row ended on {last}"
                ),
                crate::data::NotInForce::Withdrawn(when) => format!(
                    "`{name}` has nothing in force for `{row_key}` on {on}: it was withdrawn on {when}"
                ),
            };
            return Err(error(message, row_node));
        }
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

/// Figures that would publish wrong, each an error at its place: an `as_of` after the build
/// date, a value written as text the way people write numbers (`8,2`, `1,234`, `24%`), and a
/// field the schema types `figure` without a `source` (unless the schema makes the source
/// optional). Fact references are checked where their data lives, not here.
pub fn check_figures(config: &Config, content: &Content, today: Date) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let mut problems: Vec<Diagnostic> = content
        .pages
        .par_iter()
        .flat_map_iter(|page| check_page_figures(config, page, today))
        .collect();
    for section in content.sections.values() {
        if let Some(file) = &section.file {
            check_front(&section.front, file, &[], today, &mut problems);
        }
    }
    problems
}

/// `check_figures` for one page.
pub fn check_page_figures(
    config: &Config,
    page: &crate::content::Page,
    today: Date,
) -> Vec<Diagnostic> {
    let schema = config
        .schemas
        .get(&page.section)
        .map_or(&[][..], Vec::as_slice);
    let mut problems = Vec::new();
    check_front(&page.front, &page.file, schema, today, &mut problems);
    problems
}

fn check_front(
    front: &FrontMatter,
    file: &SourceFile,
    schema: &[crate::config::SchemaField],
    today: Date,
    problems: &mut Vec<Diagnostic>,
) {
    let trees = front
        .own_fields()
        .map(|(k, v)| (k.as_str(), v))
        .chain(front.extra_tree.iter().map(|t| ("extra", t)));
    for (name, tree) in trees {
        every_figure(tree, &mut |figure| {
            // A resolved fact reference: its data file is checked on its own.
            if figure.get("data").is_some() {
                return;
            }
            if let Some(as_of) = figure.get("as_of")
                && let Some(date) = as_of.as_str().and_then(|t| parse_date(t).ok())
                && date > today
            {
                problems.push(future_as_of(date, today).at(file, as_of.span.clone()));
            }
            if let Some(value) = figure.get("value") {
                number_slip_at(value, file, problems);
            }
        });
        let is_figure_field = schema
            .iter()
            .any(|f| f.name == name && f.field_type == crate::config::FieldType::Figure);
        let source_optional = schema.iter().any(|f| f.name == name && f.source_optional);
        if is_figure_field {
            if tree.get("value").is_none() && tree.get("data").is_none() {
                number_slip_at(tree, file, problems);
            }
            let sourced = tree
                .get("source")
                .and_then(Yaml::as_str)
                .is_some_and(|s| !s.trim().is_empty());
            if !sourced && !source_optional && tree.get("data").is_none() {
                problems.push(
                    Diagnostic::error(format!("the figure `{name}` has no `source`"))
                        .at(file, tree.span.clone())
                        .with_help(format!(
                            "write `{name}: {{value: ..., as_of: YYYY-MM-DD, source: \"where it comes from\"}}`, or make the source optional in the schema: `{name} = {{ type = \"figure\", source = \"optional\" }}`"
                        )),
                );
            }
        }
    }
}

fn future_as_of(date: Date, today: Date) -> Diagnostic {
    Diagnostic::error(format!(
        "this figure is as of {date}, after the build date ({today}): a figure cannot have been checked in the future"
    ))
    .with_help("check the year; to build as of a later date, pass `--as-of`")
}

/// An error when a figure's value is text that is a number written for people.
fn number_slip_at(value: &Yaml, file: &SourceFile, problems: &mut Vec<Diagnostic>) {
    if let Some(text) = value.as_str()
        && let Some(fix) = crate::shortcodes::format::number_slip(text)
    {
        problems.push(
            Diagnostic::error(format!("this figure's value is text, not a number: {fix}"))
                .at(file, value.span.clone())
                .with_help("numbers in figures are written as in data: digits, an optional `-` and `.`; units go in `unit`"),
        );
    }
}

/// Calls `found` for every figure (a map with a `value`) under `node`.
fn every_figure<'a>(node: &'a Yaml, found: &mut dyn FnMut(&'a Yaml)) {
    if node.get("value").is_some() {
        found(node);
        return;
    }
    match &node.value {
        YamlValue::Seq(items) => items.iter().for_each(|item| every_figure(item, found)),
        YamlValue::Map(entries) => entries.iter().for_each(|(_, v)| every_figure(v, found)),
        _ => {}
    }
}

/// Data files' figures dated after the build date: errors at the cell (or at the schema's
/// `as_of` in `tradetalks.toml`).
pub fn check_data_dates(config: &Config, data: &DataFiles, today: Date) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for data_file in data.values() {
        for row in data_file.rows.iter().flat_map(|r| &r.rows) {
            for (column, cell) in &row.cells {
                let as_of = if column == "as_of" {
                    cell
                } else {
                    match cell.get("as_of") {
                        Some(as_of) => as_of,
                        None => continue,
                    }
                };
                if let Some(date) = as_of.as_str().and_then(|t| parse_date(t).ok())
                    && date > today
                {
                    problems
                        .push(future_as_of(date, today).at(&data_file.file, row.cell_span(column)));
                }
            }
        }
        if let Some(schema) = &data_file.schema
            && let Some(as_of) = schema.as_of
            && as_of > today
        {
            problems.push(
                future_as_of(as_of, today)
                    .with_note(format!("the `as_of` of `data/{}`", data_file.name))
                    .at(&config.file, schema.span.clone()),
            );
        }
    }
    problems
}

/// Warnings for figures dated more than `stale_after_days` before `today`: each figure in
/// front matter at its place, and each data file once (at its oldest stale date), listing
/// the pages whose fact references use it. A figure marked `historic: true` (a past rate, a
/// vote count) never goes stale; nor does a data row with `historic` true.
pub fn stale_figures(
    config: &Config,
    content: &Content,
    data: &DataFiles,
    today: Date,
) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let stale = stale_check(config, today);
    let fronts: Vec<(&FrontMatter, &SourceFile)> = content
        .pages
        .iter()
        .map(|p| (&p.front, Some(&p.file)))
        .chain(
            content
                .sections
                .values()
                .map(|s| (&s.front, s.file.as_ref())),
        )
        .filter_map(|(front, file)| Some((front, file?)))
        .collect();
    // Each front matter in parallel: its warnings, and the data files its fact references
    // use (`data/x.csv` → `page (field)`); then all of them in order.
    // A front matter's warnings, and its uses of data files: `(data file, page (field))`.
    type Found = (Vec<Diagnostic>, Vec<(String, String)>);
    let found: Vec<Found> = fronts
        .par_iter()
        .map(|(front, file)| {
            let mut warnings = Vec::new();
            stale_in_front(&stale, front, file, &mut warnings);
            let mut uses = Vec::new();
            for (name, tree) in front.own_fields() {
                every_figure(tree, &mut |figure| {
                    if let Some(origin) = figure.get("data").and_then(Yaml::as_str)
                        && let Some((data_name, _)) = origin.split_once('#')
                    {
                        uses.push((data_name.to_owned(), format!("{} (`{name}`)", file.name)));
                    }
                });
            }
            (warnings, uses)
        })
        .collect();
    let mut warnings = Vec::new();
    let mut uses: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (found_warnings, found_uses) in found {
        warnings.extend(found_warnings);
        for (data_name, user) in found_uses {
            uses.entry(data_name).or_default().push(user);
        }
    }
    for data_file in data.values() {
        // The oldest stale date of the file, and where it is.
        let mut oldest: Option<(Date, Range<usize>)> = None;
        for row in data_file.rows.iter().flat_map(|r| &r.rows) {
            if row.cells.get("historic").map(plain) == Some(&Value::Bool(true)) {
                continue;
            }
            let dated = row.cells.iter().find_map(|(column, cell)| {
                let as_of = if column == "as_of" {
                    cell
                } else {
                    cell.get("as_of")?
                };
                Some((column, as_of.as_str()?))
            });
            if let Some((column, as_of)) = dated
                && let Ok(date) = parse_date(as_of)
                && oldest.as_ref().is_none_or(|(d, _)| date < *d)
            {
                oldest = Some((date, row.cell_span(column)));
            }
        }
        let mut at_schema = false;
        if let Some(as_of) = data_file.schema.as_ref().and_then(|s| s.as_of)
            && oldest.as_ref().is_none_or(|(d, _)| as_of < *d)
        {
            oldest = None;
            at_schema = true;
            let what = format!("`data/{}` (its schema's `as_of`)", data_file.name);
            if let Some(d) = stale(&as_of.to_string(), &what) {
                let span = data_file.schema.as_ref().map_or(0..0, |s| s.span.clone());
                warnings.push(with_uses(d, &uses, &data_file.name).at(&config.file, span));
            }
        }
        if !at_schema && let Some((date, span)) = oldest {
            let what = format!("`data/{}` (its oldest row)", data_file.name);
            if let Some(d) = stale(&date.to_string(), &what) {
                warnings.push(with_uses(d, &uses, &data_file.name).at(&data_file.file, span));
            }
        }
    }
    warnings
}

/// Notes which pages use a stale data file.
fn with_uses(
    warning: Diagnostic,
    uses: &std::collections::BTreeMap<String, Vec<String>>,
    data_name: &str,
) -> Diagnostic {
    match uses.get(data_name) {
        Some(pages) if !pages.is_empty() => {
            warning.with_note(format!("figures from it are shown by {}", pages.join(", ")))
        }
        _ => warning,
    }
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
        .own_fields()
        .map(|(k, v)| (k.clone(), v))
        .chain(front.extra_tree.iter().map(|t| ("extra".to_owned(), t)));
    for (mut path, tree) in trees {
        walk_figures(tree, &mut path, &mut |path, figure, as_of| {
            // A fact reference is dated by its data file, whose own warning lists its uses;
            // a historic figure never goes stale.
            let historic = figure.get("historic").map(|h| &h.value) == Some(&YamlValue::Bool(true));
            if figure.get("data").is_some() || historic {
                return;
            }
            if let Some(d) = stale(as_of, &describe_figure(path, figure)) {
                warnings.push(d.at(file, figure.span.clone()));
            }
        });
    }
}

fn describe_figure(path: &str, figure: &Yaml) -> String {
    match figure.get("label").and_then(Yaml::as_str) {
        Some(label) => format!("`{path}` (\"{label}\")"),
        None => format!("`{path}`"),
    }
}

/// Calls `found(path, figure, as_of)` for every map under `node` with a `value` and `as_of`;
/// `path` (`node`'s, as `field.key[2]`) is one buffer, grown and cut back on the way down.
fn walk_figures<'a>(
    node: &'a Yaml,
    path: &mut String,
    found: &mut dyn FnMut(&str, &'a Yaml, &str),
) {
    if let (Some(_), Some(as_of)) = (node.get("value"), node.get("as_of")) {
        if let YamlValue::Str(as_of) = &as_of.value {
            found(path, node, as_of);
        }
        return;
    }
    let length = path.len();
    match &node.value {
        YamlValue::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(path, "[{i}]");
                walk_figures(item, path, found);
                path.truncate(length);
            }
        }
        YamlValue::Map(entries) => {
            for (key, value) in entries {
                path.push('.');
                path.push_str(&key.name);
                walk_figures(value, path, found);
                path.truncate(length);
            }
        }
        _ => {}
    }
}
