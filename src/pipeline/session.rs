//! `serve`'s builds: a full build that keeps what it computed, then, after an edit to pages'
//! Markdown files, an update that redoes only what the edit can reach.
//!
//! The update runs the same functions as the full build on less input: the edited pages are
//! parsed, resolved and rendered again; every list that shows them (their sections with all
//! the sections' pages, whose `section` value lists them; the taxonomy pages they are on),
//! the feed and the sitemap are made again; every page whose template looked up other content
//! (`get_page`, `get_section`, `get_taxonomy`) renders again; the search index takes the
//! edited pages' new text in place of the old, and writes each file when first asked for.
//! Anything else — a new, removed or moved page, a changed URL, draft state, aliases,
//! taxonomy terms or navigation, any error, and any change to configuration, data, templates
//! or static files — falls back to a full build, which is also what the tests compare every
//! update against.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Bodies, BodyInputs, BodyOf, BuildOptions, BuiltSite, Bytes, PageSink, Render, Views};
use crate::config::Config;
use crate::content::{self, Content, Page};
use crate::data::DataFiles;
use crate::diagnostic::Diagnostics;
use crate::facts;
use crate::markdown::highlight;
use crate::progress::Progress;
use crate::publish;
use crate::templates::{SharedLookup, TemplateSources};

/// Everything a full build computed that an update reuses.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) content: Content,
    pub(crate) data_files: std::sync::Arc<DataFiles>,
    pub(crate) sources: TemplateSources,
    pub(crate) tera: tera::Tera,
    pub(crate) lookup: SharedLookup,
    pub(crate) themes: Option<highlight::Themes>,
    pub(crate) urls: BTreeMap<String, String>,
    pub(crate) bodies: Bodies,
    pub(crate) views: Views,
    pub(crate) taxonomies: Vec<publish::taxonomy::Taxonomy>,
    pub(crate) today: jiff::civil::Date,
    /// Whether pages dated after `today` are published (`--future`).
    pub(crate) future: bool,
    /// Output paths of pages whose templates looked up other content.
    pub(crate) readers: BTreeSet<String>,
    /// The search index, when the site has search; updates replace the edited pages in it.
    pub(crate) search_index: Option<publish::search::Index>,
    /// What the search index knows of each page (by index; `None` for drafts): an update
    /// takes an edited page's old terms out of the index from here.
    pub(crate) search_documents: Vec<Option<OwnedDocument>>,
    /// Whether the site has editions in other languages: an edit then rebuilds the site
    /// (updates know one edition).
    pub(crate) multilingual: bool,
    pub(crate) messages: crate::messages::SharedMessages,
    /// The fonts graphics' PNGs are drawn in, found once per session.
    pub(crate) fonts: crate::graphics::png::Fonts,
    /// Where PNGs drawn before are kept: the build cache, as in a full build.
    pub(crate) pictures: crate::cache::Cache,
    /// The site's pictures, as the build read them (a changed picture rebuilds the site).
    pub(crate) images: std::sync::Arc<crate::images::Catalog>,
}

impl State {
    /// The state with every page's search document.
    pub(crate) fn with_search_documents(mut self) -> State {
        if self.search_index.is_some() {
            self.search_documents = (0..self.content.pages.len())
                .map(|i| OwnedDocument::of(&self, i))
                .collect();
        }
        self
    }
}

/// A built site that can take edits.
pub struct Session {
    state: State,
    site: BuiltSite,
}

/// Builds the whole site, keeping what later updates need.
pub fn start(root: &Path, options: &BuildOptions) -> (Option<Session>, Diagnostics) {
    let (built, diagnostics) =
        super::run_guarded(&crate::source::Tree::disk(root), options, None, true);
    let session = built.and_then(|(site, state)| {
        Some(Session {
            state: state?,
            site,
        })
    });
    (session, diagnostics)
}

impl Session {
    pub fn site(&self) -> &BuiltSite {
        &self.site
    }

