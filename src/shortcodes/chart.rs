//! `chart`: a chart of categories as inline SVG: horizontal bars (grouped when `y` names
//! several series), stacked bars, diverging bars (some series drawn left of zero), dot plots
//! and range plots (each row's values as dots on one line, joined from lowest to highest).
//! The geometry is computed here; `shortcodes/chart.html` only draws it, with `<title>`,
//! `<desc>` and the same numbers as a table.

use serde::Serialize;
use serde_json::Value;

use super::Expander;
use super::args::Args;
use fluent_bundle::FluentValue;

use super::format::{self, Numbers};
use super::table::{self, SourceView, Sources};
use crate::data::{self, plain, value_text};
use crate::diagnostic::Diagnostic;
use crate::yaml::Yaml;

/// The two drawings of every chart: `wide` for a text column (640 units, drawn at up to
/// 640 px), `narrow` for phones (320 units, labels above their bars). The stylesheet shows
/// one of them, so that text stays at least 11 px wherever it is read.
const WIDE: f64 = 640.0;
const NARROW: f64 = 320.0;
/// The font size the stylesheet sets in charts, and the height of a line of label text.
const FONT: f64 = 13.0;
const LINE: f64 = 16.0;
const BAR: f64 = 18.0;
const BAR_GAP: f64 = 3.0;
const GROUP_GAP: f64 = 12.0;
const TOP: f64 = 8.0;
/// Room between a bar's end and its value label, and around tick labels.
const PAD: f64 = 5.0;
const SERIES_CLASSES: usize = 4;
/// How many lines a long category label may take before it is shortened with `…`.
const WIDE_LABEL_LINES: usize = 3;
const NARROW_LABEL_LINES: usize = 2;

/// What a chart of categories draws for each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One bar per series, side by side.
    Bar,
    /// The series' bars end to end: positive values rightwards from zero, negative leftwards.
    Stacked,
    /// Stacked, with the series named by `left` drawn leftwards (their values are amounts,
    /// not negatives: imports against exports, against and for).
    Diverging,
    /// Each series a dot (its own shape) on the row's line.
    Dot,
    /// Dots joined from the lowest value to the highest: a range, a before and after.
    Range,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Bar,
        Kind::Stacked,
        Kind::Diverging,
        Kind::Dot,
        Kind::Range,
    ];
    /// Every `kind` a `chart` takes: these, and the charts through time (`steps.rs`).
    pub const NAMES: [&'static str; 7] = [
        "bar",
        "stacked",
        "diverging",
        "dot",
        "range",
        "step",
        "line",
    ];

    /// Its name in `kind=…`, in the stylesheet's classes and in the descriptions' messages.
    fn name(self) -> &'static str {
        match self {
            Kind::Bar => "bar",
            Kind::Stacked => "stacked",
            Kind::Diverging => "diverging",
            Kind::Dot => "dot",
            Kind::Range => "range",
        }
    }

    fn of(name: Option<&str>) -> Option<Kind> {
        let name = name.unwrap_or("bar");
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn stacks(self) -> bool {
        matches!(self, Kind::Stacked | Kind::Diverging)
    }

    fn dots(self) -> bool {
        matches!(self, Kind::Dot | Kind::Range)
    }
}

#[derive(Debug, Serialize)]
pub struct ChartView {
    pub id: String,
    pub kind: Kind,
    pub caption: String,
    pub description: String,
    /// The wide drawing, then the narrow one.
    pub layouts: Vec<Layout>,
    pub series: Vec<SeriesView>,
    /// The figures as the table after the chart has them: whole labels, numbers with units.
    pub rows: Vec<ChartRow>,
    pub sources: Vec<SourceView>,
    pub x_label: String,
}

/// One drawing of a chart, in its own coordinates (`width` × `height`).
#[derive(Debug, Serialize)]
pub struct Layout {
    /// `wide` or `narrow`: the CSS class `tt-bars-wide` / `tt-bars-narrow` picks one.
    pub name: &'static str,
    pub width: f64,
    pub height: f64,
    pub zero_x: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
    pub tick_y: f64,
    pub ticks: Vec<Tick>,
    /// The unit, named once under the ticks when it is words (`billion euros`), not a sign.
    pub axis_title: Option<AxisTitle>,
    pub rows: Vec<RowLayout>,
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub x: f64,
    pub label: String,
    /// `middle`, or `start`/`end` for a tick at the edge of the drawing.
    pub anchor: &'static str,
}

