//! Who decides which plugin code runs: a plugin's identity is (id, version, sha256); a stored
//! plugin never silently takes a bundled questionnaire's place; an exchange file adds plugin
//! code only when accepted; signatures by trusted keys; and stored plugins cost nothing
//! until needed, a failing one being remembered (issue 11, §2 and §4).
//!
//! The plugins here are variants of the hand-written WAT example (examples/wat-plugin): its
//! strings sit NUL-terminated at fixed places, so the id and version can be swapped, and a
//! comment changes the bytes without changing what it describes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use vigie_app::signing::{SignatureStatus, parse_public_key};
use vigie_app::{AppError, BundledRelation, InstallOptions, StoredState, Workbench};
use vigie_plugin_host::{Host, Limits, sha256_hex};
use vigie_store::{Criticality, StoreError, SupplierFields};

fn wat() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wat-plugin/mfa.wat");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The WAT example describing itself as `id` `version`; `salt` changes the bytes only.
fn plugin(id: &str, version: &str, salt: &str) -> Vec<u8> {
    let source = wat();
    assert!(
        source.contains(r#""wat-mfa\00""#) && source.contains(r#"(i32.const 0x480) "1.0.0\00""#)
    );
    source
        .replacen(r#""wat-mfa\00""#, &format!(r#""{id}\00""#), 1)
        .replacen(
            r#"(i32.const 0x480) "1.0.0\00""#,
            &format!(r#"(i32.const 0x480) "{version}\00""#),
            1,
        )
        .replacen("(component\n", &format!("(component\n  ;; {salt}\n"), 1)
        .into_bytes()
}

/// A plugin whose describe never returns.
fn hanging(n: usize) -> Vec<u8> {
    let source = String::from_utf8(plugin(&format!("hang-{n}"), "1.0.0", &n.to_string())).unwrap();
    let at = "      (local.set $q (call $new (i32.const 96)))\n";
    assert!(source.contains(at));
    source
        .replacen(at, &format!("      (loop $forever (br $forever))\n{at}"), 1)
        .into_bytes()
}

/// A host with short limits, so that a hanging plugin is stopped quickly.
fn host() -> Arc<Host> {
    let limits = Limits {
        time: Duration::from_millis(50),
        fuel: 200_000_000,
        ..Limits::default()
    };
    Arc::new(Host::new(limits, None).expect("engine"))
}

fn bundled_count() -> usize {
    vigie_bundled::BUNDLED.len()
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    Db { _dir: dir, path }
}

fn bench(db: &Db, who: &str) -> Workbench {
    Workbench::open(&db.path, who, host()).expect("workbench")
}

/// Inserts plugins with raw SQL, as another program could.
fn insert_raw(db: &Db, plugins: &[(String, String, Vec<u8>)]) {
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    for (id, version, bytes) in plugins {
        conn.execute(
            "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, \
             added_at, bytes) VALUES (?1, ?2, ?3, ?4, 'sqlite3', 'mallory', \
             '2026-01-01T00:00:00.000000Z', ?5)",
            rusqlite::params![sha256_hex(bytes), bytes.len() as i64, id, version, bytes],
        )
        .unwrap();
    }
}

fn supplier(wb: &Workbench) -> String {
    wb.add_supplier(&SupplierFields::new("Infogérance Lyon", Criticality::High))
        .unwrap()
        .id
        .into_string()
}

fn date() -> vigie_model::Date {
    "2026-11-23".parse().unwrap()
}

#[test]
fn stored_plugins_cost_nothing_until_needed_and_a_failure_is_remembered() {
    let db = db();
    let supplier = supplier(&bench(&db, "amel"));
    let hangs: Vec<_> = (0..20)
        .map(|n| (format!("hang-{n}"), "1.0.0".to_string(), hanging(n)))
        .collect();
    insert_raw(&db, &hangs);

    // Opening the workbench and starting an assessment with a bundled plugin load none of them.
    let mut wb = bench(&db, "amel");
    assert_eq!(wb.catalog().loads(), bundled_count());
    wb.new_assessment(&supplier, "nis2-suppliers", date(), "fr", None, None)
        .unwrap();
    assert_eq!(wb.catalog().loads(), bundled_count());
    let unchecked = wb.stored_plugins(false).unwrap();
    assert_eq!(wb.catalog().loads(), bundled_count());
    assert_eq!(
        unchecked
            .iter()
            .filter(|s| s.state == StoredState::Unchecked)
            .count(),
        20
    );

    // Listing with checks loads each once, and each is marked unusable with its reason.
    let listed = wb.stored_plugins(true).unwrap();
    assert_eq!(wb.catalog().loads(), bundled_count() + 20);
    for s in listed
        .iter()
        .filter(|s| s.info.plugin_id.starts_with("hang-"))
    {
        match &s.state {
            StoredState::Unusable { reason } => assert!(
                reason.contains("time") || reason.contains("fuel"),
                "{reason}"
            ),
            other => panic!("{}: {other:?}", s.info.plugin_id),
        }
    }

    // Afterwards they cost nothing: not to list, not to ask for one by id.
    let mut wb = bench(&db, "bruno");
    let listed = wb.stored_plugins(true).unwrap();
    assert!(
        listed
            .iter()
            .filter(|s| s.info.plugin_id.starts_with("hang-"))
            .all(|s| matches!(s.state, StoredState::Unusable { .. }))
    );
    assert!(wb.find_plugin("hang-7").is_err());
    wb.load_database_plugins().unwrap();
    assert_eq!(wb.catalog().loads(), bundled_count());
    // Asked for by sha256, the reason is given.
    let sha = sha256_hex(&hangs[3].2);
    let err = wb.find_plugin(&sha[..16]).unwrap_err();
    assert!(
        matches!(&err, AppError::PluginUnusable { reason, .. } if reason.contains("time") || reason.contains("fuel")),
        "{err}"
    );
    assert_eq!(wb.catalog().loads(), bundled_count());
}

#[test]
fn a_forged_remembered_success_gains_nothing() {
    let db = db();
    bench(&db, "amel");
    let bytes = hanging(0);
    insert_raw(&db, &[("hang-0".into(), "1.0.0".into(), bytes.clone())]);
    let wb = bench(&db, "amel");
    let host_key = wb.host_key();
    drop(wb);
    // Another program claims the hanging plugin loads, with a name holding an escape sequence.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO plugin_checks (sha256, host, usable, plugin_id, version, name, reason, \
         checked_at) VALUES (?1, ?2, 1, 'hang-0', '1.0.0', ?3, NULL, 'x')",
        rusqlite::params![
            sha256_hex(&bytes),
            host_key,
            r#"[{"lang":"en","text":"Official \u001b]52;c;Zm9v\u0007"}]"#
        ],
    )
    .unwrap();
    drop(conn);

    let mut wb = bench(&db, "amel");
    // The malformed name is not believed: the plugin counts as never checked...
    let listed = wb.stored_plugins(false).unwrap();
    assert_eq!(listed[0].state, StoredState::Unchecked);
    // ...and choosing it loads the bytes for real, which fail, and that is remembered.
    assert!(wb.find_plugin("hang-0").is_err());
    assert_eq!(wb.catalog().loads(), bundled_count() + 1);
    let listed = bench(&db, "amel").stored_plugins(false).unwrap();
    assert!(matches!(listed[0].state, StoredState::Unusable { .. }));
}

#[test]
fn one_id_and_version_name_one_set_of_bytes() {
    let db = db();
    let mut wb = bench(&db, "amel");
    wb.install_plugin(&plugin("acme-q", "1.0.0", "a"), "acme.wasm")
        .unwrap();
    let err = wb
        .install_plugin(&plugin("acme-q", "1.0.0", "b"), "acme-b.wasm")
        .unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::PluginIdentityClash { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("acme-q 1.0.0"), "{err}");
    // A bundled plugin's id and version too.
    let bundled = wb
        .catalog()
        .bundled_with_id("nis2-suppliers")
        .unwrap()
        .clone();
    let err = wb
        .install_plugin(
            &plugin("nis2-suppliers", bundled.plugin.version(), "c"),
            "fake.wasm",
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::PluginIdentityClash { .. })),
        "{err}"
    );
    let stored = wb.plugin_blobs().unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    // A new version is fine.
    wb.install_plugin(&plugin("acme-q", "1.1.0", "b"), "acme-b.wasm")
        .unwrap();
    assert_eq!(wb.find_plugin("acme-q").unwrap().plugin.version(), "1.1.0");
}

