//! Editions: which pages of the site are translations of each other. Every edition's
//! content is loaded before any renders, so that each page can link to its translations
//! (`<link rel="alternate" hreflang>`, the language switcher) and the sitemap can list them.

use super::*;

/// One edition as its pages' links name it.
#[derive(Debug, Clone)]
pub(crate) struct EditionLink {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) direction: String,
    /// Site path of the edition's home (`ja/`).
    pub(crate) home: String,
}

/// Each page and section of every edition, by the content path its translations share
/// (`countries/japan.md` for `japan.md` and `japan.ja.md`).
#[derive(Debug, Default)]
pub(crate) struct Translations {
    pub(crate) editions: Vec<EditionLink>,
    /// Content path to the site path of its page in each edition (by edition index), if
    /// that edition has one.
    pub(crate) by_key: BTreeMap<String, Vec<Option<String>>>,
}

impl Translations {
    pub(crate) fn of(editions: &[(Config, Content)]) -> Translations {
        let count = editions.len();
        let mut by_key: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
        for (index, (_, content)) in editions.iter().enumerate() {
            let paths = content
                .pages
                .iter()
                .map(|p| (&p.content_path, &p.path))
                .chain(
                    content
                        .sections
                        .values()
                        .map(|s| (&s.content_path, &s.path)),
                );
            for (key, path) in paths {
                by_key
                    .entry(key.clone())
                    .or_insert_with(|| vec![None; count])[index] = Some(path.clone());
            }
        }
        let editions = editions
            .first()
            .map(|(config, _)| {
                config
                    .editions
                    .iter()
                    .map(|e| EditionLink {
                        code: e.code.clone(),
                        name: e.name.clone(),
                        direction: e.direction.clone(),
                        home: e.prefix.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Translations { editions, by_key }
    }

    /// The other editions' pages of content path `key`: `(language, site path)`, the
    /// default edition first; empty when there is no translation.
    pub(crate) fn alternates_of(&self, key: &str) -> Vec<(&str, &str)> {
        let Some(paths) = self.by_key.get(key) else {
            return Vec::new();
        };
        let found: Vec<(&str, &str)> = paths
            .iter()
            .zip(&self.editions)
            .filter_map(|(path, edition)| Some((edition.code.as_str(), path.as_deref()?)))
            .collect();
        if found.len() < 2 { Vec::new() } else { found }
    }

    /// `languages` for templates: every edition, each with the URL of this page's
    /// translation (`translated`), or of its home when it has none; `key` `None` (generated
    /// pages) links to every home. Empty for a site in one language.
    pub(crate) fn languages(&self, config: &Config, key: Option<&str>) -> Value {
        if self.editions.len() < 2 {
            return Value::from(Vec::<Value>::new());
        }
        self.list(config, key)
    }

    /// `alternates` for templates: the page in every edition that has it, for
    /// `<link rel="alternate" hreflang>`, then `x-default` (the default edition's, or the
    /// first there is); empty when the page has no translation.
    pub(crate) fn alternates(&self, config: &Config, key: &str) -> Value {
        let found = self.alternates_of(key);
        let mut list: Vec<serde_json::Value> = found
            .iter()
            .map(|(code, path)| json!({"hreflang": code, "href": config.permalink(path)}))
            .collect();
        if let Some((_, first)) = found.first() {
            list.push(json!({"hreflang": "x-default", "href": config.permalink(first)}));
        }
        Value::from_serializable(&list)
    }

    fn list(&self, config: &Config, key: Option<&str>) -> Value {
        let paths = key.and_then(|key| self.by_key.get(key));
        let list: Vec<serde_json::Value> = self
            .editions
            .iter()
            .enumerate()
            .map(|(index, edition)| {
                let own = paths.and_then(|p| p.get(index)?.clone());
                let path = own.clone().unwrap_or_else(|| edition.home.clone());
                json!({
                    "code": edition.code,
                    "name": edition.name,
                    "direction": edition.direction,
                    "url": config.url_path(&path),
                    "permalink": config.permalink(&path),
                    "translated": own.is_some(),
                    "current": index == config.edition,
                })
            })
            .collect();
        Value::from_serializable(&list)
    }
}

/// How far an edition's translation has got: what `check` reports.
#[derive(Debug, Clone, Default)]
pub struct EditionStatus {
    pub code: String,
    pub name: String,
    /// Pages and sections of the default edition (content paths) with no translation.
    pub missing: Vec<String>,
    /// Translations older than their source.
    pub outdated: Vec<Outdated>,
    /// Pages and sections the edition has a file of.
    pub translated: usize,
}

/// A translation whose source changed after it: the source's `updated` (or `date`) is later
/// than the translation's.
#[derive(Debug, Clone)]
pub struct Outdated {
    /// `content/countries/japan.ja.md`.
    pub translation: crate::source::SourceFile,
    pub source_name: String,
    pub source_date: jiff::civil::Date,
    /// The translation's own `updated` or `date`, if it has one.
    pub translation_date: Option<jiff::civil::Date>,
}

/// Each edition but the default's translation status.
pub(crate) fn status(editions: &[(Config, Content)]) -> Vec<EditionStatus> {
    let Some((_, source)) = editions.first() else {
        return Vec::new();
    };
    // Every file of the default edition, by content path, with its last change.
    let mut sources: BTreeMap<&str, (&str, Option<jiff::civil::Date>)> = BTreeMap::new();
    for page in &source.pages {
        sources.insert(
            &page.content_path,
            (&page.file.name, page.front.last_modified()),
        );
    }
    for section in source.sections.values() {
        if let Some(file) = &section.file {
            sources.insert(
                &section.content_path,
                (&file.name, section.front.last_modified()),
            );
        }
    }
    editions
        .iter()
        .skip(1)
        .map(|(config, content)| {
            let edition = config.current_edition();
            let mut own: BTreeMap<&str, (&crate::source::SourceFile, Option<jiff::civil::Date>)> =
                BTreeMap::new();
            for page in &content.pages {
                own.insert(&page.content_path, (&page.file, page.front.last_modified()));
            }
            for section in content.sections.values() {
                if let Some(file) = &section.file {
                    own.insert(&section.content_path, (file, section.front.last_modified()));
                }
            }
            let missing = sources
                .keys()
                .filter(|key| !own.contains_key(*key))
                .map(|key| (*key).to_owned())
                .collect();
            let outdated = own
                .iter()
                .filter_map(|(key, (file, date))| {
                    let (source_name, source_date) = sources.get(key)?;
                    let source_date = (*source_date)?;
                    // A translation without a date of its own cannot be compared.
                    let stale = date.is_some_and(|own_date| own_date < source_date);
                    stale.then(|| Outdated {
                        translation: (*file).clone(),
                        source_name: (*source_name).to_owned(),
                        source_date,
                        translation_date: *date,
                    })
                })
                .collect();
            EditionStatus {
                code: edition.code.clone(),
                name: edition.name.clone(),
                missing,
                outdated,
                translated: own.len(),
            }
        })
        .collect()
}
