//! `atom.xml` (RFC 4287), `sitemap.xml` (split into a sitemap index past 50,000 URLs) and
//! `robots.txt`. Dates come from the content (`date`, `updated`, `updates`), never the clock.

use jiff::civil::Date;

use super::xml_escape;
use crate::config::Config;
use crate::content::Content;
use crate::content::front_matter::UpdateKind;

/// Entries in the feed at most: the newest pages.
pub const FEED_ENTRIES: usize = 50;
/// URLs per sitemap file (the protocol's limit).
pub const SITEMAP_URLS: usize = 50_000;

fn timestamp(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

/// The newest dated, published pages among `pages` (all pages when `None`), by index, with
/// their dates.
fn entries_among(content: &Content, pages: Option<&[usize]>) -> Vec<(usize, Date)> {
    let dated = |i: usize| {
        let page = content.pages.get(i)?;
        Some((i, page.front.last_modified()?)).filter(|_| !page.front.draft)
    };
    let mut entries: Vec<(usize, Date)> = match pages {
        // A list's own pages, each once: not every page of the site searched in the list.
        Some(pages) => {
            let mut pages = pages.to_vec();
            pages.sort_unstable();
            pages.dedup();
            pages.into_iter().filter_map(dated).collect()
        }
        None => (0..content.pages.len()).filter_map(dated).collect(),
    };
    // Newest first, then by path: an order without ties, so picking the first
    // `FEED_ENTRIES` before sorting them gives what sorting all would.
    let newest = |a: &(usize, Date), b: &(usize, Date)| {
        b.1.cmp(&a.1)
            .then_with(|| content.pages[a.0].path.cmp(&content.pages[b.0].path))
    };
    if entries.len() > FEED_ENTRIES {
        entries.select_nth_unstable_by(FEED_ENTRIES, newest);
        entries.truncate(FEED_ENTRIES);
    }
    entries.sort_unstable_by(newest);
    entries
}

/// Whether a list of `pages` has a feed: whether one of them is published and dated.
pub fn has_entries(content: &Content, pages: &[usize]) -> bool {
    pages.iter().any(|&i| {
        let page = &content.pages[i];
        !page.front.draft && page.front.last_modified().is_some()
    })
}

/// The feed of a list (a section's or a taxonomy term's): `atom.xml` in the list's folder.
#[derive(Debug, Clone)]
pub struct ListFeed {
    /// Site path of the feed: `countries/atom.xml`.
    pub path: String,
    /// Site path of the list it follows: `countries/`.
    pub list: String,
    pub title: String,
    /// The pages it may show, by index.
    pub pages: Vec<usize>,
}

/// Where the feed of the list at `site_path` is published.
pub fn list_feed_path(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}atom.xml")
    } else {
        format!("{site_path}/atom.xml")
    }
}

/// The feeds of an edition's sections (but the home page, whose feed is the site's) and of
/// its taxonomy terms: those with at least one dated, published page.
pub fn list_feeds(
    config: &Config,
    content: &Content,
    taxonomies: &[super::taxonomy::Taxonomy],
) -> Vec<ListFeed> {
    let sections = content
        .sections
        .values()
        .filter(|s| !s.dir.is_empty() && !s.front.draft)
        .map(|s| ListFeed {
            path: list_feed_path(&s.path),
            list: s.path.clone(),
            title: format!("{} · {}", s.front.title, config.title),
            pages: s.pages.clone(),
        });
    let terms = taxonomies.iter().flat_map(|taxonomy| {
        taxonomy.terms.iter().map(|term| ListFeed {
            path: list_feed_path(&term.path),
            list: term.path.clone(),
            title: format!("{}: {} · {}", taxonomy.title, term.name, config.title),
            pages: term.pages.clone(),
        })
    });
    sections
        .chain(terms)
        .filter(|feed| has_entries(content, &feed.pages))
        .collect()
}

/// The Atom feed of the newest dated, published pages. `entries` gives each page's entry
/// (`Entries`). `None` when no published page has a date (a feed needs an `updated`).
pub fn atom(config: &Config, content: &Content, entries: &Entries) -> Option<String> {
    let base = config.base_url.clone();
    feed(
        config,
        FeedHead {
            title: &config.title,
            self_url: &format!("{base}atom.xml"),
            alternate: &base,
        },
        &entries_among(content, None),
        entries,
    )
}

