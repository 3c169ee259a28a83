//! A bug must not take an editor's work down with it. A panic while one file is processed
//! (its front matter, its body, its page) is caught where that file is known and becomes an
//! internal-error diagnostic naming the file and where in tradetalks it happened; the rest of
//! the build goes on and reports everything else, and `serve` keeps the last good site up.
//!
//! `install_hook` replaces Rust's panic message for panics that a `catch` will report (they
//! would otherwise be printed twice, once without the file); any other panic prints as usual.
//! The hook cannot return a value, so it leaves the panic's location in a thread-local that
//! the `catch` on the same thread takes: the one side channel here, because a panic has no
//! other way out.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};

use crate::diagnostic::Diagnostic;

thread_local! {
    /// How many `catch`es are running on this thread.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Where the last panic caught on this thread happened (`src/x.rs:10:5`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the panic hook (once per process; `cli::run` does it).
pub fn install_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info: &PanicHookInfo| {
        if DEPTH.with(Cell::get) > 0 {
            let location = info.location().map(ToString::to_string);
            LOCATION.with(|l| *l.borrow_mut() = location);
        } else {
            default(info);
        }
    }));
}

/// Runs `work`; a panic inside becomes an error saying what was being done (`what`, e.g.
/// "rendering `content/countries/japan.md`").
pub fn catch<T>(what: impl FnOnce() -> String, work: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = std::panic::catch_unwind(AssertUnwindSafe(work));
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        let location = LOCATION.with(|l| l.borrow_mut().take());
        let mut diagnostic = Diagnostic::error(format!(
            "internal error while {}: {message}",
            what()
        ))
        .with_help(
            "this is a bug in tradetalks, not a mistake in your site: please report it with the file named here",
        );
        if let Some(location) = location {
            diagnostic = diagnostic.with_note(format!("tradetalks panicked at {location}"));
        }
        diagnostic
    })
}

/// The marker a page's text carries to make `panic_for_tests` panic.
pub const TEST_PANIC_MARKER: &str = "TRADETALKS-TEST-PANIC";

/// For tests only: with `TRADETALKS_TEST_PANIC=1` in the environment of a debug build, the
/// processing of a text that holds `TEST_PANIC_MARKER` panics, so that the tests can prove
/// that a bug is reported and survived. Does nothing in release builds.
pub fn panic_for_tests(text: &str) {
    if cfg!(debug_assertions)
        && text.contains(TEST_PANIC_MARKER)
        && std::env::var_os("TRADETALKS_TEST_PANIC").is_some_and(|v| v == "1")
    {
        panic!("forced by TRADETALKS_TEST_PANIC (a test of how bugs are survived)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_diagnostic_naming_the_work() {
        install_hook();
        let caught = catch(
            || "rendering `content/日本.md`".to_owned(),
            || -> usize { panic!("index out of bounds") },
        )
        .unwrap_err();
        assert!(caught.is_error());
        assert_eq!(
            caught.message,
            "internal error while rendering `content/日本.md`: index out of bounds"
        );
        assert!(
            caught.notes.iter().any(|n| n.contains("src/guard.rs")),
            "{:?}",
            caught.notes
        );
        assert_eq!(catch(String::new, || 4).unwrap(), 4);
    }
}
