//! Building fixture sites and the default site, and checking the HTML.

use crate::support::Site;

#[test]
fn basic_site_builds_pages_sections_and_assets() {
    let site = Site::fixture("basic");
    site.build();
    for path in [
        "index.html",
        "posts/index.html",
        "posts/first/index.html",
        "posts/second/index.html",
        "posts/bundle/index.html",
        "posts/bundle/map.txt",
        "notes/index.html",
        "notes/older/index.html",
        "404.html",
        "style.css",
        "syntax.css",
        "robots.txt",
    ] {
        assert!(site.exists(path), "missing {path}");
    }
    insta::assert_snapshot!(
        "basic_first_post_main",
        site.main_html("posts/first/index.html")
    );
}

#[test]
fn internal_links_resolve_to_urls_with_anchors() {
    let site = Site::fixture("basic");
    site.build();
    let home = site.main_html("index.html");
    assert!(home.contains("href=\"/posts/first/#details\""), "{home}");
    assert!(home.contains("href=\"/notes/\""), "{home}");
}

#[test]
fn sections_order_pages_by_weight_or_date() {
    let site = Site::fixture("basic");
    site.build();
    let posts = site.main_html("posts/index.html");
    let order = |html: &str, titles: &[&str]| {
        let positions: Vec<usize> = titles
            .iter()
            .map(|t| html.find(t).unwrap_or_else(|| panic!("{t}")))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{titles:?} out of order in {html}"
        );
    };
    order(&posts, &["First post", "Second post", "A bundle"]);
    let notes = site.main_html("notes/index.html");
    order(&notes, &["Newer note", "Older note", "&lt;script&gt;"]);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::fixture("basic");
    site.build();
    assert!(!site.exists("posts/draft/index.html"));
    assert!(!site.output("posts/index.html").contains("Unfinished draft"));
    let run = site.run(&["build", "--quiet", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.exists("posts/draft/index.html"));
}

