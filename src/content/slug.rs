//! Slugs and site paths: how file and folder names, taxonomy terms and headings become URL
//! segments and anchors.
//!
//! By default a slug keeps the letters of every script (`日本の交渉` stays `日本の交渉`,
//! `Côte d'Ivoire` becomes `côte-d-ivoire`): lower-cased, in NFC, with runs of spaces,
//! punctuation and symbols as one `-`. URLs carry them percent-encoded (`config::Config::url_path`).
//! `slugify = "ascii"` in `tradetalks.toml` keeps only Latin letters (without their accents)
//! and digits; a name with no Latin letter then needs an explicit `slug`. No mode ever
//! transliterates one language with another's readings.

use serde::{Deserialize, Serialize};

use crate::text;

/// How names become URL segments (`slugify` in `tradetalks.toml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlugMode {
    /// Letters of every script, lower-cased.
    #[default]
    Unicode,
    /// Latin letters without accents and digits only.
    Ascii,
}

/// `South Korea` → `south-korea`; `日本の交渉` → `日本の交渉` (`""` in ASCII mode);
/// `Côte d'Ivoire` → `côte-d-ivoire` (`cote-d-ivoire` in ASCII mode). Empty when the text has
/// no letter or digit to keep.
pub fn slugify(text: &str, mode: SlugMode) -> String {
    if text.is_ascii() {
        ascii_slug(text)
    } else {
        any_slug(text, mode)
    }
}

/// The slug of any text, character by character.
fn any_slug(text: &str, mode: SlugMode) -> String {
    let text = text::nfc(text);
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if text::is_invisible(c) {
            continue;
        }
        // What `c` keeps goes on the end of the slug, the dash before it put in after.
        let start = slug.len();
        match mode {
            SlugMode::Unicode if text::is_word_char(c) => slug.extend(lower(c)),
            SlugMode::Unicode => {}
            SlugMode::Ascii if c.is_ascii_alphanumeric() => slug.push(c.to_ascii_lowercase()),
            // An accent on a kept letter goes with it (`e` + U+0301 after NFC is `é` anyway).
            SlugMode::Ascii if text::is_mark(c) => continue,
            // `é` → `e`, `ß` → `ss`, `Ø` → `o`: Latin letters only, never another script.
            SlugMode::Ascii if text::is_latin_letter(c) => {
                if let Some(ascii) = deunicode::deunicode_char(c) {
                    slug.extend(
                        ascii
                            .chars()
                            .filter(char::is_ascii_alphanumeric)
                            .map(|a| a.to_ascii_lowercase()),
                    );
                }
            }
            SlugMode::Ascii => {}
        }
        if slug.len() == start {
            pending_dash = true;
            continue;
        }
        if pending_dash && start > 0 {
            slug.insert(start, '-');
        }
        pending_dash = false;
    }
    match text::nfc(&slug) {
        std::borrow::Cow::Owned(normal) => normal,
        std::borrow::Cow::Borrowed(_) => slug,
    }
}

/// The slug of ASCII text, the same in both modes: its letters and digits lower-cased, each
/// run of anything else between them one `-` (ASCII has no invisible character or mark).
fn ascii_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// `c` lower-cased (`Σ` and `ς` as `σ`, as search terms have it).
fn lower(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l })
}

/// Checks a slug given in front matter: one URL segment of letters, digits, marks and
/// `-_.~` (ASCII ones only in ASCII mode), nothing that climbs out (`..`). Returns it in NFC.
pub fn check_custom(slug: &str, mode: SlugMode) -> Result<String, String> {
    let slug = text::nfc(slug).into_owned();
    let allowed = |c: char| match mode {
        SlugMode::Unicode => text::is_word_char(c) || matches!(c, '-' | '_' | '.' | '~'),
        SlugMode::Ascii => c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'),
    };
    if slug.is_empty() || slug.starts_with('.') || !slug.chars().all(allowed) {
        let letters = match mode {
            SlugMode::Unicode => "letters, digits",
            SlugMode::Ascii => "ASCII letters, digits (slugify = \"ascii\")",
        };
        return Err(format!(
            "invalid slug `{slug}`: a slug is one URL segment of {letters}, `-`, `_`, `.` and `~`, not starting with `.`"
        ));
    }
    Ok(slug)
}

/// The site path of a content folder: `countries/East Asia` → `countries/east-asia/`;
/// the root folder is `""`.
pub fn dir_path(dir: &str, mode: SlugMode) -> String {
    dir.split('/')
        .filter(|part| !part.is_empty())
        .map(|part| format!("{}/", segment(part, mode)))
        .collect()
}

/// A folder name or taxonomy term as a URL segment. A name with nothing to keep (`-`, `🎉`,
/// or in ASCII mode `日本`) gets its bytes in hex instead of an empty segment, which would put
/// its pages in the parent folder; `loses_every_letter` tells when to report the ASCII case.
pub fn segment(name: &str, mode: SlugMode) -> String {
    let slug = slugify(name, mode);
    if slug.is_empty() {
        name.bytes().map(|b| format!("{b:02x}")).collect()
    } else {
        slug
    }
}

