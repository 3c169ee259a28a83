//! Markdown to HTML with pulldown-cmark, as a few small passes over its events: heading ids
//! and anchors (collected into a table of contents), highlighted code blocks, and `@/` links
//! resolved to URLs. Problems come back with their byte range in the file.

pub mod highlight;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::content::slug::slugify;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use highlight::escape;

/// What Markdown rendering needs from the rest of the site.
pub struct RenderEnv<'a> {
    /// Content path (`countries/japan.md`) to the URL of the page or section.
    pub urls: &'a BTreeMap<String, String>,
    /// Content paths of files that failed to load: links to them stay quiet.
    pub broken: &'a std::collections::BTreeSet<String>,
    /// Pages left out until their date: a link to one is an error that says so.
    pub scheduled: &'a [crate::content::Scheduled],
    pub smart_punctuation: bool,
    /// How headings become anchors.
    pub slugify: crate::content::slug::SlugMode,
    /// The themes code is highlighted in; `None` leaves code plain.
    pub highlight: Option<highlight::Themes>,
    /// In an edition, the pages `@/` links reach in the default edition because the edition
    /// has no translation of them, and that edition's language: such a link says so
    /// (`hreflang`).
    pub fallbacks: Option<(&'a std::collections::BTreeSet<String>, &'a str)>,
    /// The site's pictures, which images are resolved against (`images`).
    pub images: &'a crate::images::Catalog,
    /// The site's base path (`/` or `/explainer/`), before the URLs of pictures.
    pub base_path: &'a str,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A resolved `@/` link, kept so that its `#anchor` can be checked once every page is rendered.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InternalLink {
    pub target: String,
    pub anchor: Option<String>,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// The URL it became (`/countries/japan/#at-home`).
    pub href: String,
}

impl Rendered {
    /// Every heading's text, in order.
    pub fn toc_titles(&self) -> Vec<&str> {
        toc_titles(&self.toc)
    }
}

/// Every heading's text of a table of contents, in order.
pub fn toc_titles(toc: &[TocEntry]) -> Vec<&str> {
    fn walk<'a>(entries: &'a [TocEntry], out: &mut Vec<&'a str>) {
        for entry in entries {
            out.push(&entry.title);
            walk(&entry.children, out);
        }
    }
    let mut out = Vec::new();
    walk(toc, &mut out);
    out
}

/// The part of a rendered body before its `<!-- more -->` marker (written on a line of its
/// own, as Hugo and Zola take it), which lists and feeds show as the page's summary.
pub fn summary_of(html: &str) -> Option<&str> {
    ["<!-- more -->", "<!--more-->"]
        .into_iter()
        .filter_map(|marker| html.find(marker))
        .min()
        .and_then(|at| html.get(..at))
        .map(str::trim_end)
        .filter(|summary| !summary.is_empty())
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Rendered {
    pub html: String,
    /// The HTML before the body's `<!-- more -->` marker (`summary_of`), if it has one.
    pub summary: Option<String>,
    pub toc: Vec<TocEntry>,
    pub heading_ids: Vec<String>,
    pub links: Vec<InternalLink>,
    pub word_count: usize,
    /// How highlighted tokens look: `syntax.css` has a rule for each style any page uses.
    pub code_styles: std::collections::BTreeSet<highlight::CodeStyle>,
    /// Whether a shortcode in the body read other pages: the body then changes with them.
    pub reads_content: bool,
    /// The pictures of the site the body shows, with the hash of their bytes: the body is
    /// rendered again when one changes, and their resized copies are published.
    pub images: Vec<ImageRead>,
}

/// A picture a body shows: its site path and the hash of the bytes it was shown from, and
/// the copy a shortcode asked for with `resize_image` (`None`: the copies at the site's widths).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageRead {
    pub path: String,
    pub digest: String,
    pub resize: Option<crate::images::Resize>,
}

/// Maps byte offsets in a Markdown text back to its file. The text is usually a slice of the
/// file; after shortcode expansion it is a new string whose pieces came from different places.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// `(offset in the text, offset in the file)` where each piece starts, in text order.
    pieces: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// A text that is the file from `base` on.
    pub fn starting_at(base: usize) -> OffsetMap {
        OffsetMap {
            pieces: vec![(0, base)],
        }
    }

    /// Records that the text from `text_offset` on comes from the file at `file_offset`.
    pub fn push(&mut self, text_offset: usize, file_offset: usize) {
        self.pieces.push((text_offset, file_offset));
    }

    pub fn to_file(&self, text_offset: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|&(start, _)| start <= text_offset)
            .saturating_sub(1);
        match self.pieces.get(index) {
            Some(&(start, file)) => file + (text_offset - start.min(text_offset)),
            None => text_offset,
        }
    }
}

