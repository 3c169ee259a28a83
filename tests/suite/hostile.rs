//! The hostile-input corpus (issue 7). Each folder of `tests/hostile/` is a small site plus an
//! `expect.toml` saying how its build must end (format in `tests/hostile/README.md`); inputs
//! too big to commit are generated below. Every case is built by the real binary under a time
//! limit, and:
//!
//! - no build panics, overflows its stack or dies from a signal;
//! - a failed build exits with the expected code and message and leaves `public/` byte for
//!   byte as it was (a sentinel file stands in for the last good build);
//! - a good build replaces `public/` and writes what `contains`/`absent` say;
//! - no build writes, removes or changes anything outside `public/`.
//!
//! Every case runs, and all failures are reported together at the end.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::support::Site;

/// `tests/hostile/CASE/expect.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcome: Outcome,
    /// A substring stderr must contain (required for errors).
    #[serde(default)]
    message: Option<String>,
    /// A position stderr must point at: it must contain `--> {at}` (a prefix such as
    /// `content/page.md:` works).
    #[serde(default)]
    at: Option<String>,
    /// The build must finish within this many seconds, or it is killed and the case fails.
    #[serde(default = "default_seconds")]
    seconds: u64,
    /// Extra arguments after `build --as-of 2025-04-20`.
    #[serde(default)]
    args: Vec<String>,
    /// The exit code, when not the outcome's usual one (0 for ok, 1 for error).
    #[serde(default)]
    code: Option<i32>,
    /// Make `content/loop/back`, a symbolic link to `content/`, before building.
    #[serde(default)]
    symlink_loop: bool,
    /// Output files (under `public/`) that must contain a text.
    #[serde(default)]
    contains: Vec<FileText>,
    /// Output files that must not contain a text.
    #[serde(default)]
    absent: Vec<FileText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    /// The build succeeds.
    Ok,
    /// The build fails with a diagnostic.
    Error,
    /// Either, as long as it neither crashes nor hangs.
    Either,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    file: String,
    text: String,
}

fn default_seconds() -> u64 {
    10
}

impl Expect {
    fn new(outcome: Outcome, seconds: u64) -> Expect {
        Expect {
            outcome,
            message: None,
            at: None,
            seconds,
            args: Vec::new(),
            code: None,
            symlink_loop: false,
            contains: Vec::new(),
            absent: Vec::new(),
        }
    }

    fn message(mut self, message: &str, at: &str) -> Expect {
        self.message = Some(message.to_owned());
        self.at = Some(at.to_owned());
        self
    }

    fn contains(mut self, file: &str, text: &str) -> Expect {
        self.contains.push(FileText {
            file: file.to_owned(),
            text: text.to_owned(),
        });
        self
    }
}

const SENTINEL: &str = "public/sentinel.txt";

/// Messages that only a crash prints.
const CRASH_SIGNS: [&str; 4] = [
    "panicked",
    "RUST_BACKTRACE",
    "overflowed its stack",
    "fatal runtime error",
];

#[test]
fn hostile_inputs_fail_cleanly_or_build_safely() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases under {}", corpus.display());

    let mut failures = Vec::new();
    let mut count = 0;
    for dir in &names {
        count += 1;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let problems = match load_case(dir) {
            Ok((site, expect)) => run_case(&site, &expect),
            Err(problem) => vec![problem],
        };
        if !problems.is_empty() {
            failures.push(report(&name, &problems));
        }
    }
    for (name, generate) in GENERATED {
        count += 1;
        // Generated one at a time: the big ones take 50 MB each, dropped after their run.
        let (site, expect) = generate();
        let problems = run_case(&site, &expect);
        if !problems.is_empty() {
            failures.push(report(&format!("generated/{name}"), &problems));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} hostile cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn report(name: &str, problems: &[String]) -> String {
    let mut out = format!("{name}:");
    for problem in problems {
        out.push_str("\n  - ");
        out.push_str(&problem.replace('\n', "\n    "));
    }
    out
}

/// Copies `tests/hostile/NAME` (without its `expect.toml`) into a fresh site.
fn load_case(dir: &Path) -> Result<(Site, Expect), String> {
    let expect_path = dir.join("expect.toml");
    let text = std::fs::read_to_string(&expect_path)
        .map_err(|e| format!("cannot read {}: {e}", expect_path.display()))?;
    let expect: Expect =
        toml::from_str(&text).map_err(|e| format!("bad {}: {e}", expect_path.display()))?;
    let site = Site::empty();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("cannot walk {}: {e}", dir.display()))?;
        let relative = entry.path().strip_prefix(dir).unwrap();
        if relative == Path::new("expect.toml") {
            continue;
        }
        let target = site.root().join(relative);
        let copied = if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)
        } else {
            std::fs::copy(entry.path(), &target).map(|_| ())
        };
        copied.map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
    }
    Ok((site, expect))
}

