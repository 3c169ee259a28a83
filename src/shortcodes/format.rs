//! How numbers, units and dates read in tables and charts, and the small query language of
//! `filter` and `sort` arguments.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::data::{plain, value_text};

/// `1234.5` → `1,234.5`, `-16.6` → `−16.6` (a true minus sign), as English writes numbers:
/// for diagnostics and progress. Pages write numbers as their edition does ([`Numbers`]).
pub fn number(n: f64) -> String {
    Numbers::default().number(n)
}

/// `n` as Rust's shortest round-trip digits, without grouping: `1234.5`, `-16.6`, `99000`.
pub fn plain_digits(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// How an edition writes numbers: English grouping (`1,234.5`) by default, or a language's
/// CLDR grouping and separators through ICU4X (`1,52,000` in Hindi). Negative numbers take a
/// true minus sign (`−16.6`) in every language.
#[derive(Clone, Copy, Default)]
pub struct Numbers<'a> {
    formatter: Option<&'a icu_decimal::DecimalFormatter>,
}

impl<'a> Numbers<'a> {
    pub fn new(formatter: Option<&'a icu_decimal::DecimalFormatter>) -> Numbers<'a> {
        Numbers { formatter }
    }

    /// Whether numbers are written as in English (tradetalks' own grouping, no CLDR data).
    pub fn is_english(&self) -> bool {
        self.formatter.is_none()
    }

    /// `n` grouped: `1,234.5`, `−16.6`.
    pub fn number(&self, n: f64) -> String {
        self.digits(&plain_digits(n))
    }

    /// Digits as Rust writes them (`-1234.50`, trailing zeros kept) grouped and separated as
    /// the language writes them. Text that is not such a number is returned as it is.
    pub fn digits(&self, digits: &str) -> String {
        let (negative, magnitude) = match digits.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, digits),
        };
        let well_formed = !magnitude.is_empty()
            && magnitude.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && magnitude.matches('.').count() <= 1
            && !magnitude.starts_with('.')
            && !magnitude.ends_with('.');
        if !well_formed {
            return digits.to_owned();
        }
        let grouped = match self.formatter.and_then(|f| {
            let decimal = magnitude.parse::<icu_decimal::input::Decimal>().ok()?;
            Some(f.format(&decimal).to_string())
        }) {
            Some(text) => text,
            None => english_grouping(magnitude),
        };
        if negative {
            format!("\u{2212}{grouped}")
        } else {
            grouped
        }
    }

    /// A number with its unit: `24%`, `9 trillion yen`, `US$10 billion` for a `US$ billion`
    /// unit.
    pub fn with_unit(&self, n: f64, unit: Option<&str>) -> String {
        attach_unit(self.number(n), unit)
    }

    /// A cell as display text: numbers grouped, with their unit unless it is the column's own
    /// (which the column's heading shows once); other scalars as written.
    pub fn cell_text(&self, cell: &Value, column_unit: Option<&str>) -> String {
        let value = plain(cell);
        let own = cell.get("unit").and_then(Value::as_str).map(str::trim);
        let unit = own.filter(|u| Some(*u) != column_unit.map(str::trim));
        match value.as_f64() {
            Some(n) if value.is_number() => self.with_unit(n, unit),
            _ => value_text(value),
        }
    }
}

/// `1234.5` → `1,234.5`: groups of three before the decimal point.
fn english_grouping(magnitude: &str) -> String {
    let (int, frac) = match magnitude.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (magnitude, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    }
}

