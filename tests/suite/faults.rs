//! Faults found when the tool was tried as a new user would, each pinned by exit code and
//! message: links out of the site, absolute paths, unreadable files, bad usage, YAML errors in
//! the library's words, leftovers of a killed build; the output folder present at every
//! instant of a build; a bug (a forced panic) reported and survived by `build` and `serve`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::serve::{Server, edit};
use crate::support::Site;

#[test]
fn a_symlink_out_of_the_site_is_refused_and_one_inside_is_fine() {
    let site = Site::minimal();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "not for publishing").unwrap();
    site.write("static/inside.txt", "fine");
    std::fs::create_dir_all(site.root().join("static/more")).unwrap();
    std::os::unix::fs::symlink("../inside.txt", site.root().join("static/more/link.txt")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.root().join("static/leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), site.root().join("content/elsewhere")).unwrap();
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let outside_name = outside.path().canonicalize().unwrap();
    assert!(
        run.stderr.contains(&format!(
            "error: `static/leak.txt` is a symbolic link to `{}/secret.txt`, outside the site",
            outside_name.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "error: `content/elsewhere` is a symbolic link to `{}`, outside the site",
            outside_name.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!site.exists("leak.txt"));
    // Without the links out, the link inside the site is copied like any file.
    std::fs::remove_file(site.root().join("static/leak.txt")).unwrap();
    std::fs::remove_file(site.root().join("content/elsewhere")).unwrap();
    site.build();
    assert_eq!(site.output("more/link.txt"), "fine");
}

#[test]
fn new_refuses_an_absolute_path() {
    let site = Site::minimal();
    let run = site.run(&["new", "/abs/path.md"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: `/abs/path.md` is an absolute path: name the page inside content/, such as `countries/brazil.md`\n"
    );
    assert!(!site.root().join("content/abs").exists());
}

#[test]
fn a_base_url_that_is_not_a_url_is_bad_usage() {
    let site = Site::minimal();
    let run = site.run(&["build", "--base-url", "not a url"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: invalid value 'not a url' for '--base-url <BASE_URL>': the base URL must start with `https://` or `http://`, found `not a url`"
        ),
        "{}",
        run.stderr
    );
    assert!(!site.exists("index.html"));
}

#[test]
fn yaml_errors_are_in_an_editors_words() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: One\ndescription: x\ntitle: Two\n---\nBody.\n",
    );
    let big = vec!["1"; 260_000].join(",");
    site.write(
        "content/big.md",
        format!("---\ntitle: Big\nextra:\n  list: [{big}]\n---\nBody.\n"),
    );
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    site.write(
        "content/deep.md",
        format!("---\ntitle: Deep\nextra: {deep}\n---\nBody.\n"),
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: `title` is given twice; first at line 2\n --> content/page.md:4:1\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: this front matter is too large (the limit is 250000 values and 64 MB of text): split it into several files\n --> content/big.md:4:"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: this front matter is too deeply nested (the limit is 255 levels of brackets)\n --> content/deep.md:3:"
        ),
        "{}",
        run.stderr
    );
    for internals in ["DuplicateKeyPolicy", "budget", "Nodes {", "recursion limit"] {
        assert!(!run.stderr.contains(internals), "{}", run.stderr);
    }
}

/// A file in `static/` that cannot be read is named as such (not as a file that could not be
/// written). Root reads any file, so as root the build runs as `nobody`.
#[test]
fn an_unreadable_static_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let site = Site::minimal();
    site.write("static/notes.txt", "private");
    let file = site.root().join("static/notes.txt");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"));
    command
        .args(["build", "--root"])
        .arg(site.root())
        .env("NO_COLOR", "1");
    if is_root() {
        for entry in walkdir::WalkDir::new(site.root()) {
            let entry = entry.unwrap();
            if entry.path() != file {
                let mode = if entry.file_type().is_dir() {
                    0o777
                } else {
                    0o666
                };
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))
                    .unwrap();
            }
        }
        command.uid(65534).gid(65534);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: cannot read `static/notes.txt`: Permission denied (os error 13)\n--> static/notes.txt\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("cannot write"), "{stderr}");
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn leftovers_of_a_killed_build_are_removed_with_a_note() {
    let site = Site::minimal();
    site.write(".public.tradetalks-new/index.html", "half a build");
    site.write(".public.tradetalks-old/index.html", "the build before");
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "note: removed `.public.tradetalks-new`, left behind by a build that was interrupted\nnote: removed `.public.tradetalks-old`, left behind by a build that was interrupted\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!site.root().join(".public.tradetalks-new").exists());
    assert!(!site.root().join(".public.tradetalks-old").exists());
    assert!(site.exists("page/index.html"));
}

