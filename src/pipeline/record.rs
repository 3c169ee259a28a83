//! The record of a site's last build into a folder, so that a build with nothing to do does
//! nothing: when every source file and every file of the output folder is as that build left
//! it, and the options, the build date and this build of tradetalks are the same, the output
//! is what a build would make again, and `build` says so instead of making it.
//!
//! Files are compared by their stamp (size, modification and change times, inode), as make,
//! ninja and git's index do: the change time cannot be set back, so a file rewritten with its
//! old modification time (`cp -p`, `rsync -t`) is a changed file. A source whose times are
//! within [`RACY`] of the build's start could change again without a new stamp on a file
//! system with coarse times (git's "racily clean" entries): its bytes are hashed before the
//! build reads them, and compared later. Only a build without a problem or a scheduled page
//! is recorded: a build that reports something must report it again. Elsewhere than Unix
//! there is no change time to rely on, and nothing is recorded.
//!
//! The record also names where the cache holds each file the build made (`restore`): a build
//! whose sources are as recorded but whose output folder is not (removed, replaced, damaged)
//! puts those files back instead of rendering them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::cache::{Cache, Key, KeyBuilder};

use super::{BuildOptions, BuiltSite};

/// The folders a site is built from, beside its configuration: `serve`'s watched folders
/// and `fonts/` (read by the graphics that are drawn as pictures).
pub const SOURCES: [&str; 5] = ["content", "data", "templates", "static", "fonts"];

/// How recent a source's times may be for its stamp to be trusted: more than the coarsest
/// time resolution of a common file system (FAT's 2 s).
const RACY: Duration = Duration::from_secs(3);

pub use crate::source::Stamp;

/// Every file under `root`'s source folders, and its configuration file, by path.
pub fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = SOURCES
        .iter()
        .flat_map(|name| {
            walkdir::WalkDir::new(root.join(name))
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|entry| {
                    // An entry that cannot be read is listed as it is: reading it fails later.
                    let entry = entry.ok()?;
                    (!entry.file_type().is_dir()).then(|| entry.into_path())
                })
        })
        .collect();
    files.push(root.join(crate::config::CONFIG_FILE));
    files
}

/// The stamps of the files under `dir` (`None` for one that cannot be read), by path relative
/// to it.
fn stamps(dir: &Path, files: Vec<PathBuf>) -> BTreeMap<String, Option<Stamp>> {
    use rayon::prelude::*;
    // In parallel: a stat is a walk of the path in the kernel, most of the time this takes.
    files
        .into_par_iter()
        .map(|path| {
            let stamp = std::fs::metadata(&path).ok().map(|m| Stamp::of(&m));
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            (relative.to_string_lossy().into_owned(), stamp)
        })
        .collect()
}

/// The sources of a site as they were when a build began: their stamps, and the hashes of
/// those whose stamps are too recent to be trusted.
#[derive(Debug, PartialEq, Eq)]
pub struct Sources {
    stamps: BTreeMap<String, Option<Stamp>>,
    hashes: BTreeMap<String, Key>,
}

impl Sources {
    /// The stamps a build may trust to change with the bytes (`source::Stamps`): of every
    /// source read as the build began whose times are not within [`RACY`] of now. None
    /// elsewhere than Unix, where there is no change time to rely on.
    pub fn trusted(&self) -> crate::source::Stamps {
        if !cfg!(unix) {
            return Default::default();
        }
        let now = now();
        let stamps = self
            .stamps
            .iter()
            .filter_map(|(path, stamp)| Some((path, (*stamp)?)))
            .filter(|(_, stamp)| !stamp.racy(now, RACY))
            .map(|(path, stamp)| (path.clone(), stamp))
            .collect();
        crate::source::Stamps::new(stamps)
    }
}

/// Looks at the sources of the site at `root`: their stamps, and the bytes of those changed
/// within [`RACY`].
pub fn sources(root: &Path) -> Sources {
    let now = now();
    let stamps = stamps(root, source_files(root));
    let hashes = stamps
        .iter()
        .filter(|(_, stamp)| stamp.is_some_and(|s| s.racy(now, RACY)))
        .filter_map(|(path, _)| Some((path.clone(), hash(&root.join(path))?)))
        .collect();
    Sources { stamps, hashes }
}

