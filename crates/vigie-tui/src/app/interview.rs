//! The interview screen: its state, moving between questions and its actions.

use super::*;

pub struct Interview {
    pub assessment: Assessment,
    pub plugin: Arc<Plugin>,
    pub questionnaire: Arc<Questionnaire>,
    pub answers: HashMap<String, StoredAnswer>,
    pub evidence_count: HashMap<String, usize>,
    pub applies: Applicability,
    pub current: usize,
    pub evaluation: Option<Evaluation>,
    pub scoring: bool,
    pub generation: u64,
    pub undo: Vec<(String, Option<StoredAnswer>)>,
    pub last_error: Option<String>,
    /// What the supplier declared in a self-assessment workbook: scored where the auditor
    /// has no answer, as on the command line.
    pub declarations: Vec<vigie_app::Declaration>,
    /// The "declared, not yet verified" filter: ↑/↓ walk only the questions that rest on
    /// a supplier declaration the auditor has not verified.
    pub declared_only: bool,
    /// The supplier's country as its record has it: proposed (never answered) at a question
    /// that asks for it.
    pub supplier_country: Option<String>,
}

/// An answer the workbench proposes for the auditor to confirm, and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proposal {
    /// The plugin works it out from other answers (its basis, e.g. an article).
    Derived {
        choice: String,
        basis: Option<String>,
    },
    /// The supplier record says it (the country as recorded).
    SupplierRecord { choice: String, country: String },
}

impl Proposal {
    pub fn choice(&self) -> &str {
        match self {
            Proposal::Derived { choice, .. } | Proposal::SupplierRecord { choice, .. } => choice,
        }
    }
}

impl Interview {
    pub fn is_final(&self) -> bool {
        self.assessment.status == vigie_model::AssessmentStatus::Final
    }

    /// The choice proposed at question `index` while it has no answer of the auditor's: the
    /// plugin's derived value, else the supplier record's. The choice list opens on it and
    /// Enter confirms it; nothing is saved until then.
    pub fn proposal(&self, index: usize) -> Option<Proposal> {
        let q = self.questionnaire.questions.get(index)?;
        if self.answer_value(index).is_some() {
            return None;
        }
        let derived = self
            .evaluation
            .as_ref()
            .and_then(|e| e.suggested_answer(&q.id))
            .filter(|(choice, _)| q.kind.choices().iter().any(|c| c.id == *choice))
            .map(|(choice, basis)| Proposal::Derived {
                choice: choice.to_string(),
                basis: basis.map(str::to_string),
            });
        derived.or_else(|| {
            let country = self.supplier_country.as_deref()?;
            let choice = vigie_model::supplier_country_choice(q, country)?;
            Some(Proposal::SupplierRecord {
                choice: choice.id.clone(),
                country: country.trim().to_string(),
            })
        })
    }

    pub fn answer_value(&self, index: usize) -> Option<&AnswerValue> {
        self.answers
            .get(&self.questionnaire.questions.get(index)?.id)
            .and_then(|a| a.value.as_ref())
    }

    pub fn refresh_applicability(&mut self) {
        let mut values: HashMap<&str, &AnswerValue> = self
            .answers
            .iter()
            .filter_map(|(q, a)| a.value.as_ref().map(|v| (q.as_str(), v)))
            .collect();
        // What scoring sees: a declaration stands where the auditor has no answer, so the
        // questions it opens are shown (and counted) too.
        for d in &self.declarations {
            values.entry(d.question.as_str()).or_insert(&d.value);
        }
        self.applies = applicable_items(
            &self.questionnaire,
            &values,
            self.assessment.level.as_deref(),
        );
    }

