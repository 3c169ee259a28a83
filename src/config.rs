//! `tradetalks.toml`: read into `RawConfig` exactly as written (unknown keys refused), then
//! checked and resolved into `Config`, the only form later stages see.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::content::slug::SlugMode;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{SourceFile, Tree};

pub const CONFIG_FILE: &str = "tradetalks.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: Spanned<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_stale_after_days")]
    stale_after_days: u32,
    #[serde(default)]
    taxonomies: Vec<TaxonomyConfig>,
    #[serde(default)]
    markdown: MarkdownConfig,
    #[serde(default)]
    schema: BTreeMap<String, Spanned<OrderedTable>>,
    #[serde(default)]
    data: BTreeMap<String, Spanned<RawDataSchema>>,
    /// Build the search index and the search page.
    #[serde(default = "default_true")]
    search: bool,
    /// Write `_redirects` and `_headers` for Netlify and Cloudflare Pages.
    #[serde(default)]
    host_files: bool,
    /// Draw a social card (`og:image`) for every page and section that names no `image`.
    #[serde(default = "default_true")]
    social_cards: bool,
    /// `[images]`: the widths, quality and `sizes` of the pictures pages show.
    #[serde(default)]
    images: Option<Spanned<crate::images::Settings>>,
    /// The site's navigation, when it should not be the root's sections and pages.
    #[serde(default)]
    nav: Vec<NavItem>,
    /// How names become URL segments: `"unicode"` (letters of every script) or `"ascii"`.
    #[serde(default)]
    slugify: SlugMode,
    /// `[languages.ja]`: the site's other editions (and the default one's `name`).
    #[serde(default)]
    languages: BTreeMap<String, Spanned<RawLanguage>>,
    /// `[authors.ID]`: who writes the site's pages (`authors: [ID]` in front matter).
    #[serde(default)]
    authors: BTreeMap<String, Spanned<RawAuthor>>,
    #[serde(default)]
    extra: toml::Table,
}

/// `[authors.ID]`: a writer of the site, named on the pages they write.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    /// Their name, once or per language.
    name: Texts,
    /// What they do (`Trade correspondent`), once or per language.
    #[serde(default)]
    role: Option<Texts>,
    /// A page about them elsewhere (their profile on the newsroom's site).
    #[serde(default)]
    url: Option<String>,
}

/// A writer of the site (`[authors.ID]`), as pages name them with `authors: [ID]`.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: Texts,
    pub role: Option<Texts>,
    pub url: Option<String>,
}

impl Texts {
    /// The text in `language`, else in `default`, else any.
    pub fn in_language(&self, language: &str, default: &str) -> String {
        match self {
            Texts::One(text) => text.clone(),
            Texts::ByLanguage(texts) => texts
                .get(language)
                .or_else(|| texts.get(default))
                .or_else(|| texts.values().next())
                .cloned()
                .unwrap_or_default(),
        }
    }
}

/// The taxonomy of author pages (`/authors/NAME/`), made from `[authors]` unless the site
/// declares it itself (for its own `path`, `title` or `paginate`).
pub const AUTHORS_TAXONOMY: &str = "authors";

/// `[languages.LANG]`: an edition of the site in another language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    /// The language's own name for the switcher (`日本語`).
    name: Option<String>,
    title: Option<String>,
    description: Option<String>,
    /// Where the edition lives under the site (default `/LANG/`).
    path: Option<String>,
    /// `"ltr"` or `"rtl"`.
    direction: Option<String>,
}

/// One edition of the site: the default language at the root, or a translation under its
/// path. `Config::editions` lists them, the default first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// BCP 47 language tag: `en`, `ja`, `pt-BR`.
    pub code: String,
    /// The language's own name, as the language switcher shows it.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Site path of the edition's home: `""` for the default, `ja/` for the others.
    pub prefix: String,
    /// `ltr` or `rtl`.
    pub direction: String,
}

/// `[[nav]]`: one link of the site's navigation. `link` is `@/` and a page or section's file
/// (`@/countries/_index.md`), or a URL.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NavItem {
    pub title: String,
    pub link: String,
}

/// `[data."FILE"]`: what a data file holds and where its figures come from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataSchema {
    title: Option<Spanned<toml::Value>>,
    source: Option<String>,
    as_of: Option<Spanned<toml::Value>>,
    key: Option<String>,
    /// Data through time: the column of the date each row takes effect.
    effective: Option<String>,
    /// And the optional columns of the last day a row applies, and of its status.
    until: Option<String>,
    status: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<toml::Value>>,
}

fn default_true() -> bool {
    true
}

fn default_language() -> String {
    "en".to_owned()
}

fn default_stale_after_days() -> u32 {
    365
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    pub name: String,
    /// Where its pages go (`sectors` → `/sectors/autos/`); defaults to the name. A taxonomy
    /// named like a section needs another path.
    #[serde(default)]
    pub path: Option<String>,
    /// Terms per page on a term's list page; 0 means one page.
    #[serde(default)]
    pub paginate: usize,
    /// Its name on its pages (`Sectors`), once or per language; defaults to the name.
    #[serde(default)]
    pub title: Option<Texts>,
    /// Terms' names in other languages: `Autos = { ja = "自動車" }`. Pages write a term in
    /// the default language; its page keeps that term's URL in every edition.
    #[serde(default)]
    pub terms: BTreeMap<String, BTreeMap<String, String>>,
}

/// A text written once (`"Sectors"`) or per language (`{ en = "Sectors", ja = "分野" }`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Texts {
    One(String),
    ByLanguage(BTreeMap<String, String>),
}

impl TaxonomyConfig {
    /// The folder its pages go in: `path` when given, else the name.
    pub fn base(&self) -> &str {
        self.path
            .as_deref()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
            .unwrap_or(&self.name)
    }

    /// Its name in `language`: its `title` there, else in `default` (the site's language),
    /// else its name made readable (`trade_areas` → `Trade areas`).
    pub fn title_in(&self, language: &str, default: &str) -> String {
        match &self.title {
            Some(Texts::One(text)) => text.clone(),
            Some(Texts::ByLanguage(texts)) => texts
                .get(language)
                .or_else(|| texts.get(default))
                .cloned()
                .unwrap_or_else(|| crate::shortcodes::format::humanise(&self.name)),
            None => crate::shortcodes::format::humanise(&self.name),
        }
    }

