//! Any text, anywhere: the multilingual fixture (Japanese, Korean and Hindi pages, an Arabic
//! paragraph, emoji in a title and in table cells, a CSV with a Japanese header row, file and
//! folder names and taxonomy terms in those scripts) builds, links and is found by search.
//! The Nu Html Checker and axe-core run over it in `html.rs` and `browser.rs`.

use tradetalks::publish::search;

use crate::support::Site;

/// What the site's search index finds for `query`: the URLs of the matching pages.
fn search_urls(site: &Site, query: &str) -> Vec<String> {
    let read = |name: &str| {
        std::fs::read_to_string(site.root().join("public/search-index").join(name)).ok()
    };
    search::lookup(read, query)
        .into_iter()
        .filter_map(|id| search::document_url(read, id))
        .collect()
}

fn encoded(path: &str) -> String {
    tradetalks::config::encode_path(path).into_owned()
}

#[test]
fn every_script_builds_into_pages_with_their_own_names() {
    let site = Site::fixture("multilingual");
    site.build();
    for path in [
        "日本の交渉/index.html",
        "한국/index.html",
        "한국/한국의-입장/index.html",
        "भारत/index.html",
        "gulf/index.html",
        "sectors/自動車/index.html",
        "sectors/자동차/index.html",
        "sectors/कृषि/index.html",
    ] {
        assert!(site.exists(path), "missing {path}");
    }
    // Links, the feed and the sitemap carry the names percent-encoded.
    let home = site.output("index.html");
    assert!(
        home.contains(&format!("href=\"/{}\"", encoded("日本の交渉/"))),
        "{home}"
    );
    let korean = encoded("한국/한국의-입장/");
    let japan = site.output("日本の交渉/index.html");
    assert!(
        japan.contains(&format!("href=\"/{korean}#{}\"", encoded("자동차와-철강"))),
        "an @/ link with an anchor in Hangul: {japan}"
    );
    let sitemap = site.output("sitemap.xml");
    assert!(
        sitemap.contains(&format!("<loc>https://example.org/{korean}</loc>")),
        "{sitemap}"
    );
    assert!(!sitemap.contains("한국"), "{sitemap}");
    let feed = site.output("atom.xml");
    assert!(feed.contains(&encoded("भारत/")), "{feed}");
    // The text reaches the pages whole: headings, table cells with emoji, the Arabic paragraph.
    assert!(japan.contains("<h2 id=\"自動車\">自動車"), "{japan}");
    assert!(japan.contains("<td>コメ 🍚</td>"), "{japan}");
    let gulf = site.output("gulf/index.html");
    assert!(gulf.contains("Rice 🌾 and autos 🚗 in the Gulf press"));
    assert!(gulf.contains("<p lang=\"ar\" dir=\"rtl\">فرضت الولايات المتحدة"));
    // A CSV with a Japanese header row and an emoji in a cell, as a table and a chart.
    assert!(
        home.contains("aria-sort=\"descending\">相互関税率 "),
        "{home}"
    );
    assert!(home.contains("韓国 🇰🇷"), "{home}");
    insta::assert_snapshot!(
        "multilingual_japan_main",
        site.main_html("日本の交渉/index.html")
    );
}