    /// Indices of the questions that apply, in order.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.questionnaire.questions.len())
            .filter(|i| self.applies.question(*i))
            .collect()
    }

    /// The answers sent to the plugin: stored answers with a value, then the supplier's
    /// declarations where the auditor has none.
    pub fn effective_answers(&self) -> Vec<Answer> {
        let mut rows: Vec<StoredAnswer> = self.answers.values().cloned().collect();
        rows.sort_by_key(|r| {
            self.questionnaire
                .question_index(&r.question)
                .unwrap_or(usize::MAX)
        });
        vigie_app::self_assessment::effective_answers(&rows, &self.declarations)
            .into_iter()
            .map(|(answer, _)| answer)
            .collect()
    }

    /// Declarations the auditor has not answered yet.
    pub fn unverified_declarations(&self) -> usize {
        self.declarations
            .iter()
            .filter(|d| self.answer_value_of(&d.question).is_none())
            .count()
    }

    fn answer_value_of(&self, question: &str) -> Option<&AnswerValue> {
        self.answers.get(question).and_then(|a| a.value.as_ref())
    }

    pub fn is_answered(&self, index: usize) -> bool {
        self.answer_value(index).is_some()
    }

    pub fn first_unanswered(&self) -> Option<usize> {
        self.visible().into_iter().find(|i| !self.is_answered(*i))
    }

    /// An answer carried over from the previous assessment that the auditor has not
    /// confirmed (or changed) yet.
    pub fn is_to_confirm(&self, index: usize) -> bool {
        self.questionnaire
            .questions
            .get(index)
            .and_then(|q| self.answers.get(&q.id))
            .is_some_and(|a| a.to_confirm && a.value.is_some())
    }

    /// How many applicable questions have an answer still to confirm.
    pub fn to_confirm_count(&self) -> usize {
        self.visible()
            .into_iter()
            .filter(|i| self.is_to_confirm(*i))
            .count()
    }

    /// The next (or previous) applicable question without an answer, or with one
    /// still to confirm, wrapping around.
    pub fn next_unanswered(&self, forward: bool) -> Option<usize> {
        let visible = self.visible();
        let pos = visible.iter().position(|i| *i == self.current).unwrap_or(0);
        let n = visible.len();
        (1..=n)
            .map(|k| {
                if forward {
                    visible[(pos + k) % n]
                } else {
                    visible[(pos + n - k % n) % n]
                }
            })
            .find(|i| !self.is_answered(*i) || self.is_to_confirm(*i))
    }

    pub fn step(&mut self, delta: i32) {
        if self.declared_only {
            return self.step_declared(delta);
        }
        let visible = self.visible();
        if visible.is_empty() {
            return;
        }
        let pos = visible
            .iter()
            .position(|i| *i >= self.current)
            .unwrap_or(visible.len() - 1);
        let next = (pos as i64 + i64::from(delta)).clamp(0, visible.len() as i64 - 1) as usize;
        self.current = visible[next];
    }

    pub fn section_of_current(&self) -> usize {
        let section = &self.questionnaire.questions[self.current].section;
        self.questionnaire
            .sections
            .iter()
            .position(|s| &s.id == section)
            .unwrap_or(0)
    }

    pub fn jump_to_section(&mut self, index: usize) {
        let Some(section) = self.questionnaire.sections.get(index) else {
            return;
        };
        if let Some(first) = self
            .questionnaire
            .questions_in(&section.id)
            .find(|i| self.applies.question(*i))
        {
            self.current = first;
        }
    }

    pub fn step_section(&mut self, delta: i32) {
        let n = self.questionnaire.sections.len() as i32;
        let mut s = self.section_of_current() as i32;
        for _ in 0..n {
            s = (s + delta).rem_euclid(n);
            let id = &self.questionnaire.sections[s as usize].id;
            if let Some(first) = self
                .questionnaire
                .questions_in(id)
                .find(|i| self.applies.question(*i))
            {
                self.current = first;
                return;
            }
        }
    }

    /// (answered, applicable) questions of section `index`.
    pub fn section_progress(&self, index: usize) -> (usize, usize) {
        let id = &self.questionnaire.sections[index].id;
        let applicable: Vec<usize> = self
            .questionnaire
            .questions_in(id)
            .filter(|i| self.applies.question(*i))
            .collect();
        let answered = applicable.iter().filter(|i| self.is_answered(**i)).count();
        (answered, applicable.len())
    }

    /// (answered, applicable) over the whole questionnaire: the count the command
    /// line shows too ([`vigie_app::Progress`]).
    pub fn progress(&self) -> (usize, usize) {
        let values: HashMap<&str, &AnswerValue> = self
            .answers
            .iter()
            .filter_map(|(q, a)| a.value.as_ref().map(|v| (q.as_str(), v)))
            .collect();
        let progress =
            vigie_app::Progress::with(&self.questionnaire, self.applies.clone(), &values);
        (progress.answered, progress.applicable)
    }
}

