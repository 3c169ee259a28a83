//! The build cache is never stale: after each of many random edits of a site (bodies, titles,
//! dates, weights, taxonomy terms, data cells, templates, the configuration, renames and
//! deletions), a build that reads and writes the cache makes exactly what a cold build makes,
//! files and diagnostics alike; and a corrupt, truncated or foreign cache is ignored.
//!
//! `bash scripts/cache-equivalence.sh` runs the full count of 200 (the default is 40,
//! to keep `cargo test` short); `TT_CACHE_SEED` picks another sequence of edits.

use std::path::{Path, PathBuf};

use tradetalks::pipeline::{self, BuildOptions};

use crate::support::{Site, built_files};

fn options(cache: Option<&Path>) -> BuildOptions {
    BuildOptions {
        base_url: Some("http://127.0.0.1:1111/".into()),
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        cache_dir: cache.map(Path::to_path_buf),
        ..BuildOptions::default()
    }
}

/// What a cached build took from the cache.
#[derive(Debug, Default, PartialEq)]
struct Hits {
    bodies: usize,
    pages: usize,
    front_matter: usize,
    search: usize,
    /// Documents re-indexed in the cached search index.
    search_updated: usize,
}

/// Builds `root` cold and with `cache`, and checks that both make the same; returns the cached
/// build's cache hits.
fn compare(root: &Path, cache: &Path, what: &str) -> Hits {
    compare_sites(root, cache, what).0
}

/// `compare`, then `build` on the command line with `cache` into the site's `public/`, which
/// must hold exactly the cold build's files: a build there keeps the pages it would write
/// again where the last one left them (`record::intact_pages`), and must still write every
/// page that changed.
fn compare_on_disk(root: &Path, cache: &Path, what: &str) -> Hits {
    let (hits, cold) = compare_sites(root, cache, what);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"))
        .args(["build", "--quiet", "--as-of", "2025-04-20"])
        .args(["--base-url", "http://127.0.0.1:1111/", "--cache-dir"])
        .arg(cache)
        .current_dir(root)
        .output()
        .unwrap();
    let Some(cold) = cold else {
        assert!(
            !run.status.success(),
            "after {what}: the command line built a broken site"
        );
        return hits;
    };
    assert!(
        run.status.success(),
        "after {what}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut expected = built_files(&cold);
    for (path, from) in &cold.copies {
        expected.remove(&format!("copy of {path}"));
        expected.insert(path.clone(), std::fs::read(from).unwrap());
    }
    let public = root.join("public");
    let on_disk: std::collections::BTreeMap<String, Vec<u8>> = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(&public).unwrap();
            let relative = relative.to_string_lossy().into_owned();
            (relative, std::fs::read(entry.path()).unwrap())
        })
        .collect();
    let differ = crate::support::files_that_differ(&expected, &on_disk);
    assert!(
        differ.is_empty(),
        "after {what}: the build on disk differs from a cold one in {differ:?}"
    );
    hits
}

fn compare_sites(
    root: &Path,
    cache: &Path,
    what: &str,
) -> (Hits, Option<tradetalks::pipeline::BuiltSite>) {
    let (cold, cold_problems) = pipeline::build(root, &options(None));
    let (warm, warm_problems) = pipeline::build(root, &options(Some(cache)));
    assert_eq!(
        format!("{:?}", warm_problems),
        format!("{:?}", cold_problems),
        "after {what}: the cached build reported other problems"
    );
    match (cold, warm) {
        (None, None) => (Hits::default(), None),
        (Some(cold), Some(warm)) => {
            let (cold_files, warm_files) = (built_files(&cold), built_files(&warm));
            let differ = crate::support::files_that_differ(&cold_files, &warm_files);
            assert!(
                differ.is_empty(),
                "after {what}: the cached build differs in {differ:?}; {}",
                crate::support::first_difference(&cold_files, &warm_files, &differ)
            );
            let hits = Hits {
                bodies: warm.body_cache.hits,
                pages: warm.page_cache.hits,
                front_matter: warm.front_matter_cache.hits,
                search: warm.search_cache.hits,
                search_updated: warm.search_updated,
            };
            (hits, Some(cold))
        }
        (cold, warm) => panic!(
            "after {what}: cold build {}, cached build {}",
            if cold.is_some() {
                "succeeded"
            } else {
                "failed"
            },
            if warm.is_some() {
                "succeeded"
            } else {
                "failed"
            }
        ),
    }
}

/// xorshift64*: a fixed sequence from a seed, so that a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PARTIES: [&str; 5] = ["eu", "brazil", "argentina", "uruguay", "paraguay"];

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_default()
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Replaces the line starting with `key` in `text` (front matter) with `line`.
fn set_line(text: &str, key: &str, line: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut done = false;
    for l in text.lines() {
        if !done && l.starts_with(key) {
            out.push(line.to_owned());
            done = true;
        } else {
            out.push(l.to_owned());
        }
    }
    out.join("\n") + "\n"
}

