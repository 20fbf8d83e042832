//! Vigie's shared assessment store: one SQLite file that many auditors open at once, or a
//! PostgreSQL database for teams across sites (suppliers, assessments, answers, evidence,
//! action items, declarations, the plugins that score the assessments) with a hash-chained
//! audit trail of who changed what. One API for both backends; `db.rs` runs the store's SQL
//! on either, and what differs between them lives in `backend/`.
//!
//! What it guarantees, on both backends:
//! - every write runs in one transaction holding the store's write lock (SQLite's
//!   `BEGIN IMMEDIATE`; on PostgreSQL an advisory lock every writer takes) that also appends
//!   its audit rows, so the trail and the data never disagree and the chain never forks; a
//!   write waits for other writers instead of failing;
//! - an answer is committed when given, and a write based on a stale revision is refused with
//!   [`StoreError::Conflict`] showing both values (no lost update);
//! - a file or database that is not Vigie's, or that comes from a newer Vigie, is refused and
//!   left untouched;
//! - ids are UUIDv7 strings, unique across copies; timestamps are RFC 3339 UTC;
//! - the schema evolves by append-only migrations, [`MIGRATIONS`] and [`PG_MIGRATIONS`] entry
//!   for entry (SQLite's `PRAGMA user_version`, PostgreSQL's `vigie_meta`);
//! - on PostgreSQL the author of every change is the role the server authenticated, which a
//!   trigger enforces for the audit trail.
//!
//! This crate depends on `vigie-model` for domain types and must not depend on wasmtime,
//! ratatui or anything else of the plugin host or the UI: the binary wires them together.

mod assessments;
mod audit;
mod backend;
mod busy;
mod columns;
mod copy;
mod db;
mod declarations;
mod error;
mod exchange;
mod filesystem;
mod header;
mod ids;
mod open_files;
mod plugin_trust;
mod portfolio;
mod records;
mod suppliers;
mod types;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::cell::RefCell;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

pub use audit::{AuditBreak, AuditProblem, AuditRecord, GENESIS_HASH, VerifyReport};
pub use backend::pg_connect::{ConnectError, PgTarget, Tls, is_postgres_url};
pub use backend::postgres::{PG_MIGRATIONS, WRITE_LOCK as POSTGRES_WRITE_LOCK};
pub use backend::sqlite::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};
pub use copy::{CopiedTable, CopyReport, copy_store};
pub use db::{Backend, DbError};
pub use declarations::{Declaration, NewDeclaration};
pub use error::{Result, StoreError};
pub use exchange::{
    EXCHANGE_FILE_ENTITY, EXCHANGE_FORMAT, EXCHANGE_VERSION, ExchangeError, ExchangeFile,
    ExchangedAssessment, ExchangedPlugin, FOREIGN_AUDIT_ENTITY, FOREIGN_SUPPLIER_AUDIT_ENTITY,
    ImportOutcome, ImportPlan, ImportReport,
};
pub use plugin_trust::{
    PluginCheck, PluginSignature, REQUIRE_SIGNED_PLUGINS, ShadowAllowance, TrustedKey,
};
pub use portfolio::*;
pub use types::*;

use audit::{AuditAppender, PendingAudit};
use backend::pg_connect::is_postgres_url as postgres_named;
use backend::postgres::PgSession;
pub(crate) use busy::retry_busy;
pub(crate) use columns::*;
use db::{Db, Optional, params};
use error::{io_err, is_busy, is_corrupt};
pub use filesystem::Journal;
use header::FileState;
pub(crate) use ids::resolve_id;
pub use ids::{SHORT_ID_LEN, short_id};
pub use open_files::is_database_or_companion;
use open_files::{Registration, Registry};

/// How long SQLite itself waits for a lock before reporting SQLITE_BUSY.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the store keeps retrying a busy database before giving up with
/// [`StoreError::Busy`].
pub const MAX_BUSY_WAIT: Duration = Duration::from_secs(120);

/// How often a write waiting for another writer checks whether it was cancelled.
pub const CANCELLABLE_WAIT_STEP: Duration = Duration::from_millis(100);
/// The largest plugin a database accepts, in bytes (install and import). The bundled
/// questionnaires are well under 1 MiB.
pub const MAX_PLUGIN_BYTES: usize = 16 << 20;

/// The most plugins one database holds (every stored plugin is a choice offered to every
/// auditor, and each is checked once per host version).
pub const MAX_STORED_PLUGINS: usize = 200;

