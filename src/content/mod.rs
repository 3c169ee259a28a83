//! Content loading: walk `content/` in a stable order, parse every Markdown file's front
//! matter in parallel, then assemble pages into sections with URLs, ordering and assets.
//! Cross-file rules (duplicate URLs, drafts, schemas per section) are checked here.

pub mod front_matter;
pub mod slug;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::{Key, KeyBuilder, Pack, PackUse};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Stamp, Stamps, display_name};
use front_matter::{FrontMatter, Kind, SortBy};

/// A Markdown page with its place in the site.
#[derive(Debug, Clone)]
pub struct Page {
    pub file: SourceFile,
    pub front: FrontMatter,
    pub body: Range<usize>,
    /// Path under `content/`, as `@/` links name it: `countries/japan.md`.
    pub content_path: String,
    /// Folder (under `content/`) of the section the page belongs to; `""` for the root.
    pub section: String,
    pub slug: String,
    /// Site path of the page: `countries/japan/`.
    pub path: String,
}

/// A section: a folder of `content/` with an `_index.md` (the root always exists).
#[derive(Debug, Clone)]
pub struct Section {
    pub file: Option<SourceFile>,
    pub front: FrontMatter,
    pub body: Range<usize>,
    /// Folder under `content/`: `countries`, or `""` for the root.
    pub dir: String,
    pub content_path: String,
    /// Site path: `countries/`, or `""` for the home page.
    pub path: String,
    /// Indexes into `Content::pages`, in the section's order.
    pub pages: Vec<usize>,
    /// Folders of the direct subsections, sorted.
    pub subsections: Vec<String>,
}

/// A non-Markdown file under `content/`, copied beside the page or section it sits with.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Site path of the copy: `countries/japan/map.png`.
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    pub sections: BTreeMap<String, Section>,
    pub assets: Vec<Asset>,
    /// Content paths of Markdown files that exist but failed to load (already reported):
    /// links to them are not reported a second time.
    pub broken: BTreeSet<String>,
    /// Pages dated after the build date, left out of every output (unless `--future`).
    pub scheduled: Vec<Scheduled>,
    /// Whether each file's Markdown was let go once parsed (`Selection::let_go_over`): a
    /// large site, whose build keeps nothing of a page in memory between the stages that
    /// read it.
    pub texts_let_go: bool,
}

/// What the walk of `content/` found, before any file is read.
struct Inventory {
    markdown: Vec<PathBuf>,
    others: Vec<PathBuf>,
}

/// A parsed Markdown file before it is placed in the site.
struct Parsed {
    file: SourceFile,
    front: FrontMatter,
    body: Range<usize>,
    kind: Kind,
    /// Folder of the file relative to `content/`, `/`-separated.
    dir: String,
}

/// Which pages a build publishes.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Pages and sections marked `draft: true` too (`--drafts`).
    pub drafts: bool,
    /// Pages dated after `today` too (`--future`); otherwise they are scheduled.
    pub future: bool,
    /// The build date (`--as-of`, default today).
    pub today: jiff::civil::Date,
    /// Past how many bytes of Markdown each file's text is let go as soon as it is parsed,
    /// to be read again when its body renders (a build of a large site); `None`: kept.
    pub let_go_over: Option<usize>,
}

impl Selection {
    /// Whether a page is left out until its date comes.
    pub fn is_scheduled(&self, front: &FrontMatter) -> bool {
        !self.future && front.date.is_some_and(|date| date > self.today)
    }
}

/// A page left out of this build because its date is after the build date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Path under `content/`: `countries/vietnam.md`.
    pub content_path: String,
    pub date: jiff::civil::Date,
}

