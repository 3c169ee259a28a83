//! A data file against its `[data."FILE"]` schema: required columns present and filled, cells
//! of the declared type and within bounds. Each problem is reported at the cell.

use serde_json::Value;

use super::{DataFile, plain};
use crate::config::{ColumnSchema, ColumnType};
use crate::content::front_matter::parse_date;
use crate::diagnostic::{Diagnostic, did_you_mean};

/// Checks `data` against its schema, converting CSV text cells to booleans where the schema
/// asks for them. Returns every problem found.
pub fn against_schema(data: &mut DataFile) -> Vec<Diagnostic> {
    let Some(schema) = data.schema.clone() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let Some(rows) = data.rows.as_mut() else {
        if !schema.columns.is_empty() || schema.key.is_some() {
            problems.push(
                Diagnostic::error(format!(
                    "`{}` has a schema with columns, but is not a table: expected a CSV file or a list of maps",
                    data.name
                ))
                .at(&data.file, 0..0),
            );
        }
        return problems;
    };
    let header = data.file.line_range(1);
    for column in &schema.columns {
        if column.required && !rows.columns.contains(&column.name) {
            problems.push(
                Diagnostic::error(format!(
                    "`{}` has no column `{}`, which its schema requires",
                    data.name, column.name
                ))
                .at(&data.file, header.clone())
                .with_help("add the column, or mark it `required = false` in the schema"),
            );
        }
    }
    if let Some(key) = &schema.key
        && !rows.columns.contains(key)
    {
        problems.push(
            Diagnostic::error(format!(
                "the schema names `{key}` as the key of `{}`, but it has no such column",
                data.name
            ))
            .at(&data.file, header.clone()),
        );
    }
    if let Some(versions) = &schema.versions {
        problems.extend(check_versions(
            data.name.as_str(),
            &data.file,
            rows,
            &schema,
            versions,
        ));
    }
    let columns_present: Vec<&String> = schema
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|name| rows.columns.contains(name))
        .collect();
    for row in &mut rows.rows {
        for column in &schema.columns {
            let span = row.cell_span(&column.name);
            let Some(cell) = row.cells.get_mut(&column.name) else {
                // A YAML or JSON row without a key the schema requires (a CSV row always has
                // every column; a column missing from the whole file is reported above).
                if column.required && columns_present.contains(&&column.name) {
                    problems.push(
                        Diagnostic::error(format!(
                            "this row has no `{}`, which the schema of `{}` requires",
                            column.name, data.name
                        ))
                        .at(&data.file, span)
                        .with_help(format!(
                            "add `{}: ...` to the row, or mark the column `required = false` in the schema",
                            column.name
                        )),
                    );
                }
                continue;
            };
            if let Err(message) = check_cell(cell, column) {
                problems.push(
                    Diagnostic::error(format!("column `{}`: {message}", column.name))
                        .at(&data.file, span),
                );
            }
        }
    }
    problems
}

