//! Building the report document: every text resolved in the report's language, the answers
//! in questionnaire order, the declarations and the comparison with the previous assessment.

use std::collections::{HashMap, HashSet};

use vigie_model::{
    AnswerKind, AnswerValue, Applicability, Contact, EvidenceKind, Questionnaire, Status,
    StoredAnswer, applicable_items,
};

use super::{
    DocAction, DocAnswer, DocAnswerChange, DocAssessment, DocComparison, DocCount, DocCriterion,
    DocDeclarations, DocEvidence, DocFinding, DocFindingRef, DocLevel, DocOpenQuestions,
    DocQuestionRef, DocQuestionnaire, DocScope, DocSection, DocStatus, DocStatusChange,
    DocSupplier, DocVerdict, REPORT_FORMAT, REPORT_VERSION, ReportDoc,
};
use crate::labels::{self, labels};
use crate::{Lang, ReportInput};

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
                basis: None,
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
        doc.verdict.basis = doc
            .declarations
            .as_ref()
            .and_then(|d| vigie_model::unverified_basis(self.lang, d.unverified));
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

    /// The stored values by question, and what applies given them, by the host's own
    /// applicability rule.
    fn stored_applicability(&self) -> (HashMap<&str, &AnswerValue>, Applicability) {
        let values: HashMap<&str, &AnswerValue> = self
            .input
            .answers
            .iter()
            .filter_map(|x| x.value.as_ref().map(|v| (x.question.as_str(), v)))
            .collect();
        let applies = applicable_items(
            &self.input.questionnaire,
            &values,
            self.input.assessment.level.as_deref(),
        );
        (values, applies)
    }

    /// How many applicable questions have no answer yet, when some have none.
    fn open_questions(&self) -> Option<DocOpenQuestions> {
        let q = &self.input.questionnaire;
        let (values, applies) = self.stored_applicability();
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
        let (_, applies) = self.stored_applicability();
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