/// Previous and next follow the section's order; a draft shown with `--drafts` has neighbours
/// of its own but is skipped by its neighbours' links, first and last pages included.
#[test]
fn previous_and_next_follow_the_section_and_skip_drafts() {
    let site = Site::minimal();
    site.write(
        "content/notes/_index.md",
        "---\ntitle: Notes\nsort_by: weight\n---\n",
    );
    for (weight, name, draft) in [
        (1, "a", true),
        (2, "b", false),
        (3, "c", true),
        (4, "d", false),
        (5, "e", true),
    ] {
        site.write(
            &format!("content/notes/{name}.md"),
            format!("---\ntitle: Note {name}\nweight: {weight}\ndraft: {draft}\n---\nText.\n"),
        );
    }
    let run = site.run(&["build", "--quiet", "--drafts", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let links = |name: &str| {
        let html = site.output(&format!("notes/{name}/index.html"));
        let find = |rel: &str| {
            let at = html.find(&format!("rel=\"{rel}\""))?;
            let text = &html[at..];
            let title = text.find("Note ")?;
            Some(text[title + 5..title + 6].to_owned())
        };
        (find("prev"), find("next"))
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(links("a"), (None, some("b")));
    assert_eq!(links("b"), (None, some("d")));
    assert_eq!(links("c"), (some("b"), some("d")));
    assert_eq!(links("d"), (some("b"), None));
    assert_eq!(links("e"), (some("d"), None));
}

#[test]
fn code_is_highlighted_with_classes_and_both_themes() {
    let site = Site::fixture("basic");
    site.build();
    let page = site.output("posts/first/index.html");
    // `fn` is a keyword: bold purple-red in the light theme, purple in the dark one.
    assert!(page.contains("<pre class=\"code\" tabindex=\"0\" data-lang=\"rust\"><code class=\"language-rust\"><span class=\"hl-a71d5db-b48ead\">fn</span> "), "{page}");
    let css = site.output("syntax.css");
    let (light, dark) = css
        .split_once("@media (prefers-color-scheme: dark)")
        .expect("a dark block");
    assert!(
        light.contains(".code .hl-a71d5db-b48ead{color:#a71d5d;font-weight:bold;"),
        "{css}"
    );
    assert!(
        dark.contains(".code .hl-a71d5db-b48ead{color:#b48ead;font-weight:inherit;"),
        "{css}"
    );
    // Only the looks the site uses get a rule.
    let classes = css.matches(".code .hl-").count();
    assert!(classes < 20, "{css}");
    // Highlighting off: plain escaped code, and no rules.
    let toml = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    std::fs::write(
        site.root().join("tradetalks.toml"),
        format!("{toml}\n[markdown]\nhighlight_code = false\n"),
    )
    .unwrap();
    site.build();
    let page = site.output("posts/first/index.html");
    assert!(
        page.contains("<code class=\"language-rust\">fn main() { println!(&quot;hi&quot;); }"),
        "{page}"
    );
    assert!(!site.output("syntax.css").contains(".code .hl-"));
}

#[test]
fn titles_and_data_are_escaped() {
    let site = Site::fixture("basic");
    site.build();
    let notes = site.output("notes/index.html");
    assert!(
        notes.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; co")
            || notes.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "{notes}"
    );
    assert!(!notes.contains("<script>alert(1)"));
    let page = site.output("notes/undated/index.html");
    assert!(!page.contains("<script>alert(1)"));
}

#[test]
fn templates_read_data_files_with_codes_kept_as_strings() {
    let site = Site::fixture("basic");
    site.build();
    assert!(
        site.output("posts/second/index.html")
            .contains("<p class=\"data\">NO=15;NA=21;</p>")
    );
}

#[test]
fn site_templates_override_built_ins_and_add_new_ones() {
    let site = Site::fixture("overrides");
    site.build();
    let about = site.output("about/index.html");
    assert!(about.contains("<footer>custom base</footer>"), "{about}");
    assert!(about.contains("<p class=\"motto\">Facts with dates</p>"));
    // base_url has a path: links made by templates carry it.
    assert!(about.contains("href=\"/sub/about/\""), "{about}");
    // The built-in section template still works, inside the overridden base.
    assert!(site.output("index.html").contains("custom base"));
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = Site::fixture("basic");
    let run = site.run(&[
        "build",
        "--quiet",
        "--base-url",
        "https://preview.example.net/pr-7/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.output("index.html");
    assert!(
        home.contains("href=\"/pr-7/posts/first/#details\""),
        "{home}"
    );
    // The stylesheet, fingerprinted, under the preview's path.
    assert!(
        home.contains("<link rel=\"stylesheet\" href=\"/pr-7/style."),
        "{home}"
    );
    assert!(home.contains("<link rel=\"canonical\" href=\"https://preview.example.net/pr-7/\">"));
}

#[test]
fn crlf_and_bom_files_build() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "\u{feff}---\r\ntitle: Windows page\r\n---\r\n## A heading\r\n\r\nText.\r\n",
    );
    site.build();
    let page = site.output("page/index.html");
    assert!(page.contains("Windows page"));
    assert!(page.contains("id=\"a-heading\""));
}

#[test]
fn default_site_builds_with_the_seed_figures() {
    let site = Site::default_site();
    site.build();
    let expectations = [
        (
            "countries/japan/index.html",
            ["Ryosei Akazawa", "24%", "341 yen per kg"],
        ),
        (
            "countries/south-korea/index.html",
            ["Choi Sang-mok", "25%", "1.52"],
        ),
        ("countries/india/index.html", ["37.7%", "26%", "5.3%"]),
    ];
    for (path, needles) in expectations {
        let html = site.output(path);
        for needle in needles {
            assert!(html.contains(needle), "{path} lacks {needle}");
        }
        assert!(html.contains("<caption"), "{path} has no table caption");
        assert!(html.contains("scope=\"col\""), "{path} has no header scope");
    }
    let home = site.output("index.html");
    assert!(
        home.contains("10%") && home.contains("26%"),
        "home lacks the key figures"
    );
    assert!(site.exists("about/index.html"));
    insta::assert_snapshot!(
        "default_site_japan_main",
        site.main_html("countries/japan/index.html")
    );
}

#[test]
fn builds_are_byte_identical() {
    let site = Site::default_site();
    let first = site.run(&["build", "--quiet", "--output", "one"]);
    let second = site.run(&["build", "--quiet", "--output", "two"]);
    assert_eq!(
        (first.code, second.code),
        (0, 0),
        "{}{}",
        first.stderr,
        second.stderr
    );
    let one = site.snapshot_output("one");
    assert!(one.len() > 8);
    assert!(one == site.snapshot_output("two"), "two builds differ");
}

#[test]
fn a_rebuild_removes_files_that_are_gone() {
    let site = Site::minimal();
    site.write("content/old.md", "---\ntitle: Old\n---\n")
        .build();
    assert!(site.exists("old/index.html"));
    site.remove("content/old.md").build();
    assert!(!site.exists("old/index.html"));
    let siblings: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tradetalks-") && n != ".tradetalks-cache")
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");
}

#[test]
fn check_reports_success_without_writing() {
    let site = Site::fixture("basic");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Check passed"), "{}", run.stderr);
    assert!(!site.root().join("public").exists());
}

#[test]
fn aliases_become_redirect_pages() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: A page\naliases: [/old/page/, legacy.html]\n---\n",
    )
    .build();
    let redirect = site.output("old/page/index.html");
    assert!(
        redirect
            .contains("<meta http-equiv=\"refresh\" content=\"0; url=https://example.org/page/\">"),
        "{redirect}"
    );
    assert!(redirect.contains("<link rel=\"canonical\" href=\"https://example.org/page/\">"));
    assert!(site.exists("legacy.html"));
}

#[test]
fn deeply_nested_markdown_builds() {
    let site = Site::minimal();
    let body = format!(
        "{}deep quote\n\n{}\n",
        "> ".repeat(50_000),
        "*".repeat(100_000)
    );
    site.write("content/page.md", format!("---\ntitle: Deep\n---\n{body}"))
        .build();
    assert!(site.output("page/index.html").contains("deep quote"));
}

/// Builds `site` as a site with more than `spill_over` bytes of Markdown is built: past it,
/// nothing of a page's Markdown or body stays in memory between the stages that read it.
fn build_spilling_over(
    site: &Site,
    spill_over: usize,
) -> (
    Option<tradetalks::pipeline::BuiltSite>,
    tradetalks::diagnostic::Diagnostics,
) {
    build_spilling_over_with(site, spill_over, None)
}

/// `build_spilling_over` with the build cache in `cache_dir`.
fn build_spilling_over_with(
    site: &Site,
    spill_over: usize,
    cache_dir: Option<std::path::PathBuf>,
) -> (
    Option<tradetalks::pipeline::BuiltSite>,
    tradetalks::diagnostic::Diagnostics,
) {
    let options = tradetalks::pipeline::BuildOptions {
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        spill_over: Some(spill_over),
        cache_dir,
        ..Default::default()
    };
    tradetalks::pipeline::build(site.root(), &options)
}

/// A build of a large site writes page bodies to disk as they render and reads each back when
/// it is needed (its page, `get_page`, the feed, the search index): the site it makes is the
/// one a build that keeps them in memory makes, byte for byte, in every script. With a build
/// cache, a body the cache holds is read back from its entry instead: the first build with
/// a cache puts every body there, the second takes every body from it, and a page the page
/// cache holds needs no body at all.
#[test]
fn bodies_written_to_disk_make_the_same_site() {
    let embedding = Site::fixture("basic");
    embedding.write(
        "templates/section.html",
        "{% extends \"base.html\" %}{% block content %}{% set first = get_page(path=\"posts/first.md\") %}<h1>{{ section.title }}</h1><div class=\"embedded\">{{ first.content }}</div><p>{{ first.toc | length }} headings</p>{% endblock content %}",
    );
    let sites = [
        embedding,
        Site::fixture("explainer"),
        Site::fixture("multilingual"),
        Site::default_site(),
    ];
    for site in &sites {
        let build = |spill_over| {
            let (built, diagnostics) = build_spilling_over(site, spill_over);
            let built = built.unwrap_or_else(|| panic!("{diagnostics:?}"));
            (built.bodies_spilled, crate::support::built_files(&built))
        };
        let (kept_spilled, kept) = build(usize::MAX);
        if let Some(posts) = kept.get("posts/index.html") {
            let posts = String::from_utf8_lossy(posts);
            assert!(posts.contains("<div class=\"embedded\"><"), "{posts}");
        }
        let (spilled, written) = build(0);
        assert!(!kept_spilled && spilled, "{}", site.root().display());
        let cache = tempfile::tempdir().unwrap();
        let cached = |spill_over| {
            let (built, diagnostics) =
                build_spilling_over_with(site, spill_over, Some(cache.path().to_owned()));
            let built = built.unwrap_or_else(|| panic!("{diagnostics:?}"));
            assert!(built.bodies_spilled, "{}", site.root().display());
            (built.body_cache, crate::support::built_files(&built))
        };
        let (stored, cached_first) = cached(0);
        let (taken, cached_again) = cached(0);
        assert_eq!(stored.hits, 0, "{}", site.root().display());
        assert!(taken.hits > 0, "{taken:?}");
        for (how, written) in [
            ("go to disk", &written),
            ("go to the build cache", &cached_first),
            ("come from the build cache", &cached_again),
        ] {
            let differ = crate::support::files_that_differ(&kept, written);
            if let Some(path) = differ.first() {
                let show = |files: &std::collections::BTreeMap<String, Vec<u8>>| {
                    files
                        .get(*path)
                        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                };
                panic!(
                    "{differ:?} differ when bodies {how}; {path}:\n{:?}\n---\n{:?}",
                    show(&kept),
                    show(written)
                );
            }
        }
    }
}

/// A large site lets its Markdown go once bodies are rendered; a broken link found in the
/// finished pages is still reported at its line, with its snippet, as for a small site.
#[test]
fn late_diagnostics_point_into_markdown_a_large_build_let_go() {
    let site = Site::fixture("basic");
    let first = std::fs::read_to_string(site.root().join("content/posts/first.md")).unwrap();
    site.write(
        "content/posts/first.md",
        format!("{first}\nThe [old figures](/gone/tables/) moved.\n"),
    );
    let report = |spill_over| {
        let (built, diagnostics) = build_spilling_over(&site, spill_over);
        assert!(built.is_none());
        format!("{diagnostics:?}")
    };
    let small = report(usize::MAX);
    assert!(
        small.contains("/gone/tables/") && small.contains("first.md"),
        "{small}"
    );
    assert!(
        small.contains("The [old figures](/gone/tables/) moved."),
        "{small}"
    );
    assert_eq!(report(0), small);
}

/// A CSV column the schema types `boolean` reaches templates as booleans, as it reaches
/// tables and fact references: `load_data` reads the rows after the schema typed them.
#[test]
fn load_data_sees_csv_cells_as_the_schema_typed_them() {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n[data.\"deals.csv\"]\nsource = \"Desk notes\"\nas_of = 2025-04-02\n[data.\"deals.csv\".columns]\ncountry = \"string\"\nsigned = \"boolean\"\nrate = \"number\"\n",
    )
    .write("data/deals.csv", "country,signed,rate\nJapan,true,15\nIndia,false,26\n")
    .write(
        "templates/index.html",
        "{% set deals = load_data(path=\"deals.csv\") %}<p id=\"deals\">{% for row in deals.rows %}{{ row.country }}:{% if row.signed == true %}signed{% else %}open{% endif %}:{{ row.rate + 1 }};{% endfor %}</p><p id=\"records\">{{ deals.records[0][1] == true }}|{{ deals.headers | join(sep=\",\") }}</p>",
    );
    site.build();
    let home = site.output("index.html");
    assert!(
        home.contains("<p id=\"deals\">Japan:signed:16;India:open:27;</p>"),
        "{home}"
    );
    assert!(
        home.contains("<p id=\"records\">true|country,signed,rate</p>"),
        "{home}"
    );
}
