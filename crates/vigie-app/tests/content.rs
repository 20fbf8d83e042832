//! The bundled questionnaires as the host sees them (through `describe` of
//! the real plugins): French and English everywhere, references that
//! resolve, and every measure or article the issue lists covered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::collections::BTreeSet;
use std::sync::Arc;

use vigie_app::Catalog;
use vigie_model::Questionnaire;
use vigie_plugin_host::{Host, Limits};

fn questionnaires() -> Vec<Arc<Questionnaire>> {
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut catalog = Catalog::new(host);
    catalog.load_bundled();
    assert!(catalog.failures.is_empty(), "{:?}", catalog.failures);
    catalog
        .entries()
        .iter()
        .map(|e| e.plugin.questionnaire().clone())
        .collect()
}

fn by_id(id: &str) -> Arc<Questionnaire> {
    questionnaires()
        .into_iter()
        .find(|q| q.info.id == id)
        .unwrap_or_else(|| panic!("no bundled {id}"))
}

fn tags(ext: &[vigie_model::Extension]) -> Vec<String> {
    ext.iter()
        .filter(|e| e.key == "tags")
        .flat_map(|e| e.value.split(',').map(str::to_string))
        .collect()
}

/// Clauses cited by questions, for one framework.
fn cited(q: &Questionnaire, framework: &str) -> BTreeSet<String> {
    q.questions
        .iter()
        .flat_map(|question| question.references.iter())
        .filter(|r| r.framework == framework)
        .map(|r| r.clause.clone())
        .collect()
}

/// Ids are unique where the host and the database look them up (sections,
/// questions, criteria, frameworks, levels, and the options of a question),
/// and every text of the questionnaire, beyond prompts and criteria, has
/// both languages: names, section titles, option labels, units, levels.
#[test]
fn ids_are_unique_and_every_label_is_in_french_and_english() {
    fn unique<'a>(what: &str, plugin: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for id in ids {
            assert!(seen.insert(id), "{plugin}: {what} id `{id}` is used twice");
        }
    }
    for q in &questionnaires() {
        let plugin = q.info.id.as_str();
        unique("section", plugin, q.sections.iter().map(|x| x.id.as_str()));
        unique(
            "question",
            plugin,
            q.questions.iter().map(|x| x.id.as_str()),
        );
        unique(
            "criterion",
            plugin,
            q.criteria.iter().map(|x| x.id.as_str()),
        );
        unique(
            "framework",
            plugin,
            q.info.frameworks.iter().map(|x| x.id.as_str()),
        );
        unique("level", plugin, q.info.levels.iter().map(|x| x.id.as_str()));
        let both = |what: String, text: &vigie_model::Localized| {
            assert!(
                text.has("fr") && text.has("en"),
                "{plugin}: {what} is not in French and English"
            );
        };
        both("the name".into(), &q.info.name);
        both("the description".into(), &q.info.description);
        for f in &q.info.frameworks {
            both(format!("framework {}", f.id), &f.title);
        }
        for l in &q.info.levels {
            both(format!("level {} name", l.id), &l.name);
            both(format!("level {} description", l.id), &l.description);
        }
        for section in &q.sections {
            both(format!("section {} title", section.id), &section.title);
        }
        for question in &q.questions {
            let choices = question.kind.choices();
            unique(
                &format!("option of {}", question.id),
                plugin,
                choices.iter().map(|c| c.id.as_str()),
            );
            for c in choices {
                both(format!("option {} of {}", c.id, question.id), &c.label);
            }
            if let vigie_model::AnswerKind::Integer(b) | vigie_model::AnswerKind::Decimal(b) =
                &question.kind
                && let Some(unit) = &b.unit
            {
                both(format!("unit of {}", question.id), unit);
            }
            assert!(
                q.sections.iter().any(|s| s.id == question.section),
                "{plugin}: question {} is in no section",
                question.id
            );
        }
    }
}