/// Builds the site and returns every way the build broke its promises.
fn run_case(site: &Site, expect: &Expect) -> Vec<String> {
    let root = site.root();
    let mut problems = Vec::new();
    if expect.outcome == Outcome::Error && expect.message.is_none() {
        problems.push("expect.toml: an error case needs a `message`".to_owned());
    }
    if expect.symlink_loop && !make_symlink_loop(root) {
        return problems;
    }

    // The sentinel stands in for the last good build: a failed build must leave it (and all
    // of `public/`) exactly as it was; a good build replaces the whole folder.
    site.write(SENTINEL, "left by the last good build\n");
    let public = root.join("public");
    // The build cache is the build's own, like the output.
    let cache = root.join(".tradetalks-cache");
    let public_before = snapshot(&public, &[]);
    let rest_before = snapshot(root, &[&public, &cache]);

    let run = run_build(root, &expect.args, Duration::from_secs(expect.seconds));
    let stderr = redact(&run.stderr, root);
    let show = || format!("stderr:\n{}", excerpt(&stderr));

    if run.timed_out {
        problems.push(format!(
            "did not finish within {} s and was killed; {}",
            expect.seconds,
            show()
        ));
        return problems;
    }
    let Some(code) = run.code else {
        problems.push(format!(
            "killed by a signal after {:.1} s (a crash); {}",
            run.elapsed.as_secs_f64(),
            show()
        ));
        return problems;
    };
    for sign in CRASH_SIGNS {
        if stderr.contains(sign) {
            problems.push(format!("stderr contains `{sign}`; {}", show()));
        }
    }
    let code_ok = match (expect.code, expect.outcome) {
        (Some(wanted), _) => code == wanted,
        (None, Outcome::Ok) => code == 0,
        (None, Outcome::Error) => code == 1,
        (None, Outcome::Either) => code == 0 || code == 1,
    };
    if !code_ok {
        let wanted = match (expect.code, expect.outcome) {
            (Some(wanted), _) => wanted.to_string(),
            (None, Outcome::Ok) => "0".to_owned(),
            (None, Outcome::Error) => "1".to_owned(),
            (None, Outcome::Either) => "0 or 1".to_owned(),
        };
        problems.push(format!("exit code {code}, expected {wanted}; {}", show()));
    }
    if let Some(message) = expect.message.as_deref().filter(|m| !stderr.contains(*m)) {
        problems.push(format!("stderr does not contain `{message}`; {}", show()));
    }
    if let Some(at) = expect.at.as_deref() {
        let arrow = format!("--> {at}");
        if !stderr.contains(&arrow) {
            problems.push(format!("stderr does not point at `{arrow}`; {}", show()));
        }
    }

    if code == 0 {
        if root.join(SENTINEL).exists() {
            problems.push(format!(
                "the build succeeded but `{SENTINEL}` survived: the output folder was not replaced"
            ));
        }
    } else {
        let public_after = snapshot(&public, &[]);
        if public_after != public_before {
            problems.push(format!(
                "the failed build changed `public/`: {}",
                differences(&public_before, &public_after)
            ));
        }
    }
    let rest_after = snapshot(root, &[&public, &cache]);
    if rest_after != rest_before {
        problems.push(format!(
            "the build touched files outside `public/`: {}",
            differences(&rest_before, &rest_after)
        ));
    }

    for FileText { file, text } in &expect.contains {
        match read_output(root, file) {
            Ok(html) if html.contains(text.as_str()) => {}
            Ok(_) => problems.push(format!("`public/{file}` does not contain {text:?}")),
            Err(err) => problems.push(err),
        }
    }
    for FileText { file, text } in &expect.absent {
        match read_output(root, file) {
            Ok(html) if !html.contains(text.as_str()) => {}
            Ok(html) => {
                let at = html.find(text.as_str()).unwrap_or(0);
                let context = &html.as_bytes()[at.saturating_sub(80)..(at + 120).min(html.len())];
                problems.push(format!(
                    "`public/{file}` contains {text:?}: …{}…",
                    String::from_utf8_lossy(context)
                ));
            }
            Err(err) => problems.push(err),
        }
    }
    problems
}

