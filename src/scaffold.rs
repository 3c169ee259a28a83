//! `init` (a new site from the embedded default site) and `new` (a page whose front matter
//! is prefilled from its section's schema).

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::config::{CONFIG_FILE, Config, FieldType, SchemaField};

static CONTENT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/content");
static DATA: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/data");
const CONFIG: &str = include_str!("../tradetalks.toml");
/// The GitHub Actions workflow `init` writes: check pull requests, publish main on Pages.
const PUBLISH_WORKFLOW: &str = include_str!("scaffold/publish.yml");
/// Where `init` writes it.
pub const PUBLISH_WORKFLOW_PATH: &str = ".github/workflows/publish.yml";
/// `init --minimal`: a blank starter (config, a section with a schema, a page, a data file).
static STARTER: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/starter");

/// What `init` wrote, and which of those files were there before (`--force`).
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub replaced: Vec<PathBuf>,
}

/// The date the starter's pages and figures are written with in `starter/`; `init --minimal`
/// writes today's date in its place, so that a new site's figures are not stale at once.
const STARTER_DATE: &str = "2025-01-01";

/// Writes the default site (or, `minimal`, the blank starter dated `today`) into `dir`. A
/// non-empty `dir` is refused unless `force`, and then only files of the same names are
/// overwritten.
pub fn init(
    dir: &Path,
    force: bool,
    minimal: bool,
    today: jiff::civil::Date,
) -> Result<Written, String> {
    if dir.is_file() {
        return Err(format!("`{}` is a file, not a folder", dir.display()));
    }
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied && !force {
        return Err(format!(
            "`{}` is not empty; pass `--force` to write the default site into it anyway (its files of the same names are overwritten)",
            dir.display()
        ));
    }
    let mut written = Written::default();
    let mut write = |path: PathBuf, bytes: &[u8]| -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        if path.exists() {
            written.replaced.push(path.clone());
        }
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.files.push(path);
        Ok(())
    };
    if minimal {
        for file in all_files(&STARTER) {
            let dated = file
                .contents_utf8()
                .map(|text| text.replace(STARTER_DATE, &today.to_string()));
            let bytes = dated.as_deref().map_or(file.contents(), str::as_bytes);
            write(dir.join(file.path()), bytes)?;
        }
    } else {
        write(dir.join(CONFIG_FILE), CONFIG.as_bytes())?;
        for (folder, embedded) in [("content", &CONTENT), ("data", &DATA)] {
            for file in all_files(embedded) {
                write(dir.join(folder).join(file.path()), file.contents())?;
            }
        }
    }
    write(dir.join(PUBLISH_WORKFLOW_PATH), PUBLISH_WORKFLOW.as_bytes())?;
    ignore_build_output(dir, &mut written)?;
    Ok(written)
}

/// What `.gitignore` must hold in a site: the output and the build cache. Lines an editor's
/// `.gitignore` lacks are added at its end; the rest of it is left as it is.
const IGNORED: [&str; 2] = ["/public/", "/.tradetalks-cache/"];

fn ignore_build_output(dir: &Path, written: &mut Written) -> Result<(), String> {
    let path = dir.join(".gitignore");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let has = |line: &str| {
        existing.lines().any(|l| {
            let l = l.trim();
            l == line || l == line.trim_start_matches('/') || l == line.trim_matches('/')
        })
    };
    let missing: Vec<&str> = IGNORED.into_iter().filter(|l| !has(l)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    written.files.push(path);
    Ok(())
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

/// What `new` writes where the editor's words go; a page that still holds one is not
/// published (`content::placeholders`). Every other placeholder starts with `TODO`.
pub const DESCRIPTION_PLACEHOLDER: &str =
    "TODO: one or two sentences for lists and search results.";
pub const BODY_PLACEHOLDER: &str = "TODO: write the article here.";

/// Creates `content/PATH` with front matter for its section's schema, and the section's
/// `_index.md` when its folder has none (so that the schema applies). `SECTION/_index.md`
/// makes a section. Returns the files created, the page (or section) last.
pub fn new_page(
    config: &Config,
    path: &str,
    today: jiff::civil::Date,
) -> Result<Vec<PathBuf>, String> {
    if Path::new(path).has_root() || Path::new(path).is_absolute() {
        return Err(format!(
            "`{path}` is an absolute path: name the page inside content/, such as `countries/brazil.md`"
        ));
    }
    let relative = path
        .trim_start_matches("./")
        .strip_prefix("content/")
        .unwrap_or(path.trim_start_matches("./"));
    if !relative.ends_with(".md") {
        return Err(format!(
            "`{path}` must name a Markdown file, such as `countries/brazil.md`"
        ));
    }
    if relative
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(format!("`{path}` must be a plain path inside content/"));
    }
    let target = config.content_dir().join(relative);
    if target.exists() {
        return Err(format!(
            "`{}` already exists; tradetalks never overwrites a page",
            target.display()
        ));
    }
    let folder = relative.rsplit_once('/').map_or("", |(dir, _)| dir);
    if relative == "_index.md" || relative.ends_with("/_index.md") {
        write_new(&target, &section_stub(folder))?;
        return Ok(vec![target]);
    }
    let section = folder
        .strip_suffix(&format!("/{}", stem_folder(relative)))
        .unwrap_or(folder);
    let mut created = Vec::new();
    let section_index = config.content_dir().join(section).join("_index.md");
    if !section.is_empty() && !section_index.exists() {
        write_new(&section_index, &section_stub(section))?;
        created.push(section_index);
    }
    let stem = Path::new(relative)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("page");
    let stem = if stem == "index" {
        stem_folder(relative)
    } else {
        stem
    };
    let schema = config
        .schemas
        .get(section)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let text = front_matter(&title_of(stem), section, schema, today);
    write_new(&target, &text)?;
    created.push(target);
    Ok(created)
}

fn write_new(target: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::write(target, text).map_err(|e| format!("cannot write `{}`: {e}", target.display()))
}

/// A section's `_index.md`: titled from its folder (`trade-deals` → `Trade Deals`), published,
/// its pages listed by weight; the text above the list is the editor's to add.
fn section_stub(folder: &str) -> String {
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let title = if name.is_empty() {
        "Home".to_owned()
    } else {
        title_of(name)
    };
    format!("---\ntitle: \"{title}\"\nsort_by: weight\n---\n")
}

/// For a bundle (`countries/brazil/index.md`), the bundle's folder name.
fn stem_folder(relative: &str) -> &str {
    let mut parts = relative.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some("index.md"), Some(folder)) => folder,
        _ => "",
    }
}

