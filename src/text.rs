//! Text in any script: the Unicode facts that slugs, heading anchors, excerpts and the search
//! index agree on, from ICU4X's compiled data (never hand-made tables).
//!
//! - A *word character* is a letter, mark or number (general categories L, M, N).
//! - *Invisible* characters (format controls such as zero-width joiners, soft hyphens and
//!   bidi marks) are dropped from words: a word reads and matches the same with or without them.
//! - Scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer,
//!   Myanmar), and Hangul, whose spaced words carry their particles and compounds (`상호관세를`
//!   holds `관세`), are *unspaced*: the search index cuts their words into overlapping pairs
//!   of characters, as Lucene's CJK analyzer does.
//!
//! `static/search.js` mirrors `words` and `search_terms` for queries; keep the two in step.

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::CodePointMapData;
use icu_properties::props::{EastAsianWidth, GeneralCategory, GeneralCategoryGroup, Script};
use icu_properties::script::ScriptWithExtensions;
use icu_segmenter::GraphemeClusterSegmenter;

/// The text in Unicode Normalization Form C (composed), borrowed when it already is.
pub fn nfc(text: &str) -> Cow<'_, str> {
    ComposingNormalizerBorrowed::new_nfc().normalize(text)
}

fn category(c: char) -> GeneralCategory {
    CodePointMapData::<GeneralCategory>::new().get(c)
}

/// A letter, mark or number of any script.
pub fn is_word_char(c: char) -> bool {
    let group = GeneralCategoryGroup::Letter
        .union(GeneralCategoryGroup::Mark)
        .union(GeneralCategoryGroup::Number);
    group.contains(category(c))
}

/// A mark (accent, vowel sign, virama…): it belongs to the character before it.
pub fn is_mark(c: char) -> bool {
    GeneralCategoryGroup::Mark.contains(category(c))
}

/// A format character: zero-width joiners and spaces, soft hyphens, bidi controls. (Control
/// characters such as tabs and line breaks are not invisible: they separate words.)
pub fn is_invisible(c: char) -> bool {
    category(c) == GeneralCategory::Format
}

/// A letter of the Latin script (`é` and `ß` are; `日` and `д` are not).
pub fn is_latin_letter(c: char) -> bool {
    GeneralCategoryGroup::Letter.contains(category(c))
        && CodePointMapData::<Script>::new().get(c) == Script::Latin
}

/// A letter of a syllabary, abjad or ideographic script (general category Lo): one such
/// character can be a whole word (쌀, 米), so the search index keeps single ones.
pub fn is_other_letter(c: char) -> bool {
    category(c) == GeneralCategory::OtherLetter
}

/// Scripts whose words are not separated by spaces, and Hangul.
const UNSPACED: [Script; 8] = [
    Script::Han,
    Script::Hiragana,
    Script::Katakana,
    Script::Hangul,
    Script::Thai,
    Script::Lao,
    Script::Khmer,
    Script::Myanmar,
];

/// Whether `c` is written in a script indexed by pairs of characters (by its script
/// extensions, so that `ー` and `々` count with the kana and kanji around them).
pub fn is_unspaced(c: char) -> bool {
    let scripts = ScriptWithExtensions::new();
    UNSPACED.iter().any(|&script| scripts.has_script(c, script))
}

/// A run of word characters, as `words` finds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// Lower-cased, NFC, without invisible characters.
    pub text: String,
    /// Written in a script without spaces (see `is_unspaced`).
    pub unspaced: bool,
}

/// The words of `text`: runs of word characters, lower-cased (final sigma as sigma) and in NFC, invisible
/// characters dropped, and split where the text passes between an unspaced script and any
/// other (`2025年4月` → `2025`, `年`, `4`, `月`). A mark stays with the character before it.
pub fn words(text: &str) -> Vec<Word> {
    let text = nfc(text);
    let mut words = Vec::new();
    let mut current = Word::default();
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        if !is_word_char(c) {
            if !current.text.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let unspaced = if is_mark(c) && !current.text.is_empty() {
            current.unspaced
        } else {
            is_unspaced(c)
        };
        if !current.text.is_empty() && unspaced != current.unspaced {
            words.push(std::mem::take(&mut current));
        }
        current.unspaced = unspaced;
        // Final sigma folds to sigma: `ΤΑΡΙΦΑΣ` and `ταριφας` are one word, whichever way
        // a lower-casing handled the end of the word.
        current
            .text
            .extend(c.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l }));
    }
    if !current.text.is_empty() {
        words.push(current);
    }
    // Lower-casing can undo NFC (a few capitals lower-case to decomposed forms).
    for word in &mut words {
        if let Cow::Owned(normal) = nfc(&word.text) {
            word.text = normal;
        }
    }
    words
}

/// Grapheme clusters (what a reader sees as one character: `é` with its accent, `क्षि`'s
/// parts, a flag, a family emoji) of `text`, as byte offsets of their starts and the end.
fn grapheme_boundaries(text: &str) -> impl Iterator<Item = usize> + '_ {
    GraphemeClusterSegmenter::new().segment_str(text)
}

/// The grapheme clusters of `text`, in order.
pub fn graphemes(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut bounds = grapheme_boundaries(text);
    let mut start = bounds.next().unwrap_or(0);
    bounds.filter_map(move |end| {
        let piece = text.get(start..end);
        start = end;
        piece
    })
}

