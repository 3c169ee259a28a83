//! The newsroom's publishing controls (issue 17): TOML front matter as Zola and Hugo write
//! it, and problems printed for machines (`--format json`) and pull requests
//! (`--format github`).

use crate::support::Site;

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
