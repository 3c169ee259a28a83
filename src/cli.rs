//! The command line: parse arguments, run a command, print diagnostics, pick the exit code
//! (0 success, 1 the site has errors, 2 bad usage or an environment failure).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use annotate_snippets::Renderer;
use clap::{Args, Parser, Subcommand};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::failure::{Failure, exit_code};
use crate::output;
use crate::pipeline::{self, BuildOptions, record};

#[derive(Debug, Parser)]
#[command(
    name = "tradetalks",
    version,
    about = "A static-site generator for explainers of trade negotiations",
    disable_help_subcommand = true
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
    /// List the built-in templates, print one, or copy one into `templates/` to change it.
    Templates(TemplatesArgs),
    /// Print a reference: shortcodes, front-matter, templates, data or config.
    Help(HelpArgs),
}

#[derive(Debug, Args)]
struct TemplatesArgs {
    #[command(subcommand)]
    action: Option<TemplatesAction>,
    /// The site's folder (the one holding `tradetalks.toml`).
    #[arg(long, default_value_os_t = site_root(), hide_default_value = true)]
    root: PathBuf,
}

#[derive(Debug, Subcommand)]
enum TemplatesAction {
    /// List the built-in templates and shortcodes, and which ones the site replaces.
    List,
    /// Print a built-in template.
    Show { name: String },
    /// Copy a built-in template into the site's `templates/` to change it (never over a file).
    Eject { name: String },
}

#[derive(Debug, Args)]
struct HelpArgs {
    /// What to explain; without one, the commands.
    topic: Option<Topic>,
}

/// The references, from `docs/` (embedded when tradetalks is built).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Topic {
    /// Tables, charts, comparisons, timelines, notes: every argument.
    Shortcodes,
    /// Every front-matter field, figures, drafts, scheduled pages, links.
    FrontMatter,
    /// Built-in templates, their blocks, every value and function they get.
    Templates,
    /// Data files, their schemas and column types, fact references, stale figures.
    Data,
    /// Every key of `tradetalks.toml`, and section schemas.
    Config,
    /// Editions in other languages: translations, links, messages, dates.
    Editions,
}

impl Topic {
    fn text(self) -> &'static str {
        match self {
            Topic::Shortcodes => include_str!("../docs/shortcodes.md"),
            Topic::FrontMatter => include_str!("../docs/front-matter.md"),
            Topic::Templates => include_str!("../docs/templates.md"),
            Topic::Data => include_str!("../docs/data.md"),
            Topic::Config => include_str!("../docs/config.md"),
            Topic::Editions => include_str!("../docs/editions.md"),
        }
    }
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
    /// Write into a folder that is not empty (files of the same names are replaced, and
    /// listed).
    #[arg(long)]
    force: bool,
    /// A blank starter instead of the default site: a config, one section with a schema, one
    /// page and one data file.
    #[arg(long)]
    minimal: bool,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The page to create, under content/: `countries/brazil.md`.
    path: String,
    /// The site's folder (the one holding `tradetalks.toml`); default: the current folder, or
    /// the nearest folder above it that holds `tradetalks.toml`.
    #[arg(long, default_value_os_t = site_root(), hide_default_value = true)]
    root: PathBuf,
}

#[derive(Debug, Args)]
struct SiteArgs {
    /// The site's folder (the one holding `tradetalks.toml`); default: the current folder, or
    /// the nearest folder above it that holds `tradetalks.toml`.
    #[arg(long, default_value_os_t = site_root(), hide_default_value = true)]
    root: PathBuf,
    /// Include pages and sections marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Include pages dated after the build date (otherwise they are scheduled: left out
    /// until `--as-of` reaches their date). With an earlier `--as-of`, a preview of that
    /// day: data is read as of it, and figures checked since (up to today) are kept.
    #[arg(long)]
    future: bool,
    /// Print only diagnostics.
    #[arg(long, short)]
    quiet: bool,
    /// The build date (YYYY-MM-DD) for timelines and stale-fact checks; default today.
    #[arg(long, value_name = "DATE")]
    as_of: Option<jiff::civil::Date>,
    /// Where the build cache lives (default: `.tradetalks-cache/` in the site's folder).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Build without the cache: nothing is read from it or written to it.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
}

impl SiteArgs {
    /// The cache folder this run uses, if any.
    fn cache(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        Some(
            self.cache_dir
                .clone()
                .unwrap_or_else(|| self.root.join(crate::cache::DEFAULT_DIR)),
        )
    }
}