fn hash(path: &Path) -> Option<Key> {
    let bytes = std::fs::read(path).ok()?;
    Some(KeyBuilder::new("source").add(bytes).finish())
}

/// The stamps of the output folder's files and folders (by their paths relative to it; a
/// folder's ends with `/`, the output folder's own is empty). A folder's times change when an
/// entry is added to it, removed or renamed, so a stray file anywhere shows without reading
/// a folder; a build replaces the output folder, so another build shows in its inode.
fn outputs(output: &Path, paths: &[String]) -> BTreeMap<String, Option<Stamp>> {
    use rayon::prelude::*;
    paths
        .par_iter()
        .map(|path| {
            let stamp = std::fs::metadata(output.join(path))
                .ok()
                .map(|m| Stamp::of(&m));
            (path.clone(), stamp)
        })
        .collect()
}

/// The files a build wrote into its output folder, and every folder that holds them.
fn output_paths(site: &BuiltSite) -> Vec<String> {
    let files = site
        .files
        .keys()
        .chain(&site.written)
        .chain(site.copies.keys());
    let mut paths: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    paths.insert(String::new());
    for file in files {
        paths.insert(file.clone());
        // Its folders, up to one already listed (`a/b/` for `a/b/index.html`).
        let mut end = file.len();
        while let Some(slash) = file.get(..end).and_then(|head| head.rfind('/')) {
            let folder = file.get(..=slash).unwrap_or_default();
            if paths.contains(folder) || !paths.insert(folder.to_owned()) {
                break;
            }
            end = slash;
        }
    }
    paths.into_iter().collect()
}

/// A page as the page cache holds it: its key there, and the digest of the bytes the build
/// wrote (a page that looked up other content is kept under one key for each state of the
/// content it saw, so the key alone does not name its bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedAs {
    pub key: Key,
    pub digest: crate::cache::Digest,
}

/// Where the cache holds a file the build made that is not a cached page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Stored {
    /// By the key of its bytes (`Cache::put_file`).
    File(Key),
    /// A card, where the picture cache has it (`graphics::png::Fonts::cached`).
    Picture(Key),
}

/// The last recorded build of a site into a folder (`last`).
#[derive(Clone, Serialize, Deserialize)]
pub struct Record {
    /// The options and build date it was made with (the cache keys every entry by the build
    /// of tradetalks).
    options: Key,
    sources: BTreeMap<String, Option<Stamp>>,
    /// The hashes of the sources whose stamps were too recent to be trusted.
    hashes: BTreeMap<String, Key>,
    outputs: BTreeMap<String, Option<Stamp>>,
    /// The page cache's key of each page whose bytes it alone decides (`BuiltSite::page_keys`).
    pages: BTreeMap<String, CachedAs>,
    /// Every other file the build made, by where the cache holds it; `None` when one could
    /// not be read back to be kept.
    files: Option<BTreeMap<String, Stored>>,
    /// The files copied from the sources (static files, bundle files), from where.
    copies: BTreeMap<String, PathBuf>,
    page_count: usize,
    section_count: usize,
    /// What its link check read besides the pages' links (`BuiltSite::link_targets`).
    link_targets: Option<crate::check::LinkTargets>,
}

/// What a build that did nothing says it built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub pages: usize,
    pub sections: usize,
}

/// The name of the record of builds of the site at `root` into `output`.
fn name(root: &Path, output: &Path) -> Key {
    KeyBuilder::new("build record")
        .add(root.as_os_str().as_encoded_bytes())
        .add(output.as_os_str().as_encoded_bytes())
        .finish()
}

/// What else decides what a build of the site at `root` makes: the options, the build date,
/// the latest date a figure can have been checked on, and the machine's fonts (pictures are
/// drawn in them). The cache keys every entry by this build of tradetalks.
pub(crate) fn options_key(root: &Path, options: &BuildOptions) -> Key {
    let fonts = crate::graphics::png::Fonts::new(vec![root.join("fonts")]);
    KeyBuilder::new("build options")
        .add(fonts.digest().0)
        // The tests' forced panics (`guard::panic_for_tests`) must happen every time.
        .add(
            std::env::var_os("TRADETALKS_TEST_PANIC")
                .unwrap_or_default()
                .as_encoded_bytes(),
        )
        .add(options.base_url.as_deref().unwrap_or_default())
        .add([
            u8::from(options.include_drafts),
            u8::from(options.include_future),
        ])
        .add(options.today().to_string())
        .add(options.latest_check().to_string())
        .finish()
}

