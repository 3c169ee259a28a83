//! Shortcodes: `{{ name(args) }}` and `{% name(args) %}…{% end %}` in Markdown bodies.
//!
//! A body is parsed (`parse`), each call is rendered to HTML through its template
//! `shortcodes/NAME.html` (built-ins prepare their data in Rust first: `table`, `chart`,
//! `timeline`), and the call is replaced by a placeholder token before Markdown runs; the
//! token is swapped for the HTML afterwards. Markdown never sees shortcode HTML, and its
//! positions are mapped back to the file through an `OffsetMap`.

mod args;
mod changes;
mod chart;
pub mod format;
mod map;
pub mod parse;
mod spark;
mod steps;
mod table;
mod timeline;
mod travel;

pub(crate) use chart::dot_path;

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::Date;
use serde_json::{Value, json};
use tera::{Context, Tera};

use crate::config::Config;
use crate::content::Content;
use crate::data::DataFiles;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::markdown::{self, OffsetMap, RenderEnv, Rendered};
use crate::source::SourceFile;
use crate::templates::TemplateSources;
use args::{Args, BUILTINS, Builtin};
use parse::{Call, Node};

/// Built-in shortcode templates, overridable from `templates/shortcodes/`.
pub const BUILTIN_TEMPLATES: [(&str, &str); 12] = [
    (
        "shortcodes/figure.html",
        include_str!("../../templates/shortcodes/figure.html"),
    ),
    (
        "shortcodes/embed.html",
        include_str!("../../templates/shortcodes/embed.html"),
    ),
    (
        "shortcodes/share.html",
        include_str!("../../templates/shortcodes/share.html"),
    ),
    (
        "shortcodes/map.html",
        include_str!("../../templates/shortcodes/map.html"),
    ),
    (
        "shortcodes/table.html",
        include_str!("../../templates/shortcodes/table.html"),
    ),
    (
        "shortcodes/compare.html",
        include_str!("../../templates/shortcodes/compare.html"),
    ),
    (
        "shortcodes/chart.html",
        include_str!("../../templates/shortcodes/chart.html"),
    ),
    (
        "shortcodes/changes.html",
        include_str!("../../templates/shortcodes/changes.html"),
    ),
    (
        "shortcodes/chart_step.html",
        include_str!("../../templates/shortcodes/chart_step.html"),
    ),
    (
        "shortcodes/timeline.html",
        include_str!("../../templates/shortcodes/timeline.html"),
    ),
    (
        "shortcodes/note.html",
        include_str!("../../templates/shortcodes/note.html"),
    ),
    (
        "shortcodes/source.html",
        include_str!("../../templates/shortcodes/source.html"),
    ),
];

/// Everything shortcodes read: the whole site, loaded and checked.
pub struct ShortcodeEnv<'a> {
    pub tera: &'a Tera,
    pub templates: &'a TemplateSources,
    pub config: &'a Config,
    pub content: &'a Content,
    pub data: &'a DataFiles,
    pub markdown: &'a RenderEnv<'a>,
    /// The build date: timelines mark events before it as past.
    pub today: Date,
    /// Words and dates in the edition's language.
    pub messages: &'a crate::messages::Messages,
    /// The default edition's content, in another edition: its pages stand in for those the
    /// edition has no translation of in section shortcodes (`compare`, `chart(section=…)`).
    pub fallback: Option<&'a Content>,
    /// The fonts graphics are rasterised in (their PNG downloads).
    pub fonts: &'a crate::graphics::png::Fonts,
    /// Where PNGs drawn before are kept (the build cache, or none).
    pub pictures: &'a crate::cache::Cache,
}

impl ShortcodeEnv<'_> {
    /// How the edition writes numbers.
    pub fn numbers(&self) -> format::Numbers<'_> {
        self.messages.numbers(&self.config.language)
    }

    /// Message `key` in the edition's language, for words the shortcodes write themselves.
    pub fn word(&self, key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]) -> String {
        self.messages.word(&self.config.language, key, args)
    }
}

/// Whether a `chart` call asks for a value through time (`kind="step"` or `"line"`).
fn is_step(call: &Call) -> bool {
    call.arg("kind").is_some_and(
        |a| matches!(&a.value, parse::ArgValue::Str(kind) if kind == "step" || kind == "line"),
    )
}

