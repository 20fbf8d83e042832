//! The report as one document with every text resolved in the report's language: built once,
//! then written as Markdown, HTML, JSON (the document itself) or CSV.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use vigie_model::{
    ActionStatus, AnswerKind, AnswerValue, Applicability, AssessmentStatus, Contact, Date,
    EvidenceFile, EvidenceKind, Questionnaire, Severity, Status, StoredAnswer, applicable_items,
};

use crate::compare::ChangeKind;
use crate::labels::{self, labels};
use crate::{Lang, ReportInput};

/// The `format` field of a JSON report.
pub const REPORT_FORMAT: &str = "vigie-report";
/// The version of the JSON report's shape.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportDoc {
    pub format: &'static str,
    pub version: u32,
    /// `fr` or `en`.
    pub language: &'static str,
    pub supplier: DocSupplier,
    pub scope: DocScope,
    pub questionnaire: DocQuestionnaire,
    pub assessment: DocAssessment,
    pub verdict: DocVerdict,
    /// How many criteria have each status, in the checklist's order of statuses.
    pub counts: Vec<DocCount>,
    pub checklist: Vec<DocCriterion>,
    /// Most severe first.
    pub findings: Vec<DocFinding>,
    pub actions: Vec<DocAction>,
    /// Findings that no action item remedies yet (ids).
    pub findings_without_action: Vec<String>,
    pub evidence: Vec<DocEvidence>,
    /// Answers by section, in questionnaire order.
    pub answers: Vec<DocSection>,
    pub comparison: Option<DocComparison>,
    /// Present once a supplier filled a self-assessment: how many answers rest on their
    /// declarations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declarations: Option<DocDeclarations>,
    /// Present while applicable questions have no answer: the interview's progress, which
    /// is not a finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_questions: Option<DocOpenQuestions>,
}

/// Applicable questions still without an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocOpenQuestions {
    pub open: usize,
    pub applicable: usize,
    /// The sentence a report shows.
    pub summary: String,
}

