//! The newsroom's publishing controls (issue 17): TOML front matter as Zola and Hugo write
//! it, and problems printed for machines (`--format json`) and pull requests
//! (`--format github`).

use crate::support::Site;

/// `xmllint` finds `public/PATH` of `site` well-formed.
fn assert_well_formed(site: &Site, path: &str) {
    let xmllint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(site.root().join("public").join(path))
        .status()
        .expect("xmllint is missing: install libxml2-utils");
    assert!(xmllint.success(), "{path} is not well-formed");
}

const YAML_PAGE: &str = "---
title: \"Japan: first in line\"
description: Talks opened on April 9.
date: 2025-04-09
weight: 2
updates:
  - date: 2025-04-12
    note: Corrected the rice tariff.
extra:
  lead: Ryosei Akazawa
  rates: [24, 10]
---
Text with a [link](@/_index.md).
";

const TOML_PAGE: &str = "+++
title = \"Japan: first in line\"
description = \"Talks opened on April 9.\"
date = 2025-04-09
weight = 2

[[updates]]
date = 2025-04-12
note = \"Corrected the rice tariff.\"

[extra]
lead = \"Ryosei Akazawa\"
rates = [24, 10]
+++
Text with a [link](@/_index.md).
";

#[test]
fn a_page_in_toml_builds_as_the_same_page_in_yaml() {
    let site = Site::minimal();
    site.write("content/page.md", YAML_PAGE).build();
    let from_yaml = site.output("page/index.html");
    site.write("content/page.md", TOML_PAGE).build();
    let from_toml = site.output("page/index.html");
    assert!(from_yaml.contains("Corrected the rice tariff."));
    assert_eq!(from_yaml, from_toml);
}

#[test]
fn toml_front_matter_mistakes_are_reported_at_their_lines() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "+++\ntitle = \"A page\"\ndescripton = \"typo\"\ndate = \"2025-13-01\"\nweight = \"first\"\n\n[[updates]]\ndate = 2025-04-12\n+++\nText.\n",
    )
    .write(
        "content/broken.md",
        "+++\ntitle = \"Unclosed\ndraft = false\n+++\nText.\n",
    )
    .write("content/open.md", "+++\ntitle = \"Open\"\n\nNo end.\n");
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
}

/// A site with an error and a warning, so that both levels show in each format.
fn site_with_an_error_and_a_warning() -> Site {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: A page\n---\nSee [the home page](@/hom.md).\n",
    )
    .write("content/notes.txt", "a loose file");
    site
}

#[test]
fn json_format_gives_one_object_per_problem_then_the_counts() {
    let site = site_with_an_error_and_a_warning();
    let run = site.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 1);
    let objects: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    let last = objects.last().unwrap();
    assert_eq!(last["reason"], "build-finished");
    assert_eq!(last["success"], false);
    assert_eq!(
        (last["errors"].as_u64(), last["warnings"].as_u64()),
        (Some(1), Some(1))
    );
    insta::assert_snapshot!(run.stdout);
    // Nothing human-readable is mixed into stdout, and stderr still ends with the verdict.
    assert!(run.stderr.contains("build failed"), "{}", run.stderr);
    assert!(!run.stderr.contains("-->"), "{}", run.stderr);

    // `check` speaks the same format; a clean site gives just the counts.
    let site = Site::minimal();
    let run = site.run(&["check", "--format", "json", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        r#"{"reason":"build-finished","success":true,"errors":0,"warnings":0}"#
    );
}

#[test]
fn github_format_annotates_the_markdown_line() {
    let site = site_with_an_error_and_a_warning();
    let run = site.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_failure_of_the_environment_is_a_json_object_too() {
    let site = Site::empty();
    let run = site.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let first: serde_json::Value =
        serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["level"], "error");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("not a tradetalks site"),
        "{first}"
    );
}

