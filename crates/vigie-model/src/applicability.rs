//! Which sections and questions apply, given the answers so far and the chosen
//! level. The host evaluates this itself so that the interview never calls into
//! a plugin on a keystroke.

use std::collections::HashMap;

use crate::{AnswerValue, Questionnaire, Test};

/// The applicability of every section and question of a questionnaire.
pub type Applicability = vigie_rules::Applicability;

impl vigie_rules::AnswerView for AnswerValue {
    fn is_declined(&self) -> bool {
        AnswerValue::is_declined(self)
    }
    fn matches(&self, id: &str) -> bool {
        self.matches_value(id)
    }
    fn includes(&self, id: &str) -> bool {
        matches!(self, AnswerValue::Choices(ids) if ids.iter().any(|i| i == id))
    }
    fn number(&self) -> Option<f64> {
        self.as_number()
    }
}

/// A questionnaire with answers by id, as the shared rules read it.
struct View<'a> {
    questionnaire: &'a Questionnaire,
    answers: &'a HashMap<&'a str, &'a AnswerValue>,
    question_index: HashMap<&'a str, usize>,
    section_index: HashMap<&'a str, usize>,
}

impl vigie_rules::Items for View<'_> {
    type Answer = AnswerValue;
    type Str = String;

    fn section_count(&self) -> usize {
        self.questionnaire.sections.len()
    }
    fn question_count(&self) -> usize {
        self.questionnaire.questions.len()
    }
    fn section_of(&self, q: usize) -> Option<usize> {
        self.section_index
            .get(self.questionnaire.questions[q].section.as_str())
            .copied()
    }
    fn levels(&self, item: vigie_rules::Item) -> &[String] {
        match item {
            vigie_rules::Item::Section(s) => &self.questionnaire.sections[s].levels,
            vigie_rules::Item::Question(q) => &self.questionnaire.questions[q].levels,
        }
    }
    fn conditions(
        &self,
        item: vigie_rules::Item,
        each: &mut vigie_rules::ConditionVisitor<'_, String>,
    ) {
        let (alternatives, before) = match item {
            vigie_rules::Item::Section(s) => {
                (&self.questionnaire.sections[s].applicable_when, usize::MAX)
            }
            vigie_rules::Item::Question(q) => (&self.questionnaire.questions[q].applicable_when, q),
        };
        for (alt, all) in alternatives.iter().enumerate() {
            for c in all {
                // Only an earlier question may be named (the host checks it
                // at load; a section's conditions run before its questions).
                let question = self
                    .question_index
                    .get(c.question.as_str())
                    .copied()
                    .filter(|&i| i < before);
                let test = match &c.test {
                    Test::Answered => vigie_rules::Test::Answered,
                    Test::Unanswered => vigie_rules::Test::Unanswered,
                    Test::OneOf(v) => vigie_rules::Test::OneOf(v),
                    Test::NoneOf(v) => vigie_rules::Test::NoneOf(v),
                    Test::Includes(id) => vigie_rules::Test::Includes(id),
                    Test::AtLeast(n) => vigie_rules::Test::AtLeast(*n),
                    Test::Below(n) => vigie_rules::Test::Below(*n),
                };
                each(alt, question, test);
            }
        }
    }
    fn answer(&self, q: usize) -> Option<&AnswerValue> {
        self.answers
            .get(self.questionnaire.questions[q].id.as_str())
            .copied()
    }
}

/// Computes applicability in one pass in interview order
/// ([`vigie_rules::applicability`], which the plugin SDK applies too):
/// conditions only name earlier questions, and the answer of a question that
/// does not apply is ignored by every later condition.
pub fn applicable_items<'a>(
    questionnaire: &'a Questionnaire,
    answers: &HashMap<&'a str, &'a AnswerValue>,
    level: Option<&str>,
) -> Applicability {
    let view = View {
        questionnaire,
        answers,
        question_index: questionnaire
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.as_str(), i))
            .collect(),
        section_index: questionnaire
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect(),
    };
    vigie_rules::applicability(&view, level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    fn q(id: &str, section: &str, when: Vec<Vec<Condition>>) -> Question {
        Question {
            id: id.into(),
            section: section.into(),
            prompt: Localized::default(),
            help: Help::default(),
            kind: AnswerKind::YesNo,
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: when,
            extensions: vec![],
        }
    }

    fn questionnaire() -> Questionnaire {
        let section = |id: &str, levels: Vec<String>| Section {
            id: id.into(),
            title: Localized::default(),
            description: Localized::default(),
            levels,
            applicable_when: vec![],
            extensions: vec![],
        };
        let cond = |question: &str, test: Test| Condition {
            question: question.into(),
            test,
        };
        Questionnaire {
            info: PluginInfo {
                id: "t".into(),
                version: "1.0.0".into(),
                name: Localized::default(),
                description: Localized::default(),
                authors: vec![],
                languages: vec!["fr".into()],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![section("a", vec![]), section("b", vec!["high".into()])],
            questions: vec![
                q("has-sub", "a", vec![]),
                q(
                    "sub-list",
                    "a",
                    vec![vec![cond("has-sub", Test::OneOf(vec!["yes".into()]))]],
                ),
                q(
                    "sub-audit",
                    "a",
                    vec![
                        vec![cond("sub-list", Test::Answered)],
                        vec![cond("has-sub", Test::Unanswered)],
                    ],
                ),
                q("level-only", "b", vec![]),
            ],
            criteria: vec![],
        }
    }

    #[test]
    fn follows_answers_and_hides_chains() {
        let qn = questionnaire();
        let yes = AnswerValue::YesNo(YesNo::Yes);
        let no = AnswerValue::YesNo(YesNo::No);
        let mut answers = HashMap::new();
        let a = applicable_items(&qn, &answers, None);
        assert_eq!(a.questions, vec![true, false, true, true]);
        answers.insert("has-sub", &yes);
        answers.insert("sub-list", &yes);
        let a = applicable_items(&qn, &answers, None);
        assert_eq!(a.questions, vec![true, true, true, true]);
        // Changing the first answer hides sub-list, so its stale answer no longer counts.
        answers.insert("has-sub", &no);
        let a = applicable_items(&qn, &answers, None);
        assert_eq!(a.questions, vec![true, false, false, true]);
    }

    #[test]
    fn levels_restrict_sections() {
        let qn = questionnaire();
        let answers = HashMap::new();
        assert_eq!(
            applicable_items(&qn, &answers, Some("low")).sections,
            vec![true, false]
        );
        assert_eq!(
            applicable_items(&qn, &answers, Some("high")).sections,
            vec![true, true]
        );
        assert!(!applicable_items(&qn, &answers, Some("low")).question(3));
    }
}