/// The page (or section) whose body is being rendered.
pub struct PageInfo<'a> {
    pub title: &'a str,
    /// Site path of the page (`countries/japan/`): downloads are written under it.
    pub path: &'a str,
    pub content_path: &'a str,
}

/// A body rendered to HTML, plus the files its tables offer for download.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Expanded {
    pub rendered: Rendered,
    /// Output path (`countries/japan/table-1.csv`) to contents.
    #[serde(with = "crate::cache::files")]
    pub downloads: Vec<(String, Vec<u8>)>,
}

/// Renders the Markdown body `file.text[body]` with its shortcodes expanded.
pub fn render_body(
    env: &ShortcodeEnv,
    file: &SourceFile,
    body: Range<usize>,
    page: &PageInfo,
) -> (Expanded, Vec<Diagnostic>) {
    let text = file.text.get(body.clone()).unwrap_or_default();
    if !parse::may_contain_shortcodes(text) {
        let (rendered, problems) = markdown::render(file, body, page.path, env.markdown);
        return (
            Expanded {
                rendered,
                downloads: Vec::new(),
            },
            problems,
        );
    }
    let (nodes, errors) = parse::parse(text, body.start);
    let mut expander = Expander {
        env,
        file,
        page,
        marks: Marks::free_in(&file.text),
        counters: BTreeMap::new(),
        downloads: Vec::new(),
        problems: errors
            .into_iter()
            .map(|e| {
                let d = Diagnostic::error(format!("shortcode: {}", e.message)).at(file, e.span);
                match e.help {
                    Some(help) => d.with_help(help),
                    None => d,
                }
            })
            .collect(),
        nested: Rendered::default(),
        reads_content: std::cell::Cell::new(false),
    };
    let mut rendered = expander.markdown(&nodes);
    rendered.reads_content = expander.reads_content.get();
    rendered.links.append(&mut expander.nested.links);
    rendered
        .heading_ids
        .append(&mut expander.nested.heading_ids);
    rendered
        .code_styles
        .append(&mut expander.nested.code_styles);
    rendered.images.append(&mut expander.nested.images);
    (
        Expanded {
            rendered,
            downloads: expander.downloads,
        },
        expander.problems,
    )
}

struct Expander<'a> {
    env: &'a ShortcodeEnv<'a>,
    file: &'a SourceFile,
    page: &'a PageInfo<'a>,
    /// What brackets the placeholders of calls in this file's Markdown.
    marks: Marks,
    /// Per-page numbering of generated ids (`table-1`, `chart-2`).
    counters: BTreeMap<&'static str, usize>,
    downloads: Vec<(String, Vec<u8>)>,
    problems: Vec<Diagnostic>,
    /// Whether a shortcode read other pages (a section's pages as a table or chart).
    reads_content: std::cell::Cell<bool>,
    /// Links and heading ids found in shortcode bodies, merged into the page's.
    nested: Rendered,
}

/// The two characters that bracket a call's placeholder in the Markdown: private-use
/// characters, which Markdown passes through untouched, chosen among those the file does not
/// contain, so that no text an editor writes can pass for a placeholder.
#[derive(Debug, Clone, Copy)]
struct Marks {
    open: char,
    close: char,
}

impl Marks {
    fn free_in(text: &str) -> Marks {
        let mut free = ('\u{E000}'..='\u{F8FF}').filter(|&c| !text.contains(c));
        match (free.next(), free.next()) {
            (Some(open), Some(close)) => Marks { open, close },
            // A file holding 6,398 of the 6,400 private-use characters: noncharacters then.
            _ => Marks {
                open: '\u{FDD0}',
                close: '\u{FDD1}',
            },
        }
    }

    /// Placeholder for the HTML of call number `index`.
    fn token(self, index: usize) -> String {
        format!("{}{index}{}", self.open, self.close)
    }
}