/// One random edit of the explainer; returns what it did.
fn edit(root: &Path, random: &mut Random, n: usize) -> String {
    let party = PARTIES[random.below(PARTIES.len())];
    let page = format!("content/parties/{party}.md");
    match random.below(13) {
        0 => {
            let text = read(root, &page);
            write(
                root,
                &page,
                &format!("{text}\nEdit {n}: one more sentence.\n"),
            );
            format!("a body of {page}")
        }
        1 => {
            let text = read(root, &page);
            write(
                root,
                &page,
                &set_line(&text, "title:", &format!("title: \"Party {n}\"")),
            );
            format!("the title of {page}")
        }
        2 => {
            let text = read(root, &page);
            let date = format!(
                "date: 2024-{:02}-{:02}",
                1 + random.below(12),
                1 + random.below(28)
            );
            write(root, &page, &set_line(&text, "date:", &date));
            format!("the date of {page}")
        }
        3 => {
            let text = read(root, &page);
            write(
                root,
                &page,
                &set_line(&text, "weight:", &format!("weight: {}", random.below(9))),
            );
            format!("the weight of {page}")
        }
        4 => {
            let text = read(root, &page);
            let terms = ["autos", "agriculture", "beef", "wine", "minerals"];
            let term = terms[random.below(terms.len())];
            write(
                root,
                &page,
                &set_line(&text, "sectors:", &format!("sectors: [{term}]")),
            );
            format!("the sectors of {page}")
        }
        5 => {
            let csv = read(root, "data/trade.csv");
            let value = format!("{}.{}", 1 + random.below(60), random.below(10));
            let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
            let row = 1 + random.below(lines.len() - 1);
            let mut cells: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
            cells[2] = value;
            lines[row] = cells.join(",");
            write(root, "data/trade.csv", &(lines.join("\n") + "\n"));
            "a cell of data/trade.csv".to_owned()
        }
        6 => {
            write(
                root,
                "templates/shortcodes/see_also.html",
                &format!(
                    "{{% set p = get_page(path=\"parties/{party}.md\") %}}<aside class=\"see-also\">See also ({n}): <a href=\"{{{{ p.url }}}}\">{{{{ p.title }}}}</a></aside>"
                ),
            );
            "the site shortcode see_also.html".to_owned()
        }
        7 => {
            // The page template reads only the page, or also another page, a picture and a
            // static file's bytes (a rendered page's cache key does not cover those).
            let footer = match random.below(3) {
                0 => format!("<p class=\"edit\">Footer {n}: {{{{ page.title }}}}</p>\n"),
                1 => format!(
                    "{{% set other = get_page(path=\"parties/{party}.md\") %}}<p class=\"edit\">Footer {n}: {{{{ page.title }}}}, see {{{{ other.title }}}} ({{{{ other.date }}}})</p>\n"
                ),
                _ => format!(
                    "{{% set quay = image_meta(path=\"img/quay.jpg\") %}}<p class=\"edit\">Footer {n}: {{{{ quay.width }}}} px, <a href=\"{{{{ get_url(path='notes.txt', cachebust=true) }}}}\">notes</a></p>\n"
                ),
            };
            write(root, "templates/page_footer.html", &footer);
            "a page_footer.html of the site".to_owned()
        }
        8 => {
            let config = read(root, "tradetalks.toml");
            write(
                root,
                "tradetalks.toml",
                &set_line(
                    &config,
                    "description =",
                    &format!("description = \"Edit {n} of the description.\""),
                ),
            );
            "the configuration".to_owned()
        }
        9 => {
            // A page moves to another name (its links then break: both builds must say so).
            let from = root.join(&page);
            if from.exists() {
                std::fs::rename(
                    &from,
                    root.join(format!("content/parties/{party}-moved.md")),
                )
                .unwrap();
                format!("a rename of {page}")
            } else {
                std::fs::rename(
                    root.join(format!("content/parties/{party}-moved.md")),
                    &from,
                )
                .unwrap_or(());
                format!("{page} renamed back")
            }
        }
        10 => {
            let about = read(root, "content/about.md");
            if about.is_empty() {
                write(
                    root,
                    "content/about.md",
                    "---\ntitle: About, again\n---\nBack.\n",
                );
                "content/about.md written again".to_owned()
            } else {
                std::fs::remove_file(root.join("content/about.md")).unwrap();
                "content/about.md deleted".to_owned()
            }
        }
        11 => {
            // A static file whose hash a template may put in its URL.
            write(root, "static/notes.txt", &format!("Notes, version {n}.\n"));
            "static/notes.txt".to_owned()
        }
        _ => {
            // A page uses the site shortcode (or stops using it).
            let text = read(root, &page);
            let call = "\n{{ see_also() }}\n";
            if text.contains(call) {
                write(root, &page, &text.replacen(call, "\n", 1));
            } else {
                write(root, &page, &format!("{text}{call}"));
            }
            format!("a see_also() call in {page}")
        }
    }
}

/// Moves a moved page back, or writes a deleted one again.
fn undo_breakage(root: &Path) -> Option<String> {
    for party in PARTIES {
        let moved = root.join(format!("content/parties/{party}-moved.md"));
        if moved.exists() {
            std::fs::rename(&moved, root.join(format!("content/parties/{party}.md"))).unwrap();
            return Some(format!("content/parties/{party}.md moved back"));
        }
    }
    if !root.join("content/about.md").exists() {
        write(
            root,
            "content/about.md",
            "---\ntitle: About, again\n---\nBack.\n",
        );
        return Some("content/about.md written again".to_owned());
    }
    None
}

