//! Tera templates: the built-in set (embedded in the binary) overlaid by the site's
//! `templates/`, compiled with our functions and filters. Tera errors become diagnostics that
//! point into the template file.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tera::{Error, Filter, Kwargs, State, Tera, TeraResult, Value};

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, display_name};

mod balance;
mod reads;
pub(crate) use reads::OWN_FIELDS;
pub mod schema;
pub(crate) mod summaries;
use summaries::{SectionParts, Summaries, TaxonomyParts};

/// The built-in templates, named as a site overrides them.
pub const BUILTIN_TEMPLATES: [(&str, &str); 13] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("section.html", include_str!("../../templates/section.html")),
    ("pager.html", include_str!("../../templates/pager.html")),
    ("page.html", include_str!("../../templates/page.html")),
    (
        "page_fields.html",
        include_str!("../../templates/page_fields.html"),
    ),
    (
        "page_fact_row.html",
        include_str!("../../templates/page_fact_row.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "page_footer.html",
        include_str!("../../templates/page_footer.html"),
    ),
    (
        "taxonomy_list.html",
        include_str!("../../templates/taxonomy_list.html"),
    ),
    (
        "taxonomy_term.html",
        include_str!("../../templates/taxonomy_term.html"),
    ),
    ("search.html", include_str!("../../templates/search.html")),
    ("social.svg", include_str!("../../templates/social.svg")),
];

/// What a site's own `base.html` must keep of the built-in one, and what leaving it out costs.
const BASE_ESSENTIALS: [(&str, &str); 3] = [
    (
        "style.css",
        "the stylesheet (`get_url(path='style.css')`): pages, tables and charts will be unstyled",
    ),
    (
        "meta.",
        "`meta` (title, description, canonical URL, Open Graph, JSON-LD): pages lose their titles and link previews",
    ),
    (
        "tables.js",
        "the table script (`get_url(path='tables.js')`): tables will not sort",
    ),
];

/// Warnings for a site `base.html` that leaves out what every page needs.
fn missing_from_base(base: &SourceFile) -> Vec<Diagnostic> {
    BASE_ESSENTIALS
        .iter()
        .filter(|(needle, _)| !base.text.contains(needle))
        .map(|(_, what)| {
            Diagnostic::warning(format!("this `base.html` leaves out {what}"))
                .in_file(&base.name)
                .with_help(
                    "`tradetalks templates show base.html` shows what the built-in one has; copy the missing part back",
                )
        })
        .collect()
}

/// Every built-in template (pages, then shortcodes), by the name a site overrides it with.
pub fn builtins() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTIN_TEMPLATES
        .into_iter()
        .chain(crate::shortcodes::BUILTIN_TEMPLATES)
}

/// What a built-in template is for: the first sentence of its first `{#- ... -#}` comment.
pub fn summary(text: &str) -> String {
    let comment = text
        .split_once("{#")
        .and_then(|(_, rest)| rest.split_once("#}"))
        .map(|(comment, _)| comment.trim_matches(|c: char| c == '-' || c.is_whitespace()))
        .unwrap_or_default();
    let flat = comment.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.split_once(". ") {
        Some((first, _)) => format!("{first}."),
        None => flat,
    }
}

/// Everything the template functions look things up in, filled once the site is assembled.
#[derive(Default)]
pub struct Lookup {
    /// Content path (`countries/japan.md`) to the page's index in the three below.
    pub pages: BTreeMap<String, usize>,
    /// Page summaries, by page index.
    pub(crate) summaries: Summaries,
    /// Page tables of contents, by page index (empty while bodies render).
    pub tocs: Vec<Toc>,
    /// Page bodies, by page index, read when `get_page` returns a page.
    pub contents: Arc<crate::spill::Texts>,
    /// Content path (`countries/_index.md`) to the section's value, made when asked for.
    pub(crate) sections: BTreeMap<String, SectionParts>,
    /// Data files, as `load_data` returns them and as they are.
    pub data: DataLookup,
    /// Taxonomy name to `{name, url, terms: [{name, slug, url, count, pages}]}`, made when
    /// asked for.
    pub(crate) taxonomies: BTreeMap<String, TaxonomyParts>,
    /// Where `get_url` leads: the edition's path (`/ja/`).
    pub base_path: String,
    /// The site's pictures (`image_meta`, `resize_image`).
    pub images: Arc<crate::images::Catalog>,
    /// Files every edition shares (`static/`, the stylesheets): `get_url` leads to them at
    /// `site_base_path`, the site's root, fingerprinted with `cachebust=true`.
    pub shared_files: Arc<crate::publish::assets::SharedFiles>,
    pub site_base_path: String,
}

/// Data files as templates read them: each file's value as of the build date (`load_data`),
/// and the files themselves, for `load_data(on=…)`, `value_at` and `history`.
#[derive(Clone, Default)]
pub struct DataLookup {
    /// Path under `data/` to the file's value, made before templates render for the files
    /// they name (`TemplateSources::data_files_loaded`); the others' values are made when
    /// `load_data` asks for them.
    pub values: BTreeMap<String, Value>,
    pub files: Arc<crate::data::DataFiles>,
    /// The build date.
    pub today: Option<jiff::civil::Date>,
}

/// A page's table of contents, shared by the template values and the lookup.
pub type Toc = Arc<Vec<crate::markdown::TocEntry>>;

