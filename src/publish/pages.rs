//! The pages and files a site gets besides its own: taxonomy list and term pages, the search
//! page, and the feed, sitemap, robots.txt, search index and host files.

use rayon::prelude::*;
use tera::{Context, Tera, Value};

use crate::cache::{Cache, KeyBuilder};
use crate::config::Config;
use crate::content::{Content, Page};
use crate::diagnostic::Diagnostic;
use crate::pipeline::{BuiltSite, Fill, KeptPage, PageCache, PageSink, Views};
use crate::spill::Texts;
use crate::templates::TemplateSources;

/// Which generated pages to render, by site path and the pages each lists.
pub(crate) type PageFilter<'a> = dyn Fn(&str, &[usize]) -> bool + Sync + 'a;

/// Taxonomy list and term pages, and the search page (those `only` accepts, or all).
pub(crate) fn render(
    tera: &Tera,
    sources: &TemplateSources,
    config: &Config,
    views: &Views,
    taxonomies: &[super::taxonomy::Taxonomy],
    (sink, cache): (PageSink, Option<&PageCache>),
    only: Option<&PageFilter<'_>>,
) -> Vec<Result<KeptPage, Diagnostic>> {
    let render = |template: &str, context: &Context, path: String, listed: Option<&[usize]>| {
        let output = crate::config::index_file(&path);
        // A term's list page is kept in the page cache, keyed by its pages' summaries: an
        // edit renders again only the lists that show what changed.
        let cached = cache.zip(listed).map(|(cache, pages)| {
            (
                cache,
                cache.list_key(template, context, &LIST_VALUES, pages),
            )
        });
        let fill = listed.map(|pages| Fill::List {
            summaries: &views.summaries,
            pages,
        });
        let output = match sink.cached_page(output, cached) {
            Ok(kept) => return kept,
            Err(output) => output,
        };
        sink.fresh(tera, template, context, output, cached, fill)
            .map_err(|err| {
                sources
                    .diagnostic(&err)
                    .with_note(format!("while rendering `/{path}` with `{template}`"))
            })?
    };
    // Whether to render a page (all of them unless `only` says otherwise).
    let wanted = |path: &str, pages: &[usize]| only.is_none_or(|only| only(path, pages));
    // Each page to render, with the pages it lists: their summaries are unpacked while it
    // renders, and go with it.
    let mut jobs: Vec<(String, &str, Context, Option<Vec<usize>>)> = Vec::new();
    for taxonomy in taxonomies {
        let mut context = views.context();
        views.insert_languages(
            &mut context,
            config,
            &crate::pipeline::taxonomy_key(&taxonomy.name, None),
        );
        context.insert("current_path", &taxonomy.path);
        context.insert("taxonomy", taxonomy);
        let heading = taxonomy.title.clone();
        let description = views.word(
            config,
            "taxonomy-description",
            &[("taxonomy", &taxonomy.title)],
            format!(
                "{}: every term used on this site, with its pages.",
                taxonomy.title
            ),
        );
        context.insert(
            "meta",
            &super::meta::generated(config, &heading, &description, &taxonomy.path),
        );
        if wanted(&taxonomy.path, &[]) {
            jobs.push((taxonomy.path.clone(), "taxonomy_list.html", context, None));
        }
        for term in &taxonomy.terms {
            for pager in super::taxonomy::paginate(config, term, taxonomy.paginate) {
                if !wanted(&pager.path, &pager.pages) {
                    continue;
                }
                let mut context = views.context();
                if pager.number == 1 {
                    views.insert_languages(
                        &mut context,
                        config,
                        &crate::pipeline::taxonomy_key(&taxonomy.name, Some(&term.slug)),
                    );
                }
                context.insert("current_path", &pager.path);
                context.insert("taxonomy", taxonomy);
                context.insert("term", term);
                context.insert("pager", &pager);
                // In its place here; filled in when the page renders.
                context.insert_value("pages", Value::none());
                let title = views.word(
                    config,
                    "term-title",
                    &[("taxonomy", &heading), ("term", &term.name)],
                    format!("{}: {}", heading, term.name),
                );
                let description = views.word(
                    config,
                    "term-description",
                    &[("term", &term.name), ("taxonomy", &taxonomy.title)],
                    format!("Pages filed under {} in {}.", term.name, taxonomy.title),
                );
                let mut meta = super::meta::generated(config, &title, &description, &pager.path);
                if let Some(feed) = &term.feed {
                    meta["feed"] = serde_json::json!(feed);
                }
                context.insert("meta", &meta);
                jobs.push((
                    pager.path.clone(),
                    "taxonomy_term.html",
                    context,
                    Some(pager.pages.clone()),
                ));
            }
        }
    }
    let search_path = format!("{}search/", config.current_edition().prefix);
    if config.search && sources.contains("search.html") && wanted(&search_path, &[]) {
        let mut context = views.context();
        context.insert("current_path", &search_path);
        context.insert(
            "meta",
            &super::meta::generated(
                config,
                &views.word(config, "search-title", &[], "Search".to_owned()),
                &config.description,
                &search_path,
            ),
        );
        jobs.push((search_path, "search.html", context, None));
    }
    // Rendered in batches that list at most `LISTED_AT_ONCE` pages between them: the
    // summaries a list shows are unpacked while it renders, and a site's terms together list
    // every page several times.
    let sizes: Vec<usize> = jobs
        .iter()
        .map(|job| job.3.as_ref().map_or(0, Vec::len))
        .collect();
    let mut results = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    for batch in batches(&sizes, LISTED_AT_ONCE) {
        let batch: Vec<_> = jobs.by_ref().take(batch).collect();
        results.par_extend(
            batch
                .into_par_iter()
                .map(|(path, template, context, pages)| {
                    render(template, &context, path, pages.as_deref())
                }),
        );
    }
    results
}