/// Makes `content/loop/back`, a link to `content/`; false where links cannot be made.
#[cfg(unix)]
fn make_symlink_loop(root: &Path) -> bool {
    std::fs::create_dir_all(root.join("content/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("content"), root.join("content/loop/back")).unwrap();
    true
}

#[cfg(not(unix))]
fn make_symlink_loop(_root: &Path) -> bool {
    false
}

fn read_output(root: &Path, file: &str) -> Result<String, String> {
    std::fs::read(root.join("public").join(file))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| format!("cannot read `public/{file}`: {e}"))
}

struct BuildRun {
    /// `None` when the process died from a signal (or was killed after the time limit).
    code: Option<i32>,
    stderr: String,
    timed_out: bool,
    elapsed: Duration,
}

/// `tradetalks build --as-of 2025-04-20 ARGS` in `root`, killed after `limit`.
fn run_build(root: &Path, args: &[String], limit: Duration) -> BuildRun {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tradetalks"))
        .args(["build", "--as-of", "2025-04-20"])
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        // Unset, so that a panic prints its `RUST_BACKTRACE` note, which we look for.
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start tradetalks");
    // Drain both pipes while waiting, so that a chatty build cannot block on a full pipe.
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let stdout = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let stderr = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err.read_to_end(&mut bytes);
        bytes
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for tradetalks") {
            break status;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("cannot wait for tradetalks");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let _ = stdout.join();
    let stderr = stderr.join().unwrap_or_default();
    BuildRun {
        code: status.code(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        timed_out,
        elapsed,
    }
}

fn redact(text: &str, root: &Path) -> String {
    let mut text = text.to_owned();
    if let Ok(canonical) = root.canonicalize() {
        text = text.replace(&canonical.display().to_string(), "[ROOT]");
    }
    text.replace(&root.display().to_string(), "[ROOT]")
}

fn excerpt(stderr: &str) -> String {
    const LIMIT: usize = 3000;
    if stderr.len() <= LIMIT {
        return stderr.trim_end().to_owned();
    }
    let mut end = LIMIT;
    while !stderr.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… {} more bytes]", &stderr[..end], stderr.len() - end)
}

/// What a snapshot knows of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Dir,
    /// Length and a hash of the bytes.
    File(u64, u64),
    Link(PathBuf),
    Unreadable(String),
}

/// Every entry under `base` (links not followed), except `skip` and what it holds.
fn snapshot(base: &Path, skip: &[&Path]) -> BTreeMap<PathBuf, Entry> {
    let mut entries = BTreeMap::new();
    if !base.exists() {
        return entries;
    }
    let walk = walkdir::WalkDir::new(base)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skip.contains(&e.path()));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(base).to_path_buf();
                entries.insert(path, Entry::Unreadable(err.to_string()));
                continue;
            }
        };
        let relative = entry.path().strip_prefix(base).unwrap().to_path_buf();
        let kind = entry.file_type();
        let value = if kind.is_symlink() {
            Entry::Link(std::fs::read_link(entry.path()).unwrap_or_default())
        } else if kind.is_dir() {
            Entry::Dir
        } else {
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    let mut hasher = DefaultHasher::new();
                    hasher.write(&bytes);
                    Entry::File(bytes.len() as u64, hasher.finish())
                }
                Err(err) => Entry::Unreadable(err.to_string()),
            }
        };
        entries.insert(relative, value);
    }
    entries
}