/// A number written as text the way people write numbers, not the way data is written: what
/// is wrong and how to write it, or `None` when the text is no such number.
///
/// `8,2` (a decimal comma) → `8.2`; `1,234,000` (thousands separators) → `1234000`;
/// `−16.6` (a typographic minus) → `-16.6`; `24%` → `24` with `unit: "%"`; `$5`, `€5`,
/// `US$ 5` → `5` with the currency as the unit.
pub fn number_slip(text: &str) -> Option<String> {
    let text = text.trim();
    let mut fixes = Vec::new();
    let mut rest = text.to_owned();
    if let Some(number) = rest.strip_suffix('%') {
        fixes.push("a percent sign (write the number, and `unit: \"%\"`)".to_owned());
        rest = number.trim_end().to_owned();
    }
    const CURRENCIES: [&str; 10] = ["US$", "S$", "A$", "C$", "$", "€", "£", "¥", "₩", "₹"];
    for currency in CURRENCIES {
        if let Some(number) = rest.strip_prefix(currency) {
            fixes.push(format!(
                "a currency sign (write the number, and the currency in `unit`, e.g. `unit: \"{currency} billion\"`)"
            ));
            rest = number.trim_start().to_owned();
            break;
        }
    }
    if rest.contains('\u{2212}') {
        fixes.push("a typographic minus sign `−` (write `-`)".to_owned());
        rest = rest.replace('\u{2212}', "-");
    }
    let digits = rest.strip_prefix('-').unwrap_or(&rest);
    let grouped = {
        let mut parts = digits.split('.');
        let whole = parts.next().unwrap_or_default();
        let groups: Vec<&str> = whole.split(',').collect();
        groups.len() > 1
            && groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
            && parts.count() <= 1
    };
    let mut or_else = String::new();
    if grouped {
        fixes.push("thousands separators (write the digits alone)".to_owned());
        // `1,234` may be a decimal comma too.
        if rest.matches(',').count() == 1 && !rest.contains('.') {
            or_else = format!(
                ", or `{}` if the comma is a decimal point",
                rest.replace(',', ".")
            );
        }
        rest = rest.replace(',', "");
    } else if let Some((whole, fraction)) = digits.split_once(',')
        && !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
    {
        fixes.push("a decimal comma (write a point)".to_owned());
        rest = rest.replace(',', ".");
    }
    if fixes.is_empty() || !rest.parse::<f64>().is_ok_and(f64::is_finite) {
        return None;
    }
    Some(format!(
        "`{text}` is a number written with {}: write `{rest}`{or_else}",
        fixes.join(" and ")
    ))
}

/// A number already written (`1,234`, `12k`) with its unit, as `with_unit` places units.
pub fn attach_unit(n: String, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        None => n,
        Some("%") => format!("{n}%"),
        Some(unit) => match unit.split_once(' ') {
            Some((currency, scale)) if currency.ends_with('$') => format!("{currency}{n} {scale}"),
            _ if unit.ends_with('$') => format!("{unit}{n}"),
            _ => format!("{n} {unit}"),
        },
    }
}

/// `2025-04-02` → `2 April 2025`; anything else is returned as it is.
pub fn date(text: &str) -> String {
    match crate::content::front_matter::parse_date(text) {
        Ok(d) => d.strftime("%-d %B %Y").to_string(),
        Err(_) => text.to_owned(),
    }
}

/// `rate_percent` → `Rate percent`: a field or column name as people read it (the last part
/// of a dotted path).
pub fn humanise(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name).replace('_', " ");
    let mut chars = last.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

/// One `column op value` condition of a `filter` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    op: Op,
    values: Vec<String>,
    /// The values as dates, when the column holds dates (`bind`): compared as dates.
    dates: Option<Vec<jiff::civil::Date>>,
}

impl Condition {
    /// Fixes how the condition compares, knowing whether its column holds dates: a date
    /// column's values must be dates or `today` (the build date), and `today` means nothing
    /// to a column of other things. Either mistake is said, never compared as text.
    pub fn bind(&mut self, date_column: bool, today: jiff::civil::Date) -> Result<(), String> {
        if !date_column {
            if self.values.iter().any(|v| v == "today") {
                return Err(format!(
                    "`today` is the build date, and `{}` is not a column of dates: declare it `{{ type = \"date\" }}` in the file's schema, or compare it with what it holds",
                    self.column
                ));
            }
            return Ok(());
        }
        let mut dates = Vec::new();
        for value in &self.values {
            if value == "today" {
                dates.push(today);
                continue;
            }
            match crate::content::front_matter::parse_date(value) {
                Ok(date) => dates.push(date),
                Err(_) => {
                    return Err(format!(
                        "`{}` holds dates, and `{value}` is not one: compare it with a date (`2025-04-10`) or `today`",
                        self.column
                    ));
                }
            }
        }
        self.dates = Some(dates);
        Ok(())
    }
}