/// Page `index` as its own template and `get_page` see it: `summary` with the page's body (as
/// safe HTML) and table of contents. Before bodies render (`tocs` empty) the summary stays as
/// it is. Without `contents`, the page without its body, as its social card and the page
/// cache's key see it (`pipeline::render::PageBody`).
pub fn with_body(
    summary: Value,
    contents: Option<&crate::spill::Texts>,
    tocs: &[Toc],
    index: usize,
) -> Value {
    let Some(toc) = tocs.get(index) else {
        return summary;
    };
    let mut map = summary.into_map().unwrap_or_default();
    if let Some(contents) = contents {
        map.insert("content".into(), contents.get(index));
    }
    // Made when asked for: kept as template values, the tables of contents of 100,000 pages
    // weighed 300 MB.
    map.insert("toc".into(), Value::from_serializable(&**toc));
    Value::from(map)
}

/// The lookup the template functions read: set once the site is assembled, and replaced
/// when `serve` updates the site after an edit.
#[derive(Default, Clone)]
pub struct SharedLookup(Arc<RwLock<Option<Arc<Lookup>>>>);

impl SharedLookup {
    pub fn set(&self, lookup: Lookup) {
        if let Ok(mut current) = self.0.write() {
            *current = Some(Arc::new(lookup));
        }
    }

    /// Lets the lookup go (the templates that read it have all rendered).
    pub fn clear(&self) {
        if let Ok(mut current) = self.0.write() {
            *current = None;
        }
    }

    pub fn get(&self) -> Option<Arc<Lookup>> {
        self.0.read().ok().and_then(|current| current.clone())
    }
}