#[test]
fn a_plugin_takes_a_bundled_plugins_place_only_by_an_audited_decision() {
    let db = db();
    let mut wb = bench(&db, "amel");
    let supplier = supplier(&wb);
    let impostor = plugin("nis2-suppliers", "99.0.0", "x");
    let err = wb.install_plugin(&impostor, "nis2.wasm").unwrap_err();
    assert!(matches!(err, AppError::WouldShadow { .. }), "{err}");
    assert!(err.to_string().contains("--allow-shadow"), "{err}");
    assert!(wb.plugin_blobs().unwrap().is_empty());

    // Stored anyway by another program: bundled still wins, for new assessments and lookups.
    insert_raw(
        &db,
        &[("nis2-suppliers".into(), "99.0.0".into(), impostor.clone())],
    );
    let mut wb = bench(&db, "amel");
    let found = wb.find_plugin("nis2-suppliers").unwrap();
    assert!(vigie_app::Catalog::is_bundled_sha(found.plugin.sha256()));
    let a = wb
        .new_assessment(&supplier, "nis2-suppliers", date(), "fr", None, None)
        .unwrap();
    assert_ne!(a.plugin_version, "99.0.0");
    let sha = sha256_hex(&impostor);
    let err = wb
        .new_assessment(&supplier, &sha[..16], date(), "fr", None, None)
        .unwrap_err();
    assert!(matches!(err, AppError::Shadowed { .. }), "{err}");
    let listed = wb.stored_plugins(true).unwrap();
    let row = listed.iter().find(|s| s.info.sha256 == sha).unwrap();
    assert_eq!(row.relation, BundledRelation::Shadowed);

    // The decision, audited, lets it take the place; withdrawing it restores the bundled one.
    wb.allow_shadow(&sha[..12]).unwrap();
    assert_eq!(
        wb.find_plugin("nis2-suppliers").unwrap().plugin.sha256(),
        sha
    );
    wb.forbid_shadow(&sha[..12]).unwrap();
    assert_ne!(
        wb.find_plugin("nis2-suppliers").unwrap().plugin.sha256(),
        sha
    );
    let actions: Vec<String> = wb
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_id == sha)
        .map(|e| format!("{} by {}", e.action, e.who))
        .collect();
    assert_eq!(
        actions,
        ["allow-shadow by amel", "forbid-shadow by amel"],
        "{actions:?}"
    );

    // Installing with the decision records it at once.
    let db2 = self::db();
    let mut wb = bench(&db2, "amel");
    let options = InstallOptions {
        allow_shadow: true,
        ..InstallOptions::default()
    };
    wb.install_plugin_with(&impostor, "nis2.wasm", &options)
        .unwrap();
    assert_eq!(
        wb.find_plugin("nis2-suppliers").unwrap().plugin.sha256(),
        sha
    );
    assert!(
        wb.audit_trail(None)
            .unwrap()
            .iter()
            .any(|e| e.action == "allow-shadow" && e.entity_id == sha)
    );
}

