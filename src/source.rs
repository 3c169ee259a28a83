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
    /// Where each line starts, for a text longer than [`INDEXED_OVER`]: a shorter one (a
    /// page, most of the time) is scanned when a position is asked for, which is rare (a
    /// diagnostic), instead of indexed whenever it is read.
    line_starts: Option<Arc<[usize]>>,
    /// XXH3-128 hash of `text`: what build-cache keys hold of the file, and how a text read
    /// again (`recall`) is known to be the one that was read first.
    digest: crate::cache::Digest,
    /// Where to read `text` again after `forget_text` let it go.
    forgotten: Option<Tree>,
}

/// What is compared of a file: size, modification time, change time and inode (times in
/// nanoseconds since 1970), as `pipeline::record` compares sources; `serve --poll` compares
/// files by it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub(crate) size: u64,
    pub(crate) modified: i128,
    pub(crate) changed: i128,
    pub(crate) inode: u64,
}

impl Stamp {
    #[cfg(not(unix))]
    pub fn of(metadata: &std::fs::Metadata) -> Stamp {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp {
            size: metadata.len(),
            modified,
            changed: 0,
            inode: 0,
        }
    }

    #[cfg(unix)]
    pub fn of(metadata: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let nanos =
            |seconds: i64, nanos: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        Stamp {
            size: metadata.len(),
            modified: nanos(metadata.mtime(), metadata.mtime_nsec()),
            changed: nanos(metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
        }
    }

    /// Whether the file's times are so close to `instant` that it could change again without
    /// another stamp.
    pub(crate) fn racy(&self, instant: i128, window: std::time::Duration) -> bool {
        let racy = window.as_nanos() as i128;
        self.modified >= instant - racy || self.changed >= instant - racy
    }
}

/// The stamps of a site's files taken as a build began, of the files whose stamp is sure to
/// change when their bytes do (see `pipeline::record`: not changed within the last seconds),
/// by path relative to the root. A build may take what an earlier build read of a file with
/// the same stamp instead of reading it again (`content::load`); a file not here is read.
#[derive(Debug, Clone, Default)]
pub struct Stamps(std::collections::HashMap<String, Stamp>);

impl Stamps {
    pub fn new(stamps: std::collections::HashMap<String, Stamp>) -> Stamps {
        Stamps(stamps)
    }

    /// The stamp of the file at `path` (under `root`), when it is known and trusted.
    pub fn get(&self, root: &Path, path: &Path) -> Option<&Stamp> {
        if self.0.is_empty() {
            return None;
        }
        let relative = path.strip_prefix(root).ok()?;
        self.0.get(relative.to_str()?)
    }
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
        let line_starts = (text.len() > INDEXED_OVER).then(|| line_starts(&text));
        SourceFile {
            name: name.into(),
            path: path.into(),
            digest: crate::cache::digest(text.as_bytes()),
            text,
            line_starts,
            forgotten: None,
        }
    }

    /// A file not read, known by the digest of its text (an earlier build read it with the
    /// same stamp, `Stamps`): as after `forget_text`, its text is read from `tree` when a
    /// stage needs it (`recall`), and must then have that digest.
    pub fn unread(
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        digest: crate::cache::Digest,
        tree: &Tree,
    ) -> Self {
        SourceFile {
            name: name.into(),
            path: path.into(),
            text: Arc::from(""),
            line_starts: None,
            digest,
            forgotten: Some(tree.clone()),
        }
    }

    /// The XXH3-128 hash of the file's text (kept when the text is let go).
    pub fn digest(&self) -> &crate::cache::Digest {
        &self.digest
    }

    /// Lets the text go, to be read again from `tree` when needed (`recall`): a build of a
    /// large site keeps no page's Markdown longer than the stage that reads it.
    pub fn forget_text(&mut self, tree: &Tree) {
        if self.forgotten.is_some() {
            return;
        }
        self.text = Arc::from("");
        self.line_starts = None;
        self.forgotten = Some(tree.clone());
    }

