//! Graphics that travel: a figure (table, chart or map) as a picture that stands on its own
//! (an SVG file with its title, drawing, legend, notes and sources, and the same as PNG), and
//! its figures as CSV with a metadata sidecar.
//!
//! The picture is made from the figure's HTML as the page shows it, whatever template drew
//! it: the drawings marked `data-export` (`data-export="overlay"` for a layer drawn over the
//! one before, such as a map's labels), the `<figcaption>`, the legend's items, the notes and
//! the sources in its footer. A table is drawn from its cells as the page writes them (up to
//! `TABLE_ROWS` rows; a longer one travels as its CSV). A figure drawn by a site's template
//! without marks or a data table gets no picture, only its data and embed page.

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
    /// Swatch classes, texts and shapes.
    legend: Vec<(String, String, Swatch)>,
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
    /// One of a chart's small multiples (`data-export="panel"`), laid out two to a row.
    panel: bool,
}

/// How a legend item's swatch is drawn: a box, a stretch of line (a step or line chart's
/// dashes), or a dot in its series' shape.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Swatch {
    Box,
    Line,
    Dot,
}

/// The picture of the figure whose HTML is `html`, signed with `credit` (the site's name and
/// the page's address); none when the figure marks no drawing for export.
pub fn picture(html: &str, credit: &str, language: &str) -> Option<Picture> {
    let parts = parts(html);
    parts.drawings.first()?;
    let families = families(language);
    Some(compose(&parts, credit, &families))
}

