//! `map`: a choropleth of the world, or of the part of it a file covers, from a column keyed by
//! ISO 3166-1 code. Countries are shaded by a binned, colour-blind-safe scale (viridis),
//! states too small to see are drawn as circles, highlighted countries are labelled, every
//! country with a value is a focusable shape named with its value, and the figures follow as a
//! table. The geometry is computed here; `shortcodes/map.html` only draws it.

use std::collections::BTreeMap;

use fluent_bundle::FluentValue;
use serde::Serialize;
use serde_json::Value;

use super::Expander;
use super::args::Args;
use super::table::{self, SourceView, Sources};
use crate::data::{self, plain, value_text};
use crate::diagnostic::Diagnostic;

/// The width of the map's drawing, in its own units (it is drawn at the width of its column).
const GEOMETRY_WIDTH: f64 = 1280.0;
/// The two label layers: `wide` for a text column (640 units), `narrow` for phones (320), so
/// that labels stay at least 11 px wherever they are read; the stylesheet shows one.
const LAYERS: [(&str, f64, f64); 2] = [("wide", 640.0, 13.0), ("narrow", 320.0, 12.0)];
/// A country with a value smaller than this on a 640 px map (in square px) is also drawn as
/// a circle at its centre, so that it can be seen and reached.
const SMALL_AREA: f64 = 30.0;
const CIRCLE_RADIUS: f64 = 3.5;
/// The colour scale has this many steps (viridis, light to dark); `n` bins use `n` of them.
const PALETTE: usize = 7;

#[derive(Debug, Serialize)]
pub struct MapView {
    pub id: String,
    pub caption: String,
    pub description: String,
    /// The drawing's own size (`viewBox`).
    pub width: f64,
    pub height: f64,
    /// Countries without a value first, highlighted ones last (drawn on top).
    pub shapes: Vec<Shape>,
    pub layers: Vec<Layer>,
    pub legend: Vec<LegendItem>,
    /// Countries with a value that the map cannot draw (no outline at this scale), with it.
    pub not_drawn: Vec<String>,
    /// The figures as the table after the map has them.
    pub rows: Vec<MapRow>,
    pub key_label: String,
    pub value_label: String,
    pub sources: Vec<SourceView>,
    /// Where the outlines come from.
    pub credit: String,
}

#[derive(Debug, Serialize)]
pub struct Shape {
    pub code: String,
    /// The outline as SVG path data; empty when the country is drawn as a circle only.
    pub d: String,
    pub circle: Option<Circle>,
    /// `tt-map-p0`…`tt-map-p6` (the scale's steps) or `tt-map-none`.
    pub class: &'static str,
    /// Its name and value, or its name and that it has none.
    pub title: String,
    pub has_value: bool,
    pub highlight: bool,
}

#[derive(Debug, Serialize)]
pub struct Circle {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// The labels of highlighted countries at one width.
#[derive(Debug, Serialize)]
pub struct Layer {
    pub name: &'static str,
    pub width: f64,
    pub height: f64,
    pub font: f64,
    pub labels: Vec<Label>,
}

#[derive(Debug, Serialize)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub anchor: &'static str,
    pub text: String,
    /// The point labelled, marked with a dot.
    pub dot: Point,
    /// A line from the point to a label placed away from it.
    pub leader: Option<Leader>,
}

#[derive(Debug, Serialize)]
pub struct Leader {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
}

#[derive(Debug, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Serialize)]
pub struct LegendItem {
    pub class: &'static str,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct MapRow {
    pub name: String,
    pub value: String,
    /// For sorting: the number, or nothing.
    pub number: Option<f64>,
    pub highlight: bool,
}

const CLASSES: [&str; PALETTE] = [
    "tt-map-p0",
    "tt-map-p1",
    "tt-map-p2",
    "tt-map-p3",
    "tt-map-p4",
    "tt-map-p5",
    "tt-map-p6",
];
const NO_DATA: &str = "tt-map-none";