    /// The file with its text: itself, or after `forget_text` the file read again. An error,
    /// in the editor's words, when it cannot be read or is no longer the text read first
    /// (saved again while the site was building).
    pub fn recall(&self) -> Result<std::borrow::Cow<'_, SourceFile>, String> {
        let Some(tree) = &self.forgotten else {
            return Ok(std::borrow::Cow::Borrowed(self));
        };
        let bytes = tree
            .read(&self.path)
            .map_err(|err| format!("cannot read the file again: {err}"))?;
        let text = String::from_utf8_lossy(&strip_bom(bytes)).into_owned();
        let file = SourceFile::new(self.name.clone(), self.path.clone(), text);
        if file.digest != self.digest {
            return Err(
                "the file changed while the site was building: build again to see it".to_owned(),
            );
        }
        Ok(std::borrow::Cow::Owned(file))
    }

    /// `recall`, or the text-less file itself when that fails.
    pub fn recalled(&self) -> std::borrow::Cow<'_, SourceFile> {
        self.recall().unwrap_or(std::borrow::Cow::Borrowed(self))
    }

    /// Reads a file of `tree` as UTF-8; invalid bytes become a diagnostic at their position.
    pub fn read(tree: &Tree, path: &Path) -> Result<SourceFile, crate::diagnostic::Diagnostic> {
        let name = display_name(tree.root(), path);
        let bytes = tree.read(path).map_err(|err| {
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

    /// The 0-based index of the line that holds byte `offset` (at most the text's length),
    /// and where that line starts.
    fn line_at(&self, offset: usize) -> (usize, usize) {
        match &self.line_starts {
            Some(starts) => {
                let index = match starts.binary_search(&offset) {
                    Ok(i) => i,
                    Err(i) => i - 1,
                };
                (index, starts[index])
            }
            None => {
                let before = self.text.as_bytes().get(..offset).unwrap_or_default();
                let index = before.iter().filter(|&&b| b == b'\n').count();
                let start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                (index, start)
            }
        }
    }

    /// Where the 0-based line `index` starts and the next one (`None` after the last line),
    /// with `index` clamped to the last line.
    fn line_bounds(&self, index: usize) -> (usize, Option<usize>) {
        match &self.line_starts {
            Some(starts) => {
                let index = index.min(starts.len() - 1);
                (starts[index], starts.get(index + 1).copied())
            }
            None => {
                let mut starts = std::iter::once(0).chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                );
                let mut start = 0;
                for _ in 0..=index {
                    match starts.next() {
                        Some(next) => start = next,
                        None => return (start, None),
                    }
                }
                (start, starts.next())
            }
        }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let (line_index, start) = self.line_at(offset);
        let col = self
            .text
            .get(start..floor_char_boundary(&self.text, offset))
            .map_or(0, |before| before.chars().count());
        LineCol {
            line: line_index + 1,
            col: col + 1,
        }
    }

    /// Byte range of a 1-based line, without its line ending.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let (start, next) = self.line_bounds(line.saturating_sub(1));
        let end = next.unwrap_or(self.text.len());
        // Line starts follow a `\n`: boundaries, like the text's end.
        let text = self.text.get(start..end).unwrap_or_default();
        let trimmed = text.trim_end_matches(['\n', '\r']);
        start..start + trimmed.len()
    }

    /// Byte offset of a 1-based line and column (column in characters).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let range = self.line_range(line);
        let text = self.text.get(range.clone()).unwrap_or_default();
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
    let Ok(relative) = path.strip_prefix(root) else {
        // Outside the root: the path as it is (joining its parts would double the `/`).
        return path.display().to_string();
    };
    // Most of the time the path is already its name: `/`-separated, nothing to tidy.
    if let Some(text) = relative.to_str()
        && std::path::MAIN_SEPARATOR == '/'
        && !text.ends_with('/')
        && text.split('/').all(|part| !part.is_empty() && part != ".")
    {
        return text.to_owned();
    }
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a site's files are read from: the disk under its root folder, or files held in
/// memory under a made-up root (for fuzzing and property tests, which build whole sites
/// without touching the disk). Every stage that reads the site reads through one.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
    /// `None` for the disk; else file contents by path relative to the root (`/`-separated).
    memory: Option<Arc<std::collections::BTreeMap<String, Arc<[u8]>>>>,
    /// The files' stamps as the build began, those it can trust (`with_stamps`).
    stamps: Arc<Stamps>,
}

impl Tree {
    pub fn disk(root: impl Into<PathBuf>) -> Tree {
        Tree {
            root: root.into(),
            memory: None,
            stamps: Arc::default(),
        }
    }

    /// The tree, with the stamps of its files taken as the build began (of the disk only:
    /// a tree in memory has none).
    pub fn with_stamps(self, stamps: Stamps) -> Tree {
        Tree {
            stamps: Arc::new(stamps),
            ..self
        }
    }

    pub fn stamps(&self) -> &Stamps {
        &self.stamps
    }

