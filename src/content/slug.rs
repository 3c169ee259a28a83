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
        .map(|part| format!("{}/", slugify(part)))
        .collect()
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
}