/// Loads the Markdown files of `config`'s edition under `content/` (for the default
/// edition, every file that is not a translation; for another, its `NAME.LANG.md` files).
/// `source` is the default edition's content, when loading another: a section that has no
/// translation takes its title and order from there. `earlier`: what earlier builds left
/// (`Earlier`); of a large site, whose texts are let go once parsed, a file whose stamp the
/// tree knows (`Tree::stamps`) and an earlier build read it with is not read (its text is
/// read when a stage needs it). Returns what could be loaded, every problem found, and what
/// this load used of the packs, for the next build's.
pub fn load(
    config: &Config,
    selection: Selection,
    source: Option<&Content>,
    earlier: &Earlier,
) -> (Content, Vec<Diagnostic>, PackUses) {
    let stamps = config.tree.stamps();
    let content_dir = config.content_dir();
    let mut problems = Vec::new();
    let mut inventory = walk(config, &mut problems);
    // Sections are the folders with an `_index.md` in any edition, so that a page belongs to
    // the same section in every edition.
    let section_dirs: BTreeSet<String> = inventory
        .markdown
        .iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| plain_name(&n.to_string_lossy(), config).1 == "_index.md")
        })
        .map(|p| relative_dir(&content_dir, p))
        .collect();
    if config.edition == 0 {
        let (unconfigured, files) = unconfigured_translations(config, &inventory.markdown);
        // Reported once, as what it is: not also as a page with the wrong fields.
        inventory.markdown.retain(|path| !files.contains(path));
        problems.extend(unconfigured);
    }
    inventory.markdown.retain(|path| {
        path.file_name()
            .is_some_and(|n| plain_name(&n.to_string_lossy(), config).0 == config.edition)
    });

    let let_go = selection.let_go_over.is_some_and(|limit| {
        // In parallel: a look at each file is a walk of its path in the kernel.
        let markdown_bytes: u64 = inventory
            .markdown
            .par_iter()
            .map(|path| match stamps.get(config.tree.root(), path) {
                Some(stamp) => stamp.size,
                None => config.tree.size(path),
            })
            .sum();
        markdown_bytes > limit as u64
    });
    // A translation takes the schema fields it does not write from its source page (figures
    // are typed once, for every edition), so none is required of it.
    // (A source that failed to load says so itself; its translations are not told again.)
    let sources: BTreeSet<&str> = source
        .map(|s| {
            s.pages
                .iter()
                .map(|p| p.content_path.as_str())
                .chain(s.broken.iter().map(String::as_str))
                .collect()
        })
        .unwrap_or_default();
    // Only a build that lets texts go may leave a file unread.
    let no_stamps = Stamps::default();
    let stamps = if let_go { stamps } else { &no_stamps };
    let results: Vec<Result<(Parsed, Used), Vec<Diagnostic>>> = inventory
        .markdown
        .par_iter()
        .map(|path| {
            let parsing = || {
                let translates = sources.contains(
                    plain_name(&display_name(&content_dir, path), config)
                        .1
                        .as_str(),
                );
                let (mut parsed, front_tree) = parse_file(
                    config,
                    (&content_dir, path),
                    &section_dirs,
                    translates,
                    (earlier, stamps.get(config.tree.root(), path)),
                )?;
                if let_go {
                    parsed.file.forget_text(&config.tree);
                }
                Ok((parsed, front_tree))
            };
            let what = || format!("reading `{}`", display_name(&config.root, path));
            crate::guard::catch(what, parsing).unwrap_or_else(|bug| Err(vec![bug]))
        })
        .collect();
    let mut parsed = Vec::with_capacity(results.len());
    let mut broken = BTreeSet::new();
    let mut uses = PackUses {
        front_matter: Vec::with_capacity(results.len()),
        as_read: Vec::with_capacity(results.len()),
    };
    for (result, path) in results.into_iter().zip(&inventory.markdown) {
        match result {
            Ok((p, used)) => {
                uses.front_matter.push(used.tree);
                uses.as_read.extend(used.as_read);
                if config.edition == 0
                    && let Some((_, span)) = &p.front.translated_from
                {
                    problems.push(
                        Diagnostic::error(
                            "`translated_from` belongs in a translation (`NAME.LANG.md`): it records the version of its source it was made from",
                        )
                        .at(&p.file, span.clone())
                        .with_help("remove it from this page of the default edition"),
                    );
                }
                parsed.push(p)
            }
            Err(errs) => {
                problems.extend(errs);
                // Links name the source (`countries/japan.md`), a translation's too.
                broken.insert(plain_name(&display_name(&content_dir, path), config).1);
            }
        }
    }
    let mut content = assemble(
        config,
        parsed,
        &inventory.others,
        selection,
        (&section_dirs, source),
        &mut problems,
    );
    problems.extend(placeholders(&content));
    problems.extend(unmatched_schemas(
        config,
        &section_dirs,
        &inventory.markdown,
    ));
    // A link to a page the edition has no translation of leads to the source, in the
    // default edition: if that failed to load, its own error says why.
    if let Some(source) = source {
        broken.extend(source.broken.iter().cloned());
    }
    content.broken = broken;
    content.texts_let_go = let_go;
    (content, problems, uses)
}

/// A `[schema.X]` whose folder `content/X/` is not a section (it has no `_index.md`) applies
/// to no page: an error naming the folder, and what is there instead.
fn unmatched_schemas(
    config: &Config,
    section_dirs: &BTreeSet<String>,
    markdown: &[PathBuf],
) -> Vec<Diagnostic> {
    let content_dir = config.content_dir();
    config
        .schemas
        .keys()
        .filter(|dir| !section_dirs.contains(*dir))
        .map(|dir| {
            let pages_there = markdown
                .iter()
                .filter(|p| relative_dir(&content_dir, p) == **dir)
                .count();
            let span = config.schema_spans.get(dir).cloned().unwrap_or(0..0);
            let mut d = Diagnostic::error(format!(
                "`[schema.{dir}]` applies to no section: there is no `content/{dir}/_index.md`"
            ))
            .at(&config.file, span);
            d = if pages_there > 0 {
                d.with_note(format!(
                    "`content/{dir}/` holds {pages_there} page(s), but without `_index.md` it is not a section, so they are checked against no schema"
                ))
                .with_help(format!(
                    "create the section with `tradetalks new {dir}/_index.md`"
                ))
            } else {
                match crate::diagnostic::did_you_mean(dir, section_dirs.iter().map(String::as_str)) {
                    Some(help) => d.with_help(help),
                    None => d.with_help(format!(
                        "rename the table after a section folder, or create the section with `tradetalks new {dir}/_index.md`"
                    )),
                }
            };
            d
        })
        .collect()
}

