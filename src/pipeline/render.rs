//! Rendering: each page and section through its template, into the page sink (the staging
//! folder of a build, or memory), with what the link check needs of it.

use super::*;

/// A page's social card: its path, the PNG unless already written, and its key in the build
/// cache (the build record names it by that key).
pub(crate) struct KeptCard {
    pub(crate) path: String,
    pub(crate) png: Option<Vec<u8>>,
    pub(crate) key: Option<crate::cache::Key>,
}

/// A rendered page: its output path, its bytes unless they are already written, and what the
/// link check needs of it.
pub(crate) struct KeptPage {
    pub(crate) path: String,
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) links: crate::check::PageLinks,
    /// Its social card (`publish::cards`).
    pub(crate) card: Option<KeptCard>,
    /// The characters no font here draws, when its card could not be drawn for them.
    pub(crate) card_missing: Vec<char>,
    /// The page cache's key of it and the digest of its bytes, when the key alone decides
    /// them (it read no picture or static file): the build record keeps them
    /// (`record::intact_pages`, `record::restore`).
    pub(crate) cached: Option<record::CachedAs>,
}

/// Where rendered pages go as soon as they exist: the staging folder of a `build`, so that no
/// page's HTML stays in memory longer than it must, or (`serve`, `check`) the site in memory.
/// It also notes which pages looked up other content while rendering.
#[derive(Clone, Copy)]
pub(crate) struct PageSink<'a> {
    pub(crate) staging: Option<&'a Staging>,
    pub(crate) readers: &'a std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl PageSink<'_> {
    /// The page at output `path` as the cache holds it under its key (linked from the output
    /// folder when that holds it as the last build wrote it), or why it could not be kept;
    /// `path` back when the cache does not hold it (then `fresh` renders it).
    pub(crate) fn cached_page(
        &self,
        path: String,
        cached: Option<(&PageCache, crate::cache::Key)>,
    ) -> Result<Result<KeptPage, Diagnostic>, String> {
        let Some((cache, key)) = &cached else {
            return Err(path);
        };
        // The output folder holds it as the last build wrote it: linked, not written.
        if let Some(staging) = self.staging
            && let Some(digest) = staging.holds(&path, key)
            && let Some(page) = cache.links(key)
            && staging.reuse(&path)
        {
            self.note_reads(&path, page.content.is_some());
            return Ok(Ok(KeptPage {
                path,
                bytes: None,
                links: page.links,
                card: None,
                card_missing: Vec::new(),
                cached: Some(record::CachedAs { key: *key, digest }),
            }));
        }
        match cache.get(key) {
            Some(page) => {
                self.note_reads(&path, page.content.is_some());
                Ok(self.take(path, page.html, page.links, Some(*key)))
            }
            None => Err(path),
        }
    }

    /// Renders `template` for the output `path` and keeps the result; with a cache and the
    /// page's key there (`PageCache`), puts it there (after `cached_page` did not find it).
    ///
    /// What `fill` adds (a page's body, a list's summaries) goes into the context only here,
    /// where the page renders: one the cache holds needs none (its key has their digests).
    pub(crate) fn fresh(
        &self,
        tera: &Tera,
        template: &str,
        context: &Context,
        path: String,
        cached: Option<(&PageCache, crate::cache::Key)>,
        fill: Option<Fill>,
    ) -> Result<Result<KeptPage, Diagnostic>, tera::Error> {
        let filled = fill.map(|fill| fill.fill(context));
        let context = filled.as_ref().unwrap_or(context);
        let (html, reads) = crate::templates::render_tracked(tera, template, context);
        let html = html?;
        self.note_reads(&path, reads.content);
        let links = crate::check::PageLinks::of(&html);
        let mut kept_key = None;
        if let Some((cache, key)) = &cached
            && !reads.files
        {
            cache.put(key, &html, &links, reads.content);
            kept_key = Some(*key);
        }
        Ok(self.take(path, html, links, kept_key))
    }

    fn note_reads(&self, path: &str, content: bool) {
        if content && let Ok(mut readers) = self.readers.lock() {
            readers.insert(path.to_owned());
        }
    }

    /// Writes a rendered page (a build) or keeps it in memory, with its links.
    fn take(
        &self,
        path: String,
        html: String,
        links: crate::check::PageLinks,
        key: Option<crate::cache::Key>,
    ) -> Result<KeptPage, Diagnostic> {
        let cached = key.map(|key| record::CachedAs {
            key,
            digest: crate::cache::digest(html.as_bytes()),
        });
        let Some(staging) = self.staging else {
            return Ok(KeptPage {
                path,
                bytes: Some(html.into_bytes()),
                links,
                card: None,
                card_missing: Vec::new(),
                cached,
            });
        };
        staging
            .put(&path, html.as_bytes())
            .map_err(|err| Diagnostic::error(err.to_string()))?;
        Ok(KeptPage {
            path,
            bytes: None,
            links,
            card: None,
            card_missing: Vec::new(),
            cached,
        })
    }

    /// Writes a file that comes with a page (its card) to the staging folder of a build, or
    /// hands its bytes back to be kept in memory.
    pub(crate) fn take_file(
        &self,
        path: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, Diagnostic> {
        let Some(staging) = self.staging else {
            return Ok(Some(bytes));
        };
        staging
            .put(path, &bytes)
            .map_err(|err| Diagnostic::error(err.to_string()))?;
        Ok(None)
    }
}

pub(super) fn page_template<'a>(page: &'a Page, content: &'a Content) -> &'a str {
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

pub(super) fn section_template(section: &Section) -> &str {
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

pub(super) fn check_template_names(
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

/// Every page and section, then the 404 page.
pub(super) fn render_templates(
    render: Render,
    progress: &Progress,
) -> Vec<Result<KeptPage, Diagnostic>> {
    let content = render.content;
    let pages: Vec<usize> = (0..content.pages.len()).collect();
    let sections: Vec<&str> = content.sections.keys().map(String::as_str).collect();
    let mut results = render.pages_and_sections(&pages, &sections, Some(progress));
    results.push(render.not_found());
    results
}

/// How many pages of a section are looked up in the page cache before those it does not hold
/// render: each waits with its context made, so that the section's value is made only if
/// one of them must render.
const PREPARED_AT_ONCE: usize = 1024;

/// A page or list page on its way: taken from the page cache, or to render.
enum Step<'a> {
    Done(Box<Result<KeptPage, Diagnostic>>),
    Render(Box<Pending<'a>>),
}

impl<'a> Step<'a> {
    fn done(result: Result<KeptPage, Diagnostic>) -> Step<'a> {
        Step::Done(Box::new(result))
    }
}

/// A page or list page the page cache did not hold: its context without the values its
/// section's scope gives (`Needs`), and its card, drawn.
struct Pending<'a> {
    template: &'a str,
    context: Context,
    /// Its site path (its file is `index.html` there).
    path: String,
    /// How errors name it.
    what: String,
    cached: Option<(&'a PageCache<'a>, crate::cache::Key)>,
    body: Option<PageBody<'a>>,
    card: Option<KeptCard>,
    card_missing: Vec<char>,
    /// Whether its section's values are in `context` (`Render::fill`).
    filled: bool,
    needs: Needs<'a>,
}

/// What a page needs of its section's scope to render (`Render::finish`), and what its key
/// in the page cache has instead (the digests of those values).
enum Needs<'a> {
    /// Page `index` of `section`: `section`, and the summaries of its neighbours.
    Page {
        section: &'a str,
        index: usize,
        previous: Option<usize>,
        next: Option<usize>,
    },
    /// A list page of `section` (`first` of them gets a card): `section`, and the summaries
    /// of the pages it lists.
    List {
        section: &'a str,
        first: bool,
        pages: Vec<usize>,
    },
}

/// One section's values while it and its pages render: its whole value, and its pages'
/// summaries by page index (the values its `pages` list holds).
pub(crate) struct SectionScope {
    section: Value,
    summaries: foldhash::HashMap<usize, Value>,
}

impl Default for SectionScope {
    fn default() -> SectionScope {
        SectionScope {
            section: Value::none(),
            summaries: Default::default(),
        }
    }
}

/// A page's body, for its `page` value: what a page's template gets, where its card and its
/// key in the page cache have the body's digest instead (`spill::Texts::digest`), so that a
/// page the cache holds is found without reading its body back.
#[derive(Clone, Copy)]
pub(crate) struct PageBody<'a> {
    pub(crate) contents: &'a crate::spill::Texts,
    pub(crate) index: usize,
}