    /// A site in memory: `(path relative to the root, bytes)` for each file.
    pub fn memory<P: Into<String>, B: Into<Vec<u8>>>(
        files: impl IntoIterator<Item = (P, B)>,
    ) -> Tree {
        let files = files
            .into_iter()
            .map(|(path, bytes)| (path.into(), Arc::from(bytes.into())))
            .collect();
        Tree {
            root: PathBuf::from("/site-in-memory"),
            memory: Some(Arc::new(files)),
            stamps: Arc::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The relative key of an absolute path under a tree in memory.
    fn key(&self, path: &Path) -> String {
        display_name(&self.root, path)
    }

    pub fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match &self.memory {
            None => std::fs::read(path),
            Some(files) => files
                .get(&self.key(path))
                .map(|bytes| bytes.to_vec())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }

    /// The size of the file at `path` in bytes (0 when it cannot be told).
    pub fn size(&self, path: &Path) -> u64 {
        match &self.memory {
            None => std::fs::metadata(path).map_or(0, |m| m.len()),
            Some(files) => files
                .get(&self.key(path))
                .map_or(0, |bytes| bytes.len() as u64),
        }
    }

    /// Whether the file at `path` can be opened for reading (a file to copy as it is).
    pub fn check_readable(&self, path: &Path) -> std::io::Result<()> {
        match &self.memory {
            None => std::fs::File::open(path).map(drop),
            Some(files) if files.contains_key(&self.key(path)) => Ok(()),
            Some(_) => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }

    pub fn is_file(&self, path: &Path) -> bool {
        match &self.memory {
            None => path.is_file(),
            Some(files) => files.contains_key(&self.key(path)),
        }
    }

    /// Every file under `folder` of the root, with a diagnostic for each entry that cannot be
    /// read, each symbolic link that leads out of the site (not followed) and each link loop.
    /// Sorted by path, hidden and editor files skipped. A missing folder is empty.
    pub fn files_under(&self, folder: &str) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        match &self.memory {
            None => files_on_disk(&self.root, folder),
            Some(files) => {
                let prefix = format!("{folder}/");
                let mut found: Vec<(Vec<&str>, PathBuf)> = files
                    .keys()
                    .filter_map(|key| {
                        let relative = key.strip_prefix(&prefix)?;
                        let parts: Vec<&str> = relative.split('/').collect();
                        let hidden = parts.iter().any(|part| {
                            part.is_empty() || crate::content::is_ignored(part.as_ref())
                        });
                        (!hidden).then(|| (parts, self.root.join(key)))
                    })
                    .collect();
                // As a walk of the folders would list them: by name, folder by folder.
                found.sort();
                (
                    found.into_iter().map(|(_, path)| path).collect(),
                    Vec::new(),
                )
            }
        }
    }
}

use crate::diagnostic::Diagnostic;

fn files_on_disk(root: &Path, folder: &str) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let dir = root.join(folder);
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    if !dir.is_dir() {
        return (files, problems);
    }
    // Links may point anywhere inside the site, never out of it.
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                problems.push(walk_error(root, &real_root, folder, &err));
                continue;
            }
        };
        let is_dir = entry.file_type().is_dir();
        if entry.depth() > 0 && crate::content::is_ignored(entry.file_name()) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            let target = entry.path().canonicalize();
            if let Some(outside) = target.ok().filter(|t| !t.starts_with(&real_root)) {
                let name = display_name(root, entry.path());
                problems.push(
                    Diagnostic::error(format!(
                        "`{name}` is a symbolic link to `{}`, outside the site",
                        outside.display()
                    ))
                    .in_file(&name)
                    .with_help(
                        "copy the file into the site instead: a build never reads or publishes files from outside it",
                    ),
                );
                if is_dir {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    (files, problems)
}

fn walk_error(root: &Path, real_root: &Path, folder: &str, err: &walkdir::Error) -> Diagnostic {
    let name = err
        .path()
        .map_or_else(|| folder.to_owned(), |p| display_name(root, p));
    match err.loop_ancestor() {
        // A link to a folder that holds the site: out of the site before it is a loop.
        Some(ancestor) if !ancestor.starts_with(root) && !ancestor.starts_with(real_root) => {
            Diagnostic::error(format!(
                "`{name}` is a symbolic link to `{}`, outside the site",
                ancestor.display()
            ))
            .in_file(&name)
            .with_help(
                "copy the files into the site instead: a build never reads or publishes files from outside it",
            )
        }
        Some(ancestor) => {
            // Walks report paths as given or resolved: name the target from the site either way.
            let target = ancestor
                .strip_prefix(real_root)
                .map_or_else(|_| display_name(root, ancestor), |r| display_name(Path::new(""), r));
            let target = if target.is_empty() {
                "the site's own folder".to_owned()
            } else {
                format!("`{target}`")
            };
            Diagnostic::error(format!(
                "symbolic link loop: `{name}` points back to {target}"
            ))
            .in_file(&name)
            .with_help("remove the link or point it outside its own folder")
        }
        None => {
            let reason = err
                .io_error()
                .map_or_else(|| err.to_string(), ToString::to_string);
            Diagnostic::error(format!("cannot read `{name}`: {reason}")).in_file(&name)
        }
    }
}

fn strip_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    bytes
}