/// How many answers are the supplier's declarations, verified by the auditor or not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocDeclarations {
    /// Answers that are supplier declarations the auditor has not verified.
    pub unverified: usize,
    /// Supplier declarations the auditor confirmed as their own answer.
    pub verified: usize,
    /// The sentence a report shows.
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocSupplier {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub criticality: String,
    pub criticality_label: String,
    pub contacts: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocScope {
    pub services: Vec<String>,
    pub level: Option<DocLevel>,
    /// The frameworks the questionnaire cites, by title.
    pub frameworks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocLevel {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocQuestionnaire {
    pub id: String,
    pub name: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAssessment {
    pub id: String,
    pub state: AssessmentStatus,
    pub state_label: String,
    pub date: Date,
    pub auditors: Vec<String>,
    pub created_at: String,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    pub previous_assessment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocVerdict {
    pub id: String,
    pub label: String,
    pub summary: String,
    pub severity: Severity,
    pub severity_label: String,
    pub score: Option<f64>,
    /// The questionnaire's rule that decided the verdict (its `verdict-rule` extension, as
    /// its RULES.md numbers it), when it says.
    pub rule: Option<String>,
}

/// A status as every format shows it: a glyph and a word, never a colour alone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocStatus {
    pub id: Status,
    pub glyph: String,
    pub label: String,
}

impl DocStatus {
    fn new(status: Status, lang: Lang) -> Self {
        DocStatus {
            id: status,
            glyph: status.glyph().to_string(),
            label: status.label(lang.id()).to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocCount {
    pub status: DocStatus,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocCriterion {
    pub id: String,
    pub title: String,
    pub status: DocStatus,
    pub severity: Option<Severity>,
    pub references: Vec<String>,
    pub rationale: String,
    pub score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocFinding {
    pub id: String,
    pub severity: Severity,
    pub severity_label: String,
    pub criterion: Option<String>,
    pub criterion_title: Option<String>,
    pub title: String,
    pub recommendation: String,
    pub deadline_days: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAction {
    pub id: String,
    pub finding_id: String,
    /// The finding's title, when the evaluation has that finding.
    pub finding_title: Option<String>,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
    pub state: ActionStatus,
    pub state_label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocEvidence {
    pub id: String,
    pub question: Option<String>,
    pub kind: EvidenceKind,
    pub kind_label: String,
    pub text: String,
    pub file: Option<EvidenceFile>,
    pub effective_date: Option<Date>,
    pub expiry_date: Option<Date>,
    /// Expired on the assessment date.
    pub expired: bool,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocSection {
    /// `None` for answers to questions the questionnaire does not have.
    pub id: Option<String>,
    pub title: String,
    pub answers: Vec<DocAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAnswer {
    pub question: String,
    pub prompt: String,
    pub references: Vec<String>,
    /// The answer as an auditor reads it; `None` when it was cleared.
    pub value: Option<String>,
    pub note: Option<String>,
    pub to_confirm: bool,
    /// False for a stored answer to a question that does not apply (with the other
    /// answers and the level): it is shown, marked, and not scored.
    pub applies: bool,
    /// Once a supplier filled a self-assessment: "declared by …, not verified" or
    /// "verified" (shown beside the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// A supplier declaration the auditor has not verified.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocComparison {
    pub previous_id: String,
    pub previous_date: Date,
    pub previous_plugin_version: String,
    pub previous_plugin_sha256: String,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
    pub verdict_before: String,
    pub verdict_after: String,
    pub answers: Vec<DocAnswerChange>,
    pub unchanged_answers: usize,
    pub to_confirm: Vec<DocQuestionRef>,
    /// Question ids of previous answers not carried over (the current questionnaire no
    /// longer has the question or accepts the value).
    pub not_carried: Vec<String>,
    pub statuses: Vec<DocStatusChange>,
    pub findings_closed: Vec<DocFindingRef>,
    pub findings_opened: Vec<DocFindingRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAnswerChange {
    pub question: String,
    pub prompt: String,
    pub kind: ChangeKind,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note_before: Option<String>,
    pub note_after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocQuestionRef {
    pub question: String,
    pub prompt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocStatusChange {
    pub criterion: String,
    pub title: String,
    pub before: Option<DocStatus>,
    pub after: Option<DocStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocFindingRef {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub severity_label: String,
}

/// The answer as read, with the question's kind when the questionnaire has the question.
fn display(q: &Questionnaire, question: &str, value: &AnswerValue, lang: Lang) -> String {
    match q.question(question) {
        Some(question) => value.display(&question.kind, lang.id()),
        None => value.display(&AnswerKind::Text, lang.id()),
    }
}

fn prompt(q: &Questionnaire, question: &str, lang: Lang) -> String {
    q.question(question)
        .map(|x| x.prompt.get(lang.id()).to_string())
        .unwrap_or_else(|| question.to_string())
}

fn criterion_title(q: &Questionnaire, id: &str, lang: Lang) -> String {
    q.criterion(id)
        .map(|c| c.title.get(lang.id()).to_string())
        .unwrap_or_else(|| id.to_string())
}

impl ReportDoc {
    /// Resolves `input` in `lang`.
    pub fn build(input: &ReportInput, lang: Lang) -> ReportDoc {
        let l = lang.id();
        let words = labels(lang);
        let q = &input.questionnaire;
        let e = &input.evaluation;
        let a = &input.assessment;

        let level = a.level.as_ref().map(|id| {
            let found = q.info.levels.iter().find(|x| &x.id == id);
            DocLevel {
                id: id.clone(),
                name: found.map_or_else(|| id.clone(), |x| x.name.get(l).to_string()),
                description: found.map_or_else(String::new, |x| x.description.get(l).to_string()),
            }
        });

        let counts = Status::ALL
            .iter()
            .zip(e.status_counts())
            .filter(|(_, n)| *n > 0)
            .map(|(s, count)| DocCount {
                // The label agrees with the count it follows ("3 non conformes").
                status: DocStatus {
                    label: s.label_for_count(count, lang).to_string(),
                    ..DocStatus::new(*s, lang)
                },
                count,
            })
            .collect();

        let order: HashMap<&str, usize> = q
            .criteria
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut results: Vec<_> = e.criteria.iter().collect();
        results.sort_by_key(|r| {
            order
                .get(r.criterion.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        });
        let checklist = results
            .into_iter()
            .map(|r| {
                let c = q.criterion(&r.criterion);
                DocCriterion {
                    id: r.criterion.clone(),
                    title: criterion_title(q, &r.criterion, lang),
                    status: DocStatus::new(r.status, lang),
                    severity: c.map(|c| c.severity),
                    references: c
                        .map(|c| {
                            c.references
                                .iter()
                                .map(|x| q.reference_label(x, l))
                                .collect()
                        })
                        .unwrap_or_default(),
                    rationale: r.rationale.get(l).to_string(),
                    score: r.score,
                }
            })
            .collect();

        let mut findings: Vec<_> = e.findings.iter().collect();
        // Stable: the plugin's order within one severity.
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let findings: Vec<DocFinding> = findings
            .into_iter()
            .map(|f| DocFinding {
                id: f.id.clone(),
                severity: f.severity,
                severity_label: f.severity.label(l).to_string(),
                criterion: f.criterion.clone(),
                criterion_title: f.criterion.as_deref().map(|c| criterion_title(q, c, lang)),
                title: f.title.get(l).to_string(),
                recommendation: f.recommendation.get(l).to_string(),
                deadline_days: f.deadline_days,
            })
            .collect();

        let actions: Vec<DocAction> = input
            .actions
            .iter()
            .map(|x| DocAction {
                id: x.id.to_string(),
                finding_id: x.finding_id.clone(),
                finding_title: e
                    .findings
                    .iter()
                    .find(|f| f.id == x.finding_id)
                    .map(|f| f.title.get(l).to_string()),
                title: x.title.clone(),
                owner: x.owner.clone(),
                deadline: x.deadline,
                state: x.status,
                state_label: labels::action_state(x.status, lang).to_string(),
            })
            .collect();
        let planned: HashSet<&str> = actions.iter().map(|x| x.finding_id.as_str()).collect();
        let findings_without_action = findings
            .iter()
            .filter(|f| !planned.contains(f.id.as_str()))
            .map(|f| f.id.clone())
            .collect();

        let evidence = input
            .evidence
            .iter()
            .map(|x| DocEvidence {
                id: x.id.to_string(),
                question: x.question.clone(),
                kind: x.kind,
                kind_label: match x.kind {
                    EvidenceKind::Note => words.kind_note,
                    EvidenceKind::File => words.kind_file,
                    EvidenceKind::Link => words.kind_link,
                }
                .to_string(),
                text: x.text.clone(),
                file: x.file.clone(),
                effective_date: x.effective_date,
                expiry_date: x.expiry_date,
                expired: x.expiry_date.is_some_and(|d| d < a.assessment_date),
                added_by: x.added_by.clone(),
                added_at: x.added_at.to_string(),
            })
            .collect();

        DocBuilder { input, lang }.finish(ReportDoc {
            format: REPORT_FORMAT,
            version: REPORT_VERSION,
            language: lang.id(),
            supplier: DocSupplier {
                id: input.supplier.id.to_string(),
                name: input.supplier.name.clone(),
                country: input.supplier.country.clone(),
                sector: input.supplier.sector.clone(),
                criticality: input.supplier.criticality.id().to_string(),
                criticality_label: input
                    .supplier
                    .criticality
                    .label(lang == Lang::Fr)
                    .to_string(),
                contacts: input.supplier.contacts.iter().map(Contact::line).collect(),
            },
            scope: DocScope {
                services: input.supplier.services.clone(),
                level,
                frameworks: q
                    .info
                    .frameworks
                    .iter()
                    .map(|f| f.title.get(l).to_string())
                    .collect(),
            },
            questionnaire: DocQuestionnaire {
                id: a.plugin_id.clone(),
                name: q.info.name.get(l).to_string(),
                version: a.plugin_version.clone(),
                sha256: a.plugin_sha256.clone(),
            },
            assessment: DocAssessment {
                id: a.id.to_string(),
                state: a.status,
                state_label: labels::assessment_state(a.status, lang).to_string(),
                date: a.assessment_date,
                auditors: input.auditors.clone(),
                created_at: a.created_at.to_string(),
                finalized_by: a.finalized_by.clone(),
                finalized_at: a.finalized_at.as_ref().map(ToString::to_string),
                previous_assessment: a.previous_assessment.as_ref().map(ToString::to_string),
            },
            verdict: DocVerdict {
                id: e.verdict.id.clone(),
                label: e.verdict.label.get(l).to_string(),
                summary: e.verdict.summary.get(l).to_string(),
                severity: e.verdict.severity,
                severity_label: e.verdict.severity.label(l).to_string(),
                score: e.score,
                rule: e
                    .extensions
                    .iter()
                    .find(|x| x.key == "verdict-rule")
                    .map(|x| x.value.clone()),
            },
            counts,
            checklist,
            findings,
            actions,
            findings_without_action,
            evidence,
            answers: Vec::new(),
            comparison: None,
            declarations: None,
            open_questions: None,
        })
    }
}

struct DocBuilder<'a> {
    input: &'a ReportInput,
    lang: Lang,
}

impl DocBuilder<'_> {
    fn finish(self, mut doc: ReportDoc) -> ReportDoc {
        doc.declarations = self.declarations();
        doc.open_questions = self.open_questions();
        doc.answers = self.sections();
        doc.comparison = self.comparison();
        doc
    }

    /// Whether any answer comes from a supplier's self-assessment.
    fn has_declarations(&self) -> bool {
        self.input
            .answer_sources
            .values()
            .any(|s| *s != crate::AnswerSource::Auditor)
    }

    fn declarations(&self) -> Option<DocDeclarations> {
        if !self.has_declarations() {
            return None;
        }
        let count = |f: fn(&crate::AnswerSource) -> bool| {
            self.input
                .answers
                .iter()
                .filter(|a| a.value.is_some() && f(self.source_of(&a.question)))
                .count()
        };
        let unverified = count(|s| matches!(s, crate::AnswerSource::Declared { .. }));
        let verified = count(|s| matches!(s, crate::AnswerSource::Verified { .. }));
        // French takes the singular for 0 and 1, English for 1 only.
        let plural = |n: usize| {
            let singular = match self.lang {
                Lang::Fr => n <= 1,
                Lang::En => n == 1,
            };
            if singular { "" } else { "s" }
        };
        let summary = match self.lang {
            Lang::Fr => format!(
                "Le résultat repose sur {unverified} déclaration{} du fournisseur non encore \
                 vérifiée{} ; {verified} déclaration{} vérifiée{} par l'auditeur.",
                plural(unverified),
                plural(unverified),
                plural(verified),
                plural(verified)
            ),
            Lang::En => format!(
                "The result rests on {unverified} supplier declaration{} not yet verified; \
                 {verified} declaration{} verified by the auditor.",
                plural(unverified),
                plural(verified)
            ),
        };
        Some(DocDeclarations {
            unverified,
            verified,
            summary,
        })
    }

    fn provenance(&self, source: &crate::AnswerSource) -> Option<String> {
        if !self.has_declarations() {
            return None;
        }
        Some(match (source, self.lang) {
            (crate::AnswerSource::Declared { respondent }, Lang::Fr) => {
                format!("déclaré par {respondent}, non vérifié")
            }
            (crate::AnswerSource::Declared { respondent }, Lang::En) => {
                format!("declared by {respondent}, not verified")
            }
            (crate::AnswerSource::Verified { respondent }, Lang::Fr) => {
                format!("vérifié (déclaré par {respondent})")
            }
            (crate::AnswerSource::Verified { respondent }, Lang::En) => {
                format!("verified (declared by {respondent})")
            }
            (crate::AnswerSource::Auditor, Lang::Fr) => "vérifié".to_string(),
            (crate::AnswerSource::Auditor, Lang::En) => "verified".to_string(),
        })
    }

    /// Where the answer to `question` comes from (the auditor unless the input says).
    fn source_of(&self, question: &str) -> &crate::AnswerSource {
        self.input
            .answer_sources
            .get(question)
            .unwrap_or(&crate::AnswerSource::Auditor)
    }

    fn answer(&self, row: &StoredAnswer, applies: &Applicability) -> DocAnswer {
        let q = &self.input.questionnaire;
        DocAnswer {
            question: row.question.clone(),
            prompt: prompt(q, &row.question, self.lang),
            references: q
                .question(&row.question)
                .map(|x| {
                    x.references
                        .iter()
                        .map(|r| q.reference_label(r, self.lang.id()))
                        .collect()
                })
                .unwrap_or_default(),
            value: row
                .value
                .as_ref()
                .map(|v| display(q, &row.question, v, self.lang)),
            note: row.note.clone(),
            to_confirm: row.to_confirm,
            // A cleared answer has nothing to score; a question the plugin does not
            // have is listed apart already.
            applies: row.value.is_none()
                || q.question_index(&row.question)
                    .is_none_or(|i| applies.question(i)),
            provenance: self.provenance(self.source_of(&row.question)),
            declared: matches!(
                self.source_of(&row.question),
                crate::AnswerSource::Declared { .. }
            ),
            revision: row.revision,
            updated_by: row.updated_by.clone(),
            updated_at: row.updated_at.to_string(),
        }
    }

    /// How many applicable questions have no answer yet, when some have none.
    fn open_questions(&self) -> Option<DocOpenQuestions> {
        let q = &self.input.questionnaire;
        let values: HashMap<&str, &AnswerValue> = self
            .input
            .answers
            .iter()
            .filter_map(|x| x.value.as_ref().map(|v| (x.question.as_str(), v)))
            .collect();
        let applies = applicable_items(q, &values, self.input.assessment.level.as_deref());
        let applicable: Vec<&str> = q
            .questions
            .iter()
            .enumerate()
            .filter(|(i, _)| applies.question(*i))
            .map(|(_, x)| x.id.as_str())
            .collect();
        let open = applicable
            .iter()
            .filter(|id| !values.contains_key(*id))
            .count();
        if open == 0 {
            return None;
        }
        let total = applicable.len();
        let summary = match self.lang {
            Lang::Fr if open <= 1 => format!(
                "{open} question sur {total} encore ouverte : c'est l'avancement de l'entretien, pas un constat."
            ),
            Lang::Fr => format!(
                "{open} questions sur {total} encore ouvertes : c'est l'avancement de l'entretien, pas un constat."
            ),
            _ => format!(
                "{open} of {total} questions still open: that is the interview's progress, not a finding."
            ),
        };
        Some(DocOpenQuestions {
            open,
            applicable: total,
            summary,
        })
    }

    fn sections(&self) -> Vec<DocSection> {
        let q = &self.input.questionnaire;
        let l = self.lang.id();
        let rows: HashMap<&str, &StoredAnswer> = self
            .input
            .answers
            .iter()
            .map(|x| (x.question.as_str(), x))
            .collect();
        // The host's own applicability rule, on the stored values.
        let values: HashMap<&str, &AnswerValue> = self
            .input
            .answers
            .iter()
            .filter_map(|x| x.value.as_ref().map(|v| (x.question.as_str(), v)))
            .collect();
        let applies = applicable_items(q, &values, self.input.assessment.level.as_deref());
        let mut out = Vec::new();
        for section in &q.sections {
            let answers: Vec<DocAnswer> = q
                .questions_in(&section.id)
                .filter_map(|i| rows.get(q.questions[i].id.as_str()))
                .map(|row| self.answer(row, &applies))
                .collect();
            if !answers.is_empty() {
                out.push(DocSection {
                    id: Some(section.id.clone()),
                    title: section.title.get(l).to_string(),
                    answers,
                });
            }
        }
        // Questions of no known section, then answers to questions the plugin does not have.
        let known_sections: HashSet<&str> = q.sections.iter().map(|s| s.id.as_str()).collect();
        let mut others: Vec<&StoredAnswer> = self
            .input
            .answers
            .iter()
            .filter(|x| {
                q.question(&x.question)
                    .is_none_or(|question| !known_sections.contains(question.section.as_str()))
            })
            .collect();
        others.sort_by(|a, b| a.question.cmp(&b.question));
        if !others.is_empty() {
            out.push(DocSection {
                id: None,
                title: labels(self.lang).other_questions.to_string(),
                answers: others
                    .into_iter()
                    .map(|row| self.answer(row, &applies))
                    .collect(),
            });
        }
        out
    }

    fn comparison(&self) -> Option<DocComparison> {
        let c = self.input.comparison.as_ref()?;
        let q = &self.input.questionnaire;
        let lang = self.lang;
        let l = lang.id();
        let index = |id: &str| q.question_index(id).unwrap_or(usize::MAX);
        let mut answers: Vec<_> = c.answers.iter().collect();
        answers.sort_by(|a, b| {
            index(&a.question)
                .cmp(&index(&b.question))
                .then_with(|| a.question.cmp(&b.question))
        });
        let finding_ref = |f: &vigie_model::Finding| DocFindingRef {
            id: f.id.clone(),
            title: f.title.get(l).to_string(),
            severity: f.severity,
            severity_label: f.severity.label(l).to_string(),
        };
        let mut to_confirm: Vec<&String> = c.to_confirm.iter().collect();
        to_confirm.sort_by(|a, b| index(a).cmp(&index(b)).then_with(|| a.cmp(b)));
        Some(DocComparison {
            previous_id: c.previous.id.clone(),
            previous_date: c.previous.assessment_date,
            previous_plugin_version: c.previous.plugin.version.clone(),
            previous_plugin_sha256: c.previous.plugin.sha256.clone(),
            score_before: c.previous.score,
            score_after: c.current.score,
            verdict_before: c.previous.verdict.label.get(l).to_string(),
            verdict_after: c.current.verdict.label.get(l).to_string(),
            answers: answers
                .into_iter()
                .map(|x| DocAnswerChange {
                    question: x.question.clone(),
                    prompt: prompt(q, &x.question, lang),
                    kind: x.kind,
                    before: x.before.as_ref().map(|v| display(q, &x.question, v, lang)),
                    after: x.after.as_ref().map(|v| display(q, &x.question, v, lang)),
                    note_before: x.note_before.clone(),
                    note_after: x.note_after.clone(),
                })
                .collect(),
            unchanged_answers: c.unchanged_answers,
            to_confirm: to_confirm
                .into_iter()
                .map(|x| DocQuestionRef {
                    question: x.clone(),
                    prompt: prompt(q, x, lang),
                })
                .collect(),
            not_carried: {
                let mut ids = c.not_carried.clone();
                ids.sort_unstable();
                ids
            },
            statuses: c
                .statuses
                .iter()
                .map(|s| DocStatusChange {
                    criterion: s.criterion.clone(),
                    title: criterion_title(q, &s.criterion, lang),
                    before: s.before.map(|x| DocStatus::new(x, lang)),
                    after: s.after.map(|x| DocStatus::new(x, lang)),
                })
                .collect(),
            findings_closed: c.findings_closed.iter().map(finding_ref).collect(),
            findings_opened: c.findings_opened.iter().map(finding_ref).collect(),
        })
    }
}
