//! The one place that knows which YAML parser we use (serde-saphyr; serde_yaml is deprecated).
//! It parses into `Yaml`, a tree whose every node knows its byte range in the *file*, so that
//! later checks (schemas, types, unknown keys) can point at the exact field.

use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// A YAML value with its byte range in the source file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Yaml {
    pub value: YamlValue,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum YamlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(Vec<(YamlKey, Yaml)>),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct YamlKey {
    pub name: String,
    pub span: Range<usize>,
}

impl Yaml {
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// Takes the value of `key` out of a map, leaving a null in its place.
    pub fn take(&mut self, key: &str) -> Option<Yaml> {
        let YamlValue::Map(entries) = &mut self.value else {
            return None;
        };
        let (_, value) = entries.iter_mut().find(|(k, _)| k.name == key)?;
        let null = Yaml {
            value: YamlValue::Null,
            span: value.span.clone(),
        };
        Some(std::mem::replace(value, null))
    }

    pub fn entries(&self) -> Option<&[(YamlKey, Yaml)]> {
        match &self.value {
            YamlValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The name of this value's type, as error messages say it.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            YamlValue::Null => "null",
            YamlValue::Bool(_) => "boolean",
            YamlValue::Int(_) => "integer",
            YamlValue::Float(_) => "number",
            YamlValue::Str(_) => "string",
            YamlValue::Seq(_) => "list",
            YamlValue::Map(_) => "map",
        }
    }

    /// The value as JSON, the shape templates see.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            YamlValue::Null => Value::Null,
            YamlValue::Bool(b) => Value::Bool(*b),
            YamlValue::Int(i) => Value::from(*i),
            YamlValue::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            YamlValue::Str(s) => Value::String(s.clone()),
            YamlValue::Seq(items) => Value::Array(items.iter().map(Yaml::to_json).collect()),
            YamlValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Parses `file.text[range]` as one YAML document. Positions in the result and in the error
/// count from the start of the file, not of the YAML block.
pub fn parse(file: &SourceFile, range: Range<usize>) -> Result<Yaml, Diagnostic> {
    let text = file.text.get(range.clone()).unwrap_or_default();
    let base = range.start;
    match serde_saphyr::from_str::<Spanned<RawNode>>(text) {
        Ok(root) => Ok(convert(root, file, base)),
        Err(err) => Err(parse_error(&err, file, base)),
    }
}

fn parse_error(err: &serde_saphyr::Error, file: &SourceFile, base: usize) -> Diagnostic {
    let diagnostic = Diagnostic::error(error_message(err, file, base));
    let Some(location) = err.location() else {
        let start = file.line_col(base);
        return diagnostic.at_line_col(file, start.line, 1, 0);
    };
    let start = match location.span().byte_offset() {
        Some(offset) => base + offset as usize,
        None => {
            let first_line = file.line_col(base).line;
            file.offset_of(
                first_line + location.line() as usize - 1,
                location.column() as usize,
            )
        }
    };
    let len = location.span().byte_len().unwrap_or(1) as usize;
    if diagnostic.message.contains("quoted scalar")
        && let Some((quote, line, fix)) = unclosed_quote(file, base, start)
    {
        let error_line = file.line_col(start).line;
        let runs_on = if error_line > line {
            format!(": YAML reads on to line {error_line} looking for its end")
        } else {
            String::new()
        };
        return Diagnostic::error(format!("this quote is never closed{runs_on}"))
            .at(file, quote..quote + 1)
            .with_help(format!("close it at the end of the value: `{fix}`"));
    }
    let diagnostic = diagnostic.at(file, start..start + len.max(1));
    match layout_hint(&diagnostic.message, file, base, start) {
        Some((message, help)) => {
            let mut diagnostic = diagnostic;
            diagnostic.message = message;
            diagnostic.with_help(help)
        }
        None => diagnostic,
    }
}

/// The quote that opens a value and is not closed on its line, at or before byte `at`: the
/// place a "quoted scalar" error really starts. Returns the quote's offset, its line and the
/// line with the quote closed.
fn unclosed_quote(file: &SourceFile, base: usize, at: usize) -> Option<(usize, usize, String)> {
    let first_line = file.line_col(base).line;
    let last_line = file.line_col(at).line;
    (first_line..=last_line).find_map(|line| {
        let range = file.line_range(line);
        let text = file.text.get(range.clone())?.trim_end_matches(['\r', '\n']);
        // Where a value can start: after `key: `, after `- `, or after `[`, `{` or `,`.
        let mut open: Option<(usize, char)> = None;
        let mut previous = ' ';
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match open {
                Some((_, '"')) if c == '\\' => {
                    chars.next();
                }
                Some((_, q)) if c == q => {
                    // `''` inside single quotes is an escaped quote.
                    if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        open = None;
                    }
                }
                Some(_) => {}
                None if c == '#' && previous == ' ' => break,
                None if (c == '"' || c == '\'')
                    && text.get(..i).map(str::trim_end).is_some_and(|before| {
                        before.is_empty() || before.ends_with([':', '-', '[', '{', ','])
                    }) =>
                {
                    open = Some((i, c));
                }
                None => {}
            }
            previous = c;
        }
        let (i, q) = open?;
        Some((range.start + i, line, format!("{}{q}", text.trim())))
    })
}