fn now() -> i128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

impl Record {
    /// What a build that did nothing, or restored this build's files, says it built.
    fn counts(&self) -> Counts {
        Counts {
            pages: self.page_count,
            sections: self.section_count,
        }
    }

    /// Whether the file at `path` in `output` still has the stamp this build left it with.
    fn holds(&self, output: &Path, path: &str) -> bool {
        let now = std::fs::metadata(output.join(path))
            .ok()
            .map(|m| Stamp::of(&m));
        now.is_some() && self.outputs.get(path) == Some(&now)
    }
}

/// The record of the last build of the site at `root` into `output`, read once for the
/// questions below. `None` without one (or elsewhere than Unix, where nothing is recorded).
pub fn last(cache: &Cache, root: &Path, output: &Path) -> Option<Record> {
    if !cfg!(unix) {
        return None;
    }
    cache.get::<Record>("build", &name(root, output))
}

/// Whether the output folder holds what a build of the site with `options` would make: it
/// and the sources (`now`, as the build begins) are as the last recorded build (`record`)
/// left them.
pub fn up_to_date(
    record: &Record,
    root: &Path,
    output: &Path,
    options: &BuildOptions,
    now: &Sources,
) -> Option<Counts> {
    let unchanged =
        same_sources(record, root, options, now) && outputs_unchanged(output, &record.outputs);
    unchanged.then(|| record.counts())
}

/// What the link check of `record`'s build read besides the pages' links
/// (`check::LinkTargets`): it found no broken link, or the build would not be recorded.
pub fn checked_targets(record: &Record) -> Option<crate::check::LinkTargets> {
    record.link_targets.clone()
}

/// The pages of the output folder that are as the last recorded build of the site with
/// `options` wrote them (their stamps are), with the page cache's key each was rendered from:
/// a build that renders a page from the same key again can keep the file where it is
/// (`output::Staging::reuse`). Empty when the options differ.
pub fn intact_pages(
    record: &Record,
    root: &Path,
    output: &Path,
    options: &BuildOptions,
) -> std::collections::HashMap<String, CachedAs> {
    use rayon::prelude::*;
    if record.options != options_key(root, options) {
        return Default::default();
    }
    record
        .pages
        .par_iter()
        .filter(|(path, _)| record.holds(output, path))
        .map(|(path, cached)| (path.clone(), *cached))
        .collect()
}

/// Whether the output folder's files and folders have the stamps `recorded`: its own first,
/// which tells at once when another build replaced it.
fn outputs_unchanged(output: &Path, recorded: &BTreeMap<String, Option<Stamp>>) -> bool {
    let folder = std::fs::metadata(output).ok().map(|m| Stamp::of(&m));
    recorded.get("") == Some(&folder) && {
        let paths: Vec<String> = recorded.keys().cloned().collect();
        outputs(output, &paths) == *recorded
    }
}

/// Records the build of `site` into `output`, which began with the sources `before`, after it
/// was written, unless the sources changed meanwhile (the output may then hold some of each).
/// A build that reported something is not recorded (a build that does nothing would not
/// report it again): the caller gives no `before` for it.
///
/// `alongside` (the removal of the previous build's folder) runs while the sources are
/// looked at again and the files kept, and is over before the output's files are stamped:
/// the previous folder's files are hard links to the same files, and unlinking one changes
/// the file's change time, which its stamp holds. Returns what `alongside` returned.
pub fn keep<R: Send>(
    cache: &Cache,
    root: &Path,
    output: &Path,
    options: &BuildOptions,
    before: Option<Sources>,
    site: &BuiltSite,
    alongside: impl FnOnce() -> R + Send,
) -> R {
    let Some(before) =
        before.filter(|_| cfg!(unix) && site.scheduled.is_empty() && cache.is_enabled())
    else {
        return alongside();
    };
    let (kept, done) = rayon::join(
        || {
            (stamps(root, source_files(root)) == before.stamps)
                .then(|| (kept_files(cache, output, site), output_paths(site)))
        },
        alongside,
    );
    let Some((files, paths)) = kept else {
        return done;
    };
    let record = Record {
        options: options_key(root, options),
        sources: before.stamps,
        hashes: before.hashes,
        outputs: outputs(output, &paths),
        pages: site.page_keys.clone(),
        files,
        copies: site
            .copies
            .iter()
            .map(|(path, from)| (path.clone(), std::path::absolute(from).unwrap_or_default()))
            .collect(),
        page_count: site.page_count,
        section_count: site.section_count,
        link_targets: site.link_targets.clone(),
    };
    cache.put("build", &name(root, output), &record);
    done
}

