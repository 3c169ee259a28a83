//! `check --external`: fetch every external link once, a few at a time and at most two at a
//! time per host, each with a timeout; report what failed and where it is linked from.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Link;
use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone)]
pub struct ExternalOptions {
    pub timeout: Duration,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            concurrency: 8,
            per_host: 2,
        }
    }
}

/// The outcome of fetching one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(u16),
    Status(u16),
    Failed(String),
}

/// Checks every distinct external URL; returns one error per broken URL, naming the pages.
pub fn check_external(
    links: &[Link],
    options: &ExternalOptions,
    origins: &BTreeMap<String, crate::source::SourceFile>,
) -> (Vec<Diagnostic>, usize) {
    let mut by_url: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for link in links {
        by_url.entry(&link.url).or_default().push(&link.page);
    }
    let urls: Vec<String> = by_url.keys().map(|u| (*u).to_owned()).collect();
    let outcomes = fetch_all(&urls, options);
    let mut problems = Vec::new();
    for (url, outcome) in urls.iter().zip(outcomes) {
        let reason = match outcome {
            Outcome::Ok(_) => continue,
            Outcome::Status(code) => format!("HTTP {code}"),
            Outcome::Failed(message) => message,
        };
        let pages = &by_url[url.as_str()];
        let mut d = super::at_source(
            Diagnostic::error(format!("broken external link: {url} ({reason})")),
            pages[0],
            url,
            origins,
        );
        if pages.len() > 1 {
            d = d.with_note(format!("also linked from {}", pages[1..].join(", ")));
        }
        problems.push(d);
    }
    (problems, urls.len())
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// A counting semaphore: at most `limit` holders at once.
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl Slots {
    fn new(limit: usize) -> Slots {
        Slots {
            used: Mutex::new(0),
            freed: Condvar::new(),
            limit: limit.max(1),
        }
    }

    fn acquire(&self) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= self.limit {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
    }

    fn release(&self) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= 1;
        self.freed.notify_one();
    }
}

/// Fetches `urls` and returns their outcomes in the same order. Each host gets `per_host`
/// workers; all workers share `concurrency` slots.
fn fetch_all(urls: &[String], options: &ExternalOptions) -> Vec<Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent("tradetalks-link-check")
        .build()
        .into();
    let mut by_host: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, url) in urls.iter().enumerate() {
        by_host.entry(host_of(url)).or_default().push(i);
    }
    let results: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new(vec![None; urls.len()]));
    let slots = Arc::new(Slots::new(options.concurrency));
    std::thread::scope(|scope| {
        for indexes in by_host.into_values() {
            let queue = Arc::new(Mutex::new(indexes));
            for _ in 0..options.per_host.max(1) {
                let (queue, results, slots, agent) = (
                    Arc::clone(&queue),
                    Arc::clone(&results),
                    Arc::clone(&slots),
                    agent.clone(),
                );
                scope.spawn(move || {
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                        let Some(i) = next else { break };
                        slots.acquire();
                        let outcome = fetch(&agent, &urls[i]);
                        slots.release();
                        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                    }
                });
            }
        }
    });
    let results = Arc::try_unwrap(results)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default();
    results
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Failed("not checked".into())))
        .collect()
}

/// HEAD first; servers that refuse HEAD get a GET.
fn fetch(agent: &ureq::Agent, url: &str) -> Outcome {
    let status = |result: Result<ureq::http::Response<ureq::Body>, ureq::Error>| match result {
        Ok(response) => Ok(response.status().as_u16()),
        Err(err) => Err(err.to_string()),
    };
    match status(agent.head(url).call()) {
        Ok(code) if code < 400 => Outcome::Ok(code),
        Ok(405 | 403 | 501) => match status(agent.get(url).call()) {
            Ok(code) if code < 400 => Outcome::Ok(code),
            Ok(code) => Outcome::Status(code),
            Err(message) => Outcome::Failed(message),
        },
        Ok(code) => Outcome::Status(code),
        Err(message) => Outcome::Failed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found() {
        assert_eq!(host_of("https://example.org/a?b"), "example.org");
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
    }
}