/// The arguments of a `run:` line, with the workflow's expression for the Pages URL filled in.
fn workflow_command(workflow: &str, starts_with: &str) -> Vec<String> {
    let line = workflow
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("run: "))
        .find(|command| command.starts_with(starts_with))
        .unwrap_or_else(|| panic!("no `run: {starts_with}…` step in:\n{workflow}"));
    let line = line.replace(
        "${{ steps.pages.outputs.base_url }}",
        "https://newsroom.github.io/explainer",
    );
    // Words, with double quotes grouping (all the workflow's commands use).
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    words.push(word);
    words
}

#[test]
fn init_writes_a_github_pages_workflow_whose_build_works() {
    let parent = Site::empty();
    let run = parent.run(&["init", "--minimal", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = parent.root().join("site/.github/workflows/publish.yml");
    let workflow = std::fs::read_to_string(&path).expect("init writes the workflow");
    let parsed: serde_json::Value =
        serde_saphyr::from_str(&workflow).expect("the workflow is YAML");
    assert_eq!(parsed["on"]["push"]["branches"][0], "main");
    assert!(parsed["on"].get("pull_request").is_some(), "{parsed}");
    let deploy = &parsed["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build");
    assert_eq!(deploy["permissions"]["pages"], "write");
    assert_eq!(deploy["permissions"]["id-token"], "write");
    let steps = parsed["jobs"]["build"]["steps"].as_array().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.contains(&"actions/configure-pages@v5"), "{uses:?}");
    assert!(
        uses.contains(&"actions/upload-pages-artifact@v3"),
        "{uses:?}"
    );
    assert!(workflow.contains("touch public/.nojekyll"));

    // The build step, run here as the workflow runs it: it builds under the Pages path and
    // speaks in annotations.
    let command = workflow_command(&workflow, "tradetalks build");
    assert!(command.contains(&"--format".to_owned()) && command.contains(&"github".to_owned()));
    let mut args: Vec<&str> = command.iter().skip(1).map(String::as_str).collect();
    args.extend(["--root", "site", "--quiet"]);
    let built = parent.run(&args);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let home = std::fs::read_to_string(parent.root().join("site/public/index.html")).unwrap();
    assert!(
        home.contains("https://newsroom.github.io/explainer/"),
        "{home}"
    );
    // Crawlers never read a robots.txt under a path: none is written there.
    assert!(!parent.root().join("site/public/robots.txt").exists());

    // `.gitignore` keeps the output and the cache out of the repository the workflow builds.
    let ignore = std::fs::read_to_string(parent.root().join("site/.gitignore")).unwrap();
    assert!(ignore.contains("/public/") && ignore.contains("/.tradetalks-cache/"));
}

#[test]
fn files_only_a_domain_root_reads_warn_under_a_path() {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/explainer/\"\nhost_files = true\n",
    )
    .write("static/robots.txt", "User-agent: *\n");
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    // At the root of a domain the same site is quiet, and robots.txt is the site's own.
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/\"\nhost_files = true\n",
    );
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(site.output("robots.txt"), "User-agent: *\n");
    assert!(site.exists("_headers") && site.exists("_redirects"));
}

