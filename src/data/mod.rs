//! Data files under `data/` (CSV, YAML, JSON, TOML), each read once per build, turned into rows
//! where the file is tabular, and checked against its schema in `tradetalks.toml` before any
//! page renders. Every error points at the file, line and column of the bad cell.

mod check;
mod history;

pub use history::NotInForce;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::config::{CONFIG_FILE, Config, DataSchema};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{SourceFile, display_name};
use crate::yaml::{Yaml, YamlValue};

/// Path under `data/` (`tariffs.csv`) to the loaded file.
pub type DataFiles = BTreeMap<String, DataFile>;

/// One loaded data file.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub name: String,
    pub file: SourceFile,
    /// What templates get from `load_data`, for YAML, JSON and TOML files; `Null` for a CSV
    /// file, whose value is made from its rows when asked for (`template_value`): kept,
    /// it was a second copy of every row, made before the schema typed the cells.
    pub value: Value,
    /// The file as rows, when it is a CSV or a list (or map) of maps.
    pub rows: Option<Rows>,
    pub schema: Option<DataSchema>,
    /// The file could not be read or parsed (already reported): whatever names it stays
    /// quiet instead of adding a second error.
    pub broken: bool,
    /// Key column value → row index, built on first use by `row_by_key`.
    pub key_index: OnceLock<HashMap<String, usize>>,
}

#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Column names in first-seen order.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Map<String, Value>,
    /// Where the row is in its file, and where each of its cells is, by column: the names
    /// are shared by the rows of a CSV file, where a map of names for each row held a copy
    /// of every column name per row.
    pub span: Range<usize>,
    pub cell_spans: Vec<(std::sync::Arc<str>, Range<usize>)>,
}

impl Row {
    pub fn cell_span(&self, column: &str) -> Range<usize> {
        // The last, as for the cells: a key written twice has its second value.
        self.cell_spans
            .iter()
            .rev()
            .find(|(name, _)| &**name == column)
            .map_or(self.span.clone(), |(_, span)| span.clone())
    }
}

/// The bare value of a cell: the `value` of a `{value, as_of, source}` cell, else the cell.
pub fn plain(cell: &Value) -> &Value {
    match cell {
        Value::Object(map) => map.get("value").unwrap_or(cell),
        _ => cell,
    }
}

impl DataFile {
    /// The column that names rows in fact references: the schema's `key`, else `id`.
    pub fn key_column(&self) -> &str {
        self.schema
            .as_ref()
            .and_then(|s| s.key.as_deref())
            .unwrap_or("id")
    }

    /// The row a fact reference names: the row whose key column (or `id`) equals `key`.
    /// The first call builds an index, so that N references into an N-row file cost N
    /// lookups, not N² comparisons.
    pub fn row_by_key(&self, key: &str) -> Option<&Row> {
        let rows = self.rows.as_ref()?;
        let index = self.key_index.get_or_init(|| {
            let key_column = self.key_column();
            let mut index = HashMap::with_capacity(rows.rows.len());
            for (i, row) in rows.rows.iter().enumerate() {
                if let Some(value) = row.cells.get(key_column).map(plain) {
                    // The first row with a key wins, as a scan would find it.
                    index.entry(value_text(value)).or_insert(i);
                }
            }
            index
        });
        index.get(key).map(|&i| &rows.rows[i])
    }

    pub fn has_column(&self, column: &str) -> bool {
        self.rows
            .as_ref()
            .is_some_and(|rows| rows.columns.iter().any(|c| c == column))
    }

    /// A diagnostic for a column a shortcode or reference names that the file lacks.
    pub fn missing_column(&self, column: &str) -> String {
        let columns = self
            .rows
            .as_ref()
            .map(|r| r.columns.as_slice())
            .unwrap_or(&[]);
        let mut message = format!("`{}` has no column `{column}`", self.name);
        if let Some(help) = did_you_mean(column, columns.iter().map(String::as_str)) {
            message = format!("{message}; {help}");
        } else if !columns.is_empty() {
            message = format!("{message} (columns: {})", columns.join(", "));
        }
        message
    }
}

