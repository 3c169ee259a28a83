//! `chart`: a horizontal bar chart (grouped when `y` names several series) as inline SVG.
//! The geometry is computed here; `shortcodes/chart.html` only draws it, with `<title>`,
//! `<desc>` and the same numbers as a table.

use serde::Serialize;
use serde_json::Value;

use super::Expander;
use super::args::Args;
use super::format;
use super::table::{self, SourceView, Sources};
use crate::data::{self, plain, value_text};
use crate::diagnostic::Diagnostic;
use crate::yaml::Yaml;

const WIDTH: f64 = 640.0;
const BAR: f64 = 18.0;
const BAR_GAP: f64 = 3.0;
const GROUP_GAP: f64 = 10.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 28.0;
const VALUE_ROOM: f64 = 76.0;
const CHAR_WIDTH: f64 = 7.6;
const LABEL_CHARS: usize = 30;
const SERIES_CLASSES: usize = 4;

#[derive(Debug, Serialize)]
pub struct ChartView {
    pub id: String,
    pub caption: String,
    pub description: String,
    pub width: f64,
    pub height: f64,
    pub label_x: f64,
    pub zero_x: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
    pub ticks: Vec<Tick>,
    pub series: Vec<SeriesView>,
    pub rows: Vec<ChartRow>,
    pub sources: Vec<SourceView>,
    pub x_label: String,
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub x: f64,
    pub label: String,
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
    /// The label as drawn in the SVG (long ones are shortened; the table has them whole).
    pub short_label: String,
    pub label_y: f64,
    pub highlight: bool,
    pub bars: Vec<Bar>,
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
    /// `start` or `end`: negative values are labelled left of their bar.
    pub anchor: &'static str,
    pub missing: bool,
}

/// What a chart plots: series names and units, then one label and value per series per row.
struct Plot {
    series: Vec<(String, Option<String>)>,
    rows: Vec<(String, bool, Vec<Option<f64>>)>,
    sources: Sources,
    x_label: String,
}

pub fn chart(exp: &mut Expander, args: &Args, id: &str) -> Result<ChartView, Vec<Diagnostic>> {
    if let Some(kind) = args.str("kind")
        && kind != "bar"
    {
        return Err(vec![
            exp.error(format!("unknown chart kind `{kind}`"), args.span("kind"))
                .with_help(
                    "the kind is `bar` (horizontal bars; grouped when `y` lists several columns)",
                ),
        ]);
    }
    let plot = match (args.str("data"), args.str("section")) {
        (Some(_), None) => from_data(exp, args)?,
        (None, Some(_)) => from_section(exp, args)?,
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
    Ok(layout(id, caption, plot))
}

fn from_data(exp: &Expander, args: &Args) -> Result<Plot, Vec<Diagnostic>> {
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
                .or_else(|| column.and_then(|c| c.label.clone()))
                .unwrap_or_else(|| format::humanise(y));
            let unit = args
                .str("unit")
                .map(str::to_owned)
                .or_else(|| column.and_then(|c| c.unit.clone()));
            (name, unit)
        })
        .collect();
    let mut sources = Sources::default();
    let source = args
        .str("source")
        .map(str::to_owned)
        .or_else(|| schema.and_then(|s| s.source.clone()));
    let as_of = args
        .str("as_of")
        .map(str::to_owned)
        .or_else(|| schema.and_then(|s| s.as_of).map(|d| d.to_string()));
    sources.add(source.as_deref(), as_of.as_deref());
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
                    plain(cell).as_f64()
                })
                .collect();
            (label, table::is_highlighted(file, args, row), values)
        })
        .collect();
    Ok(Plot {
        series,
        rows: plotted,
        sources,
        x_label: schema
            .and_then(|s| s.column(x))
            .and_then(|c| c.label.clone())
            .unwrap_or_else(|| format::humanise(x)),
    })
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

fn from_section(exp: &Expander, args: &Args) -> Result<Plot, Vec<Diagnostic>> {
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
            let name = labels
                .as_ref()
                .and_then(|l| l.get(i).map(|(t, _)| (*t).to_owned()))
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
                let value = figure(page, y)?;
                sources.add(
                    value.get("source").and_then(Value::as_str),
                    value.get("as_of").and_then(Value::as_str),
                );
                plain(&value).as_f64()
            })
            .collect();
        if values.iter().any(Option::is_some) {
            let highlight = args
                .list("highlight")
                .is_some_and(|h| h.iter().any(|(w, _)| *w == label || *w == page.slug));
            rows.push((label, highlight, values));
        }
    }
    Ok(Plot {
        series,
        rows,
        sources,
        x_label: format::humanise(x),
    })
}

