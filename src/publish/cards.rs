//! Social cards: the picture a shared link shows (`og:image`, 1200 × 630 px) for every page
//! and section. Each card is the template `social.svg` (built in, or the site's own) rendered
//! with the values the page's own template gets, then drawn to PNG with resvg in the fonts
//! graphics use. A card drawn before from the same SVG comes from the build cache, so a second
//! build, or an edit that leaves a page's title and figures alone, draws nothing.

use tera::{Context, Tera};

use crate::cache::Cache;
use crate::graphics::png::{Drawn, Fonts};

/// The template a card is rendered from.
pub const TEMPLATE: &str = "social.svg";
/// A card's size in pixels: what Facebook, LinkedIn, X and Slack show full width.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// Where the card of the page or section at `site_path` is published: `social.png` in its
/// folder (`countries/japan/social.png`; `social.png` for the home page).
pub fn path_of(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}social.png")
    } else {
        format!("{site_path}/social.png")
    }
}

/// `meta.image` for a card or an editor's own picture at `url`: what `base.html` prints as
/// `og:image` and `twitter:image`.
pub fn meta_image(
    url: String,
    width: Option<u32>,
    height: Option<u32>,
    alt: &str,
) -> serde_json::Value {
    serde_json::json!({"url": url, "width": width, "height": height, "alt": alt})
}

