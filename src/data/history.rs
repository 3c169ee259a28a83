//! Data through time. A data file whose schema names an `effective` column keeps each key's
//! values as they changed: the row of a key in force on a date is the one whose effective
//! date is the latest on or before it (of two rows taking effect the same day, the later in
//! the file: it was written as what happened next), unless that row ended (`until`, the last
//! day it applies) or was `withdrawn`. Everything that reads such a file reads it as of a date:
//! the build date, or the one a shortcode, fact reference or template asks for.

use jiff::civil::Date;

use super::{DataFile, Row, plain, value_text};
use crate::config::Versions;
use crate::content::front_matter::parse_date;

/// A row's place in its key's history.
struct Dated<'r> {
    row: &'r Row,
    effective: Date,
    until: Option<Date>,
    withdrawn: bool,
}

impl DataFile {
    /// The versioning columns, when the file keeps values through time.
    pub fn versions(&self) -> Option<&Versions> {
        self.schema.as_ref()?.versions.as_ref()
    }

    /// The rows in force on `on`, one per key, in the order the keys first appear in the file;
    /// every row of a file that is not versioned.
    pub fn rows_on(&self, on: Date) -> Vec<&Row> {
        let Some(rows) = &self.rows else {
            return Vec::new();
        };
        let Some(versions) = self.versions() else {
            return rows.rows.iter().collect();
        };
        let mut keys: Vec<String> = Vec::new();
        let mut best: std::collections::HashMap<String, Option<Dated>> = Default::default();
        for row in &rows.rows {
            let key = self.key_of(row);
            if !best.contains_key(&key) {
                keys.push(key.clone());
                best.insert(key.clone(), None);
            }
            let Some(dated) = dated(row, versions) else {
                continue;
            };
            let slot = best.entry(key).or_default();
            if dated.effective <= on && slot.as_ref().is_none_or(|b| dated.effective >= b.effective)
            {
                *slot = Some(dated);
            }
        }
        keys.iter()
            .filter_map(|key| {
                let dated = best.get_mut(key)?.take()?;
                in_force(&dated, on).then_some(dated.row)
            })
            .collect()
    }

    /// The row of `key` in force on `on`, or why there is none.
    pub fn row_on(&self, key: &str, on: Date) -> Result<&Row, NotInForce> {
        if self.versions().is_none() {
            return self.row_by_key(key).ok_or(NotInForce::NoSuchKey);
        }
        let history = self.history(key);
        if history.is_empty() {
            return Err(NotInForce::NoSuchKey);
        }
        let versions = self.versions();
        let dated: Vec<Dated> = history
            .iter()
            .filter_map(|row| dated(row, versions?))
            .collect();
        let current = dated
            .iter()
            .filter(|d| d.effective <= on)
            .fold(None::<&Dated>, |best, d| match best {
                Some(b) if d.effective < b.effective => Some(b),
                _ => Some(d),
            });
        match current {
            None => Err(NotInForce::NotYet(
                dated.iter().map(|d| d.effective).min().unwrap_or(on),
            )),
            Some(d) if d.withdrawn => Err(NotInForce::Withdrawn(d.effective)),
            Some(d) if !in_force(d, on) => Err(NotInForce::Ended(d.until.unwrap_or(on))),
            Some(d) => Ok(d.row),
        }
    }

    /// Whether `column` holds dates: the schema types it `date` or dates the rows with it,
    /// or (with no type for it) every cell of it that is filled is a date.
    pub fn is_date_column(&self, column: &str) -> bool {
        let schema = self.schema.as_ref();
        if let Some(declared) = schema.and_then(|s| s.column(column))
            && declared.column_type != crate::config::ColumnType::Any
        {
            return declared.column_type == crate::config::ColumnType::Date;
        }
        if self
            .versions()
            .is_some_and(|v| v.effective == column || v.until.as_deref() == Some(column))
        {
            return true;
        }
        let Some(rows) = &self.rows else {
            return false;
        };
        let mut filled = rows
            .rows
            .iter()
            .filter_map(|row| row.cells.get(column).map(plain))
            .filter(|v| !v.is_null())
            .peekable();
        filled.peek().is_some() && filled.all(|v| v.as_str().is_some_and(|t| parse_date(t).is_ok()))
    }

    /// Every row of `key`, in the file's order (for a file that is not versioned, the one row
    /// of the key).
    pub fn history(&self, key: &str) -> Vec<&Row> {
        let Some(rows) = &self.rows else {
            return Vec::new();
        };
        if self.versions().is_none() {
            return self.row_by_key(key).into_iter().collect();
        }
        rows.rows
            .iter()
            .filter(|row| self.key_of(row) == key)
            .collect()
    }

    /// Every key's rows, in the order keys first appear and, within a key, the file's order:
    /// `history` of every key, in one pass.
    pub fn histories(&self) -> Vec<(String, Vec<&Row>)> {
        let mut order: std::collections::HashMap<String, usize> = Default::default();
        let mut histories: Vec<(String, Vec<&Row>)> = Vec::new();
        for row in self.rows.iter().flat_map(|r| &r.rows) {
            let key = self.key_of(row);
            let at = *order.entry(key.clone()).or_insert_with(|| {
                histories.push((key, Vec::new()));
                histories.len() - 1
            });
            histories[at].1.push(row);
        }
        histories
    }

