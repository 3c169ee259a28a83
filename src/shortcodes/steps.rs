//! `chart(kind="step", data=…, x=…, y=…)` (or `kind="line"`, straight lines between the
//! values, for measurements): a value through time, one line per key of a data
//! file kept through time (`effective` in its schema). Each row holds its value from its
//! effective date until the key's next row (a vertical step), its `until`, or its withdrawal;
//! an empty cell is a gap. With `facet=true`, small multiples: one panel per key on the same
//! scales, the other keys drawn faintly behind for comparison. Events from a timeline file (`events="timeline.yaml"`) are marked by
//! numbered rules, listed under the chart, so that no label can overlap another. Drawn twice,
//! wide and narrow, like the bar charts; the figures follow as a table: the value of every key
//! on every date something changed.

use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;

use super::Expander;
use super::args::Args;
use super::chart::{Words, short_number};
use super::format::{self, Numbers};
use super::table::{self, SourceView, Sources};
use crate::content::front_matter::parse_date;
use crate::data::{DataFile, plain, value_text};
use crate::diagnostic::Diagnostic;

const WIDE: f64 = 640.0;
const NARROW: f64 = 320.0;
const FONT: f64 = 13.0;
const PAD: f64 = 6.0;
/// Room above the plot for two rows of event numbers.
const TOP: f64 = 42.0;
const PLOT_HEIGHT: f64 = 200.0;
/// A small multiple: drawn at 280 units in a column at least 280 px wide (the stylesheet's
/// grid), so that its text is never drawn smaller than the stylesheet's 13 px.
const PANEL: f64 = 280.0;
const PANEL_HEIGHT: f64 = 110.0;
/// Room above a panel's plot for its title.
const PANEL_TITLE: f64 = 20.0;
const SERIES_CLASSES: usize = 4;

#[derive(Debug, Serialize)]
pub struct StepView {
    pub id: String,
    /// Small multiples: `layouts` are one panel per key, each with its `title`.
    pub facet: bool,
    pub caption: String,
    pub description: String,
    pub layouts: Vec<StepLayout>,
    pub series: Vec<super::chart::SeriesView>,
    /// The figures as a table: a date, then each series' value in force from it.
    pub rows: Vec<StepRow>,
    pub date_label: String,
    pub events: Vec<EventView>,
    pub sources: Vec<SourceView>,
}

#[derive(Debug, Serialize)]
pub struct StepLayout {
    pub name: &'static str,
    /// A small multiple's key.
    pub title: Option<String>,
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
    pub y_ticks: Vec<YTick>,
    pub x_ticks: Vec<XTick>,
    pub lines: Vec<Line>,
    pub markers: Vec<Marker>,
}

