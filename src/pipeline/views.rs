//! Template values: what pages, sections, lists and the template functions see, built once
//! from the content and the rendered bodies and shared by every render. Page summaries stay
//! packed (`templates::summaries`): a section's value is made whole while it renders.

use super::*;
use crate::templates::summaries::{
    Keys, Packed, Packer, SectionParts, SectionsParts, Summaries, TaxonomyParts,
};

/// The values templates see, built once and shared by every render.
pub(crate) struct Views {
    pub(crate) site: Value,
    pub(crate) config: Value,
    /// Page summaries (no content), by page index, for lists: packed, and unpacked while
    /// what shows them renders.
    pub(crate) summaries: Summaries,
    /// Each page's table of contents, by page index (empty before bodies render).
    pub(crate) tocs: Vec<crate::templates::Toc>,
    /// Each section's value but its pages' summaries, by folder: made whole while the
    /// section renders (`SectionParts::value`).
    pub(crate) sections: SectionsParts,
    /// Each page's HTML body, by page index: moved here from `Bodies` (or written to disk as
    /// they rendered, in a build of a large site), and shared with `get_page`.
    pub(crate) contents: std::sync::Arc<Texts>,
    /// The site's editions, when it has several: what `languages` lists on each page.
    pub(crate) translations: Option<std::sync::Arc<Translations>>,
    /// `languages` on pages of no content file (taxonomies, search, 404): every home.
    pub(crate) homes: Value,
    /// The edition's language: which messages `t` shows.
    pub(crate) lang: Value,
    /// The words of the interface, for what Rust writes into pages (generated pages' titles).
    pub(crate) messages: Option<crate::messages::SharedMessages>,
    /// `build_date`: the date the site is built as of (`--as-of`, else today), `YYYY-MM-DD`.
    pub(crate) build_date: Value,
}

impl Views {
    /// The values templates see; `contents` are the page bodies, taken out of `bodies`,
    /// `summaries` the pages' summaries (`page_summaries`) and `tocs` their tables of
    /// contents (`Bodies::page_tocs`).
    pub(crate) fn new(
        config: &Config,
        content: &Content,
        urls: &BTreeMap<String, String>,
        bodies: &Bodies,
        contents: Texts,
        summaries: Summaries,
        tocs: Vec<crate::templates::Toc>,
    ) -> Views {
        let config_value = json!({
            "title": config.title,
            "base_url": config.base_url,
            "base_path": config.base_path,
            "language": config.language,
            "direction": config.current_edition().direction,
            "path": config.current_edition().prefix,
            "description": config.description,
            "stale_after_days": config.stale_after_days,
            "taxonomies": config.taxonomies,
            "search": config.search,
            "extra": config.extra,
        });
        let mut views = Views {
            site: site_value(config, content, urls),
            config: Value::from_serializable(&config_value),
            summaries,
            tocs,
            sections: BTreeMap::new(),
            contents: std::sync::Arc::new(contents),
            translations: None,
            homes: Value::from(Vec::<Value>::new()),
            lang: Value::from(config.language.as_str()),
            messages: None,
            build_date: Value::none(),
        };
        views.sections = section_values(config, content, bodies);
        views
    }

    /// Page `index` as its social card and the page cache's key see it: its `summary` with
    /// its table of contents, but not its body, which goes in only when the page renders
    /// (`render::PageBody`). Made when asked for, so that no page's body stays in memory
    /// longer than its render.
    pub(crate) fn page_without_body(&self, index: usize, summary: Value) -> Value {
        crate::templates::with_body(summary, None, &self.tocs, index)
    }

    /// Replaces page `index`'s values after its file changed; its body moves in.
    pub(crate) fn set_page(
        &mut self,
        config: &Config,
        content: &Content,
        index: usize,
        body: &mut Rendered,
    ) {
        let summary = page_summary(config, &content.pages[index], Some(body));
        self.summaries.set(index, summary);
        self.tocs[index] = std::sync::Arc::new(body.toc.clone());
        std::sync::Arc::make_mut(&mut self.contents).set(index, &std::mem::take(&mut body.html));
    }

