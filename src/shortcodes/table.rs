//! `table` (rows of a data file) and `compare` (a matrix of front-matter fields across the
//! pages of a section): both become a `TableView` for `shortcodes/*.html` to present.

use std::ops::Range;

use serde::Serialize;
use serde_json::Value;

use super::args::Args;
use super::format::{self, Condition};
use super::{Expander, ShortcodeEnv};
use crate::content::Page;
use crate::data::{self, DataFile, Row, plain, value_text};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::yaml::{Yaml, YamlValue};

#[derive(Debug, Serialize)]
pub struct TableView {
    pub id: String,
    pub caption: String,
    pub sortable: bool,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<RowView>,
    pub sources: Vec<SourceView>,
    pub csv_url: String,
    /// Whether numeric columns are shaded as a heat map (`heat`): the table says how to read it.
    pub heat: bool,
    /// Sparkline columns after the others (`spark`), each row's in `RowView::sparks`.
    pub sparks: Vec<super::spark::SparkColumn>,
}

#[derive(Debug, Serialize)]
pub struct ColumnView {
    pub label: String,
    pub unit: Option<String>,
    pub numeric: bool,
    /// `ascending` or `descending` on the column the rows are sorted by.
    pub sort: Option<&'static str>,
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RowView {
    pub highlight: bool,
    /// The first cell heads the row.
    pub cells: Vec<CellView>,
    pub sparks: Vec<super::spark::SparkView>,
}

#[derive(Debug, Default, Serialize)]
pub struct CellView {
    pub text: String,
    /// The number behind the text, for sorting (a date's is YYYYMMDD).
    pub value: Option<f64>,
    pub numeric: bool,
    /// A list cell's items.
    pub items: Vec<String>,
    /// Numbers of the entries in `sources` this cell comes from.
    pub refs: Vec<usize>,
    pub missing: bool,
    /// Its shade in a heat-map column (`heat`), 0 (lowest) to `HEAT_STEPS - 1`.
    pub heat: Option<usize>,
}

/// How many shades a heat-map column has (`tt-heat-0` … `tt-heat-4` in the stylesheet).
const HEAT_STEPS: usize = 5;

/// Shades the cells of the columns `heat` names (indexes into the table's columns) by
/// their value, from the column's lowest to its highest.
fn shade(rows: &mut [RowView], heat: &[usize]) {
    for &column in heat {
        let values: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.cells.get(column).and_then(|c| c.value))
            .collect();
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for row in rows.iter_mut() {
            if let Some(cell) = row.cells.get_mut(column)
                && let Some(v) = cell.value
            {
                let share = if high > low {
                    (v - low) / (high - low)
                } else {
                    0.5
                };
                cell.heat = Some(((share * HEAT_STEPS as f64) as usize).min(HEAT_STEPS - 1));
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceView {
    pub number: usize,
    pub text: String,
    pub as_of: Option<String>,
    pub as_of_text: Option<String>,
}

/// Collects distinct sources and numbers them in order of first use.
#[derive(Default)]
pub struct Sources(Vec<SourceView>);

impl Sources {
    pub fn add(&mut self, text: Option<&str>, as_of: Option<&str>) -> Option<usize> {
        let text = text?.trim();
        if text.is_empty() {
            return None;
        }
        let as_of = as_of.map(str::to_owned);
        if let Some(existing) = self.0.iter().find(|s| s.text == text && s.as_of == as_of) {
            return Some(existing.number);
        }
        let number = self.0.len() + 1;
        self.0.push(SourceView {
            number,
            text: text.to_owned(),
            as_of_text: as_of.as_deref().map(format::date),
            as_of,
        });
        Some(number)
    }

    pub fn into_vec(self) -> Vec<SourceView> {
        self.0
    }

    /// The sources of a figure drawn from `file`: the call's `source` and `as_of`, else the
    /// schema's; its cells' own sources are added as they are read.
    pub fn of_file(args: &Args, file: &DataFile) -> Sources {
        let schema = file.schema.as_ref();
        let mut sources = Sources::default();
        let as_of = args
            .str("as_of")
            .map(str::to_owned)
            .or_else(|| schema.and_then(|s| s.as_of).map(|d| d.to_string()));
        sources.add(
            args.str("source")
                .or_else(|| schema.and_then(|s| s.source.as_deref())),
            as_of.as_deref(),
        );
        sources
    }
}

/// Finds the data file a shortcode names, or explains what exists.
pub fn data_file<'e>(exp: &Expander<'e>, args: &Args) -> Result<&'e DataFile, Vec<Diagnostic>> {
    let name = args.str("data").unwrap_or_default();
    let Some(file) = exp.env.data.get(name) else {
        let mut d = exp.error(format!("no data file `data/{name}`"), args.span("data"));
        if let Some(help) = did_you_mean(name, exp.env.data.keys().map(String::as_str)) {
            d = d.with_help(help);
        }
        return Err(vec![d]);
    };
    if file.broken {
        return Err(Vec::new());
    }
    if file.rows.is_none() {
        return Err(vec![exp.error(
            format!("`data/{name}` is not a table: expected a CSV file or a list of maps"),
            args.span("data"),
        )]);
    }
    Ok(file)
}

/// Checks that `column` exists in `file`, as an error at `span`.
pub fn need_column(
    exp: &Expander,
    file: &DataFile,
    column: &str,
    span: Range<usize>,
) -> Result<(), Diagnostic> {
    if file.has_column(column) {
        Ok(())
    } else {
        Err(exp.error(file.missing_column(column), span))
    }
}

/// Selected rows in order, and the column they are sorted by (true when descending).
pub type Selection<'d> = (Vec<&'d Row>, Option<(String, bool)>);

/// The rows a `filter`, `sort` and `limit` select, in order.
pub fn select_rows<'d>(
    exp: &Expander,
    file: &'d DataFile,
    args: &Args,
) -> Result<Selection<'d>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut conditions: Vec<Condition> = match args.str("filter").map(format::parse_filter) {
        Some(Ok(conditions)) => conditions,
        Some(Err(message)) => {
            problems.push(exp.error(format!("bad `filter`: {message}"), args.span("filter")));
            Vec::new()
        }
        None => Vec::new(),
    };
    for condition in &mut conditions {
        if let Err(d) = need_column(exp, file, &condition.column, args.span("filter")) {
            problems.push(d);
            continue;
        }
        if let Err(message) = condition.bind(file.is_date_column(&condition.column), exp.env.today)
        {
            problems.push(exp.error(format!("bad `filter`: {message}"), args.span("filter")));
        }
    }
    let sort = args.str("sort").map(format::parse_sort);
    if let Some((column, _)) = sort
        && let Err(d) = need_column(exp, file, column, args.span("sort"))
    {
        problems.push(d);
    }
    let on = match as_of(exp, args) {
        Ok(on) => on,
        Err(d) => {
            problems.push(d);
            exp.env.today
        }
    };
    if file.versions().is_none() && args.str("on").is_some() {
        problems.push(
            exp.error(
                format!(
                    "`on` reads a file kept through time as of a date, and `data/{}` is not one: its schema names no `effective` column",
                    file.name
                ),
                args.span("on"),
            )
            .with_help("remove `on`, or give the file's schema `effective = \"COLUMN\"`"),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // A file kept through time is read as of the build date, or the date asked for.
    let in_force = file.rows_on(on);
    let any_rows = file.rows.as_ref().is_some_and(|r| !r.rows.is_empty());
    if in_force.is_empty() && any_rows {
        // An empty table or chart would publish without a word.
        return Err(vec![
            exp.error(
                format!("nothing in `data/{}` is in force on {on}", file.name),
                args.span("on"),
            )
            .with_note("each row applies from its effective date until the next row of its key, its end date, or its withdrawal")
            .with_help("check the build date (`--as-of`), or read the file as of another date with `on=\"YYYY-MM-DD\"`"),
        ]);
    }
    let mut selected: Vec<&Row> = in_force
        .into_iter()
        .filter(|row| format::matches(&conditions, &row.cells))
        .collect();
    if selected.is_empty() && !conditions.is_empty() {
        return Err(vec![
            exp.error(
                "this `filter` matches no row, so there would be nothing to show",
                args.span("filter"),
            )
            .with_help("check the column names and values it compares"),
        ]);
    }
    if let Some((column, descending)) = sort {
        selected.sort_by(|a, b| {
            let (x, y) = (cell(a, column), cell(b, column));
            let order = format::compare_cells(x, y);
            // Blanks stay last either way.
            if descending && !plain(x).is_null() && !plain(y).is_null() {
                order.reverse()
            } else {
                order
            }
        });
    }
    if let Some(limit) = args.int("limit") {
        selected.truncate(usize::try_from(limit.max(0)).unwrap_or(usize::MAX));
    }
    Ok((selected, sort.map(|(c, d)| (c.to_owned(), d))))
}

/// The date a shortcode reads data as of: its `on` argument (`on="2025-04-10"`), else the build
/// date.
pub fn as_of(exp: &Expander, args: &Args) -> Result<jiff::civil::Date, Diagnostic> {
    Ok(date_arg(exp, args, "on")?.unwrap_or(exp.env.today))
}

/// A date argument (`on`, `from`, `to`): `YYYY-MM-DD`, or `today` for the build date; none
/// when the call leaves it out.
pub fn date_arg(
    exp: &Expander,
    args: &Args,
    name: &str,
) -> Result<Option<jiff::civil::Date>, Diagnostic> {
    match args.str(name) {
        None => Ok(None),
        Some("today") => Ok(Some(exp.env.today)),
        Some(text) => crate::content::front_matter::parse_date(text)
            .map(Some)
            .map_err(|message| {
                exp.error(format!("`{name}` must be a date: {message}"), args.span(name))
                    .with_help(format!(
                        "write `{name}=\"2025-04-10\"` (YYYY-MM-DD), or `{name}=\"today\"` for the build date"
                    ))
            }),
    }
}

/// How the edition names a column of `file`: its schema label in the edition's language,
/// else its name made readable.
pub fn column_label(exp: &Expander, file: &DataFile, column: &str) -> String {
    file.schema
        .as_ref()
        .and_then(|s| s.column(column))
        .and_then(|c| c.label_in(&exp.env.config.language))
        .map_or_else(|| format::humanise(column), str::to_owned)
}

fn cell<'r>(row: &'r Row, column: &str) -> &'r Value {
    row.cells.get(column).unwrap_or(&Value::Null)
}