    /// Applies edits to the Markdown files `changed` (absolute paths). Returns the update's
    /// diagnostics (warnings only), or `None` when the edits need a full build: something
    /// other than existing pages changed, a page moved, or anything is an error. The session
    /// is then stale and must be replaced by a new one.
    pub fn update(&mut self, changed: &[PathBuf]) -> Option<Diagnostics> {
        if self.state.multilingual {
            return None;
        }
        let mut clock = super::Stopwatch::from_env();
        let indexes = self.edited_pages(changed)?;
        let mut diagnostics = Diagnostics::default();
        let edit = self.reload(&indexes, &mut diagnostics)?;
        clock.lap("update: reload pages");
        let rendered = self.rerender_bodies(&edit, &mut diagnostics)?;
        clock.lap("update: bodies and anchors");
        let links_changed = rendered.links_changed;
        let new_bodies = rendered.pages.clone();
        let targets = self.refresh_values(&edit, rendered)?;
        clock.lap("update: template values");
        let outputs = self.rerender_outputs(&edit, &targets)?;
        clock.lap("update: render pages");
        self.refresh_listings(&edit, links_changed);
        self.refresh_search(&new_bodies);
        clock.lap("update: feed, sitemap, search index");
        // The link check, as a build runs it; a broken link falls back to a full build, which
        // reports it. Pages do not move in an update: when no page rendered again changed its
        // ids, every other page's links still hold, and only those pages' links are checked.
        let rendered = &outputs.paths;
        clock.note(&format!("update: {} pages rendered again", rendered.len()));
        if !outputs.ids_changed {
            let (broken, external) =
                crate::check::internal_links_of(&self.state.config, &self.site, rendered);
            if !broken.is_empty() {
                return None;
            }
            self.site
                .external
                .retain(|link| !rendered.contains(&link.page));
            self.site.external.extend(external);
        } else {
            let (broken, external) = crate::check::internal_links(&self.state.config, &self.site);
            if !broken.is_empty() {
                return None;
            }
            self.site.external = external;
        }
        clock.lap("update: link check");
        diagnostics.sort();
        Some(diagnostics)
    }

    /// Whether `path` (absolute) is a file the last build read under `content/`: a page, a
    /// section's `_index.md` or an asset. A file that is not, and no longer exists (an
    /// editor's probe or temporary file that came and went), cannot have changed the site.
    pub fn read_content_file(&self, path: &Path) -> bool {
        let content = &self.state.content;
        content.pages.iter().any(|page| page.file.path == path)
            || content
                .sections
                .values()
                .any(|section| section.file.as_ref().is_some_and(|f| f.path == path))
            || content.assets.iter().any(|asset| asset.source == path)
    }

    /// Page indexes of the changed files; `None` unless each is an existing page.
    fn edited_pages(&self, changed: &[PathBuf]) -> Option<Vec<usize>> {
        // A scan: an edit names a page or two, and a map of every page would cost more.
        let pages = &self.state.content.pages;
        let mut indexes: Vec<usize> = changed
            .iter()
            .map(|path| {
                pages
                    .iter()
                    .position(|page| page.file.path.as_os_str() == path.as_os_str())
                    .or_else(|| pages.iter().position(|page| page.file.path == *path))
            })
            .collect::<Option<_>>()?;
        indexes.sort_unstable();
        indexes.dedup();
        (!indexes.is_empty()).then_some(indexes)
    }