thread_local! {
    /// Whether the template being rendered on this thread looked up pages, sections or
    /// taxonomies: its output then depends on more than its own context.
    static READS_CONTENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Whether it read files whose bytes no cache key covers: a picture (`image_meta`,
    /// `resize_image`) or a static file hashed for its URL (`get_url(cachebust=true)`).
    static READS_FILES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The copies of pictures the template being rendered on this thread asked for with
    /// `resize_image`.
    static RESIZED: std::cell::RefCell<Vec<crate::markdown::ImageRead>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// What a template read besides its context.
#[derive(Debug, Default)]
pub struct Reads {
    /// Site content through `get_page`, `get_section` or `get_taxonomy` (`serve` re-renders
    /// such pages after any edit).
    pub content: bool,
    /// Pictures or static files, whose bytes are not in the page's cache key: its output
    /// is not kept in the build cache (`pipeline::render::PageCache`).
    pub files: bool,
    /// Pictures resized with `resize_image` (a cached body asks for them again).
    pub resized: Vec<crate::markdown::ImageRead>,
}

/// Renders `template`, and tells what it read (`Reads`).
///
/// Renders nest on one thread: a template function can wait for parallel work (`get_section`
/// unpacks its pages' summaries with rayon), and while it waits, rayon may run another
/// page's render on this thread. That render starts with nothing read and keeps what it
/// reads to itself; what this one had read before it is put back after it. (Clearing the
/// flags instead lost the outer page's reads: a home page that read its sections was kept
/// in the page cache as if it had not, and shown with an old title after an edit, now and
/// then, as the threads happened to run.)
pub fn render_tracked(
    tera: &Tera,
    template: &str,
    context: &tera::Context,
) -> (TeraResult<String>, Reads) {
    let outer_content = READS_CONTENT.replace(false);
    let outer_files = READS_FILES.replace(false);
    let outer_resized = RESIZED.with_borrow_mut(std::mem::take);
    let result = tera.render(template, context);
    let reads = Reads {
        content: READS_CONTENT.replace(outer_content),
        files: READS_FILES.replace(outer_files),
        resized: RESIZED.with_borrow_mut(|resized| std::mem::replace(resized, outer_resized)),
    };
    (result, reads)
}

fn note_content_read() {
    READS_CONTENT.set(true);
}

fn note_files_read() {
    READS_FILES.set(true);
}

/// How a built-in template is named in diagnostics, before its name.
const BUILTIN: &str = "(built-in template)";

/// Whether `file` is one of the templates built into tradetalks (not the site's).
fn is_builtin(file: &SourceFile) -> bool {
    file.name.starts_with(BUILTIN)
}

/// The template sources of a site, by name.
#[derive(Clone)]
pub struct TemplateSources {
    files: BTreeMap<String, SourceFile>,
}

impl TemplateSources {
    /// The built-ins, then every `.html` file under `templates/` and its `social.svg` (which
    /// win on a name clash).
    pub fn load(tree: &crate::source::Tree) -> (TemplateSources, Vec<Diagnostic>) {
        let root = tree.root();
        let mut files = BTreeMap::new();
        for (name, text) in BUILTIN_TEMPLATES
            .into_iter()
            .chain(crate::shortcodes::BUILTIN_TEMPLATES)
        {
            let display = format!("{BUILTIN} {name}");
            files.insert(name.to_owned(), SourceFile::new(display, name, text));
        }
        let dir = root.join("templates");
        let (paths, mut problems) = tree.files_under("templates");
        for path in paths.iter().filter(|p| {
            p.extension().is_some_and(|x| x == "html")
                || display_name(&dir, p) == crate::publish::cards::TEMPLATE
        }) {
            match SourceFile::read(tree, path) {
                Ok(file) => {
                    files.insert(display_name(&dir, path), file);
                }
                Err(d) => problems.push(d),
            }
        }
        if let Some(base) = files.get("base.html")
            && !is_builtin(base)
        {
            problems.extend(missing_from_base(base));
        }
        (TemplateSources { files }, problems)
    }

    /// How diagnostics name template `name`: its file, or the built-in one.
    pub fn display_name(&self, name: &str) -> String {
        self.files
            .get(name)
            .map_or_else(|| name.to_owned(), |file| file.name.clone())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Whether the site has shortcodes of its own (`templates/shortcodes/NAME.html`): only
    /// those can call template functions while bodies render.
    pub fn has_site_shortcodes(&self) -> bool {
        self.files
            .iter()
            .any(|(name, file)| name.starts_with("shortcodes/") && !is_builtin(file))
    }

    /// Every template's name and text (built-ins too), in name order.
    /// The text of template `name`, if there is one.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|file| &*file.text)
    }

    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(n, f)| (n.as_str(), &*f.text))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Compiles every template. Each file is first checked on its own, so that one run reports
    /// the syntax errors of all of them.
    pub fn compile(
        &self,
        lookup: &SharedLookup,
        messages: &crate::messages::SharedMessages,
    ) -> Result<Tera, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        for (name, file) in &self.files {
            // Alone, a template's parent and includes are missing: those checks wait for the
            // compile of the whole set below.
            let mut alone = new_tera(lookup, messages);
            if let Err(err) = alone.add_raw_template(name, &file.text)
                && !matches!(err.kind(), tera::ErrorKind::MissingParent { .. })
                && !only_missing_includes(&err)
            {
                // Tera stops where it gives up; an unclosed block is reported at the tag
                // that opened it, which is where the fix goes.
                // (Only when Tera got past the opening tag: an error inside it, such as an
                // `{% if %}` with no condition, comes first.)
                let tera_at = match err.kind() {
                    tera::ErrorKind::SyntaxError(report) => Some(report.span().range.start),
                    _ => None,
                };
                let imbalance = balance::check(&file.text)
                    .filter(|i| tera_at.is_none_or(|at| at >= i.first_tag_end()));
                let diagnostic = match imbalance {
                    Some(imbalance) => {
                        let (message, span, help) = imbalance.explain(&file.text);
                        Diagnostic::error(format!("template error: {message}"))
                            .at(file, span)
                            .with_help(help)
                    }
                    None => self.diagnostic(&err),
                };
                problems.push(diagnostic);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = new_tera(lookup, messages);
        tera.add_raw_templates(
            self.files
                .iter()
                .map(|(name, file)| (name.as_str(), &*file.text)),
        )
        .map_err(|err| vec![self.diagnostic(&err)])?;
        Ok(tera)
    }

    /// A Tera error as a diagnostic at its place in the template.
    pub fn diagnostic(&self, err: &Error) -> Diagnostic {
        let report = match err.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                TeraReport {
                    message: report.message().to_owned(),
                    template: Some(report.filename().to_owned()),
                    place: Some(Place::Bytes(report.span().range.clone())),
                }
            }
            other => parse_report(&other.to_string()),
        };
        let mut diagnostic = Diagnostic::error(format!("template error: {}", report.message));
        let file = report.template.as_deref().and_then(|n| self.files.get(n));
        if let Some(file) = file
            && is_builtin(file)
            && matches!(err.kind(), tera::ErrorKind::RenderingError(_))
        {
            let name = report.template.as_deref().unwrap_or_default();
            let read = match &report.place {
                Some(Place::Bytes(range)) => file.text.get(range.clone()),
                _ => None,
            };
            diagnostic = diagnostic.with_note(builtin_note(name, read));
        }
        match (file, report.place) {
            (Some(file), Some(Place::Bytes(range))) => diagnostic.at(file, range),
            (Some(file), Some(Place::LineCol { line, col, len })) => {
                diagnostic.at_line_col(file, line, col, len)
            }
            (Some(file), None) => diagnostic.in_file(&file.name),
            (None, _) => diagnostic,
        }
    }
}

/// What an editor can do about an error in a built-in template: where the value it read
/// comes from, and how to see or replace the template.
fn builtin_note(name: &str, expression: Option<&str>) -> String {
    let path = expression
        .map(|e| {
            e.trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace())
                .split(['|', ' ', '(', ')'])
                .next()
                .unwrap_or_default()
        })
        .filter(|p| !p.is_empty());
    let source = path.and_then(|p| {
        let (root, rest) = p.split_once('.').unwrap_or((p, ""));
        let field = rest.strip_prefix("extra.").unwrap_or(rest);
        let field = field.split('.').next().unwrap_or(field);
        match root {
            "page" if !field.is_empty() => Some(format!(
                "`{p}` comes from the page's front matter: add `{field}:` there, or leave this template to pages that have it"
            )),
            "page" => Some("`page` exists only in page templates: include this template from page.html or a template of its kind".to_owned()),
            "section" if !field.is_empty() => Some(format!(
                "`{p}` comes from the front matter of the section's _index.md: add `{field}:` there"
            )),
            "section" => Some("`section` exists only in section templates (section.html, index.html)".to_owned()),
            "config" => Some(format!("`{p}` comes from tradetalks.toml")),
            _ => None,
        }
    });
    let see = format!(
        "`{name}` is a built-in template: `tradetalks templates show {name}` prints it, `tradetalks templates eject {name}` copies it into templates/ to change it"
    );
    match source {
        Some(source) => format!("{source}. {see}"),
        None => see,
    }
}