    /// What the template functions look up; `data` is every data file's value by name.
    pub(crate) fn lookup(
        &self,
        config: &Config,
        content: &Content,
        taxonomies: &[publish::taxonomy::Taxonomy],
        data: crate::templates::DataLookup,
        shared_files: std::sync::Arc<publish::assets::SharedFiles>,
        images: std::sync::Arc<crate::images::Catalog>,
    ) -> Lookup {
        Lookup {
            images,
            pages: self.page_lookup(content),
            summaries: self.summaries.clone(),
            tocs: self.tocs.clone(),
            contents: self.contents.clone(),
            sections: self.section_lookup(content),
            taxonomies: self.taxonomy_lookup(taxonomies),
            data,
            base_path: config.base_path.clone(),
            shared_files,
            site_base_path: config.site_base_path.clone(),
        }
    }

    /// Only the page bodies and tables of contents, for the feed and the search index once
    /// templates are done.
    pub(crate) fn into_contents_only(self) -> Views {
        let Views {
            site,
            config,
            summaries,
            tocs,
            sections,
            contents,
            translations,
            homes,
            lang,
            messages,
            build_date,
        } = self;
        // Freed on a thread of their own: a large site's values took the build 40 ms to free
        // (10,000 pages) while the other core had nothing to do. Should no thread start,
        // they are freed here.
        let values = (site, config, summaries, sections, translations, homes);
        let _ = std::thread::Builder::new()
            .name("tradetalks-free".into())
            .spawn(move || drop(values));
        Views {
            site: Value::none(),
            config: Value::none(),
            summaries: Summaries::default(),
            tocs,
            sections: BTreeMap::new(),
            contents,
            translations: None,
            homes: Value::none(),
            lang,
            messages,
            build_date,
        }
    }

    /// The values with the words of the interface.
    pub(crate) fn with_messages(mut self, messages: &crate::messages::SharedMessages) -> Views {
        self.messages = Some(messages.clone());
        self
    }

    /// The date the site is built as of, for `build_date` in templates.
    pub(crate) fn with_build_date(mut self, today: jiff::civil::Date) -> Views {
        self.build_date = Value::from(today.to_string());
        self
    }

    /// Message `key` in the edition's language with `args`, or `english` where the values
    /// have no messages (or the message fails: the template check reports missing keys).
    pub(crate) fn word(
        &self,
        config: &Config,
        key: &str,
        args: &[(&str, &str)],
        english: String,
    ) -> String {
        let Some(messages) = &self.messages else {
            return english;
        };
        let args: Vec<(&str, fluent_bundle::FluentValue)> = args
            .iter()
            .map(|(name, value)| (*name, fluent_bundle::FluentValue::from(*value)))
            .collect();
        messages
            .format(&config.language, key, &args)
            .unwrap_or(english)
    }

    /// The values with the site's editions, for `languages` on every page.
    pub(crate) fn with_translations(
        mut self,
        translations: &std::sync::Arc<Translations>,
        config: &Config,
    ) -> Views {
        self.homes = translations.languages(config, None);
        self.translations = Some(translations.clone());
        self
    }

    /// `languages` and `alternates` on the page or section of content path `key`.
    pub(crate) fn insert_languages(&self, context: &mut Context, config: &Config, key: &str) {
        if let Some(translations) = &self.translations {
            context.insert_value("languages", translations.languages(config, Some(key)));
            context.insert_value("alternates", translations.alternates(config, key));
        }
    }

    /// Content path to page index, for `get_page`.
    pub(crate) fn page_lookup(&self, content: &Content) -> BTreeMap<String, usize> {
        content
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.content_path.clone(), i))
            .collect()
    }

    pub(crate) fn section_lookup(&self, content: &Content) -> SectionsParts {
        content
            .sections
            .iter()
            .map(|(dir, s)| (s.content_path.clone(), self.sections[dir].clone()))
            .collect()
    }

    pub(crate) fn taxonomy_lookup(
        &self,
        taxonomies: &[publish::taxonomy::Taxonomy],
    ) -> BTreeMap<String, TaxonomyParts> {
        taxonomies
            .iter()
            .map(|taxonomy| {
                let terms = taxonomy
                    .terms
                    .iter()
                    .map(|term| {
                        let map = Value::from_serializable(term)
                            .into_map()
                            .unwrap_or_default();
                        (map, term.pages.clone())
                    })
                    .collect();
                let head = Value::from_serializable(taxonomy)
                    .into_map()
                    .unwrap_or_default();
                (taxonomy.name.clone(), TaxonomyParts { head, terms })
            })
            .collect()
    }

    pub(crate) fn context(&self) -> Context {
        let mut context = Context::new();
        for (name, value) in self.shared_values() {
            context.insert_value(name, value);
        }
        context
    }

    /// The values every page, section and generated page sees, by name.
    pub(crate) fn shared_values(&self) -> [(&'static str, Value); 6] {
        [
            ("site", self.site.clone()),
            ("config", self.config.clone()),
            ("lang", self.lang.clone()),
            ("languages", self.homes.clone()),
            ("alternates", Value::from(Vec::<Value>::new())),
            ("build_date", self.build_date.clone()),
        ]
    }
}

