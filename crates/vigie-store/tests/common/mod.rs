//! Helpers shared by the integration tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use vigie_model::{AnswerValue, Evaluation, Localized, Severity, Verdict, YesNo};
use vigie_store::{
    ActionItemUpdate, ActionStatus, Assessment, Criticality, EvidenceFile, EvidenceKind,
    NewActionItem, NewAssessment, NewEvidence, Store, SupplierFields,
};

/// A tiny deterministic PRNG (splitmix64), so that tests need no `rand`.
pub struct Prng(pub u64);

impl Prng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo)
    }
}

pub fn evaluation(score: f64, verdict: &str) -> Evaluation {
    Evaluation {
        criteria: Vec::new(),
        score: Some(score),
        verdict: Verdict {
            id: verdict.to_string(),
            label: Localized::from_pairs([("en", verdict)]),
            summary: Localized::default(),
            severity: Severity::Medium,
        },
        findings: Vec::new(),
        extensions: Vec::new(),
    }
}

/// The backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// Where a test's database is: a file in a temporary folder, or a fresh database on this
/// test binary's throwaway PostgreSQL server. Passed where a path is expected
/// (`Store::open` takes both).
pub struct Place {
    pub backend: TestBackend,
    /// The file, or the URL as "alice" (who `fixture` writes as).
    location: PathBuf,
    /// The PostgreSQL database's name.
    database: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Place {
    pub fn new(backend: TestBackend) -> Place {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                Place {
                    backend,
                    location: dir.path().join("v.db"),
                    database: None,
                    _dir: Some(dir),
                }
            }
            TestBackend::Postgres => {
                let url = vigie_pgtest::shared()
                    .create_database()
                    .unwrap_or_else(|e| panic!("{e}"));
                let database = vigie_pgtest::database_name(&url).unwrap();
                ensure_role("alice");
                Place {
                    backend,
                    location: PathBuf::from(
                        vigie_pgtest::shared().url_as("alice", None, &database),
                    ),
                    database: Some(database),
                    _dir: None,
                }
            }
        }
    }

    /// The location as `auditor` connects to it: on PostgreSQL the URL with `auditor` as the
    /// role (created on first use).
    pub fn as_auditor(&self, auditor: &str) -> PathBuf {
        match self.backend {
            TestBackend::Sqlite => self.location.clone(),
            TestBackend::Postgres => {
                ensure_role(auditor);
                let database = self.database.as_deref().unwrap();
                PathBuf::from(vigie_pgtest::shared().url_as(auditor, None, database))
            }
        }
    }

    /// Every row of every table, one line per row, sorted: to show that something changed
    /// nothing. Read by another client (rusqlite, psql), not through the store.
    pub fn dump(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.backend {
            TestBackend::Sqlite => {
                let conn = rusqlite::Connection::open(&self.location).unwrap();
                let tables: Vec<String> = conn
                    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                for table in tables {
                    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
                    let n = stmt.column_count();
                    let mut rows = stmt.query([]).unwrap();
                    let mut lines = Vec::new();
                    while let Some(row) = rows.next().unwrap() {
                        let cells: Vec<String> = (0..n)
                            .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                            .collect();
                        lines.push(format!("{table}: {}", cells.join(" | ")));
                    }
                    lines.sort();
                    out.extend(lines);
                }
            }
            TestBackend::Postgres => {
                let database = self.database.as_deref().unwrap();
                let server = vigie_pgtest::shared();
                let tables = server
                    .run_sql(
                        database,
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' \
                         ORDER BY tablename",
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                for table in tables.lines().filter(|t| !t.is_empty()) {
                    let rows = server
                        .run_sql(
                            database,
                            &format!("SELECT t::text FROM \"{table}\" t ORDER BY 1"),
                        )
                        .unwrap_or_else(|e| panic!("{e}"));
                    out.extend(rows.lines().map(|row| format!("{table}: {row}")));
                }
            }
        }
        out
    }
}

/// Places by name, made on first use and kept until the test ends (one test may use
/// several databases: an office and a laptop).
pub struct Places {
    backend: TestBackend,
    made: Mutex<Vec<(String, Place)>>,
}

impl Places {
    pub fn new(backend: TestBackend) -> Places {
        Places {
            backend,
            made: Mutex::new(Vec::new()),
        }
    }

    fn with<T>(&self, name: &str, f: impl FnOnce(&Place) -> T) -> T {
        let mut made = self.made.lock().unwrap();
        if !made.iter().any(|(n, _)| n == name) {
            made.push((name.to_string(), Place::new(self.backend)));
        }
        let (_, place) = made.iter().find(|(n, _)| n == name).unwrap();
        f(place)
    }

    /// Where `name` is, as "alice" sees it (what `fixture` and `Store::open(_, "alice")`
    /// take).
    pub fn path(&self, name: &str) -> PathBuf {
        self.with(name, |p| p.location.clone())
    }

    /// Opens `name` as `auditor`.
    pub fn open(&self, name: &str, auditor: &str) -> Store {
        self.with(name, |p| open(p, auditor))
    }

    /// [`Place::dump`] of `name`.
    pub fn dump(&self, name: &str) -> Vec<String> {
        self.with(name, Place::dump)
    }
}