/// Splits jobs that list `sizes` pages each into consecutive batches (their lengths, in
/// order) that list at most `limit` pages between them; a job that lists more is a batch
/// of its own.
fn batches(sizes: &[usize], limit: usize) -> Vec<usize> {
    let mut batches = Vec::new();
    let (mut count, mut listed) = (0, 0);
    for &size in sizes {
        if count > 0 && listed + size > limit {
            batches.push(count);
            (count, listed) = (0, 0);
        }
        count += 1;
        listed += size;
    }
    if count > 0 {
        batches.push(count);
    }
    batches
}

/// What a term's list page sees beside the values every page sees (`Views::shared_values`,
/// in the page cache's key of the site) and its `pages`: the key of its entry in the page
/// cache hashes these (`PageCache::list_key`). A value added to its context must be named
/// here, or the cache would keep a page that changed.
const LIST_VALUES: [&str; 7] = [
    "current_path",
    "taxonomy",
    "term",
    "pager",
    "meta",
    "languages",
    "alternates",
];

/// How many page summaries the generated list pages rendering at once may show between them:
/// about 90 MB of values for the pages of the benchmark corpus.
const LISTED_AT_ONCE: usize = 10_000;

/// An edition's feeds and (the default edition's) host files. Returns the edition's sitemap
/// entries. (The search index is `search_files`.)
pub(crate) fn add_files(
    config: &Config,
    content: &Content,
    page_html: &Texts,
    taxonomies: &[super::taxonomy::Taxonomy],
    translations: Option<&crate::pipeline::Translations>,
    site: &mut BuiltSite,
) -> Vec<super::feeds::SitemapUrl> {
    let prefix = &config.current_edition().prefix;
    // Each section's and term's own feed, beside the site's.
    let lists = super::feeds::list_feeds(config, content, taxonomies);
    let shown = super::feeds::shown(content, true, &lists);
    let entries = super::feeds::Entries::of(config, content, page_html, &shown);
    if let Some(atom) = super::feeds::atom(config, content, &entries) {
        site.files
            .insert(format!("{prefix}atom.xml"), atom.into_bytes().into());
    }
    let feeds: Vec<(String, String)> = lists
        .into_par_iter()
        .filter_map(|list| {
            let atom = super::feeds::list_atom(config, content, &list, &entries)?;
            Some((list.path, atom))
        })
        .collect();
    for (path, atom) in feeds {
        site.files.insert(path, atom.into_bytes().into());
    }
    let sitemap = sitemap_urls(content, taxonomies, translations);
    if config.host_files && config.edition == 0 {
        let mut redirects = String::new();
        for page in &content.pages {
            for alias in &page.front.aliases {
                let from = format!("/{}", alias.trim().trim_start_matches('/'));
                redirects.push_str(&format!(
                    "{}{} {} 301\n",
                    config.base_path.trim_end_matches('/'),
                    from,
                    config.url_path(&page.path)
                ));
            }
        }
        site.files
            .insert("_redirects".into(), redirects.into_bytes().into());
        // Stylesheets and scripts keep the host's default (revalidated) under their own
        // names; their fingerprinted copies are added as immutable with the static files.
        // No `X-Frame-Options`: hosts merge the headers of every matching rule, and the
        // graphics' embed pages (`/embed/…`) are there to be framed by other sites.
        let headers = "/*\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: strict-origin-when-cross-origin\n/search-index/*\n  Cache-Control: public, max-age=3600\n";
        site.files
            .insert("_headers".into(), headers.as_bytes().to_vec().into());
    }
    sitemap
}

