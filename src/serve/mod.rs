//! `tradetalks serve`: build in memory, serve the last good build over HTTP, watch the sources
//! and rebuild on every change, and tell open pages to reload (or show the errors).
//!
//! Correctness first: an edit to existing pages updates the last build through
//! `pipeline::session`, which redoes everything the edit can reach (tested against full
//! builds); every other change rebuilds the whole site with the same pipeline as `build`.

mod http;
mod snapshot;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};

use annotate_snippets::Renderer;
use tokio::sync::broadcast;

use crate::diagnostic::Diagnostics;
use crate::failure::Failure;
use crate::pipeline::{self, BuildOptions, BuiltSite, session::Session};
use watch::Change;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub include_drafts: bool,
    pub include_future: bool,
    pub as_of: Option<jiff::civil::Date>,
    /// Poll for changes instead of using the platform's file events.
    pub poll: bool,
    /// The build cache's folder, if any: the first build (and each full one) reads it.
    pub cache_dir: Option<PathBuf>,
}

/// What open pages are told after each build, and when they connect: the number of the
/// last good build (a page from an older one reloads) and, while the build is broken, the
/// errors as the terminal shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SiteState {
    pub version: u64,
    pub error: Option<String>,
}

/// The state the HTTP handlers read and the rebuild thread writes.
pub struct Shared {
    site: RwLock<Arc<BuiltSite>>,
    state: RwLock<SiteState>,
    events: broadcast::Sender<SiteState>,
}

