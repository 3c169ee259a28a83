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
    /// Serve the site from memory, rebuild on every change and reload open pages.
    Serve(ServeArgs),
    /// Write the default site (the April 2025 tariff talks explainer) into a new folder.
    Init(InitArgs),
    /// Create a page with front matter prefilled from its section's schema.
    New(NewArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one (printed at start).
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Poll for file changes instead of using the platform's file events.
    #[arg(long)]
    poll: bool,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// The folder to create (or fill).
    dir: PathBuf,
    /// Write into a folder that is not empty.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The page to create, under content/: `countries/brazil.md`.
    path: String,
    /// The site's folder (the one holding `tradetalks.toml`).
    #[arg(long, default_value = ".")]
    root: PathBuf,
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
    #[arg(long, value_parser = base_url_arg)]
    base_url: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
    /// Also fetch every external link (concurrently, two at a time per host).
    #[arg(long)]
    external: bool,
    /// Seconds to wait for each external link.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u64,
}

/// `--base-url` must be a URL: a bad one is bad usage (exit 2), caught before any build.
fn base_url_arg(text: &str) -> Result<String, String> {
    crate::config::normalise_base_url(text)
        .map(|_| text.to_owned())
        .map_err(|message| message.replace("`base_url`", "the base URL"))
}

/// Worker threads parse user input (deeply nested YAML and Markdown included), so they get
/// more stack than rayon's default 2 MiB; the parsers' own depth limits do the rest.
const WORKER_STACK_BYTES: usize = 64 << 20;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    crate::guard::install_hook();
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Serve(args) => crate::serve::run(
            crate::serve::ServeOptions {
                root: args.site.root,
                bind: args.bind,
                port: args.port,
                include_drafts: args.site.drafts,
                as_of: args.site.as_of,
                poll: args.poll,
            },
            &renderer(),
        ),
        Command::Init(args) => init(args),
        Command::New(args) => new_page(args),
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

fn absolute_or_same(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = args.site.root.clone();
    // `--output` is relative to the current folder, like any path on a command line; the
    // default `public/` is inside the site.
    let output_arg = match args.output {
        Some(path) => std::path::absolute(&path).unwrap_or(path),
        None => root.join("public"),
    };
    let output = match output::resolve_output(&root, &absolute_or_same(&output_arg)) {
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
        keep_going: false,
    };
    // Pages go to the staging folder as they render; without a site there is nothing to
    // stage (and the build only reports why).
    let is_site = root.join(crate::config::CONFIG_FILE).is_file();
    let staging = match is_site.then(|| output::Staging::begin(&output)).transpose() {
        Ok(staging) => staging,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let real_root = root.canonicalize().unwrap_or_else(|_| root.clone());
    for leftover in staging.iter().flat_map(|s| &s.leftovers) {
        eprintln!(
            "note: removed `{}`, left behind by a build that was interrupted",
            crate::source::display_name(&real_root, leftover)
        );
    }
    let (site, diagnostics) = pipeline::build_into(&root, &options, staging.as_ref());
    report(&diagnostics);
    let Some(site) = site else {
        eprintln!(
            "error: build failed: {}; the output folder was left as it was",
            diagnostics.summary()
        );
        return ExitCode::from(if is_site { 1 } else { 2 });
    };
    let written = match staging {
        Some(staging) => staging.finish(&site),
        None => output::write(&site, &output),
    };
    if let Err(err) = written {
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
        keep_going: true,
    };
    let (site, mut diagnostics) = pipeline::build(&root, &options);
    if site.is_none() && !root.join(crate::config::CONFIG_FILE).is_file() {
        report(&diagnostics);
        return ExitCode::from(2);
    }
    let mut external_checked = None;
    if let (Some(site), Ok(config)) = (
        &site,
        crate::config::Config::load(&crate::source::Tree::disk(&root), None),
    ) {
        let (problems, external) = crate::check::internal_links(&config, site, &site.origins);
        diagnostics.extend(problems);
        if args.external {
            if !args.site.quiet {
                eprintln!("Checking external links…");
            }
            let external_options = crate::check::ExternalOptions {
                timeout: std::time::Duration::from_secs(args.timeout),
                ..Default::default()
            };
            let (problems, count) =
                crate::check::check_external(&external, &external_options, &site.origins);
            diagnostics.extend(problems);
            external_checked = Some(count);
        }
    }
    diagnostics.sort();
    report(&diagnostics);
    let failed = diagnostics.has_errors() || (args.strict && diagnostics.warning_count() > 0);
    if failed {
        eprintln!("error: check failed: {}", diagnostics.summary());
        return ExitCode::from(1);
    }
    if !args.site.quiet {
        match external_checked {
            Some(n) => eprintln!(
                "Check passed: {} ({n} external links fetched)",
                diagnostics.summary()
            ),
            None => eprintln!("Check passed: {}", diagnostics.summary()),
        }
    }
    ExitCode::SUCCESS
}

fn init(args: InitArgs) -> ExitCode {
    match crate::scaffold::init(&args.dir, args.force) {
        Ok(files) => {
            eprintln!(
                "Wrote the default site ({} files) into {}. Next:\n  cd {} && tradetalks serve",
                files.len(),
                args.dir.display(),
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn new_page(args: NewArgs) -> ExitCode {
    let config = match crate::config::Config::load(&crate::source::Tree::disk(&args.root), None) {
        Ok(config) => config,
        Err(problems) => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.extend(problems);
            report(&diagnostics);
            return ExitCode::from(2);
        }
    };
    let today = jiff::ZonedDateTime::now().date();
    match crate::scaffold::new_page(&config, &args.path, today) {
        Ok(path) => {
            eprintln!(
                "Created {} (a draft: remove `draft: true` to publish)",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