/// The files of the whole site, once for all its editions: the sitemap (with each page's
/// translations) and robots.txt (when the site is at the root of its domain).
pub(crate) fn add_site_files(
    config: &Config,
    urls: Vec<super::feeds::SitemapUrl>,
    site: &mut BuiltSite,
) {
    for (name, text) in super::feeds::sitemaps(config, urls) {
        site.files.insert(name, text.into_bytes().into());
    }
    // Crawlers read robots.txt only at the domain's root: under a path it would be ignored.
    if config.site_base_path == "/" {
        site.files.insert(
            "robots.txt".into(),
            super::feeds::robots(config).into_bytes().into(),
        );
    }
}

/// What an update of some pages changed, which decides the site-wide listings made again.
#[derive(Clone, Copy)]
pub(crate) struct Listings<'a> {
    /// The pages edited: the feeds that show them are made again.
    pub(crate) edited: &'a [usize],
    /// Whether an edited page's last-modified date changed: then the sitemap (which dates
    /// pages and sections by it) and every feed that lists one of them are made again (the
    /// date may bring a page in or out of the newest a feed shows). An update keeps every
    /// other field that decides what a feed or the sitemap lists (paths, drafts, terms).
    pub(crate) dates: bool,
}

/// `atom.xml`, the sections' and terms' feeds and the sitemap files that the edit `which`
/// can change. A feed shows only its newest pages, in full: an edit changes it when it shows
/// the page, or, when the page's date changed, when the page is among the feed's list.
pub(crate) fn feed_and_sitemaps(
    config: &Config,
    content: &Content,
    page_html: &Texts,
    taxonomies: &[super::taxonomy::Taxonomy],
    which: Listings<'_>,
) -> Vec<(String, String)> {
    let edited = |i: &usize| which.edited.contains(i);
    let changes = |among: Option<&[usize]>| match (which.dates, among) {
        (true, None) => true,
        (true, Some(pages)) => pages.iter().any(edited),
        (false, among) => super::feeds::shows(content, among, edited),
    };
    let mut files = Vec::new();
    let lists: Vec<super::feeds::ListFeed> = super::feeds::list_feeds(config, content, taxonomies)
        .into_iter()
        .filter(|list| changes(Some(&list.pages)))
        .collect();
    let site_feed = changes(None);
    let shown = super::feeds::shown(content, site_feed, &lists);
    let entries = super::feeds::Entries::of(config, content, page_html, &shown);
    if site_feed && let Some(atom) = super::feeds::atom(config, content, &entries) {
        files.push(("atom.xml".to_owned(), atom));
    }
    for list in lists {
        if let Some(atom) = super::feeds::list_atom(config, content, &list, &entries) {
            files.push((list.path, atom));
        }
    }
    if !which.dates {
        return files;
    }
    let urls = sitemap_urls(content, taxonomies, None);
    files.extend(super::feeds::sitemaps(config, urls));
    files
}

/// Every published page, section and taxonomy page of one edition, as the sitemap lists it.
fn sitemap_urls(
    content: &Content,
    taxonomies: &[super::taxonomy::Taxonomy],
    translations: Option<&crate::pipeline::Translations>,
) -> Vec<super::feeds::SitemapUrl> {
    let alternates = |key: &str| {
        translations.map_or_else(Vec::new, |t| {
            t.alternates_of(key)
                .into_iter()
                .map(|(language, path)| (language.to_owned(), path.to_owned()))
                .collect()
        })
    };
    let mut urls: Vec<super::feeds::SitemapUrl> = super::published(content)
        .map(|(_, page)| super::feeds::SitemapUrl {
            path: page.path.clone(),
            lastmod: page.front.last_modified(),
            alternates: alternates(&page.content_path),
        })
        .collect();
    urls.extend(
        content
            .sections
            .values()
            .filter(|s| !s.front.draft)
            .map(|s| super::feeds::SitemapUrl {
                path: s.path.clone(),
                alternates: alternates(&s.content_path),
                lastmod: s
                    .pages
                    .iter()
                    .filter(|&&i| !content.pages[i].front.draft)
                    .filter_map(|&i| content.pages[i].front.last_modified())
                    .chain(s.front.last_modified())
                    .max(),
            }),
    );
    for taxonomy in taxonomies {
        urls.push(super::feeds::SitemapUrl {
            path: taxonomy.path.clone(),
            lastmod: None,
            alternates: alternates(&crate::pipeline::taxonomy_key(&taxonomy.name, None)),
        });
        for term in &taxonomy.terms {
            urls.push(super::feeds::SitemapUrl {
                path: term.path.clone(),
                alternates: alternates(&crate::pipeline::taxonomy_key(
                    &taxonomy.name,
                    Some(&term.slug),
                )),
                lastmod: term
                    .pages
                    .iter()
                    .filter_map(|&i| content.pages[i].front.last_modified())
                    .max(),
            });
        }
    }
    urls
}