/// How `build` and `check` print what they find.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    /// Each problem with its source line and a caret, on stderr.
    #[default]
    Human,
    /// One JSON object per line on stdout (as cargo's `--message-format json`), then a
    /// `build-finished` object.
    Json,
    /// GitHub Actions workflow commands on stdout: each problem an annotation on its line.
    Github,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// How to print problems: `human`, `json` (one object per line) or `github` (annotations
    /// in a pull request).
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    format: MessageFormat,
    /// Where to write the site (replaced as a whole once the build has succeeded).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Override `base_url` from `tradetalks.toml`, e.g. for a preview deploy.
    #[arg(long, value_parser = base_url_arg)]
    base_url: Option<String>,
    /// Fail on warnings too (a stale figure, a loose file in content/), leaving the output
    /// as it was.
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// How to print problems: `human`, `json` (one object per line) or `github` (annotations
    /// in a pull request).
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    format: MessageFormat,
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

/// The site a command run without `--root` works on: the current folder, or the nearest one
/// above it with a `tradetalks.toml` (as cargo and git find their projects), so that commands
/// work from `content/countries/` too.
fn site_root() -> PathBuf {
    let here = PathBuf::from(".");
    let Ok(current) = std::env::current_dir() else {
        return here;
    };
    current
        .ancestors()
        .find(|dir| dir.join(crate::config::CONFIG_FILE).is_file())
        .map_or(here, |dir| {
            if dir == current {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }
        })
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
        Command::Build(args) => {
            let format = args.format;
            finish(build(args), format)
        }
        Command::Check(args) => {
            let format = args.format;
            finish(check(args), format)
        }
        Command::Serve(args) => crate::serve::run(
            crate::serve::ServeOptions {
                cache_dir: args.site.cache(),
                root: args.site.root,
                bind: args.bind,
                port: args.port,
                include_drafts: args.site.drafts,
                include_future: args.site.future,
                as_of: args.site.as_of,
                poll: args.poll,
            },
            &renderer(),
        ),
        Command::Init(args) => exit_code(init(args)),
        Command::New(args) => exit_code(new_page(args)),
        Command::Templates(args) => exit_code(templates(args)),
        Command::Help(args) => help(args),
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
    report_as(diagnostics, MessageFormat::Human);
}

/// Prints the problems in the format asked for: human-readable on stderr, or one JSON object
/// or workflow command per problem on stdout.
fn report_as(diagnostics: &Diagnostics, format: MessageFormat) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match format {
        MessageFormat::Human => {
            if !diagnostics.is_empty() {
                eprint!("{}", diagnostics.render(&renderer()));
            }
        }
        MessageFormat::Json => {
            for diagnostic in diagnostics.iter() {
                let _ = writeln!(out, "{}", diagnostic.to_json());
            }
        }
        MessageFormat::Github => {
            for diagnostic in diagnostics.iter() {
                let _ = writeln!(out, "{}", diagnostic.to_github());
            }
        }
    }
}

/// The end of `build` or `check`: in JSON, a last `build-finished` object with the counts
/// (and a failure of the environment as one more diagnostic, so that a tool reading stdout
/// sees why); the exit code in every format.
fn finish(result: Result<(ExitCode, Diagnostics), Failure>, format: MessageFormat) -> ExitCode {
    let (code, diagnostics, failure) = match result {
        Ok((code, diagnostics)) => (code, diagnostics, None),
        Err(failure) => (failure.exit(), Diagnostics::default(), Some(failure)),
    };
    if let Some(failure) = failure.filter(|f| !matches!(f, Failure::Reported)) {
        let mut shown = Diagnostics::default();
        shown.push(Diagnostic::error(failure.to_string()));
        report_as(&shown, format);
    }
    if format == MessageFormat::Json {
        println!(
            "{}",
            serde_json::json!({
                "reason": "build-finished",
                "success": code == ExitCode::SUCCESS,
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
            })
        );
    }
    code
}

