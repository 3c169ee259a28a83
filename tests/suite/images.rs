//! Pictures in pages (issue 17): Markdown images and the `figure` shortcode, from page
//! bundles and `static/`, offered at several widths as WebP with the original's format as
//! fallback; every mistake (a missing, misspelt, damaged or oversized picture, no alt text)
//! an error at its place. The pictures are made here, so that each test says what it is.

use std::io::Cursor;
use std::path::Path;

use tradetalks::pipeline::{self, BuildOptions};

use crate::support::Site;

/// A photograph-like JPEG: gradients and a pattern, which compress as a photo does.
fn photo(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let wave = ((x as f32 / 17.0).sin() * 40.0 + (y as f32 / 23.0).cos() * 40.0) as i32;
        image::Rgb([
            (x * 255 / width) as u8,
            (128 + wave).clamp(0, 255) as u8,
            (y * 255 / height) as u8,
        ])
    });
    encode(
        image::DynamicImage::ImageRgb8(picture),
        image::ImageFormat::Jpeg,
    )
}

/// A PNG with transparent corners.
fn diagram(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbaImage::from_fn(width, height, |x, y| {
        let edge = x < width / 10 || y < height / 10;
        image::Rgba([20, 90, 160, if edge { 0 } else { 255 }])
    });
    encode(
        image::DynamicImage::ImageRgba8(picture),
        image::ImageFormat::Png,
    )
}

fn flat_png(width: u32, height: u32) -> Vec<u8> {
    encode(
        image::DynamicImage::ImageRgb8(image::RgbImage::new(width, height)),
        image::ImageFormat::Png,
    )
}

/// An animated GIF of two frames.
fn animation() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        let frames = [[200, 0, 0, 255], [0, 0, 200, 255]].map(|colour| {
            image::Frame::new(image::RgbaImage::from_pixel(120, 80, image::Rgba(colour)))
        });
        encoder.encode_frames(frames).unwrap();
    }
    out
}

fn encode(picture: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// A site whose page bundle shows a photo, a diagram, an animation, a tiny and a large
/// picture, a picture of `static/` and one from elsewhere.
fn site_with_pictures() -> Site {
    let site = Site::minimal();
    site.write(
        "content/ports/santos/index.md",
        "---\ntitle: The port of Santos\n---\nThe quays in April.\n\n\
         ![Cranes over the container quay](quay.jpg \"Santos, April 2025\")\n\n\
         ![A diagram of the berths](berths.png)\n\n\
         ![Ships waiting, in a loop](queue.gif)\n\n\
         ![](dot.png \"decorative\")\n\n\
         {{ figure(src=\"aerial.jpg\", alt=\"The port from the air\", caption=\"The estuary at low tide.\", credit=\"Port authority\") }}\n\n\
         ![The flag](/img/flag.png) and ![A map elsewhere](https://maps.example.net/santos.png)\n\n\
         ![The shipping route from Santos to Rotterdam](route.svg)\n",
    )
    .write("content/ports/santos/quay.jpg", photo(1200, 800))
    .write("content/ports/santos/berths.png", diagram(400, 300))
    .write("content/ports/santos/queue.gif", animation())
    .write("content/ports/santos/dot.png", flat_png(1, 1))
    .write("content/ports/santos/aerial.jpg", photo(4000, 2000))
    .write("static/img/flag.png", diagram(90, 60))
    .write(
        "content/ports/santos/route.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 320 180\" width=\"320\" height=\"180\"><path d=\"M10 170 C 100 10, 220 10, 310 170\" stroke=\"#205080\" fill=\"none\"/></svg>",
    );
    site
}

/// Every `<img>` and `<source>` URL of `html` under the site root, with the width it is
/// offered at (`srcset`'s `960w`; 0 for a plain `src`).
fn offered(html: &str) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for part in html.split("srcset=\"").skip(1) {
        let list = &part[..part.find('"').unwrap()];
        for item in list.split(", ") {
            let (url, width) = item.rsplit_once(' ').unwrap();
            found.push((url.to_owned(), width.trim_end_matches('w').parse().unwrap()));
        }
    }
    for part in html.split("<img src=\"").skip(1) {
        let url = &part[..part.find('"').unwrap()];
        found.push((url.to_owned(), 0));
    }
    found
}