    /// The name of `term` (as pages write it) in `language`.
    pub fn term_in<'a>(&'a self, term: &'a str, language: &str) -> &'a str {
        self.terms
            .get(term)
            .and_then(|names| names.get(language))
            .map_or(term, String::as_str)
    }

    /// The site path of a term's page: `sectors/rice-farming/`.
    pub fn term_path(&self, term: &str, mode: SlugMode) -> String {
        format!(
            "{}/{}/",
            self.base(),
            crate::content::slug::segment(term, mode)
        )
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    pub highlight_code: bool,
    pub light_theme: String,
    pub dark_theme: String,
    pub smart_punctuation: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            highlight_code: true,
            light_theme: "InspiredGitHub".to_owned(),
            dark_theme: "base16-ocean.dark".to_owned(),
            smart_punctuation: true,
        }
    }
}

/// The type a section schema asks of a front-matter field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Integer,
    Boolean,
    Date,
    List,
    Map,
    /// A plain value, or `{value, as_of, source}`.
    Figure,
    Any,
}

impl FieldType {
    pub const NAMES: [&'static str; 9] = [
        "string", "number", "integer", "boolean", "date", "list", "map", "figure", "any",
    ];

    fn parse(name: &str) -> Option<FieldType> {
        Some(match name {
            "string" => FieldType::String,
            "number" => FieldType::Number,
            "integer" => FieldType::Integer,
            "boolean" => FieldType::Boolean,
            "date" => FieldType::Date,
            "list" => FieldType::List,
            "map" => FieldType::Map,
            "figure" => FieldType::Figure,
            "any" => FieldType::Any,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Integer => "integer",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::List => "list",
            FieldType::Map => "map",
            FieldType::Figure => "figure",
            FieldType::Any => "any",
        }
    }
}

/// One field of a section's schema, in the order the schema lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaField {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    /// What readers see as the field's name; `None` for the name made readable.
    pub label: Option<String>,
    /// A sentence on what the field holds, for editors (`new`) and readers (under the label).
    pub help: Option<String>,
    /// A `figure` field whose figures may go without a `source` (`source = "optional"`).
    pub source_optional: bool,
    /// `label` and `help` in each edition's language, when written as tables
    /// (`label = { en = "Country", ja = "国" }`); `Config::for_edition` picks the edition's.
    pub labels: BTreeMap<String, String>,
    pub helps: BTreeMap<String, String>,
}

impl SchemaField {
    pub fn new(name: impl Into<String>, field_type: FieldType, required: bool) -> SchemaField {
        SchemaField {
            name: name.into(),
            field_type,
            required,
            label: None,
            help: None,
            source_optional: false,
            labels: BTreeMap::new(),
            helps: BTreeMap::new(),
        }
    }

    /// The label, or the name made readable (`lead_negotiator` → `Lead negotiator`).
    pub fn label(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| crate::shortcodes::format::humanise(&self.name))
    }
}