#[test]
fn a_correction_is_shown_under_the_title_and_marked_in_the_feed() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: A page\ndate: 2025-04-10\nupdates:\n  - { date: 2025-04-12, note: \"Added the second round.\" }\n  - { date: 2025-04-14, note: \"The talks opened on April 9, not April 8.\", kind: correction }\n---\nText.\n",
    )
    .build();
    let html = site.output("page/index.html");
    // Under the title: the last change, then the correction with its date, before the body.
    let meta = html.find("class=\"meta\"").unwrap();
    let corrections = html
        .find("class=\"corrections\"")
        .expect("a corrections box");
    let body = html.find("<p>Text.</p>").unwrap();
    assert!(meta < corrections && corrections < body, "{html}");
    assert!(
        html.contains(", updated <time datetime=\"2025-04-14\">"),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"corrections-title\">Correction</h2>"));
    assert!(html.contains(
        "<li><time datetime=\"2025-04-14\">14 April 2025</time>: The talks opened on April 9, not April 8.</li>"
    ));
    // In the log at the foot, the correction is marked and the update is not.
    assert!(html.contains(
        "<li class=\"update-correction\"><strong>Correction</strong> <time datetime=\"2025-04-14\">"
    ));
    assert!(html.contains(
        "<li><time datetime=\"2025-04-12\">12 April 2025</time>: Added the second round.</li>"
    ));
    // JSON-LD names it a correction.
    assert!(html.contains("\"correction\":[{\"@type\":\"CorrectionComment\",\"text\":\"The talks opened on April 9, not April 8.\",\"datePublished\":\"2025-04-14\"}]"), "{html}");
    let feed = site.output("atom.xml");
    assert!(feed.contains("<category term=\"correction\" label=\"2025-04-14: The talks opened on April 9, not April 8.\"/>"), "{feed}");
    assert!(
        feed.contains("<category term=\"update\" label=\"2025-04-12: Added the second round.\"/>"),
        "{feed}"
    );
    assert_well_formed(&site, "atom.xml");

    // A page without corrections has no box, and one never changed shows no "updated".
    site.write(
        "content/page.md",
        "---\ntitle: A page\ndate: 2025-04-10\n---\nText.\n",
    )
    .build();
    let html = site.output("page/index.html");
    assert!(
        !html.contains("class=\"corrections\"") && !html.contains(", updated"),
        "{html}"
    );
}

/// The fingerprinted name a page links to for `name` (`style` → `style.0123456789.css`).
fn linked(html: &str, prefix: &str, extension: &str) -> String {
    let start = html
        .find(&format!("\"/{prefix}."))
        .unwrap_or_else(|| panic!("no link to /{prefix}.…{extension} in {html}"));
    let rest = &html[start + 2..];
    let end = rest.find('"').unwrap();
    let name = &rest[..end];
    assert!(name.ends_with(extension), "{name}");
    name.to_owned()
}

#[test]
fn assets_are_fingerprinted_and_the_name_changes_only_with_the_file() {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/\"\nhost_files = true\n",
    )
    .write("static/map.png", "first map")
    .write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<img src=\"{{ get_url(path='map.png', cachebust=true) }}\" alt=\"A map\">{{ page.content }}{% endblock %}",
    )
    .build();
    let html = site.output("page/index.html");
    let style = linked(&html, "style", ".css");
    let tables = linked(&html, "tables", ".js");
    assert_eq!(style.len(), "style..css".len() + 10, "{style}");
    // The fingerprinted copy is the file itself (a stylesheet without its comments and
    // needless white space); the plain name stays, as written, for anything else.
    let (small, plain) = (site.output(&style), site.output("style.css"));
    assert!(
        small.len() * 10 < plain.len() * 8,
        "{} of {}",
        small.len(),
        plain.len()
    );
    assert!(plain.contains("/* ") && !small.contains("/* "));
    assert_eq!(site.output(&tables), site.output("tables.js"));
    let headers = site.output("_headers");
    assert!(
        headers.contains(&format!(
            "/{style}\n  Cache-Control: public, max-age=31536000, immutable\n"
        )),
        "{headers}"
    );
    assert!(
        !headers.contains("X-Frame-Options"),
        "embed pages must stay frameable"
    );
    let map = html.split("src=\"/map.png?h=").nth(1).unwrap()[..10].to_owned();

    // Another map: its hash changes, and nothing else does.
    site.write("static/map.png", "second map").build();
    let html = site.output("page/index.html");
    assert_eq!(linked(&html, "style", ".css"), style);
    assert_eq!(linked(&html, "tables", ".js"), tables);
    assert!(!html.contains(&format!("map.png?h={map}")), "{html}");

    // The site's own stylesheet replaces the built-in one: a new name for it alone.
    site.write("static/style.css", "body { color: black; }")
        .build();
    let html = site.output("page/index.html");
    let own = linked(&html, "style", ".css");
    assert_ne!(own, style);
    assert_eq!(site.output(&own), "body{color: black}\n");
    assert_eq!(site.output("style.css"), "body { color: black; }");
    assert_eq!(linked(&html, "tables", ".js"), tables);
    assert!(
        !site.exists(&style),
        "the old fingerprinted name is not published"
    );

    // A file that is not there is an error of the template, with a suggestion.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<img src=\"{{ get_url(path='mapp.png', cachebust=true) }}\" alt=\"\">{% endblock %}",
    );
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`mapp.png` is not a file of `static/` or of a page bundle")
            && run.stderr.contains("did you mean `map.png`?"),
        "{}",
        run.stderr
    );
}

