//! `serve`'s updates after an edit (`pipeline::session`) against full builds: after each edit,
//! the updated site must be byte for byte what a full build of the edited sources makes, and
//! edits an update cannot make must be refused (so that `serve` builds in full).

use std::path::PathBuf;

use tradetalks::pipeline::session::{self, Session};
use tradetalks::pipeline::{self, BuildOptions};

use crate::support::{Site, built_files};

fn options() -> BuildOptions {
    BuildOptions {
        include_drafts: false,
        include_future: false,
        base_url: Some("http://127.0.0.1:1111/".into()),
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        progress: false,
        cache_dir: None,
        spill_over: None,
    }
}

struct Editor {
    site: Site,
    /// `None` after a failed build, as in `serve`.
    session: Option<Session>,
}

impl Editor {
    fn new(site: Site) -> Editor {
        let (session, diagnostics) = session::start(&root(&site), &options());
        assert!(session.is_some(), "{diagnostics:?}");
        Editor { site, session }
    }

    /// Rewrites `path` with `edit`, updates the session and checks it against a full build.
    /// Returns whether the update was made (rather than refused).
    fn edit(&mut self, path: &str, edit: impl Fn(&str) -> String) -> bool {
        let file = root(&self.site).join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let edited = edit(&text);
        assert_ne!(text, edited, "the edit of {path} changed nothing");
        std::fs::write(&file, edited).unwrap();
        let updated = self.session.as_mut().and_then(|s| s.update(&[file]));
        let Some(diagnostics) = updated else {
            let (session, diagnostics) = session::start(&root(&self.site), &options());
            assert!(session.is_some() || diagnostics.has_errors());
            self.session = session;
            return false;
        };
        let session = self.session.as_ref().unwrap();
        assert!(!diagnostics.has_errors());
        let (full, problems) = pipeline::build(&root(&self.site), &options());
        let full = full.unwrap_or_else(|| panic!("{problems:?}"));
        let (updated, expected) = (built_files(session.site()), built_files(&full));
        let differ = crate::support::files_that_differ(&expected, &updated);
        assert!(
            differ.is_empty(),
            "after editing {path}, the update differs from a full build in {differ:?}"
        );
        assert_eq!(session.site().copies, full.copies);
        assert_eq!(session.site().checked_links, full.checked_links);
        true
    }
}

fn root(site: &Site) -> PathBuf {
    site.root().canonicalize().unwrap()
}

#[test]
fn body_edits_update_the_page_its_lists_feed_and_search() {
    let mut editor = Editor::new(Site::default_site_in_english());
    // Same number of words: only the page (and feed, search) change.
    assert!(editor.edit("content/countries/japan.md", |t| t.replacen(
        "carmakers",
        "automakers",
        1
    )));
    // More words: the reading time in every list changes too.
    assert!(editor.edit("content/countries/india.md", |t| format!(
        "{t}\nA new closing paragraph with several more words in it.\n"
    )));
    // A new heading, and the same page edited twice in a row.
    assert!(editor.edit("content/countries/india.md", |t| format!(
        "{t}\n## What comes next\n\nMore talks.\n"
    )));
}

#[test]
fn front_matter_edits_reorder_lists_and_refresh_figures() {
    let mut editor = Editor::new(Site::default_site_in_english());
    // A new date moves the page in its section, the feed, the sitemap and its term pages.
    assert!(
        editor.edit("content/countries/south-korea.md", |t| t.replacen(
            "date: 2025-04-",
            "date: 2025-03-",
            1
        ))
    );
    // A new title: lists, neighbours' links, the home page (which looks the sections up).
    assert!(editor.edit("content/countries/japan.md", |t| t.replacen(
        "title: \"Japan: first in line\"",
        "title: \"Japan: still first in line\"",
        1
    )));
    // A figure in front matter.
    assert!(editor.edit("content/countries/japan.md", |t| t.replacen(
        "as_of: 2025-04-18",
        "as_of: 2025-04-19",
        1
    )));
}