/// Renders `file.text[body]`. Broken `@/` links are returned as diagnostics alongside the
/// HTML, so one page can report several.
/// `folder` is the site path of the page's folder (`countries/japan/`), which an image's
/// relative path starts from.
pub fn render(
    file: &SourceFile,
    body: Range<usize>,
    folder: &str,
    env: &RenderEnv,
) -> (Rendered, Vec<Diagnostic>) {
    render_text(
        file,
        file.text.get(body.clone()).unwrap_or_default(),
        &OffsetMap::starting_at(body.start),
        folder,
        env,
    )
}

/// Renders Markdown `text` whose offsets `offsets` maps into `file`.
pub fn render_text(
    file: &SourceFile,
    text: &str,
    offsets: &OffsetMap,
    folder: &str,
    env: &RenderEnv,
) -> (Rendered, Vec<Diagnostic>) {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if env.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    let mut pass = Pass {
        file,
        offsets,
        env,
        folder,
        rendered: Rendered::default(),
        problems: Vec::new(),
        used_ids: HashSet::new(),
        headings: Vec::new(),
    };
    let events: Vec<(Event, Range<usize>)> =
        Parser::new_ext(text, options).into_offset_iter().collect();
    let out = pass.transform(events);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    pass.rendered.html = html;
    pass.rendered.toc = nest(&pass.headings);
    (pass.rendered, pass.problems)
}

struct Pass<'a> {
    file: &'a SourceFile,
    offsets: &'a OffsetMap,
    env: &'a RenderEnv<'a>,
    /// Site path of the page's folder, where relative image paths start.
    folder: &'a str,
    rendered: Rendered,
    problems: Vec<Diagnostic>,
    used_ids: HashSet<String>,
    headings: Vec<(u8, String, String)>,
}

