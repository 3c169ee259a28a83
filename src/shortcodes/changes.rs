//! `changes(data=…, column=…, from=…, to=…)`: what changed in a file kept through time between
//! two dates: each key whose value is new, gone, up or down, with both values. `to` is the build
//! date unless given; `from` is the date given, else the day the page was last updated (its
//! `updates` log, `updated` or `date` before `to`), so that an updates log can say what
//! changed since its last entry. Shown as a table (`shortcodes/changes.html`, through
//! `table.html`), or one sentence when nothing changed.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use super::Expander;
use super::args::Args;
use super::format;
use super::table::{self, CellView, ColumnView, RowView, Sources, TableView};
use crate::data::{plain, value_text};
use crate::diagnostic::Diagnostic;

#[derive(Debug, Serialize)]
pub struct ChangesView {
    pub table: TableView,
    /// The sentence shown instead of the table when nothing changed.
    pub unchanged: Option<String>,
}

/// How a key's value moved between the two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    New,
    Gone,
    Up,
    Down,
}

impl Change {
    fn key(self) -> &'static str {
        match self {
            Change::New => "change-new",
            Change::Gone => "change-gone",
            Change::Up => "change-up",
            Change::Down => "change-down",
        }
    }
}

pub fn changes(exp: &mut Expander, args: &Args, id: &str) -> Result<ChangesView, Vec<Diagnostic>> {
    let file = table::data_file(exp, args)?;
    if file.versions().is_none() {
        return Err(vec![
            exp.error(
                format!(
                    "`changes` compares a file kept through time on two dates, and `data/{}` is not one: its schema names no `effective` column",
                    file.name
                ),
                args.span("data"),
            )
            .with_help("give the file's schema `effective = \"COLUMN\"`"),
        ]);
    }
    let column = args.str("column").unwrap_or_default();
    let mut problems = Vec::new();
    if let Err(d) = table::need_column(exp, file, column, args.span("column")) {
        problems.push(d);
    }
    let label_column = args
        .str("x")
        .map(str::to_owned)
        .or_else(|| file.schema.as_ref()?.key.clone())
        .unwrap_or_default();
    if let Err(d) = table::need_column(exp, file, &label_column, args.span("x")) {
        problems.push(d);
    }
    let date_arg = |name| table::date_arg(exp, args, name);
    let (from, to) = match (date_arg("from"), date_arg("to")) {
        (Ok(from), Ok(to)) => (from, to.unwrap_or(exp.env.today)),
        (from, to) => {
            problems.extend(from.err());
            problems.extend(to.err());
            return Err(problems);
        }
    };
    let from = match from.or_else(|| last_update(exp, to)) {
        Some(from) => from,
        None => {
            problems.push(
                exp.error(
                    "`changes` needs the date to compare from: this page has no update before the build date",
                    args.call.name_span.clone(),
                )
                .with_help("give `from=\"YYYY-MM-DD\"`, or log the page's updates (`updates:` in its front matter)"),
            );
            return Err(problems);
        }
    };
    if to <= from {
        problems.push(
            exp.error(
                format!("`changes` would compare {from} with {to}, which is not later"),
                args.span("to"),
            )
            .with_help("`to` (default: the build date) must come after `from`"),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let language = exp.env.config.language.clone();
    let messages = exp.env.messages;
    let numbers = exp.env.numbers();
    let value = |row: Option<&crate::data::Row>| {
        row.and_then(|r| r.cells.get(column))
            .map(plain)
            .and_then(serde_json::Value::as_f64)
    };
    // Each key's row on the two dates, keys in the order they first appear (now, then before).
    let before = file.rows_on(from);
    let after = file.rows_on(to);
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in after.iter().chain(&before) {
        let key = file.key_of(row);
        if seen.insert(key.clone()) {
            let label = row
                .cells
                .get(&label_column)
                .map(|v| value_text(plain(v)))
                .unwrap_or_else(|| key.clone());
            keys.push((key, label));
        }
    }
    let before: HashMap<String, &crate::data::Row> = before
        .into_iter()
        .map(|row| (file.key_of(row), row))
        .collect();
    let after: HashMap<String, &crate::data::Row> = after
        .into_iter()
        .map(|row| (file.key_of(row), row))
        .collect();
    let unit = file
        .schema
        .as_ref()
        .and_then(|s| s.column(column))
        .and_then(|c| c.unit.clone());
    let mut rows = Vec::new();
    let mut csv = Vec::new();
    for (key, label) in keys {
        let was = value(before.get(&key).copied());
        let now = value(after.get(&key).copied());
        let change = match (was, now) {
            (None, Some(_)) => Change::New,
            (Some(_), None) => Change::Gone,
            (Some(a), Some(b)) if b > a => Change::Up,
            (Some(a), Some(b)) if b < a => Change::Down,
            _ => continue,
        };
        let number = |v: Option<f64>| CellView {
            text: v.map(|v| numbers.number(v)).unwrap_or_default(),
            value: v,
            numeric: true,
            missing: v.is_none(),
            ..CellView::default()
        };
        let what = messages.word(&language, change.key(), &[]);
        csv.push(vec![
            label.clone(),
            what.clone(),
            was.map(format::plain_digits).unwrap_or_default(),
            now.map(format::plain_digits).unwrap_or_default(),
        ]);
        rows.push(RowView {
            highlight: false,
            sparks: Vec::new(),
            cells: vec![
                CellView {
                    text: label,
                    ..CellView::default()
                },
                CellView {
                    text: what,
                    ..CellView::default()
                },
                number(was),
                number(now),
            ],
        });
    }
    let date = |d: Date| messages.date(&language, d);
    let column_label = table::column_label(exp, file, column);
    let word = |key: &str| messages.word(&language, key, &[]);
    let caption = args.str("caption").map(str::to_owned).unwrap_or_else(|| {
        messages.word(
            &language,
            "changes-caption",
            &[
                ("what", column_label.clone().into()),
                ("from", date(from).into()),
                ("to", date(to).into()),
            ],
        )
    });
    let unchanged = rows.is_empty().then(|| {
        messages.word(
            &language,
            "changes-none",
            &[
                ("what", column_label.clone().into()),
                ("from", date(from).into()),
                ("to", date(to).into()),
            ],
        )
    });
    let columns = vec![
        ColumnView {
            label: table::column_label(exp, file, &label_column),
            unit: None,
            numeric: false,
            sort: None,
            url: None,
        },
        ColumnView {
            label: word("change-what"),
            unit: None,
            numeric: false,
            sort: None,
            url: None,
        },
        ColumnView {
            label: date(from),
            unit: unit.clone(),
            numeric: true,
            sort: None,
            url: None,
        },
        ColumnView {
            label: date(to),
            unit,
            numeric: true,
            sort: None,
            url: None,
        },
    ];
    let mut sources = Sources::default();
    sources.add(
        args.str("source")
            .or_else(|| file.schema.as_ref()?.source.as_deref()),
        None,
    );
    let mut table_csv = vec![columns.iter().map(|c| c.label.clone()).collect::<Vec<_>>()];
    table_csv.extend(csv);
    let csv_url = if rows.is_empty() {
        String::new()
    } else {
        exp.download(id, &table_csv)
    };
    Ok(ChangesView {
        table: TableView {
            id: id.to_owned(),
            caption,
            sortable: false,
            columns,
            rows,
            sources: sources.into_vec(),
            csv_url,
            heat: false,
            sparks: Vec::new(),
        },
        unchanged,
    })
}

/// The day the page being rendered was last updated before `to`: its `updates` log, else
/// `updated`, else `date`.
fn last_update(exp: &Expander, to: Date) -> Option<Date> {
    let page = exp
        .env
        .content
        .pages
        .iter()
        .find(|p| p.content_path == exp.page.content_path)?;
    let front = &page.front;
    front
        .updates
        .iter()
        .map(|u| u.date)
        .chain(front.updated)
        .chain(front.date)
        .filter(|d| *d < to)
        .max()
}