impl App {
    pub(super) fn on_scored(&mut self, done: Scored) {
        let Screen::Interview(iv) = self.screen_mut() else {
            return;
        };
        if iv.assessment.id != done.assessment_id || done.generation != iv.generation {
            return;
        }
        iv.scoring = false;
        match done.result {
            Ok(evaluation) => {
                iv.evaluation = Some(evaluation);
                iv.last_error = None;
            }
            Err(e) => iv.last_error = Some(e),
        }
    }

    /// Opens an assessment in the interview screen.
    pub fn open_interview(&mut self, key: &str) {
        let result = (|| -> Result<Interview, AppError> {
            let assessment = self.bench.assessment(key)?;
            let plugin = self.bench.plugin_for(&assessment)?;
            let answers = by_question(self.bench.answers(&assessment.id)?);
            let declarations = self.bench.declarations(&assessment.id)?;
            let supplier_country = self
                .bench
                .supplier(assessment.supplier_id.as_str())?
                .country;
            let mut evidence_count = HashMap::new();
            for e in self.bench.evidence(&assessment.id, None)? {
                if let Some(q) = e.question {
                    *evidence_count.entry(q).or_insert(0) += 1;
                }
            }
            let questionnaire = plugin.questionnaire().clone();
            let evaluation = assessment
                .final_evaluation
                .clone()
                .or_else(|| assessment.last_evaluation.clone());
            let mut iv = Interview {
                assessment,
                plugin,
                questionnaire,
                answers,
                evidence_count,
                applies: Applicability::default(),
                current: 0,
                evaluation,
                scoring: false,
                generation: 0,
                undo: Vec::new(),
                last_error: None,
                declarations,
                declared_only: false,
                supplier_country,
            };
            iv.refresh_applicability();
            iv.current = iv
                .first_unanswered()
                .unwrap_or_else(|| iv.visible().first().copied().unwrap_or(0));
            Ok(iv)
        })();
        match result {
            Ok(iv) => {
                self.stack.push(Screen::Interview(Box::new(iv)));
                self.request_score();
            }
            Err(e) => self.error(e),
        }
    }

    /// Asks the executor for a new evaluation of the open interview.
    pub fn request_score(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let Screen::Interview(iv) = self.screen_mut() else {
            return;
        };
        let answers = iv.effective_answers();
        let context = EvalContext {
            assessment_date: iv.assessment.assessment_date,
            language: iv.assessment.language.clone(),
            level: iv.assessment.level.clone(),
        };
        let save = iv.assessment.status == vigie_model::AssessmentStatus::Draft;
        iv.generation = generation;
        iv.scoring = true;
        let request = ScoreRequest {
            generation,
            assessment_id: iv.assessment.id.to_string(),
            plugin: iv.plugin.clone(),
            answers,
            context,
            save,
        };
        self.execute(Request::Score(request));
    }

    pub(super) fn interview(&self) -> Option<&Interview> {
        match self.screen() {
            Screen::Interview(iv) => Some(iv),
            _ => None,
        }
    }

    pub(super) fn interview_mut(&mut self) -> Option<&mut Interview> {
        match self.screen_mut() {
            Screen::Interview(iv) => Some(iv),
            _ => None,
        }
    }