/// The values of `highlight`, matched against the key column (or the first column).
pub fn is_highlighted(file: &DataFile, args: &Args, row: &Row) -> bool {
    let Some(wanted) = args.list("highlight") else {
        return false;
    };
    let key = file
        .schema
        .as_ref()
        .and_then(|s| s.key.clone())
        .or_else(|| file.rows.as_ref()?.columns.first().cloned())
        .unwrap_or_default();
    let value = value_text(plain(cell(row, &key)));
    wanted.iter().any(|(w, _)| *w == value)
}

pub fn data_table(exp: &mut Expander, args: &Args, id: &str) -> Result<TableView, Vec<Diagnostic>> {
    let file = data_file(exp, args)?;
    let all_columns = file
        .rows
        .as_ref()
        .map(|r| r.columns.clone())
        .unwrap_or_default();
    let columns: Vec<(String, Range<usize>)> = match args.list("columns") {
        Some(list) => list.into_iter().map(|(c, s)| (c.to_owned(), s)).collect(),
        None => all_columns
            .iter()
            .map(|c| (c.clone(), args.span("data")))
            .collect(),
    };
    let mut problems: Vec<Diagnostic> = columns
        .iter()
        .filter_map(|(c, span)| need_column(exp, file, c, span.clone()).err())
        .collect();
    let labels = args.list("labels");
    if let Some(labels) = &labels
        && labels.len() != columns.len()
    {
        problems.push(exp.error(
            format!(
                "`labels` has {} items but there are {} columns",
                labels.len(),
                columns.len()
            ),
            args.span("labels"),
        ));
    }
    let schema = file.schema.as_ref();
    let caption = args
        .str("caption")
        .map(str::to_owned)
        .or_else(|| schema.and_then(|s| s.title_in(&exp.env.config.language).map(str::to_owned)));
    if caption.is_none() {
        problems.push(
            exp.error("this table needs a caption", args.call.name_span.clone())
                .with_help(format!(
                    "add `caption=\"...\"`, or a `title` to `[data.\"{}\"]` in tradetalks.toml",
                    file.name
                )),
        );
    }
    let (rows, sort) = match select_rows(exp, file, args) {
        Ok(selected) => selected,
        Err(more) => {
            problems.extend(more);
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let column_views: Vec<ColumnView> = columns
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let column_schema = schema.and_then(|s| s.column(name));
            let label = labels
                .as_ref()
                .and_then(|l| l.get(i).map(|(text, _)| (*text).to_owned()))
                .or_else(|| {
                    column_schema
                        .and_then(|c| c.label_in(&exp.env.config.language).map(str::to_owned))
                })
                .unwrap_or_else(|| format::humanise(name));
            ColumnView {
                label,
                unit: column_schema.and_then(|c| c.unit.clone()),
                numeric: data::column_is_numeric(file, name),
                sort: sort
                    .as_ref()
                    .filter(|(c, _)| c == name)
                    .map(|(_, desc)| if *desc { "descending" } else { "ascending" }),
                url: None,
            }
        })
        .collect();
    let mut sources = Sources::of_file(args, file);
    // Dates as the edition writes them (`8 July 2025`, `2025年7月8日`).
    let date_columns: Vec<bool> = columns
        .iter()
        .map(|(name, _)| file.is_date_column(name))
        .collect();
    let (spark_columns, mut row_sparks) = match super::spark::sparks(exp, args, file, &rows) {
        Ok(sparks) => sparks,
        Err(more) => {
            problems.extend(more);
            (Vec::new(), Vec::new())
        }
    };
    let mut row_views = rows
        .iter()
        .enumerate()
        .map(|(i, row)| RowView {
            highlight: is_highlighted(file, args, row),
            sparks: row_sparks
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default(),
            cells: columns
                .iter()
                .zip(&column_views)
                .zip(&date_columns)
                .map(|(((name, _), column), is_date)| {
                    let value = cell(row, name);
                    let refs = sources
                        .add(
                            value.get("source").and_then(Value::as_str),
                            value.get("as_of").and_then(Value::as_str),
                        )
                        .into_iter()
                        .collect();
                    CellView {
                        text: match plain(value).as_str() {
                            Some(text) if *is_date => {
                                exp.env.messages.date_text(&exp.env.config.language, text)
                            }
                            _ => cell_text(exp.env, value, column.unit.as_deref()),
                        },
                        // A date sorts as the number YYYYMMDD.
                        value: match plain(value).as_str() {
                            Some(text) if *is_date => {
                                crate::content::front_matter::parse_date(text)
                                    .ok()
                                    .map(|d| {
                                        f64::from(
                                            i32::from(d.year()) * 10_000
                                                + i32::from(d.month()) * 100
                                                + i32::from(d.day()),
                                        )
                                    })
                            }
                            _ => plain(value).as_f64(),
                        },
                        numeric: column.numeric,
                        refs,
                        missing: plain(value).is_null(),
                        ..CellView::default()
                    }
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    let mut heat = Vec::new();
    for (name, span) in args.list("heat").unwrap_or_default() {
        match columns.iter().position(|(c, _)| c == name) {
            Some(i) if column_views[i].numeric && !date_columns[i] => heat.push(i),
            Some(_) => problems.push(exp.error(
                format!("column `{name}` is not numeric, so it cannot be shaded as a heat map"),
                span,
            )),
            None => problems.push(
                exp.error(
                    format!("`heat` names `{name}`, which is not one of the table's columns"),
                    span,
                )
                .with_help("add it to `columns`, or shade one of the columns shown"),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    shade(&mut row_views, &heat);
    let mut csv = vec![column_views.iter().map(csv_heading).collect::<Vec<_>>()];
    csv.extend(rows.iter().map(|row| {
        columns
            .iter()
            .map(|(name, _)| value_text(plain(cell(row, name))))
            .collect()
    }));
    let csv_url = exp.download(id, &csv);
    Ok(TableView {
        id: id.to_owned(),
        caption: caption.unwrap_or_default(),
        sortable: args.bool("sortable").unwrap_or(true) && row_views.len() > 1,
        columns: column_views,
        rows: row_views,
        sources: sources.into_vec(),
        csv_url,
        heat: !heat.is_empty(),
        sparks: spark_columns,
    })
}

fn csv_heading(column: &ColumnView) -> String {
    match &column.unit {
        Some(unit) => format!("{} ({unit})", column.label),
        None => column.label.clone(),
    }
}

/// The pages of the section a shortcode names, in the section's order. In an edition, the
/// default edition's order, each page in the edition's translation where there is one and as
/// it is where there is none, then the edition's own pages: a comparison lists every country
/// whichever of them is translated.
pub fn section_pages<'e>(
    exp: &Expander<'e>,
    args: &Args,
) -> Result<Vec<&'e Page>, Vec<Diagnostic>> {
    let name = args.str("section").unwrap_or_default().trim_matches('/');
    let content = exp.env.content;
    exp.reads_content.set(true);
    let own = content
        .sections
        .get(name)
        .map(|section| section.pages.iter().map(|&i| &content.pages[i]));
    let source = exp
        .env
        .fallback
        .and_then(|fallback| Some((fallback, fallback.sections.get(name)?)));
    match (own, source) {
        (Some(own), None) => Ok(own.collect()),
        (own, Some((fallback, section))) => {
            let own: Vec<&Page> = own.map(Iterator::collect).unwrap_or_default();
            let translated: std::collections::BTreeMap<&str, &Page> =
                own.iter().map(|p| (p.content_path.as_str(), *p)).collect();
            let mut pages: Vec<&Page> = section
                .pages
                .iter()
                .map(|&i| &fallback.pages[i])
                .map(|page| {
                    translated
                        .get(page.content_path.as_str())
                        .copied()
                        .unwrap_or(page)
                })
                .collect();
            let listed: std::collections::BTreeSet<&str> =
                pages.iter().map(|p| p.content_path.as_str()).collect();
            pages.extend(
                own.iter()
                    .filter(|p| !listed.contains(p.content_path.as_str())),
            );
            Ok(pages)
        }
        (None, None) => {
            let mut d = exp.error(
                format!("no section `content/{name}/`"),
                args.span("section"),
            );
            let names = content.sections.keys().filter(|k| !k.is_empty());
            if let Some(help) = did_you_mean(name, names.map(String::as_str)) {
                d = d.with_help(help);
            }
            Err(vec![d])
        }
    }
}

/// A dotted path (`tariffs.reciprocal`) into a page's front matter.
pub fn field<'p>(page: &'p Page, path: &str) -> Option<&'p Yaml> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut node = match first {
        "extra" => page.front.extra_tree.as_ref()?,
        _ => page.front.fields.get(first)?,
    };
    for part in parts {
        node = match &node.value {
            YamlValue::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => node.get(part)?,
        };
    }
    Some(node)
}

/// Checks that some page has the field at `path`; explains which fields exist otherwise.
pub fn need_field(
    exp: &Expander,
    pages: &[&Page],
    path: &str,
    span: Range<usize>,
) -> Result<(), Diagnostic> {
    if pages.iter().any(|p| field(p, path).is_some()) {
        return Ok(());
    }
    let known: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.front.fields.keys().map(String::as_str))
        .collect();
    let first = path.split('.').next().unwrap_or(path);
    let mut d = exp.error(
        format!("no page of the section has the field `{path}`"),
        span,
    );
    if let Some(help) = did_you_mean(first, known.iter().copied()) {
        d = d.with_help(help);
    }
    Err(d)
}

/// Text of a front-matter value for the column heading of a page.
fn page_heading(page: &Page, header: Option<&str>) -> String {
    header
        .and_then(|h| field(page, h))
        .map(|y| value_text(&y.to_json()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| page.front.title.clone())
}

pub fn compare(exp: &mut Expander, args: &Args, id: &str) -> Result<TableView, Vec<Diagnostic>> {
    let pages = section_pages(exp, args)?;
    let fields = args.list("fields").unwrap_or_default();
    let mut problems: Vec<Diagnostic> = fields
        .iter()
        .filter_map(|(path, span)| need_field(exp, &pages, path, span.clone()).err())
        .collect();
    let labels = args.list("labels");
    if let Some(labels) = &labels
        && labels.len() != fields.len()
    {
        problems.push(exp.error(
            format!(
                "`labels` has {} items but there are {} fields",
                labels.len(),
                fields.len()
            ),
            args.span("labels"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let header = args.str("header");
    let mut columns = vec![ColumnView {
        label: String::new(),
        unit: None,
        numeric: false,
        sort: None,
        url: None,
    }];
    columns.extend(pages.iter().map(|page| ColumnView {
        label: page_heading(page, header),
        unit: None,
        numeric: false,
        sort: None,
        url: Some(exp.env.config.url_path(&page.path)),
    }));
    let mut sources = Sources::default();
    let mut csv = vec![columns.iter().map(|c| c.label.clone()).collect::<Vec<_>>()];
    let mut rows = Vec::new();
    for (i, (path, _)) in fields.iter().enumerate() {
        let label = labels
            .as_ref()
            .and_then(|l| l.get(i).map(|(t, _)| (*t).to_owned()))
            .or_else(|| {
                pages.iter().find_map(|p| {
                    field(p, path)?
                        .get("label")
                        .and_then(Yaml::as_str)
                        .map(str::to_owned)
                })
            })
            .unwrap_or_else(|| format::humanise(path));
        let mut cells = vec![CellView {
            text: label.clone(),
            ..CellView::default()
        }];
        cells.extend(
            pages
                .iter()
                .map(|page| compare_cell(exp.env, field(page, path), &mut sources)),
        );
        csv.push(
            cells
                .iter()
                .map(|c| {
                    if c.items.is_empty() {
                        c.text.clone()
                    } else {
                        c.items.join("; ")
                    }
                })
                .collect(),
        );
        rows.push(RowView {
            highlight: false,
            cells,
            sparks: Vec::new(),
        });
    }
    let csv_url = exp.download(id, &csv);
    Ok(TableView {
        id: id.to_owned(),
        caption: args.str("caption").unwrap_or_default().to_owned(),
        sortable: false,
        columns,
        rows,
        sources: sources.into_vec(),
        csv_url,
        heat: false,
        sparks: Vec::new(),
    })
}

fn compare_cell(env: &ShortcodeEnv, value: Option<&Yaml>, sources: &mut Sources) -> CellView {
    let Some(value) = value else {
        return CellView {
            text: env.word("not-stated", &[]),
            missing: true,
            ..CellView::default()
        };
    };
    match &value.value {
        YamlValue::Map(_) if value.get("value").is_some() => {
            let json = value.to_json();
            let refs = sources
                .add(
                    json.get("source").and_then(Value::as_str),
                    json.get("as_of").and_then(Value::as_str),
                )
                .into_iter()
                .collect();
            let number = plain(&json);
            CellView {
                text: cell_text(env, &json, None),
                value: number.as_f64(),
                numeric: number.is_number(),
                refs,
                ..CellView::default()
            }
        }
        YamlValue::Seq(items) => CellView {
            items: items.iter().map(item_text).collect(),
            ..CellView::default()
        },
        _ => {
            let json = value.to_json();
            CellView {
                text: cell_text(env, &json, None),
                value: json.as_f64(),
                numeric: json.is_number(),
                ..CellView::default()
            }
        }
    }
}

/// A cell as the edition writes it: numbers grouped with their unit (unless it is the
/// column's, shown in its heading), `true` and `false` as the language's yes and no.
fn cell_text(env: &ShortcodeEnv, cell: &Value, column_unit: Option<&str>) -> String {
    match plain(cell) {
        Value::Bool(yes) => env.word(if *yes { "yes" } else { "no" }, &[]),
        _ => env.numbers().cell_text(cell, column_unit),
    }
}

/// A list item or scalar as text; maps show their `label`, `title` or `value`.
fn item_text(value: &Yaml) -> String {
    match &value.value {
        YamlValue::Map(_) => ["label", "title", "value", "name"]
            .iter()
            .find_map(|k| value.get(k).map(|v| value_text(&v.to_json())))
            .unwrap_or_default(),
        _ => value_text(&value.to_json()),
    }
}
