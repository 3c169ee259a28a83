//! What a published site carries besides its pages: taxonomy pages, the Atom feed, the
//! sitemap and robots.txt, the search index, per-page meta (Open Graph, JSON-LD) and optional
//! host files. Each is computed from the loaded content; none of them reads the clock.

pub mod assets;
pub mod cards;
pub mod feeds;
pub mod meta;
pub mod minify;
pub mod pages;
pub mod search;
pub mod taxonomy;

use crate::content::{Content, Page};

/// Pages that are published: drafts never reach feeds, the sitemap, search or taxonomies,
/// even in a `--drafts` build.
pub fn published(content: &Content) -> impl Iterator<Item = (usize, &Page)> {
    content
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.front.draft)
}

/// XML text and attribute escaping: HTML's escaping (`&#39;` is as good in XML), without
/// the control characters XML 1.0 forbids.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    crate::markdown::highlight::escape_markup(&mut out, text, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_escapes_markup_and_drops_the_controls_xml_forbids() {
        assert_eq!(
            xml_escape("Caf\u{e9} <b>&\"'</b>\u{1}\u{1f}\t\n\r\u{7f}\u{85} 日本 \u{1F600}"),
            "Caf\u{e9} &lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;\t\n\r\u{7f}\u{85} 日本 \u{1F600}"
        );
        assert_eq!(xml_escape(""), "");
        assert_eq!(xml_escape("\u{0}"), "");
        assert_eq!(xml_escape("&"), "&amp;");
    }
}
