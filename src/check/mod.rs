//! The link check of a built site, which `build`, `check` and `serve` all run: every link and
//! asset reference in the generated HTML must resolve inside the site, fragments included.
//! Each page's links and ids are taken as it renders (`PageLinks`), so that a build that
//! streams its pages to disk checks them too. With `check --external`, every external link is
//! also fetched (concurrently, politely) and reported.

mod external;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::pipeline::BuiltSite;
use crate::source::SourceFile;

pub use external::{ExternalOptions, check_external};

/// A link found in a generated page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Output path of the page (`countries/japan/index.html`).
    pub page: String,
    pub url: String,
}

/// What the link check needs of a generated page: the links it makes (each once, in order)
/// and the ids it has (sorted), one after another in one string. Every page's are kept until
/// the link check: as a `String` each and a set of ids they took 2.6 KB a page, a quarter
/// gigabyte of a 100,000-page build.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageLinks {
    /// The links, then the ids.
    text: Box<str>,
    /// Where each link, then each id, ends in `text`.
    ends: Box<[u32]>,
    /// How many of `ends` are links'.
    links: u32,
}

impl PageLinks {
    pub fn of(html: &str) -> PageLinks {
        let mut seen = std::collections::HashSet::new();
        let mut links = Vec::new();
        let mut ids = BTreeSet::new();
        for (name, value) in attributes(html) {
            match name {
                Attribute::Link => {
                    if seen.insert(value.clone()) {
                        links.push(value);
                    }
                }
                Attribute::Id => {
                    ids.insert(value);
                }
            }
        }
        let count = links.len();
        let mut text = String::new();
        let mut ends = Vec::with_capacity(count + ids.len());
        for item in links.into_iter().chain(ids) {
            text.push_str(&item);
            // A page of 4 GB has no room for more: its last links go unchecked.
            let Ok(end) = u32::try_from(text.len()) else {
                text.truncate(ends.last().map_or(0, |&end| end as usize));
                break;
            };
            ends.push(end);
        }
        PageLinks {
            text: text.into(),
            links: u32::try_from(count.min(ends.len())).unwrap_or(u32::MAX),
            ends: ends.into(),
        }
    }

    /// The `index`th of the strings.
    fn item(&self, index: usize) -> &str {
        let start = index
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .map_or(0, |&end| end as usize);
        let end = self.ends.get(index).map_or(start, |&end| end as usize);
        self.text.get(start..end).unwrap_or_default()
    }

    /// The page's links (`href` and `src`), each once, in the order the page has them.
    pub fn links(&self) -> impl Iterator<Item = &str> {
        (0..self.links as usize).map(|index| self.item(index))
    }