/// Where the cache holds every file of `site` that is not a cached page: a card where the
/// picture cache has it; any other file (feeds, the sitemap, the search index, lists, resized
/// pictures) by the key of its bytes, kept now: those in memory as they are, those already
/// written read back from `output`. A file the cache holds already is not written again.
fn kept_files(cache: &Cache, output: &Path, site: &BuiltSite) -> Option<BTreeMap<String, Stored>> {
    use rayon::prelude::*;
    let in_memory = site
        .files
        .par_iter()
        .map(|(path, bytes)| Some((path.clone(), Stored::File(cache.put_file(bytes)))));
    let written = site
        .written
        .par_iter()
        .filter(|path| !site.page_keys.contains_key(*path))
        .map(|path| {
            if let Some(key) = site.pictures.get(path) {
                return Some((path.clone(), Stored::Picture(*key)));
            }
            let bytes = std::fs::read(output.join(path)).ok()?;
            Some((path.clone(), Stored::File(cache.put_file(&bytes))))
        });
    in_memory.chain(written).collect()
}

/// Whether the sources, the options and the build date are as `record`'s build had them.
fn same_sources(record: &Record, root: &Path, options: &BuildOptions, now: &Sources) -> bool {
    record.options == options_key(root, options)
        && record.sources == now.stamps
        && record
            .hashes
            .iter()
            .all(|(path, recorded)| hash(&root.join(path)).as_ref() == Some(recorded))
}

