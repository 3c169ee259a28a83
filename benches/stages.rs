//! Micro-benchmarks of the build's hot stages, on articles from the benchmark corpus
//! (`scripts/gen-corpus.py`, seed 1): highlighting one code block, rendering one article's
//! Markdown, the search index of a few hundred pages, a whole build of 300 pages, and
//! `serve`'s update after an edit to one of them.
//!
//!     cargo bench --bench stages              # timings (BENCHMARKS.md says how to read them)
//!     cargo test --bench stages               # runs each benchmark once, as `cargo test` does
//!
//! Whole-site timings against Hugo are `scripts/bench.sh`'s job, not this file's.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use tradetalks::markdown::{self, RenderEnv, highlight};
use tradetalks::pipeline::{self, BuildOptions, session};
use tradetalks::publish::search;
use tradetalks::source::SourceFile;

fn main() {
    divan::main();
}

/// A 300-page corpus, generated once per run into a temporary folder.
fn corpus() -> &'static Path {
    static CORPUS: OnceLock<tempfile::TempDir> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-corpus.py");
            let status = std::process::Command::new("python3")
                .arg(script)
                .args(["--pages", "300", "--out"])
                .arg(dir.path().join("site"))
                .stdout(std::process::Stdio::null())
                .status()
                .expect("python3 runs scripts/gen-corpus.py");
            assert!(status.success(), "gen-corpus.py failed");
            dir
        })
        .path()
}

fn site() -> PathBuf {
    corpus().join("site")
}

/// One generated article: its file and where its body starts.
fn article() -> (SourceFile, usize) {
    let path = site().join("content/countries/east-asia/page-00010.md");
    let file =
        SourceFile::read(&tradetalks::source::Tree::disk(site()), &path).expect("the article");
    let body = file
        .text
        .match_indices("\n---\n")
        .next()
        .map_or(0, |(i, _)| i + 5);
    (file, body)
}

fn options() -> BuildOptions {
    BuildOptions {
        include_drafts: false,
        include_future: false,
        base_url: None,
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        progress: false,
        cache_dir: None,
        spill_over: None,
    }
}

fn themes() -> Option<highlight::Themes> {
    highlight::Themes::named("InspiredGitHub", "base16-ocean.dark").ok()
}

/// The article's fenced code block, made unique on each call so that the highlighting cache
/// never answers.
#[divan::bench]
fn highlight_code_block(bencher: divan::Bencher) {
    let (file, _) = article();
    let code: String = file
        .text
        .split("```")
        .nth(1)
        .and_then(|block| block.split_once('\n'))
        .map(|(_, code)| code.to_owned())
        .expect("a fenced block");
    let counter = AtomicUsize::new(0);
    bencher
        .with_inputs(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            format!("{code}{{\"run\": {n}}}\n")
        })
        .bench_refs(|code| highlight::code_block(code, Some("json"), themes()));
}

/// One article's body, code block included (highlighted once, then cached).
#[divan::bench]
fn markdown_article(bencher: divan::Bencher) {
    let (file, body) = article();
    let urls = Default::default();
    let broken = Default::default();
    let env = RenderEnv {
        urls: &urls,
        broken: &broken,
        scheduled: &[],
        smart_punctuation: true,
        slugify: tradetalks::content::slug::SlugMode::Unicode,
        highlight: themes(),
        fallbacks: None,
        images: &tradetalks::images::Catalog::empty(),
        base_path: "/",
    };
    bencher.bench(|| markdown::render(&file, body..file.text.len(), "countries/japan/", &env));
}

/// The search index of 256 copies of the article's text.
#[divan::bench]
fn search_index_256_pages(bencher: divan::Bencher) {
    let (file, body) = article();
    let text = search::html_text(&file.text[body..]);
    bencher.bench(|| {
        search::build(256, |i| search::Document {
            title: "Japan seeks a carve-out",
            url: format!("/countries/page-{i}/"),
            description: None,
            section: "East Asia",
            headings: vec!["Where the talks stand"],
            text: format!("{text} page{i}"),
        })
    });
}

/// A whole build of the 300-page corpus, in memory.
#[divan::bench(sample_count = 10)]
fn build_300_pages() {
    let (site, diagnostics) = pipeline::build(&site(), &options());
    assert!(site.is_some(), "{diagnostics:?}");
}

/// `serve`'s update after one article's text changed (its section's pages, lists, feed).
#[divan::bench(sample_count = 20)]
fn serve_update_after_one_edit(bencher: divan::Bencher) {
    let root = site().canonicalize().expect("the corpus");
    let (session, diagnostics) = session::start(&root, &options());
    let session = Mutex::new(session.unwrap_or_else(|| panic!("{diagnostics:?}")));
    let page = root.join("content/countries/east-asia/page-00010.md");
    let original = std::fs::read_to_string(&page).expect("the article");
    let counter = AtomicUsize::new(0);
    bencher
        .with_inputs(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            std::fs::write(&page, format!("{original}\nEdit number {n}.\n")).expect("write");
        })
        .bench_values(|()| {
            let mut session = session.lock().expect("the session");
            assert!(session.update(std::slice::from_ref(&page)).is_some());
        });
    std::fs::write(&page, original).expect("restore");
}
