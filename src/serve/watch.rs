//! File watching for `serve`: which changes matter, and a watcher (native events, or polling
//! where those are not available) that reports them in batches, one per save.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::CONFIG_FILE;
use crate::content::is_ignored;
// Polling compares files as a build does to know whether it has anything to do (size,
// nanosecond modification and change times, inode): two saves within a second, or a save
// through a temporary file, are each a change.
use crate::pipeline::record::Stamp;

/// What a changed file is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Config,
    Content,
    Data,
    Template,
    Static,
}

/// The folders and files a site is built from, relative to its root.
pub const WATCHED: [&str; 5] = ["content", "data", "templates", "static", CONFIG_FILE];

/// Classifies a changed path: `None` for what cannot change the site (the output folder,
/// editor swap and backup files, hidden files, anything outside the source folders).
pub fn classify(root: &Path, output: &Path, path: &Path) -> Option<Change> {
    if path.starts_with(output) {
        return None;
    }
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_str()?;
    if relative
        .components()
        .any(|c| is_ignored(c.as_os_str()) || c.as_os_str() == "node_modules")
    {
        return None;
    }
    let inside = parts.next().is_some();
    match (first, inside) {
        (CONFIG_FILE, false) => Some(Change::Config),
        ("content", _) => Some(Change::Content),
        ("data", _) => Some(Change::Data),
        ("templates", _) => Some(Change::Template),
        ("static", _) => Some(Change::Static),
        _ => None,
    }
}

/// Whether an event can change what a file holds. Reads (the build's own) and metadata
/// changes such as access times do not; otherwise every rebuild would trigger the next.
fn changes_content(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            | EventKind::Any
    ) || closes_a_write(kind)
}

fn closes_a_write(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
    )
}

/// Whether an event leaves its file being written: until the writer closes it (an event only
/// inotify gives), more of the same save may follow.
fn opens_a_write(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(CreateKind::File | CreateKind::Any | CreateKind::Other)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
            | EventKind::Any
    )
}

/// The changes of one save (or of several close together), gathered until the files are quiet.
#[derive(Default)]
struct Batch {
    changes: BTreeSet<(Change, PathBuf)>,
    /// Files written and not yet closed.
    open: BTreeSet<PathBuf>,
}

impl Batch {
    /// Adds what `event` changed; whether it changed anything that matters.
    fn add(&mut self, root: &Path, output: &Path, event: &Event) -> bool {
        if !changes_content(&event.kind) {
            return false;
        }
        let mut matters = false;
        for path in &event.paths {
            let Some(change) = classify(root, output, path) else {
                continue;
            };
            if opens_a_write(&event.kind) {
                self.open.insert(path.clone());
            } else {
                self.open.remove(path);
            }
            self.changes.insert((change, path.clone()));
            matters = true;
        }
        matters
    }

    /// How long to wait for more before the batch is sent: `settle` when every file written
    /// has been closed (the save is over unless another begins at once), else `quiet`, the
    /// time without events that ends a save whose end is not seen (polling, and platforms
    /// without close events).
    fn wait(&self, settle: Duration, quiet: Duration) -> Duration {
        if self.open.is_empty() { settle } else { quiet }
    }
}

