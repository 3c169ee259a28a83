//! Chart kinds beyond bars and steps (issue 16): stacked and diverging bars, dot and range
//! plots, small multiples of a value through time, and sparklines in table cells; each drawn
//! as SVG without JavaScript, with its table and words, and each mistake stopped at its place.

use crate::support::Site;

const CONFIG: &str = r#"title = "Trade"
base_url = "https://example.org/"

[data."trade.csv"]
title = "Trade with the US"
source = "Fixture trade statistics"
as_of = 2025-03-31
key = "code"
[data."trade.csv".columns]
code = "country"
name = { type = "string", label = "Partner" }
goods = { type = "number", unit = "bn", label = "Goods" }
services = { type = "number", unit = "bn", label = "Services", required = false }
imports = { type = "number", unit = "bn", label = "Imports" }
exports = { type = "number", unit = "bn", label = "Exports" }
announced = { type = "number", unit = "%", label = "Announced" }
in_force = { type = "number", unit = "%", label = "In force", required = false }

[data."rates.csv"]
title = "Rates through time"
source = "Fixture"
key = "iso2"
effective = "effective"
[data."rates.csv".columns]
iso2 = "country"
name = "string"
rate = { type = "number", unit = "%", label = "Rate" }
effective = { type = "date", label = "Since" }
"#;

const TRADE: &str = "code,name,goods,services,imports,exports,announced,in_force\n\
JP,Japan,148.2,40.5,79.7,148.2,24,10\n\
KR,South Korea,131.5,23.1,65.5,131.5,25,10\n\
IN,India,87.4,41.6,41.8,87.4,26,\n";

const RATES: &str = "iso2,name,rate,effective\n\
JP,Japan,24,2025-04-02\n\
KR,South Korea,26,2025-04-02\n\
KR,South Korea,25,2025-04-03\n\
JP,Japan,10,2025-04-09\n\
KR,South Korea,24,2025-04-09\n\
KR,South Korea,10,2025-04-09\n\
IN,India,26,2025-04-05\n";

fn site(body: &str) -> Site {
    let site = Site::empty();
    site.write("tradetalks.toml", CONFIG)
        .write("data/trade.csv", TRADE)
        .write("data/rates.csv", RATES)
        .write("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .write(
            "content/trade.md",
            format!("---\ntitle: Trade\ndate: 2025-04-01\n---\n\n{body}\n"),
        );
    site
}

