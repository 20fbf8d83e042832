//! Applicability conditions in words a supplier reads in a spreadsheet ("answer only if 3.2
//! is no").

use std::collections::HashMap;

use vigie_model::{Condition, Question, Questionnaire, Test, YesNo};

use crate::{Lang, WorkbookWords};

/// `when` (alternatives of conditions that must all hold) as a sentence, naming questions by
/// the reference `numbers` gives them in the workbook (else by id). Empty when the question
/// always applies.
pub fn applicability_hint(
    questionnaire: &Questionnaire,
    when: &[Vec<Condition>],
    numbers: &HashMap<String, String>,
    lang: Lang,
) -> String {
    if when.is_empty() {
        return String::new();
    }
    let alternatives: Vec<String> = when
        .iter()
        .map(|all| {
            all.iter()
                .map(|c| condition(questionnaire, c, numbers, lang))
                .collect::<Vec<_>>()
                .join(lang.pick(" et ", " and "))
        })
        .collect();
    let or = lang.pick(", ou si ", ", or if ");
    format!(
        "{}{}.",
        lang.pick("Répondez seulement si ", "Answer only if "),
        alternatives.join(or)
    )
}

fn condition(
    questionnaire: &Questionnaire,
    c: &Condition,
    numbers: &HashMap<String, String>,
    lang: Lang,
) -> String {
    let question = questionnaire.question(&c.question);
    let name = numbers
        .get(&c.question)
        .cloned()
        .unwrap_or_else(|| c.question.clone());
    let value = |id: &str| value_label(question, id, lang);
    let values = |ids: &[String]| {
        ids.iter()
            .map(|id| value(id))
            .collect::<Vec<_>>()
            .join(lang.pick(" ou ", " or "))
    };
    match &c.test {
        Test::Answered => format!("{name} {}", lang.pick("a une réponse", "is answered")),
        Test::Unanswered => format!("{name} {}", lang.pick("est sans réponse", "is unanswered")),
        Test::OneOf(ids) => format!("{name} {} {}", lang.pick("est", "is"), values(ids)),
        Test::NoneOf(ids) => format!(
            "{name} {} {}",
            lang.pick("a une réponse autre que", "is answered other than"),
            values(ids)
        ),
        Test::Includes(id) => format!("{name} {} {}", lang.pick("inclut", "includes"), value(id)),
        Test::AtLeast(n) => format!("{name} ≥ {n}"),
        Test::Below(n) => format!("{name} < {n}"),
    }
}

/// The label of a yes-no id or a choice id of `question`, quoted, in `lang`.
fn value_label(question: Option<&Question>, id: &str, lang: Lang) -> String {
    let yes_no = YesNo::ALL.into_iter().find(|v| v.id() == id);
    let label = match (yes_no, question) {
        (Some(v), _) => lang.yes_no(v).to_string(),
        (None, Some(q)) => q
            .kind
            .choices()
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.label.get(lang.id()).to_string())
            .unwrap_or_else(|| id.to_string()),
        (None, None) => id.to_string(),
    };
    lang.quoted(&label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::{AnswerKind, Choice, Help, Localized, PluginInfo};

    fn question(id: &str, kind: AnswerKind) -> Question {
        Question {
            id: id.into(),
            section: "s".into(),
            prompt: Localized::default(),
            help: Help::default(),
            kind,
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![],
        }
    }

    #[test]
    fn conditions_read_as_a_sentence_in_both_languages() {
        let qn = Questionnaire {
            info: PluginInfo {
                id: "t".into(),
                version: "1".into(),
                name: Localized::default(),
                description: Localized::default(),
                authors: vec![],
                languages: vec![],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![],
            questions: vec![
                question("byod", AnswerKind::YesNo),
                question(
                    "hosting",
                    AnswerKind::SingleChoice(vec![Choice {
                        id: "cloud".into(),
                        label: Localized::from_pairs([("fr", "Nuage"), ("en", "Cloud")]),
                    }]),
                ),
            ],
            criteria: vec![],
        };
        let numbers = HashMap::from([("byod".to_string(), "3.2".to_string())]);
        let when = vec![
            vec![Condition {
                question: "byod".into(),
                test: Test::OneOf(vec!["no".into()]),
            }],
            vec![
                Condition {
                    question: "hosting".into(),
                    test: Test::OneOf(vec!["cloud".into()]),
                },
                Condition {
                    question: "byod".into(),
                    test: Test::Unanswered,
                },
            ],
        ];
        assert_eq!(
            applicability_hint(&qn, &when, &numbers, Lang::En),
            "Answer only if 3.2 is \"no\", or if hosting is \"Cloud\" and 3.2 is unanswered."
        );
        assert_eq!(
            applicability_hint(&qn, &when[..1], &numbers, Lang::Fr),
            "Répondez seulement si 3.2 est « non »."
        );
        assert_eq!(applicability_hint(&qn, &[], &numbers, Lang::Fr), "");
    }
}