/// A page that is not a draft may not keep the placeholders `tradetalks new` wrote: each is
/// an error at its place.
pub fn placeholders(content: &Content) -> Vec<Diagnostic> {
    let files = content
        .pages
        .iter()
        .map(|p| (&p.front, &p.file, &p.body))
        .chain(
            content
                .sections
                .values()
                .filter_map(|s| Some((&s.front, s.file.as_ref()?, &s.body))),
        );
    files
        .flat_map(|(front, file, body)| placeholders_in(front, file, body))
        .collect()
}

/// `placeholders` for one file.
pub fn placeholders_in(
    front: &FrontMatter,
    file: &SourceFile,
    body: &Range<usize>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if front.draft || (front.placeholders.is_empty() && front.body_placeholder.is_none()) {
        return problems;
    }
    // Only a file with something to report is read again when its text was let go.
    let file = &*file.recalled();
    let help = "write the real value, or keep `draft: true` until the page is ready";
    for span in &front.placeholders {
        let text = file.text.get(span.clone()).unwrap_or_default();
        problems.push(
            Diagnostic::error(format!(
                "a placeholder is still here: {}",
                text.lines().next().unwrap_or_default()
            ))
            .at(file, span.clone())
            .with_help(help),
        );
    }
    if let Some(start) = front.body_placeholder.filter(|at| body.contains(at)) {
        problems.push(
            Diagnostic::error("the article is still the placeholder `tradetalks new` wrote")
                .at(file, start..start + crate::scaffold::BODY_PLACEHOLDER.len())
                .with_help(help),
        );
    }
    problems
}

/// Reads page `index`'s file again and places it as `load` would. `serve` uses it after an
/// edit; whether the page may move, or is now a draft, is for the caller to decide.
pub fn reload_page(
    config: &Config,
    content: &Content,
    index: usize,
) -> Result<Page, Vec<Diagnostic>> {
    let content_dir = config.content_dir();
    let section_dirs: BTreeSet<String> = content.sections.keys().cloned().collect();
    let path = &content.pages[index].file.path;
    // `serve` updates pages of single-language sites only: no page there is a translation.
    let (parsed, _) = parse_file(
        config,
        (&content_dir, path),
        &section_dirs,
        false,
        (&Earlier::default(), None),
    )?;
    if parsed.kind != Kind::Page {
        return Err(Vec::new());
    }
    place_page(parsed, &section_dirs, config)
        .map(|(page, _)| page)
        .map_err(|d| vec![d])
}

fn walk(config: &Config, problems: &mut Vec<Diagnostic>) -> Inventory {
    let (files, walk_problems) = config.tree.files_under("content");
    problems.extend(walk_problems);
    let (markdown, others) = files
        .into_iter()
        .partition(|path| path.extension().is_some_and(|e| e == "md"));
    Inventory { markdown, others }
}

/// The edition a Markdown file belongs to, and its name without the language
/// (`japan.ja.md` → `(1, "japan.md")` when the site has `[languages.ja]`).
pub fn plain_name(file_name: &str, config: &Config) -> (usize, String) {
    if let Some(stem) = file_name.strip_suffix(".md")
        && let Some((name, code)) = stem.rsplit_once('.')
        && let Some(index) = config.editions.iter().skip(1).position(|e| e.code == code)
    {
        return (index + 1, format!("{name}.md"));
    }
    (0, file_name.to_owned())
}

/// Gives each translation in `content` the schema fields it does not write, from its source
/// page in `source` (the default edition), as resolved there, and the taxonomy terms it does
/// not list: a figure is typed once, in the source, and every edition shows it. Its `image`
/// too, when it names none. The names taken are kept in `front.inherited`, so that checks of
/// the source's figures and picture are not repeated at the translation.
pub fn inherit_fields(content: &mut Content, source: &Content) {
    let sources: BTreeMap<&str, &Page> = source
        .pages
        .iter()
        .map(|p| (p.content_path.as_str(), p))
        .collect();
    for page in &mut content.pages {
        let Some(original) = sources.get(page.content_path.as_str()) else {
            continue;
        };
        for (name, value) in &original.front.fields {
            if !page.front.fields.contains_key(name) {
                page.front.fields.insert(name.clone(), value.clone());
                page.front.inherited.push(name.clone());
            }
        }
        // Its picture for shared links, named from the source's folder so that it is the same
        // file (page bundles are shared by every edition); checked only in the source.
        if page.front.image.is_none()
            && let Some((image, span)) = &original.front.image
        {
            let image = match crate::publish::cards::own_image(&original.path, image) {
                crate::publish::cards::OwnImage::Url(url) => url,
                crate::publish::cards::OwnImage::File(path) => format!("/{path}"),
            };
            page.front.image = Some((image, span.clone()));
            page.front.inherited.push("image".to_owned());
        }
        // Its authors and terms too (`sectors: [Autos]`), which each edition names in its
        // language.
        if page.front.authors.is_empty() {
            page.front.authors = original.front.authors.clone();
        }
        for (taxonomy, terms) in &original.front.taxonomies {
            page.front
                .taxonomies
                .entry(taxonomy.clone())
                .or_insert_with(|| terms.clone());
        }
    }
}

