//! One way to run SQL on either backend. The store's modules write their queries once, in
//! the SQL both SQLite and PostgreSQL understand, with `?N` placeholders; this module runs
//! them on a SQLite connection or a PostgreSQL session and reads columns into Rust values
//! the same way from both. What differs between the backends (schema, locks, catalog
//! queries, JSON paths) lives in `backend/sqlite.rs` and `backend/postgres.rs`, one place each.

use std::cell::RefCell;

use crate::backend::Dialect;
use crate::backend::postgres::PgSession;
use crate::columns::BadColumn;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

impl Backend {
    /// Its name, as the docs and messages say it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// An error from the database engine, or a column that does not hold what it should.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// SQLite said no.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL said no (the message never holds the password: the client does not know
    /// how to print it).
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A query that should return a row returned none.
    #[error("the query returned no rows")]
    NoRows,
    /// A column holds a value of another type than the one read (column index, what).
    #[error("column {0}: {1}")]
    Column(usize, String),
    /// A column whose text is not what it should hold.
    #[error(transparent)]
    BadColumn(#[from] BadColumn),
}

/// PostgreSQL's message with its detail and hint, without the client's "db error:" prefix.
fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_string();
            if let Some(detail) = db.detail() {
                text.push_str(" (");
                text.push_str(detail);
                text.push(')');
            }
            text
        }
        None => e.to_string(),
    }
}

pub(crate) type Result<T, E = DbError> = std::result::Result<T, E>;

/// A value bound to a placeholder.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Param<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// An owned column value, as rows are copied between databases.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What can be bound to a placeholder.
pub(crate) trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(*self)
    }
}
impl ToParam for i32 {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::from(*self))
    }
}
impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::from(*self))
    }
}
impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::from(*self))
    }
}
impl ToParam for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}
impl ToParam for Value {
    fn to_param(&self) -> Param<'_> {
        match self {
            Value::Null => Param::Null,
            Value::Integer(i) => Param::Integer(*i),
            Value::Real(f) => Param::Real(*f),
            Value::Text(t) => Param::Text(t),
            Value::Blob(b) => Param::Blob(b),
        }
    }
}
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            None => Param::Null,
            Some(v) => v.to_param(),
        }
    }
}

/// The placeholders' values: `params![a, b]` binds `?1` to `a` and `?2` to `b`.
macro_rules! params {
    () => {
        &[] as &[$crate::db::Param<'_>]
    };
    ($($value:expr),+ $(,)?) => {
        &[$($crate::db::ToParam::to_param(&$value)),+] as &[$crate::db::Param<'_>]
    };
}
pub(crate) use params;

/// Binds every value of `values`, in order.
pub(crate) fn params_of<T: ToParam>(values: &[T]) -> Vec<Param<'_>> {
    values.iter().map(ToParam::to_param).collect()
}

/// One column's value as the engine returned it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Integer(_) => "an integer",
            Cell::Real(_) => "a real number",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "bytes",
        }
    }
}

/// A Rust value a column reads into.
pub(crate) trait FromColumn: Sized {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String>;
}

fn wrong(cell: Cell<'_>, wanted: &str) -> String {
    format!("holds {}, not {wanted}", cell.kind())
}

impl FromColumn for String {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Text(t) => Ok(t.to_string()),
            other => Err(wrong(other, "text")),
        }
    }
}
impl FromColumn for i64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Integer(i) => Ok(i),
            other => Err(wrong(other, "an integer")),
        }
    }
}
impl FromColumn for u32 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Integer(i) => u32::try_from(i).map_err(|_| format!("{i} is out of range")),
            other => Err(wrong(other, "an integer")),
        }
    }
}
impl FromColumn for u64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Integer(i) => u64::try_from(i).map_err(|_| format!("{i} is out of range")),
            other => Err(wrong(other, "an integer")),
        }
    }
}
impl FromColumn for bool {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Integer(i) => Ok(i != 0),
            other => Err(wrong(other, "an integer")),
        }
    }
}
impl FromColumn for f64 {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Real(f) => Ok(f),
            Cell::Integer(i) => Ok(i as f64),
            other => Err(wrong(other, "a number")),
        }
    }
}
impl FromColumn for Vec<u8> {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Blob(b) => Ok(b.to_vec()),
            other => Err(wrong(other, "bytes")),
        }
    }
}
impl FromColumn for Value {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        Ok(match cell {
            Cell::Null => Value::Null,
            Cell::Integer(i) => Value::Integer(i),
            Cell::Real(f) => Value::Real(f),
            Cell::Text(t) => Value::Text(t.to_string()),
            Cell::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}
impl<T: FromColumn> FromColumn for Option<T> {
    fn from_cell(cell: Cell<'_>) -> std::result::Result<Self, String> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A column index (so that `row.get(0)` reads as `usize`).
pub(crate) trait ColumnIndex {
    fn index(self) -> usize;
}
impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of a result, on either backend.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `idx` as a `T`; an error names the column when it holds something else.
    pub(crate) fn get<I: ColumnIndex, T: FromColumn>(&self, idx: I) -> Result<T> {
        let idx = idx.index();
        let converted = match self {
            Row::Sqlite(row) => {
                let cell = match row.get_ref(idx)? {
                    rusqlite::types::ValueRef::Null => Cell::Null,
                    rusqlite::types::ValueRef::Integer(i) => Cell::Integer(i),
                    rusqlite::types::ValueRef::Real(f) => Cell::Real(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        Cell::Text(std::str::from_utf8(t).map_err(|_| {
                            DbError::Column(idx, "holds text that is not UTF-8".into())
                        })?)
                    }
                    rusqlite::types::ValueRef::Blob(b) => Cell::Blob(b),
                };
                T::from_cell(cell)
            }
            Row::Postgres(row) => {
                let cell = crate::backend::postgres::cell(row, idx)?;
                T::from_cell(cell)
            }
        };
        converted.map_err(|reason| DbError::Column(idx, reason))
    }
}

/// `Ok(None)` for a query that returned no row.
pub(crate) trait Optional<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A connection to either backend. Used by one thread at a time (a `Store` is per thread);
/// the PostgreSQL session sits in a `RefCell` because its client needs `&mut` to talk.
pub(crate) enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<PgSession>>),
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// What differs between the backends' SQL.
    pub(crate) fn dialect(&self) -> &'static Dialect {
        match self {
            Db::Sqlite(_) => &crate::backend::sqlite::DIALECT,
            Db::Postgres(_) => &crate::backend::postgres::DIALECT,
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let n =
                    stmt.execute(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
                Ok(n)
            }
            Db::Postgres(s) => Ok(s.borrow_mut().execute(sql, params)? as usize),
        }
    }

