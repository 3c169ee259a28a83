//! Source files kept alive for the whole build, so that any later stage can turn a byte
//! offset into `line:col` and show the line it points at.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A text file of the site, read once, with its path relative to the site root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators: what diagnostics print.
    pub name: String,
    /// Absolute path on disk.
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Arc<[usize]>,
}

/// A 1-based line and column (columns counted in characters, as editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl SourceFile {
    pub fn new(
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
    ) -> Self {
        let text: Arc<str> = text.into();
        let line_starts = line_starts(&text);
        SourceFile {
            name: name.into(),
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Reads a file as UTF-8; invalid bytes become a diagnostic at their position.
    pub fn read(root: &Path, path: &Path) -> Result<SourceFile, crate::diagnostic::Diagnostic> {
        let name = display_name(root, path);
        let bytes = std::fs::read(path).map_err(|err| {
            crate::diagnostic::Diagnostic::error(format!("cannot read file: {err}")).in_file(&name)
        })?;
        let bytes = strip_bom(bytes);
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, path, text)),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
                // Offsets before the first bad byte are the same in the lossy copy.
                let file = SourceFile::new(name, path, lossy);
                Err(crate::diagnostic::Diagnostic::error(
                    "file is not valid UTF-8: save it with UTF-8 encoding",
                )
                .at(&file, valid..valid + 1))
            }
        }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_index];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        LineCol {
            line: line_index + 1,
            col: col + 1,
        }
    }

    /// Byte range of a 1-based line, without its line ending.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let index = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[index];
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = &self.text[start..end];
        let trimmed = text.trim_end_matches(['\n', '\r']);
        start..start + trimmed.len()
    }

    /// Byte offset of a 1-based line and column (column in characters).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let range = self.line_range(line);
        let text = &self.text[range.clone()];
        let within = text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        range.start + within
    }
}

/// The name a diagnostic prints for a file: relative to the root, `/`-separated.
pub fn display_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file under `root/folder` (sorted, links followed, hidden and editor files skipped),
/// with a diagnostic for each entry that cannot be read. A missing folder is empty.
pub fn files_under(
    root: &Path,
    folder: &str,
) -> (Vec<PathBuf>, Vec<crate::diagnostic::Diagnostic>) {
    let dir = root.join(folder);
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    if !dir.is_dir() {
        return (files, problems);
    }
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::content::is_ignored(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            Err(err) => {
                let name = err
                    .path()
                    .map_or_else(|| folder.to_owned(), |p| display_name(root, p));
                problems.push(
                    crate::diagnostic::Diagnostic::error(format!("cannot read `{name}`: {err}"))
                        .in_file(&name),
                );
            }
        }
    }
    (files, problems)
}

fn strip_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    bytes
}

fn line_starts(text: &str) -> Arc<[usize]> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.md", "/a.md", text)
    }

    #[test]
    fn offsets_map_to_one_based_line_and_column() {
        let f = file("ab\ncdé\nf");
        assert_eq!(f.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(f.line_col(1), LineCol { line: 1, col: 2 });
        assert_eq!(f.line_col(3), LineCol { line: 2, col: 1 });
        // `é` is two bytes: the `\n` after it is still column 4.
        assert_eq!(f.line_col(7), LineCol { line: 2, col: 4 });
        assert_eq!(f.line_col(8), LineCol { line: 3, col: 1 });
        assert_eq!(f.line_col(999), LineCol { line: 3, col: 2 });
    }

    #[test]
    fn line_range_drops_crlf() {
        let f = file("one\r\ntwo\r\n");
        assert_eq!(&f.text[f.line_range(1)], "one");
        assert_eq!(&f.text[f.line_range(2)], "two");
        assert_eq!(f.offset_of(2, 2), 6);
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFhi".to_vec()), b"hi");
    }
}