/// Whether every error Tera reports is an `{% include %}` of a template it was not given.
fn only_missing_includes(err: &Error) -> bool {
    let text = err.to_string();
    let mut errors = text.lines().filter(|l| l.starts_with("error: ")).peekable();
    errors.peek().is_some() && errors.all(|l| l.contains("Unknown template `"))
}

/// A Tera error taken apart: its message, template and where in it.
struct TeraReport {
    message: String,
    template: Option<String>,
    place: Option<Place>,
}

/// Tera gives a byte range for most errors, only a printed `name:line:col` for others.
enum Place {
    Bytes(std::ops::Range<usize>),
    LineCol { line: usize, col: usize, len: usize },
}

/// Tera renders some errors as text only: "error: msg\n --> name:line:col\n ... ^^^".
/// Recovers the message, the template and the position from that text.
fn parse_report(text: &str) -> TeraReport {
    let first = text.lines().next().unwrap_or(text);
    let mut report = TeraReport {
        message: first.strip_prefix("error: ").unwrap_or(first).to_owned(),
        template: None,
        place: None,
    };
    let Some(location) = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
    else {
        return report;
    };
    let mut parts = location.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse::<usize>().ok());
    let line = parts.next().and_then(|l| l.parse::<usize>().ok());
    report.template = parts.next().map(str::to_owned);
    let len = text
        .lines()
        .last()
        .map_or(1, |l| l.matches('^').count().max(1));
    if let (Some(line), Some(col)) = (line, col) {
        report.place = Some(Place::LineCol { line, col, len });
    }
    report
}

fn new_tera(lookup: &SharedLookup, messages: &crate::messages::SharedMessages) -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    register_functions(&mut tera, lookup);
    register_messages(&mut tera, messages);
    let shared = messages.clone();
    tera.register_filter(
        "date",
        move |value: &str, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            date_filter(&shared, value, kwargs, state)
        },
    );
    let shared = messages.clone();
    tera.register_filter(
        "number",
        move |value: Value, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let language = language_of(&shared, state)?;
            number_filter(&shared.numbers(&language), value, kwargs)
        },
    );
    let shared = messages.clone();
    tera.register_function(
        "schema_view",
        move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
            let fields: Value = kwargs.must_get("fields")?;
            let schema: Value = kwargs.must_get("schema")?;
            let language = language_of(&shared, state)?;
            let speech = schema::Speech {
                numbers: shared.numbers(&language),
                yes: shared.word(&language, "yes", &[]),
                no: shared.word(&language, "no", &[]),
            };
            let as_json = |value: &Value| serde_json::to_value(value).unwrap_or_default();
            Ok(Value::from_serializable(&schema::view(
                &as_json(&fields),
                &as_json(&schema),
                &speech,
            )))
        },
    );
    tera.register_filter("markdown", MarkdownFilter);
    tera.register_filter("wrap", wrap_filter);
    tera
}

/// `text | wrap(width=1040, size=64, lines=3, bold=true)`: the text in lines that fit
/// `width` px at `size` px (estimated generously for every script), at most `lines` of them,
/// the last ending in `…` when the text is longer. SVG text does not wrap by itself: the
/// social card's template sets each line in a `<text>` of its own.
fn wrap_filter(value: &str, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let width: f64 = kwargs.must_get("width")?;
    let size: f64 = kwargs.must_get("size")?;
    let lines: Option<i64> = kwargs.get("lines")?;
    let bold: bool = kwargs.get("bold")?.unwrap_or(false);
    if !(width > 0.0 && size > 0.0) {
        return Err(Error::message(
            "`wrap` needs a `width` and a `size` above 0",
        ));
    }
    let max = lines.map_or(usize::MAX, |n| usize::try_from(n.max(1)).unwrap_or(1));
    let font = if bold { size * 1.1 } else { size };
    Ok(Value::from(
        crate::graphics::wrap_lines(value, width, font, max)
            .into_iter()
            .map(Value::from)
            .collect::<Vec<_>>(),
    ))
}

