//! Shortcodes and data files end to end: the HTML of every built-in (snapshots), the CSV
//! downloads, fact references, and a data edit reaching every table and chart that shows it.

use crate::support::Site;

#[test]
fn every_builtin_shortcode_renders() {
    let site = Site::fixture("data");
    site.build();
    insta::assert_snapshot!("data_fixture_home_main", site.main_html("index.html"));
}

#[test]
fn shortcodes_are_left_alone_in_code_and_after_a_backslash() {
    let site = Site::fixture("data");
    site.build();
    let home = site.output("index.html");
    assert!(home.contains("Literal {{ braces }} stay"));
    assert!(home.contains("<code>{{ table() }}</code>"));
    assert!(home.contains("{{ chart() }}\n</code></pre>"));
    assert!(home.contains("<span class=\"flag\">JP on Home</span>"));
}

#[test]
fn tables_offer_exactly_their_rows_as_csv() {
    let site = Site::fixture("data");
    site.build();
    assert_eq!(
        site.output("table-1.csv"),
        "Partner,Rate (%),Exports (US$ billion)\nIndia,26,87.4\nJapan,24,148.2\nNamibia,21,0.3\nNorway,15,\n"
    );
    let compare = site.output("table-2.csv");
    assert!(
        compare.starts_with(
            ",Japan,India\nReciprocal rate,24%,26%\nAsks,Rice; Defence costs,Farm access\n"
        ),
        "{compare}"
    );
    assert!(
        site.output("index.html")
            .contains("href=\"/table-1.csv\" download")
    );
}

#[test]
fn country_codes_no_and_na_stay_codes() {
    let site = Site::fixture("data");
    site.write(
        "content/codes.md",
        "---\ntitle: Codes\n---\n{{ table(data=\"rates.csv\", columns=[\"iso2\", \"rate\"], filter=\"iso2 in NO,NA\", caption=\"Codes\") }}\n",
    );
    site.build();
    let html = site.output("codes/index.html");
    assert!(html.contains("<th scope=\"row\">NO</th>"), "{html}");
    assert!(html.contains("<th scope=\"row\">NA</th>"), "{html}");
}

#[test]
fn one_data_edit_reaches_every_table_chart_and_reference() {
    let site = Site::fixture("data");
    site.build();
    let before = site.output("index.html");
    // The table's heading says `(%)`; its cells show the numbers.
    assert!(before.contains("data-value=\"24.0\">24</td>"));
    assert!(before.contains(">24%</text>"));

    let csv = std::fs::read_to_string(site.root().join("data/rates.csv")).unwrap();
    site.write(
        "data/rates.csv",
        csv.replace("Japan,JP,24,", "Japan,JP,31,"),
    );
    site.build();
    let after = site.output("index.html");
    assert!(!after.contains(">24%<"), "an old value survived");
    // The sorted table, the filtered chart, the grouped chart and the comparison matrix
    // (through the fact reference in Japan's front matter).
    assert!(after.contains("data-value=\"31.0\">31</td>"));
    assert_eq!(
        after.matches(">31%</text>").count(),
        4,
        "both charts, each drawn wide and narrow"
    );
    assert!(
        after.contains("<td class=\"num\">31%<sup"),
        "the comparison matrix"
    );
    assert!(site.output("table-1.csv").contains("Japan,31,"));
}

#[test]
fn timelines_mark_events_against_the_build_date() {
    let site = Site::fixture("data");
    site.build();
    let home = site.output("index.html");
    assert!(home.contains("<li class=\"tt-event tt-upcoming\">\n<time datetime=\"2025-07-08\">"));
    let run = site.run(&["build", "--quiet", "--as-of", "2025-07-09"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let later = site.output("index.html");
    assert!(!later.contains("tt-upcoming"));
    assert!(later.contains("<li class=\"tt-event tt-past\">\n<time datetime=\"2025-07-08\">"));
}