/// Ticks at 1, 2 or 5 × 10ⁿ covering `lo..hi`, about five of them.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(f64::EPSILON);
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let count = ((last - first) / step).round() as usize;
    (0..=count.min(20))
        .map(|i| first + step * i as f64)
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A label cut to `LABEL_CHARS` characters as readers count them (grapheme clusters: an
/// accented letter, a Hindi conjunct or a flag is one), with `…` where it was cut.
fn shorten(label: &str) -> String {
    match crate::text::truncate(label, LABEL_CHARS) {
        std::borrow::Cow::Borrowed(whole) => whole.to_owned(),
        std::borrow::Cow::Owned(_) => crate::text::truncate(label, LABEL_CHARS - 1).into_owned(),
    }
}

fn layout(id: &str, caption: String, plot: Plot) -> ChartView {
    let values: Vec<f64> = plot
        .rows
        .iter()
        .flat_map(|(_, _, v)| v.iter().flatten().copied())
        .collect();
    let min = values.iter().copied().fold(0.0, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    let ticks = nice_ticks(min, if max == min { min + 1.0 } else { max });
    let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
    let longest = plot
        .rows
        .iter()
        .map(|(label, _, _)| shorten(label).chars().count())
        .max()
        .unwrap_or(0);
    let label_x = (longest as f64 * CHAR_WIDTH + 12.0).clamp(60.0, 240.0);
    let x0 = label_x + if min < 0.0 { VALUE_ROOM } else { 8.0 };
    let x1 = WIDTH - VALUE_ROOM;
    let scale = |v: f64| x0 + (v - lo) / (hi - lo) * (x1 - x0);
    let zero_x = round(scale(0.0));
    let series_count = plot.series.len().max(1);
    let group = series_count as f64 * (BAR + BAR_GAP) - BAR_GAP;
    let mut y = TOP;
    let rows = plot
        .rows
        .iter()
        .map(|(label, highlight, values)| {
            let top = y;
            y += group + GROUP_GAP;
            let bars = values
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    let bar_y = top + i as f64 * (BAR + BAR_GAP);
                    let v = value.unwrap_or(0.0);
                    let end = round(scale(v));
                    let negative = v < 0.0;
                    let unit = plot.series.get(i).and_then(|s| s.1.as_deref());
                    Bar {
                        x: zero_x.min(end),
                        y: round(bar_y),
                        width: round((end - zero_x).abs()),
                        height: BAR,
                        class: format!("tt-series-{}", i % SERIES_CLASSES),
                        text: match value {
                            Some(v) => format::with_unit(*v, unit),
                            None => "no value".into(),
                        },
                        text_x: if negative { end - 5.0 } else { end + 5.0 },
                        text_y: round(bar_y + BAR * 0.72),
                        anchor: if negative { "end" } else { "start" },
                        missing: value.is_none(),
                    }
                })
                .collect();
            ChartRow {
                label: label.clone(),
                short_label: shorten(label),
                label_y: round(top + group / 2.0 + 5.0),
                highlight: *highlight,
                bars,
            }
        })
        .collect::<Vec<_>>();
    let plot_bottom = round(y - GROUP_GAP + 6.0);
    // The axis shows a unit only when every series has the same one.
    let unit = plot
        .series
        .first()
        .and_then(|s| s.1.as_deref())
        .filter(|u| plot.series.iter().all(|s| s.1.as_deref() == Some(*u)));
    let tick_views = ticks
        .iter()
        .map(|&t| Tick {
            x: round(scale(t)),
            label: format::with_unit((t * 100.0).round() / 100.0, unit),
        })
        .collect();
    let description = describe(&plot, unit);
    ChartView {
        id: id.to_owned(),
        caption,
        description,
        width: WIDTH,
        height: round(plot_bottom + AXIS),
        label_x: round(label_x - 8.0),
        zero_x,
        plot_top: TOP - 4.0,
        plot_bottom,
        ticks: tick_views,
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
        rows,
        sources: plot.sources.into_vec(),
        x_label: plot.x_label,
    }
}

/// A sentence for `<desc>`: what is plotted, and the highest and lowest values.
fn describe(plot: &Plot, unit: Option<&str>) -> String {
    let names: Vec<&str> = plot.series.iter().map(|s| s.0.as_str()).collect();
    let mut text = format!(
        "Horizontal bar chart of {} by {}, {} {}.",
        names.join(" and "),
        plot.x_label.to_lowercase(),
        plot.rows.len(),
        if plot.rows.len() == 1 {
            "bar group"
        } else {
            "rows"
        }
    );
    let firsts: Vec<(&str, f64)> = plot
        .rows
        .iter()
        .filter_map(|(label, _, values)| Some((label.as_str(), (*values.first()?)?)))
        .collect();
    let highest = firsts.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let lowest = firsts.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(h), Some(l)) = (highest, lowest)
        && firsts.len() > 1
    {
        text.push_str(&format!(
            " Highest: {} at {}; lowest: {} at {}.",
            h.0,
            format::with_unit(h.1, unit),
            l.0,
            format::with_unit(l.1, unit)
        ));
    }
    text.push_str(" The same figures follow as a table.");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 50.0),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(
            nice_ticks(-24.0, 0.0),
            vec![-25.0, -20.0, -15.0, -10.0, -5.0, 0.0]
        );
        let t = nice_ticks(0.0, 37.7);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 37.7);
    }

    #[test]
    fn negative_bars_grow_left_of_zero_and_are_labelled_there() {
        let plot = Plot {
            series: vec![("Change".into(), Some("%".into()))],
            rows: vec![
                ("Japan".into(), false, vec![Some(-16.6)]),
                ("Korea".into(), true, vec![Some(-24.0)]),
            ],
            sources: Sources::default(),
            x_label: "Country".into(),
        };
        let view = layout("chart-1", "c".into(), plot);
        let bar = &view.rows[1].bars[0];
        assert!(bar.x < view.zero_x);
        assert!((bar.x + bar.width - view.zero_x).abs() < 0.2);
        assert_eq!(bar.anchor, "end");
        assert_eq!(bar.text, "\u{2212}24%");
        assert!(view.description.contains("lowest: Korea at \u{2212}24%"));
    }
}