/// An exchange file of an assessment scored by `bytes`, exported from a fresh database.
fn exchange_file(bytes: &[u8]) -> String {
    let db = db();
    let mut wb = bench(&db, "office");
    let supplier = supplier(&wb);
    let options = InstallOptions {
        allow_shadow: true,
        ..InstallOptions::default()
    };
    let plugin = wb
        .install_plugin_with(bytes, "/home/office/acme.wasm", &options)
        .unwrap();
    let a = wb
        .new_assessment(&supplier, plugin.sha256(), date(), "en", None, None)
        .unwrap();
    wb.export_assessment(&a.id).unwrap()
}

/// An exchange file of an assessment scored by `bytes` (claiming to be nis2-suppliers
/// `version`), written through the store alone, as another program could.
fn exchange_file_of_store(bytes: &[u8], version: &str) -> String {
    let db = db();
    let store = vigie_store::Store::open(&db.path, "office").unwrap();
    let supplier = store
        .add_supplier(&SupplierFields::new("Infogérance Lyon", Criticality::High))
        .unwrap();
    let blob = store
        .put_plugin_blob(bytes, "nis2-suppliers", version, "x.wasm")
        .unwrap();
    let a = store
        .new_assessment(&vigie_store::NewAssessment {
            supplier_id: supplier.id,
            plugin_sha256: blob.sha256,
            assessment_date: date(),
            language: "en".into(),
            level: None,
            previous_assessment: None,
        })
        .unwrap();
    store.export_assessment(&a.id).unwrap().to_json().unwrap()
}

