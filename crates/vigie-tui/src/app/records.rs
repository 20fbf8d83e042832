//! The evidence of a question and the action items of the findings: a list to view each one
//! whole, a form (one field per line) to add or edit one, and deleting one after a
//! confirmation. Every write goes through the workbench with the version the auditor saw:
//! someone else's change meanwhile is a conflict that keeps what was typed.

use super::*;
use vigie_model::Evidence;

/// What a record form adds or changes.
#[derive(Clone, Debug)]
pub enum RecordTarget {
    NewEvidence {
        assessment: String,
        question: String,
    },
    /// The evidence as the auditor last saw it.
    Evidence(Evidence),
    NewAction {
        assessment: String,
        finding: String,
    },
    /// The action item as the auditor last saw it.
    Action(ActionItem),
}

impl RecordTarget {
    pub fn is_evidence(&self) -> bool {
        matches!(
            self,
            RecordTarget::NewEvidence { .. } | RecordTarget::Evidence(_)
        )
    }

    pub fn is_new(&self) -> bool {
        matches!(
            self,
            RecordTarget::NewEvidence { .. } | RecordTarget::NewAction { .. }
        )
    }
}

/// One line of a record form.
#[derive(Clone, Debug)]
pub struct RecordField {
    /// The label, French then English.
    pub label: (&'static str, &'static str),
    pub edit: LineEdit,
    /// Why the last save was refused because of this field.
    pub error: Option<String>,
}

pub struct RecordForm {
    pub target: RecordTarget,
    pub fields: Vec<RecordField>,
    pub focus: usize,
    /// Why the last save was refused as a whole (a conflict, a final assessment…).
    pub error: Option<String>,
}

/// The evidence of one question: the list, the selected item shown whole.
pub struct EvidenceView {
    pub assessment: Assessment,
    pub question: String,
    /// The question's prompt in the interface language.
    pub prompt: String,
    pub items: Vec<Evidence>,
    pub selected: usize,
}

/// What the delete confirmation is about.
#[derive(Clone, Debug)]
pub enum DeleteTarget {
    Evidence(Evidence),
    Action(ActionItem),
}

fn field(label: (&'static str, &'static str), value: impl Into<String>) -> RecordField {
    RecordField {
        label,
        edit: LineEdit::with_value(value),
        error: None,
    }
}

fn date_text(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// The form for `target`, holding the record's values when it exists.
pub fn record_form(target: RecordTarget) -> RecordForm {
    let fields = match &target {
        RecordTarget::NewEvidence { .. } | RecordTarget::Evidence(_) => {
            let seen = match &target {
                RecordTarget::Evidence(e) => Some(e),
                _ => None,
            };
            vec![
                field(
                    (
                        "Preuve (texte, ou lien http(s)://…)",
                        "Evidence (text, or an http(s):// link)",
                    ),
                    seen.map(|e| e.text.clone()).unwrap_or_default(),
                ),
                field(
                    (
                        "En vigueur depuis (AAAA-MM-JJ, facultatif)",
                        "Effective from (YYYY-MM-DD, optional)",
                    ),
                    date_text(seen.and_then(|e| e.effective_date)),
                ),
                field(
                    (
                        "Expire le (AAAA-MM-JJ, facultatif)",
                        "Expires on (YYYY-MM-DD, optional)",
                    ),
                    date_text(seen.and_then(|e| e.expiry_date)),
                ),
            ]
        }
        RecordTarget::NewAction { .. } | RecordTarget::Action(_) => {
            let seen = match &target {
                RecordTarget::Action(a) => Some(a),
                _ => None,
            };
            vec![
                field(
                    ("Action", "Action"),
                    seen.map(|a| a.title.clone()).unwrap_or_default(),
                ),
                field(
                    ("Responsable (facultatif)", "Owner (optional)"),
                    seen.and_then(|a| a.owner.clone()).unwrap_or_default(),
                ),
                field(
                    (
                        "Échéance (AAAA-MM-JJ, facultative)",
                        "Deadline (YYYY-MM-DD, optional)",
                    ),
                    date_text(seen.and_then(|a| a.deadline)),
                ),
            ]
        }
    };
    RecordForm {
        target,
        fields,
        focus: 0,
        error: None,
    }
}

/// An optional date field: empty is none; anything else must be a date.
fn optional_date(text: &str) -> Result<Option<Date>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Date>().map(Some).map_err(|e| e.to_string())
}

