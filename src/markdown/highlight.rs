//! Code highlighting with syntect. Each token gets one short class that names how it looks in
//! the light theme and in the dark one (`hl-a71d5d-8fa1b3`, `hl-969896i-`), and `syntax.css`
//! holds a rule for exactly the classes the site uses: pages carry a few bytes per token
//! instead of the whole scope stack, and one stylesheet themes every block in both colour
//! schemes. Syntax definitions and themes load once per process, on first use.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn theme_set() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Names of the themes `[markdown] light_theme` and `dark_theme` may use.
pub fn theme_names() -> Vec<&'static str> {
    theme_set().themes.keys().map(String::as_str).collect()
}

/// The light and dark themes a site's code is shown in.
#[derive(Clone, Copy)]
pub struct Themes {
    light_name: &'static str,
    dark_name: &'static str,
    light: &'static Theme,
    dark: &'static Theme,
}

impl Themes {
    pub fn named(light: &str, dark: &str) -> Result<Themes, String> {
        let find = |name: &str| {
            theme_set().themes.get_key_value(name).ok_or_else(|| {
                format!(
                    "unknown highlighting theme `{name}`; available: {}",
                    theme_names().join(", ")
                )
            })
        };
        let (light_name, light) = find(light)?;
        let (dark_name, dark) = find(dark)?;
        Ok(Themes {
            light_name,
            dark_name,
            light,
            dark,
        })
    }
}

/// How one theme shows a token: its colour (as drawn on the theme's background) and font.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Look {
    rgb: [u8; 3],
    bold: bool,
    italic: bool,
    underline: bool,
}

/// The background code blocks are drawn on (`--code-bg` in `static/style.css`), in the light
/// and the dark colour scheme: token colours are made to read on these.
const LIGHT_CODE_BG: [u8; 3] = [0xf1, 0xf3, 0xf6];
const DARK_CODE_BG: [u8; 3] = [0x1d, 0x23, 0x2b];
/// WCAG AA for normal text is 4.5:1; a little more keeps rounding on the safe side.
const MIN_CONTRAST: f64 = 4.6;

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// WCAG 2 contrast ratio of two colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `rgb` if it reads on `background` (AA), else the nearest colour that does: the same hue
/// mixed towards black on a light background or white on a dark one, a step at a time.
fn legible(rgb: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    let target: u8 = if luminance(background) > 0.18 { 0 } else { 255 };
    (0..=100)
        .map(|step| {
            let t = f64::from(step) / 100.0;
            rgb.map(|c| (f64::from(c) * (1.0 - t) + f64::from(target) * t).round() as u8)
        })
        .find(|mixed| contrast(*mixed, background) >= MIN_CONTRAST)
        .unwrap_or([target; 3])
}

impl Look {
    /// `None` when the theme shows the token as plain text: it then inherits the page's colour.
    /// A colour that would not meet AA contrast on `page` (the code background of the
    /// theme's colour scheme) is darkened or lightened until it does.
    fn of(style: Style, theme: &Theme, page: [u8; 3]) -> Option<Look> {
        let background = theme.settings.background.unwrap_or(Color::WHITE);
        let look = Look {
            rgb: legible(blend(style.foreground, background), page),
            bold: style.font_style.contains(FontStyle::BOLD),
            italic: style.font_style.contains(FontStyle::ITALIC),
            underline: style.font_style.contains(FontStyle::UNDERLINE),
        };
        let plain = theme
            .settings
            .foreground
            .is_none_or(|fg| legible(blend(fg, background), page) == look.rgb)
            && !(look.bold || look.italic || look.underline);
        (!plain).then_some(look)
    }

    /// Writes the look's part of a class name: colour and font flags, nothing when plain.
    fn write_name(look: Option<Look>, out: &mut String) {
        let Some(look) = look else {
            return;
        };
        let [r, g, b] = look.rgb;
        let _ = write!(out, "{r:02x}{g:02x}{b:02x}");
        for (on, flag) in [(look.bold, 'b'), (look.italic, 'i'), (look.underline, 'u')] {
            if on {
                out.push(flag);
            }
        }
    }