#[test]
fn every_text_is_in_french_and_english_and_references_resolve() {
    let all = questionnaires();
    assert_eq!(all.len(), 3);
    for q in &all {
        assert_eq!(q.info.languages, ["fr", "en"], "{}", q.info.id);
        for question in &q.questions {
            for (field, text) in [
                ("prompt", &question.prompt),
                ("why", &question.help.why),
                ("evidence", &question.help.evidence),
            ] {
                assert!(
                    text.has("fr") && text.has("en"),
                    "{} question {} {field}",
                    q.info.id,
                    question.id
                );
            }
            assert!(
                !question.references.is_empty() || question.criteria.is_empty(),
                "{} question {} cites nothing",
                q.info.id,
                question.id
            );
            for r in &question.references {
                assert!(
                    q.framework(&r.framework).is_some(),
                    "{} question {}: {}",
                    q.info.id,
                    question.id,
                    r.label()
                );
            }
            for c in &question.criteria {
                assert!(
                    q.criterion(c).is_some(),
                    "{} question {}: criterion {c}",
                    q.info.id,
                    question.id
                );
            }
        }
        for c in &q.criteria {
            assert!(
                c.title.has("fr") && c.title.has("en"),
                "{} criterion {}",
                q.info.id,
                c.id
            );
            assert!(
                c.description.has("fr") && c.description.has("en"),
                "{} criterion {}",
                q.info.id,
                c.id
            );
            assert!(
                !c.references.is_empty(),
                "{} criterion {} cites nothing",
                q.info.id,
                c.id
            );
            assert!(
                q.questions
                    .iter()
                    .any(|question| question.criteria.contains(&c.id)),
                "{} criterion {} has no question",
                q.info.id,
                c.id
            );
        }
    }
}

#[test]
fn nis2_covers_the_ten_measures_and_the_seven_seed_criteria() {
    let q = by_id("nis2-suppliers");
    let clauses = cited(&q, "nis2");
    let measures: Vec<String> = ('a'..='j').map(|l| format!("art. 21(2)({l})")).collect();
    let covered = measures.iter().filter(|m| clauses.contains(*m)).count();
    assert_eq!(covered, 10, "art. 21(2) points cited: {clauses:?}");
    let seed: Vec<&str> = q
        .criteria
        .iter()
        .filter(|c| tags(&c.extensions).iter().any(|t| t == "seed-criterion"))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(seed.len(), 7, "{seed:?}");
    assert!(
        q.criteria
            .iter()
            .filter(|c| c.id.starts_with("m21-"))
            .count()
            == 10
    );
}

#[test]
fn anssi_covers_42_measures_in_10_themes_with_levels() {
    let q = by_id("anssi-hygiene");
    let clauses = cited(&q, "anssi-hygiene");
    let covered = (1..=42)
        .filter(|n| clauses.contains(&n.to_string()))
        .count();
    assert_eq!(covered, 42, "measures cited: {clauses:?}");
    let measures: Vec<_> = q
        .criteria
        .iter()
        .filter(|c| tags(&c.extensions).iter().any(|t| t == "anssi-measure"))
        .collect();
    assert_eq!(measures.len(), 42);
    let per_theme: Vec<usize> = (1..=10)
        .map(|t| {
            let section = format!("theme-{t}");
            q.questions
                .iter()
                .filter(|question| question.section == section)
                .flat_map(|question| question.criteria.iter())
                .filter(|c| c.starts_with('m') && c.len() == 3)
                .collect::<BTreeSet<_>>()
                .len()
        })
        .collect();
    assert_eq!(per_theme, [3, 4, 6, 5, 8, 3, 4, 2, 5, 2]);
    let renforce_only: Vec<&str> = measures
        .iter()
        .filter(|c| c.levels == ["renforce"])
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(renforce_only, ["m38", "m41", "m42"]);
    assert_eq!(q.info.levels.len(), 2);
}

#[test]
fn gdpr_covers_article_28_3_and_the_nine_seed_clauses() {
    let q = by_id("gdpr-offshore");
    let clauses = cited(&q, "rgpd");
    let covered = ('a'..='h')
        .filter(|l| clauses.contains(&format!("art. 28(3)({l})")))
        .count();
    assert_eq!(covered, 8, "{clauses:?}");
    let seed_clauses: BTreeSet<String> = q
        .questions
        .iter()
        .flat_map(|question| tags(&question.extensions))
        .filter(|t| t.starts_with("seed-clause-"))
        .collect();
    assert_eq!(seed_clauses.len(), 9, "{seed_clauses:?}");
    assert_eq!(
        q.criteria
            .iter()
            .filter(|c| c.id.starts_with("a28-3-"))
            .count(),
        8
    );
    let adequacy = q
        .info
        .extensions
        .iter()
        .find(|e| e.key == "adequacy-list-as-of");
    assert!(
        adequacy.is_some_and(|e| e.value.parse::<vigie_model::Date>().is_ok()),
        "the adequacy list carries its date"
    );
}

