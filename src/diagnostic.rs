//! Problems in the user's site, with where they are. Every stage returns these instead of
//! stopping at the first one, and `Diagnostics::render` prints them rustc-style:
//! `error: message`, ` --> path:line:col`, the source line and a caret.

use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Where a diagnostic points: a file, and where known a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: Option<SnippetLine>,
}

/// One source line and the byte range of the problem within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetLine {
    pub line: usize,
    pub col: usize,
    pub text: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub label: Option<String>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// Points at a file without a line (for problems of the whole file).
    pub fn in_file(mut self, name: &str) -> Self {
        self.location = Some(Location {
            file: name.to_owned(),
            line: None,
        });
        self
    }

    /// Points at a byte range of a source file; a range over several lines is cut to its first.
    pub fn at(mut self, file: &SourceFile, range: Range<usize>) -> Self {
        let file = match file.recall() {
            Ok(file) => file,
            Err(why) => return self.in_file(&file.name).with_note(why),
        };
        let file = &*file;
        let start = crate::source::floor_char_boundary(&file.text, range.start);
        let position = file.line_col(start);
        let line_range = file.line_range(position.line);
        let text = file
            .text
            .get(line_range.clone())
            .unwrap_or_default()
            .to_owned();
        let span_start = start.saturating_sub(line_range.start).min(text.len());
        let span_end =
            ceil_char_boundary(&text, range.end.saturating_sub(line_range.start)).max(span_start);
        self.location = Some(Location {
            file: file.name.clone(),
            line: Some(SnippetLine {
                line: position.line,
                col: position.col,
                text,
                span: span_start..span_end,
            }),
        });
        self
    }

    /// Points at a 1-based line and column of a source file.
    pub fn at_line_col(self, file: &SourceFile, line: usize, col: usize, len: usize) -> Self {
        let file = &*file.recalled();
        let start = file.offset_of(line, col);
        self.at(file, start..start + len)
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` (or just the path), for one-line summaries.
    pub fn position(&self) -> Option<String> {
        let location = self.location.as_ref()?;
        Some(match &location.line {
            Some(line) => format!("{}:{}:{}", location.file, line.line, line.col),
            None => location.file.clone(),
        })
    }

    /// The diagnostic as one JSON object (`--format json`), in the manner of cargo's
    /// `--message-format json`: `reason`, `level`, `message`, where (`file`, 1-based `line`,
    /// `column` and `end_column` in characters, the end exclusive), `label`, `notes`, `help`,
    /// and `rendered`, the text a terminal would show.
    pub fn to_json(&self) -> serde_json::Value {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = self.location.as_ref().map(|l| l.file.as_str());
        let line = self.location.as_ref().and_then(|l| l.line.as_ref());
        serde_json::json!({
            "reason": "diagnostic",
            "level": level,
            "message": self.message,
            "file": file,
            "line": line.map(|l| l.line),
            "column": line.map(|l| l.col),
            "end_column": line.map(SnippetLine::end_col),
            "label": self.label,
            "notes": self.notes,
            "help": self.help,
            "rendered": self.render(&Renderer::plain()),
        })
    }

    /// The diagnostic as a GitHub Actions workflow command (`--format github`): a pull
    /// request shows it as an annotation on its line of the Markdown file.
    pub fn to_github(&self) -> String {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(location) = &self.location {
            properties.push(format!("file={}", github_property(&location.file)));
            if let Some(line) = &location.line {
                properties.push(format!("line={}", line.line));
                properties.push(format!("col={}", line.col));
                properties.push(format!("endColumn={}", line.end_col()));
            }
        }
        properties.push(format!("title={}", github_property("tradetalks")));
        let mut text = self.message.clone();
        if let Some(label) = &self.label {
            text.push_str(&format!(" ({label})"));
        }
        for note in &self.notes {
            text.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &self.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        format!(
            "::{command} {}::{}",
            properties.join(","),
            github_data(&text)
        )
    }

    pub fn render(&self, renderer: &Renderer) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        if let Some(location) = &self.location {
            group = match &location.line {
                Some(line) => {
                    // An empty span (an error at the end of a line) still gets a caret.
                    let span = if line.span.is_empty() && line.span.end < line.text.len() {
                        let width = line
                            .text
                            .get(line.span.start..)
                            .unwrap_or_default()
                            .chars()
                            .next()
                            .map_or(0, char::len_utf8);
                        line.span.start..line.span.start + width
                    } else {
                        line.span.clone()
                    };
                    let mut annotation = AnnotationKind::Primary.span(span);
                    if let Some(label) = &self.label {
                        annotation = annotation.label(label.as_str());
                    }
                    group.element(
                        Snippet::source(line.text.as_str())
                            .line_start(line.line)
                            .path(location.file.as_str())
                            .annotation(annotation),
                    )
                }
                None => group.element(Origin::path(location.file.as_str())),
            };
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        renderer.render(&[group])
    }
}

impl SnippetLine {
    /// The column just after the span (1-based, in characters).
    fn end_col(&self) -> usize {
        let width = self
            .text
            .get(self.span.clone())
            .map_or(0, |span| span.chars().count());
        self.col + width.max(1)
    }
}

/// A workflow command's message: `%`, CR and LF escaped, as the runner reads them.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which separate properties.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// All the problems one run found, in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts errors before warnings, then by file and line, so output is stable run to run.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                let (file, line, col) = match &d.location {
                    Some(loc) => (
                        loc.file.clone(),
                        loc.line.as_ref().map_or(0, |l| l.line),
                        loc.line.as_ref().map_or(0, |l| l.col),
                    ),
                    None => (String::new(), 0, 0),
                };
                (d.severity, file, line, col, d.message.clone())
            };
            key(a).cmp(&key(b))
        });
        self.items.dedup();
    }

    /// Every diagnostic, then a one-line summary when anything was found.
    pub fn render(&self, renderer: &Renderer) -> String {
        let mut out = String::new();
        for diagnostic in &self.items {
            out.push_str(&diagnostic.render(renderer));
            out.push_str("\n\n");
        }
        out
    }

    pub fn summary(&self) -> String {
        let mut out = String::new();
        let errors = self.error_count();
        let warnings = self.warning_count();
        let _ = write!(
            out,
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
        out
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The candidate nearest to a misspelt path or name (`imgs/quay.jpg` for `img/quay.jpg`):
/// at most three letters added, dropped or changed, the nearest first, then the first in
/// order. For messages that say the near one in the editor's own form.
pub fn nearest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(c, wrong), c))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for a misspelt name, when one candidate is close enough.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_col_and_caret() {
        let file = SourceFile::new("content/a.md", "/x", "---\ntitel: x\n---\n");
        let d = Diagnostic::error("unknown field `titel`")
            .at(&file, 4..9)
            .with_help("did you mean `title`?");
        let text = d.render(&Renderer::plain());
        assert!(text.starts_with("error: unknown field `titel`"), "{text}");
        assert!(text.contains("--> content/a.md:2:1"), "{text}");
        assert!(text.contains("2 | titel: x"), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
        assert_eq!(d.position().unwrap(), "content/a.md:2:1");
    }

    #[test]
    fn json_and_github_formats_carry_the_position() {
        let file = SourceFile::new(
            "content/日本.md",
            "/x",
            "---\ntitle: x\nsectr: [a, b]\n---\n",
        );
        let d = Diagnostic::error("unknown field `sectr`")
            .at(&file, 13..18)
            .with_help("did you mean `sectors`?");
        let json = d.to_json();
        assert_eq!(json["reason"], "diagnostic");
        assert_eq!(json["level"], "error");
        assert_eq!(json["file"], "content/日本.md");
        assert_eq!(
            (json["line"].as_u64(), json["column"].as_u64()),
            (Some(3), Some(1))
        );
        assert_eq!(json["end_column"], 6);
        assert_eq!(json["help"], "did you mean `sectors`?");
        assert!(
            json["rendered"]
                .as_str()
                .unwrap()
                .contains("3 | sectr: [a, b]")
        );
        assert_eq!(
            d.to_github(),
            "::error file=content/日本.md,line=3,col=1,endColumn=6,title=tradetalks::unknown field `sectr`%0Ahelp: did you mean `sectors`?"
        );
        // Separators inside values are escaped, so they cannot end a property or the message.
        let odd = Diagnostic::warning("100% sure: a, b\nc").in_file("content/a,b:c.md");
        assert_eq!(
            odd.to_github(),
            "::warning file=content/a%2Cb%3Ac.md,title=tradetalks::100%25 sure: a, b%0Ac"
        );
        assert_eq!(odd.to_json()["line"], serde_json::Value::Null);
    }

    #[test]
    fn suggestions_only_for_close_names() {
        assert_eq!(
            did_you_mean("titel", ["title", "date"]).unwrap(),
            "did you mean `title`?"
        );
        assert_eq!(did_you_mean("zzz", ["title", "date"]), None);
    }

    #[test]
    fn the_nearest_path_is_at_most_three_letters_away() {
        let files = ["img/quay.jpg", "img/port.png", "countries/日本/港.jpg"];
        assert_eq!(nearest("imgs/quay.jpg", files), Some("img/quay.jpg"));
        assert_eq!(
            nearest("countries/日本/湾.jpg", files),
            Some("countries/日本/港.jpg")
        );
        assert_eq!(nearest("photos/quay.jpeg", files), None);
        // Equally near: the first in order.
        assert_eq!(nearest("img/x", ["img/a", "img/b"]), Some("img/a"));
    }
}