#[test]
fn search_finds_words_in_every_script() {
    let site = Site::fixture("multilingual");
    site.build();
    let japan = format!("/{}", encoded("日本の交渉/"));
    let korea = format!("/{}", encoded("한국/한국의-입장/"));
    let india = format!("/{}", encoded("भारत/"));
    for (query, page) in [
        // Japanese has no spaces: words are found inside sentences.
        ("関税", &japan),
        ("交渉", &japan),
        ("自動車", &japan),
        ("赤沢亮正", &japan),
        // Korean words, one syllable ones too.
        ("관세", &korea),
        ("쌀", &korea),
        ("철강", &korea),
        // Hindi words stay whole across the virama and vowel signs.
        ("शुल्क", &india),
        ("किसानों", &india),
        ("स्थिति", &india),
        ("आजीविका", &india),
        ("gulf press", &"/gulf/".to_owned()),
    ] {
        let found = search_urls(&site, query);
        assert!(
            found.contains(page),
            "`{query}` found {found:?}, not {page}"
        );
    }
    // A query typed decomposed (NFD), or with a zero-width character inside a word, finds
    // the page's words all the same.
    let nfd = "\u{110e}\u{1165}\u{11af}\u{1100}\u{1161}\u{11bc}"; // 철강
    assert!(search_urls(&site, nfd).contains(&korea));
    assert!(search_urls(&site, "किसा\u{200b}नों").contains(&india));
}