const AUTHORS: &str = "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n[authors.ana]\nname = \"Ana Souza\"\nrole = \"Trade correspondent\"\nurl = \"https://newsroom.example/ana\"\n[authors.kim]\nname = { en = \"Kim Min-ji\", ko = \"김민지\" }\n";

#[test]
fn bylines_name_the_authors_and_each_has_a_page() {
    let site = Site::minimal();
    site.write("tradetalks.toml", AUTHORS)
        .write(
            "content/page.md",
            "---\ntitle: A page\ndate: 2025-04-10\nauthors: [ana, kim]\n---\nText.\n",
        )
        .build();
    let html = site.output("page/index.html");
    assert!(
        html.contains("<p class=\"byline\">By <a href=\"/authors/ana-souza/\" rel=\"author\">Ana Souza</a> <span class=\"byline-role\">(Trade correspondent)</span>, <a href=\"/authors/kim-min-ji/\" rel=\"author\">Kim Min-ji</a></p>"),
        "{html}"
    );
    assert!(
        html.contains("\"author\":[{\"@type\":\"Person\",\"name\":\"Ana Souza\",\"url\":\"https://newsroom.example/ana\",\"jobTitle\":\"Trade correspondent\"},{\"@type\":\"Person\",\"name\":\"Kim Min-ji\",\"url\":\"https://example.org/authors/kim-min-ji/\"}]"),
        "{html}"
    );
    // Each author's page lists what they wrote; the list of authors links to it.
    assert!(
        site.output("authors/ana-souza/index.html")
            .contains("href=\"/page/\"")
    );
    assert!(
        site.output("authors/index.html")
            .contains("href=\"/authors/kim-min-ji/\"")
    );
    let feed = site.output("atom.xml");
    assert!(
        feed.contains("<author><name>Ana Souza</name><uri>https://newsroom.example/ana</uri></author>\n<author><name>Kim Min-ji</name></author>"),
        "{feed}"
    );
}

#[test]
fn an_unknown_author_stops_the_build_at_its_name() {
    let site = Site::minimal();
    site.write("tradetalks.toml", AUTHORS).write(
        "content/page.md",
        "---\ntitle: A page\nauthors: [anna, lee]\n---\nText.\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
    // Without `[authors]`, the field says where authors are named.
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: A page\nauthors: [ana]\n---\nText.\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown field `authors`") && run.stderr.contains("[authors.ID]"),
        "{}",
        run.stderr
    );
}

