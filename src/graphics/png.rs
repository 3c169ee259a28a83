//! Pictures as PNG, rasterised at build time with resvg, in the fonts of this machine and of
//! the site's `fonts/` folder. A picture whose text has characters no font here can draw is
//! not rasterised (it would publish boxes for letters); the build says which characters
//! and how to add a font for them.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::{Picture, cut};

/// How many device pixels a picture's pixel is in its PNG: sharp on high-density screens and
/// in print.
pub const SCALE: f32 = 2.0;

/// A PNG as the build cache keeps it: its bytes as one byte string.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedPng(#[serde(with = "crate::cache::bytes")] Vec<u8>);

/// The fonts pictures are drawn in, found on first use: a build with no graphics never
/// looks for fonts. Clones share what was found (a `serve` session keeps it across updates).
#[derive(Clone)]
pub struct Fonts {
    folders: Vec<PathBuf>,
    database: Arc<OnceLock<Arc<usvg::fontdb::Database>>>,
    digest: Arc<OnceLock<crate::cache::Key>>,
}

impl Fonts {
    /// The machine's fonts, and those in `folders` (a site's `fonts/`).
    pub fn new(folders: Vec<PathBuf>) -> Fonts {
        Fonts {
            folders,
            database: Arc::new(OnceLock::new()),
            digest: Arc::new(OnceLock::new()),
        }
    }

