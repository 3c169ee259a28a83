//! The files every edition shares (`static/`, page-bundle files, the built-in stylesheet and
//! scripts) as `get_url` sees them, and their fingerprints, so that a reader never keeps a
//! stale stylesheet after a deploy.
//!
//! Stylesheets and scripts are published twice: under their own name (`style.css`, for
//! anything that links to it by name) and under a name with a hash of their bytes
//! (`style.3f2a9c1b7d.css`), which `get_url(path=…, cachebust=true)` gives and the built-in
//! templates use. Such a name changes when, and only when, the file changes, so a host may
//! keep it forever (`_headers` says so with `host_files`). Any other file gets its hash in the
//! URL instead (`map.png?h=3f2a9c1b7d`), read when a template asks for it. `syntax.css` is
//! never fingerprinted: it follows the code on the pages, which `serve` updates one page at
//! a time, and a new name would change every page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::source::Tree;

/// How many hexadecimal digits of the BLAKE3 hash a fingerprint keeps (40 bits: a collision
/// between two versions of one file is not a worry).
const DIGITS: usize = 10;

/// The shared files of a site, where they come from, and the fingerprinted names of its
/// stylesheets and scripts.
#[derive(Debug, Default, Clone)]
pub struct SharedFiles {
    /// Every shared file, by site path (`css/print.css`).
    paths: BTreeSet<String>,
    /// Files read from the site (`static/`, page bundles) by site path, for hashes in URLs.
    sources: BTreeMap<String, PathBuf>,
    /// Built-in files the site does not replace, by site path.
    builtin: BTreeMap<String, &'static [u8]>,
    /// Stylesheet or script → its fingerprinted site path.
    fingerprinted: BTreeMap<String, String>,
    /// Stylesheet → what is published under its fingerprinted name (`minify::css`), made
    /// from the bytes read for its fingerprint.
    minified: BTreeMap<String, Vec<u8>>,
    tree: Option<Tree>,
}

/// A fingerprinted copy to publish: under `path`, the bytes of a site file or a built-in one,
/// or a stylesheet made smaller (`minify::css`).
pub enum Copy {
    Site { path: String, source: PathBuf },
    Builtin { path: String, bytes: &'static [u8] },
    Minified { path: String, bytes: Vec<u8> },
}

impl SharedFiles {
    /// The shared files: the site's own (`static/` and page bundles, read now for the
    /// stylesheets and scripts among them), then the built-in ones it does not replace, then
    /// `syntax.css`. A file that cannot be read is left unfingerprinted (the copy reports it).
    pub fn collect(
        tree: &Tree,
        site_files: &[(String, PathBuf)],
        builtin: &[(&'static str, &'static str)],
    ) -> SharedFiles {
        let mut shared = SharedFiles {
            tree: Some(tree.clone()),
            ..SharedFiles::default()
        };
        for (path, source) in site_files {
            shared.paths.insert(path.clone());
            shared.sources.insert(path.clone(), source.clone());
            if is_fingerprinted(path)
                && let Ok(bytes) = tree.read(source)
            {
                shared.fingerprint(path, &bytes);
            }
        }
        for (path, text) in builtin {
            if shared.paths.insert((*path).to_owned()) {
                shared.builtin.insert((*path).to_owned(), text.as_bytes());
                if is_fingerprinted(path) {
                    shared.fingerprint(path, text.as_bytes());
                }
            }
        }
        shared.paths.insert("syntax.css".to_owned());
        shared
    }

    /// Gives the stylesheet or script at `path` its fingerprinted name; a stylesheet (in
    /// UTF-8) is also minified for it, once, here.
    fn fingerprint(&mut self, path: &str, bytes: &[u8]) {
        self.fingerprinted
            .insert(path.to_owned(), fingerprinted_name(path, bytes));
        if path.ends_with(".css")
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            self.minified
                .insert(path.to_owned(), super::minify::css(text).into_bytes());
        }
    }