/// The two YAML errors editors make most, told in their terms: a value with `: ` in it
/// (`title: Japan: first in line`), which YAML reads as a new key and must be quoted, and a
/// line indented differently from the lines it belongs with. Returns the message and the fix.
fn layout_hint(
    message: &str,
    file: &SourceFile,
    base: usize,
    at: usize,
) -> Option<(String, String)> {
    let structural = message.contains("mapping values are not allowed")
        || message.contains("did not find expected key")
        || message.contains("did not find expected '-'");
    if !structural {
        return None;
    }
    let position = file.line_col(at);
    let line_text = file
        .text
        .get(file.line_range(position.line))
        .unwrap_or_default();
    let indent = line_text.len() - line_text.trim_start().len();
    let content = line_text.trim_start();
    // `key: value: more`: the error is at a colon after the first one.
    if let Some((key, value)) = content.split_once(": ")
        && message.contains("mapping values are not allowed")
        && line_text
            .char_indices()
            .nth(position.col.saturating_sub(1))
            .is_some_and(|(byte, _)| byte > indent + key.len())
    {
        let value = value.trim();
        let curly = value.starts_with(['“', '‘', '”', '’']);
        let straight = value
            .trim_matches(['“', '”', '‘', '’'])
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        let fix = format!(
            "{}{key}: \"{straight}\"",
            line_text.get(..indent).unwrap_or_default()
        );
        let why = if curly {
            "the value starts with a curly quote, which YAML does not read as a quote, and has `: ` in it, which YAML reads as the start of a new key"
        } else {
            "the value has `: ` in it, which YAML reads as the start of a new key"
        };
        return Some((
            format!("`{key}`: {why}"),
            format!("put the value in straight quotes: `{fix}`"),
        ));
    }
    // Otherwise a line out of step with its neighbours: say where they start.
    let first_line = file.line_col(base).line;
    let expected = (first_line..position.line).rev().find_map(|line| {
        let text = file.text.get(file.line_range(line)).unwrap_or_default();
        let trimmed = text.trim_start();
        let same_kind = trimmed.starts_with("- ") == content.starts_with("- ");
        (!trimmed.is_empty() && !trimmed.starts_with('#') && same_kind)
            .then(|| (line, text.len() - trimmed.len()))
    })?;
    let (line, column) = expected;
    (column != indent).then(|| {
        (
            format!(
                "this line is indented by {indent} spaces, but line {line} before it, at the same level, by {column}"
            ),
            format!(
                "YAML reads nesting from indentation: start the line at column {} (with {column} spaces), or indent it further to nest it",
                column + 1
            ),
        )
    })
}

