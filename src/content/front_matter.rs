//! Front matter: split the `---` block (YAML) or the `+++` block (TOML, as Zola and Hugo
//! write it) off a Markdown file, parse it into one spanned tree, and check it against the
//! common fields, the site's taxonomies and the section's schema. Every problem points at its
//! field; all of a file's problems are reported together.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::cache::{Key, KeyBuilder, Pack, PackUse};
use crate::config::{Config, FieldType, SchemaField};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::SourceFile;
use crate::yaml::{self, Yaml, YamlValue};

/// The language of a file's front matter, told by its fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Syntax {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

impl Syntax {
    fn fence(self) -> &'static str {
        match self {
            Syntax::Yaml => "---",
            Syntax::Toml => "+++",
        }
    }
}

/// Byte ranges of the two parts of a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Split {
    /// The front matter between its fences.
    pub front: Range<usize>,
    /// YAML or TOML.
    pub syntax: Syntax,
    /// Everything after the closing fence.
    pub body: Range<usize>,
}

/// Finds the front matter: the file's first line is `---` (YAML) or `+++` (TOML), and it
/// ends at the next line of the same fence.
pub fn split(file: &SourceFile) -> Result<Split, Diagnostic> {
    let text = &*file.text;
    let mut lines = line_spans(text);
    let first = lines.next();
    let line_is = |(start, end): (usize, usize), fence: &str| {
        text.get(start..end)
            .is_some_and(|line| line.trim_end() == fence)
    };
    let Some(syntax) = [Syntax::Yaml, Syntax::Toml]
        .into_iter()
        .find(|syntax| first.is_some_and(|line| line_is(line, syntax.fence())))
    else {
        return Err(
            Diagnostic::error("missing front matter: a page must start with a `---` line")
                .at(file, 0..first.map_or(0, |(s, e)| e - s))
                .with_help("add `---`, then `title: ...`, then `---` at the top of the file (or `+++`, `title = \"...\"`, `+++` for TOML)"),
        );
    };
    let fence = syntax.fence();
    let front_start = first.map_or(0, |(_, end)| next_line_start(text, end));
    for (start, end) in lines {
        if line_is((start, end), fence) {
            return Ok(Split {
                front: front_start..start,
                syntax,
                body: next_line_start(text, end)..text.len(),
            });
        }
    }
    Err(Diagnostic::error("front matter is not closed")
        .at(file, 0..3)
        .with_label("opened here")
        .with_help(format!(
            "add a line with just `{fence}` after the front matter"
        )))
}

/// (start, end) of each line, without its line ending.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| start + i);
        let line = (start, end.min(text.len()));
        start = end + 1;
        Some(line)
    })
}

fn next_line_start(text: &str, line_end: usize) -> usize {
    (line_end + 1).min(text.len())
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// `weight` ascending, then newest `date`, then title.
    #[default]
    Weight,
    /// Newest `date` first, then title.
    Date,
    Title,
}

/// One entry of a page's `updates` log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Update {
    pub date: jiff::civil::Date,
    pub note: String,
    /// `update` (new figures, a new development) or `correction` (something the page got
    /// wrong), which is shown at the top of the page and marked in the feed.
    pub kind: UpdateKind,
}

/// What kind of change an entry of `updates` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateKind {
    #[default]
    Update,
    Correction,
}

impl UpdateKind {
    const NAMES: [&str; 2] = ["update", "correction"];

    fn parse(name: &str) -> Option<UpdateKind> {
        match name {
            "update" => Some(UpdateKind::Update),
            "correction" => Some(UpdateKind::Correction),
            _ => None,
        }
    }
}

/// The checked front matter of a page or section.

