//! Sparklines in table cells (`table(…, spark=["rate_percent"])`): for a data file kept through
//! time, each row's value of a column through time, as a small step line. Every sparkline of a
//! column is drawn on one scale (from zero, from the file's first date to the build date), so
//! that rows can be compared by eye; the line's words (each value and the date it took effect)
//! are its accessible name, and the cell sorts by the value in force.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use super::Expander;
use super::args::Args;
use super::table;
use crate::data::{self, DataFile, Row};
use crate::diagnostic::Diagnostic;

/// A sparkline's drawing, in its own units (the stylesheet sizes it to the text).
const WIDTH: f64 = 96.0;
const HEIGHT: f64 = 24.0;
/// Room around the line for the dot at its end.
const INSET: f64 = 3.0;

#[derive(Debug, Serialize)]
pub struct SparkColumn {
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Serialize)]
pub struct SparkView {
    /// SVG path data, `M x y H x V y …`; empty when the row has no value at any date.
    pub path: String,
    /// Where the line ends (on the build date), marked with a dot; none after a gap.
    pub end: Option<Point>,
    /// Each value and the date from which it held, in words.
    pub label: String,
    /// The value in force on the build date, for sorting.
    pub last: Option<f64>,
}

/// Sparkline columns, and each row's sparklines (one per column).
pub type Sparks = (Vec<SparkColumn>, Vec<Vec<SparkView>>);

/// The sparkline columns `spark` asks for, and each row's sparklines (one per column).
pub fn sparks(
    exp: &Expander,
    args: &Args,
    file: &DataFile,
    rows: &[&Row],
) -> Result<Sparks, Vec<Diagnostic>> {
    let Some(names) = args.list("spark") else {
        return Ok((Vec::new(), rows.iter().map(|_| Vec::new()).collect()));
    };
    let Some(versions) = file.versions() else {
        return Err(vec![
            exp.error(
                format!(
                    "a sparkline draws each row's value through time, and `data/{}` is not kept through time: its schema names no `effective` column",
                    file.name
                ),
                args.span("spark"),
            )
            .with_help("give the file's schema `effective = \"COLUMN\"`, or leave out `spark`"),
        ]);
    };
    let mut problems = Vec::new();
    for (name, span) in &names {
        if let Err(d) = table::need_column(exp, file, name, span.clone()) {
            problems.push(d);
        } else if !data::column_is_numeric(file, name) {
            problems.push(exp.error(
                format!("column `{name}` is not numeric, so it cannot be drawn as a sparkline"),
                span.clone(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let today = exp.env.today;
    let histories: HashMap<String, Vec<&Row>> = file.histories().into_iter().collect();
    let language = exp.env.config.language.as_str();
    let messages = exp.env.messages;
    let numbers = exp.env.numbers();
    let no_value = messages.word(language, "no-value", &[]);
    let mut per_row: Vec<Vec<SparkView>> = (0..rows.len()).map(|_| Vec::new()).collect();
    let mut columns = Vec::new();
    for (name, _) in &names {
        let unit = file
            .schema
            .as_ref()
            .and_then(|s| s.column(name))
            .and_then(|c| c.unit.clone());
        let all_steps: Vec<Vec<(Date, Option<f64>)>> = rows
            .iter()
            .map(|row| {
                let history = histories
                    .get(&file.key_of(row))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let (mut steps, _) = super::steps::history_steps(history, versions, name);
                steps.retain(|(date, _)| *date <= today);
                // Rows of one day: the later one is what held from that day.
                let mut held: Vec<(Date, Option<f64>)> = Vec::with_capacity(steps.len());
                for step in steps {
                    match held.last_mut() {
                        Some(last) if last.0 == step.0 => *last = step,
                        _ => held.push(step),
                    }
                }
                // A value that goes on (a new status, say) is not a change.
                held.dedup_by(|later, earlier| later.1 == earlier.1);
                held
            })
            .collect();
        let values = all_steps.iter().flatten().filter_map(|(_, v)| *v);
        let (lo, hi) = values.fold((0.0, 0.0), |(lo, hi), v| (f64::min(lo, v), f64::max(hi, v)));
        let hi = if hi == lo { lo + 1.0 } else { hi };
        let first = all_steps
            .iter()
            .filter_map(|steps| steps.first().map(|s| s.0))
            .min()
            .unwrap_or(today);
        let span = (today - first).get_days().max(1) as f64;
        let x_of = |date: Date| {
            round(INSET + (date - first).get_days() as f64 / span * (WIDTH - 2.0 * INSET))
        };
        let y_of = |v: f64| round(HEIGHT - INSET - (v - lo) / (hi - lo) * (HEIGHT - 2.0 * INSET));
        for (views, steps) in per_row.iter_mut().zip(&all_steps) {
            let path = super::steps::step_path(steps, (first, today), true, x_of, y_of);
            let last = steps.last().and_then(|(_, v)| *v);
            let end = last.map(|v| Point {
                x: x_of(today),
                y: y_of(v),
            });
            let label = steps
                .iter()
                .map(|(date, value)| {
                    let value = value.map_or_else(
                        || no_value.clone(),
                        |v| numbers.with_unit(v, unit.as_deref()),
                    );
                    messages.word(
                        language,
                        "spark-step",
                        &[
                            ("value", value.into()),
                            ("date", messages.date(language, *date).into()),
                        ],
                    )
                })
                .collect::<Vec<_>>();
            views.push(SparkView {
                path,
                end,
                label: if label.is_empty() {
                    no_value.clone()
                } else {
                    label.join(messages.word(language, "spark-separator", &[]).as_str())
                },
                last,
            });
        }
        columns.push(SparkColumn {
            label: messages.word(
                language,
                "spark-heading",
                &[("column", table::column_label(exp, file, name).into())],
            ),
        });
    }
    Ok((columns, per_row))
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