/// `site`: the site's own settings, its navigation (the root's subsections and pages), and
/// facts about all pages.
pub(super) fn site_value(
    config: &Config,
    content: &Content,
    urls: &BTreeMap<String, String>,
) -> Value {
    let entry = |front: &content::front_matter::FrontMatter, path: &str| {
        let title = front.nav_title.as_deref().unwrap_or(&front.title);
        json!({"title": title, "url": config.url_path(path), "path": path})
    };
    let nav: Vec<serde_json::Value> = if config.nav.is_empty() {
        // The root's sections and pages, less those marked `in_nav: false`.
        content.sections[""]
            .subsections
            .iter()
            .map(|d| &content.sections[d])
            .filter(|s| s.front.in_nav)
            .map(|s| entry(&s.front, &s.path))
            .chain(
                content.sections[""]
                    .pages
                    .iter()
                    .map(|&i| &content.pages[i])
                    .filter(|p| p.front.in_nav)
                    .map(|p| entry(&p.front, &p.path)),
            )
            .collect()
    } else {
        // `[[nav]]` in the config, in its order; `@/` links become the pages' URLs.
        config
            .nav
            .iter()
            .map(|item| {
                let (url, path) = match item.link.strip_prefix("@/") {
                    Some(target) => {
                        let url = urls.get(target).cloned().unwrap_or_default();
                        let path = content
                            .pages
                            .iter()
                            .find(|p| p.content_path == target)
                            .map(|p| p.path.clone())
                            .or_else(|| {
                                content
                                    .sections
                                    .values()
                                    .find(|s| s.content_path == target)
                                    .map(|s| s.path.clone())
                            })
                            .unwrap_or_default();
                        (url, path)
                    }
                    None => (item.link.clone(), String::new()),
                };
                json!({"title": item.title, "url": url, "path": path})
            })
            .collect()
    };
    let site = json!({
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "nav": nav,
        "page_count": content.pages.len(),
        // Whether atom.xml exists: it needs at least one dated, published page.
        "feed": publish::published(content).any(|(_, p)| p.front.last_modified().is_some()),
    });
    Value::from_serializable(&site)
}

/// Every page's summary, by page index: made once, in parallel, packed, and shared by every
/// list that shows the page. A build (not `retain`) lets each page's front matter trees go
/// once its summary is made (nothing after the summaries reads them); `serve` (`retain`)
/// keeps each summary as a value too (`Summaries::unpacked`).
pub(crate) fn page_summaries(
    config: &Config,
    content: &mut Content,
    bodies: &Bodies,
    retain: bool,
) -> Summaries {
    let let_go = !retain;
    let packed = content
        .pages
        .par_iter_mut()
        .zip(&bodies.pages)
        .map(|(page, body)| {
            let summary = page_summary(config, page, Some(body));
            if let_go {
                page.front.fields = BTreeMap::new();
                page.front.extra_tree = None;
            }
            summary
        })
        .collect();
    let summaries = Summaries::new(packed);
    if retain {
        summaries.unpacked()
    } else {
        summaries
    }
}

