//! What differs between the two backends, each in one file: `sqlite.rs` (the schema's
//! migrations, pragmas, the catalog) and `postgres.rs` (the same schema in PostgreSQL's SQL,
//! the session, the write lock, notifications, how to connect). Everything else in the store
//! is SQL both engines run as written.

pub(crate) mod pg_connect;
pub(crate) mod postgres;
pub(crate) mod sqlite;

/// The statements whose text differs between the backends.
pub(crate) struct Dialect {
    /// The highest audit `seq` ever handed out (a row with one integer, or no row): deleting
    /// the last rows of the trail then shows as a gap.
    pub(crate) audit_high_water: &'static str,
    /// How many triggers are named `?1` (0 or 1).
    pub(crate) trigger_exists: &'static str,
    /// The tables of the schema, as the catalog lists them.
    pub(crate) user_tables: &'static str,
    /// `assessments x`, joined on its id to read its supplier: SQLite is told to use the
    /// (id, supplier_id) index, which its planner would not pick on its own.
    pub(crate) assessments_supplier_of: &'static str,
    /// The date an answer holds (`?1` the assessment, `?2` the question), when the answer
    /// is a date: the `value` of its JSON, or no row.
    pub(crate) answer_date: &'static str,
}