/// What the form's fields say, or the first field refused and why.
enum Checked {
    Evidence(NewEvidence),
    Action {
        title: String,
        owner: Option<String>,
        deadline: Option<Date>,
    },
}

impl RecordForm {
    /// Reads the fields; a refused one gets its error under it (what was typed stays).
    fn check(&mut self, lang: Lang) -> Option<Checked> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let text = |i: usize| self.fields[i].edit.text().trim().to_string();
        let first = text(0);
        let dates = [optional_date(&text(1)), optional_date(&text(2))];
        let mut refused = Vec::new();
        if first.is_empty() {
            refused.push((
                0,
                lang.pick("Ce champ est obligatoire.", "This field is required.")
                    .to_string(),
            ));
        }
        let is_evidence = self.target.is_evidence();
        if is_evidence && let Err(e) = &dates[0] {
            refused.push((1, e.clone()));
        }
        if let Err(e) = &dates[1] {
            refused.push((2, e.clone()));
        }
        if let (true, Ok(Some(from)), Ok(Some(to))) = (is_evidence, &dates[0], &dates[1])
            && to < from
        {
            refused.push((
                2,
                match lang {
                    Lang::Fr => format!("Expire ({to}) avant d'entrer en vigueur ({from})."),
                    _ => format!("It expires ({to}) before it takes effect ({from})."),
                },
            ));
        }
        if let Some((first_refused, _)) = refused.first() {
            self.focus = *first_refused;
            for (i, e) in refused {
                self.fields[i].error.get_or_insert(e);
            }
            return None;
        }
        let [effective, expiry] = dates.map(|d| d.ok().flatten());
        Some(match &self.target {
            RecordTarget::NewEvidence { question, .. } => Checked::Evidence(NewEvidence {
                question: Some(question.clone()),
                kind: evidence_kind(&first),
                text: first,
                file: None,
                effective_date: effective,
                expiry_date: expiry,
            }),
            RecordTarget::Evidence(seen) => Checked::Evidence(NewEvidence {
                question: seen.question.clone(),
                // A file stays a file: only its description changes here.
                kind: match seen.kind {
                    EvidenceKind::File => EvidenceKind::File,
                    _ => evidence_kind(&first),
                },
                text: first,
                file: seen.file.clone(),
                effective_date: effective,
                expiry_date: expiry,
            }),
            RecordTarget::NewAction { .. } | RecordTarget::Action(_) => Checked::Action {
                title: first,
                owner: Some(text(1)).filter(|o| !o.is_empty()),
                deadline: expiry,
            },
        })
    }
}

fn evidence_kind(text: &str) -> EvidenceKind {
    if text.starts_with("http://") || text.starts_with("https://") {
        EvidenceKind::Link
    } else {
        EvidenceKind::Note
    }
}

/// What a save did, for the screen below the form.
enum Saved {
    Evidence(Evidence),
    Action(ActionItem),
}

impl App {
    /// Opens the evidence of the interview's current question.
    pub(super) fn open_evidence(&mut self) {
        let Some(iv) = self.interview() else { return };
        let q = &iv.questionnaire.questions[iv.current];
        let question = q.id.clone();
        let prompt = q.prompt.get(self.lang).to_string();
        let assessment = iv.assessment.clone();
        match self.bench.evidence(&assessment.id, Some(&question)) {
            Ok(items) => self.stack.push(Screen::Evidence(Box::new(EvidenceView {
                assessment,
                question,
                prompt,
                items,
                selected: 0,
            }))),
            Err(e) => self.error(e),
        }
    }

    pub(super) fn evidence_action(&mut self, action: Action) {
        let lang = self.lang;
        let Screen::Evidence(view) = self.screen_mut() else {
            return;
        };
        let last = view.items.len().saturating_sub(1);
        let frozen = view.assessment.status == vigie_model::AssessmentStatus::Final;
        let selected = view.items.get(view.selected).cloned();
        match action {
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::AddEvidence | Action::EditItem | Action::DeleteItem | Action::Select
                if frozen =>
            {
                self.info(lang.pick(
                    "Évaluation finalisée : ses preuves ne changent plus.",
                    "The assessment is final: its evidence no longer changes.",
                ));
            }
            Action::AddEvidence => {
                let target = RecordTarget::NewEvidence {
                    assessment: view.assessment.id.to_string(),
                    question: view.question.clone(),
                };
                self.stack
                    .push(Screen::RecordForm(Box::new(record_form(target))));
            }
            Action::EditItem | Action::Select => {
                if let Some(e) = selected {
                    self.stack.push(Screen::RecordForm(Box::new(record_form(
                        RecordTarget::Evidence(e),
                    ))));
                }
            }
            Action::DeleteItem => {
                if let Some(e) = selected {
                    self.overlay = Some(Overlay::ConfirmDelete(DeleteTarget::Evidence(e)));
                }
            }
            _ => {}
        }
    }