/// A page as lists and `get_page` show it, packed. Without `body` (while bodies render: a
/// shortcode cannot see what is not rendered yet), without what comes from it (`word_count`,
/// `reading_time`). Written straight into its packed form, entry by entry; the tests hold
/// the JSON it stands for (`tests::json_summary`), which packs to the same bytes.
pub(super) fn page_summary(config: &Config, page: &Page, body: Option<&Rendered>) -> Packed {
    let front = &page.front;
    let date = |packer: &mut Packer, date: Option<jiff::civil::Date>| match date {
        Some(date) => packer.text(&date.to_string()),
        None => packer.null(),
    };
    let mut packer = Packer::default();
    let p = &mut packer;
    // The 21 entries below, and `word_count` and `reading_time` with a body (the tests'
    // JSON summary fails to match if a count and its entries part).
    p.map(if body.is_some() { 23 } else { 21 });
    p.key("title").text(&front.title);
    p.key("description").opt_text(front.description.as_deref());
    date(p.key("date"), front.date);
    date(p.key("updated"), front.updated);
    p.key("draft").bool(front.draft);
    match front.weight {
        Some(weight) => p.key("weight").int(weight),
        None => p.key("weight").null(),
    }
    p.key("slug").text(&page.slug);
    p.key("path").text(&page.path);
    p.key("url").text(&config.url_path(&page.path));
    p.key("permalink").text(&config.permalink(&page.path));
    p.key("content_path").text(&page.content_path);
    p.key("section").text(&page.section);
    p.key("taxonomies").map(front.taxonomies.len());
    for (taxonomy, terms) in &front.taxonomies {
        p.key(taxonomy).list(terms.len());
        for term in terms {
            p.text(term);
        }
    }
    p.key("extra").json(&front.extra);
    p.key("fields").map(front.fields.len());
    for (name, value) in &front.fields {
        p.key(name).yaml(value);
    }
    date(p.key("last_modified"), front.last_modified());
    // Rarely any: written through JSON.
    let updates = |p: &mut Packer, key: &str, list: Vec<&crate::content::front_matter::Update>| {
        if list.is_empty() {
            p.key(key).list(0);
        } else {
            p.key(key).json(&json!(list));
        }
    };
    updates(p, "updates", front.updates.iter().collect());
    p.key("authors").json(&config.authors_of(&front.authors));
    let corrections = front
        .updates
        .iter()
        .filter(|u| u.kind == crate::content::front_matter::UpdateKind::Correction);
    updates(p, "corrections", corrections.collect());
    p.key("terms");
    page_terms(config, page, p);
    // The page's summary as HTML: its `summary` field, else its body up to `<!-- more -->`.
    match &front.summary {
        Some(text) => p.key("summary").text(&format!(
            "<p>{}</p>",
            crate::markdown::highlight::escape(text)
        )),
        None => p
            .key("summary")
            .opt_text(body.and_then(|b| b.summary.as_deref())),
    }
    if let Some(body) = body {
        p.key("word_count").unsigned(body.word_count as u64);
        p.key("reading_time")
            .unsigned(body.word_count.div_ceil(220).max(1) as u64);
    }
    packer.finish()
}

/// A page's taxonomy terms with their URLs: `{sectors: [{name, url}]}` (a taxonomy the
/// configuration does not have, with no terms).
fn page_terms(config: &Config, page: &Page, p: &mut Packer) {
    p.map(page.front.taxonomies.len());
    for (taxonomy, names) in &page.front.taxonomies {
        let found = config.taxonomies.iter().find(|t| &t.name == taxonomy);
        p.key(taxonomy).list(found.map_or(0, |_| names.len()));
        let Some(found) = found else {
            continue;
        };
        for name in names {
            let path = found.term_path(name, config.slugify);
            p.map(2);
            p.key("name").text(found.term_in(name, &config.language));
            p.key("url").text(&config.url_path(&path));
        }
    }
}

pub(super) fn section_summary(
    config: &Config,
    section: &Section,
    body: Option<&Rendered>,
) -> serde_json::Value {
    let mut summary = json!({
        "title": section.front.title,
        "description": section.front.description,
        "path": section.path,
        "url": config.url_path(&section.path),
        "permalink": config.permalink(&section.path),
        "content_path": section.content_path,
        "extra": section.front.extra,
        "schema": crate::templates::schema::schema_value(config, &section.dir),
    });
    if let (Some(body), Some(map)) = (body, summary.as_object_mut()) {
        map.insert("word_count".into(), json!(body.word_count));
    }
    summary
}

/// A section's value without its own body: its summary, its pages (their summaries go in
/// when it is made whole, `SectionParts::value`) and its subsections' summaries; with
/// `bodies`, the word counts that come from them.
pub(super) fn section_parts(
    config: &Config,
    content: &Content,
    section: &Section,
    bodies: Option<&Bodies>,
) -> SectionParts {
    let body = |dir: &str| bodies.map(|b| &b.sections[dir]);
    let head = Value::from_serializable(&section_summary(config, section, body(&section.dir)))
        .into_map()
        .unwrap_or_default();
    let subsections: Vec<Value> = section
        .subsections
        .iter()
        .map(|d| Value::from_serializable(&section_summary(config, &content.sections[d], body(d))))
        .collect();
    SectionParts {
        head,
        pages: section.pages.clone(),
        subsections: Value::from(subsections),
        tail: Vec::new(),
    }
}