/// The font families a picture asks for: a sans-serif for Latin, then the Noto faces of other
/// scripts (an SVG viewer falls back through them; the PNG sets each script's runs in its
/// own, see `png::with_script_runs`).
fn families(language: &str) -> String {
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
        title: caption(html).unwrap_or_default(),
        ..Parts::default()
    };
    for svg in svg_elements(html) {
        let open = svg.open;
        if let Some(mark) = attribute(open, "data-export").or_else(|| {
            // A bare attribute (`data-export`) has no value.
            open.contains(" data-export").then(String::new)
        }) && let Some(view_box) = attribute(open, "viewBox").and_then(|v| parse_view_box(&v))
        {
            parts.drawings.push(Drawing {
                view_box,
                inner: svg.inner.to_owned(),
                font_size: attribute(open, "font-size"),
                overlay: mark == "overlay",
                panel: mark == "panel",
            });
        }
    }
    // A table has no drawing of its own: its picture is the table, drawn here.
    if parts.drawings.is_empty()
        && let Some(drawing) = table_drawing(html)
    {
        parts.drawings.push(drawing);
    }
    if let Some(legend) = section(html, "<ul class=\"tt-legend", "</ul>") {
        for item in legend.split("<li").skip(1) {
            let class = item
                .split("class=\"tt-swatch ")
                .nth(1)
                .and_then(|c| c.split('"').next())
                .unwrap_or_default();
            let swatch = if class.contains("tt-swatch-line") {
                Swatch::Line
            } else if class.contains("tt-swatch-dot") {
                Swatch::Dot
            } else {
                Swatch::Box
            };
            let class = class
                .replace("tt-swatch-line", "")
                .replace("tt-swatch-dot", "")
                .trim()
                .to_owned();
            let text = strip_tags(item.split_once('>').map_or("", |(_, t)| t));
            if !text.is_empty() {
                parts.legend.push((class, text, swatch));
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
    parts.notes.extend(sources(html));
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
    // Small multiples two to a row: the next panel's column, and the row's lowest edge.
    let panel_gap = 16.0;
    let panel_width = (inner_width - panel_gap) / 2.0;
    let mut column = 0;
    let mut row_bottom = y;
    for drawing in &parts.drawings {
        let [x0, y0, w, h] = drawing.view_box;
        if drawing.panel {
            let height = h * panel_width / w;
            let left = MARGIN + column as f64 * (panel_width + panel_gap);
            row_bottom = row_bottom.max(y + height);
            let _ = write!(
                body,
                "<svg x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"{x0} {y0} {w} {h}\" overflow=\"visible\">{}</svg>",
                r(left),
                r(y),
                r(panel_width),
                r(height),
                drawing.inner
            );
            column += 1;
            if column == 2 {
                column = 0;
                y = row_bottom + 12.0;
                row_bottom = y;
            }
            continue;
        }
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
    if column == 1 {
        y = row_bottom + 12.0;
    }
    // The legend, in rows of items.
    let mut x = MARGIN;
    let mut row_y = y + LEGEND_FONT;
    if !parts.legend.is_empty() {
        for (class, text, swatch) in &parts.legend {
            let width = 22.0 + crate::text::width_em(text) * LEGEND_FONT + 18.0;
            if x > MARGIN && x + width > WIDTH - MARGIN {
                x = MARGIN;
                row_y += LEGEND_FONT * 1.6;
            }
            if *swatch == Swatch::Dot {
                let series = class
                    .split_whitespace()
                    .find_map(|c| c.strip_prefix("tt-series-")?.parse().ok())
                    .unwrap_or(0);
                let _ = write!(
                    body,
                    "<path class=\"tt-dot {class}\" d=\"{}\"/>",
                    crate::shortcodes::dot_path(series, x + 6.0, row_y - 4.0)
                );
            } else if *swatch == Swatch::Line {
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
.tt-zero, .tt-axis line, .tt-axis path { stroke: #535b66; stroke-width: 1; }
.tt-grid, .tt-axis line.tt-grid { stroke: #c9d1da; stroke-width: 1; }
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
.tt-step.tt-step-context { stroke: #c9d1da; stroke-width: 1.5; stroke-dasharray: none; }
.tt-x-strong { font-weight: bold; }
.tt-x-rule { stroke: #c9d1da; stroke-width: 1; }
.tt-x-rule-strong { stroke: #535b66; stroke-width: 1.5; }
.tt-heat-0 { fill: #eef4fb; }
.tt-heat-1 { fill: #d3e3f5; }
.tt-heat-2 { fill: #a8c8ec; }
.tt-heat-3 { fill: #5b8fd0; }
.tt-heat-4 { fill: #1f5aa6; }
text.tt-x-on-dark { fill: #ffffff; }
.tt-spark-line { fill: none; stroke: #0a58a8; stroke-width: 1.5; }
.tt-spark-end { fill: #0a58a8; }
.tt-facet-title { font-weight: bold; }
.tt-segment { stroke: #ffffff; stroke-width: 1; }
.tt-inside { fill: #ffffff; }
.tt-inside.tt-series-1 { fill: #111418; }
.tt-dot { fill: #0a58a8; stroke: #ffffff; stroke-width: 1; }
.tt-dot.tt-series-1 { fill: #d55e00; }
.tt-dot.tt-series-2 { fill: #00796b; }
.tt-dot.tt-series-3 { fill: #8e44ad; }
.tt-highlight .tt-dot { stroke: #1a1d21; stroke-width: 1.5; }
.tt-dot-guide { stroke: #c9d1da; stroke-width: 1; }
.tt-range { stroke: #535b66; stroke-width: 3; stroke-linecap: round; }
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

/// Past this many bytes of markup, a drawing marked `data-defer` leaves its page for a file of
/// its own: a world map (about 76 KB, one outline and title per country) would otherwise be
/// half of a page's HTML and hold back its first paint by a third of a second on a slow phone
/// (Lighthouse's mobile profile; BENCHMARKS.md, "A map's weight").
pub const DEFER_BYTES: usize = 16 * 1024;

/// A figure's HTML with its heavy drawings moved out, and those drawings as SVG files.
#[derive(Debug, Default)]
pub struct Deferred {
    pub html: String,
    /// The files' contents, in the order their URLs were asked for.
    pub files: Vec<String>,
}

/// Moves each `<svg data-defer>` whose markup is over `DEFER_BYTES` to a standalone SVG file,
/// at the URL `url(n)` for the n-th such drawing. The page shows the file as a lazily loaded
/// `<img>` of the same class and size, described by the drawing's `<desc>` (else its
/// `<title>`); as the figure nears the screen `tables.js` puts the drawing itself back (its
/// titles as tooltips, its focusable shapes), so nothing moves. Without JavaScript the picture
/// stays, and the figure's table holds its figures. The file is the `<svg>` element as the
/// template wrote it, with a stylesheet of its own for when it is shown as a picture.
pub fn defer_drawings(html: &str, url: impl Fn(usize) -> String) -> Deferred {
    let mut deferred = Deferred {
        html: String::with_capacity(html.len()),
        files: Vec::new(),
    };
    let mut written = 0;
    for svg in svg_elements(html) {
        let (open, inner) = (svg.open, svg.inner);
        let view_box = attribute(open, "viewBox").and_then(|v| parse_view_box(&v));
        let out = &mut deferred.html;
        match view_box {
            Some([_, _, width, height])
                if open.contains(" data-defer")
                    && inner.len() > DEFER_BYTES
                    && !open.ends_with('/') =>
            {
                let address = escape(&url(deferred.files.len()));
                let class = attribute(open, "class").unwrap_or_default();
                let description = element_text(inner, "desc")
                    .filter(|d| !d.is_empty())
                    .or_else(|| element_text(inner, "title"))
                    .unwrap_or_default();
                out.push_str(cut(html, written..svg.start));
                let _ = write!(
                    out,
                    "<img class=\"{}\" src=\"{address}\" alt=\"{}\" width=\"{width}\" height=\"{height}\" {} data-drawing>",
                    escape(&class),
                    escape(&description),
                    crate::images::LAZY
                );
                let open = xml_open_tag(open);
                deferred.files.push(format!(
                    "{open}>{inner}<style>{STYLE}{DRAWING_DARK}</style></svg>\n"
                ));
            }
            _ => out.push_str(cut(html, written..svg.end)),
        }
        written = svg.end;
    }
    deferred.html.push_str(cut(html, written..));
    deferred
}

/// An `<svg>` element of a figure's HTML: where it starts and ends (after `</svg>`), its
/// opening tag without the `>`, and what is inside it. Drawings do not nest.
struct SvgElement<'h> {
    start: usize,
    end: usize,
    open: &'h str,
    inner: &'h str,
}

/// The `<svg>` elements of `html` in order, up to one left unclosed.
fn svg_elements(html: &str) -> impl Iterator<Item = SvgElement<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + cut(html, from..).find("<svg")?;
        let open_end = start + cut(html, start..).find('>')?;
        let close = open_end + cut(html, open_end..).find("</svg>")?;
        from = close + "</svg>".len();
        Some(SvgElement {
            start,
            end: from,
            open: cut(html, start..open_end),
            inner: cut(html, open_end + 1..close),
        })
    })
}

/// An `<svg …` opening tag as HTML allows it, made one an XML reader takes for a file of its
/// own: bare attributes (`data-export`) get an empty value, `data-defer` goes, and the SVG
/// namespace is added when the template left it out.
fn xml_open_tag(open: &str) -> String {
    let mut tag = String::from("<svg");
    let mut rest = open.strip_prefix("<svg").unwrap_or(open).trim_start();
    let mut namespaced = false;
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = cut(rest, ..name_end);
        rest = cut(rest, name_end..).trim_start();
        let value = match rest.strip_prefix('=') {
            Some(after) => {
                let after = after.trim_start();
                let (value, next) = match after.chars().next() {
                    Some(quote @ ('"' | '\'')) => {
                        let body = cut(after, 1..);
                        let end = body.find(quote).unwrap_or(body.len());
                        (cut(body, ..end), cut(body, (end + 1).min(body.len())..))
                    }
                    _ => {
                        let end = after.find(char::is_whitespace).unwrap_or(after.len());
                        (cut(after, ..end), cut(after, end..))
                    }
                };
                rest = next.trim_start();
                unescape(value)
            }
            None => String::new(),
        };
        if name.is_empty() || name == "/" {
            break;
        }
        if name == "data-defer" {
            continue;
        }
        namespaced |= name == "xmlns";
        let _ = write!(tag, " {name}=\"{}\"", escape(&value));
    }
    if !namespaced {
        tag.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
    }
    tag
}

/// The dark scheme of a deferred drawing while it is shown as a picture (the page's own
/// stylesheet takes over once the drawing is back in the page).
const DRAWING_DARK: &str = "@media (prefers-color-scheme: dark) { text { fill: #e4e8ee; } .tt-map-none { fill: #3a434e; } .tt-map-shape { stroke: #8a949e; } .tt-map-p6 { fill: #5b1a78; } }\n";

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
            for (open, inner) in row_cells(row) {
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
            }
            cells
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect();
    (rows.len() > 1).then_some(rows)
}

/// The most rows a table's picture shows: a longer table travels as its CSV.
const TABLE_ROWS: usize = 100;
const TABLE_BYTES: usize = 200_000;
const CELL_FONT: f64 = 13.0;
const CELL_LINE: f64 = 17.0;
const CELL_PAD: f64 = 8.0;
/// A sparkline's size in a table cell (`shortcodes/table.html` draws it 96 × 24).
const SPARK: (f64, f64) = (96.0, 24.0);

/// One cell of a table as the page shows it.
#[derive(Debug, Default)]
struct Cell {
    text: String,
    numeric: bool,
    /// Its heat-map shade (`tt-heat-N`).
    heat: Option<String>,
    /// A sparkline's drawing: the inside of its `<svg>`.
    spark: Option<String>,
}

/// The visible data table of a figure (not a chart's visually hidden one): its rows of cells
/// as the page writes them, the header first, and which rows are highlighted.
fn table_cells(html: &str) -> Option<(Vec<Vec<Cell>>, Vec<bool>)> {
    let start = html.find("<table class=\"tt-data")?;
    let table = section(cut(html, start..), "<table", "</table>")?;
    let open = cut(table, ..table.find('>').unwrap_or(0));
    // A chart's table is read by screen readers, not drawn; a table of pages of text would
    // make a picture nobody could read (its CSV is the way to take it).
    if open.contains("tt-data-hidden")
        || open.contains("tt-visually-hidden")
        || table.len() > TABLE_BYTES
    {
        return None;
    }
    let mut rows = Vec::new();
    let mut highlights = Vec::new();
    for row in table.split("<tr").skip(1) {
        let highlight = row.starts_with(" class=\"tt-highlight\"");
        let row = row.split("</tr>").next().unwrap_or_default();
        let mut cells = Vec::new();
        for (open, inner) in row_cells(row) {
            // A source's number is a link on the page, not part of the value.
            let inner = inner
                .split("<sup class=\"tt-ref\"")
                .next()
                .unwrap_or_default();
            let spark = section(inner, "<svg", "</svg>").map(|svg| {
                let body = svg.find('>').map_or("", |i| cut(svg, i + 1..));
                body.trim_end_matches("</svg>").to_owned()
            });
            let class = attribute(open, "class").unwrap_or_default();
            cells.push(Cell {
                text: if inner.contains("tt-missing") {
                    "\u{2014}".to_owned()
                } else if spark.is_some() {
                    String::new()
                } else {
                    // A list's items, one after another.
                    let text = strip_tags(&inner.replace("</li>", "; </li>"));
                    text.trim_end_matches(';').trim_end_matches("; ").to_owned()
                },
                numeric: class.split(' ').any(|c| c == "num"),
                heat: class
                    .split(' ')
                    .find(|c| c.starts_with("tt-heat-"))
                    .map(str::to_owned),
                spark,
            });
        }
        if !cells.is_empty() {
            rows.push(cells);
            highlights.push(highlight);
        }
    }
    (rows.len() > 1 && rows.len() <= TABLE_ROWS + 1).then_some((rows, highlights))
}

/// A table drawn as SVG, 640 units wide: the header in bold over a rule, numbers aligned
/// right, long text wrapped, heat-map shades and sparklines as on the page.
fn table_drawing(html: &str) -> Option<Drawing> {
    const WIDE: f64 = 640.0;
    let (rows, highlights) = table_cells(html)?;
    let columns = rows.iter().map(Vec::len).max()?;
    let text_width = |text: &str, bold: bool| {
        crate::text::width_em(text) * CELL_FONT * if bold { 1.1 } else { 1.0 }
    };
    // As a browser lays out a table: each column as wide as its widest cell when they all
    // fit; otherwise at least as wide as its longest word, sharing what is left in proportion
    // to how much more each would take.
    let bold = |i: usize, c: usize| i == 0 || highlights[i] || c == 0;
    let measure = |word_wise: bool| -> Vec<f64> {
        (0..columns)
            .map(|c| {
                rows.iter()
                    .enumerate()
                    .filter_map(|(i, row)| {
                        let cell = row.get(c)?;
                        Some(match cell.spark {
                            Some(_) => SPARK.0,
                            None if word_wise => cell
                                .text
                                .split(' ')
                                .map(|w| text_width(w, bold(i, c)))
                                .fold(0.0, f64::max),
                            None => text_width(&cell.text, bold(i, c)),
                        })
                    })
                    .fold(0.0, f64::max)
                    + 2.0 * CELL_PAD
            })
            .collect()
    };
    let most = measure(false);
    let least = measure(true);
    let (sum_most, sum_least) = (most.iter().sum::<f64>(), least.iter().sum::<f64>());
    let widths: Vec<f64> = if sum_most <= WIDE {
        most
    } else if sum_least >= WIDE {
        least.iter().map(|w| w * WIDE / sum_least).collect()
    } else {
        let share = (WIDE - sum_least) / (sum_most - sum_least);
        least
            .iter()
            .zip(&most)
            .map(|(l, m)| l + (m - l) * share)
            .collect()
    };
    let mut inner = String::new();
    let mut y = 0.0;
    for (i, row) in rows.iter().enumerate() {
        let header = i == 0;
        let lines: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                let font = CELL_FONT * if bold(i, c) { 1.1 } else { 1.0 };
                wrap(&cell.text, w - 2.0 * CELL_PAD, font)
            })
            .collect();
        let tallest = row
            .iter()
            .zip(&lines)
            .map(|(cell, lines)| match cell.spark {
                Some(_) => SPARK.1,
                None => lines.len().max(1) as f64 * CELL_LINE,
            })
            .fold(CELL_LINE, f64::max);
        let height = tallest + 12.0;
        let mut x = 0.0;
        for (c, ((cell, lines), w)) in row.iter().zip(&lines).zip(&widths).enumerate() {
            if let Some(heat) = &cell.heat {
                let _ = write!(
                    inner,
                    "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    escape(heat),
                    r(x),
                    r(y),
                    r(*w),
                    r(height)
                );
            }
            if let Some(spark) = &cell.spark {
                let _ = write!(
                    inner,
                    "<svg x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">{spark}</svg>",
                    r(x + w - CELL_PAD - SPARK.0),
                    r(y + 6.0),
                    SPARK.0,
                    SPARK.1,
                    SPARK.0,
                    SPARK.1
                );
            }
            let mut class = String::from(if bold(i, c) {
                "tt-x-strong"
            } else {
                "tt-x-cell"
            });
            if cell.heat.as_deref() == Some("tt-heat-4") {
                class.push_str(" tt-x-on-dark");
            }
            let (anchor, tx) = if cell.numeric {
                ("end", x + w - CELL_PAD)
            } else {
                ("start", x + CELL_PAD)
            };
            for (n, line) in lines.iter().enumerate() {
                let _ = write!(
                    inner,
                    "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                    r(tx),
                    r(y + 6.0 + 13.0 + n as f64 * CELL_LINE),
                    escape(line)
                );
            }
            x += w;
        }
        y += height;
        let _ = write!(
            inner,
            "<line class=\"{}\" x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
            if header {
                "tt-x-rule-strong"
            } else {
                "tt-x-rule"
            },
            r(widths.iter().sum::<f64>()),
            r(y),
            r(y)
        );
    }
    Some(Drawing {
        view_box: [0.0, 0.0, WIDE, r(y + 2.0)],
        inner,
        font_size: None,
        overlay: false,
        panel: false,
    })
}

/// The cells of one table row's HTML (after `<tr`): each `<th>`/`<td>` opening tag and what
/// is inside it.
fn row_cells(row: &str) -> Vec<(&str, &str)> {
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
        cells.push((open, cut(rest, (open_end + 1).min(close)..close)));
        rest = cut(rest, close..);
        rest = rest.get(3..).unwrap_or_default();
    }
    cells
}

/// The sources a figure's footer names, as text (its download links belong to the page).
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

/// `text` in at most `max` lines no wider than `width` at `font` px (`wrap`); text that
/// does not fit ends its last line with `…`. For SVG templates (social cards), where text
/// does not wrap by itself.
pub(crate) fn wrap_lines(text: &str, width: f64, font: f64, max: usize) -> Vec<String> {
    let mut lines = wrap(text, width, font);
    if lines.len() <= max {
        return lines;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        let mut graphemes: Vec<&str> = crate::text::graphemes(last).collect();
        loop {
            let candidate = format!("{}…", graphemes.concat().trim_end());
            if graphemes.is_empty() || crate::text::width_em(&candidate) * font <= width {
                *last = candidate;
                break;
            }
            graphemes.pop();
        }
    }
    lines
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

    #[test]
    fn long_text_wraps_into_lines_and_the_last_is_cut_with_an_ellipsis() {
        let title = "Santos: the busiest port in Latin America, and what a 50% tariff would do to its coffee";
        let two = wrap_lines(title, 1040.0, 66.0, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'), "{two:?}");
        for line in &two {
            assert!(crate::text::width_em(line) * 66.0 <= 1040.0, "{line}");
        }
        assert_eq!(wrap_lines("Short", 1040.0, 66.0, 2), ["Short"]);
        // Text without spaces breaks between characters, never inside one.
        let japanese = wrap_lines(&"関税交渉".repeat(10), 400.0, 50.0, 3);
        assert_eq!(japanese.len(), 3);
        assert!(
            japanese
                .iter()
                .all(|l| crate::text::width_em(l) * 50.0 <= 400.0)
        );
    }

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
    fn a_table_is_drawn_from_its_cells_within_the_width() {
        let long = "A worry long enough to need several lines in a table of five columns, said in many words";
        let row = |name: &str| {
            format!(
                "<tr class=\"tt-highlight\"><th scope=\"row\">{name}</th><td class=\"num tt-heat-4\" data-value=\"24\">24<sup class=\"tt-ref\"><a href=\"#s-1\">1</a></sup></td><td>{long}</td><td>{long}</td><td class=\"tt-spark\"><svg role=\"img\" aria-label=\"x\" viewBox=\"0 0 96 24\"><path class=\"tt-spark-line\" d=\"M 3 3 H 93\"/></svg></td></tr>"
            )
        };
        let html = format!(
            "<figure class=\"tt-table\" id=\"t\"><table class=\"tt-data\" data-sortable><caption>Worries</caption><thead><tr><th scope=\"col\">Party</th><th scope=\"col\" class=\"num\">Rate</th><th scope=\"col\">One</th><th scope=\"col\">Two</th><th scope=\"col\" class=\"num\">Over time</th></tr></thead><tbody>{}{}</tbody></table><footer class=\"tt-sources\"><p>Source: Somebody</p></footer></figure>",
            row("Japan"),
            row("India")
        );
        let picture = picture(&html, "Example", "en").unwrap();
        let svg = &picture.svg;
        // The number without its note's number, right-aligned, white on the darkest shade.
        assert!(svg.contains("text-anchor=\"end\">24</text>"), "{svg}");
        assert!(svg.contains("<rect class=\"tt-heat-4\""));
        assert!(svg.contains("tt-x-strong tt-x-on-dark"));
        // Long text wrapped; the sparkline kept; the source under the picture.
        assert!(svg.matches(">A worry").count() == 4, "{svg}");
        assert!(svg.contains("<path class=\"tt-spark-line\""));
        assert!(svg.contains("Source: Somebody"));
        // Every line of text inside the table's 640 units.
        let drawing = table_drawing(&html).unwrap();
        for text in drawing.inner.split("<text ").skip(1) {
            let x: f64 = text
                .split("x=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let words = text.split('>').nth(1).unwrap().split('<').next().unwrap();
            let w = crate::text::width_em(words) * CELL_FONT * 1.1;
            let (a, b) = if text.contains("text-anchor=\"end\"") {
                (x - w, x)
            } else {
                (x, x + w)
            };
            assert!(a >= 0.0 && b <= 640.5, "{words} at {a}..{b}");
        }
        // A chart's visually hidden table is not a picture of its own; nor is a long table.
        assert!(table_drawing("<table class=\"tt-data tt-visually-hidden\"><tr><td>1</td></tr><tr><td>2</td></tr></table>").is_none());
        let rows: String = (0..=TABLE_ROWS)
            .map(|i| format!("<tr><td>{i}</td></tr>"))
            .collect();
        assert!(
            table_drawing(&format!(
                "<table class=\"tt-data\"><thead><tr><th>n</th></tr></thead>{rows}</table>"
            ))
            .is_none()
        );
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
    fn a_heavy_drawing_marked_to_defer_leaves_for_a_file() {
        let shapes =
            "<path class=\"s\" d=\"M0 0l1 1z\"><title>Ghana: 10% &amp; more</title></path>\n"
                .repeat(DEFER_BYTES / 40);
        let figure = format!(
            "<figure><figcaption>Map</figcaption>\n<svg class=\"tt-map-shapes\" data-defer role=\"group\" viewBox=\"0 0 1280.0 579.0\" data-export>\n<title id=\"t\">Map</title>\n<desc id=\"d\">Shaded by rate &lt;50%</desc>\n{shapes}</svg>\n<svg class=\"tt-map-labels\" viewBox=\"0 0 640 290\" data-export=\"overlay\"><text>Ghana</text></svg></figure>"
        );
        let deferred = defer_drawings(&figure, |n| format!("/p/map-1.drawing-{n}.svg"));
        assert_eq!(
            deferred.html,
            format!(
                "<figure><figcaption>Map</figcaption>\n<img class=\"tt-map-shapes\" src=\"/p/map-1.drawing-0.svg\" alt=\"Shaded by rate &lt;50%\" width=\"1280\" height=\"579\" {} data-drawing>\n<svg class=\"tt-map-labels\" viewBox=\"0 0 640 290\" data-export=\"overlay\"><text>Ghana</text></svg></figure>",
                crate::images::LAZY
            )
        );
        let [file] = deferred.files.as_slice() else {
            panic!("{:?}", deferred.files.len());
        };
        // The element as written, its bare attribute given a value and the namespace added
        // (`data-defer` has done its work), then the drawing and its own styles.
        assert!(
            file.starts_with("<svg class=\"tt-map-shapes\" role=\"group\" viewBox=\"0 0 1280.0 579.0\" data-export=\"\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"t\">Map</title>"),
            "{}",
            cut(file, ..200)
        );
        assert!(file.contains(&shapes) && file.ends_with("</style></svg>\n"));
        resvg::usvg::roxmltree::Document::parse(file).expect("well-formed XML");

        // Under the weight, or not marked: left in the page as it is.
        let light = figure.replace(&shapes, "<path d=\"M0 0z\"/>");
        let kept = defer_drawings(&light, |_| unreachable!());
        assert_eq!((kept.html, kept.files.len()), (light, 0));
        let unmarked = figure.replace(" data-defer", "");
        let kept = defer_drawings(&unmarked, |_| unreachable!());
        assert_eq!((kept.html, kept.files.len()), (unmarked, 0));
        // Cut-off markup is left alone, never a panic.
        for end in [10, 200, figure.len() - 10] {
            let _ = defer_drawings(cut(&figure, ..end), |n| n.to_string());
        }
    }

    #[test]
    fn opening_tags_become_xml() {
        assert_eq!(
            xml_open_tag("<svg a b=1 c='x \"y\"' data-defer d=\"&amp;\" /"),
            "<svg a=\"\" b=\"1\" c=\"x &quot;y&quot;\" d=\"&amp;\" xmlns=\"http://www.w3.org/2000/svg\""
        );
        assert_eq!(
            xml_open_tag("<svg xmlns=\"http://www.w3.org/2000/svg\" é=\"日本\""),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" é=\"日本\""
        );
    }

    #[test]
    fn pictures_name_fonts_for_every_script() {
        assert!(families("en").starts_with("\"DejaVu Sans\""));
        assert!(families("ko").contains("\"Noto Sans CJK KR\", \"Noto Sans CJK JP\""));
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