/// `vigie plugin check` runs on the bundled plugins as on an author's: every
/// trial answer set (empty, favourable, unfavourable, all declined, at every
/// level) loads, evaluates and passes the output checks.
#[test]
fn plugin_check_accepts_every_bundled_plugin() {
    let host = Host::new(Limits::default(), None).expect("engine");
    let date = vigie_model::Date::new(2026, 11, 23).expect("date");
    for bundled in vigie_bundled::BUNDLED {
        let report = vigie_app::check::check_plugin(&host, bundled.bytes, bundled.name, date)
            .unwrap_or_else(|e| panic!("{}: {e}", bundled.name));
        assert!(
            report.trials.len() >= 4,
            "{}: {} trials",
            bundled.name,
            report.trials.len()
        );
        // The generated interviews (dates 2025–2035, single refusals) ran
        // and reached several verdicts.
        assert!(
            report.generated >= 30,
            "{}: {}",
            bundled.name,
            report.generated
        );
        assert!(
            report.verdicts.len() >= 2,
            "{}: verdicts reached {:?}",
            bundled.name,
            report.verdicts
        );
        // Every property ran on the bounded number of cases, with every
        // question's scoring published by the SDK.
        assert_eq!(
            report.property_cases,
            vigie_app::check::PROPERTY_CASES,
            "{}",
            bundled.name
        );
        assert!(
            report.property_comparisons >= report.property_cases,
            "{}: {} comparisons",
            bundled.name,
            report.property_comparisons
        );
        assert_eq!(report.undeclared_questions, 0, "{}", bundled.name);
        eprintln!(
            "{}: {} property cases, {} comparisons, verdicts {:?}",
            bundled.name, report.property_cases, report.property_comparisons, report.verdicts
        );
    }
}

/// References read in the language of the output: no `RGPD`, `étape`,
/// `annexe` or `mesure` in English, as auditors saw in the workbench and
/// the reports (`Réf. RGPD art. 44`, `EDPB étape 1`, `CCT-2021 annexe I.B`).
#[test]
fn references_read_in_the_output_language() {
    let french_words = [
        "RGPD",
        "CEPD",
        "CCT",
        "étape",
        "annexe",
        "mesure",
        "hygiène",
        "infogérance",
        "conso.",
    ];
    for q in questionnaires() {
        let references = q
            .questions
            .iter()
            .flat_map(|x| &x.references)
            .chain(q.criteria.iter().flat_map(|c| &c.references));
        for r in references {
            let en = q.reference_label(r, "en");
            assert!(
                !french_words.iter().any(|w| en.contains(w)),
                "{}: `{}:{}` reads `{en}` in English",
                q.info.id,
                r.framework,
                r.clause
            );
        }
    }
    let gdpr = by_id("gdpr-offshore");
    let label = |framework: &str, clause: &str, lang: &str| {
        gdpr.reference_label(
            &vigie_model::Reference {
                framework: framework.into(),
                clause: clause.into(),
            },
            lang,
        )
    };
    assert_eq!(label("rgpd", "art. 44", "en"), "GDPR art. 44");
    assert_eq!(label("rgpd", "art. 44", "fr"), "RGPD art. 44");
    assert_eq!(label("edpb", "1", "en"), "EDPB 01/2020, step 1");
    assert_eq!(label("edpb", "1", "fr"), "CEPD 01/2020, étape 1");
    assert_eq!(label("cct-2021", "ann. I.B", "en"), "SCC 2021 ann. I.B");
}

/// NIS2: the client's class is derived from the scope answers and proposed
/// at `client-entity-class`, for the auditor to confirm.
#[test]
fn nis2_proposes_the_derived_entity_class() {
    use vigie_model::{Answer, AnswerValue, EvalContext};
    let host = Host::new(Limits::default(), None).expect("engine");
    let mut catalog = Catalog::new(Arc::new(host));
    catalog.load_bundled();
    let entry = catalog.find("nis2-suppliers").expect("bundled");
    let context = EvalContext {
        assessment_date: vigie_model::Date::new(2026, 11, 23).expect("date"),
        language: "en".into(),
        level: None,
    };
    let answer = |q: &str, value: AnswerValue| Answer {
        question: q.into(),
        value,
        note: None,
    };
    let scope = [
        answer("client-staff", AnswerValue::Integer(1200)),
        answer("client-turnover", AnswerValue::Decimal(300.0)),
        answer("client-balance", AnswerValue::Decimal(200.0)),
        answer("client-sector", AnswerValue::Choice("energy".into())),
    ];
    let e = catalog
        .host()
        .evaluate(&entry.plugin, &scope, &context)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        e.suggested_answer("client-entity-class"),
        Some(("essential", Some("art. 3(1)(a)")))
    );
    // Nothing to propose while the size is unknown.
    let e = catalog
        .host()
        .evaluate(&entry.plugin, &scope[3..], &context)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.suggested_answer("client-entity-class"), None);
}