    /// The action item selected in the findings pane, if one is.
    pub(super) fn selected_action(&self) -> Option<ActionItem> {
        let Screen::Findings(view) = self.screen() else {
            return None;
        };
        if view.pane != FindingsPane::Findings {
            return None;
        }
        match view.rows().get(view.selected) {
            Some(FindingRow::Action(j)) => view.actions.get(*j).cloned(),
            _ => None,
        }
    }

    /// Edit or delete the selected action item of the findings screen.
    pub(super) fn findings_record_action(&mut self, action: Action) {
        let lang = self.lang;
        let Some(item) = self.selected_action() else {
            self.info(lang.pick(
                "Choisissez d'abord une action (sous son constat).",
                "Select an action first (under its finding).",
            ));
            return;
        };
        let frozen = matches!(
            self.screen(),
            Screen::Findings(view) if view.assessment.status == vigie_model::AssessmentStatus::Final
        );
        match action {
            Action::DeleteItem if frozen => self.info(lang.pick(
                "Évaluation finalisée : son plan d'action ne perd plus d'action (changez son statut).",
                "The assessment is final: its action plan loses no action (change its status).",
            )),
            Action::EditItem => self
                .stack
                .push(Screen::RecordForm(Box::new(record_form(RecordTarget::Action(
                    item,
                ))))),
            Action::DeleteItem => {
                self.overlay = Some(Overlay::ConfirmDelete(DeleteTarget::Action(item)))
            }
            _ => {}
        }
    }

    pub(super) fn on_record_form_key(&mut self, event: KeyEvent) {
        let lang = self.lang;
        let key = Key::from_event(&event);
        let action = self
            .keymap
            .action(key, &[Scope::Form, Scope::Popup, Scope::Global]);
        let Screen::RecordForm(form) = self.screen_mut() else {
            return;
        };
        let last = form.fields.len() - 1;
        // A field takes what is typed before any binding.
        let typed = matches!(event.code, KeyCode::Char(_)) && !key.ctrl;
        let action = if typed { None } else { action };
        match action {
            Some(Action::Back | Action::Cancel | Action::Quit) => {
                self.stack.pop();
                self.info(lang.pick("Rien n'a été enregistré.", "Nothing was saved."));
            }
            Some(Action::NextField | Action::Down) => form.focus = (form.focus + 1).min(last),
            Some(Action::PrevField | Action::Up) => form.focus = form.focus.saturating_sub(1),
            Some(Action::Select) if form.focus < last => form.focus += 1,
            Some(Action::Select | Action::Save) => self.save_record_form(),
            _ => {
                let focus = form.focus;
                if form.fields[focus].edit.key(&event) {
                    form.fields[focus].error = None;
                }
            }
        }
    }

    fn save_record_form(&mut self) {
        let lang = self.lang;
        let Screen::RecordForm(form) = self.screen_mut() else {
            return;
        };
        let Some(checked) = form.check(lang) else {
            return;
        };
        let target = form.target.clone();
        self.run_job(("Enregistrement", "Saving"), move |bench| {
            let result = match (&target, checked) {
                (RecordTarget::NewEvidence { assessment, .. }, Checked::Evidence(new)) => {
                    bench.add_evidence(assessment, &new).map(Saved::Evidence)
                }
                (RecordTarget::Evidence(seen), Checked::Evidence(new)) => {
                    bench.update_evidence(seen, &new).map(Saved::Evidence)
                }
                (
                    RecordTarget::NewAction {
                        assessment,
                        finding,
                    },
                    Checked::Action {
                        title,
                        owner,
                        deadline,
                    },
                ) => bench
                    .add_action_item(
                        assessment,
                        &NewActionItem {
                            finding_id: finding.clone(),
                            title,
                            owner,
                            deadline,
                        },
                    )
                    .map(Saved::Action),
                (
                    RecordTarget::Action(seen),
                    Checked::Action {
                        title,
                        owner,
                        deadline,
                    },
                ) => bench
                    .update_action_item_seen(
                        seen,
                        &ActionItemUpdate {
                            title: Some(title),
                            owner: Some(owner),
                            deadline: Some(deadline),
                            status: None,
                        },
                    )
                    .map(Saved::Action),
                _ => Err(AppError::Invalid("the form does not fit its record".into())),
            };
            // After a conflict, the record as it is now, to show and to save over.
            let now = match &result {
                Err(AppError::Store(StoreError::StaleRecord { .. })) => {
                    Some(current_record(bench, &target))
                }
                _ => None,
            };
            Box::new(move |app: &mut App| match result {
                Ok(saved) => app.on_record_saved(saved, target.is_new()),
                Err(e) => app.on_record_refused(e, now),
            })
        });
    }

