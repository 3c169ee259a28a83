//! Words of the interface: what the built-in templates, shortcodes and scripts write
//! ("Published", "Source", "Contents", "3 results for …"), per language, from Project
//! Fluent message files (<https://projectfluent.org/>), with CLDR plural rules.
//!
//! Built in for English, Japanese, Korean and Hindi (`messages/*.ftl` in this repository); a
//! site overrides or adds messages in `messages/LANG.ftl` at its root. Templates ask for a
//! message with `t(key="published", date=…)` (`t_html` when the values are HTML). Every key
//! the templates name is checked in every edition's language before anything renders: a
//! missing one is an error naming the key, the language and where it is used.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::SourceFile;

type DateFormatter = icu_datetime::FixedCalendarDateTimeFormatter<
    icu_calendar::Gregorian,
    icu_datetime::fieldsets::YMD,
>;

type MonthFormatter = icu_datetime::FixedCalendarDateTimeFormatter<
    icu_calendar::Gregorian,
    icu_datetime::fieldsets::YM,
>;

/// The locale whose CLDR dates an edition in `code` shows; none for English, whose dates read
/// `2 April 2025` on every site, or for a tag ICU4X cannot read.
fn date_locale(code: &str) -> Option<icu_locale_core::Locale> {
    if code == "en" || code.starts_with("en-") {
        return None;
    }
    code.parse().ok()
}

/// The locale whose CLDR number format an edition in `code` uses; none for plain English
/// (`en`), whose grouping tradetalks writes itself. `en-IN` groups as India does.
fn number_locale(code: &str) -> Option<icu_locale_core::Locale> {
    if code == "en" {
        return None;
    }
    code.parse().ok()
}