/// `t(key="published", date=…)`: message `key` in the language of the page being rendered
/// (its `lang`), with the other arguments as the message's values; `t_html` takes values that
/// are HTML (a `<time>` element, a link) and escapes only the message's own text.
fn register_messages(tera: &mut Tera, messages: &crate::messages::SharedMessages) {
    fn render(
        messages: &crate::messages::Messages,
        kwargs: &Kwargs,
        state: &State,
        html: bool,
    ) -> TeraResult<String> {
        let key: String = kwargs.must_get("key")?;
        let language: String = state
            .get::<String>("lang")?
            .unwrap_or_else(|| messages.default_language().to_owned());
        let mut args = Vec::new();
        let mut pieces = Vec::new();
        for (name, value) in kwargs.iter() {
            let name = name.as_str().unwrap_or_default();
            if name == "key" {
                continue;
            }
            let fluent = if value.is_number() {
                fluent_bundle::FluentValue::from(value.as_f64().unwrap_or_default())
            } else {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                if html {
                    // Stands in for the HTML until the message's text is escaped.
                    let token = format!("\u{E000}{}\u{E001}", pieces.len());
                    pieces.push((token.clone(), text));
                    fluent_bundle::FluentValue::from(token)
                } else {
                    fluent_bundle::FluentValue::from(text)
                }
            };
            args.push((name.to_owned(), fluent));
        }
        let args: Vec<(&str, fluent_bundle::FluentValue)> =
            args.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        let text = messages
            .format(&language, &key, &args)
            .map_err(Error::message)?;
        if !html {
            return Ok(text);
        }
        let mut escaped = crate::publish::xml_escape(&text);
        for (token, piece) in pieces {
            escaped = escaped.replace(&token, &piece);
        }
        Ok(escaped)
    }
    let shared = messages.clone();
    tera.register_function(
        "t",
        move |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            render(&shared, &kwargs, state, false)
        },
    );
    let shared = messages.clone();
    tera.register_function(
        "script_messages",
        move |_: Kwargs, state: &State| -> TeraResult<Value> {
            let language: String = state
                .get::<String>("lang")?
                .unwrap_or_else(|| shared.default_language().to_owned());
            let json = shared.script_messages(&language).map_err(Error::message)?;
            Ok(Value::safe_string(&json))
        },
    );
    let shared = messages.clone();
    tera.register_function(
        "t_html",
        move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
            render(&shared, &kwargs, state, true).map(|html| Value::safe_string(&html))
        },
    );
}

impl TemplateSources {
    /// Every message key the templates name with a literal (`t(key="published")`), with
    /// where: what `Messages::check_keys` checks in every edition's language.
    pub fn message_keys(&self) -> BTreeMap<String, Vec<(SourceFile, std::ops::Range<usize>)>> {
        let mut keys: BTreeMap<String, Vec<(SourceFile, std::ops::Range<usize>)>> = BTreeMap::new();
        for file in self.files.values() {
            let text = &*file.text;
            for pattern in ["t(key=", "t_html(key="] {
                for (at, _) in text.match_indices(pattern) {
                    let before = text.get(..at).and_then(|t| t.chars().next_back());
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let start = at + pattern.len();
                    let rest = text.get(start..).unwrap_or_default();
                    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
                    else {
                        continue;
                    };
                    let key_start = start + 1;
                    let after = text.get(key_start..).unwrap_or_default();
                    let Some(key) = after.find(quote).and_then(|len| after.get(..len)) else {
                        continue;
                    };
                    keys.entry(key.to_owned())
                        .or_default()
                        .push((file.clone(), key_start..key_start + key.len()));
                }
            }
        }
        keys
    }
}

fn lookup_of(lookup: &SharedLookup) -> TeraResult<Arc<Lookup>> {
    lookup
        .get()
        .ok_or_else(|| Error::message("site data is not ready yet (internal error)"))
}