impl Expander<'_> {
    /// Renders nodes as Markdown with every call's HTML in its place.
    fn markdown(&mut self, nodes: &[Node]) -> Rendered {
        let mut text = String::new();
        let mut offsets = OffsetMap::default();
        let mut outputs = Vec::new();
        for node in nodes {
            match node {
                Node::Text(range) => {
                    offsets.push(text.len(), range.start);
                    text.push_str(self.file.text.get(range.clone()).unwrap_or_default());
                }
                Node::Call(call) => {
                    let (html, block) = self.call(call);
                    offsets.push(text.len(), call.span.start);
                    if block {
                        text.push_str("\n\n");
                        text.push_str(&self.marks.token(outputs.len()));
                        text.push_str("\n\n");
                    } else {
                        text.push_str(&self.marks.token(outputs.len()));
                    }
                    outputs.push(html);
                }
            }
        }
        let (mut rendered, problems) = markdown::render_text(
            self.file,
            &text,
            &offsets,
            self.page.path,
            self.env.markdown,
        );
        self.problems.extend(problems);
        rendered.html = substitute(&rendered.html, &outputs, self.marks);
        rendered
    }

    /// Renders one call; returns its HTML and whether it is a block.
    fn call(&mut self, call: &Call) -> (String, bool) {
        let builtin = BUILTINS.iter().find(|b| b.name == call.name);
        let template = if call.name == "chart" && is_step(call) {
            "shortcodes/chart_step.html".to_owned()
        } else {
            format!("shortcodes/{}.html", call.name)
        };
        if builtin.is_none() && !self.env.templates.contains(&template) {
            self.unknown(call);
            return (String::new(), false);
        }
        let block = builtin.is_some_and(|b| b.block) || call.body.is_some();
        if block && !self.stands_alone(call) {
            self.problems.push(
                Diagnostic::error(format!(
                    "shortcode `{}` makes a block, so it must stand on its own line",
                    call.name
                ))
                .at(self.file, call.name_span.clone())
                .with_help("put it on a line of its own, with a blank line before and after"),
            );
            return (String::new(), false);
        }
        let result = match builtin {
            Some(builtin) => self.builtin(builtin, call),
            None => self.site_shortcode(call).map(|context| (context, None)),
        };
        match result {
            Ok((context, graphic)) => {
                match crate::templates::render_tracked(self.env.tera, &template, &context) {
                    (Ok(html), reads) => {
                        // A site shortcode that looked pages up renders again when they change.
                        if reads.content {
                            self.reads_content.set(true);
                        }
                        // The copies it resized are published whenever the body is.
                        self.nested.images.extend(reads.resized);
                        let html = html.trim().to_owned();
                        match graphic {
                            // Tables, charts and maps travel: embed page, SVG, PNG, CSV.
                            Some(id) => (self.travel(call, &id, html), block),
                            None => (html, block),
                        }
                    }
                    (Err(err), _) => {
                        let at = self.file.line_col(call.span.start);
                        self.problems
                            .push(self.env.templates.diagnostic(&err).with_note(format!(
                                "while expanding `{}` at {}:{}:{}",
                                call.name, self.file.name, at.line, at.col
                            )));
                        (String::new(), block)
                    }
                }
            }
            Err(problems) => {
                self.problems.extend(problems);
                (String::new(), block)
            }
        }
    }

    fn unknown(&mut self, call: &Call) {
        let site_names: Vec<String> = self
            .env
            .templates
            .names()
            .filter_map(|n| n.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .map(str::to_owned)
            .collect();
        let known = BUILTINS
            .iter()
            .map(|b| b.name)
            .chain(site_names.iter().map(String::as_str));
        let mut d = Diagnostic::error(format!("unknown shortcode `{}`", call.name))
            .at(self.file, call.name_span.clone());
        d = match did_you_mean(&call.name, known) {
            Some(help) => d.with_help(help),
            None => d.with_help(format!(
                "add `templates/shortcodes/{}.html`, or write `\\{{{{` for a literal `{{{{`",
                call.name
            )),
        };
        self.problems.push(d);
    }

    /// Whether the call is the only thing on its line(s).
    fn stands_alone(&self, call: &Call) -> bool {
        let text = &self.file.text;
        let before = text.get(..call.span.start).unwrap_or_default();
        let after = text.get(call.span.end..).unwrap_or_default();
        let line_before = before.rsplit('\n').next().unwrap_or_default();
        let line_after = after.split('\n').next().unwrap_or_default();
        line_before.trim().is_empty() && line_after.trim().is_empty()
    }

    fn next_id(&mut self, kind: &'static str, args: &Args) -> String {
        if let Some(id) = args.str("id") {
            return id.to_owned();
        }
        let n = self.counters.entry(kind).or_insert(0);
        *n += 1;
        format!("{kind}-{n}")
    }

    /// Renders a body shortcode's body to HTML.
    fn body_html(&mut self, call: &Call) -> Option<String> {
        let body = call.body.as_ref()?;
        let mut rendered = self.markdown(&body.nodes);
        self.nested.links.append(&mut rendered.links);
        self.nested.heading_ids.append(&mut rendered.heading_ids);
        self.nested.code_styles.append(&mut rendered.code_styles);
        self.nested.images.append(&mut rendered.images);
        Some(rendered.html)
    }

    /// A built-in's template context, and the id of the graphic it draws (a table, chart or
    /// map), which then gets its embed page and downloads.
    fn builtin(
        &mut self,
        builtin: &Builtin,
        call: &Call,
    ) -> Result<(Context, Option<String>), Vec<Diagnostic>> {
        let args = Args::check(builtin, call, self.file)?;
        let body = self.body_html(call);
        let mut context = Context::new();
        let mut graphic = None;
        match builtin.name {
            "table" => {
                let id = self.next_id("table", &args);
                graphic = Some(id.clone());
                let view = table::data_table(self, &args, &id)?;
                context.insert("table", &view);
            }
            "compare" => {
                let id = self.next_id("table", &args);
                graphic = Some(id.clone());
                let view = table::compare(self, &args, &id)?;
                context.insert("table", &view);
            }
            "chart" if matches!(args.str("kind"), Some("step" | "line")) => {
                let id = self.next_id("chart", &args);
                graphic = Some(id.clone());
                let view = steps::steps(self, &args, &id)?;
                context.insert("chart", &view);
            }
            "chart" => {
                let id = self.next_id("chart", &args);
                graphic = Some(id.clone());
                let view = chart::chart(self, &args, &id)?;
                context.insert("chart", &view);
            }
            "map" => {
                let id = self.next_id("map", &args);
                graphic = Some(id.clone());
                let view = map::map(self, &args, &id)?;
                context.insert("map", &view);
            }
            "changes" => {
                let id = self.next_id("table", &args);
                graphic = Some(id.clone());
                let view = changes::changes(self, &args, &id)?;
                context.insert("table", &view.table);
                context.insert("unchanged", &view.unchanged);
            }
            "timeline" => {
                let id = self.next_id("timeline", &args);
                let view = timeline::timeline(self, &args, &id)?;
                context.insert("timeline", &view);
            }
            "figure" => {
                let src = args.str("src").unwrap_or_default();
                let decorative = args.bool("decorative").unwrap_or(false);
                let alt = args.str("alt").unwrap_or_default();
                if alt.trim().is_empty() && !decorative {
                    return Err(vec![
                        self.error(
                            "this figure has no alt text: readers who cannot see it are told nothing",
                            call.name_span.clone(),
                        )
                        .with_help("say what it shows, `alt=\"The port of Santos at dusk\"`; a picture that only decorates says `decorative=true`"),
                    ]);
                }
                let alt = if decorative { "" } else { alt };
                let shown = crate::images::page_image(
                    self.env.markdown.images,
                    self.env.markdown.base_path,
                    self.page.path,
                    src,
                    alt,
                    args.str("title"),
                );
                let (html, read) = shown.map_err(|problem| {
                    let span = call
                        .arg("src")
                        .map_or(call.name_span.clone(), |arg| arg.span.clone());
                    vec![problem.at(self.file, span)]
                })?;
                self.nested.images.extend(read);
                context.insert("image", &tera::Value::safe_string(&html));
                for name in ["src", "caption", "credit"] {
                    context.insert(name, &args.str(name));
                }
                context.insert("alt", alt);
            }
            "note" => {
                let kind = args.str("kind").unwrap_or("context");
                context.insert("kind", kind);
                context.insert("title", &args.str("title"));
            }
            "source" => {
                for name in ["title", "publisher", "url"] {
                    context.insert(name, &args.str(name));
                }
                let date = args.str("date");
                context.insert("date", &date);
                let language = &self.env.config.language;
                context.insert(
                    "date_text",
                    &date.map(|d| self.env.messages.date_text(language, d)),
                );
            }
            _ => {}
        }
        context.insert("body", &tera::Value::safe_string(&body.unwrap_or_default()));
        context.insert("page", &self.page_value());
        context.insert("lang", &self.env.config.language);
        Ok((context, graphic))
    }

    /// A site's own shortcode gets its arguments as variables, `body`, `page` and `config`.
    fn site_shortcode(&mut self, call: &Call) -> Result<Context, Vec<Diagnostic>> {
        let body = self.body_html(call);
        let mut context = Context::new();
        for arg in &call.args {
            context.insert(arg.name.clone(), &arg.arg.value.to_json());
        }
        context.insert("body", &tera::Value::safe_string(&body.unwrap_or_default()));
        context.insert("page", &self.page_value());
        context.insert("lang", &self.env.config.language);
        context.insert(
            "config",
            &json!({
                "title": self.env.config.title,
                "base_url": self.env.config.base_url,
                "base_path": self.env.config.base_path,
                "extra": self.env.config.extra,
            }),
        );
        Ok(context)
    }

    fn page_value(&self) -> Value {
        json!({
            "title": self.page.title,
            "path": self.page.path,
            "url": self.env.config.url_path(self.page.path),
            "content_path": self.page.content_path,
        })
    }

    /// Offers `rows` (a header row first) as `{page}/{id}.csv`; returns its URL.
    fn download(&mut self, id: &str, rows: &[Vec<String>]) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in rows {
            // Writing to a Vec cannot fail.
            let _ = writer.write_record(row);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        let path = format!("{}{id}.csv", self.page.path);
        let url = self.env.config.url_path(&path);
        self.downloads.push((path, bytes));
        url
    }

    fn error(&self, message: impl Into<String>, span: Range<usize>) -> Diagnostic {
        Diagnostic::error(message).at(self.file, span)
    }
}