impl<'a> Pass<'a> {
    fn transform<'e>(&mut self, events: Vec<(Event<'e>, Range<usize>)>) -> Vec<Event<'e>> {
        let mut out = Vec::with_capacity(events.len());
        let mut iter = events.into_iter();
        while let Some((event, range)) = iter.next() {
            match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let inner =
                        take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                    let inner = inner.into_iter().map(|(e, r)| self.link(e, r)).collect();
                    out.push(self.heading(level, id.map(|s| s.to_string()), inner));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let inner =
                        take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                    let code: String = inner
                        .iter()
                        .filter_map(|(e, _)| match e {
                            Event::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    let lang = match &kind {
                        CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next(),
                        CodeBlockKind::Indented => None,
                    };
                    let block = highlight::code_block(&code, lang, self.env.highlight);
                    self.rendered.code_styles.extend(block.styles);
                    out.push(Event::Html(CowStr::from(block.html)));
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let inner = take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::Image)));
                    let title = self.image_title(&inner, title, range.clone());
                    let alt = plain_text(&inner);
                    let span = self.offsets.to_file(range.start)..self.offsets.to_file(range.end);
                    match self.image(&dest_url, &alt, &title, span) {
                        Some(html) => out.push(Event::InlineHtml(CowStr::from(html))),
                        None => {
                            out.push(Event::Start(Tag::Image {
                                link_type,
                                dest_url,
                                title,
                                id,
                            }));
                            out.extend(inner.into_iter().map(|(e, _)| e));
                            out.push(Event::End(TagEnd::Image));
                        }
                    }
                }
                Event::Text(ref t) => {
                    self.rendered.word_count += word_count(t);
                    out.push(event);
                }
                other => out.push(self.link(other, range)),
            }
        }
        out
    }

    /// An image's title, after checking that the image says what it shows: an image with no
    /// alt text is an error at its position, unless its title marks it `"decorative"` (it
    /// then gets `alt=""`, which screen readers skip, and no title).
    fn image_title<'e>(
        &mut self,
        alt: &[(Event<'e>, Range<usize>)],
        title: CowStr<'e>,
        range: Range<usize>,
    ) -> CowStr<'e> {
        let described = alt.iter().any(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => !t.trim().is_empty(),
            Event::InlineHtml(_) | Event::Html(_) | Event::InlineMath(_) => true,
            _ => false,
        });
        if title.trim() == DECORATIVE {
            return CowStr::from("");
        }
        if !described {
            let span = self.offsets.to_file(range.start)..self.offsets.to_file(range.end);
            self.problems.push(
                Diagnostic::error("this image has no alt text: readers who cannot see it are told nothing")
                    .at(self.file, span)
                    .with_help("write what it shows between the brackets, `![The port of Santos at dusk](santos.jpg)`; an image that only decorates says so: `![](santos.jpg \"decorative\")`"),
            );
        }
        title
    }

    /// An image as the page shows it: a picture of the site with its resized copies, or an
    /// image from elsewhere as it is; lazily loaded either way. A picture that is missing or
    /// damaged is an error at the image (and `None`: the image stays as written).
    fn image(&mut self, src: &str, alt: &str, title: &str, span: Range<usize>) -> Option<String> {
        let shown = crate::images::page_image(
            self.env.images,
            self.env.base_path,
            self.folder,
            src,
            alt,
            Some(title),
        );
        match shown {
            Ok((html, read)) => {
                self.rendered.images.extend(read);
                Some(html)
            }
            Err(problem) => {
                self.problems.push(problem.at(self.file, span));
                None
            }
        }
    }

    /// Rewrites `@/path.md#anchor` links to the target's URL.
    fn link<'e>(&mut self, event: Event<'e>, range: Range<usize>) -> Event<'e> {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) = event
        else {
            return event;
        };
        let Some(target) = dest_url.strip_prefix("@/") else {
            return Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            });
        };
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor.to_owned())),
            None => (target, None),
        };
        let span = self.offsets.to_file(range.start)..self.offsets.to_file(range.end);
        let url = match self.env.urls.get(path) {
            Some(url) => {
                let href = match &anchor {
                    Some(anchor) => format!("{url}#{anchor}"),
                    None => url.clone(),
                };
                self.rendered.links.push(InternalLink {
                    target: path.to_owned(),
                    anchor: anchor.clone(),
                    span,
                    href: href.clone(),
                });
                href
            }
            // The file exists but failed to load; its own error says why.
            None if self.env.broken.contains(path) => String::from("#"),
            None if let Some(later) =
                self.env.scheduled.iter().find(|s| s.content_path == path) =>
            {
                self.problems.push(
                    Diagnostic::error(format!(
                        "this links to `content/{path}`, which is scheduled for {}: it is left out of the site until then",
                        later.date
                    ))
                    .at(self.file, span)
                    .with_help(
                        "link to it once it is published, or build with `--future` (or an `--as-of` on or after its date) to include it",
                    ),
                );
                String::from("#")
            }
            None => {
                let mut d =
                    Diagnostic::error(format!("broken internal link: no page `content/{path}`"))
                        .at(self.file, span);
                if let Some(help) =
                    crate::diagnostic::did_you_mean(path, self.env.urls.keys().map(String::as_str))
                {
                    d = d.with_help(help);
                }
                self.problems.push(d);
                String::from("#")
            }
        };
        // A link to the default edition's page, the edition having none: the same link, which
        // says the page it leads to is in another language.
        if let Some((fallbacks, language)) = self.env.fallbacks
            && fallbacks.contains(path)
        {
            let title = if title.is_empty() {
                String::new()
            } else {
                format!(" title=\"{}\"", highlight::escape(&title))
            };
            return Event::Html(CowStr::from(format!(
                "<a href=\"{}\" hreflang=\"{}\"{title}>",
                highlight::escape(&url),
                highlight::escape(language)
            )));
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(url),
            title,
            id,
        })
    }

    fn heading<'e>(
        &mut self,
        level: HeadingLevel,
        custom_id: Option<String>,
        inner: Vec<Event<'e>>,
    ) -> Event<'e> {
        let title: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        self.rendered.word_count += word_count(&title);
        let id = self.unique_id(custom_id.unwrap_or_else(|| slugify(&title, self.env.slugify)));
        let mut inner_html = String::new();
        pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
        let level_number = level as u8;
        self.headings
            .push((level_number, id.clone(), title.clone()));
        self.rendered.heading_ids.push(id.clone());
        Event::Html(CowStr::from(format!(
            "<h{level_number} id=\"{id}\">{inner_html} <a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to the section: {}\">#</a></h{level_number}>\n",
            escape(&title)
        )))
    }

    fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_owned()
        } else {
            escape(&base)
        };
        let mut id = base.clone();
        let mut n = 1;
        while !self.used_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// The text of events (an image's alt text), without its markup.