    fn declarations(look: Option<Look>) -> String {
        match look {
            None => "color:inherit;font-weight:inherit;font-style:inherit;text-decoration:inherit"
                .to_owned(),
            Some(look) => {
                let [r, g, b] = look.rgb;
                format!(
                    "color:#{r:02x}{g:02x}{b:02x};font-weight:{};font-style:{};text-decoration:{}",
                    if look.bold { "bold" } else { "inherit" },
                    if look.italic { "italic" } else { "inherit" },
                    if look.underline {
                        "underline"
                    } else {
                        "inherit"
                    },
                )
            }
        }
    }
}

/// A token's look in both themes; its class name says both, so it never depends on what else
/// the site contains.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct CodeStyle {
    light: Option<Look>,
    dark: Option<Look>,
}

impl CodeStyle {
    pub fn class(&self) -> String {
        let mut class = String::new();
        self.write_class(&mut class);
        class
    }

    fn write_class(&self, out: &mut String) {
        out.push_str("hl-");
        Look::write_name(self.light, out);
        out.push('-');
        Look::write_name(self.dark, out);
    }
}

/// A colour with transparency, as it shows on `background`.
fn blend(color: Color, background: Color) -> [u8; 3] {
    let alpha = u16::from(color.a);
    let mix = |c: u8, b: u8| ((u16::from(c) * alpha + u16::from(b) * (255 - alpha)) / 255) as u8;
    [
        mix(color.r, background.r),
        mix(color.g, background.g),
        mix(color.b, background.b),
    ]
}

/// A highlighted block: its HTML and the styles it uses.
#[derive(Debug, Default)]
pub struct Highlighted {
    pub html: String,
    pub styles: Vec<CodeStyle>,
}

/// A fenced code block as HTML, and the code styles it uses. An unknown or missing language,
/// or no themes (highlighting off), gives plain escaped code.
pub fn code_block(code: &str, lang: Option<&str>, themes: Option<Themes>) -> Highlighted {
    let lang = lang.map(str::trim).filter(|l| !l.is_empty());
    let lang_attr = lang
        .map(|l| format!(" data-lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    let code_class = lang
        .map(|l| format!(" class=\"language-{}\"", escape(l)))
        .unwrap_or_default();
    let highlighted = lang.zip(themes).and_then(|(l, t)| highlighted(code, l, t));
    let (body, styles) = match &highlighted {
        Some(h) => (h.html.as_str(), h.styles.clone()),
        None => (&*escape(code), Vec::new()),
    };
    Highlighted {
        html: format!(
            "<pre class=\"code\" tabindex=\"0\"{lang_attr}><code{code_class}>{body}</code></pre>\n"
        ),
        styles,
    }
}

/// Highlighted blocks by (language, code, themes). Highlighting is the costliest step of a
/// build and a pure function of its input, so a block seen again (the same example on many
/// pages, or an unchanged block of a page `serve` renders again after an edit) is not
/// highlighted twice.
///
/// Bounded: entries live in two generations of at most `CACHE_BYTES / 2` each. A hit in the
/// older one moves the entry to the newer; when the newer is full it becomes the older and
/// the older is dropped. So the cache holds at most `CACHE_BYTES` (code and HTML), keeps
/// what was used recently, and a build of 100,000 pages does not keep every block it saw.
type CacheKey = (String, String, &'static str, &'static str);
const CACHE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Default)]
struct HighlightCache {
    newer: HashMap<CacheKey, Option<Arc<Highlighted>>>,
    older: HashMap<CacheKey, Option<Arc<Highlighted>>>,
    /// Bytes of code and HTML in `newer`.
    newer_bytes: usize,
}

impl HighlightCache {
    fn get(&mut self, key: &CacheKey) -> Option<Option<Arc<Highlighted>>> {
        if let Some(hit) = self.newer.get(key) {
            return Some(hit.clone());
        }
        let (key, hit) = self.older.remove_entry(key)?;
        self.insert(key, hit.clone());
        Some(hit)
    }

