//! Slugs and site paths: how file and folder names become URL segments.

/// `Côte d'Ivoire` → `cote-d-ivoire`.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// Checks a slug given in front matter: one URL segment, nothing that climbs out (`..`).
pub fn check_custom(slug: &str) -> Result<String, String> {
    let valid_chars = slug
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if slug.is_empty() || slug == "." || slug == ".." || !valid_chars || slug.starts_with('.') {
        return Err(format!(
            "invalid slug `{slug}`: a slug is one URL segment of letters, digits, `-`, `_`, `.` and `~`, not starting with `.`"
        ));
    }
    Ok(slug.to_owned())
}

/// The site path of a content folder: `countries/East Asia` → `countries/east-asia/`;
/// the root folder is `""`.
pub fn dir_path(dir: &str) -> String {
    dir.split('/')
        .filter(|part| !part.is_empty())
        .map(|part| format!("{}/", folder_segment(part)))
        .collect()
}

/// A folder name as a URL segment. A name with nothing to slugify (`-`, `!!!`) gets its bytes
/// in hex instead of an empty segment, which would put its pages in the parent folder.
fn folder_segment(name: &str) -> String {
    let slug = slugify(name);
    if slug.is_empty() {
        name.bytes().map(|b| format!("{b:02x}")).collect()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_with_hyphens() {
        assert_eq!(slugify("South Korea"), "south-korea");
        assert_eq!(slugify("Côte d'Ivoire"), "cote-d-ivoire");
        assert_eq!(slugify("../../etc"), "etc");
    }

    #[test]
    fn custom_slugs_cannot_climb() {
        assert!(check_custom("../x").is_err());
        assert!(check_custom("..").is_err());
        assert!(check_custom("a/b").is_err());
        assert!(check_custom(".hidden").is_err());
        assert_eq!(check_custom("south-korea").unwrap(), "south-korea");
    }

    #[test]
    fn folders_map_to_paths() {
        assert_eq!(dir_path(""), "");
        assert_eq!(dir_path("countries"), "countries/");
        assert_eq!(dir_path("countries/East Asia"), "countries/east-asia/");
    }

    proptest::proptest! {
        #[test]
        fn any_text_slugifies_to_a_clean_segment(text in "\\PC{0,40}") {
            let slug = slugify(&text);
            proptest::prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{slug:?}");
            proptest::prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug:?}");
            proptest::prop_assert_eq!(slugify(&slug), slug.clone(), "slugify is idempotent");
        }

        #[test]
        fn folder_paths_never_climb(parts in proptest::collection::vec("[a-zA-Z .éü/-]{0,12}", 0..5)) {
            let path = dir_path(&parts.join("/"));
            proptest::prop_assert!(!path.split('/').any(|s| s == ".." || s == "."), "{path:?}");
            proptest::prop_assert!(path.is_empty() || path.ends_with('/'));
            proptest::prop_assert!(!path.starts_with('/') && !path.contains("//"), "{path:?}");
        }
    }
}