    pub(super) fn interview_action(&mut self, action: Action) {
        let lang = self.lang;
        let Some(iv) = self.interview_mut() else {
            return;
        };
        match action {
            Action::Down => iv.step(1),
            Action::Up => iv.step(-1),
            Action::NextUnanswered => {
                if let Some(next) = iv.next_unanswered(true) {
                    iv.current = next;
                } else {
                    self.info(lang.pick(
                        "Toutes les questions applicables ont une réponse confirmée.",
                        "Every applicable question has a confirmed answer.",
                    ));
                }
            }
            Action::PrevUnanswered => {
                if let Some(prev) = iv.next_unanswered(false) {
                    iv.current = prev;
                }
            }
            Action::ConfirmAnswer => {
                let current = iv.current;
                match iv.answer_value(current).cloned() {
                    Some(value) if iv.is_to_confirm(current) => {
                        // Written again as it is: no longer to confirm; the note stays.
                        self.save_answer(Some(value), None, true)
                    }
                    _ => self.info(lang.pick(
                        "Rien à confirmer ici (n : la suivante à confirmer).",
                        "Nothing to confirm here (n: the next one to confirm).",
                    )),
                }
            }
            Action::ConfirmDeclaration => {
                let question = iv.questionnaire.questions[iv.current].id.clone();
                let declared = iv
                    .declarations
                    .iter()
                    .any(|d| d.question == question && d.confirmed_by.is_none());
                if !declared || iv.answer_value(iv.current).is_some() {
                    self.info(lang.pick(
                        "Aucune déclaration à confirmer ici (n : la question suivante sans réponse).",
                        "No declaration to confirm here (n: the next unanswered question).",
                    ));
                    return;
                }
                let id = iv.assessment.id.to_string();
                let base = iv.answers.get(&question).map(|a| a.revision);
                self.run_job(("Confirmation", "Confirming"), move |bench| {
                    let result = bench
                        .confirm_declaration(&id, &question, base)
                        .and_then(|saved| Ok((saved, bench.declarations(&id)?)));
                    Box::new(move |app: &mut App| match result {
                        Ok((saved, declarations)) => {
                            if let Some(iv) = app.interview_mut() {
                                iv.answers.insert(saved.question.clone(), saved);
                                iv.declarations = declarations;
                                iv.refresh_applicability();
                                let next = if iv.declared_only {
                                    iv.next_declared(true)
                                } else {
                                    iv.next_unanswered(true)
                                };
                                if let Some(next) = next {
                                    iv.current = next;
                                }
                            }
                            app.info(lang.pick(
                                "Déclaration confirmée : c'est désormais votre réponse.",
                                "Declaration confirmed: it is now your answer.",
                            ));
                            app.request_score();
                        }
                        Err(e) => app.job_error(e),
                    })
                });
            }
            Action::NextDeclared => self.go_to_next_declared(),
            Action::FilterDeclared => self.toggle_declared_filter(),
            Action::NextSection => iv.step_section(1),
            Action::PrevSection => iv.step_section(-1),
            Action::JumpSection => {
                let selected = iv.section_of_current();
                self.overlay = Some(Overlay::Sections {
                    selected,
                    typed: String::new(),
                });
            }
            Action::ToggleHelp => self.overlay = Some(Overlay::QuestionHelp),
            Action::Explain => self.overlay = Some(Overlay::Explain),
            Action::Search => self.open_search(),
            Action::Decline => self.save_answer(Some(AnswerValue::Declined), None, true),
            Action::Clear => self.save_answer(None, None, false),
            Action::EditValue => {
                let Some(iv) = self.interview() else { return };
                let q = &iv.questionnaire.questions[iv.current];
                match q.kind {
                    AnswerKind::Integer(_)
                    | AnswerKind::Decimal(_)
                    | AnswerKind::Text
                    | AnswerKind::Date => {
                        let current = iv
                            .answer_value(iv.current)
                            .filter(|v| !v.is_declined())
                            .map(|v| v.display(&AnswerKind::Text, lang))
                            .unwrap_or_default();
                        let current = match (&q.kind, iv.answer_value(iv.current)) {
                            (AnswerKind::Integer(_), Some(AnswerValue::Integer(v))) => {
                                v.to_string()
                            }
                            (AnswerKind::Decimal(_), Some(AnswerValue::Decimal(v))) => {
                                v.to_string()
                            }
                            _ => current,
                        };
                        self.overlay = Some(Overlay::Input {
                            purpose: InputPurpose::Value,
                            prompt: self.value_prompt(),
                            edit: LineEdit::with_value(current),
                            error: None,
                        });
                    }
                    AnswerKind::SingleChoice(ref choices)
                    | AnswerKind::MultipleChoice(ref choices) => {
                        let current = iv.answer_value(iv.current);
                        // Unanswered, the list opens on the proposed value: Enter confirms it.
                        let proposed = iv.proposal(iv.current);
                        let selected = choices
                            .iter()
                            .position(|c| current.is_some_and(|v| v.matches_value(&c.id)))
                            .or_else(|| {
                                let proposed = proposed?;
                                choices.iter().position(|c| c.id == proposed.choice())
                            })
                            .unwrap_or(0);
                        self.overlay = Some(Overlay::Choices {
                            selected,
                            typed: String::new(),
                            filter: String::new(),
                        });
                    }
                    _ => self.info(lang.pick(
                        "Répondez avec les chiffres affichés.",
                        "Answer with the digits shown.",
                    )),
                }
            }
            Action::Note => {
                let Some(iv) = self.interview() else { return };
                let note = iv
                    .answers
                    .get(&iv.questionnaire.questions[iv.current].id)
                    .and_then(|a| a.note.clone())
                    .unwrap_or_default();
                self.overlay = Some(Overlay::Input {
                    purpose: InputPurpose::Note,
                    prompt: lang.pick("Note", "Note").to_string(),
                    edit: LineEdit::with_value(note),
                    error: None,
                });
            }
            Action::Evidence => self.open_evidence(),
            Action::Undo => self.undo(),
            Action::Findings => self.open_findings(),
            Action::Compare => {
                let Some(iv) = self.interview() else { return };
                let id = iv.assessment.id.clone();
                let questionnaire = iv.questionnaire.clone();
                self.run_job(("Comparaison", "Comparing"), move |bench| {
                    let result = bench.compare_with_previous(&id);
                    Box::new(move |app: &mut App| {
                        let lang = app.lang;
                        match result {
                            Ok(Some(comparison)) => {
                                app.stack.push(Screen::Compare(Box::new(CompareView {
                                    questionnaire,
                                    comparison,
                                    scroll: 0,
                                })))
                            }
                            Ok(None) => {
                                app.info(lang.pick(
                                    "Pas d'évaluation précédente.",
                                    "No previous assessment.",
                                ))
                            }
                            Err(e) => app.error(e),
                        }
                    })
                });
            }
            Action::Audit => {
                let Some(iv) = self.interview() else { return };
                let id = iv.assessment.id.clone();
                let questionnaire = iv.questionnaire.clone();
                let title = format!(
                    "{} · {}",
                    iv.assessment.supplier_name,
                    iv.questionnaire.info.name.get(lang)
                );
                match self.bench.audit_trail(Some(&id)) {
                    Ok(entries) => self.stack.push(Screen::Audit(AuditView {
                        title,
                        entries,
                        selected: 0,
                        questionnaire: Some(questionnaire),
                    })),
                    Err(e) => self.error(e),
                }
            }
            Action::Finalize => {
                if iv.is_final() {
                    self.info(lang.pick("Évaluation déjà finalisée.", "Assessment already final."));
                } else {
                    self.overlay = Some(Overlay::ConfirmFinalize);
                }
            }
            _ => {}
        }
    }