/// A scalar as the text it would be written as (`24`, `JP`, `true`).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub fn load_all(config: &Config) -> (DataFiles, Vec<Diagnostic>) {
    let dir = config.root.join("data");
    let (files, mut problems) = config.tree.files_under("data");
    let paths: Vec<_> = files
        .into_iter()
        .filter(|p| data_format(p).is_some())
        .collect();
    let results: Vec<_> = paths
        .par_iter()
        .map(|path| {
            let loading = || load_one(config, &dir, path);
            let what = || format!("reading `{}`", display_name(&config.root, path));
            (path, crate::guard::catch(what, loading).unwrap_or_else(Err))
        })
        .collect();
    let mut files = DataFiles::new();
    for (path, result) in results {
        match result {
            Ok((file, file_problems)) => {
                problems.extend(file_problems);
                files.insert(file.name.clone(), file);
            }
            Err(d) => {
                problems.push(d);
                let name = display_name(&dir, path);
                files.insert(
                    name.clone(),
                    DataFile {
                        file: SourceFile::new(format!("data/{name}"), path.as_path(), ""),
                        name,
                        value: Value::Null,
                        rows: None,
                        schema: None,
                        broken: true,
                        key_index: OnceLock::new(),
                    },
                );
            }
        }
    }
    for (name, schema) in &config.data {
        if !config.tree.is_file(&dir.join(name)) {
            let mut d = Diagnostic::error(format!(
                "`{CONFIG_FILE}` describes `data/{name}`, which does not exist"
            ));
            d = d.at(&config.file, schema.span.clone());
            if let Some(help) = did_you_mean(name, files.keys().map(String::as_str)) {
                d = d.with_help(help);
            }
            problems.push(d);
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

fn load_one(
    config: &Config,
    dir: &Path,
    path: &Path,
) -> Result<(DataFile, Vec<Diagnostic>), Diagnostic> {
    let file = SourceFile::read(&config.tree, path)?;
    let name = display_name(dir, path);
    let schema = config.data.get(&name).cloned();
    parse_file(file, name, schema)
}

/// Parses one data file, its format from its name's extension (`.csv`, `.yaml`/`.yml`,
/// `.json`, `.toml`), and checks it against its schema: what `load_all` does for each file of
/// `data/` once it is read. Public for the fuzz targets.
pub fn parse_file(
    file: SourceFile,
    name: String,
    schema: Option<DataSchema>,
) -> Result<(DataFile, Vec<Diagnostic>), Diagnostic> {
    let (value, rows) = match data_format(Path::new(&name)) {
        Some(Format::Csv) => {
            let rows = parse_csv(&file, schema.as_ref())?;
            (Value::Null, Some(rows))
        }
        Some(Format::Yaml) => {
            let tree = crate::yaml::parse(&file, 0..file.text.len())?;
            (tree.to_json(), yaml_rows(&tree))
        }
        Some(Format::Json) => {
            let value: Value = serde_json::from_str(&file.text).map_err(|err| {
                Diagnostic::error(format!("invalid JSON: {err}")).at_line_col(
                    &file,
                    err.line(),
                    err.column().max(1),
                    1,
                )
            })?;
            // JSON is YAML 1.2, so the YAML reader gives us the positions serde_json lacks.
            let rows = match crate::yaml::parse(&file, 0..file.text.len()) {
                Ok(tree) => yaml_rows(&tree),
                Err(_) => json_rows(&value, 0..0),
            };
            (value, rows)
        }
        Some(Format::Toml) => {
            let table: toml::Table = toml::from_str(&file.text).map_err(|err| {
                let d = Diagnostic::error(format!("invalid TOML: {}", err.message().trim()));
                match err.span() {
                    Some(span) => d.at(&file, span),
                    None => d.in_file(&file.name),
                }
            })?;
            let value = serde_json::to_value(table).unwrap_or(Value::Null);
            let rows = json_rows(&value, 0..0);
            (value, rows)
        }
        None => (Value::Null, None),
    };
    let mut data = DataFile {
        name,
        file,
        value,
        rows,
        schema,
        broken: false,
        key_index: OnceLock::new(),
    };
    let problems = check::against_schema(&mut data);
    Ok((data, problems))
}

impl DataFile {
    /// What `load_data` returns: for a CSV file, made from its rows as the schema typed them
    /// (a `boolean` column holds booleans, as in tables and fact references).
    pub fn template_value(&self) -> std::borrow::Cow<'_, Value> {
        match (&self.rows, data_format(Path::new(&self.name))) {
            (Some(rows), Some(Format::Csv)) => std::borrow::Cow::Owned(csv_value(rows)),
            _ => std::borrow::Cow::Borrowed(&self.value),
        }
    }

    /// `template_value` as of `on`: a file kept through time has only the rows in force then
    /// (a CSV file as `{headers, rows, records}`, another as the list of those rows).
    pub fn template_value_on(&self, on: jiff::civil::Date) -> std::borrow::Cow<'_, Value> {
        let Some(rows) = self.rows.as_ref().filter(|_| self.versions().is_some()) else {
            return self.template_value();
        };
        let in_force = Rows {
            columns: rows.columns.clone(),
            rows: self.rows_on(on).into_iter().cloned().collect(),
        };
        match data_format(Path::new(&self.name)) {
            Some(Format::Csv) => std::borrow::Cow::Owned(csv_value(&in_force)),
            _ => std::borrow::Cow::Owned(Value::Array(
                in_force
                    .rows
                    .into_iter()
                    .map(|row| Value::Object(row.cells))
                    .collect(),
            )),
        }
    }
}

