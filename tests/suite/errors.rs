//! Each kind of bad input: a clear error naming the file (and line and column where there is
//! one), the right exit code, and the previous output left exactly as it was.

use crate::support::{Run, Site};

/// Builds a good site first, applies `break_it`, builds again and returns the failed run
/// after checking that the previous output is untouched.
fn failing_build(break_it: impl FnOnce(&Site)) -> Run {
    let site = Site::minimal();
    site.build();
    let before = site.snapshot_output("public");
    break_it(&site);
    let run = site.run(&["build"]);
    assert_ne!(run.code, 0, "the build should have failed:\n{}", run.stderr);
    assert!(
        before == site.snapshot_output("public"),
        "a failed build changed the output"
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn page(front: &str) -> String {
    format!("---\n{front}---\nBody.\n")
}

#[test]
fn malformed_yaml() {
    let run = failing_build(|s| {
        s.write(
            "content/page.md",
            page("title: \"unclosed\ndate: 2025-04-02\n"),
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn missing_closing_dashes() {
    let run = failing_build(|s| {
        s.write(
            "content/page.md",
            "---\ntitle: Open\n\nBody without an end.\n",
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn missing_title() {
    let run = failing_build(|s| {
        s.write("content/page.md", page("description: no title here\n"));
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_front_matter_field_with_suggestion() {
    let run = failing_build(|s| {
        s.write("content/page.md", page("title: x\ndescripton: typo\n"));
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn wrong_type_against_schema() {
    let run = failing_build(|s| {
        s.write(
            "tradetalks.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n[schema.countries]\niso2 = \"string\"\nasks = \"list\"\nrate = \"figure\"\n",
        )
        .write("content/countries/_index.md", "---\ntitle: Countries\n---\n")
        .write(
            "content/countries/japan.md",
            page("title: Japan\niso2: [JP]\nasks: cars\nrate: {as_of: 2025-04-02}\n"),
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn invalid_utf8() {
    let run = failing_build(|s| {
        s.write("content/page.md", b"---\ntitle: caf\xe9\n---\n".as_slice());
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn template_syntax_error() {
    let run = failing_build(|s| {
        s.write(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock content %}\n",
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn template_with_undefined_variable() {
    let run = failing_build(|s| {
        s.write(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.titel }}</h1>\n{% endblock content %}\n",
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn two_pages_with_the_same_url() {
    let run = failing_build(|s| {
        s.write("content/other.md", page("title: Other\nslug: page\n"));
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn slug_that_climbs_out() {
    let run = failing_build(|s| {
        s.write("content/page.md", page("title: Escape\nslug: ../../etc\n"));
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_loop_under_content() {
    let run = failing_build(|s| {
        std::fs::create_dir_all(s.root().join("content/loop")).unwrap();
        std::os::unix::fs::symlink(s.root().join("content"), s.root().join("content/loop/back"))
            .unwrap();
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn broken_internal_link_and_anchor() {
    let run = failing_build(|s| {
        s.write(
            "content/_index.md",
            "---\ntitle: Home\n---\nSee [a](@/pag.md) and [b](@/page.md#nowhere).\n",
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_config_key() {
    let run = failing_build(|s| {
        s.write(
            "tradetalks.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\nlangauge = \"en\"\n",
        );
    });
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn every_error_of_a_build_is_reported_at_once() {
    let run = failing_build(|s| {
        s.write("content/a.md", page("title: [not, a, string]\n"))
            .write("content/b.md", "no front matter\n")
            .write("content/c.md", page("title: C\ndraft: maybe\n"));
    });
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("content/a.md:2:8"), "{}", run.stderr);
    assert!(run.stderr.contains("content/b.md:1:1"), "{}", run.stderr);
    assert!(run.stderr.contains("content/c.md:3:8"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: build failed: 3 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_folder_equal_to_the_root_is_refused() {
    let site = Site::minimal();
    for output in [".", "..", "content"] {
        let run = site.run(&["build", "--output", output]);
        assert_eq!(run.code, 2, "{output}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: refusing to use"),
            "{}",
            run.stderr
        );
    }
    assert!(site.root().join("content/page.md").exists());
    assert!(site.root().join("tradetalks.toml").exists());
}

#[test]
fn not_a_site_is_a_usage_error() {
    let site = Site::empty();
    let run = site.run(&["build"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no `tradetalks.toml`"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_arguments_exit_with_2() {
    let site = Site::minimal();
    let run = site.run(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2);
    let run = site.run(&["frobnicate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    let run = failing_build(|s| {
        let mut block = String::from("---\ntitle: deep\nextra:\n");
        for depth in 1..=5000 {
            block.push_str(&"  ".repeat(depth));
            block.push_str("k:\n");
        }
        block.push_str(&format!("{}v\n---\n", "  ".repeat(5001)));
        let flow = format!(
            "---\ntitle: deep\nextra: {{a: {}{}}}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        s.write("content/block.md", block)
            .write("content/flow.md", flow);
    });
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("--> content/block.md:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/flow.md:3:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 errors"), "{}", run.stderr);
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let run = failing_build(|s| {
        let mut text =
            String::from("---\ntitle: bomb\nextra:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            let refs = vec![format!("*a{p}"); 9].join(", ");
            text.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
        }
        text.push_str("---\n");
        s.write("content/page.md", text);
    });
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("--> content/page.md:"),
        "{}",
        run.stderr
    );
}
