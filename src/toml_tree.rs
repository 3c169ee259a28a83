//! TOML front matter (`+++` … `+++`, as Zola and Hugo write it), parsed into the same tree as
//! YAML front matter (`yaml::Yaml`, every node with its byte range in the file), so that the
//! schema, type and unknown-key checks after it are one and the same for both.
//!
//! A TOML date (`date = 2025-04-09`) becomes the text a YAML date is (`"2025-04-09"`), and a
//! full timestamp its text too, which the date checks read as YAML's.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::yaml::{Yaml, YamlKey, YamlValue};

/// Parses `file.text[range]` as a TOML document. Positions in the result and in the error
/// count from the start of the file.
pub fn parse(file: &SourceFile, range: Range<usize>) -> Result<Yaml, Diagnostic> {
    let text = file.text.get(range.clone()).unwrap_or_default();
    let base = range.start;
    match DeTable::parse(text) {
        Ok(table) => {
            let span = shift(table.span(), base);
            Ok(Yaml {
                value: map(table.into_inner(), base),
                span,
            })
        }
        Err(err) => {
            let message = err.message().trim().replace('\n', "; ");
            let at = err.span().map_or(base..base, |span| shift(span, base));
            if let Some(quote) = unclosed_quote(file, &message, at.start) {
                return Err(Diagnostic::error("this quote is never closed")
                    .at(file, quote..quote + 1)
                    .with_help("close it at the end of the value, on the same line"));
            }
            if message.starts_with("duplicate key") {
                let key = file.text.get(at.clone()).unwrap_or_default().trim();
                return Err(Diagnostic::error(format!("`{key}` is written twice"))
                    .at(file, at)
                    .with_help("a field is given once: remove one of them"));
            }
            Err(Diagnostic::error(format!("invalid TOML front matter: {message}"))
                .at(file, at)
                .with_help("TOML front matter is `key = value` lines between `+++` lines; text is quoted: `title = \"Japan\"`"))
        }
    }
}

/// Where the quote opens that a "expected `\"`" error is about: the last quote of the error's
/// line before it (a TOML basic or literal string cannot run past its line).
fn unclosed_quote(file: &SourceFile, message: &str, at: usize) -> Option<usize> {
    let quote = if message.contains("expected `\"`") {
        '"'
    } else if message.contains("expected `'`") {
        '\''
    } else {
        return None;
    };
    let line = file.line_range(file.line_col(at).line);
    let before = file.text.get(line.start..at.max(line.start))?;
    before.rfind(quote).map(|i| line.start + i)
}

fn shift(span: Range<usize>, base: usize) -> Range<usize> {
    span.start + base..span.end + base
}

fn map(table: DeTable<'_>, base: usize) -> YamlValue {
    YamlValue::Map(
        table
            .into_iter()
            .map(|(key, value)| {
                let key = YamlKey {
                    span: shift(key.span(), base),
                    name: crate::yaml::exact_text(key.into_inner().into_owned()),
                };
                (key, node(value, base))
            })
            .collect(),
    )
}

fn node(value: Spanned<DeValue<'_>>, base: usize) -> Yaml {
    let span = shift(value.span(), base);
    let value = match value.into_inner() {
        DeValue::String(text) => YamlValue::Str(crate::yaml::exact_text(text.into_owned())),
        DeValue::Integer(number) => {
            let digits = number.as_str().replace('_', "");
            match i64::from_str_radix(&digits, number.radix()) {
                Ok(n) => YamlValue::Int(n),
                // Past i64: kept as a number, as YAML keeps one.
                Err(_) => digits
                    .parse::<f64>()
                    .map_or(YamlValue::Str(number.to_string()), YamlValue::Float),
            }
        }
        DeValue::Float(number) => number
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map_or_else(|_| YamlValue::Str(number.to_string()), YamlValue::Float),
        DeValue::Boolean(b) => YamlValue::Bool(b),
        DeValue::Datetime(datetime) => YamlValue::Str(datetime.to_string()),
        DeValue::Array(items) => YamlValue::Seq(crate::yaml::exact(
            items.into_iter().map(|item| node(item, base)),
        )),
        DeValue::Table(table) => map(table, base),
    };
    Yaml { value, span }
}

#[cfg(test)]
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    fn parse_at(text: &str, start: usize, end: usize) -> Result<Yaml, Diagnostic> {
        let file = SourceFile::new("content/a.md", "/a.md", text);
        parse(&file, start..end)
    }

    #[test]
    fn values_and_spans_are_those_of_the_file() {
        let text = "+++\ntitle = \"日本\"\ndate = 2025-04-09\nweight = 1_000\nrate = 24.5\ndraft = false\ntags = [\"a\", \"b\"]\n[extra]\nsource = \"EO 14257\"\n+++\n";
        let end = text.rfind("+++").unwrap();
        let tree = parse_at(text, 4, end).unwrap();
        let title = tree.get("title").unwrap();
        assert_eq!(title.value, YamlValue::Str("日本".into()));
        assert_eq!(&text[title.span.clone()], "\"日本\"");
        let key = &tree.entries().unwrap()[0].0;
        assert_eq!(&text[key.span.clone()], "title");
        assert_eq!(
            tree.get("date").unwrap().value,
            YamlValue::Str("2025-04-09".into())
        );
        assert_eq!(tree.get("weight").unwrap().value, YamlValue::Int(1000));
        assert_eq!(tree.get("rate").unwrap().value, YamlValue::Float(24.5));
        assert_eq!(tree.get("draft").unwrap().value, YamlValue::Bool(false));
        let YamlValue::Seq(tags) = &tree.get("tags").unwrap().value else {
            panic!("tags are a list")
        };
        assert_eq!(&text[tags[1].span.clone()], "\"b\"");
        let source = tree.get("extra").unwrap().get("source").unwrap();
        assert_eq!(&text[source.span.clone()], "\"EO 14257\"");
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "+++\ntitle = \"a\"\ndraft = maybe\n+++\n";
        let end = text.rfind("+++").unwrap();
        let err = parse_at(text, 4, end).unwrap_err();
        assert!(
            err.message.starts_with("invalid TOML front matter"),
            "{err:?}"
        );
        assert_eq!(err.position().unwrap(), "content/a.md:3:9", "{err:?}");
    }

    #[test]
    fn an_unclosed_quote_is_shown_where_it_opens() {
        let text = "+++\ntitle = \"Unclosed\ndraft = false\n+++\n";
        let end = text.rfind("+++").unwrap();
        let err = parse_at(text, 4, end).unwrap_err();
        assert_eq!(err.message, "this quote is never closed");
        assert_eq!(err.position().unwrap(), "content/a.md:2:9", "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let text = "+++\ntitle = \"a\"\ntitle = \"b\"\n+++\n";
        let end = text.rfind("+++").unwrap();
        let err = parse_at(text, 4, end).unwrap_err();
        assert_eq!(err.message, "`title` is written twice");
        assert_eq!(err.position().unwrap(), "content/a.md:3:1", "{err:?}");
    }
}
