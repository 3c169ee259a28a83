//! Front matter on any UTF-8 text: `front_matter::split` (finding the `---` block), then
//! `front_matter::parse` (the YAML reader and every field check, against a schema using each
//! field type), with every diagnostic rendered as the command line renders it.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use annotate_snippets::Renderer;
use libfuzzer_sys::fuzz_target;
use tradetalks::config::Config;
use tradetalks::content::front_matter::{self, Kind};
use tradetalks::source::SourceFile;

const CONFIG: &str = r#"title = "Fuzz"
base_url = "https://example.org/"

[[taxonomies]]
name = "sectors"

[schema.countries]
country = "string"
iso2 = "string"
lead_negotiator = "figure"
constraints = "list?"
signed = "date?"
count = "integer?"
share = "number?"
done = "boolean?"
details = "map?"
anything = "any?"
"#;

static SITE: LazyLock<Config> = LazyLock::new(|| {
    let file = SourceFile::new("tradetalks.toml", "/fuzz/tradetalks.toml", CONFIG);
    match Config::parse(Path::new("/fuzz"), &file, None) {
        Ok(config) => config,
        Err(problems) => panic!("the fuzz config does not parse: {problems:?}"),
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let renderer = Renderer::plain();
    let file = SourceFile::new(
        "content/countries/fuzz.md",
        "/fuzz/content/countries/fuzz.md",
        text,
    );
    let split = match front_matter::split(&file) {
        Ok(split) => split,
        Err(problem) => {
            let _ = problem.render(&renderer);
            return;
        }
    };
    // Later stages slice the file with these ranges.
    assert!(split.front.start <= split.front.end, "{split:?}");
    assert!(split.front.end <= split.body.start, "{split:?}");
    assert!(split.body.start <= split.body.end, "{split:?}");
    assert_eq!(split.body.end, text.len(), "{split:?}");
    for offset in [split.front.start, split.front.end, split.body.start] {
        assert!(text.is_char_boundary(offset), "{split:?}");
    }
    let schema = SITE.schemas.get("countries").map_or(&[][..], Vec::as_slice);
    for kind in [Kind::Page, Kind::Section] {
        let earlier = tradetalks::cache::Pack::default();
        match front_matter::parse(&file, &split, kind, schema, &SITE, &earlier) {
            Ok((front, _)) => {
                let _ = front.last_modified();
            }
            Err(problems) => {
                for problem in problems {
                    let _ = problem.position();
                    let _ = problem.render(&renderer);
                }
            }
        }
    }
});