pub fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => Some(t.as_ref()),
            Event::SoftBreak | Event::HardBreak => Some(" "),
            _ => None,
        })
        .collect()
}

/// The title that marks an image as decoration (`![](border.png "decorative")`), whose
/// empty alt text is then meant.
pub const DECORATIVE: &str = "decorative";

fn take_until<'e>(
    iter: &mut impl Iterator<Item = (Event<'e>, Range<usize>)>,
    is_end: impl Fn(&Event) -> bool,
) -> Vec<(Event<'e>, Range<usize>)> {
    let mut inner = Vec::new();
    for (event, range) in iter.by_ref() {
        if is_end(&event) {
            break;
        }
        inner.push((event, range));
    }
    inner
}

/// Nests a flat list of headings by level: an `h3` after an `h2` becomes its child.
fn nest(headings: &[(u8, String, String)]) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry {
            level: *level,
            id: id.clone(),
            title: title.clone(),
            children: Vec::new(),
        };
        insert(&mut root, entry);
    }
    root
}

fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

/// Words in `text`, for reading time: runs between spaces, except in scripts written
/// without spaces (Chinese, Japanese), where two characters count as a word (a reader takes
/// in about 500 Japanese characters a minute against 220 English words).
pub fn word_count(text: &str) -> usize {
    let unspaced = |c: char| {
        matches!(c as u32,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
    };
    text.split_whitespace()
        .map(|run| {
            if run.is_ascii() {
                return 1;
            }
            let wide = run.chars().filter(|&c| unspaced(c)).count();
            if wide == 0 { 1 } else { wide.div_ceil(2) }
        })
        .sum()
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_summary_is_the_body_before_the_more_marker() {
        assert_eq!(
            summary_of("<p>First.</p>\n<!-- more -->\n<p>Rest.</p>"),
            Some("<p>First.</p>")
        );
        assert_eq!(summary_of("<p>A</p><!--more--><p>B</p>"), Some("<p>A</p>"));
        assert_eq!(summary_of("<p>No marker.</p>"), None);
        assert_eq!(summary_of("<!-- more --><p>Nothing before.</p>"), None);
    }

    use super::*;

    /// A catalog of small pictures at the given site paths.
    fn pictures(paths: &[&str]) -> crate::images::Catalog {
        let mut png = Vec::new();
        image::RgbImage::new(40, 30)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let tree = crate::source::Tree::memory(paths.iter().map(|p| (p.to_string(), png.clone())));
        let files = paths.iter().map(|p| (p.to_string(), tree.root().join(p)));
        crate::images::Catalog::scan(
            &tree,
            files,
            crate::images::Settings::default(),
            crate::cache::Cache::none(),
        )
    }

    fn render_text(text: &str) -> (Rendered, Vec<Diagnostic>) {
        let images = pictures(&[
            "a/port.jpg",
            "a/quay.png",
            "a/pier.png",
            "a/border.png",
            "a/t.png",
            "img/logo.png",
        ]);
        render_with(text, &images)
    }

    fn render_with(text: &str, images: &crate::images::Catalog) -> (Rendered, Vec<Diagnostic>) {
        let urls: BTreeMap<String, String> = [(
            "countries/japan.md".to_owned(),
            "/countries/japan/".to_owned(),
        )]
        .into();
        let broken = std::collections::BTreeSet::new();
        let env = RenderEnv {
            urls: &urls,
            broken: &broken,
            scheduled: &[],
            smart_punctuation: true,
            slugify: crate::content::slug::SlugMode::Unicode,
            highlight: highlight::Themes::named("InspiredGitHub", "base16-ocean.dark").ok(),
            fallbacks: None,
            images,
            base_path: "/",
        };
        let file = SourceFile::new("content/a.md", "/a.md", text);
        render(&file, 0..text.len(), "a/", &env)
    }

    #[test]
    fn an_image_without_alt_text_is_an_error_at_its_position_unless_decorative() {
        let (r, problems) = render_text(
            "![The port at dusk](port.jpg)\n\nText ![](quay.png) and ![  ](pier.png).\n\n![](border.png \"decorative\")\n",
        );
        assert!(
            r.html
                .contains("width=\"40\" height=\"30\" alt=\"The port at dusk\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<img src=\"/a/border-40.") && r.html.contains("alt=\"\" loading"),
            "{}",
            r.html
        );
        let spans: Vec<(usize, String)> = problems
            .iter()
            .map(|p| {
                let line = p.location.as_ref().unwrap().line.as_ref().unwrap();
                (
                    line.line,
                    line.text
                        .get(line.span.clone())
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                (3, "![](quay.png)".to_owned()),
                (3, "![  ](pier.png)".to_owned())
            ]
        );
        assert!(problems[0].message.contains("no alt text"));
        // Alt text in code or emphasis counts.
        let (_, problems) = render_text("![`24%` *tariff*](t.png)\n");
        assert!(problems.is_empty());
    }

    #[test]
    fn pictures_of_the_site_are_offered_at_their_widths_and_missing_ones_are_errors() {
        let (r, problems) = render_text(
            "Intro.\n\n![The port](port.jpg \"At dusk\")\n\n![Logo](/img/logo.png)\n\n![Away](https://example.org/x.jpg)\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            r.images.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(),
            ["a/port.jpg", "img/logo.png"]
        );
        assert!(
            r.html
                .contains("<picture><source type=\"image/webp\" srcset=\"/a/port-40."),
            "{}",
            r.html
        );
        assert!(r.html.contains(" title=\"At dusk\""), "{}", r.html);
        assert!(
            r.html
                .contains("<img src=\"https://example.org/x.jpg\" alt=\"Away\" loading=\"lazy\""),
            "{}",
            r.html
        );
        // Misspelt, from the page's folder and from `/`; a folder above; a damaged file.
        let (_, problems) =
            render_text("![Port](prot.jpg)\n\n![Logo](/img/logoo.png)\n\n![Up](../a/port.jpg)\n");
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the image `prot.jpg` is not a file of the site; did you mean `port.jpg`?",
                "the image `/img/logoo.png` is not a file of the site; did you mean `/img/logo.png`?",
            ]
        );
        let tree = crate::source::Tree::memory([(
            "a/bad.jpg".to_owned(),
            b"\xff\xd8 not really".to_vec(),
        )]);
        let damaged = crate::images::Catalog::scan(
            &tree,
            [("a/bad.jpg".to_owned(), tree.root().join("a/bad.jpg"))],
            crate::images::Settings::default(),
            crate::cache::Cache::none(),
        );
        let (_, problems) = render_with("![Bad](bad.jpg)\n", &damaged);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .message
                .starts_with("the image `bad.jpg` cannot be shown: "),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_a_toc() {
        let (r, _) =
            render_text("## Who talks\n\n### Japan\n\n## Who talks\n\n## Custom {#mine}\n");
        assert!(r.html.contains(
            "<h2 id=\"who-talks\">Who talks <a class=\"heading-anchor\" href=\"#who-talks\""
        ));
        assert!(r.html.contains("id=\"who-talks-1\""));
        assert!(r.html.contains("id=\"mine\""));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[0].children[0].id, "japan");
    }

    #[test]
    fn internal_links_resolve_or_fail_at_their_position() {
        let (r, problems) = render_text(
            "See [Japan](@/countries/japan.md#at-home).\n\nAnd [x](@/countries/japn.md).\n",
        );
        assert!(r.html.contains("href=\"/countries/japan/#at-home\""));
        assert_eq!(r.links[0].anchor.as_deref(), Some("at-home"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].position().unwrap(), "content/a.md:3:5");
        assert_eq!(
            problems[0].help.as_deref(),
            Some("did you mean `countries/japan.md`?")
        );
    }

    #[test]
    fn gfm_extensions_are_on() {
        let (r, _) = render_text(
            "| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~x~~ - [x] done[^1]\n\n[^1]: note\n\n\"quoted\"\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("footnote-definition"));
        assert!(r.html.contains("\u{201c}quoted\u{201d}"));
    }

    #[test]
    fn code_blocks_are_highlighted_and_not_link_rewritten() {
        let (r, problems) = render_text("```rust\nlet x = \"@/nowhere.md\";\n```\n");
        assert!(r.html.contains("hl-"));
        assert!(problems.is_empty());
    }
}