#[test]
fn build_and_check_agree_on_a_multilingual_site() {
    let site = Site::fixture("multilingual");
    let run = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Whole sites built in memory from any Unicode, through every output.
mod any_text {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use tradetalks::pipeline::{self, BuildOptions, BuiltSite};
    use tradetalks::publish::search;
    use tradetalks::source::Tree;

    /// A word of any script: letters, marks, numbers, symbols (emoji), format characters
    /// (zero-width joiners, bidi controls), private-use characters and spaces other than
    /// ASCII ones, with ASCII letters among them; no ASCII punctuation, which Markdown reads as
    /// syntax.
    const WORD: &str =
        "[\\p{L}\\p{M}\\p{N}\\p{S}\\p{Cf}\\p{Co}\\p{Zs}&&[^\\x00-\\x7F]]{1,6}|[a-zA-Z0-9]{1,6}";

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(WORD, 1..6).prop_map(|words| words.join(" "))
    }

    /// Names that make a URL: letters, marks and numbers of any script.
    fn name() -> impl Strategy<Value = String> {
        "[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}]{0,10}"
    }

    #[derive(Debug, Clone)]
    struct Page {
        file: String,
        title: String,
        heading: String,
        paragraph: String,
        items: [String; 2],
        cells: [String; 2],
        data_cell: String,
        term: String,
    }

    fn page() -> impl Strategy<Value = Page> {
        (
            name(),
            text(),
            text(),
            text(),
            [text(), text()],
            [text(), text()],
            text(),
            name(),
        )
            .prop_map(
                |(file, title, heading, paragraph, items, cells, data_cell, term)| Page {
                    file,
                    title,
                    heading,
                    paragraph,
                    items,
                    cells,
                    data_cell,
                    term,
                },
            )
    }

    fn quoted(text: &str) -> String {
        serde_json::to_string(text).unwrap()
    }

    fn build(page: &Page) -> (Option<BuiltSite>, tradetalks::diagnostic::Diagnostics) {
        build_with(page, None)
    }

    /// `build`, with `spill_over` bytes past which the build keeps no Markdown or body in
    /// memory (`Some(0)`: always).
    fn build_with(
        page: &Page,
        spill_over: Option<usize>,
    ) -> (Option<BuiltSite>, tradetalks::diagnostic::Diagnostics) {
        let markdown = format!(
            "---\ntitle: {title}\ntags: [{term}]\n---\n## {heading}\n\n{paragraph}\n\n- {item0}\n- {item1}\n\n| {cell0} | {cell1} |\n|---|---|\n| {cell1} | {cell0} |\n\n{{{{ table(data=\"d.csv\", caption=\"Data\") }}}}\n",
            title = quoted(&page.title),
            term = quoted(&page.term),
            heading = page.heading,
            paragraph = page.paragraph,
            item0 = page.items[0],
            item1 = page.items[1],
            cell0 = page.cells[0],
            cell1 = page.cells[1],
        );
        // A second row of words keeps the column text, so the cell is shown as written even
        // when it reads as a number (`1000` would be shown `1,000`).
        let csv = format!("name,value\n\"{}\",1\nOther,2\n", page.data_cell);
        let tree = Tree::memory([
            (
                "tradetalks.toml".to_owned(),
                "title = \"Any text\"\nbase_url = \"https://example.org/\"\n[[taxonomies]]\nname = \"tags\"\n"
                    .as_bytes()
                    .to_vec(),
            ),
            (
                "content/_index.md".to_owned(),
                b"---\ntitle: Home\n---\nHome.\n".to_vec(),
            ),
            (format!("content/{}.md", page.file), markdown.into_bytes()),
            ("data/d.csv".to_owned(), csv.into_bytes()),
        ]);
        let options = BuildOptions {
            as_of: Some("2025-04-20".parse().unwrap()),
            spill_over,
            ..BuildOptions::default()
        };
        pipeline::build_tree(&tree, &options)
    }

    fn html_escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    fn file(site: &BuiltSite, path: &str) -> String {
        let bytes = site
            .file(path)
            .unwrap_or_else(|| panic!("no {path} among {:?}", site.files.keys()));
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn any_text_builds_reaches_the_html_intact_and_is_found(page in page()) {
            let (site, diagnostics) = build(&page);
            let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            prop_assert!(
                !messages.iter().any(|m| m.starts_with("internal error")),
                "{messages:?}"
            );
            let unique: BTreeSet<String> = diagnostics
                .iter()
                .map(|d| format!("{}{:?}", d.message, d.position()))
                .collect();
            prop_assert_eq!(unique.len(), diagnostics.iter().count(), "an error reported twice");
            // A build that lets its Markdown and bodies go (a large site's) reads them again
            // and makes the same site, with the same diagnostics, whatever the text.
            let (lean, lean_diagnostics) = build_with(&page, Some(0));
            prop_assert_eq!(format!("{lean_diagnostics:?}"), format!("{diagnostics:?}"));
            prop_assert_eq!(
                lean.as_ref().map(crate::support::built_files),
                site.as_ref().map(crate::support::built_files)
            );
            let Some(site) = site else {
                prop_assert!(diagnostics.has_errors(), "no site and no error");
                return Ok(());
            };
            let slug = tradetalks::content::slug::slugify(
                &page.file,
                tradetalks::content::slug::SlugMode::Unicode,
            );
            let html = file(&site, &format!("{slug}/index.html"));
            for text in [
                &page.title,
                &page.heading,
                &page.paragraph,
                &page.items[0],
                &page.items[1],
                &page.cells[0],
                &page.cells[1],
                &page.data_cell,
                &page.term,
            ] {
                prop_assert!(html.contains(&html_escaped(text)), "{text:?} is not in the page");
            }
            let term = tradetalks::content::slug::segment(
                &page.term,
                tradetalks::content::slug::SlugMode::Unicode,
            );
            let term_page = file(&site, &format!("tags/{term}/index.html"));
            prop_assert!(term_page.contains(&html_escaped(&page.term)), "the term page lacks its name");
            let sitemap = file(&site, "sitemap.xml");
            let encoded_slug = tradetalks::config::encode_path(&slug).into_owned();
            prop_assert!(sitemap.contains(&encoded_slug), "the sitemap lacks the page");
            // Search finds every word of the page's text that makes a search term.
            let read = |name: &str| {
                site.file(&format!("search-index/{name}"))
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            };
            let url = format!("/{}/", tradetalks::config::encode_path(&slug));
            for text in [&page.title, &page.heading, &page.paragraph, &page.items[0], &page.cells[1]] {
                for word in tradetalks::text::words(text) {
                    if search::tokens(&word.text).next().is_none() {
                        continue; // one Latin letter, or a stop word: never a term
                    }
                    let found: Vec<String> = search::lookup(read, &word.text)
                        .into_iter()
                        .filter_map(|id| search::document_url(read, id))
                        .collect();
                    prop_assert!(found.contains(&url), "{:?} found {found:?}, not {url}", word.text);
                }
            }
        }
    }
}
