//! Helpers shared by the integration tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.
#![allow(dead_code)]

use std::path::Path;

use vigie_model::{Evaluation, Localized, Severity, Verdict};
use vigie_store::{Assessment, Criticality, NewAssessment, Store, SupplierFields};

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

/// Opens (creating) a store at `path` with one supplier, one plugin and one draft assessment.
pub fn fixture(path: &Path) -> (Store, Assessment) {
    fixture_with(path, vigie_store::Journal::Wal)
}

/// [`fixture`] with the journal given.
pub fn fixture_with(path: &Path, journal: vigie_store::Journal) -> (Store, Assessment) {
    let store = Store::open_with(path, "alice", journal).expect("open");
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
