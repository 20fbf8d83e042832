//! Which sections and questions apply, given the answers so far and the chosen
//! level. The host evaluates this itself so that the interview never calls into
//! a plugin on a keystroke.

use std::collections::HashMap;

use crate::{AnswerValue, Condition, Questionnaire, Test};

/// The applicability of every section and question of a questionnaire.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Applicability {
    /// One flag per section, in questionnaire order.
    pub sections: Vec<bool>,
    /// One flag per question, in questionnaire order.
    pub questions: Vec<bool>,
}

impl Applicability {
    pub fn question(&self, index: usize) -> bool {
        self.questions.get(index).copied().unwrap_or(false)
    }
}

fn level_matches(levels: &[String], level: Option<&str>) -> bool {
    match level {
        Some(level) if !levels.is_empty() => levels.iter().any(|l| l == level),
        _ => true,
    }
}

fn test_holds(test: &Test, answer: Option<&AnswerValue>) -> bool {
    let answered = answer.filter(|a| !a.is_declined());
    match test {
        Test::Answered => answered.is_some(),
        Test::Unanswered => answered.is_none(),
        Test::OneOf(values) => answered.is_some_and(|a| values.iter().any(|v| a.matches_value(v))),
        Test::NoneOf(values) => {
            answered.is_some_and(|a| !values.iter().any(|v| a.matches_value(v)))
        }
        Test::Includes(id) => {
            matches!(answered, Some(AnswerValue::Choices(ids)) if ids.contains(id))
        }
        Test::AtLeast(n) => answered
            .and_then(AnswerValue::as_number)
            .is_some_and(|v| v >= *n),
        Test::Below(n) => answered
            .and_then(AnswerValue::as_number)
            .is_some_and(|v| v < *n),
    }
}

fn holds(alternatives: &[Vec<Condition>], effective: &HashMap<&str, &AnswerValue>) -> bool {
    alternatives.is_empty()
        || alternatives.iter().any(|all| {
            all.iter()
                .all(|c| test_holds(&c.test, effective.get(c.question.as_str()).copied()))
        })
}

/// Computes applicability in one pass in interview order: conditions only name
/// earlier questions, and the answer of a question that does not apply is
/// ignored by every later condition.
pub fn applicable_items<'a>(
    questionnaire: &'a Questionnaire,
    answers: &HashMap<&'a str, &'a AnswerValue>,
    level: Option<&str>,
) -> Applicability {
    let mut effective: HashMap<&str, &AnswerValue> = HashMap::new();
    let section_index: HashMap<&str, usize> = questionnaire
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut sections: Vec<Option<bool>> = vec![None; questionnaire.sections.len()];
    let mut questions = Vec::with_capacity(questionnaire.questions.len());
    for question in &questionnaire.questions {
        let section_applies = match section_index.get(question.section.as_str()) {
            Some(&i) => *sections[i].get_or_insert_with(|| {
                let s = &questionnaire.sections[i];
                level_matches(&s.levels, level) && holds(&s.applicable_when, &effective)
            }),
            None => false,
        };
        let applies = section_applies
            && level_matches(&question.levels, level)
            && holds(&question.applicable_when, &effective);
        if applies && let Some(value) = answers.get(question.id.as_str()) {
            effective.insert(question.id.as_str(), value);
        }
        questions.push(applies);
    }
    // A section with no question is decided on the final answers.
    let sections = sections
        .into_iter()
        .zip(&questionnaire.sections)
        .map(|(flag, s)| {
            flag.unwrap_or_else(|| {
                level_matches(&s.levels, level) && holds(&s.applicable_when, &effective)
            })
        })
        .collect();
    Applicability {
        sections,
        questions,
    }
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