/// A build whose sources, options and build date are as the last recorded build had them,
/// into an output folder that is not as it left it (removed, replaced by another build,
/// changed): that build's files again, from the build cache, with nothing rendered, as Bazel
/// fetches the outputs of an action it has run before. Files of the output folder still as
/// recorded are linked into the new folder, not written. `None`, with the output folder as it
/// was, when the cache no longer holds every file as the record names it (the build then
/// makes them).
pub fn restore(
    cache: &Cache,
    record: &Record,
    root: &Path,
    output: &Path,
    options: &BuildOptions,
    now: &Sources,
) -> Option<Counts> {
    use rayon::prelude::*;
    if !same_sources(record, root, options, now) {
        return None;
    }
    let files = record.files.as_ref()?;
    let staging = crate::output::Staging::begin(output).ok()?;
    // A folder that another build replaced holds none of the recorded files: no need to look.
    let folder = std::fs::metadata(output).ok().map(|m| Stamp::of(&m));
    let same_folder = matches!(
        (record.outputs.get(""), folder),
        (Some(Some(recorded)), Some(now)) if recorded.inode == now.inode
    );
    let intact = |path: &str| same_folder && record.holds(output, path) && staging.reuse(path);
    let pages = record.pages.par_iter().map(|(path, cached)| {
        intact(path)
            || super::PageCache::html(cache, cached)
                .is_some_and(|html| staging.put(path, html.as_bytes()).is_ok())
    });
    let others = files.par_iter().map(|(path, stored)| {
        intact(path)
            || match stored {
                Stored::File(key) => cache.get_file(key),
                Stored::Picture(key) => crate::graphics::png::Fonts::cached(cache, key),
            }
            .is_some_and(|bytes| staging.put(path, &bytes).is_ok())
    });
    // Every file is tried, none given up on at the first miss: reading a spoilt entry
    // removes it, so that the build that follows keeps that file again.
    if pages.chain(others).filter(|restored| !restored).count() > 0 {
        return None;
    }
    let site = BuiltSite {
        written: record.pages.keys().chain(files.keys()).cloned().collect(),
        copies: record.copies.clone(),
        ..BuiltSite::default()
    };
    staging.finish(&site).ok()?.remove().ok()?;
    // Recorded again with the new folder's stamps, unless a source changed meanwhile.
    if stamps(root, source_files(root)) == record.sources {
        let outputs = outputs(output, &output_paths(&site));
        let record = Record {
            outputs,
            ..record.clone()
        };
        cache.put("build", &name(root, output), &record);
    }
    Some(record.counts())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_tells_a_rewrite_that_kept_its_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "one").unwrap();
        let before = Stamp::of(&std::fs::metadata(&path).unwrap());
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "two").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let after = Stamp::of(&std::fs::metadata(&path).unwrap());
        assert_eq!((after.size, after.modified), (before.size, before.modified));
        assert_ne!(after, before, "the change time tells");
    }

    #[test]
    fn only_sources_changed_within_seconds_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/old.md"), "old").unwrap();
        std::fs::write(dir.path().join("content/new.md"), "new").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("content/old.md"))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let sources = sources(dir.path());
        // The change time of both is now: setting a time is a change too.
        assert!(sources.hashes.contains_key("content/new.md"));
        assert!(sources.stamps.contains_key("content/old.md"));
        assert!(sources.stamps.contains_key(crate::config::CONFIG_FILE));
        assert_eq!(
            sources.stamps[crate::config::CONFIG_FILE],
            None,
            "no such file"
        );
    }

    /// A file system with coarse times can give a second edit the stamp of the first: the
    /// bytes of a recent source then decide.
    #[test]
    fn a_recent_source_is_compared_by_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (root, output) = (dir.path().join("site"), dir.path().join("out"));
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(&output).unwrap();
        std::fs::write(root.join("content/a.md"), "a").unwrap();
        std::fs::write(output.join("index.html"), "a").unwrap();
        let cache = Cache::at(dir.path().join("cache"));
        let options = BuildOptions {
            as_of: Some(jiff::civil::date(2025, 4, 20)),
            ..BuildOptions::default()
        };
        let site = BuiltSite {
            page_count: 1,
            ..BuiltSite::default()
        };
        let keep_as =
            |before: Sources| keep(&cache, &root, &output, &options, Some(before), &site, || 7);
        let now = sources(&root);
        let recorded = || {
            let record = last(&cache, &root, &output).unwrap();
            up_to_date(&record, &root, &output, &options, &now)
        };
        assert!(now.hashes.contains_key("content/a.md"));
        assert_eq!(keep_as(sources(&root)), 7, "what ran alongside is returned");
        assert_eq!(recorded().map(|c| c.pages), Some(1));
        // As if the build had read other bytes under the same stamp.
        let mut other = sources(&root);
        other
            .hashes
            .insert("content/a.md".into(), KeyBuilder::new("x").finish());
        keep_as(other);
        assert_eq!(recorded(), None);
        // A build that reported something (given no sources) is not recorded: the last
        // record stays; what goes alongside still runs.
        let ran = std::sync::atomic::AtomicBool::new(false);
        let run = || ran.store(true, std::sync::atomic::Ordering::Relaxed);
        keep(&cache, &root, &output, &options, None, &site, run);
        assert!(ran.into_inner());
        assert_eq!(recorded(), None);
    }

    #[test]
    fn the_output_paths_are_the_files_and_every_folder_above_them() {
        let mut site = BuiltSite::default();
        for file in ["index.html", "a/b/index.html", "a/c.css"] {
            site.files.insert(file.to_owned(), b"x".to_vec().into());
        }
        site.written.insert("a/b/d/index.html".to_owned());
        assert_eq!(
            output_paths(&site),
            [
                "",
                "a/",
                "a/b/",
                "a/b/d/",
                "a/b/d/index.html",
                "a/b/index.html",
                "a/c.css",
                "index.html"
            ]
        );
    }

    #[test]
    fn a_stamp_close_to_now_is_not_trusted() {
        let stamp = Stamp {
            size: 1,
            modified: 10_000_000_000,
            changed: 10_000_000_000,
            inode: 1,
        };
        assert!(stamp.racy(11_000_000_000, RACY));
        assert!(!stamp.racy(20_000_000_000, RACY));
    }
}