#[test]
fn a_cached_build_is_a_cold_build_after_any_edit() {
    let site = Site::fixture("explainer");
    let root = site.root().to_path_buf();
    // The site shortcode exists from the start, so that pages may call it.
    write(
        &root,
        "templates/shortcodes/see_also.html",
        "{% set p = get_page(path=\"parties/eu.md\") %}<aside class=\"see-also\">See also: <a href=\"{{ p.url }}\">{{ p.title }}</a></aside>",
    );
    write(&root, "static/notes.txt", "Notes.\n");
    let cache: PathBuf = root.join(".tradetalks-cache");
    let count: usize = std::env::var("TT_CACHE_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("TT_CACHE_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x7ead_7a1c);
    let mut random = Random(seed | 1);
    compare_on_disk(&root, &cache, "nothing");
    // Unchanged: every body and every page comes from the cache.
    let hits = compare(&root, &cache, "nothing, again");
    assert!(
        hits.bodies >= 8 && hits.pages >= 6 && hits.front_matter >= 8 && hits.search == 1,
        "an unchanged site took too little from the cache: {hits:?}"
    );
    let (mut total, mut reindexed) = (0, 0);
    for n in 0..count {
        let what = edit(&root, &mut random, n);
        // Every other edit is also built on the command line (which costs as much again).
        let what = format!("edit {n} (seed {seed}): {what}");
        let hits = if n % 2 == 0 {
            compare_on_disk(&root, &cache, &what)
        } else {
            compare(&root, &cache, &what)
        };
        (total, reindexed) = (total + hits.bodies, reindexed + hits.search_updated);
        // A move or a deletion breaks the links to the page: both builds fail alike. Undo it
        // at once (and compare again), so that the next edits build.
        if let Some(undo) = undo_breakage(&root) {
            let hits = compare(&root, &cache, &format!("edit {n} (seed {seed}): {undo}"));
            (total, reindexed) = (total + hits.bodies, reindexed + hits.search_updated);
        }
    }
    assert!(
        total > count,
        "the cache was hardly used: {total} hits in {count} builds"
    );
    // Edits of a few pages re-index them in the cached search index, and the index still
    // equals the one made from scratch (compared above).
    assert!(reindexed > 0, "no edit updated the cached search index");
    // Seen with `--nocapture` (scripts/cache-equivalence.sh): what the run covered.
    eprintln!(
        "{count} edits (seed {seed}): every cached build equal to a cold one, {total} cache hits"
    );
}

/// Writes the site's `page_footer.html` (which every page includes), checks the cached build
/// against a cold one, and returns how many pages a second, unchanged build took from the cache.
fn with_footer(root: &Path, cache: &Path, footer: &str, what: &str) -> usize {
    write(root, "templates/page_footer.html", footer);
    compare(root, cache, what);
    compare(root, cache, "nothing").pages
}

/// A page's template may read more than the page: another page (`get_page`), a picture
/// (`image_meta`), a static file's bytes (`get_url(cachebust=true)`). A cached page must
/// follow each of them, edit by edit (the random edits above meet these cases only now and
/// then).
#[test]
fn a_cached_page_follows_what_its_template_read() {
    let site = Site::fixture("explainer");
    let root = site.root().to_path_buf();
    let cache = root.join(".tradetalks-cache");
    let page = "content/parties/eu.md";
    let retitle = |title: &str| {
        let text = read(&root, page);
        write(
            &root,
            page,
            &set_line(&text, "title:", &format!("title: \"{title}\"")),
        );
    };
    // Another page: a cached page is used only while no content file changed.
    let pages = with_footer(
        &root,
        &cache,
        "{% set other = get_page(path=\"parties/eu.md\") %}<p class=\"edit\">See {{ other.title }}</p>\n",
        "a footer reading another page",
    );
    assert!(pages >= 6, "only {pages} pages from the cache");
    retitle("The Union");
    compare(&root, &cache, "the title of the page every footer reads");
    // A picture and a static file's bytes: such a page is not kept.
    write(
        &root,
        "templates/page_footer.html",
        "{% set quay = image_meta(path=\"img/quay.jpg\") %}<p class=\"edit\">{{ quay.width }} px; <a href=\"{{ get_url(path='notes.txt', cachebust=true) }}\">notes</a></p>\n",
    );
    write(&root, "static/notes.txt", "Notes.\n");
    compare(
        &root,
        &cache,
        "a footer reading a picture and a static file",
    );
    write(&root, "static/notes.txt", "Notes, again.\n");
    compare(&root, &cache, "the static file every footer hashes");
    // Only its own page: every page comes from the cache again, until a title changes.
    let pages = with_footer(
        &root,
        &cache,
        "<p class=\"edit\">{{ page.title }}</p>\n",
        "a footer of the page alone",
    );
    assert!(pages >= 6, "only {pages} pages from the cache");
    retitle("The Union, again");
    compare(&root, &cache, "a title, with the simple footer");
}