    /// The page's ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        (self.links as usize..self.ends.len()).map(|index| self.item(index))
    }

    /// Whether an element of the page has id `id`.
    pub fn has_id(&self, id: &str) -> bool {
        let (mut low, mut high) = (self.links as usize, self.ends.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.item(middle).cmp(id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Whether the page has the same ids as `other`.
    pub fn same_ids(&self, other: &PageLinks) -> bool {
        self.ids().eq(other.ids())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    /// `href` or `src`.
    Link,
    Id,
}

/// Every ` href="…"`, ` src="…"` and ` id="…"` of an HTML page, in order, with entities
/// decoded: one pass from quote to quote (the page is HTML this crate wrote, with quoted
/// attributes), instead of one substring search per attribute name.
fn attributes(html: &str) -> Vec<(Attribute, String)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(quote) = html.get(at..).and_then(|rest| rest.find('"')) {
        let quote = at + quote;
        at = quote + 1;
        // `="`: an attribute's value starts here.
        if quote == 0 || bytes.get(quote - 1) != Some(&b'=') {
            continue;
        }
        let before = html.get(..quote - 1).unwrap_or_default();
        let name = [
            (" href", Attribute::Link),
            (" src", Attribute::Link),
            (" id", Attribute::Id),
        ]
        .into_iter()
        .find(|(name, _)| before.ends_with(name));
        let Some(end) = html.get(at..).and_then(|rest| rest.find('"')) else {
            break;
        };
        let value = html.get(at..at + end).unwrap_or_default();
        at += end + 1;
        if let Some((_, kind)) = name {
            found.push((kind, decode_entities(value)));
        }
    }
    found
}

/// The entities our own HTML writes (HTML escaping), decoded; `&amp;` last, so that an
/// escaped entity (`&amp;lt;`) stays the text `&lt;`.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What a link is, seen from the site.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// A site path and an optional fragment.
    Internal(String, Option<String>),
    External,
    /// mailto:, tel:, data:, javascript: and the like: not checked.
    Other,
}

fn classify(config: &Config, page: &str, url: &str) -> Kind {
    // A fragment names an id as it is, or percent-encoded (as Markdown writes `#자동차`):
    // browsers try both, and so does the check.
    let (without_fragment, fragment) = match url.split_once('#') {
        Some((u, f)) => {
            let decoded = percent_encoding::percent_decode_str(f)
                .decode_utf8()
                .map_or_else(|_| f.to_owned(), |d| d.into_owned());
            (u, Some(decoded).filter(|f| !f.is_empty()))
        }
        None => (url, None),
    };
    let without_query = without_fragment.split('?').next().unwrap_or_default();
    if let Some(rest) = without_query.strip_prefix(config.base_url.as_str()) {
        return Kind::Internal(rest.to_owned(), fragment);
    }
    if without_query.starts_with("http://") || without_query.starts_with("https://") {
        return Kind::External;
    }
    if without_query.starts_with("//") || without_query.contains(':') {
        return Kind::Other;
    }
    if let Some(absolute) = without_query.strip_prefix('/') {
        let base = config.base_path.trim_start_matches('/');
        return match absolute.strip_prefix(base) {
            Some(rest) => Kind::Internal(rest.to_owned(), fragment),
            // Outside the base path: cannot be part of this site.
            None => Kind::Internal(format!("\u{0}{absolute}"), fragment),
        };
    }
    // Relative to the page's folder.
    let folder = page.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for segment in without_query.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut path = parts.join("/");
    if without_query.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    if without_query.is_empty() {
        path = page.to_owned();
    }
    Kind::Internal(path, fragment)
}

/// What the link check looks each link up in, hashed once: the site's files (generated,
/// written or copied), each page's links and ids, and the links checked while bodies
/// rendered. Looked up in its ordered maps, 10,000 pages' links took 70 ms, most of it
/// comparing paths with a long prefix in common.
struct Targets<'s> {
    files: foldhash::HashSet<&'s str>,
    copies: foldhash::HashSet<&'s str>,
    pages: foldhash::HashMap<&'s str, &'s PageLinks>,
    checked: foldhash::HashSet<&'s str>,
}

impl<'s> Targets<'s> {
    fn of(site: &'s BuiltSite) -> Targets<'s> {
        Targets {
            files: site
                .files
                .keys()
                .chain(&site.written)
                .map(String::as_str)
                .collect(),
            copies: site.copies.keys().map(String::as_str).collect(),
            pages: site
                .links
                .iter()
                .map(|(path, links)| (path.as_str(), &**links))
                .collect(),
            checked: site.checked_links.iter().map(String::as_str).collect(),
        }
    }

    /// The output file a site path names: itself, or its `index.html`.
    fn file(&self, path: &str) -> Option<String> {
        let path = percent_encoding::percent_decode_str(path)
            .decode_utf8()
            .ok()?;
        let candidates = [path.to_string(), crate::config::index_file(&path)];
        candidates
            .into_iter()
            .find(|c| self.files.contains(c.as_str()) || self.copies.contains(c.as_str()))
    }

    /// Whether a fragment of `file` cannot be checked (and passes): the file is not a page
    /// (a PDF's `#page=2`), or is a copy (a static HTML file).
    fn fragment_of_a_copy(&self, file: &str) -> bool {
        !file.ends_with(".html") || self.copies.contains(file)
    }
}

/// Broken internal links and fragments in every generated page, each reported at the line
/// of the source file that wrote it when the link text is found there; a link that many pages
/// share (a template's) is reported once, with how many pages have it. Returns the external
/// links too, for `check --external`.
pub fn internal_links(config: &Config, site: &BuiltSite) -> (Vec<Diagnostic>, Vec<Link>) {
    links_of_pages(config, site, site.links.iter())
}

/// What the link check of a page reads besides its own links: every file and copy of the
/// site, each page's ids, the URLs `@/` links became (checked already) and where the site is
/// (`classify`). A page with the same links, checked against targets that still hold
/// (`still_hold`), has the same broken links: a build into an output folder checks only the
/// pages that changed when the last build's targets still hold (`internal_links_except`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkTargets {
    /// The digest of the pages (their paths and ids), the copies, the checked URLs and the
    /// site's place.
    digest: crate::cache::Key,
    /// The site's other files, sorted: the search index's shards, feeds, pictures. They come
    /// and go with the words and pages of the site, and a link to one of them only breaks
    /// when it goes.
    files: Vec<String>,
}

