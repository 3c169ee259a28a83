//! `check` (each kind of finding, exit codes, `--external` against a local server), `init`
//! and `new`.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::support::Site;

#[test]
fn check_reports_links_anchors_and_stale_figures_without_writing() {
    let site = Site::fixture("data");
    site.write(
        "content/links.md",
        "---\ntitle: Links\n---\n[a](@/stances/japan.md#nowhere), [b](/stances/atlantis/), [c](/stances/india/#nope), [d](table-9.csv)\n",
    );
    let run = site.run(&["check", "--as-of", "2026-06-01"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!site.root().join("public").exists(), "check wrote output");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn check_passes_a_good_site_and_strict_fails_on_warnings() {
    let site = Site::fixture("data");
    let run = site.run(&["check", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Check passed: 0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.run(&["check", "--strict", "--as-of", "2026-06-01"])
            .code,
        1
    );
    assert_eq!(Site::empty().run(&["check"]).code, 2);
}

/// A local server that answers 200 for `/ok` and 404 for everything else.
fn local_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 2048];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]);
            let status = if request.split_whitespace().nth(1) == Some("/ok") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    format!("http://{address}")
}

#[test]
fn check_external_fetches_each_link_and_names_the_broken_ones() {
    let base = local_server();
    let site = Site::fixture("data");
    site.write(
        "content/out.md",
        format!("---\ntitle: Out\n---\n[fine]({base}/ok) and [gone]({base}/gone) and [fine again]({base}/ok)\n"),
    );
    let plain = site.run(&["check", "--as-of", "2025-04-20"]);
    assert_eq!(
        plain.code, 0,
        "without --external nothing is fetched:\n{}",
        plain.stderr
    );
    let run = site.run(&[
        "check",
        "--external",
        "--timeout",
        "5",
        "--as-of",
        "2025-04-20",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let stderr = run.stderr.replace(&base, "http://[LOCAL]");
    assert!(
        stderr.contains("broken external link: http://[LOCAL]/gone (HTTP 404)"),
        "{stderr}"
    );
    assert!(stderr.contains("--> content/out.md:4:"), "{stderr}");
    assert!(!stderr.contains("/ok ("), "{stderr}");
}

#[test]
fn init_writes_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let parent = Site::empty();
    let run = parent.run(&["init", "mysite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("tradetalks serve"), "{}", run.stderr);
    let built = parent.run(&[
        "build",
        "--root",
        "mysite",
        "--quiet",
        "--as-of",
        "2025-04-20",
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(
        parent
            .root()
            .join("mysite/public/countries/japan/index.html")
            .is_file()
    );

    let again = parent.run(&["init", "mysite"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("is not empty") && again.stderr.contains("--force"),
        "{}",
        again.stderr
    );
    parent.write("mysite/content/countries/japan.md", "edited");
    assert_eq!(parent.run(&["init", "mysite", "--force"]).code, 0);
    let restored =
        std::fs::read_to_string(parent.root().join("mysite/content/countries/japan.md")).unwrap();
    assert!(
        restored.starts_with("---\n"),
        "--force did not rewrite the default page"
    );
}

#[test]
fn new_prefills_the_schema_and_never_overwrites() {
    let parent = Site::empty();
    assert_eq!(parent.run(&["init", "site"]).code, 0);
    let run = parent.run(&["new", "countries/brazil.md", "--root", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text =
        std::fs::read_to_string(parent.root().join("site/content/countries/brazil.md")).unwrap();
    assert!(text.contains("title: \"Brazil\""), "{text}");
    assert!(text.contains("draft: true"), "{text}");
    assert!(
        text.contains("lead_negotiator: { value: \"TODO\""),
        "{text}"
    );
    assert!(text.contains("# delegation: []  # optional list"), "{text}");
    // The new draft builds as it is (dated today: built as of a later date).
    let built = parent.run(&[
        "build",
        "--root",
        "site",
        "--drafts",
        "--quiet",
        "--as-of",
        "2099-01-01",
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(
        parent
            .root()
            .join("site/public/countries/brazil/index.html")
            .is_file()
    );

    let again = parent.run(&["new", "countries/brazil.md", "--root", "site"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let bad = parent.run(&["new", "../escape.md", "--root", "site"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}