#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    /// A summary for lists and feeds, when the page's opening is not one (see
    /// `markdown::summary_of` for the `<!-- more -->` marker).
    pub summary: Option<String>,
    pub date: Option<jiff::civil::Date>,
    pub updated: Option<jiff::civil::Date>,
    pub draft: bool,
    pub weight: Option<i64>,
    /// The `slug` field and its span, checked by the page loader.
    pub slug: Option<(String, Range<usize>)>,
    pub aliases: Vec<String>,
    pub template: Option<String>,
    /// `image`: the picture a shared link shows instead of the generated card, and its span
    /// (a file of the page's folder, `/`-rooted in `static/`, or an `https://` URL).
    pub image: Option<(String, Range<usize>)>,
    pub sort_by: SortBy,
    /// `paginate` (sections): how many pages each page of the section's list shows; `None`
    /// lists them all on one.
    pub paginate: Option<usize>,
    pub page_template: Option<String>,
    pub taxonomies: BTreeMap<String, Vec<String>>,
    pub extra: serde_json::Value,
    /// `extra` as written, with positions, for fact references and stale-fact checks.
    pub extra_tree: Option<Yaml>,
    /// The page's dated log of corrections and new figures, oldest first.
    pub updates: Vec<Update>,
    /// Fields declared by the section's schema, as written.
    pub fields: BTreeMap<String, Yaml>,
    /// The page's name in the site's navigation, when shorter than its title.
    pub nav_title: Option<String>,
    /// `in_nav: false` keeps a top-level page or section out of the navigation.
    pub in_nav: bool,
    /// Where the front matter still holds a placeholder: a text starting with `TODO`, as
    /// `tradetalks new` leaves them.
    pub placeholders: Vec<Range<usize>>,
    /// Where the body still holds the placeholder `tradetalks new` wrote (an offset in the
    /// file), found when the file is read so that its text need not be kept for the check.
    pub body_placeholder: Option<usize>,
    /// In a translation, the schema fields it does not write and takes from its source page
    /// (`content::inherit_fields`), and `image` when it takes the source's: shown in every
    /// edition, checked only in the source.
    pub inherited: Vec<String>,
    /// In a translation, the version of its source it was made from (`translated_from`: the
    /// start of the source file's hash, as `check` gives it), with where it is written.
    pub translated_from: Option<(String, Range<usize>)>,
    /// `authors: [ID]`: the IDs of `[authors.ID]` in `tradetalks.toml`, as written.
    pub authors: Vec<String>,
}

/// Whether the file is a section's `_index.md` (which takes ordering keys) or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    Section,
}

const COMMON_KEYS: [&str; 16] = [
    "summary",
    "image",
    "translated_from",
    "nav_title",
    "in_nav",
    "title",
    "description",
    "date",
    "updated",
    "updates",
    "draft",
    "weight",
    "slug",
    "aliases",
    "template",
    "extra",
];
const SECTION_KEYS: [&str; 3] = ["sort_by", "page_template", "paginate"];

/// Parses and checks a file's front matter. The parsed tree is taken from `earlier` (the
/// trees an earlier build parsed, by the hash of their text) when it is there: parsing YAML
/// was the largest cost of loading an unchanged site. The checks always run, against this
/// build's schema and configuration. Returns what the next build's pack needs too.
pub fn parse(
    file: &SourceFile,
    split: &Split,
    kind: Kind,
    schema: &[SchemaField],
    config: &Config,
    earlier: &Pack,
) -> Result<(FrontMatter, PackUse), Vec<Diagnostic>> {
    let (root, used) = parse_tree(file, split, tree_key(file, split), earlier)?;
    let front = check(file, root, kind, schema, config)?;
    Ok((front, used))
}

/// The parsed front matter of `file`, from `earlier` under `key` (`tree_key`) or parsed.
pub fn parse_tree(
    file: &SourceFile,
    split: &Split,
    key: Key,
    earlier: &Pack,
) -> Result<(Yaml, PackUse), Vec<Diagnostic>> {
    earlier
        .get_or(key, || match split.syntax {
            Syntax::Yaml => yaml::parse(file, split.front.clone()),
            Syntax::Toml => crate::toml_tree::parse(file, split.front.clone()),
        })
        .map_err(|d| vec![d])
}

/// The key of a file's parsed front matter in a pack: the tree depends on the text and on
/// where it starts in the file (its spans count from the file's start), nothing else.
pub fn tree_key(file: &SourceFile, split: &Split) -> Key {
    let text = file.text.get(split.front.clone()).unwrap_or_default();
    KeyBuilder::new("front matter")
        .add(split.syntax.fence())
        .add((split.front.start as u64).to_le_bytes())
        .add(text)
        .finish()
}

