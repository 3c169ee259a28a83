//! `tradetalks serve` as a user runs it: port 0, pages from memory, edits to Markdown, data
//! and templates showing up without a restart, a broken edit keeping the last good build
//! (with the errors for the browser), and Ctrl-C stopping it cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::Site;

pub struct Server {
    child: Child,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Server {
    pub fn start(site: &Site) -> Server {
        Server::start_with_env(site, &[])
    }

    /// `start`, with more variables in the server's environment.
    pub fn start_with_env(site: &Site, env: &[(&str, &str)]) -> Server {
        Server::launch(site, 0, env, &[])
    }

    /// `start` on port `port` (0: any free one).
    pub fn start_on(site: &Site, port: u16) -> Server {
        Server::launch(site, port, &[], &[])
    }

    /// `start` with `--poll`: changes found by polling, not by native file events.
    pub fn start_polling(site: &Site) -> Server {
        Server::launch(site, 0, &[], &["--poll"])
    }

    fn launch(site: &Site, port: u16, env: &[(&str, &str)], args: &[&str]) -> Server {
        let port = port.to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tradetalks"))
            .args(["serve", "--port", &port, "--as-of", "2025-04-20"])
            .args(args)
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start tradetalks serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (url_sender, url_receiver) = std::sync::mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(start) = line.find("http://") {
                        let url = line[start..].split_whitespace().next().unwrap_or("");
                        let _ = url_sender.send(url.to_owned());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let url = url_receiver
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve printed no URL: {:?}", log.lock().unwrap()));
        Server { child, url, log }
    }

    pub fn get(&self, path: &str) -> Response {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut response = agent
            .get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .expect("request failed");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Response {
            status: response.status().as_u16(),
            content_type,
            body: response.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    /// Polls `path` until `done` holds (at most 20 s) and returns the body.
    /// Waits until the server's log (read from its stderr by another thread, which may lag
    /// behind what the server already serves) has a line containing `text`; returns the log.
    pub fn wait_for_log(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let log = self.log.lock().unwrap().join("\n");
            if log.contains(text) {
                return log;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "timed out waiting for {text:?} in the server log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for(&self, path: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let body = self.get(path).body;
            if done(&body) {
                return body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; server log:\n{}",
                self.log.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends Ctrl-C (SIGINT) and returns the exit code.
    pub fn interrupt(mut self) -> i32 {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("serve did not stop on Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub fn edit(site: &Site, path: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.root().join(path)).unwrap();
    assert!(text.contains(from), "{path} lacks {from:?}");
    site.write(path, text.replace(from, to));
}

#[test]
fn serve_rebuilds_on_every_kind_of_change_and_survives_a_broken_edit() {
    let site = Site::fixture("data");
    let server = Server::start(&site);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.content_type, "text/html; charset=utf-8");
    assert!(
        home.body.contains("/__tradetalks/livereload.js"),
        "no reload script"
    );
    assert!(!site.root().join("public").exists(), "serve wrote to disk");
    assert!(
        server
            .get("/__tradetalks/livereload.js")
            .body
            .contains("EventSource")
    );

    // Markdown: a page's title, and the section list that shows it.
    edit(
        &site,
        "content/stances/japan.md",
        "title: Japan's stance",
        "title: Tokyo's stance",
    );
    server.wait_for("/stances/japan/", "the new title", |b| {
        b.contains("Tokyo&#39;s stance")
    });
    server.wait_for("/", "the section list", |b| {
        b.contains("Tokyo&#39;s stance")
    });

    // A data file: the table and the chart that show it, and the CSV download.
    edit(&site, "data/rates.csv", "Japan,JP,24,", "Japan,JP,29,");
    let home = server.wait_for("/", "the new rate", |b| {
        b.contains("data-value=\"29.0\">29<")
    });
    assert!(home.contains(">29%</text>"), "the chart kept the old value");
    assert!(server.get("/table-1.csv").body.contains("Japan,29,"));

    // A template: the site's own shortcode.
    site.write(
        "templates/shortcodes/flag.html",
        "<span class=\"flag\">flag {{ code }}</span>\n",
    );
    server.wait_for("/", "the new template", |b| {
        b.contains("<span class=\"flag\">flag JP</span>")
    });

    // A new page, then its removal.
    site.write(
        "content/stances/chile.md",
        "---\ntitle: Chile\nweight: 3\ncountry: Chile\nrate: { value: 1, as_of: 2025-04-02, source: \"Annex I\" }\nasks: []\n---\nNew.\n",
    );
    server.wait_for("/stances/chile/", "the new page", |b| {
        b.contains("<h1>Chile</h1>")
    });
    site.remove("content/stances/chile.md");
    let started = Instant::now();
    while server.get("/stances/chile/").status != 404 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the removed page is still served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A source folder created while serving is watched from then on.
    site.write("static/hello.txt", "hello");
    server.wait_for("/hello.txt", "a file in a new static/", |b| b == "hello");
    site.write("static/later.txt", "later");
    server.wait_for("/later.txt", "a second file in the new static/", |b| {
        b == "later"
    });

    // A broken edit: the last good page stays, with the errors for the overlay.
    edit(
        &site,
        "content/stances/japan.md",
        "title: Tokyo's stance",
        "title: [unclosed",
    );
    let broken = server.wait_for("/stances/japan/", "the error report", |b| {
        b.contains("id=\"tradetalks-error\"")
    });
    assert!(
        broken.contains("Tokyo&#39;s stance"),
        "the last good page was not kept"
    );
    assert!(
        broken.contains("content/stances/japan.md:"),
        "the error does not name the file"
    );
    edit(
        &site,
        "content/stances/japan.md",
        "title: [unclosed",
        "title: Japan again",
    );
    server.wait_for("/stances/japan/", "the recovery", |b| {
        b.contains("Japan again") && !b.contains("tradetalks-error")
    });

    assert_eq!(server.interrupt(), 0, "Ctrl-C should stop serve cleanly");
}

#[test]
fn serve_answers_404_for_missing_and_outside_paths_with_the_site_page() {
    let site = Site::fixture("data");
    let server = Server::start(&site);
    let missing = server.get("/nowhere/");
    assert_eq!(missing.status, 404);
    assert!(missing.content_type.starts_with("text/html"));
    for path in [
        "/../tradetalks.toml",
        "/%2e%2e/tradetalks.toml",
        "/stances/..%2f..%2ftradetalks.toml",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    let redirect = server.get("/stances");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        server.get("/style.css").content_type,
        "text/css; charset=utf-8"
    );
    assert_eq!(
        server.get("/table-1.csv").content_type,
        "text/csv; charset=utf-8"
    );
}

#[test]
fn serve_refuses_a_port_in_use_and_a_folder_that_is_not_a_site() {
    let site = Site::fixture("data");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let run = site.run(&["serve", "--port", &port]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("Address already in use"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port 0"), "{}", run.stderr);
    let empty = Site::empty();
    let run = empty.run(&["serve", "--port", "0"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a tradetalks site"),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_updates_an_edited_page_with_its_lists_feed_and_search_index() {
    let site = Site::fixture("basic");
    let server = Server::start(&site);
    assert_eq!(server.get("/search-index/info.json").status, 200);
    edit(
        &site,
        "content/posts/second.md",
        "Second. Back",
        "Second, about zanzibarite tariffs. Back",
    );
    server.wait_for("/posts/second/", "the edit", |b| b.contains("zanzibarite"));
    // The edit went through an update, not a full build.
    let log = server.wait_for_log("content/posts/second.md: ");
    assert!(log.contains("content/posts/second.md: updated in"), "{log}");
    assert!(server.get("/atom.xml").body.contains("zanzibarite"));
    // The search index is made again on the first request after the edit.
    let shard = server.get("/search-index/terms-za.json");
    assert_eq!(shard.status, 200);
    assert!(shard.body.contains("\"zanzibarite\""), "{}", shard.body);
    assert_eq!(server.get("/search-index/info.json").status, 200);
    assert_eq!(server.interrupt(), 0);
}

/// Where native file events are not available, `serve --poll` finds edits, new pages and
/// removed ones by comparing files every half second.
#[test]
fn serve_with_polling_sees_edits_new_pages_and_removals() {
    let site = Site::fixture("basic");
    let server = Server::start_polling(&site);
    edit(
        &site,
        "content/posts/second.md",
        "Second. Back",
        "Second, polled. Back",
    );
    server.wait_for("/posts/second/", "the edit", |b| b.contains("polled"));
    site.write(
        "content/posts/third.md",
        "---\ntitle: Third\ndate: 2025-04-01\nweight: 3\ncountry: Chile\nrate: 10\n---\nThird, polled.\n",
    );
    server.wait_for("/posts/third/", "the new page", |b| {
        b.contains("Third, polled")
    });
    site.remove("content/posts/third.md");
    server.wait_for("/posts/third/", "the page's removal", |b| {
        !b.contains("Third, polled")
    });
    assert_eq!(server.interrupt(), 0);
}

/// A site served again unchanged is served at once from the snapshot of its last build (the
/// same bytes), while it builds in the background; a site changed while `serve` was stopped
/// is built first, never served from a stale snapshot.
#[test]
fn serve_starts_from_its_snapshot_only_while_the_site_is_unchanged() {
    let site = Site::fixture("basic");
    // The snapshot is of one address: the same port each time.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let first = Server::start_on(&site, port);
    first.wait_for_log("Built the site in");
    let home = first.get("/posts/second/").body;
    // The snapshot is written in the background; its list comes last.
    let list = site.root().join(".tradetalks-cache/serve");
    let started = Instant::now();
    while std::fs::read_dir(&list).map_or(true, |mut d| d.next().is_none()) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no snapshot was kept"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(first.interrupt(), 0);

    let second = Server::start_on(&site, port);
    second.wait_for_log("Serving the site as it was last built");
    assert_eq!(second.get("/posts/second/").body, home);
    let log = second.wait_for_log("Built the site in");
    assert!(log.contains("the same as served"), "{log}");
    // Edits go on as ever once the site is built.
    edit(
        &site,
        "content/posts/second.md",
        "Second. Back",
        "Second, edited. Back",
    );
    second.wait_for("/posts/second/", "the edit", |b| {
        b.contains("Second, edited.")
    });
    assert_eq!(second.interrupt(), 0);

    // Changed while no server ran (the edit above is newer than the snapshot): built first.
    let third = Server::start_on(&site, port);
    let log = third.wait_for_log("Built the site in");
    assert!(!log.contains("as it was last built"), "{log}");
    assert!(third.get("/posts/second/").body.contains("Second, edited."));
    assert_eq!(third.interrupt(), 0);
}