/// What goes into a page's context only if it renders (`PageSink::fresh`).
#[derive(Clone, Copy)]
pub(crate) enum Fill<'a> {
    /// A page's body, in `page.content`.
    Body(PageBody<'a>),
    /// A generated list's `pages`: the summaries of these pages, unpacked.
    List {
        summaries: &'a crate::templates::summaries::Summaries,
        pages: &'a [usize],
    },
}

impl Fill<'_> {
    fn fill(&self, context: &Context) -> Context {
        match self {
            Fill::Body(body) => body.fill(context),
            Fill::List { summaries, pages } => {
                let mut context = context.clone();
                context.insert_value("pages", Value::from(summaries.values(pages)));
                context
            }
        }
    }
}

impl PageBody<'_> {
    /// `context` with the body in `page.content`, where `templates::with_body` puts it
    /// (before `toc`).
    fn fill(&self, context: &Context) -> Context {
        let mut context = context.clone();
        if let Some(page) = context.get("page") {
            let mut map = page.clone().into_map().unwrap_or_default();
            let at = map
                .get_index_of(&tera::value::Key::from("toc"))
                .unwrap_or(map.len());
            map.shift_insert(at, "content".into(), self.contents.get(self.index));
            context.insert_value("page", Value::from(map));
        }
        context
    }
}

