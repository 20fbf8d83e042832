//! PostgreSQL: the schema in PostgreSQL's SQL (the same tables, columns, constraints and
//! triggers as SQLite's, version for version), the session the store talks through, the
//! write lock, change notifications, and the statements only PostgreSQL understands.

use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{IsNull, Kind, ToSql, Type, to_sql_checked};

use super::Dialect;
use crate::db::{Cell, Db, DbError, Param};

pub(crate) use super::pg_connect::{ConnectError, PgTarget};
pub use super::postgres_schema::PG_MIGRATIONS;
pub(crate) use super::postgres_schema::{AUDIT_GUARDS, CTEXT};

pub(crate) static DIALECT: Dialect = Dialect {
    audit_high_water: "SELECT CAST(value AS BIGINT) FROM vigie_meta WHERE key = 'audit_high_seq'",
    trigger_exists: "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                     WHERE NOT t.tgisinternal AND t.tgname = ?1 \
                     AND c.relnamespace = current_schema()::regnamespace",
    user_tables: "SELECT CAST(tablename AS TEXT) FROM pg_tables \
                  WHERE schemaname = current_schema() ORDER BY tablename",
    assessments_supplier_of: "assessments x",
    answer_date: "SELECT vigie_try_jsonb(value) ->> 'value' FROM answers \
                  WHERE assessment_id = ?1 AND question_id = ?2 \
                  AND jsonb_typeof(vigie_try_jsonb(value)) = 'object' \
                  AND vigie_try_jsonb(value) ->> 'type' = 'date'",
};

/// The advisory lock every Vigie writer holds for the length of its transaction ("VIGI"):
/// writes are serialised as SQLite serialises them, so that revision checks and the audit
/// chain see every earlier write.
pub const WRITE_LOCK: i64 = 0x5649_4749;

/// The channel other sessions' commits are announced on.
pub(crate) const CHANGES_CHANNEL: &str = "vigie_changes";

/// A PostgreSQL session: the client, the statements it prepared, and the changes other
/// sessions announced. A connection the server or the network dropped is made again, once,
/// before the next statement that is not inside a transaction (what a dropped transaction
/// held was rolled back by the server and reported to its caller).
pub(crate) struct PgSession {
    client: postgres::Client,
    target: PgTarget,
    role: String,
    statements: HashMap<String, postgres::Statement>,
    /// This session's server process: its own notifications are not changes by others.
    backend_pid: i32,
    /// How many commits of other sessions were announced so far (plus one per reconnection,
    /// since announcements are lost while disconnected).
    changes_seen: i64,
    in_transaction: bool,
}

/// At most this many prepared statements are kept per session.
const STATEMENT_CACHE: usize = 512;

/// Opens the connection and sets the session up: UTC, the lock timeout, listening for
/// changes. Returns the client, its server process and the authenticated role.
fn open_session(target: &PgTarget) -> Result<(postgres::Client, i32, String), ConnectError> {
    let mut client = target.connect()?;
    let setup = (|| -> Result<(i32, String), postgres::Error> {
        client.batch_execute(&format!(
            "SET TIME ZONE 'UTC'; SET lock_timeout = '120s'; LISTEN {CHANGES_CHANNEL}"
        ))?;
        let row = client.query_one("SELECT pg_backend_pid(), CAST(session_user AS TEXT)", &[])?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    })();
    let (pid, role) = setup.map_err(|e| ConnectError::Setup {
        target: target.shown(),
        detail: DbError::Postgres(e).to_string(),
    })?;
    Ok((client, pid, role))
}

impl PgSession {
    /// Connects and returns the session and the authenticated role.
    pub(crate) fn connect(target: &PgTarget) -> Result<(PgSession, String), ConnectError> {
        let (client, backend_pid, role) = open_session(target)?;
        Ok((
            PgSession {
                client,
                target: target.clone(),
                role: role.clone(),
                statements: HashMap::new(),
                backend_pid,
                changes_seen: 0,
                in_transaction: false,
            },
            role,
        ))
    }

    /// Connects again after the connection was lost; the role must be the same.
    fn reconnect(&mut self, lost: postgres::Error) -> Result<(), DbError> {
        let (client, pid, role) = match open_session(&self.target) {
            Ok(opened) => opened,
            // Still unreachable: the caller gets the original loss.
            Err(_) => return Err(lost.into()),
        };
        if role != self.role {
            return Err(lost.into());
        }
        self.client = client;
        self.backend_pid = pid;
        self.statements.clear();
        self.changes_seen += 1;
        Ok(())
    }

    /// Runs `f`; when it fails because the connection is gone and no transaction is open,
    /// connects again and runs it once more.
    fn retrying<T>(
        &mut self,
        mut f: impl FnMut(&mut PgSession) -> Result<T, postgres::Error>,
    ) -> Result<T, DbError> {
        match f(self) {
            Err(e) if self.lost(&e) && !self.in_transaction => {
                self.reconnect(e)?;
                Ok(f(self)?)
            }
            Err(e) => {
                if self.lost(&e) {
                    // The server rolled the transaction back when the connection went.
                    self.in_transaction = false;
                }
                Err(e.into())
            }
            Ok(v) => Ok(v),
        }
    }