    /// A hash of the font files pictures may be drawn in (their paths, sizes and times):
    /// a PNG drawn in other fonts is another PNG, so the build cache keys pictures by it.
    /// Listing the folders takes a millisecond; a build whose pictures all come from the
    /// cache never loads the fonts themselves (a third of a second on a machine with CJK
    /// fonts).
    pub(crate) fn digest(&self) -> &crate::cache::Key {
        self.digest.get_or_init(|| {
            let mut key = crate::cache::KeyBuilder::new("fonts");
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let mut folders: Vec<PathBuf> = [
                "/usr/share/fonts",
                "/usr/local/share/fonts",
                "/Library/Fonts",
                "/System/Library/Fonts",
                "C:\\Windows\\Fonts",
            ]
            .iter()
            .map(PathBuf::from)
            .collect();
            if let Some(home) = home {
                folders.extend(
                    [".fonts", ".local/share/fonts", "Library/Fonts"].map(|f| home.join(f)),
                );
            }
            folders.extend(self.folders.iter().cloned());
            if let Some(config) = std::env::var_os("FONTCONFIG_FILE") {
                key.add(config.to_string_lossy().as_bytes());
            }
            for folder in folders {
                let files = walkdir::WalkDir::new(&folder)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|entry| entry.file_type().is_file());
                for entry in files {
                    let Ok(meta) = entry.metadata() else { continue };
                    let modified = meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .unwrap_or_default();
                    key.add(entry.path().to_string_lossy().as_bytes())
                        .add(meta.len().to_le_bytes())
                        .add(modified.as_nanos().to_le_bytes());
                }
            }
            key.finish()
        })
    }

    fn database(&self) -> &Arc<usvg::fontdb::Database> {
        self.database.get_or_init(|| {
            let mut database = usvg::fontdb::Database::new();
            database.load_system_fonts();
            for folder in &self.folders {
                database.load_fonts_dir(folder);
            }
            database.set_sans_serif_family("DejaVu Sans");
            // Each file read once, when a face of it is first drawn or looked into, and kept
            // for the build. Left as paths, fontdb maps and unmaps the file again for every
            // glyph lookup and every run of text laid out: 80 ms a social card, most of it
            // in the kernel.
            let mut files: std::collections::HashMap<PathBuf, Arc<LazyFile>> =
                std::collections::HashMap::new();
            let faces: Vec<usvg::fontdb::FaceInfo> = database.faces().cloned().collect();
            let mut kept = usvg::fontdb::Database::new();
            for mut face in faces {
                if let usvg::fontdb::Source::File(path)
                | usvg::fontdb::Source::SharedFile(path, _) = &face.source
                {
                    let file = files
                        .entry(path.clone())
                        .or_insert_with(|| Arc::new(LazyFile::new(path.clone())))
                        .clone();
                    face.source = usvg::fontdb::Source::SharedFile(path.clone(), file);
                }
                kept.push_face_info(face);
            }
            kept.set_sans_serif_family("DejaVu Sans");
            let database = kept;
            Arc::new(database)
        })
    }

    /// The characters of `text` that no font here has a glyph for.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let database = self.database();
        let wanted: BTreeSet<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && !crate::text::is_invisible(*c))
            .filter(|c| !crate::text::is_mark(*c))
            .collect();
        // The fallback families first, as drawing tries them: most characters are found
        // in the first few files, and the rest of the machine's fonts are never read.
        let mut ranked: Vec<&usvg::fontdb::FaceInfo> = database.faces().collect();
        ranked.sort_by_key(|face| fallback_rank(face));
        let faces: Vec<_> = ranked.iter().map(|f| (f.id, f.index)).collect();
        // Faces are tried in order, the last one that had a glyph first: text in one script
        // finds its font once.
        let mut last = None;
        wanted
            .into_iter()
            .filter(|&c| {
                let has = |id| has_glyph(database, id, c);
                if let Some(id) = last
                    && has(id)
                {
                    return false;
                }
                match faces.iter().find(|(id, _)| has(*id)) {
                    Some((id, _)) => {
                        last = Some(*id);
                        false
                    }
                    None => true,
                }
            })
            .collect()
    }

    /// The PNG kept in `cache` under `key` (`Drawn::Png`).
    pub fn cached(cache: &crate::cache::Cache, key: &crate::cache::Key) -> Option<Vec<u8>> {
        cache
            .get::<CachedPng>("pictures", key)
            .map(|CachedPng(png)| png)
    }

    /// `picture` as PNG bytes at `scale` device pixels a pixel (`SCALE` for graphics), unless
    /// its text has characters no font here draws: then those characters. `language` decides
    /// between Chinese, Japanese and Korean forms of shared characters. A picture drawn
    /// before in the same fonts comes from `cache` (the build cache) without looking at its
    /// text again, and without loading the fonts: an edit that renders a page again whose
    /// charts did not change draws none of them.
    pub fn draw(
        &self,
        picture: &Picture,
        language: &str,
        scale: f32,
        cache: &crate::cache::Cache,
    ) -> Result<Drawn, String> {
        let key = self.key(picture, language, scale, cache);
        if let Some(key) = &key
            && let Some(CachedPng(png)) = cache.get("pictures", key)
        {
            return Ok(Drawn::Png(png, Some(*key)));
        }
        let missing = self.missing(&super::strip_tags(&picture.svg));
        if !missing.is_empty() {
            return Ok(Drawn::Missing(missing));
        }
        self.draw_new(picture, language, scale, cache, key.as_ref())
            .map(|png| Drawn::Png(png, key))
    }

    fn key(
        &self,
        picture: &Picture,
        language: &str,
        scale: f32,
        cache: &crate::cache::Cache,
    ) -> Option<crate::cache::Key> {
        cache.is_enabled().then(|| {
            crate::cache::KeyBuilder::new("png")
                .add_key(self.digest())
                .add(language)
                .add(scale.to_le_bytes())
                .add(&picture.svg)
                .finish()
        })
    }

    fn draw_new(
        &self,
        picture: &Picture,
        language: &str,
        scale: f32,
        cache: &crate::cache::Cache,
        key: Option<&crate::cache::Key>,
    ) -> Result<Vec<u8>, String> {
        let svg = with_script_runs(&picture.svg, language);
        let png = crate::guard::catch(
            || "drawing a picture".to_owned(),
            || self.rasterise(&svg, scale),
        )
        .map_err(|d| d.message)??;
        let entry = CachedPng(png);
        if let Some(key) = key {
            cache.put("pictures", key, &entry);
        }
        Ok(entry.0)
    }

    fn rasterise(&self, svg: &str, scale: f32) -> Result<Vec<u8>, String> {
        let options = usvg::Options {
            fontdb: Arc::clone(self.database()),
            font_resolver: usvg::FontResolver {
                select_font: usvg::FontResolver::default_font_selector(),
                select_fallback: fallback(),
            },
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
        let size = tree
            .size()
            .to_int_size()
            .scale_by(scale)
            .ok_or("the picture is empty")?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or("the picture is too large")?;
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        encode(&pixmap)
    }
}