/// The pages a page's key is made of beside itself: page `index`, whose `page` value is its
/// summary with its table of contents `toc` (`templates::with_body`), and its neighbours in
/// its section.
#[derive(Clone, Copy)]
pub(crate) struct PageParts<'v> {
    index: usize,
    previous: Option<usize>,
    next: Option<usize>,
    toc: Option<&'v crate::templates::Toc>,
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
    pub(crate) cards: publish::cards::Cards<'a>,
    /// The site's pictures: an editor's own `image:` gets its size in `meta.image`.
    pub(crate) images: &'a crate::images::Catalog,
    /// Pages rendered by an earlier build, when there is a cache.
    pub(crate) pages: Option<&'a PageCache<'a>>,
    /// Every page's `neighbours` (`all_neighbours`) when all are rendered; empty when a few
    /// are, each of which then looks for its own.
    pub(crate) neighbours: &'a [(Option<usize>, Option<usize>)],
}

impl<'a> Render<'a> {
    /// Pages `pages` and the list pages of sections `sections`, section by section. What the
    /// page cache holds is taken from it first, a chunk of pages at a time; only when one
    /// of a section's pages or list pages must render is the section's value made (its
    /// pages' summaries unpacked), and it lives while that section renders, and no longer.
    /// (It is made first when there is no page cache, or the site has social cards: a card
    /// is drawn with the page's whole context, from the page cache or not.) An edit build of
    /// a 10,000-page site made every section's value for the pages it took from the cache:
    /// 130 ms of its 1.4 s.
    /// The results come in the order asked for: the pages', then the sections'.
    pub(crate) fn pages_and_sections(
        &self,
        pages: &[usize],
        sections: &[&str],
        progress: Option<&Progress>,
    ) -> Vec<Result<KeptPage, Diagnostic>> {
        let content = self.content;
        let step = || {
            if let Some(progress) = progress {
                progress.step();
            }
        };
        let mut by_section: BTreeMap<&str, (Vec<usize>, bool)> = BTreeMap::new();
        for &index in pages {
            let section = content.pages[index].section.as_str();
            by_section.entry(section).or_default().0.push(index);
        }
        for &dir in sections {
            by_section.entry(dir).or_default().1 = true;
        }
        let mut page_results: BTreeMap<usize, Result<KeptPage, Diagnostic>> = BTreeMap::new();
        let mut section_results = BTreeMap::new();
        for (dir, (indexes, list)) in by_section {
            // Made first when every page will render (no page cache: a cold build, `serve`),
            // or when a social card, drawn with the page's whole context, needs it anyway.
            let eager = self.pages.is_none() || self.config.social_cards;
            let mut scope = eager.then(|| self.scope(dir));
            let mut chunks: Vec<&[usize]> = indexes.chunks(PREPARED_AT_ONCE).collect();
            if chunks.is_empty() {
                chunks.push(&[]);
            }
            let mut lists = Vec::new();
            for (number, chunk) in chunks.into_iter().enumerate() {
                // The section's list pages go with its first pages, and render beside them.
                let with_lists = list && number == 0;
                let (mut prepared, listed) = rayon::join(
                    || {
                        chunk
                            .par_iter()
                            .map(|&index| (Some(index), self.page(index, scope.as_ref())))
                            .collect::<Vec<_>>()
                    },
                    || match with_lists {
                        true => self.section(dir, scope.as_ref()),
                        false => Vec::new(),
                    },
                );
                prepared.extend(listed.into_iter().map(|step| (None, step)));
                for (index, result) in self.finish_all(prepared, dir, &mut scope, &step) {
                    match index {
                        Some(index) => {
                            page_results.insert(index, result);
                        }
                        None => lists.push(result),
                    }
                }
            }
            if list {
                section_results.insert(dir, lists);
            }
        }
        let pages = pages.iter().filter_map(|index| page_results.remove(index));
        let sections = sections
            .iter()
            .filter_map(|dir| section_results.remove(dir))
            .flatten();
        pages.chain(sections).collect()
    }