    /// Whether `e` says the connection is gone (closed, or ended by the server: an
    /// administrator, a shutdown, a crash).
    fn lost(&self, e: &postgres::Error) -> bool {
        e.is_closed() || self.client.is_closed() || connection_ended(e)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(&numbered_placeholders(sql))?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<postgres::Row>, DbError> {
        self.retrying(|session| {
            let stmt = session.statement(sql)?;
            let bound: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            session.client.query(&stmt, &refs)
        })
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        self.retrying(|session| {
            let stmt = session.statement(sql)?;
            let bound: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            session.client.execute(&stmt, &refs)
        })
    }

    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.retrying(|session| session.client.batch_execute(sql))
    }

    /// Starts a transaction that reads one snapshot.
    pub(crate) fn begin_read(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction = true;
        Ok(())
    }

    /// Starts a transaction and waits for the store's write lock.
    pub(crate) fn begin_write(&mut self) -> Result<(), DbError> {
        self.batch(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        ))?;
        self.in_transaction = true;
        Ok(())
    }

    /// Starts a transaction and tries once for the write lock; `false` (and no transaction)
    /// when another writer holds it.
    pub(crate) fn try_begin_write(&mut self) -> Result<bool, DbError> {
        self.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
        self.in_transaction = true;
        let got = self
            .client
            .query_one(
                &format!("SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"),
                &[],
            )
            .and_then(|row| row.try_get::<_, bool>(0));
        match got {
            Ok(true) => Ok(true),
            Ok(false) => {
                self.finish(false)?;
                Ok(false)
            }
            Err(e) => {
                let _ = self.finish(false);
                Err(e.into())
            }
        }
    }

    /// Commits or rolls back the open transaction. A commit announces itself to the other
    /// sessions in the same round trip (delivered only if it commits): the store commits only
    /// writes, reads are rolled back. A rollback on a lost connection has nothing left to do.
    pub(crate) fn finish(&mut self, commit: bool) -> Result<(), DbError> {
        let outcome = if commit {
            self.client
                .batch_execute(&format!("NOTIFY {CHANGES_CHANNEL}; COMMIT"))
        } else {
            self.client.batch_execute("ROLLBACK")
        };
        self.in_transaction = false;
        match outcome {
            Err(e) if !commit && self.lost(&e) => Ok(()),
            other => Ok(other?),
        }
    }

    /// A number that grows with every commit other sessions announced.
    pub(crate) fn changes(&mut self) -> Result<i64, DbError> {
        // The client reads what the server sent only while it talks to it: one empty
        // round trip brings the announcements waiting on the socket into its buffer.
        self.batch("")?;
        let own = self.backend_pid;
        let mut others = 0i64;
        {
            use postgres::fallible_iterator::FallibleIterator;
            let mut notifications = self.client.notifications();
            let mut pending = notifications.iter();
            while let Some(n) = pending.next()? {
                if n.process_id() != own {
                    others += 1;
                }
            }
        }
        self.changes_seen += others;
        Ok(self.changes_seen)
    }
}

/// The server ended the session (class 57P: administrator command, shutdown, crash).
pub(crate) fn connection_ended(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("57P"))
}