/// The `<figure>` with `id`, as the page has it.
fn figure(html: &str, id: &str) -> String {
    let at = html
        .find(&format!(" id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let start = html[..at].rfind("<figure").unwrap();
    let end = start + html[start..].find("</figure>").unwrap() + "</figure>".len();
    html[start..end].to_owned()
}

/// The first drawing (the wide one) of a figure.
fn wide(figure: &str) -> &str {
    let start = figure.find("<svg class=\"tt-bars tt-bars-wide").unwrap();
    let end = start + figure[start..].find("</svg>").unwrap();
    &figure[start..end]
}

/// The numeric attribute `name` of an element's text `tag`.
fn attr(tag: &str, name: &str) -> f64 {
    tag.split(&format!(" {name}=\""))
        .nth(1)
        .and_then(|v| v.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
}

#[test]
fn stacked_bars_add_each_row_s_columns_and_say_the_total() {
    let site = site(
        r#"{{ chart(kind="stacked", data="trade.csv", x="name", y=["goods", "services"], caption="Trade in goods and services") }}"#,
    );
    site.build();
    let html = site.output("trade/index.html");
    let chart = figure(&html, "chart-1");
    insta::assert_snapshot!(chart);
    let drawing = wide(&chart);
    // Japan's two segments end to end from the zero line, parted by a hairline.
    let japan = drawing.split("<g class=\"tt-row").nth(1).unwrap();
    let rects: Vec<&str> = japan.split("<rect ").skip(1).collect();
    assert_eq!(rects.len(), 2, "{japan}");
    assert!(rects.iter().all(|r| r.contains("tt-segment")));
    let goods_end = attr(rects[0], "x") + attr(rects[0], "width");
    assert!((goods_end - attr(rects[1], "x")).abs() < 0.2, "{japan}");
    // The total beside the bar; each segment's own value inside it, where it fits.
    assert!(japan.contains(">188.7 bn</text>"), "{japan}");
    assert!(japan.contains("tt-inside tt-series-0\""), "{japan}");
    assert!(chart.contains("Stacked bar chart of Goods and Services by partner"));
    assert!(chart.contains("Highest: Japan at 188.7 bn"), "{chart}");
    // Travels as a picture too.
    assert!(site.exists("trade/chart-1.png") && site.exists("trade/chart-1.svg"));
}

#[test]
fn diverging_bars_draw_the_left_columns_left_of_zero_and_count_outwards() {
    let site = site(
        r#"{{ chart(kind="diverging", data="trade.csv", x="name", y=["imports", "exports"], left=["imports"], caption="Imports from and exports to the US") }}"#,
    );
    site.build();
    let chart = figure(&site.output("trade/index.html"), "chart-1");
    insta::assert_snapshot!(chart);
    let drawing = wide(&chart);
    let zero = attr(
        drawing.split("<line class=\"tt-zero\"").nth(1).unwrap(),
        "x1",
    );
    let japan = drawing.split("<g class=\"tt-row").nth(1).unwrap();
    let rects: Vec<&str> = japan.split("<rect ").skip(1).collect();
    // Imports end at zero from the left; exports start there.
    assert!((attr(rects[0], "x") + attr(rects[0], "width") - zero).abs() < 0.2);
    assert!((attr(rects[1], "x") - zero).abs() < 0.2);
    // Both totals as amounts, and no tick with a minus sign.
    assert!(japan.contains(">79.7 bn</text>") && japan.contains(">148.2 bn</text>"));
    assert!(!drawing.contains("\u{2212}"), "{drawing}");
}

#[test]
fn dot_and_range_plots_tell_series_apart_by_shape_and_label_the_ends() {
    let site = site(
        r#"{{ chart(kind="range", data="trade.csv", x="name", y=["in_force", "announced"], highlight=["JP"], caption="Rates announced and in force") }}

{{ chart(kind="dot", data="trade.csv", x="name", y=["announced"], caption="Rates announced") }}"#,
    );
    site.build();
    let html = site.output("trade/index.html");
    let range = figure(&html, "chart-1");
    insta::assert_snapshot!(range);
    let drawing = wide(&range);
    let japan = drawing.split("<g class=\"tt-row").nth(1).unwrap();
    assert!(japan.starts_with(" tt-highlight"));
    // A line from the lowest to the highest, a dot of each series' shape, named.
    assert!(japan.contains("<line class=\"tt-range\""), "{japan}");
    assert!(japan.contains("<title>In force: 10%</title>"));
    assert!(japan.contains("<title>Announced: 24%</title>"));
    let shapes: Vec<&str> = japan
        .split("d=\"")
        .skip(1)
        .map(|d| d.split('"').next().unwrap())
        .collect();
    assert!(
        shapes[0].contains('a') && shapes[1].contains('L'),
        "{shapes:?}"
    );
    // The lowest written left of its dot, the highest right of it.
    let texts: Vec<&str> = japan.split("<text class=\"tt-value\"").skip(1).collect();
    assert!(texts[0].contains("text-anchor=\"end\">10%<"), "{texts:?}");
    assert!(texts[1].contains("text-anchor=\"start\">24%<"), "{texts:?}");
    // India has no rate in force: one dot, no range, and the table says so.
    let india = drawing.split("<g class=\"tt-row").nth(3).unwrap();
    assert!(!india.contains("tt-range") && india.matches("<path").count() == 1);
    assert!(range.contains("no value"));
    // The legend's swatches have the dots' shapes.
    assert!(range.contains("tt-swatch tt-swatch-dot tt-series-1"));
    assert!(range.contains("Range plot of In force and Announced"));
    // One series: a dot on a guide line across the plot, no legend.
    let dot = figure(&html, "chart-2");
    assert!(dot.contains("tt-dot-guide") && !dot.contains("tt-legend"));
    for id in ["chart-1", "chart-2"] {
        assert!(site.exists(&format!("trade/{id}.png")), "{id}");
    }
    let svg = site.output("trade/chart-1.svg");
    assert!(svg.contains("<path class=\"tt-dot tt-series-1\""), "{svg}");
}

#[test]
fn small_multiples_draw_one_panel_per_key_on_one_scale() {
    let site = site(
        r#"{{ chart(kind="step", data="rates.csv", x="name", y="rate", facet=true, caption="Each partner's rate") }}"#,
    );
    site.build();
    let html = site.output("trade/index.html");
    let start = html.find("<figure class=\"tt-chart tt-steps\"").unwrap();
    let chart = &html[start..start + html[start..].find("</figure>").unwrap()];
    insta::assert_snapshot!(chart);
    let panels: Vec<&str> = chart
        .split("<svg class=\"tt-bars tt-bars-panel\"")
        .skip(1)
        .collect();
    assert_eq!(panels.len(), 3, "{chart}");
    for (panel, name) in panels.iter().zip(["Japan", "South Korea", "India"]) {
        assert!(panel.contains(&format!(
            "class=\"tt-facet-title\" x=\"3\" y=\"14\">{name}<"
        )));
        // Its own line, and the two others faint behind it.
        assert_eq!(panel.matches("tt-step-context").count(), 2, "{panel}");
        assert_eq!(panel.matches("<path class=\"tt-step tt-series-").count(), 1);
        assert!(panel.contains("data-export=\"panel\""));
    }
    // The same scale in every panel: the same ticks.
    let ticks = |panel: &str| -> Vec<String> {
        panel
            .split("class=\"tt-tick\"")
            .skip(1)
            .map(|t| t.split('<').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ticks(panels[0]), ticks(panels[2]));
    assert!(!chart.contains("tt-legend"));
    // The picture sets the panels two to a row.
    let svg = site.output("trade/chart-1.svg");
    assert_eq!(svg.matches("viewBox=\"0 0 280 ").count(), 3, "{svg}");
    assert!(site.exists("trade/chart-1.png"));
}

#[test]
fn a_table_draws_each_row_s_history_as_a_sparkline() {
    let site = site(
        r#"{{ table(data="rates.csv", columns=["name", "rate"], spark=["rate"], caption="Rates") }}"#,
    );
    site.build();
    let html = site.output("trade/index.html");
    assert!(html.contains("<th scope=\"col\" class=\"num\">Rate over time</th>"));
    let cells: Vec<&str> = html.split("<td class=\"tt-spark\"").skip(1).collect();
    assert_eq!(cells.len(), 3);
    // South Korea: the later row of 9 April is what held from that day.
    let korea = cells[1];
    assert!(
        korea.contains(
            "aria-label=\"26% from 2 April 2025; 25% from 3 April 2025; 10% from 9 April 2025\""
        ),
        "{korea}"
    );
    assert!(korea.starts_with(" data-value=\"10\"") || korea.starts_with(" data-value=\"10.0\""));
    // One scale for the column: the same height for the same value in two rows.
    let end_y = |cell: &str| attr(cell.split("<circle").nth(1).unwrap(), "cy");
    assert_eq!(end_y(cells[0]), end_y(cells[1]));
    // The CSV holds the table's own columns only.
    let csv = site.output("trade/table-1.csv");
    assert_eq!(csv.lines().next(), Some("Name,Rate (%)"));
}

#[test]
fn mistakes_with_chart_kinds_stop_the_build_at_their_place() {
    let site = site(
        r#"{{ chart(kind="stacke", data="trade.csv", x="name", y="goods", caption="A") }}

{{ chart(kind="range", data="trade.csv", x="name", y="goods", caption="B") }}

{{ chart(data="trade.csv", x="name", y="goods", left=["goods"], caption="C") }}

{{ chart(kind="diverging", data="trade.csv", x="name", y=["imports", "exports"], caption="D") }}

{{ chart(kind="diverging", data="trade.csv", x="name", y=["imports", "exports"], left=["import"], caption="E") }}

{{ table(data="trade.csv", spark=["goods"], caption="F") }}

{{ table(data="rates.csv", spark=["name"], caption="G") }}"#,
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    // A negative amount in a diverging chart: at its cell.
    let site = self::site(
        r#"{{ chart(kind="diverging", data="trade.csv", x="name", y=["imports", "exports"], left=["imports"], caption="D") }}"#,
    );
    site.write("data/trade.csv", TRADE.replace("79.7", "-79.7"));
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: `imports` is \u{2212}79.7 here, but a diverging chart draws amounts, each on its column's side of zero\n --> data/trade.csv:2:"),
        "{}",
        run.stderr
    );
}
