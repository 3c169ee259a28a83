//! Graphics that travel: a figure (table, chart or map) as a picture that stands on its own
//! (an SVG file with its title, drawing, legend, notes and sources, and the same as PNG), and
//! its figures as CSV with a metadata sidecar.
//!
//! The picture is made from the figure's HTML as the page shows it, whatever template drew
//! it: the drawings marked `data-export` (`data-export="overlay"` for a layer drawn over the
//! one before, such as a map's labels), the `<figcaption>`, the legend's items, the notes and
//! the sources in its footer. A figure drawn by a site's template without marks gets no
//! picture, only its data and embed page.

pub mod png;

use std::fmt::Write as _;

/// The width of a picture, and of its drawing inside the margins.
const WIDTH: f64 = 680.0;
const MARGIN: f64 = 20.0;
const TITLE_FONT: f64 = 18.0;
const NOTE_FONT: f64 = 12.0;
const LEGEND_FONT: f64 = 13.0;

/// A figure as a standalone SVG document, `width` × `height` px.
#[derive(Debug, Clone)]
pub struct Picture {
    pub svg: String,
    pub width: f64,
    pub height: f64,
}

/// The parts of a figure's HTML a picture shows.
#[derive(Debug, Default)]
struct Parts {
    title: String,
    drawings: Vec<Drawing>,
    /// Swatch classes and texts.
    legend: Vec<(String, String, bool)>,
    notes: Vec<String>,
}

#[derive(Debug)]
struct Drawing {
    view_box: [f64; 4],
    /// Everything inside the `<svg>` element.
    inner: String,
    /// Attributes kept from the element (`font-size`).
    font_size: Option<String>,
    overlay: bool,
}

/// The picture of the figure whose HTML is `html`, signed with `credit` (the site's name and
/// the page's address); none when the figure marks no drawing for export.
pub fn picture(html: &str, credit: &str, language: &str) -> Option<Picture> {
    let parts = parts(html);
    parts.drawings.first()?;
    let families = families(&strip_tags(html), language);
    Some(compose(&parts, credit, &families))
}

/// The font families a picture asks for: a sans-serif for Latin, then the Noto faces of other
/// scripts (an SVG viewer falls back through them; the PNG sets each script's runs in its
/// own, see `png::with_script_runs`).
fn families(_text: &str, language: &str) -> String {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    let cjk = match primary {
        "ko" => "\"Noto Sans CJK KR\", \"Noto Sans CJK JP\"",
        "zh" => "\"Noto Sans CJK SC\", \"Noto Sans CJK JP\"",
        _ => "\"Noto Sans CJK JP\", \"Noto Sans CJK KR\"",
    };
    format!(
        "\"DejaVu Sans\", \"Noto Sans\", \"Noto Sans Devanagari\", \"Noto Sans Arabic\", {cjk}, sans-serif"
    )
}

fn parts(html: &str) -> Parts {
    let mut parts = Parts {
        title: element_text(html, "figcaption")
            .or_else(|| element_text(html, "caption"))
            .unwrap_or_default(),
        ..Parts::default()
    };
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let Some(open_end) = cut(rest, start..).find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = cut(rest, open_end..).find("</svg>").map(|i| open_end + i) else {
            break;
        };
        let open = cut(rest, start..open_end);
        if let Some(mark) = attribute(open, "data-export").or_else(|| {
            // A bare attribute (`data-export`) has no value.
            open.contains(" data-export").then(String::new)
        }) && let Some(view_box) = attribute(open, "viewBox").and_then(|v| parse_view_box(&v))
        {
            parts.drawings.push(Drawing {
                view_box,
                inner: cut(rest, open_end + 1..close).to_owned(),
                font_size: attribute(open, "font-size"),
                overlay: mark == "overlay",
            });
        }
        rest = cut(rest, close + "</svg>".len()..);
    }
    if let Some(legend) = section(html, "<ul class=\"tt-legend", "</ul>") {
        for item in legend.split("<li").skip(1) {
            let class = item
                .split("class=\"tt-swatch ")
                .nth(1)
                .and_then(|c| c.split('"').next())
                .unwrap_or_default();
            let line = class.contains("tt-swatch-line");
            let class = class.replace("tt-swatch-line", "").trim().to_owned();
            let text = strip_tags(item.split_once('>').map_or("", |(_, t)| t));
            if !text.is_empty() {
                parts.legend.push((class, text, line));
            }
        }
    }
    if let Some(events) = section(html, "<ol class=\"tt-events", "</ol>") {
        for (i, item) in events.split("<li").skip(1).enumerate() {
            let text = strip_tags(item.split_once('>').map_or("", |(_, t)| t));
            parts.notes.push(format!("{}. {text}", i + 1));
        }
    }
    if let Some(note) = section(html, "<p class=\"tt-map-note", "</p>") {
        parts
            .notes
            .push(strip_tags(note.split_once('>').map_or("", |(_, t)| t)));
    }
    if let Some(footer) = section(html, "<footer class=\"tt-sources", "</footer>") {
        for item in footer.split(['\n']) {
            // Download links belong to the page, not to the picture.
            if item.contains(" download") {
                continue;
            }
            let text = strip_tags(item);
            if !text.is_empty() {
                parts.notes.push(text);
            }
        }
    }
    parts
}