#[derive(Debug, Serialize)]
pub struct AxisTitle {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct SeriesView {
    pub name: String,
    pub class: String,
    pub unit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ChartRow {
    pub label: String,
    pub highlight: bool,
    /// Each series' value as the table shows it: the number, or "no value".
    pub values: Vec<String>,
    pub missing: Vec<bool>,
    /// Each series' value as data (for the CSV download), or nothing.
    pub numbers: Vec<Option<f64>>,
}

#[derive(Debug, Serialize)]
pub struct RowLayout {
    pub highlight: bool,
    pub label: LabelLayout,
    /// Bars, or the segments of a stacked bar.
    pub bars: Vec<Bar>,
    /// A dot or range plot's line: across the plot (dots) or from lowest to highest (range).
    pub line: Option<Segment>,
    pub dots: Vec<Dot>,
    /// Values written beside the marks: a stacked bar's totals, a dot plot's lowest and highest.
    pub values: Vec<ValueLabel>,
}

#[derive(Debug, Serialize)]
pub struct Segment {
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
}

/// A series' value as a dot, drawn in its series' colour and shape (`path`), so that readers
/// who cannot tell the colours apart can tell the series apart.
#[derive(Debug, Serialize)]
pub struct Dot {
    pub path: String,
    pub class: String,
    /// For the dot's `<title>`: series, value.
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct ValueLabel {
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub anchor: &'static str,
}

/// A category label, wrapped into lines (each a `<tspan>` at `x`).
#[derive(Debug, Serialize)]
pub struct LabelLayout {
    pub x: f64,
    pub anchor: &'static str,
    pub lines: Vec<LabelLine>,
}

#[derive(Debug, Serialize)]
pub struct LabelLine {
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: String,
    pub text: String,
    pub text_x: f64,
    pub text_y: f64,
    /// `start` or `end`: negative values are labelled left of their bar; `middle` inside a
    /// segment of a stacked bar (`inside`).
    pub anchor: &'static str,
    pub missing: bool,
    pub inside: bool,
}

/// What a chart plots: series names and units, then one label and value per series per row.
struct Plot {
    kind: Kind,
    /// For each series, whether it is drawn leftwards (a diverging chart's `left`).
    left: Vec<bool>,
    series: Vec<(String, Option<String>)>,
    rows: Vec<(String, bool, Vec<Option<f64>>)>,
    sources: Sources,
    x_label: String,
}

pub fn chart(exp: &mut Expander, args: &Args, id: &str) -> Result<ChartView, Vec<Diagnostic>> {
    let Some(kind) = Kind::of(args.str("kind")) else {
        let kind = args.str("kind").unwrap_or_default();
        let mut d = exp.error(format!("unknown chart kind `{kind}`"), args.span("kind"))
            .with_help(
                "the kinds are `bar` (horizontal bars; grouped when `y` lists several columns), `stacked` (each row's columns end to end), `diverging` (stacked, the columns named by `left` drawn left of zero), `dot` (each column a dot on the row's line), `range` (a row's values joined from lowest to highest), and, from a file kept through time, `step` (a value held until the next) and `line` (measurements joined)",
            );
        if let Some(hint) = crate::diagnostic::did_you_mean(kind, Kind::NAMES) {
            d = d.with_help(hint);
        }
        return Err(vec![d]);
    };
    let mut problems = Vec::new();
    for name in ["from", "to", "events", "events_filter", "facet"] {
        if args.call.arg(name).is_some() {
            problems.push(exp.error(
                format!("`{name}` belongs to a chart through time (`kind=\"step\"` or `\"line\"`)"),
                args.span(name),
            ));
        }
    }
    let ys = args.list("y").unwrap_or_default();
    let left: Vec<&str> = args
        .list("left")
        .unwrap_or_default()
        .into_iter()
        .map(|(name, span)| {
            if kind == Kind::Diverging && !ys.iter().any(|(y, _)| *y == name) {
                let mut d = exp
                    .error(
                        format!("`left` names `{name}`, which is not one of the columns in `y`"),
                        span,
                    )
                    .with_help("`left` picks which of the charted columns are drawn left of zero");
                if let Some(hint) =
                    crate::diagnostic::did_you_mean(name, ys.iter().map(|(y, _)| *y))
                {
                    d = d.with_help(hint);
                }
                problems.push(d);
            }
            name
        })
        .collect();
    match kind {
        Kind::Diverging if args.list("left").is_none() => problems.push(
            exp.error(
                "a diverging chart needs `left`: the columns of `y` drawn left of the zero line",
                args.call.name_span.clone(),
            )
            .with_help("for example `left=[\"imports\"]`; the other columns are drawn right of zero"),
        ),
        Kind::Diverging => {}
        _ if args.list("left").is_some() => problems.push(
            exp.error(
                "`left` belongs to a diverging chart (`kind=\"diverging\"`)",
                args.span("left"),
            ),
        ),
        Kind::Range if ys.len() < 2 => problems.push(
            exp.error(
                format!(
                    "a range plot joins two or more values on each row, and `y` names {}",
                    if ys.is_empty() { "none".to_owned() } else { "one column".to_owned() }
                ),
                args.span("y"),
            )
            .with_help("name two columns, such as `y=[\"announced\", \"in_force\"]`, or draw one as `kind=\"dot\"`"),
        ),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let sides = Sides { kind, left: &left };
    let plot = match (args.str("data"), args.str("section")) {
        (Some(_), None) => from_data(exp, args, &sides)?,
        (None, Some(_)) => from_section(exp, args, &sides)?,
        _ => {
            return Err(vec![
                exp.error(
                    "a chart needs exactly one of `data` (a data file) or `section` (front matter of a section's pages)",
                    args.call.name_span.clone(),
                ),
            ]);
        }
    };
    let caption = match args.str("caption") {
        Some(c) => c.to_owned(),
        None => {
            return Err(vec![
                exp.error("this chart needs a caption", args.call.name_span.clone())
                    .with_help("add `caption=\"...\"`: it titles the chart for every reader"),
            ]);
        }
    };
    if plot.rows.is_empty() {
        return Err(vec![exp.error(
            "this chart has nothing to plot: no row has a value",
            args.call.name_span.clone(),
        )]);
    }
    let words = Words {
        numbers: exp.env.numbers(),
        messages: exp.env.messages,
        language: &exp.env.config.language,
    };
    Ok(layout(id, caption, plot, &words))
}

/// What a chart writes in its edition's language: numbers, and the sentences of its
/// description.
pub struct Words<'a> {
    pub numbers: Numbers<'a>,
    pub messages: &'a crate::messages::Messages,
    pub language: &'a str,
}

impl Words<'_> {
    fn word(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.messages.word(self.language, key, args)
    }
}

/// Which way a chart draws each series' values.
struct Sides<'a> {
    kind: Kind,
    /// The columns a diverging chart draws leftwards.
    left: &'a [&'a str],
}

impl Sides<'_> {
    fn left(&self, ys: &[(&str, std::ops::Range<usize>)]) -> Vec<bool> {
        ys.iter().map(|(y, _)| self.left.contains(y)).collect()
    }

    /// A diverging chart draws amounts, each on its column's side: a negative one would be
    /// drawn on the other side, among the other columns, so it is an error.
    fn sign_problem(&self, value: Option<f64>, name: &str) -> Option<Diagnostic> {
        let v = value.filter(|v| self.kind == Kind::Diverging && *v < 0.0)?;
        Some(
            Diagnostic::error(format!(
                "`{name}` is {} here, but a diverging chart draws amounts, each on its column's side of zero",
                format::Numbers::default().number(v)
            ))
            .with_help(
                "write the amount without its sign (the column's side says which way it goes), or draw the chart as `kind=\"stacked\"`, which draws negative values left of zero",
            ),
        )
    }
}

