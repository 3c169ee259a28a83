//! `serve`'s snapshot: the files of the last site `serve` built, kept in the build cache under
//! the digest of everything it was built from (every file of the source folders and the
//! configuration, the options, the build date, the build of tradetalks), so that starting
//! `serve` again on an unchanged site answers at once while the site builds in the
//! background. A snapshot is used only when that digest still holds, so it is never stale;
//! and the build that follows replaces it (with a reload of open pages) should it differ.
//!
//! Each file is its own entry (kind `files`, by the hash of its bytes): a snapshot after an
//! edit writes only the files that changed. The list (kind `serve`) is one entry per site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, Key, KeyBuilder};
use crate::pipeline::{BuildOptions, BuiltSite};

#[derive(Serialize, Deserialize)]
struct Manifest {
    inputs: Key,
    files: Vec<(String, Key)>,
    copies: Vec<(String, PathBuf)>,
    page_count: usize,
    section_count: usize,
}

/// The digest of everything a build of the site at `root` with `options` reads: the path and
/// bytes of every file in its source folders (hidden ones too: more than it reads is only a
/// snapshot missed) and its configuration, and what else decides a build's output (its
/// options, dates and the machine's fonts: `record::options_key`, as `build` compares them).
pub fn inputs(root: &Path, options: &BuildOptions) -> Key {
    let files = crate::pipeline::record::source_files(root);
    let digests: Vec<Option<blake3::Hash>> = files
        .par_iter()
        .map(|path| std::fs::read(path).ok().map(|bytes| blake3::hash(&bytes)))
        .collect();
    let mut key = KeyBuilder::new("serve snapshot");
    key.add(root.as_os_str().as_encoded_bytes())
        .add(crate::pipeline::record::options_key(root, options).0);
    for (path, digest) in files.iter().zip(digests) {
        let relative = path.strip_prefix(root).unwrap_or(path);
        key.add(relative.as_os_str().as_encoded_bytes());
        match digest {
            Some(digest) => key.add([1]).add(digest.as_bytes()),
            None => key.add([0]),
        };
    }
    key.finish()
}

/// The name of the snapshot entry of the site at `root`.
fn name(root: &Path) -> Key {
    KeyBuilder::new("serve snapshot of a site")
        .add(root.as_os_str().as_encoded_bytes())
        .finish()
}

/// The site as `serve` last built it from `inputs`, when the cache holds it whole.
pub fn load(cache: &Cache, root: &Path, inputs: &Key) -> Option<BuiltSite> {
    let manifest = cache
        .get::<Manifest>("serve", &name(root))
        .filter(|m| m.inputs == *inputs)?;
    let files: Option<BTreeMap<String, crate::pipeline::Bytes>> = manifest
        .files
        .into_par_iter()
        .map(|(path, key)| {
            let bytes = cache.get_file(&key)?;
            Some((path, std::sync::Arc::new(bytes)))
        })
        .collect();
    Some(BuiltSite {
        files: files?,
        copies: manifest.copies.into_iter().collect(),
        page_count: manifest.page_count,
        section_count: manifest.section_count,
        ..BuiltSite::default()
    })
}

/// Keeps `site` (built from `inputs`) as the snapshot of the site at `root`. Files the cache
/// holds already are not written again.
pub fn save(cache: &Cache, root: &Path, inputs: &Key, site: &BuiltSite) {
    if site.deferred.is_some() {
        // Some files are made only when asked for: not a whole site to keep.
        return;
    }
    let files: Vec<(String, Key)> = site
        .files
        .par_iter()
        .map(|(path, bytes)| (path.clone(), cache.put_file(bytes)))
        .collect();
    let manifest = Manifest {
        inputs: *inputs,
        files,
        copies: site
            .copies
            .iter()
            .map(|(path, source)| (path.clone(), source.clone()))
            .collect(),
        page_count: site.page_count,
        section_count: site.section_count,
    };
    cache.put("serve", &name(root), &manifest);
    cache.trim();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_holds_while_its_inputs_do() {
        let dir = std::env::temp_dir().join(format!("tt-snapshot-{}", std::process::id()));
        let root = dir.join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join(crate::config::CONFIG_FILE), "title = \"T\"\n").unwrap();
        std::fs::write(root.join("content/a.md"), "---\ntitle: A\n---\nA.\n").unwrap();
        let options = BuildOptions {
            as_of: Some(jiff::civil::date(2025, 4, 20)),
            base_url: Some("http://localhost:1111/".into()),
            ..BuildOptions::default()
        };
        let cache = Cache::at(dir.join("cache"));
        let mut site = BuiltSite::default();
        site.files.insert(
            "index.html".into(),
            std::sync::Arc::new(b"<p>A</p>".to_vec()),
        );
        site.files.insert(
            "a/index.html".into(),
            std::sync::Arc::new(b"<p>A</p>".to_vec()),
        );
        site.page_count = 1;
        let key = inputs(&root, &options);
        save(&cache, &root, &key, &site);
        let loaded = load(&cache, &root, &inputs(&root, &options)).unwrap();
        assert_eq!(loaded.files, site.files);
        assert_eq!(loaded.page_count, 1);
        // Any change of a source, an option or the date: no snapshot.
        let other_port = BuildOptions {
            base_url: Some("http://localhost:2222/".into()),
            ..options.clone()
        };
        assert!(load(&cache, &root, &inputs(&root, &other_port)).is_none());
        let other_day = BuildOptions {
            as_of: Some(jiff::civil::date(2025, 4, 21)),
            ..options.clone()
        };
        assert!(load(&cache, &root, &inputs(&root, &other_day)).is_none());
        std::fs::write(root.join("content/.hidden"), "x").unwrap();
        assert!(load(&cache, &root, &inputs(&root, &options)).is_none());
        std::fs::remove_file(root.join("content/.hidden")).unwrap();
        std::fs::write(root.join("content/a.md"), "---\ntitle: B\n---\nA.\n").unwrap();
        assert!(load(&cache, &root, &inputs(&root, &options)).is_none());
        std::fs::write(root.join("content/a.md"), "---\ntitle: A\n---\nA.\n").unwrap();
        assert!(load(&cache, &root, &inputs(&root, &options)).is_some());
        // A file of the snapshot gone from the cache: no snapshot.
        let index = KeyBuilder::new("file").add(b"<p>A</p>").finish();
        let _ = std::fs::remove_dir_all(dir.join("cache/files"));
        assert!(!cache.contains("files", &index));
        assert!(load(&cache, &root, &inputs(&root, &options)).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