/// `date` (with `day` for its day) in ICU4X's calendar.
fn gregorian(
    date: jiff::civil::Date,
    day: i8,
) -> Option<icu_calendar::Date<icu_calendar::Gregorian>> {
    icu_calendar::Date::try_new_gregorian(
        i32::from(date.year()),
        u8::try_from(date.month()).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()
}

/// The message files built into tradetalks, by language.
pub const BUILTIN: [(&str, &str); 4] = [
    ("en", include_str!("../messages/en.ftl")),
    ("ja", include_str!("../messages/ja.ftl")),
    ("ko", include_str!("../messages/ko.ftl")),
    ("hi", include_str!("../messages/hi.ftl")),
];

/// Messages the scripts (`search.js`, `tables.js`) show, with the values they fill in: given to
/// them as JSON by `script_messages()` in `base.html`. `search-results` goes by plural.
pub const SCRIPT_MESSAGES: [(&str, &[&str]); 7] = [
    ("search-unavailable", &[]),
    ("search-nothing", &["query"]),
    ("search-none", &["query"]),
    ("search-best", &["shown", "count", "query"]),
    ("sorted-by", &["column", "direction"]),
    ("sorted-ascending", &[]),
    ("sorted-descending", &[]),
];

/// Messages the Rust code writes into pages (titles of generated pages, charts' descriptions,
/// tables' words): checked in every edition with the templates' keys.
pub const RUST_MESSAGES: [&str; 40] = [
    "list-page-of",
    "map-country-value",
    "no-value",
    "map-description",
    "map-no-data",
    "map-in-group",
    "map-bin",
    "map-bin-below",
    "map-bin-above",
    "map-bin-all",
    "map-country",
    "map-credit",
    "not-found-title",
    "search-title",
    "search-description",
    "taxonomy-description",
    "term-description",
    "term-title",
    "not-stated",
    "yes",
    "no",
    "chart-description",
    "chart-extremes",
    "chart-table-follows",
    "step-description",
    "step-series",
    "step-series-flat",
    "line-description",
    "changes-caption",
    "changes-none",
    "change-what",
    "change-new",
    "change-gone",
    "change-up",
    "change-down",
    "list-pair",
    "spark-heading",
    "spark-step",
    "spark-separator",
    "facet-description",
];

/// Where a site's message files live, under its root.
pub const SITE_FOLDER: &str = "messages";

/// The messages of every edition of a site, by language tag.
#[derive(Default)]
pub struct Messages {
    bundles: BTreeMap<String, Bundle>,
    /// A hash of every message file read, for the build cache's keys.
    digest: String,
    default: String,
    /// `script_messages` of each language, made once: every page shows them.
    scripts: BTreeMap<String, Result<String, String>>,
}

struct Bundle {
    bundle: FluentBundle<FluentResource>,
    /// Long dates in the language (`2025年4月2日`), from CLDR through ICU4X; `None` for
    /// English, whose dates read `2 April 2025` on every site.
    dates: Option<DateFormatter>,
    /// Months (`2025年2月`), for what is dated only to the month.
    months: Option<MonthFormatter>,
    /// Digit grouping and separators (`1,52,000` in Hindi), from CLDR through ICU4X; `None`
    /// for English, which tradetalks groups itself.
    numbers: Option<icu_decimal::DecimalFormatter>,
    /// Every key the bundle has.
    keys: BTreeSet<String>,
    /// The text of each message that takes no values (`published`, `contents`), formatted
    /// once: templates ask for them on every page.
    plain: foldhash::HashMap<String, String>,
    /// Where its messages come from, for diagnostics: `built-in ja.ftl`, `messages/ja.ftl`.
    origins: Vec<String>,
}

impl Messages {
    /// The messages of each of `config`'s editions: the built-in file of its language (or of
    /// its primary language: `pt` for `pt-BR`), then the site's `messages/LANG.ftl` over it.
    /// An edition with neither speaks the default language's words, with a warning.
    pub fn load(config: &Config) -> (Messages, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let mut hasher = blake3::Hasher::new();
        let mut messages = Messages::default();
        let default = config.editions.first().map_or("en", |e| e.code.as_str());
        for edition in &config.editions {
            let code = edition.code.as_str();
            let primary = code.split('-').next().unwrap_or(code);
            let builtin = BUILTIN
                .iter()
                .find(|(lang, _)| *lang == code)
                .or_else(|| BUILTIN.iter().find(|(lang, _)| *lang == primary));
            let site_path = config.root.join(SITE_FOLDER).join(format!("{code}.ftl"));
            let site_file = if config.tree.is_file(&site_path) {
                match SourceFile::read(&config.tree, &site_path) {
                    Ok(file) => Some(file),
                    Err(d) => {
                        problems.push(d);
                        None
                    }
                }
            } else {
                None
            };
            let mut sources: Vec<(String, Option<&SourceFile>, &str)> = Vec::new();
            match (builtin, &site_file) {
                (Some((lang, text)), _) => {
                    sources.push((format!("built-in {lang}.ftl"), None, text))
                }
                (None, None) => {
                    // No words of its own: the default language's, said once.
                    let fallback = BUILTIN
                        .iter()
                        .find(|(lang, _)| *lang == default)
                        .unwrap_or(&BUILTIN[0]);
                    let table = format!("[languages.{code}]");
                    let warning = Diagnostic::warning(format!(
                        "the `{code}` edition has no message file, so its interface words (Published, Contents, Search…) are in `{}`",
                        fallback.0
                    ));
                    let warning = match config.file.text.find(&table) {
                        Some(at) => warning.at(&config.file, at..at + table.len()),
                        None => warning.in_file(crate::config::CONFIG_FILE),
                    };
                    problems.push(
                        warning
                        .with_help(format!(
                            "write `{SITE_FOLDER}/{code}.ftl` with the keys of the built-in `en.ftl` (`tradetalks help templates` lists them)"
                        )),
                    );
                    sources.push((format!("built-in {}.ftl", fallback.0), None, fallback.1));
                }
                (None, Some(_)) => {}
            }
            if let Some(file) = &site_file {
                sources.push((file.name.clone(), Some(file), &file.text));
            }
            let Ok(language) = code.parse::<unic_langid::LanguageIdentifier>() else {
                continue;
            };
            let mut bundle = FluentBundle::new_concurrent(vec![language]);
            // The page's markup says which way text runs; isolation marks would only get in
            // the way of copying text out of it.
            bundle.set_use_isolating(false);
            let mut keys = BTreeSet::new();
            let mut origins = Vec::new();
            for (origin, file, text) in sources {
                hasher.update(origin.as_bytes());
                hasher.update(text.as_bytes());
                let resource = match FluentResource::try_new(text.to_owned()) {
                    Ok(resource) => resource,
                    Err((resource, errors)) => {
                        for error in errors {
                            let d = Diagnostic::error(format!(
                                "this message file has a syntax error: {}",
                                error.kind
                            ));
                            problems.push(match file {
                                Some(file) => d.at(file, error.pos.clone()).with_help(
                                    "a message is `key = text`, with `{ $name }` for a value; see https://projectfluent.org/fluent/guide/",
                                ),
                                None => d.in_file(&origin),
                            });
                        }
                        resource
                    }
                };
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(message) = entry {
                        keys.insert(message.id.name.to_owned());
                    }
                }
                bundle.add_resource_overriding(resource);
                origins.push(origin);
            }
            let plain = keys
                .iter()
                .filter_map(|key| {
                    let pattern = bundle.get_message(key)?.value()?;
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, None, &mut errors);
                    errors.is_empty().then(|| (key.clone(), text.into_owned()))
                })
                .collect();
            messages.bundles.insert(
                code.to_owned(),
                Bundle {
                    bundle,
                    dates: date_locale(code).and_then(|locale| {
                        DateFormatter::try_new(
                            (&locale).into(),
                            icu_datetime::fieldsets::YMD::long(),
                        )
                        .ok()
                    }),
                    months: date_locale(code).and_then(|locale| {
                        MonthFormatter::try_new(
                            (&locale).into(),
                            icu_datetime::fieldsets::YM::long(),
                        )
                        .ok()
                    }),
                    numbers: number_locale(code).and_then(|locale| {
                        icu_decimal::DecimalFormatter::try_new(
                            (&locale).into(),
                            icu_decimal::options::DecimalFormatterOptions::default(),
                        )
                        .ok()
                    }),
                    keys,
                    plain,
                    origins,
                },
            );
        }
        messages.digest = hasher.finalize().to_hex().to_string();
        messages.default = default.to_owned();
        messages.scripts = messages
            .bundles
            .keys()
            .map(|code| (code.clone(), messages.compose_script_messages(code)))
            .collect();
        (messages, problems)
    }

    /// The default edition's language: what `t` speaks where a render names none.
    pub fn default_language(&self) -> &str {
        &self.default
    }

    /// A hash of the message files: part of the key of anything cached that shows them.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// `date` as a long date in `language`: `2 April 2025`, `2025年4月2日`, `2025년 4월 2일`,
    /// `2 अप्रैल 2025`.
    pub fn date(&self, language: &str, date: jiff::civil::Date) -> String {
        let formatter = self.bundles.get(language).and_then(|b| b.dates.as_ref());
        let icu = formatter.and_then(|f| Some(f.format(&gregorian(date, date.day())?).to_string()));
        icu.unwrap_or_else(|| date.strftime("%-d %B %Y").to_string())
    }

    /// The month of `date` in `language`: `February 2025`, `2025年2月`.
    pub fn month(&self, language: &str, date: jiff::civil::Date) -> String {
        let formatter = self.bundles.get(language).and_then(|b| b.months.as_ref());
        let icu = formatter.and_then(|f| Some(f.format(&gregorian(date, 1)?).to_string()));
        icu.unwrap_or_else(|| date.strftime("%B %Y").to_string())
    }

    /// How `language` writes numbers: `1,234.5`, or `1,52,000` with Indian grouping in Hindi.
    pub fn numbers(&self, language: &str) -> crate::shortcodes::format::Numbers<'_> {
        crate::shortcodes::format::Numbers::new(
            self.bundles.get(language).and_then(|b| b.numbers.as_ref()),
        )
    }

    /// Message `key` in `language` for text tradetalks writes itself (a chart's description, a
    /// table's "Not stated"): every key in `RUST_MESSAGES` is checked in every edition before
    /// anything renders, so the key itself stands in only where that check was skipped.
    pub fn word(&self, language: &str, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.format(language, key, args)
            .unwrap_or_else(|_| key.to_owned())
    }

    /// `text` (`YYYY-MM-DD`) as `date` writes it; text that is not a date stays as it is.
    pub fn date_text(&self, language: &str, text: &str) -> String {
        match crate::content::front_matter::parse_date(text) {
            Ok(date) => self.date(language, date),
            Err(_) => text.to_owned(),
        }
    }

    /// Message `key` in `language` for a script to fill in: for each plural category of the
    /// language (`one`, `other`, … as `Intl.PluralRules` names them), the message with
    /// `{count}` where the number `count_var` goes, and `{name}` for each of `names`.
    pub fn plural_forms(
        &self,
        language: &str,
        key: &str,
        count_var: &str,
        names: &[&str],
    ) -> Result<BTreeMap<String, String>, String> {
        use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
        let langid: unic_langid::LanguageIdentifier = language
            .parse()
            .map_err(|_| format!("`{language}` is not a language tag"))?;
        let primary: unic_langid::LanguageIdentifier = language
            .split('-')
            .next()
            .unwrap_or(language)
            .parse()
            .map_err(|_| format!("`{language}` is not a language tag"))?;
        let rules = PluralRules::create(langid, PluralRuleType::CARDINAL)
            .or_else(|_| PluralRules::create(primary, PluralRuleType::CARDINAL))
            .map_err(|e| format!("no plural rules for `{language}`: {e}"))?;
        // Two whole numbers of each category (the first that exist below 1,000).
        let mut samples: BTreeMap<&'static str, Vec<u32>> = BTreeMap::new();
        for n in 0..1000u32 {
            let Ok(category) = rules.select(n) else {
                continue;
            };
            let name = match category {
                PluralCategory::ZERO => "zero",
                PluralCategory::ONE => "one",
                PluralCategory::TWO => "two",
                PluralCategory::FEW => "few",
                PluralCategory::MANY => "many",
                PluralCategory::OTHER => "other",
            };
            let found = samples.entry(name).or_default();
            if found.len() < 2 {
                found.push(n);
            }
        }
        let placeholders: Vec<(String, FluentValue)> = names
            .iter()
            .map(|name| ((*name).to_owned(), FluentValue::from(format!("{{{name}}}"))))
            .collect();
        let render = |n: u32| {
            let mut args: Vec<(&str, FluentValue)> = placeholders
                .iter()
                .map(|(name, value)| (name.as_str(), value.clone()))
                .collect();
            args.push((count_var, FluentValue::from(n)));
            self.format(language, key, &args)
        };
        let mut forms = BTreeMap::new();
        for (category, numbers) in samples {
            let first = render(numbers[0])?;
            // Where two renders differ is where the number goes; with one number in the
            // category (English `one` is 1 only), where that number is written.
            let pattern = match numbers.get(1) {
                Some(&n) => {
                    let second = render(n)?;
                    let prefix = first
                        .char_indices()
                        .zip(second.chars())
                        .find(|((_, a), b)| a != b)
                        .map_or(first.len(), |((i, _), _)| i);
                    let (first_rest, second_rest) = (
                        first.get(prefix..).unwrap_or_default(),
                        second.get(prefix..).unwrap_or_default(),
                    );
                    let suffix = first_rest
                        .chars()
                        .rev()
                        .zip(second_rest.chars().rev())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a.len_utf8())
                        .sum::<usize>();
                    let end = first.len() - suffix.min(first_rest.len());
                    format!(
                        "{}{{count}}{}",
                        first.get(..prefix).unwrap_or_default(),
                        first.get(end..).unwrap_or_default()
                    )
                }
                None => first.replacen(&numbers[0].to_string(), "{count}", 1),
            };
            forms.insert(category.to_owned(), pattern);
        }
        Ok(forms)
    }

    /// What the scripts show, in `language`, as JSON safe inside `<script>`: each of
    /// `SCRIPT_MESSAGES` with `{name}` for its values, and `search-results` by plural category.
    pub fn script_messages(&self, language: &str) -> Result<String, String> {
        match self.scripts.get(language) {
            Some(json) => json.clone(),
            None => self.compose_script_messages(language),
        }
    }

    fn compose_script_messages(&self, language: &str) -> Result<String, String> {
        let mut all = serde_json::Map::new();
        for (key, names) in SCRIPT_MESSAGES {
            let args: Vec<(&str, FluentValue)> = names
                .iter()
                .map(|name| (*name, FluentValue::from(format!("{{{name}}}"))))
                .collect();
            all.insert(key.to_owned(), self.format(language, key, &args)?.into());
        }
        let forms = self.plural_forms(language, "search-results", "count", &["query"])?;
        all.insert(
            "search-results".to_owned(),
            serde_json::to_value(forms).unwrap_or_default(),
        );
        Ok(serde_json::Value::Object(all)
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"))
    }

    /// Whether `language` has a message `key`.
    pub fn has(&self, language: &str, key: &str) -> bool {
        self.bundles
            .get(language)
            .is_some_and(|b| b.keys.contains(key))
    }

    /// Message `key` in `language`, with `args` in its placeables.
    pub fn format(
        &self,
        language: &str,
        key: &str,
        args: &[(&str, FluentValue<'_>)],
    ) -> Result<String, String> {
        let bundle = self
            .bundles
            .get(language)
            .ok_or_else(|| format!("the site has no edition in `{language}`"))?;
        if args.is_empty()
            && let Some(text) = bundle.plain.get(key)
        {
            return Ok(text.clone());
        }
        let pattern = bundle
            .bundle
            .get_message(key)
            .and_then(|m| m.value())
            .ok_or_else(|| {
                let hint = did_you_mean(key, bundle.keys.iter().map(String::as_str))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                format!(
                    "no message `{key}` in `{language}` ({}){hint}",
                    bundle.origins.join(", ")
                )
            })?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        match errors.first() {
            Some(error) => Err(format!("message `{key}` in `{language}`: {error}")),
            None => Ok(text.into_owned()),
        }
    }

    /// Checks that every edition's language has every key the templates name in `used` (key →
    /// where it is used: the template and the byte range of the key in it) and every key the
    /// scripts show (`script_messages()`). One error for each missing key and language, at its
    /// first use.
    pub fn check_keys(
        &self,
        mut used: BTreeMap<String, Vec<(SourceFile, std::ops::Range<usize>)>>,
    ) -> Vec<Diagnostic> {
        for key in SCRIPT_MESSAGES
            .iter()
            .map(|(key, _)| *key)
            .chain(["search-results"])
            .chain(RUST_MESSAGES)
        {
            used.entry(key.to_owned()).or_default();
        }
        let mut problems = Vec::new();
        for (language, bundle) in &self.bundles {
            let missing: Vec<(&String, &Vec<_>)> = used
                .iter()
                .filter(|(key, _)| !bundle.keys.contains(*key))
                .collect();
            let origins = bundle.origins.join(", ");
            // A file of a new language missing most keys is one mistake, said once.
            if missing.len() > 3 {
                let names: Vec<String> = missing
                    .iter()
                    .take(12)
                    .map(|(k, _)| format!("`{k}`"))
                    .collect();
                let more = missing.len().saturating_sub(names.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                problems.push(
                    Diagnostic::error(format!(
                        "the `{language}` edition has no message for {} keys the templates use: {}{more}",
                        missing.len(),
                        names.join(", ")
                    ))
                    .in_file(&format!("{SITE_FOLDER}/{language}.ftl"))
                    .with_note(format!("`{language}` messages come from {origins}"))
                    .with_help(format!(
                        "copy the keys of the built-in `en.ftl` into `{SITE_FOLDER}/{language}.ftl` and translate them (`tradetalks help templates` lists them)"
                    )),
                );
                continue;
            }
            for (key, uses) in missing {
                let mut d = Diagnostic::error(format!(
                    "no message `{key}` in `{language}`: the `{language}` edition would show nothing here"
                ));
                if let Some((file, span)) = uses.first() {
                    d = d.at(file, span.clone());
                }
                if uses.len() > 1 {
                    d = d.with_note(format!("used in {} places", uses.len()));
                }
                d = d.with_note(format!("`{language}` messages come from {origins}"));
                d = match did_you_mean(key, bundle.keys.iter().map(String::as_str)) {
                    Some(help) => d.with_help(help),
                    None => {
                        d.with_help(format!("add `{key} = …` to `{SITE_FOLDER}/{language}.ftl`"))
                    }
                };
                problems.push(d);
            }
        }
        problems
    }
}

/// A shared handle, for the template functions.
pub type SharedMessages = Arc<Messages>;

#[cfg(test)]
impl Messages {
    /// Built-in messages only, for a site in `language`.
    pub(crate) fn builtin(language: &str) -> Messages {
        let text =
            format!("title = \"t\"\nbase_url = \"https://x.org/\"\nlanguage = \"{language}\"\n");
        let file = SourceFile::new("tradetalks.toml", "tradetalks.toml", text);
        let Ok(config) = Config::parse(std::path::Path::new("."), &file, None) else {
            return Messages::default();
        };
        Messages::load(&config).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_have_the_same_keys_and_parse() {
        let keys = |text: &str| -> BTreeSet<String> {
            let resource = FluentResource::try_new(text.to_owned()).expect("parses");
            resource
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                    _ => None,
                })
                .collect()
        };
        let english = keys(BUILTIN[0].1);
        assert!(english.len() > 40);
        for (lang, text) in &BUILTIN[1..] {
            assert_eq!(keys(text), english, "keys of {lang}.ftl");
        }
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let date = jiff::civil::date(2025, 4, 2);
        for (lang, expected) in [
            ("en", "2 April 2025"),
            ("ja", "2025年4月2日"),
            ("ko", "2025년 4월 2일"),
            ("hi", "2 अप्रैल, 2025"),
        ] {
            assert_eq!(Messages::builtin(lang).date(lang, date), expected, "{lang}");
        }
    }

    #[test]
    fn scripts_get_a_message_per_plural_category() {
        let en = Messages::builtin("en");
        let forms = en
            .plural_forms("en", "search-results", "count", &["query"])
            .unwrap();
        assert_eq!(forms["one"], "{count} result for {query}.");
        assert_eq!(forms["other"], "{count} results for {query}.");
        let ja = Messages::builtin("ja");
        let forms = ja
            .plural_forms("ja", "search-results", "count", &["query"])
            .unwrap();
        assert_eq!(forms.keys().collect::<Vec<_>>(), ["other"]);
        assert!(forms["other"].contains("{count}") && forms["other"].contains("{query}"));
    }

    #[test]
    fn plurals_follow_each_language() {
        let en = Messages::builtin("en");
        let count = |m: &Messages, lang: &str, n: f64| {
            m.format(lang, "page-count", &[("count", FluentValue::from(n))])
                .unwrap()
        };
        assert_eq!(count(&en, "en", 1.0), "1 page");
        assert_eq!(count(&en, "en", 3.0), "3 pages");
        let ja = Messages::builtin("ja");
        assert!(count(&ja, "ja", 3.0).contains('3'));
        let missing = en.format("en", "no-such-key", &[]).unwrap_err();
        assert!(
            missing.contains("no message `no-such-key` in `en`"),
            "{missing}"
        );
    }
}