    fn insert(&mut self, key: CacheKey, value: Option<Arc<Highlighted>>) {
        let bytes = key.0.len()
            + key.1.len()
            + value.as_ref().map_or(0, |h| h.html.len())
            + std::mem::size_of::<CacheKey>();
        if self.newer_bytes + bytes > CACHE_BYTES / 2 {
            self.older = std::mem::take(&mut self.newer);
            self.newer_bytes = 0;
        }
        self.newer_bytes += bytes;
        self.newer.insert(key, value);
    }
}

fn cache() -> &'static Mutex<HighlightCache> {
    static CACHE: OnceLock<Mutex<HighlightCache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn highlighted(code: &str, lang: &str, themes: Themes) -> Option<Arc<Highlighted>> {
    let key = (
        lang.to_owned(),
        code.to_owned(),
        themes.light_name,
        themes.dark_name,
    );
    if let Some(hit) = cache().lock().ok().and_then(|mut c| c.get(&key)) {
        return hit;
    }
    let result = highlight_now(code, lang, themes).map(Arc::new);
    if let Ok(mut cache) = cache().lock() {
        cache.insert(key, result.clone());
    }
    result
}

fn highlight_now(code: &str, lang: &str, themes: Themes) -> Option<Highlighted> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    LINES.with_borrow_mut(|lines| {
        lines.keep_within(LINE_MEMO_BYTES);
        STYLES.with_borrow_mut(|styles| {
            highlight_lines(code, syntax, &mut styles.for_themes(themes), Some(lines))
        })
    })
}

/// Highlights `code` line by line; with `memo`, a line met before in the same parser state
/// is not parsed again. Either way the result is the same: parsing a line is a pure function
/// of the state before it and its text.
fn highlight_lines(
    code: &str,
    syntax: &SyntaxReference,
    styles: &mut ThemedStyles,
    memo: Option<&mut LineMemo>,
) -> Option<Highlighted> {
    let set = syntaxes();
    let mut stack = ScopeStack::new();
    let mut out = Spans::default();
    let mut show = |line: &str, ops: &[(usize, ScopeStackOp)]| -> Option<()> {
        let mut start = 0;
        for (at, op) in ops {
            // syntect's offsets come from regex matches on the line: character
            // boundaries; flooring them keeps a wrong one from cutting a character.
            let at = crate::source::floor_char_boundary(line, *at).max(start);
            out.push(
                styles.of(stack.as_slice()),
                line.get(start..at).unwrap_or_default(),
            );
            stack.apply(op).ok()?;
            start = at;
        }
        out.push(
            styles.of(stack.as_slice()),
            line.get(start..).unwrap_or_default(),
        );
        Some(())
    };
    match memo {
        None => {
            let mut parser = ParseState::new(syntax);
            for line in LinesWithEndings::from(code) {
                let ops = parser.parse_line(line, set).ok()?;
                show(line, &ops)?;
            }
        }
        Some(memo) => {
            let mut state = memo.start(syntax);
            // The parser in `state`, while the last line was parsed rather than recalled.
            let mut live = None;
            for line in LinesWithEndings::from(code) {
                let parsed = memo.parse(state, &mut live, line, set)?;
                show(line, &parsed.ops)?;
                state = parsed.next;
            }
        }
    }
    Some(out.finish())
}

/// Parsed lines, by the parser's state before them and their text: what parsing gave (the
/// scope operations) and the state after. Code blocks repeat lines (the keys of a YAML or
/// JSON excerpt, a closing brace, an import), and parsing is most of what highlighting costs.
///
/// Per thread, like the styles; bounded: past `LINE_MEMO_BYTES` it starts again empty at the
/// next block.
#[derive(Default)]
struct LineMemo {
    /// The distinct parser states met, by id.
    states: Vec<ParseState>,
    /// Ids of states by their `Debug` form: equal states print alike, and `==` decides among
    /// those that print alike. (syntect compares the captures a state may hold by where they
    /// are in memory, so such a state reached twice by different lines gets two ids: lines
    /// after it are parsed once for each, never recalled from a state that is not theirs.)
    by_print: foldhash::HashMap<String, Vec<u32>>,
    /// Each syntax's first state, by name.
    starts: foldhash::HashMap<String, u32>,
    /// The states each state has led to, by id: where the state after a line is looked for
    /// first (most lines leave the state as it was, or lead where they led before).
    successors: foldhash::HashMap<u32, Vec<u32>>,
    /// Where in `parsed` each line's parse is, by the state before it and the line.
    lines: foldhash::HashMap<u32, foldhash::HashMap<Box<str>, usize>>,
    /// What lines parsed to: their scope operations and the state after them.
    parsed: Vec<Parsed>,
    /// About what `states`, `lines` and `parsed` hold, in bytes.
    bytes: usize,
}