/// The `load_data` value of a CSV file: `{headers, rows: [{column: value}], records: [[...]]}`.
fn csv_value(rows: &Rows) -> Value {
    use rayon::prelude::*;
    // Rows in parallel: a file of tens of thousands of rows took 60 ms on one core.
    let records: Vec<Value> = rows
        .rows
        .par_iter()
        .map(|row| {
            rows.columns
                .iter()
                .map(|c| row.cells.get(c).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    let objects: Vec<Value> = rows
        .rows
        .par_iter()
        .map(|r| Value::Object(r.cells.clone()))
        .collect();
    serde_json::json!({
        "headers": rows.columns,
        "rows": objects,
        "records": records,
    })
}

/// A CSV file as rows. With a schema, a column is typed as declared; without one, a column
/// whose every non-empty cell is a number holds numbers. Other cells stay strings, so `NA`
/// and `NO` stay country codes.
fn parse_csv(file: &SourceFile, schema: Option<&DataSchema>) -> Result<Rows, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(file.text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|err| csv_error(file, &err))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    // Each record: its cells, each cell's byte range, and the record's line.
    let mut records: Vec<CsvRecord> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| csv_error(file, &err))?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let spans = field_spans(&file.text, start, record.len());
        let line = record.position().map_or(1, |p| p.line() as usize);
        records.push((
            record.iter().map(str::to_owned).collect(),
            spans,
            file.line_range(line),
        ));
    }
    let numeric: Vec<bool> = headers
        .iter()
        .enumerate()
        .map(|(col, name)| {
            if let Some(column) = schema.and_then(|s| s.column(name)) {
                return column.column_type.is_numeric();
            }
            let mut cells = records
                .iter()
                .map(|r| r.0[col].trim())
                .filter(|c| !c.is_empty())
                .peekable();
            cells.peek().is_some() && cells.all(is_plain_decimal)
        })
        .collect();
    let names: Vec<std::sync::Arc<str>> = headers.iter().map(|h| h.as_str().into()).collect();
    let rows = records
        .into_iter()
        .map(|(cells, spans, span)| Row {
            cells: headers
                .iter()
                .zip(&cells)
                .enumerate()
                .map(|(i, (h, c))| (h.clone(), csv_cell(c, numeric[i])))
                .collect(),
            cell_spans: names.iter().cloned().zip(spans).collect(),
            span,
        })
        .collect();
    Ok(Rows {
        columns: headers,
        rows,
    })
}

/// Byte ranges of the `count` fields of the CSV record starting at `start` in `text`
/// (quotes included), found by splitting at commas outside quotes.
fn field_spans(text: &str, start: usize, count: usize) -> Vec<Range<usize>> {
    let mut spans = Vec::with_capacity(count);
    let mut field_start = start;
    let mut in_quotes = false;
    for (i, c) in text.get(start..).unwrap_or_default().char_indices() {
        let at = start + i;
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                spans.push(field_start..at);
                field_start = at + 1;
            }
            '\n' | '\r' if !in_quotes => {
                spans.push(field_start..at);
                return spans;
            }
            _ => {}
        }
    }
    spans.push(field_start..text.len());
    spans
}

type CsvRecord = (Vec<String>, Vec<Range<usize>>, Range<usize>);

/// A number as data writes one: an optional `-`, digits, and an optional `.` with digits.
/// Without a schema, only a column of these holds numbers: `0e0`, `1E5`, `+3` or `.5` may be
/// codes or text, and stay as written.
fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    // A leading zero (`0202`, an HS heading or a postcode) marks a code, not a number: read
    // as a number it would lose its zeros.
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV cell: a number in a numeric column when it parses (the schema check reports it when
/// it does not), else the text as written. Empty cells are null.
fn csv_cell(text: &str, numeric: bool) -> Value {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Value::Null;
    }
    if numeric {
        if let Ok(i) = trimmed.parse::<i64>() {
            return Value::from(i);
        }
        if let Some(n) = trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    Value::String(text.to_owned())
}

/// Rows of a YAML (or JSON) file that is a list of maps, or a map of maps (the key becomes
/// the row's `id`).
fn yaml_rows(tree: &Yaml) -> Option<Rows> {
    let items: Vec<(Option<&str>, &Yaml)> = match &tree.value {
        YamlValue::Seq(items) => items.iter().map(|y| (None, y)).collect(),
        YamlValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| (Some(k.name.as_str()), v))
            .collect(),
        _ => return None,
    };
    if items.is_empty() || !items.iter().all(|(_, y)| y.entries().is_some()) {
        return None;
    }
    let mut rows = Rows::default();
    for (id, item) in items {
        let mut row = Row {
            cells: Map::new(),
            span: item.span.clone(),
            cell_spans: Vec::new(),
        };
        if let Some(id) = id {
            row.cells.insert("id".into(), Value::String(id.to_owned()));
        }
        for (key, value) in item.entries().unwrap_or(&[]) {
            row.cells.insert(key.name.clone(), value.to_json());
            row.cell_spans
                .push((key.name.as_str().into(), value.span.clone()));
        }
        add_columns(&mut rows.columns, &row.cells);
        rows.rows.push(row);
    }
    Some(rows)
}

