//! Writes generated rows straight into a Vigie database, SQLite or PostgreSQL, in one
//! transaction: the store's API would audit every row, which is not what the benchmarks
//! measure. The database's own triggers still run (they fill the evaluation caches and the
//! supplier summaries as the store would).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::BoxError;

/// One column value of a generated row.
#[derive(Clone, Debug)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
    Blob(Vec<u8>),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::Text(s.clone())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Real(x)
    }
}

impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, Cell::from)
    }
}

impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Text(s) => ValueRef::Text(s.as_bytes()),
            Cell::Int(n) => ValueRef::Integer(*n),
            Cell::Real(x) => ValueRef::Real(*x),
            Cell::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// Where generated rows go.
pub trait Sink {
    /// Adds one row to `table`. It may be written only at the next [`Sink::flush`], where the
    /// tables are written in the order they were first given rows (parents before children).
    fn insert(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        row: Vec<Cell>,
    ) -> Result<(), BoxError>;

    /// Writes every row given so far.
    fn flush(&mut self) -> Result<(), BoxError>;

    /// Runs `UPDATE table SET assignments WHERE id = <id>` for each of `ids`, after the rows
    /// given so far are written: now, or at the next [`Sink::flush`].
    fn update_each(
        &mut self,
        table: &str,
        assignments: &str,
        ids: &[String],
    ) -> Result<(), BoxError>;
}

/// A SQLite file, written row by row with cached prepared statements in one transaction.
pub struct SqliteSink {
    conn: Connection,
    insert_sql: HashMap<&'static str, String>,
}

impl SqliteSink {
    /// Opens the file, runs `setup` (pragmas), and begins the transaction.
    pub fn open(path: &Path, setup: &str) -> Result<SqliteSink, BoxError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(setup)?;
        conn.execute_batch("BEGIN")?;
        Ok(SqliteSink {
            conn,
            insert_sql: HashMap::new(),
        })
    }

    /// Commits, then runs `after` (pragmas, ANALYZE).
    pub fn finish(self, after: &str) -> Result<(), BoxError> {
        self.conn.execute_batch("COMMIT")?;
        self.conn.execute_batch(after)?;
        Ok(())
    }
}

impl Sink for SqliteSink {
    fn insert(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        row: Vec<Cell>,
    ) -> Result<(), BoxError> {
        let sql = self.insert_sql.entry(table).or_insert_with(|| {
            let marks = (1..=columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO {table} ({}) VALUES ({marks})",
                columns.join(", ")
            )
        });
        let mut stmt = self.conn.prepare_cached(sql)?;
        stmt.execute(rusqlite::params_from_iter(row.iter()))?;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        Ok(())
    }

    fn update_each(
        &mut self,
        table: &str,
        assignments: &str,
        ids: &[String],
    ) -> Result<(), BoxError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("UPDATE {table} SET {assignments} WHERE id = ?1"))?;
        for id in ids {
            stmt.execute([id])?;
        }
        Ok(())
    }
}

/// A PostgreSQL database, written table by table with `COPY ... FROM STDIN` (text format) in
/// one transaction.
///
/// The audit trail's author check (every row written as the authenticated role) is switched
/// off inside that transaction, so that the generated history keeps the auditors' names the
/// SQLite data set has; the highest sequence number, which that trigger keeps, is set once at
/// the end. Nobody else ever sees the trigger off.
pub struct PgSink {
    client: postgres::Client,
    /// Per table, in the order first given: its columns and its rows in COPY text format.
    pending: Vec<(&'static str, &'static [&'static str], String)>,
    /// Updates to run once the pending rows are written: the statement and its ids.
    pending_updates: Vec<(String, Vec<String>)>,
}

impl PgSink {
    /// Connects to `url` (a role that owns the tables) and begins the transaction.
    pub fn open(url: &str) -> Result<PgSink, BoxError> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        client.batch_execute("BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_author;")?;
        Ok(PgSink {
            client,
            pending: Vec::new(),
            pending_updates: Vec::new(),
        })
    }

    /// Flushes, records the audit trail's highest sequence number, switches the author check
    /// back on, commits, then runs `after` (e.g. ANALYZE).
    pub fn finish(mut self, after: &str) -> Result<(), BoxError> {
        self.flush()?;
        self.client.batch_execute(
            "UPDATE vigie_meta SET value = (SELECT coalesce(max(seq), 0) FROM audit_log)::text \
             WHERE key = 'audit_high_seq'; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_author; \
             COMMIT;",
        )?;
        if !after.is_empty() {
            self.client.batch_execute(after)?;
        }
        Ok(())
    }
}

/// Appends `cell` as a field of COPY's text format.
fn copy_field(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Null => out.push_str("\\N"),
        Cell::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        // Rust prints the shortest text that reads back as the same double.
        Cell::Real(x) => {
            let _ = write!(out, "{x:?}");
        }
        // bytea's hex input `\x...`, its backslash escaped for COPY.
        Cell::Blob(b) => {
            out.push_str("\\\\x");
            out.push_str(&hex::encode(b));
        }
    }
}

impl Sink for PgSink {
    fn insert(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        row: Vec<Cell>,
    ) -> Result<(), BoxError> {
        let index = match self.pending.iter().position(|(t, _, _)| *t == table) {
            Some(i) => i,
            None => {
                self.pending.push((table, columns, String::new()));
                self.pending.len() - 1
            }
        };
        let buffer = &mut self.pending[index].2;
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                buffer.push('\t');
            }
            copy_field(buffer, cell);
        }
        buffer.push('\n');
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        for (table, columns, rows) in &mut self.pending {
            if rows.is_empty() {
                continue;
            }
            let mut writer = self
                .client
                .copy_in(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))?;
            writer.write_all(rows.as_bytes())?;
            writer.finish()?;
            rows.clear();
        }
        for (sql, ids) in std::mem::take(&mut self.pending_updates) {
            self.client.execute(&sql, &[&ids])?;
        }
        Ok(())
    }

    fn update_each(
        &mut self,
        table: &str,
        assignments: &str,
        ids: &[String],
    ) -> Result<(), BoxError> {
        let sql = format!("UPDATE {table} SET {assignments} WHERE id = ANY($1)");
        match self.pending_updates.last_mut() {
            Some((last, pending)) if *last == sql => pending.extend_from_slice(ids),
            _ => self.pending_updates.push((sql, ids.to_vec())),
        }
        Ok(())
    }
}