    /// Renders what the cache did not hold among `prepared` (of section `dir`: pages by
    /// index, and its list pages), making the section's value first if no earlier chunk
    /// needed it. The results keep the order of `prepared`.
    fn finish_all(
        &self,
        prepared: Vec<(Option<usize>, Step<'a>)>,
        dir: &str,
        scope: &mut Option<SectionScope>,
        step: &(dyn Fn() + Sync),
    ) -> Vec<(Option<usize>, Result<KeptPage, Diagnostic>)> {
        let pending = prepared
            .iter()
            .any(|(_, prepared)| matches!(prepared, Step::Render(_)));
        if pending && scope.is_none() {
            *scope = Some(self.scope(dir));
        }
        let empty = SectionScope::default();
        let scope = scope.as_ref().unwrap_or(&empty);
        prepared
            .into_par_iter()
            .map(|(index, prepared)| {
                let result = match prepared {
                    Step::Done(result) => *result,
                    Step::Render(pending) => self.finish(*pending, scope),
                };
                step();
                (index, result)
            })
            .collect()
    }

    /// Section `dir`'s value, its pages' summaries unpacked.
    fn scope(&self, dir: &str) -> SectionScope {
        let Some(parts) = self.views.sections.get(dir) else {
            return SectionScope::default();
        };
        let pages = self.views.summaries.values(&parts.pages);
        let summaries = parts
            .pages
            .iter()
            .copied()
            .zip(pages.iter().cloned())
            .collect();
        SectionScope {
            section: parts.value(pages),
            summaries,
        }
    }

    /// Page `index`'s summary: from `scope` when the page is in it.
    fn summary(&self, scope: &SectionScope, index: usize) -> Value {
        match scope.summaries.get(&index) {
            Some(summary) => summary.clone(),
            None => self.views.summaries.get(index).unwrap_or_else(Value::none),
        }
    }

    /// Draws the card of the page or section at `site_path` (unless the site has none, or
    /// gives it a picture of its own) and puts it in `meta.image`; then takes the page from
    /// the page cache, or says what rendering it needs (`Render::finish`).
    /// With `scope`, the values of its section's scope go into the context of a page that
    /// gets a card before the card is drawn, as they would be when the page renders.
    fn prepare(
        &self,
        mut page: Pending<'a>,
        mut meta: serde_json::Value,
        scope: Option<&SectionScope>,
    ) -> Step<'a> {
        let draw = match &page.needs {
            Needs::Page { .. } => true,
            Needs::List { first, .. } => *first,
        };
        let site_path = page.path.clone();
        if draw
            && self.config.social_cards
            && meta.get("image").is_none_or(serde_json::Value::is_null)
        {
            if let Some(scope) = scope {
                self.fill(&mut page, scope);
            }
            page.context.insert("meta", &meta);
            let drawing = || {
                self.cards
                    .draw(self.tera, &page.context, &site_path, &self.config.language)
            };
            let what = &page.what;
            let drawn =
                match crate::guard::catch(|| format!("drawing the social card of {what}"), drawing)
                {
                    Ok(drawn) => drawn,
                    Err(bug) => return Step::done(Err(bug)),
                };
            match drawn {
                Ok(publish::cards::Card::Drawn { path, png, key }) => {
                    meta["image"] = publish::cards::meta_image(
                        self.config.permalink(&path),
                        Some(publish::cards::WIDTH),
                        Some(publish::cards::HEIGHT),
                        meta["heading"].as_str().unwrap_or_default(),
                    );
                    let png = match self.sink.take_file(&path, png) {
                        Ok(png) => png,
                        Err(problem) => return Step::done(Err(problem)),
                    };
                    page.card = Some(KeptCard { path, png, key });
                }
                Ok(publish::cards::Card::MissingGlyphs(missing)) => page.card_missing = missing,
                Err(publish::cards::CardError::Template(err)) => {
                    return Step::done(Err(self
                        .sources
                        .diagnostic(&err)
                        .with_note(format!("while drawing the social card of {what}"))));
                }
                Err(publish::cards::CardError::Drawing(reason)) => {
                    return Step::done(Err(Diagnostic::error(format!(
                        "the social card of {what} could not be drawn: {reason}"
                    ))
                    .in_file(&self.sources.display_name(publish::cards::TEMPLATE))
                    .with_help("`tradetalks templates show social.svg` shows the built-in card; a card must be one SVG document")));
                }
            }
        }
        page.context.insert("meta", &meta);
        page.cached = self.pages.and_then(|pages| {
            let key = match &page.needs {
                Needs::List {
                    section,
                    pages: listed,
                    ..
                } => pages.section_list_key(page.template, section, &page.context, listed)?,
                Needs::Page {
                    section,
                    index,
                    previous,
                    next,
                } => {
                    let parts = PageParts {
                        index: *index,
                        previous: *previous,
                        next: *next,
                        toc: self.views.tocs.get(*index),
                    };
                    let body = page.body.map(|body| body.contents.digest(body.index));
                    pages.key(page.template, section, &page.context, Some(parts), body)
                }
            };
            Some((pages, key))
        });
        let output = crate::config::index_file(&site_path);
        match self.sink.cached_page(output, page.cached) {
            Ok(result) => Step::done(result.map(|mut kept| {
                kept.card = page.card.take();
                kept.card_missing = std::mem::take(&mut page.card_missing);
                kept
            })),
            Err(_) => Step::Render(Box::new(page)),
        }
    }