/// The shortest id prefix accepted where an id is expected.
pub const MIN_ID_PREFIX: usize = 6;

/// An open Vigie database, acting on behalf of one auditor: a SQLite file, or a PostgreSQL
/// database (see [`Store::open`]).
///
/// Cheap reads and one transaction per write; open one `Store` per thread (the file may be
/// shared by any number of processes, the PostgreSQL database by any number of sessions).
pub struct Store {
    db: Db,
    journal: Journal,
    /// Set by another thread to give up waiting for another writer (see
    /// [`Store::set_cancel_flag`]).
    cancel: Option<Arc<AtomicBool>>,
    /// The file; for PostgreSQL, the URL as shown (never with the password).
    path: PathBuf,
    auditor: String,
    /// Dropped after `db` (fields drop in declaration order): the registry forgets the
    /// connection only once it is closed. SQLite only.
    _registration: Option<Registration>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("auditor", &self.auditor)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `path` for `auditor` (recorded as "who" in every row written),
    /// creating its parent folders and the file if needed and bringing its schema up to date.
    ///
    /// A `postgres://` or `postgresql://` URL opens a PostgreSQL database instead (see
    /// [`Store::open_postgres`]); there `auditor` must be the role the server authenticates,
    /// or the open is refused ([`StoreError::NotTheRole`]).
    ///
    /// Refuses, without changing a byte of the file: a file that is neither empty nor a Vigie
    /// database ([`StoreError::NotVigie`]), a database from a newer Vigie
    /// ([`StoreError::NewerSchema`]), a truncated database ([`StoreError::Corrupt`]). A path
    /// that cannot be created or written gives [`StoreError::Io`] naming it.
    pub fn open(path: impl AsRef<Path>, auditor: &str) -> Result<Store> {
        if let Some(url) = postgres_url(path.as_ref()) {
            return Store::open_postgres(&PgTarget::parse(url)?, Some(auditor));
        }
        Store::open_with(path, auditor, default_journal())
    }

    /// Opens a PostgreSQL database, creating Vigie's tables in an empty one. Every row is
    /// written as the role the server authenticated (`session_user`), which the database
    /// itself enforces for the audit trail; `claimed`, when given, must be that role.
    ///
    /// Refuses, without writing anything: a database holding other tables
    /// ([`StoreError::NotVigie`]), or a newer Vigie's ([`StoreError::NewerSchema`]).
    pub fn open_postgres(target: &PgTarget, claimed: Option<&str>) -> Result<Store> {
        let (store, found) = Store::connect_postgres_found(target, claimed)?;
        // The inspection already read the version: an up-to-date database is not asked again.
        if !matches!(found, backend::postgres::Found::Vigie { version } if version == SCHEMA_VERSION)
        {
            store.migrate()?;
        }
        Ok(store)
    }

    /// [`Store::open_postgres`] without bringing the schema up to date (`db copy` creates
    /// the schema of an empty database itself, without the migration's audit row).
    pub(crate) fn connect_postgres(target: &PgTarget, claimed: Option<&str>) -> Result<Store> {
        Ok(Store::connect_postgres_found(target, claimed)?.0)
    }

    /// [`Store::connect_postgres`], with what the inspection found.
    fn connect_postgres_found(
        target: &PgTarget,
        claimed: Option<&str>,
    ) -> Result<(Store, backend::postgres::Found)> {
        let (session, role) = PgSession::connect(target)?;
        if let Some(claimed) = claimed.map(str::trim)
            && claimed != role
        {
            return Err(StoreError::NotTheRole {
                role,
                claimed: claimed.to_string(),
            });
        }
        let store = Store {
            db: Db::Postgres(Box::new(RefCell::new(session))),
            journal: Journal::Wal,
            cancel: None,
            path: PathBuf::from(target.shown()),
            auditor: role,
            _registration: None,
        };
        let found = store.with_pg(backend::postgres::inspect)?;
        match found {
            backend::postgres::Found::Other => {
                return Err(StoreError::NotVigie { path: store.path });
            }
            backend::postgres::Found::Vigie { version } if version > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    path: store.path,
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            _ => {}
        }
        Ok((store, found))
    }

    /// [`Store::open`] with the journal given. The write-ahead log is refused, before the file
    /// is touched, in a folder on a network filesystem ([`StoreError::NetworkFilesystem`]).
    pub fn open_with(path: impl AsRef<Path>, auditor: &str, journal: Journal) -> Result<Store> {
        let store = Store::connect_sqlite(path.as_ref(), auditor, journal)?;
        if store.migrate()? {
            store.checkpoint()?;
        }
        Ok(store)
    }