/// `NAME.LANG.md` beside `NAME.md` when the site has no `[languages.LANG]`: a translation
/// that would otherwise publish as a page of its own (`/japan.fr/`).
fn unconfigured_translations(
    config: &Config,
    markdown: &[PathBuf],
) -> (Vec<Diagnostic>, BTreeSet<PathBuf>) {
    let names: BTreeSet<&Path> = markdown.iter().map(PathBuf::as_path).collect();
    let mut problems = Vec::new();
    let mut files = BTreeSet::new();
    for path in markdown {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some((stem, code)) = name
            .as_deref()
            .and_then(|n| n.strip_suffix(".md"))
            .and_then(|stem| stem.rsplit_once('.'))
        else {
            continue;
        };
        if !crate::config::is_language_tag(code)
            || config.editions.iter().any(|e| e.code == code)
            || !names.contains(path.with_file_name(format!("{stem}.md")).as_path())
        {
            continue;
        }
        let file = display_name(&config.root, path);
        files.insert(path.clone());
        problems.push(
            Diagnostic::error(format!(
                "`{file}` looks like a translation of `{stem}.md` into `{code}`, but the site has no `[languages.{code}]`"
            ))
            .in_file(&file)
            .with_help(format!(
                "add `[languages.{code}]` with the edition's `title` to tradetalks.toml, or rename the file if it is a page of its own"
            )),
        );
    }
    (problems, files)
}

/// Hidden files and editors' temporary and backup files are not content.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

fn relative_dir(content_dir: &Path, path: &Path) -> String {
    let parent = path.parent().unwrap_or(content_dir);
    display_name(content_dir, parent)
}

