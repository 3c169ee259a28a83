//! Bodies: each page's and section's Markdown rendered with its shortcodes and highlighting
//! (in parallel, from the build cache where it holds), and the `@/` anchors they link to.

use super::*;

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
    pub(crate) fn stylesheet(&self) -> String {
        let styles: std::collections::BTreeSet<highlight::CodeStyle> = self
            .pages
            .iter()
            .chain(self.sections.values())
            .flat_map(|body| body.code_styles.iter().copied())
            .collect();
        highlight::stylesheet(&styles)
    }

    /// Each page's table of contents, for the template values (and through them the search
    /// index): moved out of the bodies when `take` (a build, which reads them nowhere else),
    /// else copied.
    pub(crate) fn page_tocs(&mut self, take: bool) -> Vec<crate::templates::Toc> {
        self.pages
            .par_iter_mut()
            .map(|body| {
                std::sync::Arc::new(if take {
                    std::mem::take(&mut body.toc)
                } else {
                    body.toc.clone()
                })
            })
            .collect()
    }

    /// Drops what only the checks of links and anchors and the stylesheet read, once a build
    /// has made them all and before the template values are made: at 100,000 pages, hundreds
    /// of megabytes the rest of the build can use.
    pub(crate) fn keep_only_what_publishing_reads(&mut self) {
        for body in self.pages.iter_mut().chain(self.sections.values_mut()) {
            body.heading_ids = Vec::new();
            body.links = Vec::new();
            body.code_styles = Default::default();
        }
    }

    /// Every URL an `@/` link became.
    pub(crate) fn checked_links(&self) -> std::collections::BTreeSet<String> {
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
    /// Where a large site's page bodies go as soon as they render (see `spill`).
    pub(crate) spill: Option<&'a crate::spill::Spiller>,
    pub(crate) messages: &'a crate::messages::Messages,
    /// The fonts graphics' PNGs are drawn in.
    pub(crate) fonts: &'a crate::graphics::png::Fonts,
    /// The site's pictures, which images in bodies are resolved against.
    pub(crate) images: &'a crate::images::Catalog,
    /// Where PNGs drawn before are kept (the build cache, or none).
    pub(crate) pictures: &'a crate::cache::Cache,
    /// The default edition's content, when this is another edition: a section shortcode
    /// shows its pages where the edition has no translation.
    pub(crate) fallback: Option<&'a Content>,
    /// In another edition, the `@/` targets it has no translation of, and the default
    /// edition's language.
    pub(crate) fallback_links: Option<(&'a std::collections::BTreeSet<String>, &'a str)>,
}

/// What a body's cache key is made of besides its own file (see `BodyCache::new`).
pub(crate) struct BodyCacheInputs<'a> {
    pub(super) config: &'a Config,
    pub(super) options: &'a BuildOptions,
    pub(super) today: jiff::civil::Date,
    pub(super) content: &'a Content,
    pub(super) data: &'a data::DataFiles,
    pub(super) sources: &'a TemplateSources,
    pub(super) urls: &'a BTreeMap<String, String>,
    /// The message files (shortcodes write their fixed words from them).
    pub(super) messages_digest: &'a str,
    /// The default edition's content, which another edition's section shortcodes read.
    pub(super) fallback: Option<&'a Content>,
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
pub(super) struct CachedBody<E> {
    content: Option<crate::cache::Key>,
    expanded: E,
}