fn from_data(exp: &Expander, args: &Args, sides: &Sides) -> Result<Plot, Vec<Diagnostic>> {
    let file = table::data_file(exp, args)?;
    let x = args.str("x").unwrap_or_default();
    let ys = args.list("y").unwrap_or_default();
    let mut problems: Vec<Diagnostic> = Vec::new();
    if let Err(d) = table::need_column(exp, file, x, args.span("x")) {
        problems.push(d);
    }
    for (y, span) in &ys {
        if let Err(d) = table::need_column(exp, file, y, span.clone()) {
            problems.push(d);
        } else if !data::column_is_numeric(file, y) {
            problems.push(exp.error(
                format!(
                    "column `{y}` of `{}` is not numeric, so it cannot be charted",
                    file.name
                ),
                span.clone(),
            ));
        }
    }
    problems.extend(label_count_problem(exp, args, ys.len()));
    let (rows, _) = match table::select_rows(exp, file, args) {
        Ok(selected) => selected,
        Err(more) => {
            problems.extend(more);
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let schema = file.schema.as_ref();
    let labels = args.list("labels");
    let series = ys
        .iter()
        .enumerate()
        .map(|(i, (y, _))| {
            let column = schema.and_then(|s| s.column(y));
            let name = labels
                .as_ref()
                .and_then(|l| l.get(i).map(|(t, _)| (*t).to_owned()))
                .or_else(|| {
                    column.and_then(|c| c.label_in(&exp.env.config.language).map(str::to_owned))
                })
                .unwrap_or_else(|| format::humanise(y));
            let unit = args
                .str("unit")
                .map(str::to_owned)
                .or_else(|| column.and_then(|c| c.unit.clone()));
            (name, unit)
        })
        .collect();
    let mut sources = Sources::of_file(args, file);
    let mut not_numbers = Vec::new();
    let plotted = rows
        .iter()
        .map(|row| {
            let label = value_text(plain(row.cells.get(x).unwrap_or(&Value::Null)));
            let values = ys
                .iter()
                .map(|(y, _)| {
                    let cell = row.cells.get(*y).unwrap_or(&Value::Null);
                    sources.add(
                        cell.get("source").and_then(Value::as_str),
                        cell.get("as_of").and_then(Value::as_str),
                    );
                    let checked = schema
                        .and_then(|s| s.column(y))
                        .is_some_and(|c| c.column_type.is_numeric());
                    let value = number_or_problem(
                        exp,
                        "chart",
                        plain(cell),
                        y,
                        checked,
                        &mut not_numbers,
                        |d| d.at(&file.file, row.cell_span(y)),
                    );
                    if let Some(d) = sides.sign_problem(value, y) {
                        not_numbers.push(d.at(&file.file, row.cell_span(y)));
                    }
                    value
                })
                .collect();
            (label, table::is_highlighted(file, args, row), values)
        })
        .collect();
    if !not_numbers.is_empty() {
        return Err(not_numbers);
    }
    Ok(Plot {
        kind: sides.kind,
        left: sides.left(&ys),
        series,
        rows: plotted,
        sources,
        x_label: schema
            .and_then(|s| s.column(x))
            .and_then(|c| c.label_in(&exp.env.config.language).map(str::to_owned))
            .unwrap_or_else(|| format::humanise(x)),
    })
}

/// A value to plot: its number, `None` when there is none, and an error (placed by `at`)
/// when it is something else: a chart never leaves a value out without a word.
/// `checked`: another check already reports this value when it is not a number (a numeric
/// column of a data schema, a number field or a figure of a page schema): no second error.
pub(super) fn number_or_problem(
    exp: &Expander,
    figure: &str,
    value: &Value,
    name: &str,
    checked: bool,
    problems: &mut Vec<Diagnostic>,
    at: impl FnOnce(Diagnostic) -> Diagnostic,
) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        _ if checked => None,
        other => {
            let text = value_text(other);
            let fix = other
                .as_str()
                .and_then(format::number_slip)
                .unwrap_or_else(|| {
                    "leave it empty (or leave the field out) where there is no value".to_owned()
                });
            problems.push(
                at(Diagnostic::error(format!(
                    "`{name}` is `{text}` here, not a number, so the {figure} on `{}` cannot show it",
                    exp.file.name
                )))
                .with_help(fix),
            );
            None
        }
    }
}

fn label_count_problem(exp: &Expander, args: &Args, series: usize) -> Option<Diagnostic> {
    let labels = args.list("labels")?;
    (labels.len() != series).then(|| {
        exp.error(
            format!(
                "`labels` has {} items but `y` names {series} series",
                labels.len()
            ),
            args.span("labels"),
        )
    })
}