    fn on_record_saved(&mut self, saved: Saved, added: bool) {
        let lang = self.lang;
        if matches!(self.screen(), Screen::RecordForm(_)) {
            self.stack.pop();
        }
        match saved {
            Saved::Evidence(e) => {
                if let Screen::Evidence(view) = self.screen_mut() {
                    match view.items.iter().position(|x| x.id == e.id) {
                        Some(i) => {
                            view.items[i] = e;
                            view.selected = i;
                        }
                        None => {
                            view.items.push(e);
                            view.selected = view.items.len() - 1;
                        }
                    }
                }
                self.sync_evidence_count();
                self.info(if added {
                    lang.pick("Preuve ajoutée.", "Evidence added.")
                } else {
                    lang.pick("Preuve modifiée.", "Evidence changed.")
                });
            }
            Saved::Action(a) => {
                if let Screen::Findings(view) = self.screen_mut() {
                    match view.actions.iter().position(|x| x.id == a.id) {
                        Some(i) => view.actions[i] = a,
                        None => view.actions.push(a),
                    }
                }
                self.info(if added {
                    lang.pick("Action ajoutée.", "Action added.")
                } else {
                    lang.pick("Action modifiée.", "Action changed.")
                });
            }
        }
    }

    /// A save was refused: the form stays with what was typed and says why. After a
    /// conflict the list shows the record as it is now, and the form saves over that
    /// version (or adds the record again when it was deleted).
    fn on_record_refused(&mut self, error: AppError, now: Option<Result<Current, AppError>>) {
        self.deferred.clear();
        if let Some(Ok(current)) = &now {
            self.show_current(current);
        }
        let message = match &error {
            AppError::Store(StoreError::StaleRecord { kind, deleted, .. }) => {
                stale_message(self.lang, kind, *deleted, &self.keymap)
            }
            _ => error.to_string(),
        };
        let Screen::RecordForm(form) = self.screen_mut() else {
            return self.error(message);
        };
        form.error = Some(message);
        if let Some(Ok(current)) = now {
            form.target = match (current, &form.target) {
                (Current::Evidence { now: Some(e), .. }, _) => RecordTarget::Evidence(e),
                (Current::Evidence { now: None, .. }, RecordTarget::Evidence(seen)) => {
                    RecordTarget::NewEvidence {
                        assessment: seen.assessment_id.to_string(),
                        question: seen.question.clone().unwrap_or_default(),
                    }
                }
                (Current::Action { now: Some(a), .. }, _) => RecordTarget::Action(a),
                (Current::Action { now: None, .. }, RecordTarget::Action(seen)) => {
                    RecordTarget::NewAction {
                        assessment: seen.assessment_id.to_string(),
                        finding: seen.finding_id.clone(),
                    }
                }
                (_, target) => target.clone(),
            };
        }
    }

    /// Puts the records as they are now in the screen below the form.
    fn show_current(&mut self, current: &Current) {
        let Some(below) = self.stack.len().checked_sub(2) else {
            return;
        };
        match (current, &mut self.stack[below]) {
            (Current::Evidence { all, .. }, Screen::Evidence(view)) => {
                view.items = all.clone();
                view.selected = view.selected.min(view.items.len().saturating_sub(1));
            }
            (Current::Action { all, .. }, Screen::Findings(view)) => view.actions = all.clone(),
            _ => {}
        }
        self.sync_evidence_count();
    }