fn absolute_or_same(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn build(args: BuildArgs) -> Result<(ExitCode, Diagnostics), Failure> {
    let started = Instant::now();
    let root = args.site.root.clone();
    // `--output` is relative to the current folder, like any path on a command line; the
    // default `public/` is inside the site.
    let output_arg = match args.output {
        Some(path) => std::path::absolute(&path).unwrap_or(path),
        None => root.join("public"),
    };
    let output = output::resolve_output(&root, &absolute_or_same(&output_arg))?;
    let options = BuildOptions {
        include_drafts: args.site.drafts,
        include_future: args.site.future,
        base_url: args.base_url,
        as_of: args.site.as_of,
        progress: std::io::stderr().is_terminal() && !args.site.quiet,
        cache_dir: args.site.cache(),
        ..BuildOptions::default()
    };
    let is_site = root.join(crate::config::CONFIG_FILE).is_file();
    // A build with nothing to do: the sources and the output folder as the last build left
    // them (see `pipeline::record`), and no killed build's folders to remove.
    let real_root = root.canonicalize().unwrap_or_else(|_| root.clone());
    let cache = options
        .cache_dir
        .clone()
        .filter(|_| is_site)
        .map(crate::cache::Cache::at);
    let mut clock = pipeline::Stopwatch::from_env();
    let sources = cache.as_ref().map(|_| record::sources(&root));
    let last = cache
        .as_ref()
        .and_then(|cache| record::last(cache, &real_root, &output));
    // What a build that rendered nothing says it built, and why it did not render.
    let unrendered = |counts: record::Counts, why: &str| {
        if !args.site.quiet {
            eprintln!(
                "Built {} pages and {} sections into {} in {} ms ({}): {why}",
                counts.pages,
                counts.sections,
                output_arg.display(),
                started.elapsed().as_millis(),
                Diagnostics::default().summary(),
            );
        }
        Ok((ExitCode::SUCCESS, Diagnostics::default()))
    };
    if let (Some(last), Some(sources)) = (&last, &sources)
        && !output::has_leftovers(&output)
        && let Some(counts) = record::up_to_date(last, &real_root, &output, &options, sources)
    {
        clock.lap("record: sources and output as the last build left them");
        return unrendered(
            counts,
            "nothing had changed since the last build, so the output folder was left as it was",
        );
    }
    if sources.is_some() {
        clock.lap("record: sources looked at, and not as the last build left them");
    }
    // The sources as the last build left them, but not its output folder: its files again,
    // from the cache.
    if let (Some(cache), Some(last), Some(sources)) = (&cache, &last, &sources)
        && !output::has_leftovers(&output)
        && let Some(counts) = record::restore(cache, last, &real_root, &output, &options, sources)
    {
        clock.lap("record: output folder restored from the cache");
        return unrendered(
            counts,
            "the sources were as the last build left them, so its output was restored from the build cache",
        );
    }
    // Pages go to the staging folder as they render; without a site there is nothing to
    // stage (and the build only reports why).
    let staging = is_site
        .then(|| output::Staging::begin(&output))
        .transpose()?;
    // The pages the output folder holds as the last build wrote them: those rendered from
    // the same inputs again are linked from there, not written.
    let staging = match (staging, &last) {
        (Some(staging), Some(last)) if staging.leftovers.is_empty() => {
            let intact = record::intact_pages(last, &real_root, &output, &options);
            clock.lap(&format!(
                "record: {} pages in the output folder as the last build left them",
                intact.len()
            ));
            Some(staging.with_intact(intact, record::checked_targets(last)))
        }
        (staging, _) => staging,
    };
    drop(last);
    for leftover in staging.iter().flat_map(|s| &s.leftovers) {
        eprintln!(
            "note: removed `{}`, left behind by a build that was interrupted",
            crate::source::display_name(&real_root, leftover)
        );
    }
    let stamps = sources.as_ref().map(record::Sources::trusted);
    let (site, diagnostics) = pipeline::build_into(
        &root,
        &options,
        staging.as_ref(),
        stamps.unwrap_or_default(),
    );
    report_as(&diagnostics, args.format);
    let Some(site) = site else {
        eprintln!(
            "error: build failed: {}; the output folder was left as it was",
            diagnostics.summary()
        );
        return Ok((ExitCode::from(if is_site { 1 } else { 2 }), diagnostics));
    };
    if args.strict && diagnostics.warning_count() > 0 {
        eprintln!(
            "error: build failed (--strict fails on warnings): {}; the output folder was left as it was",
            diagnostics.summary()
        );
        return Ok((ExitCode::from(1), diagnostics));
    }
    let replaced = match staging {
        Some(staging) => Some(staging.finish(&site)?),
        None => {
            output::write(&site, &output)?;
            None
        }
    };
    // The previous build's folder goes while the record is kept.
    let mut clock = pipeline::Stopwatch::from_env();
    let remove = || replaced.map_or(Ok(()), output::Replaced::remove);
    match &cache {
        Some(cache) => record::keep(
            cache,
            &real_root,
            &output,
            &options,
            sources.filter(|_| diagnostics.is_empty()),
            &site,
            remove,
        ),
        None => remove(),
    }?;
    clock.lap("record kept, the previous build removed");
    if !args.site.quiet {
        print_scheduled(&site);
        eprintln!(
            "Built {} pages and {} sections into {} in {} ms ({})",
            site.page_count,
            site.section_count,
            output_arg.display(),
            started.elapsed().as_millis(),
            diagnostics.summary()
        );
    }
    // The process ends once the build has returned: freeing the site's records of every
    // page (25 ms for 10,000 pages) would only delay it.
    std::mem::forget(site);
    Ok((ExitCode::SUCCESS, diagnostics))
}

fn check(args: CheckArgs) -> Result<(ExitCode, Diagnostics), Failure> {
    let root = args.site.root.clone();
    let options = BuildOptions {
        include_drafts: args.site.drafts,
        include_future: args.site.future,
        base_url: None,
        as_of: args.site.as_of,
        progress: std::io::stderr().is_terminal() && !args.site.quiet,
        cache_dir: args.site.cache(),
        ..BuildOptions::default()
    };
    let (site, mut diagnostics) = pipeline::build(&root, &options);
    if site.is_none() && !root.join(crate::config::CONFIG_FILE).is_file() {
        report_as(&diagnostics, args.format);
        return Ok((ExitCode::from(2), diagnostics));
    }
    // `check` is the build (with its link check) without writing, plus external links and
    // the state of the translations.
    let mut external_checked = None;
    if let Some(site) = &site {
        diagnostics.extend(outdated_translations(&site.translation_status));
        let external = &site.external;
        if args.external {
            if !args.site.quiet {
                eprintln!("Checking external links…");
            }
            let external_options = crate::check::ExternalOptions {
                timeout: std::time::Duration::from_secs(args.timeout),
                ..Default::default()
            };
            let (problems, count) =
                crate::check::check_external(external, &external_options, &site.origins);
            diagnostics.extend(problems);
            external_checked = Some(count);
        }
    }
    diagnostics.sort();
    report_as(&diagnostics, args.format);
    if let Some(site) = &site {
        print_scheduled(site);
        if !args.site.quiet {
            print_translations(&site.translation_status);
        }
    }
    let failed = diagnostics.has_errors() || (args.strict && diagnostics.warning_count() > 0);
    if failed {
        eprintln!("error: check failed: {}", diagnostics.summary());
        return Ok((ExitCode::from(1), diagnostics));
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
    Ok((ExitCode::SUCCESS, diagnostics))
}

/// A translation older than its source is a warning of `check` (an error with `--strict`),
/// at the translation's file.
fn outdated_translations(status: &[pipeline::EditionStatus]) -> Vec<Diagnostic> {
    status
        .iter()
        .flat_map(|edition| &edition.outdated)
        .map(|outdated| match &outdated.why {
            pipeline::Staleness::Dates {
                source,
                translation,
            } => {
                let own = translation
                    .map_or_else(String::new, |d| format!(" (the translation's is {d})"));
                Diagnostic::warning(format!(
                    "this translation is older than its source: `{}` was updated on {source}{own}",
                    outdated.source_name
                ))
                .in_file(&outdated.translation.name)
                .with_help(format!(
                    "bring the translation up to date and set its `updated:` to the day you did, or record the version of the source it now follows: `translated_from: \"{}\"`",
                    outdated.source_version
                ))
            }
            pipeline::Staleness::Version {
                recorded,
                span,
                current,
            } => Diagnostic::warning(format!(
                "this translation was made from another version of `{}`: it records `{recorded}`, and the source is now `{current}`",
                outdated.source_name
            ))
            .at(&outdated.translation, span.clone())
            .with_help(format!(
                "bring the translation up to date with the source, then write `translated_from: \"{current}\"`"
            )),
        })
        .collect()
}

/// Each edition's translations: how many pages it has, which it lacks, which are outdated.
fn print_translations(status: &[pipeline::EditionStatus]) {
    if status.is_empty() {
        return;
    }
    eprintln!("Translations:");
    for edition in status {
        let total = edition.translated + edition.missing.len();
        eprintln!(
            "  {} ({}): {} of {} pages and sections translated{}",
            edition.code,
            edition.name,
            edition.translated.min(total),
            total,
            match edition.outdated.len() {
                0 => String::new(),
                n => format!(", {n} older than their source"),
            }
        );
        if !edition.missing.is_empty() {
            eprintln!("    not translated: {}", edition.missing.join(", "));
        }
    }
}

/// Lists the pages left out until their date, so that nobody wonders where one went.
fn print_scheduled(site: &pipeline::BuiltSite) {
    let count = site.scheduled.len();
    if count == 0 {
        return;
    }
    let (pages, left_out) = if count == 1 {
        ("page is", "it is")
    } else {
        ("pages are", "they are")
    };
    eprintln!(
        "note: {count} {pages} scheduled: dated after the build date, {left_out} left out until then (`--future` includes them)"
    );
    for scheduled in &site.scheduled {
        eprintln!("  content/{} ({})", scheduled.content_path, scheduled.date);
    }
}

fn help(args: HelpArgs) -> ExitCode {
    use clap::CommandFactory;
    match args.topic {
        Some(topic) => print!("{}", topic.text()),
        None => {
            let _ = Cli::command().print_help();
            println!(
                "\nReferences: tradetalks help shortcodes | front-matter | templates | data | config"
            );
        }
    }
    ExitCode::SUCCESS
}

fn templates(args: TemplatesArgs) -> Result<ExitCode, Failure> {
    let builtin = |name: &str| {
        let name = name.trim_start_matches("templates/");
        crate::templates::builtins()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| {
                let names: Vec<&str> = crate::templates::builtins().map(|(n, _)| n).collect();
                let hint = crate::diagnostic::did_you_mean(name, names.iter().copied())
                    .unwrap_or_else(|| "`tradetalks templates list` lists them".to_owned());
                format!("there is no built-in template `{name}`; {hint}")
            })
    };
    match args.action.unwrap_or(TemplatesAction::List) {
        TemplatesAction::List => {
            let site_templates = args.root.join("templates");
            println!("Built-in templates (a file of the same name in templates/ replaces one):\n");
            for (name, text) in crate::templates::builtins() {
                let replaced = if site_templates.join(name).is_file() {
                    " [replaced by the site]"
                } else {
                    ""
                };
                println!(
                    "  {name}{replaced}\n      {}",
                    crate::templates::summary(text)
                );
            }
            println!(
                "\n`tradetalks templates show NAME` prints one; `tradetalks templates eject NAME` copies it into templates/."
            );
            Ok(ExitCode::SUCCESS)
        }
        TemplatesAction::Show { name } => {
            let (_, text) = builtin(&name).map_err(Failure::Usage)?;
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        TemplatesAction::Eject { name } => {
            let (name, text) = builtin(&name).map_err(Failure::Usage)?;
            if !args.root.join(crate::config::CONFIG_FILE).is_file() {
                return Err(Failure::NotASite {
                    command: "templates eject",
                });
            }
            let target = args.root.join("templates").join(name);
            if target.exists() {
                return Err(Failure::Usage(format!(
                    "`templates/{name}` already exists; tradetalks never overwrites a template (remove it first to start again from the built-in one)"
                )));
            }
            target
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&target, text))
                .map_err(|error| Failure::Write {
                    path: format!("templates/{name}"),
                    error,
                })?;
            eprintln!("Wrote templates/{name}: it now replaces the built-in one");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn init(args: InitArgs) -> Result<ExitCode, Failure> {
    let today = jiff::ZonedDateTime::now().date();
    match crate::scaffold::init(&args.dir, args.force, args.minimal, today) {
        Ok(written) => {
            for replaced in &written.replaced {
                let shown = replaced.strip_prefix(&args.dir).unwrap_or(replaced);
                eprintln!("Replaced {}", shown.display());
            }
            let what = if args.minimal {
                "a blank starter site"
            } else {
                "the default site"
            };
            eprintln!(
                "Wrote {what} ({} files) into {}. Next:\n  cd {} && tradetalks serve",
                written.files.len(),
                args.dir.display(),
                args.dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => Err(Failure::Usage(message)),
    }
}

fn new_page(args: NewArgs) -> Result<ExitCode, Failure> {
    let config = match crate::config::Config::load(&crate::source::Tree::disk(&args.root), None) {
        Ok(config) => config,
        Err(problems) => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.extend(problems);
            report(&diagnostics);
            return Err(Failure::Reported);
        }
    };
    let today = jiff::ZonedDateTime::now().date();
    match crate::scaffold::new_page(&config, &args.path, today) {
        Ok(created) => {
            for path in &created {
                let shown = path.strip_prefix(&args.root).unwrap_or(path).display();
                if path.ends_with("_index.md") {
                    eprintln!("Created the section {shown}");
                } else {
                    eprintln!("Created {shown} (a draft: remove `draft: true` to publish)");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => Err(Failure::Usage(message)),
    }
}