struct Parsed {
    ops: Vec<(usize, ScopeStackOp)>,
    next: u32,
}

const LINE_MEMO_BYTES: usize = 6 * 1024 * 1024;

impl LineMemo {
    /// Starts again empty once past `limit` bytes; called between blocks, never inside one
    /// (a block's lines refer to the states numbered before them).
    fn keep_within(&mut self, limit: usize) {
        if self.bytes > limit {
            *self = LineMemo::default();
        }
    }

    fn start(&mut self, syntax: &SyntaxReference) -> u32 {
        if let Some(&id) = self.starts.get(&syntax.name) {
            return id;
        }
        let id = self.intern(ParseState::new(syntax));
        self.starts.insert(syntax.name.clone(), id);
        id
    }

    fn intern(&mut self, state: ParseState) -> u32 {
        let print = format!("{state:?}");
        match self.find(&print, &state) {
            Some(id) => id,
            None => self.add(print, state),
        }
    }

    /// The id of a state equal to `state` (which prints as `print`), if one was met.
    fn find(&self, print: &str, state: &ParseState) -> Option<u32> {
        let ids = self.by_print.get(print)?;
        ids.iter()
            .copied()
            .find(|&id| self.states[id as usize] == *state)
    }

    fn add(&mut self, print: String, state: ParseState) -> u32 {
        let id = u32::try_from(self.states.len()).unwrap_or(u32::MAX);
        self.bytes += 2 * print.len() + std::mem::size_of::<ParseState>();
        self.states.push(state);
        self.by_print.entry(print).or_default().push(id);
        id
    }

    /// The id of `parser`'s state, reached from state `from`.
    fn after(&mut self, from: u32, parser: &ParseState) -> u32 {
        let same = |id: &u32| self.states.get(*id as usize) == Some(parser);
        if same(&from) {
            return from;
        }
        let known = self.successors.get(&from);
        if let Some(id) = known.and_then(|ids| ids.iter().find(|id| same(id))) {
            return *id;
        }
        let print = format!("{parser:?}");
        let id = match self.find(&print, parser) {
            Some(id) => id,
            None => self.add(print, parser.clone()),
        };
        let successors = self.successors.entry(from).or_default();
        if successors.len() < 8 {
            successors.push(id);
            self.bytes += std::mem::size_of::<u32>();
        }
        id
    }

    /// `line` parsed from state `state`; `None` if syntect cannot parse it. `live` is the
    /// parser in `state` when the caller has it (the last line was parsed, not recalled):
    /// it parses the line if it is new, and is left in the state after it.
    fn parse(
        &mut self,
        state: u32,
        live: &mut Option<ParseState>,
        line: &str,
        set: &SyntaxSet,
    ) -> Option<&Parsed> {
        let known = self
            .lines
            .get(&state)
            .and_then(|lines| lines.get(line))
            .copied();
        let at = if let Some(at) = known {
            *live = None;
            at
        } else {
            let mut parser = match live.take() {
                Some(parser) => parser,
                None => self.states.get(state as usize)?.clone(),
            };
            let ops = parser.parse_line(line, set).ok()?;
            let next = self.after(state, &parser);
            *live = Some(parser);
            self.bytes += line.len()
                + ops.len() * std::mem::size_of::<(usize, ScopeStackOp)>()
                + std::mem::size_of::<Parsed>()
                + 32;
            let at = self.parsed.len();
            self.parsed.push(Parsed { ops, next });
            self.lines.entry(state).or_default().insert(line.into(), at);
            at
        };
        self.parsed.get(at)
    }
}