    pub(super) fn delete_record(&mut self, target: DeleteTarget) {
        self.run_job(("Suppression", "Deleting"), move |bench| {
            let result = match &target {
                DeleteTarget::Evidence(e) => bench.delete_evidence(e),
                DeleteTarget::Action(a) => bench.delete_action_item(a),
            };
            let now = match &target {
                DeleteTarget::Evidence(e) => {
                    current_record(bench, &RecordTarget::Evidence(e.clone()))
                }
                DeleteTarget::Action(a) => current_record(bench, &RecordTarget::Action(a.clone())),
            };
            Box::new(move |app: &mut App| {
                let lang = app.lang;
                match &now {
                    Ok(Current::Evidence { all, .. }) => {
                        if let Screen::Evidence(view) = app.screen_mut() {
                            view.items = all.clone();
                            view.selected = view.selected.min(view.items.len().saturating_sub(1));
                        }
                        app.sync_evidence_count();
                    }
                    Ok(Current::Action { all, .. }) => {
                        if let Screen::Findings(view) = app.screen_mut() {
                            view.actions = all.clone();
                            view.selected = view.selected.min(view.rows().len().saturating_sub(1));
                        }
                    }
                    Err(_) => {}
                }
                match result {
                    Ok(()) => app.info(match target {
                        DeleteTarget::Evidence(_) => {
                            lang.pick("Preuve supprimée.", "Evidence deleted.")
                        }
                        DeleteTarget::Action(_) => {
                            lang.pick("Action supprimée.", "Action deleted.")
                        }
                    }),
                    Err(e) => app.job_error(e),
                }
            })
        });
    }

    /// The interview's count of evidence for the question the evidence screen shows.
    fn sync_evidence_count(&mut self) {
        let Some((question, count)) = self.stack.iter().rev().find_map(|s| match s {
            Screen::Evidence(view) => Some((view.question.clone(), view.items.len())),
            _ => None,
        }) else {
            return;
        };
        for screen in self.stack.iter_mut().rev() {
            if let Screen::Interview(iv) = screen {
                iv.evidence_count.insert(question, count);
                return;
            }
        }
    }
}

/// What a conflict on a record means for the form, in the interface language.
fn stale_message(lang: Lang, kind: &str, deleted: bool, keymap: &Keymap) -> String {
    let save = keymap
        .keys(Action::Save)
        .first()
        .map(|k| k.label())
        .unwrap_or_default();
    let evidence = kind == "evidence";
    match (lang, deleted) {
        (Lang::Fr, false) => format!(
            "{} a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : rien n'a été \
             enregistré. Sa version actuelle est dans la liste ; {save} remplace par la vôtre.",
            if evidence {
                "Cette preuve"
            } else {
                "Cette action"
            }
        ),
        (Lang::Fr, true) => format!(
            "{} a été supprimée par quelqu'un d'autre depuis que vous l'avez ouverte : rien n'a \
             été enregistré. {save} l'ajoute à nouveau avec votre texte.",
            if evidence {
                "Cette preuve"
            } else {
                "Cette action"
            }
        ),
        (_, false) => format!(
            "Someone else changed this {kind} since you opened it: nothing was written. Its \
             current version is in the list; {save} replaces it with yours."
        ),
        (_, true) => format!(
            "Someone else deleted this {kind} since you opened it: nothing was written. {save} \
             adds it again with your text."
        ),
    }
}

/// The records as the database has them now, after a conflict or a delete.
enum Current {
    Evidence {
        now: Option<Evidence>,
        all: Vec<Evidence>,
    },
    Action {
        now: Option<ActionItem>,
        all: Vec<ActionItem>,
    },
}

fn current_record(bench: &Workbench, target: &RecordTarget) -> Result<Current, AppError> {
    match target {
        RecordTarget::Evidence(seen) => {
            let all = bench.evidence(&seen.assessment_id, seen.question.as_deref())?;
            let now = all.iter().find(|e| e.id == seen.id).cloned();
            Ok(Current::Evidence { now, all })
        }
        RecordTarget::NewEvidence {
            assessment,
            question,
        } => Ok(Current::Evidence {
            now: None,
            all: bench.evidence(assessment, Some(question))?,
        }),
        RecordTarget::Action(seen) => {
            let all = bench.action_items(&seen.assessment_id)?;
            let now = all.iter().find(|a| a.id == seen.id).cloned();
            Ok(Current::Action { now, all })
        }
        RecordTarget::NewAction { assessment, .. } => Ok(Current::Action {
            now: None,
            all: bench.action_items(assessment)?,
        }),
    }
}
