//! Writing a built site to disk, atomically: everything goes into a fresh folder beside the
//! output, which replaces the output only once it is complete, by an atomic exchange of the
//! two folders (`renameat2(RENAME_EXCHANGE)` on Linux), so that the output folder exists, whole,
//! at every instant; elsewhere (or on a file system without the exchange) by two renames.
//! Nothing is ever written or removed outside the output folder and its two siblings
//! `.NAME.tradetalks-new/-old`; a build killed half-way leaves them behind, and the next one
//! removes them and says so.

use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::pipeline::BuiltSite;

#[derive(Debug)]
pub enum OutputError {
    /// The output folder is somewhere we refuse to replace.
    Refused(String),
    Io {
        path: PathBuf,
        error: io::Error,
    },
    /// A file to copy into the output could not be read.
    Read {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Refused(message) => f.write_str(message),
            OutputError::Io { path, error } => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
            OutputError::Read { path, error } => {
                write!(f, "cannot read `{}`: {error}", path.display())
            }
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Resolves the output folder and refuses the site root, anything holding it, and the site's
/// own source folders.
pub fn resolve_output(root: &Path, output: &Path) -> Result<PathBuf, OutputError> {
    let root = absolute(root)?;
    let root = root.canonicalize().unwrap_or(root);
    let output = if output.is_absolute() {
        output.to_path_buf()
    } else {
        root.join(output)
    };
    let output = canonical_as_far_as_exists(&normalise(&output));
    if output == root || root.starts_with(&output) {
        return Err(OutputError::Refused(format!(
            "refusing to use `{}` as the output folder: it holds the site itself, and the build replaces the output folder",
            output.display()
        )));
    }
    for source in ["content", "templates", "static", "data"] {
        let dir = root.join(source);
        if output.starts_with(&dir) {
            return Err(OutputError::Refused(format!(
                "refusing to use `{}` as the output folder: it is inside the site's `{source}/`",
                output.display()
            )));
        }
    }
    if output.parent().is_none() {
        return Err(OutputError::Refused(
            "refusing to use the file system root as the output folder".into(),
        ));
    }
    Ok(output)
}

fn absolute(path: &Path) -> Result<PathBuf, OutputError> {
    std::path::absolute(path).map_err(io_error(path))
}

/// Removes `.` and `..` without touching the disk.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Resolves symbolic links in the longest existing prefix of `path`.
fn canonical_as_far_as_exists(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    resolved.extend(rest.iter().rev());
    resolved
}

fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    output.with_file_name(format!(".{name}.tradetalks-{suffix}"))
}

/// Writes the site into a fresh sibling folder, then swaps it in for `output`.
pub fn write(site: &BuiltSite, output: &Path) -> Result<(), OutputError> {
    Staging::begin(output)?.finish(site)?.remove()
}

/// The folder a build is written into before it replaces the output. Pages can be written
/// while the build is still rendering (so that no page stays in memory longer than it must);
/// the folder is removed unless `finish` swaps it in.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    finished: bool,
    /// Folders left by a build that was killed before it finished, removed by `begin`.
    pub leftovers: Vec<PathBuf>,
    /// The pages of the output folder that are as the last build wrote them, with the key
    /// each was rendered from (`pipeline::record::intact_pages`): a page rendered from the
    /// same key again is linked from there instead of written (`reuse`).
    intact: std::collections::HashMap<String, crate::pipeline::record::CachedAs>,
    /// What the last build's link check read besides the pages' links
    /// (`check::LinkTargets`), which found no broken link.
    checked_targets: Option<crate::check::LinkTargets>,
}

/// Whether a build into `output` was killed before it finished: `begin` removes what it left.
pub fn has_leftovers(output: &Path) -> bool {
    ["new", "old"]
        .iter()
        .any(|kind| std::fs::symlink_metadata(sibling(output, kind)).is_ok())
}