#[test]
fn an_import_adds_plugin_code_only_when_accepted() {
    let bytes = plugin("acme-q", "2.0.0", "import");
    let file = exchange_file(&bytes);
    let db = db();
    let mut wb = bench(&db, "bruno");
    let err = wb
        .import_exchange_from(&file, "/tmp/from-office.json", false)
        .unwrap_err();
    let text = err.to_string();
    for part in [
        "acme-q",
        "2.0.0",
        &sha256_hex(&bytes),
        "/tmp/from-office.json",
        "--accept-plugins",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(wb.plugin_blobs().unwrap().is_empty());
    assert!(wb.assessments(&Default::default()).unwrap().is_empty());

    let report = wb
        .import_exchange_from(&file, "/tmp/from-office.json", true)
        .unwrap();
    assert!(report.plugin_added);
    let listed = wb.stored_plugins(true).unwrap();
    assert_eq!(
        listed[0].provenance(),
        format!(
            "imported by bruno at {} from /tmp/from-office.json",
            listed[0].info.added_at
        )
    );
}

#[test]
fn an_imported_plugin_claiming_a_bundled_id_scores_its_assessment_only() {
    let bytes = plugin("nis2-suppliers", "99.0.0", "import");
    let file = exchange_file(&bytes);
    let db = db();
    let mut wb = bench(&db, "bruno");
    let report = wb.import_exchange_from(&file, "x.json", true).unwrap();
    // It scores the assessment it came with...
    wb.score(&report.assessment_id).unwrap();
    // ...but the bundled plugin stays the one for new assessments.
    let found = wb.find_plugin("nis2-suppliers").unwrap();
    assert!(vigie_app::Catalog::is_bundled_sha(found.plugin.sha256()));
    let listed = wb.stored_plugins(true).unwrap();
    assert_eq!(listed[0].relation, BundledRelation::Shadowed);

    // Other bytes under the bundled id and version are refused outright.
    let version = found.plugin.version().to_string();
    let file = exchange_file_of_store(&plugin("nis2-suppliers", &version, "clash"), &version);
    let err = bench(&db, "bruno")
        .import_exchange_from(&file, "y.json", true)
        .unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::PluginIdentityClash { .. })),
        "{err}"
    );
}

fn keypair() -> minisign::KeyPair {
    minisign::KeyPair::generate_unencrypted_keypair().unwrap()
}

fn sign(kp: &minisign::KeyPair, bytes: &[u8]) -> String {
    minisign::sign(
        Some(&kp.pk),
        &kp.sk,
        std::io::Cursor::new(bytes),
        None,
        None,
    )
    .unwrap()
    .into_string()
}

fn public_key(kp: &minisign::KeyPair) -> String {
    kp.pk.to_box().unwrap().into_string()
}