thread_local! {
    static STYLES: std::cell::RefCell<StyleCache> = Default::default();
    static LINES: std::cell::RefCell<LineMemo> = Default::default();
}

/// Code styles by scope stack, for one pair of themes. Matching a stack against every rule of
/// two themes is the costly part of styling, and a site's code has a few hundred distinct
/// stacks, so each is matched once per thread.
#[derive(Default)]
struct StyleCache {
    themes: Option<(&'static str, &'static str)>,
    by_stack: HashMap<Vec<Scope>, CodeStyle>,
}

struct ThemedStyles<'a> {
    themes: Themes,
    by_stack: &'a mut HashMap<Vec<Scope>, CodeStyle>,
}

impl StyleCache {
    fn for_themes(&mut self, themes: Themes) -> ThemedStyles<'_> {
        let names = (themes.light_name, themes.dark_name);
        if self.themes != Some(names) {
            self.themes = Some(names);
            self.by_stack.clear();
        }
        ThemedStyles {
            themes,
            by_stack: &mut self.by_stack,
        }
    }
}

impl ThemedStyles<'_> {
    fn of(&mut self, stack: &[Scope]) -> CodeStyle {
        if let Some(style) = self.by_stack.get(stack) {
            return *style;
        }
        let look = |theme: &'static Theme, page| {
            Look::of(Highlighter::new(theme).style_for_stack(stack), theme, page)
        };
        let style = CodeStyle {
            light: look(self.themes.light, LIGHT_CODE_BG),
            dark: look(self.themes.dark, DARK_CODE_BG),
        };
        self.by_stack.insert(stack.to_vec(), style);
        style
    }
}

/// Highlighted HTML being written: adjacent tokens that look alike share one span.
#[derive(Default)]
struct Spans {
    html: String,
    open: Option<CodeStyle>,
    used: BTreeSet<CodeStyle>,
}

impl Spans {
    fn push(&mut self, style: CodeStyle, text: &str) {
        if text.is_empty() {
            return;
        }
        let plain = style.light.is_none() && style.dark.is_none();
        if self.open != Some(style) {
            if self.open.take().is_some() {
                self.html.push_str("</span>");
            }
            if !plain {
                self.html.push_str("<span class=\"");
                style.write_class(&mut self.html);
                self.html.push_str("\">");
                self.open = Some(style);
                self.used.insert(style);
            }
        }
        escape_into(&mut self.html, text);
    }

    fn finish(mut self) -> Highlighted {
        if self.open.is_some() {
            self.html.push_str("</span>");
        }
        self.html.shrink_to_fit();
        Highlighted {
            html: self.html,
            styles: self.used.into_iter().collect(),
        }
    }
}

/// The stylesheet for highlighted code: a rule per style the site uses, for the light theme,
/// and for readers who prefer a dark colour scheme the dark one.
pub fn stylesheet(styles: &BTreeSet<CodeStyle>) -> String {
    let mut css = String::from(
        "/* Generated by tradetalks from the syntect themes in [markdown]: one class per look of a token (light theme, then dark). */\n",
    );
    for style in styles.iter().filter(|s| s.light.is_some()) {
        let _ = writeln!(
            css,
            ".code .{}{{{}}}",
            style.class(),
            Look::declarations(style.light)
        );
    }
    css.push_str("@media (prefers-color-scheme: dark) {\n");
    for style in styles {
        let _ = writeln!(
            css,
            ".code .{}{{{}}}",
            style.class(),
            Look::declarations(style.dark)
        );
    }
    css.push_str("}\n");
    css
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    escape_markup(out, text, false);
}