impl Staging {
    pub fn begin(output: &Path) -> Result<Staging, OutputError> {
        if output.exists() && !output.is_dir() {
            return Err(OutputError::Refused(format!(
                "the output `{}` exists and is not a folder",
                output.display()
            )));
        }
        let parent = output.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let dir = sibling(output, "new");
        let mut leftovers = Vec::new();
        for leftover in [dir.clone(), sibling(output, "old")] {
            if std::fs::symlink_metadata(&leftover).is_ok() {
                remove_dir_if_exists(&leftover)?;
                leftovers.push(leftover);
            }
        }
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            finished: false,
            leftovers,
            intact: Default::default(),
            checked_targets: None,
        })
    }

    /// Names the pages of the output folder that hold what the last build wrote, and the key
    /// each was rendered from.
    pub fn with_intact(
        mut self,
        intact: std::collections::HashMap<String, crate::pipeline::record::CachedAs>,
        checked_targets: Option<crate::check::LinkTargets>,
    ) -> Staging {
        self.intact = intact;
        self.checked_targets = checked_targets;
        self
    }

    /// What the last build's link check read besides the pages' links, when its pages are
    /// here (`with_intact`).
    pub fn checked_targets(&self) -> Option<&crate::check::LinkTargets> {
        self.checked_targets.as_ref()
    }

    /// Whether the output folder holds page `site_path` as rendered from `key`: the digest
    /// of its bytes if it does.
    pub fn holds(&self, site_path: &str, key: &crate::cache::Key) -> Option<crate::cache::Digest> {
        let intact = self.intact.get(site_path)?;
        (intact.key == *key).then_some(intact.digest)
    }

    /// Puts the output folder's page `site_path` (which `holds` it) into the new folder by a
    /// hard link, which copies nothing: the old folder goes when the new one replaces it.
    /// False when it cannot be linked (another file system, none allowed): the caller writes
    /// it.
    pub fn reuse(&self, site_path: &str) -> bool {
        let (Ok(from), Ok(to)) = (
            contained(&self.output, site_path),
            contained(&self.dir, site_path),
        ) else {
            return false;
        };
        if let Some(parent) = to.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            return false;
        }
        std::fs::hard_link(from, to).is_ok()
    }

    /// Writes one file of the site now. Safe to call from many threads.
    pub fn put(&self, site_path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let target = contained(&self.dir, site_path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::write(&target, bytes).map_err(io_error(&target))
    }

    /// Writes the rest of the site, then puts the folder in place of the output. The folder
    /// that then holds the previous build is for the caller to remove (`Replaced::remove`),
    /// while it does what is left.
    pub fn finish(mut self, site: &BuiltSite) -> Result<Replaced, OutputError> {
        fill(site, &self.dir)?;
        let replaced = swap(&self.dir, &self.output)?;
        self.finished = true;
        Ok(replaced)
    }
}

/// The folder that holds the previous build once the new one is in its place: nothing reads
/// it any more, so removing it (10,000 pages' folders and files) can go on beside what a
/// build does after the swap. Left behind when not removed, the next build removes it.
#[must_use = "the folder of the previous build stays unless removed"]
pub struct Replaced(PathBuf);