    /// Whether `get_url(path=…, cachebust=true)` gives `path` a name made when the files were
    /// collected (a stylesheet or script, or `syntax.css`) rather than hashing its bytes then.
    pub fn has_fingerprint(&self, path: &str) -> bool {
        self.fingerprinted.contains_key(path) || path == "syntax.css"
    }

    /// What `get_url` answers without reading a file, hashed: every shared path and each
    /// stylesheet's and script's fingerprinted name (a rendered page's cache key has it).
    pub fn digest(&self) -> crate::cache::Key {
        let mut key = crate::cache::KeyBuilder::new("shared-files");
        for path in &self.paths {
            key.add(path);
        }
        for (path, name) in &self.fingerprinted {
            key.add(path).add(name);
        }
        key.finish()
    }

    /// The site's own files (`static/`, page bundles): site path and file.
    pub fn site_files(&self) -> impl Iterator<Item = (String, PathBuf)> + '_ {
        self.sources
            .iter()
            .map(|(path, source)| (path.clone(), source.clone()))
    }

    /// Whether `get_url` leads to `path` at the site's root (shared by every edition).
    pub fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// The shared file whose path is nearest to `path` (a misspelt name), if any is near.
    pub fn nearest(&self, path: &str) -> Option<&str> {
        crate::diagnostic::nearest(path, self.paths.iter().map(String::as_str))
    }

    /// The fingerprinted copies to publish beside the originals. Stylesheets are published
    /// there without comments and needless white space (the original, under its own name,
    /// stays as written).
    pub fn copies(&self) -> impl Iterator<Item = Copy> + '_ {
        self.fingerprinted.iter().map(|(path, name)| {
            match (
                self.minified.get(path),
                self.sources.get(path),
                self.builtin.get(path),
            ) {
                (Some(bytes), _, _) => Copy::Minified {
                    path: name.clone(),
                    bytes: bytes.clone(),
                },
                (None, Some(source), _) => Copy::Site {
                    path: name.clone(),
                    source: source.clone(),
                },
                (None, None, bytes) => Copy::Builtin {
                    path: name.clone(),
                    bytes: bytes.copied().unwrap_or_default(),
                },
            }
        })
    }

    /// The fingerprinted site paths (for `_headers`: these may be cached forever).
    pub fn immutable(&self) -> impl Iterator<Item = &str> {
        self.fingerprinted.values().map(String::as_str)
    }

    /// What `get_url(path=…, cachebust=true)` leads to, under the site's root: the
    /// fingerprinted name of a stylesheet or script, otherwise the path with its hash as a
    /// query (`?h=…`). An error names a path that is no shared file.
    pub fn cachebusted(&self, path: &str) -> Result<String, String> {
        if let Some(name) = self.fingerprinted.get(path) {
            return Ok(name.clone());
        }
        if path == "syntax.css" {
            return Ok(path.to_owned());
        }
        let bytes = match (self.builtin.get(path), self.sources.get(path), &self.tree) {
            (Some(bytes), _, _) => bytes.to_vec(),
            (None, Some(source), Some(tree)) => tree
                .read(source)
                .map_err(|err| format!("cannot read `{path}` to fingerprint it: {err}"))?,
            _ => {
                let hint =
                    crate::diagnostic::did_you_mean(path, self.paths.iter().map(String::as_str))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                return Err(format!(
                    "`{path}` is not a file of `static/` or of a page bundle, so it has no fingerprint{hint}"
                ));
            }
        };
        Ok(format!("{path}?h={}", hash(&bytes)))
    }
}

/// Stylesheets and scripts get fingerprinted names; `syntax.css` does not (see above), nor
/// `embed.js`, which other sites load by its name to size the graphics they embed.
fn is_fingerprinted(path: &str) -> bool {
    (path.ends_with(".css") || path.ends_with(".js")) && path != "syntax.css" && path != "embed.js"
}

/// The first digits of the BLAKE3 hash of `bytes`, in hexadecimal.
fn hash(bytes: &[u8]) -> String {
    let hex = blake3::hash(bytes).to_hex();
    hex.get(..DIGITS).unwrap_or_default().to_owned()
}