/// The dating columns of a versioned file: present, every `effective` a date, every `until` a
/// date on or after its row's `effective`, every `status` one of `STATUSES`. A column the
/// schema already types as a date is checked there, not twice.
fn check_versions(
    name: &str,
    file: &crate::source::SourceFile,
    rows: &super::Rows,
    schema: &crate::config::DataSchema,
    versions: &crate::config::Versions,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let header = file.line_range(1);
    let named = [
        ("effective", Some(&versions.effective)),
        ("until", versions.until.as_ref()),
        ("status", versions.status.as_ref()),
    ];
    let mut missing = false;
    for (key, column) in named {
        let Some(column) = column else { continue };
        if !rows.columns.contains(column) {
            missing = true;
            let mut d = Diagnostic::error(format!(
                "the schema names `{column}` as the `{key}` column of `{name}`, but it has no such column"
            ))
            .at(file, header.clone());
            if let Some(help) = did_you_mean(column, rows.columns.iter().map(String::as_str)) {
                d = d.with_help(help);
            }
            problems.push(d);
        }
    }
    if missing {
        return problems;
    }
    let typed_date = |column: &str| {
        schema
            .column(column)
            .is_some_and(|c| c.column_type == ColumnType::Date)
    };
    for row in &rows.rows {
        let text = |column: &str| {
            row.cells
                .get(column)
                .map(plain)
                .filter(|v| !v.is_null())
                .map(crate::data::value_text)
        };
        let effective = match text(&versions.effective) {
            None => {
                problems.push(
                    Diagnostic::error(format!(
                        "this row has no `{}`: a row of a file kept through time needs the date it takes effect",
                        versions.effective
                    ))
                    .at(file, row.cell_span(&versions.effective)),
                );
                None
            }
            Some(t) => match parse_date(&t) {
                Ok(d) => Some(d),
                Err(message) => {
                    if !typed_date(&versions.effective) {
                        problems.push(
                            Diagnostic::error(format!(
                                "column `{}`: the date this row takes effect: {message}, found `{t}`",
                                versions.effective
                            ))
                            .at(file, row.cell_span(&versions.effective))
                            .with_help("write the date as YYYY-MM-DD"),
                        );
                    }
                    None
                }
            },
        };
        if let Some(column) = &versions.until
            && let Some(t) = text(column)
        {
            match parse_date(&t) {
                Ok(until) => {
                    if let Some(effective) = effective
                        && until < effective
                    {
                        problems.push(
                            Diagnostic::error(format!(
                                "column `{column}`: this row ends on {until}, before it takes effect on {effective}"
                            ))
                            .at(file, row.cell_span(column))
                            .with_help(format!("`{column}` is the last day the row applies")),
                        );
                    }
                }
                Err(message) if !typed_date(column) => problems.push(
                    Diagnostic::error(format!(
                        "column `{column}`: the last day this row applies: {message}, found `{t}`"
                    ))
                    .at(file, row.cell_span(column))
                    .with_help("write the date as YYYY-MM-DD, or leave the cell empty"),
                ),
                Err(_) => {}
            }
        }
        if let Some(column) = &versions.status
            && let Some(t) = text(column)
            && !crate::config::STATUSES.contains(&t.trim())
        {
            let mut d = Diagnostic::error(format!(
                "column `{column}`: `{t}` is not a status: a row is {}",
                crate::config::STATUSES
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .at(file, row.cell_span(column));
            if let Some(help) = did_you_mean(t.trim(), crate::config::STATUSES) {
                d = d.with_help(help);
            }
            problems.push(d);
        }
    }
    problems
}

fn check_cell(cell: &mut Value, column: &ColumnSchema) -> Result<(), String> {
    if column.column_type == ColumnType::Boolean
        && let Value::String(text) = &*cell
    {
        match text.trim() {
            "true" => *cell = Value::Bool(true),
            "false" => *cell = Value::Bool(false),
            _ => {}
        }
    }
    let value = plain(cell);
    if value.is_null() {
        return if column.required {
            Err("this cell is empty, but the column is required".into())
        } else {
            Ok(())
        };
    }
    let found = || describe(value);
    match column.column_type {
        ColumnType::Any => {}
        ColumnType::String => {
            if value.is_array() || value.is_object() {
                return Err(format!("expected text, found {}", found()));
            }
        }
        ColumnType::Number | ColumnType::Integer => {
            let Some(n) = value.as_f64() else {
                if let Some(fix) = value
                    .as_str()
                    .and_then(crate::shortcodes::format::number_slip)
                {
                    return Err(format!("expected a number: {fix}"));
                }
                return Err(format!("expected a number, found {}", found()));
            };
            if column.column_type == ColumnType::Integer && !(value.is_i64() || value.is_u64()) {
                return Err(format!("expected a whole number, found {}", found()));
            }
            if let Some(min) = column.min
                && n < min
            {
                return Err(format!("{n} is below the minimum of {min}"));
            }
            if let Some(max) = column.max
                && n > max
            {
                return Err(format!("{n} is above the maximum of {max}"));
            }
        }
        ColumnType::Boolean => {
            if !value.is_boolean() {
                return Err(format!("expected true or false, found {}", found()));
            }
        }
        ColumnType::Date => {
            let text = value.as_str().unwrap_or_default();
            parse_date(text).map_err(|message| format!("{message}, found {}", found()))?;
        }
        ColumnType::Country => {
            let text = value.as_str().unwrap_or_default();
            if !crate::geo::is_alpha2(text) {
                let upper = text.trim().to_ascii_uppercase();
                let hint = match crate::geo::code_hint(text) {
                    Some(hint) => format!(" ({hint})"),
                    None if upper != text && crate::geo::is_alpha2(&upper) => {
                        format!(" (write it in capitals: `{upper}`)")
                    }
                    None => String::new(),
                };
                return Err(format!(
                    "expected a two-letter ISO 3166-1 country code such as `JP`, found {}{hint}",
                    found()
                ));
            }
        }
        ColumnType::Url => {
            let text = value.as_str().unwrap_or_default();
            if !(text.starts_with("https://") || text.starts_with("http://"))
                || text.contains(char::is_whitespace)
            {
                return Err(format!(
                    "expected an http(s) URL without spaces, found {}",
                    found()
                ));
            }
        }
    }
    Ok(())
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
        other => format!("`{other}`"),
    }
}