/// Checks a file's parsed front matter (`root`) against this build's schema and
/// configuration, and takes from it what the page keeps.
pub fn check(
    file: &SourceFile,
    root: Yaml,
    kind: Kind,
    schema: &[SchemaField],
    config: &Config,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let mut checker = Checker {
        file,
        problems: Vec::new(),
    };
    let front = checker.front_matter(root, kind, schema, config);
    match front {
        Some(front) if checker.problems.is_empty() => Ok(front),
        _ => Err(checker.problems),
    }
}

struct Checker<'a> {
    file: &'a SourceFile,
    problems: Vec<Diagnostic>,
}

impl FrontMatter {
    /// The schema fields the file writes itself: a translation's inherited ones are checked
    /// in their source.
    pub fn own_fields(&self) -> impl Iterator<Item = (&String, &Yaml)> {
        self.fields
            .iter()
            .filter(|(name, _)| !self.inherited.contains(name))
    }

    /// When the page last changed: the latest of `updated`, the `updates` log and `date`.
    pub fn last_modified(&self) -> Option<jiff::civil::Date> {
        let logged = self.updates.last().map(|u| u.date);
        [self.updated, logged, self.date]
            .into_iter()
            .flatten()
            .max()
    }
}

impl Checker<'_> {
    /// `translated_from`: at least 8 hexadecimal digits of a file's hash.
    fn version(&mut self, value: &Yaml) -> Option<(String, Range<usize>)> {
        let text = self.string(value, "translated_from")?;
        let text = text.trim().to_ascii_lowercase();
        if (8..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some((text, value.span.clone()));
        }
        self.problems.push(
            Diagnostic::error(format!(
                "`translated_from` is the version of the source a translation was made from: 8 or more hexadecimal digits, not `{text}`"
            ))
            .at(self.file, value.span.clone())
            .with_help("`tradetalks check` gives each source's version in its warning about an outdated translation"),
        );
        None
    }

    /// Checks the front matter `root` and takes from it the trees the page keeps (`extra`,
    /// its schema's fields), rather than copying them.
    fn front_matter(
        &mut self,
        mut root: Yaml,
        kind: Kind,
        schema: &[SchemaField],
        config: &Config,
    ) -> Option<FrontMatter> {
        let opening_line = 0..3;
        let empty = Vec::new();
        let entries = match &root.value {
            YamlValue::Map(entries) => entries,
            YamlValue::Null => &empty,
            _ => {
                self.problems.push(
                    Diagnostic::error(format!(
                        "front matter must be a map of fields, found a {}",
                        root.type_name()
                    ))
                    .at(self.file, root.span.clone()),
                );
                return None;
            }
        };
        self.unknown_keys(entries, kind, schema, config);

        let title = match root.get("title") {
            Some(value) => self.string(value, "title"),
            None => {
                self.problems.push(
                    Diagnostic::error("missing required field `title`")
                        .at(self.file, opening_line.clone())
                        .with_label("in this front matter")
                        .with_help("add a line such as `title: Japan`"),
                );
                None
            }
        };
        let mut front = FrontMatter {
            title: title.unwrap_or_default(),
            description: root
                .get("description")
                .and_then(|v| self.string(v, "description")),
            summary: root.get("summary").and_then(|v| self.string(v, "summary")),
            date: root.get("date").and_then(|v| self.date(v, "date")),
            updated: root.get("updated").and_then(|v| self.date(v, "updated")),
            draft: root
                .get("draft")
                .and_then(|v| self.boolean(v, "draft"))
                .unwrap_or(false),
            weight: root.get("weight").and_then(|v| self.integer(v, "weight")),
            slug: root
                .get("slug")
                .and_then(|v| self.string(v, "slug").map(|s| (s, v.span.clone()))),
            aliases: root
                .get("aliases")
                .map(|v| self.strings(v, "aliases"))
                .unwrap_or_default(),
            template: root
                .get("template")
                .and_then(|v| self.string(v, "template")),
            image: root
                .get("image")
                .and_then(|v| self.string(v, "image").map(|s| (s, v.span.clone()))),
            sort_by: root
                .get("sort_by")
                .and_then(|v| self.sort_by(v))
                .unwrap_or_default(),
            paginate: root.get("paginate").and_then(|v| self.page_size(v)),
            page_template: root
                .get("page_template")
                .and_then(|v| self.string(v, "page_template")),
            taxonomies: BTreeMap::new(),
            extra: root.get("extra").map_or(serde_json::Value::Null, |v| {
                self.expect_map(v, "extra");
                v.to_json()
            }),
            extra_tree: None,
            updates: root
                .get("updates")
                .map(|v| self.updates(v))
                .unwrap_or_default(),
            fields: BTreeMap::new(),
            nav_title: root
                .get("nav_title")
                .and_then(|v| self.string(v, "nav_title")),
            in_nav: root
                .get("in_nav")
                .and_then(|v| self.boolean(v, "in_nav"))
                .unwrap_or(true),
            placeholders: Vec::new(),
            body_placeholder: None,
            inherited: Vec::new(),
            translated_from: root.get("translated_from").and_then(|v| self.version(v)),
            authors: Vec::new(),
        };
        placeholders_in(&root, &mut front.placeholders);
        for taxonomy in &config.taxonomies {
            if let Some(value) = root.get(&taxonomy.name) {
                if taxonomy.name == crate::config::AUTHORS_TAXONOMY && !config.authors.is_empty() {
                    // Authors are named by their ID; their pages are filed under their names.
                    front.authors = self.author_ids(value, config);
                    let default = config.default_language();
                    let names = front.authors.iter().filter_map(|id| {
                        let author = config.authors.get(id)?;
                        Some(author.name.in_language(default, default))
                    });
                    front
                        .taxonomies
                        .insert(taxonomy.name.clone(), names.collect());
                    continue;
                }
                let terms = self.strings(value, &taxonomy.name);
                front.taxonomies.insert(taxonomy.name.clone(), terms);
            }
        }
        let mut present = Vec::new();
        for field in schema {
            match root.get(&field.name) {
                Some(value) => {
                    self.check_type(value, &field.name, field.field_type);
                    present.push(&field.name);
                }
                None if field.required => self.problems.push(
                    Diagnostic::error(format!(
                        "missing required field `{}` ({})",
                        field.name,
                        field.field_type.name()
                    ))
                    .at(self.file, opening_line.clone())
                    .with_label("in this front matter")
                    .with_note("the section's schema in `tradetalks.toml` requires it"),
                ),
                None => {}
            }
        }
        // Every check is made: the trees kept go out of the front matter, not copied.
        for name in present {
            if let Some(value) = root.take(name) {
                front.fields.insert(name.clone(), value);
            }
        }
        front.extra_tree = match front.fields.get("extra") {
            Some(extra) => Some(extra.clone()),
            None => root.take("extra"),
        };
        Some(front)
    }

    fn unknown_keys(
        &mut self,
        entries: &[(yaml::YamlKey, Yaml)],
        kind: Kind,
        schema: &[SchemaField],
        config: &Config,
    ) {
        let mut known: Vec<&str> = COMMON_KEYS.to_vec();
        if kind == Kind::Section {
            known.extend(SECTION_KEYS);
        }
        known.extend(config.taxonomies.iter().map(|t| t.name.as_str()));
        known.extend(schema.iter().map(|f| f.name.as_str()));
        for (key, _) in entries {
            if known.contains(&key.name.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(format!("unknown field `{}`", key.name))
                .at(self.file, key.span.clone());
            d = match did_you_mean(&key.name, known.iter().copied()) {
                _ if key.name == crate::config::AUTHORS_TAXONOMY => d.with_help(
                    "name the site's authors in `tradetalks.toml` first: `[authors.ID]` with `name = \"…\"` (and optional `role` and `url`), then write `authors: [ID]`",
                ),
                Some(help) => d.with_help(help),
                None => d.with_help(
                    "put free-form values under `extra:`, or declare the field in the section's schema",
                ),
            };
            self.problems.push(d);
        }
    }

    fn wrong_type(&mut self, value: &Yaml, field: &str, expected: &str) {
        self.problems.push(
            Diagnostic::error(format!(
                "field `{field}` must be {expected}, found {} {}",
                article(value.type_name()),
                value.type_name()
            ))
            .at(self.file, value.span.clone()),
        );
    }

    fn string(&mut self, value: &Yaml, field: &str) -> Option<String> {
        match &value.value {
            YamlValue::Str(s) => Some(s.clone()),
            YamlValue::Int(i) => Some(i.to_string()),
            YamlValue::Float(f) => Some(f.to_string()),
            _ => {
                self.wrong_type(value, field, "a string");
                None
            }
        }
    }

    fn strings(&mut self, value: &Yaml, field: &str) -> Vec<String> {
        match &value.value {
            YamlValue::Seq(items) => items
                .iter()
                .filter_map(|item| self.string(item, field))
                .collect(),
            _ => {
                self.wrong_type(value, field, "a list of strings");
                Vec::new()
            }
        }
    }

    /// `authors: [ID, …]`: each an `[authors.ID]` of `tradetalks.toml`.
    fn author_ids(&mut self, value: &Yaml, config: &Config) -> Vec<String> {
        let YamlValue::Seq(items) = &value.value else {
            self.wrong_type(value, "authors", "a list of author IDs");
            return Vec::new();
        };
        let mut ids = Vec::new();
        for item in items {
            let Some(id) = self.string(item, "authors") else {
                continue;
            };
            if config.authors.contains_key(&id) {
                ids.push(id);
                continue;
            }
            let help = did_you_mean(&id, config.authors.keys().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "the authors are {}; add `[authors.{id}]` with a `name` to `tradetalks.toml` for a new one",
                        config
                            .authors
                            .keys()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            self.problems.push(
                Diagnostic::error(format!("no author `{id}` in `tradetalks.toml`"))
                    .at(self.file, item.span.clone())
                    .with_help(help),
            );
        }
        ids
    }

    fn boolean(&mut self, value: &Yaml, field: &str) -> Option<bool> {
        match value.value {
            YamlValue::Bool(b) => Some(b),
            _ => {
                self.wrong_type(value, field, "`true` or `false`");
                None
            }
        }
    }

    /// `paginate`: a number of pages above 0.
    fn page_size(&mut self, value: &Yaml) -> Option<usize> {
        let size = self.integer(value, "paginate")?;
        match usize::try_from(size) {
            Ok(size) if size > 0 => Some(size),
            _ => {
                self.problems.push(
                    Diagnostic::error(format!(
                        "`paginate` must be a number of pages above 0, not {size}"
                    ))
                    .at(self.file, value.span.clone())
                    .with_help("write `paginate: 20` for lists of 20 pages, or remove it to list every page on one"),
                );
                None
            }
        }
    }

    fn integer(&mut self, value: &Yaml, field: &str) -> Option<i64> {
        match value.value {
            YamlValue::Int(i) => Some(i),
            _ => {
                self.wrong_type(value, field, "an integer");
                None
            }
        }
    }

    fn date(&mut self, value: &Yaml, field: &str) -> Option<jiff::civil::Date> {
        let Some(text) = value.as_str() else {
            self.wrong_type(value, field, "a date (YYYY-MM-DD)");
            return None;
        };
        match parse_date(text) {
            Ok(date) => Some(date),
            Err(reason) => {
                self.problems.push(
                    Diagnostic::error(format!("field `{field}` is not a valid date: {reason}"))
                        .at(self.file, value.span.clone())
                        .with_help("write dates as YYYY-MM-DD, e.g. 2025-04-02"),
                );
                None
            }
        }
    }

    /// `updates: [{date: 2025-04-20, note: "Corrected the rice tariff", kind: correction}]`.
    fn updates(&mut self, value: &Yaml) -> Vec<Update> {
        let YamlValue::Seq(items) = &value.value else {
            self.wrong_type(value, "updates", "a list of {date, note}");
            return Vec::new();
        };
        let mut updates = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("updates[{i}]");
            if item.entries().is_none() {
                self.wrong_type(item, &field, "a map {date, note}");
                continue;
            }
            for (key, _) in item.entries().unwrap_or(&[]) {
                if !["date", "note", "kind"].contains(&key.name.as_str()) {
                    let help =
                        did_you_mean(&key.name, ["date", "note", "kind"]).unwrap_or_else(|| {
                            "an update is {date, note}, with `kind: correction` for a correction"
                                .to_owned()
                        });
                    self.problems.push(
                        Diagnostic::error(format!("unknown key `{}` in `{field}`", key.name))
                            .at(self.file, key.span.clone())
                            .with_help(help),
                    );
                }
            }
            let kind = match item.get("kind") {
                None => Some(UpdateKind::Update),
                Some(value) => {
                    let kind = value.as_str().and_then(UpdateKind::parse);
                    if kind.is_none() {
                        let written = value.as_str().unwrap_or_default();
                        let help = did_you_mean(written, UpdateKind::NAMES)
                            .unwrap_or_else(|| "`update` (the default) or `correction`".to_owned());
                        self.problems.push(
                            Diagnostic::error(format!(
                                "`{field}.kind` must be `update` or `correction`"
                            ))
                            .at(self.file, value.span.clone())
                            .with_help(help),
                        );
                    }
                    kind
                }
            };
            let date = match item.get("date") {
                Some(d) => self.date(d, &format!("{field}.date")),
                None => {
                    self.problems.push(
                        Diagnostic::error(format!("`{field}` has no `date`"))
                            .at(self.file, item.span.start..item.span.start + 1),
                    );
                    None
                }
            };
            let note = match item.get("note") {
                Some(n) => self.string(n, &format!("{field}.note")),
                None => {
                    self.problems.push(
                        Diagnostic::error(format!("`{field}` has no `note`"))
                            .at(self.file, item.span.start..item.span.start + 1),
                    );
                    None
                }
            };
            if let (Some(date), Some(note), Some(kind)) = (date, note, kind) {
                updates.push(Update { date, note, kind });
            }
        }
        updates.sort_by_key(|u| u.date);
        updates
    }

    fn sort_by(&mut self, value: &Yaml) -> Option<SortBy> {
        match value.as_str() {
            Some("weight") => Some(SortBy::Weight),
            Some("date") => Some(SortBy::Date),
            Some("title") => Some(SortBy::Title),
            _ => {
                self.problems.push(
                    Diagnostic::error("field `sort_by` must be `weight`, `date` or `title`")
                        .at(self.file, value.span.clone()),
                );
                None
            }
        }
    }

    fn expect_map(&mut self, value: &Yaml, field: &str) {
        if !matches!(value.value, YamlValue::Map(_)) {
            self.wrong_type(value, field, "a map");
        }
    }

    fn check_type(&mut self, value: &Yaml, field: &str, expected: FieldType) {
        let ok = match (expected, &value.value) {
            (FieldType::Any, _) => true,
            (FieldType::String, YamlValue::Str(_)) => true,
            (FieldType::Number, YamlValue::Int(_) | YamlValue::Float(_)) => true,
            (FieldType::Integer, YamlValue::Int(_)) => true,
            (FieldType::Boolean, YamlValue::Bool(_)) => true,
            (FieldType::List, YamlValue::Seq(_)) => true,
            (FieldType::Map, YamlValue::Map(_)) => true,
            (FieldType::Date, _) => {
                self.date(value, field);
                return;
            }
            (FieldType::Figure, _) => {
                self.figure(value, field);
                return;
            }
            _ => false,
        };
        if !ok {
            let slip = matches!(expected, FieldType::Number | FieldType::Integer)
                .then(|| {
                    value
                        .as_str()
                        .and_then(crate::shortcodes::format::number_slip)
                })
                .flatten();
            if let Some(fix) = slip {
                self.problems.push(
                    Diagnostic::error(format!("field `{field}` must be a number: {fix}"))
                        .at(self.file, value.span.clone()),
                );
                return;
            }
            let expected = format!("{} {}", article(expected.name()), expected.name());
            self.wrong_type(value, field, &expected);
        }
    }

    /// A figure is a plain value, or a map with `value` and optional `as_of` and `source`.
    fn figure(&mut self, value: &Yaml, field: &str) {
        match &value.value {
            YamlValue::Str(_) | YamlValue::Int(_) | YamlValue::Float(_) => {}
            // A fact reference (`{data, row, column}`) is resolved once data files are loaded.
            YamlValue::Map(_) if value.get("data").is_some() => {}
            YamlValue::Map(_) => {
                if value.get("value").is_none() {
                    self.problems.push(
                        Diagnostic::error(format!("figure `{field}` has no `value`"))
                            .at(self.file, value.span.start..value.span.start + 1)
                            .with_help("write `{value: 24, as_of: 2025-04-02, source: \"...\"}`"),
                    );
                }
                if let Some(as_of) = value.get("as_of") {
                    self.date(as_of, &format!("{field}.as_of"));
                }
                if let Some(source) = value.get("source") {
                    self.string(source, &format!("{field}.source"));
                }
                if let Some(historic) = value.get("historic") {
                    self.boolean(historic, &format!("{field}.historic"));
                }
            }
            _ => self.wrong_type(
                value,
                field,
                "a figure (a value, or {value, as_of, source})",
            ),
        }
    }
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Every text under `node` that starts with `TODO`.
fn placeholders_in(node: &Yaml, found: &mut Vec<Range<usize>>) {
    match &node.value {
        YamlValue::Str(text) if text.trim_start().starts_with("TODO") => {
            found.push(node.span.clone());
        }
        YamlValue::Seq(items) => {
            for item in items {
                placeholders_in(item, found);
            }
        }
        YamlValue::Map(entries) => {
            for (_, value) in entries {
                placeholders_in(value, found);
            }
        }
        _ => {}
    }
}

/// Parses `YYYY-MM-DD`, also accepting a full timestamp and keeping its date.
pub fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    let text = text.trim();
    let date_part = text.split(['T', ' ']).next().unwrap_or(text);
    date_part
        .parse::<jiff::civil::Date>()
        .map_err(|err| err.to_string())
}