fn from_section(exp: &Expander, args: &Args, sides: &Sides) -> Result<Plot, Vec<Diagnostic>> {
    let pages = table::section_pages(exp, args)?;
    let x = args.str("x").unwrap_or_default();
    let ys = args.list("y").unwrap_or_default();
    let mut problems: Vec<Diagnostic> = Vec::new();
    if x != "title"
        && let Err(d) = table::need_field(exp, &pages, x, args.span("x"))
    {
        problems.push(d);
    }
    for (y, span) in &ys {
        if let Err(d) = table::need_field(exp, &pages, y, span.clone()) {
            problems.push(d);
        }
    }
    problems.extend(label_count_problem(exp, args, ys.len()));
    if args.str("filter").is_some() || args.str("sort").is_some() {
        problems.push(exp.error(
            "`filter` and `sort` apply to data files; a section chart follows the section's order",
            args.call.name_span.clone(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let labels = args.list("labels");
    let figure = |page, path: &str| table::field(page, path).map(Yaml::to_json);
    let series = ys
        .iter()
        .enumerate()
        .map(|(i, (y, _))| {
            let first = pages.iter().find_map(|p| figure(p, y));
            // The series is named by the `labels` argument, else the schema's label for the
            // field (what the section calls it), else a figure's own label.
            let schema_label = pages.first().and_then(|page| {
                let field = y.split_once('.').map_or(*y, |(f, _)| f);
                let fields = exp.env.config.schemas.get(&page.section)?;
                let field = fields.iter().find(|f| f.name == field)?;
                (!y.contains('.')).then(|| field.label.clone()).flatten()
            });
            let name = labels
                .as_ref()
                .and_then(|l| l.get(i).map(|(t, _)| (*t).to_owned()))
                .or(schema_label)
                .or_else(|| first.as_ref()?.get("label")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| format::humanise(y));
            let unit = args
                .str("unit")
                .map(str::to_owned)
                .or_else(|| first.as_ref()?.get("unit")?.as_str().map(str::to_owned));
            (name, unit)
        })
        .collect();
    let mut sources = Sources::default();
    let mut rows = Vec::new();
    let mut not_numbers = Vec::new();
    for page in &pages {
        let label = if x == "title" {
            page.front.title.clone()
        } else {
            figure(page, x)
                .map(|v| value_text(plain(&v)))
                .unwrap_or_default()
        };
        let values: Vec<Option<f64>> = ys
            .iter()
            .map(|(y, _)| {
                let node = table::field(page, y)?;
                let value = node.to_json();
                sources.add(
                    value.get("source").and_then(Value::as_str),
                    value.get("as_of").and_then(Value::as_str),
                );
                // The page's schema checks number fields, and figures written like numbers
                // for people (`8,2`): those errors are reported there.
                let field = y.split('.').next().unwrap_or(y);
                let field_type = exp
                    .env
                    .config
                    .schemas
                    .get(&page.section)
                    .and_then(|fields| fields.iter().find(|f| f.name == field))
                    .map(|f| f.field_type);
                let slip = plain(&value)
                    .as_str()
                    .and_then(format::number_slip)
                    .is_some();
                let checked = matches!(
                    field_type,
                    Some(crate::config::FieldType::Number | crate::config::FieldType::Integer)
                ) || (slip
                    && (field_type == Some(crate::config::FieldType::Figure)
                        || value.get("value").is_some()));
                let number = number_or_problem(
                    exp,
                    "chart",
                    plain(&value),
                    y,
                    checked,
                    &mut not_numbers,
                    |d| d.at(&page.file, node.span.clone()),
                );
                if let Some(d) = sides.sign_problem(number, y) {
                    not_numbers.push(d.at(&page.file, node.span.clone()));
                }
                number
            })
            .collect();
        // A page without the value stays in the chart, drawn as "no value": nothing drops
        // out of a chart without a word.
        let highlight = args
            .list("highlight")
            .is_some_and(|h| h.iter().any(|(w, _)| *w == label || *w == page.slug));
        rows.push((label, highlight, values));
    }
    if !not_numbers.is_empty() {
        return Err(not_numbers);
    }
    // The axis is named as the section's schema names the field in this edition.
    let x_label = pages
        .first()
        .and_then(|page| {
            let fields = exp.env.config.schemas.get(&page.section)?;
            fields.iter().find(|f| f.name == x)?.label.clone()
        })
        .unwrap_or_else(|| format::humanise(x));
    Ok(Plot {
        kind: sides.kind,
        left: sides.left(&ys),
        series,
        rows,
        sources,
        x_label,
    })
}

/// Ticks at 1, 2 or 5 × 10ⁿ covering `lo..hi`, at most `most` steps of them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, most: usize) -> Vec<f64> {
    let span = (hi - lo).max(f64::EPSILON);
    let most = most.max(1) as f64;
    let magnitude = 10f64.powf((span / most).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| (hi / s).ceil() - (lo / s).floor() <= most)
        .unwrap_or(20.0 * magnitude);
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let count = ((last - first) / step).round() as usize;
    (0..=count.min(20))
        .map(|i| round_to(first + step * i as f64, step))
        .collect()
}

/// `v` without the float noise of adding steps (`0.30000000000000004` → `0.3`).
fn round_to(v: f64, step: f64) -> f64 {
    let decimals = (-step.log10().floor()).clamp(0.0, 12.0) as i32 + 1;
    let factor = 10f64.powi(decimals);
    (v * factor).round() / factor
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A tick number as a chart axis writes it: in English `12k`, `3.4M`, `1.5bn`, `2tn`, and
/// smaller numbers as they are (`2,500`, `0.25`); in other languages, whose abbreviations
/// go by other powers (Japanese 万 and 億), the whole number as the language groups it.
pub fn short_number(numbers: &Numbers, n: f64) -> String {
    if numbers.is_english() {
        // From 10,000 on (`5,000` reads better than `5k`).
        let scales = [
            (1e12, 1e12, "tn"),
            (1e9, 1e9, "bn"),
            (1e6, 1e6, "M"),
            (1e4, 1e3, "k"),
        ];
        for (from, scale, suffix) in scales {
            if n.abs() >= from {
                return format!(
                    "{}{suffix}",
                    numbers.number((n / scale * 100.0).round() / 100.0)
                );
            }
        }
    }
    numbers.number((n * 100.0).round() / 100.0)
}

/// How the unit of the plotted values is shown.
enum Units {
    /// Every series has this short unit (`%`, `$`, `pp`): on each tick and value.
    Attached(String),
    /// Every series has this unit in words (`billion euros`): once, as the axis title.
    Titled(String),
    /// The series differ (or have none): each value with its own unit, ticks bare.
    PerSeries,
}

impl Units {
    fn of(plot: &Plot) -> Units {
        let first = plot
            .series
            .first()
            .and_then(|s| s.1.as_deref())
            .map(str::trim);
        let same = plot
            .series
            .iter()
            .all(|s| s.1.as_deref().map(str::trim) == first);
        match first.filter(|u| same && !u.is_empty()) {
            Some(u) if !u.contains(' ') && u.chars().count() <= 3 => Units::Attached(u.to_owned()),
            Some(u) => Units::Titled(u.to_owned()),
            None => Units::PerSeries,
        }
    }

    fn value(&self, numbers: &Numbers, v: f64, series_unit: Option<&str>) -> String {
        match self {
            Units::Attached(u) => numbers.with_unit(v, Some(u)),
            Units::Titled(_) => numbers.number(v),
            Units::PerSeries => numbers.with_unit(v, series_unit),
        }
    }

    fn tick(&self, numbers: &Numbers, v: f64) -> String {
        match self {
            Units::Attached(u) => format::attach_unit(short_number(numbers, v), Some(u)),
            _ => short_number(numbers, v),
        }
    }
}

/// How wide `text` is drawn in a chart, in its units (px at full size), with a little to spare.
fn text_width(text: &str, bold: bool) -> f64 {
    crate::text::width_em(text) * FONT * if bold { 1.1 } else { 1.0 }
}

/// `text` in lines no wider than `width`, breaking at spaces (or, in a word too long for a
/// line, between characters), at most `most` lines; the last line is shortened with `…`
/// when the text does not fit.
fn wrap(text: &str, width: f64, bold: bool, most: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the line (or a run of CJK text): break between characters.
        for g in crate::text::graphemes(word) {
            let candidate = format!("{line}{g}");
            if text_width(&candidate, bold) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, g.to_owned()));
            } else {
                line = candidate;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > most {
        lines.truncate(most);
        if let Some(last) = lines.last_mut() {
            let mut cut: Vec<&str> = crate::text::graphemes(last).collect();
            while !cut.is_empty() && text_width(&format!("{}…", cut.concat()), bold) > width {
                cut.pop();
            }
            *last = format!("{}…", cut.concat().trim_end());
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The ticks for `lo..hi` drawn between `x0` and `x1` of a drawing `width` wide: as many as
/// fit without two labels touching, each label inside the drawing; `absolute`: labelled
/// without their signs.
fn fit_ticks(
    units: &Units,
    numbers: &Numbers,
    (lo, hi): (f64, f64),
    (x0, x1): (f64, f64),
    width: f64,
    absolute: bool,
) -> (Vec<f64>, Vec<Tick>) {
    let mut fallback = None;
    for most in (1..=6).rev() {
        let values = nice_ticks(lo, hi, most);
        let (first, last) = (values[0], values[values.len() - 1]);
        let scale = |v: f64| x0 + (v - first) / (last - first).max(f64::EPSILON) * (x1 - x0);
        let ticks: Vec<Tick> = values
            .iter()
            .map(|&v| {
                // A diverging chart's axis counts amounts both ways from zero.
                let label = units.tick(numbers, if absolute { v.abs() } else { v });
                let x = round(scale(v));
                let w = text_width(&label, false);
                let anchor = if x - w / 2.0 < 1.0 {
                    "start"
                } else if x + w / 2.0 > width - 1.0 {
                    "end"
                } else {
                    "middle"
                };
                Tick { x, label, anchor }
            })
            .collect();
        let extent = |t: &Tick| {
            let w = text_width(&t.label, false);
            match t.anchor {
                "start" => (t.x, t.x + w),
                "end" => (t.x - w, t.x),
                _ => (t.x - w / 2.0, t.x + w / 2.0),
            }
        };
        let fits = ticks
            .windows(2)
            .all(|pair| extent(&pair[0]).1 + 2.0 * PAD <= extent(&pair[1]).0)
            && ticks.iter().all(|t| {
                let (a, b) = extent(t);
                a >= 0.0 && b <= width
            });
        if fits {
            return (values, ticks);
        }
        fallback = Some((values, ticks));
    }
    // Even two ticks do not fit side by side: keep the ends only.
    let (values, mut ticks) = fallback.unwrap_or_default();
    if ticks.len() > 2 {
        let last = ticks.pop();
        ticks.truncate(1);
        ticks.extend(last);
    }
    (values, ticks)
}

/// The texts a chart writes for each value, its rows for the table, and its two drawings.
fn layout(id: &str, caption: String, plot: Plot, words: &Words) -> ChartView {
    let units = Units::of(&plot);
    let numbers = &words.numbers;
    let no_value = words.word("no-value", &[]);
    let texts: Vec<Vec<String>> = plot
        .rows
        .iter()
        .map(|(_, _, values)| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) => {
                        units.value(numbers, *v, plot.series.get(i).and_then(|s| s.1.as_deref()))
                    }
                    None => no_value.clone(),
                })
                .collect()
        })
        .collect();
    let layouts = vec![
        draw(&plot, &units, numbers, &texts, false),
        draw(&plot, &units, numbers, &texts, true),
    ];
    let description = describe(&plot, words);
    ChartView {
        id: id.to_owned(),
        kind: plot.kind,
        caption,
        description,
        layouts,
        series: plot
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, unit))| SeriesView {
                name: name.clone(),
                class: format!("tt-series-{}", i % SERIES_CLASSES),
                unit: unit.clone(),
            })
            .collect(),
        rows: plot
            .rows
            .iter()
            .map(|(label, highlight, values)| ChartRow {
                label: label.clone(),
                highlight: *highlight,
                values: values
                    .iter()
                    .map(|v| v.map_or_else(|| no_value.clone(), |v| numbers.number(v)))
                    .collect(),
                missing: values.iter().map(Option::is_none).collect(),
                numbers: values.clone(),
            })
            .collect(),
        sources: plot.sources.into_vec(),
        x_label: plot.x_label,
    }
}