#[derive(Debug, Serialize)]
pub struct YTick {
    pub y: f64,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct XTick {
    pub x: f64,
    pub label: String,
    pub anchor: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Line {
    pub class: String,
    /// SVG path data: `M x y H x V y …`, a new `M` after a gap.
    pub path: String,
}

/// A numbered event rule across the plot.
#[derive(Debug, Serialize)]
pub struct Marker {
    pub x: f64,
    /// Where its number sits: raised a line when the one before is too close to read.
    pub y: f64,
    pub number: usize,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub number: usize,
    pub date: String,
    pub date_text: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct StepRow {
    pub date: String,
    pub date_text: String,
    pub values: Vec<String>,
    /// Each series' value as data (for the CSV download), or nothing.
    pub numbers: Vec<Option<f64>>,
}

/// One key's values: `(from, value)` in date order; `None` is a gap.
struct Series {
    name: String,
    unit: Option<String>,
    steps: Vec<(Date, Option<f64>)>,
}

pub fn steps(exp: &mut Expander, args: &Args, id: &str) -> Result<StepView, Vec<Diagnostic>> {
    // `kind="line"` joins the values with straight lines: measurements, not rates in force.
    let stepped = args.str("kind") != Some("line");
    let file = table::data_file(exp, args)?;
    let Some(versions) = file.versions().cloned() else {
        return Err(vec![
            exp.error(
                format!(
                    "a step chart draws a value through time, and `data/{}` is not kept through time: its schema names no `effective` column",
                    file.name
                ),
                args.span("data"),
            )
            .with_help("give the file's schema `effective = \"COLUMN\"`, or draw it as bars (leave out `kind`)"),
        ]);
    };
    let x = args.str("x").unwrap_or_default();
    let ys = args.list("y").unwrap_or_default();
    let mut problems = Vec::new();
    if let Err(d) = table::need_column(exp, file, x, args.span("x")) {
        problems.push(d);
    }
    let y = match ys.as_slice() {
        [(y, span)] => {
            if let Err(d) = table::need_column(exp, file, y, span.clone()) {
                problems.push(d);
            }
            *y
        }
        _ => {
            problems.push(
                exp.error(
                    "a step chart draws one column: give `y` one name",
                    args.span("y"),
                )
                .with_help("each key of the file (each country) is a line of its own"),
            );
            ""
        }
    };
    let Some(caption) = args.str("caption").map(str::to_owned) else {
        problems.push(
            exp.error("this chart needs a caption", args.call.name_span.clone())
                .with_help("add `caption=\"...\"`: it titles the chart for every reader"),
        );
        return Err(problems);
    };
    let date_arg = |name| table::date_arg(exp, args, name);
    let (from, to) = match (date_arg("from"), date_arg("to")) {
        (Ok(from), Ok(to)) => (from, to),
        (from, to) => {
            problems.extend(from.err());
            problems.extend(to.err());
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let unit = file
        .schema
        .as_ref()
        .and_then(|s| s.column(y))
        .and_then(|c| c.unit.clone());
    // The history known on the build date: rows that take effect later are not drawn.
    let mut series = collect_series(file, &versions, x, y, unit.clone());
    // A file with no value in `y` at all is a mistake; one whose values all take effect after
    // the build date is drawn as it stood then, without lines.
    let has_values = series
        .iter()
        .any(|s| s.steps.iter().any(|(_, v)| v.is_some()));
    for s in &mut series {
        s.steps.retain(|(date, _)| *date <= exp.env.today);
    }
    let first = series
        .iter()
        .flat_map(|s| s.steps.first().map(|step| step.0))
        .min();
    let Some(first) = first else {
        return Err(vec![exp.error(
            format!("`data/{}` has no dated row to draw", file.name),
            args.span("data"),
        )]);
    };
    let from = from.unwrap_or(first);
    let to = to.unwrap_or(exp.env.today);
    if to <= from {
        return Err(vec![
            exp.error(
                format!("this step chart would end on {to}, before it starts on {from}"),
                args.span("to"),
            )
            .with_help("give `to=\"YYYY-MM-DD\"` after the first date, or build as of a later date (`--as-of`)"),
        ]);
    }
    if !has_values {
        return Err(vec![exp.error(
            format!(
                "this chart has nothing to plot: no row of `data/{}` has a `{y}`",
                file.name
            ),
            args.call.name_span.clone(),
        )]);
    }
    let events = match args.str("events") {
        None => Vec::new(),
        Some(name) => events_of(exp, args, name, (from, to))?,
    };
    let numbers = exp.env.numbers();
    let messages = exp.env.messages;
    let language = &exp.env.config.language;
    let words = Words {
        numbers,
        messages,
        language,
    };
    let mut sources = Sources::default();
    sources.add(
        args.str("source")
            .or_else(|| file.schema.as_ref()?.source.as_deref()),
        args.str("as_of"),
    );
    let facet = args.bool("facet").unwrap_or(false);
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| {
            s.steps
                .iter()
                .filter(|(d, _)| *d <= to)
                .filter_map(|(_, v)| *v)
        })
        .collect();
    // Every drawing (every panel) on one scale: the lowest and highest value and zero.
    let lowest = values.iter().copied().fold(0.0, f64::min);
    let highest = values.iter().copied().fold(0.0, f64::max);
    let domain = (
        lowest,
        if highest > lowest {
            highest
        } else {
            lowest + 1.0
        },
    );
    let frame = |name, width, title: Option<String>| Frame {
        name,
        width,
        title,
        dates: (from, to),
        domain,
        events: &events,
        stepped,
    };
    let all: Vec<(usize, &Series)> = series.iter().enumerate().collect();
    let layouts = if facet {
        all.iter()
            .map(|&(i, s)| {
                let others: Vec<&Series> = all
                    .iter()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, s)| *s)
                    .collect();
                layout(
                    &frame("panel", PANEL, Some(s.name.clone())),
                    &[(i, s)],
                    &others,
                    &words,
                )
            })
            .collect()
    } else {
        vec![
            layout(&frame("wide", WIDE, None), &all, &[], &words),
            layout(&frame("narrow", NARROW, None), &all, &[], &words),
        ]
    };
    let rows = table_rows(&series, (from, to), &words);
    let description = describe(
        &series,
        table::column_label(exp, file, y),
        (from, to),
        &words,
        stepped,
    );
    Ok(StepView {
        id: id.to_owned(),
        facet,
        caption,
        description,
        layouts,
        series: series
            .iter()
            .enumerate()
            .map(|(i, s)| super::chart::SeriesView {
                name: s.name.clone(),
                class: format!("tt-series-{}", i % SERIES_CLASSES),
                unit: s.unit.clone(),
            })
            .collect(),
        rows,
        date_label: table::column_label(exp, file, &versions.effective),
        events: events
            .into_iter()
            .enumerate()
            .map(|(i, (date, title))| EventView {
                number: i + 1,
                date: date.to_string(),
                date_text: messages.date(language, date),
                title,
            })
            .collect(),
        sources: sources.into_vec(),
    })
}

/// Each key's steps, in the order keys first appear; a key is named by its latest row's `x`.
fn collect_series(
    file: &DataFile,
    versions: &crate::config::Versions,
    x: &str,
    y: &str,
    unit: Option<String>,
) -> Vec<Series> {
    file.histories()
        .into_iter()
        .map(|(key, history)| {
            let (steps, latest) = history_steps(&history, versions, y);
            let name = latest
                .and_then(|row| row.cells.get(x))
                .map(|v| value_text(plain(v)))
                .unwrap_or(key);
            Series {
                name,
                unit: unit.clone(),
                steps,
            }
        })
        .collect()
}

/// One key's values of column `y` through time, `(from, value)` in date order (a withdrawn row
/// or one past its `until` is a gap, `None`), and its latest dated row. Rows of one day follow
/// each other at one date: the later value is what holds.
pub(super) fn history_steps<'r>(
    history: &[&'r crate::data::Row],
    versions: &crate::config::Versions,
    y: &str,
) -> (Vec<(Date, Option<f64>)>, Option<&'r crate::data::Row>) {
    let date_of = |row: &crate::data::Row, column: &str| {
        row.cells
            .get(column)
            .map(plain)
            .and_then(Value::as_str)
            .and_then(|t| parse_date(t).ok())
    };
    let mut dated: Vec<(Date, usize, &crate::data::Row)> = history
        .iter()
        .enumerate()
        .filter_map(|(i, row)| Some((date_of(row, &versions.effective)?, i, *row)))
        .collect();
    dated.sort_by_key(|(date, i, _)| (*date, *i));
    let mut steps: Vec<(Date, Option<f64>)> = Vec::new();
    for (date, _, row) in &dated {
        let withdrawn = versions.status.as_deref().is_some_and(|s| {
            row.cells.get(s).map(plain).and_then(Value::as_str) == Some("withdrawn")
        });
        let value = if withdrawn {
            None
        } else {
            row.cells.get(y).map(plain).and_then(Value::as_f64)
        };
        steps.push((*date, value));
        if let Some(until) = versions.until.as_deref().and_then(|u| date_of(row, u))
            && let Some(after) = until.tomorrow().ok()
        {
            steps.push((after, None));
        }
    }
    (steps, dated.last().map(|(_, _, row)| *row))
}

/// Dated events of a timeline data file within the chart's range, in date order.
fn events_of(
    exp: &Expander,
    args: &Args,
    name: &str,
    (from, to): (Date, Date),
) -> Result<Vec<(Date, String)>, Vec<Diagnostic>> {
    let Some(file) = exp.env.data.get(name) else {
        let mut d = exp.error(format!("no data file `data/{name}`"), args.span("events"));
        if let Some(help) =
            crate::diagnostic::did_you_mean(name, exp.env.data.keys().map(String::as_str))
        {
            d = d.with_help(help);
        }
        return Err(vec![d]);
    };
    if !file.has_column("date") || !file.has_column("title") {
        return Err(vec![exp.error(
            format!("`events` are read from a file of `date` and `title` rows, and `data/{name}` has no such columns"),
            args.span("events"),
        )]);
    }
    let mut conditions = match args.str("events_filter").map(format::parse_filter) {
        None => Vec::new(),
        Some(Ok(conditions)) => conditions,
        Some(Err(message)) => {
            return Err(vec![exp.error(
                format!("bad `events_filter`: {message}"),
                args.span("events_filter"),
            )]);
        }
    };
    for condition in &mut conditions {
        if let Err(d) = table::need_column(exp, file, &condition.column, args.span("events_filter"))
        {
            return Err(vec![d]);
        }
        if let Err(message) = condition.bind(file.is_date_column(&condition.column), exp.env.today)
        {
            return Err(vec![exp.error(
                format!("bad `events_filter`: {message}"),
                args.span("events_filter"),
            )]);
        }
    }
    let mut events: Vec<(Date, String)> = file
        .rows
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|row| format::matches(&conditions, &row.cells))
        .filter_map(|row| {
            let date = parse_date(&value_text(plain(row.cells.get("date")?))).ok()?;
            let title = value_text(plain(row.cells.get("title")?));
            (from <= date && date <= to).then_some((date, title))
        })
        .collect();
    events.sort_by_key(|(date, _)| *date);
    Ok(events)
}

fn days(from: Date, date: Date) -> f64 {
    (date - from).get_days() as f64
}

/// What one drawing shows: its name and width, a small multiple's title, the dates and
/// values it spans (shared by all drawings of a chart), its events, and steps or lines.
struct Frame<'a> {
    name: &'static str,
    width: f64,
    title: Option<String>,
    dates: (Date, Date),
    domain: (f64, f64),
    events: &'a [(Date, String)],
    stepped: bool,
}