    /// Parses the edited pages again and puts them in place; `None` when one failed, moved,
    /// or changed how the site is put together.
    fn reload(&mut self, indexes: &[usize], diagnostics: &mut Diagnostics) -> Option<Edit> {
        let state = &mut self.state;
        let mut edit = Edit::default();
        for &index in indexes {
            let mut page = content::reload_page(&state.config, &state.content, index).ok()?;
            let problems = facts::resolve_page(&mut page, &state.data_files, state.today);
            let unfinished = content::placeholders_in(&page.front, &page.file, &page.body);
            let wrong = facts::check_page_figures(&state.config, &page, state.today);
            if !problems.is_empty() || !unfinished.is_empty() || !wrong.is_empty() {
                return None;
            }
            let old = &state.content.pages[index];
            if !same_place(old, &page) {
                return None;
            }
            // A page whose new date is after the build date leaves the site: a full build.
            if !state.future && page.front.date.is_some_and(|date| date > state.today) {
                return None;
            }
            diagnostics.extend(facts::stale_page_figures(&state.config, &page, state.today));
            // A new `image` is checked against the site's files by a full build.
            if old.front.image.as_ref().map(|i| &i.0) != page.front.image.as_ref().map(|i| &i.0) {
                return None;
            }
            // New terms mean new or vanished term pages: a full build's work.
            if old.front.taxonomies != page.front.taxonomies {
                return None;
            }
            edit.front_matter |=
                old.file.text.get(..old.body.start) != page.file.text.get(..page.body.start);
            edit.dates |= old.front.last_modified() != page.front.last_modified();
            // Dates and titles order a term's pages.
            edit.term_order |=
                old.front.date != page.front.date || old.front.title != page.front.title;
            edit.sections.insert(page.section.clone());
            self.site
                .origins
                .insert(crate::config::index_file(&page.path), page.file.clone());
            state.content.pages[index] = page;
        }
        // Dates, weights and titles order a section's pages.
        for dir in &edit.sections {
            let section = state.content.sections.get_mut(dir)?;
            let mut order = section.pages.clone();
            content::sort_pages(&mut order, &state.content.pages, section.front.sort_by);
            edit.reordered |= order != section.pages;
            state.content.sections.get_mut(dir)?.pages = order;
        }
        if edit.term_order {
            for term in state.taxonomies.iter_mut().flat_map(|t| &mut t.terms) {
                if term.pages.iter().any(|i| indexes.contains(i)) {
                    publish::taxonomy::sort_term_pages(&mut term.pages, &state.content);
                    edit.reordered_terms.push(term.path.clone());
                }
            }
        }
        edit.pages = indexes.to_vec();
        Some(edit)
    }

