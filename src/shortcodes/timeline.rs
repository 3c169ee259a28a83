//! `timeline`: dated events from a data file, in date order, each marked past, today or
//! upcoming relative to the build date (`--as-of`).

use pulldown_cmark::{Event, Parser};
use serde::Serialize;
use serde_json::Value;

use super::Expander;
use super::args::Args;
use super::format;
use super::table::{self, SourceView, Sources};
use crate::content::front_matter::parse_date;
use crate::data::{plain, value_text};
use crate::diagnostic::Diagnostic;
use jiff::civil::Date;

#[derive(Debug, Serialize)]
pub struct TimelineView {
    pub id: String,
    pub caption: Option<String>,
    pub events: Vec<EventView>,
    pub sources: Vec<SourceView>,
    pub today: String,
    pub today_text: String,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub date: String,
    pub date_text: String,
    /// `past`, `current` or `upcoming`.
    pub status: &'static str,
    pub title: String,
    /// Markdown rendered inline, raw HTML escaped.
    pub text_html: String,
    pub refs: Vec<usize>,
}

pub fn timeline(
    exp: &mut Expander,
    args: &Args,
    id: &str,
) -> Result<TimelineView, Vec<Diagnostic>> {
    let file = table::data_file(exp, args)?;
    let mut problems = Vec::new();
    for column in ["date", "title"] {
        if let Err(d) = table::need_column(exp, file, column, args.span("data")) {
            problems.push(d);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (rows, _) = table::select_rows(exp, file, args)?;
    let today = exp.env.today;
    let mut sources = Sources::default();
    if let Some(schema) = &file.schema {
        let as_of = schema.as_of.map(|d| d.to_string());
        sources.add(schema.source.as_deref(), as_of.as_deref());
    }
    let mut events = Vec::new();
    for row in rows {
        let date_cell = row.cells.get("date").map(plain).unwrap_or(&Value::Null);
        let Some(mut date) = EventDate::parse(&value_text(date_cell)) else {
            problems.push(
                Diagnostic::error(format!(
                    "timeline event date `{}` is not a date: write YYYY-MM-DD, or YYYY-MM for a month",
                    value_text(date_cell)
                ))
                .at(&file.file, row.cell_span("date")),
            );
            continue;
        };
        // In the edition's language: `2025年4月2日`, `2025年2月`.
        let (messages, language) = (exp.env.messages, exp.env.config.language.as_str());
        date.text = if date.first == date.last {
            messages.date(language, date.first)
        } else {
            messages.month(language, date.first)
        };
        let text = |key: &str| row.cells.get(key).map(|v| value_text(plain(v)));
        let refs = sources
            .add(text("source").as_deref(), text("as_of").as_deref())
            .into_iter()
            .collect();
        events.push((
            date.first,
            EventView {
                date: date.datetime.clone(),
                date_text: date.text.clone(),
                status: date.status(today),
                title: text("title").unwrap_or_default(),
                text_html: inline_markdown(&text("text").unwrap_or_default()),
                refs,
            },
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Stable: events of one day (or month) keep the file's order.
    events.sort_by_key(|(date, _)| *date);
    Ok(TimelineView {
        id: id.to_owned(),
        caption: args.str("caption").map(str::to_owned),
        events: events.into_iter().map(|(_, e)| e).collect(),
        sources: sources.into_vec(),
        today: today.to_string(),
        today_text: exp.env.messages.date(&exp.env.config.language, today),
    })
}

/// An event's date: a day, or a whole month when only the month is known.
struct EventDate {
    first: Date,
    last: Date,
    /// For `<time datetime>`: `2025-04-02` or `2025-02`.
    datetime: String,
    text: String,
}

impl EventDate {
    fn parse(text: &str) -> Option<EventDate> {
        let text = text.trim();
        if let Ok(day) = parse_date(text) {
            return Some(EventDate {
                first: day,
                last: day,
                datetime: day.to_string(),
                text: format::date(&day.to_string()),
            });
        }
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let first = Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()?;
        Some(EventDate {
            first,
            last: first.last_of_month(),
            datetime: text.to_owned(),
            text: first.strftime("%B %Y").to_string(),
        })
    }

    /// `past`, `current` (the day, or a month that includes it) or `upcoming`.
    fn status(&self, today: Date) -> &'static str {
        if self.last < today {
            "past"
        } else if self.first > today {
            "upcoming"
        } else {
            "current"
        }
    }
}

/// Markdown from a data file, as inline HTML: paragraphs dropped, raw HTML shown as text.
pub fn inline_markdown(text: &str) -> String {
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Start(pulldown_cmark::Tag::Paragraph)
        | Event::End(pulldown_cmark::TagEnd::Paragraph) => None,
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_days_or_months_and_know_their_status() {
        let today = Date::new(2025, 4, 20).unwrap();
        let month = EventDate::parse("2025-02").unwrap();
        assert_eq!(month.text, "February 2025");
        assert_eq!(month.status(today), "past");
        assert_eq!(
            EventDate::parse("2025-04").unwrap().status(today),
            "current"
        );
        assert_eq!(
            EventDate::parse("2025-04-20").unwrap().status(today),
            "current"
        );
        assert_eq!(
            EventDate::parse("2025-07-08").unwrap().status(today),
            "upcoming"
        );
        assert!(EventDate::parse("April").is_none());
        assert!(EventDate::parse("2025-13").is_none());
    }

    #[test]
    fn data_markdown_is_inline_and_html_is_escaped() {
        assert_eq!(
            inline_markdown("Talks *begin* <script>x</script>"),
            "Talks <em>begin</em> &lt;script&gt;x&lt;/script&gt;"
        );
    }
}