/// One drawing of `series` (each with its index, for its colour and dash), with `context`
/// (the other keys of a small multiple) drawn faintly behind.
fn layout(
    frame: &Frame,
    series: &[(usize, &Series)],
    context: &[&Series],
    words: &Words,
) -> StepLayout {
    let Frame {
        name,
        width,
        dates: (from, to),
        domain: (lo, hi),
        events,
        stepped,
        ..
    } = *frame;
    let panel = frame.title.is_some();
    let numbers = &words.numbers;
    let most = if panel {
        3
    } else if width < 400.0 {
        4
    } else {
        6
    };
    let ticks = super::chart::nice_ticks(lo, hi, most);
    let (bottom_value, top_value) = (
        ticks.first().copied().unwrap_or(lo),
        ticks.last().copied().unwrap_or(hi),
    );
    let unit = series.first().and_then(|(_, s)| s.unit.as_deref());
    let tick_text = |v: f64| match unit {
        Some(u) if u.chars().count() <= 3 && !u.contains(' ') => {
            format::attach_unit(short_number(numbers, v), Some(u))
        }
        _ => short_number(numbers, v),
    };
    let label_width = ticks
        .iter()
        .map(|v| crate::text::width_em(&tick_text(*v)) * FONT)
        .fold(0.0, f64::max);
    let plot_left = (label_width + 2.0 * PAD).round();
    let plot_right = width - PAD * 2.0;
    // A panel's title above its plot, and the events' numbers when it has events.
    let plot_top = match (panel, events.is_empty()) {
        (false, _) => TOP,
        (true, true) => PANEL_TITLE + PAD * 2.0,
        (true, false) => PANEL_TITLE + TOP,
    };
    let plot_bottom = plot_top + if panel { PANEL_HEIGHT } else { PLOT_HEIGHT };
    let span = days(from, to).max(1.0);
    let x_of = |date: Date| {
        let d = days(from, date).clamp(0.0, span);
        ((plot_left + d / span * (plot_right - plot_left)) * 10.0).round() / 10.0
    };
    let y_of = |v: f64| {
        let t = (v - bottom_value) / (top_value - bottom_value).max(f64::EPSILON);
        ((plot_bottom - t * (plot_bottom - plot_top)) * 10.0).round() / 10.0
    };
    let y_ticks = ticks
        .iter()
        .map(|v| YTick {
            y: y_of(*v),
            label: tick_text(*v),
        })
        .collect();
    // Each date label where it falls, kept inside the drawing and clear of the value labels'
    // column (centred on a date near the left, it would run under the lowest value's label
    // once the dates span long enough: it then starts at its date); one that would touch the
    // label before it is left out.
    let mut x_ticks: Vec<XTick> = Vec::new();
    let mut last_right = f64::NEG_INFINITY;
    for (date, label) in date_ticks((from, to), width, words) {
        let x = x_of(date);
        let w = crate::text::width_em(&label) * FONT;
        let (anchor, left) = if x - w / 2.0 < plot_left - PAD {
            ("start", x)
        } else if x + w / 2.0 > width {
            ("end", x - w)
        } else {
            ("middle", x - w / 2.0)
        };
        if left < last_right + 2.0 * PAD {
            continue;
        }
        last_right = left + w;
        x_ticks.push(XTick { x, label, anchor });
    }
    // A key's line: the value in force at `from`, then each change up to `to`.
    let path_of = |s: &Series| step_path(&s.steps, (from, to), stepped, x_of, y_of);
    let lines = context
        .iter()
        .map(|s| Line {
            class: "tt-step-context".to_owned(),
            path: path_of(s),
        })
        .chain(series.iter().map(|(i, s)| Line {
            class: format!("tt-series-{}", i % SERIES_CLASSES),
            path: path_of(s),
        }))
        .collect();
    let mut markers: Vec<Marker> = Vec::new();
    for (i, (date, _)) in events.iter().enumerate() {
        let x = x_of(*date);
        let crowded = markers
            .last()
            .is_some_and(|m| x - m.x < FONT * 1.2 && m.y == plot_top - 8.0);
        markers.push(Marker {
            x,
            // A row apart by a line box of the tallest common sans (Noto Sans: 1.36 em).
            y: if crowded {
                plot_top - 8.0 - FONT * 1.5
            } else {
                plot_top - 8.0
            },
            number: i + 1,
        });
    }
    StepLayout {
        name,
        title: frame.title.clone(),
        width,
        height: plot_bottom + FONT + 2.0 * PAD,
        plot_left,
        plot_right,
        plot_top,
        plot_bottom,
        y_ticks,
        x_ticks,
        lines,
        markers,
    }
}

