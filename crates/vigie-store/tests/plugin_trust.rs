//! The store's part in plugin trust: one id and version name one set of bytes, plugins are
//! capped in size and number, and the team's decisions about plugins are audited.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use vigie_store::{
    ExchangeError, ExchangeFile, MAX_PLUGIN_BYTES, MAX_STORED_PLUGINS, REQUIRE_SIGNED_PLUGINS,
    Store, StoreError,
};

mod common;

use common::{Places, TestBackend};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("v.db"), "alice").unwrap();
    (dir, store)
}

#[test]
fn other_bytes_under_a_stored_id_and_version_are_refused() {
    let (_dir, store) = store();
    let first = store
        .put_plugin_blob(b"first bytes", "acme-q", "1.0.0", "a.wasm")
        .unwrap();
    let err = store
        .put_plugin_blob(b"other bytes", "acme-q", "1.0.0", "b.wasm")
        .unwrap_err();
    match &err {
        StoreError::PluginIdentityClash {
            plugin_id,
            version,
            existing,
            ..
        } => assert_eq!(
            (plugin_id.as_str(), version.as_str(), existing),
            ("acme-q", "1.0.0", &first.sha256)
        ),
        other => panic!("{other}"),
    }
    assert_eq!(store.list_plugin_blobs().unwrap().len(), 1);
    // The same bytes again, or a new version, are fine.
    store
        .put_plugin_blob(b"first bytes", "acme-q", "1.0.0", "a.wasm")
        .unwrap();
    store
        .put_plugin_blob(b"other bytes", "acme-q", "1.0.1", "b.wasm")
        .unwrap();
    // A copy of a bundled plugin is this build's own: a rebuilt one is not refused.
    store
        .put_bundled_plugin_blob(b"rebuilt bundled bytes", "acme-q", "1.0.0")
        .unwrap();
}

#[test]
fn plugins_are_capped_in_size_and_number() {
    let (_dir, store) = store();
    let huge = vec![0u8; MAX_PLUGIN_BYTES + 1];
    let err = store
        .put_plugin_blob(&huge, "huge", "1.0.0", "huge.wasm")
        .unwrap_err();
    assert!(
        matches!(err, StoreError::PluginTooLarge { size, .. } if size == huge.len() as u64),
        "{err}"
    );
    assert!(store.list_plugin_blobs().unwrap().is_empty());

    for i in 0..MAX_STORED_PLUGINS {
        store
            .put_plugin_blob(format!("plugin {i}").as_bytes(), "p", &format!("{i}"), "x")
            .unwrap();
    }
    let err = store
        .put_plugin_blob(b"one more", "p", "999999", "x")
        .unwrap_err();
    assert!(matches!(err, StoreError::TooManyPlugins { .. }), "{err}");
    assert!(err.to_string().contains(&MAX_STORED_PLUGINS.to_string()));
}

fn an_import_carrying_other_bytes_under_a_stored_id_and_version_is_refused(backend: TestBackend) {
    let places = Places::new(backend);
    let (office, assessment) = common::fixture(&places.path("office.db"));
    let file = office.export_assessment(&assessment.id).unwrap();
    let text = file.to_json().unwrap();

    let laptop = places.open("laptop.db", "bruno");
    laptop
        .put_plugin_blob(
            b"another nis2 build",
            &file.plugin.plugin_id,
            &file.plugin.version,
            "x",
        )
        .unwrap();
    let err = laptop
        .import_assessment_from(&ExchangeFile::from_json(&text).unwrap(), "imported from f")
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExchangeError::Store(StoreError::PluginIdentityClash { .. })
        ),
        "{err}"
    );

    // Into an empty database, the origin names the file.
    let other = places.open("other.db", "carla");
    other
        .import_assessment_from(
            &ExchangeFile::from_json(&text).unwrap(),
            "imported from /tmp/f.json",
        )
        .unwrap();
    let info = other.plugin_blob_info(&file.plugin.sha256).unwrap();
    assert_eq!(
        (info.origin.as_str(), info.added_by.as_str()),
        ("imported from /tmp/f.json", "carla")
    );
}

#[test]
fn trust_decisions_are_audited() {
    let (_dir, store) = store();
    let plugin = store
        .put_plugin_blob(b"bytes", "nis2-suppliers", "9.0.0", "x")
        .unwrap();
    store
        .add_trusted_key("0123456789abcdef", "RWQ...", "Alice")
        .unwrap();
    assert!(matches!(
        store.add_trusted_key("0123456789ABCDEF", "RWQ...", "x"),
        Err(StoreError::Invalid(_))
    ));
    store
        .put_plugin_signature(&plugin.sha256, "0123456789abcdef", "sig")
        .unwrap();
    store.allow_shadow(&plugin.sha256[..10]).unwrap();
    store.forbid_shadow(&plugin.sha256[..10]).unwrap();
    assert_eq!(
        store.set_setting(REQUIRE_SIGNED_PLUGINS, "on").unwrap(),
        None
    );
    assert_eq!(
        store.setting(REQUIRE_SIGNED_PLUGINS).unwrap().as_deref(),
        Some("on")
    );
    store.remove_trusted_key("0123456789abcdef").unwrap();
    let trail: Vec<String> = store
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .skip_while(|e| e.action != "add")
        .map(|e| format!("{} {} {}", e.action, e.entity, e.who))
        .collect();
    assert_eq!(
        trail,
        [
            "add plugin alice",
            "trust signing-key alice",
            "sign plugin alice",
            "allow-shadow plugin alice",
            "forbid-shadow plugin alice",
            "set setting alice",
            "distrust signing-key alice",
        ]
    );
    assert!(store.verify().unwrap().is_ok());
}

on_both_backends!(an_import_carrying_other_bytes_under_a_stored_id_and_version_is_refused,);
