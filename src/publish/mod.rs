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
/// One pass over the bytes: every byte it changes or drops is ASCII, so the text between
/// them is whole characters (feeds escape every page's body).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\t' | b'\n' | b'\r' => continue,
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(text.get(start..at).unwrap_or_default());
        out.push_str(replacement);
        start = at + 1;
    }
    out.push_str(text.get(start..).unwrap_or_default());
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
