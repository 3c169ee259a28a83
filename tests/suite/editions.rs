//! Editions: a site in English with Japanese, Korean (under `/kr/`) and Hindi translations
//! beside their sources. URLs, `<html lang dir>`, hreflang alternates (reciprocal, with
//! `x-default`), the language switcher, `@/` links that stay in the edition or fall back,
//! each edition's feed, search index and taxonomy pages, one sitemap with alternates, and the
//! mistakes that would otherwise publish silently.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::Site;

fn built() -> Site {
    let site = Site::fixture("editions");
    site.build();
    site
}

/// Adds `text` (tables) at the end of the site's `tradetalks.toml`.
fn add_to_config(site: &Site, text: &str) {
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write("tradetalks.toml", format!("{config}\n{text}"));
}

/// The fixture's Japan page in French (a language with no built-in messages).
const FRENCH_JAPAN: &str = "---\ntitle: \"Japon\"\ndate: 2025-04-18\ncountry: \"Japon\"\nrate: { data: \"rates.csv\", row: \"JP\", column: \"rate\" }\n---\nLe Japon négocie.\n";
const FRENCH_TABLE: &str = "[languages.fr]\nname = \"Français\"\ntitle = \"Négociations\"\n";

/// `(hreflang, href)` of every `<link rel="alternate" hreflang>` in a page.
fn alternates(html: &str) -> BTreeSet<(String, String)> {
    html.lines()
        .filter(|line| line.starts_with("<link rel=\"alternate\" hreflang="))
        .map(|line| {
            let attr = |name: &str| {
                let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let end = start + line[start..].find('"').unwrap();
                line[start..end].to_owned()
            };
            (attr("hreflang"), attr("href"))
        })
        .collect()
}

#[test]
fn every_edition_has_its_pages_under_its_path() {
    let site = built();
    for path in [
        "index.html",
        "countries/japan/index.html",
        "countries/india/index.html",
        "ja/index.html",
        "ja/countries/index.html",
        "ja/countries/japan/index.html",
        "ja/countries/india/index.html",
        "kr/index.html",
        "kr/countries/japan/index.html",
        "hi/countries/india/index.html",
        "ja/sectors/autos/index.html",
        "ja/search/index.html",
        "kr/404.html",
    ] {
        assert!(site.exists(path), "missing {path}");
    }
    // India has no Korean translation, and nothing is published twice.
    assert!(!site.exists("kr/countries/india/index.html"));
    assert!(!site.exists("ko/index.html"));
    assert!(!site.exists("countries/japan.ja/index.html"));
    // The Korean countries section has no `_index.ko.md`: it takes the English title.
    let kr_section = site.output("kr/countries/index.html");
    assert!(kr_section.contains("Countries"), "{kr_section}");
    assert!(kr_section.contains("/kr/countries/japan/"));
}

#[test]
fn pages_say_their_language_and_direction() {
    let site = built();
    assert!(
        site.output("index.html")
            .contains("<html lang=\"en\" dir=\"ltr\">")
    );
    assert!(
        site.output("ja/countries/japan/index.html")
            .contains("<html lang=\"ja\" dir=\"ltr\">")
    );
    assert!(
        site.output("kr/index.html")
            .contains("<html lang=\"ko\" dir=\"ltr\">")
    );
    let hindi = site.output("hi/countries/india/index.html");
    assert!(hindi.contains("<html lang=\"hi\" dir=\"ltr\">"));
    assert!(
        hindi.contains("<title>भारत"),
        "the page title is the translation's"
    );
}

