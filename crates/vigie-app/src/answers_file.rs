//! Answers files: the TOML an auditor gives to `vigie answer --file`, and the
//! golden answer sets of the bundled questionnaires (same `[answers]` table,
//! plus what an auditor expects).
//!
//! ```toml
//! [answers]
//! iso-certified = "yes"          # yes / no / partial / unknown / declined, or a choice id
//! iso-expiry = "2027-03-31"      # dates as YYYY-MM-DD
//! training-participation-rate = 85
//! supplier-sites = ["france", "outside-eu"]
//!
//! [notes]
//! iso-certified = "Certificate seen, issued by an accredited body"
//! ```
//!
//! An id with dots needs quotes (`"policy.exists" = "yes"`): unquoted, TOML
//! reads a table `policy` with a key `exists`, and the error says so.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use vigie_model::{Answer, AnswerKind, AnswerValue, Date, Questionnaire};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnswersFileError {
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}:{line}: `{question}` is not a question of {plugin}")]
    UnknownQuestion {
        path: String,
        line: usize,
        question: String,
        plugin: String,
    },
    #[error("{path}:{line}: {reason}")]
    NotApplicable {
        path: String,
        line: usize,
        question: String,
        reason: String,
    },
    #[error("{path}:{line}: `{question}`: {detail}")]
    BadValue {
        path: String,
        line: usize,
        question: String,
        detail: String,
    },
}

/// What a golden answer set expects.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub verdict: Option<String>,
    pub score_at_least: Option<f64>,
    pub score_below: Option<f64>,
    #[serde(default)]
    pub findings_include: Vec<String>,
    #[serde(default)]
    pub criteria: BTreeMap<String, String>,
    /// Criterion id → words its rationale must contain (in French).
    #[serde(default)]
    pub rationale_includes: BTreeMap<String, String>,
    /// Finding id (or criterion id) → the deadline the finding suggests, in days.
    #[serde(default)]
    pub deadline_days: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    description: Option<String>,
    assessment_date: Option<Spanned<String>>,
    level: Option<String>,
    answers: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    notes: BTreeMap<String, Spanned<String>>,
    expect: Option<Expectation>,
}

/// A parsed answers file, not yet checked against a questionnaire.
#[derive(Debug)]
pub struct AnswersFile {
    path: String,
    source: String,
    pub description: Option<String>,
    pub assessment_date: Option<Date>,
    pub level: Option<String>,
    pub expect: Option<Expectation>,
    answers: Vec<(String, Spanned<toml::Value>)>,
    notes: BTreeMap<String, Spanned<String>>,
}

fn line_of(source: &str, span: Range<usize>) -> usize {
    source[..span.start.min(source.len())].matches('\n').count() + 1
}

