//! The pages and files a site gets besides its own: taxonomy list and term pages, the search
//! page, and the feed, sitemap, robots.txt, search index and host files.

use rayon::prelude::*;
use tera::{Context, Tera, Value};

use crate::config::Config;
use crate::content::{Content, Page};
use crate::diagnostic::Diagnostic;
use crate::pipeline::{Bodies, BuiltSite, KeptPage, PageSink, Views};
use crate::templates::TemplateSources;

/// Taxonomy list and term pages, and the search page.
pub(crate) fn render(
    tera: &Tera,
    sources: &TemplateSources,
    config: &Config,
    views: &Views,
    taxonomies: &[super::taxonomy::Taxonomy],
    sink: PageSink,
) -> Vec<Result<KeptPage, Diagnostic>> {
    let render = |template: &str, context: &Context, path: String| {
        let html = tera.render(template, context).map_err(|err| {
            sources
                .diagnostic(&err)
                .with_note(format!("while rendering `/{path}` with `{template}`"))
        })?;
        let path = format!("{path}index.html");
        let kept = sink.take(&path, html)?;
        Ok((path, kept))
    };
    let mut jobs: Vec<(String, &str, Context)> = Vec::new();
    for taxonomy in taxonomies {
        let mut context = views.context();
        context.insert("current_path", &taxonomy.path);
        context.insert("taxonomy", taxonomy);
        let heading = crate::shortcodes::format::humanise(&taxonomy.name);
        context.insert(
            "meta",
            &super::meta::generated(
                config,
                &heading,
                &format!("Every {} used on this site, with its pages.", taxonomy.name),
                &taxonomy.path,
            ),
        );
        jobs.push((taxonomy.path.clone(), "taxonomy_list.html", context));
        for term in &taxonomy.terms {
            for pager in super::taxonomy::paginate(config, term, taxonomy.paginate) {
                let mut context = views.context();
                context.insert("current_path", &pager.path);
                context.insert("taxonomy", taxonomy);
                context.insert("term", term);
                context.insert("pager", &pager);
                context.insert_value(
                    "pages",
                    Value::from(
                        pager
                            .pages
                            .iter()
                            .map(|&i| views.summaries[i].clone())
                            .collect::<Vec<_>>(),
                    ),
                );
                let title = format!("{}: {}", heading, term.name);
                context.insert(
                    "meta",
                    &super::meta::generated(
                        config,
                        &title,
                        &format!("Pages filed under {} in {}.", term.name, taxonomy.name),
                        &pager.path,
                    ),
                );
                jobs.push((pager.path.clone(), "taxonomy_term.html", context));
            }
        }
    }
    if config.search && sources.contains("search.html") {
        let mut context = views.context();
        context.insert("current_path", "search/");
        context.insert(
            "meta",
            &super::meta::generated(config, "Search", &config.description, "search/"),
        );
        jobs.push(("search/".to_owned(), "search.html", context));
    }
    jobs.into_par_iter()
        .map(|(path, template, context)| render(template, &context, path))
        .collect()
}

/// The feed, sitemap, robots.txt, search index and host files.
pub(crate) fn add_files(
    config: &Config,
    content: &Content,
    bodies: &Bodies,
    page_html: &[&str],
    taxonomies: &[super::taxonomy::Taxonomy],
    site: &mut BuiltSite,
) {
    if let Some(atom) = super::feeds::atom(config, content, page_html) {
        site.files.insert("atom.xml".into(), atom.into_bytes());
    }
    let mut urls: Vec<super::feeds::SitemapUrl> = super::published(content)
        .map(|(_, page)| super::feeds::SitemapUrl {
            path: page.path.clone(),
            lastmod: page.front.last_modified(),
        })
        .collect();
    urls.extend(
        content
            .sections
            .values()
            .filter(|s| !s.front.draft)
            .map(|s| super::feeds::SitemapUrl {
                path: s.path.clone(),
                lastmod: s
                    .pages
                    .iter()
                    .filter(|&&i| !content.pages[i].front.draft)
                    .filter_map(|&i| content.pages[i].front.last_modified())
                    .chain(s.front.last_modified())
                    .max(),
            }),
    );
    for taxonomy in taxonomies {
        urls.push(super::feeds::SitemapUrl {
            path: taxonomy.path.clone(),
            lastmod: None,
        });
        for term in &taxonomy.terms {
            urls.push(super::feeds::SitemapUrl {
                path: term.path.clone(),
                lastmod: term
                    .pages
                    .iter()
                    .filter_map(|&i| content.pages[i].front.last_modified())
                    .max(),
            });
        }
    }
    for (name, xml) in super::feeds::sitemaps(config, urls) {
        site.files.insert(name, xml.into_bytes());
    }
    site.files.insert(
        "robots.txt".into(),
        super::feeds::robots(config).into_bytes(),
    );
    if config.search {
        let published: Vec<(usize, &Page)> = super::published(content).collect();
        let document = |n: usize| {
            let (i, page) = published[n];
            super::search::Document {
                title: &page.front.title,
                url: config.url_path(&page.path),
                description: page.front.description.as_deref(),
                section: content
                    .sections
                    .get(&page.section)
                    .filter(|s| !s.dir.is_empty())
                    .map_or("", |s| s.front.title.as_str()),
                headings: bodies.pages[i].toc_titles(),
                text: super::search::html_text(page_html[i]),
            }
        };
        for (name, json) in super::search::build(published.len(), document) {
            site.files
                .insert(format!("search-index/{name}"), json.into_bytes());
        }
    }
    if config.host_files {
        let mut redirects = String::new();
        for page in &content.pages {
            for alias in &page.front.aliases {
                let from = format!("/{}", alias.trim().trim_start_matches('/'));
                redirects.push_str(&format!(
                    "{}{} {} 301\n",
                    config.base_path.trim_end_matches('/'),
                    from,
                    config.url_path(&page.path)
                ));
            }
        }
        site.files
            .insert("_redirects".into(), redirects.into_bytes());
        let headers = "/*\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: strict-origin-when-cross-origin\n  X-Frame-Options: DENY\n/*.css\n  Cache-Control: public, max-age=3600\n/*.js\n  Cache-Control: public, max-age=3600\n/search-index/*\n  Cache-Control: public, max-age=3600\n";
        site.files
            .insert("_headers".into(), headers.as_bytes().to_vec());
    }
}