/// A picture drawn, or the characters of its text no font here has.
#[derive(Debug)]
pub enum Drawn {
    /// The PNG, and its key in the build cache (kind `pictures`) when there is a cache.
    Png(Vec<u8>, Option<crate::cache::Key>),
    Missing(Vec<char>),
}

/// A font file, read when a face of it is first needed (most of a machine's fonts never
/// are) and kept while the fonts are.
struct LazyFile {
    path: PathBuf,
    bytes: OnceLock<Vec<u8>>,
}

impl LazyFile {
    fn new(path: PathBuf) -> LazyFile {
        LazyFile {
            path,
            bytes: OnceLock::new(),
        }
    }
}

impl AsRef<[u8]> for LazyFile {
    /// The file's bytes; none if it cannot be read any more (its faces then draw nothing and
    /// have no glyphs, as a font that is not there).
    fn as_ref(&self) -> &[u8] {
        self.bytes
            .get_or_init(|| std::fs::read(&self.path).unwrap_or_default())
    }
}

/// The scripts a picture's text is split into, each drawn in a font of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Latin, Greek, Cyrillic and the rest: the picture's own font.
    Base,
    Devanagari,
    Bengali,
    Thai,
    Arabic,
    Hebrew,
    Hangul,
    Kana,
    Han,
}

fn script_of(c: char) -> Option<Script> {
    Some(match c {
        '\u{0900}'..='\u{097F}' | '\u{A8E0}'..='\u{A8FF}' => Script::Devanagari,
        '\u{0980}'..='\u{09FF}' => Script::Bengali,
        '\u{0E00}'..='\u{0E7F}' => Script::Thai,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        '\u{0590}'..='\u{05FF}' => Script::Hebrew,
        // Emoji stay in the picture's own run and come from the fallback font: as a run of
        // their own, a flag at the end of a text makes resvg 0.49 panic (its merging of a
        // span's glyphs removes past the end).
        '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}' => {
            Script::Hangul
        }
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' => Script::Kana,
        '\u{3000}'..='\u{303F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}' => Script::Han,
        // Spaces, digits, punctuation and marks go with the text around them.
        c if c.is_ascii_digit() || c.is_whitespace() || c.is_ascii_punctuation() => return None,
        c if crate::text::is_mark(c) || crate::text::is_invisible(c) => return None,
        // Other punctuation (`·`, `–`, `“`) is set in the picture's own font: a script's font
        // may not have it.
        _ => Script::Base,
    })
}

/// The font family for a run of `script` in a picture of a site in `language`.
fn family_of(
    script: Script,
    language: &str,
    text_has_kana: bool,
    text_has_hangul: bool,
) -> Option<&'static str> {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    Some(match script {
        Script::Base => return None,
        Script::Devanagari => "Noto Sans Devanagari",
        Script::Bengali => "Noto Sans Bengali",
        Script::Thai => "Noto Sans Thai",
        Script::Arabic => "Noto Sans Arabic",
        Script::Hebrew => "Noto Sans Hebrew",
        Script::Hangul => "Noto Sans CJK KR",
        Script::Kana => "Noto Sans CJK JP",
        Script::Han if primary == "ja" || text_has_kana => "Noto Sans CJK JP",
        Script::Han if primary == "ko" || text_has_hangul => "Noto Sans CJK KR",
        Script::Han
            if language.contains("TW") || language.contains("HK") || language.contains("Hant") =>
        {
            "Noto Sans CJK TC"
        }
        Script::Han => "Noto Sans CJK SC",
    })
}

