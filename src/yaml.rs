//! The one place that knows which YAML parser we use (serde-saphyr; serde_yaml is deprecated).
//! It parses into `Yaml`, a tree whose every node knows its byte range in the *file*, so that
//! later checks (schemas, types, unknown keys) can point at the exact field.

use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// A YAML value with its byte range in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Yaml {
    pub value: YamlValue,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YamlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(Vec<(YamlKey, Yaml)>),
}

#[derive(Debug, Clone, PartialEq)]
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
    let text = &file.text[range.clone()];
    let base = range.start;
    match serde_saphyr::from_str::<Spanned<RawNode>>(text) {
        Ok(root) => Ok(convert(root, file, base)),
        Err(err) => Err(parse_error(&err, file, base)),
    }
}

fn parse_error(err: &serde_saphyr::Error, file: &SourceFile, base: usize) -> Diagnostic {
    let message = strip_position_suffix(&err.without_snippet().to_string());
    let diagnostic = Diagnostic::error(format!("invalid YAML: {message}"));
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
    diagnostic.at(file, start..start + len.max(1))
}

/// saphyr appends " at line N, column M"; we print the position ourselves.
fn strip_position_suffix(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) if message[i..].contains("column") => message[..i].to_owned(),
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
        RawNode::Str(s) => YamlValue::Str(s),
        RawNode::Seq(items) => {
            YamlValue::Seq(items.into_iter().map(|n| convert(n, file, base)).collect())
        }
        RawNode::Map(entries) => YamlValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = YamlKey {
                        span: span_of(&k, base),
                        name: k.value,
                    };
                    (key, convert(v, file, base))
                })
                .collect(),
        ),
    };
    Yaml { value, span }
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
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.position().unwrap(), "a.md:3:1");
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
