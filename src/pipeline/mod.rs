//! The build, stage by stage, in one place:
//!
//! ```text
//! Config::load ─┬─ content::load (parallel per file) ─┐
//!               ├─ data::load_all                      ├─ markdown::render (parallel)
//!               └─ templates: load + compile ──────────┘        │
//!                        internal links + anchors checked ──────┤
//!                        template rendering (parallel) ─────────┴─→ BuiltSite (in memory)
//! ```
//!
//! Every stage reports all of its problems; the build stops before rendering templates when
//! anything so far was an error. Writing to disk is `output`'s job.

pub mod session;

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
use crate::templates::{Lookup, SharedLookup, TemplateSources};

/// Files every site gets unless its `static/` has its own of the same name.
pub const BUILTIN_STATIC: [(&str, &str); 4] = [
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
}

impl BuildOptions {
    pub fn today(&self) -> jiff::civil::Date {
        self.as_of
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date())
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
    /// Links out of the site, found by the link check (`check --external` fetches them).
    pub external: Vec<crate::check::Link>,
    /// How the bodies' build cache served this build.
    pub body_cache: crate::cache::Stats,
}

impl BuiltSite {
    /// A generated file kept in memory (made now if it was deferred).
    pub fn file(&self, path: &str) -> Option<Bytes> {
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes.clone());
        }
        self.deferred.as_ref()?.get(path)
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
        match kept.bytes {
            Some(bytes) => {
                self.files.insert(kept.path, bytes.into());
            }
            None => {
                self.written.insert(kept.path);
            }
        }
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

/// A rendered page: its output path, its bytes unless they are already written, and what the
/// link check needs of it.
pub(crate) struct KeptPage {
    pub(crate) path: String,
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) links: crate::check::PageLinks,
}

/// Where rendered pages go as soon as they exist: the staging folder of a `build`, so that no
/// page's HTML stays in memory longer than it must, or (`serve`, `check`) the site in memory.
/// It also notes which pages looked up other content while rendering.
#[derive(Clone, Copy)]
pub(crate) struct PageSink<'a> {
    staging: Option<&'a Staging>,
    readers: &'a std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl PageSink<'_> {
    /// Renders `template` for the output `path` and keeps the result.
    pub(crate) fn render(
        &self,
        tera: &Tera,
        template: &str,
        context: &Context,
        path: String,
    ) -> Result<Result<KeptPage, Diagnostic>, tera::Error> {
        let (html, reads_content) = crate::templates::render_tracked(tera, template, context);
        let html = html?;
        if reads_content && let Ok(mut readers) = self.readers.lock() {
            readers.insert(path.clone());
        }
        Ok(self.take(path, html))
    }

    /// Takes the links of a rendered page, then writes it (a build) or keeps it in memory.
    pub(crate) fn take(&self, path: String, html: String) -> Result<KeptPage, Diagnostic> {
        let links = crate::check::PageLinks::of(&html);
        let Some(staging) = self.staging else {
            return Ok(KeptPage {
                path,
                bytes: Some(html.into_bytes()),
                links,
            });
        };
        staging
            .put(&path, html.as_bytes())
            .map_err(|err| Diagnostic::error(err.to_string()))?;
        Ok(KeptPage {
            path,
            bytes: None,
            links,
        })
    }
}

/// Runs the whole pipeline. Returns the site when there was no error, and every diagnostic
/// (warnings included) either way.
pub fn build(root: &Path, options: &BuildOptions) -> (Option<BuiltSite>, Diagnostics) {
    build_into(root, options, None)
}

/// `build` of a site read from `tree` (on disk or in memory).
pub fn build_tree(tree: &Tree, options: &BuildOptions) -> (Option<BuiltSite>, Diagnostics) {
    let (built, diagnostics) = run_guarded(tree, options, None, false);
    (built.map(|(site, _)| site), diagnostics)
}

