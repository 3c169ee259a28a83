//! The dev server's HTTP side (axum on a current-thread tokio runtime): files of the last good
//! build from memory, the site's 404 page, a live-reload event stream, and the reload script
//! injected into HTML responses.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

use super::{Shared, SiteState};

pub const EVENTS_PATH: &str = "/__tradetalks/events";
const SCRIPT_PATH: &str = "/__tradetalks/livereload.js";
const LIVERELOAD_JS: &str = include_str!("livereload.js");

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback(get(file))
        .with_state(shared)
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        LIVERELOAD_JS,
    )
        .into_response()
}

/// Server-Sent Events: a `state` event as soon as a page connects (so an edit made while it
/// was loading is not missed), then one after every build.
async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let receiver = shared.events.subscribe();
    let first = Some(shared.state());
    let stream = stream::unfold((first, receiver), |(first, mut receiver)| async move {
        if let Some(state) = first {
            return Some((Ok(state_event(&state)), (None, receiver)));
        }
        loop {
            match receiver.recv().await {
                Ok(state) => return Some((Ok(state_event(&state)), (None, receiver))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn state_event(state: &SiteState) -> Event {
    // JSON is never empty, so browsers deliver the event (they drop events without data).
    Event::default()
        .event("state")
        .data(serde_json::to_string(state).unwrap_or_else(|_| "{}".into()))
}

/// What a request path names in the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A site path (`countries/japan/index.html`).
    File(String),
    /// A folder asked for without its slash: redirect to `…/`.
    Redirect(String),
    NotFound,
}

/// Maps a URL path to a site path. Percent-escapes are decoded; a `..`, `.` or empty segment,
/// a backslash or a NUL is never served.
pub fn resolve(path: &str, exists: impl Fn(&str) -> bool) -> Target {
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Target::NotFound;
    };
    let Some(relative) = decoded.strip_prefix('/') else {
        return Target::NotFound;
    };
    if relative.contains(['\\', '\0']) {
        return Target::NotFound;
    }
    let trimmed = relative.trim_end_matches('/');
    if !trimmed.is_empty()
        && trimmed
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Target::NotFound;
    }
    if relative.is_empty() || relative.ends_with('/') {
        let index = crate::config::index_file(relative);
        return if exists(&index) {
            Target::File(index)
        } else {
            Target::NotFound
        };
    }
    if exists(relative) {
        return Target::File(relative.to_owned());
    }
    if exists(&crate::config::index_file(relative)) {
        return Target::Redirect(format!("/{relative}/"));
    }
    Target::NotFound
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let site = shared.site();
    let state = shared.state();
    let exists = |p: &str| site.file(p).is_some() || site.copies.contains_key(p);
    match resolve(uri.path(), exists) {
        Target::File(path) => match site_bytes(&site, &path) {
            Some(bytes) => respond(StatusCode::OK, &path, bytes, &state),
            None => not_found(&site, &state),
        },
        Target::Redirect(location) => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .unwrap_or_default(),
        Target::NotFound => not_found(&site, &state),
    }
}

fn site_bytes(site: &crate::pipeline::BuiltSite, path: &str) -> Option<Vec<u8>> {
    if let Some(bytes) = site.file(path) {
        return Some(bytes.to_vec());
    }
    std::fs::read(site.copies.get(path)?).ok()
}

fn not_found(site: &crate::pipeline::BuiltSite, state: &SiteState) -> Response {
    let page = site
        .files
        .get("404.html")
        .map(|b| b.to_vec())
        .unwrap_or_else(|| b"<!doctype html><title>Not found</title><p>Not found.</p>".to_vec());
    respond(StatusCode::NOT_FOUND, "404.html", page, state)
}

fn respond(status: StatusCode, path: &str, bytes: Vec<u8>, state: &SiteState) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type = if mime.type_() == "text" || mime.essence_str() == "application/javascript" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    };
    let body = if is_html {
        inject(&bytes, state)
    } else {
        bytes
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Always fetch the newest build.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Adds the live-reload script, tagged with the build the page comes from (and, while the
/// build is broken, the errors to show), before `</body>`, or at the end when there is none.
pub fn inject(html: &[u8], state: &SiteState) -> Vec<u8> {
    let mut snippet = String::new();
    if let Some(error) = &state.error {
        // JSON inside a script element: `</` must not end the element early.
        let json = serde_json::to_string(error)
            .unwrap_or_default()
            .replace("</", "<\\/");
        snippet.push_str(&format!(
            "<script type=\"application/json\" id=\"tradetalks-error\">{json}</script>"
        ));
    }
    snippet.push_str(&format!(
        "<script src=\"{SCRIPT_PATH}\" data-version=\"{}\"></script>",
        state.version
    ));
    let position = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..position]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[position..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(path: &str) -> bool {
        [
            "index.html",
            "countries/index.html",
            "countries/japan/index.html",
            "style.css",
            "a b.txt",
        ]
        .contains(&path)
    }

    #[test]
    fn folders_files_and_redirects() {
        assert_eq!(resolve("/", site), Target::File("index.html".into()));
        assert_eq!(
            resolve("/countries/", site),
            Target::File("countries/index.html".into())
        );
        assert_eq!(
            resolve("/style.css", site),
            Target::File("style.css".into())
        );
        assert_eq!(resolve("/a%20b.txt", site), Target::File("a b.txt".into()));
        assert_eq!(
            resolve("/countries/japan", site),
            Target::Redirect("/countries/japan/".into())
        );
        assert_eq!(resolve("/nowhere/", site), Target::NotFound);
    }

    #[test]
    fn nothing_outside_the_site() {
        for path in [
            "/../etc/passwd",
            "/countries/../index.html",
            "/%2e%2e/secret",
            "/countries/%2E%2E/index.html",
            "/a%5Cb",
            "/a%00b",
            "//etc/passwd",
            "/countries//japan/",
            "relative",
        ] {
            assert_eq!(resolve(path, |_| true), Target::NotFound, "{path}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end_and_errors_cannot_break_out() {
        let broken = SiteState {
            version: 7,
            error: Some("bad </script> here".into()),
        };
        let text =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>", &broken)).unwrap();
        assert!(text.ends_with(
            "<script src=\"/__tradetalks/livereload.js\" data-version=\"7\"></script></body></html>"
        ));
        assert!(text.contains("bad <\\/script> here"));
        let good = SiteState {
            version: 8,
            error: None,
        };
        let bare = String::from_utf8(inject(b"<p>no body", &good)).unwrap();
        assert!(bare.ends_with("data-version=\"8\"></script>"));
        assert!(!bare.contains("tradetalks-error"));
    }

    proptest::proptest! {
        #[test]
        fn a_request_never_names_a_file_outside_the_site(path in "/[a-zA-Z0-9%./\\\\-]{0,30}") {
            if let Target::File(file) | Target::Redirect(file) = resolve(&path, |_| true) {
                proptest::prop_assert!(!file.split('/').any(|s| s == ".."), "{path:?} -> {file:?}");
                proptest::prop_assert!(!file.contains('\\') && !file.contains('\0'), "{path:?} -> {file:?}");
            }
        }
    }
}
