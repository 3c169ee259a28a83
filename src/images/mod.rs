//! Images: the pictures of a site (files of page bundles and `static/`), read once a build
//! for their kind, size and a hash of their bytes (`Catalog::scan`); each picture a page shows
//! is resized to the site's widths and encoded as WebP beside its own format the first time
//! a page shows it (`Catalog::variants`, kept in the build cache by the hash), and offered
//! with `srcset` and `sizes` in a `<picture>` (`html`).
//!
//! The catalog holds each picture's variants once made, for every page that shows it: a
//! query answered once per build, whose answer is a pure function of the file's bytes and
//! the `[images]` settings, so the order pages render in changes nothing.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, KeyBuilder};
use crate::markdown::highlight::escape;
use crate::source::Tree;

/// `[images]` in `tradetalks.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The widths (in pixels) each picture is resized to, as far as it is wide.
    pub widths: Vec<u32>,
    /// JPEG and WebP quality, 1–100.
    pub quality: u8,
    /// The `sizes` attribute: how wide a picture shows at each width of the window.
    pub sizes: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            widths: vec![480, 960, 1600],
            quality: 80,
            // The text column is 65ch (about 40rem) wide, less 2rem of margin on a phone.
            sizes: "(min-width: 44rem) 40rem, calc(100vw - 2rem)".to_owned(),
        }
    }
}

/// The largest picture tradetalks resizes: 50 megapixels (200 MB decoded).
pub const MAX_PIXELS: u64 = 50_000_000;

/// The extensions of the files the catalog reads.
pub const EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "gif", "webp", "svg"];

/// Whether a site path names a picture the catalog reads.
pub fn is_image(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, extension)| {
        EXTENSIONS
            .iter()
            .any(|known| extension.eq_ignore_ascii_case(known))
    })
}

/// What a picture's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Svg,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
            Kind::Svg => "svg",
        }
    }
}

/// A picture as read from its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    /// An animated GIF or WebP: published as it is (resizing would keep one frame).
    pub animated: bool,
    /// The first hex digits of the BLAKE3 hash of its bytes.
    pub digest: String,
}

impl Meta {
    /// Whether the picture is resized and re-encoded (SVG scales by itself; an animation
    /// would lose its frames).
    pub fn is_resized(&self) -> bool {
        self.kind != Kind::Svg && !self.animated
    }
}

/// One resized and encoded copy of a picture.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    /// Site path (`countries/japan/port-960.1a2b3c4d.webp`).
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    #[serde(with = "crate::cache::bytes")]
    pub bytes: Vec<u8>,
}

/// What a variant is encoded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Format {
    Webp,
    Jpeg,
    Png,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpeg",
            Format::Png => "png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

/// A picture of the site.
struct Picture {
    source: PathBuf,
    meta: Result<Meta, String>,
    variants: OnceLock<Result<Arc<Vec<Arc<Variant>>>, Problem>>,
}

/// A copy `resize_image` asked for, or why it could not be made.
type Made = Result<Arc<Variant>, Problem>;

/// A part of a picture: left, top, width, height.
pub type Crop = (u32, u32, u32, u32);

/// Every picture of the site, by site path.
pub struct Catalog {
    tree: Tree,
    settings: Settings,
    cache: Cache,
    pictures: BTreeMap<String, Picture>,
    /// The site's other files, which a page may still show as they are (an AVIF, a BMP).
    others: std::collections::BTreeSet<String>,
    /// Copies templates asked for with `resize_image`, made once each.
    resized: std::sync::Mutex<BTreeMap<(String, Resize), Made>>,
    /// Pictures whose copies came from the build cache, and those encoded.
    hits: std::sync::atomic::AtomicUsize,
    misses: std::sync::atomic::AtomicUsize,
}

/// Why a picture a page shows cannot be offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No file of the site has this path.
    Missing,
    /// The file is there but is no picture tradetalks reads, or is damaged: why, in our words.
    Unreadable(String),
    /// More pixels than tradetalks decodes (`MAX_PIXELS`): why, in our words.
    TooLarge(String),
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog::empty()
    }
}

