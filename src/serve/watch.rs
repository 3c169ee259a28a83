//! File watching for `serve`: which changes matter, and a debounced watcher (native events,
//! or polling where those are not available) that reports them in batches.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt};

use crate::config::CONFIG_FILE;
use crate::content::is_ignored;

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
    )
}

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    debouncer: Backend,
    /// Source folders being watched, so that ones created later are added.
    watched: Vec<PathBuf>,
}

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Polling(Debouncer<PollWatcher, RecommendedCache>),
}

impl SiteWatcher {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.debouncer {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Polling(d) => d.watch(path, mode),
        }
    }

    /// Starts watching the root (for a new `tradetalks.toml` or source folder) and every
    /// source folder that exists and is not watched yet. Called again after each change, so a
    /// `static/` created while serving is watched from then on.
    pub fn watch_sources(&mut self, root: &Path) -> notify::Result<()> {
        if self.watched.is_empty() {
            self.watch(root, RecursiveMode::NonRecursive)?;
            self.watched.push(root.to_path_buf());
        }
        for name in WATCHED {
            let path = root.join(name);
            if path.is_dir() && !self.watched.contains(&path) {
                self.watch(&path, RecursiveMode::Recursive)?;
                self.watched.push(path);
            }
        }
        Ok(())
    }
}

/// Watches the site's sources and sends each debounced batch of relevant changes.
/// Falls back to polling when native events cannot be set up (or when `poll` is asked for).
pub fn watch(
    root: &Path,
    output: &Path,
    poll: bool,
    debounce: Duration,
    sender: mpsc::Sender<Vec<(Change, PathBuf)>>,
) -> Result<SiteWatcher, String> {
    let handler = {
        let root = root.to_path_buf();
        let output = output.to_path_buf();
        move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            let mut changes: Vec<(Change, PathBuf)> = events
                .iter()
                .filter(|e| changes_content(&e.kind))
                .flat_map(|e| e.paths.iter())
                .filter_map(|p| classify(&root, &output, p).map(|c| (c, p.clone())))
                .collect();
            changes.sort();
            changes.dedup();
            if !changes.is_empty() {
                let _ = sender.send(changes);
            }
        }
    };
    if !poll {
        if let Ok(debouncer) = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
            debounce,
            None,
            handler.clone(),
            RecommendedCache::new(),
            notify::Config::default(),
        ) {
            let mut watcher = SiteWatcher {
                debouncer: Backend::Native(debouncer),
                watched: Vec::new(),
            };
            if watcher.watch_sources(root).is_ok() {
                return Ok(watcher);
            }
        }
        eprintln!("note: native file events are not available here; polling every 500 ms");
    }
    let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
    let debouncer = new_debouncer_opt::<_, PollWatcher, RecommendedCache>(
        debounce,
        None,
        handler,
        RecommendedCache::new(),
        config,
    )
    .map_err(|e| format!("cannot watch the site: {e}"))?;
    let mut watcher = SiteWatcher {
        debouncer: Backend::Polling(debouncer),
        watched: Vec::new(),
    };
    watcher
        .watch_sources(root)
        .map_err(|e| format!("cannot watch the site: {e}"))?;
    Ok(watcher)
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
        use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind};
        assert!(!changes_content(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
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