/// The SVG path of one key's `steps` between `from` and `to`: the value in force at `from`,
/// then each change (a step that holds each value until the next, or with `stepped` false a
/// line joining measurements), a gap where there is no value, and a step on to `to`.
/// Shared by step and line charts and the sparklines in tables.
pub(super) fn step_path(
    steps: &[(Date, Option<f64>)],
    (from, to): (Date, Date),
    stepped: bool,
    x_of: impl Fn(Date) -> f64,
    y_of: impl Fn(f64) -> f64,
) -> String {
    let mut path = String::new();
    let mut current: Option<f64> = None;
    let visible: Vec<&(Date, Option<f64>)> = steps.iter().filter(|(date, _)| *date <= to).collect();
    // The value in force at `from`: the last step on or before it.
    let start = visible
        .iter()
        .rposition(|(date, _)| *date <= from)
        .unwrap_or(0);
    for (date, value) in visible.iter().skip(start) {
        let x = x_of((*date).max(from));
        match (current, value) {
            // A line joins measurements; a step holds each value until the next.
            (Some(_), Some(v)) if !stepped => path.push_str(&format!(" L {x} {}", y_of(*v))),
            // The same value again (a new status, say): the step goes on.
            (Some(c), Some(v)) if c == *v => {}
            (Some(_), Some(v)) => path.push_str(&format!(" H {x} V {}", y_of(*v))),
            (Some(_), None) if stepped => path.push_str(&format!(" H {x}")),
            (Some(_), None) => {}
            (None, Some(v)) => path.push_str(&format!(" M {x} {}", y_of(*v))),
            (None, None) => {}
        }
        current = *value;
    }
    if current.is_some() && stepped {
        path.push_str(&format!(" H {}", x_of(to)));
    }
    path.trim().to_owned()
}