#[test]
fn lists_and_feeds_show_each_page_s_summary() {
    let site = Site::minimal();
    site.write("content/news/_index.md", "---\ntitle: News\nsort_by: title\n---\n")
        .write(
            "content/news/a.md",
            "---\ntitle: A marked page\ndate: 2025-04-10\ndescription: The description of A.\n---\nThe *opening* of A.\n\n<!-- more -->\n\nThe rest of A, only on its page.\n",
        )
        .write(
            "content/news/b.md",
            "---\ntitle: B with its own summary\ndate: 2025-04-11\nsummary: \"B in one line, & no more.\"\n---\nB's body.\n",
        )
        .write(
            "content/news/c.md",
            "---\ntitle: C with a description\ndate: 2025-04-12\ndescription: The description of C.\n---\nC's body.\n",
        )
        .build();
    let list = site.output("news/index.html");
    assert!(list.contains("<p>The <em>opening</em> of A.</p>"), "{list}");
    assert!(
        !list.contains("The rest of A") && !list.contains("The description of A"),
        "{list}"
    );
    assert!(
        list.contains("<p>B in one line, &amp; no more.</p>"),
        "{list}"
    );
    assert!(list.contains("<p>The description of C.</p>"), "{list}");
    // The page itself has all of its body.
    assert!(
        site.output("news/a/index.html")
            .contains("The rest of A, only on its page.")
    );

    let feed = site.output("atom.xml");
    assert!(
        feed.contains("<summary type=\"html\">&lt;p&gt;The &lt;em&gt;opening&lt;/em&gt; of A.&lt;/p&gt;</summary>"),
        "{feed}"
    );
    assert!(
        feed.contains("<summary>B in one line, &amp; no more.</summary>"),
        "{feed}"
    );
    assert!(
        feed.contains("<summary>The description of C.</summary>"),
        "{feed}"
    );
    assert_well_formed(&site, "atom.xml");
}

/// The width and height of the PNG at `public/PATH`, decoded.
fn png_size(site: &Site, path: &str) -> (u32, u32) {
    let bytes = std::fs::read(site.root().join("public").join(path))
        .unwrap_or_else(|_| panic!("{path} was not written"));
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap_or_else(|e| panic!("{path} is not a PNG: {e}"));
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    (reader.info().width, reader.info().height)
}

/// How the PNG at `public/PATH` stores its colours.
fn png_colour(site: &Site, path: &str) -> png::ColorType {
    let bytes = std::fs::read(site.root().join("public").join(path))
        .unwrap_or_else(|_| panic!("{path} was not written"));
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap_or_else(|e| panic!("{path} is not a PNG: {e}"));
    reader.info().color_type
}

/// A site in English and Arabic with a schema whose first number is the key figure.
fn site_with_figures() -> Site {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Ports and tariffs\"\nbase_url = \"https://example.org/\"\n\n[languages.ar]\nname = \"العربية\"\ndirection = \"rtl\"\ntitle = \"الموانئ والرسوم\"\n\n[schema.ports]\nowner = \"string\"\nrate = \"figure\"\n",
    )
    .write("content/ports/_index.md", "---\ntitle: Ports\n---\n")
    .write(
        "content/ports/santos.md",
        "---\ntitle: \"Santos: the busiest port in Latin America, and what a 50% tariff would do to its coffee\"\ndate: 2025-04-10\nowner: The port authority\nrate: { value: 50, unit: \"%\", label: \"Tariff on Brazilian coffee\", as_of: 2025-04-09, source: \"The Gazette\" }\n---\nText.\n",
    )
    .write(
        "content/ports/santos.ar.md",
        "---\ntitle: \"سانتوس: أكبر موانئ أمريكا اللاتينية\"\ndate: 2025-04-10\nowner: هيئة الميناء\nrate: { value: 50, unit: \"%\", label: \"الرسوم على البن البرازيلي\", as_of: 2025-04-09, source: \"The Gazette\" }\n---\nنص.\n",
    );
    site
}

#[test]
fn every_page_and_section_has_a_social_card_of_1200_by_630() {
    let site = site_with_figures();
    site.build();
    let page = site.output("ports/santos/index.html");
    for tag in [
        "<meta property=\"og:image\" content=\"https://example.org/ports/santos/social.png\">",
        "<meta property=\"og:image:width\" content=\"1200\">",
        "<meta property=\"og:image:height\" content=\"630\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<meta name=\"twitter:image\" content=\"https://example.org/ports/santos/social.png\">",
    ] {
        assert!(page.contains(tag), "{tag} missing from\n{page}");
    }
    // Pages, sections and the home of every edition; generated pages show their edition's
    // home card.
    for card in [
        "ports/santos/social.png",
        "ports/social.png",
        "social.png",
        "page/social.png",
        "ar/ports/santos/social.png",
        "ar/social.png",
    ] {
        assert_eq!(png_size(&site, card), (1200, 630), "{card}");
        // A card's few colours and their blends go as a palette: a third of the bytes.
        assert_eq!(png_colour(&site, card), png::ColorType::Indexed, "{card}");
    }
    assert!(
        site.output("ar/search/index.html")
            .contains("content=\"https://example.org/ar/social.png\"")
    );
}