/// The paths added, removed or changed between two snapshots (at most ten of them).
fn differences(before: &BTreeMap<PathBuf, Entry>, after: &BTreeMap<PathBuf, Entry>) -> String {
    let mut lines = Vec::new();
    for (path, entry) in after {
        match before.get(path) {
            None => lines.push(format!("added `{}`", path.display())),
            Some(old) if old != entry => lines.push(format!("changed `{}`", path.display())),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        lines.push(format!("removed `{}`", path.display()));
    }
    let total = lines.len();
    lines.truncate(10);
    let mut out = lines.join(", ");
    if total > 10 {
        let _ = write!(out, " and {} more", total - 10);
    }
    out
}

/// Cases too big (or too repetitive) to commit, made in code.
type Generator = fn() -> (Site, Expect);

const GENERATED: [(&str, Generator); 6] = [
    ("huge-markdown-50mb", huge_markdown),
    ("deep-blockquotes", deep_blockquotes),
    ("deep-yaml-block-maps", deep_yaml_block_maps),
    ("deep-yaml-block-sequences", deep_yaml_block_sequences),
    ("deep-yaml-flow-lists", deep_yaml_flow_lists),
    ("deep-note-nesting", deep_note_nesting),
];

const DEPTH: usize = 10_000;

/// A 50 MB page of plain prose (over 580,000 lines, a paragraph every ten): it builds to the
/// end. The release binary takes 5.5 s; the tests' debug binary about 53 s alone, and more while
/// the rest of the suite (Chromium, the graphics' PNGs) shares the two cores, so the bound is
/// two minutes: a hang, not a slow machine, is what it catches.
fn huge_markdown() -> (Site, Expect) {
    let site = Site::minimal();
    let size = 50 << 20;
    let mut text = String::with_capacity(size + 4096);
    text.push_str("---\ntitle: A huge page\n---\n");
    let mut line = 0;
    while text.len() < size {
        let _ = writeln!(
            text,
            "Line {line} of the huge page: the negotiators met again to discuss rice, autos and steel."
        );
        if line % 10 == 9 {
            text.push('\n');
        }
        line += 1;
    }
    text.push_str("\nThe end of the huge page.\n");
    site.write("content/huge.md", text);
    let expect = Expect::new(Outcome::Ok, 120)
        .contains("huge/index.html", "<p>Line 0 of the huge page:")
        .contains("huge/index.html", "<p>The end of the huge page.</p>");
    (site, expect)
}

/// `> > > … deep`, 10,000 levels: Markdown allows it, so the page builds.
fn deep_blockquotes() -> (Site, Expect) {
    let site = Site::minimal();
    site.write(
        "content/deep.md",
        format!("---\ntitle: Deep quotes\n---\n{}deep\n", "> ".repeat(DEPTH)),
    );
    let expect = Expect::new(Outcome::Ok, 10).contains("deep/index.html", "<p>deep</p>");
    (site, expect)
}

/// `extra:` holding maps nested 10,000 deep in block style. One space of indentation per level
/// keeps the file at 50 MB (two spaces would make it 100 MB). A clear YAML error, no crash.
fn deep_yaml_block_maps() -> (Site, Expect) {
    let site = Site::minimal();
    let mut text = String::with_capacity(DEPTH * DEPTH / 2 + 4 * DEPTH + 64);
    text.push_str("---\ntitle: deep\nextra:\n");
    for depth in 1..=DEPTH {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    text.push_str(&" ".repeat(DEPTH + 1));
    text.push_str("v\n---\nBody.\n");
    site.write("content/deep.md", text);
    let expect = Expect::new(Outcome::Error, 20).message("too deeply nested", "content/deep.md:");
    (site, expect)
}

/// `- - - … x`: block sequences nested 10,000 deep on one line. A clear YAML error.
fn deep_yaml_block_sequences() -> (Site, Expect) {
    let site = Site::minimal();
    site.write(
        "content/deep.md",
        format!(
            "---\ntitle: deep\nextra:\n  k:\n    {}x\n---\nBody.\n",
            "- ".repeat(DEPTH)
        ),
    );
    let expect = Expect::new(Outcome::Error, 10).message("too deeply nested", "content/deep.md:");
    (site, expect)
}

/// `extra: {a: [[[…]]]}`, 10,000 deep. A clear YAML error on line 3.
fn deep_yaml_flow_lists() -> (Site, Expect) {
    let site = Site::minimal();
    site.write(
        "content/deep.md",
        format!(
            "---\ntitle: deep\nextra: {{a: {}{}}}\n---\nBody.\n",
            "[".repeat(DEPTH),
            "]".repeat(DEPTH)
        ),
    );
    let expect = Expect::new(Outcome::Error, 10).message("too deeply nested", "content/deep.md:3:");
    (site, expect)
}

/// `{% note() %}` bodies nested 10,000 deep, each tag a paragraph of its own. Refusing it
/// and building it are both fine; crashing is not.
fn deep_note_nesting() -> (Site, Expect) {
    let site = Site::minimal();
    site.write(
        "content/notes.md",
        format!(
            "---\ntitle: Notes\n---\n{}deep\n\n{}",
            "{% note() %}\n\n".repeat(DEPTH),
            "{% end %}\n\n".repeat(DEPTH)
        ),
    );
    (site, Expect::new(Outcome::Either, 10))
}
