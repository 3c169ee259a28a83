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

/// The key of a taxonomy's list page (`term` none) or of a term's page among translations:
/// never a content path, which ends in `.md`.
pub(crate) fn taxonomy_key(taxonomy: &str, term: Option<&str>) -> String {
    match term {
        Some(slug) => format!("taxonomy:{taxonomy}/{slug}/"),
        None => format!("taxonomy:{taxonomy}/"),
    }
}

impl Translations {
    pub(crate) fn of(editions: &[(Config, Content)]) -> Translations {
        let count = editions.len();
        let links: Vec<EditionLink> = editions
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
        // A site in one language has no translations: its `languages` and `alternates` are
        // empty whatever its pages are (listing 10,000 pages here took 50 ms of a build).
        if links.len() < 2 {
            return Translations {
                editions: links,
                by_key: BTreeMap::new(),
            };
        }
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
            // Taxonomy pages: a term keeps its URL in every edition that uses it.
            let config = &editions[index].0;
            for taxonomy in crate::publish::taxonomy::collect(config, content) {
                let pages = std::iter::once((taxonomy_key(&taxonomy.name, None), taxonomy.path))
                    .chain(
                        taxonomy.terms.into_iter().map(|term| {
                            (taxonomy_key(&taxonomy.name, Some(&term.slug)), term.path)
                        }),
                    );
                for (key, path) in pages {
                    by_key.entry(key).or_insert_with(|| vec![None; count])[index] = Some(path);
                }
            }
        }
        Translations {
            editions: links,
            by_key,
        }
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

/// A translation whose source changed after it.
#[derive(Debug, Clone)]
pub struct Outdated {
    /// `content/countries/japan.ja.md`.
    pub translation: crate::source::SourceFile,
    pub source_name: String,
    /// The source's version now, for the translation to record once brought up to date.
    pub source_version: String,
    pub why: Staleness,
}

/// How a translation is known to be older than its source.
#[derive(Debug, Clone)]
pub enum Staleness {
    /// The source's `updated` (or `date`) is later than the translation's own, if it has one.
    Dates {
        source: jiff::civil::Date,
        translation: Option<jiff::civil::Date>,
    },
    /// The translation records (`translated_from`, at `span`) another version of the source
    /// than the one there is now.
    Version {
        recorded: String,
        span: std::ops::Range<usize>,
        current: String,
    },
}

/// The version of a source file translations record (`translated_from`): the start of its
/// BLAKE3 hash, which any change to the file changes. (Build-cache keys hash files with
/// XXH3, `SourceFile::digest`; versions stay BLAKE3, as editors have them in their files.)
/// `None` when a large build let the text go and it cannot be read again as it was (the
/// body's rendering reports that).
pub fn source_version(file: &crate::source::SourceFile) -> Option<String> {
    let hex = full_version(file)?;
    Some(hex.get(..12).unwrap_or_default().to_owned())
}

/// The whole BLAKE3 hash of a file's text, in hexadecimal (its text read again when a large
/// build let it go), as `source_version`.
fn full_version(file: &crate::source::SourceFile) -> Option<String> {
    let file = file.recall().ok()?;
    Some(
        blake3::hash(file.text.as_bytes())
            .to_hex()
            .as_str()
            .to_owned(),
    )
}

/// What `status` compares of a file: its last change and the version it records.
struct Known<'a> {
    file: &'a crate::source::SourceFile,
    date: Option<jiff::civil::Date>,
    translated_from: Option<&'a (String, std::ops::Range<usize>)>,
}

impl<'a> Known<'a> {
    fn of(
        file: &'a crate::source::SourceFile,
        front: &'a content::front_matter::FrontMatter,
    ) -> Known<'a> {
        Known {
            file,
            date: front.last_modified(),
            translated_from: front.translated_from.as_ref(),
        }
    }
}

/// Whether `translation` is older than `source`: by the version it records when it records
/// one (which then decides alone), else by their dates.
fn staleness(source: &Known, translation: &Known) -> Option<Staleness> {
    if let Some((recorded, span)) = translation.translated_from {
        let full = full_version(source.file)?;
        return (!full.starts_with(recorded.as_str())).then(|| Staleness::Version {
            recorded: recorded.clone(),
            span: span.clone(),
            current: full.get(..12).unwrap_or_default().to_owned(),
        });
    }
    let source_date = source.date?;
    // A translation without a date of its own cannot be compared.
    translation
        .date
        .is_some_and(|own| own < source_date)
        .then_some(Staleness::Dates {
            source: source_date,
            translation: translation.date,
        })
}

/// Each edition but the default's translation status.
pub(crate) fn status(editions: &[(Config, Content)]) -> Vec<EditionStatus> {
    let Some((_, source)) = editions.first() else {
        return Vec::new();
    };
    fn files(content: &Content) -> BTreeMap<String, Known<'_>> {
        let mut files = BTreeMap::new();
        for page in &content.pages {
            files.insert(
                page.content_path.clone(),
                Known::of(&page.file, &page.front),
            );
        }
        for section in content.sections.values() {
            if let Some(file) = &section.file {
                files.insert(
                    section.content_path.clone(),
                    Known::of(file, &section.front),
                );
            }
        }
        files
    }
    let sources = files(source);
    editions
        .iter()
        .skip(1)
        .map(|(config, content)| {
            let edition = config.current_edition();
            let own = files(content);
            let missing = sources
                .keys()
                .filter(|key| !own.contains_key(*key))
                .cloned()
                .collect();
            let outdated = own
                .iter()
                .filter_map(|(key, translation)| {
                    let source = sources.get(key)?;
                    let why = staleness(source, translation)?;
                    let source_version = match &why {
                        Staleness::Version { current, .. } => current.clone(),
                        Staleness::Dates { .. } => source_version(source.file)?,
                    };
                    Some(Outdated {
                        translation: translation.file.clone(),
                        source_name: source.file.name.clone(),
                        source_version,
                        why,
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