/// One row of the file, read: its country (or group), name and value.
struct Entry {
    code: String,
    name: String,
    value: Option<f64>,
    highlight: bool,
}

pub fn map(exp: &mut Expander, args: &Args, id: &str) -> Result<MapView, Vec<Diagnostic>> {
    let file = table::data_file(exp, args)?;
    let countries = crate::geo::Countries::load();
    let language = exp.env.config.language.clone();
    let mut problems = Vec::new();
    let key = match args.str("key") {
        Some(key) => key.to_owned(),
        None => {
            match file.schema.as_ref().and_then(|s| s.key.clone()) {
                Some(key) => key,
                None => {
                    return Err(vec![
                    exp.error(
                        "this map needs `key`: the column of ISO 3166-1 country codes",
                        args.call.name_span.clone(),
                    )
                    .with_help("add `key=\"iso2\"` (alpha-2 codes such as `JP`, or alpha-3 such as `JPN`)"),
                ]);
                }
            }
        }
    };
    if let Err(d) = table::need_column(exp, file, &key, args.span("key")) {
        problems.push(d);
    }
    let value = args.str("value").unwrap_or_default();
    if let Err(d) = table::need_column(exp, file, value, args.span("value")) {
        problems.push(d);
    } else if !data::column_is_numeric(file, value) {
        problems.push(exp.error(
            format!(
                "column `{value}` of `{}` is not numeric, so it cannot shade a map",
                file.name
            ),
            args.span("value"),
        ));
    }
    let label_column = args.str("label");
    if let Some(label) = label_column
        && let Err(d) = table::need_column(exp, file, label, args.span("label"))
    {
        problems.push(d);
    }
    let region = args.str("region").unwrap_or("world");
    if !matches!(region, "world" | "data") {
        problems.push(
            exp.error(format!("unknown map region `{region}`"), args.span("region"))
                .with_help("the regions are `world` (the whole map) and `data` (the part of the world the file's countries cover)"),
        );
    }
    let caption = args.str("caption").map(str::to_owned);
    if caption.is_none() {
        problems.push(
            exp.error("this map needs a caption", args.call.name_span.clone())
                .with_help("add `caption=\"...\"`: it titles the map for every reader"),
        );
    }
    let thresholds = match args.numbers("bins") {
        Some(bins) => match check_bins(&bins) {
            Ok(()) => Some(bins),
            Err(message) => {
                problems.push(exp.error(message, args.span("bins")));
                None
            }
        },
        None => None,
    };
    let highlights = args.list("highlight").unwrap_or_default();
    for (code, span) in &highlights {
        if countries.alpha2(code).is_none() {
            problems.push(not_a_code(code).at(exp.file, span.clone()));
        }
    }
    let rows = match table::select_rows(exp, file, args) {
        Ok((rows, _)) => rows,
        Err(more) => {
            problems.extend(more);
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }

    // Each row: its country (or group) and value.
    let schema = file.schema.as_ref();
    let value_checked = schema
        .and_then(|s| s.column(value))
        .is_some_and(|c| c.column_type.is_numeric());
    let highlighted: Vec<String> = highlights
        .iter()
        .filter_map(|(code, _)| countries.alpha2(code))
        .collect();
    let mut sources = Sources::of_file(args, file);
    let key_checked = schema
        .and_then(|s| s.column(&key))
        .is_some_and(|c| c.column_type == crate::config::ColumnType::Country);
    let mut entries: Vec<Entry> = Vec::new();
    let mut first_row: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        let code_text = value_text(plain(row.cells.get(&key).unwrap_or(&Value::Null)));
        let Some(code) = countries.alpha2(&code_text) else {
            // A column the schema types `country` has had its codes checked already.
            if !key_checked {
                problems.push(not_a_code(&code_text).at(&file.file, row.cell_span(&key)));
            }
            continue;
        };
        if let Some(&first) = first_row.get(&code) {
            let at = file.file.line_col(first);
            problems.push(
                Diagnostic::error(format!(
                    "`{code}` has a second row in `data/{}`: a map shows one value per country",
                    file.name
                ))
                .at(&file.file, row.cell_span(&key))
                .with_note(format!("its first row is at {}:{}", at.line, at.col))
                .with_help("filter the rows (`filter=`), or keep the file through time with an `effective` column"),
            );
            continue;
        }
        first_row.insert(code.clone(), row.span.start);
        let cell = row.cells.get(value).unwrap_or(&Value::Null);
        sources.add(
            cell.get("source").and_then(Value::as_str),
            cell.get("as_of").and_then(Value::as_str),
        );
        let number = super::chart::number_or_problem(
            exp,
            "map",
            plain(cell),
            value,
            value_checked,
            &mut problems,
            |d| d.at(&file.file, row.cell_span(value)),
        );
        let name = label_column
            .map(|l| value_text(plain(row.cells.get(l).unwrap_or(&Value::Null))))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| countries.name(&code, &language));
        entries.push(Entry {
            highlight: highlighted.contains(&code),
            code,
            name,
            value: number,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let values: Vec<f64> = entries.iter().filter_map(|e| e.value).collect();
    if values.is_empty() {
        return Err(vec![exp.error(
            "this map has nothing to shade: no row has a value",
            args.call.name_span.clone(),
        )]);
    }
    let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let thresholds = thresholds.unwrap_or_else(|| default_bins(lowest, highest));
    let numbers = exp.env.numbers();
    let unit = args.str("unit").map(str::to_owned).or_else(|| {
        schema
            .and_then(|s| s.column(value))
            .and_then(|c| c.unit.clone())
    });
    let show = |v: f64| numbers.with_unit(v, unit.as_deref());
    let word = |key: &str, args: &[(&str, FluentValue<'_>)]| exp.env.word(key, args);

    // Every country's value: its own row, else its group's (an `EU` row for its members).
    // (the entry, whether it is the country's group's)
    let mut by_country: BTreeMap<String, (&Entry, bool)> = BTreeMap::new();
    for entry in &entries {
        match crate::geo::GROUPS.iter().find(|(g, _)| *g == entry.code) {
            Some((_, members)) => {
                for member in *members {
                    by_country
                        .entry((*member).to_owned())
                        .or_insert((entry, true));
                }
            }
            None => {
                by_country.insert(entry.code.clone(), (entry, false));
            }
        }
    }
    let class_of = |v: Option<f64>| match v {
        Some(v) => CLASSES[palette_step(bin_of(v, &thresholds), thresholds.len() + 1)],
        None => NO_DATA,
    };
    let missing_text = args
        .str("missing")
        .map_or_else(|| word("map-no-data", &[]), str::to_owned);

    let outlines = crate::geo::outlines();
    let crop = crop(&outlines, region, &by_country);
    let (left, top, right, bottom) = crop;
    let scale = GEOMETRY_WIDTH / (right - left);
    let height = ((bottom - top) * scale).round();
    let px = 640.0 / (right - left);
    let mut shapes = Vec::new();
    for outline in &outlines {
        let (l, t, r, b) = outline.bounds();
        if r < left || l > right || b < top || t > bottom {
            continue;
        }
        let own = by_country.get(&outline.code);
        let value = own.and_then(|(e, _)| e.value);
        let country_name = match own {
            Some((entry, false)) => entry.name.clone(),
            _ => countries.name(&outline.code, &language),
        };
        let title = match (own, value) {
            (Some((group, true)), Some(v)) => word(
                "map-in-group",
                &[
                    ("country", country_name.clone().into()),
                    ("value", show(v).into()),
                    ("group", group.name.clone().into()),
                ],
            ),
            (_, Some(v)) => word(
                "map-country-value",
                &[
                    ("country", country_name.clone().into()),
                    ("value", show(v).into()),
                ],
            ),
            (_, None) => word(
                "map-country-value",
                &[
                    ("country", country_name.clone().into()),
                    ("value", missing_text.clone().into()),
                ],
            ),
        };
        let d = path_data(&outline.rings, left, top, scale);
        let small = outline.rings.is_empty() || outline.area * px * px < SMALL_AREA;
        let circle = (small && value.is_some()).then(|| Circle {
            x: round1((outline.label.0 - left) * scale),
            y: round1((outline.label.1 - top) * scale),
            r: CIRCLE_RADIUS * GEOMETRY_WIDTH / 640.0,
        });
        if d.is_empty() && circle.is_none() {
            continue;
        }
        shapes.push(Shape {
            code: outline.code.clone(),
            d,
            circle,
            class: class_of(value),
            title,
            has_value: value.is_some(),
            highlight: own.is_some_and(|(e, _)| e.highlight) || highlighted.contains(&outline.code),
        });
    }
    shapes.sort_by_key(|s| (s.has_value, s.highlight, s.circle.is_some()));

    let drawn: std::collections::BTreeSet<&str> =
        outlines.iter().map(|o| o.code.as_str()).collect();
    let not_drawn = entries
        .iter()
        .filter(|e| {
            !drawn.contains(e.code.as_str()) && crate::geo::GROUPS.iter().all(|(g, _)| *g != e.code)
        })
        .map(|e| match e.value {
            Some(v) => format!("{} ({})", e.name, show(v)),
            None => e.name.clone(),
        })
        .collect();

    let layers = LAYERS
        .iter()
        .map(|&(name, width, font)| {
            let s = width / (right - left);
            let layer_height = round1((bottom - top) * s);
            let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
            let mut labels = Vec::new();
            for code in &highlighted {
                let Some(outline) = outlines.iter().find(|o| &o.code == code) else {
                    continue;
                };
                let point = ((outline.label.0 - left) * s, (outline.label.1 - top) * s);
                if point.0 < 0.0 || point.0 > width || point.1 < 0.0 || point.1 > layer_height {
                    continue;
                }
                let value = by_country.get(code).and_then(|(e, _)| e.value);
                let name = match by_country.get(code) {
                    Some((entry, false)) => entry.name.clone(),
                    _ => countries.name(code, &language),
                };
                let text = match value {
                    Some(v) => format!("{name} {}", show(v)),
                    None => name,
                };
                labels.push(place_label(
                    text,
                    point,
                    font,
                    (width, layer_height),
                    &mut placed,
                ));
            }
            Layer {
                name,
                width,
                height: layer_height,
                font,
                labels,
            }
        })
        .collect();

    let steps = thresholds.len() + 1;
    let mut legend: Vec<LegendItem> = (0..steps)
        .map(|i| {
            let text = if steps == 1 {
                word(
                    "map-bin-all",
                    &[("from", show(lowest).into()), ("to", show(highest).into())],
                )
            } else if i == 0 {
                word("map-bin-below", &[("to", show(thresholds[0]).into())])
            } else if i == steps - 1 {
                word("map-bin-above", &[("from", show(thresholds[i - 1]).into())])
            } else {
                word(
                    "map-bin",
                    &[
                        ("from", show(thresholds[i - 1]).into()),
                        ("to", show(thresholds[i]).into()),
                    ],
                )
            };
            LegendItem {
                class: CLASSES[palette_step(i, steps)],
                text,
            }
        })
        .collect();
    if shapes.iter().any(|s| !s.has_value) {
        legend.push(LegendItem {
            class: NO_DATA,
            text: missing_text.clone(),
        });
    }

    let mut table_rows: Vec<MapRow> = entries
        .iter()
        .map(|e| MapRow {
            name: e.name.clone(),
            value: e.value.map_or_else(|| word("no-value", &[]), show),
            number: e.value,
            highlight: e.highlight,
        })
        .collect();
    table_rows.sort_by(|a, b| {
        b.number
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.number.unwrap_or(f64::NEG_INFINITY))
            .then_with(|| a.name.cmp(&b.name))
    });
    let value_label = table::column_label(exp, file, value);
    let lowest_names = names_at(&entries, lowest);
    let highest_names = names_at(&entries, highest);
    let description = word(
        "map-description",
        &[
            ("what", value_label.to_lowercase().into()),
            (
                "count",
                entries.iter().filter(|e| e.value.is_some()).count().into(),
            ),
            ("lowest", show(lowest).into()),
            ("lowest-names", lowest_names.into()),
            ("highest", show(highest).into()),
            ("highest-names", highest_names.into()),
        ],
    );
    Ok(MapView {
        id: id.to_owned(),
        caption: caption.unwrap_or_default(),
        description,
        width: GEOMETRY_WIDTH,
        height,
        shapes,
        layers,
        legend,
        not_drawn,
        rows: table_rows,
        key_label: label_column.map_or_else(
            || word("map-country", &[]),
            |l| table::column_label(exp, file, l),
        ),
        value_label,
        sources: sources.into_vec(),
        credit: word("map-credit", &[]),
    })
}

/// The error for a code that names no country (placed by the caller).
fn not_a_code(code: &str) -> Diagnostic {
    let d = Diagnostic::error(format!("`{code}` is not an ISO 3166-1 country code"));
    match crate::geo::code_hint(code) {
        Some(hint) => d.with_help(hint),
        None => d.with_help(
            "write alpha-2 codes (`JP`, `KR`, `IN`) or alpha-3 codes (`JPN`); `EU` stands for the European Union's member states",
        ),
    }
}

fn check_bins(bins: &[f64]) -> Result<(), String> {
    if bins.is_empty() {
        return Err("`bins` needs at least one boundary".to_owned());
    }
    if bins.len() >= PALETTE {
        return Err(format!(
            "`bins` has {} boundaries, which make {} shades: a reader can tell at most {PALETTE} apart",
            bins.len(),
            bins.len() + 1
        ));
    }
    if bins.windows(2).any(|w| w[0] >= w[1]) {
        return Err("`bins` must rise: each boundary above the one before".to_owned());
    }
    Ok(())
}

/// Boundaries at round numbers between the lowest and highest values, four or five bins.
fn default_bins(lowest: f64, highest: f64) -> Vec<f64> {
    if lowest >= highest {
        return Vec::new();
    }
    super::chart::nice_ticks(lowest, highest, 5)
        .into_iter()
        .filter(|t| *t > lowest && *t <= highest)
        .collect()
}

/// The bin of `v`: how many boundaries are at or below it (a bin includes its lower bound).
fn bin_of(v: f64, thresholds: &[f64]) -> usize {
    thresholds.iter().filter(|t| **t <= v).count()
}

/// The step of the palette for bin `i` of `n`: spread over the whole scale.
fn palette_step(i: usize, n: usize) -> usize {
    if n <= 1 {
        return PALETTE / 2;
    }
    ((i as f64) * (PALETTE - 1) as f64 / (n - 1) as f64).round() as usize
}

fn names_at(entries: &[Entry], v: f64) -> String {
    let names: Vec<&str> = entries
        .iter()
        .filter(|e| e.value == Some(v))
        .map(|e| e.name.as_str())
        .collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} +{}", names[..3].join(", "), n - 3),
    }
}

/// The part of the frame to draw: the whole world, or the countries with a row, with a margin.
fn crop(
    outlines: &[crate::geo::Outline],
    region: &str,
    by_country: &BTreeMap<String, (&Entry, bool)>,
) -> (f64, f64, f64, f64) {
    let chosen: Vec<&crate::geo::Outline> = match region {
        "data" => outlines
            .iter()
            .filter(|o| by_country.contains_key(&o.code))
            .collect(),
        _ => Vec::new(),
    };
    let chosen = if chosen.is_empty() {
        outlines.iter().collect()
    } else {
        chosen
    };
    let mut bounds = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for outline in chosen {
        let (l, t, r, b) = outline.bounds();
        bounds = (
            bounds.0.min(l),
            bounds.1.min(t),
            bounds.2.max(r),
            bounds.3.max(b),
        );
    }
    let margin = ((bounds.2 - bounds.0).max(bounds.3 - bounds.1) * 0.02).max(8.0);
    let (mut left, mut top, mut right, mut bottom) = (
        (bounds.0 - margin).max(0.0),
        (bounds.1 - margin).max(0.0),
        (bounds.2 + margin).min(crate::geo::FRAME_WIDTH),
        bounds.3 + margin,
    );
    // A region no taller than twice its width, nor wider than three times its height.
    let (w, h) = (right - left, bottom - top);
    if h > 2.0 * w {
        let grow = (h / 2.0 - w) / 2.0;
        left -= grow;
        right += grow;
    } else if w > 3.0 * h {
        let grow = (w / 3.0 - h) / 2.0;
        top -= grow;
        bottom += grow;
    }
    (left, top, right, bottom)
}

/// Rings as compact SVG path data: whole units, relative moves, repeated points dropped.
fn path_data(rings: &[Vec<(i32, i32)>], left: f64, top: f64, scale: f64) -> String {
    let mut d = String::new();
    for ring in rings {
        let points: Vec<(i64, i64)> = ring
            .iter()
            .map(|&(x, y)| {
                (
                    ((f64::from(x) - left) * scale).round() as i64,
                    ((f64::from(y) - top) * scale).round() as i64,
                )
            })
            .collect();
        let mut kept: Vec<(i64, i64)> = Vec::with_capacity(points.len());
        for p in points {
            if kept.last() != Some(&p) {
                kept.push(p);
            }
        }
        if kept.len() > 1 && kept.first() == kept.last() {
            kept.pop();
        }
        if kept.len() < 3 {
            continue;
        }
        let (x0, y0) = kept[0];
        d.push_str(&format!("M{x0} {y0}l"));
        let mut previous = kept[0];
        for (i, &(x, y)) in kept.iter().enumerate().skip(1) {
            let (dx, dy) = (x - previous.0, y - previous.1);
            if i > 1 && dx >= 0 {
                d.push(' ');
            }
            d.push_str(&format!("{dx}"));
            if dy >= 0 {
                d.push(' ');
            }
            d.push_str(&format!("{dy}"));
            previous = (x, y);
        }
        d.push('z');
    }
    d
}

/// Places a label near `point` where it overlaps no label placed before and stays inside the
/// drawing: to the right of the point, to its left, then further up or down on either side
/// with a leader line back to the point; failing all, to its right, pulled inside.
fn place_label(
    text: String,
    point: (f64, f64),
    font: f64,
    (width, height): (f64, f64),
    placed: &mut Vec<(f64, f64, f64, f64)>,
) -> Label {
    let w = crate::text::width_em(&text) * font * 1.05;
    // A label's box as browsers measure it: the font's whole line box, 1.36 em in Noto Sans
    // and more in the Devanagari and CJK faces, with a little to spare.
    let h = font * 1.6;
    let gap = font * 0.5;
    let (x, y) = point;
    let fits = |left: f64, baseline: f64| {
        let top = baseline - font * 1.15;
        let bottom = top + h;
        left >= 0.0
            && left + w <= width
            && top >= 0.0
            && bottom <= height
            && placed
                .iter()
                .all(|&(l, t, r, b)| left + w < l || left > r || bottom < t || top > b)
    };
    // (left edge of the box, baseline, anchor), nearest first.
    let mut candidates = Vec::new();
    for step in 0..8 {
        for sign in [1.0, -1.0] {
            let shift = f64::from(step) * h * sign;
            let baseline = y + font * 0.35 + shift;
            candidates.push((x + gap, baseline, "start"));
            candidates.push((x - gap - w, baseline, "end"));
            if step == 0 {
                break;
            }
        }
    }
    let (left, baseline, anchor) = candidates
        .iter()
        .copied()
        .find(|&(l, b, _)| fits(l, b))
        .unwrap_or_else(|| {
            let left = (x + gap).min(width - w).max(0.0);
            (left, (y + font * 0.35).clamp(font, height), "start")
        });
    placed.push((
        left,
        baseline - font * 1.15,
        left + w,
        baseline - font * 1.15 + h,
    ));
    let anchor_x = if anchor == "end" { left + w } else { left };
    // A label moved off its point's line is joined to it.
    let middle = baseline - font * 0.35;
    let leader = ((middle - y).abs() > h / 2.0).then(|| Leader {
        x1: round1(x),
        y1: round1(y),
        x2: round1(if anchor == "end" { left + w } else { left }),
        y2: round1(middle),
    });
    Label {
        x: round1(anchor_x),
        y: round1(baseline),
        anchor,
        text,
        dot: Point {
            x: round1(x),
            y: round1(y),
        },
        leader,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_bins_are_round_and_inside_the_values() {
        assert_eq!(default_bins(11.0, 50.0), vec![20.0, 30.0, 40.0, 50.0]);
        assert_eq!(default_bins(5.0, 5.0), Vec::<f64>::new());
        assert_eq!(bin_of(19.9, &[20.0, 30.0]), 0);
        assert_eq!(bin_of(20.0, &[20.0, 30.0]), 1);
        assert_eq!(bin_of(99.0, &[20.0, 30.0]), 2);
    }

    #[test]
    fn bins_must_rise_and_stay_few() {
        assert!(check_bins(&[10.0, 20.0]).is_ok());
        assert!(check_bins(&[20.0, 10.0]).is_err());
        assert!(check_bins(&[10.0, 10.0]).is_err());
        assert!(check_bins(&[]).is_err());
        assert!(check_bins(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]).is_err());
    }

    #[test]
    fn the_palette_spans_the_scale() {
        assert_eq!(palette_step(0, 5), 0);
        assert_eq!(palette_step(4, 5), 6);
        assert_eq!(palette_step(0, 1), 3);
        assert_eq!(
            (0..7).map(|i| palette_step(i, 7)).collect::<Vec<_>>(),
            (0..7).collect::<Vec<_>>()
        );
    }

    #[test]
    fn path_data_is_relative_and_closed() {
        let ring = vec![(0, 0), (100, 0), (100, 100), (0, 0)];
        assert_eq!(path_data(&[ring], 0.0, 0.0, 0.5), "M0 0l50 0 0 50z");
        // A ring that rounds to fewer than three points is left out.
        assert_eq!(
            path_data(&[vec![(0, 0), (1, 0), (0, 1)]], 0.0, 0.0, 0.1),
            ""
        );
    }

    #[test]
    fn labels_do_not_overlap_and_stay_inside() {
        let mut placed = Vec::new();
        let a = place_label(
            "Japan 24%".into(),
            (600.0, 100.0),
            13.0,
            (640.0, 300.0),
            &mut placed,
        );
        let b = place_label(
            "Korea 25%".into(),
            (598.0, 102.0),
            13.0,
            (640.0, 300.0),
            &mut placed,
        );
        // Japan's label cannot go right of a point near the edge; Korea's takes another place.
        assert_eq!(a.anchor, "end");
        assert_ne!((a.x, a.y), (b.x, b.y));
        let [(l1, t1, r1, b1), (l2, t2, r2, b2)] = [placed[0], placed[1]];
        assert!(r1 < l2 || r2 < l1 || b1 < t2 || b2 < t1, "{placed:?}");
        assert!(
            placed
                .iter()
                .all(|&(l, t, r, b)| l >= 0.0 && r <= 640.0 && t >= 0.0 && b <= 300.0)
        );
    }
}
