//! Golden answer sets of the bundled questionnaires, scored through the real
//! WebAssembly plugins in the sandboxed host (`vigie_app::golden`, the code
//! behind `vigie plugin test`): each set states the verdict, criterion
//! statuses, findings and score bounds an auditor expects. On top of what a
//! set states, everything a client reads must come in French and English.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::sync::Arc;

use vigie_app::Catalog;
use vigie_app::golden::run_golden_dir;
use vigie_plugin_host::{Host, Limits};

fn catalog() -> Catalog {
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut catalog = Catalog::new(host);
    catalog.load_bundled();
    assert!(
        catalog.failures.is_empty(),
        "bundled plugins failed to load: {:?}",
        catalog.failures
    );
    catalog
}

fn assert_golden(plugin: &str, at_least: usize) {
    let catalog = catalog();
    let entry = catalog.find(plugin).expect("bundled plugin");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires")
        .join(plugin)
        .join("golden");
    let outcomes =
        run_golden_dir(catalog.host(), &entry.plugin, &dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        outcomes.len() >= at_least,
        "{plugin}: expected at least {at_least} golden sets, found {}",
        outcomes.len()
    );
    let mut problems = Vec::new();
    for outcome in outcomes {
        let outcome = outcome.unwrap_or_else(|e| panic!("{e}"));
        let name = Path::new(&outcome.name)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        problems.extend(
            outcome
                .problems
                .iter()
                .map(|p| format!("{plugin}/{name}: {p}")),
        );
        let evaluation = &outcome.evaluation;
        let mut texts = vec![
            ("verdict label".to_string(), &evaluation.verdict.label),
            ("verdict summary".to_string(), &evaluation.verdict.summary),
        ];
        for r in &evaluation.criteria {
            texts.push((format!("rationale of {}", r.criterion), &r.rationale));
        }
        for x in &evaluation.findings {
            texts.push((format!("title of finding {}", x.id), &x.title));
            texts.push((
                format!("recommendation of finding {}", x.id),
                &x.recommendation,
            ));
        }
        for (what, text) in texts {
            if !(text.has("fr") && text.has("en")) {
                problems.push(format!(
                    "{plugin}/{name}: {what} is not in French and English"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "golden mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn nis2_suppliers_golden_sets() {
    assert_golden("nis2-suppliers", 11);
}

#[test]
fn anssi_hygiene_golden_sets() {
    assert_golden("anssi-hygiene", 10);
}

#[test]
fn gdpr_offshore_golden_sets() {
    assert_golden("gdpr-offshore", 15);
}