#[test]
fn a_site_s_card_template_replaces_the_built_in_one() {
    let site = site_with_figures();
    site.remove("content/ports/santos.ar.md").build();
    let built_in = std::fs::read(site.root().join("public/ports/santos/social.png")).unwrap();
    // A card of the site's own design, using the page's values, the key figure and `wrap`.
    site.write(
        "templates/social.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\"><rect width=\"1200\" height=\"630\" fill=\"#fff\"/>{% if page is defined and page %}{% set view = schema_view(fields=page.fields, schema=section.schema) %}{% for line in meta.heading | wrap(width=1040, size=60, lines=2, bold=true) %}<text x=\"40\" y=\"{{ loop.index * 70 }}\" font-size=\"60\">{{ line }}</text>{% endfor %}{% if view.key_figure %}<text x=\"40\" y=\"400\">{{ view.key_figure.text }} {{ view.key_figure.label }}</text>{% endif %}{% endif %}</svg>",
    )
    .build();
    let own = std::fs::read(site.root().join("public/ports/santos/social.png")).unwrap();
    assert_ne!(built_in, own);
    assert_eq!(png_size(&site, "ports/santos/social.png"), (1200, 630));
}

#[test]
fn cards_are_drawn_in_every_script_or_the_build_says_which_characters_lack_a_font() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: \"日本と韓国: 関税 — भारत की बातचीत — سانتوس\"\n---\nText.\n",
    )
    .build();
    assert_eq!(png_size(&site, "page/social.png"), (1200, 630));
    // A private-use character is in no font: that page goes without a card, and one warning
    // says so for all such pages.
    site.write(
        "content/page.md",
        "---\ntitle: \"Tariffs \u{F8FF}\"\n---\nText.\n",
    )
    .write(
        "content/other.md",
        "---\ntitle: \"More \u{F8FF}\"\n---\nText.\n",
    );
    let run = site.run(&["build", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("was not drawn").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(and 1 other pages)"), "{}", run.stderr);
    let page = site.output("page/index.html");
    assert!(!page.contains("og:image"), "{page}");
    assert!(page.contains("content=\"summary\""), "{page}");
    assert!(!site.exists("page/social.png"));
}

#[test]
fn a_page_s_own_image_replaces_its_card_and_a_missing_one_stops_the_build() {
    let site = Site::minimal();
    site.write(
        "content/port/index.md",
        "---\ntitle: The port\nimage: quay.jpg\n---\nText.\n",
    )
    .write("content/port/quay.jpg", b"not really a JPEG")
    .write(
        "content/page.md",
        "---\ntitle: A page\nimage: /img/port.png\n---\nText.\n",
    )
    .write("static/img/port.png", b"PNG")
    .build();
    let bundle = site.output("port/index.html");
    assert!(
        bundle
            .contains("<meta property=\"og:image\" content=\"https://example.org/port/quay.jpg\">"),
        "{bundle}"
    );
    assert!(!site.exists("port/social.png"));
    assert!(
        site.output("page/index.html")
            .contains("content=\"https://example.org/img/port.png\"")
    );
    site.write(
        "content/page.md",
        "---\ntitle: A page\nimage: /img/prot.png\n---\nText.\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_broken_card_template_is_an_error_in_it_and_cards_can_be_turned_off() {
    let site = Site::minimal();
    site.write("templates/social.svg", "<svg>{{ no_such_value }}</svg>");
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("templates/social.svg"),
        "{}",
        run.stderr
    );
    // One error, told once for the page and the home page (then the count).
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .count();
    assert_eq!(errors, 2, "{}", run.stderr);
    assert!(run.stderr.contains("the same error on 1 other page"));
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/\"\nsocial_cards = false\n",
    )
    .build();
    assert!(!site.exists("social.png") && !site.exists("page/social.png"));
    assert!(!site.output("page/index.html").contains("og:image"));
}

