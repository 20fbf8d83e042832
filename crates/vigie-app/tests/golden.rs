//! Golden answer sets of the bundled questionnaires, scored through the real
//! WebAssembly plugins in the sandboxed host: each set states the verdict,
//! criterion statuses, findings and score bounds an auditor expects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vigie_app::answers_file::AnswersFile;
use vigie_app::{Catalog, CatalogEntry};
use vigie_model::{EvalContext, Status};
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

fn golden_files(plugin: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires")
        .join(plugin)
        .join("golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Scores every golden set of `plugin` and returns the mismatches.
fn check_plugin(catalog: &Catalog, plugin: &str) -> (usize, Vec<String>) {
    let entry: &CatalogEntry = catalog.find(plugin).expect("bundled plugin");
    let questionnaire = entry.plugin.questionnaire();
    let mut problems = Vec::new();
    let files = golden_files(plugin);
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("read golden");
        let file = AnswersFile::parse(&source, &name).unwrap_or_else(|e| panic!("{e}"));
        let answers = file
            .resolve(questionnaire)
            .unwrap_or_else(|e| panic!("{e}"));
        let context = EvalContext {
            assessment_date: file
                .assessment_date
                .expect("golden sets give assessment_date"),
            language: "fr".into(),
            level: file.level.clone(),
        };
        let evaluation = catalog
            .host()
            .evaluate(&entry.plugin, &answers, &context)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expect = file.expect.as_ref().expect("golden sets have [expect]");
        if let Some(verdict) = &expect.verdict
            && &evaluation.verdict.id != verdict
        {
            problems.push(format!(
                "{plugin}/{name}: verdict {} (expected {verdict})",
                evaluation.verdict.id
            ));
        }
        for (criterion, wanted) in &expect.criteria {
            let wanted_status =
                Status::from_id(wanted).unwrap_or_else(|| panic!("{name}: bad status {wanted}"));
            match evaluation
                .criteria
                .iter()
                .find(|c| &c.criterion == criterion)
            {
                None => problems.push(format!("{plugin}/{name}: no result for {criterion}")),
                Some(r) if r.status != wanted_status => problems.push(format!(
                    "{plugin}/{name}: {criterion} is {} (expected {wanted}): {}",
                    r.status.id(),
                    r.rationale.get("en")
                )),
                Some(_) => {}
            }
        }
        for (criterion, words) in &expect.rationale_includes {
            match evaluation
                .criteria
                .iter()
                .find(|c| &c.criterion == criterion)
            {
                None => problems.push(format!("{plugin}/{name}: no result for {criterion}")),
                Some(r) if !r.rationale.get("fr").contains(words.as_str()) => {
                    problems.push(format!(
                        "{plugin}/{name}: the rationale of {criterion} does not say `{words}`: {}",
                        r.rationale.get("fr")
                    ))
                }
                Some(_) => {}
            }
        }
        for (finding, days) in &expect.deadline_days {
            match evaluation
                .findings
                .iter()
                .find(|x| &x.id == finding || x.criterion.as_deref() == Some(finding))
            {
                None => problems.push(format!("{plugin}/{name}: no finding for {finding}")),
                Some(x) if x.deadline_days != Some(*days) => problems.push(format!(
                    "{plugin}/{name}: finding {} suggests {:?} days (expected {days})",
                    x.id, x.deadline_days
                )),
                Some(_) => {}
            }
        }
        // Everything a client reads comes in both languages.
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
        for f in &expect.findings_include {
            if !evaluation
                .findings
                .iter()
                .any(|x| &x.id == f || x.criterion.as_deref() == Some(f))
            {
                problems.push(format!("{plugin}/{name}: no finding for {f}"));
            }
        }
        if let Some(min) = expect.score_at_least
            && evaluation.score.is_none_or(|s| s < min)
        {
            problems.push(format!(
                "{plugin}/{name}: score {:?} below {min}",
                evaluation.score
            ));
        }
        if let Some(max) = expect.score_below
            && evaluation.score.is_none_or(|s| s >= max)
        {
            problems.push(format!(
                "{plugin}/{name}: score {:?} not below {max}",
                evaluation.score
            ));
        }
    }
    (files.len(), problems)
}

fn assert_golden(plugin: &str, at_least: usize) {
    let catalog = catalog();
    let (count, problems) = check_plugin(&catalog, plugin);
    assert!(
        count >= at_least,
        "{plugin}: expected at least {at_least} golden sets, found {count}"
    );
    assert!(
        problems.is_empty(),
        "golden mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn nis2_suppliers_golden_sets() {
    assert_golden("nis2-suppliers", 5);
}

#[test]
fn anssi_hygiene_golden_sets() {
    assert_golden("anssi-hygiene", 5);
}

#[test]
fn gdpr_offshore_golden_sets() {
    assert_golden("gdpr-offshore", 5);
}