    /// [`Store::open_with`] without bringing the schema up to date (`db copy` creates the
    /// schema of a new file itself, without the migration's audit row).
    pub(crate) fn connect_sqlite(path: &Path, auditor: &str, journal: Journal) -> Result<Store> {
        let path = path.to_path_buf();
        let auditor = auditor.trim();
        if auditor.is_empty() {
            return Err(StoreError::Invalid(
                "the auditor's name is empty: every change records who made it".into(),
            ));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| io_err(&path, "create the folder for", e))?;
        }
        // Held until the connection is registered: no other thread of this process inspects
        // the file with a plain descriptor while this one connects to it (see `open_files`).
        let mut registry = Registry::lock();
        let state = if registry.is_open(&path) {
            // Already open in this process, so already checked; reading its header or opening
            // it with `std::fs` now would release the other connection's locks.
            FileState::Vigie {
                user_version: SCHEMA_VERSION,
            }
        } else {
            if let Some(filesystem) =
                filesystem::refuses(journal, filesystem::filesystem_magic(&path))
            {
                return Err(StoreError::NetworkFilesystem { path, filesystem });
            }
            let state = header::inspect(&path)?;
            // Opening for writing does not change an existing file; it creates a missing one,
            // and gives a clear error (naming the path) when the file cannot be written.
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| io_err(&path, "open for writing", e))?;
            state
        };

        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| io_err(&path, "open", std::io::Error::other(e)))?;
        let registration = registry.register(&path);
        drop(registry);
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Until the file is known to be ours, closing must not checkpoint a write-ahead log
        // into it: that would change the bytes of a file we refuse.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        backend::sqlite::check_identity(&conn, &path, &state)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        backend::sqlite::configure(&conn, &path, journal)?;
        let store = Store {
            db: Db::Sqlite(conn),
            journal,
            cancel: None,
            path,
            auditor: auditor.to_string(),
            _registration: Some(registration),
        };
        Ok(store)
    }

    /// Copies a new header (application id, schema version) into the main file now, so that
    /// the next open recognises the file from its first bytes (SQLite only; nothing to do on
    /// PostgreSQL).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        if self.backend() == Backend::Postgres {
            return Ok(());
        }
        self.read(|conn| {
            Ok(conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", params![], |_| Ok(()))?)
        })
    }

    /// The database file; for PostgreSQL, the database's URL as shown (never with the
    /// password).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which engine the store runs on.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Who this store writes as (on PostgreSQL, the authenticated role).
    pub fn auditor(&self) -> &str {
        &self.auditor
    }

    /// The schema version of the open database (equal to [`SCHEMA_VERSION`] once open).
    pub fn schema_version(&self) -> Result<u32> {
        self.read(stored_version)
    }

    /// A number that changes whenever another connection (another process, or another `Store`
    /// of this one) commits; this store's own commits leave it as it is. Cheap enough to poll
    /// every second for colleagues' work: SQLite's `PRAGMA data_version`; on PostgreSQL, the
    /// count of commits other sessions announced (`LISTEN`/`NOTIFY`).
    pub fn data_version(&self) -> Result<i64> {
        match &self.db {
            Db::Sqlite(conn) => {
                self.read(|_| Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?))
            }
            Db::Postgres(session) => session
                .borrow_mut()
                .changes()
                .map_err(|e| self.classify(e.into())),
        }
    }

    /// Runs `f` on the PostgreSQL session (PostgreSQL stores only).
    fn with_pg<T>(
        &self,
        f: impl FnOnce(&mut PgSession) -> std::result::Result<T, DbError>,
    ) -> Result<T> {
        match &self.db {
            Db::Postgres(session) => {
                f(&mut session.borrow_mut()).map_err(|e| self.classify(e.into()))
            }
            Db::Sqlite(_) => Err(StoreError::Invalid(
                "this operation needs a PostgreSQL database".into(),
            )),
        }
    }

    /// Lets another thread stop this store's writes from waiting for another writer: once
    /// `flag` is set, a write still waiting for the lock gives up with
    /// [`StoreError::Cancelled`], having written nothing. Waits are then checked every
    /// [`CANCELLABLE_WAIT_STEP`] instead of SQLite's [`BUSY_TIMEOUT`].
    pub fn set_cancel_flag(&mut self, flag: Arc<AtomicBool>) -> Result<()> {
        if let Db::Sqlite(conn) = &self.db {
            conn.busy_timeout(CANCELLABLE_WAIT_STEP)?;
        }
        self.cancel = Some(flag);
        Ok(())
    }

    /// The journal this store uses (SQLite; a PostgreSQL store says `Wal`, the server's own).
    pub fn journal(&self) -> Journal {
        self.journal
    }

    /// Brings the schema up to date; returns whether it changed anything.
    fn migrate(&self) -> Result<bool> {
        if self.read(stored_version)? >= SCHEMA_VERSION {
            return Ok(false);
        }
        self.write(|tx| {
            // Another process may have migrated while we waited for the lock.
            let version = stored_version(tx.conn)?;
            if version > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    path: self.path.clone(),
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            if version == SCHEMA_VERSION {
                return Ok(false);
            }
            if let Db::Sqlite(conn) = tx.conn {
                let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
                if app as u32 != APPLICATION_ID && version != 0 {
                    return Err(StoreError::NotVigie {
                        path: self.path.clone(),
                    });
                }
            }
            apply_migrations(tx.conn, version)?;
            let old = to_json("schema version", &serde_json::json!({ "version": version }))?;
            let new = to_json(
                "schema version",
                &serde_json::json!({ "version": SCHEMA_VERSION }),
            )?;
            tx.audit(
                "migrate",
                "database",
                "schema",
                None,
                Some(&old),
                Some(&new),
            )?;
            Ok(true)
        })
    }

    /// Runs `f` in a write transaction (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's write lock)
    /// and commits it. The transaction is rolled back if `f` fails.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.begin_write()?;
        let mut w = Tx {
            conn: &tx,
            who: &self.auditor,
            now: now_timestamp(),
            audit: None,
        };
        let out = f(&mut w).map_err(|e| self.classify(e))?;
        tx.commit().map_err(|e| self.classify(e.into()))?;
        Ok(out)
    }

    /// Runs a read, retrying while the database is busy.
    pub(crate) fn read<T>(&self, f: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        let mut f = f;
        retry_busy(&self.path, || f(&self.db)).map_err(|e| self.classify(e))
    }

    fn begin_write(&self) -> Result<db::Transaction<'_>> {
        if let (Db::Postgres(session), Some(flag)) = (&self.db, &self.cancel) {
            // The lock is only waited for here, before anything is written: giving up
            // leaves nothing half-done.
            let started = Instant::now();
            loop {
                if flag.load(Ordering::SeqCst) {
                    return Err(StoreError::Cancelled {
                        path: self.path.clone(),
                    });
                }
                if session
                    .borrow_mut()
                    .try_begin_write()
                    .map_err(|e| self.classify(e.into()))?
                {
                    return Ok(db::Transaction::started(&self.db));
                }
                if started.elapsed() > MAX_BUSY_WAIT {
                    return Err(StoreError::Busy {
                        path: self.path.clone(),
                        waited: started.elapsed(),
                    });
                }
                std::thread::sleep(CANCELLABLE_WAIT_STEP);
            }
        }
        let begin = || self.db.begin_write();
        match &self.cancel {
            None => retry_busy(&self.path, begin),
            Some(flag) => retry_busy(&self.path, || {
                if flag.load(Ordering::SeqCst) {
                    return Err(StoreError::Cancelled {
                        path: self.path.clone(),
                    });
                }
                begin().map_err(StoreError::from)
            }),
        }
        .map_err(|e| self.classify(e))
    }

    /// Turns the engines' corruption, busy and lost-connection errors into the store's own.
    fn classify(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Database(e) if is_corrupt(&e) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            },
            StoreError::Database(e) if is_busy(&e) => StoreError::Busy {
                path: self.path.clone(),
                waited: MAX_BUSY_WAIT,
            },
            StoreError::Database(e) if error::is_connection_lost(&e) => {
                StoreError::ConnectionLost {
                    target: self.path.display().to_string(),
                    detail: e.to_string(),
                }
            }
            e => e,
        }
    }

    /// Checks the database (SQLite: `PRAGMA integrity_check` and foreign keys; PostgreSQL:
    /// every table read through, foreign keys being enforced by the server) and the whole
    /// audit chain, naming the first broken audit row (altered, deleted, or badly linked).
    pub fn verify(&self) -> Result<VerifyReport> {
        self.read(|conn| {
            // One read transaction: every check sees the same snapshot.
            let tx = conn.begin_read()?;
            let (integrity, foreign_key_violations) = match &*tx {
                Db::Sqlite(c) => backend::sqlite::integrity(c)?,
                Db::Postgres(_) => backend::postgres::integrity(&tx)?,
            };
            let (audit_rows, audit_break) = audit::check_chain(&tx)?;
            let append_only_guards = audit::guards_present(&tx)?;
            Ok(VerifyReport {
                integrity,
                foreign_key_violations,
                audit_rows,
                audit_break,
                append_only_guards,
            })
        })
    }

    /// Copies the database to `dest` with SQLite's online backup API, while other auditors
    /// keep working. Refuses to overwrite an existing non-empty file. (A PostgreSQL
    /// database is copied with [`copy_store`] or `pg_dump`.)
    pub fn backup(&self, dest: impl AsRef<Path>) -> Result<()> {
        let Db::Sqlite(conn) = &self.db else {
            return Err(StoreError::Invalid(
                "a PostgreSQL database is backed up with `vigie db copy` (to a file) or pg_dump"
                    .into(),
            ));
        };
        backend::sqlite::backup(conn, &self.path, dest.as_ref())
    }
}