impl AnswersFile {
    /// Parses `source`; `path` names the file in errors.
    pub fn parse(source: &str, path: &str) -> Result<AnswersFile, AnswersFileError> {
        let raw: Raw = toml::from_str(source).map_err(|e| AnswersFileError::Syntax {
            path: path.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let assessment_date = match raw.assessment_date {
            None => None,
            Some(d) => {
                Some(
                    d.get_ref()
                        .parse::<Date>()
                        .map_err(|e| AnswersFileError::BadValue {
                            path: path.to_string(),
                            line: line_of(source, d.span()),
                            question: "assessment_date".into(),
                            detail: e.to_string(),
                        })?,
                )
            }
        };
        let mut answers: Vec<(String, Spanned<toml::Value>)> = raw.answers.into_iter().collect();
        answers.sort_by_key(|(_, v)| v.span().start);
        Ok(AnswersFile {
            path: path.to_string(),
            source: source.to_string(),
            description: raw.description,
            assessment_date,
            level: raw.level,
            expect: raw.expect,
            answers,
            notes: raw.notes,
        })
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// [`AnswersFile::resolve`], then checks every answer against the
    /// assessment it is for (no past-event date after `assessment_date`);
    /// the first problem is reported with the file and line.
    pub fn resolve_on(
        &self,
        questionnaire: &Questionnaire,
        assessment_date: Date,
    ) -> Result<Vec<Answer>, AnswersFileError> {
        let answers = self.resolve(questionnaire)?;
        for answer in &answers {
            let Some(question) = questionnaire.question(&answer.question) else {
                continue;
            };
            if let Err(e) = answer.value.check_on(question, assessment_date) {
                let line = self
                    .answers
                    .iter()
                    .find(|(q, _)| *q == answer.question)
                    .map_or(0, |(_, v)| line_of(&self.source, v.span()));
                return Err(AnswersFileError::BadValue {
                    path: self.path.clone(),
                    line,
                    question: answer.question.clone(),
                    detail: e.to_string(),
                });
            }
        }
        Ok(answers)
    }

    /// Refuses an answer of the file (resolved into `answers`) to a question that
    /// does not apply once the file's answers replace the stored ones (`stored`):
    /// it would be neither scored nor counted. The first one is reported with the
    /// file and line.
    pub fn check_applicable(
        &self,
        questionnaire: &Questionnaire,
        answers: &[Answer],
        stored: &[vigie_store::StoredAnswer],
        level: Option<&str>,
    ) -> Result<(), AnswersFileError> {
        let mut values = crate::progress::values_of(stored);
        for answer in answers {
            values.insert(answer.question.as_str(), &answer.value);
        }
        let progress = crate::Progress::of(questionnaire, &values, level);
        for answer in answers {
            if !progress.applies(questionnaire, &answer.question) {
                let line = self
                    .answers
                    .iter()
                    .find(|(q, _)| *q == answer.question)
                    .map_or(0, |(_, v)| line_of(&self.source, v.span()));
                return Err(AnswersFileError::NotApplicable {
                    path: self.path.clone(),
                    line,
                    question: answer.question.clone(),
                    reason: crate::progress::why_not_applicable(
                        questionnaire,
                        &answer.question,
                        level,
                    ),
                });
            }
        }
        Ok(())
    }

    /// Checks every answer against `questionnaire` and converts it; the first
    /// problem is reported with the file and line.
    pub fn resolve(&self, questionnaire: &Questionnaire) -> Result<Vec<Answer>, AnswersFileError> {
        let mut out = Vec::with_capacity(self.answers.len());
        for (question_id, value) in &self.answers {
            let line = line_of(&self.source, value.span());
            // `policy.exists = "yes"` without quotes is, in TOML, the key
            // `exists` of a table `policy`: say how to write a dotted id.
            if let toml::Value::Table(table) = value.get_ref()
                && questionnaire.question(question_id).is_none()
            {
                let dotted = table.keys().next().map_or_else(
                    || format!("{question_id}.…"),
                    |k| format!("{question_id}.{k}"),
                );
                return Err(AnswersFileError::BadValue {
                    path: self.path.clone(),
                    line,
                    question: question_id.clone(),
                    detail: format!(
                        "not a question but a TOML table: an id with dots needs quotes, \
                         write \"{dotted}\" = … (unquoted, `{dotted} = …` means key `{}` of a table `{question_id}`)",
                        dotted.rsplit('.').next().unwrap_or_default()
                    ),
                });
            }
            let question = questionnaire.question(question_id).ok_or_else(|| {
                AnswersFileError::UnknownQuestion {
                    path: self.path.clone(),
                    line,
                    question: question_id.clone(),
                    plugin: questionnaire.info.id.clone(),
                }
            })?;
            let bad = |detail: String| AnswersFileError::BadValue {
                path: self.path.clone(),
                line,
                question: question_id.clone(),
                detail,
            };
            let parsed = value_of(&question.kind, value.get_ref()).map_err(bad)?;
            out.push(Answer {
                question: question_id.clone(),
                value: parsed,
                note: self.notes.get(question_id).map(|n| n.get_ref().clone()),
            });
        }
        for (question_id, note) in &self.notes {
            if !self.answers.iter().any(|(q, _)| q == question_id) {
                return Err(AnswersFileError::BadValue {
                    path: self.path.clone(),
                    line: line_of(&self.source, note.span()),
                    question: question_id.clone(),
                    detail: "a note without an answer in [answers]".into(),
                });
            }
        }
        Ok(out)
    }
}

fn value_of(kind: &AnswerKind, value: &toml::Value) -> Result<AnswerValue, String> {
    let parsed = match value {
        toml::Value::String(s) => AnswerValue::parse(kind, s).map_err(|e| e.to_string())?,
        toml::Value::Integer(i) => match kind {
            AnswerKind::Decimal(_) => AnswerValue::Decimal(*i as f64),
            _ => AnswerValue::Integer(*i),
        },
        toml::Value::Float(f) => AnswerValue::Decimal(*f),
        toml::Value::Array(items) => AnswerValue::Choices(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or("a list of choice ids must hold strings")
                })
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Boolean(b) => {
            AnswerValue::parse(kind, if *b { "yes" } else { "no" }).map_err(|e| e.to_string())?
        }
        other => return Err(format!("a {} value cannot be an answer", other.type_str())),
    };
    parsed.validate(kind).map_err(|e| e.to_string())?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_file_and_line() {
        let src = "[answers]\nfoo = \"yes\"\n\nbar = 12\n";
        let file = AnswersFile::parse(src, "a.toml").unwrap();
        assert_eq!(file.len(), 2);
        assert_eq!(line_of(src, file.answers[1].1.span()), 4);
        let err = AnswersFile::parse("[answers]\nfoo = \n", "b.toml").unwrap_err();
        assert!(matches!(err, AnswersFileError::Syntax { .. }));
        assert!(err.to_string().starts_with("b.toml: "));
    }

    #[test]
    fn an_unquoted_dotted_id_gets_a_hint() {
        use vigie_model::*;
        let question = |id: &str| Question {
            id: id.into(),
            section: "s".into(),
            prompt: Localized::default(),
            help: Help::default(),
            kind: AnswerKind::YesNo,
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![],
        };
        let questionnaire = Questionnaire {
            info: PluginInfo {
                id: "demo".into(),
                version: "1.0.0".into(),
                name: Localized::default(),
                description: Localized::default(),
                authors: vec![],
                languages: vec!["en".into()],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![],
            questions: vec![question("policy.exists")],
            criteria: vec![],
        };
        let src = "[answers]\npolicy.exists = \"yes\"\n";
        let err = AnswersFile::parse(src, "a.toml")
            .unwrap()
            .resolve(&questionnaire)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a.toml:2: `policy`: not a question but a TOML table")
                && err.contains("write \"policy.exists\" = …"),
            "{err}"
        );
        let quoted = "[answers]\n\"policy.exists\" = \"yes\"\n";
        let answers = AnswersFile::parse(quoted, "a.toml")
            .unwrap()
            .resolve(&questionnaire)
            .unwrap();
        assert_eq!(answers[0].question, "policy.exists");
    }
}