/// Every section's value but its pages' summaries, by folder: its summary and body, its
/// pages and its subsections' summaries.
pub(crate) fn section_values(config: &Config, content: &Content, bodies: &Bodies) -> SectionsParts {
    content
        .sections
        .par_iter()
        .map(|(dir, section)| {
            let mut parts = section_parts(config, content, section, Some(bodies));
            let body = &bodies.sections[dir];
            parts.tail = vec![
                ("content", Value::safe_string(&body.html)),
                ("toc", Value::from_serializable(&body.toc)),
            ];
            (dir.clone(), parts)
        })
        .collect()
}

/// What the template functions see while bodies render: every page, section, taxonomy and
/// data file, without what comes from bodies (`content`, `toc`, `word_count`). `build` and
/// `serve` give site shortcodes this same lookup, so that they render alike in both.
pub(crate) fn lookup_before_bodies(
    config: &Config,
    content: &Content,
    taxonomies: &[publish::taxonomy::Taxonomy],
    data: crate::templates::DataLookup,
    shared_files: std::sync::Arc<publish::assets::SharedFiles>,
    images: std::sync::Arc<crate::images::Catalog>,
) -> Lookup {
    let summaries = Summaries::new(
        content
            .pages
            .par_iter()
            .map(|page| page_summary(config, page, None))
            .collect(),
    );
    let sections = content
        .sections
        .iter()
        .map(|(dir, section)| {
            let parts = section_parts(config, content, section, None);
            (dir.clone(), parts)
        })
        .collect();
    let views = Views {
        site: Value::none(),
        config: Value::none(),
        summaries,
        tocs: Vec::new(),
        sections,
        contents: Default::default(),
        translations: None,
        homes: Value::none(),
        lang: Value::from(config.language.as_str()),
        messages: None,
        build_date: Value::none(),
    };
    views.lookup(config, content, taxonomies, data, shared_files, images)
}