/// `build`, writing pages into `staging` as they render instead of keeping them; the rest
/// of the site is returned for `Staging::finish`.
pub fn build_into(
    root: &Path,
    options: &BuildOptions,
    staging: Option<&Staging>,
) -> (Option<BuiltSite>, Diagnostics) {
    let (built, diagnostics) = run_guarded(&Tree::disk(root), options, staging, false);
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
    let (
        (mut content, content_problems),
        ((data_files, data_problems), (sources, template_problems)),
    ) = rayon::join(
        || {
            let selection = content::Selection {
                drafts: options.include_drafts,
                future: options.include_future,
                today: options.today(),
            };
            content::load(&config, selection)
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
    diagnostics.extend(template_problems);
    let static_files = static_files(&config.tree, &content, &mut diagnostics);
    diagnostics.extend(facts::resolve_references(&mut content, &data_files));
    let today = options.today();
    diagnostics.extend(facts::check_figures(&config, &content, today));
    diagnostics.extend(facts::check_data_dates(&config, &data_files, today));
    diagnostics.extend(facts::stale_figures(&config, &content, &data_files, today));

    let lookup = SharedLookup::default();
    clock.lap("load content, data, templates; facts");
    let tera = match sources.compile(&lookup) {
        Ok(tera) => Some(tera),
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
    let urls = url_map(&config, &content);
    for item in &config.nav {
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
    if sources.has_site_shortcodes() {
        lookup.set(lookup_before_bodies(
            &config,
            &content,
            &taxonomies,
            data_values(&data_files),
        ));
    }
    progress.stage(
        "rendering Markdown",
        content.pages.len() + content.sections.len(),
    );
    let cache = match &options.cache_dir {
        Some(dir) => Cache::at(dir.clone()),
        None => Cache::none(),
    };
    let body_cache = (cache.is_enabled() && tera.is_some()).then(|| {
        BodyCache::new(
            &cache,
            &BodyCacheInputs {
                config: &config,
                options,
                today,
                content: &content,
                data: &data_files,
                sources: &sources,
                urls: &urls,
            },
        )
    });
    let inputs = BodyInputs {
        config: &config,
        content: &content,
        data: &data_files,
        urls: &urls,
        templates: tera.as_ref().map(|tera| (tera, &sources)),
        themes,
        today,
        progress: &progress,
        cache: body_cache.as_ref(),
    };
    let mut bodies = render_markdown(&inputs, &mut diagnostics);
    if let Some(body_cache) = &body_cache {
        let stats = body_cache.stats();
        clock.note(&format!(
            "body cache: {} hits, {} misses",
            stats.hits, stats.misses
        ));
    }
    clock.lap("markdown and shortcodes");
    check_anchors(&content, &bodies, &mut diagnostics);
    check_template_names(&content, &sources, &mut diagnostics);
    let views = Views::new(&config, &content, &urls, &mut bodies);
    lookup.set(views.lookup(&config, &content, &taxonomies, data_values(&data_files)));

    let Some(tera) = tera.filter(|_| !diagnostics.has_errors()) else {
        diagnostics.sort();
        return (None, diagnostics);
    };
    let mut site = BuiltSite {
        page_count: content.pages.len(),
        section_count: content.sections.len(),
        scheduled: content.scheduled.clone(),
        ..BuiltSite::default()
    };
    site.checked_links = bodies.checked_links();
    if let Some(body_cache) = &body_cache {
        site.body_cache = body_cache.stats();
    }
    for page in &content.pages {
        site.origins
            .insert(format!("{}index.html", page.path), page.file.clone());
    }
    for section in content.sections.values() {
        if let Some(file) = &section.file {
            site.origins
                .insert(format!("{}index.html", section.path), file.clone());
        }
    }
    clock.lap("template values");
    progress.stage(
        "rendering pages",
        content.pages.len() + content.sections.len() + 1,
    );
    let rendered = render_templates(&tera, &sources, &config, &content, &views, sink, &progress);
    let mut render_errors = Vec::new();
    for result in rendered {
        match result {
            Ok(kept) => site.keep(kept),
            Err(d) => render_errors.push(d),
        }
    }
    diagnostics.extend(once_each(render_errors));
    clock.lap("render pages and sections");
    let generated =
        publish::pages::render(&tera, &sources, &config, &views, &taxonomies, sink, None);
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
            Err(d) => diagnostics.push(d),
        }
    }
    clock.lap("render taxonomy and search pages");
    progress.stage("writing the feed, sitemap and search index", 0);
    site.files
        .insert("syntax.css".into(), bodies.stylesheet().into_bytes().into());
    // Unless `serve` keeps them, every template has rendered: their values go now, before
    // the feed and the search index need memory of their own. Page bodies live on inside
    // `views.contents`.
    let (views, tera, lookup) = if retain {
        (views, Some(tera), Some(lookup))
    } else {
        drop((tera, lookup));
        (views.into_contents_only(), None, None)
    };
    let page_html = views.page_html();
    let search_index = crate::guard::catch(
        || "writing the feed, sitemap and search index".to_owned(),
        || {
            publish::pages::add_files(
                &config,
                &content,
                &bodies,
                &page_html,
                &taxonomies,
                &mut site,
            )
        },
    )
    .unwrap_or_else(|bug| {
        diagnostics.push(bug);
        None
    });
    // Only `serve` keeps the index (to replace edited pages in it); a build lets it go.
    let search_index = search_index.filter(|_| retain);
    for (path, bytes) in bodies.downloads.values().flatten() {
        site.files.insert(path.clone(), bytes.clone());
    }
    clock.lap("feed, sitemap, search index");
    progress.stage("checking links", 0);
    add_aliases(&config, &content, &mut site, &mut diagnostics);
    add_static_files(&config.tree, static_files, &mut site, &mut diagnostics);
    // The finished pages' links, checked only when everything else went right: a link to a
    // page that failed is that page's error, not another one.
    if !diagnostics.has_errors() {
        site.index_links();
        let (broken, external) = crate::check::internal_links(&config, &site);
        diagnostics.extend(broken);
        site.external = external;
    }
    clock.lap("link check");
    progress.finish();
    cache.trim();
    diagnostics.sort();
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    drop(page_html);
    let state = match (tera, lookup) {
        (Some(tera), Some(lookup)) => Some(session::State {
            config,
            content,
            data_files,
            sources,
            tera,
            lookup,
            themes,
            urls,
            bodies,
            views,
            taxonomies,
            today,
            future: options.include_future,
            readers: readers.into_inner().unwrap_or_default(),
            search_index,
            search_documents: Vec::new(),
        }),
        _ => None,
    };
    let state = state.map(session::State::with_search_documents);
    (Some((site, state)), diagnostics)
}

/// One diagnostic for each problem, however many pages it hit: a mistake in a template shows
/// on every page that uses it, and is reported once, at its place, with how many pages have it.
fn once_each(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: Vec<(Diagnostic, usize)> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> = Default::default();
    for diagnostic in diagnostics {
        let key = (
            diagnostic.message.clone(),
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
struct Stopwatch {
    last: Option<std::time::Instant>,
}

impl Stopwatch {
    fn from_env() -> Stopwatch {
        Stopwatch {
            last: std::env::var_os("TRADETALKS_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    fn note(&self, text: &str) {
        if self.last.is_some() {
            eprintln!("timing: {text}");
        }
    }

    fn lap(&mut self, stage: &str) {
        if let Some(last) = self.last {
            eprintln!("timing: {stage}: {} ms", last.elapsed().as_millis());
            self.last = Some(std::time::Instant::now());
        }
    }
}

/// Markdown bodies of pages (by index) and sections (by folder), and the files their
/// tables offer for download. Page HTML moves into the template values (`Views::new`).
pub(crate) struct Bodies {
    pub(crate) pages: Vec<Rendered>,
    pub(crate) sections: BTreeMap<String, Rendered>,
    /// Table downloads (output path, CSV), by the content path of the page that offers them.
    pub(crate) downloads: BTreeMap<String, Vec<(String, Bytes)>>,
}

impl Bodies {
    /// `syntax.css`: a rule for each look of a code token that some body uses.
    fn stylesheet(&self) -> String {
        let styles: std::collections::BTreeSet<highlight::CodeStyle> = self
            .pages
            .iter()
            .chain(self.sections.values())
            .flat_map(|body| body.code_styles.iter().copied())
            .collect();
        highlight::stylesheet(&styles)
    }

    /// Every URL an `@/` link became.
    fn checked_links(&self) -> std::collections::BTreeSet<String> {
        self.pages
            .iter()
            .chain(self.sections.values())
            .flat_map(|body| body.links.iter().map(|link| link.href.clone()))
            .collect()
    }
}

/// A Markdown body to render: a page's (by index) or a section's (by folder).
#[derive(Clone, Copy)]
pub(crate) enum BodyOf<'a> {
    Page(usize),
    Section(&'a str),
}

/// What rendering bodies needs besides the content.
pub(crate) struct BodyInputs<'a> {
    pub(crate) config: &'a Config,
    pub(crate) content: &'a Content,
    pub(crate) data: &'a data::DataFiles,
    pub(crate) urls: &'a BTreeMap<String, String>,
    pub(crate) templates: Option<(&'a Tera, &'a TemplateSources)>,
    pub(crate) themes: Option<highlight::Themes>,
    pub(crate) today: jiff::civil::Date,
    /// Counts each body rendered.
    pub(crate) progress: &'a Progress,
    /// Bodies rendered by an earlier build (a full build's; `serve`'s updates render).
    pub(crate) cache: Option<&'a BodyCache<'a>>,
}

/// What a body's cache key is made of besides its own file (see `BodyCache::new`).
pub(crate) struct BodyCacheInputs<'a> {
    config: &'a Config,
    options: &'a BuildOptions,
    today: jiff::civil::Date,
    content: &'a Content,
    data: &'a data::DataFiles,
    sources: &'a TemplateSources,
    urls: &'a BTreeMap<String, String>,
}

/// Rendered bodies in the build cache. A body's key is its file (name, text, where the body
/// starts) and everything any body's rendering reads: this build of tradetalks, the
/// configuration and build options, the build date (timelines), every template (shortcodes),
/// every data file (tables, charts, `load_data`), the site's URLs and its broken, draft and
/// scheduled pages (links). A body whose shortcodes read other pages (`compare`, a section's
/// table or chart, a site shortcode calling `get_page`) also depends on every content file:
/// its entry records their hash, and is used only while it holds.
pub(crate) struct BodyCache<'a> {
    cache: &'a Cache,
    site: crate::cache::Key,
    content: crate::cache::Key,
    hits: std::sync::atomic::AtomicUsize,
    misses: std::sync::atomic::AtomicUsize,
}

/// A cached body: the content hash it depends on (when it read other pages), and the body.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedBody<E> {
    content: Option<crate::cache::Key>,
    expanded: E,
}

impl<'a> BodyCache<'a> {
    fn new(cache: &'a Cache, inputs: &BodyCacheInputs) -> BodyCache<'a> {
        let mut site = KeyBuilder::new("site");
        site.add_key(&crate::cache::build_id())
            .add(inputs.config.file.text.as_bytes())
            .add(&inputs.config.base_url)
            .add([
                u8::from(inputs.options.include_drafts),
                u8::from(inputs.options.include_future),
            ])
            .add(inputs.today.to_string());
        for (name, text) in inputs.sources.texts() {
            site.add(name).add(text);
        }
        for (name, file) in inputs.data {
            site.add(name).add(file.file.text.as_bytes());
        }
        site.add(format!("{:?}", inputs.urls))
            .add(format!("{:?}", inputs.content.broken))
            .add(format!("{:?}", inputs.content.scheduled));
        let mut content = KeyBuilder::new("content");
        for page in &inputs.content.pages {
            content.add(&page.file.name).add(page.file.text.as_bytes());
        }
        for section in inputs.content.sections.values() {
            content.add(&section.dir);
            if let Some(file) = &section.file {
                content.add(&file.name).add(file.text.as_bytes());
            }
        }
        BodyCache {
            cache,
            site: site.finish(),
            content: content.finish(),
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    fn stats(&self) -> crate::cache::Stats {
        crate::cache::Stats {
            hits: self.hits.load(std::sync::atomic::Ordering::Relaxed),
            misses: self.misses.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn key(&self, file: &SourceFile, body: &Range<usize>) -> crate::cache::Key {
        KeyBuilder::new("body")
            .add_key(&self.site)
            .add(&file.name)
            .add(file.text.as_bytes())
            .add(body.start.to_le_bytes())
            .add(body.end.to_le_bytes())
            .finish()
    }

    fn get(&self, key: &crate::cache::Key) -> Option<Expanded> {
        let found = self
            .cache
            .get::<CachedBody<Expanded>>("bodies", key)
            .filter(|entry| entry.content.is_none_or(|c| c == self.content));
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        found.map(|entry| entry.expanded)
    }

    fn put(&self, key: &crate::cache::Key, expanded: &Expanded) {
        let entry = CachedBody {
            content: expanded.rendered.reads_content.then_some(self.content),
            expanded,
        };
        self.cache.put("bodies", key, &entry);
    }
}

/// Renders the given bodies in parallel, expanding shortcodes. Without compiled templates
/// (their errors are already reported) bodies render as plain Markdown, so Markdown errors
/// still show.
pub(crate) fn render_bodies(
    inputs: &BodyInputs,
    which: &[BodyOf],
) -> Vec<(Expanded, Vec<Diagnostic>)> {
    let BodyInputs {
        config, content, ..
    } = *inputs;
    let markdown_env = RenderEnv {
        urls: inputs.urls,
        broken: &content.broken,
        scheduled: &content.scheduled,
        smart_punctuation: config.markdown.smart_punctuation,
        slugify: config.slugify,
        highlight: inputs.themes,
    };
    let shortcode_env = inputs.templates.map(|(tera, sources)| ShortcodeEnv {
        tera,
        templates: sources,
        config,
        content,
        data: inputs.data,
        markdown: &markdown_env,
        today: inputs.today,
    });
    let render = |file: &SourceFile, body: Range<usize>, page: PageInfo| {
        let key = inputs.cache.map(|cache| cache.key(file, &body));
        if let (Some(cache), Some(key)) = (inputs.cache, &key)
            && let Some(expanded) = cache.get(key)
        {
            inputs.progress.step();
            return (expanded, Vec::new());
        }
        let rendering = || {
            crate::guard::panic_for_tests(file.text.get(body.clone()).unwrap_or_default());
            match &shortcode_env {
                Some(env) => shortcodes::render_body(env, file, body, &page),
                None => {
                    let (rendered, problems) = markdown::render(file, body, &markdown_env);
                    (
                        Expanded {
                            rendered,
                            downloads: Vec::new(),
                        },
                        problems,
                    )
                }
            }
        };
        let result = crate::guard::catch(|| format!("rendering `{}`", file.name), rendering)
            .unwrap_or_else(|bug| (Expanded::default(), vec![bug]));
        // Only a body that rendered without a word is kept: its warnings would not be
        // reported again from the cache.
        if let (Some(cache), Some(key)) = (inputs.cache, &key)
            && result.1.is_empty()
        {
            cache.put(key, &result.0);
        }
        inputs.progress.step();
        result
    };
    which
        .par_iter()
        .map(|which| match *which {
            BodyOf::Page(index) => {
                let page = &content.pages[index];
                let info = PageInfo {
                    title: &page.front.title,
                    path: &page.path,
                    content_path: &page.content_path,
                };
                render(&page.file, page.body.clone(), info)
            }
            BodyOf::Section(dir) => {
                let section = &content.sections[dir];
                match &section.file {
                    Some(file) => {
                        let info = PageInfo {
                            title: &section.front.title,
                            path: &section.path,
                            content_path: &section.content_path,
                        };
                        render(file, section.body.clone(), info)
                    }
                    None => (Expanded::default(), Vec::new()),
                }
            }
        })
        .collect()
}

/// A body's table downloads, shared so that `serve` can hand them to each version of the site.
fn shared_downloads(downloads: Vec<(String, Vec<u8>)>) -> Vec<(String, Bytes)> {
    downloads
        .into_iter()
        .map(|(path, bytes)| (path, bytes.into()))
        .collect()
}

/// Renders every body.
fn render_markdown(inputs: &BodyInputs, diagnostics: &mut Diagnostics) -> Bodies {
    let content = inputs.content;
    let which: Vec<BodyOf> = (0..content.pages.len())
        .map(BodyOf::Page)
        .chain(content.sections.keys().map(|dir| BodyOf::Section(dir)))
        .collect();
    let mut bodies = Bodies {
        pages: Vec::with_capacity(content.pages.len()),
        sections: BTreeMap::new(),
        downloads: BTreeMap::new(),
    };
    for (which, (expanded, problems)) in which.iter().zip(render_bodies(inputs, &which)) {
        diagnostics.extend(problems);
        let content_path = match *which {
            BodyOf::Page(index) => {
                bodies.pages.push(expanded.rendered);
                &content.pages[index].content_path
            }
            BodyOf::Section(dir) => {
                bodies.sections.insert(dir.to_owned(), expanded.rendered);
                &content.sections[dir].content_path
            }
        };
        if !expanded.downloads.is_empty() {
            bodies
                .downloads
                .insert(content_path.clone(), shared_downloads(expanded.downloads));
        }
    }
    bodies
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

/// A `#anchor` on an `@/` link must be a heading id of the page it names.
fn check_anchors(content: &Content, bodies: &Bodies, diagnostics: &mut Diagnostics) {
    check_anchors_from(content, bodies, None, diagnostics);
}

/// `check_anchors` for the links in the files named in `only` (all files when `None`).
fn check_anchors_from(
    content: &Content,
    bodies: &Bodies,
    only: Option<&std::collections::BTreeSet<&str>>,
    diagnostics: &mut Diagnostics,
) {
    let mut ids: BTreeMap<&str, &[String]> = BTreeMap::new();
    for (page, body) in content.pages.iter().zip(&bodies.pages) {
        ids.insert(&page.content_path, &body.heading_ids);
    }
    for (dir, section) in &content.sections {
        ids.insert(&section.content_path, &bodies.sections[dir].heading_ids);
    }
    let sources = content
        .pages
        .iter()
        .map(|p| &p.file)
        .zip(&bodies.pages)
        .chain(
            content
                .sections
                .iter()
                .filter_map(|(dir, s)| Some((s.file.as_ref()?, &bodies.sections[dir]))),
        );
    for (file, body) in sources {
        if only.is_some_and(|only| !only.contains(file.name.as_str())) {
            continue;
        }
        for link in &body.links {
            let (Some(anchor), Some(known)) = (&link.anchor, ids.get(link.target.as_str())) else {
                continue;
            };
            if known.contains(anchor) {
                continue;
            }
            let mut d = Diagnostic::error(format!(
                "broken anchor: `content/{}` has no heading `#{anchor}`",
                link.target
            ))
            .at(file, link.span.clone());
            if let Some(help) = did_you_mean(anchor, known.iter().map(String::as_str)) {
                d = d.with_help(help);
            }
            diagnostics.push(d);
        }
    }
}

fn page_template<'a>(page: &'a Page, content: &'a Content) -> &'a str {
    page.front
        .template
        .as_deref()
        .or_else(|| {
            content
                .sections
                .get(&page.section)?
                .front
                .page_template
                .as_deref()
        })
        .unwrap_or("page.html")
}

fn section_template(section: &Section) -> &str {
    section
        .front
        .template
        .as_deref()
        .unwrap_or(if section.dir.is_empty() {
            "index.html"
        } else {
            "section.html"
        })
}

fn check_template_names(
    content: &Content,
    sources: &TemplateSources,
    diagnostics: &mut Diagnostics,
) {
    let missing = |name: &str, file: &str| {
        Diagnostic::error(format!("template `{name}` does not exist"))
            .in_file(file)
            .with_help(format!(
                "create `templates/{name}`, or remove the `template` field"
            ))
    };
    for page in &content.pages {
        let name = page_template(page, content);
        if !sources.contains(name) {
            diagnostics.push(missing(name, &page.file.name));
        }
    }
    for section in content.sections.values() {
        let name = section_template(section);
        if !sources.contains(name) {
            diagnostics.push(missing(name, &format!("content/{}", section.content_path)));
        }
    }
}

/// The values templates see, built once and shared by every render.
pub(crate) struct Views {
    site: Value,
    config: Value,
    /// Page summaries (no content), by page index, for lists.
    pub(crate) summaries: Vec<Value>,
    /// Full pages, by page index.
    pages: Vec<Value>,
    /// Full sections (with their page summaries), by folder.
    sections: BTreeMap<String, Value>,
    /// Each page's HTML body, by page index: moved here from `Bodies` (the same text inside
    /// `pages`, not a copy), and kept for the feed and the search index.
    contents: Vec<Value>,
}

impl Views {
    /// The values templates see. Page bodies move out of `bodies` into them.
    fn new(
        config: &Config,
        content: &Content,
        urls: &BTreeMap<String, String>,
        bodies: &mut Bodies,
    ) -> Views {
        // Each page's summary is built once, in parallel, and shared by every list that
        // shows it.
        let summaries: Vec<Value> = content
            .pages
            .par_iter()
            .zip(&bodies.pages)
            .map(|(page, body)| Value::from_serializable(&page_summary(config, page, Some(body))))
            .collect();
        let contents: Vec<Value> = bodies
            .pages
            .par_iter_mut()
            .map(|body| Value::safe_string(&std::mem::take(&mut body.html)))
            .collect();
        let pages = summaries
            .par_iter()
            .zip(&bodies.pages)
            .zip(&contents)
            .map(|((summary, body), content)| with_body(summary.clone(), content.clone(), body))
            .collect();
        let config_value = json!({
            "title": config.title,
            "base_url": config.base_url,
            "base_path": config.base_path,
            "language": config.language,
            "description": config.description,
            "stale_after_days": config.stale_after_days,
            "taxonomies": config.taxonomies,
            "search": config.search,
            "extra": config.extra,
        });
        let mut views = Views {
            site: site_value(config, content, urls),
            config: Value::from_serializable(&config_value),
            summaries,
            pages,
            sections: BTreeMap::new(),
            contents,
        };
        views.sections = views.section_values(config, content, bodies);
        views
    }

    /// Every section's value: its summary and body, its pages' summaries in order and its
    /// subsections' summaries.
    fn section_values(
        &self,
        config: &Config,
        content: &Content,
        bodies: &Bodies,
    ) -> BTreeMap<String, Value> {
        content
            .sections
            .par_iter()
            .map(|(dir, section)| {
                let value = section_value(config, content, section, &self.summaries, Some(bodies));
                (
                    dir.clone(),
                    with_body(
                        value,
                        Value::safe_string(&bodies.sections[dir].html),
                        &bodies.sections[dir],
                    ),
                )
            })
            .collect()
    }

    /// Replaces page `index`'s values after its file changed; its body moves in.
    fn set_page(&mut self, config: &Config, content: &Content, index: usize, body: &mut Rendered) {
        let summary =
            Value::from_serializable(&page_summary(config, &content.pages[index], Some(body)));
        let html = Value::safe_string(&std::mem::take(&mut body.html));
        self.pages[index] = with_body(summary.clone(), html.clone(), body);
        self.summaries[index] = summary;
        self.contents[index] = html;
    }

    /// What the template functions look up.
    /// What the template functions look up; `data` is every data file's value by name.
    fn lookup(
        &self,
        config: &Config,
        content: &Content,
        taxonomies: &[publish::taxonomy::Taxonomy],
        data: BTreeMap<String, Value>,
    ) -> Lookup {
        Lookup {
            pages: self.page_lookup(content),
            sections: self.section_lookup(content),
            taxonomies: self.taxonomy_lookup(taxonomies),
            data,
            base_path: config.base_path.clone(),
        }
    }

    /// Only the page bodies, for the feed and the search index once templates are done.
    fn into_contents_only(self) -> Views {
        Views {
            site: Value::none(),
            config: Value::none(),
            summaries: Vec::new(),
            pages: Vec::new(),
            sections: BTreeMap::new(),
            contents: self.contents,
        }
    }

    /// Each page's HTML body, by page index.
    fn page_html(&self) -> Vec<&str> {
        self.contents
            .iter()
            .map(|v| v.as_str().unwrap_or_default())
            .collect()
    }

    fn page_lookup(&self, content: &Content) -> BTreeMap<String, Value> {
        content
            .pages
            .iter()
            .zip(&self.pages)
            .map(|(p, v)| (p.content_path.clone(), v.clone()))
            .collect()
    }

    fn section_lookup(&self, content: &Content) -> BTreeMap<String, Value> {
        content
            .sections
            .iter()
            .map(|(dir, s)| (s.content_path.clone(), self.sections[dir].clone()))
            .collect()
    }

    fn taxonomy_lookup(
        &self,
        taxonomies: &[publish::taxonomy::Taxonomy],
    ) -> BTreeMap<String, Value> {
        taxonomies
            .iter()
            .map(|taxonomy| {
                let terms: Vec<Value> = taxonomy
                    .terms
                    .iter()
                    .map(|term| {
                        let mut map = Value::from_serializable(term)
                            .into_map()
                            .unwrap_or_default();
                        let pages: Vec<Value> = term
                            .pages
                            .iter()
                            .map(|&i| self.summaries[i].clone())
                            .collect();
                        map.insert("pages".into(), Value::from(pages));
                        Value::from(map)
                    })
                    .collect();
                let mut map = Value::from_serializable(taxonomy)
                    .into_map()
                    .unwrap_or_default();
                map.insert("terms".into(), Value::from(terms));
                (taxonomy.name.clone(), Value::from(map))
            })
            .collect()
    }

    pub(crate) fn context(&self) -> Context {
        let mut context = Context::new();
        context.insert_value("site", self.site.clone());
        context.insert_value("config", self.config.clone());
        context
    }
}

/// `site`: the site's own settings, its navigation (the root's subsections and pages), and
/// facts about all pages.
fn site_value(config: &Config, content: &Content, urls: &BTreeMap<String, String>) -> Value {
    let entry = |front: &content::front_matter::FrontMatter, path: &str| {
        let title = front.nav_title.as_deref().unwrap_or(&front.title);
        json!({"title": title, "url": config.url_path(path), "path": path})
    };
    let nav: Vec<serde_json::Value> = if config.nav.is_empty() {
        // The root's sections and pages, less those marked `in_nav: false`.
        content.sections[""]
            .subsections
            .iter()
            .map(|d| &content.sections[d])
            .filter(|s| s.front.in_nav)
            .map(|s| entry(&s.front, &s.path))
            .chain(
                content.sections[""]
                    .pages
                    .iter()
                    .map(|&i| &content.pages[i])
                    .filter(|p| p.front.in_nav)
                    .map(|p| entry(&p.front, &p.path)),
            )
            .collect()
    } else {
        // `[[nav]]` in the config, in its order; `@/` links become the pages' URLs.
        config
            .nav
            .iter()
            .map(|item| {
                let (url, path) = match item.link.strip_prefix("@/") {
                    Some(target) => {
                        let url = urls.get(target).cloned().unwrap_or_default();
                        let path = content
                            .pages
                            .iter()
                            .find(|p| p.content_path == target)
                            .map(|p| p.path.clone())
                            .or_else(|| {
                                content
                                    .sections
                                    .values()
                                    .find(|s| s.content_path == target)
                                    .map(|s| s.path.clone())
                            })
                            .unwrap_or_default();
                        (url, path)
                    }
                    None => (item.link.clone(), String::new()),
                };
                json!({"title": item.title, "url": url, "path": path})
            })
            .collect()
    };
    let site = json!({
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "nav": nav,
        "page_count": content.pages.len(),
        // Whether atom.xml exists: it needs at least one dated, published page.
        "feed": publish::published(content).any(|(_, p)| p.front.last_modified().is_some()),
    });
    Value::from_serializable(&site)
}

fn date_string(date: Option<jiff::civil::Date>) -> serde_json::Value {
    date.map_or(serde_json::Value::Null, |d| json!(d.to_string()))
}

/// A page as lists and `get_page` show it. Without `body` (while bodies render: a shortcode
/// cannot see what is not rendered yet), without what comes from it (`word_count`,
/// `reading_time`).
fn page_summary(config: &Config, page: &Page, body: Option<&Rendered>) -> serde_json::Value {
    let fields: serde_json::Map<String, serde_json::Value> = page
        .front
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect();
    let mut summary = json!({
        "title": page.front.title,
        "description": page.front.description,
        "date": date_string(page.front.date),
        "updated": date_string(page.front.updated),
        "draft": page.front.draft,
        "weight": page.front.weight,
        "slug": page.slug,
        "path": page.path,
        "url": config.url_path(&page.path),
        "permalink": config.permalink(&page.path),
        "content_path": page.content_path,
        "section": page.section,
        "taxonomies": page.front.taxonomies,
        "extra": page.front.extra,
        "fields": fields,
        "last_modified": date_string(page.front.last_modified()),
        "updates": page.front.updates,
        "terms": page_terms(config, page),
    });
    if let (Some(body), Some(map)) = (body, summary.as_object_mut()) {
        map.insert("word_count".into(), json!(body.word_count));
        map.insert(
            "reading_time".into(),
            json!(body.word_count.div_ceil(220).max(1)),
        );
    }
    summary
}

/// A page's taxonomy terms with their URLs: `{sectors: [{name, url}]}`.
fn page_terms(config: &Config, page: &Page) -> serde_json::Value {
    let terms: serde_json::Map<String, serde_json::Value> = page
        .front
        .taxonomies
        .iter()
        .map(|(taxonomy, names)| {
            let links: Vec<serde_json::Value> = names
                .iter()
                .filter_map(|name| {
                    let path = config
                        .taxonomies
                        .iter()
                        .find(|t| &t.name == taxonomy)?
                        .term_path(name, config.slugify);
                    Some(json!({"name": name, "url": config.url_path(&path)}))
                })
                .collect();
            (taxonomy.clone(), json!(links))
        })
        .collect();
    serde_json::Value::Object(terms)
}

fn section_summary(
    config: &Config,
    section: &Section,
    body: Option<&Rendered>,
) -> serde_json::Value {
    let mut summary = json!({
        "title": section.front.title,
        "description": section.front.description,
        "path": section.path,
        "url": config.url_path(&section.path),
        "permalink": config.permalink(&section.path),
        "content_path": section.content_path,
        "extra": section.front.extra,
        "schema": crate::templates::schema::schema_value(config, &section.dir),
    });
    if let (Some(body), Some(map)) = (body, summary.as_object_mut()) {
        map.insert("word_count".into(), json!(body.word_count));
    }
    summary
}

/// A section's value without its own body: its summary, its pages' summaries in order
/// (`summaries` by page index) and its subsections' summaries; with `bodies`, the word counts
/// that come from them.
fn section_value(
    config: &Config,
    content: &Content,
    section: &Section,
    summaries: &[Value],
    bodies: Option<&Bodies>,
) -> Value {
    let body = |dir: &str| bodies.map(|b| &b.sections[dir]);
    let mut value = Value::from_serializable(&section_summary(config, section, body(&section.dir)))
        .into_map()
        .unwrap_or_default();
    let pages: Vec<Value> = section
        .pages
        .iter()
        .map(|&i| summaries[i].clone())
        .collect();
    value.insert("pages".into(), Value::from(pages));
    let subsections: Vec<Value> = section
        .subsections
        .iter()
        .map(|d| Value::from_serializable(&section_summary(config, &content.sections[d], body(d))))
        .collect();
    value.insert("subsections".into(), Value::from(subsections));
    Value::from(value)
}

/// What the template functions see while bodies render: every page, section, taxonomy and
/// data file, without what comes from bodies (`content`, `toc`, `word_count`). `build` and
/// `serve` give site shortcodes this same lookup, so that they render alike in both.
pub(crate) fn lookup_before_bodies(
    config: &Config,
    content: &Content,
    taxonomies: &[publish::taxonomy::Taxonomy],
    data: BTreeMap<String, Value>,
) -> Lookup {
    let summaries: Vec<Value> = content
        .pages
        .par_iter()
        .map(|page| Value::from_serializable(&page_summary(config, page, None)))
        .collect();
    let sections = content
        .sections
        .iter()
        .map(|(dir, section)| {
            let value = section_value(config, content, section, &summaries, None);
            (dir.clone(), value)
        })
        .collect();
    let views = Views {
        site: Value::none(),
        config: Value::none(),
        pages: summaries.clone(),
        summaries,
        sections,
        contents: Vec::new(),
    };
    views.lookup(config, content, taxonomies, data)
}

/// Every data file's value by its name under `data/`, as `load_data` returns it.
pub(crate) fn data_values(data_files: &data::DataFiles) -> BTreeMap<String, Value> {
    data_files
        .iter()
        .map(|(name, file)| (name.clone(), Value::from_serializable(&file.value)))
        .collect()
}

/// Adds the rendered body (as safe HTML) and table of contents to a summary.
fn with_body(summary: Value, content: Value, body: &Rendered) -> Value {
    let mut map = summary.into_map().unwrap_or_default();
    map.insert("content".into(), content);
    map.insert("toc".into(), Value::from_serializable(&body.toc));
    Value::from(map)
}

fn render_templates(
    tera: &Tera,
    sources: &TemplateSources,
    config: &Config,
    content: &Content,
    views: &Views,
    sink: PageSink,
    progress: &Progress,
) -> Vec<Result<KeptPage, Diagnostic>> {
    let render = Render {
        tera,
        sources,
        config,
        content,
        views,
        sink,
    };
    let counted = |result| {
        progress.step();
        result
    };
    let pages = (0..content.pages.len())
        .into_par_iter()
        .map(|index| counted(render.page(index)));
    let sections = content
        .sections
        .par_iter()
        .map(|(dir, _)| counted(render.section(dir)));
    let not_found = rayon::iter::once(()).map(|()| render.not_found());
    pages.chain(sections).chain(not_found).collect()
}

/// Renders the pages of the site that come from content, one at a time.
#[derive(Clone, Copy)]
pub(crate) struct Render<'a> {
    pub(crate) tera: &'a Tera,
    pub(crate) sources: &'a TemplateSources,
    pub(crate) config: &'a Config,
    pub(crate) content: &'a Content,
    pub(crate) views: &'a Views,
    pub(crate) sink: PageSink<'a>,
}

impl Render<'_> {
    fn render(
        &self,
        template: &str,
        context: &Context,
        path: String,
        what: &str,
    ) -> Result<KeptPage, Diagnostic> {
        let rendering = || self.sink.render(self.tera, template, context, path);
        crate::guard::catch(|| format!("rendering {what} with `{template}`"), rendering)?.map_err(
            |err| {
                self.sources
                    .diagnostic(&err)
                    .with_note(format!("while rendering {what} with `{template}`"))
            },
        )?
    }

    pub(crate) fn page(&self, index: usize) -> Result<KeptPage, Diagnostic> {
        let (content, views) = (self.content, self.views);
        let page = &content.pages[index];
        let mut context = views.context();
        context.insert_value("page", views.pages[index].clone());
        context.insert_value("section", views.sections[&page.section].clone());
        context.insert("current_path", &page.path);
        context.insert("meta", &publish::meta::page(self.config, page));
        let (previous, next) = neighbours(content, index);
        context.insert_value(
            "previous",
            previous.map_or(Value::none(), |i| views.summaries[i].clone()),
        );
        context.insert_value(
            "next",
            next.map_or(Value::none(), |i| views.summaries[i].clone()),
        );
        self.render(
            page_template(page, content),
            &context,
            format!("{}index.html", page.path),
            &format!("`{}`", page.file.name),
        )
    }

    pub(crate) fn section(&self, dir: &str) -> Result<KeptPage, Diagnostic> {
        let section = &self.content.sections[dir];
        let mut context = self.views.context();
        context.insert_value("section", self.views.sections[dir].clone());
        context.insert("current_path", &section.path);
        context.insert("meta", &publish::meta::section(self.config, section));
        self.render(
            section_template(section),
            &context,
            format!("{}index.html", section.path),
            &format!("`content/{}`", section.content_path),
        )
    }

    fn not_found(&self) -> Result<KeptPage, Diagnostic> {
        let config = self.config;
        let mut context = self.views.context();
        context.insert("current_path", "404.html");
        context.insert(
            "meta",
            &publish::meta::generated(config, "Page not found", &config.description, "404.html"),
        );
        self.render("404.html", &context, "404.html".to_owned(), "the 404 page")
    }
}

/// The published pages before and after page `index` in its section's order.
fn neighbours(content: &Content, index: usize) -> (Option<usize>, Option<usize>) {
    let Some(section) = content.sections.get(&content.pages[index].section) else {
        return (None, None);
    };
    let order: Vec<usize> = section
        .pages
        .iter()
        .copied()
        .filter(|&i| i == index || !content.pages[i].front.draft)
        .collect();
    let Some(at) = order.iter().position(|&i| i == index) else {
        return (None, None);
    };
    let previous = at.checked_sub(1).map(|p| order[p]);
    (previous, order.get(at + 1).copied())
}

/// Generated files that a file of the same name in `static/` replaces.
const GENERATED_DEFAULTS: [&str; 3] = ["robots.txt", "_headers", "_redirects"];

/// The files copied as they are: `static/` and content assets, by output path. Read now, with
/// the rest of the sources, so that a link out of the site or an unreadable file is reported
/// with every other problem.
fn static_files(
    tree: &Tree,
    content: &Content,
    diagnostics: &mut Diagnostics,
) -> Vec<(String, PathBuf)> {
    let static_dir = tree.root().join("static");
    let (files, problems) = tree.files_under("static");
    diagnostics.extend(problems);
    let copies = files
        .into_iter()
        .map(|path| (display_name(&static_dir, &path), path))
        .chain(
            content
                .assets
                .iter()
                .map(|a| (a.path.clone(), a.source.clone())),
        );
    copies
        .filter(|(_, source)| match tree.check_readable(source) {
            Ok(()) => true,
            Err(err) => {
                let name = display_name(tree.root(), source);
                diagnostics.push(
                    Diagnostic::error(format!("cannot read `{name}`: {err}"))
                        .in_file(&name)
                        .with_help("check the file's permissions, or remove it"),
                );
                false
            }
        })
        .collect()
}

/// `static/` as is, the built-in stylesheet unless overridden, and content assets. A copy may
/// not replace a generated page.
fn add_static_files(
    tree: &Tree,
    copies: Vec<(String, PathBuf)>,
    site: &mut BuiltSite,
    diagnostics: &mut Diagnostics,
) {
    let root = tree.root();
    for (path, source) in copies {
        // A site's own robots.txt or host files replace the generated ones.
        if GENERATED_DEFAULTS.contains(&path.as_str()) {
            site.files.remove(&path);
        }
        if site.generates(&path) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "`{}` would overwrite the generated `/{path}`",
                    display_name(root, &source)
                ))
                .in_file(&display_name(root, &source))
                .with_help("rename the file or move it elsewhere"),
            );
            continue;
        }
        site.copies.insert(path, source);
    }
    for (path, text) in BUILTIN_STATIC {
        if !site.copies.contains_key(path) {
            site.files
                .insert(path.into(), text.as_bytes().to_vec().into());
        }
    }
}

/// Each `aliases` entry of a page becomes a small page that redirects to it.
fn add_aliases(
    config: &Config,
    content: &Content,
    site: &mut BuiltSite,
    diagnostics: &mut Diagnostics,
) {
    for page in &content.pages {
        for alias in &page.front.aliases {
            let Some(path) = alias_output_path(alias) else {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "invalid alias `{alias}`: use a site path such as `/old/japan/`"
                    ))
                    .in_file(&page.file.name),
                );
                continue;
            };
            if site.generates(&path) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "alias `{alias}` would replace the generated `/{path}`"
                    ))
                    .in_file(&page.file.name),
                );
                continue;
            }
            let target = highlight::escape(&config.permalink(&page.path));
            let html = format!(
                "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>Redirect</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head><body><p>This page has moved to <a href=\"{target}\">{target}</a>.</p></body></html>\n",
                highlight::escape(&config.language)
            );
            site.files.insert(path, html.into_bytes().into());
        }
    }
}

/// `/old/japan/` → `old/japan/index.html`; `/old.html` stays a file. `None` when it climbs.
fn alias_output_path(alias: &str) -> Option<String> {
    let trimmed = alias.trim().trim_start_matches('/');
    let parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.contains('\\'))
    {
        return None;
    }
    let joined = parts.join("/");
    Some(if joined.ends_with(".html") {
        joined
    } else {
        format!("{joined}/index.html")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths_map_to_files_and_never_climb() {
        assert_eq!(
            alias_output_path("/old/japan/").unwrap(),
            "old/japan/index.html"
        );
        assert_eq!(alias_output_path("old.html").unwrap(), "old.html");
        assert_eq!(alias_output_path("/../etc/"), None);
        assert_eq!(alias_output_path("/"), None);
    }
}