    /// Renders the edited bodies again, and every body that shows other pages when front
    /// matter changed.
    fn rerender_bodies(
        &mut self,
        edit: &Edit,
        diagnostics: &mut Diagnostics,
    ) -> Option<Rerendered> {
        let Session { state, site } = self;
        // Site shortcodes see the site as a build shows it to them: before bodies, and with
        // this edit's front matter.
        if state.sources.has_site_shortcodes() {
            let (data, shared_files) = unchanged_parts(&state.lookup);
            state.lookup.set(super::lookup_before_bodies(
                &state.config,
                &state.content,
                &state.taxonomies,
                data,
                shared_files,
                state.images.clone(),
            ));
        }
        let mut pages: BTreeSet<usize> = edit.pages.iter().copied().collect();
        let mut sections = Vec::new();
        if edit.front_matter {
            pages.extend(
                state
                    .bodies
                    .pages
                    .iter()
                    .enumerate()
                    .filter(|(_, body)| body.reads_content)
                    .map(|(i, _)| i),
            );
            sections.extend(
                state
                    .bodies
                    .sections
                    .iter()
                    .filter(|(_, body)| body.reads_content)
                    .map(|(dir, _)| dir.clone()),
            );
        }
        let which: Vec<BodyOf> = pages
            .iter()
            .map(|&i| BodyOf::Page(i))
            .chain(sections.iter().map(|dir| BodyOf::Section(dir)))
            .collect();
        let inputs = BodyInputs {
            spill: None,
            config: &state.config,
            content: &state.content,
            data: &state.data_files,
            urls: &state.urls,
            templates: Some((&state.tera, &state.sources)),
            themes: state.themes,
            today: state.today,
            progress: &Progress::off(),
            cache: None,
            messages: &state.messages,
            fonts: &state.fonts,
            images: &state.images,
            pictures: &state.pictures,
            fallback: None,
            fallback_links: None,
        };
        let results = super::render_bodies(&inputs, &which);
        let mut problems = Diagnostics::default();
        // Links into a page whose headings changed may have lost their anchor.
        let mut headings_changed = false;
        let mut links_changed = !sections.is_empty();
        // Pictures the re-rendered bodies showed before: published only while a body shows them.
        let mut no_longer_shown = BTreeSet::new();
        for (which, (expanded, found)) in which.iter().zip(results) {
            problems.extend(found);
            let images = expanded.rendered.images.clone();
            let content_path = match *which {
                BodyOf::Page(index) => {
                    let body = &mut state.bodies.pages[index];
                    no_longer_shown.extend(body.images.iter().cloned());
                    headings_changed |= body.heading_ids != expanded.rendered.heading_ids;
                    links_changed |= !same_links(body, &expanded.rendered);
                    *body = expanded.rendered;
                    &state.content.pages[index].content_path
                }
                BodyOf::Section(dir) => {
                    let old = state
                        .bodies
                        .sections
                        .insert(dir.to_owned(), expanded.rendered);
                    if let Some(old) = &old {
                        no_longer_shown.extend(old.images.iter().cloned());
                    }
                    headings_changed |= old.is_none_or(|old| {
                        old.heading_ids != state.bodies.sections[dir].heading_ids
                    });
                    &state.content.sections[dir].content_path
                }
            };
            // The body's table downloads replace the ones it offered before.
            for (path, _) in state
                .bodies
                .downloads
                .remove(content_path)
                .unwrap_or_default()
            {
                site.files.remove(&path);
            }
            // Pictures the body shows now: their resized copies (made once, kept by the
            // catalog).
            for read in &images {
                for variant in super::image_copies(&state.images, read) {
                    site.files
                        .entry(variant.path.clone())
                        .or_insert_with(|| variant.bytes.clone().into());
                }
            }
            if !expanded.downloads.is_empty() {
                let downloads = super::shared_downloads(expanded.downloads);
                for (path, bytes) in &downloads {
                    site.files.insert(path.clone(), bytes.clone());
                }
                state
                    .bodies
                    .downloads
                    .insert(content_path.clone(), downloads);
            }
        }
        for body in state
            .bodies
            .pages
            .iter()
            .chain(state.bodies.sections.values())
        {
            for read in &body.images {
                no_longer_shown.remove(read);
            }
        }
        for read in &no_longer_shown {
            for variant in super::image_copies(&state.images, read) {
                site.files.remove(&variant.path);
            }
        }
        let files: BTreeSet<&str> =
            pages
                .iter()
                .map(|&i| state.content.pages[i].file.name.as_str())
                .chain(sections.iter().filter_map(|dir| {
                    Some(state.content.sections[dir].file.as_ref()?.name.as_str())
                }))
                .collect();
        let only = (!headings_changed).then_some(&files);
        super::check_anchors_from(&state.content, &state.bodies, only, &mut problems);
        if problems.has_errors() {
            return None;
        }
        diagnostics.extend(problems);
        Some(Rerendered {
            pages,
            sections,
            links_changed,
        })
    }