#[test]
fn pictures_are_offered_at_their_widths_and_every_copy_decodes_at_its_size() {
    let site = site_with_pictures();
    site.build();
    let main = site.main_html("ports/santos/index.html");
    let urls = offered(&main);
    let local: Vec<&(String, u32)> = urls.iter().filter(|(u, _)| u.starts_with('/')).collect();
    assert!(local.len() >= 15, "{main}");
    for (url, width) in local {
        let path = url.trim_start_matches('/');
        assert!(site.exists(path), "{url} is offered but not published");
        if path.ends_with(".svg") {
            continue;
        }
        let bytes = std::fs::read(site.root().join("public").join(path)).unwrap();
        let decoded = image::load_from_memory(&bytes)
            .unwrap_or_else(|err| panic!("{url} does not decode: {err}"));
        if *width > 0 {
            assert_eq!(decoded.width(), *width, "{url}");
        }
    }
    // The photo: WebP and JPEG at 480, 960 and its own 1,200; drawn 1200×800.
    assert!(main.contains("<picture><source type=\"image/webp\" srcset=\"/ports/santos/quay-480."));
    assert!(main.contains("width=\"1200\" height=\"800\" alt=\"Cranes over the container quay\" title=\"Santos, April 2025\""), "{main}");
    // The first picture loads at once, every other one lazily.
    let first_img = &main[main.find("<img ").unwrap()..];
    let first_img = &first_img[..first_img.find('>').unwrap()];
    assert!(!first_img.contains("loading="), "{first_img}");
    assert_eq!(
        main.matches("<img ").count() - 1,
        main.matches("loading=\"lazy\" decoding=\"async\"").count()
    );
    // The diagram keeps its transparency: PNG, not JPEG, beside WebP.
    assert!(main.contains("/ports/santos/berths-400."), "{main}");
    assert!(!main.contains("berths-400.jpg") && main.contains(".png 400w"));
    // The animation and the large picture.
    assert!(main.contains("<img src=\"/ports/santos/queue.gif\" width=\"120\" height=\"80\" alt=\"Ships waiting, in a loop\""), "{main}");
    assert!(
        main.contains("aerial-1600.") && !main.contains("aerial-4000."),
        "{main}"
    );
    assert!(main.contains("width=\"1600\" height=\"800\" alt=\"The port from the air\""));
    assert!(main.contains("<figcaption>The estuary at low tide. <span class=\"tt-credit\">Port authority</span></figcaption>"), "{main}");
    // The tiny one is decoration; the static one and the one from elsewhere.
    assert!(main.contains("width=\"1\" height=\"1\" alt=\"\""), "{main}");
    assert!(main.contains("/img/flag-90."), "{main}");
    assert!(main.contains(
        "<img src=\"https://maps.example.net/santos.png\" alt=\"A map elsewhere\" loading=\"lazy\""
    ));
    // An SVG scales by itself: shown as it is, with its size.
    assert!(main.contains("<img src=\"/ports/santos/route.svg\" width=\"320\" height=\"180\" alt=\"The shipping route from Santos to Rotterdam\""), "{main}");
    // The originals are published as they were.
    assert!(site.exists("ports/santos/quay.jpg") && site.exists("img/flag.png"));
    let shape: String = main
        .split("<picture>")
        .nth(1)
        .map(|p| p[..p.find("</picture>").unwrap()].to_owned())
        .unwrap();
    insta::assert_snapshot!(shape.replace(", ", ",\n"));
}

#[test]
fn mistakes_with_pictures_are_errors_at_their_places() {
    let site = Site::minimal();
    let truncated = {
        let mut photo = photo(600, 400);
        photo.truncate(photo.len() / 3);
        photo
    };
    site.write(
        "content/ports/index.md",
        "---\ntitle: Ports\n---\n\
         ![The quay](quay.jpeg)\n\n\
         ![The flag](/img/flg.png)\n\n\
         ![](berths.png)\n\n\
         ![Torn](torn.jpg)\n\n\
         ![Not a picture](notes.png)\n\n\
         ![Too big](huge.png)\n\n\
         {{ figure(src=\"quay.jpg\") }}\n\n\
         {{ figure(src=\"aerial.jpg\", alt=\"From the air\") }}\n",
    )
    .write("content/ports/quay.jpg", photo(300, 200))
    .write("content/ports/berths.png", diagram(40, 30))
    .write("content/ports/torn.jpg", truncated)
    .write(
        "content/ports/notes.png",
        "these are notes, not a picture\n",
    )
    .write("content/ports/huge.png", flat_png(9000, 6000))
    .write("static/img/flag.png", diagram(30, 20));
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    // `check` finds the same, and nothing is published.
    let check = site.run(&["check"]);
    assert_eq!(check.code, 1);
    assert!(!site.exists("ports/index.html"));
}

fn options(cache: &Path) -> BuildOptions {
    BuildOptions {
        as_of: Some(jiff::civil::date(2025, 4, 20)),
        cache_dir: Some(cache.to_path_buf()),
        ..BuildOptions::default()
    }
}