/// The Atom feed of a section or a taxonomy term (`list_feeds`).
pub fn list_atom(
    config: &Config,
    content: &Content,
    list: &ListFeed,
    entries: &Entries,
) -> Option<String> {
    feed(
        config,
        FeedHead {
            title: &list.title,
            self_url: &config.permalink(&list.path),
            alternate: &config.permalink(&list.list),
        },
        &entries_among(content, Some(&list.pages)),
        entries,
    )
}

/// The pages the feeds `lists` show, and the site's feed with `site`, each once.
pub fn shown(content: &Content, site: bool, lists: &[ListFeed]) -> Vec<usize> {
    let mut pages: Vec<usize> = site
        .then(|| entries_among(content, None))
        .into_iter()
        .flatten()
        .chain(
            lists
                .iter()
                .flat_map(|list| entries_among(content, Some(&list.pages))),
        )
        .map(|(index, _)| index)
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// Each page's `<entry>`, made once for every feed that shows it (a page is in the site's
/// feed, its section's and each of its terms'), by page index.
pub struct Entries(std::collections::HashMap<usize, String>);

impl Entries {
    /// The entries of pages `pages`; `bodies` gives each page's HTML by page index.
    pub fn of(
        config: &Config,
        content: &Content,
        bodies: &crate::spill::Texts,
        pages: &[usize],
    ) -> Entries {
        use rayon::prelude::*;
        Entries(
            pages
                .par_iter()
                .filter_map(|&index| Some((index, entry(config, content, bodies, index)?)))
                .collect(),
        )
    }
}

/// Whether the feed of `among` (every page when `None`, as `atom.xml`) shows, in full, one of
/// the pages `shown` picks.
pub fn shows(content: &Content, among: Option<&[usize]>, shown: impl Fn(&usize) -> bool) -> bool {
    among.is_none_or(|pages| pages.iter().any(&shown))
        && entries_among(content, among).iter().any(|(i, _)| shown(i))
}

/// What a feed says of itself.
struct FeedHead<'a> {
    title: &'a str,
    self_url: &'a str,
    /// The page it follows, also its id.
    alternate: &'a str,
}

fn feed(
    config: &Config,
    head: FeedHead,
    shown: &[(usize, Date)],
    entries: &Entries,
) -> Option<String> {
    let updated = shown.iter().map(|e| e.1).max()?;
    let base = xml_escape(&config.base_url);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\" xml:base=\"{base}\">\n<title>{}</title>\n",
        xml_escape(&config.language),
        xml_escape(head.title)
    );
    if !config.description.is_empty() {
        xml.push_str(&format!(
            "<subtitle>{}</subtitle>\n",
            xml_escape(&config.description)
        ));
    }
    let alternate = xml_escape(head.alternate);
    xml.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n<link href=\"{alternate}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{alternate}</id>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<generator uri=\"https://example.org/tradetalks\">tradetalks</generator>\n",
        xml_escape(head.self_url),
        timestamp(updated),
        xml_escape(&config.title)
    ));
    for (index, _) in shown {
        if let Some(entry) = entries.0.get(index) {
            xml.push_str(entry);
        }
    }
    xml.push_str("</feed>\n");
    Some(xml)
}