#[test]
fn signatures_by_trusted_keys_are_shown_and_can_be_required() {
    let db = db();
    let mut wb = bench(&db, "amel");
    let supplier = supplier(&wb);
    let alice = keypair();
    let stranger = keypair();
    let key = parse_public_key(&public_key(&alice)).unwrap();
    wb.add_trusted_key(&key, "Alice Conseil").unwrap();

    let signed = plugin("acme-q", "1.0.0", "signed");
    let options = InstallOptions {
        signature: Some(sign(&alice, &signed)),
        ..InstallOptions::default()
    };
    wb.install_plugin_with(&signed, "acme.wasm", &options)
        .unwrap();
    let by_stranger = plugin("other-q", "1.0.0", "stranger");
    let options = InstallOptions {
        signature: Some(sign(&stranger, &by_stranger)),
        ..InstallOptions::default()
    };
    wb.install_plugin_with(&by_stranger, "other.wasm", &options)
        .unwrap();
    let unsigned = plugin("plain-q", "1.0.0", "unsigned");
    wb.install_plugin(&unsigned, "plain.wasm").unwrap();

    // A signature of other bytes is refused.
    let tampered = plugin("acme-q", "1.2.0", "tampered");
    let options = InstallOptions {
        signature: Some(sign(&alice, &signed)),
        ..InstallOptions::default()
    };
    let err = wb
        .install_plugin_with(&tampered, "t.wasm", &options)
        .unwrap_err();
    assert!(matches!(err, AppError::BadSignature { .. }), "{err}");

    let listed = wb.stored_plugins(true).unwrap();
    let status = |id: &str| {
        listed
            .iter()
            .find(|s| s.info.plugin_id == id)
            .unwrap()
            .signature
            .clone()
    };
    assert!(
        matches!(status("acme-q"), SignatureStatus::Trusted { comment, .. } if comment == "Alice Conseil")
    );
    assert!(status("acme-q").to_string().contains("Alice Conseil"));
    assert!(matches!(
        status("other-q"),
        SignatureStatus::UnknownKey { .. }
    ));
    assert_eq!(status("plain-q"), SignatureStatus::Unsigned);

    // Required: only the signed plugin (and the bundled ones) may start an assessment.
    wb.require_signatures(true).unwrap();
    wb.new_assessment(&supplier, "acme-q", date(), "en", None, None)
        .unwrap();
    wb.new_assessment(&supplier, "nis2-suppliers", date(), "fr", None, None)
        .unwrap();
    for id in ["other-q", "plain-q"] {
        let err = wb
            .new_assessment(&supplier, id, date(), "en", None, None)
            .unwrap_err();
        assert!(matches!(err, AppError::SignatureRequired { .. }), "{err}");
    }
    let err = wb
        .install_plugin(&plugin("new-q", "1.0.0", "n"), "new.wasm")
        .unwrap_err();
    assert!(matches!(err, AppError::SignatureRequired { .. }), "{err}");
    let file = exchange_file(&plugin("imported-q", "1.0.0", "i"));
    let err = wb.import_exchange_from(&file, "i.json", true).unwrap_err();
    assert!(matches!(err, AppError::SignatureRequired { .. }), "{err}");

    // A key no longer trusted no longer vouches.
    wb.remove_trusted_key(&key.key_id).unwrap();
    let err = wb
        .new_assessment(&supplier, "acme-q", date(), "en", None, None)
        .unwrap_err();
    assert!(matches!(err, AppError::SignatureRequired { .. }), "{err}");

    let audited: Vec<String> = wb
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.entity))
        .collect();
    for expected in [
        "trust signing-key",
        "sign plugin",
        "set setting",
        "distrust signing-key",
    ] {
        assert!(
            audited.iter().any(|a| a == expected),
            "{expected}: {audited:?}"
        );
    }
}

#[test]
fn a_huge_plugin_is_refused_before_it_is_loaded() {
    let db = db();
    let mut wb = bench(&db, "amel");
    let mut huge = plugin("huge-q", "1.0.0", "huge")
        .into_iter()
        .collect::<Vec<u8>>();
    // A valid plugin made huge by a comment.
    let comment = format!("\n;; {}\n", "x".repeat(vigie_store::MAX_PLUGIN_BYTES));
    huge.extend_from_slice(comment.as_bytes());
    let err = wb.install_plugin(&huge, "huge.wasm").unwrap_err();
    assert!(
        matches!(err, AppError::Store(StoreError::PluginTooLarge { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("16 MiB"), "{err}");
    assert_eq!(wb.catalog().loads(), bundled_count());
    assert!(wb.plugin_blobs().unwrap().is_empty());
}
