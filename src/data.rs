//! Data files under `data/` (CSV, YAML, JSON, TOML), each read once per build into a JSON-like
//! value for templates (`load_data`). Parse errors point at the file, line and column.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, display_name};

/// Path under `data/` (`tariffs.csv`) to its parsed value.
pub type DataFiles = BTreeMap<String, Value>;

pub fn load_all(root: &Path) -> (DataFiles, Vec<Diagnostic>) {
    let dir = root.join("data");
    let (files, mut problems) = crate::source::files_under(root, "data");
    let paths: Vec<_> = files
        .into_iter()
        .filter(|p| data_format(p).is_some())
        .collect();
    let results: Vec<_> = paths
        .par_iter()
        .map(|path| load_one(root, &dir, path))
        .collect();
    let mut files = DataFiles::new();
    for result in results {
        match result {
            Ok((name, value)) => {
                files.insert(name, value);
            }
            Err(d) => problems.push(d),
        }
    }
    (files, problems)
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Yaml,
    Json,
    Toml,
}

fn data_format(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()? {
        "csv" => Some(Format::Csv),
        "yaml" | "yml" => Some(Format::Yaml),
        "json" => Some(Format::Json),
        "toml" => Some(Format::Toml),
        _ => None,
    }
}

fn load_one(root: &Path, dir: &Path, path: &Path) -> Result<(String, Value), Diagnostic> {
    let file = SourceFile::read(root, path)?;
    let name = display_name(dir, path);
    let value = match data_format(path) {
        Some(Format::Csv) => parse_csv(&file)?,
        Some(Format::Yaml) => crate::yaml::parse(&file, 0..file.text.len())?.to_json(),
        Some(Format::Json) => serde_json::from_str(&file.text).map_err(|err| {
            Diagnostic::error(format!("invalid JSON: {err}")).at_line_col(
                &file,
                err.line(),
                err.column().max(1),
                1,
            )
        })?,
        Some(Format::Toml) => {
            let table: toml::Table = toml::from_str(&file.text).map_err(|err| {
                let d = Diagnostic::error(format!("invalid TOML: {}", err.message().trim()));
                match err.span() {
                    Some(span) => d.at(&file, span),
                    None => d.in_file(&file.name),
                }
            })?;
            serde_json::to_value(table).unwrap_or(Value::Null)
        }
        None => Value::Null,
    };
    Ok((name, value))
}

/// A CSV file as `{headers: [...], rows: [{header: value}], records: [[...]]}`. A column whose
/// every non-empty cell is a number holds numbers; other cells stay strings (`NA` included).
fn parse_csv(file: &SourceFile) -> Result<Value, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(file.text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|err| csv_error(file, &err))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut records: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| csv_error(file, &err))?;
        records.push(record.iter().map(str::to_owned).collect());
    }
    let numeric: Vec<bool> = (0..headers.len())
        .map(|col| {
            let mut cells = records
                .iter()
                .map(|r| r[col].trim())
                .filter(|c| !c.is_empty())
                .peekable();
            cells.peek().is_some() && cells.all(|c| c.parse::<f64>().is_ok_and(f64::is_finite))
        })
        .collect();
    let cell = |col: usize, text: &str| -> Value {
        if numeric[col] {
            let text = text.trim();
            if let Ok(i) = text.parse::<i64>() {
                return Value::from(i);
            }
            if let Some(n) = text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                return Value::Number(n);
            }
            return Value::Null;
        }
        Value::String(text.to_owned())
    };
    let typed: Vec<Vec<Value>> = records
        .iter()
        .map(|r| r.iter().enumerate().map(|(i, c)| cell(i, c)).collect())
        .collect();
    let rows: Vec<Value> = typed
        .iter()
        .map(|r| {
            let map: Map<String, Value> = headers.iter().cloned().zip(r.iter().cloned()).collect();
            Value::Object(map)
        })
        .collect();
    Ok(serde_json::json!({
        "headers": headers,
        "rows": rows,
        "records": typed,
    }))
}

fn csv_error(file: &SourceFile, err: &csv::Error) -> Diagnostic {
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this CSV row has {len} fields, but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "CSV file is not valid UTF-8".to_owned(),
        _ => format!("invalid CSV: {err}"),
    };
    let d = Diagnostic::error(message);
    match err.position() {
        Some(pos) => {
            let line = pos.line() as usize;
            let range = file.line_range(line);
            d.at(file, range)
        }
        None => d.in_file(&file.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Result<Value, Diagnostic> {
        parse_csv(&SourceFile::new("data/t.csv", "/t.csv", text))
    }

    #[test]
    fn numeric_columns_become_numbers_and_codes_stay_strings() {
        let v = csv("country,iso2,rate\nNorway,NO,15\nNamibia,NA,21.5\n").unwrap();
        assert_eq!(v["rows"][0]["iso2"], "NO");
        assert_eq!(v["rows"][1]["iso2"], "NA");
        assert_eq!(v["rows"][0]["rate"], 15);
        assert_eq!(v["rows"][1]["rate"], 21.5);
        assert_eq!(v["headers"][2], "rate");
    }

    #[test]
    fn ragged_rows_are_errors_at_their_line() {
        let err = csv("a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(err.position().unwrap(), "data/t.csv:3:1");
        assert!(err.message.contains("1 fields"), "{}", err.message);
    }
}