/// Page `index`'s `<entry>` (`None` for a page without a date, which no feed shows).
fn entry(
    config: &Config,
    content: &Content,
    bodies: &crate::spill::Texts,
    index: usize,
) -> Option<String> {
    let page = content.pages.get(index)?;
    let modified = page.front.last_modified()?;
    let mut xml = String::new();
    let permalink = xml_escape(&config.permalink(&page.path));
    xml.push_str(&format!(
        "<entry>\n<title>{}</title>\n<link href=\"{permalink}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{permalink}</id>\n",
        xml_escape(&page.front.title)
    ));
    if let Some(date) = page.front.date {
        xml.push_str(&format!("<published>{}</published>\n", timestamp(date)));
    }
    xml.push_str(&format!("<updated>{}</updated>\n", timestamp(modified)));
    for id in &page.front.authors {
        if let Some(author) = config.authors.get(id) {
            let name = author
                .name
                .in_language(&config.language, config.default_language());
            let uri = author
                .url
                .as_ref()
                .map(|url| format!("<uri>{}</uri>", xml_escape(url)))
                .unwrap_or_default();
            xml.push_str(&format!(
                "<author><name>{}</name>{uri}</author>\n",
                xml_escape(&name)
            ));
        }
    }
    // The summary: the page's own, else its body up to `<!-- more -->`, else its
    // description.
    let body = bodies.text(index);
    match (&page.front.summary, crate::markdown::summary_of(&body)) {
        (Some(summary), _) => {
            xml.push_str(&format!("<summary>{}</summary>\n", xml_escape(summary)));
        }
        (None, Some(html)) => xml.push_str(&format!(
            "<summary type=\"html\">{}</summary>\n",
            xml_escape(html)
        )),
        (None, None) => {
            if let Some(description) = &page.front.description {
                xml.push_str(&format!("<summary>{}</summary>\n", xml_escape(description)));
            }
        }
    }
    // Each update a category of its kind, so that a feed reader can tell a correction
    // from new figures.
    for update in &page.front.updates {
        let term = match update.kind {
            UpdateKind::Update => "update",
            UpdateKind::Correction => "correction",
        };
        xml.push_str(&format!(
            "<category term=\"{term}\" label=\"{}: {}\"/>\n",
            update.date,
            xml_escape(&update.note)
        ));
    }
    xml.push_str(&format!(
        "<content type=\"html\">{}</content>\n</entry>\n",
        xml_escape(&body)
    ));
    Some(xml)
}

/// One URL of the sitemap.
pub struct SitemapUrl {
    pub path: String,
    pub lastmod: Option<Date>,
    /// The page in every edition that has it (`(language, site path)`, itself included),
    /// when it has translations: `xhtml:link` alternates, the same on each of them.
    pub alternates: Vec<(String, String)>,
}

/// Every published page, section and taxonomy page. Returns `(file name, XML)` pairs: one
/// `sitemap.xml`, or past 50,000 URLs an index `sitemap.xml` and `sitemap-N.xml` files.
pub fn sitemaps(config: &Config, mut urls: Vec<SitemapUrl>) -> Vec<(String, String)> {
    urls.sort_by(|a, b| a.path.cmp(&b.path));
    urls.dedup_by(|a, b| a.path == b.path);
    let file = |chunk: &[SitemapUrl]| {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
        );
        for url in chunk {
            xml.push_str(&format!(
                "<url><loc>{}</loc>",
                xml_escape(&config.permalink(&url.path))
            ));
            if let Some(date) = url.lastmod {
                xml.push_str(&format!("<lastmod>{date}</lastmod>"));
            }
            for (language, path) in &url.alternates {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    xml_escape(language),
                    xml_escape(&config.permalink(path))
                ));
            }
            if let Some((_, default)) = url.alternates.first() {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                    xml_escape(&config.permalink(default))
                ));
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    };
    if urls.len() <= SITEMAP_URLS {
        return vec![("sitemap.xml".into(), file(&urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in urls.chunks(SITEMAP_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "<sitemap><loc>{}</loc>",
            xml_escape(&config.permalink(&name))
        ));
        if let Some(latest) = chunk.iter().filter_map(|u| u.lastmod).max() {
            index.push_str(&format!("<lastmod>{latest}</lastmod>"));
        }
        index.push_str("</sitemap>\n");
        files.push((name, file(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        config.base_url
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn config() -> Config {
        let file = SourceFile::new(
            "tradetalks.toml",
            "/",
            "title = \"T & co\"\nbase_url = \"https://x.org/sub/\"\n",
        );
        Config::parse(std::path::Path::new("/"), &file, None).unwrap()
    }

    #[test]
    fn sitemaps_split_past_the_limit_with_an_index() {
        let urls = (0..SITEMAP_URLS + 1)
            .map(|i| SitemapUrl {
                alternates: Vec::new(),
                path: format!("p/{i}/"),
                lastmod: Date::new(2025, 4, 2).ok(),
            })
            .collect();
        let files = sitemaps(&config(), urls);
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(
            files[0].1.contains(
                "<loc>https://x.org/sub/sitemap-2.xml</loc><lastmod>2025-04-02</lastmod>"
            )
        );
        assert_eq!(files[2].1.matches("<url>").count(), 1);
    }

    #[test]
    fn robots_points_at_the_sitemap() {
        assert!(robots(&config()).ends_with("Sitemap: https://x.org/sub/sitemap.xml\n"));
    }
}