/// Where the search index files go.
pub const SEARCH_FOLDER: &str = "search-index/";

/// The search index of the published pages, when the site has search: its files (names
/// under `search-index/`), and with `keep` the index itself (`serve` replaces edited pages
/// in it).
///
/// A build takes the files from the build cache when every document is what the last build
/// of the site indexed, and re-indexes only the documents that changed when they are few.
/// Each document's digest is made of exactly what the document is made of (title, URL,
/// description, section, headings, and the digest of the page's body HTML, from which its
/// text is taken), so it is never stale. Indexing 10,000 pages costs about half a second;
/// their bodies' digests are known without reading them back.
pub(crate) fn search_files(
    config: &Config,
    content: &Content,
    tocs: &[crate::templates::Toc],
    page_html: &Texts,
    (cache, sink): (&Cache, PageSink),
    keep: bool,
) -> SearchFiles {
    let mut made = SearchFiles::default();
    if !config.search {
        return made;
    }
    // Each file goes to the staging folder of a build as soon as its text is made: the files
    // of a 100,000-page site's index are 240 MB.
    let folder = format!("{}{SEARCH_FOLDER}", config.current_edition().prefix);
    let put = |name: &str, text: String| {
        let path = format!("{folder}{name}");
        let kept = sink.take_file(&path, text.into_bytes());
        (path, kept)
    };
    let published: Vec<(usize, &Page)> = super::published(content).collect();
    let document = |n: usize, text: String| {
        let (i, page) = published[n];
        super::search::Document {
            title: &page.front.title,
            url: config.url_path(&page.path),
            description: page.front.description.as_deref(),
            section: search_section(content, page),
            headings: tocs
                .get(i)
                .map(|toc| crate::markdown::toc_titles(toc))
                .unwrap_or_default(),
            text,
        }
    };
    let build = || {
        super::search::Index::new(published.len(), |n| {
            document(n, super::search::html_text(&page_html.text(published[n].0)))
        })
    };
    if keep || !cache.is_enabled() {
        let index = build();
        made.files = index
            .file_names()
            .par_iter()
            .filter_map(|name| Some(put(name, index.file(name)?)))
            .collect();
        made.index = keep.then_some(index);
        return made;
    }
    // Each document as the index would see it, but with its body's digest for its text (the
    // text is made from the HTML alone, and the digest is known without reading the body
    // back: a body in the build cache is read only if its document is indexed again).
    let digests: Vec<crate::cache::Key> = (0..published.len())
        .into_par_iter()
        .map(|n| {
            let mut key = KeyBuilder::new("search document");
            document(n, String::new()).add_to(&mut key);
            key.add(page_html.digest(published[n].0));
            key.finish()
        })
        .collect();
    // One entry per site and edition, replaced when the documents change: an index keyed by
    // its documents alone would leave a copy (23 MB at 10,000 pages) behind at every edit
    // until the cache's limit evicted it. The documents' digests are kept in the entry: when
    // they all hold, the files are taken as they are; when a few changed, their postings and
    // rows are replaced in the files.
    let name = KeyBuilder::new("search index of a site")
        .add(config.cache_identity())
        .add(&config.current_edition().prefix)
        .finish();
    // The entry names each file by the key of its text, kept as an entry of its own: an edit
    // that changes a few shards stores those alone.
    type Entry = (Vec<crate::cache::Key>, Vec<(String, crate::cache::Key)>);
    let file_key = |text: &str| KeyBuilder::new("search index file").add(text).finish();
    let earlier = cache.get::<Entry>("search", &name);
    // The files the cache holds already: those left as they were need not be stored again.
    let stored: std::collections::HashSet<crate::cache::Key> = earlier
        .iter()
        .flat_map(|(_, names)| names.iter().map(|(_, key)| *key))
        .collect();
    let read = |key: &crate::cache::Key| cache.get::<String>("search index file", key);
    // Every file is read, changed if it must be, and handed on one at a time: the files of
    // a 100,000-page index are 240 MB, which an edit build held whole at its peak. Should a
    // file not read back, the index is made again from scratch, whose files include every
    // one handed on before (each is what the new index has under its name).
    if let Some((earlier_digests, names)) = &earlier
        && *earlier_digests == digests
    {
        let files = names
            .par_iter()
            .map(|(file, key)| Some(put(file, read(key)?)))
            .collect::<Option<Vec<_>>>();
        if let Some(files) = files {
            made.files = files;
            made.cache.hits = 1;
            return made;
        }
    }
    made.cache.misses = 1;
    // Each file kept in the cache (unless it is there already) and written, one at a time.
    let keep_and_put = |name: &str, text: String| {
        let key = file_key(&text);
        if !stored.contains(&key) {
            cache.put("search index file", &key, &text);
        }
        ((name.to_owned(), key), put(name, text))
    };
    let updated = earlier
        .filter(|(earlier_digests, _)| earlier_digests.len() == digests.len())
        .and_then(|(earlier_digests, names)| {
            let changed: Vec<usize> = (0..digests.len())
                .filter(|&n| earlier_digests[n] != digests[n])
                .collect();
            // Past an eighth of a large site, indexing from scratch costs about the same (and
            // a small site costs little either way).
            if changed.len() > (digests.len() / 8).max(8) {
                return None;
            }
            let documents: Vec<(usize, super::search::Document)> = changed
                .into_iter()
                .map(|n| {
                    let text = super::search::html_text(&page_html.text(published[n].0));
                    (n, document(n, text))
                })
                .collect();
            let mut written =
                super::search::Update::new(&documents)?.apply(&names, read, keep_and_put)?;
            written.sort_by(|a, b| a.0.0.cmp(&b.0.0));
            Some((documents.len(), written))
        });
    let written: Vec<_> = match updated {
        Some((count, written)) => {
            made.updated = count;
            written
        }
        None => {
            let index = build();
            index
                .file_names()
                .par_iter()
                .filter_map(|name| Some(keep_and_put(name, index.file(name)?)))
                .collect()
        }
    };
    let (names, files): (Vec<(String, crate::cache::Key)>, _) = written.into_iter().unzip();
    made.files = files;
    cache.put("search", &name, &(&digests, &names));
    made
}