/// Whether a name has letters that a mode drops entirely: in ASCII mode, a name of letters
/// with no Latin one among them (`日本`), which then needs an explicit slug.
pub fn loses_every_letter(name: &str, mode: SlugMode) -> bool {
    mode == SlugMode::Ascii
        && slugify(name, mode).is_empty()
        && !slugify(name, SlugMode::Unicode).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    use SlugMode::{Ascii, Unicode};

    #[test]
    fn slugs_keep_the_letters_of_every_script() {
        assert_eq!(slugify("South Korea", Unicode), "south-korea");
        assert_eq!(slugify("Côte d'Ivoire", Unicode), "côte-d-ivoire");
        assert_eq!(slugify("日本の交渉", Unicode), "日本の交渉");
        assert_eq!(slugify("한국의 입장", Unicode), "한국의-입장");
        assert_eq!(slugify("भारत की स्थिति", Unicode), "भारत-की-स्थिति");
        assert_eq!(slugify("موقف الهند", Unicode), "موقف-الهند");
        assert_eq!(slugify("ΔΑΣΜΟΣ", Unicode), "δασμοσ");
        assert_eq!(slugify("Tariffs 🚗 and 🌾!", Unicode), "tariffs-and");
        assert_eq!(slugify("../../etc", Unicode), "etc");
        // NFD input gives the NFC slug; invisible characters vanish.
        assert_eq!(slugify("Cafe\u{301}", Unicode), "café");
        assert_eq!(slugify("ta\u{200b}riff", Unicode), "tariff");
    }

    #[test]
    fn ascii_slugs_never_transliterate_other_scripts() {
        assert_eq!(slugify("Côte d'Ivoire", Ascii), "cote-d-ivoire");
        assert_eq!(slugify("Straße", Ascii), "strasse");
        assert_eq!(slugify("日本の交渉", Ascii), "");
        assert_eq!(slugify("Japan 日本", Ascii), "japan");
        assert!(loses_every_letter("日本", Ascii));
        assert!(!loses_every_letter("日本", Unicode));
        assert!(!loses_every_letter("!!!", Ascii));
    }

    #[test]
    fn custom_slugs_cannot_climb() {
        for mode in [Unicode, Ascii] {
            assert!(check_custom("../x", mode).is_err());
            assert!(check_custom("..", mode).is_err());
            assert!(check_custom("a/b", mode).is_err());
            assert!(check_custom(".hidden", mode).is_err());
            assert_eq!(check_custom("south-korea", mode).unwrap(), "south-korea");
        }
        assert_eq!(check_custom("日本", Unicode).unwrap(), "日本");
        assert!(check_custom("日本", Ascii).is_err());
    }

    #[test]
    fn folders_map_to_paths() {
        assert_eq!(dir_path("", Unicode), "");
        assert_eq!(dir_path("countries", Unicode), "countries/");
        assert_eq!(
            dir_path("countries/East Asia", Unicode),
            "countries/east-asia/"
        );
        assert_eq!(dir_path("国/日本", Unicode), "国/日本/");
        assert_eq!(dir_path("!!!", Unicode), "212121/");
    }

    proptest::proptest! {
        #[test]
        fn ascii_text_has_the_slug_the_general_rule_gives(text in "[\\x00-\\x7f]{0,40}") {
            for mode in [Ascii, Unicode] {
                proptest::prop_assert_eq!(ascii_slug(&text), any_slug(&text, mode));
            }
        }

        #[test]
        fn any_text_slugifies_to_a_clean_segment(text in "\\PC{0,40}") {
            for mode in [Unicode, Ascii] {
                let slug = slugify(&text, mode);
                proptest::prop_assert!(
                    slug.chars().all(|c| c == '-' || crate::text::is_word_char(c)),
                    "{slug:?}"
                );
                if mode == Ascii {
                    proptest::prop_assert!(slug.is_ascii(), "{slug:?}");
                }
                proptest::prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug:?}");
                proptest::prop_assert!(!slug.contains(['/', '.', '\\']), "{slug:?}");
                proptest::prop_assert_eq!(slugify(&slug, mode), slug.clone(), "slugify is idempotent");
                proptest::prop_assert!(crate::text::nfc(&slug) == slug.as_str());
            }
        }

        #[test]
        fn folder_paths_never_climb(parts in proptest::collection::vec("[a-zA-Z .éü/日本-]{0,12}", 0..5)) {
            let path = dir_path(&parts.join("/"), Unicode);
            proptest::prop_assert!(!path.split('/').any(|s| s == ".." || s == "."), "{path:?}");
            proptest::prop_assert!(path.is_empty() || path.ends_with('/'));
            proptest::prop_assert!(!path.starts_with('/') && !path.contains("//"), "{path:?}");
        }
    }
}
