//! Data through time (issue 16): a file whose schema names an `effective` column is read as of
//! the build date, or the date a shortcode, fact reference or template asks for; dates compare
//! as dates in filters; and each way of getting it wrong stops the build at its place.

use crate::support::Site;

const CONFIG: &str = r#"title = "Rates"
base_url = "https://example.org/"

[data."rates.csv"]
title = "Rates through time"
source = "Fixture"
key = "iso2"
effective = "effective"
until = "until"
status = "status"
[data."rates.csv".columns]
iso2 = "country"
rate = { type = "number", unit = "%", label = "Rate" }
status = "string"
effective = { type = "date", label = "Since" }
until = { type = "date", required = false }

[data."events.csv"]
title = "Events"
key = "id"
"#;

const RATES: &str = "iso2,rate,status,effective,until\n\
JP,24,announced,2025-04-02,\n\
KR,26,announced,2025-04-02,\n\
KR,25,announced,2025-04-03,\n\
JP,24,in force,2025-04-09,\n\
JP,10,paused,2025-04-09,2025-07-08\n\
KR,10,paused,2025-04-09,2025-07-08\n";

const EVENTS: &str = "id,title,when\n\
a,Announced,2025-04-02\n\
b,Applied,2025-04-09\n\
c,Pause ends,2025-07-08\n";

fn site(page: &str) -> Site {
    let site = Site::empty();
    site.write("tradetalks.toml", CONFIG)
        .write("data/rates.csv", RATES)
        .write("data/events.csv", EVENTS)
        .write("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .write("content/rates.md", page);
    site
}

fn build(site: &Site, as_of: &str) -> crate::support::Run {
    site.run(&["build", "--quiet", "--as-of", as_of])
}

/// The text of each cell of the first table of `html`, row by row.
fn cells(html: &str) -> Vec<String> {
    let body = html.split("<tbody>").nth(1).unwrap_or_default();
    let body = body.split("</tbody>").next().unwrap_or_default();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            // The texts between tags, each trimmed, joined by a space.
            let mut texts = Vec::new();
            let mut text = String::new();
            let mut in_tag = true;
            for c in row.chars() {
                match c {
                    '<' => {
                        in_tag = true;
                        if !text.trim().is_empty() {
                            texts.push(text.trim().to_owned());
                        }
                        text.clear();
                    }
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            texts.join(" ")
        })
        .collect()
}

#[test]
fn a_table_reads_the_file_as_of_the_build_date_or_its_own() {
    let site = site(
        "---\ntitle: Rates\n---\n{{ table(data=\"rates.csv\", columns=[\"iso2\", \"rate\", \"status\", \"effective\"]) }}\n\n{{ table(data=\"rates.csv\", columns=[\"iso2\", \"rate\"], on=\"2025-04-02\", id=\"first\") }}\n",
    );
    let run = build(&site, "2025-04-05");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    assert_eq!(
        cells(&html),
        [
            "JP 24 announced 2 April 2025",
            "KR 25 announced 3 April 2025"
        ],
        "{html}"
    );
    // Dates sort as dates.
    assert!(html.contains("data-value=\"20250403.0\""), "{html}");
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    // Two rows of Japan took effect on 9 April: the later one in the file.
    assert_eq!(
        cells(&html),
        ["JP 10 paused 9 April 2025", "KR 10 paused 9 April 2025"],
        "{html}"
    );
    let first = html.split("id=\"first\"").nth(1).unwrap_or_default();
    assert_eq!(cells(first), ["JP 24", "KR 26"], "{first}");
    // After the last row's end, nothing is in force: an error, not an empty table.
    let run = build(&site, "2025-07-09");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: nothing in `data/rates.csv` is in force on 2025-07-09"),
        "{}",
        run.stderr
    );
}