/// How wide `text` is when set at 1 em, estimated generously from the characters' classes
/// (for laying out chart labels before any browser sees them): wide East Asian characters
/// and emoji are 1 em, Indic syllables about 1 em, digits and most letters about 0.6 em
/// (the widest common sans-serif, DejaVu Sans, sets digits at 0.64 em), marks and invisible
/// characters nothing.
pub fn width_em(text: &str) -> f64 {
    let widths = CodePointMapData::<EastAsianWidth>::new();
    graphemes(text)
        .map(|g| {
            let Some(c) = g.chars().next() else {
                return 0.0;
            };
            let wide = matches!(
                widths.get(c),
                EastAsianWidth::Wide | EastAsianWidth::Fullwidth
            ) || g.chars().any(|c| c == '\u{fe0f}' || c == '\u{200d}');
            if wide {
                1.0
            } else if ('\u{0900}'..='\u{0DFF}').contains(&c) {
                // Indic scripts (Devanagari to Sinhala): a syllable is about 1 em, a vowel sign
                // beside it (`ा`) adds 0.3, a conjunct's further consonants half an em each
                // (measured in Noto Sans Devanagari: `आंकड़ा उपलब्ध नहीं` is 10.2 em).
                let letters = g
                    .chars()
                    .filter(|c| c.is_alphabetic() && !is_mark(*c))
                    .count();
                let signs = g
                    .chars()
                    .filter(|c| category(*c) == GeneralCategory::SpacingMark)
                    .count();
                1.0 + 0.5 * letters.saturating_sub(1) as f64 + 0.3 * signs as f64
            } else if is_invisible(c) || is_mark(c) {
                0.0
            } else if c == ' ' {
                0.32
            } else if c.is_ascii_digit() {
                0.64
            } else if c.is_uppercase() || matches!(c, 'm' | 'w' | 'M' | 'W' | '%' | '@') {
                0.8
            } else if matches!(
                c,
                'i' | 'j' | 'l' | 't' | 'f' | 'r' | '.' | ',' | ':' | ';' | '\'' | '!' | '|'
            ) {
                0.4
            } else {
                0.62
            }
        })
        .sum()
}

/// At most `max` grapheme clusters of `text`, never cutting one in two; `…` marks a cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    match grapheme_boundaries(text).nth(max) {
        Some(end) if end < text.len() => {
            let kept = text.get(..end).unwrap_or(text).trim_end();
            Cow::Owned(format!("{kept}…"))
        }
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn widths_count_what_a_reader_sees() {
        assert_eq!(
            graphemes("e\u{301}日").collect::<Vec<_>>(),
            ["e\u{301}", "日"]
        );
        assert!((width_em("日本") - 2.0).abs() < 1e-9);
        assert!((width_em("e\u{301}") - width_em("e")).abs() < 1e-9);
        assert!(width_em("99,000") > 3.0);
        assert_eq!(width_em(""), 0.0);
        // Devanagari as set in Noto Sans Devanagari (10.2 em), never less.
        let hindi = width_em("आंकड़ा उपलब्ध नहीं");
        assert!((10.2..11.5).contains(&hindi), "{hindi}");
    }

    #[test]
    fn words_of_every_script() {
        assert_eq!(texts("Café au lait."), ["café", "au", "lait"]);
        assert_eq!(texts("한국의 입장"), ["한국의", "입장"]);
        // The virama (U+094D) and vowel signs are marks: the Hindi word stays whole.
        assert_eq!(texts("भारत की स्थिति"), ["भारत", "की", "स्थिति"]);
        assert_eq!(texts("موقف الهند"), ["موقف", "الهند"]);
        assert_eq!(texts("2025年4月の交渉"), ["2025", "年", "4", "月の交渉"]);
        assert_eq!(texts("データ"), ["データ"]);
    }

    #[test]
    fn invisible_characters_and_decomposed_text_match_their_plain_forms() {
        // NFD `e` + U+0301 and a zero-width space inside the word.
        assert_eq!(texts("Cafe\u{301}"), texts("café"));
        assert_eq!(texts("ta\u{200b}riff"), ["tariff"]);
        assert_eq!(texts("\u{202e}tariff\u{202c}"), ["tariff"]);
        // Persian writes a zero-width non-joiner inside words.
        assert_eq!(texts("می\u{200c}خواهم"), texts("میخواهم"));
    }

    #[test]
    fn unspaced_scripts_are_marked() {
        let w = words("US 日本 タイ語 ไทย 관세 भारत");
        let unspaced: Vec<bool> = w.iter().map(|w| w.unspaced).collect();
        assert_eq!(unspaced, [false, true, true, true, true, false]);
    }

    #[test]
    fn truncation_keeps_grapheme_clusters_whole() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 3), "abc…");
        // `e` + combining acute is one cluster; a family emoji is one cluster.
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}e\u{301}…");
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(
            truncate(&format!("{family}{family}"), 1),
            format!("{family}…")
        );
        // Since Unicode 15.1 a conjunct (consonant, virama, consonant) is one cluster too.
        assert_eq!(truncate("स्थिति स्थिति", 1), "स्थि…");
        assert_eq!(truncate("स्थिति स्थिति", 3), "स्थिति…");
    }

    proptest::proptest! {
        #[test]
        fn words_are_nonempty_normal_and_lowercase(text in "\\PC{0,40}") {
            for word in words(&text) {
                proptest::prop_assert!(!word.text.is_empty());
                proptest::prop_assert!(nfc(&word.text) == word.text.as_str());
                proptest::prop_assert!(word.text.chars().all(is_word_char), "{:?}", word);
                proptest::prop_assert_eq!(word.text.to_lowercase(), word.text.clone());
            }
        }

        #[test]
        fn truncation_is_a_prefix_on_a_boundary(text in "\\PC{0,40}", max in 0usize..20) {
            let cut = truncate(&text, max);
            let kept = cut.strip_suffix('…').unwrap_or(&cut);
            proptest::prop_assert!(text.starts_with(kept));
        }
    }
}
