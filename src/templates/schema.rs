//! How the built-in templates show a page's schema fields, whatever the schema: the template
//! function `schema_view(fields=page.fields, schema=section.schema)` turns them, in the
//! schema's order, into
//!
//! - `key_facts`: one row per figure or single value (`{label, help, text, numeric, value,
//!   unit, source, as_of, historic}`), for a key-facts table with sources and dates;
//! - `blocks`: the other fields, each `{name, id, label, help, kind, ...}` where `kind` is
//!   `"facts"` (a map of figures: `rows` like `key_facts`), `"list"` (`items`: `{text, url,
//!   details, date}`) or `"definitions"` (a map of other values: `entries`: `{term, text}`).
//!
//! Nothing here knows any site's field names: labels and help come from the schema
//! (`{ type = "figure", label = "...", help = "..." }`), else from the names made readable.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{Config, SchemaField};
use crate::content::slug::{SlugMode, slugify};
use crate::shortcodes::format::{Numbers, humanise};

/// A section's schema as templates get it (`section.schema`): `[{name, label, help, type,
/// required}]` in the schema's order.
pub fn schema_value(config: &Config, section_dir: &str) -> Value {
    let fields = config
        .schemas
        .get(section_dir)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    Value::Array(fields.iter().map(field_value).collect())
}