impl<'a> BodyCache<'a> {
    pub(crate) fn new(cache: &'a Cache, inputs: &BodyCacheInputs) -> BodyCache<'a> {
        let mut site = KeyBuilder::new("site");
        site.add_key(&crate::cache::build_id())
            .add(inputs.config.file.text.as_bytes())
            .add(&inputs.config.base_url)
            .add(&inputs.config.language)
            .add(inputs.messages_digest)
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
        for read in std::iter::once(inputs.content).chain(inputs.fallback) {
            for page in &read.pages {
                content.add(&page.file.name).add(page.file.digest());
            }
            for section in read.sections.values() {
                content.add(&section.dir);
                if let Some(file) = &section.file {
                    content.add(&file.name).add(file.digest());
                }
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

    /// The hash of everything every body reads, and of every content file: a rendered
    /// page's cache key starts from these (`render::PageCache`).
    pub(crate) fn keys(&self) -> (crate::cache::Key, crate::cache::Key) {
        (self.site, self.content)
    }

    pub(crate) fn stats(&self) -> crate::cache::Stats {
        crate::cache::Stats {
            hits: self.hits.load(std::sync::atomic::Ordering::Relaxed),
            misses: self.misses.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub(crate) fn key(&self, file: &SourceFile, body: &Range<usize>) -> crate::cache::Key {
        KeyBuilder::new("body")
            .add_key(&self.site)
            .add(&file.name)
            .add(file.digest())
            .add(body.start.to_le_bytes())
            .add(body.end.to_le_bytes())
            .finish()
    }

    /// The body cached under `key`, if what it read still holds: the other pages (when it
    /// read them) and the bytes of each picture it shows.
    pub(crate) fn get(
        &self,
        key: &crate::cache::Key,
        images: &crate::images::Catalog,
    ) -> Option<Expanded> {
        let found = self
            .cache
            .get::<CachedBody<Expanded>>("bodies", key)
            .filter(|entry| entry.content.is_none_or(|c| c == self.content))
            .filter(|entry| {
                entry.expanded.rendered.images.iter().all(|read| {
                    images
                        .meta(&read.path)
                        .is_ok_and(|meta| meta.digest == read.digest)
                })
            });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        found.map(|entry| entry.expanded)
    }

    /// Stores a body under `key`, and says whether the cache holds it now.
    pub(crate) fn put(&self, key: &crate::cache::Key, expanded: &Expanded) -> bool {
        let entry = CachedBody {
            content: expanded.rendered.reads_content.then_some(self.content),
            expanded,
        };
        self.cache.put("bodies", key, &entry)
    }
}

/// The HTML of the body stored under `key`, for a build that let the body go once the cache
/// held it (`spill::Texts`, which checks that it is the body the build had).
pub(crate) fn cached_html(cache: &Cache, key: &crate::cache::Key) -> Option<String> {
    cache
        .get::<CachedBody<Expanded>>("bodies", key)
        .map(|entry| entry.expanded.rendered.html)
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
        fallbacks: inputs.fallback_links,
        images: inputs.images,
        base_path: &config.site_base_path,
    };
    let shortcode_env = inputs.templates.map(|(tera, sources)| ShortcodeEnv {
        tera,
        templates: sources,
        config,
        content,
        data: inputs.data,
        markdown: &markdown_env,
        today: inputs.today,
        messages: inputs.messages,
        fallback: inputs.fallback,
        fonts: inputs.fonts,
        pictures: inputs.pictures,
    });
    // Each body with the key the build cache holds it under, when it does.
    let render = |file: &SourceFile, body: Range<usize>, page: PageInfo| {
        let key = inputs.cache.map(|cache| cache.key(file, &body));
        if let (Some(cache), Some(key)) = (inputs.cache, key)
            && let Some(expanded) = cache.get(&key, inputs.images)
        {
            inputs.progress.step();
            return (expanded, Vec::new(), Some(key));
        }
        // A large build let the Markdown go after reading it: it is read again (and must be
        // the text read first).
        let file = match file.recall() {
            Ok(file) => file,
            Err(why) => {
                inputs.progress.step();
                return (
                    Expanded::default(),
                    vec![Diagnostic::error(why).in_file(&file.name)],
                    None,
                );
            }
        };
        let file = &*file;
        let rendering = || {
            crate::guard::panic_for_tests(file.text.get(body.clone()).unwrap_or_default());
            match &shortcode_env {
                Some(env) => shortcodes::render_body(env, file, body, &page),
                None => {
                    let (rendered, problems) =
                        markdown::render(file, body, page.path, &markdown_env);
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
        let mut result = crate::guard::catch(|| format!("rendering `{}`", file.name), rendering)
            .unwrap_or_else(|bug| (Expanded::default(), vec![bug]));
        // The summary is taken now: the body's HTML goes on to the page, or to disk.
        // The first picture of the body loads at once, the others as the reader nears them.
        crate::images::eager_first(&mut result.0.rendered.html);
        result.0.rendered.summary =
            markdown::summary_of(&result.0.rendered.html).map(str::to_owned);
        // Only a body that rendered without a word is kept: its warnings would not be
        // reported again from the cache.
        let stored = match (inputs.cache, key) {
            (Some(cache), Some(key)) if result.1.is_empty() => {
                cache.put(&key, &result.0).then_some(key)
            }
            _ => None,
        };
        inputs.progress.step();
        (result.0, result.1, stored)
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
                let (mut expanded, problems, stored) = render(&page.file, page.body.clone(), info);
                if let Some(spiller) = inputs.spill {
                    let html = std::mem::take(&mut expanded.rendered.html);
                    expanded.rendered.html = match stored {
                        Some(key) => spiller.refer(index, key, html),
                        None => spiller.put(index, html),
                    };
                }
                (expanded, problems)
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
                        let (expanded, problems, _) = render(file, section.body.clone(), info);
                        (expanded, problems)
                    }
                    None => (Expanded::default(), Vec::new()),
                }
            }
        })
        .collect()
}

/// A body's table downloads, shared so that `serve` can hand them to each version of the site.
pub(super) fn shared_downloads(downloads: Vec<(String, Vec<u8>)>) -> Vec<(String, Bytes)> {
    downloads
        .into_iter()
        .map(|(path, bytes)| (path, bytes.into()))
        .collect()
}

/// Renders every body.
pub(super) fn render_markdown(inputs: &BodyInputs, diagnostics: &mut Diagnostics) -> Bodies {
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

/// A `#anchor` on an `@/` link must be a heading id of the page it names.
pub(super) fn check_anchors(content: &Content, bodies: &Bodies, diagnostics: &mut Diagnostics) {
    check_anchors_from(content, bodies, None, diagnostics);
}

/// `check_anchors` for the links in the files named in `only` (all files when `None`).
pub(super) fn check_anchors_from(
    content: &Content,
    bodies: &Bodies,
    only: Option<&std::collections::BTreeSet<&str>>,
    diagnostics: &mut Diagnostics,
) {
    let sources: Vec<_> = content
        .pages
        .iter()
        .map(|p| &p.file)
        .zip(&bodies.pages)
        .chain(
            content
                .sections
                .iter()
                .filter_map(|(dir, s)| Some((s.file.as_ref()?, &bodies.sections[dir]))),
        )
        .filter(|(file, _)| only.is_none_or(|only| only.contains(file.name.as_str())))
        .collect();
    // The headings of the files linked to with an anchor, and only those: an update checks
    // the links of a page or two, not every page's headings.
    let targets: std::collections::BTreeSet<&str> = sources
        .iter()
        .flat_map(|(_, body)| &body.links)
        .filter(|link| link.anchor.is_some())
        .map(|link| link.target.as_str())
        .collect();
    let mut ids: BTreeMap<&str, &[String]> = BTreeMap::new();
    if !targets.is_empty() {
        for (page, body) in content.pages.iter().zip(&bodies.pages) {
            if targets.contains(page.content_path.as_str()) {
                ids.insert(&page.content_path, &body.heading_ids);
            }
        }
        for (dir, section) in &content.sections {
            if targets.contains(section.content_path.as_str()) {
                ids.insert(&section.content_path, &bodies.sections[dir].heading_ids);
            }
        }
    }
    for (file, body) in sources {
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