/// A value written beside a row's marks, before the drawing is scaled: its text, the drawn
/// value it sits beside, and whether it sits left of it.
struct Beside {
    text: String,
    at: f64,
    left: bool,
}

/// The radius of a dot in a dot or range plot.
const DOT: f64 = 5.5;

/// The outline of series `i`'s dot at (`x`, `y`): a circle, a diamond, a square, a triangle.
pub(crate) fn dot_path(i: usize, x: f64, y: f64) -> String {
    let r = DOT;
    let p = |v: f64| round(v);
    match i % SERIES_CLASSES {
        0 => format!(
            "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 {} 0Z",
            p(x - r),
            p(y),
            2.0 * r,
            -2.0 * r
        ),
        1 => {
            let d = r * 1.3;
            format!(
                "M{} {}L{} {}L{} {}L{} {}Z",
                p(x),
                p(y - d),
                p(x + d),
                p(y),
                p(x),
                p(y + d),
                p(x - d),
                p(y)
            )
        }
        2 => {
            let d = r * 0.9;
            format!(
                "M{} {}H{}V{}H{}Z",
                p(x - d),
                p(y - d),
                p(x + d),
                p(y + d),
                p(x - d)
            )
        }
        _ => format!(
            "M{} {}L{} {}L{} {}Z",
            p(x),
            p(y - r * 1.25),
            p(x + r * 1.2),
            p(y + r * 0.9),
            p(x - r * 1.2),
            p(y + r * 0.9)
        ),
    }
}