/// `svg` with each run of text in another script than Latin wrapped in a `<tspan>` naming
/// its font. resvg shapes a run in its own font correctly; text it has to complete with a
/// fallback font loses its shaping, or the fallback's glyphs altogether (resvg 0.49).
pub fn with_script_runs(svg: &str, language: &str) -> String {
    let has_kana = svg.chars().any(|c| script_of(c) == Some(Script::Kana));
    let has_hangul = svg.chars().any(|c| script_of(c) == Some(Script::Hangul));
    let mut out = String::with_capacity(svg.len() + svg.len() / 8);
    let mut rest = svg;
    let mut in_text = 0usize;
    while let Some(open) = rest.find('<') {
        let data = cut(rest, ..open);
        if in_text > 0 {
            push_runs(&mut out, data, language, has_kana, has_hangul);
        } else {
            out.push_str(data);
        }
        let Some(close) = cut(rest, open..).find('>').map(|i| open + i) else {
            out.push_str(cut(rest, open..));
            return out;
        };
        let tag = cut(rest, open..=close);
        if tag.starts_with("<text") && !tag.ends_with("/>") {
            in_text += 1;
        } else if tag.starts_with("</text") {
            in_text = in_text.saturating_sub(1);
        }
        out.push_str(tag);
        rest = cut(rest, close + 1..);
    }
    out.push_str(rest);
    out
}

fn push_runs(out: &mut String, data: &str, language: &str, has_kana: bool, has_hangul: bool) {
    let mut run = String::new();
    let mut current: Option<Script> = None;
    let flush = |out: &mut String, run: &mut String, script: Option<Script>| {
        if run.is_empty() {
            return;
        }
        match script.and_then(|s| family_of(s, language, has_kana, has_hangul)) {
            Some(family) => {
                out.push_str(&format!("<tspan font-family=\"{family}\">{run}</tspan>"));
            }
            None => out.push_str(run),
        }
        run.clear();
    };
    for c in data.chars() {
        match script_of(c) {
            Some(script) if current.is_some_and(|s| s != script) => {
                flush(out, &mut run, current);
                current = Some(script);
            }
            Some(script) => current = Some(script),
            None => {}
        }
        run.push(c);
    }
    flush(out, &mut run, current);
}

/// Families tried first for a character the text's font lacks, in order: sans-serif faces of
/// the scripts the built-in languages use, so that Latin in Hindi text falls back to a sans
/// (not to the first serif or monospace face that has it).
const FALLBACKS: [&str; 12] = [
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Thai",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Color Emoji",
];

/// Picks the fallback face for `c`: the first of `FALLBACKS` that has it, in the weight
/// nearest the text's own, else any upright face that has it.
fn fallback() -> usvg::FallbackSelectionFn<'static> {
    Box::new(|c, exclude, database| {
        let weight = exclude
            .first()
            .and_then(|id| database.face(*id))
            .map_or(400, |f| i32::from(f.weight.0));
        let rank = fallback_rank;
        let mut faces: Vec<&usvg::fontdb::FaceInfo> = database
            .faces()
            .filter(|f| !exclude.contains(&f.id) && f.style == usvg::fontdb::Style::Normal)
            .collect();
        faces.sort_by_key(|f| (rank(f), (i32::from(f.weight.0) - weight).abs()));
        faces
            .into_iter()
            .find(|face| has_glyph(database, face.id, c))
            .map(|face| face.id)
    })
}

/// Where a face comes in `FALLBACKS` (after all of them if it is not one).
fn fallback_rank(face: &usvg::fontdb::FaceInfo) -> usize {
    FALLBACKS
        .iter()
        .position(|name| face.families.iter().any(|(family, _)| family == name))
        .unwrap_or(FALLBACKS.len())
}

