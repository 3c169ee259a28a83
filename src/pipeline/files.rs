//! Files that are not rendered: `static/` and page-bundle assets (copied), and aliases
//! (redirect pages).

use super::*;
use crate::publish::assets::Copy;

/// Generated files that a file of the same name in `static/` replaces.
pub(super) const GENERATED_DEFAULTS: [&str; 3] = ["robots.txt", "_headers", "_redirects"];

/// The files copied as they are: `static/` and content assets, by output path. Read now, with
/// the rest of the sources, so that a link out of the site or an unreadable file is reported
/// with every other problem.
pub(super) fn static_files(
    tree: &Tree,
    content: &Content,
    diagnostics: &mut Diagnostics,
) -> Vec<(String, PathBuf)> {
    let static_dir = tree.root().join("static");
    let (files, problems) = tree.files_under("static");
    diagnostics.extend(problems);
    let copies = files
        .into_iter()
        .map(|path| (display_name(&static_dir, &path), path))
        .chain(
            content
                .assets
                .iter()
                .map(|a| (a.path.clone(), a.source.clone())),
        );
    copies
        .filter(|(_, source)| match tree.check_readable(source) {
            Ok(()) => true,
            Err(err) => {
                let name = display_name(tree.root(), source);
                diagnostics.push(
                    Diagnostic::error(format!("cannot read `{name}`: {err}"))
                        .in_file(&name)
                        .with_help("check the file's permissions, or remove it"),
                );
                false
            }
        })
        .collect()
}

/// `static/` as is, the built-in stylesheet unless overridden, and content assets. A copy may
/// not replace a generated page.
pub(super) fn add_static_files(
    tree: &Tree,
    base_path: &str,
    copies: Vec<(String, PathBuf)>,
    shared: &crate::publish::assets::SharedFiles,
    site: &mut BuiltSite,
    diagnostics: &mut Diagnostics,
) {
    let root = tree.root();
    for (path, source) in copies {
        // A site's own robots.txt or host files replace the generated ones; under a path,
        // where hosts and crawlers never look for them, they are published with a warning.
        if GENERATED_DEFAULTS.contains(&path.as_str()) {
            site.files.remove(&path);
            if base_path != "/" {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "`{path}` is read only at the root of a domain, and this site is published under `{base_path}`: `{base_path}{path}` would have no effect"
                    ))
                    .in_file(&display_name(root, &source))
                    .with_help("deploy the site at the root of its domain, or remove the file"),
                );
            }
        }
        if site.generates(&path) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "`{}` would overwrite the generated `/{path}`",
                    display_name(root, &source)
                ))
                .in_file(&display_name(root, &source))
                .with_help("rename the file or move it elsewhere"),
            );
            continue;
        }
        site.copies.insert(path, source);
    }
    for (path, text) in BUILTIN_STATIC {
        if !site.copies.contains_key(path) {
            site.files
                .insert(path.into(), text.as_bytes().to_vec().into());
        }
    }
    // Stylesheets and scripts again under names that carry their hash (`assets`); the
    // generated `_headers` (a site's own replaces it) lets hosts keep those forever.
    for copy in shared.copies() {
        match copy {
            Copy::Site { path, source } => {
                site.copies.insert(path, source);
            }
            Copy::Builtin { path, bytes } => {
                site.files.insert(path, bytes.to_vec().into());
            }
            Copy::Minified { path, bytes } => {
                site.files.insert(path, bytes.into());
            }
        }
    }
    if let Some(headers) = site.files.get("_headers") {
        let mut text = String::from_utf8_lossy(headers).into_owned();
        for path in shared.immutable() {
            text.push_str(&format!(
                "{base_path}{path}\n  Cache-Control: public, max-age=31536000, immutable\n"
            ));
        }
        site.files
            .insert("_headers".into(), text.into_bytes().into());
    }
}

/// Each `aliases` entry of a page becomes a small page that redirects to it.
pub(super) fn add_aliases(
    config: &Config,
    content: &Content,
    site: &mut BuiltSite,
    diagnostics: &mut Diagnostics,
) {
    for page in &content.pages {
        for alias in &page.front.aliases {
            let Some(path) = alias_output_path(alias) else {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "invalid alias `{alias}`: use a site path such as `/old/japan/`"
                    ))
                    .in_file(&page.file.name),
                );
                continue;
            };
            if site.generates(&path) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "alias `{alias}` would replace the generated `/{path}`"
                    ))
                    .in_file(&page.file.name),
                );
                continue;
            }
            let target = highlight::escape(&config.permalink(&page.path));
            let html = format!(
                "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>Redirect</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head><body><p>This page has moved to <a href=\"{target}\">{target}</a>.</p></body></html>\n",
                highlight::escape(&config.language)
            );
            site.files.insert(path, html.into_bytes().into());
        }
    }
}

/// `/old/japan/` → `old/japan/index.html`; `/old.html` stays a file. `None` when it climbs.
pub(super) fn alias_output_path(alias: &str) -> Option<String> {
    let trimmed = alias.trim().trim_start_matches('/');
    let parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.contains('\\'))
    {
        return None;
    }
    let joined = parts.join("/");
    Some(if joined.ends_with(".html") {
        joined
    } else {
        crate::config::index_file(&joined)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn alias_paths_map_to_files_and_never_climb() {
        assert_eq!(
            alias_output_path("/old/japan/").unwrap(),
            "old/japan/index.html"
        );
        assert_eq!(alias_output_path("old.html").unwrap(), "old.html");
        assert_eq!(alias_output_path("/../etc/"), None);
        assert_eq!(alias_output_path("/"), None);
    }
}
