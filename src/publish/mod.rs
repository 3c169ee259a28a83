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
    let allowed: String = text
        .chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    crate::markdown::highlight::escape(&allowed)
}
