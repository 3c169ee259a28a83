//! The progress line of a long build: on a terminal, once a build (or `serve`'s first build)
//! has run for a second, one line on stderr says which stage it is in and, where there is a
//! count, how far it is (`rendering pages: 4,120 of 10,000`). It is rewritten in place, at
//! most ten times a second, and erased when the build ends, before any diagnostic is printed.
//! Off when stderr is not a terminal, with `--quiet`, and in tests.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a build runs before the line appears, and how often it is redrawn.
const DELAY: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(100);

pub struct Progress {
    enabled: bool,
    started: Instant,
    stage: &'static str,
    total: usize,
    done: AtomicUsize,
    /// Milliseconds since `started` when the line was last drawn.
    drawn_at: AtomicU64,
    shown: AtomicBool,
}

impl Progress {
    /// A progress line, drawn only when `enabled` (the CLI: stderr is a terminal, no `--quiet`).
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            started: Instant::now(),
            stage: "",
            total: 0,
            done: AtomicUsize::new(0),
            drawn_at: AtomicU64::new(0),
            shown: AtomicBool::new(false),
        }
    }

    /// One that never draws.
    pub fn off() -> Progress {
        Progress::new(false)
    }

    /// A new stage, of `total` steps (0 when it has no count).
    pub fn stage(&mut self, stage: &'static str, total: usize) {
        self.stage = stage;
        self.total = total;
        self.done.store(0, Ordering::Relaxed);
        self.draw(true);
    }

    /// One step of the stage done (called from any thread).
    pub fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.draw(false);
    }

    /// Erases the line, if it was drawn.
    pub fn finish(&self) {
        if self.shown.swap(false, Ordering::Relaxed) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }

    /// The line as drawn now.
    fn line(&self) -> String {
        let done = self.done.load(Ordering::Relaxed).min(self.total);
        if self.total == 0 {
            format!("building: {}…", self.stage)
        } else {
            format!(
                "building: {} {} of {}",
                self.stage,
                crate::shortcodes::format::number(done as f64),
                crate::shortcodes::format::number(self.total as f64)
            )
        }
    }

    fn draw(&self, now: bool) {
        if !self.enabled {
            return;
        }
        let elapsed = self.started.elapsed();
        if elapsed < DELAY {
            return;
        }
        let at = elapsed.as_millis() as u64;
        let last = self.drawn_at.load(Ordering::Relaxed);
        if !now && at.saturating_sub(last) < EVERY.as_millis() as u64 {
            return;
        }
        // One thread draws; the others go on with their work.
        if self
            .drawn_at
            .compare_exchange(last, at, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        self.shown.store(true, Ordering::Relaxed);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{}", self.line());
        let _ = err.flush();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_stage_and_counts() {
        let mut progress = Progress::off();
        progress.stage("rendering pages", 10_000);
        for _ in 0..4_120 {
            progress.step();
        }
        assert_eq!(progress.line(), "building: rendering pages 4,120 of 10,000");
        progress.stage("writing the search index", 0);
        assert_eq!(progress.line(), "building: writing the search index…");
        // Off: nothing is ever drawn.
        assert!(!progress.shown.load(Ordering::Relaxed));
    }
}
