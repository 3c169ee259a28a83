//! The build, stage by stage, in one place:
//!
//! ```text
//! Config::load ─┬─ content::load, each edition (parallel per file) ─┐
//!               ├─ data::load_all                                    ├─ editions::Translations
//!               └─ templates: load + compile ────────────────────────┘        │
//!   for each edition: facts → markdown::render (parallel) → anchors → views  │
//!                     → template rendering (parallel) → feed, search index ◀─┘
//!   then once: sitemap (with every page's translations), robots.txt, static files,
//!              the link check ─→ BuiltSite
//! ```
//!
//! Every stage reports all of its problems; the build stops before rendering templates when
//! anything so far was an error. Writing to disk is `output`'s job.
//!
//! `run` below is the whole order of work; each stage has a module of its own:
//! `bodies` (Markdown and shortcodes, from the build cache where it holds; anchors),
//! `editions` (which pages translate which), `views` (the template values and the lookup of
//! the template functions), `render` (pages and sections through their templates into the
//! page sink), `files` (static files, bundle assets, aliases) and `session` (`serve`'s
//! updates after an edit). The children share this module's imports (`use super::*`).

mod bodies;
mod editions;
mod files;
pub mod record;
mod render;
pub mod session;
mod views;

pub(crate) use bodies::*;
pub(crate) use editions::*;
use files::*;
pub(crate) use render::*;
pub(crate) use views::*;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;
use tera::{Context, Tera, Value};

use crate::cache::{Cache, KeyBuilder};
use crate::config::{CONFIG_FILE, Config};
use crate::content::{self, Content, Page, Section};
use crate::data;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::facts;
use crate::markdown::{self, RenderEnv, Rendered, highlight};
use crate::output::Staging;
use crate::progress::Progress;
use crate::publish;
use crate::shortcodes::{self, Expanded, PageInfo, ShortcodeEnv};
use crate::source::{SourceFile, Tree, display_name};
use crate::spill::Texts;
use crate::templates::{Lookup, SharedLookup, TemplateSources};

/// Files every site gets unless its `static/` has its own of the same name.
pub const BUILTIN_STATIC: [(&str, &str); 5] = [
    ("embed.js", include_str!("../../static/embed.js")),
    ("style.css", include_str!("../../static/style.css")),
    ("favicon.svg", include_str!("../../static/favicon.svg")),
    ("tables.js", include_str!("../../static/tables.js")),
    ("search.js", include_str!("../../static/search.js")),
];

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub include_drafts: bool,
    /// Publish pages dated after the build date too (`--future`).
    pub include_future: bool,
    pub base_url: Option<String>,
    /// The date timelines and stale-fact checks measure from (default: today).
    pub as_of: Option<jiff::civil::Date>,
    /// Draw a progress line on stderr when the build takes more than a second (`progress`).
    pub progress: bool,
    /// The build cache's folder (`cache`); `None` builds without one.
    pub cache_dir: Option<PathBuf>,
    /// A build of a site with more Markdown than this many bytes keeps no page's Markdown or
    /// body in memory between the stages that read them (`spill`, `SourceFile::forget_text`);
    /// `None`: `spill::SPILL_OVER`.
    pub spill_over: Option<usize>,
}

impl BuildOptions {
    pub fn today(&self) -> jiff::civil::Date {
        self.as_of
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date())
    }

    /// The latest date a figure can have been checked on: the build date; but a preview of
    /// an earlier day with what is dated after it (`--as-of` with `--future`) keeps figures
    /// checked since, up to today (a typo such as 2062 is still caught).
    pub fn latest_check(&self) -> jiff::civil::Date {
        let now = jiff::ZonedDateTime::now().date();
        match self.as_of {
            Some(as_of) if self.include_future => as_of.max(now),
            _ => self.today(),
        }
    }
}

/// A generated file's bytes: shared, so that `serve` can make the next version of a site
/// from the last one without copying every page.
pub type Bytes = std::sync::Arc<Vec<u8>>;

