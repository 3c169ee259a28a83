//! Maps and graphics that travel (issue 16): a choropleth from ISO codes, its mistakes stopped
//! at their cells, and every table, chart and map with an embed page, SVG, PNG and CSV.

use crate::support::Site;

const CONFIG: &str = r#"title = "Rice duties"
base_url = "https://example.org/"

[data."duties.csv"]
title = "Rice import duties"
source = "Fixture customs schedule"
as_of = 2025-03-31
key = "code"
[data."duties.csv".columns]
code = "country"
name = "string"
duty = { type = "number", unit = "%", label = "Duty on milled rice", required = false }
"#;

const DUTIES: &str = "code,name,duty\n\
JP,Japan,280\n\
KR,South Korea,513\n\
IN,India,70\n\
SG,Singapore,0\n\
EU,European Union,45\n\
FR,France,40\n\
RE,Réunion,40\n\
PH,Philippines,\n";

fn site(body: &str) -> Site {
    let site = Site::empty();
    site.write("tradetalks.toml", CONFIG)
        .write("data/duties.csv", DUTIES)
        .write("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .write(
            "content/rice.md",
            format!("---\ntitle: Rice\ndate: 2025-04-01\n---\n\n{body}\n"),
        );
    site
}

const MAP: &str = r#"{{ map(data="duties.csv", value="duty", label="name", bins=[50, 100, 300], highlight=["JP", "KR"], missing="No rice duty listed", caption="Duties on milled rice") }}"#;

/// Every `<path …>`/`<circle …>` of the map's shapes with its title.
fn shapes(html: &str) -> Vec<String> {
    let start = html.find("tt-map-shapes").unwrap();
    let end = start + html[start..].find("</svg>").unwrap();
    html[start..end]
        .split('\n')
        .filter(|l| l.starts_with("<path") || l.starts_with("<circle"))
        .map(str::to_owned)
        .collect()
}

fn titled<'a>(shapes: &'a [String], title: &str) -> Vec<&'a String> {
    shapes
        .iter()
        .filter(|s| s.contains(&format!("<title>{title}</title>")))
        .collect()
}

#[test]
fn a_map_shades_each_country_by_its_bin_and_names_it() {
    let site = site(MAP);
    site.build();
    let html = site.output("rice/index.html");
    // A world map's drawing is a file of its own (see the next test).
    let shapes = shapes(&site.output("rice/map-1.drawing.svg"));
    // Japan and South Korea: the top bin (300 or more for Korea, 100 to under 300 for Japan),
    // focusable, named with their value, outlined as highlighted.
    let japan = titled(&shapes, "Japan: 280%");
    assert_eq!(japan.len(), 1, "{shapes:?}");
    assert!(japan[0].contains("tabindex=\"0\"") && japan[0].contains("aria-label=\"Japan: 280%\""));
    assert!(japan[0].contains("tt-map-highlight"));
    let korea = titled(&shapes, "South Korea: 513%");
    assert!(korea[0].contains("tt-map-p6"), "{korea:?}");
    assert!(japan[0].contains("tt-map-p4"), "{japan:?}");
    // Singapore is too small to see: a circle at its centre, reachable by keyboard.
    let singapore = titled(&shapes, "Singapore: 0%");
    assert!(
        singapore
            .iter()
            .any(|s| s.starts_with("<circle") && s.contains("tabindex")),
        "{singapore:?}"
    );
    // The EU row shades its members; France's own row wins.
    assert_eq!(
        titled(&shapes, "Germany: 45% (as part of European Union)").len(),
        1
    );
    assert_eq!(titled(&shapes, "France: 40%").len(), 1);
    // A row without a value, and a country without a row, are marked as such, not focusable.
    let philippines = titled(&shapes, "Philippines: No rice duty listed");
    assert!(!philippines[0].contains("tabindex"), "{philippines:?}");
    let brazil = titled(&shapes, "Brazil: No rice duty listed");
    assert!(brazil[0].contains("tt-map-none") && !brazil[0].contains("tabindex"));
    // Réunion has no outline of its own in Natural Earth: listed under the map.
    assert!(
        html.contains(
            "Not drawn on this map (no outline of their own at this scale): Réunion (40%)."
        ),
        "{html}"
    );
    // The legend: four bins and the countries without a value.
    for item in [
        "Under 50%",
        "50% to under 100%",
        "100% to under 300%",
        "300% or more",
        "No rice duty listed",
    ] {
        assert!(html.contains(&format!("</span>{item}</li>")), "{item}");
    }
    // Highlighted countries are labelled in both label layers.
    // (each twice: its halo, then the label)
    assert_eq!(html.matches(">Japan 280%</text>").count(), 4);
    // The figures as a table, highest first, and the source with its date.
    assert!(html.contains(
        "<th scope=\"row\">South Korea</th><td class=\"num\" data-value=\"513.0\">513%</td>"
    ));
    assert!(html.contains("Fixture customs schedule"));
    assert!(html.contains("Map outlines: Natural Earth."));
}

