//! `init` (a new site from the embedded default site) and `new` (a page whose front matter
//! is prefilled from its section's schema).

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::config::{CONFIG_FILE, Config, FieldType, SchemaField};

static CONTENT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/content");
static DATA: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/data");
const CONFIG: &str = include_str!("../tradetalks.toml");

/// Writes the default site into `dir`. A non-empty `dir` is refused unless `force`, and then
/// only the default site's own files are overwritten.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, String> {
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
    let mut written = Vec::new();
    let mut write = |path: PathBuf, bytes: &[u8]| -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.push(path);
        Ok(())
    };
    write(dir.join(CONFIG_FILE), CONFIG.as_bytes())?;
    for (folder, embedded) in [("content", &CONTENT), ("data", &DATA)] {
        for file in all_files(embedded) {
            write(dir.join(folder).join(file.path()), file.contents())?;
        }
    }
    Ok(written)
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

/// Creates `content/PATH` with front matter for its section's schema. Returns the file.
pub fn new_page(config: &Config, path: &str, today: jiff::civil::Date) -> Result<PathBuf, String> {
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
    let section = relative.rsplit_once('/').map_or("", |(dir, _)| dir);
    let section = section
        .strip_suffix(&format!("/{}", stem_folder(relative)))
        .unwrap_or(section);
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
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::write(&target, text)
        .map_err(|e| format!("cannot write `{}`: {e}", target.display()))?;
    Ok(target)
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
    out.push_str("description: \"One or two sentences for lists and search results.\"\n");
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
    out.push_str("---\n\nWrite the article here.\n");
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
            SchemaField {
                name: "iso2".into(),
                field_type: FieldType::String,
                required: true,
            },
            SchemaField {
                name: "lead".into(),
                field_type: FieldType::Figure,
                required: true,
            },
            SchemaField {
                name: "notes".into(),
                field_type: FieldType::List,
                required: false,
            },
        ];
        let today = jiff::civil::date(2025, 4, 20);
        let text = front_matter("Brazil", "countries", &schema, today);
        assert!(text.contains("iso2: \"TODO: iso2\"  # required text\n"));
        assert!(text.contains("lead: { value: \"TODO\", as_of: 2025-04-20"));
        assert!(text.contains("# notes: []  # optional list\n"));
        assert!(text.starts_with("---\ntitle: \"Brazil\"\n"));
    }
}