/// A whole built site, in memory: generated files and files to copy, by output path.
#[derive(Debug, Default, Clone)]
pub struct BuiltSite {
    pub files: BTreeMap<String, Bytes>,
    /// Pages already written to the staging folder of a `build` (not kept in `files`).
    pub written: std::collections::BTreeSet<String>,
    pub copies: BTreeMap<String, PathBuf>,
    /// Output page (`countries/japan/index.html`) to the Markdown file it came from.
    pub origins: BTreeMap<String, SourceFile>,
    /// URLs made from `@/` links, already checked (with their anchors) during the build.
    pub checked_links: std::collections::BTreeSet<String>,
    pub page_count: usize,
    pub section_count: usize,
    /// Pages left out until their date (the build date is before it).
    pub scheduled: Vec<content::Scheduled>,
    /// Files made only when first asked for (`serve`'s search index after an edit).
    pub deferred: Option<std::sync::Arc<session::Deferred>>,
    /// Each HTML file's links and ids, by output path, for the link check.
    pub links: BTreeMap<String, std::sync::Arc<crate::check::PageLinks>>,
    /// The page cache's key of each page whose bytes it alone decides, by output path
    /// (`record` keeps them, so that the next build can keep such a page where it is).
    pub page_keys: BTreeMap<String, record::CachedAs>,
    /// The key in the build cache (kind `pictures`) of each written card, by output path.
    pub pictures: BTreeMap<String, crate::cache::Key>,
    /// Links out of the site, found by the link check (`check --external` fetches them):
    /// of every page, but in a `build` into an output folder whose pages as the last build
    /// wrote them were not checked again (`check::internal_links_except`).
    pub external: Vec<crate::check::Link>,
    /// What the link check read besides the pages' links (`check::LinkTargets`), when it
    /// ran in a build into an output folder: `record` keeps it for the next build.
    pub link_targets: Option<crate::check::LinkTargets>,
    /// How the bodies' build cache served this build.
    pub body_cache: crate::cache::Stats,
    /// How the build cache served rendered pages (`render::PageCache`).
    pub page_cache: crate::cache::Stats,
    /// How the build cache served the resized copies of pictures.
    pub image_cache: crate::cache::Stats,
    /// How the build cache served parsed front matter (one pack for the site).
    pub front_matter_cache: crate::cache::Stats,
    /// How many Markdown files the build did not read, their stamps being those an earlier
    /// build read them with (`content::load`).
    pub markdown_unread: usize,
    /// How the build cache served the search index (one lookup per edition).
    pub search_cache: crate::cache::Stats,
    /// Documents re-indexed in a cached search index, when only they changed.
    pub search_updated: usize,
    /// Whether page bodies went to disk as they rendered (a large site; see `spill`).
    pub bodies_spilled: bool,
    /// How far each edition but the default's translation has got (`check` reports it).
    pub translation_status: Vec<EditionStatus>,
}

impl BuiltSite {
    /// A generated file kept in memory (made now if it was deferred).
    pub fn file(&self, path: &str) -> Option<Bytes> {
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes.clone());
        }
        self.deferred.as_ref()?.get(path)
    }

    /// What a server needs of the site: its files (made, deferred and copied), without what
    /// the build and its checks keep (links, origins, …). Cloning the whole site after every
    /// edit of a 10,000-page site cost 10–17 ms of `serve`'s update.
    pub fn servable(&self) -> BuiltSite {
        BuiltSite {
            files: self.files.clone(),
            copies: self.copies.clone(),
            deferred: self.deferred.clone(),
            page_count: self.page_count,
            section_count: self.section_count,
            ..BuiltSite::default()
        }
    }

    /// Whether the site has a generated file at `path`, in memory or already written.
    pub fn generates(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.written.contains(path)
    }

    /// Keeps a rendered page (its links for the link check, and its bytes unless a build
    /// streaming to a staging folder has written them).
    pub(crate) fn keep(&mut self, kept: KeptPage) {
        self.links
            .insert(kept.path.clone(), std::sync::Arc::new(kept.links));
        if let Some(cached) = kept.cached {
            self.page_keys.insert(kept.path.clone(), cached);
        }
        match kept.bytes {
            Some(bytes) => {
                self.files.insert(kept.path, bytes.into());
            }
            None => {
                self.written.insert(kept.path);
            }
        }
        if let Some(card) = kept.card {
            match card.png {
                Some(png) => {
                    self.files.insert(card.path, png.into());
                }
                None => {
                    if let Some(key) = card.key {
                        self.pictures.insert(card.path.clone(), key);
                    }
                    self.written.insert(card.path);
                }
            }
        }
    }

    /// Takes in the files of another edition of the site.
    fn absorb(&mut self, other: BuiltSite) {
        self.files.extend(other.files);
        self.page_keys.extend(other.page_keys);
        self.pictures.extend(other.pictures);
        self.written.extend(other.written);
        self.copies.extend(other.copies);
        self.origins.extend(other.origins);
        self.checked_links.extend(other.checked_links);
        self.page_count += other.page_count;
        self.section_count += other.section_count;
        self.scheduled.extend(other.scheduled);
        self.links.extend(other.links);
        self.body_cache.hits += other.body_cache.hits;
        self.body_cache.misses += other.body_cache.misses;
        self.page_cache.hits += other.page_cache.hits;
        self.page_cache.misses += other.page_cache.misses;
        self.search_cache.hits += other.search_cache.hits;
        self.search_cache.misses += other.search_cache.misses;
        self.search_updated += other.search_updated;
        self.bodies_spilled |= other.bodies_spilled;
    }

    /// The links and ids of every HTML file kept in memory that has none yet (pages made
    /// without the sink: redirects of aliases).
    fn index_links(&mut self) {
        for (path, bytes) in &self.files {
            if path.ends_with(".html") && !self.links.contains_key(path) {
                let links = crate::check::PageLinks::of(&String::from_utf8_lossy(bytes));
                self.links.insert(path.clone(), std::sync::Arc::new(links));
            }
        }
    }
}

/// Runs the whole pipeline. Returns the site when there was no error, and every diagnostic
/// (warnings included) either way.
pub fn build(root: &Path, options: &BuildOptions) -> (Option<BuiltSite>, Diagnostics) {
    build_into(root, options, None, Default::default())
}

/// `build` of a site read from `tree` (on disk or in memory).
pub fn build_tree(tree: &Tree, options: &BuildOptions) -> (Option<BuiltSite>, Diagnostics) {
    let (built, diagnostics) = run_guarded(tree, options, None, false);
    (built.map(|(site, _)| site), diagnostics)
}

