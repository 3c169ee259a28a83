//! Graphics that travel: after a table, chart or map renders, it gets an embed page
//! (`/embed/PAGE/ID/`), its picture as SVG and PNG, its figures as CSV with a CSVW metadata
//! sidecar, and a "Share" disclosure under it offering all of them.

use serde_json::json;
use tera::Context;

use super::Expander;
use super::parse::Call;
use crate::diagnostic::Diagnostic;
use crate::graphics;

impl Expander<'_> {
    /// The figure's HTML followed by its "Share" disclosure; the files it offers are added
    /// to the page's downloads.
    pub(super) fn travel(&mut self, call: &Call, id: &str, html: String) -> String {
        let env = self.env;
        let config = env.config;
        let base = format!("{}{id}", self.page.path);
        let caption = graphics::caption(&html).unwrap_or_else(|| id.to_owned());
        let page_url = config.permalink(self.page.path);

        // The figures as CSV: a table's own download (raw values), else the figure's table;
        // the metadata names the columns as the CSV's header does.
        let csv_path = format!("{base}.csv");
        if !self.downloads.iter().any(|(path, _)| *path == csv_path)
            && let Some(rows) = graphics::table_rows(&html)
        {
            self.download(id, &rows);
        }
        let columns: Option<Vec<String>> = self
            .downloads
            .iter()
            .find(|(path, _)| *path == csv_path)
            .map(|(_, bytes)| {
                csv::Reader::from_reader(bytes.as_slice())
                    .headers()
                    .map(|h| h.iter().map(str::to_owned).collect())
                    .unwrap_or_default()
            });
        let has_csv = columns.is_some();
        let metadata_path = format!("{csv_path}-metadata.json");
        if has_csv {
            let metadata = json!({
                "@context": "http://www.w3.org/ns/csvw",
                "url": format!("{id}.csv"),
                "dc:title": caption,
                "dc:source": graphics::sources(&html),
                "dc:date": graphics::dates(&html),
                "dc:issued": env.today.to_string(),
                "dc:isPartOf": format!("{page_url}#{id}"),
                "tableSchema": {
                    "columns": columns.iter().flatten().map(|c| json!({"titles": c})).collect::<Vec<_>>(),
                },
            });
            let bytes = serde_json::to_vec_pretty(&metadata).unwrap_or_default();
            self.downloads.push((metadata_path.clone(), bytes));
        }

        // The picture, as SVG and PNG.
        let credit = format!("{} · {page_url}", config.title);
        let picture = graphics::picture(&html, &credit, &config.language);
        let (mut svg_url, mut png_url) = (None, None);
        if let Some(picture) = &picture {
            let svg_path = format!("{base}.svg");
            svg_url = Some(config.url_path(&svg_path));
            self.downloads
                .push((svg_path, picture.svg.clone().into_bytes()));
            // From the build cache when it was drawn before, without loading the fonts to
            // look for missing characters (a cached PNG had none, with these fonts).
            match env.fonts.draw(
                picture,
                &config.language,
                crate::graphics::png::SCALE,
                env.pictures,
            ) {
                Ok(crate::graphics::png::Drawn::Png(png, _)) => {
                    let png_path = format!("{base}.png");
                    png_url = Some(config.url_path(&png_path));
                    self.downloads.push((png_path, png));
                }
                Ok(crate::graphics::png::Drawn::Missing(missing)) => {
                    let shown: String = missing.iter().take(12).collect();
                    self.problems.push(
                        Diagnostic::warning(format!(
                            "the PNG of `{id}` was not made: no font on this machine draws `{shown}`"
                        ))
                        .at(self.file, call.name_span.clone())
                        .with_note("a PNG with boxes for letters would be published otherwise; the SVG download is made, and viewers draw it in their own fonts")
                        .with_help("install fonts for these characters (on Debian and Ubuntu: `fonts-noto-core` and `fonts-noto-cjk`), or put a font file in the site's `fonts/` folder"),
                    );
                }
                Err(reason) => self.problems.push(
                    Diagnostic::warning(format!("the PNG of `{id}` could not be drawn: {reason}"))
                        .at(self.file, call.name_span.clone()),
                ),
            }
        }

        // The embed page.
        let embed_dir = format!("embed/{base}/");
        let mut context = Context::new();
        context.insert("id", id);
        context.insert("figure", &tera::Value::safe_string(&html));
        context.insert("title", &caption);
        context.insert("lang", &config.language);
        let direction = config
            .editions
            .get(config.edition)
            .map_or("ltr", |e| e.direction.as_str());
        context.insert("dir", direction);
        // The page, not `#id`: a site's template may show the body elsewhere, or not at all.
        context.insert("page_url", &page_url);
        context.insert("page_title", self.page.title);
        context.insert("stylesheet", &config.url_path("style.css"));
        context.insert("icon", &config.url_path("favicon.svg"));
        context.insert("tables_script", &config.url_path("tables.js"));
        context.insert("embed_script", &config.url_path("embed.js"));
        context.insert(
            "site_title",
            config
                .editions
                .get(config.edition)
                .map_or(config.title.as_str(), |e| e.title.as_str()),
        );
        match env.tera.render("shortcodes/embed.html", &context) {
            Ok(page) => self
                .downloads
                .push((format!("{embed_dir}index.html"), page.into_bytes())),
            Err(err) => {
                self.problems.push(env.templates.diagnostic(&err));
                return html;
            }
        }

        // A heavy drawing (a world map) leaves the page for a file of its own; the embed page,
        // the picture and the CSV above were made from the whole figure.
        let drawing_path = |n: usize| match n {
            0 => format!("{base}.drawing.svg"),
            _ => format!("{base}.drawing-{}.svg", n + 1),
        };
        let deferred = graphics::defer_drawings(&html, |n| config.url_path(&drawing_path(n)));
        for (n, file) in deferred.files.into_iter().enumerate() {
            self.downloads.push((drawing_path(n), file.into_bytes()));
        }
        let html = deferred.html;

        // "Share", under the figure.
        let embed_url = config.permalink(&embed_dir);
        let height = picture.as_ref().map_or(600.0, |p| (p.height + 60.0).ceil());
        let snippet = format!(
            "<iframe src=\"{embed_url}\" title=\"{}\" style=\"width:100%;border:0\" height=\"{height}\" loading=\"lazy\"></iframe>\n<script>addEventListener(\"message\",function(e){{var h=e.data&&e.data[\"tradetalks-height\"];if(h)document.querySelectorAll(\"iframe\").forEach(function(f){{if(f.contentWindow===e.source)f.height=h}})}})</script>",
            graphics::escape(&caption)
        );
        let mut context = Context::new();
        context.insert("id", id);
        context.insert("caption", &caption);
        context.insert("embed_url", &embed_url);
        context.insert("snippet", &snippet);
        context.insert("svg_url", &svg_url);
        context.insert("png_url", &png_url);
        context.insert("csv_url", &has_csv.then(|| config.url_path(&csv_path)));
        context.insert(
            "metadata_url",
            &has_csv.then(|| config.url_path(&metadata_path)),
        );
        context.insert("lang", &config.language);
        match env.tera.render("shortcodes/share.html", &context) {
            Ok(share) => format!("{html}\n{}", share.trim()),
            Err(err) => {
                self.problems.push(env.templates.diagnostic(&err));
                html
            }
        }
    }
}