/// A page is keyed by its section's own fields when its templates cannot read the section's
/// lists: an edit that changes one page's summary (its word count) then renders only that
/// page and its neighbours again, not its whole section. A template that reads the lists is
/// keyed by them, and follows every edit of its section.
#[test]
fn a_cached_page_reads_its_section_lists_only_if_its_template_does() {
    let site = Site::fixture("explainer");
    let root = site.root().to_path_buf();
    let cache = root.join(".tradetalks-cache");
    let mut words = 0;
    let mut lengthen = |party: &str| {
        words += 1;
        let page = format!("content/parties/{party}.md");
        let text = read(&root, &page);
        write(
            &root,
            &page,
            &format!("{text}\n{}\n", "More words here. ".repeat(words)),
        );
    };
    compare(&root, &cache, "the first build");
    let all = compare(&root, &cache, "nothing").pages;
    lengthen("uruguay");
    let hits = compare(&root, &cache, "a longer page, the built-in templates").pages;
    // The page and its previous and next pages (which show its summary) render again, and
    // the two lists that show it: its section's, and the home page's (its subsections).
    assert!(
        hits + 3 + 2 >= all,
        "{hits} of {all} pages from the cache: the section's other pages rendered again"
    );
    // A field the page shows and nothing else: the page's key changes with its own
    // summary, which neither its body, its social card's values, nor (its template reading
    // none of the lists) its section shows.
    let change = |from: &str, to: &str| {
        let page = "content/parties/uruguay.md";
        write(&root, page, &read(&root, page).replacen(from, to, 1));
        assert!(read(&root, page).contains(to), "{from} is not in {page}");
    };
    change(
        "bloc: \"Mercosur\"",
        "bloc: \"Mercosur, the southern bloc\"",
    );
    compare(&root, &cache, "a new field, the built-in templates");
    // A new title: the pages before and after it name it in their footers.
    change("title: \"Uruguay: the host\"", "title: \"Uruguay, host\"");
    compare(&root, &cache, "a new title, the built-in templates");
    // A footer with every page of the section and its word count.
    let all = with_footer(
        &root,
        &cache,
        "<ul class=\"edit\">{% for p in section.pages %}<li>{{ p.title }}: {{ p.word_count }}</li>{% endfor %}</ul>\n",
        "a footer listing the section",
    );
    lengthen("uruguay");
    // Every page of the section shows the new count (compared with a cold build).
    let hits = compare(&root, &cache, "a longer page, a footer listing the section").pages;
    assert!(
        hits + PARTIES.len() <= all,
        "{hits} of {all} pages from the cache: pages listing the section were kept"
    );
}

