//! An editor's own explainer: the second complete explainer (EU–Mercosur, built-in templates
//! only) shows every schema figure with its source and date; each way a mistake could publish
//! silently stops the build at its line; `build` and `check` report the same; sections,
//! schemas, `new`, `init`, `templates` and `help` do what an editor expects.

use crate::support::{Run, Site};

fn build(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["build", "--as-of", "2025-04-20"];
    all.extend_from_slice(args);
    site.run(&all)
}

#[test]
fn a_second_explainer_shows_every_schema_figure_with_its_source_and_date() {
    let site = Site::fixture("explainer");
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("(0 errors, 0 warnings)"),
        "{}",
        run.stderr
    );
    assert!(
        !site.root().join("templates").exists(),
        "the fixture uses built-ins only"
    );
    let eu = site.output("parties/eu/index.html");
    for text in [
        "<h2 id=\"key-facts-title\">Key facts</h2>",
        "<th scope=\"row\">Lead negotiator</th>",
        "Maroš Šefčovič, Trade Commissioner",
        "<th scope=\"row\">Goods exports to the other side<span class=\"field-help\">Yearly value of goods sold across the table before the deal.</span></th>",
        "<td class=\"num\">58.7 billion euros</td>",
        "<td class=\"fact-source\">Eurostat, rounded, <time datetime=\"2024-12-31\">31 December 2024</time></td>",
        "<td class=\"num\">449 million people</td>",
        "<td class=\"fact-source\">UN World Population Prospects, <time datetime=\"2024-07-01\">1 July 2024</time></td>",
        "<h2 id=\"field-tariff-cuts\">Tariffs the deal removes</h2>",
        "<th scope=\"row\">Mercosur tariff on EU cars, phased out</th>",
        "<td class=\"num\">35%</td>",
        "<h2 id=\"field-gains\">What it expects to gain</h2>",
        "<a href=\"https://policy.trade.ec.europa.eu/\">EU–Mercosur partnership agreement: text and summaries</a>, European Commission, <time datetime=\"2024-12-06\">6 December 2024</time>",
    ] {
        assert!(eu.contains(text), "missing {text:?} in the EU page");
    }
    // Fact references show the data file's value, unit, source and date.
    let brazil = site.output("parties/brazil/index.html");
    for text in [
        "<th scope=\"row\">Goods exports to the EU<span class=\"field-help\">",
        "<td class=\"num\">43.6 billion euros</td>",
        "<td class=\"fact-source\">Eurostat, rounded, <time datetime=\"2024-12-31\">31 December 2024</time></td>",
        "<th scope=\"row\">EU beef quota shared by Mercosur</th>",
        "<td class=\"num\">99,000 tonnes</td>",
        "<td class=\"fact-source\">European Commission summary of the agreement, <time datetime=\"2024-12-06\">6 December 2024</time></td>",
    ] {
        assert!(brazil.contains(text), "missing {text:?} in the Brazil page");
    }
    // Every party page shows every figure of its schema with a source and a date.
    for party in ["eu", "brazil", "argentina", "uruguay", "paraguay"] {
        let html = site.output(&format!("parties/{party}/index.html"));
        for label in ["Lead negotiator", "Population"] {
            let row = html
                .split("<tr>")
                .find(|row| row.contains(&format!(">{label}<")))
                .unwrap_or_else(|| panic!("{party}: no row for {label}"));
            let source = row
                .split("<td class=\"fact-source\">")
                .nth(1)
                .unwrap_or_else(|| panic!("{party}: {label} has no source cell: {row}"));
            assert!(
                source.contains(", <time datetime=\""),
                "{party}: {label} lacks a source or a date: {row}"
            );
        }
    }
    insta::assert_snapshot!("explainer_eu_main", site.main_html("parties/eu/index.html"));
}