impl Shared {
    fn site(&self) -> Arc<BuiltSite> {
        self.site.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    fn state(&self) -> SiteState {
        self.state.read().map(|s| s.clone()).unwrap_or(SiteState {
            version: 0,
            error: None,
        })
    }

    /// Records a build: a good one replaces the site, counts a new version and clears the
    /// error; a bad one keeps the last good site and records the errors. Then tells every
    /// open page.
    fn record(&self, site: Option<BuiltSite>, diagnostics: &Diagnostics) {
        let Ok(mut state) = self.state.write() else {
            return;
        };
        match site {
            Some(site) => {
                if let Ok(mut current) = self.site.write() {
                    *current = Arc::new(site);
                }
                state.version += 1;
                state.error = None;
            }
            None => state.error = Some(diagnostics.render(&Renderer::plain())),
        }
        let _ = self.events.send(state.clone());
    }
}

pub fn run(options: ServeOptions, renderer: &Renderer) -> ExitCode {
    crate::failure::exit_code(serve(options, renderer))
}

fn serve(options: ServeOptions, renderer: &Renderer) -> Result<ExitCode, Failure> {
    // Watch events carry absolute paths; compare them with an absolute root.
    let root = options
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.root.clone());
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Failure::Usage(format!(
            "no `{}` in `{}`: this is not a tradetalks site\n  = help: pass `--root DIR`, or run `tradetalks init DIR` to start a site",
            crate::config::CONFIG_FILE,
            root.display()
        )));
    }
    let address = SocketAddr::new(options.bind, options.port);
    let listener = match TcpListener::bind(address) {
        Ok(listener) => listener,
        Err(err) => {
            let hint = if err.kind() == std::io::ErrorKind::AddrInUse {
                "; another program is using it: pass `--port N`, or `--port 0` for any free port"
            } else {
                ""
            };
            return Err(Failure::Server(format!(
                "cannot listen on {address}: {err}{hint}"
            )));
        }
    };
    let local = listener.local_addr().unwrap_or(address);
    let host = if local.ip().is_unspecified() {
        "localhost".to_owned()
    } else {
        local
            .to_string()
            .rsplit_once(':')
            .map_or(local.ip().to_string(), |(h, _)| h.to_owned())
    };
    let url = format!("http://{host}:{}/", local.port());
    let build_options = BuildOptions {
        include_drafts: options.include_drafts,
        include_future: options.include_future,
        base_url: Some(url.clone()),
        as_of: options.as_of,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        cache_dir: options.cache_dir.clone(),
        ..BuildOptions::default()
    };

    let started = Instant::now();
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        site: RwLock::new(Arc::new(BuiltSite::default())),
        state: RwLock::new(SiteState {
            version: 0,
            error: None,
        }),
        events,
    });
    // With a cache: the site as `serve` last built it, when nothing it was built from has
    // changed since. It is served at once, and the session is built in the background.
    let cache = options.cache_dir.clone().map(crate::cache::Cache::at);
    let inputs = cache
        .as_ref()
        .map(|_| snapshot::inputs(&root, &build_options));
    let from_snapshot = cache
        .as_ref()
        .zip(inputs.as_ref())
        .and_then(|(cache, inputs)| snapshot::load(cache, &root, inputs));
    let session = match from_snapshot {
        Some(site) => {
            shared.record(Some(site), &Diagnostics::default());
            eprintln!(
                "Serving the site as it was last built, from the cache ({} ms); building it again meanwhile",
                started.elapsed().as_millis()
            );
            None
        }
        None => {
            let session = start_session(&root, &build_options, &shared, renderer, false);
            if let (true, Some(cache), Some(inputs)) = (session.is_some(), cache, inputs) {
                keep_snapshot(
                    cache,
                    root.clone(),
                    build_options.clone(),
                    inputs,
                    shared.site(),
                );
            }
            Some(session)
        }
    };

    let (sender, receiver) = mpsc::channel();
    let output = root.join("public");
    let watcher = match watch::watch(
        &root,
        &output,
        options.poll,
        Duration::from_millis(15),
        sender,
    ) {
        Ok(watcher) => watcher,
        Err(message) => return Err(Failure::Server(message)),
    };
    {
        let shared = Arc::clone(&shared);
        let root = root.clone();
        let renderer = renderer.clone();
        std::thread::Builder::new()
            .name("rebuild".into())
            .spawn(move || {
                let session = match session {
                    Some(session) => session,
                    None => start_session(&root, &build_options, &shared, &renderer, true),
                };
                rebuild_loop(
                    &root,
                    &build_options,
                    session,
                    &shared,
                    &receiver,
                    watcher,
                    &renderer,
                )
            })
            .ok();
    }

    eprintln!("Serving {} at {url} (Ctrl-C to stop)", root.display());
    let cannot_start =
        |err: std::io::Error| Failure::Server(format!("cannot start the server: {err}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(cannot_start)?;
    runtime.block_on(async move {
        listener.set_nonblocking(true).map_err(cannot_start)?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(cannot_start)?;
        let server = axum::serve(listener, http::router(shared));
        tokio::select! {
            result = server => match result {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(err) => Err(Failure::Server(format!("the server stopped: {err}"))),
            },
            _ = tokio::signal::ctrl_c() => {
                eprintln!("\nStopped.");
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// Builds the site's session, prints what the build said and serves its site. Behind a
/// snapshot already served, the site is recorded (and open pages told to reload) only when
/// it differs from the snapshot, which it cannot unless the sources changed meanwhile.
fn start_session(
    root: &Path,
    options: &BuildOptions,
    shared: &Shared,
    renderer: &Renderer,
    behind_snapshot: bool,
) -> Option<Session> {
    let started = Instant::now();
    let (session, diagnostics) = pipeline::session::start(root, options);
    if !diagnostics.is_empty() {
        eprint!("{}", diagnostics.render(renderer));
    }
    let site = session.as_ref().map(|s| s.site().servable());
    let elapsed = started.elapsed().as_millis();
    let served = shared.site();
    match site {
        None => {
            shared.record(None, &diagnostics);
            eprintln!("The build failed; serving its errors until the next good edit");
        }
        Some(site)
            if behind_snapshot && site.files == served.files && site.copies == served.copies =>
        {
            eprintln!("Built the site in {elapsed} ms: the same as served");
        }
        Some(site) => {
            shared.record(Some(site), &diagnostics);
            match behind_snapshot {
                true => eprintln!("Built the site in {elapsed} ms: it changed, open pages reload"),
                false => eprintln!("Built the site in {elapsed} ms"),
            }
        }
    }
    session
}

/// Keeps `site`, built from `inputs`, as the site's snapshot, in the background: if the
/// sources still are what it was built from (an edit during the build would make it stale).
fn keep_snapshot(
    cache: crate::cache::Cache,
    root: PathBuf,
    options: BuildOptions,
    inputs: crate::cache::Key,
    site: Arc<BuiltSite>,
) {
    // On a pool of its own: on the shared one, the first edit's update would wait behind the
    // hashing and writing of every file (about 300 ms at 10,000 pages).
    let saving = move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "snapshot".into())
            .build();
        let save = || {
            if snapshot::inputs(&root, &options) == inputs {
                snapshot::save(&cache, &root, &inputs, &site);
            }
        };
        match pool {
            Ok(pool) => pool.install(save),
            Err(_) => save(),
        }
    };
    let _ = std::thread::Builder::new()
        .name("snapshot".into())
        .spawn(move || {
            let _ = crate::guard::catch(|| "keeping the snapshot of the site".to_owned(), saving);
        });
}

/// Rebuilds after each batch of changes (and once more if changes arrived meanwhile). Edits
/// to existing pages update the last build (`pipeline::session`); anything else, or an
/// update that cannot be made, builds the whole site.
fn rebuild_loop(
    root: &Path,
    options: &BuildOptions,
    mut session: Option<Session>,
    shared: &Shared,
    receiver: &mpsc::Receiver<Vec<(Change, PathBuf)>>,
    mut watcher: watch::SiteWatcher,
    renderer: &Renderer,
) {
    while let Ok(mut changes) = receiver.recv() {
        while let Ok(more) = receiver.try_recv() {
            changes.extend(more);
        }
        // Whatever goes wrong while handling a change, this thread goes on watching: a bug
        // shows like a build error, and the next change builds in full.
        let what = describe(root, &changes);
        let handled = crate::guard::catch(
            || what.replacen("Changed", "handling the change to", 1),
            || rebuild(root, options, &mut session, &mut watcher, changes, renderer),
        );
        match handled {
            Ok(Some((site, diagnostics))) => shared.record(site, &diagnostics),
            Ok(None) => {}
            Err(bug) => {
                session = None;
                let mut diagnostics = Diagnostics::default();
                diagnostics.push(bug);
                eprint!("{}", diagnostics.render(renderer));
                shared.record(None, &diagnostics);
            }
        }
    }
}

/// Handles one batch of changes: updates the last build or builds the site again, and says
/// so in the terminal. `None` when the batch changed nothing.
fn rebuild(
    root: &Path,
    options: &BuildOptions,
    session: &mut Option<Session>,
    watcher: &mut watch::SiteWatcher,
    mut changes: Vec<(Change, PathBuf)>,
    renderer: &Renderer,
) -> Option<(Option<BuiltSite>, Diagnostics)> {
    // A source folder created since the last change is watched from now on.
    if let Err(err) = watcher.watch_sources(root) {
        eprintln!("warning: cannot watch a new folder: {err}");
    }
    // A content file that came and went between two builds (vim's `4913` probe, say)
    // changed nothing; the rest of the batch decides.
    if let Some(current) = session.as_ref() {
        changes.retain(|(change, path)| {
            *change != Change::Content || path.exists() || current.read_content_file(path)
        });
        if changes.is_empty() {
            return None;
        }
    }
    let started = Instant::now();
    let what = describe(root, &changes);
    let edited: Vec<PathBuf> = changes
        .iter()
        .filter(|(change, path)| {
            *change == Change::Content && path.extension().is_some_and(|e| e == "md")
        })
        .map(|(_, path)| path.clone())
        .collect();
    let updated = match session.as_mut() {
        Some(current) if edited.len() == changes.len() => {
            let edits = || {
                let names: Vec<String> = edited
                    .iter()
                    .map(|p| format!("`{}`", crate::source::display_name(root, p)))
                    .collect();
                format!("updating the site after the edit of {}", names.join(", "))
            };
            crate::guard::catch(edits, || current.update(&edited))
        }
        _ => Ok(None),
    };
    let (site, diagnostics, how) = match (updated, session.as_ref()) {
        (Ok(Some(diagnostics)), Some(current)) => {
            (Some(current.site().servable()), diagnostics, "updated")
        }
        // A bug during an update: the session may be half-changed, so it goes, the last
        // good site stays up, and the next change builds in full.
        (Err(bug), _) => {
            *session = None;
            let mut diagnostics = Diagnostics::default();
            diagnostics.push(bug);
            (None, diagnostics, "")
        }
        _ => {
            let (next, diagnostics) = pipeline::session::start(root, options);
            let site = next.as_ref().map(|s| s.site().servable());
            // A failed build keeps no session: the next change builds in full.
            *session = next;
            (site, diagnostics, "rebuilt")
        }
    };
    let elapsed = started.elapsed().as_millis();
    if !diagnostics.is_empty() {
        eprint!("{}", diagnostics.render(renderer));
    }
    if site.is_some() {
        eprintln!("{what}: {how} in {elapsed} ms");
    } else {
        eprintln!(
            "{what}: the build failed ({}); still serving the last good build",
            diagnostics.summary()
        );
    }
    Some((site, diagnostics))
}

fn describe(root: &Path, changes: &[(Change, PathBuf)]) -> String {
    let names: Vec<String> = changes
        .iter()
        .map(|(_, p)| crate::source::display_name(root, p))
        .collect();
    match names.as_slice() {
        [one] => format!("Changed {one}"),
        [first, rest @ ..] => format!("Changed {first} and {} more", rest.len()),
        [] => "Changed".to_owned(),
    }
}