/// The section a folder's pages belong to: the nearest folder, itself included, with an
/// `_index.md`; the root when there is none.
fn owning_section(dir: &str, section_dirs: &BTreeSet<String>) -> String {
    let mut current = dir;
    loop {
        if section_dirs.contains(current) || current.is_empty() {
            return current.to_owned();
        }
        current = current.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

fn parse_file(
    config: &Config,
    (content_dir, path): (&Path, &Path),
    section_dirs: &BTreeSet<String>,
    translates: bool,
    (earlier, stamp): (&Earlier, Option<&Stamp>),
) -> Result<(Parsed, Used), Vec<Diagnostic>> {
    let Opened {
        file,
        split,
        placeholder,
        tree,
        as_read,
    } = open(config, path, earlier, stamp)?;
    let dir = relative_dir(content_dir, path);
    let is_section = path
        .file_name()
        .is_some_and(|n| plain_name(&n.to_string_lossy(), config).1 == "_index.md");
    let kind = if is_section {
        Kind::Section
    } else {
        Kind::Page
    };
    // A page's schema is its section's; a folder with a schema but no `_index.md` (an
    // error of its own) still checks its pages against it, so that they do not each report
    // their schema's fields as unknown.
    let schema_dir = if is_section {
        dir.clone()
    } else {
        let mut current = dir.as_str();
        loop {
            if config.schemas.contains_key(current)
                || section_dirs.contains(current)
                || current.is_empty()
            {
                break current.to_owned();
            }
            current = current.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    };
    let schema: &[_] = match kind {
        Kind::Page => config.schemas.get(&schema_dir).map_or(&[], Vec::as_slice),
        Kind::Section => &[],
    };
    let relaxed: Vec<crate::config::SchemaField>;
    let schema = if translates {
        relaxed = schema
            .iter()
            .map(|field| crate::config::SchemaField {
                required: false,
                ..field.clone()
            })
            .collect();
        relaxed.as_slice()
    } else {
        schema
    };
    let (root, tree) = match tree {
        FrontTree::Parsed(root, used) => (root, used),
        FrontTree::Key(key) => front_matter::parse_tree(&file, &split, key, &earlier.front_matter)?,
    };
    let mut front = front_matter::check(&file, root, kind, schema, config)?;
    front.body_placeholder = placeholder;
    let parsed = Parsed {
        file,
        front,
        body: split.body,
        kind,
        dir,
    };
    Ok((parsed, Used { tree, as_read }))
}

/// What loading a file used of the packs (`Earlier`): its parsed front matter, and what was
/// read of it by its stamp (`AsRead`) when it has a trusted stamp.
struct Used {
    tree: PackUse,
    as_read: Option<PackUse>,
}

/// What earlier builds of a site left for loading it (`Cache::pack`): the front matter they
/// parsed, by the hash of its text (`front_matter::parse`), and what they read of each
/// Markdown file with a trusted stamp, by its path and stamp (`AsRead`). Two packs: the
/// first is large (2 KB a page) and changes only when some front matter does; the second is
/// small and changes whenever a file is saved.
#[derive(Debug, Default)]
pub struct Earlier {
    pub front_matter: Pack,
    pub as_read: Pack,
}

/// What a load used of each pack of `Earlier`, for the next build's (`Cache::put_pack`).
#[derive(Debug, Default)]
pub struct PackUses {
    /// Each file's parsed front matter.
    pub front_matter: Vec<PackUse>,
    /// What was read of each file with a trusted stamp: a hit is a file not read.
    pub as_read: Vec<PackUse>,
}

impl PackUses {
    pub fn extend(&mut self, other: PackUses) {
        self.front_matter.extend(other.front_matter);
        self.as_read.extend(other.as_read);
    }
}

/// What a load takes from a Markdown file's text, kept in a pack (`Earlier::as_read`) under
/// the file's path and stamp: the digest of the text, where its parts are, the key of its parsed
/// front matter in the pack, and where the body's placeholder is.
#[derive(serde::Serialize, serde::Deserialize)]
struct AsRead {
    digest: crate::cache::Digest,
    split: front_matter::Split,
    tree: Key,
    placeholder: Option<usize>,
}

/// A Markdown file opened for `parse_file`: read, or known from the pack (`AsRead`) with
/// its front matter parsed.
struct Opened {
    file: SourceFile,
    split: front_matter::Split,
    placeholder: Option<usize>,
    tree: FrontTree,
    as_read: Option<PackUse>,
}

/// The front matter of an `Opened` file: parsed, or to be found in the pack (or parsed).
enum FrontTree {
    Parsed(crate::yaml::Yaml, PackUse),
    Key(Key),
}

/// Opens the Markdown file at `path`. With its `stamp` (taken as the build began and
/// trusted, see `Stamps`), what an earlier build read of the file with that stamp is taken
/// from the pack instead of reading it: the file is then `SourceFile::unread`.
fn open(
    config: &Config,
    path: &Path,
    earlier: &Earlier,
    stamp: Option<&Stamp>,
) -> Result<Opened, Vec<Diagnostic>> {
    // Named only for a file with a stamp (`SourceFile::read` names the others itself).
    let name = stamp.map(|_| display_name(config.tree.root(), path));
    let as_read_key = stamp.zip(name.as_deref()).map(|(stamp, name)| {
        KeyBuilder::new("markdown file as read")
            .add(name)
            .add(stamp.size.to_le_bytes())
            .add(stamp.modified.to_le_bytes())
            .add(stamp.changed.to_le_bytes())
            .add(stamp.inode.to_le_bytes())
            .finish()
    });
    if let (Some(key), Some(name)) = (as_read_key, name)
        && let Some((as_read, as_read_used)) = earlier.as_read.lookup::<AsRead>(key)
        && let Some((root, tree_used)) = earlier.front_matter.lookup(as_read.tree)
    {
        return Ok(Opened {
            file: SourceFile::unread(name, path, as_read.digest, &config.tree),
            split: as_read.split,
            placeholder: as_read.placeholder,
            tree: FrontTree::Parsed(root, tree_used),
            as_read: Some(as_read_used),
        });
    }
    let file = SourceFile::read(&config.tree, path).map_err(|d| vec![d])?;
    let split = front_matter::split(&file).map_err(|d| vec![d])?;
    let placeholder = file
        .text
        .get(split.body.clone())
        .and_then(|body| {
            // memchr's finder: `str::find` took a sixth of loading an unchanged site.
            memchr::memmem::find(
                body.as_bytes(),
                crate::scaffold::BODY_PLACEHOLDER.as_bytes(),
            )
        })
        .map(|at| split.body.start + at);
    let tree = front_matter::tree_key(&file, &split);
    let as_read = as_read_key.map(|key| {
        let as_read = AsRead {
            digest: *file.digest(),
            split: split.clone(),
            tree,
            placeholder,
        };
        earlier.as_read.fresh(key, &as_read)
    });
    Ok(Opened {
        file,
        split,
        placeholder,
        tree: FrontTree::Key(tree),
        as_read,
    })
}

fn assemble(
    config: &Config,
    parsed: Vec<Parsed>,
    others: &[PathBuf],
    selection: Selection,
    (all_section_dirs, source): (&BTreeSet<String>, Option<&Content>),
    problems: &mut Vec<Diagnostic>,
) -> Content {
    let prefix = &config.current_edition().prefix;
    let mut content = Content::default();
    // Every page bundle's folder, published or not (a draft's files stay out with it).
    let all_bundles: BTreeSet<String> = parsed
        .iter()
        .filter(|p| {
            p.kind == Kind::Page
                && p.file
                    .path
                    .file_name()
                    .is_some_and(|n| plain_name(&n.to_string_lossy(), config).1 == "index.md")
        })
        .map(|p| p.dir.clone())
        .collect();
    // Sized ahead: a `Parsed` is large, and growing a vector of 10,000 of them copied it
    // again and again.
    let mut section_files = Vec::new();
    let mut page_files = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p.kind {
            Kind::Section => section_files.push(p),
            Kind::Page => page_files.push(p),
        }
    }

    for parsed in section_files {
        if parsed.front.draft && !selection.drafts {
            continue;
        }
        let path = format!("{prefix}{}", slug::dir_path(&parsed.dir, config.slugify));
        let content_path = join(&parsed.dir, "_index.md");
        content.sections.insert(
            parsed.dir.clone(),
            Section {
                file: Some(parsed.file),
                front: parsed.front,
                body: parsed.body,
                dir: parsed.dir,
                content_path,
                path,
                pages: Vec::new(),
                subsections: Vec::new(),
            },
        );
    }
    content
        .sections
        .entry(String::new())
        .or_insert_with(|| implicit_root(config));
    // An edition has every section of the site, in its own words where it has an
    // `_index.LANG.md`, else with the default edition's title and order (and no text).
    if config.edition > 0 {
        for dir in all_section_dirs {
            if content.sections.contains_key(dir) {
                continue;
            }
            let source_section = source.and_then(|s| s.sections.get(dir));
            if source_section.is_some_and(|s| s.front.draft) {
                continue;
            }
            let mut section = implicit_root(config);
            if let Some(from) = source_section {
                section.front = from.front.clone();
                section.front.aliases.clear();
            } else {
                section.front.title =
                    crate::shortcodes::format::humanise(dir.rsplit('/').next().unwrap_or(dir));
                section.front.description = None;
            }
            section.dir = dir.clone();
            section.content_path = join(dir, "_index.md");
            section.path = format!("{prefix}{}", slug::dir_path(dir, config.slugify));
            content.sections.insert(dir.clone(), section);
        }
    }

    let section_dirs: BTreeSet<String> = content.sections.keys().cloned().collect();
    let mut bundle_paths: BTreeMap<String, String> = BTreeMap::new();
    let mut to_place = Vec::with_capacity(page_files.len());
    for parsed in page_files {
        if parsed.front.draft && !selection.drafts {
            continue;
        }
        if selection.is_scheduled(&parsed.front)
            && let Some(date) = parsed.front.date
        {
            let content_path = content_path_of(&parsed.file, config);
            content.scheduled.push(Scheduled { content_path, date });
            // It publishes by itself when its date comes: unfinished, it must not.
            problems.extend(placeholders_in(&parsed.front, &parsed.file, &parsed.body));
            continue;
        }
        to_place.push(parsed);
    }
    // Each page is placed on its own (its slug and path: 100 ms of one thread for 10,000
    // pages), then added in order.
    let placed: Vec<_> = to_place
        .into_par_iter()
        .map(|parsed| place_page(parsed, &section_dirs, config))
        .collect();
    content.pages.reserve(placed.len());
    for placed in placed {
        match placed {
            Ok((page, bundle_dir)) => {
                if let Some(dir) = bundle_dir {
                    bundle_paths.insert(dir, page.path.clone());
                }
                content.pages.push(page);
            }
            Err(err) => problems.push(err),
        }
    }
    check_unique_paths(&content, problems);
    link_sections(&mut content);
    if config.edition > 0 {
        // A section the edition has no file of and no page in is not published in it.
        loop {
            let empty: Vec<String> = content
                .sections
                .iter()
                .filter(|(dir, s)| {
                    !dir.is_empty()
                        && s.file.is_none()
                        && s.pages.is_empty()
                        && s.subsections.is_empty()
                })
                .map(|(dir, _)| dir.clone())
                .collect();
            if empty.is_empty() {
                break;
            }
            for dir in empty {
                content.sections.remove(&dir);
            }
            link_sections(&mut content);
        }
    }
    let (assets, loose) = assets(config, others, &bundle_paths, &all_bundles);
    content.assets = assets;
    problems.extend(loose);
    content
}

fn implicit_root(config: &Config) -> Section {
    Section {
        file: None,
        front: FrontMatter {
            title: config.title.clone(),
            description: Some(config.description.clone()).filter(|d| !d.is_empty()),
            summary: None,
            date: None,
            updated: None,
            draft: false,
            weight: None,
            slug: None,
            aliases: Vec::new(),
            template: None,
            image: None,
            sort_by: SortBy::Weight,
            paginate: None,
            page_template: None,
            taxonomies: BTreeMap::new(),
            extra: serde_json::Value::Null,
            extra_tree: None,
            updates: Vec::new(),
            fields: BTreeMap::new(),
            nav_title: None,
            in_nav: true,
            placeholders: Vec::new(),
            body_placeholder: None,
            inherited: Vec::new(),
            translated_from: None,
            authors: Vec::new(),
        },
        body: 0..0,
        dir: String::new(),
        content_path: "_index.md".into(),
        path: config.current_edition().prefix.clone(),
        pages: Vec::new(),
        subsections: Vec::new(),
    }
}

/// Works out a page's slug, URL and section. A page bundle (`japan/index.md`) takes its slug
/// from its folder and returns that folder so its assets land beside it.
fn place_page(
    parsed: Parsed,
    section_dirs: &BTreeSet<String>,
    config: &Config,
) -> Result<(Page, Option<String>), Diagnostic> {
    let mode = config.slugify;
    let file_name = parsed
        .file
        .path
        .file_name()
        .map(|n| plain_name(&n.to_string_lossy(), config).1)
        .unwrap_or_default();
    let is_bundle = file_name == "index.md";
    let (parent_dir, default_name, bundle_dir) = if is_bundle {
        let (parent, name) = match parsed.dir.rsplit_once('/') {
            Some((parent, name)) => (parent.to_owned(), name.to_owned()),
            None => (String::new(), parsed.dir.clone()),
        };
        (parent, name, Some(parsed.dir.clone()))
    } else {
        let stem = file_name
            .strip_suffix(".md")
            .unwrap_or(&file_name)
            .to_owned();
        (parsed.dir.clone(), stem, None)
    };
    let slug = match &parsed.front.slug {
        Some((custom, span)) => slug::check_custom(custom, mode).map_err(|message| {
            let diagnostic = Diagnostic::error(message).at(&parsed.file, span.clone());
            match slug::slugify(custom, mode) {
                suggestion if suggestion.is_empty() => diagnostic,
                suggestion => diagnostic.with_help(format!("try `slug: {suggestion}`")),
            }
        })?,
        None => {
            let slug = slug::slugify(&default_name, mode);
            if slug::loses_every_letter(&default_name, mode) {
                return Err(Diagnostic::error(format!(
                    "the file name `{default_name}` has no Latin letter to make an ASCII URL from (`slugify = \"ascii\"`)"
                ))
                .at(&parsed.file, 0..3)
                .with_help(
                    "give the page a `slug:` in Latin letters (e.g. `slug: japan-talks`), or drop `slugify = \"ascii\"` to keep the letters of every script in URLs",
                ));
            }
            if slug.is_empty() {
                return Err(Diagnostic::error(format!(
                    "cannot make a URL from the file name `{default_name}`"
                ))
                .in_file(&parsed.file.name)
                .with_help("rename the file, or set `slug:` in its front matter"));
            }
            slug
        }
    };
    let path = format!(
        "{}{}{slug}/",
        config.current_edition().prefix,
        slug::dir_path(&parent_dir, mode)
    );
    let page = Page {
        content_path: content_path_of(&parsed.file, config),
        section: owning_section(&parent_dir, section_dirs),
        slug,
        path,
        file: parsed.file,
        front: parsed.front,
        body: parsed.body,
    };
    Ok((page, bundle_dir))
}

/// Two editions making the same URL: a folder of the default edition named like another
/// edition's path (`content/ja/about.md` and the Japanese `about.ja.md` both make `/ja/about/`).
/// Each edition checks its own URLs; these would silently overwrite each other.
pub fn clashes_between_editions<'c>(
    editions: impl Iterator<Item = &'c Content>,
) -> Vec<Diagnostic> {
    let mut claims: BTreeMap<&str, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for content in editions {
        let own = content
            .pages
            .iter()
            .map(|p| (p.path.as_str(), Some(&p.file)))
            .chain(
                content
                    .sections
                    .values()
                    .map(|s| (s.path.as_str(), s.file.as_ref())),
            );
        let mut seen_here = BTreeSet::new();
        for (path, file) in own {
            let name = file.map_or_else(
                || format!("the section made for `/{path}`"),
                |f| format!("`{}`", f.name),
            );
            if !seen_here.insert(path) {
                continue;
            }
            match claims.get(path) {
                Some(first) => {
                    let d = Diagnostic::error(format!(
                        "two editions make the same URL `/{path}`: {first} and {name}"
                    ));
                    let d = match file {
                        Some(f) => d.in_file(&f.name),
                        None => d,
                    };
                    problems.push(d.with_help(
                        "rename the folder of the default edition, or give the edition another `path` in its `[languages]` table",
                    ));
                }
                None => {
                    claims.insert(path, name);
                }
            }
        }
    }
    problems
}

/// A Markdown file's path under `content/` as `@/` links name it: a translation by its
/// source's name (`countries/japan.ja.md` → `countries/japan.md`).
fn content_path_of(file: &SourceFile, config: &Config) -> String {
    let name = file.name.strip_prefix("content/").unwrap_or(&file.name);
    match name.rsplit_once('/') {
        Some((dir, base)) => format!("{dir}/{}", plain_name(base, config).1),
        None => plain_name(name, config).1,
    }
}

fn check_unique_paths(content: &Content, problems: &mut Vec<Diagnostic>) {
    let mut sections: BTreeMap<&str, String> = BTreeMap::new();
    for section in content.sections.values() {
        sections.insert(&section.path, format!("content/{}", section.content_path));
    }
    let mut claims: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for page in &content.pages {
        claims.entry(&page.path).or_default().push(page);
    }
    for (path, pages) in claims {
        let section = sections.get(path);
        if pages.len() + usize::from(section.is_some()) < 2 {
            continue;
        }
        // Point at a `slug:` line when one of the pages has it: that is what an editor changes.
        let culprit = pages
            .iter()
            .rev()
            .find(|p| p.front.slug.is_some())
            .unwrap_or(&pages[pages.len() - 1]);
        let mut d = Diagnostic::error(format!("two files make the same URL `/{path}`"));
        d = match &culprit.front.slug {
            Some((_, span)) => d.at(&culprit.file, span.clone()),
            None => d.in_file(&culprit.file.name),
        };
        let others = pages
            .iter()
            .filter(|p| p.file.name != culprit.file.name)
            .map(|p| p.file.name.clone())
            .chain(section.cloned());
        for other in others {
            d = d.with_note(format!("`{other}` makes it too"));
        }
        problems.push(d.with_help("give one of them another `slug:`"));
    }
}

/// Fills each section's ordered page list and its subsections.
fn link_sections(content: &mut Content) {
    let mut by_section: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, page) in content.pages.iter().enumerate() {
        by_section
            .entry(page.section.clone())
            .or_default()
            .push(index);
    }
    let dirs: Vec<String> = content.sections.keys().cloned().collect();
    for (dir, section) in content.sections.iter_mut() {
        let mut pages = by_section.remove(dir).unwrap_or_default();
        sort_pages(&mut pages, &content.pages, section.front.sort_by);
        section.pages = pages;
        section.subsections = dirs
            .iter()
            .filter(|d| !d.is_empty() && *d != dir && parent_section(d, &dirs) == *dir)
            .cloned()
            .collect();
    }
}