    /// Updates the template values and the lookup; returns the pages whose values changed
    /// in a way lists show. `None` when the site-wide values changed (navigation).
    fn refresh_values(&mut self, edit: &Edit, rendered: Rerendered) -> Option<Targets> {
        let state = &mut self.state;
        let mut targets = Targets {
            sections: rendered.sections.into_iter().collect(),
            ..Targets::default()
        };
        // The lookup shares the page bodies: it goes, so that setting one does not copy every
        // other, and is made again below.
        let (data, shared_files) = unchanged_parts(&state.lookup);
        state.lookup.clear();
        for index in rendered.pages {
            let before = state.views.summaries.packed(index).cloned();
            let mut body = std::mem::take(&mut state.bodies.pages[index]);
            state
                .views
                .set_page(&state.config, &state.content, index, &mut body);
            state.bodies.pages[index] = body;
            targets.pages.insert(index);
            if state.views.summaries.packed(index) != before.as_ref() {
                targets.listed.insert(index);
            }
        }
        if super::site_value(&state.config, &state.content, &state.urls) != state.views.site {
            return None;
        }
        state.views.sections = super::section_values(&state.config, &state.content, &state.bodies);
        let lookup = state.views.lookup(
            &state.config,
            &state.content,
            &state.taxonomies,
            data,
            shared_files,
            state.images.clone(),
        );
        state.lookup.set(lookup);
        // A list shows a page's summary: the pages of its section whose templates read the
        // section's lists (`section.pages`), the pages it is previous or next of (all of the
        // section's when their order changed), the section itself, and the taxonomy pages it
        // is on.
        if !targets.listed.is_empty() {
            let content = &state.content;
            let mut reads_lists = BTreeMap::new();
            for dir in &edit.sections {
                targets.sections.insert(dir.clone());
                for &index in &content.sections[dir].pages {
                    let template = super::page_template(&content.pages[index], content);
                    let reads = *reads_lists
                        .entry(template)
                        .or_insert_with(|| state.sources.reads_section_lists(template));
                    if reads || edit.reordered {
                        targets.pages.insert(index);
                    }
                }
            }
            for &index in &targets.listed {
                let (previous, next) = super::neighbours(content, index);
                targets.pages.extend(previous.into_iter().chain(next));
            }
        }
        Some(targets)
    }

