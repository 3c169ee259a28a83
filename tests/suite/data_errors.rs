//! Every kind of bad data file, bad fact reference and bad shortcode: an error at its file,
//! line and column with a snippet, exit code 1, and the previous output untouched.

use crate::support::{Run, Site};

/// Builds the data fixture, applies `break_it`, builds again; checks the failure was clean.
fn failing(break_it: impl FnOnce(&Site)) -> Run {
    let site = Site::fixture("data");
    site.build();
    let before = site.snapshot_output("public");
    break_it(&site);
    let run = site.run(&["build", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "the build should have failed:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        before == site.snapshot_output("public"),
        "a failed build changed the output"
    );
    run
}

fn page_with(body: &str) -> impl FnOnce(&Site) + '_ {
    move |site: &Site| {
        site.write("content/bad.md", format!("---\ntitle: Bad\n---\n{body}\n"));
    }
}

#[test]
fn ragged_csv_row() {
    let run = failing(|s| {
        s.write(
            "data/rates.csv",
            "country,iso2,rate,exports\nJapan,JP,24,1\nIndia,IN\n",
        );
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn text_in_a_numeric_column_and_a_bad_country_code() {
    let run = failing(|s| {
        s.write(
            "data/rates.csv",
            "country,iso2,rate,exports\nJapan,JP,twenty,1\nIndia,India,26,2\nChad,TD,150,3\n",
        );
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn malformed_yaml_json_and_toml_data() {
    let run = failing(|s| {
        s.write(
            "data/events.yaml",
            "- date: 2025-04-02\n  title: [unclosed\n",
        );
        s.write("data/extra.json", "{\"a\": [1, 2,}\n");
        s.write("data/more.toml", "a = \n");
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn schema_for_a_missing_file_and_a_missing_required_column() {
    let run = failing(|s| {
        let config = std::fs::read_to_string(s.root().join("tradetalks.toml")).unwrap();
        s.write(
            "tradetalks.toml",
            format!("{config}\n[data.\"rate.csv\"]\ntitle = \"typo\"\n"),
        );
        s.write("data/rates.csv", "country,iso2,exports\nJapan,JP,1\n");
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn bad_column_schema_in_config() {
    let run = failing(|s| {
        let config = std::fs::read_to_string(s.root().join("tradetalks.toml")).unwrap();
        s.write(
            "tradetalks.toml",
            config.replace("rate = { type = \"number\"", "rate = { type = \"numbr\""),
        );
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn fact_reference_to_a_missing_row_column_and_file() {
    let run = failing(|s| {
        s.write(
            "content/stances/india.md",
            "---\ntitle: India\nweight: 2\ncountry: India\nrate: { data: \"rates.csv\", row: \"XX\", column: \"rate\" }\nasks: []\nfigures:\n  a: { data: \"rates.csv\", row: \"IN\", column: \"rat\" }\n  b: { data: \"rate.csv\", row: \"IN\", column: \"rate\" }\n---\n",
        );
    });
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_shortcode_with_suggestion() {
    let run = failing(page_with("{{ tabel(data=\"rates.csv\") }}"));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn shortcode_arguments_unknown_wrong_type_and_missing() {
    let run = failing(page_with(
        "{{ table(dta=\"rates.csv\", limit=\"ten\") }}\n\n{{ compare(section=\"stances\", fields=[\"rate\"]) }}",
    ));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn table_naming_a_missing_column_with_a_bad_filter() {
    let run = failing(page_with(
        "{{ table(data=\"rates.csv\", columns=[\"country\", \"rte\"], filter=\"rate\", caption=\"x\") }}",
    ));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn shortcode_syntax_errors() {
    let run = failing(page_with(
        "{{ table(data=\"rates.csv\" }}\n\n{% note() %}\nnever closed\n\nText {% end %} and {{ source(title=unquoted) }}",
    ));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn block_shortcode_inside_a_sentence() {
    let run = failing(page_with(
        "See {{ chart(data=\"rates.csv\", x=\"country\", y=\"rate\", caption=\"c\") }} here.",
    ));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn chart_of_a_text_column_and_a_section_field_nobody_has() {
    let run = failing(page_with(
        "{{ chart(data=\"rates.csv\", x=\"country\", y=\"iso2\", caption=\"c\") }}\n\n{{ chart(section=\"stances\", x=\"country\", y=\"figures.stel\", caption=\"c\") }}",
    ));
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn stale_figures_warn_in_build_and_fail_check_strict() {
    let site = Site::fixture("data");
    let run = site.run(&["check", "--as-of", "2026-06-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    let strict = site.run(&["check", "--strict", "--as-of", "2026-06-01"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    let fresh = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
}

#[test]
fn a_page_that_fails_to_load_is_reported_once_not_at_every_link_to_it() {
    let run = failing(|s| {
        s.write(
            "content/stances/india.md",
            "---\ntitle: [unclosed\n---\nBody.\n",
        );
        s.write(
            "content/links.md",
            "---\ntitle: Links\n---\nSee [India](@/stances/india.md).\n",
        );
    });
    assert_eq!(run.stderr.matches("error:").count(), 2, "{}", run.stderr);
    assert!(
        !run.stderr.contains("broken internal link"),
        "{}",
        run.stderr
    );
}
