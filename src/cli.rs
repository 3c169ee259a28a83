//! The command line: parse arguments, run a command, print diagnostics, pick the exit code
//! (0 success, 1 the site has errors, 2 bad usage or an environment failure).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use annotate_snippets::Renderer;
use clap::{Args, Parser, Subcommand};

use crate::diagnostic::Diagnostics;
use crate::output;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Parser)]
#[command(
    name = "tradetalks",
    version,
    about = "A static-site generator for explainers of trade negotiations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into the output folder (default: `public/` under the root).
    Build(BuildArgs),
    /// Run the whole build without writing anything, and report every problem.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
struct SiteArgs {
    /// The site's folder (the one holding `tradetalks.toml`).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include pages and sections marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Print only diagnostics.
    #[arg(long, short)]
    quiet: bool,
    /// The build date (YYYY-MM-DD) for timelines and stale-fact checks; default today.
    #[arg(long, value_name = "DATE")]
    as_of: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site (replaced as a whole once the build has succeeded).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Override `base_url` from `tradetalks.toml`, e.g. for a preview deploy.
    #[arg(long)]
    base_url: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
}

/// Worker threads parse user input (deeply nested YAML and Markdown included), so they get
/// more stack than rayon's default 2 MiB; the parsers' own depth limits do the rest.
const WORKER_STACK_BYTES: usize = 64 << 20;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
    }
}

fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

fn report(diagnostics: &Diagnostics) {
    if !diagnostics.is_empty() {
        eprint!("{}", diagnostics.render(&renderer()));
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = args.site.root.clone();
    let output_arg = args.output.unwrap_or_else(|| root.join("public"));
    let output = match output::resolve_output(&root, &output_arg) {
        Ok(path) => path,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let options = BuildOptions {
        include_drafts: args.site.drafts,
        base_url: args.base_url,
        as_of: args.site.as_of,
    };
    let (site, diagnostics) = pipeline::build(&root, &options);
    report(&diagnostics);
    let Some(site) = site else {
        eprintln!(
            "error: build failed: {}; the output folder was left as it was",
            diagnostics.summary()
        );
        return ExitCode::from(if root.join(crate::config::CONFIG_FILE).is_file() {
            1
        } else {
            2
        });
    };
    if let Err(err) = output::write(&site, &output) {
        eprintln!("error: {err}");
        return ExitCode::from(2);
    }
    if !args.site.quiet {
        eprintln!(
            "Built {} pages and {} sections into {} in {} ms ({})",
            site.page_count,
            site.section_count,
            output_arg.display(),
            started.elapsed().as_millis(),
            diagnostics.summary()
        );
    }
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    let root = args.site.root.clone();
    let options = BuildOptions {
        include_drafts: args.site.drafts,
        base_url: None,
        as_of: args.site.as_of,
    };
    let (site, diagnostics) = pipeline::build(&root, &options);
    report(&diagnostics);
    if site.is_none() && !root.join(crate::config::CONFIG_FILE).is_file() {
        return ExitCode::from(2);
    }
    let failed = diagnostics.has_errors() || (args.strict && diagnostics.warning_count() > 0);
    if failed {
        eprintln!("error: check failed: {}", diagnostics.summary());
        return ExitCode::from(1);
    }
    if !args.site.quiet {
        eprintln!("Check passed: {}", diagnostics.summary());
    }
    ExitCode::SUCCESS
}
