//! What only a browser shows, in Debian's headless Chromium: tables sort by mouse and keyboard
//! and set `aria-sort`, pages read the same with JavaScript off, nothing scrolls sideways at
//! 375 px, colours keep their contrast in light and dark mode, and axe-core finds no WCAG 2.2 AA
//! violation. `scripts/browser-test.sh` installs what it needs or fails; it never skips.

use crate::support::Site;

fn run_script(arg: &std::ffi::OsStr, env: &[(&str, &str)]) -> std::process::Output {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser-test.sh");
    std::process::Command::new("bash")
        .arg(script)
        .arg(arg)
        .envs(env.iter().copied())
        .output()
        .expect("cannot run bash")
}

/// Runs the suite over the site's `public/`; `search` is a query and the page it must find,
/// `also` more such pairs as JSON.
fn browser_suite(site: &Site, search: (&str, &str), also: &str) {
    let env = [
        ("TT_SEARCH_QUERY", search.0),
        ("TT_SEARCH_EXPECT", search.1),
        ("TT_SEARCH_ALSO", also),
    ];
    let output = run_script(site.root().join("public").as_os_str(), &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser suite failed or could not run:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(stdout.contains("# skipped 0"), "{stdout}");
}

/// One test, so that two Chromiums never compete for the machine's two cores.
#[test]
fn default_site_and_every_shortcode_in_a_real_browser() {
    let default_site = Site::default_site();
    default_site.build();
    // Each edition's own search finds its words (issue 15's queries).
    let editions = serde_json::json!([
        ["関税", "ja/countries/japan/", "ja/search/"],
        ["交渉", "ja/countries/japan/", "ja/search/"],
        ["自動車", "ja/countries/japan/", "ja/search/"],
        ["관세", "ko/countries/south-korea/", "ko/search/"],
        ["협상", "ko/countries/south-korea/", "ko/search/"],
        ["शुल्क", "hi/countries/india/", "hi/search/"],
        ["किसान", "hi/countries/india/", "hi/search/"],
    ]);
    browser_suite(
        &default_site,
        ("rice", "countries/japan/"),
        &editions.to_string(),
    );
    let fixture = Site::fixture("data");
    fixture.build();
    browser_suite(&fixture, ("japan", "stances/japan/"), "[]");
    // The second explainer, built-in templates only: its schema tables and charts.
    let explainer = Site::fixture("explainer");
    explainer.build();
    browser_suite(&explainer, ("beef", "parties/brazil/"), "[]");
    // Every script: search.js must cut queries as the build cut the pages.
    let multilingual = Site::fixture("multilingual");
    multilingual.build();
    let url = |path: &str| tradetalks::config::encode_path(path).into_owned();
    let also = serde_json::json!([
        ["쌀", url("한국/한국의-입장/")],
        ["관세", url("한국/한국의-입장/")],
        ["किसान", url("भारत/")],
        ["स्थिति", url("भारत/")],
        ["交渉", url("日本の交渉/")],
    ]);
    browser_suite(
        &multilingual,
        ("関税", &url("日本の交渉/")),
        &also.to_string(),
    );
}

/// The suite must be able to fail: on a page with a table missing its header scopes, a
/// duplicate id, an image without alt text and low-contrast text, `--broken-fixture` exits 0
/// only when the suite failed and named every one of those problems.
#[test]
fn the_browser_suite_fails_on_a_broken_page() {
    let output = run_script(std::ffi::OsStr::new("--broken-fixture"), &[]);
    assert!(
        output.status.success(),
        "the suite did not catch every planted problem:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A page open in Chromium reloads by itself after an edit, shows the error overlay after a
/// broken edit (over the last good page), and clears it when the edit is fixed.
#[test]
fn an_open_page_reloads_itself_and_shows_build_errors() {
    let site = Site::default_site();
    let server = crate::serve::Server::start(&site);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser-test.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .arg("--live")
        .arg(&server.url)
        .arg(site.root())
        .output()
        .expect("cannot run bash");
    assert!(
        output.status.success(),
        "the live-reload test failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.interrupt(), 0);
}

/// The default site built for a subpath and served under it: pages load without errors and
/// search (its index fetched from under the path) finds the expected page.
#[test]
fn search_and_pages_work_under_a_subpath() {
    let site = Site::default_site();
    let run = site.run(&[
        "build",
        "--quiet",
        "--as-of",
        "2025-04-20",
        "--base-url",
        "https://example.org/explainers/tariffs/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let env = [
        ("TT_BASE_PATH", "/explainers/tariffs/"),
        ("TT_ONLY", "pages.test.js search.test.js"),
        ("TT_SEARCH_QUERY", "rice"),
        ("TT_SEARCH_EXPECT", "countries/japan/"),
    ];
    let output = run_script(site.root().join("public").as_os_str(), &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the subpath browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("# fail 0") && stdout.contains("# skipped 0"),
        "{stdout}"
    );
}
