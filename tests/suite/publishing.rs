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