/// HTML escaping of `text` onto `out`; with `drop_controls`, the control characters XML 1.0
/// forbids (all but tab, line feed and carriage return) are left out too. One pass over the
/// bytes: every byte it changes or drops is ASCII, never part of another character, so both
/// ends of each piece copied are character boundaries and `get` cannot fail.
pub fn escape_markup(out: &mut String, text: &str, drop_controls: bool) {
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\t' | b'\n' | b'\r' => continue,
            0..0x20 if drop_controls => "",
            _ => continue,
        };
        out.push_str(text.get(start..at).unwrap_or_default());
        out.push_str(replacement);
        start = at + 1;
    }
    out.push_str(text.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highlight_cache_is_bounded_and_keeps_what_was_used_recently() {
        let mut cache = HighlightCache::default();
        let key = |n: usize| {
            (
                String::new(),
                format!("{n}{}", " ".repeat(1 << 20)),
                "a",
                "b",
            )
        };
        let size = |cache: &HighlightCache| {
            cache
                .newer
                .keys()
                .chain(cache.older.keys())
                .map(|k| k.1.len())
                .sum::<usize>()
        };
        for n in 0..100 {
            cache.insert(key(n), None);
            // The first block, used again and again, stays.
            assert!(cache.get(&key(0)).is_some(), "block 0 gone after {n}");
            assert!(size(&cache) <= CACHE_BYTES, "{} bytes", size(&cache));
        }
        assert!(cache.get(&key(99)).is_some());
        assert!(
            cache.get(&key(1)).is_none(),
            "an old block unused since is dropped"
        );
    }

    fn themes() -> Themes {
        Themes::named("InspiredGitHub", "base16-ocean.dark").unwrap()
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Any sequence of blocks, in any language, of lines drawn from pieces that change
        /// the parser's state (quotes, comments, brackets, block scalars, here-documents) and
        /// from any text, highlights the same with the line memo as without it, also when the
        /// memo starts again empty between blocks.
        #[test]
        fn the_line_memo_never_changes_a_block(
            blocks in proptest::collection::vec(
                (
                    0..6usize,
                    proptest::collection::vec(
                        proptest::prop_oneof![
                            proptest::sample::select(vec![
                                "rates:", "  baseline: 10.0", "note: |", "  - \"a", "\"", "'",
                                "/*", "*/", "//", "#", "{", "}", "[", "]", "cat <<EOF", "EOF",
                                "r#\"", "\"#", "<?php", "$s = <<<EOT", "EOT;", "```", "",
                            ]).prop_map(str::to_owned),
                            "\\PC{0,12}",
                        ],
                        0..12,
                    ),
                ),
                1..6,
            ),
            limit in proptest::sample::select(vec![0usize, 2_000, LINE_MEMO_BYTES]),
        ) {
            const LANGS: [&str; 6] = ["yaml", "json", "rust", "bash", "php", "md"];
            let set = syntaxes();
            let themes = themes();
            let mut memo = LineMemo::default();
            let mut cache = StyleCache::default();
            for (lang, lines) in blocks.iter().chain(blocks.iter()) {
                let code = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
                let syntax = set.find_syntax_by_token(LANGS[*lang]).unwrap();
                memo.keep_within(limit);
                let plain = highlight_lines(&code, syntax, &mut cache.for_themes(themes), None);
                let memoised =
                    highlight_lines(&code, syntax, &mut cache.for_themes(themes), Some(&mut memo));
                proptest::prop_assert_eq!(
                    plain.as_ref().map(|h| (&h.html, &h.styles)),
                    memoised.as_ref().map(|h| (&h.html, &h.styles)),
                    "{}:\n{}", LANGS[*lang], code
                );
            }
        }
    }

    /// Highlighting with the line memo gives what highlighting without it gives, for blocks
    /// that share lines in the same state and in different states (a line inside a string or
    /// a comment parses differently), in several languages, in any script, and in
    /// here-documents and raw strings (states that hold a regex's captures); and lines met
    /// again are taken from the memo, not parsed again.
    #[test]
    fn the_line_memo_changes_nothing_but_the_work() {
        let blocks: [(&str, &str); 11] = [
            (
                "yaml",
                "country: \"日本\"\nrates:\n  baseline: 10.0\n  reciprocal: 24.0\nreview_clause: true\n",
            ),
            (
                "yaml",
                "country: \"भारत\"\nrates:\n  baseline: 10.0\n  reciprocal: 26.0\nnote: |\n  rates:\n  baseline: 10.0\nreview_clause: true\n",
            ),
            (
                "json",
                "{\n  \"country\": \"대한민국\",\n  \"rates\": {\"baseline\": 10.0}\n}\n",
            ),
            (
                "json",
                "{\n  \"country\": \"مصر\",\n  \"rates\": {\"baseline\": 10.0}\n}\n",
            ),
            (
                "rust",
                "fn main() {\n    let x = 1; // }\n    /* fn main() {\n    let x = 1; */\n}\n",
            ),
            (
                "bash",
                "cat <<EOF\nrates:\n  baseline: 10.0\nEOF\necho done\ncat <<END\nEOF\nEND\n",
            ),
            ("rust", "let s = r##\"\nrates:\n  baseline: 10.0\n\"##;\n"),
            (
                "php",
                "<?php\n$s = <<<EOT\nrates:\n  baseline: 10.0\nEOT;\n",
            ),
            ("rb", "s = <<~EOT\n  rates:\n  baseline: 10.0\nEOT\n"),
            ("md", "~~~~\nrates:\n  baseline: 10.0\n~~~~\n"),
            ("yaml", "rates:\n  baseline: 10.0\n  reciprocal: 24.0\n"),
        ];
        let set = syntaxes();
        let themes = themes();
        let mut memo = LineMemo::default();
        let mut cache = StyleCache::default();
        for round in 0..2 {
            let before = memo.bytes;
            for (lang, code) in blocks {
                let syntax = set.find_syntax_by_token(lang).unwrap();
                let plain =
                    highlight_lines(code, syntax, &mut cache.for_themes(themes), None).unwrap();
                let memoised =
                    highlight_lines(code, syntax, &mut cache.for_themes(themes), Some(&mut memo))
                        .unwrap();
                assert_eq!(
                    memoised.html, plain.html,
                    "{lang} in round {round}:\n{code}"
                );
                assert_eq!(memoised.styles, plain.styles, "{lang} in round {round}");
                assert!(plain.html.contains("<span"), "{lang} is highlighted");
            }
            if round == 1 {
                // Every line of the second round was recalled, none parsed again.
                assert_eq!(memo.bytes, before, "the second round added to the memo");
            }
        }
        // The same line in another state is another entry: `  baseline: 10.0` inside the
        // block scalar is text, outside it a key.
        let entries = |line: &str| memo.lines.values().filter(|l| l.contains_key(line)).count();
        assert!(entries("  baseline: 10.0\n") >= 2);
    }

    /// `--code-bg` of each colour scheme in the stylesheet, as `[r, g, b]`.
    fn code_backgrounds() -> Vec<[u8; 3]> {
        include_str!("../../static/style.css")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--code-bg: #"))
            .map(|hex| {
                let hex = hex.trim_end_matches(';');
                let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap(), 16).unwrap();
                [byte(0), byte(2), byte(4)]
            })
            .collect()
    }

    #[test]
    fn code_backgrounds_are_the_stylesheets() {
        let found = code_backgrounds();
        assert!(found.contains(&LIGHT_CODE_BG), "{found:?}");
        assert!(found.contains(&DARK_CODE_BG), "{found:?}");
    }

    #[test]
    fn failing_colours_move_to_the_nearest_that_passes() {
        // A pale yellow on the light code background: darkened until it reads.
        let fixed = legible([0xdf, 0xc0, 0x4c], LIGHT_CODE_BG);
        assert!(contrast(fixed, LIGHT_CODE_BG) >= 4.5);
        assert!(fixed[0] > fixed[2], "the hue is kept: {fixed:?}");
        // A colour that passes is left alone.
        assert_eq!(
            legible([0x1a, 0x1d, 0x21], LIGHT_CODE_BG),
            [0x1a, 0x1d, 0x21]
        );
        let fixed = legible([0x40, 0x40, 0x80], DARK_CODE_BG);
        assert!(contrast(fixed, DARK_CODE_BG) >= 4.5);
    }

    /// Every syntax of the default set, over a sample with the tokens most languages have, in
    /// every pair of built-in themes a site may pick: each token colour meets AA contrast on
    /// the code background of its colour scheme.
    #[test]
    fn every_token_of_every_syntax_meets_aa_contrast_in_both_themes() {
        let sample = "# comment\n// comment\n/* block */ -- c\nkey: \"value\" 'x' 42 3.14 true null\n\
            fn f(a, b) { return a + b; } <tag attr=\"v\">text</tag> $var @dec #[attr] SELECT * FROM t;\n\
            class C extends D: pass\nif x == 1 then y := [1, 2] end\n";
        for (light, dark) in [
            ("InspiredGitHub", "base16-ocean.dark"),
            ("Solarized (light)", "Solarized (dark)"),
            ("base16-ocean.light", "base16-eighties.dark"),
            ("InspiredGitHub", "base16-mocha.dark"),
        ] {
            let themes = Themes::named(light, dark).unwrap();
            let mut checked = 0;
            for syntax in syntaxes().syntaxes() {
                let Some(token) = syntax.file_extensions.first() else {
                    continue;
                };
                let Some(block) = highlight_now(sample, token, themes) else {
                    continue;
                };
                for style in &block.styles {
                    for (look, page) in [(style.light, LIGHT_CODE_BG), (style.dark, DARK_CODE_BG)] {
                        if let Some(look) = look {
                            checked += 1;
                            let ratio = contrast(look.rgb, page);
                            assert!(
                                ratio >= 4.5,
                                "{} in {light}/{dark}: {:?} is {ratio:.2}:1",
                                syntax.name,
                                look.rgb
                            );
                        }
                    }
                }
            }
            assert!(checked > 200, "only {checked} token colours were checked");
        }
    }

    #[test]
    fn known_languages_get_one_class_per_look() {
        let block = code_block(
            "fn main() { let s = \"x\"; }\n",
            Some("rust"),
            Some(themes()),
        );
        assert!(
            block
                .html
                .starts_with("<pre class=\"code\" tabindex=\"0\" data-lang=\"rust\">")
        );
        assert!(block.html.contains("<span class=\"hl-"), "{}", block.html);
        assert!(!block.styles.is_empty());
        for style in &block.styles {
            assert!(block.html.contains(&style.class()));
        }
        // The text survives highlighting, escaped.
        let text: String = block
            .html
            .trim_end()
            .split('<')
            .filter_map(|part| part.split_once('>').map(|(_, t)| t))
            .collect();
        assert_eq!(text, "fn main() { let s = &quot;x&quot;; }\n");
    }

    #[test]
    fn unknown_languages_and_no_themes_give_escaped_plain_text() {
        for block in [
            code_block("<b>", Some("nosuchlang"), Some(themes())),
            code_block("<b>", Some("rust"), None),
        ] {
            assert!(block.html.contains("&lt;b&gt;"));
            assert!(!block.html.contains("hl-"));
            assert!(block.styles.is_empty());
        }
    }

    #[test]
    fn unknown_themes_are_named_in_the_error() {
        let Err(message) = Themes::named("nope", "base16-ocean.dark") else {
            panic!("an unknown theme was accepted");
        };
        assert!(message.contains("`nope`") && message.contains("InspiredGitHub"));
    }

    #[test]
    fn stylesheet_has_a_light_and_a_dark_rule_per_class() {
        let block = code_block("// note\nlet x = 1;\n", Some("rust"), Some(themes()));
        let styles: BTreeSet<CodeStyle> = block.styles.iter().copied().collect();
        let css = stylesheet(&styles);
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark)")
            .unwrap();
        for style in &styles {
            let rule = format!(".code .{}{{", style.class());
            assert_eq!(light.contains(&rule), style.light.is_some(), "{css}");
            assert!(dark.contains(&rule), "{css}");
        }
        // Comments are italic in the light theme.
        assert!(light.contains("font-style:italic"), "{css}");
    }

    #[test]
    fn class_names_encode_both_looks() {
        let look = Look {
            rgb: [0xa7, 0x1d, 0x5d],
            bold: true,
            italic: false,
            underline: false,
        };
        let style = CodeStyle {
            light: Some(look),
            dark: None,
        };
        assert_eq!(style.class(), "hl-a71d5db-");
        assert_eq!(
            blend(
                Color {
                    r: 0,
                    g: 0,
                    b: 0,
                    a: 0
                },
                Color::WHITE
            ),
            [255; 3]
        );
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }
}