/// A section of five dated stories, two a list page, and one story filed under a term.
fn site_with_news() -> Site {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Desk\"\nbase_url = \"https://example.org/\"\n\n[[taxonomies]]\nname = \"sectors\"\n",
    )
    .write(
        "content/news/_index.md",
        "---\ntitle: News\nsort_by: date\npaginate: 2\n---\nWhat the desk has written.\n",
    );
    for i in 1..=5 {
        let sectors = if i == 1 { "sectors: [Autos]\n" } else { "" };
        site.write(
            &format!("content/news/s{i}.md"),
            format!("---\ntitle: Story {i}\ndate: 2025-04-0{i}\n{sectors}---\nBody {i}.\n"),
        );
    }
    site
}

#[test]
fn a_section_paginates_its_list() {
    let site = site_with_news();
    site.build();
    let first = site.main_html("news/index.html");
    let second = site.main_html("news/page/2/index.html");
    let third = site.main_html("news/page/3/index.html");
    // Newest first, two a page; the section's text on the first page only.
    assert!(first.contains("Story 5") && first.contains("Story 4") && !first.contains("Story 3"));
    assert!(first.contains("What the desk has written."));
    assert!(second.contains("Story 3") && second.contains("Story 2"));
    assert!(!second.contains("What the desk has written."));
    assert!(third.contains("Story 1") && !third.contains("Story 2"));
    assert!(second.contains("list page 2 of 3"), "{second}");
    assert!(
        second.contains("<a href=\"/news/\" rel=\"prev\">Previous</a>")
            && second.contains("<a href=\"/news/page/3/\" rel=\"next\">Next</a>"),
        "{second}"
    );
    assert!(!first.contains("rel=\"prev\"") && !third.contains("rel=\"next\""));
    // Each list page is its own canonical URL; the card of the first stands for all.
    let head = site.output("news/page/2/index.html");
    assert!(head.contains("<link rel=\"canonical\" href=\"https://example.org/news/page/2/\">"));
    assert!(head.contains("content=\"https://example.org/news/social.png\""));
    assert!(!site.exists("news/page/2/social.png"));
    assert!(
        head.contains("<title>News (list page 2 of 3) · Desk</title>"),
        "{head}"
    );
}

#[test]
fn paginate_must_be_a_number_of_pages_on_a_section() {
    let site = site_with_news();
    site.write(
        "content/news/_index.md",
        "---\ntitle: News\npaginate: 0\n---\n",
    )
    .write(
        "content/news/s1.md",
        "---\ntitle: Story 1\npaginate: 3\n---\nBody.\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn each_section_and_term_has_a_feed_of_its_own_pages_linked_from_its_page() {
    let site = site_with_news();
    site.build();
    for feed in ["atom.xml", "news/atom.xml", "sectors/autos/atom.xml"] {
        assert_well_formed(&site, feed);
    }
    let news = site.output("news/atom.xml");
    assert_eq!(news.matches("<entry>").count(), 5);
    assert!(news.contains("<title>News · Desk</title>"));
    assert!(news.contains("<link href=\"https://example.org/news/atom.xml\" rel=\"self\""));
    assert!(news.contains("<id>https://example.org/news/</id>"));
    let autos = site.output("sectors/autos/atom.xml");
    assert_eq!(autos.matches("<entry>").count(), 1);
    assert!(
        autos.contains("<title>Story 1</title>")
            && autos.contains("<title>Sectors: Autos · Desk</title>")
    );
    for (page, title, feed) in [
        ("news/index.html", "News", "/news/atom.xml"),
        ("news/page/2/index.html", "News", "/news/atom.xml"),
        (
            "sectors/autos/index.html",
            "Sectors: Autos",
            "/sectors/autos/atom.xml",
        ),
    ] {
        let link = format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{title}\" href=\"{feed}\">"
        );
        assert!(
            site.output(page).contains(&link),
            "{page} does not link {feed}"
        );
    }
    // A list with no dated page has no feed, and its page links none.
    site.write("content/notes/_index.md", "---\ntitle: Notes\n---\n")
        .write("content/notes/n.md", "---\ntitle: Undated\n---\nText.\n")
        .build();
    assert!(!site.exists("notes/atom.xml"));
    assert!(!site.output("notes/index.html").contains("notes/atom.xml"));
}

