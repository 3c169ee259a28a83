//! Taxonomies (`sectors`, `countries`): every term used by a published page, with its pages,
//! a list page per taxonomy (`/sectors/`) and a page per term (`/sectors/autos/`), split into
//! numbered pages (`/sectors/autos/page/2/`) past the taxonomy's `paginate`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::content::Content;
use crate::content::slug::segment;

#[derive(Debug, Clone, Serialize)]
pub struct Taxonomy {
    pub name: String,
    /// Its name in the edition's language (`Sectors`, `分野`).
    pub title: String,
    pub path: String,
    pub url: String,
    pub paginate: usize,
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// Its name in the edition's language; its slug and URL come from the name pages write.
    pub name: String,
    pub slug: String,
    pub path: String,
    pub url: String,
    /// Page indexes, newest first (then by title).
    #[serde(skip)]
    pub pages: Vec<usize>,
    pub count: usize,
    /// The URL of its Atom feed, when one of its pages is dated.
    pub feed: Option<String>,
}

/// Every configured taxonomy with the terms its published pages use, terms in slug order.
pub fn collect(config: &Config, content: &Content) -> Vec<Taxonomy> {
    config
        .taxonomies
        .iter()
        .map(|taxonomy| {
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for (index, page) in super::published(content) {
                let Some(names) = page.front.taxonomies.get(&taxonomy.name) else {
                    continue;
                };
                for name in names {
                    let slug = segment(name, config.slugify);
                    let path = taxonomy.term_path(name, config.slugify);
                    let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: taxonomy.term_in(name, &config.language).to_owned(),
                        url: config.url_path(&path),
                        slug,
                        path,
                        pages: Vec::new(),
                        count: 0,
                        feed: None,
                    });
                    if !term.pages.contains(&index) {
                        term.pages.push(index);
                    }
                }
            }
            let mut terms: Vec<Term> = terms.into_values().collect();
            for term in &mut terms {
                sort_term_pages(&mut term.pages, content);
                term.count = term.pages.len();
                term.feed = super::feeds::has_entries(content, &term.pages)
                    .then(|| config.url_path(&super::feeds::list_feed_path(&term.path)));
            }
            let path = format!("{}/", taxonomy.base());
            Taxonomy {
                name: taxonomy.name.clone(),
                title: taxonomy.title_in(&config.language, default_language(config)),
                url: config.url_path(&path),
                path,
                paginate: taxonomy.paginate,
                terms,
            }
        })
        .collect()
}

/// The site's default language, in which pages write their terms.
fn default_language(config: &Config) -> &str {
    config
        .editions
        .first()
        .map_or(config.language.as_str(), |e| e.code.as_str())
}

/// A term's pages, newest first, then by title.
pub fn sort_term_pages(pages: &mut [usize], content: &Content) {
    pages.sort_by(|&a, &b| {
        let (pa, pb) = (&content.pages[a], &content.pages[b]);
        pb.front
            .date
            .cmp(&pa.front.date)
            .then_with(|| pa.front.title.cmp(&pb.front.title))
    });
}

/// One page of a term's list: which pages it shows and where its neighbours are.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub number: usize,
    pub count: usize,
    /// Site path of this page of the list.
    pub path: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// Whether the list is split at a size (`paginate`), however few pages it has: a template
    /// that lists only when asked (the home's) reads it.
    pub paginated: bool,
    #[serde(skip)]
    pub pages: Vec<usize>,
}

/// Splits a term's pages into numbered list pages of `size` (0: one page).
pub fn paginate(config: &Config, term: &Term, size: usize) -> Vec<Pager> {
    pagers(config, &term.path, &term.pages, size)
}

/// Splits the `pages` of a list at site path `path` (a term's, a section's) into numbered
/// list pages of `size` (0: one page): the first at `path`, then `path/page/2/` and on.
/// A list of no pages is one empty page.
pub fn pagers(config: &Config, path: &str, pages: &[usize], size: usize) -> Vec<Pager> {
    let paginated = size > 0;
    let size = if size == 0 { pages.len().max(1) } else { size };
    let chunks: Vec<&[usize]> = if pages.is_empty() {
        vec![&[]]
    } else {
        pages.chunks(size).collect()
    };
    let count = chunks.len();
    let path_of = |n: usize| {
        if n == 1 {
            path.to_owned()
        } else if path.is_empty() || path.ends_with('/') {
            format!("{path}page/{n}/")
        } else {
            format!("{path}/page/{n}/")
        }
    };
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, pages)| {
            let number = i + 1;
            Pager {
                number,
                count,
                path: path_of(number),
                previous: (number > 1).then(|| config.url_path(&path_of(number - 1))),
                next: (number < count).then(|| config.url_path(&path_of(number + 1))),
                paginated,
                pages: pages.to_vec(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn terms_split_into_numbered_pages() {
        let file = SourceFile::new(
            "tradetalks.toml",
            "/",
            "title = \"t\"\nbase_url = \"https://x.org/sub/\"\n",
        );
        let config = Config::parse(std::path::Path::new("/"), &file, None).unwrap();
        let term = Term {
            name: "Autos".into(),
            slug: "autos".into(),
            path: "sectors/autos/".into(),
            url: "/sub/sectors/autos/".into(),
            pages: (0..5).collect(),
            count: 5,
            feed: None,
        };
        let pagers = paginate(&config, &term, 2);
        assert_eq!(pagers.len(), 3);
        assert_eq!(pagers[0].path, "sectors/autos/");
        assert_eq!(pagers[1].path, "sectors/autos/page/2/");
        assert_eq!(pagers[1].previous.as_deref(), Some("/sub/sectors/autos/"));
        assert_eq!(
            pagers[1].next.as_deref(),
            Some("/sub/sectors/autos/page/3/")
        );
        assert_eq!(pagers[2].pages, vec![4]);
        assert_eq!(paginate(&config, &term, 0).len(), 1);
    }
}