#[test]
fn a_corrupt_truncated_or_foreign_cache_is_ignored() {
    let site = Site::fixture("explainer");
    let root = site.root().to_path_buf();
    let cache = root.join(".tradetalks-cache");
    compare(&root, &cache, "the first build");
    let entries: Vec<PathBuf> = walkdir::WalkDir::new(&cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    assert!(entries.len() >= 8, "{} entries", entries.len());
    // Spoil every entry a different way: truncated, garbage, a flipped byte, another build's
    // header, empty.
    for (i, path) in entries.iter().enumerate() {
        let mut bytes = std::fs::read(path).unwrap();
        match i % 5 {
            0 => bytes.truncate(bytes.len() / 2),
            1 => bytes = b"<html>not an entry</html>".to_vec(),
            2 => {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x55;
            }
            3 => bytes[12] ^= 0xff,
            _ => bytes.clear(),
        }
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(
        compare(&root, &cache, "spoiling every entry"),
        Hits::default(),
        "a spoilt entry was used"
    );
    // The spoilt entries were replaced: the next build takes every body and page from the
    // cache.
    let hits = compare(&root, &cache, "the rebuild");
    assert!(
        hits.bodies >= 8 && hits.pages >= 6 && hits.front_matter >= 8 && hits.search == 1,
        "{hits:?}"
    );
}

#[test]
fn the_cache_lives_where_it_is_told_and_init_ignores_it() {
    let site = Site::fixture("explainer");
    let run = site.run(&["build", "--as-of", "2025-04-20", "--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !site.root().join(".tradetalks-cache").exists(),
        "--no-cache wrote a cache"
    );
    let run = site.run(&["build", "--as-of", "2025-04-20", "--cache-dir", "elsewhere"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.root().join("elsewhere/bodies").is_dir());
    assert!(!site.root().join(".tradetalks-cache").exists());
    let run = site.run(&["build", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.root().join(".tradetalks-cache/bodies").is_dir());
    let both = site.run(&["build", "--no-cache", "--cache-dir", "x"]);
    assert_eq!(both.code, 2, "{}", both.stderr);

    let empty = Site::empty();
    let run = empty.run(&["init", "blank", "--minimal"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ignore = std::fs::read_to_string(empty.root().join("blank/.gitignore")).unwrap();
    assert_eq!(ignore, "/public/\n/.tradetalks-cache/\n");
    // An editor's own .gitignore keeps its lines and gains only what it lacks.
    std::fs::write(empty.root().join("blank/.gitignore"), "notes/\npublic/").unwrap();
    let run = empty.run(&["init", "blank", "--minimal", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ignore = std::fs::read_to_string(empty.root().join("blank/.gitignore")).unwrap();
    assert_eq!(ignore, "notes/\npublic/\n/.tradetalks-cache/\n");
}

/// A build with nothing to do does nothing: the sources, the options and the output folder
/// as the last build left them. Anything else builds: an edit (even one that keeps the file's
/// size and modification time), another option or build date, a file of the output folder
/// changed, removed or added, `--no-cache`, and a build that had something to report.
#[test]
fn a_build_with_nothing_to_do_does_nothing_and_any_change_builds() {
    const NOTHING: &str = "nothing had changed since the last build";
    let site = Site::fixture("basic");
    let build = |extra: &[&str]| {
        let mut args = vec!["build"];
        if !extra.contains(&"--as-of") {
            args.extend(["--as-of", "2025-04-20"]);
        }
        args.extend_from_slice(extra);
        let run = site.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stderr.contains(NOTHING)
    };
    // The fixture's stale figure is a warning at this date: every build reports it again.
    assert!(!build(&["--as-of", "2026-12-01"]));
    assert!(!build(&["--as-of", "2026-12-01"]));
    assert!(!build(&[]));
    let page = site.output("posts/second/index.html");
    assert!(build(&[]), "unchanged");
    assert_eq!(site.output("posts/second/index.html"), page);
    let quiet = site.run(&["build", "--as-of", "2025-04-20", "--quiet"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));

    // The output folder: a page changed, removed, a stray file added.
    let public = site.root().join("public");
    std::fs::write(public.join("posts/second/index.html"), "tampered").unwrap();
    assert!(!build(&[]));
    assert_eq!(site.output("posts/second/index.html"), page);
    std::fs::remove_file(public.join("posts/second/index.html")).unwrap();
    assert!(!build(&[]));
    assert_eq!(site.output("posts/second/index.html"), page);
    std::fs::write(public.join("stray.txt"), "x").unwrap();
    assert!(!build(&[]));
    assert!(!public.join("stray.txt").exists());
    assert!(build(&[]));
    // Deeper: a stray file, a stray folder; and a file of each kind the build writes
    // rewritten as it was (a page, a feed, a built-in file, a static file copied).
    std::fs::write(public.join("posts/second/stray.txt"), "x").unwrap();
    assert!(!build(&[]));
    std::fs::create_dir(public.join("posts/stray")).unwrap();
    assert!(!build(&[]));
    assert!(build(&[]));
    for file in [
        "posts/second/index.html",
        "atom.xml",
        "style.css",
        "robots.txt",
    ] {
        let bytes = std::fs::read(public.join(file)).unwrap();
        std::fs::write(public.join(file), bytes).unwrap();
        assert!(!build(&[]), "{file} rewritten");
        assert!(build(&[]));
    }

    // Options and the build date.
    assert!(!build(&["--drafts"]));
    assert!(!build(&[]));
    assert!(!build(&["--as-of", "2025-04-21"]));
    assert!(!build(&[]));
    assert!(!build(&["--base-url", "https://elsewhere.example/"]));
    assert!(!build(&[]));
    assert!(build(&[]));
    assert!(!build(&["--no-cache"]), "--no-cache builds");
    assert!(!build(&[]), "and its output is not the recorded one");

    // An edit of the same size with its old modification time (an hour ago, too long ago
    // for the file to be hashed): the change time tells.
    let path = site.root().join("content/posts/second.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let set_modified = || {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    };
    set_modified();
    assert!(!build(&[]));
    assert!(build(&[]));
    std::fs::write(&path, text.replace("Second. Back", "Secund. Back")).unwrap();
    set_modified();
    assert!(!build(&[]));
    assert!(site.output("posts/second/index.html").contains("Secund"));
    // A new file anywhere in the sources, even one the build does not read.
    site.write("content/posts/.notes", "x");
    assert!(!build(&[]));
    site.remove("content/posts/.notes");
    assert!(!build(&[]));
    assert!(build(&[]));
    // A template.
    site.write("templates/extra.html", "x");
    assert!(!build(&[]));
    assert!(build(&[]));
    // A killed build's folder: the build that removes it builds too.
    site.write(".public.tradetalks-new/index.html", "half a build");
    assert!(!build(&[]));
    assert!(!site.root().join(".public.tradetalks-new").exists());
}

/// The files of a folder by path relative to it, each with its bytes and inode.
#[cfg(unix)]
fn folder_files(dir: &std::path::Path) -> std::collections::BTreeMap<String, (Vec<u8>, u64)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let inode = std::fs::metadata(path).unwrap().ino();
            (relative, (std::fs::read(path).unwrap(), inode))
        })
        .collect()
}

/// After an edit, a build links the pages it would write again (the same page cache key)
/// from the output folder instead of writing them: every file is still what a build without
/// the cache makes, the edited page and the lists that show it are new files, the rest keep
/// their inode; a page changed in the output folder since is written again.
#[cfg(unix)]
#[test]
fn an_edit_build_keeps_the_pages_it_would_write_again_and_only_those() {
    let site = Site::fixture("basic");
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--as-of", "2025-04-20"];
        args.extend_from_slice(extra);
        let run = site.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
    };
    let cold = |site: &Site| {
        let out = site.root().join("cold");
        let run = site.run(&[
            "build",
            "--as-of",
            "2025-04-20",
            "--no-cache",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let files = folder_files(&out);
        std::fs::remove_dir_all(&out).unwrap();
        files
    };
    let same_as_cold = |site: &Site| {
        let built = folder_files(&site.root().join("public"));
        let expected = cold(site);
        let differ: Vec<&String> = built
            .keys()
            .chain(expected.keys())
            .filter(|path| built.get(*path).map(|f| &f.0) != expected.get(*path).map(|f| &f.0))
            .collect();
        assert!(differ.is_empty(), "differ from a cold build: {differ:?}");
        built
    };
    build(&[]);
    let before = same_as_cold(&site);

    let path = site.root().join("content/posts/second.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Second. Back", "Secund. Back")).unwrap();
    build(&[]);
    let after = same_as_cold(&site);
    let kept = |path: &str| after[path].1 == before[path].1;
    assert!(!kept("posts/second/index.html"));
    assert!(
        after["posts/second/index.html"]
            .0
            .windows(6)
            .any(|w| w == b"Secund")
    );
    // Its section lists it, and is written again if that shows the edit (a list page is
    // in the page cache too); a page of another section does not show it.
    let same_bytes = |path: &str| after[path].0 == before[path].0;
    assert_eq!(kept("posts/index.html"), same_bytes("posts/index.html"));
    for page in ["notes/older/index.html", "notes/newer/index.html"] {
        assert!(kept(page), "{page} was written again");
    }
    assert!(!site.root().join(".public.tradetalks-old").exists());

    // The edit undone: the cache has each page as it was before, and the output folder as
    // it is now; the edited pages are written again.
    std::fs::write(&path, &text).unwrap();
    build(&[]);
    let undone = same_as_cold(&site);
    assert!(undone["posts/second/index.html"].1 != after["posts/second/index.html"].1);
    build(&[]);
    std::fs::write(&path, text.replace("Second. Back", "Secund. Back")).unwrap();
    build(&[]);
    let after = same_as_cold(&site);

    // A page rewritten in the output folder in place is not what the build wrote: it is
    // written again, whatever its key.
    let older = site.root().join("public/notes/older/index.html");
    std::fs::write(&older, "tampered").unwrap();
    std::fs::write(&path, text.replace("Second. Back", "Segundo. Back")).unwrap();
    build(&[]);
    let again = same_as_cold(&site);
    assert!(again["notes/newer/index.html"].1 == after["notes/newer/index.html"].1);

    // Another build's output folder holds the same bytes, but not the recorded files: every
    // page is written.
    let public = site.root().join("public");
    let copy = site.root().join("public-copy");
    std::fs::rename(&public, &copy).unwrap();
    std::fs::create_dir(&public).unwrap();
    for (relative, (bytes, _)) in &again {
        let target = public.join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    build(&[]);
    same_as_cold(&site);
    std::fs::remove_dir_all(&copy).unwrap();
}

/// A build whose sources are as the last build left them, into an output folder that is not
/// (removed, replaced by a build without the cache, a page changed, a file removed, a stray
/// file added), puts the last build's files back from the cache without rendering anything:
/// byte for byte what a build makes, files still as recorded linked rather than written. A
/// cache that lost or spoiled any file the record names (a page, a card, a feed) makes the
/// build render them instead; an edited source is built, never restored.
#[cfg(unix)]
#[test]
fn an_output_folder_of_unchanged_sources_is_restored_from_the_cache() {
    const RESTORED: &str = "its output was restored from the build cache";
    let site = Site::fixture("basic");
    let public = site.root().join("public");
    let cache = site.root().join(".tradetalks-cache");
    // Whether the build restored the output folder.
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--as-of", "2025-04-20"];
        args.extend_from_slice(extra);
        let run = site.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stderr.contains(RESTORED)
    };
    type Files = std::collections::BTreeMap<String, Vec<u8>>;
    let bytes = |files: &std::collections::BTreeMap<String, (Vec<u8>, u64)>| -> Files {
        files
            .iter()
            .map(|(path, (bytes, _))| (path.clone(), bytes.clone()))
            .collect()
    };
    // The paths whose bytes differ, so that a failure names them.
    let differ = |got: Files, want: &Files| -> Vec<String> {
        crate::support::files_that_differ(&got, want)
            .into_iter()
            .cloned()
            .collect()
    };
    let none: Vec<String> = Vec::new();
    assert!(!build(&[]));
    let built = folder_files(&public);
    let want = bytes(&built);
    for kind in [
        "social.png",
        "atom.xml",
        "style.css",
        "index.html",
        "robots.txt",
        "bundle/map.txt",
    ] {
        assert!(
            want.keys().any(|path| path.ends_with(kind)),
            "the fixture makes no {kind}: {:?}",
            want.keys()
        );
    }

    std::fs::remove_dir_all(&public).unwrap();
    assert!(build(&[]), "output folder removed");
    assert_eq!(differ(bytes(&folder_files(&public)), &want), none);
    assert!(!build(&[]), "and recorded: nothing to do");
    assert!(!build(&["--no-cache"]));
    assert!(build(&[]), "output folder replaced by another build");
    assert_eq!(differ(bytes(&folder_files(&public)), &want), none);

    // Damage in place: what is still as recorded is linked, the rest written again.
    let before = folder_files(&public);
    std::fs::write(public.join("posts/second/index.html"), "tampered").unwrap();
    std::fs::remove_file(public.join("atom.xml")).unwrap();
    std::fs::write(public.join("stray.txt"), "x").unwrap();
    assert!(build(&[]));
    let after = folder_files(&public);
    assert_eq!(differ(bytes(&after), &want), none);
    assert_eq!(
        after["notes/older/index.html"].1, before["notes/older/index.html"].1,
        "an intact page is linked, not written"
    );

    // Whatever the cache lost, the build makes again: pages, other files, cards.
    for kind in ["pages", "files", "pictures"] {
        for entry in walkdir::WalkDir::new(cache.join(kind)) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                std::fs::write(entry.path(), b"TTCACHE2 truncated").unwrap();
            }
        }
        std::fs::remove_dir_all(&public).unwrap();
        assert!(!build(&[]), "restored without its {kind}");
        assert_eq!(differ(bytes(&folder_files(&public)), &want), none, "{kind}");
        std::fs::remove_dir_all(&public).unwrap();
        assert!(build(&[]), "the build kept its {kind} again");
        assert_eq!(differ(bytes(&folder_files(&public)), &want), none, "{kind}");
    }

    // An edited source is built; its output is then what is restored.
    let path = site.root().join("content/posts/second.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Second. Back", "Secund. Back")).unwrap();
    std::fs::remove_dir_all(&public).unwrap();
    assert!(!build(&[]), "an edited source is not restored");
    let edited = bytes(&folder_files(&public));
    assert_ne!(differ(edited.clone(), &want), none);
    std::fs::remove_dir_all(&public).unwrap();
    assert!(build(&[]));
    assert_eq!(differ(bytes(&folder_files(&public)), &edited), none);
    // Another option or build date: built, not restored.
    assert!(!build(&["--drafts"]));
    assert!(!build(&[]));

    // An edit build links the pages it keeps from the last build's folder, then removes that
    // folder while it keeps its record: what the record holds of the output's files must be
    // what they are after the removal (unlinking a file's other name changes its change
    // time), or a build with nothing changed would find the output changed and restore it.
    let before = folder_files(&public);
    std::fs::write(&path, text.replace("Second. Back", "Second, back")).unwrap();
    assert!(!build(&[]));
    let linked = folder_files(&public);
    let inode = |files: &std::collections::BTreeMap<String, (Vec<u8>, u64)>| {
        files["notes/older/index.html"].1
    };
    assert_eq!(
        inode(&linked),
        inode(&before),
        "an intact page is linked, not written"
    );
    assert!(!build(&[]), "nothing changed, and the output was restored");
    assert_eq!(inode(&folder_files(&public)), inode(&linked));
}

/// A section's list pages are in the page cache like its pages: a build of an unchanged site
/// renders nothing, and an edit renders again only the pages and lists that show the edited
/// page (each build compared with a cold one).
#[test]
fn section_lists_come_from_the_cache_until_a_page_they_list_changes() {
    let site = Site::fixture("explainer");
    let root = site.root().to_path_buf();
    let cache = root.join(".tradetalks-cache");
    compare(&root, &cache, "the first build");
    let (warm, problems) = pipeline::build(&root, &options(Some(&cache)));
    let unchanged = warm
        .unwrap_or_else(|| panic!("the unchanged site fails: {problems:?}"))
        .page_cache;
    assert_eq!(
        unchanged.misses, 0,
        "an unchanged site rendered {} pages again ({} from the cache)",
        unchanged.misses, unchanged.hits
    );
    let page = "content/parties/uruguay.md";
    write(
        &root,
        page,
        &format!("{}\nA sentence more.\n", read(&root, page)),
    );
    let (edited, _) = pipeline::build(&root, &options(Some(&cache)));
    let edited = edited.expect("the edited site builds").page_cache;
    // The page, its two neighbours, and the two lists that show it (its section's, and the
    // home page's, which holds its subsections); not the other pages.
    assert_eq!(
        edited.misses, 5,
        "after an edit of one page: {edited:?}, against {unchanged:?} unchanged"
    );
    assert_eq!(edited.hits + edited.misses, unchanged.hits);
    compare(&root, &cache, "a longer page");
    let (warm, _) = pipeline::build(&root, &options(Some(&cache)));
    assert_eq!(warm.expect("the site builds").page_cache.misses, 0);
}

/// A build into an output folder checks again only the links of pages that changed when what
/// the others link to still holds (`check::LinkTargets`: the same pages with the same ids,
/// and no file gone): a page left as it was still has its links checked when a page it links
/// to loses the heading it names, or goes; an edit that only adds a file (a new word, a new
/// shard of the search index) checks the changed pages alone.
#[test]
fn links_of_pages_left_as_they_were_are_checked_when_what_they_link_to_changes() {
    // Each in a section of its own: the linking page shows nothing of the linked page (as a
    // neighbour, or a page of the home section, would), and is left as it was when only the
    // linked page changes. It also links to the search index's shard of words in `be`, which
    // only the linked page's "beef" makes.
    let site = Site::minimal();
    let rules = |heading: &str, words: &str| {
        site.write(
            "content/trade/rules.md",
            format!("---\ntitle: Rules\n---\n## {heading}\n\n{words} quotas.\n"),
        );
    };
    site.write("content/trade/_index.md", "---\ntitle: Trade\n---\n")
        .write("content/notes/_index.md", "---\ntitle: Notes\n---\n")
        .write(
            "content/notes/linking.md",
            "---\ntitle: Linking\n---\nSee [the rules](/trade/rules/#quotas), [a shard](/search-index/terms-be.json) and [the home page](/).\n",
        );
    rules("Quotas", "Rice and beef");
    let build = || site.run(&["build", "--as-of", "2025-04-20"]);
    // How many pages' links a build checked (`TRADETALKS_TIMINGS` says).
    let checked = || {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"))
            .args(["build", "--as-of", "2025-04-20"])
            .env("TRADETALKS_TIMINGS", "1")
            .current_dir(site.root())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert!(run.status.success(), "{stderr}");
        let line = stderr
            .lines()
            .find_map(|line| line.strip_prefix("timing: link check: the links of "))
            .unwrap_or_else(|| panic!("{stderr}"))
            .to_owned();
        line.split(' ').next().unwrap().parse::<usize>().unwrap()
    };
    let all = checked();
    assert!(all >= 4, "{all} pages checked");
    // A new word in the linked page (and a new shard of the search index): its ids, and
    // every other target, stay as they were; the linking page is left as it was, and its
    // links are not checked again.
    rules("Quotas", "Rice, beef and pork");
    let fewer = checked();
    assert!(fewer < all, "{fewer} of {all} pages checked again");
    let broken = |link: &str| {
        let run = build();
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("broken link: `{link}")),
            "{}",
            run.stderr
        );
    };
    // The heading the unchanged page links to is renamed: its link is broken.
    rules("Tariffs", "Rice, beef and pork");
    broken("/trade/rules/#quotas`: the page has no element with id `quotas`");
    // A file it links to goes (no page does, no id changes).
    rules("Quotas", "Rice, beef and pork");
    assert_eq!(build().code, 0);
    rules("Quotas", "Rice and pork");
    broken("/search-index/terms-be.json` is not part of the site");
    // The linked page goes.
    rules("Quotas", "Rice, beef and pork");
    assert_eq!(build().code, 0);
    site.remove("content/trade/rules.md");
    broken("/trade/rules/#quotas` is not part of the site");
}

/// The stamps of every file of `site`, as a build on the command line takes them (without
/// leaving out the files changed in the last seconds, which it would: a test's files all are).
fn stamps_of(site: &Site) -> tradetalks::source::Stamps {
    let stamps = walkdir::WalkDir::new(site.root())
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(site.root()).unwrap();
            let stamp = tradetalks::source::Stamp::of(&entry.metadata().unwrap());
            (relative.to_string_lossy().into_owned(), stamp)
        })
        .collect();
    tradetalks::source::Stamps::new(stamps)
}