#[test]
fn pictures_are_encoded_once_and_again_only_when_their_bytes_change() {
    let site = site_with_pictures();
    let cache = tempfile::tempdir().unwrap();
    let (first, problems) = pipeline::build(site.root(), &options(cache.path()));
    let first = first.unwrap_or_else(|| panic!("{problems:?}"));
    assert_eq!(first.image_cache.hits, 0);
    assert_eq!(
        first.image_cache.misses, 5,
        "photo, diagram, dot, aerial, flag"
    );
    let (second, _) = pipeline::build(site.root(), &options(cache.path()));
    let second = second.unwrap();
    assert_eq!((second.image_cache.hits, second.image_cache.misses), (5, 0));
    let page = |site: &pipeline::BuiltSite| {
        String::from_utf8(site.file("ports/santos/index.html").unwrap().to_vec()).unwrap()
    };
    assert_eq!(page(&first), page(&second));
    // A new photo under the same name: new copies under new names, the page follows.
    site.write("content/ports/santos/quay.jpg", photo(1000, 700));
    let (third, _) = pipeline::build(site.root(), &options(cache.path()));
    let third = third.unwrap();
    assert_eq!((third.image_cache.hits, third.image_cache.misses), (4, 1));
    let (cold, _) = pipeline::build(
        site.root(),
        &BuildOptions {
            cache_dir: None,
            ..options(cache.path())
        },
    );
    let third_page = page(&third);
    assert_eq!(third_page, page(&cold.unwrap()));
    assert!(
        third_page.contains("width=\"1000\" height=\"700\""),
        "{third_page}"
    );
    assert_ne!(third_page, page(&first));
}

#[test]
fn image_settings_are_checked() {
    let site = Site::minimal();
    site.write(
        "tradetalks.toml",
        "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n\n[images]\nwidths = [480, 20000]\nquality = 0\n",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("widths go from 16 to 8192"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`quality = 0`"), "{}", run.stderr);
    assert!(run.stderr.contains("tradetalks.toml:4:1"), "{}", run.stderr);
}

#[test]
fn templates_resize_pictures_and_read_their_size_in_every_build() {
    let site = Site::minimal();
    site.write(
        "templates/shortcodes/thumb.html",
        "{% set small = resize_image(path=page.path ~ \"quay.jpg\", width=300, format=\"webp\") %}\
         {% set square = resize_image(path=\"/img/flag.png\", width=40, height=40, op=\"fill\") %}\
         {% set meta = image_meta(path=page.path ~ \"quay.jpg\") %}\
         <p class=\"thumb\"><img src=\"{{ small.url }}\" width=\"{{ small.width }}\" height=\"{{ small.height }}\" alt=\"A {{ meta.width }}×{{ meta.height }} {{ meta.format }}\">\
         <img src=\"{{ square.url }}\" width=\"{{ square.width }}\" height=\"{{ square.height }}\" alt=\"\"></p>",
    )
    .write(
        "content/ports/santos/index.md",
        "---\ntitle: Santos\n---\n{{ thumb() }}\n",
    )
    .write("content/ports/santos/quay.jpg", photo(1200, 800))
    .write("static/img/flag.png", diagram(90, 60));
    let cache = tempfile::tempdir().unwrap();
    for round in ["cold", "from the cache"] {
        let (built, problems) = pipeline::build(site.root(), &options(cache.path()));
        let built = built.unwrap_or_else(|| panic!("{round}: {problems:?}"));
        let page =
            String::from_utf8(built.file("ports/santos/index.html").unwrap().to_vec()).unwrap();
        let thumb = &page[page.find("<p class=\"thumb\">").unwrap()..];
        let thumb = &thumb[..thumb.find("</p>").unwrap()];
        assert!(
            thumb.contains("width=\"300\" height=\"200\" alt=\"A 1200×800 jpeg\""),
            "{round}: {thumb}"
        );
        assert!(
            thumb.contains("width=\"40\" height=\"40\""),
            "{round}: {thumb}"
        );
        for src in thumb.split("src=\"/").skip(1) {
            let path = &src[..src.find('"').unwrap()];
            let bytes = built
                .file(path)
                .unwrap_or_else(|| panic!("{round}: {path} is not published"));
            let decoded = image::load_from_memory(&bytes).unwrap();
            let expected = if path.ends_with(".webp") {
                (300, 200)
            } else {
                (40, 40)
            };
            assert_eq!(
                (decoded.width(), decoded.height()),
                expected,
                "{round}: {path}"
            );
        }
    }
    // Mistakes in the arguments are the template's errors, in words.
    site.write(
        "templates/shortcodes/thumb.html",
        "{% set r = resize_image(path=\"/img/flg.png\", width=10) %}{{ r.url }}",
    );
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("resize_image: `/img/flg.png` is not a picture of the site"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `img/flag.png`?"),
        "{}",
        run.stderr
    );
    site.write(
        "templates/shortcodes/thumb.html",
        "{% set r = resize_image(path=\"/img/flag.png\", width=10, op=\"zoom\") %}{{ r.url }}",
    );
    let run = site.run(&["build"]);
    assert!(
        run.stderr
            .contains("resize_image: `op` is `zoom`; it is one of"),
        "{}",
        run.stderr
    );
}