    pub(super) fn open_search(&mut self) {
        let Some(iv) = self.interview() else { return };
        let lang = &self.lang;
        let mut index = SearchIndex::new();
        for (i, q) in iv.questionnaire.questions.iter().enumerate() {
            index.push(i, Field::Id, &q.id);
            index.push(i, Field::Question, q.prompt.get(lang));
            index.push(i, Field::Help, q.help.why.get(lang));
            index.push(i, Field::Help, q.help.evidence.get(lang));
            if let Some(a) = iv.answers.get(&q.id) {
                if let Some(v) = &a.value {
                    index.push(i, Field::Answer, &v.display(&q.kind, lang));
                }
                if let Some(n) = &a.note {
                    index.push(i, Field::Note, n);
                }
            }
        }
        self.overlay = Some(Overlay::Search(Box::new(SearchState {
            query: String::new(),
            index,
            hits: Vec::new(),
            selected: 0,
        })));
    }

    pub(super) fn finalize(&mut self) {
        let Some(iv) = self.interview() else { return };
        let id = iv.assessment.id.clone();
        self.run_job(("Finalisation", "Finalizing"), move |bench| {
            let result = bench.finalize(&id);
            Box::new(move |app: &mut App| {
                let lang = app.lang;
                match result {
                    Ok((assessment, evaluation)) => {
                        if let Some(iv) = app.interview_mut()
                            && iv.assessment.id == assessment.id
                        {
                            iv.assessment = assessment;
                            iv.evaluation = Some(evaluation);
                        }
                        app.info(lang.pick(
                            "Évaluation finalisée : réponses figées.",
                            "Assessment finalized: answers frozen.",
                        ));
                    }
                    Err(e) => app.job_error(e),
                }
            })
        });
    }
}