#[test]
fn fact_references_and_templates_read_as_of_a_date() {
    let site = site(
        "---\ntitle: Rates\nextra:\n  now: { data: \"rates.csv\", row: \"KR\", column: \"rate\" }\n  then: { data: \"rates.csv\", row: \"KR\", column: \"rate\", on: 2025-04-02 }\n---\nText.\n",
    );
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"facts\">{{ page.extra.now.value }}/{{ page.extra.then.value }}</p><p id=\"fns\">{{ value_at(data=\"rates.csv\", row=\"JP\", column=\"rate\") }}/{{ value_at(data=\"rates.csv\", row=\"JP\", column=\"rate\", on=\"2025-04-03\") }}/{{ history(data=\"rates.csv\", row=\"JP\") | length }}/{% set now = load_data(path=\"rates.csv\") %}{% set then = load_data(path=\"rates.csv\", on=\"2025-04-03\") %}{{ now.rows | length }}/{{ then.rows | length }}/{{ build_date }}</p>{% endblock %}",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.output("rates/index.html");
    assert!(html.contains("<p id=\"facts\">10/26</p>"), "{html}");
    assert!(
        html.contains("<p id=\"fns\">10/24/3/2/2/2025-04-20</p>"),
        "{html}"
    );
    // A reference to a key with nothing in force on its date says why.
    site.write(
        "content/rates.md",
        "---\ntitle: Rates\nextra:\n  early: { data: \"rates.csv\", row: \"KR\", column: \"rate\", on: 2025-03-01 }\n---\nText.\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: `rates.csv` has nothing in force for `KR` on 2025-03-01: its first row takes effect on 2025-04-02\n --> content/rates.md:4:"),
        "{}",
        run.stderr
    );
}

#[test]
fn dates_compare_as_dates_and_today_is_the_build_date() {
    let site = site(
        "---\ntitle: Rates\n---\n{{ table(data=\"events.csv\", columns=[\"title\"], filter=\"when <= today\") }}\n",
    );
    let run = build(&site, "2025-05-01");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        cells(&site.main_html("rates/index.html")),
        ["Announced", "Applied"]
    );
    // A date column compared with text, `today` against a column of other things, and a
    // filter that matches nothing are each an error at the filter.
    for (filter, message) in [
        (
            "when <= August",
            "bad `filter`: `when` holds dates, and `August` is not one: compare it with a date (`2025-04-10`) or `today`",
        ),
        (
            "title <= today",
            "bad `filter`: `today` is the build date, and `title` is not a column of dates",
        ),
        (
            "when > 2030-01-01",
            "this `filter` matches no row, so there would be nothing to show",
        ),
    ] {
        site.write(
            "content/rates.md",
            format!("---\ntitle: Rates\n---\n{{{{ table(data=\"events.csv\", filter=\"{filter}\") }}}}\n"),
        );
        let run = build(&site, "2025-05-01");
        assert_eq!(run.code, 1, "{filter}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{filter}: {}", run.stderr);
        assert!(
            run.stderr.contains("--> content/rates.md:4:"),
            "{filter}: {}",
            run.stderr
        );
    }
}

