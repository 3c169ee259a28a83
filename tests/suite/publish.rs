//! What a published site carries: the Atom feed and sitemap (well-formed, checked by xmllint,
//! dates from content, no drafts), robots.txt, taxonomy pages with pagination, meta tags and
//! JSON-LD (snapshots), host files, and a subpath build that resolves every link when served
//! under `/sub/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::support::Site;

/// The data fixture with dates, taxonomies, an update log and a draft.
fn dated_site() -> Site {
    let site = Site::fixture("data");
    let config = std::fs::read_to_string(site.root().join("tradetalks.toml")).unwrap();
    site.write(
        "tradetalks.toml",
        config.replace(
            "stale_after_days = 365\n",
            "stale_after_days = 365\nhost_files = true\n\n[[taxonomies]]\nname = \"sectors\"\npaginate = 1\n",
        ),
    );
    site.write(
        "content/stances/japan.md",
        "---\ntitle: Japan's stance\ndescription: \"Tokyo & the tariffs <quoted>\"\ndate: 2025-04-16\nweight: 1\ncountry: Japan\nrate: { value: 24, as_of: 2025-04-02, source: \"Annex I\" }\nfigures:\n  steel: { value: -16.6, unit: \"%\", as_of: 2025-03-31, source: \"Trade data\" }\nasks: [Rice]\nsectors: [Autos, Rice farming]\naliases: [/old/japan/]\nupdates:\n  - { date: 2025-04-20, note: \"Corrected the rice figure\" }\n---\n## Talks\n\nJapan talks about rice.\n",
    );
    site.write(
        "content/stances/india.md",
        "---\ntitle: India's stance\ndate: 2025-04-18\nweight: 2\ncountry: India\nrate: { value: 26, as_of: 2025-04-02, source: \"Annex I\" }\nasks: [Farms]\nsectors: [Autos]\n---\nIndia.\n",
    );
    site.write(
        "content/stances/secret.md",
        "---\ntitle: Secret draft\ndate: 2025-04-19\ndraft: true\nweight: 3\ncountry: Nowhere\nrate: { value: 1, as_of: 2025-04-02, source: \"Annex I\" }\nasks: []\nsectors: [Autos]\n---\nDraft.\n",
    );
    site
}