/// `build`, writing pages into `staging` as they render instead of keeping them; the rest
/// of the site is returned for `Staging::finish`. `stamps`: the sources' stamps as the build
/// began (`record::Sources::trusted`), by which a large site's unchanged files are not read.
pub fn build_into(
    root: &Path,
    options: &BuildOptions,
    staging: Option<&Staging>,
    stamps: crate::source::Stamps,
) -> (Option<BuiltSite>, Diagnostics) {
    let tree = Tree::disk(root).with_stamps(stamps);
    let (built, diagnostics) = run_guarded(&tree, options, staging, false);
    (built.map(|(site, _)| site), diagnostics)
}

type Run = (Option<(BuiltSite, Option<session::State>)>, Diagnostics);

/// `run`, with a panic outside the stages that catch their own (which name their file)
/// reported as an internal error of the build instead of ending the process.
fn run_guarded(
    tree: &Tree,
    options: &BuildOptions,
    staging: Option<&Staging>,
    retain: bool,
) -> Run {
    crate::guard::catch(
        || "building the site".to_owned(),
        || run(tree, options, staging, retain),
    )
    .unwrap_or_else(|bug| {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(bug);
        (None, diagnostics)
    })
}

/// The full pipeline. With `retain`, also returns everything `serve` needs to update the site
/// after an edit without building it again (see `session`).
///
/// Everything is loaded first, every edition's content included (a page links to its
/// translations, so each edition must know the others before any renders); then each
/// edition goes through the stages from facts to the search index on its own; then the
/// site-wide files (static files, sitemap, robots.txt) and the link check, once.
fn run(tree: &Tree, options: &BuildOptions, staging: Option<&Staging>, retain: bool) -> Run {
    let readers = std::sync::Mutex::default();
    let sink = PageSink {
        staging,
        readers: &readers,
    };
    let mut diagnostics = Diagnostics::default();
    let mut clock = Stopwatch::from_env();
    let mut progress = Progress::new(options.progress);
    progress.stage("reading content, data and templates", 0);
    let config = match Config::load(tree, options.base_url.as_deref()) {
        Ok(config) => config,
        Err(problems) => {
            diagnostics.extend(problems);
            return (None, diagnostics);
        }
    };
    let selection = content::Selection {
        // A build of a large site reads each page's Markdown again when its body
        // renders instead of keeping all of it (and spills its bodies, below);
        // `serve` keeps both for its updates.
        let_go_over: (!retain).then(|| options.spill_over.unwrap_or(crate::spill::SPILL_OVER)),
        drafts: options.include_drafts,
        future: options.include_future,
        today: options.today(),
    };
    let cache = match &options.cache_dir {
        Some(dir) => Cache::at(dir.clone()),
        None => Cache::none(),
    };
    // The front matter earlier builds of this site parsed, by the hash of its text, and what
    // they read of each Markdown file, by its stamp (`content::Earlier`).
    let site = config.cache_identity();
    let pack_name = |what: &str| KeyBuilder::new(what).add(&site).finish();
    let (front_matter_pack, as_read_pack) = (
        pack_name("front matter of a site"),
        pack_name("markdown files of a site as read"),
    );
    // Read while the data files and templates load: 21 MB for 10,000 pages.
    let (
        (earlier, (content, content_problems, mut front_matter)),
        ((data_files, data_problems), (sources, template_problems)),
    ) = rayon::join(
        || {
            let earlier = content::Earlier {
                front_matter: cache.pack(&front_matter_pack),
                as_read: cache.pack(&as_read_pack),
            };
            let loaded = content::load(&config, selection, None, &earlier);
            (earlier, loaded)
        },
        || {
            rayon::join(
                || data::load_all(&config),
                || TemplateSources::load(&config.tree),
            )
        },
    );
    diagnostics.extend(content_problems);
    diagnostics.extend(data_problems);
    let data_files = std::sync::Arc::new(data_files);
    diagnostics.extend(template_problems);
    let mut editions = vec![(config.clone(), content)];
    for index in 1..config.editions.len() {
        let edition_config = config.for_edition(index);
        let (content, problems, used) =
            content::load(&edition_config, selection, Some(&editions[0].1), &earlier);
        diagnostics.extend(problems);
        front_matter.extend(used);
        editions.push((edition_config, content));
    }
    let hits = front_matter.front_matter.iter().filter(|u| u.hit).count();
    let front_matter_cache = crate::cache::Stats {
        hits,
        misses: front_matter.front_matter.len() - hits,
    };
    let unread = front_matter.as_read.iter().filter(|u| u.hit).count();
    clock.note(&format!(
        "front matter: {} from the cache, {} parsed; {unread} Markdown files not read (as an earlier build read them)",
        front_matter_cache.hits, front_matter_cache.misses
    ));
    // Written while the build goes on (after a change of front matter, the whole pack
    // again: 21 MB for 10,000 pages), and waited for before the cache is trimmed and the
    // build returns.
    let writing_pack = Finishing::spawn("tradetalks-pack", {
        let cache = cache.clone();
        move || {
            cache.put_pack(
                &front_matter_pack,
                &earlier.front_matter,
                front_matter.front_matter,
            );
            cache.put_pack(&as_read_pack, &earlier.as_read, front_matter.as_read);
        }
    });
    diagnostics.extend(content::clashes_between_editions(
        editions.iter().map(|(_, content)| content),
    ));
    for (_, content) in &mut editions {
        diagnostics.extend(facts::resolve_references(
            content,
            &data_files,
            options.today(),
        ));
    }
    if let Some(((_, source), translations)) = editions.split_first_mut() {
        for (_, content) in translations {
            content::inherit_fields(content, source);
        }
    }
    let translations = std::sync::Arc::new(Translations::of(&editions));
    let translation_status = editions::status(&editions);
    let (messages, message_problems) = crate::messages::Messages::load(&config);
    diagnostics.extend(message_problems);
    diagnostics.extend(crate::config::taxonomy_languages(&config));
    diagnostics.extend(crate::config::host_files_under_a_path(&config));
    let messages = std::sync::Arc::new(messages);
    let mut static_files = static_files(&config.tree, &editions[0].1, &mut diagnostics);
    // Page bundles' files of the other editions, beside their pages.
    static_files.extend(editions.iter().skip(1).flat_map(|(_, content)| {
        content
            .assets
            .iter()
            .map(|a| (a.path.clone(), a.source.clone()))
    }));
    let shared_files = std::sync::Arc::new(publish::assets::SharedFiles::collect(
        &config.tree,
        &static_files,
        &BUILTIN_STATIC,
    ));
    for (_, content) in &editions {
        diagnostics.extend(publish::cards::check_images(content, &shared_files));
    }
    let lookup = SharedLookup::default();
    clock.lap("load content, data, templates");
    let tera = match sources.compile(&lookup, &messages) {
        Ok(tera) => {
            diagnostics.extend(messages.check_keys(sources.message_keys()));
            Some(tera)
        }
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    let themes =
        match highlight::Themes::named(&config.markdown.light_theme, &config.markdown.dark_theme) {
            Ok(themes) => Some(themes).filter(|_| config.markdown.highlight_code),
            Err(message) => {
                diagnostics.push(Diagnostic::error(message).in_file(CONFIG_FILE));
                None
            }
        };
    clock.lap("compile templates");
    // `@/` links of an edition lead to its own pages, else to the default edition's.
    let default_urls = url_map(&config, &editions[0].1);
    // Fonts for graphics' PNGs: the machine's and the site's `fonts/`, looked up on first use.
    let fonts = crate::graphics::png::Fonts::new(vec![config.root.join("fonts")]);
    // The site's pictures: read now (kind, size, hash), resized when a page first shows one.
    let images = std::sync::Arc::new(crate::images::Catalog::scan(
        &config.tree,
        shared_files.site_files(),
        config.images.clone(),
        cache.clone(),
    ));
    clock.lap("read pictures");
    let shared = Shared {
        images: &images,
        fonts: &fonts,
        options,
        sources: &sources,
        tera: tera.as_ref(),
        lookup: &lookup,
        themes,
        cache: &cache,
        sink,
        translations: &translations,
        default_urls: &default_urls,
        shared_files: &shared_files,
        messages: &messages,
        fallback: None,
    };
    let multilingual = config.is_multilingual();
    let mut editions = editions.into_iter();
    let Some((default_config, default_content)) = editions.next() else {
        return (None, diagnostics);
    };
    // The other editions first, while the default edition's content stands in for the pages
    // they have no translation of (in section shortcodes), borrowed rather than copied; then
    // the default edition, which takes its content.
    let mut render_errors = Vec::new();
    let mut others = Vec::new();
    let mut other_render_errors = Vec::new();
    {
        let shared = Shared {
            fallback: Some(&default_content),
            ..shared
        };
        for (edition_config, content) in editions {
            others.extend(build_edition(
                &shared,
                (edition_config, content),
                data_files.clone(),
                false,
                Running {
                    diagnostics: &mut diagnostics,
                    render_errors: &mut other_render_errors,
                    clock: &mut clock,
                    progress: &mut progress,
                },
            ));
        }
    }
    let built = build_edition(
        &shared,
        (default_config, default_content),
        data_files,
        retain,
        Running {
            diagnostics: &mut diagnostics,
            render_errors: &mut render_errors,
            clock: &mut clock,
            progress: &mut progress,
        },
    );
    let (mut site, mut sitemap, state, mut shown) = match built {
        Some(built) => (built.site, built.sitemap, built.state, built.images),
        None => (BuiltSite::default(), Vec::new(), None, Default::default()),
    };
    for built in others {
        sitemap.extend(built.sitemap);
        shown.extend(built.images);
        site.absorb(built.site);
    }
    add_image_variants(&images, &shown, sink, &mut site, &mut diagnostics);
    site.image_cache = images.stats();
    site.front_matter_cache = front_matter_cache;
    site.markdown_unread = unread;
    clock.note(&format!(
        "search index: {} from the cache, {} made ({} documents re-indexed in a cached one)",
        site.search_cache.hits, site.search_cache.misses, site.search_updated
    ));
    clock.note(&format!(
        "picture cache: {} hits, {} misses",
        site.image_cache.hits, site.image_cache.misses
    ));
    clock.lap("pictures resized");
    // A mistake in a template shows in every edition: reported once (as the default edition
    // met it), with its count.
    render_errors.extend(other_render_errors);
    diagnostics.extend(once_each(render_errors));
    if diagnostics.has_errors() {
        diagnostics.sort();
        return (None, diagnostics);
    }
    progress.stage("checking links", 0);
    site.translation_status = translation_status;
    publish::pages::add_site_files(&config, sitemap, &mut site);
    add_static_files(
        &config.tree,
        &config.site_base_path,
        static_files,
        &shared_files,
        &mut site,
        &mut diagnostics,
    );
    // The finished pages' links, checked only when everything else went right: a link to a
    // page that failed is that page's error, not another one.
    if !diagnostics.has_errors() {
        site.index_links();
        // Only a build into an output folder keeps them for the next (`record`).
        let targets = staging.map(|_| crate::check::LinkTargets::of(&config, &site));
        // The pages the output folder holds as the last build wrote them had no broken
        // link then: when nothing they can link to changed either, only the others are
        // checked.
        let same_targets = staging.filter(|s| {
            s.checked_targets()
                .zip(targets.as_ref())
                .is_some_and(|(last, now)| last.still_hold(now))
        });
        let unchanged = |path: &str| {
            same_targets.is_some_and(|staging| {
                site.page_keys
                    .get(path)
                    .is_some_and(|kept| staging.holds(path, &kept.key) == Some(kept.digest))
            })
        };
        let (broken, external, checked) =
            crate::check::internal_links_except(&config, &site, unchanged);
        clock.note(&format!(
            "link check: the links of {checked} of {} pages",
            site.links.len()
        ));
        diagnostics.extend(broken);
        site.external = external;
        site.link_targets = targets;
    }
    clock.lap("link check");
    progress.finish();
    drop(writing_pack);
    // Only a build that wrote entries can have grown the cache past its limit.
    let wrote = [
        site.body_cache,
        site.page_cache,
        site.image_cache,
        site.front_matter_cache,
        site.search_cache,
    ];
    if wrote.iter().any(|stats| stats.misses > 0) {
        cache.trim();
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let state = state.map(|mut state: session::State| {
        state.readers = readers.into_inner().unwrap_or_default();
        state.multilingual = multilingual;
        state.with_search_documents()
    });
    (Some((site, state)), diagnostics)
}

/// Work the build can do without (a cache write), on a thread of its own, finished before
/// the build returns however it returns: dropping it waits for the thread. Should no thread
/// start, the work is not done.
struct Finishing(Option<std::thread::JoinHandle<()>>);

impl Finishing {
    fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Finishing {
        Finishing(
            std::thread::Builder::new()
                .name(name.into())
                .spawn(work)
                .ok(),
        )
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

/// What every edition's build shares: loaded once, before any edition renders.
struct Shared<'a> {
    options: &'a BuildOptions,
    sources: &'a TemplateSources,
    tera: Option<&'a Tera>,
    lookup: &'a SharedLookup,
    themes: Option<highlight::Themes>,
    cache: &'a Cache,
    sink: PageSink<'a>,
    translations: &'a std::sync::Arc<Translations>,
    /// The default edition's `@/` targets, which other editions fall back to.
    default_urls: &'a BTreeMap<String, String>,
    /// Files of `static/` and the stylesheets, shared by every edition (`get_url` leads to
    /// them at the root).
    shared_files: &'a std::sync::Arc<publish::assets::SharedFiles>,
    messages: &'a crate::messages::SharedMessages,
    fallback: Option<&'a Content>,
    fonts: &'a crate::graphics::png::Fonts,
    /// The site's pictures (`images`), shared by every edition.
    images: &'a std::sync::Arc<crate::images::Catalog>,
}

/// Where a build reports as it goes: its diagnostics (render errors apart, to be counted
/// across editions), its timings and its progress line.
struct Running<'r> {
    diagnostics: &'r mut Diagnostics,
    render_errors: &'r mut Vec<Diagnostic>,
    clock: &'r mut Stopwatch,
    progress: &'r mut Progress,
}

/// One edition, built.
struct EditionBuilt {
    site: BuiltSite,
    sitemap: Vec<publish::feeds::SitemapUrl>,
    state: Option<session::State>,
    /// The pictures its bodies show and the copies their shortcodes resized.
    images: std::collections::BTreeSet<markdown::ImageRead>,
}

/// The stages of one edition, from its facts to its feed and search index. Returns `None`
/// when it cannot render (its errors are in `diagnostics`). It takes its own hold of the data
/// files, and lets it go once its templates have rendered (unless `serve` keeps them): the
/// default edition, built last, holds the last one, so the rows (166 MB for a CSV of 100,000
/// rows) are freed before its feeds and search index are made.
fn build_edition(
    shared: &Shared,
    (config, mut content): (Config, Content),
    held_data: std::sync::Arc<data::DataFiles>,
    retain: bool,
    running: Running,
) -> Option<EditionBuilt> {
    let Running {
        diagnostics,
        render_errors,
        clock,
        progress,
    } = running;
    let data_files = &held_data;
    let Shared {
        options,
        sources,
        lookup,
        themes,
        cache,
        sink,
        ..
    } = *shared;
    let tera = shared.tera;
    let lookup = lookup.clone();
    let today = options.today();
    diagnostics.extend(facts::check_figures(
        &config,
        &content,
        options.latest_check(),
    ));
    if config.edition == 0 {
        diagnostics.extend(facts::check_data_dates(
            &config,
            data_files,
            options.latest_check(),
        ));
    }
    // Data files are shared: the default edition reports their stale dates, once.
    let no_data = data::DataFiles::new();
    let own_data = if config.edition == 0 {
        data_files
    } else {
        &no_data
    };
    diagnostics.extend(facts::stale_figures(&config, &content, own_data, today));
    // The default edition's `@/` targets are its own; another edition's are its own over the
    // default's, and those only the default edition has say so in their links.
    let mut urls = shared.default_urls.clone();
    let mut fallback_links = std::collections::BTreeSet::new();
    if config.edition > 0 {
        let own_urls = url_map(&config, &content);
        fallback_links = urls
            .keys()
            .filter(|key| !own_urls.contains_key(*key))
            .cloned()
            .collect();
        urls.extend(own_urls);
    }
    // `[[nav]]` is the same for every edition (its links fall back to the default edition's
    // pages): checked once.
    for item in config.nav.iter().filter(|_| config.edition == 0) {
        if let Some(target) = item.link.strip_prefix("@/")
            && !urls.contains_key(target)
        {
            let mut d = Diagnostic::error(format!(
                "the navigation link `{}` names no page or section: there is no `content/{target}`",
                item.title
            ));
            let at = config.file.text.find(&item.link);
            d = match at {
                Some(at) => d.at(&config.file, at..at + item.link.len()),
                None => d.in_file(CONFIG_FILE),
            };
            if let Some(help) = did_you_mean(target, urls.keys().map(String::as_str)) {
                d = d.with_help(help);
            }
            diagnostics.push(d);
        }
    }
    // Site shortcodes may call `get_page`, `load_data` and `get_url` while bodies render.
    let taxonomies = publish::taxonomy::collect(&config, &content);
    let data = data_values(data_files, today, sources.data_files_loaded().as_ref());
    if sources.has_site_shortcodes() {
        lookup.set(lookup_before_bodies(
            &config,
            &content,
            &taxonomies,
            data.clone(),
            shared.shared_files.clone(),
            shared.images.clone(),
        ));
    }
    progress.stage(
        "rendering Markdown",
        content.pages.len() + content.sections.len(),
    );
    let body_cache = (cache.is_enabled() && tera.is_some()).then(|| {
        BodyCache::new(
            cache,
            &BodyCacheInputs {
                config: &config,
                options,
                today,
                content: &content,
                data: data_files,
                sources,
                urls: &urls,
                messages_digest: shared.messages.digest(),
                fallback: shared.fallback.filter(|_| config.edition > 0),
            },
        )
    });
    // A site large enough to have let its Markdown go lets page bodies go as they render
    // too, and reads each back when something needs it: from the build cache when it holds
    // the body, else from a temporary file.
    let stored = body_cache.as_ref().map(|_| crate::spill::Stored {
        cache: cache.clone(),
        read: bodies::cached_html,
    });
    let spiller = content
        .texts_let_go
        .then(|| crate::spill::Spiller::new(stored))
        .and_then(Result::ok);
    let inputs = BodyInputs {
        spill: spiller.as_ref(),
        config: &config,
        content: &content,
        data: data_files,
        urls: &urls,
        templates: tera.map(|tera| (tera, sources)),
        themes,
        today,
        progress: &*progress,
        messages: shared.messages,
        fonts: shared.fonts,
        images: shared.images,
        pictures: shared.cache,
        fallback: shared.fallback.filter(|_| config.edition > 0),
        fallback_links: (config.edition > 0).then(|| {
            (
                &fallback_links,
                config.editions.first().map_or("en", |e| e.code.as_str()),
            )
        }),
        cache: body_cache.as_ref(),
    };
    let mut bodies = render_markdown(&inputs, diagnostics);
    if let Some(body_cache) = &body_cache {
        let stats = body_cache.stats();
        clock.note(&format!(
            "body cache: {} hits, {} misses",
            stats.hits, stats.misses
        ));
    }
    clock.lap("markdown and shortcodes");
    check_anchors(&content, &bodies, diagnostics);
    check_template_names(&content, sources, diagnostics);
    let checked_links = bodies.checked_links();
    let stylesheet = bodies.stylesheet();
    if !retain {
        bodies.keep_only_what_publishing_reads();
    }
    let html = bodies
        .pages
        .iter_mut()
        .map(|body| std::mem::take(&mut body.html))
        .collect();
    let contents = match spiller {
        Some(spiller) => {
            clock.note("page bodies let go as they rendered (to a temporary file, or left in the build cache)");
            spiller.finish(html)
        }
        None => Ok(Texts::in_memory(html)),
    };
    let contents = match contents {
        Ok(contents) => contents,
        Err(err) => {
            diagnostics.push(Diagnostic::error(format!(
                "could not write page bodies to a temporary file: {err}"
            )));
            return None;
        }
    };
    // A build lets each page's front matter trees go as its summary is made.
    let summaries = page_summaries(&config, &mut content, &bodies, retain);
    let tocs = bodies.page_tocs(!retain);
    let views = Views::new(&config, &content, &urls, &bodies, contents, summaries, tocs);
    lookup.set(views.lookup(
        &config,
        &content,
        &taxonomies,
        data,
        shared.shared_files.clone(),
        shared.images.clone(),
    ));
    let views = views
        .with_translations(shared.translations, &config)
        .with_messages(shared.messages)
        .with_build_date(today);

    let tera = tera.filter(|_| !diagnostics.has_errors())?;
    let mut site = BuiltSite {
        page_count: content.pages.len(),
        section_count: content.sections.len(),
        scheduled: content.scheduled.clone(),
        ..BuiltSite::default()
    };
    site.checked_links = checked_links;
    site.bodies_spilled = views.contents.spilled();
    if let Some(body_cache) = &body_cache {
        site.body_cache = body_cache.stats();
    }
    for page in &content.pages {
        site.origins
            .insert(crate::config::index_file(&page.path), page.file.clone());
    }
    for section in content.sections.values() {
        if let Some(file) = &section.file {
            site.origins
                .insert(crate::config::index_file(&section.path), file.clone());
        }
    }
    clock.lap("template values");
    progress.stage(
        "rendering pages",
        content.pages.len() + content.sections.len() + 1,
    );
    let page_cache = body_cache.as_ref().map(|bodies| {
        PageCache::new(
            cache,
            bodies,
            &views,
            shared.shared_files,
            sources,
            &content,
        )
    });
    let neighbours = render::all_neighbours(&content);
    let render = Render {
        tera,
        sources,
        config: &config,
        content: &content,
        views: &views,
        sink,
        cards: publish::cards::Cards {
            fonts: shared.fonts,
            cache: shared.cache,
        },
        images: shared.images,
        pages: page_cache.as_ref(),
        neighbours: &neighbours,
    };
    let rendered = render_templates(render, progress);
    if let Some(page_cache) = &page_cache {
        let stats = page_cache.stats();
        clock.note(&format!(
            "page cache: {} hits, {} misses",
            stats.hits, stats.misses
        ));
        site.page_cache = stats;
    }
    let mut undrawn = publish::cards::Undrawn::default();
    for result in rendered {
        match result {
            Ok(kept) => {
                let file = site.origins.get(&kept.path).map(|f| f.name.as_str());
                undrawn.note(&kept.card_missing, file);
                site.keep(kept);
            }
            Err(d) => render_errors.push(d),
        }
    }
    diagnostics.extend(undrawn.warning());

    clock.lap("render pages and sections");
    let generated = publish::pages::render(
        tera,
        sources,
        &config,
        &views,
        &taxonomies,
        (sink, page_cache.as_ref()),
        None,
    );
    for result in generated {
        match result {
            // A generated page never replaces one written by an editor.
            Ok(kept) if site.generates(&kept.path) => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "the generated page `/{}` would replace a page of the site",
                        kept.path.trim_end_matches("index.html")
                    ))
                    .in_file(CONFIG_FILE)
                    .with_help(
                        "give the taxonomy its own `path` in [[taxonomies]] (e.g. path = \"by-country\"), or rename the section",
                    ),
                );
            }
            Ok(kept) => site.keep(kept),
            Err(d) => render_errors.push(d),
        }
    }
    clock.lap("render taxonomy and search pages");
    progress.stage("writing the feed, sitemap and search index", 0);
    site.files
        .insert("syntax.css".into(), stylesheet.into_bytes().into());
    // Unless `serve` keeps them, every template has rendered: their values go now, before
    // the feed and the search index need memory of their own. Page bodies live on inside
    // `views.contents`.
    let (views, tera, lookup): (Views, Option<Tera>, Option<SharedLookup>) = if retain {
        (views, Some(tera.clone()), Some(lookup))
    } else {
        // The lookup is shared with the compiled templates: emptied, not just dropped here,
        // or every summary it holds would live until the build ends.
        lookup.clear();
        (views.into_contents_only(), None, None)
    };
    // Nothing reads the data files from here on: this edition's hold on them goes, unless
    // `serve` keeps them.
    let kept_data = retain.then_some(held_data);
    let sitemap = crate::guard::catch(
        || "writing the feed and sitemap".to_owned(),
        || {
            publish::pages::add_files(
                &config,
                &content,
                &views.contents,
                &taxonomies,
                Some(&**shared.translations).filter(|_| config.is_multilingual()),
                &mut site,
            )
        },
    )
    .unwrap_or_else(|bug| {
        diagnostics.push(bug);
        Vec::new()
    });
    // Only `serve` keeps the index (to replace edited pages in it); a build lets it go.
    let search = crate::guard::catch(
        || "writing the search index".to_owned(),
        || {
            publish::pages::search_files(
                &config,
                &content,
                &views.tocs,
                &views.contents,
                (shared.cache, sink),
                retain,
            )
        },
    )
    .unwrap_or_else(|bug| {
        diagnostics.push(bug);
        publish::pages::SearchFiles::default()
    });
    let (search_index, search_files) = (search.index, search.files);
    site.search_cache = search.cache;
    site.search_updated = search.updated;
    for (path, kept) in search_files {
        match kept {
            Ok(Some(bytes)) => {
                site.files.insert(path, bytes.into());
            }
            Ok(None) => {
                site.written.insert(path);
            }
            Err(problem) => diagnostics.push(problem),
        }
    }
    for (path, bytes) in bodies.downloads.values().flatten() {
        site.files.insert(path.clone(), bytes.clone());
    }
    if views.contents.unreadable() {
        diagnostics.push(Diagnostic::error(
            "could not read page bodies back: their temporary file failed, or their entries in the build cache were removed or replaced by another build while this one ran",
        ));
    }
    clock.lap("feed, sitemap, search index");
    add_aliases(&config, &content, &mut site, diagnostics);
    let images = bodies
        .pages
        .iter()
        .chain(bodies.sections.values())
        .flat_map(|body| body.images.iter().cloned())
        .collect();
    let state = match (tera, lookup, kept_data) {
        (Some(tera), Some(lookup), Some(data_files)) => Some(session::State {
            config,
            content,
            data_files,
            sources: sources.clone(),
            tera,
            lookup,
            themes,
            urls,
            bodies,
            views,
            taxonomies,
            today,
            future: options.include_future,
            readers: Default::default(),
            search_index,
            search_documents: Vec::new(),
            multilingual: false,
            messages: shared.messages.clone(),
            fonts: shared.fonts.clone(),
            images: shared.images.clone(),
            pictures: shared.cache.clone(),
        }),
        _ => None,
    };
    Some(EditionBuilt {
        site,
        sitemap,
        state,
        images,
    })
}

