//! `check`'s own passes over a built site (in memory): every link and asset reference in the
//! generated HTML must resolve inside the site, fragments included; with `--external`, every
//! external link is fetched (concurrently, politely) and reported.

mod external;

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// Every `href`/`src` value in an HTML page, in order, with entities decoded.
pub fn links_in(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some((_, after)) = rest.split_once(attribute) {
            let Some((value, tail)) = after.split_once('"') else {
                break;
            };
            found.push(decode_entities(value));
            rest = tail;
        }
    }
    found
}

/// The entities our own HTML writes (HTML escaping), decoded; `&amp;` last, so that an
/// escaped entity (`&amp;lt;`) stays the text `&lt;`.
pub fn decode_entities(text: &str) -> String {
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `id="..."` in an HTML page.
fn ids_in(html: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut rest = html;
    while let Some((_, after)) = rest.split_once(" id=\"") {
        let Some((id, tail)) = after.split_once('"') else {
            break;
        };
        ids.insert(decode_entities(id));
        rest = tail;
    }
    ids
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

/// The output file a site path names: itself, or its `index.html`.
fn target_file(site: &BuiltSite, path: &str) -> Option<String> {
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let candidates = [
        path.to_string(),
        format!("{}index.html", path),
        format!("{}/index.html", path.trim_end_matches('/')),
    ];
    candidates
        .into_iter()
        .find(|c| site.files.contains_key(c) || site.copies.contains_key(c))
}

/// Broken internal links and fragments in every generated page, each reported at the line
/// of the source file that wrote it when the link text is found there.
pub fn internal_links(
    config: &Config,
    site: &BuiltSite,
    origins: &BTreeMap<String, SourceFile>,
) -> (Vec<Diagnostic>, Vec<Link>) {
    let mut problems = Vec::new();
    let mut external = Vec::new();
    let mut ids_cache: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (page, bytes) in &site.files {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let mut seen = BTreeSet::new();
        for url in links_in(&html) {
            if site.checked_links.contains(&url) || !seen.insert(url.clone()) {
                continue;
            }
            match classify(config, page, &url) {
                Kind::External => external.push(Link {
                    page: page.clone(),
                    url,
                }),
                Kind::Other => {}
                Kind::Internal(path, fragment) => {
                    let message = match target_file(site, &path) {
                        None => Some(format!("broken link: `{url}` is not part of the site")),
                        Some(file) => fragment.and_then(|fragment| {
                            let ids = ids_cache.entry(file.clone()).or_insert_with(|| {
                                ids_in(&String::from_utf8_lossy(
                                    site.files.get(&file).map(|b| &b[..]).unwrap_or_default(),
                                ))
                            });
                            (!ids.contains(&fragment)).then(|| {
                                format!("broken link: `{url}`: the page has no element with id `{fragment}`")
                            })
                        }),
                    };
                    if let Some(message) = message {
                        problems.push(at_source(Diagnostic::error(message), page, &url, origins));
                    }
                }
            }
        }
    }
    (problems, external)
}

/// Points a diagnostic about `url` in output `page` at the source that wrote it.
pub fn at_source(
    diagnostic: Diagnostic,
    page: &str,
    url: &str,
    origins: &BTreeMap<String, SourceFile>,
) -> Diagnostic {
    match origins.get(page) {
        Some(file) => match file.text.find(url) {
            Some(offset) => diagnostic.at(file, offset..offset + url.len()),
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
    fn links_and_ids_are_found_and_decoded() {
        let html = "<a href=\"/a/?x=1&amp;y=2\">a</a><img src=\"i.png\" alt=\"\"><h2 id=\"who\">";
        assert_eq!(links_in(html), vec!["/a/?x=1&y=2", "i.png"]);
        assert_eq!(decode_entities("&amp;lt; &lt;"), "&lt; <");
        assert!(ids_in(html).contains("who"));
    }
}