fn parent_section(dir: &str, dirs: &[String]) -> String {
    let mut current = dir;
    while let Some((parent, _)) = current.rsplit_once('/') {
        current = parent;
        if dirs.iter().any(|d| d == current) {
            return current.to_owned();
        }
    }
    String::new()
}

/// Orders a section's pages; ties fall back to the title and then the file path, so the
/// order never depends on the file system.
pub fn sort_pages(indexes: &mut [usize], pages: &[Page], sort_by: SortBy) {
    indexes.sort_by(|&a, &b| {
        let (a, b) = (&pages[a], &pages[b]);
        let newest_first = b.front.date.cmp(&a.front.date);
        let primary = match sort_by {
            SortBy::Weight => {
                let weight = |p: &Page| (p.front.weight.is_none(), p.front.weight);
                weight(a).cmp(&weight(b)).then(newest_first)
            }
            SortBy::Date => newest_first,
            SortBy::Title => std::cmp::Ordering::Equal,
        };
        primary
            .then_with(|| a.front.title.cmp(&b.front.title))
            .then_with(|| a.file.name.cmp(&b.file.name))
    });
}

/// The files under `content/` that are not Markdown, with their output paths: beside their
/// page when they sit in a page bundle (`japan/index.md` and `japan/map.png`), else in their
/// folder, with a warning, since no page owns them. The files of a bundle whose page is left
/// out (a draft, a scheduled page) are left out with it.
fn assets(
    config: &Config,
    others: &[PathBuf],
    bundle_paths: &BTreeMap<String, String>,
    all_bundles: &BTreeSet<String>,
) -> (Vec<Asset>, Vec<Diagnostic>) {
    let content_dir = config.content_dir();
    let mut loose = Vec::new();
    let assets = others
        .iter()
        .filter_map(|source| {
            let dir = relative_dir(&content_dir, source);
            let file_name = source.file_name()?.to_string_lossy().into_owned();
            let base = match bundle_paths.get(&dir) {
                Some(page_path) => page_path.clone(),
                None if all_bundles.contains(&dir) => return None,
                // Files outside bundles are published once, by the default edition.
                None if config.edition > 0 => return None,
                None => {
                    let base = slug::dir_path(&dir, config.slugify);
                    let name = display_name(&config.root, source);
                    loose.push(
                        Diagnostic::warning(format!(
                            "`{name}` is not Markdown and not in a page bundle: it is published as it is, at `/{base}{file_name}`"
                        ))
                        .in_file(&name)
                        .with_help(
                            "put a file a page uses beside the page in a bundle (`japan/index.md` with `japan/map.png`), a file for the whole site in `static/`, and anything else outside `content/`",
                        ),
                    );
                    base
                }
            };
            Some(Asset {
                source: source.clone(),
                path: format!("{base}{file_name}"),
            })
        })
        .collect();
    (assets, loose)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str, title: &str, weight: Option<i64>, date: Option<&str>) -> Page {
        let file = SourceFile::new(name, name, "");
        let mut front = implicit_root_front();
        front.title = title.into();
        front.weight = weight;
        front.date = date.map(|d| d.parse().unwrap());
        Page {
            file,
            front,
            body: 0..0,
            content_path: name.into(),
            section: String::new(),
            slug: title.into(),
            path: format!("{title}/"),
        }
    }

    fn implicit_root_front() -> FrontMatter {
        let toml = "title = \"t\"\nbase_url = \"https://x.org\"\n";
        let file = SourceFile::new("tradetalks.toml", "/", toml);
        let config = Config::parse(Path::new("/"), &file, None).unwrap();
        implicit_root(&config).front
    }

    fn order(pages: &[Page], sort_by: SortBy) -> Vec<&str> {
        let mut indexes: Vec<usize> = (0..pages.len()).collect();
        sort_pages(&mut indexes, pages, sort_by);
        indexes
            .iter()
            .map(|&i| pages[i].front.title.as_str())
            .collect()
    }

    #[test]
    fn weight_orders_first_then_newest_then_title() {
        let pages = vec![
            page("d.md", "d", None, Some("2025-04-20")),
            page("c.md", "c", Some(2), None),
            page("b.md", "b", Some(1), Some("2025-01-01")),
            page("a.md", "a", Some(1), Some("2025-02-01")),
            page("e.md", "e", None, Some("2025-04-20")),
        ];
        assert_eq!(order(&pages, SortBy::Weight), ["a", "b", "c", "d", "e"]);
        assert_eq!(order(&pages, SortBy::Date), ["d", "e", "a", "b", "c"]);
        assert_eq!(order(&pages, SortBy::Title), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn pages_belong_to_the_nearest_section() {
        let dirs: BTreeSet<String> = ["".into(), "countries".into()].into();
        assert_eq!(owning_section("countries/asia", &dirs), "countries");
        assert_eq!(owning_section("misc", &dirs), "");
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [".japan.md.swp", "japan.md~", "#japan.md#", ".DS_Store"] {
            assert!(is_ignored(std::ffi::OsStr::new(name)), "{name}");
        }
        assert!(!is_ignored(std::ffi::OsStr::new("japan.md")));
    }
}