    /// The key of a row: its key column's text; a file without a key is one history.
    pub fn key_of(&self, row: &Row) -> String {
        match self.schema.as_ref().and_then(|s| s.key.as_deref()) {
            Some(column) => row
                .cells
                .get(column)
                .map(|v| value_text(plain(v)))
                .unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// Why a key has no row in force on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotInForce {
    NoSuchKey,
    /// Its first row takes effect on this later date.
    NotYet(Date),
    /// Its row in force ended on this day (`until`).
    Ended(Date),
    /// It was withdrawn on this day.
    Withdrawn(Date),
}

fn dated<'r>(row: &'r Row, versions: &Versions) -> Option<Dated<'r>> {
    let date_of = |column: &str| {
        row.cells
            .get(column)
            .map(plain)
            .and_then(serde_json::Value::as_str)
            .and_then(|text| parse_date(text).ok())
    };
    Some(Dated {
        row,
        effective: date_of(&versions.effective)?,
        until: versions.until.as_deref().and_then(date_of),
        withdrawn: versions.status.as_deref().is_some_and(|column| {
            row.cells
                .get(column)
                .map(plain)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|s| s.trim() == "withdrawn")
        }),
    })
}

fn in_force(dated: &Dated, on: Date) -> bool {
    !dated.withdrawn && dated.until.is_none_or(|until| on <= until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn file(csv: &str, toml: &str) -> DataFile {
        let config_text = format!(
            "title = \"t\"\nbase_url = \"https://x.org/\"\n[data.\"r.csv\"]\nkey = \"iso2\"\n{toml}\n"
        );
        let config_file = SourceFile::new("tradetalks.toml", "tradetalks.toml", config_text);
        let config =
            crate::config::Config::parse(std::path::Path::new("."), &config_file, None).unwrap();
        let schema = config.data.get("r.csv").cloned();
        let source = SourceFile::new("data/r.csv", "/data/r.csv", csv);
        let (data, problems) = super::super::parse_file(source, "r.csv".into(), schema).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        data
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn rates(data: &DataFile, on: &str) -> Vec<(String, String)> {
        data.rows_on(date(on))
            .iter()
            .map(|row| {
                (
                    value_text(&row.cells["iso2"]),
                    value_text(plain(&row.cells["rate"])),
                )
            })
            .collect()
    }

    const HISTORY: &str = "iso2,rate,effective,until,status\n\
        JP,24,2025-04-02,,announced\n\
        KR,26,2025-04-02,,announced\n\
        KR,25,2025-04-03,,announced\n\
        JP,24,2025-04-09,,in force\n\
        JP,10,2025-04-09,2025-07-08,paused\n\
        KR,10,2025-04-09,2025-07-08,paused\n\
        IN,27,2025-04-02,,announced\n\
        IN,27,2025-04-05,,withdrawn\n";

    fn history() -> DataFile {
        file(
            HISTORY,
            "effective = \"effective\"\nuntil = \"until\"\nstatus = \"status\"\n",
        )
    }

    #[test]
    fn the_row_in_force_is_the_latest_on_or_before_the_date() {
        let data = history();
        assert_eq!(rates(&data, "2025-04-01"), []);
        assert_eq!(
            rates(&data, "2025-04-02"),
            [
                ("JP".into(), "24".into()),
                ("KR".into(), "26".into()),
                ("IN".into(), "27".into())
            ]
        );
        // A correction the next day replaces the first figure.
        assert_eq!(
            rates(&data, "2025-04-04"),
            [
                ("JP".into(), "24".into()),
                ("KR".into(), "25".into()),
                ("IN".into(), "27".into())
            ]
        );
    }

    #[test]
    fn ties_go_to_the_later_row_gaps_and_ends_leave_no_row() {
        let data = history();
        // Two rows of Japan take effect on 9 April: the later one in the file (the pause).
        assert_eq!(
            rates(&data, "2025-04-20"),
            [("JP".into(), "10".into()), ("KR".into(), "10".into())]
        );
        // `until` is the last day a row applies.
        assert_eq!(rates(&data, "2025-07-08").len(), 2);
        assert_eq!(rates(&data, "2025-07-09"), []);
        assert_eq!(
            data.row_on("JP", date("2025-07-09")).unwrap_err(),
            NotInForce::Ended(date("2025-07-08"))
        );
        assert_eq!(
            data.row_on("JP", date("2025-03-01")).unwrap_err(),
            NotInForce::NotYet(date("2025-04-02"))
        );
        assert_eq!(
            data.row_on("XX", date("2025-04-20")).unwrap_err(),
            NotInForce::NoSuchKey
        );
    }

    #[test]
    fn a_withdrawn_row_ends_its_key() {
        let data = history();
        assert!(data.row_on("IN", date("2025-04-04")).is_ok());
        assert_eq!(
            data.row_on("IN", date("2025-04-06")).unwrap_err(),
            NotInForce::Withdrawn(date("2025-04-05"))
        );
        assert_eq!(data.history("IN").len(), 2);
    }

    #[test]
    fn a_file_without_effective_dates_is_read_whole() {
        let data = file("iso2,rate\nJP,24\nKR,25\n", "");
        assert_eq!(rates(&data, "1900-01-01").len(), 2);
        assert_eq!(data.history("KR").len(), 1);
        assert!(data.row_on("KR", date("1900-01-01")).is_ok());
    }
}