impl Replaced {
    pub fn remove(self) -> Result<(), OutputError> {
        remove_dir_if_exists(&self.0)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn fill(site: &BuiltSite, staging: &Path) -> Result<(), OutputError> {
    let mut dirs: Vec<PathBuf> = site
        .files
        .keys()
        .chain(site.copies.keys())
        .filter_map(|p| Path::new(p).parent().map(|d| staging.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    site.files.par_iter().try_for_each(|(path, bytes)| {
        let target = contained(staging, path)?;
        std::fs::write(&target, &bytes[..]).map_err(io_error(&target))
    })?;
    site.copies.par_iter().try_for_each(|(path, source)| {
        let target = contained(staging, path)?;
        // Opened first, so that a file that cannot be read is named as such, not as a
        // target that could not be written.
        let mut from = std::fs::File::open(source).map_err(|error| OutputError::Read {
            path: source.clone(),
            error,
        })?;
        let mut to = std::fs::File::create(&target).map_err(io_error(&target))?;
        io::copy(&mut from, &mut to)
            .map(drop)
            .map_err(io_error(&target))
    })
}

/// Joins a site path under the output folder, refusing anything that would climb out of it.
fn contained(base: &Path, site_path: &str) -> Result<PathBuf, OutputError> {
    let relative = Path::new(site_path);
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !safe {
        return Err(OutputError::Refused(format!(
            "refusing to write `{site_path}`: it would land outside the output folder"
        )));
    }
    Ok(base.join(relative))
}

fn swap(staging: &Path, output: &Path) -> Result<Replaced, OutputError> {
    if output.is_dir() {
        match exchange(staging, output) {
            // The staging folder now holds the previous build.
            Ok(()) => return Ok(Replaced(staging.to_path_buf())),
            Err(error) if !exchange_unsupported(&error) => {
                return Err(OutputError::Io {
                    path: output.to_path_buf(),
                    error,
                });
            }
            Err(_) => {}
        }
    }
    swap_by_renames(staging, output)
}

/// Swaps two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The kernel or file system cannot exchange (old kernels, some network file systems).
fn exchange_unsupported(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::Unsupported
        || matches!(error.raw_os_error(), Some(code) if code == EINVAL || code == ENOSYS)
}

const EINVAL: i32 = 22;
const ENOSYS: i32 = 38;

/// The fallback: the output is renamed away, then the new folder in. Between the two there
/// is no output folder.
fn swap_by_renames(staging: &Path, output: &Path) -> Result<Replaced, OutputError> {
    let old = sibling(output, "old");
    remove_dir_if_exists(&old)?;
    if output.exists() {
        std::fs::rename(output, &old).map_err(io_error(output))?;
    }
    if let Err(error) = std::fs::rename(staging, output) {
        // Put the previous build back so that a failed swap loses nothing.
        if old.exists() {
            let _ = std::fs::rename(&old, output);
        }
        return Err(OutputError::Io {
            path: output.to_path_buf(),
            error,
        });
    }
    Ok(Replaced(old))
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), OutputError> {
    match remove_tree(dir, 2) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(OutputError::Io {
            path: dir.to_path_buf(),
            error,
        }),
        _ => Ok(()),
    }
}

/// Removes `dir` and everything in it, the subfolders of its first `depth` levels in
/// parallel: the previous output of a 10,000-page site took 0.14 s to remove one file at a
/// time, at the end of every build. Below that depth (and for each subfolder there) the
/// standard library's removal, which never follows a symbolic link; above it, an entry is a
/// folder only if it is one itself (`DirEntry::file_type` does not follow links either).
fn remove_tree(dir: &Path, depth: usize) -> io::Result<()> {
    if depth == 0 {
        return std::fs::remove_dir_all(dir);
    }
    let gone = |result: io::Result<()>| match result {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    };
    let entries = std::fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|entry| {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            gone(remove_tree(&path, depth - 1))
        } else {
            gone(std::fs::remove_file(&path))
        }
    })?;
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn removing_a_folder_removes_all_of_it_and_nothing_a_link_points_to() {
        let base = tempfile::tempdir().unwrap();
        let (dir, outside) = (base.path().join("old"), base.path().join("outside"));
        std::fs::create_dir_all(dir.join("a/b/c/d")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "kept").unwrap();
        for file in ["top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/d/four.txt"] {
            std::fs::write(dir.join(file), file).unwrap();
        }
        // Links to a folder outside, at every depth: each is removed, not followed.
        for link in ["link", "a/link", "a/b/link", "a/b/c/link"] {
            std::os::unix::fs::symlink(&outside, dir.join(link)).unwrap();
        }
        remove_dir_if_exists(&dir).unwrap();
        assert!(!dir.exists());
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "kept"
        );
        // A folder that is not there is no error.
        remove_dir_if_exists(&dir).unwrap();
    }

    #[test]
    fn refuses_root_ancestors_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(resolve_output(&root, Path::new(".")).is_err());
        assert!(resolve_output(&root, Path::new("..")).is_err());
        assert!(resolve_output(&root, Path::new("content")).is_err());
        assert!(resolve_output(&root, Path::new("content/x/../y")).is_err());
        assert!(resolve_output(&root, Path::new("/")).is_err());
        let ok = resolve_output(&root, Path::new("public")).unwrap();
        assert!(ok.ends_with("site/public"));
    }

    #[test]
    fn site_paths_cannot_climb_out() {
        assert!(contained(Path::new("/out"), "../x").is_err());
        assert!(contained(Path::new("/out"), "/etc/passwd").is_err());
        assert!(contained(Path::new("/out"), "a/b/index.html").is_ok());
    }

    #[test]
    fn write_replaces_the_output_and_leaves_no_siblings() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let mut site = BuiltSite::default();
        site.files
            .insert("a/index.html".into(), b"new".to_vec().into());
        write(&site, &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
        assert!(!out.join("stale.html").exists());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    proptest::proptest! {
        #[test]
        fn nothing_is_written_outside_the_output_folder(path in "[a-z./\\\\~-]{0,30}") {
            let base = Path::new("/out");
            if let Ok(target) = contained(base, &path) {
                proptest::prop_assert!(target.starts_with(base), "{target:?}");
                proptest::prop_assert!(
                    target.components().all(|c| !matches!(c, Component::ParentDir)),
                    "{target:?}"
                );
            }
        }
    }
}