/// A feed shows its 50 newest pages. A page's new date can bring it into a feed or take it
/// out; a new title changes a feed only where the page is among those shown.
#[test]
fn dates_and_titles_change_the_feeds_that_show_their_page() {
    let site = Site::minimal();
    site.write(
        "content/notes/_index.md",
        "---\ntitle: Notes\nsort_by: date\n---\nNotes.\n",
    );
    for n in 0..60 {
        site.write(
            &format!("content/notes/n{n:02}.md"),
            format!(
                "---\ntitle: \"Note {n}\"\ndate: 2025-{:02}-{:02}\n---\nNote {n}.\n",
                1 + n / 28,
                1 + n % 28
            ),
        );
    }
    let mut editor = Editor::new(site);
    let feed = |editor: &Editor| {
        let site = editor.session.as_ref().unwrap().site();
        String::from_utf8(site.file("notes/atom.xml").unwrap().to_vec()).unwrap()
    };
    assert!(
        !feed(&editor).contains("Note 0<"),
        "the oldest is not shown"
    );
    // A title of a page no feed shows, then of one every feed shows.
    assert!(editor.edit("content/notes/n00.md", |t| t.replace("Note 0", "Note zero")));
    assert!(editor.edit("content/notes/n59.md", |t| {
        t.replace("Note 59", "Note last")
    }));
    assert!(feed(&editor).contains("Note last"));
    // The oldest page becomes the newest: it enters the feeds, and the 50th newest leaves.
    assert!(editor.edit("content/notes/n00.md", |t| {
        t.replace("date: 2025-01-01", "date: 2025-04-10")
    }));
    assert!(feed(&editor).contains("Note zero"));
    assert!(!feed(&editor).contains("Note 10<"));
    // An entry in a page's log of updates dates it too.
    assert!(editor.edit("content/notes/n05.md", |t| t.replace(
        "---\nNote 5.",
        "updates:\n  - { date: 2025-04-15, note: \"Rewritten\" }\n---\nNote 5."
    )));
    assert!(feed(&editor).contains("Note 5<"));
}

#[test]
fn shortcodes_and_data_tables_update_with_their_page() {
    let mut editor = Editor::new(Site::fixture("data"));
    assert!(editor.edit("content/stances/india.md", |t| format!(
        "{t}\nOne more sentence after the tables.\n"
    )));
    assert!(editor.edit("content/stances/japan.md", |t| format!(
        "{t}\nAnother sentence.\n"
    )));
    // Front matter that the home page's compare table shows: its body renders again.
    assert!(editor.edit("content/stances/india.md", |t| t.replacen(
        "asks: [\"Farm access\"]",
        "asks: [\"Farm access\", \"Dairy quotas\"]",
        1
    )));
    // A page gains a data table (and its CSV download), then loses it again.
    let table = "\n{{ table(data=\"rates.csv\", columns=[\"country\", \"rate\"]) }}\n";
    assert!(editor.edit("content/stances/india.md", |t| format!("{t}{table}")));
    assert!(editor.edit("content/stances/india.md", |t| t.replacen(table, "\n", 1)));
}

#[test]
fn pages_that_look_content_up_render_again() {
    let site = Site::fixture("basic");
    site.write(
        "templates/notes.html",
        "{% extends \"base.html\" %}{% block content %}{% set p = get_page(path=\"posts/second.md\") %}<p>Read: {{ p.title }}, {{ p.word_count }} words</p>{% endblock content %}",
    );
    let index = std::fs::read_to_string(site.root().join("content/notes/_index.md")).unwrap();
    site.write(
        "content/notes/_index.md",
        index.replacen("---\n", "---\ntemplate: notes.html\n", 1),
    );
    let mut editor = Editor::new(site);
    assert!(editor.edit("content/posts/second.md", |t| t.replacen(
        "Second. Back",
        "Second, and longer. Back",
        1
    )));
    assert!(
        std::fs::read_to_string(root(&editor.site).join("content/posts/second.md"))
            .unwrap()
            .contains("longer")
    );
    let site = editor.session.as_ref().unwrap().site();
    let notes = String::from_utf8(site.files["notes/index.html"].to_vec()).unwrap();
    assert!(notes.contains("Read: Second post, 8 words</p>"), "{notes}");
}

#[test]
fn edits_that_move_pages_or_break_them_are_left_to_a_full_build() {
    let mut editor = Editor::new(Site::fixture("basic"));
    // A new URL.
    assert!(!editor.edit("content/posts/second.md", |t| t.replacen(
        "weight: 2\n",
        "weight: 2\nslug: later\n",
        1
    )));
    // Now a draft: it leaves every list.
    assert!(!editor.edit("content/notes/older.md", |t| t.replacen(
        "---\n",
        "---\ndraft: true\n",
        1
    )));
    // Broken front matter: the full build reports it.
    assert!(!editor.edit("content/posts/second.md", |t| t.replacen(
        "title:",
        "title: [unclosed",
        1
    )));
    // After the failed build, a good edit works again (through a full build first).
    assert!(!editor.edit("content/posts/second.md", |t| t.replacen(
        "title: [unclosed",
        "title:",
        1
    )));
    assert!(editor.edit("content/posts/second.md", |t| format!("{t}\nMore.\n")));
    // A link written as HTML to no page: the update's link check refuses it.
    let stray = "\n<a href=\"/nowhere/\">nowhere</a>\n";
    assert!(!editor.edit("content/posts/second.md", |t| format!("{t}{stray}")));
    assert!(!editor.edit("content/posts/second.md", |t| t.replacen(stray, "\n", 1)));
    // Another page links to a heading; the heading goes: the ids changed, the whole site's
    // links are checked, and the broken fragment sends the edit to a full build.
    assert!(editor.edit("content/posts/second.md", |t| format!(
        "{t}\n## Anchor here\n\nText.\n"
    )));
    // (A new link in a body may itself be left to a full build; either way the site must
    // equal a full build's, which `edit` checks.)
    editor.edit("content/posts/first.md", |t| {
        format!("{t}\n<a href=\"/posts/second/#anchor-here\">see</a>\n")
    });
    assert!(!editor.edit("content/posts/second.md", |t| t.replacen(
        "## Anchor here\n",
        "Anchor gone.\n",
        1
    )));
}