/// Applies the migrations after `from` up to [`SCHEMA_VERSION`], inside the caller's write
/// transaction, in the backend's own SQL.
fn apply_migrations(conn: &Db, from: u32) -> Result<()> {
    match conn {
        Db::Sqlite(conn) => backend::sqlite::apply(conn, from, SCHEMA_VERSION)?,
        Db::Postgres(session) => {
            backend::postgres::apply(&mut session.borrow_mut(), from, SCHEMA_VERSION)?
        }
    }
    Ok(())
}

/// The database's schema version: SQLite's `user_version`, PostgreSQL's `vigie_meta`.
fn stored_version(db: &Db) -> Result<u32> {
    match db {
        Db::Sqlite(conn) => Ok(backend::sqlite::user_version(conn)?),
        Db::Postgres(_) => {
            let exists: Option<String> = db.query_row(
                "SELECT CAST(to_regclass('vigie_meta') AS TEXT)",
                params![],
                |r| r.get(0),
            )?;
            if exists.is_none() {
                return Ok(0);
            }
            let version: Option<String> = db
                .query_row(
                    "SELECT value FROM vigie_meta WHERE key = 'schema_version'",
                    params![],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(version.and_then(|v| v.parse().ok()).unwrap_or(0))
        }
    }
}

/// The URL in `path`, when it names a PostgreSQL database.
fn postgres_url(path: &Path) -> Option<&str> {
    path.to_str().filter(|text| postgres_named(text))
}

/// The state of one write transaction: the connection, who writes, one timestamp for all its
/// rows, and the audit chain's end once loaded.
pub(crate) struct Tx<'s> {
    pub(crate) conn: &'s Db,
    pub(crate) who: &'s str,
    pub(crate) now: Timestamp,
    audit: Option<AuditAppender>,
}