/// How long a text may be for its lines to be found by scanning it rather than by an index
/// made when it is read (see `SourceFile::line_starts`).
const INDEXED_OVER: usize = 64 * 1024;

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
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_text_is_read_again_only_if_it_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.md");
        std::fs::write(&path, "---\ntitle: 日本\n---\nCafé.\n").unwrap();
        let tree = Tree::disk(dir.path());
        let mut page = SourceFile::read(&tree, &path).unwrap();
        let digest = *page.digest();
        page.forget_text(&tree);
        assert!(page.text.is_empty());
        assert_eq!(*page.digest(), digest);
        let again = page.recall().unwrap();
        assert_eq!(&*again.text, "---\ntitle: 日本\n---\nCafé.\n");
        assert_eq!(again.line_col(22).line, 4);
        std::fs::write(&path, "---\ntitle: 日本\n---\nChanged.\n").unwrap();
        let err = page.recall().unwrap_err();
        assert!(err.contains("changed while the site was building"), "{err}");
        std::fs::remove_file(&path).unwrap();
        assert!(
            page.recall()
                .unwrap_err()
                .contains("cannot read the file again")
        );
        assert!(
            page.recalled().text.is_empty(),
            "recalled falls back to the file itself"
        );
    }

    #[test]
    fn an_unread_file_is_read_when_needed_and_must_have_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.md");
        let text = "---\ntitle: 한국어\n---\nनमस्ते.\n";
        std::fs::write(&path, text).unwrap();
        let tree = Tree::disk(dir.path());
        let digest = crate::cache::digest(text.as_bytes());
        let page = SourceFile::unread("page.md", &path, digest, &tree);
        assert!(page.text.is_empty());
        assert_eq!(&*page.recall().unwrap().text, text);
        let other = SourceFile::unread("page.md", &path, [0; 16], &tree);
        assert!(
            other
                .recall()
                .unwrap_err()
                .contains("changed while the site was building")
        );
    }

    #[test]
    fn a_display_name_is_relative_and_slash_separated() {
        let root = Path::new("/site");
        for (path, name) in [
            ("/site/content/日本.md", "content/日本.md"),
            ("/site/content//a.md", "content/a.md"),
            ("/site/content/./a.md", "content/a.md"),
            ("/site/content/dir/", "content/dir"),
            ("/site/a.md", "a.md"),
            ("/elsewhere/a.md", "/elsewhere/a.md"),
        ] {
            assert_eq!(display_name(root, Path::new(path)), name, "{path}");
        }
    }

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

    proptest::proptest! {
        /// A short text scanned and the same text indexed (as a long one is) give every
        /// position and line alike, in any script and with any line endings.
        #[test]
        fn a_scanned_text_and_an_indexed_one_agree(text in "(\\PC|\n|\r\n){0,60}", line in 0usize..70) {
            let scanned = file(&text);
            proptest::prop_assert!(scanned.line_starts.is_none());
            let mut indexed = file(&text);
            indexed.line_starts = Some(line_starts(&text));
            for offset in 0..=text.len() + 2 {
                proptest::prop_assert_eq!(scanned.line_col(offset), indexed.line_col(offset));
            }
            proptest::prop_assert_eq!(scanned.line_range(line), indexed.line_range(line));
        }
    }

    #[test]
    fn a_long_text_is_indexed_and_a_short_one_is_not() {
        assert!(file("a\nb").line_starts.is_none());
        let long = "line\n".repeat(INDEXED_OVER / 5 + 1);
        let f = file(&long);
        assert!(f.line_starts.is_some());
        assert_eq!(f.line_col(long.len() - 1).line, INDEXED_OVER / 5 + 1);
        assert_eq!(&f.text[f.line_range(3)], "line");
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