/// The resized copies of every picture a page shows, and those templates asked for with
/// `resize_image`, written (a build) or kept. A picture that could not be resized is its
/// pages' error, reported where they show it.
fn add_image_variants(
    images: &crate::images::Catalog,
    shown: &std::collections::BTreeSet<markdown::ImageRead>,
    sink: PageSink,
    site: &mut BuiltSite,
    diagnostics: &mut Diagnostics,
) {
    let mut variants: Vec<std::sync::Arc<crate::images::Variant>> = shown
        .par_iter()
        .flat_map_iter(|read| image_copies(images, read))
        .collect();
    // Those page templates resized, and those of cached bodies, asked for again above.
    variants.extend(images.resized());
    let mut written = std::collections::BTreeSet::new();
    for variant in variants {
        if !written.insert(variant.path.clone()) {
            continue;
        }
        match sink.take_file(&variant.path, variant.bytes.clone()) {
            Ok(Some(bytes)) => {
                site.files.insert(variant.path.clone(), bytes.into());
            }
            Ok(None) => {
                site.written.insert(variant.path.clone());
            }
            Err(problem) => diagnostics.push(problem),
        }
    }
}

/// The copies a body's picture needs: its widths, or the one `resize_image` asked for.
pub(crate) fn image_copies(
    images: &crate::images::Catalog,
    read: &markdown::ImageRead,
) -> Vec<std::sync::Arc<crate::images::Variant>> {
    match &read.resize {
        None => images
            .variants(&read.path)
            .map(|variants| variants.to_vec())
            .unwrap_or_default(),
        Some(resize) => images.resize(&read.path, resize).into_iter().collect(),
    }
}