impl LinkTargets {
    pub fn of(config: &Config, site: &BuiltSite) -> LinkTargets {
        let mut key = crate::cache::KeyBuilder::new("link targets");
        key.add(&config.base_url).add(&config.base_path);
        let mut pages = Vec::new();
        let mut files = Vec::new();
        for file in site.files.keys().chain(&site.written) {
            match file.ends_with(".html") {
                true => pages.push(file.as_str()),
                false => files.push(file.clone()),
            }
        }
        pages.sort_unstable();
        pages.dedup();
        files.sort_unstable();
        files.dedup();
        key.add((pages.len() as u64).to_le_bytes());
        for page in pages {
            key.add(page);
        }
        key.add((site.copies.len() as u64).to_le_bytes());
        for copy in site.copies.keys() {
            key.add(copy);
        }
        key.add((site.links.len() as u64).to_le_bytes());
        for (page, links) in &site.links {
            key.add(page)
                .add((links.ids().count() as u64).to_le_bytes());
            for id in links.ids() {
                key.add(id);
            }
        }
        key.add((site.checked_links.len() as u64).to_le_bytes());
        for url in &site.checked_links {
            key.add(url);
        }
        LinkTargets {
            digest: key.finish(),
            files,
        }
    }

    /// Whether a link these targets had is still good among `now`'s: the same pages with the
    /// same ids, copies and checked URLs, and every other file still there (one added breaks
    /// no link).
    pub fn still_hold(&self, now: &LinkTargets) -> bool {
        self.digest == now.digest
            && self
                .files
                .iter()
                .all(|file| now.files.binary_search(file).is_ok())
    }
}

/// `internal_links` for the pages `unchanged` does not name, and how many those are: the
/// pages it names have the links they had when an earlier check found none broken, against
/// targets that still hold (`LinkTargets::still_hold`). Their links out of the site are then
/// not listed either.
pub fn internal_links_except(
    config: &Config,
    site: &BuiltSite,
    unchanged: impl Fn(&str) -> bool,
) -> (Vec<Diagnostic>, Vec<Link>, usize) {
    let pages: Vec<_> = site
        .links
        .iter()
        .filter(|(page, _)| !unchanged(page))
        .collect();
    let count = pages.len();
    let (broken, external) = links_of_pages(config, site, pages.into_iter());
    (broken, external, count)
}

/// `internal_links` for some of the site's pages only (`serve`'s update: the pages it
/// rendered again, when no page's ids changed, so that links into the others still hold).
pub fn internal_links_of(
    config: &Config,
    site: &BuiltSite,
    pages: &BTreeSet<String>,
) -> (Vec<Diagnostic>, Vec<Link>) {
    links_of_pages(
        config,
        site,
        pages
            .iter()
            .filter_map(|page| Some((page, site.links.get(page)?))),
    )
}

fn links_of_pages<'s>(
    config: &Config,
    site: &'s BuiltSite,
    pages: impl Iterator<Item = (&'s String, &'s std::sync::Arc<PageLinks>)>,
) -> (Vec<Diagnostic>, Vec<Link>) {
    use rayon::prelude::*;
    let pages: Vec<(&String, &std::sync::Arc<PageLinks>)> = pages.collect();
    let targets = Targets::of(site);
    // Each page's broken links ((message, where it is written), url) and external links,
    // found in parallel and gathered in the pages' order.
    type Found = (Vec<((String, String), String)>, Vec<Link>);
    let found: Vec<Found> = pages
        .par_iter()
        .with_min_len(64)
        .map(|&(page, links)| {
            let (mut broken, mut external) = (Vec::new(), Vec::new());
            for url in links.links() {
                if targets.checked.contains(url) {
                    continue;
                }
                match classify(config, page, url) {
                    Kind::External => external.push(Link {
                        page: page.clone(),
                        url: url.to_owned(),
                    }),
                    Kind::Other => {}
                    Kind::Internal(path, fragment) => {
                        let message = match targets.file(&path) {
                            None => Some(format!("broken link: `{url}` is not part of the site")),
                            Some(file) => fragment.and_then(|fragment| {
                                let page = targets.pages.get(file.as_str());
                                (!page.is_some_and(|page| page.has_id(&fragment))
                                    && !targets.fragment_of_a_copy(&file))
                                .then(|| {
                                    format!("broken link: `{url}`: the page has no element with id `{fragment}`")
                                })
                            }),
                        };
                        if let Some(message) = message {
                            // Written in a source file: reported there. Written by a
                            // template: once for all the pages it is on.
                            let written_in = site
                                .origins
                                .get(page)
                                .filter(|file| file.recalled().text.contains(url))
                                .map_or_else(String::new, |file| file.name.clone());
                            broken.push(((message, written_in), url.to_owned()));
                        }
                    }
                }
            }
            (broken, external)
        })
        .collect();
    let mut external = Vec::new();
    // A broken link by the message it gets: the first page that has it, and how many do.
    let mut broken: BTreeMap<(String, String), (String, String, usize)> = BTreeMap::new();
    for ((page, _), (page_broken, page_external)) in pages.iter().zip(found) {
        external.extend(page_external);
        for (message, url) in page_broken {
            broken
                .entry(message)
                .and_modify(|(_, _, count)| *count += 1)
                .or_insert(((*page).clone(), url, 1));
        }
    }
    let problems = broken
        .into_iter()
        .map(|((message, _), (page, url, count))| {
            let diagnostic = at_source(Diagnostic::error(message), &page, &url, &site.origins);
            if count > 1 {
                diagnostic.with_note(format!("{} other pages have the same link", count - 1))
            } else {
                diagnostic
            }
        })
        .collect();
    (problems, external)
}