/// Parses `rate_percent >= 30 and iso2 in JP,KR,IN`.
pub fn parse_filter(text: &str) -> Result<Vec<Condition>, String> {
    const OPS: [(&str, Op); 7] = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("<", Op::Lt),
        (">", Op::Gt),
        (" in ", Op::In),
    ];
    text.split(" and ")
        .map(|part| {
            let part = part.trim();
            let (at, token, op) = OPS
                .iter()
                .filter_map(|&(token, op)| part.find(token).map(|at| (at, token, op)))
                .min_by_key(|&(at, token, _)| (at, usize::MAX - token.len()))
                .ok_or_else(|| {
                    format!("`{part}` is not a condition: write `column == value`, `column >= 30` or `column in A,B`")
                })?;
            // `at` is where `find` found the operator: both ends are character boundaries.
            let column = part.get(..at).unwrap_or_default().trim();
            let value = part.get(at + token.len()..).unwrap_or_default().trim();
            if column.is_empty() || value.is_empty() {
                return Err(format!("`{part}` needs a column and a value"));
            }
            let values = if op == Op::In {
                value.split(',').map(|v| unquote(v.trim()).to_owned()).collect()
            } else {
                vec![unquote(value).to_owned()]
            };
            Ok(Condition {
                column: column.to_owned(),
                op,
                values,
                dates: None,
            })
        })
        .collect()
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'')
}

/// Whether a row's cells satisfy every condition.
pub fn matches(conditions: &[Condition], cells: &Map<String, Value>) -> bool {
    conditions.iter().all(|c| {
        let cell = cells.get(&c.column).map(plain).unwrap_or(&Value::Null);
        let text = value_text(cell);
        if let Some(dates) = &c.dates {
            // A cell that is not a date (an empty one) matches no comparison of dates.
            let Ok(date) = crate::content::front_matter::parse_date(&text) else {
                return c.op == Op::Ne;
            };
            let wanted = dates.first().copied().unwrap_or(date);
            return match c.op {
                Op::In => dates.contains(&date),
                Op::Eq => date == wanted,
                Op::Ne => date != wanted,
                Op::Lt => date < wanted,
                Op::Le => date <= wanted,
                Op::Gt => date > wanted,
                Op::Ge => date >= wanted,
            };
        }
        let ordering = || -> Option<Ordering> {
            let wanted = &c.values[0];
            match (cell.as_f64(), wanted.parse::<f64>()) {
                (Some(a), Ok(b)) => a.partial_cmp(&b),
                _ => Some(text.as_str().cmp(wanted.as_str())),
            }
        };
        match c.op {
            Op::In => c.values.contains(&text),
            Op::Eq => ordering() == Some(Ordering::Equal),
            Op::Ne => ordering() != Some(Ordering::Equal),
            Op::Lt => ordering() == Some(Ordering::Less),
            Op::Le => matches!(ordering(), Some(Ordering::Less | Ordering::Equal)),
            Op::Gt => ordering() == Some(Ordering::Greater),
            Op::Ge => matches!(ordering(), Some(Ordering::Greater | Ordering::Equal)),
        }
    })
}

/// `-rate` → (`rate`, descending).
pub fn parse_sort(text: &str) -> (&str, bool) {
    match text.strip_prefix('-') {
        Some(column) => (column.trim(), true),
        None => (text.trim_start_matches('+').trim(), false),
    }
}