fn xmllint(path: &Path) {
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(path)
        .output()
        .expect("xmllint is missing: install libxml2-utils (apt-get install libxml2-utils)");
    assert!(
        output.status.success(),
        "{} is not well-formed:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn feed_and_sitemap_are_well_formed_dated_by_content_and_free_of_drafts() {
    let site = dated_site();
    // Built with drafts: they must still stay out of the feed, sitemap and search.
    let run = site.run(&["build", "--quiet", "--drafts", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = site.root().join("public");
    xmllint(&public.join("atom.xml"));
    xmllint(&public.join("sitemap.xml"));

    let feed = site.output("atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains("<link href=\"https://example.org/atom.xml\" rel=\"self\""));
    assert!(
        feed.contains("<updated>2025-04-20T00:00:00Z</updated>"),
        "updated from the update log"
    );
    assert!(feed.contains("<id>https://example.org/stances/japan/</id>"));
    assert!(feed.contains("<summary>Tokyo &amp; the tariffs &lt;quoted&gt;</summary>"));
    assert!(!feed.contains("Secret draft"));

    let sitemap = site.output("sitemap.xml");
    assert!(sitemap.contains(
        "<url><loc>https://example.org/stances/japan/</loc><lastmod>2025-04-20</lastmod></url>"
    ));
    assert!(sitemap.contains("<loc>https://example.org/sectors/autos/</loc>"));
    assert!(!sitemap.contains("secret"), "{sitemap}");
    assert!(
        !site
            .output("search-index/docs-0.json")
            .contains("Secret draft")
    );
    assert_eq!(
        site.output("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
    );
}

#[test]
fn taxonomy_pages_paginate_and_pages_link_to_their_terms() {
    let site = dated_site();
    site.build();
    let list = site.output("sectors/index.html");
    assert!(
        list.contains(
            "<a href=\"/sectors/autos/\">Autos</a> <span class=\"term-count\">(2 pages)</span>"
        ),
        "{list}"
    );
    assert!(list.contains("href=\"/sectors/rice-farming/\""));
    let first = site.output("sectors/autos/index.html");
    assert!(
        first.contains("India&#39;s stance"),
        "newest first: {first}"
    );
    assert!(first.contains("href=\"/sectors/autos/page/2/\" rel=\"next\""));
    let second = site.output("sectors/autos/page/2/index.html");
    assert!(second.contains("Japan&#39;s stance"));
    let japan = site.output("stances/japan/index.html");
    assert!(japan.contains("<a href=\"/sectors/rice-farming/\">Rice farming</a>"));
    assert!(
        japan.contains(
            "<time datetime=\"2025-04-20\">20 April 2025</time>: Corrected the rice figure"
        )
    );
    assert!(japan.contains("rel=\"next\"><span>Next</span> India&#39;s stance</a>"));
}

#[test]
fn meta_tags_and_json_ld_describe_each_page() {
    let site = dated_site();
    site.build();
    let head = |path: &str| {
        let html = site.output(path);
        let start = html.find("<title>").unwrap();
        let end = html.find("</head>").unwrap();
        // The stylesheet's fingerprint follows static/style.css, which this test is not about.
        let head = &html[start..end];
        let style = head.find("href=\"/style.").unwrap() + "href=\"/style.".len();
        format!("{}[fingerprint]{}", &head[..style], &head[style + 10..])
    };
    insta::assert_snapshot!("meta_article", head("stances/japan/index.html"));
    insta::assert_snapshot!("meta_home", head("index.html"));
    let article = head("stances/japan/index.html");
    let json = article
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(value["@type"], "Article");
    assert_eq!(value["dateModified"], "2025-04-20");
    assert_eq!(value["description"], "Tokyo & the tariffs <quoted>");
}

#[test]
fn host_files_carry_redirects_and_headers_when_asked() {
    let site = dated_site();
    site.build();
    assert_eq!(
        site.output("_redirects"),
        "/old/japan/ /stances/japan/ 301\n"
    );
    assert!(
        site.output("_headers")
            .contains("X-Content-Type-Options: nosniff")
    );
    assert!(
        site.output("old/japan/index.html")
            .contains("http-equiv=\"refresh\"")
    );
}

/// Serves `dir` under `/sub/` (everything else is 404) on a free port; returns the origin.
fn serve_under_sub(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let path = path.split(['?', '#']).next().unwrap_or("/").to_owned();
            let body = path
                .strip_prefix("/sub/")
                .filter(|p| !p.split('/').any(|s| s == ".."))
                .map(|p| {
                    let p = percent_decode(p);
                    let file = dir.join(&p);
                    if file.is_dir() {
                        file.join("index.html")
                    } else {
                        file
                    }
                })
                .and_then(|f| std::fs::read(f).ok());
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", Vec::new()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    origin
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn fetch(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    let mut body = String::new();
    let _ = response.body_mut().as_reader().read_to_string(&mut body);
    (status, body)
}

#[test]
fn a_subpath_build_resolves_every_link_when_served_under_its_path() {
    let site = Site::default_site();
    let run = site.run(&[
        "build",
        "--quiet",
        "--as-of",
        "2025-04-20",
        "--base-url",
        "https://example.org/sub/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let origin = serve_under_sub(site.root().join("public"));
    // Crawl every same-site link and asset from the home page.
    let mut queue = vec!["/sub/".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    let mut broken = Vec::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, body) = fetch(&format!("{origin}{path}"));
        if status != 200 {
            broken.push(format!("{path} ({status})"));
            continue;
        }
        if !(path.ends_with('/') || path.ends_with(".html")) {
            continue;
        }
        for attribute in ["href=\"", "src=\"", "data-index=\""] {
            for part in body.split(attribute).skip(1) {
                let url = part.split('"').next().unwrap_or("").replace("&amp;", "&");
                let url = url.split('#').next().unwrap_or("").to_owned();
                let url = url
                    .strip_prefix("https://example.org")
                    .map(str::to_owned)
                    .unwrap_or(url);
                if url.is_empty() || url.contains("://") || url.starts_with("mailto:") {
                    continue;
                }
                let absolute = if url.starts_with('/') {
                    url
                } else {
                    let folder = &path[..path.rfind('/').unwrap_or(0) + 1];
                    format!("{folder}{url}")
                };
                if attribute == "data-index=\"" {
                    queue.push(format!("{absolute}info.json"));
                    queue.push(format!("{absolute}docs-0.json"));
                } else {
                    queue.push(absolute);
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken under /sub/: {broken:?}");
    assert!(
        seen.iter().any(|p| p == "/sub/search-index/info.json"),
        "the search index was not reached: {seen:?}"
    );
    assert!(seen.len() > 20, "crawled only {seen:?}");
    let feed = site.output("atom.xml");
    assert!(feed.contains("<id>https://example.org/sub/countries/japan/</id>"));
    assert!(
        site.output("sitemap.xml")
            .contains("<loc>https://example.org/sub/tariffs/</loc>")
    );
}

/// The default site passes `check --strict`: schemas, data, shortcodes, every `@/` link and
/// anchor, and every link and asset in the generated HTML (the link checker), with no warning.
#[test]
fn the_default_site_checks_clean() {
    let site = Site::default_site();
    let run = site.run(&["check", "--strict", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Check passed: 0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_feed_holds_the_fifty_newest_pages_newest_first_then_by_path() {
    let site = Site::minimal();
    // 80 pages over 7 dates, written in an order that is neither: ties on a date are
    // broken by path.
    let mut expected: Vec<(String, String)> = Vec::new();
    for n in 0..80 {
        let name = format!("p{:02}", (n * 37) % 80);
        let date = format!("2025-04-{:02}", 10 + (n * 3) % 7);
        site.write(
            &format!("content/{name}.md"),
            format!("---\ntitle: Page {name}\ndate: {date}\n---\nText.\n"),
        );
        expected.push((date, name));
    }
    site.build();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let expected: Vec<String> = expected
        .into_iter()
        .take(50)
        .map(|(_, name)| format!("<id>https://example.org/{name}/</id>"))
        .collect();
    let feed = site.output("atom.xml");
    let ids: Vec<&str> = feed
        .split("<entry>")
        .skip(1)
        .filter_map(|entry| {
            let start = entry.find("<id>")?;
            let end = entry.find("</id>")? + "</id>".len();
            entry.get(start..end)
        })
        .collect();
    assert_eq!(ids, expected, "{feed}");
}