/// The new output replaces the old by an atomic exchange: polled from another thread while a
/// few hundred pages build (twice), `public/` and its home page exist at every instant.
#[test]
fn the_output_folder_exists_at_every_instant_of_a_build() {
    let site = Site::minimal();
    for i in 0..400 {
        site.write(
            &format!("content/p{i}.md"),
            format!("---\ntitle: Page {i}\n---\nText of page {i}, with **some** words.\n"),
        );
    }
    site.build();
    let home = site.root().join("public/index.html");
    let stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let stop = Arc::clone(&stop);
        let home = home.clone();
        std::thread::spawn(move || {
            let (mut polls, mut missing) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                polls += 1;
                if !home.is_file() {
                    missing += 1;
                }
            }
            (polls, missing)
        })
    };
    for _ in 0..2 {
        site.build();
    }
    std::thread::sleep(Duration::from_millis(20));
    stop.store(true, Ordering::Relaxed);
    let (polls, missing) = poller.join().unwrap();
    assert!(polls > 1000, "the poller hardly ran ({polls} polls)");
    assert_eq!(
        missing, 0,
        "public/index.html was missing in {missing} of {polls} polls"
    );
}

/// A bug while one page renders (forced through the debug-build test hook) is an internal
/// error naming the page, reported with the site's other errors; nothing panics out.
#[test]
fn a_bug_in_a_build_is_reported_as_an_internal_error_naming_the_file() {
    let site = Site::minimal();
    site.write(
        "content/page.md",
        "---\ntitle: A page\n---\nTRADETALKS-TEST-PANIC\n",
    );
    site.write("content/other.md", "---\ntitle: [unclosed\n---\nText.\n");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tradetalks"))
        .args(["build"])
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .env("TRADETALKS_TEST_PANIC", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: internal error while rendering `content/page.md`: forced by TRADETALKS_TEST_PANIC (a test of how bugs are survived)\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("= note: tradetalks panicked at src/guard.rs:"),
        "{stderr}"
    );
    assert!(stderr.contains("content/other.md:2:"), "{stderr}");
    assert!(
        !stderr.contains("thread '"),
        "a raw panic message: {stderr}"
    );
    assert!(!site.exists("index.html"));
}

/// In `serve`, the same bug shows in the terminal and in the browser's overlay, the last good
/// site stays up, the watcher goes on, and the next good save recovers.
#[test]
fn serve_survives_a_bug_and_recovers_on_the_next_good_save() {
    let site = Site::fixture("data");
    let server = Server::start_with_env(&site, &[("TRADETALKS_TEST_PANIC", "1")]);
    server.wait_for("/stances/japan/", "the first build", |b| {
        b.contains("Japan&#39;s stance")
    });
    // An edit to an existing page (serve's update path).
    edit(
        &site,
        "content/stances/japan.md",
        "---\nJapan.",
        "---\nJapan. TRADETALKS-TEST-PANIC",
    );
    let broken = server.wait_for("/stances/japan/", "the internal error", |b| {
        b.contains("id=\"tradetalks-error\"")
    });
    assert!(
        broken.contains("internal error while rendering `content/stances/japan.md`"),
        "{broken}"
    );
    assert!(
        broken.contains("Japan&#39;s stance"),
        "the last good page was not kept"
    );
    // A new page that trips the bug (a full build): still reported, still serving.
    site.write(
        "content/stances/chile.md",
        "---\ntitle: Chile\ncountry: Chile\nrate: { value: 1, as_of: 2025-04-02, source: \"Annex I\" }\nasks: []\n---\nTRADETALKS-TEST-PANIC\n",
    );
    server.wait_for("/", "the internal error in a full build", |b| {
        b.contains("internal error while rendering `content/stances/chile.md`")
    });
    // Good saves recover.
    site.remove("content/stances/chile.md");
    edit(
        &site,
        "content/stances/japan.md",
        "Japan. TRADETALKS-TEST-PANIC",
        "Japan, recovered.",
    );
    server.wait_for("/stances/japan/", "the recovery", |b| {
        b.contains("Japan, recovered.") && !b.contains("tradetalks-error")
    });
    // The log is read from the server's stderr by another thread: wait for the line.
    let log = server.wait_for_log("internal error while rendering `content/stances/japan.md`");
    assert!(
        log.contains("error: internal error while rendering `content/stances/japan.md`"),
        "{log}"
    );
    assert!(!log.contains("thread '"), "a raw panic message: {log}");
    assert_eq!(server.interrupt(), 0);
}