    /// Renders a page the cache did not hold, with the values of its section's `scope`.
    fn finish(&self, mut page: Pending<'a>, scope: &SectionScope) -> Result<KeptPage, Diagnostic> {
        if !page.filled {
            self.fill(&mut page, scope);
        }
        let output = crate::config::index_file(&page.path);
        let mut kept = self.render(
            page.template,
            &page.context,
            output,
            &page.what,
            page.cached,
            page.body,
        )?;
        kept.card = page.card;
        kept.card_missing = page.card_missing;
        Ok(kept)
    }

    /// Puts the values of its section's `scope` into a page's context: `section`, and a
    /// page's `page`, `previous` and `next` or a list's `pages`.
    fn fill(&self, page: &mut Pending<'a>, scope: &SectionScope) {
        page.filled = true;
        page.context.insert_value("section", scope.section.clone());
        match &page.needs {
            Needs::Page {
                index,
                previous,
                next,
                ..
            } => {
                // Its body goes in only as it renders (`PageBody`).
                let summary = self.summary(scope, *index);
                page.context
                    .insert_value("page", self.views.page_without_body(*index, summary));
                let neighbour =
                    |index: &Option<usize>| index.map_or(Value::none(), |i| self.summary(scope, i));
                page.context.insert_value("previous", neighbour(previous));
                page.context.insert_value("next", neighbour(next));
            }
            Needs::List { pages, .. } => {
                let listed: Vec<Value> = pages.iter().map(|&i| self.summary(scope, i)).collect();
                page.context.insert_value("pages", Value::from(listed));
            }
        }
    }

    pub(crate) fn render(
        &self,
        template: &str,
        context: &Context,
        path: String,
        what: &str,
        cached: Option<(&PageCache, crate::cache::Key)>,
        body: Option<PageBody>,
    ) -> Result<KeptPage, Diagnostic> {
        let rendering = || {
            self.sink.fresh(
                self.tera,
                template,
                context,
                path,
                cached,
                body.map(Fill::Body),
            )
        };
        crate::guard::catch(|| format!("rendering {what} with `{template}`"), rendering)?.map_err(
            |err| {
                self.sources
                    .diagnostic(&err)
                    .with_note(format!("while rendering {what} with `{template}`"))
            },
        )?
    }

    /// Page `index` through its template, from the page cache when it holds it. Every value
    /// given to it beyond `Views::context` and `section` must be named in `PAGE_VALUES`, or
    /// the page cache would keep a page that changed. Its `page` goes in with its section's
    /// values (`fill`), when it renders or its card is drawn: a page the cache holds is
    /// found by its summary's digest, without unpacking the summary (5% of an edit build's
    /// CPU at 10,000 pages).
    fn page(&self, index: usize, scope: Option<&SectionScope>) -> Step<'a> {
        let (content, views) = (self.content, self.views);
        let page = &content.pages[index];
        let mut context = views.context();
        context.insert("current_path", &page.path);
        views.insert_languages(&mut context, self.config, &page.content_path);
        let (previous, next) = self
            .neighbours
            .get(index)
            .copied()
            .unwrap_or_else(|| neighbours(content, index));
        let pending = Pending {
            template: page_template(page, content),
            context,
            path: page.path.clone(),
            what: format!("`{}`", page.file.name),
            cached: None,
            body: Some(PageBody {
                contents: &views.contents,
                index,
            }),
            card: None,
            card_missing: Vec::new(),
            filled: false,
            needs: Needs::Page {
                section: &page.section,
                index,
                previous,
                next,
            },
        };
        self.prepare(
            pending,
            publish::meta::page(self.config, page, self.images),
            scope,
        )
    }

    /// A section's page, or its pages when it paginates (`paginate` in `_index.md`): each
    /// gets `pager` (`number`, `count`, `previous`, `next`) and `pages`, the summaries it
    /// lists; `section.pages` stays the whole list.
    fn section(&self, dir: &str, scope: Option<&SectionScope>) -> Vec<Step<'a>> {
        let (config, views, content) = (self.config, self.views, self.content);
        let section = &content.sections[dir];
        let size = section.front.paginate.unwrap_or(0);
        let what = format!("`content/{}`", section.content_path);
        let mut results = Vec::new();
        // The first list page's picture stands for the others.
        let mut image = serde_json::Value::Null;
        for pager in publish::taxonomy::pagers(config, &section.path, &section.pages, size) {
            let mut context = views.context();
            context.insert("current_path", &pager.path);
            context.insert("pager", &pager);
            let mut meta = publish::meta::section(config, section, self.images);
            // Its feed (the home page's is the site's, linked by every page).
            if !section.dir.is_empty() && publish::feeds::has_entries(self.content, &section.pages)
            {
                let feed = publish::feeds::list_feed_path(&section.path);
                meta["feed"] = serde_json::json!(config.url_path(&feed));
            }
            if pager.number == 1 {
                views.insert_languages(&mut context, config, &section.content_path);
            } else {
                let (number, count) = (pager.number.to_string(), pager.count.to_string());
                let page_of = views.word(
                    config,
                    "list-page-of",
                    &[("number", &number), ("count", &count)],
                    format!("list page {number} of {count}"),
                );
                meta["title"] = serde_json::json!(format!(
                    "{} ({page_of}) · {}",
                    section.front.title, config.title
                ));
                meta["canonical"] = serde_json::json!(config.permalink(&pager.path));
                meta["image"] = image.clone();
            }
            let pending = Pending {
                template: section_template(section),
                context,
                path: pager.path.clone(),
                what: what.clone(),
                cached: None,
                body: None,
                card: None,
                card_missing: Vec::new(),
                filled: false,
                needs: Needs::List {
                    section: &section.dir,
                    first: pager.number == 1,
                    pages: pager.pages.clone(),
                },
            };
            let result = self.prepare(pending, meta, scope);
            let card = match &result {
                Step::Done(result) => result
                    .as_ref()
                    .as_ref()
                    .ok()
                    .and_then(|kept| kept.card.as_ref()),
                Step::Render(pending) => pending.card.as_ref(),
            };
            if let Some(card) = card {
                image = publish::cards::meta_image(
                    config.permalink(&card.path),
                    Some(publish::cards::WIDTH),
                    Some(publish::cards::HEIGHT),
                    &section.front.title,
                );
            } else if pager.number == 1 {
                image = publish::meta::section(config, section, self.images)["image"].clone();
            }
            results.push(result);
        }
        results
    }

    pub(crate) fn not_found(&self) -> Result<KeptPage, Diagnostic> {
        let config = self.config;
        let mut context = self.views.context();
        let path = format!("{}404.html", config.current_edition().prefix);
        context.insert("current_path", &path);
        context.insert(
            "meta",
            &publish::meta::generated(
                config,
                &self
                    .views
                    .word(config, "not-found-title", &[], "Page not found".to_owned()),
                &config.description,
                &path,
            ),
        );
        self.render("404.html", &context, path, "the 404 page", None, None)
    }
}