fn has_glyph(database: &usvg::fontdb::Database, id: usvg::fontdb::ID, c: char) -> bool {
    database
        .with_face_data(id, |data, index| {
            ttf_parser::Face::parse(data, index)
                .ok()
                .and_then(|face| face.glyph_index(c))
                .is_some()
        })
        .unwrap_or(false)
}

/// A pixmap as PNG, compressed fast: pictures are flat colours, which compress well anyway.
/// Most (cards, charts, tables: flat colours and their anti-aliased blends) have at most 256
/// colours and go as indexed colour, losslessly: on the default site's cards, charts and
/// tables, 3.3 times smaller files than RGB and encoding 2.5 times faster, with the adaptive
/// row filter (unfiltered, the files were larger than RGB's; BENCHMARKS.md has the table).
/// The others (world maps) go as RGB: they are opaque, and RGB is a quarter less to filter
/// and compress than RGBA.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, String> {
    // tiny-skia's pixels are premultiplied; the picture is opaque, so they are the colours.
    let (color, data, palette) = match palette_of(pixmap.data()) {
        Some((palette, indices)) => (png::ColorType::Indexed, indices, Some(palette)),
        None => {
            let mut rgb = vec![0; pixmap.data().len() / 4 * 3];
            for (to, from) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
                to.copy_from_slice(&from[..3]);
            }
            (png::ColorType::Rgb, rgb, None)
        }
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, pixmap.width(), pixmap.height());
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        if let Some(palette) = palette {
            encoder.set_palette(palette);
        }
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&data).map_err(|e| e.to_string())?;
    }
    Ok(bytes)
}