/// One drawing: wide (labels in a column left of the bars) or narrow (labels above them).
fn draw(
    plot: &Plot,
    units: &Units,
    numbers: &Numbers,
    texts: &[Vec<String>],
    narrow: bool,
) -> Layout {
    let width = if narrow { NARROW } else { WIDE };
    let kind = plot.kind;
    // A diverging chart's `left` columns are drawn leftwards.
    let drawn = |i: usize, v: f64| {
        if plot.left.get(i).copied().unwrap_or(false) {
            -v
        } else {
            v
        }
    };
    // How far each row reaches left and right of zero.
    let extents: Vec<(f64, f64)> = plot
        .rows
        .iter()
        .map(|(_, _, values)| {
            let present = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| drawn(i, v)));
            if kind.stacks() {
                present.fold(
                    (0.0, 0.0),
                    |(n, p), d| {
                        if d < 0.0 { (n + d, p) } else { (n, p + d) }
                    },
                )
            } else {
                present.fold((0.0, 0.0), |(n, p), d| (f64::min(n, d), f64::max(p, d)))
            }
        })
        .collect();
    let min = extents.iter().map(|e| e.0).fold(0.0, f64::min);
    let max = extents.iter().map(|e| e.1).fold(0.0, f64::max);
    let hi = if max == min { min + 1.0 } else { max };
    let same_unit = plot
        .series
        .iter()
        .all(|s| s.1 == plot.series.first().and_then(|f| f.1.clone()));
    let total_unit = plot
        .series
        .first()
        .and_then(|s| s.1.as_deref())
        .filter(|_| same_unit);
    // What each row writes beside its marks.
    let besides: Vec<Vec<Beside>> = plot
        .rows
        .iter()
        .zip(texts)
        .zip(&extents)
        .map(|(((_, _, values), texts), &(n, p))| {
            let present: Vec<(usize, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, drawn(i, v))))
                .collect();
            let no_value = || Beside {
                text: texts.first().cloned().unwrap_or_default(),
                at: 0.0,
                left: false,
            };
            match kind {
                Kind::Bar => values
                    .iter()
                    .zip(texts)
                    .map(|(v, t)| Beside {
                        text: t.clone(),
                        at: v.unwrap_or(0.0),
                        left: v.is_some_and(|v| v < 0.0),
                    })
                    .collect(),
                _ if present.is_empty() => vec![no_value()],
                Kind::Stacked | Kind::Diverging => {
                    let total = |v: f64| {
                        let shown = if kind == Kind::Diverging { v.abs() } else { v };
                        units.value(numbers, shown, total_unit)
                    };
                    let mut out = Vec::new();
                    if present.iter().any(|(_, d)| *d < 0.0) {
                        out.push(Beside {
                            text: total(n),
                            at: n,
                            left: true,
                        });
                    }
                    if present.iter().any(|(_, d)| *d >= 0.0) {
                        out.push(Beside {
                            text: total(p),
                            at: p,
                            left: false,
                        });
                    }
                    out
                }
                Kind::Dot | Kind::Range => {
                    let lowest = present.iter().min_by(|a, b| a.1.total_cmp(&b.1));
                    let highest = present.iter().max_by(|a, b| a.1.total_cmp(&b.1));
                    let mut out = Vec::new();
                    if let (Some(&(l, lv)), Some(&(h, hv))) = (lowest, highest) {
                        if lv < hv {
                            out.push(Beside {
                                text: texts[l].clone(),
                                at: lv,
                                left: true,
                            });
                        }
                        out.push(Beside {
                            text: texts[h].clone(),
                            at: hv,
                            left: false,
                        });
                    }
                    out
                }
            }
        })
        .collect();
    // Room for the values beside the marks, right and left of the plot.
    let reach = if kind.dots() { DOT } else { 0.0 };
    let room = |left: bool| {
        plot.rows
            .iter()
            .zip(&besides)
            .flat_map(|((_, bold, _), besides)| {
                besides
                    .iter()
                    .filter(move |b| b.left == left)
                    .map(move |b| text_width(&b.text, *bold))
            })
            .fold(None, |most: Option<f64>, w| {
                Some(most.map_or(w, |m| m.max(w)))
            })
    };
    let right_room = room(false).unwrap_or(0.0) + 2.0 * PAD + reach;
    let left_room = room(true).map_or(0.0, |w| w + 2.0 * PAD + reach);
    // Category labels: a column of at most a third of the drawing, or the full width above.
    let label_width = if narrow {
        width
    } else {
        plot.rows
            .iter()
            .map(|(label, bold, _)| text_width(label, *bold))
            .fold(40.0, f64::max)
            .min(width * 0.34)
    };
    let most_lines = if narrow {
        NARROW_LABEL_LINES
    } else {
        WIDE_LABEL_LINES
    };
    let labels: Vec<Vec<String>> = plot
        .rows
        .iter()
        .map(|(label, bold, _)| wrap(label, label_width, *bold, most_lines))
        .collect();
    let x0 = if narrow { 1.0 } else { label_width + 2.0 * PAD } + left_room;
    let x1 = (width - right_room).max(x0 + 40.0);
    let (tick_values, ticks) = fit_ticks(
        units,
        numbers,
        (min, hi),
        (x0, x1),
        width,
        kind == Kind::Diverging,
    );
    let (lo, top) = (
        tick_values.first().copied().unwrap_or(min),
        tick_values.last().copied().unwrap_or(hi),
    );
    let scale = |v: f64| round(x0 + (v - lo) / (top - lo).max(f64::EPSILON) * (x1 - x0));
    let zero_x = scale(0.0);
    let series_count = plot.series.len().max(1);
    let group = match kind {
        Kind::Bar => series_count as f64 * (BAR + BAR_GAP) - BAR_GAP,
        _ => BAR,
    };
    let mut y = TOP;
    let rows = plot
        .rows
        .iter()
        .zip(texts)
        .zip(labels)
        .zip(besides)
        .map(|((((_, highlight, values), texts), lines), besides)| {
            let text_height = lines.len() as f64 * LINE;
            // Narrow: the label's lines, then the bars. Wide: both centred on one another.
            let (label_top, bars_top, height) = if narrow {
                (y, y + text_height + 2.0, text_height + 2.0 + group)
            } else {
                let height = group.max(text_height);
                (
                    y + (height - text_height) / 2.0,
                    y + (height - group) / 2.0,
                    height,
                )
            };
            y += height + GROUP_GAP;
            let text_y = round(bars_top + BAR * 0.72);
            let beside = |b: &Beside| ValueLabel {
                x: if b.left {
                    scale(b.at) - PAD - reach
                } else {
                    scale(b.at) + PAD + reach
                },
                y: text_y,
                text: b.text.clone(),
                anchor: if b.left { "end" } else { "start" },
            };
            let mut row = RowLayout {
                highlight: *highlight,
                label: LabelLayout {
                    // A little in from the edge: a first letter may reach left of its origin (`J` in Noto Sans).
                    x: if narrow { 3.0 } else { round(label_width) },
                    anchor: if narrow { "start" } else { "end" },
                    lines: lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, text)| LabelLine {
                            y: round(label_top + i as f64 * LINE + 12.0),
                            text,
                        })
                        .collect(),
                },
                bars: Vec::new(),
                line: None,
                dots: Vec::new(),
                values: Vec::new(),
            };
            match kind {
                Kind::Bar => {
                    row.bars = values
                        .iter()
                        .zip(&besides)
                        .enumerate()
                        .map(|(i, (value, b))| {
                            let bar_y = bars_top + i as f64 * (BAR + BAR_GAP);
                            let end = scale(value.unwrap_or(0.0));
                            let label = beside(b);
                            Bar {
                                x: zero_x.min(end),
                                y: round(bar_y),
                                width: round((end - zero_x).abs()),
                                height: BAR,
                                class: format!("tt-series-{}", i % SERIES_CLASSES),
                                text: label.text,
                                text_x: label.x,
                                text_y: round(bar_y + BAR * 0.72),
                                anchor: label.anchor,
                                missing: value.is_none(),
                                inside: false,
                            }
                        })
                        .collect();
                }
                Kind::Stacked | Kind::Diverging => {
                    let on_side = |left: bool| {
                        values
                            .iter()
                            .enumerate()
                            .filter(|(i, v)| v.is_some_and(|v| (drawn(*i, v) < 0.0) == left))
                            .count()
                    };
                    let counts = [on_side(false), on_side(true)];
                    let (mut neg, mut pos) = (0.0, 0.0);
                    for (i, (value, text)) in values.iter().zip(texts).enumerate() {
                        let Some(v) = value else { continue };
                        let d = drawn(i, *v);
                        let left = d < 0.0;
                        let (from, to) = if left {
                            neg += d;
                            (neg, neg - d)
                        } else {
                            pos += d;
                            (pos - d, pos)
                        };
                        let (a, b) = (scale(from), scale(to));
                        // A segment is labelled inside when it is not alone on its side (the
                        // total beside says its value then) and its value fits.
                        let inside = counts[usize::from(left)] > 1
                            && text_width(text, *highlight) + 6.0 <= b - a;
                        row.bars.push(Bar {
                            x: a,
                            y: round(bars_top),
                            width: round(b - a),
                            height: BAR,
                            class: format!("tt-series-{}", i % SERIES_CLASSES),
                            text: if inside { text.clone() } else { String::new() },
                            text_x: round((a + b) / 2.0),
                            text_y,
                            anchor: "middle",
                            missing: false,
                            inside,
                        });
                    }
                    row.values = besides.iter().map(beside).collect();
                }
                Kind::Dot | Kind::Range => {
                    let middle = round(bars_top + BAR / 2.0);
                    let present: Vec<(usize, f64)> = values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| v.map(|v| (i, v)))
                        .collect();
                    let lowest = present.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
                    let highest = present
                        .iter()
                        .map(|p| p.1)
                        .fold(f64::NEG_INFINITY, f64::max);
                    row.line = match kind {
                        Kind::Dot => Some(Segment {
                            x1: x0,
                            x2: round(x1),
                            y: middle,
                        }),
                        _ => (lowest < highest).then(|| Segment {
                            x1: scale(lowest),
                            x2: scale(highest),
                            y: middle,
                        }),
                    };
                    row.dots = present
                        .iter()
                        .map(|&(i, v)| Dot {
                            path: dot_path(i, scale(v), middle),
                            class: format!("tt-series-{}", i % SERIES_CLASSES),
                            title: format!(
                                "{}: {}",
                                plot.series.get(i).map_or("", |s| s.0.as_str()),
                                texts[i]
                            ),
                        })
                        .collect();
                    row.values = besides.iter().map(beside).collect();
                }
            }
            row
        })
        .collect::<Vec<_>>();
    let plot_bottom = round(y - GROUP_GAP + 4.0);
    let tick_y = round(plot_bottom + 16.0);
    let axis_title = match units {
        Units::Titled(unit) => Some(AxisTitle {
            x: round((x0 + x1) / 2.0),
            y: round(tick_y + 20.0),
            text: capitalise(unit),
        }),
        _ => None,
    };
    let height = round(axis_title.as_ref().map_or(tick_y, |t| t.y) + 6.0);
    Layout {
        name: if narrow { "narrow" } else { "wide" },
        width,
        height,
        zero_x,
        plot_top: TOP - 4.0,
        plot_bottom,
        tick_y,
        ticks,
        axis_title,
        rows,
    }
}