/// Dates to label on the time axis: the first of each month (or of every second, third… month)
/// in the range, as many as fit; the range's ends when no month starts inside it.
fn date_ticks((from, to): (Date, Date), width: f64, words: &Words) -> Vec<(Date, String)> {
    let mut months = Vec::new();
    let mut date = from.first_of_month();
    if date < from {
        date = date.saturating_add(jiff::Span::new().months(1));
    }
    while date <= to {
        months.push(date);
        date = date.saturating_add(jiff::Span::new().months(1));
    }
    if months.len() < 2 {
        return [from, to]
            .into_iter()
            .map(|d| (d, words.messages.date(words.language, d)))
            .collect();
    }
    let label = |d: Date| words.messages.month(words.language, d);
    let widest = months
        .iter()
        .map(|d| crate::text::width_em(&label(*d)) * FONT + 2.0 * PAD)
        .fold(0.0, f64::max);
    let room = (width / widest).floor().max(1.0) as usize;
    let every = months.len().div_ceil(room).max(1);
    months
        .into_iter()
        .step_by(every)
        .map(|d| (d, label(d)))
        .collect()
}

/// The table after the chart: each date on which a value changed, with every series' value in
/// force from it.
fn table_rows(series: &[Series], (from, to): (Date, Date), words: &Words) -> Vec<StepRow> {
    let mut dates: Vec<Date> = series
        .iter()
        .flat_map(|s| s.steps.iter().map(|(d, _)| *d))
        .filter(|d| *d <= to)
        .map(|d| d.max(from))
        .collect();
    dates.sort();
    dates.dedup();
    let no_value = words.messages.word(words.language, "no-value", &[]);
    dates
        .into_iter()
        .map(|date| {
            let numbers: Vec<Option<f64>> = series
                .iter()
                .map(|s| {
                    s.steps
                        .iter()
                        .rfind(|(d, _)| *d <= date)
                        .and_then(|(_, v)| *v)
                })
                .collect();
            StepRow {
                date: date.to_string(),
                date_text: words.messages.date(words.language, date),
                values: numbers
                    .iter()
                    .map(|v| v.map_or_else(|| no_value.clone(), |v| words.numbers.number(v)))
                    .collect(),
                numbers,
            }
        })
        .collect()
}