/// A file handed to the page sink (`PageSink::take_file`): its bytes when they are kept in
/// memory, `None` when they are in the staging folder, or why they could not be written.
pub(crate) type Written = Result<Option<Vec<u8>>, Diagnostic>;

/// An edition's search index (`search_files`).
#[derive(Default)]
pub(crate) struct SearchFiles {
    /// The index itself, when `serve` keeps it.
    pub index: Option<super::search::Index>,
    /// Its files by output path, each with its bytes when they are kept in memory (`serve`,
    /// `check`), or the error that kept it from the staging folder of a build.
    pub files: Vec<(String, Written)>,
    /// Whether the files came from the build cache.
    pub cache: crate::cache::Stats,
    /// When they were made by updating the cached ones: how many documents changed.
    pub updated: usize,
}

/// The section title search shows beside a page: none for pages of the home page.
pub(crate) fn search_section<'c>(content: &'c Content, page: &Page) -> &'c str {
    content
        .sections
        .get(&page.section)
        .filter(|s| !s.dir.is_empty())
        .map_or("", |s| s.front.title.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// List pages render in batches of at most the limit, in order, each job once; a list
    /// longer than the limit alone.
    #[test]
    fn list_pages_render_in_bounded_batches() {
        assert_eq!(batches(&[], 10), Vec::<usize>::new());
        assert_eq!(batches(&[0, 0, 0], 10), [3]);
        assert_eq!(batches(&[4, 6, 1, 25, 3, 3, 5], 10), [2, 1, 1, 2, 1]);
        assert_eq!(batches(&[25], 10), [1]);
        assert_eq!(batches(&[10, 10], 10), [1, 1]);
        assert_eq!(batches(&[3, 25, 2], 10), [1, 1, 1]);
    }
}
