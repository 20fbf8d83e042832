//! Reading columns into typed values. A value that does not parse (a row written by
//! another program, or damaged) is an error naming its table and column, never a panic.

use serde::de::DeserializeOwned;
use vigie_model::Timestamp;

use crate::db::DbError;

/// Reads a JSON TEXT column.
pub(crate) fn json_col<T: DeserializeOwned>(
    row: &crate::db::Row<'_>,
    idx: usize,
) -> crate::db::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| DbError::Column(idx, format!("bad JSON: {e}")))
}

/// Reads a nullable JSON TEXT column.
pub(crate) fn opt_json_col<T: DeserializeOwned>(
    row: &crate::db::Row<'_>,
    idx: usize,
) -> crate::db::Result<Option<T>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|text| {
        serde_json::from_str(&text).map_err(|e| DbError::Column(idx, format!("bad JSON: {e}")))
    })
    .transpose()
}

/// A column whose text is not what it should hold: a row written by another program, or
/// damaged. Carried inside a [`DbError`] and turned into
/// [`StoreError::BadColumn`] when it leaves the store.
#[derive(Debug, thiserror::Error)]
#[error("{table}.{column} holds {value:?}: {reason}")]
pub struct BadColumn {
    pub(crate) table: &'static str,
    pub(crate) column: &'static str,
    pub(crate) value: String,
    pub(crate) reason: String,
}

/// Where a column is: the table and the column's name, for errors.
pub(crate) type Col = (&'static str, &'static str);

/// Reads TEXT column `idx` (`col` names it) through `parse`.
pub(crate) fn parsed_col<T, E: std::fmt::Display>(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> crate::db::Result<T> {
    let text: String = row.get(idx)?;
    parse(&text).map_err(|e| bad_column(idx, col, &text, e.to_string()))
}

/// Reads nullable TEXT column `idx` (`col` names it) through `parse`.
pub(crate) fn opt_parsed_col<T, E: std::fmt::Display>(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> crate::db::Result<Option<T>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|text| parse(&text).map_err(|e| bad_column(idx, col, &text, e.to_string())))
        .transpose()
}

fn bad_column(_idx: usize, (table, column): Col, text: &str, reason: String) -> DbError {
    DbError::BadColumn(BadColumn {
        table,
        column,
        value: text.chars().take(80).collect(),
        reason,
    })
}

// The reasons below leave the value out: the error shows it once, escaped.

fn parse_timestamp(text: &str) -> std::result::Result<Timestamp, String> {
    text.parse::<Timestamp>()
        .map_err(|e| format!("not an RFC 3339 timestamp: {}", e.reason))
}

fn parse_date(text: &str) -> std::result::Result<vigie_model::Date, String> {
    text.parse::<vigie_model::Date>().map_err(|e| match e {
        vigie_model::DateError::Format(_) => "not a date (YYYY-MM-DD)".to_string(),
        invalid => invalid.to_string(),
    })
}

/// Reads an RFC 3339 TEXT column.
pub(crate) fn ts_col(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
) -> crate::db::Result<Timestamp> {
    parsed_col(row, idx, col, parse_timestamp)
}

/// Reads a nullable RFC 3339 TEXT column.
pub(crate) fn opt_ts_col(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
) -> crate::db::Result<Option<Timestamp>> {
    opt_parsed_col(row, idx, col, parse_timestamp)
}

/// Reads a `YYYY-MM-DD` TEXT column.
pub(crate) fn date_col(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
) -> crate::db::Result<vigie_model::Date> {
    parsed_col(row, idx, col, parse_date)
}

/// Reads a nullable `YYYY-MM-DD` TEXT column.
pub(crate) fn opt_date_col(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
) -> crate::db::Result<Option<vigie_model::Date>> {
    opt_parsed_col(row, idx, col, parse_date)
}

/// Reads a TEXT column holding one of a closed set of ids (`from_id` gives the value).
pub(crate) fn enum_col<T>(
    row: &crate::db::Row<'_>,
    idx: usize,
    col: Col,
    from_id: fn(&str) -> Option<T>,
) -> crate::db::Result<T> {
    parsed_col(row, idx, col, |text| {
        from_id(text).ok_or("not one of the values this column takes")
    })
}