#[cfg(test)]
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("content/a.md", "/a.md", text)
    }

    fn config() -> Config {
        let toml =
            "title = \"t\"\nbase_url = \"https://x.org\"\n[[taxonomies]]\nname = \"sectors\"\n";
        Config::parse(std::path::Path::new("/"), &file(toml), None).unwrap()
    }

    fn check(text: &str, schema: &[SchemaField]) -> Result<FrontMatter, Vec<Diagnostic>> {
        let f = file(text);
        let split = split(&f).map_err(|d| vec![d])?;
        parse(&f, &split, Kind::Page, schema, &config(), &Pack::default()).map(|(front, _)| front)
    }

    #[test]
    fn splits_front_matter_and_body() {
        let f = file("---\ntitle: a\n---\nbody\n");
        let s = split(&f).unwrap();
        assert_eq!(&f.text[s.front], "title: a\n");
        assert_eq!(&f.text[s.body], "body\n");
    }

    #[test]
    fn splits_crlf_files() {
        let f = file("---\r\ntitle: a\r\n---\r\nbody\r\n");
        let s = split(&f).unwrap();
        assert_eq!(&f.text[s.front], "title: a\r\n");
        assert_eq!(&f.text[s.body], "body\r\n");
    }

    #[test]
    fn empty_body_and_empty_front_matter() {
        let f = file("---\n---");
        let s = split(&f).unwrap();
        assert!(s.front.is_empty() && s.body.is_empty());
    }

    #[test]
    fn missing_opening_and_closing_lines() {
        let err = split(&file("title: a\n")).unwrap_err();
        assert!(err.message.starts_with("missing front matter"));
        let err = split(&file("---\ntitle: a\nbody\n")).unwrap_err();
        assert_eq!(err.message, "front matter is not closed");
        assert_eq!(err.position().unwrap(), "content/a.md:1:1");
    }

    #[test]
    fn toml_front_matter_is_checked_as_yaml_is() {
        let front = check(
            "+++\ntitle = \"Japan\"\ndate = 2025-04-09\nsectors = [\"autos\"]\n[extra]\nlead = \"x\"\n+++\nbody\n",
            &[],
        )
        .unwrap();
        assert_eq!(front.title, "Japan");
        assert_eq!(front.date.unwrap().to_string(), "2025-04-09");
        assert_eq!(front.taxonomies["sectors"], ["autos"]);
        assert_eq!(front.extra["lead"], "x");
        // The same mistakes, at the same places, as in YAML.
        let errs = check(
            "+++\ntitle = \"a\"\nsectr = [\"autos\"]\ndate = \"2025-13-01\"\n+++\n",
            &[],
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].message, "unknown field `sectr`");
        assert_eq!(errs[0].position().unwrap(), "content/a.md:3:1");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `sectors`?"));
        assert!(
            errs[1].message.contains("`date` is not a valid date"),
            "{errs:?}"
        );
        assert_eq!(errs[1].position().unwrap(), "content/a.md:4:8");
        // A fence of the other kind does not close it.
        let err = split(&file("+++\ntitle = \"a\"\n---\nbody\n")).unwrap_err();
        assert_eq!(err.message, "front matter is not closed");
        assert_eq!(
            err.help.as_deref(),
            Some("add a line with just `+++` after the front matter")
        );
    }

    #[test]
    fn updates_are_updates_or_corrections() {
        let front = check(
            "---\ntitle: a\nupdates:\n  - { date: 2025-04-20, note: b, kind: correction }\n  - { date: 2025-04-18, note: a }\n---\n",
            &[],
        )
        .unwrap();
        let kinds: Vec<_> = front
            .updates
            .iter()
            .map(|u| (u.date.to_string(), u.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("2025-04-18".to_owned(), UpdateKind::Update),
                ("2025-04-20".to_owned(), UpdateKind::Correction)
            ]
        );
        let errs = check(
            "---\ntitle: a\nupdates:\n  - { date: 2025-04-20, note: b, kind: corection }\n  - { date: 2025-04-21, note: c, knd: update }\n---\n",
            &[],
        )
        .unwrap_err();
        assert_eq!(
            errs[0].message,
            "`updates[0].kind` must be `update` or `correction`"
        );
        assert_eq!(errs[0].position().unwrap(), "content/a.md:4:40");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `correction`?"));
        assert_eq!(errs[1].message, "unknown key `knd` in `updates[1]`");
        assert_eq!(errs[1].help.as_deref(), Some("did you mean `kind`?"));
    }

    #[test]
    fn yaml_errors_count_lines_from_the_file_start() {
        let errs = check("---\ntitle: a\ndraft: maybe\n---\n", &[]).unwrap_err();
        assert_eq!(errs[0].position().unwrap(), "content/a.md:3:8");
    }

    #[test]
    fn unknown_field_suggests_the_right_one() {
        let errs = check("---\ntitle: a\nsectr: [autos]\n---\n", &[]).unwrap_err();
        assert_eq!(errs[0].message, "unknown field `sectr`");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `sectors`?"));
    }

    #[test]
    fn missing_title_and_schema_fields_are_all_reported() {
        let schema = vec![
            SchemaField::new("iso2", FieldType::String, true),
            SchemaField::new("lead", FieldType::Figure, true),
        ];
        let errs = check("---\ndraft: false\n---\n", &schema).unwrap_err();
        let messages: Vec<_> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "missing required field `title`",
                "missing required field `iso2` (string)",
                "missing required field `lead` (figure)"
            ]
        );
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let schema = vec![SchemaField::new("asks", FieldType::List, true)];
        let errs = check("---\ntitle: a\nasks: cars\n---\n", &schema).unwrap_err();
        assert_eq!(
            errs[0].message,
            "field `asks` must be a list, found a string"
        );
        assert_eq!(errs[0].position().unwrap(), "content/a.md:3:7");
    }

    #[test]
    fn figures_need_a_value_and_valid_dates() {
        let schema = vec![SchemaField::new("rate", FieldType::Figure, true)];
        let errs = check("---\ntitle: a\nrate: {as_of: 2025-13-01}\n---\n", &schema).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            check(
                "---\ntitle: a\nrate: {value: 24, as_of: 2025-04-02, source: EO}\n---\n",
                &schema
            )
            .is_ok()
        );
    }

    #[test]
    fn dates_parse() {
        assert_eq!(parse_date("2025-04-02").unwrap().to_string(), "2025-04-02");
        assert_eq!(
            parse_date("2025-04-02T10:00:00Z").unwrap().to_string(),
            "2025-04-02"
        );
        assert!(parse_date("2025-02-30").is_err());
    }
}