/// The published pages before and after page `index` in its section's order (a draft
/// shown by `--drafts` has neighbours, but is no one's neighbour).
pub(super) fn neighbours(content: &Content, index: usize) -> (Option<usize>, Option<usize>) {
    let Some(section) = content.sections.get(&content.pages[index].section) else {
        return (None, None);
    };
    let Some(at) = section.pages.iter().position(|&i| i == index) else {
        return (None, None);
    };
    let published = |&&i: &&usize| !content.pages[i].front.draft;
    let previous = section.pages[..at].iter().rev().find(published).copied();
    let next = section.pages[at + 1..].iter().find(published).copied();
    (previous, next)
}

/// `neighbours` of every page, by page index, in one pass over each section: a page's own
/// search through its section's list made the pages of a section cost the square of its
/// length (10,000 pages in one section: 10^8 steps).
pub(super) fn all_neighbours(content: &Content) -> Vec<(Option<usize>, Option<usize>)> {
    let mut all = vec![(None, None); content.pages.len()];
    for section in content.sections.values() {
        let mut previous = None;
        for &i in &section.pages {
            all[i].0 = previous;
            if !content.pages[i].front.draft {
                previous = Some(i);
            }
        }
        let mut next = None;
        for &i in section.pages.iter().rev() {
            all[i].1 = next;
            if !content.pages[i].front.draft {
                next = Some(i);
            }
        }
    }
    all
}

/// Rendered pages in the build cache, each keyed by everything its template could read: the
/// key of everything every body reads (`BodyCache`: this build of tradetalks, the
/// configuration, every template, data file and message, the build date, the site's URLs),
/// what `get_url` answers, the values every page sees (`site`, `config`, `lang`, …), the
/// page's section as a whole, and the page's own values (itself with its body, its
/// neighbours, its languages, `meta`). A page that looked up other content (`get_page`, …)
/// is kept with the hash of every content file and used only while that holds; a page that
/// read a picture or hashed a static file for its URL is not kept.
pub(crate) struct PageCache<'a> {
    cache: &'a Cache,
    site: crate::cache::Key,
    content: crate::cache::Key,
    /// Each page's summary (`Views::summaries`), hashed once: a page's key has its own, its
    /// neighbours' and, through its section's, every summary of its section, which were
    /// each hashed four times before.
    summaries: Vec<crate::cache::Key>,
    /// Each section's value, hashed once: every page of the section sees it. Whole, and
    /// without the lists of its pages and subsections.
    sections: BTreeMap<String, SectionKeys>,
    /// Whether each page template may read a section's lists
    /// (`TemplateSources::reads_section_lists`): a page whose template does not is keyed by its
    /// section's own fields alone, so that an edit of one page's summary does not render every
    /// page of its section again.
    reads_lists: BTreeMap<String, bool>,
    hits: std::sync::atomic::AtomicUsize,
    misses: std::sync::atomic::AtomicUsize,
}

