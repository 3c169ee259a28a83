//! A site in a temporary folder, built by the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Site {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stderr: String,
    pub stdout: String,
}

impl Site {
    /// A copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&source, site.root());
        site
    }

    /// The repository's own default site (content, templates, static, data and config).
    pub fn default_site() -> Site {
        let site = Site::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["content", "templates", "static", "data"] {
            copy_dir(&repo.join(dir), &site.root().join(dir));
        }
        std::fs::copy(
            repo.join("tradetalks.toml"),
            site.root().join("tradetalks.toml"),
        )
        .unwrap();
        site
    }

    /// The default site in English only: no `[languages]` tables and no translations (what
    /// `serve` updates in place instead of rebuilding).
    pub fn default_site_in_english() -> Site {
        let site = Site::default_site();
        let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
        let mut kept = String::new();
        let mut in_languages = false;
        for line in config.lines() {
            if line.starts_with('[') {
                in_languages = line.starts_with("[languages.");
            }
            if !in_languages {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        site.write("tradetalks.toml", kept);
        for entry in walkdir::WalkDir::new(site.root().join("content")) {
            let path = entry.unwrap().into_path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if [".ja.md", ".ko.md", ".hi.md"]
                .iter()
                .any(|l| name.ends_with(l))
            {
                std::fs::remove_file(&path).unwrap();
            }
        }
        site
    }

    /// A minimal valid site: config, a home page and one page.
    pub fn minimal() -> Site {
        let site = Site::empty();
        site.write(
            "tradetalks.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n",
        )
        .write("content/_index.md", "---\ntitle: Home\n---\nHello.\n")
        .write("content/page.md", "---\ntitle: A page\n---\nText.\n");
        site
    }

    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: impl AsRef<[u8]>) -> &Site {
        let target = self.root().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
        self
    }

    pub fn remove(&self, path: &str) -> &Site {
        std::fs::remove_file(self.root().join(path)).unwrap();
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output: Output = Command::new(env!("CARGO_BIN_EXE_tradetalks"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let root = self.root().canonicalize().unwrap();
        let redact = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&root.display().to_string(), "[ROOT]")
                .replace(&self.root().display().to_string(), "[ROOT]")
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stderr: redact(&output.stderr),
            stdout: redact(&output.stdout),
        }
    }

    /// Builds into `public/` and insists that it worked.
    pub fn build(&self) -> &Site {
        // A fixed build date keeps timelines and stale-fact checks the same every day.
        let run = self.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        self
    }

    pub fn output(&self, path: &str) -> String {
        let file = self.root().join("public").join(path);
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.root().join("public").join(path).exists()
    }

    /// The `<main>` element of an output page: what snapshots compare.
    pub fn main_html(&self, path: &str) -> String {
        let html = self.output(path);
        let start = html
            .find("<main")
            .unwrap_or_else(|| panic!("no <main> in {path}"));
        let end = html.find("</main>").unwrap() + "</main>".len();
        html[start..end].to_owned()
    }

    /// Every file of the output folder with its bytes, for comparing two builds.
    pub fn snapshot_output(&self, output: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let base = self.root().join(output);
        let mut files: Vec<_> = walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(&base).unwrap().to_path_buf(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The paths whose bytes differ between two sites' files (`built_files`), or that only one has.
pub fn files_that_differ<'a>(
    a: &'a std::collections::BTreeMap<String, Vec<u8>>,
    b: &'a std::collections::BTreeMap<String, Vec<u8>>,
) -> std::collections::BTreeSet<&'a String> {
    a.keys()
        .chain(b.keys())
        .filter(|path| a.get(*path) != b.get(*path))
        .collect()
}

/// Where the first of `differ` (from `files_that_differ`) differs between `a` and `b`: a
/// few lines of each around the first byte that is not the same, for a failure's message.
pub fn first_difference(
    a: &std::collections::BTreeMap<String, Vec<u8>>,
    b: &std::collections::BTreeMap<String, Vec<u8>>,
    differ: &std::collections::BTreeSet<&String>,
) -> String {
    let Some(path) = differ.first() else {
        return String::new();
    };
    let (Some(a), Some(b)) = (a.get(*path), b.get(*path)) else {
        return format!("{path} is in one site only");
    };
    let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let around = |bytes: &[u8]| {
        let start = at.saturating_sub(300);
        let end = (at + 300).min(bytes.len());
        String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default()).into_owned()
    };
    format!(
        "{path} differs at byte {at}:\n{}\n--- against ---\n{}",
        around(a),
        around(b)
    )
}

/// Every file of a site built in memory, deferred ones included, and each file to copy (as
/// `copy of PATH` → where from): what two builds must agree on.
pub fn built_files(
    site: &tradetalks::pipeline::BuiltSite,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = site
        .files
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
        .collect();
    if let Some(deferred) = &site.deferred {
        files.extend(deferred.all().iter().map(|(p, b)| (p.clone(), b.to_vec())));
    }
    for (path, from) in &site.copies {
        files.insert(
            format!("copy of {path}"),
            from.to_string_lossy().into_owned().into_bytes(),
        );
    }
    files
}