/// A TOML table's entries in the order they are written: a schema shows its fields in that
/// order. (`toml` keeps the order with its `preserve_order` feature.)
#[derive(Debug, Default)]
struct OrderedTable(Vec<(String, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for OrderedTable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = OrderedTable;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedTable(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// The validated configuration of a site.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// Where the site's files are read from (the disk under `root`, or memory).
    pub tree: Tree,
    /// `tradetalks.toml` itself, for diagnostics that point into it after loading.
    pub file: SourceFile,
    pub title: String,
    /// Always ends with `/`.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/` (just `/` at a host's root).
    pub base_path: String,
    pub language: String,
    pub description: String,
    pub stale_after_days: u32,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub markdown: MarkdownConfig,
    /// Section path (e.g. `countries`) to the fields its pages must carry.
    pub schemas: BTreeMap<String, Vec<SchemaField>>,
    /// Where each `[schema.SECTION]` table is in `tradetalks.toml`.
    pub schema_spans: BTreeMap<String, std::ops::Range<usize>>,
    /// Data file name (`tariffs.csv`) to its declared schema.
    pub data: BTreeMap<String, DataSchema>,
    pub search: bool,
    pub host_files: bool,
    /// Draw a social card for every page and section (`publish::cards`).
    pub social_cards: bool,
    /// How pictures are resized and offered (`[images]`).
    pub images: crate::images::Settings,
    /// `[[nav]]` links, in order; empty for the root's sections and pages.
    pub nav: Vec<NavItem>,
    pub slugify: SlugMode,
    pub extra: serde_json::Value,
    /// Every edition of the site, the default language's first (a site with no
    /// `[languages]` has just that one).
    pub editions: Vec<Edition>,
    /// The edition this configuration builds (an index into `editions`); its `base_url` and
    /// `base_path` are the edition's (`https://example.org/ja/`), `title`, `description` and
    /// `language` its own.
    pub edition: usize,
    /// `base_url` and `base_path` of the whole site, where shared files (`static/`, the
    /// stylesheet of highlighted code) and site-wide files (sitemap, robots.txt) live.
    pub site_base_url: String,
    pub site_base_path: String,
    /// `[authors.ID]` by ID.
    pub authors: BTreeMap<String, Author>,
}

/// The declared shape and provenance of one data file.
#[derive(Debug, Clone, Default)]
pub struct DataSchema {
    /// The title in the default language; `titles` has it per language when it is written so.
    pub title: Option<String>,
    pub titles: BTreeMap<String, String>,
    pub source: Option<String>,
    pub as_of: Option<jiff::civil::Date>,
    /// The column that names a row in fact references.
    pub key: Option<String>,
    /// When the file keeps values through time: which columns date its rows.
    pub versions: Option<Versions>,
    pub columns: Vec<ColumnSchema>,
    /// Where the `[data."FILE"]` table is in `tradetalks.toml`.
    pub span: std::ops::Range<usize>,
}

/// The columns that date a versioned data file's rows: each row applies to its key from its
/// `effective` date, until the next row of that key takes effect, or through its `until` date,
/// or until a row whose `status` is `withdrawn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub effective: String,
    pub until: Option<String>,
    pub status: Option<String>,
}

/// The statuses a versioned row may have.
pub const STATUSES: [&str; 4] = ["announced", "in force", "paused", "withdrawn"];

impl DataSchema {
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The file's title in `language`, or in the default language where it has none.
    pub fn title_in(&self, language: &str) -> Option<&str> {
        self.titles
            .get(language)
            .or(self.title.as_ref())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    pub column_type: ColumnType,
    pub required: bool,
    /// The label in the default language; `labels` has it per language when written so.
    pub label: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub unit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl ColumnSchema {
    /// The column's label in `language`, or in the default language where it has none.
    pub fn label_in(&self, language: &str) -> Option<&str> {
        self.labels
            .get(language)
            .or(self.label.as_ref())
            .map(String::as_str)
    }
}

/// Text written once (`"Rate"`) or per language (`{ en = "Rate", ja = "税率" }`): the text in
/// `default` (the site's language), and the texts by language tag.
fn texts_by_language(
    value: &toml::Value,
    default: &str,
) -> Result<(Option<String>, BTreeMap<String, String>), String> {
    match value {
        toml::Value::String(text) => Ok((Some(text.clone()), BTreeMap::new())),
        toml::Value::Table(languages) => {
            let mut by_language = BTreeMap::new();
            for (language, text) in languages {
                match text {
                    toml::Value::String(text) if is_language_tag(language) => {
                        by_language.insert(language.clone(), text.clone());
                    }
                    _ => {
                        return Err(format!(
                            "must be text, or a table of texts by language tag (`{{ en = \"...\", ja = \"...\" }}`); `{language}` is not"
                        ));
                    }
                }
            }
            match by_language.get(default) {
                Some(text) => Ok((Some(text.clone()), by_language)),
                None => Err(format!(
                    "has no `{default}` text, the site's default language"
                )),
            }
        }
        other => Err(format!("must be text, found {}", other.type_str())),
    }
}

/// The type a data schema asks of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    String,
    Number,
    Integer,
    Boolean,
    Date,
    /// ISO 3166-1 alpha-2: two upper-case ASCII letters.
    Country,
    Url,
    Any,
}

impl ColumnType {
    pub const NAMES: [&'static str; 8] = [
        "string", "number", "integer", "boolean", "date", "country", "url", "any",
    ];

    fn parse(name: &str) -> Option<ColumnType> {
        Some(match name {
            "string" => ColumnType::String,
            "number" => ColumnType::Number,
            "integer" => ColumnType::Integer,
            "boolean" => ColumnType::Boolean,
            "date" => ColumnType::Date,
            "country" => ColumnType::Country,
            "url" => ColumnType::Url,
            "any" => ColumnType::Any,
            _ => return None,
        })
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnType::Number | ColumnType::Integer)
    }
}

impl Config {
    /// Reads `tradetalks.toml` at the root of `tree`. `base_url` overrides the configured one.
    pub fn load(tree: &Tree, base_url: Option<&str>) -> Result<Config, Vec<Diagnostic>> {
        let root = tree.root();
        let path = root.join(CONFIG_FILE);
        if !tree.is_file(&path) {
            return Err(vec![
                Diagnostic::error(format!(
                    "no `{CONFIG_FILE}` in `{}`: this is not a tradetalks site",
                    root.display()
                ))
                .with_help("pass `--root DIR`, or run `tradetalks init DIR` to start a site"),
            ]);
        }
        let file = SourceFile::read(tree, &path).map_err(|d| vec![d])?;
        let mut config = Config::parse(root, &file, base_url)?;
        config.tree = tree.clone();
        Ok(config)
    }

    pub fn parse(
        root: &Path,
        file: &SourceFile,
        base_url: Option<&str>,
    ) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig =
            toml::from_str(&file.text).map_err(|err| vec![toml_error(file, &err)])?;
        let mut problems = Vec::new();
        let (base_url, base_path) =
            match normalise_base_url(base_url.unwrap_or(raw.base_url.get_ref())) {
                Ok(urls) => urls,
                Err(message) => {
                    let diagnostic = Diagnostic::error(message);
                    problems.push(match base_url {
                        Some(_) => diagnostic.with_note("the value came from `--base-url`"),
                        None => diagnostic.at(file, raw.base_url.span()),
                    });
                    (String::new(), String::from("/"))
                }
            };
        let mut schemas = schemas(&raw.schema, file, &mut problems);
        // Labels written per language: the default language's is the label.
        for (section, fields) in &mut schemas {
            for field in fields.iter_mut() {
                for (key, by_language, slot) in [
                    ("label", &field.labels, &mut field.label),
                    ("help", &field.helps, &mut field.help),
                ] {
                    if by_language.is_empty() {
                        continue;
                    }
                    match by_language.get(&raw.language) {
                        Some(text) => *slot = Some(text.clone()),
                        None => {
                            let span = raw.schema.get(section).map_or(0..0, |table| table.span());
                            problems.push(
                                Diagnostic::error(format!(
                                    "`{key}` of the schema field `{}` of `{section}` has no `{}` text, the site's default language",
                                    field.name, raw.language
                                ))
                                .at(file, span),
                            );
                        }
                    }
                }
            }
        }
        let schema_spans = raw
            .schema
            .iter()
            .map(|(section, table)| (section.trim_matches('/').to_owned(), table.span()))
            .collect();
        let data = raw
            .data
            .iter()
            .map(|(name, schema)| {
                let schema = data_schema(name, schema, &raw.language, file, &mut problems);
                (name.clone(), schema)
            })
            .collect();
        let extra = serde_json::to_value(&raw.extra).unwrap_or(serde_json::Value::Null);
        let editions = editions(&raw, file, &mut problems);
        let authors = authors(&raw, file, &mut problems);
        let images = images_settings(raw.images.as_ref(), file, &mut problems);
        let mut taxonomies = raw.taxonomies;
        authors_taxonomy(&mut taxonomies, &authors, &raw.language, &editions);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Config {
            root: root.to_path_buf(),
            tree: Tree::disk(root),
            file: file.clone(),
            title: raw.title,
            base_url: base_url.clone(),
            base_path: base_path.clone(),
            language: raw.language,
            description: raw.description,
            stale_after_days: raw.stale_after_days,
            taxonomies,
            markdown: raw.markdown,
            schemas,
            schema_spans,
            data,
            search: raw.search,
            host_files: raw.host_files,
            social_cards: raw.social_cards,
            images,
            nav: raw.nav,
            slugify: raw.slugify,
            extra,
            editions,
            edition: 0,
            site_base_url: base_url,
            site_base_path: base_path,
            authors,
        })
    }

    /// The language of the site's default edition.
    pub fn default_language(&self) -> &str {
        self.editions
            .first()
            .map_or(self.language.as_str(), |edition| edition.code.as_str())
    }

    /// The authors of a page (`authors: [ID]`) as templates see them: `id`, `name` and
    /// `role` in this edition's language, `url` (theirs, if any) and `page` (their page on
    /// the site, listing what they wrote).
    pub fn authors_of(&self, ids: &[String]) -> serde_json::Value {
        let default = self.default_language();
        let taxonomy = self.taxonomies.iter().find(|t| t.name == AUTHORS_TAXONOMY);
        ids.iter()
            .filter_map(|id| {
                let author = self.authors.get(id)?;
                let term = author.name.in_language(default, default);
                let page = taxonomy.map(|t| self.url_path(&t.term_path(&term, self.slugify)));
                Some(serde_json::json!({
                    "id": id,
                    "name": author.name.in_language(&self.language, default),
                    "role": author.role.as_ref().map(|r| r.in_language(&self.language, default)),
                    "url": author.url,
                    "page": page,
                }))
            })
            .collect()
    }

    /// Whether the site has editions in other languages.
    pub fn is_multilingual(&self) -> bool {
        self.editions.len() > 1
    }

    /// The edition this configuration builds.
    pub fn current_edition(&self) -> &Edition {
        &self.editions[self.edition]
    }

    /// The configuration of edition `index`: its language, title and description, and URLs
    /// under its path. Everything else (schemas, data, taxonomies) is shared.
    pub fn for_edition(&self, index: usize) -> Config {
        let mut config = self.clone();
        let Some(edition) = self.editions.get(index) else {
            return config;
        };
        config.edition = index;
        config.language = edition.code.clone();
        config.title = edition.title.clone();
        config.description = edition.description.clone();
        config.base_url = format!("{}{}", self.site_base_url, edition.prefix);
        config.base_path = format!("{}{}", self.site_base_path, edition.prefix);
        for field in config.schemas.values_mut().flatten() {
            if let Some(label) = field.labels.get(&edition.code) {
                field.label = Some(label.clone());
            }
            if let Some(help) = field.helps.get(&edition.code) {
                field.help = Some(help.clone());
            }
        }
        if index > 0 {
            for taxonomy in &mut config.taxonomies {
                taxonomy.path = Some(format!("{}{}", edition.prefix, taxonomy.base()));
            }
        }
        config
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    pub fn is_taxonomy(&self, name: &str) -> bool {
        self.taxonomies.iter().any(|t| t.name == name)
    }

    /// What tells this site from another in a shared build cache: its root folder as the
    /// file system resolves it, so that `--root site`, `--root ./site/` and the absolute path
    /// share one set of per-site entries (front matter, search index); as given when it cannot
    /// be resolved (a site in memory).
    pub fn cache_identity(&self) -> Vec<u8> {
        std::fs::canonicalize(&self.root)
            .unwrap_or_else(|_| self.root.clone())
            .into_os_string()
            .into_encoded_bytes()
    }

    /// A site path (`countries/japan/`) as a URL under `base_path` (`/sub/countries/japan/`),
    /// percent-encoded (`国/日本/` → `/%E5%9B%BD/%E6%97%A5%E6%9C%AC/`).
    pub fn url_path(&self, site_path: &str) -> String {
        format!(
            "{}{}",
            self.site_base_path,
            encode_path(site_path.trim_start_matches('/'))
        )
    }

    /// A site path as an absolute URL, percent-encoded.
    pub fn permalink(&self, site_path: &str) -> String {
        format!(
            "{}{}",
            self.site_base_url,
            encode_path(site_path.trim_start_matches('/'))
        )
    }
}