#[test]
fn check_reports_exactly_what_build_reports() {
    let site = Site::fixture("explainer");
    site.write("content/parties/brazil.md", {
        let text = std::fs::read_to_string(site.root().join("content/parties/brazil.md")).unwrap();
        text.replace("## A deal for farmers", "## A deal for farmers\n\nSee <a href=\"/nowhere/\">this</a> and [that](@/parties/chile.md).")
    });
    let built = build(&site, &[]);
    let checked = site.run(&["check", "--as-of", "2025-04-20"]);
    assert_eq!(built.code, 1, "{}", built.stderr);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    let errors = |stderr: &str| {
        stderr
            .lines()
            .filter(|l| l.starts_with("error: ") && !l.contains("failed"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(errors(&built.stderr), errors(&checked.stderr));
    assert_eq!(
        errors(&built.stderr),
        ["error: broken internal link: no page `content/parties/chile.md`"],
        "the raw-HTML link is reported once the @/ link is fixed, not as its echo"
    );
    site.write("content/parties/brazil.md", {
        let text = std::fs::read_to_string(site.root().join("content/parties/brazil.md")).unwrap();
        text.replace(" and [that](@/parties/chile.md)", "")
    });
    let built = build(&site, &[]);
    assert_eq!(built.code, 1, "{}", built.stderr);
    assert!(
        built.stderr.contains("error: broken link: `/nowhere/` is not part of the site\n  --> content/parties/brazil.md:29:14"),
        "{}",
        built.stderr
    );
    assert_eq!(
        errors(&built.stderr),
        errors(&site.run(&["check", "--as-of", "2025-04-20"]).stderr)
    );
}

#[test]
fn a_template_error_on_every_page_is_reported_once_with_the_count() {
    let site = Site::fixture("explainer");
    site.write(
        "templates/page_footer.html",
        "<p>{{ page.no_such_value }}</p>\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("error: template error").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the same error on 5 other pages"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unclosed_block_is_reported_at_the_tag_that_opened_it() {
    let site = Site::fixture("explainer");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n{% if page.description %}\n<p>{{ page.description }}</p>\n{% for t in page.taxonomies %}{{ t }}{% endfor %}\n{% endblock content %}\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: template error: this `{% if %}` is not closed: `{% endblock %}` on line 7 comes first\n --> templates/page.html:4:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: add `{% endif %}` where the if ends, before line 7"),
        "{}",
        run.stderr
    );
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: template"));
    assert_eq!(errors.count(), 1, "{}", run.stderr);
}

#[test]
fn an_error_in_a_built_in_template_says_where_its_value_comes_from() {
    let site = Site::fixture("explainer");
    // A section template that includes the page partial, where there is no page.
    site.write(
        "templates/section.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% include \"page_fields.html\" %}\n{% endblock content %}\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(" --> (built-in template) page_fields.html:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "`page` exists only in page templates: include this template from page.html or a template of its kind. `page_fields.html` is a built-in template: `tradetalks templates show page_fields.html` prints it"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn placeholders_from_new_stop_the_publish_at_their_line() {
    let site = Site::fixture("explainer");
    let run = site.run(&["new", "parties/chile.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A draft with placeholders builds (it is left out).
    assert_eq!(build(&site, &[]).code, 0);
    let path = site.root().join("content/parties/chile.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("draft: true\n", "")).unwrap();
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: a placeholder is still here: \"TODO: one or two sentences for lists and search results.\"\n --> content/parties/chile.md:3:14"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: the article is still the placeholder `tradetalks new` wrote"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("TODO: party"), "{}", run.stderr);
    assert!(!site.exists("parties/chile/index.html"));
}

fn party(site: &Site, replace: &str, with: &str) -> Run {
    let path = site.root().join("content/parties/uruguay.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(replace), "{replace}");
    std::fs::write(&path, text.replace(replace, with)).unwrap();
    build(site, &[])
}

#[test]
fn figures_that_would_publish_wrong_are_errors_at_their_line() {
    let site = Site::fixture("explainer");
    let run = party(
        &site,
        "population: { value: 3.4,",
        "population: { value: \"3,4\",",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: this figure's value is text, not a number: `3,4` is a number written with a decimal comma (write a point): write `3.4`\n  --> content/parties/uruguay.md:10:22"),
        "{}",
        run.stderr
    );

    let site = Site::fixture("explainer");
    let run = party(&site, "as_of: 2024-07-01", "as_of: 2062-07-01");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: this figure is as of 2062-07-01, after the build date (2025-04-20)"),
        "{}",
        run.stderr
    );

    let site = Site::fixture("explainer");
    let run = party(
        &site,
        "lead: { value: \"Omar Paganini, Foreign Minister\", as_of: 2024-12-06, source: \"European Commission\" }",
        "lead: \"Omar Paganini\"",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: the figure `lead` has no `source`"),
        "{}",
        run.stderr
    );
    // Unless the schema makes the source optional.
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        config.replace(
            "lead = { type = \"figure\", label = \"Lead negotiator\" }",
            "lead = { type = \"figure\", label = \"Lead negotiator\", source = \"optional\" }",
        ),
    );
    assert_eq!(build(&site, &[]).code, 0);
}

#[test]
fn a_data_row_missing_a_required_column_is_an_error_in_yaml_and_json() {
    let site = Site::fixture("explainer");
    site.write(
        "data/quotas.yaml",
        "- id: beef\n  product: Beef\n  tonnes: 99000\n- id: rice\n  tonnes: 60000\n",
    );
    site.write(
        "data/ratification.json",
        "[{\"party\": \"EU\", \"code\": \"EU\", \"status\": \"Pending\"}, {\"party\": \"Brazil\", \"code\": \"BR\"}]\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: this row has no `product`, which the schema of `quotas.yaml` requires\n --> data/quotas.yaml:4:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: this row has no `status`, which the schema of `ratification.json` requires\n --> data/ratification.json:1:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_page_dated_after_the_build_date_is_scheduled() {
    let site = Site::fixture("explainer");
    site.write(
        "content/parties/next.md",
        "---\ntitle: Next year\ndate: 2026-01-15\nparty: X\nbloc: Y\nlead: { value: \"Z\", as_of: 2024-12-06, source: \"S\" }\nexports: { value: 1, as_of: 2024-12-06, source: \"S\" }\npopulation: { value: 1, as_of: 2024-12-06, source: \"S\" }\ntariff_cuts: {}\ngains: []\nworries: []\nsources: []\n---\nLater.\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("note: 1 page is scheduled: dated after the build date, it is left out until then (`--future` includes them)\n  content/parties/next.md (2026-01-15)\n"),
        "{}",
        run.stderr
    );
    assert!(!site.exists("parties/next/index.html"));
    assert!(!site.output("atom.xml").contains("Next year"));
    assert!(!site.output("parties/index.html").contains("Next year"));
    let checked = site.run(&["check", "--as-of", "2025-04-20"]);
    assert!(
        checked
            .stderr
            .contains("content/parties/next.md (2026-01-15)"),
        "{}",
        checked.stderr
    );
    // --future and a later --as-of publish it.
    assert_eq!(build(&site, &["--future"]).code, 0);
    assert!(site.exists("parties/next/index.html"));
    assert_eq!(site.run(&["build", "--as-of", "2026-01-15"]).code, 0);
    assert!(site.exists("parties/next/index.html"));
    // A link to a scheduled page says so.
    site.write(
        "content/about.md",
        "---\ntitle: About\n---\n[Soon](@/parties/next.md)\n",
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: this links to `content/parties/next.md`, which is scheduled for 2026-01-15: it is left out of the site until then"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_loose_file_in_content_is_reported_and_strict_fails_on_it() {
    let site = Site::fixture("explainer");
    site.write("content/parties/notes.txt", "call the embassy");
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: `content/parties/notes.txt` is not Markdown and not in a page bundle: it is published as it is, at `/parties/notes.txt`"),
        "{}",
        run.stderr
    );
    let before = site.snapshot_output("public");
    site.write("content/parties/more.txt", "x");
    let strict = build(&site, &["--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("--strict fails on warnings"),
        "{}",
        strict.stderr
    );
    assert!(
        before == site.snapshot_output("public"),
        "a failed strict build changed the output"
    );
}

#[test]
fn sections_and_schemas_find_each_other() {
    let site = Site::fixture("explainer");
    // `new` into a folder without `_index.md` makes the section, so the schema applies.
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        format!(
            "{config}\n[schema.observers]\ncountry = {{ type = \"string\", label = \"Country\" }}\n"
        ),
    );
    let run = site.run(&["new", "observers/chile.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "Created the section content/observers/_index.md\nCreated content/observers/chile.md (a draft: remove `draft: true` to publish)\n"
    );
    let section = std::fs::read_to_string(site.root().join("content/observers/_index.md")).unwrap();
    assert_eq!(section, "---\ntitle: \"Observers\"\nsort_by: weight\n---\n");
    let page = std::fs::read_to_string(site.root().join("content/observers/chile.md")).unwrap();
    assert!(page.contains("country: \"TODO: country\""), "{page}");
    assert_eq!(build(&site, &[]).code, 0);
    // A schema whose folder is not a section says which folder it expected.
    std::fs::remove_file(site.root().join("content/observers/_index.md")).unwrap();
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: `[schema.observers]` applies to no section: there is no `content/observers/_index.md`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("create the section with `tradetalks new observers/_index.md`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("unknown field"),
        "no cascade: {}",
        run.stderr
    );
    // `new SECTION/_index.md` makes a section.
    let run = site.run(&["new", "observers/_index.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(build(&site, &[]).code, 0);
}

#[test]
fn commands_find_the_site_from_a_subfolder() {
    let site = Site::fixture("explainer");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"))
        .args(["build", "--as-of", "2025-04-20", "--quiet"])
        .current_dir(site.root().join("content/parties"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(site.exists("index.html"));
    assert!(!site.root().join("content/parties/public").exists());
}

#[test]
fn init_minimal_builds_a_blank_site_and_force_lists_what_it_replaced() {
    let site = Site::empty();
    let run = site.run(&["init", "blank", "--minimal"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let blank = site.root().join("blank");
    for file in [
        "tradetalks.toml",
        "content/_index.md",
        "content/talks/_index.md",
        "content/talks/first-party.md",
        "data/figures.csv",
    ] {
        assert!(blank.join(file).is_file(), "{file}");
    }
    let text = std::fs::read_to_string(blank.join("content/talks/first-party.md")).unwrap();
    assert!(
        !text.contains("tariff talks") && !text.contains("Japan"),
        "no tariff story"
    );
    // Dated today by `init`: nothing in a new site is stale (or scheduled) yet.
    let built = site.run(&["build", "--root", "blank"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(
        built.stderr.contains("(0 errors, 0 warnings)"),
        "{}",
        built.stderr
    );
    let again = site.run(&["init", "blank", "--minimal", "--force"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("Replaced tradetalks.toml\n"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("Replaced data/figures.csv\n"),
        "{}",
        again.stderr
    );
}

#[test]
fn templates_can_be_listed_shown_and_ejected_and_help_prints_each_reference() {
    let site = Site::fixture("explainer");
    let output = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"))
            .args(args)
            .current_dir(site.root())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, list, _) = output(&["templates", "list"]);
    assert_eq!(code, 0);
    for name in [
        "base.html",
        "page.html",
        "page_fields.html",
        "shortcodes/chart.html",
    ] {
        assert!(list.contains(&format!("  {name}\n")), "{list}");
    }
    assert!(list.contains("The page around every page"), "{list}");
    let (code, shown, _) = output(&["templates", "show", "base.html"]);
    assert_eq!(code, 0);
    assert!(shown.contains("{%- block footer %}"), "{shown}");
    let (code, _, err) = output(&["templates", "show", "bse.html"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("there is no built-in template `bse.html`; did you mean `base.html`?"),
        "{err}"
    );
    let (code, _, err) = output(&["templates", "eject", "base.html"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "Wrote templates/base.html: it now replaces the built-in one\n"
    );
    let (_, list, _) = output(&["templates", "list"]);
    assert!(
        list.contains("  base.html [replaced by the site]\n"),
        "{list}"
    );
    let (code, _, err) = output(&["templates", "eject", "base.html"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists; tradetalks never overwrites a template"),
        "{err}"
    );
    // The footer is one block to change.
    let base = std::fs::read_to_string(site.root().join("templates/base.html")).unwrap();
    site.write(
        "templates/base.html",
        base.replace(
            "{{ t(key=\"footer-note\", site=site.title) }}",
            "Our own footer sentence",
        ),
    );
    assert_eq!(build(&site, &[]).code, 0);
    assert!(
        site.output("index.html")
            .contains("Our own footer sentence")
    );
    // A base.html without the stylesheet, meta or scripts is a warning that says so.
    site.write("templates/base.html", "<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body>{% block content %}{% endblock content %}</body></html>\n");
    let run = build(&site, &[]);
    assert!(
        run.stderr
            .contains("warning: this `base.html` leaves out the stylesheet"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: this `base.html` leaves out `meta`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: this `base.html` leaves out the table script"),
        "{}",
        run.stderr
    );
    for (topic, heading) in [
        ("shortcodes", "# Shortcodes"),
        ("front-matter", "# Front matter"),
        ("templates", "# Templates"),
        ("data", "# Data files and facts"),
        ("config", "# tradetalks.toml"),
    ] {
        let (code, text, _) = output(&["help", topic]);
        assert_eq!(code, 0);
        assert!(text.starts_with(heading), "{topic}: {text}");
    }
    let (_, text, _) = output(&["help", "data"]);
    assert!(
        text.contains("| `country` |") && text.contains("| `url` |"),
        "{text}"
    );
    let (code, _, _) = output(&["help", "nothing"]);
    assert_eq!(code, 2);
}

#[test]
fn navigation_takes_short_titles_leaves_pages_out_and_checks_config_links() {
    let site = Site::fixture("explainer");
    let about = std::fs::read_to_string(site.root().join("content/about.md")).unwrap();
    site.write(
        "content/about.md",
        about.replace("in_nav: true", "in_nav: false"),
    );
    let parties = std::fs::read_to_string(site.root().join("content/parties/_index.md")).unwrap();
    site.write(
        "content/parties/_index.md",
        parties.replacen("---\n", "---\nnav_title: Who negotiates\n", 1),
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.output("index.html");
    let nav = home
        .split("<nav class=\"site-nav\"")
        .nth(1)
        .and_then(|n| n.split("</nav>").next())
        .unwrap()
        .to_owned();
    assert!(nav.contains(">Who negotiates</a>"), "{nav}");
    assert!(!nav.contains("/about/"), "{nav}");

    // `[[nav]]` replaces the default menu, in its order; a link to no page is an error there.
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        format!(
            "{config}\n[[nav]]\ntitle = \"About\"\nlink = \"@/about.md\"\n\n[[nav]]\ntitle = \"Parties\"\nlink = \"@/partys/_index.md\"\n"
        ),
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: the navigation link `Parties` names no page or section: there is no `content/partys/_index.md`"
        ),
        "{}",
        run.stderr
    );
    site.write(
        "tradetalks.toml",
        format!(
            "{config}\n[[nav]]\ntitle = \"About\"\nlink = \"@/about.md\"\n\n[[nav]]\ntitle = \"Parties\"\nlink = \"@/parties/_index.md\"\n"
        ),
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.output("index.html");
    let about_at = home.find(">About</a>").expect("About in the menu");
    let parties_at = home.find(">Parties</a>").expect("Parties in the menu");
    assert!(about_at < parties_at, "the config's order");
}

/// The documented way to show the key figures of any section from a home or section template
/// (docs/templates.md) works as written.
#[test]
fn a_template_shows_the_key_figures_of_any_section() {
    let site = Site::fixture("explainer");
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md"),
    )
    .unwrap();
    let example = docs
        .split("```\n{% set parties")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .map(|rest| format!("{{% set parties{rest}"))
        .expect("the example in docs/templates.md");
    site.write(
        "templates/index.html",
        format!("{{% extends \"base.html\" %}}\n{{% block content %}}\n{example}\n{{% endblock content %}}\n"),
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.output("index.html");
    assert!(
        home.contains("<li>Goods exports to the EU: 43.6 billion euros (Eurostat, rounded, 31 December 2024)</li>"),
        "{home}"
    );
}
