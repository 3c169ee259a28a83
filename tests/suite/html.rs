//! The default site's HTML and CSS checked by the Nu Html Checker (vnu). The check never
//! skips: without Java or npm, `scripts/html-check.sh` installs them or fails saying how.

use crate::support::Site;

#[test]
fn default_site_has_no_html_errors() {
    let site = Site::default_site();
    site.build();
    check_html(&site);
}

/// Japanese, Korean, Hindi and Arabic text, emoji, Unicode file names and URLs.
#[test]
fn multilingual_fixture_has_no_html_errors() {
    let site = Site::fixture("multilingual");
    site.build();
    check_html(&site);
}

/// The second explainer, built with the built-in templates only.
#[test]
fn explainer_fixture_has_no_html_errors() {
    let site = Site::fixture("explainer");
    site.build();
    check_html(&site);
}

fn check_html(site: &Site) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/html-check.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .arg(site.root().join("public"))
        .output()
        .expect("cannot run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "vnu found errors or could not run:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(", 0 errors"), "{stdout}");
}