/// `<desc>`: what is drawn, over which dates, and each line from its first value to its last.
fn describe(
    series: &[Series],
    label: String,
    (from, to): (Date, Date),
    words: &Words,
    stepped: bool,
) -> String {
    let date = |d: Date| words.messages.date(words.language, d);
    let numbers: &Numbers = &words.numbers;
    let mut text = words.messages.word(
        words.language,
        if stepped {
            "step-description"
        } else {
            "line-description"
        },
        &[
            ("label", label.to_lowercase().into()),
            ("from", date(from).into()),
            ("to", date(to).into()),
            ("count", series.len().into()),
        ],
    );
    for s in series {
        let values: Vec<f64> = s
            .steps
            .iter()
            .filter(|(d, _)| *d <= to)
            .filter_map(|(_, v)| *v)
            .collect();
        let (Some(first), Some(last)) = (values.first(), values.last()) else {
            continue;
        };
        if !text.ends_with(['。', '．']) {
            text.push(' ');
        }
        let key = if first == last {
            "step-series-flat"
        } else {
            "step-series"
        };
        text.push_str(&words.messages.word(
            words.language,
            key,
            &[
                ("series", s.name.clone().into()),
                ("first", numbers.with_unit(*first, s.unit.as_deref()).into()),
                ("last", numbers.with_unit(*last, s.unit.as_deref()).into()),
            ],
        ));
    }
    text
}