/// `css/site.css` → `css/site.<hash>.css`.
fn fingerprinted_name(path: &str, bytes: &[u8]) -> String {
    let hash = hash(bytes);
    let (folder, file) = path.rsplit_once('/').map_or(("", path), |(f, n)| (f, n));
    let named = match file.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}.{hash}.{extension}"),
        _ => format!("{file}.{hash}"),
    };
    if folder.is_empty() {
        named
    } else {
        format!("{folder}/{named}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> SharedFiles {
        let tree = Tree::memory(
            files
                .iter()
                .map(|(path, text)| (format!("static/{path}"), text.as_bytes().to_vec())),
        );
        let site_files: Vec<(String, PathBuf)> = files
            .iter()
            .map(|(path, _)| ((*path).to_owned(), tree.root().join("static").join(path)))
            .collect();
        SharedFiles::collect(
            &tree,
            &site_files,
            &[
                ("style.css", "body{}"),
                ("favicon.svg", "<svg/>"),
                ("embed.js", "x"),
            ],
        )
    }

    #[test]
    fn stylesheets_and_scripts_get_a_name_that_follows_their_bytes() {
        let one = site(&[("css/print.css", "a{}"), ("map.png", "PNG")]);
        let name = one.cachebusted("css/print.css").unwrap();
        assert!(
            name.starts_with("css/print.") && name.ends_with(".css"),
            "{name}"
        );
        assert_eq!(name.len(), "css/print..css".len() + DIGITS);
        // The same bytes, the same name; other bytes, another; other files untouched.
        let same = site(&[("css/print.css", "a{}"), ("map.png", "other")]);
        assert_eq!(same.cachebusted("css/print.css").unwrap(), name);
        let changed = site(&[("css/print.css", "a{color:red}"), ("map.png", "PNG")]);
        assert_ne!(changed.cachebusted("css/print.css").unwrap(), name);
        assert_eq!(
            changed.cachebusted("style.css").unwrap(),
            one.cachebusted("style.css").unwrap()
        );
    }

    #[test]
    fn other_files_carry_their_hash_in_the_url() {
        let files = site(&[("map.png", "PNG")]);
        let url = files.cachebusted("map.png").unwrap();
        assert_eq!(url, format!("map.png?h={}", hash(b"PNG")));
        assert_eq!(
            files.cachebusted("favicon.svg").unwrap(),
            format!("favicon.svg?h={}", hash(b"<svg/>"))
        );
        // Never fingerprinted by name: the code's stylesheet and the embedding script.
        assert_eq!(files.cachebusted("syntax.css").unwrap(), "syntax.css");
        assert!(
            files
                .cachebusted("embed.js")
                .unwrap()
                .starts_with("embed.js?h=")
        );
        let missing = files.cachebusted("mapp.png").unwrap_err();
        assert!(missing.contains("did you mean `map.png`?"), "{missing}");
    }

    #[test]
    fn a_site_file_replaces_the_built_in_one() {
        let files = site(&[("style.css", "mine{}")]);
        let copies: Vec<String> = files
            .copies()
            .map(|copy| match copy {
                Copy::Site { path, .. } => format!("site {path}"),
                Copy::Builtin { path, .. } => format!("builtin {path}"),
                Copy::Minified { path, bytes } => {
                    format!("minified {path}: {}", String::from_utf8_lossy(&bytes))
                }
            })
            .collect();
        // The site's stylesheet, published small under the name of its own bytes.
        assert_eq!(
            copies,
            [format!(
                "minified style.{}.css: mine{{}}\n",
                hash(b"mine{}")
            )]
        );
        assert_eq!(files.immutable().count(), 1);
    }

    #[test]
    fn names_without_an_extension_keep_their_hash_at_the_end() {
        assert_eq!(
            fingerprinted_name("a/b.min.js", b"x"),
            format!("a/b.min.{}.js", hash(b"x"))
        );
        assert_eq!(
            fingerprinted_name(".css", b"x"),
            format!(".css.{}", hash(b"x"))
        );
    }
}
