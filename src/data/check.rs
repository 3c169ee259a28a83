//! A data file against its `[data."FILE"]` schema: required columns present and filled, cells
//! of the declared type and within bounds. Each problem is reported at the cell.

use serde_json::Value;

use super::{DataFile, plain};
use crate::config::{ColumnSchema, ColumnType};
use crate::content::front_matter::parse_date;
use crate::diagnostic::Diagnostic;

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
            if !(text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())) {
                return Err(format!(
                    "expected a two-letter ISO 3166-1 country code such as `JP`, found {}",
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