/// Gathers events from `events` into batches of changes and sends each to `sender`, until
/// either side is gone. A batch starts with the first change that matters and ends when none
/// came for [`Batch::wait`]; other events (the builds' own reads) do not put its end off.
fn gather(
    events: &mpsc::Receiver<notify::Result<Event>>,
    root: &Path,
    output: &Path,
    (settle, quiet): (Duration, Duration),
    sender: &mpsc::Sender<Vec<(Change, PathBuf)>>,
) {
    loop {
        let mut batch = Batch::default();
        while batch.changes.is_empty() {
            match events.recv() {
                Ok(Ok(event)) => {
                    batch.add(root, output, &event);
                }
                Ok(Err(_)) => {}
                Err(_) => return,
            }
        }
        let mut gone = false;
        let mut last = Instant::now();
        loop {
            let end = last + batch.wait(settle, quiet);
            let Some(left) = end.checked_duration_since(Instant::now()) else {
                break;
            };
            match events.recv_timeout(left) {
                Ok(Ok(event)) => {
                    if batch.add(root, output, &event) {
                        last = Instant::now();
                    }
                }
                Ok(Err(_)) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    gone = true;
                    break;
                }
            }
        }
        if sender.send(batch.changes.into_iter().collect()).is_err() || gone {
            return;
        }
    }
}

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    backend: Backend,
    /// Source folders being watched, so that ones created later are added.
    watched: Vec<PathBuf>,
}

enum Backend {
    Native(RecommendedWatcher),
    /// Polling watches every source folder of the root, whenever it exists: nothing to add.
    Polling {
        _poller: Poller,
    },
}

impl SiteWatcher {
    /// Starts watching the root (for a new `tradetalks.toml` or source folder) and every
    /// source folder that exists and is not watched yet. Called again after each change, so a
    /// `static/` created while serving is watched from then on.
    pub fn watch_sources(&mut self, root: &Path) -> notify::Result<()> {
        let Backend::Native(watcher) = &mut self.backend else {
            return Ok(());
        };
        if self.watched.is_empty() {
            watcher.watch(root, RecursiveMode::NonRecursive)?;
            self.watched.push(root.to_path_buf());
        }
        for name in WATCHED {
            let path = root.join(name);
            if path.is_dir() && !self.watched.contains(&path) {
                watcher.watch(&path, RecursiveMode::Recursive)?;
                self.watched.push(path);
            }
        }
        Ok(())
    }
}

/// How often polling looks at the files.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Every file of the root's sources, with its stamp.
fn scan(root: &Path) -> BTreeMap<PathBuf, Stamp> {
    let mut files = BTreeMap::new();
    for name in WATCHED {
        let walk = walkdir::WalkDir::new(root.join(name))
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| !is_ignored(e.file_name()) && e.file_name() != "node_modules");
        for entry in walk.filter_map(Result::ok) {
            if entry.file_type().is_dir() {
                continue;
            }
            if let Ok(metadata) = entry.metadata() {
                files.insert(entry.into_path(), Stamp::of(&metadata));
            }
        }
    }
    files
}

/// The events that turn the files `before` into the files `after`.
fn differences(before: &BTreeMap<PathBuf, Stamp>, after: &BTreeMap<PathBuf, Stamp>) -> Vec<Event> {
    let changed = after.iter().filter_map(|(path, stamp)| {
        let kind = match before.get(path) {
            None => EventKind::Create(CreateKind::File),
            Some(old) if old != stamp => {
                EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any))
            }
            Some(_) => return None,
        };
        Some(Event::new(kind).add_path(path.clone()))
    });
    let removed = before
        .keys()
        .filter(|path| !after.contains_key(*path))
        .map(|path| {
            Event::new(EventKind::Remove(notify::event::RemoveKind::File)).add_path(path.clone())
        });
    changed.chain(removed).collect()
}

/// Looks at the root's sources every [`POLL_EVERY`] and reports what changed, where native
/// file events are not available. Dropping it stops the polling.
struct Poller {
    _stop: mpsc::Sender<()>,
}

impl Poller {
    /// Starts polling; the files as they are now are the ones later scans compare with.
    fn start(root: &Path, events: mpsc::Sender<notify::Result<Event>>) -> std::io::Result<Poller> {
        let (stop, stopped) = mpsc::channel::<()>();
        let root = root.to_path_buf();
        let mut files = scan(&root);
        std::thread::Builder::new()
            .name("poll".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(POLL_EVERY) {
                    let now = scan(&root);
                    for event in differences(&files, &now) {
                        if events.send(Ok(event)).is_err() {
                            return;
                        }
                    }
                    files = now;
                }
            })?;
        Ok(Poller { _stop: stop })
    }
}