impl AsRef<Path> for Place {
    fn as_ref(&self) -> &Path {
        &self.location
    }
}

/// Creates the login role `name` once per test binary. Superuser: whoever opens first
/// creates the tables, and the others must reach them (a deployment grants instead; see
/// docs/sharing.md).
fn ensure_role(name: &str) {
    static MADE: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    let made = made.get_or_insert_with(HashSet::new);
    if made.contains(name) || name == vigie_pgtest::ADMIN_ROLE {
        return;
    }
    vigie_pgtest::shared()
        .run_sql(
            "postgres",
            &format!("CREATE ROLE \"{name}\" LOGIN SUPERUSER"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    made.insert(name.to_string());
}

/// Opens the store at `place` as `auditor` (on PostgreSQL, as the role `auditor`).
pub fn open(place: &Place, auditor: &str) -> Store {
    Store::open(place.as_auditor(auditor), auditor).unwrap_or_else(|e| panic!("{e}"))
}

/// The test functions named, once per backend: `mod sqlite` and `mod postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name($crate::common::TestBackend::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name($crate::common::TestBackend::Postgres)
            })*
        }
    };
}

/// Opens (creating) a store at `path` with one supplier, one plugin and one draft assessment.
pub fn fixture(path: &Path) -> (Store, Assessment) {
    fixture_with(path, vigie_store::Journal::Wal)
}

/// [`fixture`] with the journal given.
pub fn fixture_with(path: &Path, journal: vigie_store::Journal) -> (Store, Assessment) {
    let store = if vigie_store::is_postgres_url(path.to_str().unwrap_or_default()) {
        Store::open(path, "alice").expect("open")
    } else {
        Store::open_with(path, "alice", journal).expect("open")
    };
    populate(store)
}

/// [`fixture`] on either backend, as "alice".
pub fn fixture_at(place: &Place) -> (Store, Assessment) {
    populate(open(place, "alice"))
}

/// [`fixture`] at a PostgreSQL URL, as `role`.
pub fn fixture_as(url: &str, role: &str) -> (Store, Assessment) {
    populate(Store::open(url, role).unwrap_or_else(|e| panic!("{e}")))
}

fn populate(store: Store) -> (Store, Assessment) {
    let supplier = store
        .add_supplier(&SupplierFields::new(
            "Centre d'appels Tunis",
            Criticality::High,
        ))
        .expect("supplier");
    let plugin = store
        .put_plugin_blob(b"\0asm fake plugin", "nis2-suppliers", "1.0.0", "bundled")
        .expect("plugin");
    let assessment = store
        .new_assessment(&NewAssessment {
            supplier_id: supplier.id,
            plugin_sha256: plugin.sha256,
            assessment_date: "2026-03-01".parse().expect("date"),
            language: "fr".into(),
            level: None,
            previous_assessment: None,
        })
        .expect("assessment");
    (store, assessment)
}

/// A draft with answers (one revised, one cleared, one with a note), evidence and action items.
pub fn populated_draft(path: &Path) -> (Store, Assessment) {
    let (store, a) = fixture(path);
    store
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::Yes)),
            Some("vu au téléphone".into()),
            None,
        )
        .unwrap();
    store
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::Partial)),
            None,
            Some(1),
        )
        .unwrap();
    store
        .set_answer(
            &a.id,
            "q2",
            Some(AnswerValue::Decimal(0.1 + 0.2)),
            None,
            None,
        )
        .unwrap();
    store
        .set_answer(
            &a.id,
            "q3",
            Some(AnswerValue::YesNo(YesNo::Yes)),
            None,
            None,
        )
        .unwrap();
    store
        .set_answer(&a.id, "q3", None, Some("cleared".into()), Some(1))
        .unwrap();
    store
        .add_evidence(
            &a.id,
            &NewEvidence {
                question: Some("q1".into()),
                kind: EvidenceKind::File,
                text: "ISO 27001 certificate".into(),
                file: Some(EvidenceFile {
                    sha256: "a".repeat(64),
                    size: 1234,
                    path: "/tmp/iso.pdf".into(),
                }),
                effective_date: Some("2025-01-01".parse().unwrap()),
                expiry_date: Some("2028-01-01".parse().unwrap()),
            },
        )
        .unwrap();
    store
        .add_evidence(
            &a.id,
            &NewEvidence {
                question: None,
                kind: EvidenceKind::Note,
                text: "<script>alert(1)</script> & \"quotes\" ; DROP TABLE answers; --".into(),
                file: None,
                effective_date: None,
                expiry_date: None,
            },
        )
        .unwrap();
    let item = store
        .add_action_item(
            &a.id,
            &NewActionItem {
                finding_id: "c3-supply-chain".into(),
                title: "Evaluate the subcontractors".into(),
                owner: Some("DSI".into()),
                deadline: Some("2026-06-30".parse().unwrap()),
            },
        )
        .unwrap();
    store
        .update_action_item(
            &item.id,
            &ActionItemUpdate {
                status: Some(ActionStatus::InProgress),
                ..ActionItemUpdate::default()
            },
        )
        .unwrap();
    (store, a)
}
