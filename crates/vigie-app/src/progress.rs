//! How far an interview is: the one count the command line, the workbench and
//! the reports share, so they never disagree. Only questions that apply count;
//! an answer stored for a question that no longer applies (it can remain after
//! another answer changed) is neither progress nor scored, and is listed apart.

use std::collections::HashMap;

use vigie_model::{AnswerValue, Applicability, Condition, Questionnaire, Test, applicable_items};
use vigie_store::StoredAnswer;

/// The progress of one assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Which sections and questions apply, given the answers and the level.
    pub applicability: Applicability,
    /// Applicable questions with an answer (a declined answer counts: it is one).
    pub answered: usize,
    /// Questions that apply.
    pub applicable: usize,
    /// Ids of the questions that do not apply but have a stored answer, in
    /// questionnaire order.
    pub answered_not_applicable: Vec<String>,
}

impl Progress {
    /// Computes the progress from `values` (question id → answer).
    pub fn of(
        questionnaire: &Questionnaire,
        values: &HashMap<&str, &AnswerValue>,
        level: Option<&str>,
    ) -> Progress {
        Progress::with(
            questionnaire,
            applicable_items(questionnaire, values, level),
            values,
        )
    }

    /// The counts for an applicability already computed from `values`.
    pub fn with(
        questionnaire: &Questionnaire,
        applicability: Applicability,
        values: &HashMap<&str, &AnswerValue>,
    ) -> Progress {
        let mut answered = 0;
        let mut applicable = 0;
        let mut answered_not_applicable = Vec::new();
        for (index, question) in questionnaire.questions.iter().enumerate() {
            let has_value = values.contains_key(question.id.as_str());
            if applicability.question(index) {
                applicable += 1;
                answered += usize::from(has_value);
            } else if has_value {
                answered_not_applicable.push(question.id.clone());
            }
        }
        Progress {
            applicability,
            answered,
            applicable,
            answered_not_applicable,
        }
    }

    /// [`Progress::of`] the stored rows (those with a value).
    pub fn of_rows(
        questionnaire: &Questionnaire,
        rows: &[StoredAnswer],
        level: Option<&str>,
    ) -> Progress {
        Progress::of(questionnaire, &values_of(rows), level)
    }

    /// Whether question `id` applies.
    pub fn applies(&self, questionnaire: &Questionnaire, id: &str) -> bool {
        questionnaire
            .question_index(id)
            .is_some_and(|i| self.applicability.question(i))
    }
}

/// Question id → value, for the rows that hold one.
pub fn values_of(rows: &[StoredAnswer]) -> HashMap<&str, &AnswerValue> {
    rows.iter()
        .filter_map(|r| r.value.as_ref().map(|v| (r.question.as_str(), v)))
        .collect()
}

/// Why question `id` does not apply, in a sentence (for an answer refused at input).
pub fn why_not_applicable(questionnaire: &Questionnaire, id: &str, level: Option<&str>) -> String {
    let Some(question) = questionnaire.question(id) else {
        return format!("`{id}` is not a question of {}", questionnaire.info.id);
    };
    let section = questionnaire
        .sections
        .iter()
        .find(|s| s.id == question.section);
    let outside_level = |levels: &[String]| {
        level.is_some_and(|l| !levels.is_empty() && !levels.iter().any(|x| x == l))
    };
    let reason = if let Some(level) = level.filter(|_| outside_level(&question.levels)) {
        format!("it is not asked at level {level}")
    } else if let Some(section) = section.filter(|s| outside_level(&s.levels)) {
        format!(
            "its section `{}` is not asked at level {}",
            section.id,
            level.unwrap_or_default()
        )
    } else if let Some(section) = section.filter(|s| !s.applicable_when.is_empty()) {
        format!(
            "its section `{}` applies only when {}",
            section.id,
            alternatives(&section.applicable_when)
        )
    } else if !question.applicable_when.is_empty() {
        format!(
            "it applies only when {}",
            alternatives(&question.applicable_when)
        )
    } else {
        "its section does not apply".to_string()
    };
    format!(
        "`{id}` does not apply to this assessment with the answers given so far: {reason}; \
         answer those first (`vigie answer ASSESSMENT --template` lists the questions that apply)"
    )
}

fn alternatives(alternatives: &[Vec<Condition>]) -> String {
    alternatives
        .iter()
        .map(|all| {
            all.iter()
                .map(|c| {
                    let q = &c.question;
                    match &c.test {
                        Test::Answered => format!("{q} is answered"),
                        Test::Unanswered => format!("{q} is unanswered"),
                        Test::OneOf(v) => format!("{q} is {}", v.join(" or ")),
                        Test::NoneOf(v) => format!("{q} is answered and not {}", v.join(" or ")),
                        Test::Includes(v) => format!("{q} includes {v}"),
                        Test::AtLeast(n) => format!("{q} is at least {n}"),
                        Test::Below(n) => format!("{q} is below {n}"),
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or when ")
}
