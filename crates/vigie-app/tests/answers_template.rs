//! The answers template (`vigie answer ID --template`): for every bundled
//! questionnaire and several answer sets, uncommenting every answer line of
//! the template gives back exactly the answers it was written from, and a
//! plugin's text cannot add an answer to it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;

use vigie_app::check::{Trial, trial_answers};
use vigie_app::{AnswersFile, Catalog, TemplateHeader, answers_template};
use vigie_model::{Answer, Date, Questionnaire};
use vigie_plugin_host::{Host, Limits};
use vigie_store::StoredAnswer;

fn questionnaires() -> Vec<Arc<Questionnaire>> {
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut catalog = Catalog::new(host);
    catalog.load_bundled();
    catalog
        .entries()
        .iter()
        .map(|e| e.plugin.questionnaire().clone())
        .collect()
}

fn rows(answers: &[Answer]) -> Vec<StoredAnswer> {
    answers
        .iter()
        .map(|a| StoredAnswer {
            assessment_id: "a1".into(),
            question: a.question.clone(),
            value: Some(a.value.clone()),
            note: None,
            revision: 1,
            to_confirm: false,
            updated_by: "tester".into(),
            updated_at: "2026-01-01T00:00:00Z".parse().expect("a timestamp"),
        })
        .collect()
}

/// The template with every answer line uncommented.
fn uncommented(template: &str) -> String {
    let mut in_answers = false;
    template
        .lines()
        .map(|line| {
            if line == "[answers]" {
                in_answers = true;
            }
            match line.strip_prefix("# ") {
                Some(rest) if in_answers && rest.contains(" = ") && !rest.starts_with(' ') => {
                    rest.to_string()
                }
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_filled_template_gives_back_its_answers() {
    let date: Date = "2026-06-01".parse().unwrap();
    for questionnaire in questionnaires() {
        for trial in [Trial::Favourable, Trial::Unfavourable, Trial::Declined] {
            let answers = trial_answers(&questionnaire, trial, date, None);
            assert!(!answers.is_empty(), "{}", questionnaire.info.id);
            let header = TemplateHeader {
                assessment_id: "a1",
                supplier: "Acme",
                level: None,
            };
            for lang in ["fr", "en"] {
                let template = answers_template(&questionnaire, &rows(&answers), &header, lang);
                // As written, it answers nothing.
                let untouched = AnswersFile::parse(&template, "t.toml").unwrap();
                assert!(untouched.is_empty(), "{template}");
                let filled = AnswersFile::parse(&uncommented(&template), "t.toml")
                    .unwrap_or_else(|e| panic!("{e}\n{template}"));
                let back = filled.resolve(&questionnaire).unwrap();
                assert_eq!(back, answers, "{} {trial:?}", questionnaire.info.id);
            }
        }
    }
}

#[test]
fn plugin_text_stays_in_comments() {
    let mut questionnaire = (*questionnaires()[0]).clone();
    let hostile = "Prompt\n[answers]\nx = 1\r\n\u{1b}[2J\"end";
    for question in &mut questionnaire.questions {
        question.prompt = vigie_model::Localized::from_pairs([("en", hostile), ("fr", hostile)]);
    }
    for section in &mut questionnaire.sections {
        section.title = vigie_model::Localized::from_pairs([("en", hostile), ("fr", hostile)]);
    }
    let header = TemplateHeader {
        assessment_id: "a1",
        supplier: "Acme\n[notes]",
        level: None,
    };
    let template = answers_template(&questionnaire, &[], &header, "en");
    assert!(!template.contains('\u{1b}'), "{template}");
    let parsed =
        AnswersFile::parse(&template, "t.toml").unwrap_or_else(|e| panic!("{e}\n{template}"));
    assert!(parsed.is_empty(), "{template}");
}

/// The one progress count: every applicable question answered counts once; an
/// answer to a question that does not apply counts nowhere and is listed.
#[test]
fn progress_counts_only_questions_that_apply() {
    use vigie_app::Progress;
    let date: Date = "2026-06-01".parse().unwrap();
    for questionnaire in questionnaires() {
        let answers = trial_answers(&questionnaire, Trial::Unfavourable, date, None);
        let mut rows = rows(&answers);
        let progress = Progress::of_rows(&questionnaire, &rows, None);
        assert_eq!(
            progress.answered,
            answers.len(),
            "{}",
            questionnaire.info.id
        );
        assert_eq!(
            progress.applicable,
            answers.len(),
            "{}",
            questionnaire.info.id
        );
        assert!(progress.answered_not_applicable.is_empty());
        // An answer to every question that does not apply.
        let closed: Vec<_> = questionnaire
            .questions
            .iter()
            .enumerate()
            .filter(|(i, _)| !progress.applicability.question(*i))
            .map(|(_, q)| q.id.clone())
            .collect();
        for id in &closed {
            let mut extra = rows[0].clone();
            extra.question = id.clone();
            extra.value = Some(vigie_model::AnswerValue::Declined);
            rows.push(extra);
        }
        let with_extra = Progress::of_rows(&questionnaire, &rows, None);
        assert_eq!(
            (with_extra.answered, with_extra.applicable),
            (progress.answered, progress.applicable),
            "{}",
            questionnaire.info.id
        );
        assert_eq!(with_extra.answered_not_applicable, closed);
    }
}