fn compose(parts: &Parts, credit: &str, families: &str) -> Picture {
    let inner_width = WIDTH - 2.0 * MARGIN;
    let mut body = String::new();
    let mut y = MARGIN;
    for line in wrap(&parts.title, inner_width, TITLE_FONT * 1.1) {
        y += TITLE_FONT * 1.3;
        let _ = write!(
            body,
            "<text class=\"tt-x-title\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
            r(y - TITLE_FONT * 0.3),
            escape(&line)
        );
    }
    y += 10.0;
    let mut frame: Option<(f64, f64)> = None;
    for drawing in &parts.drawings {
        let [x0, y0, w, h] = drawing.view_box;
        let (top, height) = match (drawing.overlay, frame) {
            (true, Some(frame)) => frame,
            _ => {
                // Drawn across the picture's width (a bar chart's 640 units are 640 px).
                let scale = inner_width / w;
                let height = h * scale;
                let placed = (y, height);
                y += height + 8.0;
                frame = Some(placed);
                placed
            }
        };
        let font = drawing
            .font_size
            .as_ref()
            .map(|f| format!(" font-size=\"{}\"", escape(f)))
            .unwrap_or_default();
        let class = if drawing.overlay {
            " class=\"tt-x-overlay\""
        } else {
            ""
        };
        let _ = write!(
            body,
            "<svg{class} x=\"{MARGIN}\" y=\"{}\" width=\"{inner_width}\" height=\"{}\" viewBox=\"{x0} {y0} {w} {h}\" overflow=\"visible\"{font}>{}</svg>",
            r(top),
            r(height),
            drawing.inner
        );
    }
    // The legend, in rows of items.
    let mut x = MARGIN;
    let mut row_y = y + LEGEND_FONT;
    if !parts.legend.is_empty() {
        for (class, text, line) in &parts.legend {
            let width = 22.0 + crate::text::width_em(text) * LEGEND_FONT + 18.0;
            if x > MARGIN && x + width > WIDTH - MARGIN {
                x = MARGIN;
                row_y += LEGEND_FONT * 1.6;
            }
            if *line {
                let _ = write!(
                    body,
                    "<line class=\"tt-step {class}\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                    r(x),
                    r(x + 18.0),
                    r(row_y - 4.0),
                    r(row_y - 4.0)
                );
            } else {
                let _ = write!(
                    body,
                    "<rect class=\"tt-x-swatch {class}\" x=\"{}\" y=\"{}\" width=\"12\" height=\"12\"/>",
                    r(x),
                    r(row_y - 10.0)
                );
            }
            let _ = write!(
                body,
                "<text class=\"tt-x-legend\" x=\"{}\" y=\"{}\">{}</text>",
                r(x + 22.0),
                r(row_y),
                escape(text)
            );
            x += width;
        }
        y = row_y + 12.0;
    }
    for note in parts.notes.iter().map(String::as_str).chain([credit]) {
        for line in wrap(note, inner_width, NOTE_FONT) {
            y += NOTE_FONT * 1.4;
            let _ = write!(
                body,
                "<text class=\"tt-x-note\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
                r(y),
                escape(&line)
            );
        }
    }
    let height = (y + MARGIN).ceil();
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\">\n<style>svg {{ font-family: {families}; }}{STYLE}</style>\n<rect class=\"tt-x-page\" width=\"{WIDTH}\" height=\"{height}\"/>\n{body}\n</svg>\n"
    );
    Picture {
        svg,
        width: WIDTH,
        height,
    }
}