/// `south-korea` → `South Korea`.
fn title_of(stem: &str) -> String {
    stem.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn front_matter(
    title: &str,
    section: &str,
    schema: &[SchemaField],
    today: jiff::civil::Date,
) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("title: \"{title}\"\n"));
    out.push_str(&format!("description: \"{DESCRIPTION_PLACEHOLDER}\"\n"));
    out.push_str(&format!("date: {today}\n"));
    out.push_str("# A draft is left out of builds unless `--drafts` is given; remove this line to publish.\n");
    out.push_str("draft: true\n");
    if !schema.is_empty() {
        out.push_str(&format!(
            "# Fields the `{section}` schema asks for ([schema.{section}] in tradetalks.toml).\n"
        ));
    }
    for field in schema {
        let placeholder = placeholder(field, today);
        let note = format!(
            "# {} {}",
            if field.required {
                "required"
            } else {
                "optional"
            },
            describe(field.field_type)
        );
        if field.required {
            out.push_str(&format!("{}: {placeholder}  {note}\n", field.name));
        } else {
            out.push_str(&format!("# {}: {placeholder}  {note}\n", field.name));
        }
    }
    out.push_str(&format!("---\n\n{BODY_PLACEHOLDER}\n"));
    out
}

fn placeholder(field: &SchemaField, today: jiff::civil::Date) -> String {
    match field.field_type {
        FieldType::String => format!("\"TODO: {}\"", field.name.replace('_', " ")),
        FieldType::Number | FieldType::Integer => "0".into(),
        FieldType::Boolean => "false".into(),
        FieldType::Date => today.to_string(),
        FieldType::List => "[]".into(),
        FieldType::Map => "{}".into(),
        FieldType::Figure => format!(
            "{{ value: \"TODO\", as_of: {today}, source: \"TODO: where this comes from\" }}"
        ),
        FieldType::Any => "\"TODO\"".into(),
    }
}

fn describe(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Figure => "figure: {value, unit?, as_of, source}, or {data, row, column}",
        FieldType::List => "list",
        FieldType::Map => "map",
        FieldType::Date => "date (YYYY-MM-DD)",
        FieldType::String => "text",
        FieldType::Number => "number",
        FieldType::Integer => "whole number",
        FieldType::Boolean => "true or false",
        FieldType::Any => "any value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(title_of("south-korea"), "South Korea");
        assert_eq!(title_of("india"), "India");
    }

    #[test]
    fn required_fields_get_placeholders_and_optional_ones_comments() {
        let schema = vec![
            SchemaField::new("iso2", FieldType::String, true),
            SchemaField::new("lead", FieldType::Figure, true),
            SchemaField::new("notes", FieldType::List, false),
        ];
        let today = jiff::civil::date(2025, 4, 20);
        let text = front_matter("Brazil", "countries", &schema, today);
        assert!(text.contains("iso2: \"TODO: iso2\"  # required text\n"));
        assert!(text.contains("lead: { value: \"TODO\", as_of: 2025-04-20"));
        assert!(text.contains("# notes: []  # optional list\n"));
        assert!(text.starts_with("---\ntitle: \"Brazil\"\n"));
    }
}