fn register_functions(tera: &mut Tera, lookup: &SharedLookup) {
    let shared = lookup.clone();
    tera.register_function(
        "get_page",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            note_content_read();
            let path: String = kwargs.must_get("path")?;
            let key = path.trim_start_matches("@/");
            let site = lookup_of(&shared)?;
            let index = site.pages.get(key).copied();
            let page = index.and_then(|index| {
                let summary = site.summaries.get(index)?;
                Some(with_body(summary, Some(&site.contents), &site.tocs, index))
            });
            page.ok_or_else(|| {
                Error::message(format!(
                    "get_page: no page `content/{key}`{}",
                    hint(key, site.pages.keys())
                ))
            })
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "get_section",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            note_content_read();
            let path: String = kwargs.must_get("path")?;
            let key = path.trim_start_matches("@/");
            let site = lookup_of(&shared)?;
            let section = site.sections.get(key);
            section
                .map(|parts| parts.value_from(&site.summaries))
                .ok_or_else(|| {
                    Error::message(format!(
                        "get_section: no section `content/{key}`{}",
                        hint(key, site.sections.keys())
                    ))
                })
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "load_data",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path: String = kwargs.must_get("path")?;
            let on: Option<String> = kwargs.get("on")?;
            let key = path.trim_start_matches("data/");
            let site = lookup_of(&shared)?;
            let Some(on) = on else {
                if let Some(value) = site.data.values.get(key) {
                    return Ok(value.clone());
                }
                // A file no template names by a literal path: its value made here.
                let file = site.data.files.get(key).ok_or_else(|| {
                    Error::message(format!(
                        "load_data: no data file `data/{key}`{}",
                        hint(key, site.data.files.keys())
                    ))
                })?;
                let today = site.data.today.unwrap_or_default();
                return Ok(Value::from_serializable(&*file.template_value_on(today)));
            };
            let file = versioned_file(&site.data, "load_data", key)?;
            let on = date_argument("load_data", &on, &site.data)?;
            Ok(Value::from_serializable(&*file.template_value_on(on)))
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "value_at",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let data: String = kwargs.must_get("data")?;
            let row: String = kwargs.must_get("row")?;
            let column: String = kwargs.must_get("column")?;
            let on: Option<String> = kwargs.get("on")?;
            let site = lookup_of(&shared)?;
            let key = data.trim_start_matches("data/");
            let file = data_file(&site.data, "value_at", key)?;
            let on = match on {
                Some(text) => date_argument("value_at", &text, &site.data)?,
                None => site.data.today.unwrap_or_default(),
            };
            if !file.has_column(&column) {
                return Err(Error::message(format!(
                    "value_at: {}",
                    file.missing_column(&column)
                )));
            }
            // No row in force is no value: templates test it with `is defined` / `| default`.
            Ok(file
                .row_on(&row, on)
                .ok()
                .and_then(|r| r.cells.get(&column))
                .map(|cell| Value::from_serializable(crate::data::plain(cell)))
                .unwrap_or_else(Value::none))
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "history",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let data: String = kwargs.must_get("data")?;
            let row: String = kwargs.must_get("row")?;
            let site = lookup_of(&shared)?;
            let key = data.trim_start_matches("data/");
            let file = versioned_file(&site.data, "history", key)?;
            let rows: Vec<&serde_json::Map<String, serde_json::Value>> =
                file.history(&row).into_iter().map(|r| &r.cells).collect();
            Ok(Value::from_serializable(&rows))
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "get_taxonomy",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            note_content_read();
            let kind: String = kwargs.must_get("kind")?;
            let site = lookup_of(&shared)?;
            let taxonomy = site.taxonomies.get(&kind);
            taxonomy
                .map(|parts| parts.value_from(&site.summaries))
                .ok_or_else(|| {
                    Error::message(format!(
                        "get_taxonomy: no taxonomy `{kind}` in tradetalks.toml{}",
                        hint(&kind, site.taxonomies.keys())
                    ))
                })
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "get_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let cachebust: bool = kwargs.get("cachebust")?.unwrap_or(false);
            let site = lookup_of(&shared)?;
            let path = path.trim_start_matches('/');
            if cachebust {
                if !site.shared_files.has_fingerprint(path) {
                    note_files_read();
                }
                let busted = site
                    .shared_files
                    .cachebusted(path)
                    .map_err(|message| Error::message(format!("get_url: {message}")))?;
                return Ok(format!("{}{busted}", site.site_base_path));
            }
            let base = if site.shared_files.contains(path) {
                &site.site_base_path
            } else {
                &site.base_path
            };
            Ok(format!("{base}{path}"))
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "image_meta",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            note_files_read();
            let path: String = kwargs.must_get("path")?;
            let site = lookup_of(&shared)?;
            let key = image_path(&site, "image_meta", &path)?;
            let meta = site
                .images
                .meta(&key)
                .map_err(|problem| image_error("image_meta", &path, problem))?;
            Ok(Value::from_serializable(&serde_json::json!({
                "path": key,
                "url": format!("{}{}", site.site_base_path, crate::config::encode_path(&key)),
                "width": meta.width,
                "height": meta.height,
                "format": meta.kind.name(),
                "animated": meta.animated,
            })))
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            note_files_read();
            let path: String = kwargs.must_get("path")?;
            let op: Option<String> = kwargs.get("op")?;
            let width: Option<i64> = kwargs.get("width")?;
            let height: Option<i64> = kwargs.get("height")?;
            let format: Option<String> = kwargs.get("format")?;
            let quality: Option<i64> = kwargs.get("quality")?;
            let resize = crate::images::Resize::from_arguments(
                op.as_deref(),
                width,
                height,
                format.as_deref(),
                quality,
            )
            .map_err(|why| Error::message(format!("resize_image: {why}")))?;
            let site = lookup_of(&shared)?;
            let key = image_path(&site, "resize_image", &path)?;
            let variant = site
                .images
                .resize(&key, &resize)
                .map_err(|problem| image_error("resize_image", &path, problem))?;
            if let Ok(meta) = site.images.meta(&key) {
                RESIZED.with_borrow_mut(|resized| {
                    resized.push(crate::markdown::ImageRead {
                        path: key.clone(),
                        digest: meta.digest.clone(),
                        resize: Some(resize),
                    })
                });
            }
            Ok(Value::from_serializable(&serde_json::json!({
                "path": variant.path,
                "url": format!("{}{}", site.site_base_path, crate::config::encode_path(&variant.path)),
                "width": variant.width,
                "height": variant.height,
                "format": variant.format.name(),
            })))
        },
    );
}

/// The site path of a picture as a template names it: its path in the site (`img/map.png`
/// for `static/img/map.png`, `countries/japan/port.jpg` for a page bundle's file), with or
/// without a leading `/`.
fn image_path(site: &Lookup, function: &str, path: &str) -> TeraResult<String> {
    let key = path.trim_start_matches('/').to_owned();
    if site.images.meta(&key) != Err(crate::images::Problem::Missing) {
        return Ok(key);
    }
    let hint = site
        .images
        .nearest(&key)
        .map(|near| format!("; did you mean `{near}`?"))
        .unwrap_or_default();
    Err(Error::message(format!(
        "{function}: `{path}` is not a picture of the site (a file of `static/` or of a page bundle, by its path in the site){hint}"
    )))
}

fn image_error(function: &str, path: &str, problem: crate::images::Problem) -> Error {
    match problem {
        crate::images::Problem::Missing => {
            Error::message(format!("{function}: `{path}` is not a picture of the site"))
        }
        crate::images::Problem::Unreadable(why) | crate::images::Problem::TooLarge(why) => {
            Error::message(format!("{function}: `{path}` cannot be used: {why}"))
        }
    }
}

/// The data file `key` (`rates.csv`) for a template function named `function`.
fn data_file<'a>(
    data: &'a DataLookup,
    function: &str,
    key: &str,
) -> TeraResult<&'a crate::data::DataFile> {
    data.files.get(key).ok_or_else(|| {
        Error::message(format!(
            "{function}: no data file `data/{key}`{}",
            hint(key, data.files.keys())
        ))
    })
}