/// `billion euros` → `Billion euros`.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sentence for `<desc>`: what is plotted, and the highest and lowest values.
fn describe(plot: &Plot, words: &Words) -> String {
    let unit = plot.series.first().and_then(|s| s.1.as_deref());
    let series = plot
        .series
        .iter()
        .map(|s| s.0.clone())
        .reduce(|first, second| {
            words.word(
                "list-pair",
                &[("first", first.into()), ("second", second.into())],
            )
        })
        .unwrap_or_default();
    let kind = plot.kind.name();
    let mut text = words.word(
        "chart-description",
        &[
            ("kind", kind.into()),
            ("series", series.into()),
            ("by", plot.x_label.to_lowercase().into()),
            ("count", plot.rows.len().into()),
        ],
    );
    // The extremes of the first series; of the totals in a stacked chart. A diverging chart
    // has none: its two sides count different things.
    let firsts: Vec<(&str, f64)> = match plot.kind {
        Kind::Diverging => Vec::new(),
        Kind::Stacked => plot
            .rows
            .iter()
            .filter(|(_, _, values)| values.iter().any(Option::is_some))
            .map(|(label, _, values)| (label.as_str(), values.iter().flatten().sum()))
            .collect(),
        _ => plot
            .rows
            .iter()
            .filter_map(|(label, _, values)| Some((label.as_str(), (*values.first()?)?)))
            .collect(),
    };
    let highest = firsts.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let lowest = firsts.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    // Sentences follow one another with a space, except after a CJK full stop.
    let next_sentence = |text: &mut String| {
        if !text.ends_with(['。', '．']) {
            text.push(' ');
        }
    };
    if let (Some(h), Some(l)) = (highest, lowest)
        && firsts.len() > 1
        && h.1 != l.1
    {
        next_sentence(&mut text);
        text.push_str(&words.word(
            "chart-extremes",
            &[
                ("highest", h.0.into()),
                ("highest-value", words.numbers.with_unit(h.1, unit).into()),
                ("lowest", l.0.into()),
                ("lowest-value", words.numbers.with_unit(l.1, unit).into()),
            ],
        ));
    }
    next_sentence(&mut text);
    text.push_str(&words.word("chart-table-follows", &[]));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 50.0, 6),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(
            nice_ticks(-24.0, 0.0, 6),
            vec![-25.0, -20.0, -15.0, -10.0, -5.0, 0.0]
        );
        let t = nice_ticks(0.0, 37.7, 6);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 37.7);
        assert_eq!(
            nice_ticks(0.0, 650_000.0, 3),
            vec![0.0, 250_000.0, 500_000.0, 750_000.0]
        );
        assert!(
            nice_ticks(0.0, 0.3, 6)
                .iter()
                .all(|t| t.to_string().len() <= 4)
        );
    }

    #[test]
    fn tick_numbers_are_short() {
        let english = Numbers::default();
        assert_eq!(short_number(&english, 650_000.0), "650k");
        assert_eq!(short_number(&english, 2_500.0), "2,500");
        assert_eq!(short_number(&english, 1_500_000.0), "1.5M");
        assert_eq!(short_number(&english, 3_400_000_000.0), "3.4bn");
        assert_eq!(short_number(&english, -20_000.0), "\u{2212}20k");
        assert_eq!(short_number(&english, 0.25), "0.25");
        // Other languages abbreviate by other powers: the whole number, grouped their way.
        let hindi = crate::messages::Messages::builtin("hi");
        assert_eq!(short_number(&hindi.numbers("hi"), 1_500_000.0), "15,00,000");
    }

    fn english<'a>(messages: &'a crate::messages::Messages) -> Words<'a> {
        Words {
            numbers: Numbers::default(),
            messages,
            language: "en",
        }
    }

    fn plot(unit: &str, rows: &[(&str, f64)]) -> Plot {
        Plot {
            kind: Kind::Bar,
            left: vec![false],
            series: vec![("Value".into(), Some(unit.into()))],
            rows: rows
                .iter()
                .map(|(l, v)| ((*l).to_owned(), false, vec![Some(*v)]))
                .collect(),
            sources: Sources::default(),
            x_label: "Product".into(),
        }
    }

    /// The horizontal extent of a text drawn at `x` with `anchor`.
    fn extent(x: f64, anchor: &str, text: &str) -> (f64, f64) {
        let w = text_width(text, false);
        match anchor {
            "start" => (x, x + w),
            "end" => (x - w, x),
            _ => (x - w / 2.0, x + w / 2.0),
        }
    }

    #[test]
    fn a_unit_in_words_is_named_once_and_nothing_leaves_the_drawing() {
        let messages = crate::messages::Messages::builtin("en");
        let view = layout(
            "c",
            "Quotas".into(),
            plot(
                "tonnes",
                &[
                    (
                        "Beef (fresh, chilled and frozen cuts, carcass weight)",
                        99_000.0,
                    ),
                    ("Ethanol for industrial and chemical uses", 650_000.0),
                    ("Sugar", 180_000.0),
                ],
            ),
            &english(&messages),
        );
        for layout in &view.layouts {
            assert_eq!(layout.axis_title.as_ref().unwrap().text, "Tonnes");
            assert!(layout.ticks.iter().all(|t| !t.label.contains("tonnes")));
            for pair in layout.ticks.windows(2) {
                let a = extent(pair[0].x, pair[0].anchor, &pair[0].label);
                let b = extent(pair[1].x, pair[1].anchor, &pair[1].label);
                assert!(a.1 < b.0, "{} and {} overlap", pair[0].label, pair[1].label);
            }
            for row in &layout.rows {
                for bar in &row.bars {
                    let (a, b) = extent(bar.text_x, bar.anchor, &bar.text);
                    assert!(a >= 0.0 && b <= layout.width, "{} is clipped", bar.text);
                }
                for line in &row.label.lines {
                    let (a, b) = extent(row.label.x, row.label.anchor, &line.text);
                    assert!(a >= -0.5 && b <= layout.width, "{} is clipped", line.text);
                }
            }
        }
        assert_eq!(view.rows[1].values, ["650,000"]);
        // The long label wraps instead of being cut to a fixed number of characters.
        let wide = &view.layouts[0];
        assert!(wide.rows[0].label.lines.len() >= 2);
        let joined: Vec<String> = wide.rows[0]
            .label
            .lines
            .iter()
            .map(|l| l.text.clone())
            .collect();
        assert!(joined.join(" ").starts_with("Beef (fresh, chilled"));
    }

    #[test]
    fn wrapping_keeps_every_character_or_marks_the_cut() {
        assert_eq!(wrap("Sugar", 200.0, false, 2), ["Sugar"]);
        let lines = wrap("日本の自動車と自動車部品にかかる追加関税", 60.0, false, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| text_width(l, false) <= 60.0));
        let whole = wrap("one two three four", 1000.0, false, 1);
        assert_eq!(whole, ["one two three four"]);
    }

    #[test]
    fn negative_bars_grow_left_of_zero_and_are_labelled_there() {
        let plot = Plot {
            kind: Kind::Bar,
            left: vec![false],
            series: vec![("Change".into(), Some("%".into()))],
            rows: vec![
                ("Japan".into(), false, vec![Some(-16.6)]),
                ("Korea".into(), true, vec![Some(-24.0)]),
            ],
            sources: Sources::default(),
            x_label: "Country".into(),
        };
        let messages = crate::messages::Messages::builtin("en");
        let view = layout("chart-1", "c".into(), plot, &english(&messages));
        for layout in &view.layouts {
            let bar = &layout.rows[1].bars[0];
            assert!(bar.x < layout.zero_x);
            assert!((bar.x + bar.width - layout.zero_x).abs() < 0.2);
            assert_eq!(bar.anchor, "end");
            assert_eq!(bar.text, "\u{2212}24%");
            assert!(bar.text_x - text_width(&bar.text, true) >= 0.0);
        }
        assert!(view.description.contains("lowest: Korea at \u{2212}24%"));
    }

    fn two_series(kind: Kind, left: Vec<bool>, rows: &[(&str, Option<f64>, Option<f64>)]) -> Plot {
        Plot {
            kind,
            left,
            series: vec![
                ("In force".into(), Some("%".into())),
                ("Announced".into(), Some("%".into())),
            ],
            rows: rows
                .iter()
                .map(|(l, a, b)| ((*l).to_owned(), false, vec![*a, *b]))
                .collect(),
            sources: Sources::default(),
            x_label: "Country".into(),
        }
    }

    #[test]
    fn stacked_segments_meet_and_their_values_fit_inside_them() {
        let messages = crate::messages::Messages::builtin("en");
        let plot = two_series(
            Kind::Stacked,
            vec![false, false],
            &[
                ("Japan", Some(40.0), Some(60.0)),
                (
                    "A partner with a name long enough to wrap",
                    Some(2.0),
                    Some(90.0),
                ),
                ("Korea", Some(-10.0), Some(30.0)),
            ],
        );
        let view = layout("c", "c".into(), plot, &english(&messages));
        for layout in &view.layouts {
            let japan = &layout.rows[0];
            assert_eq!(japan.bars.len(), 2);
            assert!((japan.bars[0].x + japan.bars[0].width - japan.bars[1].x).abs() < 0.2);
            assert!((japan.bars[0].x - layout.zero_x).abs() < 0.2);
            for row in &layout.rows {
                for bar in row.bars.iter().filter(|b| b.inside) {
                    let (a, b) = extent(bar.text_x, bar.anchor, &bar.text);
                    assert!(a >= bar.x && b <= bar.x + bar.width, "{} spills", bar.text);
                }
                for value in &row.values {
                    let (a, b) = extent(value.x, value.anchor, &value.text);
                    assert!(a >= 0.0 && b <= layout.width, "{} is clipped", value.text);
                }
            }
            // A 2% sliver is too narrow for its value: the table has it.
            assert!(!layout.rows[1].bars[0].inside);
            // Korea's negative part goes left of zero, its total there too.
            let korea = &layout.rows[2];
            assert!(korea.bars[0].x < layout.zero_x);
            assert_eq!(korea.values[0].text, "\u{2212}10%");
            assert_eq!(korea.values[0].anchor, "end");
            assert_eq!(korea.values[1].text, "30%");
        }
        assert_eq!(view.layouts[0].rows[0].values[0].text, "100%");
        assert!(view.description.starts_with("Stacked bar chart"));
        assert!(view.description.contains("Highest: Japan at 100%"));
    }

    #[test]
    fn a_diverging_axis_counts_outwards_without_signs() {
        let messages = crate::messages::Messages::builtin("en");
        let plot = two_series(
            Kind::Diverging,
            vec![true, false],
            &[
                ("Japan", Some(79.7), Some(148.2)),
                ("India", Some(41.8), Some(87.4)),
            ],
        );
        let view = layout("c", "c".into(), plot, &english(&messages));
        for layout in &view.layouts {
            assert!(layout.ticks.iter().all(|t| !t.label.contains('\u{2212}')));
            assert!(layout.ticks.iter().any(|t| t.x < layout.zero_x));
            let japan = &layout.rows[0];
            assert!(japan.bars[0].x < layout.zero_x && japan.bars[1].x >= layout.zero_x);
            assert_eq!(japan.values[0].text, "79.7%");
        }
        assert!(!view.description.contains("Highest"));
    }

    #[test]
    fn dot_and_range_labels_keep_clear_of_dots_labels_and_edges() {
        let messages = crate::messages::Messages::builtin("en");
        for kind in [Kind::Dot, Kind::Range] {
            let plot = two_series(
                kind,
                vec![false, false],
                &[
                    ("Japan", Some(10.0), Some(24.0)),
                    (
                        "A partner whose name takes most of the label column",
                        Some(0.0),
                        Some(0.5),
                    ),
                    ("India", None, Some(26.0)),
                    ("Same", Some(10.0), Some(10.0)),
                ],
            );
            let view = layout("c", "c".into(), plot, &english(&messages));
            for layout in &view.layouts {
                let label_end = layout
                    .rows
                    .iter()
                    .filter(|r| r.label.anchor == "end")
                    .map(|r| r.label.x)
                    .fold(0.0, f64::max);
                for row in &layout.rows {
                    for value in &row.values {
                        let (a, b) = extent(value.x, value.anchor, &value.text);
                        assert!(
                            a >= label_end && b <= layout.width,
                            "{} {a} {b}",
                            value.text
                        );
                    }
                }
                let japan = &layout.rows[0];
                assert_eq!(japan.dots.len(), 2);
                assert_ne!(japan.dots[0].path.chars().nth(5), None);
                assert_eq!(japan.values.len(), 2);
                assert_eq!(japan.dots[1].title, "Announced: 24%");
                // A row without a second value: one dot, no range; equal values: one label.
                assert_eq!(layout.rows[2].dots.len(), 1);
                assert_eq!(layout.rows[3].values.len(), 1);
                match kind {
                    Kind::Range => {
                        assert!(layout.rows[2].line.is_none());
                        assert!(japan.line.as_ref().is_some_and(|l| l.x1 < l.x2));
                    }
                    _ => assert!(layout.rows[2].line.is_some()),
                }
            }
        }
        // Four series, four shapes.
        let paths: Vec<String> = (0..4).map(|i| dot_path(i, 10.0, 10.0)).collect();
        assert!(paths[0].contains('a') && paths[1].matches('L').count() == 3);
        assert!(paths[2].contains('H') && paths[3].matches('L').count() == 2);
    }
}