#[test]
fn hreflang_alternates_are_reciprocal_with_x_default() {
    let site = built();
    let pages: BTreeMap<&str, &str> = [
        (
            "https://example.org/countries/japan/",
            "countries/japan/index.html",
        ),
        (
            "https://example.org/ja/countries/japan/",
            "ja/countries/japan/index.html",
        ),
        (
            "https://example.org/kr/countries/japan/",
            "kr/countries/japan/index.html",
        ),
        (
            "https://example.org/hi/countries/japan/",
            "hi/countries/japan/index.html",
        ),
    ]
    .into_iter()
    .collect();
    let expected: BTreeSet<(String, String)> = [
        ("en", "https://example.org/countries/japan/"),
        ("ja", "https://example.org/ja/countries/japan/"),
        ("ko", "https://example.org/kr/countries/japan/"),
        ("hi", "https://example.org/hi/countries/japan/"),
        ("x-default", "https://example.org/countries/japan/"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    for (url, file) in &pages {
        let found = alternates(&site.output(file));
        assert_eq!(found, expected, "alternates of {url}");
    }
    // India: three editions, each naming the same three.
    let india: Vec<BTreeSet<(String, String)>> = [
        "countries/india/index.html",
        "ja/countries/india/index.html",
        "hi/countries/india/index.html",
    ]
    .iter()
    .map(|f| alternates(&site.output(f)))
    .collect();
    assert_eq!(india[0].len(), 4, "{:?}", india[0]);
    assert!(india.iter().all(|a| *a == india[0]));
    assert!(!india[0].iter().any(|(lang, _)| lang == "ko"));
}

#[test]
fn the_switcher_links_to_the_translation_or_marks_the_home() {
    let site = built();
    let page = site.output("hi/countries/india/index.html");
    let nav_start = page
        .find("<nav class=\"languages\"")
        .expect("a language switcher");
    let nav = &page[nav_start..nav_start + page[nav_start..].find("</nav>").unwrap()];
    assert!(
        nav.contains(
            "<a href=\"/countries/india/\" hreflang=\"en\" lang=\"en\" dir=\"ltr\">English</a>"
        ),
        "{nav}"
    );
    assert!(
        nav.contains("<a href=\"/ja/countries/india/\" hreflang=\"ja\""),
        "{nav}"
    );
    // No Korean India: the switcher leads to the Korean home, marked as such.
    assert!(nav.contains("<a href=\"/kr/\" hreflang=\"ko\" lang=\"ko\" dir=\"ltr\" class=\"untranslated\" aria-label=\"한국어 ("), "{nav}");
    assert!(nav.contains("aria-current=\"page\">हिन्दी</a>"), "{nav}");
    // A site in one language has no switcher and no alternates.
    let single = Site::fixture("basic");
    single.build();
    let html = single.output("index.html");
    assert!(!html.contains("class=\"languages\""));
    assert!(!html.contains("hreflang"));
}

#[test]
fn links_stay_in_the_edition_and_fall_back_to_the_source() {
    let site = built();
    let ja = site.main_html("ja/index.html");
    assert!(ja.contains("href=\"/ja/countries/japan/\""), "{ja}");
    assert!(ja.contains("href=\"/ja/countries/india/\""), "{ja}");
    let kr = site.main_html("kr/index.html");
    assert!(kr.contains("href=\"/kr/countries/japan/\""), "{kr}");
    // No Korean India page: the link leads to the English one, and says so.
    assert!(
        kr.contains("<a href=\"/countries/india/\" hreflang=\"en\">인도</a>"),
        "{kr}"
    );
    assert!(!ja.contains("hreflang"), "{ja}");
    // Shared files stay at the root for every edition.
    let head = site.output("kr/countries/japan/index.html");
    assert!(
        head.contains("<link rel=\"stylesheet\" href=\"/style."),
        "{head}"
    );
    assert!(head.contains("href=\"/kr/atom.xml\""), "{head}");
}

#[test]
fn each_edition_has_its_feed_search_and_taxonomies_and_one_sitemap_lists_them() {
    let site = built();
    let ja_feed = site.output("ja/atom.xml");
    assert!(ja_feed.contains("<link href=\"https://example.org/ja/atom.xml\" rel=\"self\""));
    assert!(ja_feed.contains("https://example.org/ja/countries/japan/"));
    assert!(!ja_feed.contains("https://example.org/countries/japan/\""));
    let en_feed = site.output("atom.xml");
    assert!(!en_feed.contains("/ja/"), "{en_feed}");
    // Each edition's search index holds its own words.
    let words = |dir: &str| {
        std::fs::read_dir(site.root().join("public").join(dir))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<String>()
    };
    let hindi = words("hi/search-index");
    assert!(hindi.contains("किसान"), "Hindi search index");
    assert!(!words("search-index").contains("किसान"));
    assert!(
        site.output("ja/sectors/autos/index.html")
            .contains("/ja/countries/japan/")
    );
    assert!(!site.exists("ja/sitemap.xml") && !site.exists("ja/robots.txt"));
    let sitemap = site.output("sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    // The Korean Japan page lists every translation, itself included, and x-default.
    let entry_start = sitemap
        .find("<url><loc>https://example.org/kr/countries/japan/</loc>")
        .expect("the Korean page in the sitemap");
    let entry = &sitemap[entry_start..entry_start + sitemap[entry_start..].find("</url>").unwrap()];
    for (lang, url) in [
        ("en", "https://example.org/countries/japan/"),
        ("ja", "https://example.org/ja/countries/japan/"),
        ("ko", "https://example.org/kr/countries/japan/"),
        ("hi", "https://example.org/hi/countries/japan/"),
        ("x-default", "https://example.org/countries/japan/"),
    ] {
        assert!(
            entry.contains(&format!("hreflang=\"{lang}\" href=\"{url}\"")),
            "{lang} in {entry}"
        );
    }
}

#[test]
fn a_french_edition_of_one_page_takes_one_file_and_one_table() {
    let site = Site::fixture("editions");
    site.write("content/countries/japan.fr.md", FRENCH_JAPAN);
    // Without its table, the translation would publish as a page `japan.fr`: an error.
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("`content/countries/japan.fr.md` looks like a translation of `japan.md` into `fr`, but the site has no `[languages.fr]`"),
        "{}",
        run.stderr
    );
    add_to_config(&site, FRENCH_TABLE);
    site.build();
    let page = site.output("fr/countries/japan/index.html");
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"));
    assert!(
        page.contains("24"),
        "the figure comes from the shared data file"
    );
    assert!(
        alternates(&site.output("countries/japan/index.html")).contains(&(
            "fr".to_owned(),
            "https://example.org/fr/countries/japan/".to_owned()
        ))
    );
}

#[test]
fn language_tables_are_checked() {
    let site = Site::fixture("editions");
    add_to_config(
        &site,
        "[languages.Japanese]\ntitle = \"x\"\n\n[languages.ar]\ntitle = \"x\"\ndirection = \"sideways\"\n\n[languages.de]\ntitle = \"y\"\npath = \"/ja/\"\n",
    );
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`[languages.Japanese]`: `Japanese` is not a language tag"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "`direction` of `[languages.ar]` is `\"ltr\"` or `\"rtl\"`, found `sideways`"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`[languages.ja]` and `[languages.de]` both live under `/ja/`")
            || run
                .stderr
                .contains("`[languages.de]` and `[languages.ja]` both live under `/ja/`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> tradetalks.toml:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_right_to_left_edition_says_so() {
    let site = Site::fixture("editions");
    add_to_config(
        &site,
        "[languages.ar]\nname = \"العربية\"\ntitle = \"محادثات التعريفات\"\n",
    );
    site.write(
        "content/countries/japan.ar.md",
        "---\ntitle: \"اليابان\"\ndate: 2025-04-18\ncountry: \"اليابان\"\nrate: { data: \"rates.csv\", row: \"JP\", column: \"rate\" }\n---\nتتفاوض اليابان.\n",
    );
    site.build();
    let page = site.output("ar/countries/japan/index.html");
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
    assert!(
        site.output("countries/japan/index.html")
            .contains("lang=\"ar\" dir=\"rtl\">العربية</a>")
    );
}

#[test]
fn interface_words_and_dates_are_in_each_edition_s_language() {
    let site = built();
    let ja = site.output("ja/countries/japan/index.html");
    assert!(
        ja.contains("<time datetime=\"2025-04-18\">2025年4月18日</time>公開"),
        "{ja}"
    );
    assert!(ja.contains(">本文へスキップ</a>"));
    let ko = site.output("kr/countries/japan/index.html");
    assert!(ko.contains("2025년 4월 18일"), "{ko}");
    let hi = site.output("hi/countries/india/index.html");
    assert!(
        hi.contains("प्रकाशित: <time datetime=\"2025-04-17\">17 अप्रैल, 2025</time>"),
        "{hi}"
    );
    // Generated pages' titles and descriptions too.
    let not_found = site.output("ja/404.html");
    assert!(
        not_found.contains("<title>ページが見つかりません"),
        "{not_found}"
    );
    let sectors = site.output("ja/sectors/index.html");
    assert!(!sectors.contains("used on this site"), "{sectors}");
    let en = site.output("countries/japan/index.html");
    assert!(en.contains("Published <time datetime=\"2025-04-18\">18 April 2025</time>"));
    assert!(site.output("404.html").contains("<title>Page not found"));
    assert!(en.contains(">Skip to the content</a>"));
}

#[test]
fn a_site_overrides_and_adds_messages() {
    let site = Site::fixture("editions");
    site.write(
        "messages/ja.ftl",
        "contents = 目次\nskip-link = 本文へ\nmy-note = 編集部より\n",
    );
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"mine\">{{ t(key=\"my-note\") }}</p>{{ page.content }}{% endblock content %}",
    );
    site.write("messages/en.ftl", "my-note = From the desk\n");
    site.write("messages/ko.ftl", "my-note = 편집자\n");
    site.write("messages/hi.ftl", "my-note = संपादक\n");
    site.build();
    assert!(
        site.output("ja/countries/japan/index.html")
            .contains(">本文へ</a>")
    );
    assert!(
        site.output("ja/countries/japan/index.html")
            .contains("<p class=\"mine\">編集部より</p>")
    );
    assert!(
        site.output("countries/japan/index.html")
            .contains("<p class=\"mine\">From the desk</p>")
    );
    // Keys the site does not override keep the built-in words.
    assert!(
        site.output("kr/countries/japan/index.html")
            .contains(">본문 바로가기</a>")
    );
}

#[test]
fn a_missing_message_stops_the_build_naming_key_and_language() {
    let site = Site::fixture("editions");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>{{ t(key=\"desk-note\") }}</p>{% endblock content %}",
    );
    site.write("messages/en.ftl", "desk-note = From the desk\n");
    site.write("messages/ja.ftl", "desk-note = 編集部より\n");
    site.write("messages/ko.ftl", "desk-note = 편집자\n");
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: no message `desk-note` in `hi`: the `hi` edition would show nothing here"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> templates/page.html:1:"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("no message `desk-note`").count(),
        1,
        "{}",
        run.stderr
    );
    // A syntax error in a message file is reported at its line.
    site.write(
        "messages/hi.ftl",
        "desk-note = संपादक\nbroken line without equals\n",
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("this message file has a syntax error"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> messages/hi.ftl:2:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_language_without_messages_speaks_the_default_s_and_says_so() {
    let site = Site::fixture("editions");
    add_to_config(&site, FRENCH_TABLE);
    site.write("content/countries/japan.fr.md", FRENCH_JAPAN);
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the `fr` edition has no message file"),
        "{}",
        run.stderr
    );
    // French dates come from CLDR even so.
    assert!(
        site.output("fr/countries/japan/index.html")
            .contains("18 avril 2025")
    );
    let strict = site.run(&["build", "--quiet", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(strict.code, 1);
    // A partial French file: one error listing what it lacks.
    site.write("messages/fr.ftl", "skip-link = Aller au contenu\n");
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the `fr` edition has no message for"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("error:").count(), 2, "{}", run.stderr);
}

#[test]
fn check_lists_each_edition_s_missing_and_outdated_translations() {
    let site = Site::fixture("editions");
    // The Japan page was translated (into every language) before its source's last update.
    let source = std::fs::read_to_string(site.root().join("content/countries/japan.md")).unwrap();
    site.write(
        "content/countries/japan.md",
        source.replace(
            "date: 2025-04-18\n",
            "date: 2025-04-18\nupdated: 2025-04-19\n",
        ),
    );
    let run = site.run(&["check", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Translations:\n  hi (हिन्दी): 3 of 4 pages and sections translated, 1 older than their source\n    not translated: countries/_index.md\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "  ja (日本語): 4 of 4 pages and sections translated, 1 older than their source\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  ko (한국어): 2 of 4 pages and sections translated, 1 older than their source\n    not translated: countries/_index.md, countries/india.md\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: this translation is older than its source: `content/countries/japan.md` was updated on 2025-04-19 (the translation's is 2025-04-18)\n--> content/countries/japan.ja.md"),
        "{}",
        run.stderr
    );
    let strict = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    // The translations brought up to date.
    for lang in ["ja", "ko", "hi"] {
        let path = format!("content/countries/japan.{lang}.md");
        let text = std::fs::read_to_string(site.root().join(&path)).unwrap();
        site.write(
            &path,
            text.replace(
                "date: 2025-04-18\n",
                "date: 2025-04-18\nupdated: 2025-04-20\n",
            ),
        );
    }
    let strict = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(strict.code, 0, "{}", strict.stderr);
}

#[test]
fn a_comparison_in_an_edition_lists_every_page_translated_or_not() {
    let site = Site::fixture("editions");
    site.write(
        "content/_index.ko.md",
        "---\ntitle: \"관세 협상\"\n---\n{{ compare(section=\"countries\", fields=[\"rate\"], labels=[\"상호관세\"], header=\"country\", caption=\"세 나라 비교\") }}\n",
    );
    site.build();
    let kr = site.main_html("kr/index.html");
    // Japan in its Korean translation, India (untranslated) from the English edition.
    assert!(
        kr.contains("<a href=\"/kr/countries/japan/\">일본</a>"),
        "{kr}"
    );
    assert!(
        kr.contains("<a href=\"/countries/india/\">India</a>"),
        "{kr}"
    );
}

#[test]
fn schema_labels_are_written_per_language() {
    let site = Site::fixture("editions");
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        config.replace(
            "rate = { type = \"figure\", label = \"Reciprocal tariff\" }",
            "rate = { type = \"figure\", label = { en = \"Reciprocal tariff\", ja = \"相互関税\", hi = \"पारस्परिक शुल्क\" } }",
        ),
    );
    site.build();
    assert!(
        site.output("ja/countries/japan/index.html")
            .contains(">相互関税<")
    );
    assert!(
        site.output("hi/countries/japan/index.html")
            .contains(">पारस्परिक शुल्क<")
    );
    // No Korean label: the default language's.
    assert!(
        site.output("kr/countries/japan/index.html")
            .contains(">Reciprocal tariff<")
    );
    assert!(
        site.output("countries/japan/index.html")
            .contains(">Reciprocal tariff<")
    );
    // The default language's text is required.
    site.write(
        "tradetalks.toml",
        config.replace(
            "rate = { type = \"figure\", label = \"Reciprocal tariff\" }",
            "rate = { type = \"figure\", label = { ja = \"相互関税\" } }",
        ),
    );
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("`label` of the schema field `rate` of `countries` has no `en` text, the site's default language"),
        "{}",
        run.stderr
    );
}

#[test]
fn two_editions_making_the_same_url_is_an_error() {
    let site = Site::fixture("editions");
    // A folder of the default edition named like the Japanese edition's path.
    site.write(
        "content/ja/countries/japan.md",
        "---\ntitle: \"Japan again\"\n---\nText.\n",
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("two editions make the same URL `/ja/countries/japan/`: `content/ja/countries/japan.md` and `content/countries/japan.ja.md`"),
        "{}",
        run.stderr
    );
}

#[test]
fn numbers_and_chart_words_are_in_each_edition_s_language() {
    let site = built();
    let en = site.main_html("countries/india/index.html");
    let hi = site.main_html("hi/countries/india/index.html");
    let ja = site.main_html("ja/countries/japan/index.html");
    // The key facts: one figure, typed once in the source, grouped as each language does.
    assert!(en.contains("US$129,200 million"), "{en}");
    assert!(hi.contains("US$1,29,200 million"), "{hi}");
    assert!(ja.contains("US$227,900 million"), "{ja}");
    // The chart: its description, axis and table in the edition's words and numbers, its
    // labels from the data file's schema written per language.
    assert!(
        en.contains("Horizontal bar chart of Goods trade by country, 3 rows. Highest: JP at US$227,900 million; lowest: IN at US$129,200 million. The same figures follow as a table."),
        "{en}"
    );
    assert!(
        hi.contains("देश के अनुसार वस्तु व्यापार का क्षैतिज बार चार्ट, 3 पंक्तियाँ। सबसे अधिक: JP, US$2,27,900 million; सबसे कम: IN, US$1,29,200 million। यही आंकड़े आगे तालिका में दिए गए हैं।"),
        "{hi}"
    );
    assert!(
        hi.contains("<td>1,29,200</td>") || hi.contains(">1,29,200<"),
        "{hi}"
    );
    assert!(!hi.contains("129,200"), "{hi}");
    assert!(!hi.contains("Horizontal bar chart"), "{hi}");
    // English axis ticks abbreviate; Hindi ones are whole numbers grouped its way.
    assert!(en.contains(">200k<"), "{en}");
    assert!(hi.contains(">2,00,000<"), "{hi}");
}

#[test]
fn a_translation_takes_the_figures_it_does_not_write_from_its_source() {
    let site = built();
    // `india.ja.md` writes no `rate`: the English page's is shown, resolved from the data.
    let ja = site.main_html("ja/countries/india/index.html");
    assert!(ja.contains("26%"), "{ja}");
    assert!(ja.contains("Executive Order 14257"), "{ja}");
    // A required field missing from the source too is one mistake, said once, at the source;
    // and links to a page that failed to load are not reported as broken in any edition.
    let source = std::fs::read_to_string(site.root().join("content/countries/japan.md")).unwrap();
    site.write(
        "content/countries/japan.md",
        source.replace(
            "trade: { data: \"trade.csv\", row: \"JP\", column: \"goods\" }\n",
            "",
        ),
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(
        errors,
        [
            "error: missing required field `trade` (figure)",
            "error: build failed: 1 error, 0 warnings; the output folder was left as it was"
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/countries/japan.md:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn data_titles_and_labels_are_checked_when_written_per_language() {
    let site = Site::fixture("editions");
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        config.replace(
            "label = { en = \"Goods trade\", hi = ",
            "label = { english = \"Goods trade\", hi = ",
        ),
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: column `goods` of `trade.csv`: `label` must be text, or a table of texts by language tag (`{ en = \"...\", ja = \"...\" }`); `english` is not"),
        "{}",
        run.stderr
    );
    site.write(
        "tradetalks.toml",
        config.replace(
            "title = { en = \"Goods trade with the United States, 2024\", ",
            "title = { ",
        ),
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: `title` of data file `trade.csv` has no `en` text, the site's default language"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn taxonomy_terms_are_named_in_each_language_at_one_url() {
    let site = built();
    let ja = site.output("ja/sectors/autos/index.html");
    assert!(
        ja.contains("<title>分野：自動車 · 関税交渉</title>"),
        "{ja}"
    );
    assert!(ja.contains("<h1>自動車</h1>"), "{ja}");
    // The term page in every edition that uses the term, each pointing at the others.
    for (language, path) in [
        ("en", "sectors/autos/"),
        ("ja", "ja/sectors/autos/"),
        ("ko", "kr/sectors/autos/"),
        ("hi", "hi/sectors/autos/"),
    ] {
        assert!(
            ja.contains(&format!(
                "<link rel=\"alternate\" hreflang=\"{language}\" href=\"https://example.org/{path}\">"
            )),
            "{language}: {ja}"
        );
        let other = site.output(&format!("{path}index.html"));
        assert_eq!(alternates(&other), alternates(&ja), "{path}");
    }
    // The taxonomy's own page and the page's term links.
    let list = site.output("hi/sectors/index.html");
    assert!(list.contains("<h1>क्षेत्र</h1>"), "{list}");
    assert!(list.contains(">वाहन उद्योग</a>"), "{list}");
    let india = site.main_html("hi/countries/india/index.html");
    assert!(
        india.contains("href=\"/hi/sectors/agriculture/\">कृषि</a>"),
        "{india}"
    );
    // `india.ja.md` lists no sectors: it takes its source's, named in Japanese.
    let farming = site.output("ja/sectors/agriculture/index.html");
    assert!(farming.contains("<h1>農業</h1>"), "{farming}");
    assert!(farming.contains("/ja/countries/india/"), "{farming}");
    assert!(
        site.output("kr/sectors/autos/index.html")
            .contains("<h1>자동차</h1>")
    );
    // A term an edition has no name for keeps the name pages write.
    assert!(
        site.output("sectors/autos/index.html")
            .contains("<h1>Autos</h1>")
    );
    let sitemap = site.output("sitemap.xml");
    assert!(
        sitemap.contains("<xhtml:link rel=\"alternate\" hreflang=\"ja\" href=\"https://example.org/ja/sectors/autos/\"/>"),
        "{sitemap}"
    );
}

#[test]
fn a_term_named_in_a_language_without_an_edition_is_said_once() {
    let site = Site::fixture("editions");
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        config
            .replace(
                "Agriculture = { ja = \"農業\"",
                "Agriculture = { jp = \"農業\"",
            )
            .replace("Autos = { ja = \"自動車\"", "Autos = { jp = \"自動車\""),
    );
    let run = site.run(&["build", "--quiet", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: the taxonomy `sectors` names `Agriculture`, `Autos` in `jp`, a language the site has no edition in: no page shows them"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr
            .matches("a language the site has no edition in")
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: the site's languages are en, hi, ja, ko; add `[languages.jp]` for an edition in it"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_translation_records_the_version_of_its_source_it_follows() {
    let site = Site::fixture("editions");
    let source = std::fs::read_to_string(site.root().join("content/countries/japan.md")).unwrap();
    site.write(
        "content/countries/japan.md",
        source.replace(
            "date: 2025-04-18\n",
            "date: 2025-04-18\nupdated: 2025-04-19\n",
        ),
    );
    let run = site.run(&["check", "--as-of", "2025-04-20"]);
    // The warning by dates gives the source's version to record.
    let version = run
        .stderr
        .split("`translated_from: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{}", run.stderr))
        .to_owned();
    assert_eq!(version.len(), 12, "{version}");
    // Recorded, it decides: the Japanese translation follows the source, dates or not.
    let japanese =
        std::fs::read_to_string(site.root().join("content/countries/japan.ja.md")).unwrap();
    site.write(
        "content/countries/japan.ja.md",
        japanese.replace(
            "date: 2025-04-18\n",
            &format!("date: 2025-04-18\ntranslated_from: \"{version}\"\n"),
        ),
    );
    let run = site.run(&["check", "--as-of", "2025-04-20"]);
    assert!(
        run.stderr
            .contains("  ja (日本語): 4 of 4 pages and sections translated\n"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("--> content/countries/japan.ja.md"),
        "{}",
        run.stderr
    );
    // The source changes again: the translation was made from another version of it.
    let source = std::fs::read_to_string(site.root().join("content/countries/japan.md")).unwrap();
    site.write(
        "content/countries/japan.md",
        source.replace("carmakers.", "carmakers and its farmers."),
    );
    let run = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("warning: this translation was made from another version of `content/countries/japan.md`: it records `{version}`, and the source is now `")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("--> content/countries/japan.ja.md:4:18"),
        "{}",
        run.stderr
    );
    // A version is hexadecimal, and belongs in a translation only.
    site.write(
        "content/countries/japan.ja.md",
        japanese.replace(
            "date: 2025-04-18\n",
            "date: 2025-04-18\ntranslated_from: \"last week\"\n",
        ),
    );
    site.write(
        "content/countries/india.md",
        std::fs::read_to_string(site.root().join("content/countries/india.md"))
            .unwrap()
            .replace(
                "date: 2025-04-17\n",
                "date: 2025-04-17\ntranslated_from: \"0123456789ab\"\n",
            ),
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error: `translated_from` is the version of the source a translation was made from: 8 or more hexadecimal digits, not `last week`"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: `translated_from` belongs in a translation (`NAME.LANG.md`)"),
        "{}",
        run.stderr
    );
}