    /// Renders the outputs that show what changed, and every output that reads content.
    fn rerender_outputs(&mut self, edit: &Edit, targets: &Targets) -> Option<Outputs> {
        let state = &self.state;
        let mut pages = targets.pages.clone();
        let mut sections = targets.sections.clone();
        let mut not_found = false;
        if !state.readers.is_empty() {
            let page_paths: BTreeMap<String, usize> = state
                .content
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| (crate::config::index_file(&p.path), i))
                .collect();
            let section_paths: BTreeMap<String, &String> = state
                .content
                .sections
                .iter()
                .map(|(dir, s)| (crate::config::index_file(&s.path), dir))
                .collect();
            for path in &state.readers {
                if let Some(&i) = page_paths.get(path) {
                    pages.insert(i);
                } else if let Some(dir) = section_paths.get(path) {
                    sections.insert((*dir).clone());
                } else if path == "404.html" {
                    not_found = true;
                }
            }
        }
        let readers = Mutex::default();
        let sink = PageSink {
            staging: None,
            readers: &readers,
        };
        let render = Render {
            tera: &state.tera,
            sources: &state.sources,
            config: &state.config,
            content: &state.content,
            views: &state.views,
            sink,
            cards: publish::cards::Cards {
                fonts: &state.fonts,
                cache: &state.pictures,
            },
            images: &state.images,
            pages: None,
            neighbours: &[],
        };
        let pages: Vec<usize> = pages.iter().copied().collect();
        let sections: Vec<&str> = sections.iter().map(String::as_str).collect();
        let mut results = render.pages_and_sections(&pages, &sections, None);
        if not_found {
            results.push(render.not_found());
        }
        let listed = &targets.listed;
        let old_readers = &state.readers;
        // A term page changes when it reads content, shows a changed page, or belongs to a
        // term whose order changed.
        let wants = |path: &str, on_it: &[usize]| {
            old_readers.contains(&crate::config::index_file(path))
                || on_it.iter().any(|i| listed.contains(i))
                || edit
                    .reordered_terms
                    .iter()
                    .any(|term| path.starts_with(term))
        };
        let only: &publish::pages::PageFilter<'_> = &wants;
        results.extend(publish::pages::render(
            &state.tera,
            &state.sources,
            &state.config,
            &state.views,
            &state.taxonomies,
            (sink, None),
            Some(only),
        ));
        let mut rendered = Vec::with_capacity(results.len());
        for result in results {
            let kept = result.ok()?;
            kept.bytes.as_ref()?;
            rendered.push(kept);
        }
        let new_readers = readers.into_inner().unwrap_or_default();
        let state = &mut self.state;
        let mut outputs = Outputs::default();
        for kept in rendered {
            outputs.ids_changed |= !self
                .site
                .links
                .get(&kept.path)
                .is_some_and(|links| links.same_ids(&kept.links));
            outputs.paths.insert(kept.path.clone());
            if let Some(card) = &kept.card {
                outputs.paths.insert(card.path.clone());
            }
            // Whether this output reads content is now what its last render said.
            if new_readers.contains(&kept.path) {
                state.readers.insert(kept.path.clone());
            } else {
                state.readers.remove(&kept.path);
            }
            self.site.keep(kept);
        }
        Some(outputs)
    }

    /// The feed and sitemap (when the edit can change them) and the highlighting
    /// stylesheet, made again.
    fn refresh_listings(&mut self, edit: &Edit, links_changed: bool) {
        let state = &self.state;
        let site = &mut self.site;
        let listings = publish::pages::feed_and_sitemaps(
            &state.config,
            &state.content,
            &state.views.contents,
            &state.taxonomies,
            publish::pages::Listings {
                edited: &edit.pages,
                dates: edit.dates,
            },
        );
        for (name, text) in listings {
            site.files.insert(name, text.into_bytes().into());
        }
        site.files.insert(
            "syntax.css".into(),
            state.bodies.stylesheet().into_bytes().into(),
        );
        // Copies the re-rendered page templates asked for with `resize_image`.
        for variant in state.images.resized() {
            site.files
                .entry(variant.path.clone())
                .or_insert_with(|| variant.bytes.clone().into());
        }
        if links_changed {
            site.checked_links = state.bodies.checked_links();
        }
    }

    /// Replaces the pages whose bodies rendered again in the search index; its files are
    /// written when first asked for.
    fn refresh_search(&mut self, pages: &BTreeSet<usize>) {
        let state = &mut self.state;
        let Some(mut index) = state.search_index.take() else {
            return;
        };
        for &i in pages {
            let Some(new) = OwnedDocument::of(state, i) else {
                continue;
            };
            // Drafts never change in an update, so document ids stay as they were.
            let id = state.content.pages[..i]
                .iter()
                .filter(|p| !p.front.draft)
                .count();
            if let Some(old) = &state.search_documents[i] {
                index.replace(id, &old.document(), &new.document());
            }
            state.search_documents[i] = Some(new);
        }
        let site = &mut self.site;
        site.files
            .retain(|path, _| !path.starts_with(publish::pages::SEARCH_FOLDER));
        site.deferred = Some(Arc::new(Deferred::search_index(index.clone())));
        state.search_index = Some(index);
    }
}

/// The pages an update rendered again, and whether any of them changed its ids (then links
/// from other pages into it may have broken).
#[derive(Default)]
struct Outputs {
    paths: BTreeSet<String>,
    ids_changed: bool,
}

/// What an update reuses of the lookup: data files and shared files do not change in one.
fn unchanged_parts(
    lookup: &SharedLookup,
) -> (
    crate::templates::DataLookup,
    std::sync::Arc<publish::assets::SharedFiles>,
) {
    lookup
        .get()
        .map(|l| (l.data.clone(), l.shared_files.clone()))
        .unwrap_or_default()
}