/// A section's value hashed whole, and its own fields alone (`templates::OWN_FIELDS`).
struct SectionKeys {
    whole: crate::cache::Key,
    own: crate::cache::Key,
}

/// A cached page: the content hash it depends on (when it looked up other content), its
/// HTML and what the link check needs of it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct CachedPage {
    content: Option<crate::cache::Key>,
    html: String,
    links: crate::check::PageLinks,
}

/// A cached page without its HTML, kept beside it (`page links`) for a build that finds the
/// page already in the output folder and needs only what the link check needs of it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct CachedLinks {
    content: Option<crate::cache::Key>,
    links: crate::check::PageLinks,
}

impl<'a> PageCache<'a> {
    pub(crate) fn new(
        cache: &'a Cache,
        bodies: &BodyCache,
        views: &Views,
        shared_files: &publish::assets::SharedFiles,
        sources: &TemplateSources,
        content: &Content,
    ) -> PageCache<'a> {
        let (body_site, content_key) = bodies.keys();
        let mut site = KeyBuilder::new("pages");
        site.add_key(&body_site).add_key(&shared_files.digest());
        for (name, value) in views.shared_values() {
            site.add(name).add_value(&value);
        }
        let summaries: Vec<crate::cache::Key> = (0..views.summaries.len())
            .into_par_iter()
            .map(|index| {
                let packed = views.summaries.packed(index);
                let bytes = packed.map_or(&[][..], |packed| packed.bytes());
                KeyBuilder::new("page summary").add(bytes).finish()
            })
            .collect();
        let sections = views
            .sections
            .par_iter()
            .map(|(dir, parts)| {
                // Its pages' summaries by their digests, among its other parts in the order
                // its value has them (`SectionParts::value`).
                let mut whole = KeyBuilder::new("section");
                for (name, item) in &parts.head {
                    whole.add(name.as_str().unwrap_or_default());
                    whole.add([0]).add_value(item);
                }
                whole
                    .add("pages")
                    .add([1])
                    .add((parts.pages.len() as u64).to_le_bytes());
                for &index in &parts.pages {
                    whole.add_key(&summaries[index]);
                }
                whole
                    .add("subsections")
                    .add([0])
                    .add_value(&parts.subsections);
                for (name, item) in &parts.tail {
                    whole.add(name).add([0]).add_value(item);
                }
                let whole = whole.finish();
                let mut own = KeyBuilder::new("section, its own fields");
                for name in crate::templates::OWN_FIELDS {
                    own.add(name)
                        .add_value(parts.field(name).unwrap_or(&Value::undefined()));
                }
                let keys = SectionKeys {
                    whole,
                    own: own.finish(),
                };
                (dir.clone(), keys)
            })
            .collect();
        let reads_lists = content
            .pages
            .iter()
            .map(|page| page_template(page, content))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|name| (name.to_owned(), sources.reads_section_lists(name)))
            .collect();
        PageCache {
            cache,
            site: site.finish(),
            content: content_key,
            summaries,
            sections,
            reads_lists,
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    /// The key of a page of `section` rendered with `template` and `context`, whose `page`
    /// has no body, but `body` is the body's digest. With `parts`, its `page`, `previous`
    /// and `next` are those pages' summaries (with more entries in `page`), known by their
    /// digests.
    fn key(
        &self,
        template: &str,
        section: &str,
        context: &Context,
        parts: Option<PageParts>,
        body: Option<crate::cache::Digest>,
    ) -> crate::cache::Key {
        let mut key = KeyBuilder::new("page");
        key.add_key(&self.site).add(template);
        match body {
            Some(digest) => key.add([1]).add(digest),
            None => key.add([0]),
        };
        // A template that may read the section's lists (or one this cache does not know) is
        // keyed by the whole section.
        let own_fields_only = self.reads_lists.get(template) == Some(&false);
        match self.sections.get(section) {
            Some(keys) if own_fields_only => key.add([0]).add_key(&keys.own),
            Some(keys) => key.add([1]).add_key(&keys.whole),
            None => key
                .add([2])
                .add_value(context.get("section").unwrap_or(&Value::none())),
        };
        let undefined = Value::undefined();
        for name in PAGE_VALUES {
            let value = context.get(name).unwrap_or(&undefined);
            key.add(name);
            let digest = parts.and_then(|parts| self.summaries.get(parts.index));
            match (name, parts, digest) {
                ("page", Some(parts), digest) => {
                    // Its summary by its digest, and what the page has beyond it (its table
                    // of contents) in full; the value itself is not in the context yet.
                    match digest {
                        Some(digest) => key.add([1]).add_key(digest),
                        None => key.add([3]),
                    };
                    match parts.toc {
                        Some(toc) => key
                            .add([1])
                            .add(serde_json::to_vec(&**toc).unwrap_or_default()),
                        None => key.add([0]),
                    };
                }
                ("previous", Some(parts), _) => {
                    key.add([2]).add_key(&self.neighbour(parts.previous));
                }
                ("next", Some(parts), _) => {
                    key.add([2]).add_key(&self.neighbour(parts.next));
                }
                _ => {
                    key.add([0]).add_value(value);
                }
            };
        }
        key.finish()
    }

    /// The key of a generated list page rendered with `template` and `context`: its values
    /// `names` (every value its template sees beside the site's shared ones, which the site's
    /// key has, and beside `pages`), and `pages`, the pages it lists, by their summaries'
    /// digests in order.
    pub(crate) fn list_key(
        &self,
        template: &str,
        context: &Context,
        names: &[&str],
        pages: &[usize],
    ) -> crate::cache::Key {
        let mut key = KeyBuilder::new("list page");
        key.add_key(&self.site).add(template);
        let undefined = Value::undefined();
        for name in names {
            key.add(name)
                .add_value(context.get(name).unwrap_or(&undefined));
        }
        key.add((pages.len() as u64).to_le_bytes());
        for &index in pages {
            key.add_key(&self.neighbour(Some(index)));
        }
        key.finish()
    }

    /// The key of a list page of section `section` rendered with `template` and `context`:
    /// the section's value whole, its values `SECTION_LIST_VALUES`, and the pages it lists by
    /// their summaries' digests. `None` for a section this cache does not know.
    fn section_list_key(
        &self,
        template: &str,
        section: &str,
        context: &Context,
        pages: &[usize],
    ) -> Option<crate::cache::Key> {
        let keys = self.sections.get(section)?;
        let mut key = KeyBuilder::new("section list page");
        key.add_key(&self.site)
            .add(template)
            .add_key(&keys.whole)
            .add_key(&self.list_key(template, context, &SECTION_LIST_VALUES, pages));
        Some(key.finish())
    }

    /// The digest of neighbour `index`'s summary, or of none.
    fn neighbour(&self, index: Option<usize>) -> crate::cache::Key {
        match index.and_then(|index| self.summaries.get(index)) {
            Some(digest) => *digest,
            None => KeyBuilder::new("no neighbour").finish(),
        }
    }

    fn get(&self, key: &crate::cache::Key) -> Option<CachedPage> {
        let found = self
            .cache
            .get::<CachedPage>("pages", key)
            .filter(|page| page.content.is_none_or(|c| c == self.content));
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        found
    }

    /// The HTML of a page a build wrote (`record::restore`): the entry under its key, when
    /// its bytes are those recorded (a page that looked up other content is stored under the
    /// same key for each state of the content it saw).
    pub(crate) fn html(cache: &Cache, cached: &record::CachedAs) -> Option<String> {
        let page = cache.get::<CachedPage>("pages", &cached.key)?;
        (crate::cache::digest(page.html.as_bytes()) == cached.digest).then_some(page.html)
    }

    /// What the link check needs of the page stored under `key` (a hit when found).
    fn links(&self, key: &crate::cache::Key) -> Option<CachedLinks> {
        let found = self
            .cache
            .get::<CachedLinks>("page links", key)
            .filter(|page| page.content.is_none_or(|c| c == self.content))?;
        self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(found)
    }

    fn put(
        &self,
        key: &crate::cache::Key,
        html: &str,
        links: &crate::check::PageLinks,
        reads_content: bool,
    ) {
        #[derive(serde::Serialize)]
        struct Entry<'e> {
            content: Option<crate::cache::Key>,
            html: &'e str,
            links: &'e crate::check::PageLinks,
        }
        #[derive(serde::Serialize)]
        struct Links<'e> {
            content: Option<crate::cache::Key>,
            links: &'e crate::check::PageLinks,
        }
        let content = reads_content.then_some(self.content);
        self.cache.put(
            "pages",
            key,
            &Entry {
                content,
                html,
                links,
            },
        );
        self.cache.put("page links", key, &Links { content, links });
    }

    pub(crate) fn stats(&self) -> crate::cache::Stats {
        crate::cache::Stats {
            hits: self.hits.load(std::sync::atomic::Ordering::Relaxed),
            misses: self.misses.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// The values `Render::section` gives a section's list page beyond those every page sees,
/// its `section` and its `pages`: each is in a cached list page's key.
const SECTION_LIST_VALUES: [&str; 5] = ["current_path", "pager", "meta", "languages", "alternates"];

/// The values `Render::page` gives a page beyond those every page sees and its section's:
/// each is in a cached page's key.
const PAGE_VALUES: [&str; 7] = [
    "page",
    "current_path",
    "languages",
    "alternates",
    "previous",
    "next",
    "meta",
];