#[test]
fn serve_tells_files_the_build_read_from_strangers() {
    let site = Site::fixture("basic");
    let editor = Editor::new(site);
    let session = editor.session.as_ref().unwrap();
    let content = root(&editor.site).join("content");
    assert!(session.read_content_file(&content.join("posts/second.md")));
    assert!(session.read_content_file(&content.join("posts/_index.md")));
    assert!(session.read_content_file(&content.join("posts/bundle/map.txt")));
    // vim's probe file, or a draft the build left out: neither changes the site.
    assert!(!session.read_content_file(&content.join("posts/4913")));
    assert!(!session.read_content_file(&content.join("posts/draft.md")));
}

/// A site shortcode that calls `get_page`, `get_url` and `load_data` renders in a full build
/// (where bodies render before the pages they could show) and in `serve`'s updates alike: an
/// edit of the page it looks up reaches it, byte for byte as a full build makes it.
#[test]
fn site_shortcodes_that_look_things_up_build_and_update_alike() {
    let site = Site::fixture("data");
    site.write(
        "templates/shortcodes/see_also.html",
        "{% set p = get_page(path=\"stances/japan.md\") %}{% set rates = load_data(path=\"rates.csv\") %}<aside class=\"see-also\">See <a href=\"{{ get_url(path=\"stances/japan/\") }}\">{{ p.title }}</a> ({{ p.fields.country }}, {{ rates.rows | length }} rates){% if p.content is defined %} with its text{% endif %}</aside>",
    );
    let india = std::fs::read_to_string(site.root().join("content/stances/india.md")).unwrap();
    site.write(
        "content/stances/india.md",
        format!("{india}\n{{{{ see_also() }}}}\n"),
    );
    let (built, problems) = pipeline::build(&root(&site), &options());
    let built = built.unwrap_or_else(|| panic!("a full build: {problems:?}"));
    let page = String::from_utf8(built.files["stances/india/index.html"].to_vec()).unwrap();
    assert!(
        page.contains(
            "<aside class=\"see-also\">See <a href=\"/stances/japan/\">Japan&#39;s stance</a> (Japan, 4 rates)</aside>"
        ),
        "{page}"
    );
    let mut editor = Editor::new(site);
    // The page it looks up changes its title: India's body renders again, as in a build.
    assert!(editor.edit("content/stances/japan.md", |t| t.replacen(
        "title: Japan's stance",
        "title: Tokyo's stance",
        1
    )));
    let site = editor.session.as_ref().unwrap().site();
    let page = String::from_utf8(site.files["stances/india/index.html"].to_vec()).unwrap();
    assert!(
        page.contains(">Tokyo&#39;s stance</a> (Japan, 4 rates)"),
        "{page}"
    );
}

/// A page template that lists its section's pages (word counts included) renders again on
/// every page of the section when one page's summary changes; the built-in one, which reads
/// only the section's own fields, renders again only on the edited page and its neighbours.
/// Either way the update is the full build.
#[test]
fn pages_that_list_their_section_follow_a_sibling_s_summary() {
    let site = Site::fixture("basic");
    site.write(
        "templates/listing.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>{{ page.content }}<ul>{% for p in section.pages %}<li>{{ p.title }}: {{ p.word_count }} words</li>{% endfor %}</ul>{% endblock content %}",
    );
    let first = std::fs::read_to_string(site.root().join("content/posts/first.md")).unwrap();
    site.write(
        "content/posts/first.md",
        first.replacen("title:", "template: listing.html\ntitle:", 1),
    );
    let mut editor = Editor::new(site);
    // A sibling two places away gains words: the listing on the first post shows its new
    // count (it is not that page's previous or next).
    assert!(editor.edit("content/posts/bundle/index.md", |t| format!(
        "{t}\nFour more words here.\n"
    )));
    // The listing page itself, and a title that its siblings show as previous or next.
    assert!(editor.edit("content/posts/first.md", |t| format!(
        "{t}\nAnd two more.\n"
    )));
    assert!(editor.edit("content/posts/second.md", |t| t.replacen(
        "title: Second post",
        "title: The second post",
        1
    )));
}