/// Puts each call's HTML where its token is; a token that Markdown wrapped in a paragraph of
/// its own replaces the whole paragraph.
fn substitute(html: &str, outputs: &[String], marks: Marks) -> String {
    let mut out =
        String::with_capacity(html.len() + outputs.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some((before, after_open)) = rest.split_once(marks.open) {
        let Some((number, after_close)) = after_open.split_once(marks.close) else {
            break;
        };
        let Some(output) = number.parse::<usize>().ok().and_then(|i| outputs.get(i)) else {
            out.push_str(before);
            out.push(marks.open);
            rest = after_open;
            continue;
        };
        out.push_str(before);
        let mut tail = after_close;
        if let Some(after_paragraph) = tail.strip_prefix("</p>")
            && let Some(kept) = out.strip_suffix("<p>")
        {
            out.truncate(kept.len());
            tail = after_paragraph;
        }
        out.push_str(output);
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_alone_in_a_paragraph_replace_the_paragraph() {
        let outputs = vec!["<table></table>".to_owned(), "<cite>x</cite>".to_owned()];
        let marks = Marks::free_in("");
        let html = format!(
            "<p>{}</p>\n<p>See {} here</p>",
            marks.token(0),
            marks.token(1)
        );
        assert_eq!(
            substitute(&html, &outputs, marks),
            "<table></table>\n<p>See <cite>x</cite> here</p>"
        );
    }

    #[test]
    fn stray_private_use_characters_are_kept() {
        let html = "a \u{E000}99\u{E001} b \u{E000}";
        assert_eq!(substitute(html, &[], Marks::free_in("")), html);
    }

    #[test]
    fn text_that_looks_like_a_placeholder_is_never_replaced() {
        // The editor's text holds the first private-use characters: others mark the calls.
        let text = "a \u{E000}0\u{E001} b";
        let marks = Marks::free_in(text);
        assert!(!text.contains(marks.open) && !text.contains(marks.close));
        let html = format!("<p>{text} {}</p>", marks.token(0));
        assert_eq!(
            substitute(&html, &["<b>x</b>".to_owned()], marks),
            format!("<p>{text} <b>x</b></p>")
        );
    }
}