fn schemas(
    raw: &BTreeMap<String, Spanned<OrderedTable>>,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<SchemaField>> {
    let mut schemas = BTreeMap::new();
    for (section, fields) in raw {
        let parsed = fields
            .get_ref()
            .0
            .iter()
            .filter_map(|(name, value)| schema_field(section, name, value, file, problems))
            .collect();
        schemas.insert(section.trim_matches('/').to_owned(), parsed);
    }
    schemas
}

/// Keys of a schema field written as a table.
const FIELD_KEYS: [&str; 5] = ["type", "label", "help", "required", "source"];

/// One schema field: `name = "figure"` (`"list?"` for an optional one), or
/// `name = { type = "figure", label = "...", help = "...", required = false }`.
fn schema_field(
    section: &str,
    name: &str,
    value: &Spanned<toml::Value>,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<SchemaField> {
    let mut problem = |message: String, span: std::ops::Range<usize>| {
        problems.push(Diagnostic::error(message).at(file, span));
    };
    let (type_text, mut field) = match value.get_ref() {
        toml::Value::String(text) => (text.trim().to_owned(), None),
        toml::Value::Table(table) => {
            for key in table.keys().filter(|k| !FIELD_KEYS.contains(&k.as_str())) {
                let hint = did_you_mean(key, FIELD_KEYS)
                    .unwrap_or_else(|| format!("a field takes {}", FIELD_KEYS.join(", ")));
                problem(
                    format!(
                        "unknown key `{key}` in the schema field `{name}` of `{section}`; {hint}"
                    ),
                    value.span(),
                );
            }
            let text =
                |key: &str, problem: &mut dyn FnMut(String, std::ops::Range<usize>)| match table
                    .get(key)
                {
                    None => None,
                    Some(toml::Value::String(s)) => Some(s.clone()),
                    Some(other) => {
                        problem(
                            format!(
                                "`{key}` of the schema field `{name}` must be text, found {}",
                                other.type_str()
                            ),
                            value.span(),
                        );
                        None
                    }
                };
            let Some(type_text) = text("type", &mut problem) else {
                problem(
                    format!(
                        "the schema field `{name}` of `{section}` has no `type`: write `{name} = {{ type = \"figure\", label = \"...\" }}`"
                    ),
                    value.span(),
                );
                return None;
            };
            let required = match table.get("required") {
                None => None,
                Some(toml::Value::Boolean(b)) => Some(*b),
                Some(other) => {
                    problem(
                        format!(
                            "`required` of the schema field `{name}` must be true or false, found {}",
                            other.type_str()
                        ),
                        value.span(),
                    );
                    None
                }
            };
            // `label = "Country"`, or one per language: `label = { en = "Country", ja = "国" }`.
            let translated = |key: &str,
                              problem: &mut dyn FnMut(String, std::ops::Range<usize>)|
             -> (Option<String>, BTreeMap<String, String>) {
                match table.get(key) {
                    Some(toml::Value::Table(languages)) => {
                        let mut by_language = BTreeMap::new();
                        for (language, text) in languages {
                            match text {
                                toml::Value::String(text) if is_language_tag(language) => {
                                    by_language.insert(language.clone(), text.clone());
                                }
                                _ => problem(
                                    format!(
                                        "`{key}` of the schema field `{name}` is text, or a table of texts by language tag (`{{ en = \"...\", ja = \"...\" }}`); `{language}` is not"
                                    ),
                                    value.span(),
                                ),
                            }
                        }
                        (None, by_language)
                    }
                    _ => (text(key, problem), BTreeMap::new()),
                }
            };
            let (label, labels) = translated("label", &mut problem);
            let (help, helps) = translated("help", &mut problem);
            let source_optional = match text("source", &mut problem).as_deref() {
                None | Some("required") => false,
                Some("optional") => true,
                Some(other) => {
                    problem(
                        format!(
                            "`source` of the schema field `{name}` is `\"required\"` (the default) or `\"optional\"`, found `{other}`"
                        ),
                        value.span(),
                    );
                    false
                }
            };
            (
                type_text.trim().to_owned(),
                Some((label, help, required, source_optional, labels, helps)),
            )
        }
        other => {
            problem(
                format!(
                    "the schema field `{name}` of `{section}` must be a type (`\"figure\"`, `\"list?\"`) or a table (`{{ type = \"figure\", label = \"...\" }}`), found {}",
                    other.type_str()
                ),
                value.span(),
            );
            return None;
        }
    };
    let (base, optional) = match type_text.strip_suffix('?') {
        Some(base) => (base.to_owned(), true),
        None => (type_text.clone(), false),
    };
    let Some(field_type) = FieldType::parse(&base) else {
        let mut d = Diagnostic::error(format!(
            "unknown field type `{base}` in the schema of `{section}`"
        ))
        .at(file, value.span())
        .with_note(format!(
            "types: {}; add `?` for an optional field",
            FieldType::NAMES.join(", ")
        ));
        if let Some(help) = did_you_mean(&base, FieldType::NAMES) {
            d = d.with_help(help);
        }
        problems.push(d);
        return None;
    };
    let (label, help, required, source_optional, labels, helps) =
        field
            .take()
            .unwrap_or((None, None, None, false, BTreeMap::new(), BTreeMap::new()));
    Some(SchemaField {
        name: name.to_owned(),
        field_type,
        required: required.unwrap_or(!optional),
        label,
        help,
        source_optional,
        labels,
        helps,
    })
}

fn data_schema(
    name: &str,
    raw: &Spanned<RawDataSchema>,
    default_language: &str,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> DataSchema {
    let (title, titles) = match &raw.get_ref().title {
        None => (None, BTreeMap::new()),
        Some(value) => {
            texts_by_language(value.get_ref(), default_language).unwrap_or_else(|message| {
                problems.push(
                    Diagnostic::error(format!("`title` of data file `{name}` {message}"))
                        .at(file, value.span()),
                );
                (None, BTreeMap::new())
            })
        }
    };
    let as_of = raw.get_ref().as_of.as_ref().and_then(|value| {
        let text = match value.get_ref() {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        crate::content::front_matter::parse_date(&text)
            .map_err(|message| {
                problems.push(
                    Diagnostic::error(format!("`as_of` of data file `{name}`: {message}"))
                        .at(file, value.span()),
                )
            })
            .ok()
    });
    let columns = raw
        .get_ref()
        .columns
        .iter()
        .filter_map(|(column, spec)| {
            match column_schema(column, spec.get_ref(), default_language) {
                Ok(schema) => Some(schema),
                Err(message) => {
                    let mut d =
                        Diagnostic::error(format!("column `{column}` of `{name}`: {message}"))
                            .at(file, spec.span());
                    if message.contains("type") {
                        d = d.with_note(format!("column types: {}", ColumnType::NAMES.join(", ")));
                    }
                    problems.push(d);
                    None
                }
            }
        })
        .collect();
    let raw_schema = raw.get_ref();
    DataSchema {
        title,
        titles,
        source: raw_schema.source.clone(),
        as_of,
        key: raw_schema.key.clone(),
        versions: versions(name, raw, file, problems),
        columns,
        span: raw.span(),
    }
}

/// `effective`, `until` and `status` of a data schema: `until` and `status` only with
/// `effective`.
fn versions(
    name: &str,
    raw: &Spanned<RawDataSchema>,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> Option<Versions> {
    let schema = raw.get_ref();
    let Some(effective) = &schema.effective else {
        for (key, given) in [("until", &schema.until), ("status", &schema.status)] {
            if given.is_some() {
                problems.push(
                    Diagnostic::error(format!(
                        "`{key}` of data file `{name}` dates its rows only with `effective`, the column of the date each row takes effect"
                    ))
                    .at(file, raw.span())
                    .with_help("add `effective = \"COLUMN\"`"),
                );
            }
        }
        return None;
    };
    Some(Versions {
        effective: effective.clone(),
        until: schema.until.clone(),
        status: schema.status.clone(),
    })
}

/// A column is written `"type"` or `{ type = "...", label, unit, min, max, required }`.
fn column_schema(
    name: &str,
    spec: &toml::Value,
    default_language: &str,
) -> Result<ColumnSchema, String> {
    let mut column = ColumnSchema {
        name: name.to_owned(),
        column_type: ColumnType::Any,
        required: true,
        label: None,
        labels: BTreeMap::new(),
        unit: None,
        min: None,
        max: None,
    };
    let type_name = match spec {
        toml::Value::String(s) => s.as_str(),
        toml::Value::Table(table) => {
            for (key, value) in table {
                let text = || value.as_str().map(str::to_owned);
                let number = || {
                    value
                        .as_float()
                        .or_else(|| value.as_integer().map(|i| i as f64))
                };
                match key.as_str() {
                    "type" => {}
                    "label" => {
                        (column.label, column.labels) = texts_by_language(value, default_language)
                            .map_err(|message| format!("`label` {message}"))?;
                    }
                    "unit" => column.unit = Some(text().ok_or("`unit` must be a string")?),
                    "min" => column.min = Some(number().ok_or("`min` must be a number")?),
                    "max" => column.max = Some(number().ok_or("`max` must be a number")?),
                    "required" => {
                        column.required =
                            value.as_bool().ok_or("`required` must be true or false")?
                    }
                    other => {
                        let keys = ["type", "label", "unit", "min", "max", "required"];
                        let hint = did_you_mean(other, keys)
                            .map(|h| format!("; {h}"))
                            .unwrap_or_default();
                        return Err(format!("unknown key `{other}`{hint}"));
                    }
                }
            }
            match table.get("type") {
                Some(value) => value.as_str().ok_or("`type` must be a string")?,
                None => "any",
            }
        }
        _ => {
            return Err(
                "expected a type name or a table such as { type = \"number\", unit = \"%\" }"
                    .into(),
            );
        }
    };
    column.column_type = ColumnType::parse(type_name).ok_or_else(|| {
        let hint = did_you_mean(type_name, ColumnType::NAMES)
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        format!("unknown column type `{type_name}`{hint}")
    })?;
    Ok(column)
}

/// What a URL path carries as it is: RFC 3986's unreserved characters and `/`. Everything
/// else, every non-ASCII byte included, is percent-encoded, so that a URL needs no further
/// escaping in HTML, XML or a sitemap.
const PATH_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The output file of the page, section or folder at `site_path` (`countries/japan/` →
/// `countries/japan/index.html`; `` → `index.html`; `countries/japan` → the same): every
/// page's file name comes from here, as every URL comes from `url_path` and `permalink`.
pub fn index_file(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        format!("{site_path}/index.html")
    }
}

/// A site path as a URL path: `日本/` → `%E6%97%A5%E6%9C%AC/`. Plain ASCII paths are returned as
/// they are.
pub fn encode_path(site_path: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::utf8_percent_encode(site_path, PATH_ESCAPES).into()
}

/// `[images]`, checked: widths that make sense, a quality JPEG and WebP take.
fn images_settings(
    raw: Option<&Spanned<crate::images::Settings>>,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> crate::images::Settings {
    let Some(raw) = raw else {
        return crate::images::Settings::default();
    };
    let settings = raw.get_ref().clone();
    let mut complain = |message: String, help: &str| {
        problems.push(
            Diagnostic::error(message)
                .at(file, raw.span())
                .with_help(help.to_owned()),
        );
    };
    if settings.widths.is_empty() {
        complain(
            "`[images]` has no `widths`: pictures would be offered at no size".to_owned(),
            "list the widths in pixels, `widths = [480, 960, 1600]`",
        );
    }
    if let Some(width) = settings.widths.iter().find(|w| !(16..=8192).contains(*w)) {
        complain(
            format!("`[images]` asks for pictures {width} pixels wide: widths go from 16 to 8192"),
            "`widths = [480, 960, 1600]` suits a column of text on phones and screens",
        );
    }
    if !(1..=100).contains(&settings.quality) {
        complain(
            format!(
                "`[images]` sets `quality = {}`: it goes from 1 (smallest files) to 100 (best pictures)",
                settings.quality
            ),
            "80 keeps photographs sharp at about a tenth of their original size",
        );
    }
    settings
}

/// Checks a base URL and splits off its path: `https://x.org/sub` → (`https://x.org/sub/`, `/sub/`).
/// Languages written right to left, whose editions default to `direction = "rtl"`.
const RIGHT_TO_LEFT: [&str; 10] = ["ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ps", "ur"];

/// Whether `code` is a well-formed BCP 47 language tag of the simple kind editions use:
/// a 2–3 letter language, then optional subtags of 2–8 letters or digits (`pt-BR`,
/// `zh-Hant`, `sr-Latn-RS`).
pub fn is_language_tag(code: &str) -> bool {
    let mut parts = code.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `[authors.ID]`, checked: an ID is a name for URLs and front matter (letters, digits, `-`
/// and `_`), and a name is not empty.
fn authors(
    raw: &RawConfig,
    file: &SourceFile,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Author> {
    let mut authors = BTreeMap::new();
    for (id, author) in &raw.authors {
        let span = author.span();
        let author = author.get_ref();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(
                Diagnostic::error(format!(
                    "`[authors.{id}]`: an author's ID is one word (letters, digits, `-` or `_`), as pages write it in `authors: [{id}]`"
                ))
                .at(file, span.clone()),
            );
        }
        let empty = match &author.name {
            Texts::One(text) => text.trim().is_empty(),
            Texts::ByLanguage(texts) => {
                texts.is_empty() || texts.values().any(|t| t.trim().is_empty())
            }
        };
        if empty {
            problems.push(
                Diagnostic::error(format!("`[authors.{id}]` has an empty `name`"))
                    .at(file, span.clone())
                    .with_help("write the name as it should appear in the byline"),
            );
        }
        authors.insert(
            id.clone(),
            Author {
                name: author.name.clone(),
                role: author.role.clone(),
                url: author.url.clone(),
            },
        );
    }
    authors
}

/// Authors have pages of their own: the taxonomy `authors`, whose terms are their names in
/// the default language (translated in the others). A site that declares `[[taxonomies]]
/// name = "authors"` keeps its `path`, `title` and `paginate`.
fn authors_taxonomy(
    taxonomies: &mut Vec<TaxonomyConfig>,
    authors: &BTreeMap<String, Author>,
    default: &str,
    editions: &[Edition],
) {
    if authors.is_empty() {
        return;
    }
    let index = match taxonomies.iter().position(|t| t.name == AUTHORS_TAXONOMY) {
        Some(index) => index,
        None => {
            taxonomies.push(TaxonomyConfig {
                name: AUTHORS_TAXONOMY.to_owned(),
                path: None,
                paginate: 0,
                title: None,
                terms: BTreeMap::new(),
            });
            taxonomies.len() - 1
        }
    };
    for author in authors.values() {
        let term = author.name.in_language(default, default);
        // A name in a language the site has no edition in is not shown anywhere (and is
        // no mistake: the site may have dropped that edition for a while).
        let names = match &author.name {
            Texts::One(_) => BTreeMap::new(),
            Texts::ByLanguage(texts) => texts
                .iter()
                .filter(|(language, _)| editions.iter().any(|e| &e.code == *language))
                .map(|(language, name)| (language.clone(), name.clone()))
                .collect(),
        };
        taxonomies[index]
            .terms
            .entry(term)
            .or_default()
            .extend(names);
    }
}

/// Hosts read `_redirects` and `_headers` only at the domain's root: a site deployed under
/// a path (`https://example.org/explainer/`) that asks for them gets a warning at the key.
pub fn host_files_under_a_path(config: &Config) -> Vec<Diagnostic> {
    if !config.host_files || config.site_base_path == "/" {
        return Vec::new();
    }
    let file = &config.file;
    let at = file
        .text
        .match_indices("host_files")
        .find(|(i, _)| *i == 0 || file.text.get(..*i).is_some_and(|b| b.ends_with('\n')))
        .map_or(0..0, |(i, key)| i..i + key.len());
    vec![
        Diagnostic::warning(format!(
            "`_redirects` and `_headers` are read by hosts only at the domain's root, and this site is published under `{}`: they would have no effect",
            config.site_base_path
        ))
        .at(file, at)
        .with_help("deploy the site at the root of its domain, or remove `host_files` (old URLs still redirect: each alias is a page of its own)"),
    ]
}

/// The default edition, then one per `[languages.LANG]` in tag order.
/// Names a taxonomy gives in a language the site has no edition in are never shown: one
/// warning for each taxonomy and language (a site that drops an edition for a while keeps
/// its names without a warning per term).
pub fn taxonomy_languages(config: &Config) -> Vec<Diagnostic> {
    let (taxonomies, editions, file) = (&config.taxonomies, &config.editions, &config.file);
    let mut problems = Vec::new();
    let codes: Vec<&str> = editions.iter().map(|e| e.code.as_str()).collect();
    for taxonomy in taxonomies {
        let name_at = [
            format!("name = \"{}\"", taxonomy.name),
            format!("name=\"{}\"", taxonomy.name),
        ]
        .iter()
        .find_map(|needle| {
            file.text
                .find(needle.as_str())
                .map(|at| at..at + needle.len())
        })
        .unwrap_or(0..0);
        // Language → what is named in it.
        let mut named: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        if let Some(Texts::ByLanguage(texts)) = &taxonomy.title {
            for code in texts.keys() {
                named.entry(code).or_default().push("its title".to_owned());
            }
        }
        for (term, names) in &taxonomy.terms {
            for code in names.keys() {
                named.entry(code).or_default().push(format!("`{term}`"));
            }
        }
        for (code, what) in named {
            if codes.contains(&code) {
                continue;
            }
            let help = match crate::diagnostic::did_you_mean(code, codes.iter().copied()) {
                Some(hint) => hint,
                None => format!(
                    "the site's languages are {}; add `[languages.{code}]` for an edition in it",
                    codes.join(", ")
                ),
            };
            problems.push(
                Diagnostic::warning(format!(
                    "the taxonomy `{}` names {} in `{code}`, a language the site has no edition in: no page shows {}",
                    taxonomy.name,
                    what.join(", "),
                    if what.len() == 1 { "it" } else { "them" }
                ))
                .at(file, name_at.clone())
                .with_help(help),
            );
        }
    }
    problems
}

fn editions(raw: &RawConfig, file: &SourceFile, problems: &mut Vec<Diagnostic>) -> Vec<Edition> {
    let direction_of = |code: &str| {
        let language = code.split('-').next().unwrap_or(code);
        if RIGHT_TO_LEFT.contains(&language) {
            "rtl"
        } else {
            "ltr"
        }
        .to_owned()
    };
    let mut problem = |message: String, span: std::ops::Range<usize>, help: Option<String>| {
        let mut d = Diagnostic::error(message).at(file, span);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        problems.push(d);
    };
    let default = &raw.language;
    let own = raw.languages.get(default);
    let mut editions = vec![Edition {
        code: default.clone(),
        name: own
            .and_then(|l| l.get_ref().name.clone())
            .unwrap_or_else(|| default.clone()),
        title: raw.title.clone(),
        description: raw.description.clone(),
        prefix: String::new(),
        direction: own
            .and_then(|l| l.get_ref().direction.clone())
            .unwrap_or_else(|| direction_of(default)),
    }];
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    for (code, table) in &raw.languages {
        let span = table.span();
        let language = table.get_ref();
        if let Some(direction) = &language.direction
            && direction != "ltr"
            && direction != "rtl"
        {
            problem(
                format!(
                    "`direction` of `[languages.{code}]` is `\"ltr\"` or `\"rtl\"`, found `{direction}`"
                ),
                span.clone(),
                None,
            );
        }
        if !is_language_tag(code) {
            problem(
                format!("`[languages.{code}]`: `{code}` is not a language tag"),
                span.clone(),
                Some(
                    "name the table after a BCP 47 language tag: `ja`, `ko`, `hi`, `pt-BR`".into(),
                ),
            );
            continue;
        }
        if code == default {
            if language.title.is_some() || language.description.is_some() || language.path.is_some()
            {
                problem(
                    format!(
                        "`[languages.{code}]` is the site's default language: its title and description are the top-level `title` and `description`, and it lives at the root"
                    ),
                    span,
                    Some("keep only `name` and `direction` in this table".into()),
                );
            }
            continue;
        }
        let prefix = match &language.path {
            None => format!("{code}/"),
            Some(path) => {
                let trimmed = path.trim_matches('/');
                let bad = trimmed.is_empty()
                    || trimmed
                        .split('/')
                        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
                    || trimmed.contains(['?', '#', '\\']);
                if bad {
                    problem(
                        format!(
                            "`path` of `[languages.{code}]` must name a folder under the site, found `{path}`"
                        ),
                        span.clone(),
                        Some(format!("for example `path = \"/{code}/\"`")),
                    );
                    continue;
                }
                format!("{trimmed}/")
            }
        };
        if let Some(other) = prefixes.insert(prefix.clone(), code.clone()) {
            problem(
                format!(
                    "`[languages.{code}]` and `[languages.{other}]` both live under `/{prefix}`"
                ),
                span.clone(),
                Some("give one of them another `path`".into()),
            );
        }
        editions.push(Edition {
            code: code.clone(),
            name: language.name.clone().unwrap_or_else(|| code.clone()),
            title: language.title.clone().unwrap_or_else(|| raw.title.clone()),
            description: language
                .description
                .clone()
                .unwrap_or_else(|| raw.description.clone()),
            prefix,
            direction: language
                .direction
                .clone()
                .unwrap_or_else(|| direction_of(code)),
        });
    }
    editions
}

pub fn normalise_base_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`base_url` must start with `https://` or `http://`, found `{url}`")
        })?;
    let (host, path) = match rest.split_once('/') {
        Some((host, _)) => (host, rest.get(host.len()..).unwrap_or("/")),
        None => (rest, "/"),
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`base_url` has no valid host: `{url}`"));
    }
    if path.contains(['?', '#']) || path.contains(char::is_whitespace) {
        return Err(format!(
            "`base_url` may not carry a query, fragment or spaces: `{url}`"
        ));
    }
    let path = format!("/{}/", path.trim_matches('/'));
    let path = if path == "//" { "/".to_owned() } else { path };
    let scheme = if url.starts_with("https://") {
        "https://"
    } else {
        "http://"
    };
    Ok((format!("{scheme}{host}{path}"), path))
}

fn toml_error(file: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_owned();
    let mut diagnostic = Diagnostic::error(format!("invalid `{CONFIG_FILE}`: {message}"));
    diagnostic = match err.span() {
        Some(span) => diagnostic.at(file, span),
        None => diagnostic.in_file(&file.name),
    };
    if let Some(help) = unknown_field_suggestion(&message) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// serde says "unknown field `titel`, expected one of `title`, ..."; suggest the closest.
fn unknown_field_suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (wrong, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(wrong, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let file = SourceFile::new(CONFIG_FILE, "/x", text);
        Config::parse(Path::new("/site"), &file, None)
    }

    #[test]
    fn authors_make_a_taxonomy_of_their_names() {
        let config = parse(
            "title = \"t\"\nbase_url = \"https://x.org\"\n[authors.ana]\nname = \"Ana Souza\"\n[authors.kim]\nname = { en = \"Kim Min-ji\", ko = \"김민지\" }\n",
        )
        .unwrap();
        let authors = config
            .taxonomies
            .iter()
            .find(|t| t.name == AUTHORS_TAXONOMY)
            .expect("an authors taxonomy");
        assert_eq!(
            authors.terms.keys().collect::<Vec<_>>(),
            ["Ana Souza", "Kim Min-ji"]
        );
        // `ko` is no edition of this site: its name is left out.
        assert_eq!(
            authors.terms["Kim Min-ji"].keys().collect::<Vec<_>>(),
            ["en"]
        );
        let errors = parse(
            "title = \"t\"\nbase_url = \"https://x.org\"\n[authors.\"ana souza\"]\nname = \" \"\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].message.contains("an author's ID is one word"),
            "{errors:?}"
        );
        assert_eq!(
            errors[1].message,
            "`[authors.ana souza]` has an empty `name`"
        );
        assert_eq!(errors[1].position().unwrap(), "tradetalks.toml:3:1");
    }

    #[test]
    fn every_page_has_its_index_file() {
        assert_eq!(index_file(""), "index.html");
        assert_eq!(index_file("countries/japan/"), "countries/japan/index.html");
        assert_eq!(index_file("countries/japan"), "countries/japan/index.html");
        assert_eq!(index_file("日本/"), "日本/index.html");
    }

    #[test]
    fn base_url_path_is_normalised() {
        assert_eq!(
            normalise_base_url("https://example.org").unwrap(),
            ("https://example.org/".into(), "/".into())
        );
        assert_eq!(
            normalise_base_url("https://example.org/explainers/tariffs").unwrap(),
            (
                "https://example.org/explainers/tariffs/".into(),
                "/explainers/tariffs/".into()
            )
        );
        assert!(normalise_base_url("example.org").is_err());
    }

    #[test]
    fn site_paths_map_to_urls_under_the_base_path() {
        let config =
            parse("title = \"x\"\nbase_url = \"https://example.org/explainers/tariffs\"\n")
                .unwrap();
        assert_eq!(
            config.url_path("countries/japan/"),
            "/explainers/tariffs/countries/japan/"
        );
        assert_eq!(config.url_path(""), "/explainers/tariffs/");
        assert_eq!(
            config.permalink("countries/japan/"),
            "https://example.org/explainers/tariffs/countries/japan/"
        );
    }

    #[test]
    fn unknown_key_is_refused_with_a_suggestion() {
        let errs =
            parse("title = \"x\"\nbase_url = \"https://x.org\"\nlanguag = \"en\"\n").unwrap_err();
        assert_eq!(errs[0].position().unwrap(), "tradetalks.toml:3:1");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `language`?"));
    }

    #[test]
    fn schema_types_are_checked() {
        let errs = parse(
            "title = \"x\"\nbase_url = \"https://x.org\"\n[schema.countries]\niso2 = \"strng\"\n",
        )
        .unwrap_err();
        assert_eq!(errs[0].position().unwrap(), "tradetalks.toml:4:8");
        let config = parse(
            "title = \"x\"\nbase_url = \"https://x.org\"\n[schema.countries]\niso2 = \"string\"\nnotes = \"list?\"\n",
        )
        .unwrap();
        let fields = &config.schemas["countries"];
        assert!(fields.iter().any(|f| f.name == "notes" && !f.required));
    }

    proptest::proptest! {
        #[test]
        fn site_paths_join_the_base_path_cleanly(
            base in proptest::collection::vec("[a-z0-9-]{1,8}", 0..4),
            site in proptest::collection::vec("[a-z0-9-]{1,8}", 0..4),
            slash in proptest::bool::ANY,
        ) {
            let url = format!("https://example.org/{}", base.join("/"));
            let (base_url, base_path) = normalise_base_url(&url).unwrap();
            proptest::prop_assert!(base_path.starts_with('/') && base_path.ends_with('/'));
            proptest::prop_assert!(base_url.ends_with(&base_path));
            let text = format!("title = \"x\"\nbase_url = \"{url}\"\n");
            let config = parse(&text).unwrap();
            let site_path = format!("{}{}", if slash { "/" } else { "" }, site.join("/"));
            let joined = config.url_path(&site_path);
            proptest::prop_assert!(joined.starts_with(&base_path), "{joined:?}");
            proptest::prop_assert!(!joined.contains("//"), "{joined:?}");
            proptest::prop_assert_eq!(config.permalink(&site_path), format!("https://example.org{joined}"));
        }
    }
}