/// `data_file`, which must keep its values through time.
fn versioned_file<'a>(
    data: &'a DataLookup,
    function: &str,
    key: &str,
) -> TeraResult<&'a crate::data::DataFile> {
    let file = data_file(data, function, key)?;
    if file.versions().is_none() {
        return Err(Error::message(format!(
            "{function}: `data/{key}` is not kept through time: its schema names no `effective` column"
        )));
    }
    Ok(file)
}

/// A template function's `on` argument: a date, or `today` (the build date).
fn date_argument(function: &str, text: &str, data: &DataLookup) -> TeraResult<jiff::civil::Date> {
    if text == "today" {
        return Ok(data.today.unwrap_or_default());
    }
    crate::content::front_matter::parse_date(text).map_err(|message| {
        Error::message(format!(
            "{function}: `on` must be a date (YYYY-MM-DD) or `today`: {message}"
        ))
    })
}

fn hint<'a>(wrong: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    crate::diagnostic::did_you_mean(wrong, candidates.map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}

/// `{{ page.date | date }}`: a `YYYY-MM-DD` date as the page's language writes it (`2 April
/// 2025`, `2025年4月2日`); `date(format="%Y-%m-%d")` formats it with `strftime` instead.
fn date_filter(
    messages: &crate::messages::Messages,
    value: &str,
    kwargs: Kwargs,
    state: &State,
) -> TeraResult<String> {
    let format: Option<String> = kwargs.get("format")?;
    let date = crate::content::front_matter::parse_date(value)
        .map_err(|e| Error::message(format!("date: `{value}` is not a date: {e}")))?;
    let Some(format) = format else {
        let language: String = state
            .get::<String>("lang")?
            .unwrap_or_else(|| messages.default_language().to_owned());
        return Ok(messages.date(&language, date));
    };
    jiff::fmt::strtime::format(&format, date)
        .map_err(|e| Error::message(format!("date: bad format `{format}`: {e}")))
}

/// The language of the page being rendered (its `lang`), or the default edition's.
fn language_of(messages: &crate::messages::Messages, state: &State) -> TeraResult<String> {
    Ok(state
        .get::<String>("lang")?
        .unwrap_or_else(|| messages.default_language().to_owned()))
}

/// `{{ value | number }}`: a number as tables and charts write it in the page's language
/// (`99,000`, `−16.6`, `1,52,000` in Hindi);
/// `number(decimals=1)` rounds, `number(unit="%")` adds a unit as figures carry it. Text that
/// is not a number passes through unchanged, and an undefined value or none is empty.
fn number_filter(
    numbers: &crate::shortcodes::format::Numbers,
    value: Value,
    kwargs: Kwargs,
) -> TeraResult<String> {
    let decimals: Option<i64> = kwargs.get("decimals")?;
    let unit: Option<String> = kwargs.get("unit")?;
    let n = value.as_f64().filter(|_| value.is_number()).or_else(|| {
        value
            .as_str()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite())
    });
    let Some(n) = n else {
        if value.is_undefined() || value.is_none() {
            return Ok(String::new());
        }
        return Ok(value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned));
    };
    let n = match decimals {
        Some(d @ 0..=12) => {
            let factor = 10f64.powi(d as i32);
            (n * factor).round() / factor
        }
        Some(d) => {
            return Err(Error::message(format!(
                "number: `decimals` is {d}; give a whole number from 0 to 12"
            )));
        }
        None => n,
    };
    let digits = crate::shortcodes::format::plain_digits(n);
    let digits = match (decimals, digits.split_once('.')) {
        // Keep the decimals asked for: `number(decimals=1)` of 24 is `24.0`.
        (Some(d), Some((whole, frac))) if (frac.len() as i64) < d => {
            format!("{whole}.{frac:0<width$}", width = d as usize)
        }
        (Some(d), None) if d > 0 => format!("{digits}.{}", "0".repeat(d as usize)),
        _ => digits,
    };
    let text = numbers.digits(&digits);
    Ok(crate::shortcodes::format::attach_unit(
        text,
        unit.as_deref(),
    ))
}

/// `{{ text | markdown }}` renders Markdown; `markdown(inline=true)` drops the paragraph.
struct MarkdownFilter;