fn field_value(field: &SchemaField) -> Value {
    serde_json::json!({
        "name": field.name,
        "label": field.label(),
        "help": field.help,
        "type": field.field_type.name(),
        "required": field.required,
    })
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct SchemaView {
    pub key_facts: Vec<FactRow>,
    pub blocks: Vec<Block>,
    /// The page's key figure: its first number, in the key facts and then in the maps of
    /// figures, in the schema's order (the social card shows it).
    pub key_figure: Option<FactRow>,
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct FactRow {
    pub label: String,
    pub help: Option<String>,
    /// The value as readers read it: `24%`, `9 trillion yen`, `Ryosei Akazawa`.
    pub text: String,
    /// Whether the value is a number (right-aligned in tables).
    pub numeric: bool,
    pub value: Value,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub as_of: Option<String>,
    pub historic: bool,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Block {
    pub name: String,
    /// An id for the block's heading: `field-` and the name as a slug.
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    pub kind: &'static str,
    pub rows: Vec<FactRow>,
    pub items: Vec<Item>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Item {
    pub text: String,
    pub url: Option<String>,
    pub details: Vec<String>,
    pub date: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Entry {
    pub term: String,
    pub text: String,
}

/// How the edition writes what the view shows: numbers, and `true` and `false`.
pub struct Speech<'a> {
    pub numbers: Numbers<'a>,
    pub yes: String,
    pub no: String,
}

impl Speech<'_> {
    /// As English writes them.
    pub fn english() -> Speech<'static> {
        Speech {
            numbers: Numbers::default(),
            yes: "Yes".to_owned(),
            no: "No".to_owned(),
        }
    }
}

/// The view of a page's `fields` (as written, fact references resolved) under `schema` (a
/// `section.schema` value). Fields the page leaves out are left out.
pub fn view(fields: &Value, schema: &Value, speech: &Speech) -> SchemaView {
    let mut view = SchemaView::default();
    for field in schema.as_array().into_iter().flatten() {
        let Some(name) = field.get("name").and_then(Value::as_str) else {
            continue;
        };
        let Some(value) = fields.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let label = field
            .get("label")
            .and_then(Value::as_str)
            .map_or_else(|| humanise(name), str::to_owned);
        let help = field.get("help").and_then(Value::as_str).map(str::to_owned);
        let block = |kind| Block {
            name: name.to_owned(),
            id: format!("field-{}", slugify(name, SlugMode::Unicode)),
            label: label.clone(),
            help: help.clone(),
            kind,
            rows: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
        };
        match value {
            Value::Array(items) => {
                let mut list = block("list");
                list.items = items.iter().map(|i| item(i, speech)).collect();
                view.blocks.push(list);
            }
            Value::Object(map) if !is_figure(map) => {
                if map.values().all(is_fact_like) {
                    let mut facts = block("facts");
                    facts.rows = map
                        .iter()
                        .map(|(key, value)| fact_row(&humanise(key), None, value, speech))
                        .collect();
                    view.blocks.push(facts);
                } else {
                    let mut definitions = block("definitions");
                    definitions.entries = map
                        .iter()
                        .map(|(key, value)| Entry {
                            term: label_of(value).unwrap_or_else(|| humanise(key)),
                            text: text_of(value, speech),
                        })
                        .collect();
                    view.blocks.push(definitions);
                }
            }
            _ => view.key_facts.push(fact_row(&label, help, value, speech)),
        }
    }
    view.key_figure = view
        .key_facts
        .iter()
        .chain(view.blocks.iter().flat_map(|b| &b.rows))
        .find(|row| row.numeric)
        .cloned();
    view
}

/// A figure: a map with a `value` (`{value, unit, as_of, source}`).
fn is_figure(map: &Map<String, Value>) -> bool {
    map.contains_key("value")
}

/// A single value or a figure: what one row of a facts table shows.
fn is_fact_like(value: &Value) -> bool {
    match value {
        Value::Object(map) => is_figure(map),
        Value::Array(_) => false,
        _ => true,
    }
}

fn label_of(value: &Value) -> Option<String> {
    value
        .get("label")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A row of a facts table. A figure's own `label` wins over the one given.
fn fact_row(label: &str, help: Option<String>, value: &Value, speech: &Speech) -> FactRow {
    let text_field = |key: &str| {
        value
            .get(key)
            .filter(|v| !v.is_null())
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    let plain = match value {
        Value::Object(map) => map.get("value").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let unit = text_field("unit");
    let numeric = plain.is_number();
    let text = match plain.as_f64() {
        Some(n) if numeric => speech.numbers.with_unit(n, unit.as_deref()),
        _ => text_of(&plain, speech),
    };
    FactRow {
        label: label_of(value).unwrap_or_else(|| label.to_owned()),
        help,
        text,
        numeric,
        value: plain,
        unit,
        source: text_field("source"),
        as_of: text_field("as_of"),
        historic: value.get("historic").and_then(Value::as_bool) == Some(true),
    }
}

/// A value as one line of text: scalars as written (`true` as "Yes"), figures with their
/// unit, lists joined with `; `, maps as `key: value` pairs.
fn text_of(value: &Value, speech: &Speech) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => speech.yes.clone(),
        Value::Bool(false) => speech.no.clone(),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| speech.numbers.number(f)),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| text_of(i, speech))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) if is_figure(map) => fact_row("", None, value, speech).text,
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", humanise(k), text_of(v, speech)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A list item. A map reads as a citation when it has a `title` (with `url`, `publisher`,
/// `date`), else as its values.
fn item(value: &Value, speech: &Speech) -> Item {
    let Value::Object(map) = value else {
        return Item {
            text: text_of(value, speech),
            ..Item::default()
        };
    };
    let get = |key: &str| {
        map.get(key)
            .filter(|v| !v.is_null())
            .map(|v| text_of(v, speech))
    };
    let Some(title) = get("title")
        .or_else(|| get("name"))
        .or_else(|| get("label"))
    else {
        return Item {
            text: text_of(value, speech),
            ..Item::default()
        };
    };
    let skip = ["title", "name", "label", "url", "date"];
    Item {
        text: title,
        url: get("url"),
        details: map
            .iter()
            .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
            .map(|(_, v)| text_of(v, speech))
            .filter(|t| !t.is_empty())
            .collect(),
        date: get("date"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!([
            {"name": "country", "label": "Country", "type": "string"},
            {"name": "lead", "label": "Lead negotiator", "help": "Who speaks for the country", "type": "figure"},
            {"name": "asks", "type": "list"},
            {"name": "tariffs", "label": "Tariffs faced", "type": "map"},
            {"name": "people", "type": "map"},
            {"name": "missing", "type": "string"},
            {"name": "sources", "type": "list"},
        ])
    }

    #[test]
    fn every_field_shows_in_schema_order_with_its_label() {
        let fields = json!({
            "sources": [{"title": "Report", "publisher": "The Paper", "date": "2025-04-18", "url": "https://example.org/r"}],
            "country": "Japan",
            "lead": {"value": "Ryosei Akazawa", "as_of": "2025-04-18", "source": "The Paper"},
            "asks": ["Rice", "Defence costs"],
            "tariffs": {
                "reciprocal": {"value": 24, "unit": "%", "label": "Reciprocal tariff", "as_of": "2025-04-02", "source": "EO 14257"},
                "baseline": 10,
            },
            "people": {"envoy": {"name": "A"}, "minister": "B"},
        });
        let view = view(&fields, &schema(), &Speech::english());
        let facts: Vec<(&str, &str)> = view
            .key_facts
            .iter()
            .map(|r| (r.label.as_str(), r.text.as_str()))
            .collect();
        assert_eq!(
            facts,
            [("Country", "Japan"), ("Lead negotiator", "Ryosei Akazawa")]
        );
        assert_eq!(view.key_facts[1].source.as_deref(), Some("The Paper"));
        assert_eq!(
            view.key_facts[1].help.as_deref(),
            Some("Who speaks for the country")
        );
        let kinds: Vec<(&str, &str)> = view
            .blocks
            .iter()
            .map(|b| (b.label.as_str(), b.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Asks", "list"),
                ("Tariffs faced", "facts"),
                ("People", "definitions"),
                ("Sources", "list")
            ]
        );
        // A map's entries in the order they are written.
        let tariffs = &view.blocks[1].rows;
        assert_eq!(tariffs[0].label, "Reciprocal tariff");
        assert_eq!(tariffs[0].text, "24%");
        assert!(tariffs[0].numeric);
        // The key figure is the first number: the lead negotiator is a name, so it is the
        // first tariff.
        assert_eq!(
            view.key_figure.as_ref().map(|f| f.text.as_str()),
            Some("24%")
        );
        assert_eq!(tariffs[1].label, "Baseline");
        assert_eq!(tariffs[1].text, "10");
        assert_eq!(view.blocks[2].entries[0].term, "Envoy");
        assert_eq!(view.blocks[2].entries[0].text, "Name: A");
        let source = &view.blocks[3].items[0];
        assert_eq!(source.text, "Report");
        assert_eq!(source.url.as_deref(), Some("https://example.org/r"));
        assert_eq!(source.details, ["The Paper"]);
        assert_eq!(source.date.as_deref(), Some("2025-04-18"));
        assert_eq!(view.blocks[0].id, "field-asks");
    }
}