/// What an edit changed.
#[derive(Default)]
struct Edit {
    /// The edited pages, by index.
    pages: Vec<usize>,
    /// Folders of the sections that hold them.
    sections: BTreeSet<String>,
    /// Whether any edited page's front matter changed (not only its body).
    front_matter: bool,
    /// Whether an edited page's last-modified date changed, which feeds and the sitemap show.
    dates: bool,
    /// Whether an edited page's date or title changed, which orders term pages.
    term_order: bool,
    /// Site paths of the terms whose pages were put in order again.
    reordered_terms: Vec<String>,
    /// Whether a section's pages changed order (every page's previous and next may change).
    reordered: bool,
}

/// Bodies rendered again, not yet moved into the template values.
struct Rerendered {
    pages: BTreeSet<usize>,
    sections: Vec<String>,
    /// Whether any of their `@/` links changed.
    links_changed: bool,
}

fn same_links(old: &crate::markdown::Rendered, new: &crate::markdown::Rendered) -> bool {
    old.links
        .iter()
        .map(|l| &l.href)
        .eq(new.links.iter().map(|l| &l.href))
}

/// What to render again.
#[derive(Default)]
struct Targets {
    /// Pages by index.
    pages: BTreeSet<usize>,
    /// Sections by folder.
    sections: BTreeSet<String>,
    /// Pages whose summary, as lists show it, changed.
    listed: BTreeSet<usize>,
}

/// A page's place in the site: when any of this changes, other pages' URLs, links or
/// navigation may change with it, and only a full build knows.
fn same_place(old: &Page, new: &Page) -> bool {
    old.path == new.path
        && old.slug == new.slug
        && old.section == new.section
        && old.content_path == new.content_path
        && old.front.draft == new.front.draft
        && old.front.aliases == new.front.aliases
}

/// Files written the first time they are asked for: the search index after an update.
pub struct Deferred {
    index: publish::search::Index,
    written: Mutex<BTreeMap<String, Bytes>>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deferred")
    }
}

impl Deferred {
    fn search_index(index: publish::search::Index) -> Deferred {
        Deferred {
            index,
            written: Mutex::default(),
        }
    }

    /// The file at `path`, written now if it was not yet.
    pub fn get(&self, path: &str) -> Option<Bytes> {
        let name = path.strip_prefix(publish::pages::SEARCH_FOLDER)?;
        if let Some(bytes) = self.written.lock().ok()?.get(path) {
            return Some(bytes.clone());
        }
        let bytes: Bytes = self.index.file(name)?.into_bytes().into();
        if let Ok(mut written) = self.written.lock() {
            written.insert(path.to_owned(), bytes.clone());
        }
        Some(bytes)
    }

    /// Every deferred file, written now.
    pub fn all(&self) -> BTreeMap<String, Bytes> {
        self.index
            .files()
            .into_iter()
            .map(|(name, text)| {
                (
                    format!("{}{name}", publish::pages::SEARCH_FOLDER),
                    text.into_bytes().into(),
                )
            })
            .collect()
    }
}

/// What the search index knows of a page, kept so that its terms can be taken out again.
pub(crate) struct OwnedDocument {
    title: String,
    url: String,
    description: Option<String>,
    section: String,
    headings: Vec<String>,
    html: tera::Value,
}

impl OwnedDocument {
    /// Page `index`'s document; `None` for a draft, which search never shows.
    fn of(state: &State, index: usize) -> Option<OwnedDocument> {
        let page = &state.content.pages[index];
        if page.front.draft {
            return None;
        }
        Some(OwnedDocument {
            title: page.front.title.clone(),
            url: state.config.url_path(&page.path),
            description: page.front.description.clone(),
            section: publish::pages::search_section(&state.content, page).to_owned(),
            headings: state.bodies.pages[index]
                .toc_titles()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            html: state.views.contents.get(index),
        })
    }

    fn document(&self) -> publish::search::Document<'_> {
        publish::search::Document {
            title: &self.title,
            url: self.url.clone(),
            description: self.description.as_deref(),
            section: &self.section,
            headings: self.headings.iter().map(String::as_str).collect(),
            text: publish::search::html_text(self.html.as_str().unwrap_or_default()),
        }
    }
}
