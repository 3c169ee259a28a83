//! What every page tells machines about itself: canonical URL, description, Open Graph and
//! Twitter card fields, and JSON-LD (`Article` with `dateModified` on articles, `WebSite` on
//! the home page, `WebPage` elsewhere). `base.html` prints the `meta` value built here.

use serde_json::{Value, json};

use crate::config::Config;
use crate::content::{Page, Section};

/// `meta` for an article page.
/// `images` gives an editor's own picture (`image:`) its width and height.
pub fn page(config: &Config, page: &Page, images: &crate::images::Catalog) -> Value {
    let url = config.permalink(&page.path);
    let description = page
        .front
        .description
        .clone()
        .unwrap_or_else(|| config.description.clone());
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.front.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url},
        "publisher": {"@type": "Organization", "name": config.title},
    });
    if let Some(date) = page.front.date {
        ld["datePublished"] = json!(date.to_string());
    }
    if let Some(modified) = page.front.last_modified() {
        ld["dateModified"] = json!(modified.to_string());
    }
    // Authors as schema.org `Person`s: their own page elsewhere, else theirs on the site.
    let authors: Vec<Value> = page
        .front
        .authors
        .iter()
        .filter_map(|id| {
            let author = config.authors.get(id)?;
            let default = config.default_language();
            let name = author.name.in_language(&config.language, default);
            let term = author.name.in_language(default, default);
            let url = author.url.clone().or_else(|| {
                let taxonomy = config
                    .taxonomies
                    .iter()
                    .find(|t| t.name == crate::config::AUTHORS_TAXONOMY)?;
                Some(config.permalink(&taxonomy.term_path(&term, config.slugify)))
            });
            let mut person = json!({"@type": "Person", "name": name});
            if let Some(url) = url {
                person["url"] = json!(url);
            }
            if let Some(role) = &author.role {
                person["jobTitle"] = json!(role.in_language(&config.language, default));
            }
            Some(person)
        })
        .collect();
    if !authors.is_empty() {
        ld["author"] = json!(authors);
    }
    // Corrections as schema.org `CorrectionComment`s, as news publishers mark them.
    let corrections: Vec<Value> = page
        .front
        .updates
        .iter()
        .filter(|u| u.kind == crate::content::front_matter::UpdateKind::Correction)
        .map(|u| {
            json!({
                "@type": "CorrectionComment",
                "text": u.note,
                "datePublished": u.date.to_string(),
            })
        })
        .collect();
    if !corrections.is_empty() {
        ld["correction"] = json!(corrections);
    }
    json!({
        "image": own_image(config, &page.front, &page.path, images),
        "title": format!("{} · {}", page.front.title, config.title),
        "heading": page.front.title,
        "description": description,
        "canonical": url,
        "og_type": "article",
        "published": page.front.date.map(|d| d.to_string()),
        "modified": page.front.last_modified().map(|d| d.to_string()),
        "json_ld": script_json(&ld),
    })
}

/// `meta` for a section; the root section is the home page and describes the `WebSite`.
pub fn section(config: &Config, section: &Section, images: &crate::images::Catalog) -> Value {
    let url = config.permalink(&section.path);
    let description = section
        .front
        .description
        .clone()
        .unwrap_or_else(|| config.description.clone());
    let home = section.dir.is_empty();
    let ld = if home {
        json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": config.title,
            "description": description,
            "url": url,
            "inLanguage": config.language,
            "potentialAction": {
                "@type": "SearchAction",
                "target": format!("{}search/?q={{search_term_string}}", config.base_url),
                "query-input": "required name=search_term_string",
            },
        })
    } else {
        web_page(config, &section.front.title, &description, &url)
    };
    json!({
        "image": own_image(config, &section.front, &section.path, images),
        "title": if home { config.title.clone() } else { format!("{} · {}", section.front.title, config.title) },
        "heading": section.front.title,
        "description": description,
        "canonical": url,
        "og_type": "website",
        "published": Value::Null,
        "modified": Value::Null,
        "json_ld": script_json(&ld),
    })
}

/// `meta` for a generated page (taxonomy lists, search, 404) at `path`.
pub fn generated(config: &Config, heading: &str, description: &str, path: &str) -> Value {
    let url = config.permalink(path);
    // The edition's home card stands for pages that have none of their own.
    let image = config.social_cards.then(|| {
        let home = super::cards::path_of(&config.current_edition().prefix);
        super::cards::meta_image(
            config.permalink(&home),
            Some(super::cards::WIDTH),
            Some(super::cards::HEIGHT),
            &config.title,
        )
    });
    json!({
        "image": image,
        "title": format!("{heading} · {}", config.title),
        "heading": heading,
        "description": description,
        "canonical": url,
        "og_type": "website",
        "published": Value::Null,
        "modified": Value::Null,
        "json_ld": script_json(&web_page(config, heading, description, &url)),
    })
}

/// `meta.image` for a page or section that names its own `image`; none otherwise (the
/// card drawn for it takes its place).
fn own_image(
    config: &Config,
    front: &crate::content::front_matter::FrontMatter,
    site_path: &str,
    images: &crate::images::Catalog,
) -> Value {
    let Some((image, _)) = &front.image else {
        return Value::Null;
    };
    let (url, size) = match super::cards::own_image(site_path, image) {
        super::cards::OwnImage::Url(url) => (url, None),
        super::cards::OwnImage::File(path) => {
            let size = images.meta(&path).ok().map(|m| (m.width, m.height));
            (config.permalink(&path), size)
        }
    };
    super::cards::meta_image(url, size.map(|s| s.0), size.map(|s| s.1), &front.title)
}

fn web_page(config: &Config, name: &str, description: &str, url: &str) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": name,
        "description": description,
        "url": url,
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url},
    })
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` written as JSON
/// escapes, so no text (`</script>`, `<!--`) can end or confuse the element.
fn script_json(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let text = script_json(&json!({"headline": "</script><!--<script>alert(1)"}));
        assert!(!text.contains('<') && !text.contains('>'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], "</script><!--<script>alert(1)");
    }
}