/// The palette of opaque RGBA pixels of no more than 256 colours (RGB triples, in order of
/// first appearance) and each pixel's index into it; `None` past 256 colours. This runs on
/// every pixel of every card and chart: runs of one colour (the rule) cost a comparison, and
/// a new run a probe of a small open-addressed table.
fn palette_of(rgba: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    const SLOTS: usize = 1024;
    const EMPTY: u32 = u32::MAX; // no colour: colours are 24 bits
    let mut keys = [EMPTY; SLOTS];
    let mut values = [0u8; SLOTS];
    let mut palette = Vec::with_capacity(256 * 3);
    let mut indices = vec![0u8; rgba.len() / 4];
    let (mut last, mut index) = (EMPTY, 0u8);
    // The last pixel's four bytes, twice: eight pixels equal to it are four comparisons.
    let mut last_pair = 0u64;
    let mut at = 0;
    while at < indices.len() {
        if let Some(block) = rgba.get(at * 4..at * 4 + 32)
            && at > 0
            && block
                .chunks_exact(8)
                .all(|two| u64::from_le_bytes(two.try_into().unwrap_or_default()) == last_pair)
        {
            indices[at..at + 8].fill(index);
            at += 8;
            continue;
        }
        let pixel = &rgba[at * 4..at * 4 + 4];
        let colour = u32::from_le_bytes([pixel[0], pixel[1], pixel[2], 0]);
        if colour != last {
            let mut slot = (colour.wrapping_mul(0x9E37_79B1) >> 22) as usize;
            loop {
                if keys[slot] == colour {
                    index = values[slot];
                    break;
                }
                if keys[slot] == EMPTY {
                    index = u8::try_from(palette.len() / 3).ok()?;
                    keys[slot] = colour;
                    values[slot] = index;
                    palette.extend_from_slice(&pixel[..3]);
                    break;
                }
                slot = (slot + 1) % SLOTS;
            }
            last = colour;
        }
        let whole = u64::from(u32::from_le_bytes([pixel[0], pixel[1], pixel[2], pixel[3]]));
        last_pair = whole | whole << 32;
        indices[at] = index;
        at += 1;
    }
    Some((palette, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_rasterises_at_twice_its_size() {
        let picture = Picture {
            svg: r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="blue"/><text x="2" y="20">Aa</text></svg>"#.to_owned(),
            width: 40.0,
            height: 30.0,
        };
        let fonts = Fonts::new(Vec::new());
        let Ok(Drawn::Png(png, None)) =
            fonts.draw(&picture, "en", SCALE, &crate::cache::Cache::none())
        else {
            panic!("drawn without a cache")
        };
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (80, 60));
    }

    #[test]
    fn text_in_other_scripts_is_set_in_their_fonts() {
        let svg = "<svg><style>a{}</style><text x=\"1\">स्रोत: The Straits, 日本 24%</text><title>日本</title></svg>";
        assert_eq!(
            with_script_runs(svg, "hi"),
            "<svg><style>a{}</style><text x=\"1\"><tspan font-family=\"Noto Sans Devanagari\">स्रोत: </tspan>The Straits, <tspan font-family=\"Noto Sans CJK SC\">日本 24%</tspan></text><title>日本</title></svg>"
        );
        assert!(with_script_runs("<text>日本</text>", "ja").contains("CJK JP"));
        assert!(with_script_runs("<text>한국 日本</text>", "en").contains("CJK KR"));
        assert_eq!(
            with_script_runs("<text>Tariffs</text>", "en"),
            "<text>Tariffs</text>"
        );
    }

    #[test]
    fn a_picture_of_few_colours_goes_as_indexed_colour_and_many_as_rgb() {
        // How the PNG stores its colours, and its pixels as RGB.
        let decode = |pixmap: &tiny_skia::Pixmap| {
            let png = encode(pixmap).unwrap();
            let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
            decoder.set_transformations(png::Transformations::EXPAND);
            let mut reader = decoder.read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            reader.next_frame(&mut pixels).unwrap();
            (reader.info().color_type, pixels)
        };
        let pixmap_of = |width: u32, height: u32, colour: &dyn Fn(usize) -> [u8; 3]| {
            let mut pixmap = tiny_skia::Pixmap::new(width, height).unwrap();
            for (i, pixel) in pixmap.pixels_mut().iter_mut().enumerate() {
                let [r, g, b] = colour(i);
                *pixel = tiny_skia::ColorU8::from_rgba(r, g, b, 255).premultiply();
            }
            pixmap
        };
        let all = |count: usize, colour: &dyn Fn(usize) -> [u8; 3]| -> Vec<u8> {
            (0..count).flat_map(colour).collect()
        };
        // Two colours: indexed, and every pixel comes back exactly.
        let two = |i: usize| if i == 4 { [200, 100, 0] } else { [10, 20, 30] };
        let (stored, pixels) = decode(&pixmap_of(3, 2, &two));
        assert_eq!(stored, png::ColorType::Indexed);
        assert_eq!(pixels, all(6, &two));
        // Runs of one colour long and short, across rows: every pixel comes back exactly.
        let runs = |i: usize| {
            let run = u8::try_from((i / 11 + i % 3 / 2) % 40).unwrap();
            [run * 6, 255 - run, run / 2]
        };
        let (stored, pixels) = decode(&pixmap_of(37, 5, &runs));
        assert_eq!(stored, png::ColorType::Indexed);
        assert_eq!(pixels, all(37 * 5, &runs));
        // 257 colours: RGB, exactly.
        let many = |i: usize| {
            let [a, b] = u16::try_from(i).unwrap().to_le_bytes();
            [a, b, 7]
        };
        let (stored, pixels) = decode(&pixmap_of(257, 1, &many));
        assert_eq!(stored, png::ColorType::Rgb);
        assert_eq!(pixels, all(257, &many));
    }

    #[test]
    fn characters_without_a_font_are_named() {
        let fonts = Fonts::new(Vec::new());
        // A private-use character is in no font.
        assert_eq!(fonts.missing("Tariffs \u{F8FF}"), vec!['\u{F8FF}']);
    }
}