    /// The first row of the result through `f`, or [`DbError::NoRows`].
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows =
                    stmt.query(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
                match rows.next()? {
                    Some(row) => f(&Row::Sqlite(row)),
                    None => Err(DbError::NoRows),
                }
            }
            Db::Postgres(s) => {
                let rows = s.borrow_mut().query(sql, params)?;
                match rows.first() {
                    Some(row) => f(&Row::Postgres(row)),
                    None => Err(DbError::NoRows),
                }
            }
        }
    }

    /// Every row of the result through `f`.
    pub(crate) fn query_map<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut out = Vec::new();
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows =
                    stmt.query(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
                while let Some(row) = rows.next()? {
                    let item = f(&Row::Sqlite(row));
                    let failed = item.is_err();
                    out.push(item);
                    if failed {
                        break;
                    }
                }
            }
            Db::Postgres(s) => {
                let rows = s.borrow_mut().query(sql, params)?;
                for row in &rows {
                    let item = f(&Row::Postgres(row));
                    let failed = item.is_err();
                    out.push(item);
                    if failed {
                        break;
                    }
                }
            }
        }
        Ok(out.into_iter())
    }

    /// A statement to run later (the backends cache what they prepare).
    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            db: self,
            sql: sql.to_string(),
        })
    }

    /// Same as [`Db::prepare_cached`].
    pub(crate) fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare_cached(sql)
    }

    /// Starts a transaction that writes: on SQLite `BEGIN IMMEDIATE` (the file's write
    /// lock); on PostgreSQL a transaction holding the store's write lock (an advisory lock
    /// every Vigie writer takes first), so that writes are serialised the same way on both.
    pub(crate) fn begin_write(&self) -> Result<Transaction<'_>> {
        match self {
            Db::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Db::Postgres(s) => s.borrow_mut().begin_write()?,
        }
        Ok(Transaction {
            db: self,
            done: false,
        })
    }

    /// Commits or rolls back the transaction begun by `begin_*`.
    fn finish(&self, commit: bool) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })?),
            Db::Postgres(s) => s.borrow_mut().finish(commit),
        }
    }

    /// Starts a transaction that reads one snapshot.
    pub(crate) fn begin_read(&self) -> Result<Transaction<'_>> {
        match self {
            Db::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
            Db::Postgres(s) => s.borrow_mut().begin_read()?,
        }
        Ok(Transaction {
            db: self,
            done: false,
        })
    }
}

/// An open transaction; rolled back when dropped without [`Transaction::commit`].
pub(crate) struct Transaction<'d> {
    db: &'d Db,
    done: bool,
}

impl<'d> Transaction<'d> {
    /// A transaction the caller already began on `db`.
    pub(crate) fn started(db: &'d Db) -> Transaction<'d> {
        Transaction { db, done: false }
    }

    pub(crate) fn commit(mut self) -> Result<()> {
        self.done = true;
        self.db.finish(true)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing to do with a failed rollback: the connection drops the transaction
            // when it closes, and the caller already has the error that brought us here.
            let _ = self.db.finish(false);
        }
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

/// A statement and the connection it runs on.
pub(crate) struct Statement<'d> {
    db: &'d Db,
    sql: String,
}

impl Statement<'_> {
    pub(crate) fn execute(&mut self, params: &[Param<'_>]) -> Result<usize> {
        self.db.execute(&self.sql, params)
    }

    pub(crate) fn query_row<T>(
        &mut self,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.db.query_row(&self.sql, params, f)
    }

    pub(crate) fn query_map<T>(
        &mut self,
        params: &[Param<'_>],
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        self.db.query_map(&self.sql, params, f)
    }
}

fn sqlite_value<'a>(p: &'a Param<'a>) -> rusqlite::types::ToSqlOutput<'a> {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    ToSqlOutput::Borrowed(match *p {
        Param::Null => ValueRef::Null,
        Param::Integer(i) => ValueRef::Integer(i),
        Param::Real(f) => ValueRef::Real(f),
        Param::Text(t) => ValueRef::Text(t.as_bytes()),
        Param::Blob(b) => ValueRef::Blob(b),
    })
}