/// The parser's error in an editor's words: a repeated key says where it first was, and the
/// limits that keep hostile files from exhausting memory say what they are.
fn error_message(err: &serde_saphyr::Error, file: &SourceFile, base: usize) -> String {
    use serde_saphyr::Error;
    use serde_saphyr::budget::BudgetBreach;
    let what = if file.name.starts_with("data/") {
        "this data file"
    } else {
        "this front matter"
    };
    let budget = serde_saphyr::Budget::default();
    // The error itself, out of the wrappers that say where an alias or snippet was.
    let mut original = err;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = original {
        original = error;
    }
    match original {
        Error::DuplicateMappingKey {
            key: Some(key),
            location,
        } => {
            let at = location
                .span()
                .byte_offset()
                .map(|offset| base + offset as usize);
            match at.and_then(|at| first_occurrence(file, base, at, key)) {
                Some(line) => format!("`{key}` is given twice; first at line {line}"),
                None => format!("`{key}` is given twice"),
            }
        }
        Error::DuplicateMappingKey { key: None, .. } => "a key is given twice".to_owned(),
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => format!(
                "{what} is too deeply nested (the limit is {} levels)",
                budget.max_depth
            ),
            BudgetBreach::Aliases { .. }
            | BudgetBreach::Anchors { .. }
            | BudgetBreach::AliasAnchorRatio { .. } => format!(
                "{what} repeats its anchors (`*name`) too often: written out, it would be too large"
            ),
            _ => format!(
                "{what} is too large (the limit is {} values and {} MB of text): split it into several files",
                budget.max_nodes,
                budget.max_total_scalar_bytes / (1024 * 1024)
            ),
        },
        other => {
            let message = strip_position_suffix(&other.to_string());
            if message == "recursion limit exceeded" {
                format!(
                    "{what} is too deeply nested (the limit is {} levels of brackets)",
                    budget.flow_nesting_limit
                )
            } else {
                format!("invalid YAML: {message}")
            }
        }
    }
}

/// The line where `key` is first written as a key in the YAML before byte `duplicate`: the
/// nearest earlier `key:` at the same column, or on the same line for flow mappings.
fn first_occurrence(file: &SourceFile, base: usize, duplicate: usize, key: &str) -> Option<usize> {
    let position = file.line_col(duplicate);
    let first_line = file.line_col(base).line;
    (first_line..position.line).find(|&line| {
        let range = file.line_range(line);
        let text = file.text.get(range).unwrap_or_default();
        let indent: String = text.chars().take(position.col - 1).collect();
        let rest = text.chars().skip(position.col - 1).collect::<String>();
        indent.trim().is_empty()
            && rest
                .strip_prefix(key)
                .or_else(|| rest.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| rest.strip_prefix(&format!("'{key}'")))
                .is_some_and(|after| after.trim_start().starts_with(':'))
    })
}

/// saphyr appends " at line N, column M"; we print the position ourselves.
fn strip_position_suffix(message: &str) -> String {
    match message.split_once(" at line ") {
        Some((before, position)) if position.contains("column") => before.to_owned(),
        _ => message.to_owned(),
    }
}

fn span_of<T>(node: &Spanned<T>, base: usize) -> Range<usize> {
    let span = node.referenced.span();
    let start = base + span.byte_offset().unwrap_or(0) as usize;
    let len = span.byte_len().unwrap_or(0) as usize;
    start..start + len
}

fn convert(node: Spanned<RawNode>, file: &SourceFile, base: usize) -> Yaml {
    let span = span_of(&node, base);
    let value = match node.value {
        RawNode::Null => YamlValue::Null,
        RawNode::Bool(b) => yaml_1_2_bool(b, file, &span),
        RawNode::Int(i) => YamlValue::Int(i),
        RawNode::Float(f) => YamlValue::Float(f),
        RawNode::Str(s) => YamlValue::Str(exact_text(s)),
        RawNode::Seq(items) => {
            YamlValue::Seq(exact(items.into_iter().map(|n| convert(n, file, base))))
        }
        RawNode::Map(entries) => YamlValue::Map(exact(entries.into_iter().map(|(k, v)| {
            let key = YamlKey {
                span: span_of(&k, base),
                name: exact_text(k.value),
            };
            (key, convert(v, file, base))
        }))),
    };
    Yaml { value, span }
}

/// The items collected into a list of their own size. Collected from a parser's list, they
/// would stay in its allocation (the standard library reuses it), made for larger items and
/// grown as the parser pushed: a page keeps its fields' trees to the end of the build. Every
/// front matter parser (YAML here, TOML in `toml_tree`) builds its tree with it.
pub(crate) fn exact<T>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.collect();
    items.shrink_to_fit();
    items
}

