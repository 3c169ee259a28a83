//! What ends a command with exit code 2. A mistake in the site is a diagnostic at its line
//! (exit code 1, see `diagnostic`); a `Failure` is about how the command was run or what the
//! machine allowed: bad usage, an output folder refused or unwritable, a folder that is not a
//! site, a port in use. Commands return it as a value; `cli` prints it once, as `error: …`.

use std::fmt;
use std::process::ExitCode;

use crate::output::OutputError;

#[derive(Debug)]
pub enum Failure {
    /// An argument names something that cannot be used: an unknown template, a page path
    /// outside `content/`, a folder that is not empty.
    Usage(String),
    /// The command must run inside a site, and there is no `tradetalks.toml`.
    NotASite { command: &'static str },
    /// The output folder was refused, or could not be written.
    Output(OutputError),
    /// A file of the site could not be written.
    Write { path: String, error: std::io::Error },
    /// The development server could not start, or stopped.
    Server(String),
    /// Problems already reported as diagnostics that stop the command before it starts (the
    /// configuration of `new` or `serve`): nothing more to print.
    Reported,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(message) | Failure::Server(message) => f.write_str(message),
            Failure::NotASite { command } => write!(
                f,
                "no `{}` here: run `{command}` inside a site, or pass `--root DIR`",
                crate::config::CONFIG_FILE
            ),
            Failure::Output(error) => error.fmt(f),
            Failure::Write { path, error } => write!(f, "cannot write `{path}`: {error}"),
            Failure::Reported => Ok(()),
        }
    }
}

impl From<OutputError> for Failure {
    fn from(error: OutputError) -> Failure {
        Failure::Output(error)
    }
}

impl Failure {
    /// Prints the failure (once) and gives the exit code.
    pub fn exit(&self) -> ExitCode {
        if !matches!(self, Failure::Reported) {
            eprintln!("error: {self}");
        }
        ExitCode::from(2)
    }
}

/// The exit code of a command that returns its failures as values.
pub fn exit_code(result: Result<ExitCode, Failure>) -> ExitCode {
    result.unwrap_or_else(|failure| failure.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_editors_see_them() {
        assert_eq!(
            Failure::NotASite {
                command: "templates eject"
            }
            .to_string(),
            "no `tradetalks.toml` here: run `templates eject` inside a site, or pass `--root DIR`"
        );
        let write = Failure::Write {
            path: "templates/base.html".into(),
            error: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"),
        };
        assert_eq!(
            write.to_string(),
            "cannot write `templates/base.html`: denied"
        );
        assert_eq!(Failure::Reported.to_string(), "");
    }
}