#[test]
fn mistakes_in_a_file_kept_through_time_stop_the_build_at_the_cell() {
    let site = site("---\ntitle: Rates\n---\nText.\n");
    site.write(
        "data/rates.csv",
        "iso2,rate,status,effective,until\nJP,24,anounced,2025-04-02,\nKR,10,paused,2025-04-09,2025-04-01\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: column `status`: `anounced` is not a status: a row is `announced`, `in force`, `paused`, `withdrawn`\n --> data/rates.csv:2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: did you mean `announced`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: column `until`: this row ends on 2025-04-01, before it takes effect on 2025-04-09\n --> data/rates.csv:3:"),
        "{}",
        run.stderr
    );
    // `on` for a file that is not kept through time.
    site.write("data/rates.csv", RATES).write(
        "content/rates.md",
        "---\ntitle: Rates\n---\n{{ table(data=\"events.csv\", on=\"2025-04-02\") }}\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: `on` reads a file kept through time as of a date, and `data/events.csv` is not one"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_default_site_reads_its_rates_as_of_the_build_date() {
    let site = Site::default_site();
    let table = |as_of: &str| {
        // `--future`: a preview of an earlier day, with the pages and figures dated since.
        let run = site.run(&["build", "--quiet", "--future", "--as-of", as_of]);
        assert_eq!(run.code, 0, "{as_of}: {}", run.stderr);
        let html = site.main_html("index.html");
        let table = html
            .split("<figure class=\"tt-table\" id=\"table-1\">")
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        cells(&table)
    };
    assert_eq!(
        table("2025-04-05"),
        [
            "Japan 24 — no value announced 2 April 2025 — no value",
            "South Korea 25 — no value announced 3 April 2025 — no value",
            "India 26 — no value announced 3 April 2025 — no value",
        ]
    );
    assert_eq!(
        table("2025-04-20"),
        [
            "Japan 24 10 paused 9 April 2025 8 July 2025",
            "South Korea 25 10 paused 9 April 2025 8 July 2025",
            "India 26 10 paused 9 April 2025 8 July 2025",
        ]
    );
}

#[test]
fn a_step_chart_draws_each_key_through_time_with_its_events() {
    let site = site(
        "---\ntitle: Rates\n---\n{{ chart(kind=\"step\", data=\"rates.csv\", x=\"iso2\", y=\"rate\", to=\"2025-07-31\", events=\"events.csv\", events_filter=\"when >= 2025-04-09\", caption=\"Rates\") }}\n",
    );
    site.write(
        "data/events.csv",
        "id,title,date,when\na,Announced,2025-04-02,2025-04-02\nb,Applied,2025-04-09,2025-04-09\nc,Pause ends,2025-07-08,2025-07-08\n",
    );
    let run = build(&site, "2025-08-01");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    // Japan: 24 from 2 April (the same value in force from 9 April goes on as one line), 10
    // from the later row of 9 April, until the end of 8 July, then a gap; wide and narrow.
    let paths: Vec<&str> = html
        .split("<path class=\"tt-step ")
        .skip(1)
        .map(|p| p.split("\"/>").next().unwrap_or_default())
        .collect();
    assert_eq!(paths.len(), 4, "{html}");
    assert!(paths[0].starts_with("tt-series-0\" d=\"M "), "{}", paths[0]);
    assert_eq!(paths[0].matches(" V ").count(), 1, "24 → 10: {}", paths[0]);
    assert!(
        !paths[0].ends_with("H 628"),
        "the line stops after its `until`: {}",
        paths[0]
    );
    assert!(
        html.contains("Step chart of rate from 2 April 2025 to 31 July 2025, 2 lines. JP: from 24% to 10%. KR: from 26% to 10%."),
        "{html}"
    );
    // Events: only those the filter keeps, numbered on the chart and listed under it.
    assert!(
        html.contains(
            "<li value=\"1\"><time datetime=\"2025-04-09\">9 April 2025</time>: Applied</li>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<li value=\"2\"><time datetime=\"2025-07-08\">8 July 2025</time>: Pause ends</li>"
        ),
        "{html}"
    );
    assert!(!html.contains("Announced</li>"), "{html}");
    // The figures as a table: every date something changed, each key's value from it.
    assert!(
        html.contains("<tr><th scope=\"row\"><time datetime=\"2025-04-09\">9 April 2025</time></th><td class=\"num\" data-value=\"10.0\">10</td><td class=\"num\" data-value=\"10.0\">10</td></tr>"),
        "{html}"
    );
    assert!(
        html.contains("<tr><th scope=\"row\"><time datetime=\"2025-07-09\">9 July 2025</time></th><td class=\"num\">no value</td><td class=\"num\">no value</td></tr>"),
        "{html}"
    );
    // Built as of 5 April, the chart knows only what had happened by then.
    let run = build(&site, "2025-04-05");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    assert!(
        html.contains("JP: 24% throughout. KR: from 26% to 25%."),
        "{html}"
    );
    // Mistakes: a file not kept through time, two columns, an end before the start.
    for (call, message) in [
        (
            "chart(kind=\"step\", data=\"events.csv\", x=\"id\", y=\"when\", caption=\"c\")",
            "a step chart draws a value through time, and `data/events.csv` is not kept through time",
        ),
        (
            "chart(kind=\"step\", data=\"rates.csv\", x=\"iso2\", y=[\"rate\", \"rate\"], caption=\"c\")",
            "a step chart draws one column: give `y` one name",
        ),
        (
            "chart(kind=\"step\", data=\"rates.csv\", x=\"iso2\", y=\"rate\", to=\"2025-01-01\", caption=\"c\")",
            "this step chart would end on 2025-01-01, before it starts on 2025-04-02",
        ),
        (
            "chart(kind=\"stepped\", data=\"rates.csv\", x=\"iso2\", y=\"rate\", caption=\"c\")",
            "unknown chart kind `stepped`",
        ),
    ] {
        site.write(
            "content/rates.md",
            format!("---\ntitle: Rates\n---\n{{{{ {call} }}}}\n"),
        );
        let run = build(&site, "2025-04-20");
        assert_eq!(run.code, 1, "{call}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{call}: {}", run.stderr);
    }
}

#[test]
fn changes_lists_what_is_new_gone_up_or_down_between_two_dates() {
    let site = site(
        "---\ntitle: Rates\ndate: 2025-04-01\nupdates:\n  - { date: 2025-04-02, note: \"Rates announced.\" }\n---\n{{ changes(data=\"rates.csv\", column=\"rate\", from=\"2025-04-02\", to=\"2025-04-03\") }}\n\n{{ changes(data=\"rates.csv\", column=\"rate\") }}\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    let first = html.split("id=\"table-2\"").next().unwrap_or_default();
    assert!(
        first.contains("<caption id=\"table-1-caption\">Rate: what changed between 2 April 2025 and 3 April 2025</caption>"),
        "{first}"
    );
    assert_eq!(cells(first), ["KR down 26 25"], "{first}");
    // Without `from`: since the page's last update (2 April), to the build date.
    let second = html.split("id=\"table-2\"").nth(1).unwrap_or_default();
    assert_eq!(
        cells(second),
        ["JP down 24 10", "KR down 26 10"],
        "{second}"
    );
    // Nothing changed: one sentence, not an empty table.
    site.write(
        "content/rates.md",
        "---\ntitle: Rates\n---\n{{ changes(data=\"rates.csv\", column=\"rate\", from=\"2025-04-10\", to=\"2025-04-20\") }}\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site.main_html("rates/index.html").contains("<p class=\"tt-changes-none\">Rate: nothing changed between 10 April 2025 and 20 April 2025.</p>"),
        "{}",
        site.main_html("rates/index.html")
    );
    // New and gone keys.
    site.write(
        "data/rates.csv",
        format!("{RATES}IN,26,announced,2025-04-15,\n"),
    )
    .write(
        "content/rates.md",
        "---\ntitle: Rates\n---\n{{ changes(data=\"rates.csv\", column=\"rate\", from=\"2025-04-10\", to=\"2025-07-20\") }}\n",
    );
    let run = build(&site, "2025-07-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        cells(&site.main_html("rates/index.html")),
        [
            "IN new — no value 26",
            "JP gone 10 — no value",
            "KR gone 10 — no value"
        ]
    );
    // No date to compare from.
    site.write(
        "content/rates.md",
        "---\ntitle: Rates\n---\n{{ changes(data=\"rates.csv\", column=\"rate\") }}\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: `changes` needs the date to compare from: this page has no update before the build date"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_line_chart_joins_the_values_and_ends_at_the_last() {
    let site = site(
        "---\ntitle: Rates\n---\n{{ chart(kind=\"line\", data=\"rates.csv\", x=\"iso2\", y=\"rate\", to=\"2025-04-30\", caption=\"Rates\") }}\n",
    );
    let run = build(&site, "2025-04-20");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.main_html("rates/index.html");
    let path = html
        .split("<path class=\"tt-step tt-series-1\" d=\"")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .unwrap_or_default()
        .to_owned();
    // South Korea: 26, 25, 10, joined by straight lines, the last point the line's end.
    assert!(path.starts_with("M "), "{path}");
    assert_eq!(path.matches(" L ").count(), 2, "{path}");
    assert!(!path.contains(" H ") && !path.contains(" V "), "{path}");
    assert!(
        html.contains("Line chart of rate from 2 April 2025 to 30 April 2025, 2 lines."),
        "{html}"
    );
}