/// One diagnostic for each problem, however many pages it hit: a mistake in a template shows
/// on every page that uses it, and is reported once, at its place, with how many pages have it.
fn once_each(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: Vec<(Diagnostic, usize)> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> = Default::default();
    for diagnostic in diagnostics {
        // Tera lists the variables a template could have used: they differ between a page
        // and a section, while the mistake is the same.
        let message = diagnostic.message.split(". Available variables:").next();
        let key = (
            message.unwrap_or_default().to_owned(),
            format!("{:?}", diagnostic.location),
        );
        match index.get(&key) {
            Some(&at) => seen[at].1 += 1,
            None => {
                index.insert(key, seen.len());
                seen.push((diagnostic, 1));
            }
        }
    }
    seen.into_iter()
        .map(|(diagnostic, count)| {
            if count > 1 {
                let others = count - 1;
                let pages = if others == 1 { "page" } else { "pages" };
                diagnostic.with_note(format!("the same error on {others} other {pages}"))
            } else {
                diagnostic
            }
        })
        .collect()
}

/// Prints how long each stage took when `TRADETALKS_TIMINGS` is set: the first thing to look
/// at before profiling.
pub struct Stopwatch {
    last: Option<std::time::Instant>,
}

impl Stopwatch {
    pub fn from_env() -> Stopwatch {
        Stopwatch {
            last: std::env::var_os("TRADETALKS_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    pub fn note(&self, text: &str) {
        if self.last.is_some() {
            eprintln!("timing: {text}");
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "timing: {stage}: {} ms{}",
                last.elapsed().as_millis(),
                memory_now()
            );
            self.last = Some(std::time::Instant::now());
        }
    }
}

/// The process's resident memory now and at its peak, as the kernel counts it (Linux only;
/// empty elsewhere): what each stage of a build holds.
fn memory_now() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => {
            format!(" (resident {} MB, peak {} MB)", now / 1024, peak / 1024)
        }
        _ => String::new(),
    }
}

/// What `@/` links may name: every page and section, by content path.
fn url_map(config: &Config, content: &Content) -> BTreeMap<String, String> {
    let pages = content
        .pages
        .iter()
        .map(|p| (p.content_path.clone(), config.url_path(&p.path)));
    let sections = content
        .sections
        .values()
        .map(|s| (s.content_path.clone(), config.url_path(&s.path)));
    pages.chain(sections).collect()
}