#[test]
fn the_home_page_paginates_its_own_pages_when_asked() {
    let site = Site::minimal();
    site.write(
        "content/_index.md",
        "---\ntitle: Desk\nsort_by: date\npaginate: 2\n---\nWhat the desk has written.\n",
    );
    for i in 1..=3 {
        site.write(
            &format!("content/s{i}.md"),
            format!("---\ntitle: Story {i}\ndate: 2025-04-0{i}\n---\nBody {i}.\n"),
        );
    }
    site.build();
    let first = site.main_html("index.html");
    let second = site.main_html("page/2/index.html");
    // The home's own text and its first list page; the second list page lists the rest.
    assert!(first.contains("What the desk has written."), "{first}");
    assert!(
        first.contains("Story 3") && first.contains("Story 2") && !first.contains("Story 1"),
        "{first}"
    );
    assert!(
        first.contains("<a href=\"/page/2/\" rel=\"next\">Next</a>"),
        "{first}"
    );
    assert!(
        second.contains("Story 1") && !second.contains("Story 2"),
        "{second}"
    );
    assert!(!second.contains("What the desk has written."), "{second}");
    assert!(
        second.contains("list page 2 of 2") && second.contains("rel=\"prev\""),
        "{second}"
    );
    // Without `paginate` the home lists no pages of its own (the default site's way).
    site.write(
        "content/_index.md",
        "---\ntitle: Desk\n---\nWhat the desk has written.\n",
    )
    .build();
    assert!(!site.main_html("index.html").contains("Story 3"));
    assert!(!site.exists("page/2/index.html"));
}

#[test]
fn a_translation_shows_its_source_s_picture_unless_it_names_its_own() {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Ports\"\nbase_url = \"https://example.org/\"\n\n[languages.ja]\ntitle = \"港\"\n",
    )
    .write("content/port/index.md", "---\ntitle: The port\nimage: quay.jpg\n---\nText.\n")
    .write("content/port/index.ja.md", "---\ntitle: 港\n---\n本文。\n")
    .write("content/port/quay.jpg", b"not really a JPEG")
    .write("content/other/index.md", "---\ntitle: Other\nimage: /img/a.png\n---\nText.\n")
    .write("content/other/index.ja.md", "---\ntitle: 他\nimage: /img/b.png\n---\n本文。\n")
    .write("static/img/a.png", b"PNG")
    .write("static/img/b.png", b"PNG");
    site.build();
    let translated = site.output("ja/port/index.html");
    assert!(
        translated
            .contains("<meta property=\"og:image\" content=\"https://example.org/port/quay.jpg\">"),
        "{translated}"
    );
    assert!(!site.exists("ja/port/social.png"));
    assert!(
        site.output("ja/other/index.html")
            .contains("content=\"https://example.org/img/b.png\"")
    );
    // A missing picture is told once, at the source that names it.
    site.write(
        "content/port/index.md",
        "---\ntitle: The port\nimage: qauy.jpg\n---\nText.\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("is not a file of the site").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/port/index.md"),
        "{}",
        run.stderr
    );
}