/// Rows of a JSON or TOML value, without positions inside the file.
fn json_rows(value: &Value, span: Range<usize>) -> Option<Rows> {
    let items: Vec<(Option<&str>, &Value)> = match value {
        Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
        _ => return None,
    };
    if items.is_empty() || !items.iter().all(|(_, v)| v.is_object()) {
        return None;
    }
    let mut rows = Rows::default();
    for (id, item) in items {
        let mut cells = Map::new();
        if let Some(id) = id {
            cells.insert("id".into(), Value::String(id.to_owned()));
        }
        if let Value::Object(map) = item {
            cells.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        add_columns(&mut rows.columns, &cells);
        rows.rows.push(Row {
            cells,
            span: span.clone(),
            cell_spans: Vec::new(),
        });
    }
    Some(rows)
}

fn add_columns(columns: &mut Vec<String>, cells: &Map<String, Value>) {
    for key in cells.keys() {
        if !columns.contains(key) {
            columns.push(key.clone());
        }
    }
}

/// What a column holds, for tables and charts: the schema's type, or numbers when every
/// non-empty cell is one.
pub fn column_is_numeric(data: &DataFile, column: &str) -> bool {
    if let Some(c) = data.schema.as_ref().and_then(|s| s.column(column)) {
        return c.column_type.is_numeric();
    }
    let Some(rows) = &data.rows else {
        return false;
    };
    let mut cells = rows
        .rows
        .iter()
        .filter_map(|r| r.cells.get(column).map(plain))
        .filter(|v| !v.is_null())
        .peekable();
    cells.peek().is_some() && cells.all(Value::is_number)
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
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_make_a_column_of_numbers() {
        for number in ["0", "-0", "0.25", "24", "-16.6", "1234.50"] {
            assert!(is_plain_decimal(number), "{number}");
        }
        for text in [
            "0e0", "1E5", "+3", ".5", "5.", "-", "NaN", "inf", "1,234", "", "0000", "0202",
            "-007.5", "00.5",
        ] {
            assert!(!is_plain_decimal(text), "{text}");
        }
    }

    fn csv(text: &str) -> Result<Value, Diagnostic> {
        parse_csv(&SourceFile::new("data/t.csv", "/t.csv", text), None).map(|r| csv_value(&r))
    }

    #[test]
    fn numeric_columns_become_numbers_and_codes_stay_strings() {
        let v = csv("country,iso2,rate,hs\nNorway,NO,15,0202\nNamibia,NA,21.5,8703\n").unwrap();
        assert_eq!(v["rows"][0]["iso2"], "NO");
        // An HS heading keeps its leading zero, and the column its codes.
        assert_eq!(v["rows"][0]["hs"], "0202");
        assert_eq!(v["rows"][1]["hs"], "8703");
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

    #[test]
    fn yaml_rows_keep_no_and_na_as_codes_and_map_keys_as_ids() {
        let text =
            "JP: { iso2: JP, rate: 24 }\nNO: { iso2: NO, rate: 15 }\nNA: { iso2: NA, rate: 21 }\n";
        let file = SourceFile::new("data/t.yaml", "/t.yaml", text);
        let tree = crate::yaml::parse(&file, 0..text.len()).unwrap();
        let rows = yaml_rows(&tree).unwrap();
        assert_eq!(rows.columns, ["id", "iso2", "rate"]);
        assert_eq!(rows.rows[1].cells["iso2"], "NO");
        assert_eq!(rows.rows[2].cells["id"], "NA");
        assert_eq!(&text[rows.rows[2].cell_span("rate")], "21");
    }

    #[test]
    fn csv_cells_know_their_place_even_when_quoted() {
        let text = "a,b,c\n\"x, y\",22,z\n";
        let spans = field_spans(text, 6, 3);
        let fields: Vec<&str> = spans.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(fields, ["\"x, y\"", "22", "z"]);
    }
}