/// A text the parser grew as it read, in an allocation of its own size.
pub(crate) fn exact_text(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

/// YAML 1.1 read `NO`, `yes`, `on`, `off` as booleans (the "Norway problem"): the country code
/// `NO` must stay a string. Only the YAML 1.2 spellings of true and false are booleans.
fn yaml_1_2_bool(value: bool, file: &SourceFile, span: &Range<usize>) -> YamlValue {
    let raw = file.text.get(span.clone()).unwrap_or("");
    match raw {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "" => YamlValue::Bool(value),
        other => YamlValue::Str(other.to_owned()),
    }
}

/// What serde-saphyr hands us before positions are made file-relative.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<String>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Spanned<String>, Spanned<RawNode>>()? {
            entries.push(entry);
        }
        Ok(RawNode::Map(entries))
    }
}

#[cfg(test)]
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    fn parse_all(text: &str) -> Result<Yaml, Diagnostic> {
        let file = SourceFile::new("x.yaml", "/x.yaml", text);
        parse(&file, 0..text.len())
    }

    #[test]
    fn country_codes_stay_strings() {
        let y = parse_all("no: NO\nna: NA\nyes: yes\nt: true\n").unwrap();
        assert_eq!(y.get("no").unwrap().value, YamlValue::Str("NO".into()));
        assert_eq!(y.get("na").unwrap().value, YamlValue::Str("NA".into()));
        assert_eq!(y.get("yes").unwrap().value, YamlValue::Str("yes".into()));
        assert_eq!(y.get("t").unwrap().value, YamlValue::Bool(true));
    }

    #[test]
    fn spans_are_relative_to_the_file() {
        let text = "---\ntitle: Japan\n---\n";
        let file = SourceFile::new("a.md", "/a.md", text);
        let y = parse(&file, 4..17).unwrap();
        let title = y.get("title").unwrap();
        assert_eq!(&text[title.span.clone()], "Japan");
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "---\ntitle: a\ntitle: b\n---\n";
        let file = SourceFile::new("a.md", "/a.md", text);
        let err = parse(&file, 4..22).unwrap_err();
        assert!(err.message.contains("given twice"), "{}", err.message);
        assert_eq!(err.position().unwrap(), "a.md:3:1");
    }

    #[test]
    fn errors_are_in_an_editors_words() {
        let text = "---\ntitle: a\ndescription: b\ntitle: c\n---\n";
        let file = SourceFile::new("content/a.md", "/a.md", text);
        let err = parse(&file, 4..text.len() - 4).unwrap_err();
        assert_eq!(err.message, "`title` is given twice; first at line 2");
        assert_eq!(err.position().unwrap(), "content/a.md:4:1");
        let big = format!("list: [{}]\n", vec!["1"; 260_000].join(","));
        let err = parse_all(&big).unwrap_err();
        assert!(
            err.message
                .starts_with("this front matter is too large (the limit is 250000 values"),
            "{}",
            err.message
        );
        let deep = format!("x: {}{}\n", "[".repeat(300), "]".repeat(300));
        let err = parse_all(&deep).unwrap_err();
        assert!(err.message.contains("too deeply nested"), "{}", err.message);
        let file = SourceFile::new("data/d.yaml", "/d.yaml", deep.as_str());
        let err = parse(&file, 0..deep.len()).unwrap_err();
        assert!(
            err.message
                .starts_with("this data file is too deeply nested"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("Options") && !err.message.contains("budget"));
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let text = "title: T\nparty: \"First party\nlead: { value: \"Name\", as_of: 2025-01-01 }\nasks: ['it''s fine']\n";
        let err = parse_all(text).unwrap_err();
        assert_eq!(err.position().unwrap(), "x.yaml:2:8", "{}", err.message);
        assert!(
            err.message.starts_with("this quote is never closed"),
            "{}",
            err.message
        );
        assert_eq!(
            err.help.as_deref(),
            Some("close it at the end of the value: `party: \"First party\"`")
        );
        // Escaped and doubled quotes are not openings.
        let file = SourceFile::new("t.md", "t.md", "a: \"x \\\" y\"\nb: 'it''s'\nc: \"open\n");
        let found = unclosed_quote(&file, 0, file.text.len() - 1).unwrap();
        assert_eq!(found.1, 3);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse_all(&text).is_err());
    }
}