/// The styles of a picture: the light scheme of the site's stylesheet, without custom
/// properties or media queries (which SVG viewers and resvg do not all read).
const STYLE: &str = r#"
svg { font-size: 13px; }
text { fill: #1a1d21; }
.tt-x-page { fill: #ffffff; }
.tt-x-title { font-size: 18px; font-weight: bold; }
.tt-x-note { font-size: 12px; fill: #535b66; }
.tt-x-legend { font-size: 13px; }
.tt-tick, .tt-axis-title, .tt-event-number { fill: #535b66; }
.tt-event-number { font-weight: bold; }
.tt-grid { stroke: #c9d1da; stroke-width: 1; }
.tt-zero, .tt-axis line, .tt-axis path { stroke: #535b66; stroke-width: 1; }
.tt-event-rule { stroke: #535b66; stroke-width: 1; stroke-dasharray: 3 3; }
.tt-bar, .tt-x-swatch { fill: #0a58a8; }
.tt-bar.tt-series-1, .tt-x-swatch.tt-series-1 { fill: #d55e00; }
.tt-bar.tt-series-2, .tt-x-swatch.tt-series-2 { fill: #00796b; }
.tt-bar.tt-series-3, .tt-x-swatch.tt-series-3 { fill: #8e44ad; }
.tt-highlight .tt-bar { stroke: #1a1d21; stroke-width: 2; }
.tt-highlight .tt-label, .tt-highlight .tt-value { font-weight: bold; }
.tt-step { fill: none; stroke: #0a58a8; stroke-width: 2.5; stroke-linejoin: round; }
.tt-step.tt-series-1 { stroke: #d55e00; stroke-dasharray: 8 4; }
.tt-step.tt-series-2 { stroke: #00796b; stroke-dasharray: 2 3; stroke-width: 3; }
.tt-step.tt-series-3 { stroke: #8e44ad; stroke-dasharray: 10 3 2 3; }
.tt-map-shape { stroke: #6b7581; stroke-width: 1.5; }
.tt-map-small { stroke: #1a1d21; stroke-width: 2.5; }
.tt-map-highlight { stroke: #1a1d21; stroke-width: 3; }
.tt-map-p0 { fill: #fde725; }
.tt-map-p1 { fill: #90d743; }
.tt-map-p2 { fill: #35b779; }
.tt-map-p3 { fill: #21918c; }
.tt-map-p4 { fill: #31688e; }
.tt-map-p5 { fill: #443983; }
.tt-map-p6 { fill: #440154; }
.tt-map-none { fill: #d5dbe1; }
.tt-x-swatch.tt-map-p0, .tt-x-swatch.tt-map-none { stroke: #535b66; stroke-width: 1; }
.tt-x-overlay text { font-weight: bold; }
.tt-x-overlay .tt-map-halo { fill: #ffffff; stroke: #ffffff; stroke-width: 3; stroke-linejoin: round; }
.tt-map-dot { fill: #1a1d21; }
.tt-map-leader { stroke: #1a1d21; stroke-width: 1; }
"#;

/// A figure's title: its `<figcaption>`, else its table's `<caption>`.
pub fn caption(html: &str) -> Option<String> {
    element_text(html, "figcaption")
        .or_else(|| element_text(html, "caption"))
        .filter(|c| !c.is_empty())
}

/// The rows of a figure's first table as text, its header first: a number cell's
/// `data-value` (the number as data, without grouping or unit), else the cell's text; a cell
/// marked as having no value is empty.
pub fn table_rows(html: &str) -> Option<Vec<Vec<String>>> {
    let table = section(html, "<table", "</table>")?;
    let rows: Vec<Vec<String>> = table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap_or_default();
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(start) = rest.find("<t").filter(|&i| {
                matches!(rest.as_bytes().get(i + 2), Some(b'h' | b'd'))
                    && matches!(rest.as_bytes().get(i + 3), Some(b' ' | b'>'))
            }) {
                let open_end = start + cut(rest, start..).find('>').unwrap_or(0);
                let open = cut(rest, start..open_end);
                let close = cut(rest, open_end..)
                    .find("</t")
                    .map_or(rest.len(), |i| open_end + i);
                let inner = cut(rest, (open_end + 1).min(close)..close);
                let text = if inner.contains("tt-missing") {
                    String::new()
                } else if let Some(date) = inner
                    .strip_prefix("<time datetime=\"")
                    .and_then(|d| d.split('"').next())
                {
                    // A date as data (`2025-04-09`), not as the page words it.
                    date.to_owned()
                } else if open.contains("class=\"num\"")
                    && let Some(value) = attribute(open, "data-value")
                {
                    value
                } else {
                    strip_tags(inner)
                };
                cells.push(text);
                rest = cut(rest, close..);
                rest = rest.get(3..).unwrap_or_default();
            }
            cells
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect();
    (rows.len() > 1).then_some(rows)
}

/// The sources a figure's footer names, as text.
pub fn sources(html: &str) -> Vec<String> {
    let Some(footer) = section(html, "<footer class=\"tt-sources", "</footer>") else {
        return Vec::new();
    };
    footer
        .split('\n')
        .filter(|line| !line.contains(" download"))
        .map(strip_tags)
        .filter(|text| !text.is_empty())
        .collect()
}

/// The dates (`YYYY-MM-DD`) a figure's footer gives its sources as of.
pub fn dates(html: &str) -> Vec<String> {
    let Some(footer) = section(html, "<footer class=\"tt-sources", "</footer>") else {
        return Vec::new();
    };
    let mut dates: Vec<String> = footer
        .split("<time datetime=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    dates.dedup();
    dates
}

/// The text of the first `<name …>…</name>` element of `html`.
fn element_text(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("<{name}"))?;
    let open_end = start + cut(html, start..).find('>')?;
    let close = open_end + cut(html, open_end..).find(&format!("</{name}>"))?;
    Some(strip_tags(cut(html, open_end + 1..close)))
}

/// The part of `html` from `start` to the next `end`.
fn section<'h>(html: &'h str, start: &str, end: &str) -> Option<&'h str> {
    let from = html.find(start)?;
    let to = from + cut(html, from..).find(end)?;
    Some(cut(html, from..to))
}

/// The value of attribute `name` in an opening tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let pattern = format!(" {name}=\"");
    let start = tag.find(&pattern)? + pattern.len();
    let end = start + cut(tag, start..).find('"')?;
    Some(unescape(cut(tag, start..end)))
}

fn parse_view_box(text: &str) -> Option<[f64; 4]> {
    let numbers: Vec<f64> = text
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let view_box: [f64; 4] = numbers.try_into().ok()?;
    (view_box[2] > 0.0 && view_box[3] > 0.0).then_some(view_box)
}

/// Text without its tags, entities decoded and white space collapsed.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// HTML text with its character references decoded (`&amp;`, `&#x2F;`, `&#39;`).
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(cut(rest, ..at));
        let tail = cut(rest, at..);
        let Some(end) = tail.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = cut(tail, 1..);
            continue;
        };
        let entity = cut(tail, 1..end);
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = cut(tail, end + 1..);
            }
            None => {
                out.push('&');
                rest = cut(tail, 1..);
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text escaped for XML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` in lines no wider than `width` at `font` px, breaking at spaces (or between
/// characters in text written without spaces).
fn wrap(text: &str, width: f64, font: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let fits = |s: &str| crate::text::width_em(s) * font <= width;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word too long for a line (CJK text has no spaces) breaks between characters.
        for grapheme in crate::text::graphemes(word) {
            let next = format!("{line}{grapheme}");
            if !line.is_empty() && !fits(&next) {
                lines.push(std::mem::take(&mut line));
                line.push_str(grapheme);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `text[range]`, or nothing when the range does not fall on character boundaries (it always
/// does here: every index comes from finding ASCII in the same text).
pub(crate) fn cut<R: std::slice::SliceIndex<str, Output = str>>(text: &str, range: R) -> &str {
    text.get(range).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIGURE: &str = r#"<figure class="tt-chart" id="chart-1">
<figcaption id="c">Rates &amp; dates</figcaption>
<svg class="tt-bars tt-bars-wide" viewBox="0 0 640 100" data-export><rect class="tt-bar" x="0" y="0" width="10" height="10"/></svg>
<svg class="tt-bars tt-bars-narrow" viewBox="0 0 320 100"><rect/></svg>
<ul class="tt-legend">
<li><span class="tt-swatch tt-series-0"></span>Announced</li>
<li><span class="tt-swatch tt-swatch-line tt-series-1"></span>In force</li>
</ul>
<footer class="tt-sources">
<p>Source: Annex I, as of <time datetime="2025-04-02">2 April 2025</time></p>
<p><a href="/t.csv" download>Download this table (CSV)</a></p>
</footer>
</figure>"#;

    #[test]
    fn a_picture_has_the_marked_drawing_its_title_legend_and_sources() {
        let picture = picture(FIGURE, "Example · https://example.org/", "en").unwrap();
        let svg = &picture.svg;
        assert!(svg.contains("Rates &amp; dates"), "{svg}");
        assert_eq!(svg.matches("<rect class=\"tt-bar\"").count(), 1, "{svg}");
        assert!(!svg.contains("viewBox=\"0 0 320 100\""));
        assert!(svg.contains(">Announced</text>") && svg.contains(">In force</text>"));
        assert!(svg.contains("<line class=\"tt-step tt-series-1\""));
        assert!(svg.contains("Source: Annex I, as of 2 April 2025"));
        assert!(!svg.contains("Download"));
        assert!(svg.contains("https://example.org/"));
        assert!(picture.height > 100.0);
    }

    #[test]
    fn a_figure_s_table_reads_as_rows_with_numbers_as_data() {
        let html = r#"<figure><table><caption>C</caption><thead><tr><th scope="col">Country</th><th class="num">Rate</th></tr></thead>
<tbody><tr><th scope="row">Japan &amp; co</th><td class="num" data-value="24.0">24%</td></tr>
<tr><th scope="row">India</th><td class="num"><span class="tt-missing">—<span>no value</span></span></td></tr></tbody></table>
<footer class="tt-sources">
<p>Source: Annex I, as of <time datetime="2025-04-02">2 April</time></p>
</footer></figure>"#;
        assert_eq!(
            table_rows(html).unwrap(),
            vec![
                vec!["Country".to_owned(), "Rate".to_owned()],
                vec!["Japan & co".to_owned(), "24.0".to_owned()],
                vec!["India".to_owned(), String::new()],
            ]
        );
        assert_eq!(sources(html), vec!["Source: Annex I, as of 2 April"]);
        assert_eq!(dates(html), vec!["2025-04-02"]);
        assert_eq!(caption(html).as_deref(), Some("C"));
    }

    #[test]
    fn figures_without_a_marked_drawing_have_no_picture() {
        assert!(picture("<figure><table></table></figure>", "x", "en").is_none());
        assert!(
            picture(
                "<figure><svg viewBox=\"0 0 1 1\"></svg></figure>",
                "x",
                "en"
            )
            .is_none()
        );
    }

    #[test]
    fn pictures_name_fonts_for_every_script() {
        assert!(families("", "en").starts_with("\"DejaVu Sans\""));
        assert!(families("", "ko").contains("\"Noto Sans CJK KR\", \"Noto Sans CJK JP\""));
    }

    #[test]
    fn entities_decode_and_text_wraps_without_spaces() {
        assert_eq!(unescape("a&amp;b&#x2F;c&#39;d&bogus;"), "a&b/c'd&bogus;");
        assert_eq!(strip_tags("<b>a</b>\n  <i>b</i>"), "a b");
        let lines = wrap(
            "日本と韓国とインドの相互関税率の推移を示すグラフです",
            100.0,
            18.0,
        );
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(
            lines.concat(),
            "日本と韓国とインドの相互関税率の推移を示すグラフです"
        );
    }
}