/// How long a batch waits for more once every file written has been closed: an editor's save
/// through a temporary file renames it within this.
const SETTLE: Duration = Duration::from_millis(3);

/// Watches the site's sources and sends each batch of relevant changes: when the files
/// written have been closed and nothing else happened for a few milliseconds, or, where the
/// end of a write cannot be seen, after `quiet` without events. Falls back to polling when
/// native events cannot be set up (or when `poll` is asked for).
pub fn watch(
    root: &Path,
    output: &Path,
    poll: bool,
    quiet: Duration,
    sender: mpsc::Sender<Vec<(Change, PathBuf)>>,
) -> Result<SiteWatcher, String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot watch the site: {e}");
    let (events, received) = mpsc::channel();
    {
        let (root, output) = (root.to_path_buf(), output.to_path_buf());
        std::thread::Builder::new()
            .name("watch".into())
            .spawn(move || gather(&received, &root, &output, (SETTLE, quiet), &sender))
            .map_err(|e| cannot(&e))?;
    }
    if !poll {
        if let Ok(watcher) = RecommendedWatcher::new(events.clone(), notify::Config::default()) {
            let mut watcher = SiteWatcher {
                backend: Backend::Native(watcher),
                watched: Vec::new(),
            };
            if watcher.watch_sources(root).is_ok() {
                return Ok(watcher);
            }
        }
        eprintln!("note: native file events are not available here; polling every 500 ms");
    }
    let poller = Poller::start(root, events).map_err(|e| cannot(&e))?;
    Ok(SiteWatcher {
        backend: Backend::Polling { _poller: poller },
        watched: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(path: &str) -> Option<Change> {
        classify(
            Path::new("/site"),
            Path::new("/site/public"),
            Path::new(path),
        )
    }

    #[test]
    fn source_folders_and_config_are_changes() {
        assert_eq!(
            class("/site/content/countries/japan.md"),
            Some(Change::Content)
        );
        assert_eq!(class("/site/content/countries/new"), Some(Change::Content));
        assert_eq!(class("/site/data/rates.csv"), Some(Change::Data));
        assert_eq!(
            class("/site/templates/shortcodes/table.html"),
            Some(Change::Template)
        );
        assert_eq!(class("/site/static/style.css"), Some(Change::Static));
        assert_eq!(class("/site/tradetalks.toml"), Some(Change::Config));
    }

    #[test]
    fn output_editor_files_and_strangers_are_not() {
        assert_eq!(class("/site/public/index.html"), None);
        assert_eq!(class("/site/content/.japan.md.swp"), None);
        assert_eq!(class("/site/content/japan.md~"), None);
        assert_eq!(class("/site/content/#japan.md#"), None);
        assert_eq!(class("/site/content/.hidden/x.md"), None);
        assert_eq!(class("/site/README.md"), None);
        assert_eq!(class("/site/target/debug/x"), None);
        assert_eq!(class("/site/tradetalks.toml/x"), None);
        assert_eq!(class("/elsewhere/content/a.md"), None);
    }

    #[test]
    fn reads_and_metadata_are_not_changes() {
        use notify::event::{DataChange, MetadataKind};
        assert!(!changes_content(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_content(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
    }

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    fn written(path: &str) -> Event {
        event(
            EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any)),
            path,
        )
    }

    fn closed(path: &str) -> Event {
        event(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            path,
        )
    }

    const WAITS: (Duration, Duration) = (Duration::from_millis(3), Duration::from_millis(15));

    #[test]
    fn a_batch_waits_long_only_while_a_file_is_being_written() {
        let (root, output) = (Path::new("/site"), Path::new("/site/public"));
        let mut batch = Batch::default();
        batch.add(root, output, &written("/site/content/a.md"));
        batch.add(root, output, &written("/site/content/b.md"));
        assert_eq!(batch.wait(WAITS.0, WAITS.1), WAITS.1);
        batch.add(root, output, &closed("/site/content/a.md"));
        assert_eq!(batch.wait(WAITS.0, WAITS.1), WAITS.1, "b.md is still open");
        batch.add(root, output, &closed("/site/content/b.md"));
        assert_eq!(batch.wait(WAITS.0, WAITS.1), WAITS.0);
        // A save through a temporary file ends with the rename onto the page.
        let renamed = event(
            EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::To)),
            "/site/content/c.md",
        );
        batch.add(root, output, &renamed);
        assert_eq!(batch.wait(WAITS.0, WAITS.1), WAITS.0);
        let changed: Vec<&Path> = batch.changes.iter().map(|(_, p)| p.as_path()).collect();
        assert_eq!(
            changed,
            [
                "/site/content/a.md",
                "/site/content/b.md",
                "/site/content/c.md"
            ]
            .map(Path::new)
        );
    }

    #[test]
    fn one_save_is_one_batch_and_reads_are_none() {
        let (sender, events) = mpsc::channel();
        let (batches, received) = mpsc::channel();
        let read = event(
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            "/site/content/a.md",
        );
        for e in [
            read.clone(),
            written("/site/content/a.md"),
            written("/site/public/a/index.html"),
            written("/site/content/a.md"),
            closed("/site/content/a.md"),
        ] {
            sender.send(Ok(e)).unwrap();
        }
        let thread = std::thread::spawn(move || {
            gather(
                &events,
                Path::new("/site"),
                Path::new("/site/public"),
                WAITS,
                &batches,
            )
        });
        let batch = received.recv().unwrap();
        assert_eq!(
            batch,
            [(Change::Content, PathBuf::from("/site/content/a.md"))]
        );
        // The build's own reads make no batch; the watcher's end ends the gathering.
        sender.send(Ok(read)).unwrap();
        drop(sender);
        thread.join().unwrap();
        assert!(received.try_recv().is_err());
    }

    #[test]
    fn polling_tells_new_changed_and_removed_files_apart_to_the_nanosecond() {
        let file = |name: &str, size, modified, inode| {
            let stamp = Stamp {
                size,
                modified,
                changed: modified,
                inode,
            };
            (PathBuf::from(format!("/site/content/{name}")), stamp)
        };
        let second = 1_000_000_000;
        let before = BTreeMap::from([
            file("a.md", 10, second, 1),
            file("b.md", 10, second, 2),
            file("c.md", 10, second, 3),
            file("d.md", 10, second, 4),
        ]);
        let after = BTreeMap::from([
            // Saved again within the same second, at the same size.
            file("a.md", 10, second + 1, 1),
            file("b.md", 10, second, 2),
            // Saved through a temporary file renamed onto it.
            file("c.md", 10, second, 9),
            file("e.md", 3, 2 * second, 5),
        ]);
        let events: Vec<(String, &str)> = differences(&before, &after)
            .iter()
            .map(|e| {
                let kind = match e.kind {
                    EventKind::Create(_) => "new",
                    EventKind::Remove(_) => "removed",
                    _ => "changed",
                };
                (e.paths[0].display().to_string(), kind)
            })
            .collect();
        assert_eq!(
            events,
            [
                ("/site/content/a.md".to_owned(), "changed"),
                ("/site/content/c.md".to_owned(), "changed"),
                ("/site/content/e.md".to_owned(), "new"),
                ("/site/content/d.md".to_owned(), "removed"),
            ]
        );
        assert!(differences(&after, &after).is_empty());
    }

    #[test]
    fn an_output_folder_inside_content_is_still_ignored() {
        let output = Path::new("/site/content/out");
        assert_eq!(
            classify(
                Path::new("/site"),
                output,
                Path::new("/site/content/out/a.html")
            ),
            None
        );
    }
}