/// Where a page's own `image` leads: an `https://` (or `http://`) URL as written; a path
/// starting with `/` to that file of `static/` (`/img/japan.jpg`); anything else to a file of
/// the page's folder (`port.jpg` beside `index.md` of a page bundle).
pub fn own_image(site_path: &str, image: &str) -> OwnImage {
    if image.starts_with("https://") || image.starts_with("http://") {
        return OwnImage::Url(image.to_owned());
    }
    match image.strip_prefix('/') {
        Some(rooted) => OwnImage::File(rooted.to_owned()),
        None => {
            let folder = if site_path.is_empty() || site_path.ends_with('/') {
                site_path.to_owned()
            } else {
                format!("{site_path}/")
            };
            OwnImage::File(format!("{folder}{}", image.trim_start_matches("./")))
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum OwnImage {
    Url(String),
    /// A site path.
    File(String),
}

/// An error for every page and section whose `image` is no file of the site.
pub fn check_images(
    content: &crate::content::Content,
    files: &super::assets::SharedFiles,
) -> Vec<crate::diagnostic::Diagnostic> {
    let pages = content.pages.iter().map(|p| (&p.file, &p.front, &p.path));
    let sections = content
        .sections
        .values()
        .filter_map(|s| Some((s.file.as_ref()?, &s.front, &s.path)));
    pages
        .chain(sections)
        .filter_map(|(file, front, path)| {
            // A translation's picture taken from its source is checked there.
            if front.inherited.iter().any(|name| name == "image") {
                return None;
            }
            let (image, span) = front.image.as_ref()?;
            let OwnImage::File(site_path) = own_image(path, image) else {
                return None;
            };
            if files.contains(&site_path) {
                return None;
            }
            // The nearest file, written as the editor writes it here.
            let hint = files
                .nearest(&site_path)
                .map(|near| match near.strip_prefix(path.as_str()) {
                    Some(beside) if !image.starts_with('/') => beside.to_owned(),
                    _ => format!("/{near}"),
                })
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            Some(
                crate::diagnostic::Diagnostic::error(format!(
                    "`image` names `{image}`, which is not a file of the site{hint}"
                ))
                .at(file, span.clone())
                .with_note(format!("looked for `{site_path}`"))
                .with_help("put the picture beside the page (a page bundle: the page as `index.md` in a folder of its own), or in `static/` and write its path from `/`; or give an `https://` URL"),
            )
        })
        .collect()
}

/// What draws cards: the fonts of graphics and the build cache.
#[derive(Clone, Copy)]
pub struct Cards<'a> {
    pub fonts: &'a Fonts,
    pub cache: &'a Cache,
}

/// A card as drawn for one page.
#[derive(Debug)]
pub enum Card {
    /// The PNG, to publish at `path`, and its key in the build cache.
    Drawn {
        path: String,
        png: Vec<u8>,
        key: Option<crate::cache::Key>,
    },
    /// Not drawn: no font on this machine has these characters of its text (a card with boxes
    /// for letters would be published otherwise).
    MissingGlyphs(Vec<char>),
}

/// Why a card could not be drawn at all: the site's `social.svg` is at fault.
#[derive(Debug)]
pub enum CardError {
    /// The template did not render (an unknown variable, a failing filter).
    Template(tera::Error),
    /// What it rendered is not an SVG resvg can draw.
    Drawing(String),
}

/// The cards a build could not draw for want of fonts, told as one warning.
#[derive(Debug, Default)]
pub struct Undrawn {
    pages: usize,
    first: Option<String>,
    missing: std::collections::BTreeSet<char>,
}

impl Undrawn {
    /// Notes a page (from `file`) whose card lacks `missing` characters, if any.
    pub fn note(&mut self, missing: &[char], file: Option<&str>) {
        if missing.is_empty() {
            return;
        }
        self.pages += 1;
        if self.first.is_none() {
            self.first = file.map(str::to_owned);
        }
        self.missing.extend(missing);
    }

    pub fn warning(self) -> Option<crate::diagnostic::Diagnostic> {
        if self.pages == 0 {
            return None;
        }
        let shown: String = self.missing.iter().take(12).collect();
        let others = match self.pages {
            1 => String::new(),
            n => format!(" (and {} other pages)", n - 1),
        };
        let mut warning = crate::diagnostic::Diagnostic::warning(format!(
            "the social card of this page{others} was not drawn: no font on this machine draws `{shown}`"
        ))
        .with_note("a card with boxes for letters would be published otherwise; these pages are shared without a picture")
        .with_help("install fonts for these characters (on Debian and Ubuntu: `fonts-noto-core` and `fonts-noto-cjk`), or put a font file in the site's `fonts/` folder");
        if let Some(file) = &self.first {
            warning = warning.in_file(file);
        }
        Some(warning)
    }
}

impl Cards<'_> {
    /// The card of the page or section at `site_path`, rendered with `context` (the page's
    /// own, `meta` included) in an edition in `language`.
    pub fn draw(
        &self,
        tera: &Tera,
        context: &Context,
        site_path: &str,
        language: &str,
    ) -> Result<Card, CardError> {
        let svg = tera
            .render(TEMPLATE, context)
            .map_err(CardError::Template)?;
        let picture = crate::graphics::Picture {
            svg,
            width: f64::from(WIDTH),
            height: f64::from(HEIGHT),
        };
        match self
            .fonts
            .draw(&picture, language, 1.0, self.cache)
            .map_err(CardError::Drawing)?
        {
            Drawn::Png(png, key) => Ok(Card::Drawn {
                path: path_of(site_path),
                png,
                key,
            }),
            Drawn::Missing(missing) => Ok(Card::MissingGlyphs(missing)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_sit_in_their_pages_folders() {
        assert_eq!(path_of(""), "social.png");
        assert_eq!(path_of("ja/"), "ja/social.png");
        assert_eq!(path_of("countries/japan/"), "countries/japan/social.png");
        assert_eq!(path_of("about"), "about/social.png");
    }

    #[test]
    fn own_images_are_urls_static_files_or_bundle_files() {
        assert_eq!(
            own_image("a/", "https://x.org/p.jpg"),
            OwnImage::Url("https://x.org/p.jpg".into())
        );
        assert_eq!(
            own_image("a/", "/img/p.jpg"),
            OwnImage::File("img/p.jpg".into())
        );
        assert_eq!(
            own_image("countries/japan/", "./port.jpg"),
            OwnImage::File("countries/japan/port.jpg".into())
        );
    }
}