impl Catalog {
    /// Reads every picture among `files` (site path, file): its header and the hash of its
    /// bytes, in parallel.
    pub fn scan(
        tree: &Tree,
        files: impl IntoIterator<Item = (String, PathBuf)>,
        settings: Settings,
        cache: Cache,
    ) -> Catalog {
        let mut others = std::collections::BTreeSet::new();
        let files: Vec<(String, PathBuf)> = files
            .into_iter()
            .filter_map(|(path, source)| {
                if is_image(&path) {
                    Some((path, source))
                } else {
                    others.insert(path);
                    None
                }
            })
            .collect();
        let pictures = files
            .into_par_iter()
            .map(|(path, source)| {
                let meta = match tree.read(&source) {
                    Ok(bytes) => read_meta(&bytes),
                    Err(err) => Err(format!("it could not be read: {err}")),
                };
                let picture = Picture {
                    source,
                    meta,
                    variants: OnceLock::new(),
                };
                (path, picture)
            })
            .collect();
        Catalog {
            tree: tree.clone(),
            settings,
            cache,
            pictures,
            others,
            resized: Default::default(),
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    /// A catalog of no pictures (a test, or a body rendered outside a build).
    pub fn empty() -> Catalog {
        Catalog {
            tree: Tree::memory(std::iter::empty::<(String, Vec<u8>)>()),
            settings: Settings::default(),
            cache: Cache::none(),
            pictures: BTreeMap::new(),
            others: Default::default(),
            resized: Default::default(),
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    /// How many pictures' copies came from the build cache, and how many were encoded.
    pub fn stats(&self) -> crate::cache::Stats {
        crate::cache::Stats {
            hits: self.hits.load(std::sync::atomic::Ordering::Relaxed),
            misses: self.misses.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The site paths of every picture.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.pictures.keys().map(String::as_str)
    }

    /// What the picture at `path` is.
    pub fn meta(&self, path: &str) -> Result<&Meta, Problem> {
        let picture = self.pictures.get(path).ok_or(Problem::Missing)?;
        picture
            .meta
            .as_ref()
            .map_err(|why| Problem::Unreadable(why.clone()))
    }

    /// The picture whose path is nearest to `path` (a misspelt name), if one is near.
    pub fn nearest(&self, path: &str) -> Option<&str> {
        crate::diagnostic::nearest(path, self.pictures.keys().map(String::as_str))
    }

    /// The resized copies of the picture at `path` (none for an SVG or an animation), made
    /// on first asking (or taken from the build cache), then kept for the build.
    pub fn variants(&self, path: &str) -> Result<Arc<Vec<Arc<Variant>>>, Problem> {
        let meta = self.meta(path)?;
        let Some(picture) = self.pictures.get(path) else {
            return Err(Problem::Missing);
        };
        if !meta.is_resized() {
            return Ok(Arc::new(Vec::new()));
        }
        picture
            .variants
            .get_or_init(|| {
                let key = KeyBuilder::new("image")
                    .add_key(&crate::cache::build_id())
                    .add(&meta.digest)
                    .add(path)
                    .add(format!("{:?}", self.settings))
                    .finish();
                if let Some(variants) = self.cache.get::<Vec<Variant>>("images", &key) {
                    self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Ok(Arc::new(variants.into_iter().map(Arc::new).collect()));
                }
                let bytes = self.read_missed(picture)?;
                let variants = make_variants(path, meta, &bytes, &self.settings)?;
                self.cache.put("images", &key, &variants);
                Ok(Arc::new(variants.into_iter().map(Arc::new).collect()))
            })
            .clone()
    }

    /// The copy of the picture at `path` that `resize` asks for (`resize_image`), made on
    /// first asking (or taken from the build cache), then kept for the build.
    pub fn resize(&self, path: &str, resize: &Resize) -> Result<Arc<Variant>, Problem> {
        let key = (path.to_owned(), resize.clone());
        if let Ok(resized) = self.resized.lock()
            && let Some(done) = resized.get(&key)
        {
            return done.clone();
        }
        let made = self.make_resized(path, resize);
        if let Ok(mut resized) = self.resized.lock() {
            resized.entry(key).or_insert_with(|| made.clone());
        }
        made
    }

    /// The bytes of a picture whose copies the build cache did not have (counted as a miss).
    fn read_missed(&self, picture: &Picture) -> Result<Vec<u8>, Problem> {
        self.misses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.tree
            .read(&picture.source)
            .map_err(|err| Problem::Unreadable(format!("it could not be read: {err}")))
    }

    fn make_resized(&self, path: &str, resize: &Resize) -> Result<Arc<Variant>, Problem> {
        let meta = self.meta(path)?;
        let picture = self.pictures.get(path).ok_or(Problem::Missing)?;
        if !meta.is_resized() {
            return Err(Problem::Unreadable(
                "it is an SVG or an animation, which is shown as it is and never resized"
                    .to_owned(),
            ));
        }
        let quality = resize.quality.unwrap_or(self.settings.quality);
        let key = KeyBuilder::new("resized")
            .add_key(&crate::cache::build_id())
            .add(&meta.digest)
            .add(path)
            .add(format!("{resize:?} {quality}"))
            .finish();
        if let Some(variant) = self.cache.get::<Variant>("images", &key) {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(Arc::new(variant));
        }
        let bytes = self.read_missed(picture)?;
        let decoded = decode(meta, &bytes)?;
        let (width, height, crop) = resize.size(meta.width, meta.height);
        let mut picture = decoded;
        if let Some((x, y, w, h)) = crop {
            picture = picture.crop_imm(x, y, w, h);
        }
        if (picture.width(), picture.height()) != (width, height) {
            picture = picture.resize_exact(width, height, image::imageops::FilterType::CatmullRom);
        }
        let format = match resize.format {
            Some(format) => format,
            None if meta.kind == Kind::Jpeg => Format::Jpeg,
            None => Format::Png,
        };
        let encoded = encode(&picture, format, quality).map_err(Problem::Unreadable)?;
        let name_hash = {
            let hash = blake3::hash(format!("{} {resize:?} {quality}", meta.digest).as_bytes());
            hash.to_hex().get(..8).unwrap_or_default().to_owned()
        };
        let (prefix, stem) = prefix_and_stem(path);
        let variant = Variant {
            path: format!(
                "{prefix}{stem}-{width}x{height}.{name_hash}.{}",
                format.extension()
            ),
            width,
            height,
            format,
            bytes: encoded,
        };
        self.cache.put("images", &key, &variant);
        Ok(Arc::new(variant))
    }

    /// Every copy `resize_image` made this build.
    pub fn resized(&self) -> Vec<Arc<Variant>> {
        self.resized
            .lock()
            .map(|resized| resized.values().filter_map(|r| r.clone().ok()).collect())
            .unwrap_or_default()
    }

    /// The picture at `path` as a page shows it: its variants and the size it is drawn at.
    pub fn picture(&self, path: &str) -> Result<Shown, Problem> {
        let meta = self.meta(path)?.clone();
        let variants = self.variants(path)?;
        Ok(Shown {
            path: path.to_owned(),
            meta,
            variants,
        })
    }
}

/// How `resize_image` resizes a picture.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Resize {
    pub op: Op,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `None`: the picture's own kind (JPEG for a JPEG, PNG otherwise).
    pub format: Option<Format>,
    pub quality: Option<u8>,
}

/// `op` of `resize_image`, as Zola names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `width` wide, its height in proportion.
    FitWidth,
    /// `height` high, its width in proportion.
    FitHeight,
    /// As large as fits in `width`×`height`, in proportion.
    Fit,
    /// Exactly `width`×`height`, cropped about the centre to that shape.
    Fill,
    /// Exactly `width`×`height`, stretched.
    Scale,
}

impl Resize {
    /// Reads `resize_image`'s arguments; an error says what is wrong in the editor's words.
    pub fn from_arguments(
        op: Option<&str>,
        width: Option<i64>,
        height: Option<i64>,
        format: Option<&str>,
        quality: Option<i64>,
    ) -> Result<Resize, String> {
        let op = match op.unwrap_or(if height.is_some() && width.is_none() {
            "fit_height"
        } else if height.is_some() {
            "fill"
        } else {
            "fit_width"
        }) {
            "fit_width" => Op::FitWidth,
            "fit_height" => Op::FitHeight,
            "fit" => Op::Fit,
            "fill" => Op::Fill,
            "scale" => Op::Scale,
            other => {
                return Err(format!(
                    "`op` is `{other}`; it is one of `fit_width`, `fit_height`, `fit`, `fill` and `scale`"
                ));
            }
        };
        let pixels = |name: &str, value: Option<i64>| match value {
            None => Ok(None),
            Some(v) if (1..=8192).contains(&v) => Ok(Some(v as u32)),
            Some(v) => Err(format!("`{name}` is {v}; it goes from 1 to 8192 pixels")),
        };
        let (width, height) = (pixels("width", width)?, pixels("height", height)?);
        let needs = match op {
            Op::FitWidth => width.is_some(),
            Op::FitHeight => height.is_some(),
            Op::Fit | Op::Fill | Op::Scale => width.is_some() && height.is_some(),
        };
        if !needs {
            return Err(format!(
                "`op=\"{}\"` needs {}",
                match op {
                    Op::FitWidth => "fit_width",
                    Op::FitHeight => "fit_height",
                    Op::Fit => "fit",
                    Op::Fill => "fill",
                    Op::Scale => "scale",
                },
                match op {
                    Op::FitWidth => "`width`",
                    Op::FitHeight => "`height`",
                    _ => "`width` and `height`",
                }
            ));
        }
        let format = match format.unwrap_or("auto") {
            "auto" => None,
            "webp" => Some(Format::Webp),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            other => {
                return Err(format!(
                    "`format` is `{other}`; it is one of `auto`, `webp`, `jpg` and `png`"
                ));
            }
        };
        let quality = match quality {
            None => None,
            Some(q) if (1..=100).contains(&q) => Some(q as u8),
            Some(q) => return Err(format!("`quality` is {q}; it goes from 1 to 100")),
        };
        Ok(Resize {
            op,
            width,
            height,
            format,
            quality,
        })
    }

    /// The size of the copy of a `width`×`height` picture, and the part of the picture to
    /// crop first (`fill`). The fitting operations never enlarge a picture.
    pub fn size(&self, width: u32, height: u32) -> (u32, u32, Option<Crop>) {
        let (w, h) = (u64::from(width), u64::from(height));
        let proportional = |target_w: u64| {
            let target_w = target_w.min(w).max(1);
            (target_w as u32, ((h * target_w + w / 2) / w).max(1) as u32)
        };
        match self.op {
            Op::FitWidth => {
                let (a, b) = proportional(u64::from(self.width.unwrap_or(width)));
                (a, b, None)
            }
            Op::FitHeight => {
                let target_h = u64::from(self.height.unwrap_or(height)).min(h).max(1);
                (
                    ((w * target_h + h / 2) / h).max(1) as u32,
                    target_h as u32,
                    None,
                )
            }
            Op::Fit => {
                let (bw, bh) = (
                    u64::from(self.width.unwrap_or(width)),
                    u64::from(self.height.unwrap_or(height)),
                );
                // The width that keeps the height within the box too.
                let by_height = (w * bh / h).max(1);
                let (a, b) = proportional(bw.min(by_height));
                (a, b, None)
            }
            Op::Fill => {
                let (tw, th) = (
                    u64::from(self.width.unwrap_or(width)),
                    u64::from(self.height.unwrap_or(height)),
                );
                // The largest part of the picture with the target's shape, about the centre.
                let (cw, ch) = if w * th > h * tw {
                    ((h * tw / th).max(1), h)
                } else {
                    (w, (w * th / tw).max(1))
                };
                let crop = (
                    ((w - cw) / 2) as u32,
                    ((h - ch) / 2) as u32,
                    cw as u32,
                    ch as u32,
                );
                (tw as u32, th as u32, Some(crop))
            }
            Op::Scale => (
                self.width.unwrap_or(width),
                self.height.unwrap_or(height),
                None,
            ),
        }
    }
}

/// Where an image of a page comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    /// Another site (`https://…`), a `data:` URL or a protocol-relative one: shown as it is.
    Elsewhere,
    /// A file of this site, by site path.
    Site(String),
}

/// Resolves an image's path as written on a page whose folder is `folder`
/// (`countries/japan/`): from `/` it is a file of `static/` (`/img/port.jpg`); otherwise
/// beside the page, `..` and `.` taken as folders are.
pub fn resolve(folder: &str, src: &str) -> Source {
    let has_scheme = src.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || src.starts_with("//") || src.is_empty() {
        return Source::Elsewhere;
    }
    let src = src.split(['?', '#']).next().unwrap_or_default();
    let src = percent_encoding::percent_decode_str(src).decode_utf8_lossy();
    let joined = match src.strip_prefix('/') {
        Some(rooted) => rooted.to_owned(),
        None => format!("{}/{src}", folder.trim_end_matches('/')),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    Source::Site(parts.join("/"))
}

/// Why an image cannot be shown, with where it was looked for; `at` makes the error.
#[derive(Debug)]
pub struct ImageProblem {
    written: String,
    path: String,
    problem: Problem,
    nearest: Option<String>,
}

impl ImageProblem {
    /// The error at the image's place in `file`.
    pub fn at(
        self,
        file: &crate::source::SourceFile,
        span: std::ops::Range<usize>,
    ) -> crate::diagnostic::Diagnostic {
        use crate::diagnostic::Diagnostic;
        let written = &self.written;
        match self.problem {
            Problem::Missing => {
                let hint = self
                    .nearest
                    .map(|near| format!("; did you mean `{near}`?"))
                    .unwrap_or_default();
                Diagnostic::error(format!("the image `{written}` is not a file of the site{hint}"))
                    .at(file, span)
                    .with_note(format!("looked for `{}`", self.path))
                    .with_help("put the picture beside the page (a page bundle: the page as `index.md` in a folder of its own) or in `static/`, and write its path from `/` then")
            }
            Problem::Unreadable(why) => Diagnostic::error(format!(
                "the image `{written}` cannot be shown: {why}"
            ))
            .at(file, span)
            .with_help("open the file in an image editor and save it again as JPEG, PNG, WebP or SVG"),
            Problem::TooLarge(why) => Diagnostic::error(format!(
                "the image `{written}` cannot be shown: {why}"
            ))
            .at(file, span)
            .with_help("save a copy at most 4,000 pixels wide: pages show pictures at 1,600 pixels at most"),
        }
    }
}

/// The picture at site path `path`, written `written` on the page, ready to be shown.
pub fn show(catalog: &Catalog, path: &str, written: &str) -> Result<Shown, ImageProblem> {
    catalog.picture(path).map_err(|problem| {
        let nearest = matches!(problem, Problem::Missing)
            .then(|| catalog.nearest(path))
            .flatten()
            .map(|near| {
                // As the editor would write it: beside the page, or from `/`.
                let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
                match near.strip_prefix(folder).and_then(|n| n.strip_prefix('/')) {
                    Some(beside) if !written.starts_with('/') && !folder.is_empty() => {
                        beside.to_owned()
                    }
                    _ => format!("/{near}"),
                }
            });
        ImageProblem {
            written: written.to_owned(),
            path: path.to_owned(),
            problem,
            nearest,
        }
    })
}

/// The HTML of an image written `src` on a page whose folder is `folder`: a picture of the
/// site with its resized copies (and what the page read of it), or an image from elsewhere
/// as it is; lazily loaded either way.
pub fn page_image(
    catalog: &Catalog,
    base_path: &str,
    folder: &str,
    src: &str,
    alt: &str,
    title: Option<&str>,
) -> Result<(String, Option<crate::markdown::ImageRead>), ImageProblem> {
    let title = title.filter(|t| !t.is_empty());
    let url = |site_path: &str| {
        format!(
            "{base_path}{}",
            crate::config::encode_path(site_path.trim_start_matches('/'))
        )
    };
    // An image shown as it is: from elsewhere, or a file of the site tradetalks does not
    // resize (an AVIF, a BMP).
    let plain = |url: &str| {
        let title = title
            .map(|t| format!(" title=\"{}\"", escape(t)))
            .unwrap_or_default();
        format!(
            "<img src=\"{}\" alt=\"{}\"{title} {LAZY}>",
            escape(url),
            escape(alt)
        )
    };
    match resolve(folder, src) {
        Source::Elsewhere => Ok((plain(src), None)),
        Source::Site(path) if catalog.others.contains(&path) => Ok((plain(&url(&path)), None)),
        Source::Site(path) => {
            let shown = show(catalog, &path, src)?;
            let html = html(
                &shown,
                &Html {
                    url: &url,
                    alt,
                    title,
                    sizes: &catalog.settings().sizes,
                },
            );
            let read = crate::markdown::ImageRead {
                path: shown.path,
                digest: shown.meta.digest,
                resize: None,
            };
            Ok((html, Some(read)))
        }
    }
}

/// A picture ready to be written into a page.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Site path of the original.
    pub path: String,
    pub meta: Meta,
    pub variants: Arc<Vec<Arc<Variant>>>,
}

impl Shown {
    /// The width and height the picture is drawn at: the largest variant's (the original's
    /// when it is not resized).
    pub fn size(&self) -> (u32, u32) {
        self.variants
            .iter()
            .max_by_key(|v| v.width)
            .map_or((self.meta.width, self.meta.height), |v| (v.width, v.height))
    }
}

/// How a picture is written into a page.
pub struct Html<'a> {
    /// Turns a site path into the URL the page links (the site's base path before it).
    pub url: &'a dyn Fn(&str) -> String,
    pub alt: &'a str,
    pub title: Option<&'a str>,
    pub sizes: &'a str,
}

/// `<picture>` with a WebP `<source>` and an `<img>` in the original's format, each with the
/// widths as `srcset`; `width` and `height` so that the page keeps its place while the picture
/// loads; lazy loading (the first picture of a page is made eager afterwards, see
/// `eager_first`). An SVG or an animation is a plain `<img>` of the original.
pub fn html(shown: &Shown, how: &Html) -> String {
    let (width, height) = shown.size();
    let title = how
        .title
        .filter(|t| !t.is_empty())
        .map(|t| format!(" title=\"{}\"", escape(t)))
        .unwrap_or_default();
    let img = |src: &str, srcset: &str| {
        let srcset = if srcset.is_empty() {
            String::new()
        } else {
            format!(" srcset=\"{srcset}\" sizes=\"{}\"", escape(how.sizes))
        };
        format!(
            "<img src=\"{}\"{srcset} width=\"{width}\" height=\"{height}\" alt=\"{}\"{title} {LAZY}>",
            escape(src),
            escape(how.alt)
        )
    };
    if shown.variants.is_empty() {
        return img(&(how.url)(&shown.path), "");
    }
    let srcset = |format: Format| {
        shown
            .variants
            .iter()
            .filter(|v| v.format == format)
            .map(|v| format!("{} {}w", escape(&(how.url)(&v.path)), v.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fallback = shown
        .variants
        .iter()
        .filter(|v| v.format != Format::Webp)
        .max_by_key(|v| v.width);
    let Some(fallback) = fallback else {
        return img(&(how.url)(&shown.path), "");
    };
    format!(
        "<picture><source type=\"{}\" srcset=\"{}\" sizes=\"{}\">{}</picture>",
        Format::Webp.mime(),
        srcset(Format::Webp),
        escape(how.sizes),
        img(&(how.url)(&fallback.path), &srcset(fallback.format))
    )
}

/// The attributes that let the browser fetch a picture when it nears the screen.
pub const LAZY: &str = "loading=\"lazy\" decoding=\"async\"";

/// The first picture of a page is fetched at once (it is often what the reader sees first;
/// lazy loading would delay it): its `LAZY` attributes are taken out. A heavy drawing shown as
/// a picture until the page puts it back (`data-drawing`, see `graphics::defer_drawings`) is
/// not that picture: it stays lazy.
pub fn eager_first(html: &mut String) {
    let mut from = 0;
    let (start, end) = loop {
        let Some(start) = html.get(from..).and_then(|rest| rest.find("<img ")) else {
            return;
        };
        let start = from + start;
        let end = html
            .get(start..)
            .and_then(|tag| tag.find('>'))
            .map_or(html.len(), |end| start + end);
        if !html
            .get(start..end)
            .unwrap_or_default()
            .contains(" data-drawing")
        {
            break (start, end);
        }
        from = end;
    };
    let attribute = format!(" {LAZY}");
    if let Some(at) = html.get(start..end).and_then(|tag| tag.find(&attribute)) {
        html.replace_range(start + at..start + at + attribute.len(), "");
    }
}

/// The kind, size and hash of a picture, from its bytes.
fn read_meta(bytes: &[u8]) -> Result<Meta, String> {
    let digest = blake3::hash(bytes)
        .to_hex()
        .get(..16)
        .unwrap_or_default()
        .to_owned();
    if looks_like_svg(bytes) {
        let options = resvg::usvg::Options::default();
        let tree = resvg::usvg::Tree::from_data(bytes, &options)
            .map_err(|err| format!("it is not an SVG picture that can be drawn ({err})"))?;
        let size = tree.size();
        return Ok(Meta {
            kind: Kind::Svg,
            width: size.width().ceil() as u32,
            height: size.height().ceil() as u32,
            animated: false,
            digest,
        });
    }
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|err| format!("it could not be read ({err})"))?;
    let kind = match reader.format() {
        Some(image::ImageFormat::Jpeg) => Kind::Jpeg,
        Some(image::ImageFormat::Png) => Kind::Png,
        Some(image::ImageFormat::Gif) => Kind::Gif,
        Some(image::ImageFormat::WebP) => Kind::Webp,
        Some(other) => {
            return Err(format!(
                "it is a {} picture, which tradetalks does not resize; save it as JPEG, PNG, GIF or WebP",
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"other")
                    .to_uppercase()
            ));
        }
        None => {
            return Err(
                "its bytes are not those of a JPEG, PNG, GIF, WebP or SVG picture".to_owned(),
            );
        }
    };
    let (width, height) = reader
        .into_dimensions()
        .map_err(|err| format!("it is damaged: its header cannot be read ({err})"))?;
    if width == 0 || height == 0 {
        return Err("it has no pixels".to_owned());
    }
    let animated = match kind {
        Kind::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .map(|decoder| {
                use image::AnimationDecoder;
                decoder.into_frames().take(2).count() > 1
            })
            .unwrap_or(false),
        Kind::Webp => image::codecs::webp::WebPDecoder::new(Cursor::new(bytes))
            .map(|decoder| decoder.has_animation())
            .unwrap_or(false),
        _ => false,
    };
    Ok(Meta {
        kind,
        width,
        height,
        animated,
        digest,
    })
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg"))
}

/// The widths a picture `width` pixels wide is offered at: each configured width it is wider
/// than, and its own width when that is below the largest.
pub fn widths_for(width: u32, configured: &[u32]) -> Vec<u32> {
    let largest = configured.iter().copied().max().unwrap_or(width);
    let mut widths: Vec<u32> = configured.iter().copied().filter(|&w| w < width).collect();
    widths.push(width.min(largest));
    widths.sort_unstable();
    widths.dedup();
    widths
}

/// Decodes the picture, resizes it to each width (each from the next larger, which is faster
/// than from the original and as sharp) and encodes each as WebP and as its fallback format
/// (JPEG for a JPEG, PNG otherwise).
fn make_variants(
    path: &str,
    meta: &Meta,
    bytes: &[u8],
    settings: &Settings,
) -> Result<Vec<Variant>, Problem> {
    let mut current = decode(meta, bytes)?;
    let fallback = if meta.kind == Kind::Jpeg {
        Format::Jpeg
    } else {
        Format::Png
    };
    let name_hash = {
        let mut hasher = blake3::Hasher::new();
        hasher.update(meta.digest.as_bytes());
        hasher.update(&[settings.quality]);
        hasher
            .finalize()
            .to_hex()
            .get(..8)
            .unwrap_or_default()
            .to_owned()
    };
    let (prefix, stem) = prefix_and_stem(path);
    let mut variants = Vec::new();
    for &width in widths_for(meta.width, &settings.widths).iter().rev() {
        let height = ((u64::from(meta.height) * u64::from(width) + u64::from(meta.width) / 2)
            / u64::from(meta.width))
        .max(1) as u32;
        if width != current.width() || height != current.height() {
            current = current.resize_exact(width, height, image::imageops::FilterType::CatmullRom);
        }
        for format in [Format::Webp, fallback] {
            let bytes = encode(&current, format, settings.quality).map_err(Problem::Unreadable)?;
            variants.push(Variant {
                path: format!("{prefix}{stem}-{width}.{name_hash}.{}", format.extension()),
                width,
                height,
                format,
                bytes,
            });
        }
    }
    variants.sort_by_key(|v| (v.format.extension(), v.width));
    Ok(variants)
}

/// `a/b/port.jpg` → (`a/b/`, `port`).
fn prefix_and_stem(path: &str) -> (String, &str) {
    let (folder, file) = path.rsplit_once('/').map_or(("", path), |(f, n)| (f, n));
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    (prefix, stem)
}

/// Decodes a picture (as RGB, or RGBA when it has transparency), within `MAX_PIXELS`.
fn decode(meta: &Meta, bytes: &[u8]) -> Result<image::DynamicImage, Problem> {
    if u64::from(meta.width) * u64::from(meta.height) > MAX_PIXELS {
        return Err(Problem::TooLarge(format!(
            "it is {}×{} pixels, more than the {} megapixels tradetalks resizes",
            meta.width,
            meta.height,
            MAX_PIXELS / 1_000_000,
        )));
    }
    // A JPEG cut short (a copy that stopped) decodes with its lower part grey: the file must
    // reach the marker that ends the picture.
    if meta.kind == Kind::Jpeg && !bytes.windows(2).any(|pair| pair == [0xFF, 0xD9]) {
        return Err(Problem::Unreadable(
            "it is damaged: the file ends before the picture does (was it copied completely?)"
                .to_owned(),
        ));
    }
    let format = match meta.kind {
        Kind::Jpeg => image::ImageFormat::Jpeg,
        Kind::Png => image::ImageFormat::Png,
        Kind::Gif => image::ImageFormat::Gif,
        Kind::Webp => image::ImageFormat::WebP,
        Kind::Svg => {
            return Err(Problem::Unreadable(
                "an SVG is not decoded into pixels".to_owned(),
            ));
        }
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let decoded = reader.decode().map_err(|err| {
        Problem::Unreadable(format!("it is damaged: it could not be decoded ({err})"))
    })?;
    Ok(if decoded.color().has_alpha() {
        image::DynamicImage::ImageRgba8(decoded.into_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(decoded.into_rgb8())
    })
}

fn encode(picture: &image::DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let failed = |err: &dyn std::fmt::Display| format!("it could not be encoded ({err})");
    match format {
        Format::Jpeg => {
            // Progressive, with Huffman tables made for the picture: about a third smaller
            // than a baseline JPEG with the standard tables, at the same quality.
            let rgb = picture.to_rgb8();
            let (Ok(width), Ok(height)) = (u16::try_from(rgb.width()), u16::try_from(rgb.height()))
            else {
                return Err(failed(&"the picture is too large for JPEG"));
            };
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
            encoder.set_progressive(true);
            encoder.set_optimized_huffman_tables(true);
            encoder
                .encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
                .map_err(|err| failed(&err))?;
        }
        Format::Png => {
            let encoder = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            picture
                .write_with_encoder(encoder)
                .map_err(|err| failed(&err))?;
        }
        Format::Webp => {
            let (width, height) = (picture.width(), picture.height());
            let encoder = match picture {
                image::DynamicImage::ImageRgba8(rgba) => {
                    webp::Encoder::from_rgba(rgba.as_raw(), width, height)
                }
                image::DynamicImage::ImageRgb8(rgb) => {
                    webp::Encoder::from_rgb(rgb.as_raw(), width, height)
                }
                _ => return Err(failed(&"the picture has an unusual colour format")),
            };
            let encoded = encoder
                .encode_simple(false, f32::from(quality.clamp(1, 100)))
                .map_err(|err| failed(&format!("{err:?}")))?;
            out = encoded.to_vec();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_stop_at_the_picture_and_at_the_largest_configured() {
        assert_eq!(widths_for(4000, &[480, 960, 1600]), [480, 960, 1600]);
        assert_eq!(widths_for(1000, &[480, 960, 1600]), [480, 960, 1000]);
        assert_eq!(widths_for(960, &[480, 960, 1600]), [480, 960]);
        assert_eq!(widths_for(300, &[480, 960, 1600]), [300]);
        assert_eq!(widths_for(1, &[480]), [1]);
    }

    #[test]
    fn resizing_keeps_proportions_never_enlarges_and_fills_about_the_centre() {
        let resize = |op, width, height| {
            Resize::from_arguments(Some(op), width, height, None, None).unwrap()
        };
        assert_eq!(
            resize("fit_width", Some(300), None).size(1200, 800),
            (300, 200, None)
        );
        assert_eq!(
            resize("fit_width", Some(3000), None).size(1200, 800),
            (1200, 800, None)
        );
        assert_eq!(
            resize("fit_height", None, Some(100)).size(1200, 800),
            (150, 100, None)
        );
        assert_eq!(
            resize("fit", Some(300), Some(100)).size(1200, 800),
            (150, 100, None)
        );
        assert_eq!(
            resize("fit", Some(300), Some(300)).size(1200, 800),
            (300, 200, None)
        );
        assert_eq!(
            resize("fill", Some(100), Some(100)).size(1200, 800),
            (100, 100, Some((200, 0, 800, 800)))
        );
        assert_eq!(
            resize("scale", Some(10), Some(90)).size(1200, 800),
            (10, 90, None)
        );
        // The op follows from the sizes given when it is not named.
        assert_eq!(
            Resize::from_arguments(None, None, Some(50), None, None)
                .unwrap()
                .op,
            Op::FitHeight
        );
        let wrong = |op, w, h, f, q| Resize::from_arguments(op, w, h, f, q).unwrap_err();
        assert!(
            wrong(Some("fill"), Some(10), None, None, None).contains("needs `width` and `height`")
        );
        assert!(wrong(None, Some(0), None, None, None).contains("from 1 to 8192"));
        assert!(wrong(None, Some(10), None, Some("gif"), None).contains("`format` is `gif`"));
        assert!(wrong(None, Some(10), None, None, Some(101)).contains("from 1 to 100"));
    }

    #[test]
    fn the_first_picture_loads_at_once_and_the_others_lazily() {
        let mut html = format!(
            "<p><img src=\"a.jpg\" alt=\"A\" {LAZY}></p><p><img src=\"b.jpg\" alt=\"B\" {LAZY}></p>"
        );
        eager_first(&mut html);
        assert_eq!(
            html,
            format!(
                "<p><img src=\"a.jpg\" alt=\"A\"></p><p><img src=\"b.jpg\" alt=\"B\" {LAZY}></p>"
            )
        );
        // An editor's own first <img> without lazy loading: nothing of ours changes.
        let mut own = format!("<img src=\"x.png\" alt=\"\"><img src=\"b.jpg\" alt=\"B\" {LAZY}>");
        let before = own.clone();
        eager_first(&mut own);
        assert_eq!(own, before);
        // A heavy drawing shown as a picture until the page puts it back stays lazy; the
        // picture after it is the first.
        let mut map = format!(
            "<img class=\"tt-map-shapes\" src=\"m.svg\" alt=\"M\" {LAZY} data-drawing><img src=\"a.jpg\" alt=\"A\" {LAZY}>"
        );
        eager_first(&mut map);
        assert_eq!(
            map,
            format!(
                "<img class=\"tt-map-shapes\" src=\"m.svg\" alt=\"M\" {LAZY} data-drawing><img src=\"a.jpg\" alt=\"A\">"
            )
        );
    }

    #[test]
    fn headers_say_the_kind_and_size_and_damage_is_told_in_words() {
        let mut png = Vec::new();
        image::RgbImage::new(30, 20)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let meta = read_meta(&png).unwrap();
        assert_eq!((meta.kind, meta.width, meta.height), (Kind::Png, 30, 20));
        assert!(!meta.animated);
        let garbage = read_meta(b"this is not a picture").unwrap_err();
        assert!(garbage.contains("not those of a JPEG"), "{garbage}");
        let svg = read_meta(br#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"/>"#)
            .unwrap();
        assert_eq!((svg.kind, svg.width, svg.height), (Kind::Svg, 40, 10));
    }

    #[test]
    fn a_jpeg_cut_short_is_damaged() {
        let mut jpeg = Vec::new();
        image::RgbImage::new(64, 64)
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        jpeg.truncate(jpeg.len() - 10);
        let meta = read_meta(&jpeg).unwrap();
        let problem = make_variants("a.jpg", &meta, &jpeg, &Settings::default()).unwrap_err();
        assert!(matches!(problem, Problem::Unreadable(why) if why.contains("ends before")));
    }

    #[test]
    fn variants_decode_at_their_sizes_with_names_that_follow_the_bytes() {
        let mut jpeg = Vec::new();
        image::RgbImage::from_fn(1200, 800, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
        let meta = read_meta(&jpeg).unwrap();
        let variants = make_variants("a/port.jpg", &meta, &jpeg, &Settings::default()).unwrap();
        let described: Vec<(Format, u32, u32)> = variants
            .iter()
            .map(|v| (v.format, v.width, v.height))
            .collect();
        assert_eq!(
            described,
            [
                (Format::Jpeg, 480, 320),
                (Format::Jpeg, 960, 640),
                (Format::Jpeg, 1200, 800),
                (Format::Webp, 480, 320),
                (Format::Webp, 960, 640),
                (Format::Webp, 1200, 800),
            ]
        );
        for variant in &variants {
            let decoded = image::load_from_memory(&variant.bytes).unwrap();
            assert_eq!(
                (decoded.width(), decoded.height()),
                (variant.width, variant.height)
            );
            assert!(variant.path.starts_with("a/port-"), "{}", variant.path);
        }
        let webp = variants
            .iter()
            .find(|v| v.format == Format::Webp && v.width == 1200);
        let jpg = variants
            .iter()
            .find(|v| v.format == Format::Jpeg && v.width == 1200);
        assert!(webp.unwrap().bytes.len() < jpg.unwrap().bytes.len() * 2);
    }
}