#[test]
fn country_names_follow_the_edition_s_language() {
    let site = site(&MAP.replace(r#" label="name","#, ""));
    site.write(
        "tradetalks.toml",
        format!("{CONFIG}\n[languages.ja]\ntitle = \"米の関税\"\n"),
    )
    .write(
        "content/rice.ja.md",
        format!(
            "---\ntitle: 米\ndate: 2025-04-01\n---\n\n{}\n",
            MAP.replace(r#" label="name","#, "")
                .replace("Duties on milled rice", "精米の関税")
        ),
    );
    site.build();
    let html = site.output("ja/rice/index.html");
    let shapes = shapes(&site.output("ja/rice/map-1.drawing.svg"));
    assert_eq!(titled(&shapes, "日本：280%").len(), 1, "{shapes:?}");
    assert_eq!(titled(&shapes, "ドイツ：45%（欧州連合として）").len(), 1);
    assert!(html.contains("300%以上"));
}

/// A world map's drawing (an outline and a title per country, about 76 KB) leaves its page:
/// the page shows it as a lazily loaded picture of the same size and class, described, which
/// `tables.js` replaces with the drawing itself; the embed page and the pictures keep it whole.
#[test]
fn a_world_map_leaves_its_page_for_a_file_of_its_own() {
    let site = site(MAP);
    site.build();
    let html = site.output("rice/index.html");
    let figure = &html[html.find("<figure class=\"tt-chart tt-map\"").unwrap()..];
    let figure = &figure[..figure.find("</figure>").unwrap()];
    assert!(
        figure.contains(
            "<img class=\"tt-map-shapes\" src=\"/rice/map-1.drawing.svg\" alt=\"Map of duty on milled rice by country: 7 countries have a value"
        ),
        "{figure}"
    );
    assert!(
        figure.contains("width=\"1280\" height=\"")
            && figure.contains("loading=\"lazy\" decoding=\"async\" data-drawing>"),
        "{figure}"
    );
    assert!(
        !figure.contains("<path"),
        "the outlines are still in the page"
    );
    assert!(html.len() < 40_000, "the page is {} bytes", html.len());
    // The labels of highlighted countries and the table stay in the page.
    assert!(
        figure.contains(">Japan 280%</text>") && figure.contains("<th scope=\"row\">Japan</th>")
    );

    // The file: the map's <svg> as the template wrote it, as XML any viewer reads, with
    // styles of its own for when it is shown as a picture, and drawn the same by resvg.
    let drawing = site.output("rice/map-1.drawing.svg");
    assert!(
        drawing.starts_with(
            "<svg class=\"tt-map-shapes\" role=\"group\" aria-labelledby=\"map-1-title map-1-desc\""
        ),
        "{}",
        &drawing[..300]
    );
    assert!(drawing.contains(" data-export=\"\" ") && !drawing.contains("data-defer"));
    let document = resvg::usvg::roxmltree::Document::parse(&drawing).expect("well-formed XML");
    assert_eq!(
        document.root_element().tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(
        document
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .count()
            > 150
    );
    assert!(drawing.contains("<style>") && drawing.contains(".tt-map-p6 { fill: #440154; }"));
    let tree = resvg::usvg::Tree::from_str(&drawing, &resvg::usvg::Options::default()).unwrap();
    assert_eq!(tree.size().width(), 1280.0);

    // Whole where the map is alone: the embed page, and the picture to download.
    assert!(
        site.output("embed/rice/map-1/index.html")
            .contains("<path class=\"tt-map-shape")
    );
    assert!(
        site.output("rice/map-1.svg")
            .contains("<path class=\"tt-map-shape")
    );
}

#[test]
fn map_mistakes_stop_the_build_at_their_place() {
    let site = site(MAP);
    site.write(
        "data/duties.csv",
        "code,name,duty\nJP,Japan,280\nUK,United Kingdom,10\nJP,Japan again,20\nKR,South Korea,lots\n",
    );
    site.write(
        "content/more.md",
        "---\ntitle: More\n---\n\n{{ map(data=\"duties.csv\", value=\"name\", bins=[100, 50], caption=\"x\") }}\n\n{{ map(data=\"duties.csv\", value=\"duty\") }}\n",
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let e = &run.stderr;
    // The schema's country column catches UK first; the map does not say it twice.
    assert!(e.contains("expected a two-letter ISO 3166-1 country code such as `JP`, found `UK` (the United Kingdom's code is `GB`)"), "{e}");
    assert_eq!(e.matches("`UK`").count(), 1, "{e}");
    assert!(
        e.contains("`JP` has a second row in `data/duties.csv`: a map shows one value per country"),
        "{e}"
    );
    assert!(e.contains("its first row is at 2:1"), "{e}");
    assert!(e.contains("--> data/duties.csv:4:1"), "{e}");
    assert!(
        e.contains("column `name` of `duties.csv` is not numeric, so it cannot shade a map"),
        "{e}"
    );
    assert!(
        e.contains("`bins` must rise: each boundary above the one before"),
        "{e}"
    );
    assert!(e.contains("this map needs a caption"), "{e}");
}

#[test]
fn a_code_the_map_does_not_know_is_an_error_at_its_cell() {
    let site = site(r#"{{ map(data="codes.csv", key="where", value="n", caption="x") }}"#);
    site.write("data/codes.csv", "where,n\nJPN,1\nYY,2\n");
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: `YY` is not an ISO 3166-1 country code\n --> data/codes.csv:3:1"),
        "{}",
        run.stderr
    );
}

/// Width and height of a PNG, from its header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn every_table_chart_and_map_travels() {
    let site = site(&format!(
        "{MAP}\n\n{{{{ chart(data=\"duties.csv\", x=\"name\", y=\"duty\", caption=\"Duties, ranked\") }}}}\n\n{{{{ table(data=\"duties.csv\", caption=\"Duties\") }}}}\n"
    ));
    site.build();
    let page = site.output("rice/index.html");
    for id in ["map-1", "chart-1", "table-1"] {
        // A "Share" disclosure under the figure, with a ready iframe and the downloads.
        let share = page
            .split(&format!("id=\"{id}-embed\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no share for {id}"));
        assert!(
            share.contains(&format!(
                "&lt;iframe src=&quot;https://example.org/embed/rice/{id}/&quot;"
            )),
            "{share}"
        );
        // The embed page: the figure alone, a link back, no site chrome, not indexed.
        let embed = site.output(&format!("embed/rice/{id}/index.html"));
        assert!(embed.contains(&format!("id=\"{id}\"")));
        assert!(embed.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(embed.contains("<link rel=\"canonical\" href=\"https://example.org/rice/\">"));
        assert!(!embed.contains("<nav") && !embed.contains("tt-share"));
        // The data as CSV, with its sources and dates beside it.
        let csv = site.output(&format!("rice/{id}.csv"));
        assert!(csv.contains("South Korea"), "{csv}");
        let metadata: serde_json::Value =
            serde_json::from_str(&site.output(&format!("rice/{id}.csv-metadata.json"))).unwrap();
        assert_eq!(metadata["url"], format!("{id}.csv"));
        assert!(
            metadata["dc:source"]
                .to_string()
                .contains("Fixture customs schedule"),
            "{metadata}"
        );
        assert_eq!(metadata["dc:date"][0], "2025-03-31");
        assert_eq!(metadata["dc:issued"], "2025-04-20");
        // The metadata names the columns as the CSV's header does, a table's own CSV too.
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let titles: Vec<&str> = metadata["tableSchema"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["titles"].as_str().unwrap())
            .collect();
        assert_eq!(titles, header, "{id}");
    }
    // Chart and map figures' CSV has numbers as data, not as the page writes them.
    assert!(
        site.output("rice/chart-1.csv")
            .contains("South Korea,513.0")
    );
    // Pictures: SVG with the title and source, PNG at twice the SVG's size; a table's
    // picture is its cells as the page writes them, without the sources' note numbers.
    let table = site.output("rice/table-1.svg");
    assert!(
        table.contains(">South Korea</text>") && table.contains(">513</text>"),
        "{table}"
    );
    for id in ["map-1", "chart-1", "table-1"] {
        let svg = site.output(&format!("rice/{id}.svg"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"680\""));
        assert!(
            svg.contains("Fixture customs schedule") && svg.contains("https://example.org/rice/")
        );
        let height: f64 = svg
            .split("height=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let png = std::fs::read(site.root().join(format!("public/rice/{id}.png"))).unwrap();
        assert_eq!(png_size(&png), (1360, (height * 2.0) as u32), "{id}");
        // A chart's and a table's flat colours go as a palette (IHDR's colour type 3).
        if id != "map-1" {
            assert_eq!(png[25], 3, "{id} is not an indexed-colour PNG");
        }
    }
    assert!(page.contains("Download as PNG"));
}

#[test]
fn a_picture_no_font_can_draw_is_not_published_as_png() {
    // A private-use character is in no font: the PNG would show a box for it.
    let site = site(
        "{{ chart(data=\"duties.csv\", x=\"name\", y=\"duty\", caption=\"Duties \u{F8FF}\") }}",
    );
    let run = site.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: the PNG of `chart-1` was not made: no font on this machine draws `\u{F8FF}`"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/rice.md:6:4"),
        "{}",
        run.stderr
    );
    assert!(site.exists("rice/chart-1.svg") && !site.exists("rice/chart-1.png"));
    assert!(!site.output("rice/index.html").contains("Download as PNG"));
}

#[test]
fn a_heat_map_column_shades_each_cell_and_still_prints_the_number() {
    let shaded = site(
        r#"{{ table(data="duties.csv", columns=["name", "duty"], heat=["duty"], caption="Duties") }}"#,
    );
    shaded.build();
    let html = shaded.output("rice/index.html");
    // From the lowest (Singapore, 0) to the highest (South Korea, 513), in five shades.
    assert!(
        html.contains(r#"<td class="num tt-heat-0" data-value="0.0">0</td>"#),
        "{html}"
    );
    assert!(html.contains(r#"<td class="num tt-heat-4" data-value="513.0">513</td>"#));
    assert!(html.contains(r#"<td class="num tt-heat-2" data-value="280.0">280</td>"#));
    // A cell without a value is not shaded.
    assert!(html.contains(r#"<td class="num"><span class="tt-missing">"#));
    assert!(html.contains("Shading: the darker the cell, the higher the figure"));

    let wrong = site(
        r#"{{ table(data="duties.csv", columns=["name", "duty"], heat=["name", "code"], caption="Duties") }}"#,
    );
    let run = wrong.run(&["build", "--quiet", "--as-of", "2025-04-20"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("column `name` is not numeric, so it cannot be shaded as a heat map"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`heat` names `code`, which is not one of the table's columns"),
        "{}",
        run.stderr
    );
}