impl Tx<'_> {
    /// Appends one audit row to the chain.
    pub(crate) fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        assessment_id: Option<&str>,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<i64> {
        let appender = match &mut self.audit {
            Some(a) => a,
            None => self.audit.insert(AuditAppender::load(self.conn)?),
        };
        appender.append(
            self.conn,
            PendingAudit {
                at: self.now.as_str(),
                who: self.who,
                action,
                entity,
                entity_id,
                assessment_id,
                old,
                new,
            },
        )
    }
}

static DEFAULT_JOURNAL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the journal [`Store::open`] uses in this process (the binary's `--journal`): every
/// connection a process opens on a file must agree on it.
pub fn set_default_journal(journal: Journal) {
    DEFAULT_JOURNAL.store(
        journal == Journal::Rollback,
        std::sync::atomic::Ordering::SeqCst,
    );
}

/// The journal [`Store::open`] uses: the write-ahead log unless [`set_default_journal`] said
/// otherwise.
pub fn default_journal() -> Journal {
    if DEFAULT_JOURNAL.load(std::sync::atomic::Ordering::SeqCst) {
        Journal::Rollback
    } else {
        Journal::Wal
    }
}

/// A new id: a UUIDv7 string (time-ordered, random enough to stay unique across copies).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now as RFC 3339 UTC with a fixed width (microseconds), so that text order is time order.
pub(crate) fn now_timestamp() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

pub(crate) fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|source| StoreError::Json {
        what: what.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests;