/// Orders two cells: numbers numerically, text alphabetically, empty cells last.
pub fn compare_cells(a: &Value, b: &Value) -> Ordering {
    let (a, b) = (plain(a), plain(b));
    match (a.is_null(), b.is_null()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => value_text(a)
            .to_lowercase()
            .cmp(&value_text(b).to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_written_for_people_are_caught_with_their_fix() {
        let slip = |t: &str| number_slip(t).unwrap_or_default();
        assert!(
            slip("8,2").ends_with("a decimal comma (write a point): write `8.2`"),
            "{}",
            slip("8,2")
        );
        assert!(slip("1,234,000").ends_with("write `1234000`"));
        assert!(
            slip("1,234").ends_with("write `1234`, or `1.234` if the comma is a decimal point")
        );
        assert!(slip("12,345.5").ends_with("write `12345.5`"));
        assert!(slip("24%").contains("percent sign") && slip("24%").ends_with("write `24`"));
        assert!(slip("$5").contains("currency") && slip("$5").ends_with("write `5`"));
        assert!(
            slip("US$ 1,000").contains("thousands") && slip("US$ 1,000").contains("write `1000`")
        );
        assert!(slip("−16.6").ends_with("write `-16.6`"));
        for fine in [
            "8.2",
            "24",
            "Japan",
            "1,2,3",
            "2025-04-02",
            "",
            ",5",
            "5,",
            "$",
            "%",
        ] {
            assert_eq!(number_slip(fine), None, "{fine}");
        }
    }
    use serde_json::json;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(1234567.0), "1,234,567");
        assert_eq!(number(-16.6), "\u{2212}16.6");
        assert_eq!(number(37.7), "37.7");
        let english = Numbers::default();
        assert_eq!(english.with_unit(24.0, Some("%")), "24%");
        assert_eq!(
            english.with_unit(9.0, Some("trillion yen")),
            "9 trillion yen"
        );
        assert_eq!(
            english.with_unit(10.0, Some("US$ billion")),
            "US$10 billion"
        );
        assert_eq!(english.digits("-1234.50"), "\u{2212}1,234.50");
        assert_eq!(english.digits("n/a"), "n/a");
        assert_eq!(date("2025-04-02"), "2 April 2025");
    }

    fn formatter(tag: &str) -> icu_decimal::DecimalFormatter {
        let locale: icu_locale_core::Locale = tag.parse().unwrap();
        icu_decimal::DecimalFormatter::try_new((&locale).into(), Default::default()).unwrap()
    }

    #[test]
    fn numbers_follow_the_language() {
        let hindi = formatter("hi");
        let hindi = Numbers::new(Some(&hindi));
        // Indian grouping: lakh and crore.
        assert_eq!(hindi.number(152_000.0), "1,52,000");
        assert_eq!(hindi.number(12_345_678.5), "1,23,45,678.5");
        assert_eq!(hindi.number(-16.6), "\u{2212}16.6");
        assert_eq!(hindi.with_unit(24.0, Some("%")), "24%");
        let japanese = formatter("ja");
        assert_eq!(
            Numbers::new(Some(&japanese)).number(1_234_567.0),
            "1,234,567"
        );
        let german = formatter("de");
        let german = Numbers::new(Some(&german));
        assert_eq!(german.number(1_234_567.25), "1.234.567,25");
        assert_eq!(german.digits("24.0"), "24,0");
        let french = formatter("fr");
        // CLDR French groups with a narrow no-break space.
        assert_eq!(
            Numbers::new(Some(&french)).number(1_234.5),
            "1\u{202f}234,5"
        );
    }

    #[test]
    fn filters_combine_conditions() {
        let conditions = parse_filter("rate >= 25 and iso2 in JP,KR,'IN'").unwrap();
        assert_eq!(conditions.len(), 2);
        let row = |iso: &str, rate: i64| {
            json!({"iso2": iso, "rate": rate})
                .as_object()
                .unwrap()
                .clone()
        };
        assert!(matches(&conditions, &row("KR", 25)));
        assert!(matches(&conditions, &row("IN", 26)));
        assert!(!matches(&conditions, &row("JP", 24)));
        assert!(!matches(&conditions, &row("NO", 30)));
        assert!(parse_filter("nonsense").is_err());
        assert!(matches(&parse_filter("iso2 == NA").unwrap(), &row("NA", 1)));
    }

    #[test]
    fn sorting_puts_numbers_in_order_and_blanks_last() {
        let mut cells = vec![json!(10), json!(null), json!(2.5), json!({"value": 7})];
        cells.sort_by(compare_cells);
        assert_eq!(
            cells,
            vec![json!(2.5), json!({"value": 7}), json!(10), json!(null)]
        );
        assert_eq!(parse_sort("-rate"), ("rate", true));
    }
}