/// A build of a large site (one that lets each page's Markdown go once parsed) does not read
/// a Markdown file whose stamp is the one an earlier build read it with: it takes what that
/// build read from the cache, and reads the text only when a stage needs it. Its
/// site and its diagnostics, one pointing into a file it did not read among them, are a
/// cold build's, in every script; a file whose stamp changed is read again.
#[test]
fn a_large_build_does_not_read_markdown_whose_stamp_it_has_seen() {
    for site in [Site::fixture("multilingual"), Site::fixture("basic")] {
        let cache = tempfile::tempdir().unwrap();
        let large = |cache: Option<&Path>| BuildOptions {
            spill_over: Some(0),
            ..options(cache)
        };
        let markdown = walkdir::WalkDir::new(site.root().join("content"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "md"))
            .count();
        // `unread`: how many files the build did not read, for one that succeeds (one that
        // fails returns no site to count them in: `None`).
        let compare = |what: &str, unread: Option<usize>| {
            let (cold, cold_problems) = pipeline::build(site.root(), &large(None));
            let (warm, warm_problems) = pipeline::build_into(
                site.root(),
                &large(Some(cache.path())),
                None,
                stamps_of(&site),
            );
            assert_eq!(
                format!("{warm_problems:?}"),
                format!("{cold_problems:?}"),
                "{what}"
            );
            let report = format!("{warm_problems:?}");
            let (Some(cold), Some(warm)) = (cold, warm) else {
                assert_eq!(unread, None, "{what}: the build failed");
                return report;
            };
            assert_eq!(Some(warm.markdown_unread), unread, "{what}");
            assert!(warm.bodies_spilled && cold.bodies_spilled, "{what}");
            let (cold, warm) = (built_files(&cold), built_files(&warm));
            let differ = crate::support::files_that_differ(&cold, &warm);
            assert!(differ.is_empty(), "{what}: {differ:?} differ");
            report
        };
        let korean = "content/한국/한국의-입장.md";
        if site.root().join(korean).exists() {
            // Its figure is older than this: a warning at the figure, with its line.
            let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
            site.write(
                "tradetalks.toml",
                config.replace("stale_after_days = 3650", "stale_after_days = 7"),
            );
        }
        compare("the first build", Some(0));
        let report = compare("nothing changed", Some(markdown));
        if site.root().join(korean).exists() {
            assert!(
                report.contains("stale figure") && report.contains("text: \"  value: 25\""),
                "{report}"
            );
        }
        let page = if site.root().join("content/gulf.md").exists() {
            "content/gulf.md"
        } else {
            "content/posts/first.md"
        };
        let text = std::fs::read_to_string(site.root().join(page)).unwrap();
        site.write(
            page,
            format!("{text}\nA sentence added in 日本語 and हिन्दी.\n"),
        );
        compare("a page changed", Some(markdown - 1));
        compare("nothing changed since", Some(markdown));
        // A broken link, in a page the build reads once and then not again: reported at its
        // line, with the line shown, as a cold build reports it.
        site.write(
            page,
            format!("{text}\nThe [old figures](/gone/tables/) moved.\n"),
        );
        compare("a broken link written", None);
        let report = compare("a broken link left", None);
        assert!(
            report.contains("The [old figures](/gone/tables/) moved."),
            "{report}"
        );
    }
}

/// A site's own entries in the cache (its front matter, its search index) are found however
/// its root is spelt: they are named by the folder the file system resolves, not by the path
/// as given.
#[test]
fn a_site_finds_its_own_cache_entries_however_its_root_is_spelt() {
    let site = Site::fixture("explainer");
    let cache = site.root().join(".tradetalks-cache");
    let (first, problems) = pipeline::build(site.root(), &options(Some(&cache)));
    assert!(first.is_some(), "{problems:?}");
    let spelt = site.root().join("content").join("..");
    let (again, problems) = pipeline::build(&spelt, &options(Some(&cache)));
    let again = again.unwrap_or_else(|| panic!("{problems:?}"));
    assert!(
        again.front_matter_cache.misses == 0 && again.front_matter_cache.hits > 0,
        "front matter parsed again: {:?}",
        again.front_matter_cache
    );
    assert!(
        again.search_cache.misses == 0 && again.search_cache.hits > 0,
        "search index made again: {:?}",
        again.search_cache
    );
}