/// The data lookup: the files, for `load_data`, `value_at` and `history`, and made once here
/// the `load_data` value (as of `today`) of each file the templates name in a `load_data`
/// call (`TemplateSources::data_files_loaded`; every file when a call names its file by an
/// expression). Any other file's value is made by the call that asks for it: a large CSV
/// file no template loads (one row per page, read through fact references) cost a build of
/// 100,000 pages 270 MB and half a second as a value no template read.
pub(crate) fn data_values(
    data_files: &std::sync::Arc<data::DataFiles>,
    today: jiff::civil::Date,
    loaded: Option<&std::collections::BTreeSet<String>>,
) -> crate::templates::DataLookup {
    crate::templates::DataLookup {
        values: data_files
            .iter()
            .filter(|(name, _)| loaded.is_none_or(|loaded| loaded.contains(*name)))
            .map(|(name, file)| {
                (
                    name.clone(),
                    Keys::default().value(&file.template_value_on(today)),
                )
            })
            .collect(),
        files: data_files.clone(),
        today: Some(today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Yaml, YamlKey, YamlValue};

    fn date_string(date: Option<jiff::civil::Date>) -> serde_json::Value {
        date.map_or(serde_json::Value::Null, |d| json!(d.to_string()))
    }

    /// What `page_summary` packs, as JSON: the summary as it was made before it was
    /// written packed, which the packed one must equal.
    fn json_summary(config: &Config, page: &Page, body: Option<&Rendered>) -> serde_json::Value {
        let fields: serde_json::Map<String, serde_json::Value> = page
            .front
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        let mut summary = json!({
            "title": page.front.title,
            "description": page.front.description,
            "date": date_string(page.front.date),
            "updated": date_string(page.front.updated),
            "draft": page.front.draft,
            "weight": page.front.weight,
            "slug": page.slug,
            "path": page.path,
            "url": config.url_path(&page.path),
            "permalink": config.permalink(&page.path),
            "content_path": page.content_path,
            "section": page.section,
            "taxonomies": page.front.taxonomies,
            "extra": page.front.extra,
            // `fields` and `terms` in their places, moved in below: `json!` would copy them.
            "fields": null,
            "last_modified": date_string(page.front.last_modified()),
            "updates": page.front.updates,
            "authors": config.authors_of(&page.front.authors),
            "corrections": page
                .front
                .updates
                .iter()
                .filter(|u| u.kind == crate::content::front_matter::UpdateKind::Correction)
                .collect::<Vec<_>>(),
            "terms": null,
        });
        // The page's summary as HTML: its `summary` field, else its body up to `<!-- more -->`.
        let own_summary = page
            .front
            .summary
            .as_ref()
            .map(|text| format!("<p>{}</p>", crate::markdown::highlight::escape(text)))
            .or_else(|| body.and_then(|b| b.summary.clone()));
        if let Some(map) = summary.as_object_mut() {
            if let Some(slot) = map.get_mut("fields") {
                *slot = serde_json::Value::Object(fields);
            }
            if let Some(slot) = map.get_mut("terms") {
                *slot = json_terms(config, page);
            }
            map.insert("summary".into(), json!(own_summary));
        }
        if let (Some(body), Some(map)) = (body, summary.as_object_mut()) {
            map.insert("word_count".into(), json!(body.word_count));
            map.insert(
                "reading_time".into(),
                json!(body.word_count.div_ceil(220).max(1)),
            );
        }
        summary
    }

    fn json_terms(config: &Config, page: &Page) -> serde_json::Value {
        let terms: serde_json::Map<String, serde_json::Value> = page
            .front
            .taxonomies
            .iter()
            .map(|(taxonomy, names)| {
                let links: Vec<serde_json::Value> = names
                    .iter()
                    .filter_map(|name| {
                        let found = config.taxonomies.iter().find(|t| &t.name == taxonomy)?;
                        let path = found.term_path(name, config.slugify);
                        Some(json!({
                            "name": found.term_in(name, &config.language),
                            "url": config.url_path(&path),
                        }))
                    })
                    .collect();
                (taxonomy.clone(), json!(links))
            })
            .collect();
        serde_json::Value::Object(terms)
    }

    #[test]
    fn a_packed_summary_is_the_packed_json_summary() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let selection = content::Selection {
            drafts: true,
            future: true,
            today: jiff::civil::date(2025, 4, 20),
            let_go_over: None,
        };
        let body = Rendered {
            summary: Some("<p>Tariffs, <em>first</em>.</p>".into()),
            word_count: 441,
            ..Rendered::default()
        };
        // Each page of `content` with and without a body; how many pages.
        let check = |config: &Config, content: &Content| {
            for page in &content.pages {
                for body in [None, Some(&body)] {
                    let json = json_summary(config, page, body);
                    assert!(
                        page_summary(config, page, body) == Packed::of(&json),
                        "{}: {json}",
                        page.file.name
                    );
                }
            }
            content.pages.len()
        };
        let mut pages = 0;
        for fixture in [
            "basic",
            "data",
            "editions",
            "explainer",
            "multilingual",
            "overrides",
        ] {
            let tree = crate::source::Tree::disk(fixtures.join(fixture));
            let config = Config::load(&tree, None).unwrap();
            let earlier = content::Earlier::default();
            let (source, _, _) = content::load(&config, selection, None, &earlier);
            pages += check(&config, &source);
            for edition in 1..config.editions.len() {
                let config = config.for_edition(edition);
                let (content, _, _) = content::load(&config, selection, Some(&source), &earlier);
                pages += check(&config, &content);
            }
        }
        assert!(pages > 20, "{pages} pages");
    }

    fn yaml() -> impl proptest::strategy::Strategy<Value = Yaml> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(YamlValue::Null),
            any::<bool>().prop_map(YamlValue::Bool),
            any::<i64>().prop_map(YamlValue::Int),
            proptest::num::f64::ANY.prop_map(YamlValue::Float),
            "\\PC{0,8}".prop_map(YamlValue::Str),
        ];
        let value = leaf.prop_recursive(3, 24, 5, |inner| {
            let item = inner.prop_map(|value| Yaml { value, span: 0..0 });
            prop_oneof![
                proptest::collection::vec(item.clone(), 0..5).prop_map(YamlValue::Seq),
                proptest::collection::vec(("[ab]{1,2}", item), 0..20).prop_map(|entries| {
                    YamlValue::Map(
                        entries
                            .into_iter()
                            .map(|(name, value)| (YamlKey { name, span: 0..0 }, value))
                            .collect(),
                    )
                }),
            ]
        });
        value.prop_map(|value| Yaml { value, span: 0..0 })
    }

    proptest::proptest! {
        #[test]
        fn any_yaml_packs_as_its_json(yaml in yaml()) {
            let mut packer = Packer::default();
            packer.yaml(&yaml);
            proptest::prop_assert!(packer.finish() == Packed::of(&yaml.to_json()));
        }
    }
}