/// `?N` placeholders (SQLite's) as `$N` (PostgreSQL's), outside quoted text; a bare `?`
/// takes the number after the highest so far, as in SQLite.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut highest = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '?' => {
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(d);
                        chars.next();
                    }
                    let n = match digits.parse::<u32>() {
                        Ok(n) => n,
                        Err(_) => highest + 1,
                    };
                    highest = highest.max(n);
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// One column of a PostgreSQL row as the store reads columns.
pub(crate) fn cell(row: &postgres::Row, idx: usize) -> Result<Cell<'_>, DbError> {
    let column = row
        .columns()
        .get(idx)
        .ok_or_else(|| DbError::Column(idx, "no such column".into()))?;
    let ty = match column.type_().kind() {
        Kind::Domain(inner) => inner.clone(),
        _ => column.type_().clone(),
    };
    let cell = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(idx)?.map(Cell::Integer),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(idx)?
            .map(|i| Cell::Integer(i64::from(i))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(idx)?
            .map(|i| Cell::Integer(i64::from(i))),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(idx)?
            .map(|b| Cell::Integer(i64::from(b))),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(idx)?.map(Cell::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(idx)?
            .map(|f| Cell::Real(f64::from(f))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            row.try_get::<_, Option<&str>>(idx)?.map(Cell::Text)
        }
        Type::BYTEA => row.try_get::<_, Option<&[u8]>>(idx)?.map(Cell::Blob),
        other => {
            return Err(DbError::Column(
                idx,
                format!("has the PostgreSQL type {other}, which the store does not read"),
            ));
        }
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// A store value bound to a PostgreSQL parameter, converted to the type the server inferred
/// for it (the store's SQL is typed for SQLite, which converts on its own).
#[derive(Debug)]
struct PgParam<'a>(Param<'a>);

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let ty = match ty.kind() {
            Kind::Domain(inner) => inner,
            _ => ty,
        };
        let textual = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ if textual => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound to a {ty} parameter").into()),
            },
            Param::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                _ if textual => f.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("a real number cannot be bound to a {ty} parameter").into()),
            },
            Param::Text(t) if textual => t.to_sql(ty, out),
            Param::Text(_) => Err(format!("text cannot be bound to a {ty} parameter").into()),
            Param::Blob(b) if *ty == Type::BYTEA => b.to_sql(ty, out),
            Param::Blob(_) => Err(format!("bytes cannot be bound to a {ty} parameter").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// What PostgreSQL can say of the database's soundness, as `verify` reports it: every table
/// read through (the server checks its own pages), and the rows whose foreign key points
/// nowhere. The server enforces foreign keys, but a session with
/// `session_replication_role = replica` (or a restore) writes past them.
pub(crate) fn integrity(db: &Db) -> Result<(Vec<String>, u64), DbError> {
    let mut problems = Vec::new();
    let tables = db
        .query_map(DIALECT.user_tables, &[], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for table in tables {
        // Names come from the catalog; quoted all the same.
        let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        if let Err(e) = db.query_row(&sql, &[], |r| r.get::<_, i64>(0)) {
            problems.push(format!("{table}: {e}"));
        }
    }
    if problems.is_empty() {
        problems.push("ok".to_string());
    }
    // Each single-column foreign key of the schema, with its names quoted by the server.
    let keys = db
        .query_map(
            "SELECT CAST(c.conrelid::regclass AS TEXT), CAST(quote_ident(a.attname) AS TEXT), \
                    CAST(c.confrelid::regclass AS TEXT), CAST(quote_ident(f.attname) AS TEXT) \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 \
               AND c.connamespace = current_schema()::regnamespace",
            &[],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut violations = 0u64;
    for (table, column, parent, key) in keys {
        let sql = format!(
            "SELECT count(*) FROM {table} x WHERE x.{column} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {parent} y WHERE y.{key} = x.{column})"
        );
        violations += db.query_row(&sql, &[], |r| r.get::<_, u64>(0))?;
    }
    Ok((problems, violations))
}

/// Applies the migrations after `from` up to `to` inside the caller's transaction and
/// records the version and the application id.
pub(crate) fn apply(session: &mut PgSession, from: u32, to: u32) -> Result<(), DbError> {
    for sql in PG_MIGRATIONS.iter().take(to as usize).skip(from as usize) {
        session.batch(&sql.replace("CTEXT", CTEXT))?;
    }
    session.execute(
        "INSERT INTO vigie_meta (key, value) VALUES ('application_id', ?1), \
         ('schema_version', ?2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        &[
            Param::Text(&crate::APPLICATION_ID.to_string()),
            Param::Text(&to.to_string()),
        ],
    )?;
    Ok(())
}

/// What the database holds before the store touches it.
pub(crate) enum Found {
    /// No table at all in the schema: a new database.
    Empty,
    /// A Vigie database at this schema version.
    Vigie { version: u32 },
    /// Tables, but not Vigie's.
    Other,
}

/// Looks at the connected database's schema without changing it.
pub(crate) fn inspect(session: &mut PgSession) -> Result<Found, DbError> {
    let rows = session.query(
        "SELECT count(*), count(*) FILTER (WHERE tablename = 'vigie_meta') FROM pg_tables \
         WHERE schemaname = current_schema()",
        &[],
    )?;
    let (tables, meta) = match rows.first() {
        Some(row) => (row.try_get::<_, i64>(0)?, row.try_get::<_, i64>(1)?),
        None => (0, 0),
    };
    if tables == 0 {
        return Ok(Found::Empty);
    }
    if meta == 0 {
        return Ok(Found::Other);
    }
    let rows = session.query(
        "SELECT key, value FROM vigie_meta WHERE key IN ('application_id', 'schema_version')",
        &[],
    )?;
    let mut app = None;
    let mut version = None;
    for row in &rows {
        let key: &str = row.try_get(0)?;
        let value: &str = row.try_get(1)?;
        match key {
            "application_id" => app = value.parse::<u32>().ok(),
            _ => version = value.parse::<u32>().ok(),
        }
    }
    match (app, version) {
        (Some(app), Some(version)) if app == crate::APPLICATION_ID => Ok(Found::Vigie { version }),
        // Created by a Vigie that stopped half way: the migration transaction rolled back,
        // so there is nothing but the tables of a failed first migration.
        _ => Ok(Found::Other),
    }
}