/// Points a diagnostic about `url` in output `page` at the source that wrote it.
pub fn at_source(
    diagnostic: Diagnostic,
    page: &str,
    url: &str,
    origins: &BTreeMap<String, SourceFile>,
) -> Diagnostic {
    match origins.get(page).map(SourceFile::recalled) {
        Some(file) => match file.text.find(url) {
            Some(offset) => diagnostic.at(&file, offset..offset + url.len()),
            None => diagnostic
                .in_file(&file.name)
                .with_note(format!("in `{page}`, written by its template")),
        },
        None => diagnostic.with_note(format!("in the generated `{page}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> Config {
        let text = format!("title = \"t\"\nbase_url = \"{base}\"\n");
        let file = SourceFile::new("tradetalks.toml", "/", text);
        Config::parse(std::path::Path::new("/"), &file, None).unwrap()
    }

    #[test]
    fn links_are_classified_against_the_base_url() {
        let c = config("https://example.org/sub/");
        let page = "countries/japan/index.html";
        let internal = |p: &str, f: Option<&str>| Kind::Internal(p.into(), f.map(str::to_owned));
        assert_eq!(
            classify(&c, page, "/sub/countries/"),
            internal("countries/", None)
        );
        assert_eq!(
            classify(&c, page, "https://example.org/sub/about/#x"),
            internal("about/", Some("x"))
        );
        assert_eq!(
            classify(&c, page, "../india/"),
            internal("countries/india/", None)
        );
        assert_eq!(
            classify(&c, page, "table-1.csv"),
            internal("countries/japan/table-1.csv", None)
        );
        assert_eq!(classify(&c, page, "#top"), internal(page, Some("top")));
        assert_eq!(classify(&c, page, "https://other.org/"), Kind::External);
        assert_eq!(classify(&c, page, "mailto:a@b.c"), Kind::Other);
        assert!(
            matches!(classify(&c, page, "/elsewhere/"), Kind::Internal(p, _) if p.starts_with('\u{0}'))
        );
    }

    #[test]
    fn a_page_keeps_each_link_once_in_order_and_finds_every_id() {
        let html = "<a href=\"/b/\"></a><h2 id=\"z\"></h2><a href=\"#경제\"></a><a href=\"/b/\"></a>\
                    <p id=\"日本\"></p><img src=\"/a.png\"><p id=\"a\"></p><p id=\"m-2\"></p>";
        let found = PageLinks::of(html);
        assert_eq!(
            found.links().collect::<Vec<_>>(),
            ["/b/", "#경제", "/a.png"]
        );
        assert_eq!(found.ids().collect::<Vec<_>>(), ["a", "m-2", "z", "日本"]);
        for id in ["a", "m-2", "z", "日本"] {
            assert!(found.has_id(id), "{id}");
        }
        for id in ["", "b", "日", "/b/", "#경제", "zz"] {
            assert!(!found.has_id(id), "{id}");
        }
        let none = PageLinks::of("<p>nothing</p>");
        assert_eq!(none.links().count() + none.ids().count(), 0);
        assert!(!none.has_id("a"));
        assert!(found.same_ids(&PageLinks::of(
            "<b id=\"日本\"><i id=\"z\"><i id=\"m-2\"><i id=\"a\">"
        )));
        assert!(!found.same_ids(&none));
    }

    #[test]
    fn links_and_ids_are_found_and_decoded() {
        let html = "<a href=\"/a/?x=1&amp;y=2\">a</a><img src=\"i.png\" alt=\"\"><h2 id=\"who\">";
        let found = PageLinks::of(html);
        assert_eq!(found.links().collect::<Vec<_>>(), ["/a/?x=1&y=2", "i.png"]);
        assert_eq!(decode_entities("&amp;lt; &lt;"), "&lt; <");
        assert!(found.has_id("who"));
    }
}