impl Filter<String, TeraResult<String>> for MarkdownFilter {
    fn call(&self, value: String, kwargs: Kwargs, _: &State) -> TeraResult<String> {
        let inline: bool = kwargs.get("inline")?.unwrap_or(false);
        let parser = pulldown_cmark::Parser::new_ext(
            &value,
            pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION,
        );
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, parser);
        if inline {
            let trimmed = html.trim_end();
            if let Some(inner) = trimmed
                .strip_prefix("<p>")
                .and_then(|s| s.strip_suffix("</p>"))
                && !inner.contains("<p>")
            {
                return Ok(inner.to_owned());
            }
        }
        Ok(html)
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A render that runs inside another on the same thread (rayon runs a waiting thread's
    /// queued work there) keeps its reads apart from the outer render's, both ways.
    #[test]
    fn a_render_nested_on_one_thread_keeps_its_reads_apart() {
        fn looking(tera: &mut Tera) {
            tera.register_function("look", |_: Kwargs, _: &State| -> TeraResult<Value> {
                note_content_read();
                Ok(Value::from(""))
            });
        }
        let inner_reads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut inner = Tera::default();
        looking(&mut inner);
        inner.add_raw_template("plain", "plain").unwrap();
        inner.add_raw_template("reading", "{{ look() }}").unwrap();
        let inner = std::sync::Arc::new(inner);
        let mut outer = Tera::default();
        looking(&mut outer);
        let (tera, seen) = (inner.clone(), inner_reads.clone());
        outer.register_function(
            "nest",
            move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
                let name: String = kwargs.must_get("name")?;
                let (_, reads) = render_tracked(&tera, &name, &tera::Context::new());
                seen.lock().unwrap().push(reads.content);
                Ok(Value::from(""))
            },
        );
        outer
            .add_raw_template(
                "reads, then a plain one nested",
                "{{ look() }}{{ nest(name=\"plain\") }}",
            )
            .unwrap();
        outer
            .add_raw_template("a reading one nested", "{{ nest(name=\"reading\") }}")
            .unwrap();
        let context = tera::Context::new();
        let (_, reads) = render_tracked(&outer, "reads, then a plain one nested", &context);
        assert!(reads.content, "the outer render's read was lost");
        let (_, reads) = render_tracked(&outer, "a reading one nested", &context);
        assert!(!reads.content, "the nested render's read leaked out");
        assert_eq!(*inner_reads.lock().unwrap(), [false, true]);
    }

    fn sources(templates: &[(&str, &str)]) -> TemplateSources {
        let files = templates
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    SourceFile::new(format!("templates/{name}"), *name, *text),
                )
            })
            .collect();
        TemplateSources { files }
    }

    /// `load_data` gives a file's value whether or not it was made ahead: a file no
    /// `load_data` call names by a literal (here, none is made ahead) is made by the call, and
    /// a file that does not exist is an error that names the files that do.
    #[test]
    fn load_data_makes_the_value_of_a_file_not_made_ahead() {
        let csv = "id,país,rate\nJP,日本,24.5\nKR,한국,25\n";
        let file = SourceFile::new("data/r.csv", "/site/data/r.csv", csv);
        let (data, problems) = crate::data::parse_file(file, "r.csv".into(), None).unwrap();
        assert!(problems.is_empty());
        let files: crate::data::DataFiles = [("r.csv".to_owned(), data)].into_iter().collect();
        let today = jiff::civil::date(2025, 4, 2);
        let made_ahead = Value::from_serializable(&*files["r.csv"].template_value_on(today));
        let set = sources(&[
            (
                "a.html",
                "{% set d = load_data(path=\"r.csv\") %}{{ d.rows[1][\"país\"] }} {{ d.rows[0].rate }}",
            ),
            ("b.html", "{{ load_data(path=\"data/rs.csv\") }}"),
        ]);
        let lookup = SharedLookup::default();
        let tera = set.compile(&lookup, &Default::default()).unwrap();
        let render = |values: BTreeMap<String, Value>| {
            lookup.set(Lookup {
                data: DataLookup {
                    values,
                    files: Arc::new(files.clone()),
                    today: Some(today),
                },
                ..Lookup::default()
            });
            tera.render("a.html", &tera::Context::new()).unwrap()
        };
        let ahead = render([("r.csv".to_owned(), made_ahead)].into_iter().collect());
        assert_eq!(ahead, "한국 24.5");
        assert_eq!(render(BTreeMap::new()), ahead);
        let err = tera.render("b.html", &tera::Context::new()).unwrap_err();
        let message = format!("{err:?}");
        assert!(message.contains("no data file `data/rs.csv`"), "{message}");
        assert!(message.contains("r.csv"), "{message}");
    }

    #[test]
    fn every_broken_template_is_reported() {
        let set = sources(&[
            ("a.html", "{{ x | nofilter }}"),
            ("b.html", "{% if %}"),
            ("c.html", "ok"),
        ]);
        let errs = set
            .compile(&SharedLookup::default(), &Default::default())
            .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].position().unwrap(), "templates/a.html:1:8");
        assert!(
            errs[0].message.contains("Unknown filter"),
            "{}",
            errs[0].message
        );
        assert!(
            errs[1]
                .position()
                .unwrap()
                .starts_with("templates/b.html:1:")
        );
    }

    #[test]
    fn render_errors_point_into_the_template() {
        let set = sources(&[("p.html", "<p>\n{{ page.tile }}</p>")]);
        let tera = set
            .compile(&SharedLookup::default(), &Default::default())
            .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("page", &serde_json::json!({"title": "x"}));
        let err = tera.render("p.html", &ctx).unwrap_err();
        let d = set.diagnostic(&err);
        assert_eq!(d.position().unwrap(), "templates/p.html:2:9");
        assert!(d.message.contains("`tile` is not defined"), "{}", d.message);
    }

    #[test]
    fn values_are_escaped_and_markdown_is_safe() {
        let set = sources(&[(
            "e.html",
            "{{ t }}|{{ m | markdown(inline=true) }}|{{ d | date }}",
        )]);
        let lookup = SharedLookup::default();
        let tera = set.compile(&lookup, &Default::default()).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("t", "<script>");
        ctx.insert("m", "*x*");
        ctx.insert("d", "2025-04-02");
        assert_eq!(
            tera.render("e.html", &ctx).unwrap(),
            "&lt;script&gt;|<em>x</em>|2 April 2025"
        );
    }
}
