//! The state of the workbench and `update`, which is the only place it
//! changes. Views only read it (see `view`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use vigie_app::Workbench;
use vigie_app::workbench::{AppError, answers_of, by_question};
use vigie_model::{
    Answer, AnswerKind, AnswerValue, Applicability, Date, EvalContext, Evaluation, Questionnaire,
    YesNo, applicable_items,
};
use vigie_plugin_host::Plugin;
use vigie_store::{
    ActionItem, ActionItemUpdate, ActionStatus, Assessment, AssessmentFilter, AssessmentSummary,
    AuditEntry, Criticality, EvidenceKind, NewActionItem, NewEvidence, StoreError, StoredAnswer,
    Supplier, SupplierFields,
};

use crate::keymap::{Action, Key, Keymap, Scope};
use crate::line_edit::LineEdit;
use crate::search::{Field, SearchIndex};
use crate::theme::Theme;
use crate::worker::{Apply, ReportRequest, Request, ScoreRequest, Scored};

/// Everything the event loop feeds into `update`.
pub enum Msg {
    Key(KeyEvent),
    Resize,
    Signal(i32),
    Scored(Box<Scored>),
    /// A report was written (its path) or failed.
    ReportDone(Result<std::path::PathBuf, String>),
    /// Time passed with nothing else happening: look for colleagues' changes.
    Tick,
    /// A job sent to the worker finished: the change to make.
    JobDone(Apply),
}

/// A write (or other job) sent to the worker and not finished yet. Keys typed
/// meanwhile wait in order, so they act on the state the write leaves.
pub struct PendingJob {
    pub started: Instant,
    /// What it does, in the interface language ("Enregistrement", "Saving").
    pub what: String,
    /// Esc was pressed: the worker was asked to stop waiting.
    pub cancelling: bool,
}

/// How long a job may take before the screen says it is waiting for the database.
pub const SAY_WAITING_AFTER: Duration = Duration::from_millis(300);

/// A row of the home list.
#[derive(Clone, Debug)]
pub enum HomeRow {
    Supplier(Supplier),
    Assessment(AssessmentSummary),
}

pub struct Home {
    pub rows: Vec<HomeRow>,
    pub selected: usize,
    pub total_assessments: u64,
}

/// A text field being edited (supplier form, values, notes...).
#[derive(Clone, Debug, Default)]
pub struct TextField {
    pub label: &'static str,
    pub value: String,
}

pub struct SupplierForm {
    pub editing: Option<String>,
    pub fields: Vec<TextField>,
    pub criticality: Criticality,
    pub focus: usize,
    pub error: Option<String>,
}

pub struct NewAssessmentForm {
    pub supplier: Supplier,
    pub plugins: Vec<Arc<Plugin>>,
    pub selected: usize,
    pub language: String,
    pub level: usize,
    pub date: String,
    pub focus: usize,
    pub error: Option<String>,
}

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingsPane {
    Criteria,
    Findings,
}

#[derive(Clone, Debug)]
pub enum FindingRow {
    Finding(usize),
    Action(usize),
}

pub struct FindingsView {
    pub assessment: Assessment,
    pub questionnaire: Arc<Questionnaire>,
    pub evaluation: Evaluation,
    pub actions: Vec<ActionItem>,
    pub pane: FindingsPane,
    pub selected: usize,
}

pub struct AuditView {
    pub title: String,
    pub entries: Vec<AuditEntry>,
    pub selected: usize,
    /// To word answers as the interview does (choice labels, yes/no in the language).
    pub questionnaire: Option<Arc<Questionnaire>>,
}

pub enum Screen {
    Home,
    SupplierForm(SupplierForm),
    NewAssessment(Box<NewAssessmentForm>),
    Interview(Box<Interview>),
    Findings(Box<FindingsView>),
    Plugins { selected: usize },
    Audit(AuditView),
    Compare(Box<CompareView>),
}

/// What changed since the previous assessment of the supplier.
pub struct CompareView {
    pub questionnaire: Arc<Questionnaire>,
    pub comparison: vigie_report::Comparison,
    pub scroll: usize,
}

/// What a one-line input is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    Value,
    Note,
    Evidence,
    ActionItem {
        finding: String,
    },
    /// Where to write a report; `replace` is a path the auditor was told
    /// exists, which Enter on the same path then replaces.
    ReportPath {
        assessment: String,
        format: vigie_report::Format,
        replace: Option<String>,
    },
}

/// The outcome of an answer's write, with what the interview needs to apply it.
pub struct SavedAnswer {
    question: String,
    value: Option<AnswerValue>,
    note: Option<String>,
    previous: Option<StoredAnswer>,
    undoing: bool,
    advance: bool,
    result: Result<StoredAnswer, AppError>,
}

pub struct SearchState {
    pub query: String,
    pub index: SearchIndex,
    pub hits: Vec<crate::search::Hit>,
    pub selected: usize,
}

pub enum Overlay {
    Help,
    Input {
        purpose: InputPurpose,
        prompt: String,
        edit: LineEdit,
        /// Why the last Enter was refused, shown under the field (the text stays).
        error: Option<String>,
    },
    Search(Box<SearchState>),
    Sections {
        selected: usize,
        /// Digits typed so far: `1` then `2` is section 12; a number no longer one can
        /// start with jumps at once.
        typed: String,
    },
    Conflict {
        question: String,
        ours: Option<AnswerValue>,
        note: Option<String>,
        theirs: Box<StoredAnswer>,
    },
    ConfirmFinalize,
    /// "Why it matters" and "evidence to ask for" of the current question.
    QuestionHelp,
    /// What the score and the verdict mean, the verdict's reason, the criteria marks.
    Explain,
    /// Choose the report format.
    ReportFormat {
        assessment: String,
    },
    /// Every option of the current choice question, for questions with more
    /// options than there are digit keys (and for those who prefer a list).
    Choices {
        selected: usize,
        /// Digits typed in the list: they pick an option by its number (`1`, `5` is the
        /// 15th), and only Enter or Space answers, so digits never chain answers.
        typed: String,
    },
}

pub struct App {
    pub bench: Workbench,
    pub lang: String,
    pub today: Date,
    pub keymap: Keymap,
    pub theme: Theme,
    pub home: Home,
    pub stack: Vec<Screen>,
    pub overlay: Option<Overlay>,
    pub status: Option<(String, bool)>,
    pub quit: bool,
    /// The signal (SIGHUP, SIGTERM...) that ended the workbench, if one did.
    pub quit_signal: Option<i32>,
    /// The background worker; `None` runs work inline (tests, benchmarks).
    pub scorer: Option<Sender<Request>>,
    generation: u64,
    /// The database's data version when this workbench last looked (see
    /// [`vigie_store::Store::data_version`]); it moves when anyone else writes.
    seen_version: Option<i64>,
    /// The job the worker is running for us, if any.
    pub pending_job: Option<PendingJob>,
    /// Keys typed while a job runs, replayed in order when it is done.
    deferred: VecDeque<KeyEvent>,
    /// Shared with the worker's store: set to stop waiting for another writer.
    cancel: Arc<AtomicBool>,
    /// An unusual number the auditor was asked to confirm (Enter on it again saves it).
    confirming_value: Option<String>,
}

/// How far Page Up / Page Down move in the list of a choice question.
const CHOICE_PAGE: usize = 10;

/// Words of the interface in the auditor's language.
pub fn tr<'a>(lang: &str, fr: &'a str, en: &'a str) -> &'a str {
    if lang == "fr" { fr } else { en }
}

impl App {
    pub fn new(bench: Workbench, lang: &str, today: Date, keymap: Keymap, theme: Theme) -> App {
        let mut app = App {
            bench,
            lang: lang.to_string(),
            today,
            keymap,
            theme,
            home: Home {
                rows: Vec::new(),
                selected: 0,
                total_assessments: 0,
            },
            stack: vec![Screen::Home],
            overlay: None,
            status: None,
            quit: false,
            quit_signal: None,
            scorer: None,
            generation: 0,
            seen_version: None,
            pending_job: None,
            deferred: VecDeque::new(),
            cancel: Arc::new(AtomicBool::new(false)),
            confirming_value: None,
        };
        app.seen_version = app.bench.store.data_version().ok();
        app.reload_home();
        app
    }

    fn l<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        tr(&self.lang, fr, en)
    }

    pub fn screen(&self) -> &Screen {
        self.stack.last().unwrap_or(&Screen::Home)
    }

    fn screen_mut(&mut self) -> &mut Screen {
        if self.stack.is_empty() {
            self.stack.push(Screen::Home);
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some((text.into(), false));
    }

    pub fn error(&mut self, text: impl std::fmt::Display) {
        self.status = Some((text.to_string(), true));
    }

    /// Reloads suppliers and assessments for the home list.
    pub fn reload_home(&mut self) {
        let result = (|| -> Result<(Vec<Supplier>, Vec<AssessmentSummary>, u64), StoreError> {
            let suppliers = self.bench.store.list_suppliers()?;
            let filter = AssessmentFilter::page(500, 0);
            let assessments = self.bench.store.list_assessments(&filter)?;
            let total = self
                .bench
                .store
                .count_assessments(&AssessmentFilter::default())?;
            Ok((suppliers, assessments, total))
        })();
        match result {
            Ok((suppliers, assessments, total)) => {
                let mut rows = Vec::new();
                for s in suppliers {
                    let id = s.id.clone();
                    rows.push(HomeRow::Supplier(s));
                    rows.extend(
                        assessments
                            .iter()
                            .filter(|a| a.supplier_id == id)
                            .cloned()
                            .map(HomeRow::Assessment),
                    );
                }
                self.home.selected = self.home.selected.min(rows.len().saturating_sub(1));
                self.home.rows = rows;
                self.home.total_assessments = total;
            }
            Err(e) => self.error(e),
        }
    }

    fn scopes(&self) -> Vec<Scope> {
        match self.screen() {
            Screen::Home => vec![Scope::Home, Scope::Global],
            Screen::Interview(_) => vec![Scope::Interview, Scope::Global],
            Screen::Findings(_) => vec![Scope::Findings, Scope::Global],
            _ => vec![Scope::Global],
        }
    }

    /// Scopes whose actions the help overlay lists.
    pub fn help_scopes(&self) -> Vec<Scope> {
        self.scopes()
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize => {}
            Msg::Signal(signal) => {
                self.quit = true;
                self.quit_signal = Some(signal);
            }
            Msg::Scored(done) => self.on_scored(*done),
            Msg::ReportDone(Ok(path)) => {
                let lang = self.lang.clone();
                self.info(format!(
                    "{} {}",
                    tr(&lang, "Rapport écrit :", "Report written:"),
                    path.display()
                ));
            }
            Msg::ReportDone(Err(e)) => self.error(e),
            Msg::Tick => self.look_for_changes(),
            Msg::JobDone(apply) => {
                self.pending_job = None;
                apply(self);
                self.replay_deferred_keys();
            }
        }
    }

    /// The flag the worker's store watches to stop waiting for another writer.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Runs `job` on the worker's workbench and applies its result when it reports back
    /// (inline on this workbench when there is no worker: tests and benchmarks). Until
    /// then keys wait, so a write never blocks drawing and nothing typed is lost.
    pub fn run_job(
        &mut self,
        what: (&str, &str),
        job: impl FnOnce(&mut Workbench) -> Apply + Send + 'static,
    ) {
        match self.scorer.clone() {
            Some(tx) => {
                self.cancel.store(false, Ordering::SeqCst);
                if tx.send(Request::Job(Box::new(job))).is_err() {
                    self.error("the background worker stopped");
                    return;
                }
                self.pending_job = Some(PendingJob {
                    started: Instant::now(),
                    what: self.l(what.0, what.1).to_string(),
                    cancelling: false,
                });
            }
            None => {
                let apply = job(&mut self.bench);
                apply(self);
            }
        }
    }

    /// The worker could not open its workbench: nothing was done.
    pub fn job_failed(&mut self, error: String) {
        self.deferred.clear();
        self.error(error);
    }

    fn replay_deferred_keys(&mut self) {
        while self.pending_job.is_none() {
            let Some(key) = self.deferred.pop_front() else {
                break;
            };
            self.on_key(key);
        }
    }

    /// While a job runs: Esc asks the worker to stop waiting for another writer
    /// (only a wait is cancelled, never a write under way); other keys wait their turn.
    fn on_key_while_busy(&mut self, event: KeyEvent) {
        let Some(job) = self.pending_job.as_mut() else {
            return;
        };
        if event.code == KeyCode::Esc {
            job.cancelling = true;
            self.cancel.store(true, Ordering::SeqCst);
            self.deferred.clear();
            let lang = self.lang.clone();
            self.info(tr(
                &lang,
                "Annulation de l'attente…",
                "Cancelling the wait…",
            ));
            return;
        }
        self.deferred.push_back(event);
    }

    /// Says on the status line that a job waits for the database.
    fn show_waiting(&mut self) {
        let Some(job) = &self.pending_job else {
            return;
        };
        if job.cancelling || job.started.elapsed() < SAY_WAITING_AFTER {
            return;
        }
        let text = format!(
            "{} : {} ({} s) · Échap annule",
            job.what,
            "attente de la base (un autre auditeur écrit)",
            job.started.elapsed().as_secs()
        );
        let text = if self.lang == "fr" {
            text
        } else {
            format!(
                "{}: waiting for the database (another auditor is writing) ({} s) · Esc cancels",
                job.what,
                job.started.elapsed().as_secs()
            )
        };
        self.info(text);
    }

    /// Shows what colleagues saved since the last look: the home list, or the open
    /// interview's answers (then rescored, with who changed what on the status line).
    pub fn look_for_changes(&mut self) {
        if self.pending_job.is_some() {
            // Our own write is under way: what moved may be it. Look again after.
            self.show_waiting();
            return;
        }
        let Ok(version) = self.bench.store.data_version() else {
            // A busy or vanished file is reported by the next real operation.
            return;
        };
        if self.seen_version == Some(version) {
            return;
        }
        self.seen_version = Some(version);
        match self.screen() {
            Screen::Home => self.reload_home(),
            Screen::Interview(_) => self.reload_interview(),
            _ => {}
        }
    }

    /// Reloads the open interview's assessment and answers; rescoring only when an answer or
    /// the status changed (the worker's cached score also moves the data version).
    fn reload_interview(&mut self) {
        let lang = self.lang.clone();
        let Some(iv) = self.interview() else {
            return;
        };
        let id = iv.assessment.id.clone();
        let status = iv.assessment.status;
        type Loaded = (Assessment, HashMap<String, StoredAnswer>, Option<String>);
        let loaded = (|| -> Result<Loaded, StoreError> {
            let assessment = self.bench.store.assessment(&id)?;
            let answers = by_question(self.bench.store.answers(&id)?);
            // Who finalized it, from the audit trail (rare: only when the status moved).
            let finalized_by = if assessment.status != status {
                self.bench
                    .store
                    .audit_trail(Some(&id))?
                    .into_iter()
                    .rev()
                    .find(|e| e.action == "finalize")
                    .map(|e| e.who)
            } else {
                None
            };
            Ok((assessment, answers, finalized_by))
        })();
        let (assessment, answers, finalized_by) = match loaded {
            Ok(loaded) => loaded,
            Err(e) => return self.error(e),
        };
        let Some(iv) = self.interview_mut() else {
            return;
        };
        let mut changed: Vec<&StoredAnswer> = answers
            .values()
            .filter(|a| iv.answers.get(&a.question).map(|o| o.revision) != Some(a.revision))
            .collect();
        changed.sort_by(|a, b| a.updated_at.cmp(&b.updated_at));
        let finalized_by_other = assessment.status != iv.assessment.status;
        let finalizer = finalized_by.unwrap_or_else(|| assessment.auditor.clone());
        if changed.is_empty() && !finalized_by_other {
            return;
        }
        let mut told: Vec<String> = changed
            .iter()
            .rev()
            .take(2)
            .map(|a| match a.value {
                Some(_) => format!(
                    "{} {} {}",
                    a.updated_by,
                    tr(&lang, "a répondu à", "answered"),
                    a.question
                ),
                None => format!(
                    "{} {} {}",
                    a.updated_by,
                    tr(&lang, "a effacé", "cleared"),
                    a.question
                ),
            })
            .collect();
        if changed.len() > 2 {
            told.push(format!(
                "+{} {}",
                changed.len() - 2,
                tr(&lang, "autres réponses", "more answers")
            ));
        }
        if finalized_by_other && assessment.status == vigie_store::AssessmentStatus::Final {
            told.push(format!(
                "{finalizer} {}",
                tr(&lang, "a finalisé l'évaluation", "finalized the assessment")
            ));
        }
        iv.answers = answers;
        iv.assessment = assessment;
        iv.refresh_applicability();
        let message = told.join(" · ");
        self.info(message);
        self.request_score();
    }

    fn on_scored(&mut self, done: Scored) {
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

    fn on_key(&mut self, event: KeyEvent) {
        if self.pending_job.is_some() {
            return self.on_key_while_busy(event);
        }
        let key = Key::from_event(&event);
        if self.overlay.is_some() {
            self.on_overlay_key(event, key);
            return;
        }
        // Forms take typed characters before any binding.
        match self.screen() {
            Screen::SupplierForm(_) => return self.on_supplier_form_key(event),
            Screen::NewAssessment(_) => return self.on_new_assessment_key(event),
            _ => {}
        }
        if let Screen::Interview(_) = self.screen()
            && let KeyCode::Char(c @ '1'..='9') = event.code
            && !key.ctrl
        {
            return self.answer_option(c as usize - '1' as usize);
        }
        let Some(action) = self.keymap.action(key, &self.scopes()) else {
            return;
        };
        self.status = None;
        self.on_action(action);
    }

    fn on_action(&mut self, action: Action) {
        match action {
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Quit => self.go_back(),
            // Esc never quits: on the home screen it only says how to.
            Action::Back if self.stack.len() <= 1 => {
                let lang = self.lang.clone();
                self.info(tr(&lang, "q pour quitter.", "q to quit."));
            }
            Action::Back => self.go_back(),
            Action::Report => self.ask_report(),
            _ => match self.screen() {
                Screen::Home => self.home_action(action),
                Screen::Interview(_) => self.interview_action(action),
                Screen::Findings(_) => self.findings_action(action),
                Screen::Plugins { .. } | Screen::Audit(_) | Screen::Compare(_) => {
                    self.list_action(action)
                }
                _ => {}
            },
        }
    }

    fn go_back(&mut self) {
        if self.stack.len() <= 1 {
            self.quit = true;
            return;
        }
        self.stack.pop();
        if matches!(self.screen(), Screen::Home) {
            self.reload_home();
        }
    }

    fn list_action(&mut self, action: Action) {
        let plugins = self.bench.catalog.entries().len();
        let (selected, len) = match self.screen_mut() {
            Screen::Plugins { selected } => (selected, plugins),
            Screen::Audit(view) => {
                let len = view.entries.len();
                (&mut view.selected, len)
            }
            Screen::Compare(view) => (&mut view.scroll, usize::MAX),
            _ => return,
        };
        match action {
            Action::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
            Action::Up => *selected = selected.saturating_sub(1),
            _ => {}
        }
    }

    // ---------------------------------------------------------------- home

    fn selected_supplier(&self) -> Option<Supplier> {
        let rows = &self.home.rows;
        let mut i = self.home.selected.min(rows.len().checked_sub(1)?);
        loop {
            if let HomeRow::Supplier(s) = &rows[i] {
                return Some(s.clone());
            }
            i = i.checked_sub(1)?;
        }
    }

    fn home_action(&mut self, action: Action) {
        let len = self.home.rows.len();
        match action {
            Action::Down => {
                self.home.selected = (self.home.selected + 1).min(len.saturating_sub(1))
            }
            Action::Up => self.home.selected = self.home.selected.saturating_sub(1),
            Action::NewSupplier => self.stack.push(Screen::SupplierForm(supplier_form(None))),
            Action::EditSupplier => {
                if let Some(s) = self.selected_supplier() {
                    self.stack
                        .push(Screen::SupplierForm(supplier_form(Some(&s))));
                }
            }
            Action::NewAssessment => match self.selected_supplier() {
                Some(s) => self.open_new_assessment(s),
                None => self.error(self.l(
                    "Créez d'abord un fournisseur (s).",
                    "Create a supplier first (s).",
                )),
            },
            Action::Plugins => {
                // Stored plugins are loaded when first needed (once per host: failures are
                // remembered), not when the workbench opens.
                if let Err(e) = self.bench.load_database_plugins() {
                    self.error(e);
                }
                self.stack.push(Screen::Plugins { selected: 0 })
            }
            Action::Reassess => match self.home.rows.get(self.home.selected).cloned() {
                Some(HomeRow::Assessment(a)) => match self.bench.reassess(&a.id, self.today) {
                    Ok(new) => {
                        let lang = self.lang.clone();
                        self.open_interview(&new.id);
                        self.info(tr(
                            &lang,
                            "Réévaluation : réponses reprises, à confirmer (c pour comparer).",
                            "Reassessment: answers carried over, to confirm (c to compare).",
                        ));
                    }
                    Err(e) => self.error(e),
                },
                _ => self.error(self.l(
                    "Choisissez d'abord une évaluation.",
                    "Select an assessment first.",
                )),
            },
            Action::Select => match self.home.rows.get(self.home.selected).cloned() {
                Some(HomeRow::Assessment(a)) => self.open_interview(&a.id),
                // A supplier already assessed: open its newest draft (else its newest
                // assessment) rather than start another one; `a` starts a new one.
                Some(HomeRow::Supplier(s)) => {
                    let theirs: Vec<&AssessmentSummary> = self
                        .home
                        .rows
                        .iter()
                        .filter_map(|r| match r {
                            HomeRow::Assessment(a) if a.supplier_id == s.id => Some(a),
                            _ => None,
                        })
                        .collect();
                    let pick = theirs
                        .iter()
                        .find(|a| a.status == vigie_store::AssessmentStatus::Draft)
                        .or(theirs.first())
                        .map(|a| a.id.clone());
                    match pick {
                        Some(id) => self.open_interview(&id),
                        None => self.open_new_assessment(s),
                    }
                }
                None => self.stack.push(Screen::SupplierForm(supplier_form(None))),
            },
            _ => {}
        }
    }

    fn open_new_assessment(&mut self, supplier: Supplier) {
        if let Err(e) = self.bench.load_database_plugins() {
            self.error(e);
        }
        let catalog = &self.bench.catalog;
        let plugins: Vec<Arc<Plugin>> = catalog
            .entries()
            .iter()
            .filter(|e| !catalog.is_shadowed(e))
            .map(|e| e.plugin.clone())
            .collect();
        if plugins.is_empty() {
            self.error(self.l(
                "Aucun questionnaire disponible.",
                "No questionnaire available.",
            ));
            return;
        }
        self.stack
            .push(Screen::NewAssessment(Box::new(NewAssessmentForm {
                supplier,
                plugins,
                selected: 0,
                language: self.lang.clone(),
                level: 0,
                date: self.today.to_string(),
                focus: 0,
                error: None,
            })));
    }

    fn on_supplier_form_key(&mut self, event: KeyEvent) {
        let lang = self.lang.clone();
        let Screen::SupplierForm(form) = self.screen_mut() else {
            return;
        };
        let count = form.fields.len() + 1;
        match event.code {
            KeyCode::Esc => {
                self.stack.pop();
            }
            KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % count,
            KeyCode::BackTab | KeyCode::Up => form.focus = (form.focus + count - 1) % count,
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
                if form.focus == form.fields.len() =>
            {
                let all = Criticality::ALL;
                let i = all.iter().position(|c| *c == form.criticality).unwrap_or(0);
                let next = if event.code == KeyCode::Left {
                    i + all.len() - 1
                } else {
                    i + 1
                };
                form.criticality = all[next % all.len()];
            }
            KeyCode::Char(c) if form.focus < form.fields.len() => {
                form.fields[form.focus].value.push(c)
            }
            KeyCode::Backspace if form.focus < form.fields.len() => {
                form.fields[form.focus].value.pop();
            }
            KeyCode::Enter => {
                let fields = match form_to_supplier(form) {
                    Ok(fields) => fields,
                    Err(e) => {
                        form.error = Some(e);
                        return;
                    }
                };
                let editing = form.editing.clone();
                if fields.name.trim().is_empty() {
                    form.error =
                        Some(tr(&lang, "Le nom est obligatoire.", "The name is required.").into());
                    return;
                }
                self.run_job(("Enregistrement", "Saving"), move |bench| {
                    let result = match &editing {
                        Some(id) => bench.store.update_supplier(id, &fields),
                        None => bench.store.add_supplier(&fields),
                    };
                    Box::new(move |app: &mut App| app.on_supplier_saved(result))
                });
            }
            _ => {}
        }
    }

    fn on_supplier_saved(&mut self, result: Result<Supplier, StoreError>) {
        let lang = self.lang.clone();
        match result {
            Ok(s) => {
                if matches!(self.screen(), Screen::SupplierForm(_)) {
                    self.stack.pop();
                }
                self.reload_home();
                if let Some(i) = self
                    .home
                    .rows
                    .iter()
                    .position(|r| matches!(r, HomeRow::Supplier(x) if x.id == s.id))
                {
                    self.home.selected = i;
                }
                self.info(format!(
                    "{} {}",
                    tr(&lang, "Fournisseur enregistré :", "Supplier saved:"),
                    s.name
                ));
            }
            Err(e) => {
                self.deferred.clear();
                if let Screen::SupplierForm(form) = self.screen_mut() {
                    form.error = Some(e.to_string());
                }
            }
        }
    }

    fn on_new_assessment_key(&mut self, event: KeyEvent) {
        let Screen::NewAssessment(form) = self.screen_mut() else {
            return;
        };
        let levels = form.plugins[form.selected]
            .questionnaire()
            .info
            .levels
            .len();
        match (form.focus, event.code) {
            (_, KeyCode::Esc) => {
                self.stack.pop();
            }
            (_, KeyCode::Tab) => form.focus = (form.focus + 1) % 4,
            (_, KeyCode::BackTab) => form.focus = (form.focus + 3) % 4,
            (0, KeyCode::Down | KeyCode::Char('j')) => {
                form.selected = (form.selected + 1).min(form.plugins.len() - 1);
                form.level = 0;
            }
            (0, KeyCode::Up | KeyCode::Char('k')) => {
                form.selected = form.selected.saturating_sub(1);
                form.level = 0;
            }
            (1, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                form.language = if form.language == "fr" {
                    "en".into()
                } else {
                    "fr".into()
                };
            }
            (2, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) if levels > 0 => {
                form.level = (form.level + 1) % levels;
            }
            (3, KeyCode::Char(c)) if c.is_ascii_digit() || c == '-' => form.date.push(c),
            (3, KeyCode::Backspace) => {
                form.date.pop();
            }
            (_, KeyCode::Enter) => self.create_assessment(),
            _ => {}
        }
    }

    fn create_assessment(&mut self) {
        let Screen::NewAssessment(form) = self.screen() else {
            return;
        };
        let date = match form.date.parse::<Date>() {
            Ok(d) => d,
            Err(e) => {
                let msg = e.to_string();
                if let Screen::NewAssessment(form) = self.screen_mut() {
                    form.error = Some(msg);
                }
                return;
            }
        };
        let plugin = form.plugins[form.selected].clone();
        let level = plugin
            .questionnaire()
            .info
            .levels
            .get(form.level)
            .map(|l| l.id.clone());
        let supplier = form.supplier.id.clone();
        let language = form.language.clone();
        match self
            .bench
            .new_assessment(&supplier, plugin.sha256(), date, &language, level, None)
        {
            Ok(assessment) => {
                self.stack.pop();
                self.open_interview(&assessment.id);
            }
            Err(e) => {
                let msg = e.to_string();
                if let Screen::NewAssessment(form) = self.screen_mut() {
                    form.error = Some(msg);
                }
            }
        }
    }

    // ----------------------------------------------------------- interview

    /// Opens an assessment in the interview screen.
    pub fn open_interview(&mut self, key: &str) {
        let result = (|| -> Result<Interview, AppError> {
            let assessment = self.bench.store.assessment(key)?;
            let plugin = self.bench.plugin_for(&assessment)?;
            let answers = by_question(self.bench.store.answers(&assessment.id)?);
            let mut evidence_count = HashMap::new();
            for e in self.bench.store.list_evidence(&assessment.id, None)? {
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

    /// Asks for a new evaluation: the worker when there is one (the TUI),
    /// else at once (tests and benchmarks).
    pub fn request_score(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let scorer = self.scorer.clone();
        let Screen::Interview(iv) = self.screen_mut() else {
            return;
        };
        let answers = iv.effective_answers();
        let context = EvalContext {
            assessment_date: iv.assessment.assessment_date,
            language: iv.assessment.language.clone(),
            level: iv.assessment.level.clone(),
        };
        let save = iv.assessment.status == vigie_store::AssessmentStatus::Draft;
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
        match scorer {
            Some(tx) => {
                if tx.send(Request::Score(request)).is_err() {
                    self.error("the scoring worker stopped");
                }
            }
            None => {
                let started = std::time::Instant::now();
                let result = self
                    .bench
                    .catalog
                    .host()
                    .evaluate(&request.plugin, &request.answers, &request.context)
                    .map_err(|e| e.to_string());
                if request.save
                    && let Ok(e) = &result
                {
                    let _ = self.bench.store.save_evaluation(&request.assessment_id, e);
                }
                self.on_scored(Scored {
                    generation,
                    assessment_id: request.assessment_id,
                    result,
                    elapsed: started.elapsed(),
                });
            }
        }
    }

    fn interview(&self) -> Option<&Interview> {
        match self.screen() {
            Screen::Interview(iv) => Some(iv),
            _ => None,
        }
    }

    fn interview_mut(&mut self) -> Option<&mut Interview> {
        match self.screen_mut() {
            Screen::Interview(iv) => Some(iv),
            _ => None,
        }
    }

    fn interview_action(&mut self, action: Action) {
        let lang = self.lang.clone();
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
                    self.info(tr(
                        &lang,
                        "Toutes les questions applicables ont une réponse.",
                        "Every applicable question is answered.",
                    ));
                }
            }
            Action::PrevUnanswered => {
                if let Some(prev) = iv.next_unanswered(false) {
                    iv.current = prev;
                }
            }
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
                            .map(|v| v.display(&AnswerKind::Text, &lang))
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
                        let selected = choices
                            .iter()
                            .position(|c| current.is_some_and(|v| v.matches_value(&c.id)))
                            .unwrap_or(0);
                        self.overlay = Some(Overlay::Choices {
                            selected,
                            typed: String::new(),
                        });
                    }
                    _ => self.info(tr(
                        &lang,
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
                    prompt: tr(&lang, "Note", "Note").to_string(),
                    edit: LineEdit::with_value(note),
                    error: None,
                });
            }
            Action::Evidence => {
                self.overlay = Some(Overlay::Input {
                    purpose: InputPurpose::Evidence,
                    prompt: tr(
                        &lang,
                        "Preuve (texte ou lien) ; expiration AAAA-MM-JJ facultative après « ; »",
                        "Evidence (text or link); optional expiry YYYY-MM-DD after \";\"",
                    )
                    .to_string(),
                    edit: LineEdit::default(),
                    error: None,
                });
            }
            Action::Undo => self.undo(),
            Action::Findings => self.open_findings(),
            Action::Compare => {
                let Some(iv) = self.interview() else { return };
                let id = iv.assessment.id.clone();
                let questionnaire = iv.questionnaire.clone();
                self.run_job(("Comparaison", "Comparing"), move |bench| {
                    let result = bench.compare_with_previous(&id);
                    Box::new(move |app: &mut App| {
                        let lang = app.lang.clone();
                        match result {
                            Ok(Some(comparison)) => {
                                app.stack.push(Screen::Compare(Box::new(CompareView {
                                    questionnaire,
                                    comparison,
                                    scroll: 0,
                                })))
                            }
                            Ok(None) => app.info(tr(
                                &lang,
                                "Pas d'évaluation précédente.",
                                "No previous assessment.",
                            )),
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
                    iv.questionnaire.info.name.get(&lang)
                );
                match self.bench.store.audit_trail(Some(&id)) {
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
                    self.info(tr(
                        &lang,
                        "Évaluation déjà finalisée.",
                        "Assessment already final.",
                    ));
                } else {
                    self.overlay = Some(Overlay::ConfirmFinalize);
                }
            }
            _ => {}
        }
    }

    fn answer_option(&mut self, option: usize) {
        let lang = self.lang.clone();
        let Some(iv) = self.interview() else { return };
        let q = &iv.questionnaire.questions[iv.current];
        let value = match &q.kind {
            AnswerKind::YesNo => YesNo::ALL.get(option).map(|v| AnswerValue::YesNo(*v)),
            AnswerKind::SingleChoice(choices) => choices
                .get(option)
                .map(|c| AnswerValue::Choice(c.id.clone())),
            AnswerKind::MultipleChoice(choices) => choices.get(option).map(|c| {
                let mut chosen = match iv.answer_value(iv.current) {
                    Some(AnswerValue::Choices(ids)) => ids.clone(),
                    _ => Vec::new(),
                };
                if let Some(pos) = chosen.iter().position(|id| id == &c.id) {
                    chosen.remove(pos);
                } else {
                    chosen.push(c.id.clone());
                }
                AnswerValue::Choices(chosen)
            }),
            _ => {
                // Numbers, dates and text: a digit starts typing the value.
                self.overlay = Some(Overlay::Input {
                    purpose: InputPurpose::Value,
                    prompt: self.value_prompt(),
                    edit: LineEdit::typed(((b'1' + option as u8) as char).to_string()),
                    error: None,
                });
                return;
            }
        };
        let multiple = matches!(q.kind, AnswerKind::MultipleChoice(_));
        match value {
            // One key answers and moves on, as on a phone interview; a multiple
            // choice stays put so several options can be ticked.
            Some(v) => self.save_answer(Some(v), None, !multiple),
            None => self.error(tr(
                &lang,
                "Pas d'option pour cette touche.",
                "No option on that key.",
            )),
        }
    }

    /// Saves the current question's answer (the note is kept unless given);
    /// with `advance`, moves on to the next question once it is saved.
    fn save_answer(&mut self, value: Option<AnswerValue>, note: Option<String>, advance: bool) {
        let Some(iv) = self.interview() else {
            return;
        };
        let question = iv.questionnaire.questions[iv.current].id.clone();
        self.save_answer_for(&question, value, note, false, advance);
    }

    /// Sends the write of one answer to the worker; [`App::on_answer_saved`] takes
    /// the result.
    fn save_answer_for(
        &mut self,
        question: &str,
        value: Option<AnswerValue>,
        note: Option<String>,
        undoing: bool,
        advance: bool,
    ) {
        let Some(Screen::Interview(iv)) = self.stack.last() else {
            return;
        };
        let previous = iv.answers.get(question).cloned();
        let note = note.or_else(|| previous.as_ref().and_then(|p| p.note.clone()));
        let base = previous.as_ref().map(|p| p.revision);
        let assessment = iv.assessment.clone();
        let questionnaire = iv.questionnaire.clone();
        let question = question.to_string();
        self.run_job(("Enregistrement", "Saving"), move |bench| {
            let result = bench.answer(
                &assessment,
                &questionnaire,
                &question,
                value.clone(),
                note.clone(),
                base,
            );
            Box::new(move |app: &mut App| {
                app.on_answer_saved(SavedAnswer {
                    question,
                    value,
                    note,
                    previous,
                    undoing,
                    advance,
                    result,
                })
            })
        });
    }

    fn on_answer_saved(&mut self, saved: SavedAnswer) {
        let lang = self.lang.clone();
        let SavedAnswer {
            question,
            value,
            note,
            previous,
            undoing,
            advance,
            result,
        } = saved;
        match result {
            Ok(stored) => {
                let revision = stored.revision;
                let overlay_open = self.overlay.is_some();
                if let Some(iv) = self.interview_mut()
                    && iv.assessment.id == stored.assessment_id
                {
                    if !undoing {
                        iv.undo.push((question.clone(), previous));
                    }
                    iv.answers.insert(question.clone(), stored);
                    iv.refresh_applicability();
                    // One key answers and moves on, as on a phone interview.
                    if advance
                        && !overlay_open
                        && iv.questionnaire.questions.get(iv.current).map(|q| &q.id)
                            == Some(&question)
                    {
                        iv.step(1);
                    }
                }
                self.info(format!(
                    "{} ({} {revision})",
                    tr(&lang, "Enregistré", "Saved"),
                    tr(&lang, "rév.", "rev.")
                ));
                self.request_score();
            }
            Err(AppError::Store(StoreError::Conflict { current, .. })) => {
                self.deferred.clear();
                self.overlay = Some(Overlay::Conflict {
                    question,
                    ours: value,
                    note,
                    theirs: current,
                });
            }
            Err(e) => self.job_error(e),
        }
    }

    /// A job failed: the keys typed after it no longer apply. A cancelled wait is not an
    /// error: the auditor asked for it.
    fn job_error(&mut self, error: AppError) {
        self.deferred.clear();
        if let AppError::Store(StoreError::Cancelled { .. }) = error {
            let lang = self.lang.clone();
            self.info(tr(
                &lang,
                "Attente abandonnée : rien n'a été écrit.",
                "Stopped waiting: nothing was written.",
            ));
        } else {
            self.error(error);
        }
    }

    fn undo(&mut self) {
        let lang = self.lang.clone();
        let Some(iv) = self.interview_mut() else {
            return;
        };
        let Some((question, previous)) = iv.undo.pop() else {
            self.info(tr(&lang, "Rien à annuler.", "Nothing to undo."));
            return;
        };
        if let Some(i) = iv.questionnaire.question_index(&question) {
            iv.current = i;
        }
        let value = previous.as_ref().and_then(|p| p.value.clone());
        let note = previous.as_ref().and_then(|p| p.note.clone());
        self.save_answer_for(&question, value, note.or(Some(String::new())), true, false);
    }

    fn open_search(&mut self) {
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

    fn open_findings(&mut self) {
        let Some(iv) = self.interview() else { return };
        let Some(evaluation) = iv.evaluation.clone() else {
            let msg = tr(&self.lang, "Pas encore de résultat.", "No result yet.");
            self.info(msg);
            return;
        };
        let assessment = iv.assessment.clone();
        let questionnaire = iv.questionnaire.clone();
        match self.bench.store.list_action_items(&assessment.id) {
            Ok(actions) => self.stack.push(Screen::Findings(Box::new(FindingsView {
                assessment,
                questionnaire,
                evaluation,
                actions,
                pane: FindingsPane::Criteria,
                selected: 0,
            }))),
            Err(e) => self.error(e),
        }
    }

    // ------------------------------------------------------------ findings

    fn findings_action(&mut self, action: Action) {
        let lang = self.lang.clone();
        let Screen::Findings(view) = self.screen_mut() else {
            return;
        };
        let len = match view.pane {
            FindingsPane::Criteria => view.evaluation.criteria.len(),
            FindingsPane::Findings => view.rows().len(),
        };
        match action {
            Action::Down => view.selected = (view.selected + 1).min(len.saturating_sub(1)),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::SwitchPane => {
                view.pane = match view.pane {
                    FindingsPane::Criteria => FindingsPane::Findings,
                    FindingsPane::Findings => FindingsPane::Criteria,
                };
                view.selected = 0;
            }
            Action::AddAction if view.pane == FindingsPane::Findings => {
                let rows = view.rows();
                let finding = match rows.get(view.selected) {
                    Some(FindingRow::Finding(i)) => Some(view.evaluation.findings[*i].id.clone()),
                    Some(FindingRow::Action(j)) => Some(view.actions[*j].finding_id.clone()),
                    None => None,
                };
                if let Some(finding) = finding {
                    self.overlay = Some(Overlay::Input {
                        purpose: InputPurpose::ActionItem { finding },
                        prompt: tr(
                            &lang,
                            "Action ; responsable ; échéance AAAA-MM-JJ",
                            "Action; owner; deadline YYYY-MM-DD",
                        )
                        .to_string(),
                        edit: LineEdit::default(),
                        error: None,
                    });
                }
            }
            Action::CycleStatus if view.pane == FindingsPane::Findings => {
                let rows = view.rows();
                if let Some(FindingRow::Action(j)) = rows.get(view.selected) {
                    let item = view.actions[*j].clone();
                    let next = match item.status {
                        ActionStatus::Open => ActionStatus::InProgress,
                        ActionStatus::InProgress => ActionStatus::Done,
                        ActionStatus::Done => ActionStatus::Open,
                    };
                    let update = ActionItemUpdate {
                        status: Some(next),
                        ..ActionItemUpdate::default()
                    };
                    let j = *j;
                    self.run_job(("Enregistrement", "Saving"), move |bench| {
                        let result = bench.store.update_action_item(&item.id, &update);
                        Box::new(move |app: &mut App| match result {
                            Ok(updated) => {
                                if let Screen::Findings(view) = app.screen_mut()
                                    && let Some(slot) = view.actions.get_mut(j)
                                {
                                    *slot = updated;
                                }
                            }
                            Err(e) => app.job_error(e.into()),
                        })
                    });
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------ overlays

    fn on_overlay_key(&mut self, event: KeyEvent, key: Key) {
        let lang = self.lang.clone();
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        // Ctrl-C closes any popup, as Esc does, rather than landing in a field.
        if key.ctrl && event.code == KeyCode::Char('c') {
            return;
        }
        match overlay {
            Overlay::Help | Overlay::QuestionHelp | Overlay::Explain => {}
            Overlay::ReportFormat { assessment } => {
                let format = match event.code {
                    KeyCode::Char('1') => vigie_report::Format::Markdown,
                    KeyCode::Char('2') => vigie_report::Format::Html,
                    KeyCode::Char('3') => vigie_report::Format::Json,
                    KeyCode::Char('4') => vigie_report::Format::Csv,
                    _ => return,
                };
                self.ask_report_path(assessment, format);
            }
            Overlay::ConfirmFinalize => {
                if matches!(event.code, KeyCode::Char('y' | 'o' | 'Y' | 'O')) {
                    self.finalize();
                }
            }
            Overlay::Choices {
                mut selected,
                mut typed,
            } => {
                let Some(iv) = self.interview() else { return };
                let q = &iv.questionnaire.questions[iv.current];
                let (count, multiple) = match &q.kind {
                    AnswerKind::SingleChoice(c) => (c.len(), false),
                    AnswerKind::MultipleChoice(c) => (c.len(), true),
                    _ => return,
                };
                let last = count.saturating_sub(1);
                let mut chosen = None;
                match event.code {
                    KeyCode::Esc | KeyCode::Char('q') => return,
                    KeyCode::Down | KeyCode::Char('j') => selected = (selected + 1).min(last),
                    KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
                    KeyCode::PageDown => selected = (selected + CHOICE_PAGE).min(last),
                    KeyCode::PageUp => selected = selected.saturating_sub(CHOICE_PAGE),
                    KeyCode::Home => selected = 0,
                    KeyCode::End => selected = last,
                    KeyCode::Enter | KeyCode::Char(' ') => chosen = Some(selected),
                    KeyCode::Char(c @ '0'..='9') => {
                        if let Some(n) = type_digit(&mut typed, c, count) {
                            selected = n - 1;
                        }
                    }
                    _ => {}
                }
                if !matches!(event.code, KeyCode::Char('0'..='9')) {
                    typed.clear();
                }
                let Some(option) = chosen else {
                    self.overlay = Some(Overlay::Choices { selected, typed });
                    return;
                };
                // A single choice answers and closes, as a digit does in the
                // interview; a multiple choice ticks and stays open.
                if multiple {
                    self.overlay = Some(Overlay::Choices {
                        selected: option,
                        typed: String::new(),
                    });
                }
                self.answer_option(option);
            }
            Overlay::Sections {
                mut selected,
                mut typed,
            } => {
                let sections = self
                    .interview()
                    .map(|iv| iv.questionnaire.sections.len())
                    .unwrap_or(0);
                match event.code {
                    KeyCode::Esc | KeyCode::Char('q') => return,
                    KeyCode::Down | KeyCode::Char('j') => {
                        selected = (selected + 1).min(sections.saturating_sub(1))
                    }
                    KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
                    KeyCode::Enter => {
                        if let Some(iv) = self.interview_mut() {
                            iv.jump_to_section(selected);
                        }
                        return;
                    }
                    KeyCode::Char(c @ '0'..='9') => {
                        if let Some(number) = type_digit(&mut typed, c, sections) {
                            selected = number - 1;
                            // Jump now unless a longer number could still follow.
                            if number * 10 > sections {
                                if let Some(iv) = self.interview_mut() {
                                    iv.jump_to_section(selected);
                                }
                                return;
                            }
                        }
                        self.overlay = Some(Overlay::Sections { selected, typed });
                        return;
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Sections {
                    selected,
                    typed: String::new(),
                });
            }
            Overlay::Conflict {
                question,
                ours,
                note,
                theirs,
            } => match event.code {
                // Keep theirs: take the database's value.
                KeyCode::Char('k') | KeyCode::Esc => {
                    if let Some(iv) = self.interview_mut() {
                        if theirs.revision > 0 {
                            iv.answers.insert(question.clone(), (*theirs).clone());
                        } else {
                            iv.answers.remove(&question);
                        }
                        iv.refresh_applicability();
                    }
                    self.info(tr(
                        &lang,
                        "Réponse de l'autre auditeur conservée.",
                        "Kept the other auditor's answer.",
                    ));
                    self.request_score();
                }
                // Overwrite with ours, now knowing their revision.
                KeyCode::Char('o') => {
                    if let Some(iv) = self.interview_mut() {
                        if theirs.revision > 0 {
                            iv.answers.insert(question.clone(), (*theirs).clone());
                        } else {
                            iv.answers.remove(&question);
                        }
                    }
                    self.save_answer_for(&question, ours, note, false, false);
                }
                _ => {
                    self.overlay = Some(Overlay::Conflict {
                        question,
                        ours,
                        note,
                        theirs,
                    })
                }
            },
            Overlay::Input {
                purpose,
                prompt,
                mut edit,
                error,
            } => match event.code {
                KeyCode::Esc => {}
                KeyCode::Char('c') if key.ctrl => {}
                KeyCode::Enter => {
                    let text = edit.text().to_string();
                    self.commit_input(purpose, text);
                }
                _ => {
                    let error = if edit.key(&event) { None } else { error };
                    self.overlay = Some(Overlay::Input {
                        purpose,
                        prompt,
                        edit,
                        error,
                    });
                }
            },
            Overlay::Search(mut search) => {
                match event.code {
                    KeyCode::Esc => return,
                    KeyCode::Enter => {
                        if let Some(hit) = search.hits.get(search.selected) {
                            let question = search.index.entry(hit.entry).question;
                            if let Some(iv) = self.interview_mut() {
                                if iv.applies.question(question) {
                                    iv.current = question;
                                } else {
                                    self.info(tr(
                                        &lang,
                                        "Cette question ne s'applique pas avec les réponses actuelles.",
                                        "That question does not apply with the current answers.",
                                    ));
                                }
                            }
                        }
                        return;
                    }
                    KeyCode::Down => {
                        search.selected =
                            (search.selected + 1).min(search.hits.len().saturating_sub(1))
                    }
                    KeyCode::Up => search.selected = search.selected.saturating_sub(1),
                    KeyCode::Backspace => {
                        search.query.pop();
                        search.hits = search.index.search(&search.query.clone(), 50);
                        search.selected = 0;
                    }
                    KeyCode::Char(c) if !key.ctrl => {
                        search.query.push(c);
                        search.hits = search.index.search(&search.query.clone(), 50);
                        search.selected = 0;
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Search(search));
            }
        }
    }

    /// What the value field asks for: the kind, and for a number its unit and bounds
    /// ("Nombre en M€, de 0 à 100 000").
    fn value_prompt(&self) -> String {
        let lang = self.lang.as_str();
        let Some(iv) = self.interview() else {
            return tr(lang, "Valeur", "Value").to_string();
        };
        let q = &iv.questionnaire.questions[iv.current];
        let number = |bounds: &vigie_model::NumericBounds, whole: bool| {
            let mut text = if whole {
                tr(lang, "Nombre entier", "Whole number").to_string()
            } else {
                tr(lang, "Nombre", "Number").to_string()
            };
            if let Some(unit) = &bounds.unit {
                text.push_str(&format!(" {} {}", tr(lang, "en", "in"), unit.get(lang)));
            }
            let show = |v: f64| format_number(v, lang);
            match (bounds.min, bounds.max) {
                (Some(min), Some(max)) => text.push_str(&format!(
                    ", {} {} {} {}",
                    tr(lang, "de", "from"),
                    show(min),
                    tr(lang, "à", "to"),
                    show(max)
                )),
                (Some(min), None) => {
                    text.push_str(&format!(", ≥ {}", show(min)));
                }
                (None, Some(max)) => {
                    text.push_str(&format!(", ≤ {}", show(max)));
                }
                (None, None) => {}
            }
            if !whole {
                text.push_str(tr(lang, " (virgule ou point)", " (comma or point)"));
            }
            text
        };
        match &q.kind {
            AnswerKind::Integer(bounds) => number(bounds, true),
            AnswerKind::Decimal(bounds) => number(bounds, false),
            AnswerKind::Date => tr(lang, "Date (AAAA-MM-JJ)", "Date (YYYY-MM-DD)").to_string(),
            AnswerKind::Text => tr(lang, "Réponse", "Answer").to_string(),
            _ => tr(lang, "Valeur", "Value").to_string(),
        }
    }

    fn commit_input(&mut self, purpose: InputPurpose, buffer: String) {
        let lang = self.lang.clone();
        match purpose {
            InputPurpose::Value => {
                let Some(iv) = self.interview() else { return };
                let kind = iv.questionnaire.questions[iv.current].kind.clone();
                match AnswerValue::parse(&kind, &buffer) {
                    // A number of a million or more is rarely what an interview means
                    // (80000000 typed for a turnover in M€): ask once before saving it.
                    Ok(v)
                        if is_implausible(&v)
                            && self.confirming_value.as_deref() != Some(buffer.trim()) =>
                    {
                        self.confirming_value = Some(buffer.trim().to_string());
                        let shown = v.display(&kind, &lang);
                        self.overlay = Some(Overlay::Input {
                            purpose: InputPurpose::Value,
                            prompt: self.value_prompt(),
                            edit: LineEdit::typed(buffer),
                            error: Some(match lang.as_str() {
                                "fr" => format!(
                                    "{shown} : valeur inhabituelle. Entrée confirme, ou corrigez."
                                ),
                                _ => format!(
                                    "{shown}: an unusual value. Enter confirms, or correct it."
                                ),
                            }),
                        });
                    }
                    // One rule for every kind: an answer moves on to the next question.
                    Ok(v) => {
                        self.confirming_value = None;
                        self.save_answer(Some(v), None, true)
                    }
                    // The popup stays, with what was typed and why it was refused.
                    Err(e) => {
                        self.overlay = Some(Overlay::Input {
                            purpose: InputPurpose::Value,
                            prompt: self.value_prompt(),
                            edit: LineEdit::typed(buffer),
                            error: Some(e.to_string()),
                        })
                    }
                }
            }
            InputPurpose::Note => {
                let Some(iv) = self.interview() else { return };
                let current = iv.answer_value(iv.current).cloned();
                let note = buffer.trim().to_string();
                self.save_answer(current, Some(note), false);
            }
            InputPurpose::Evidence => {
                let Some(iv) = self.interview() else { return };
                let question = iv.questionnaire.questions[iv.current].id.clone();
                let assessment = iv.assessment.id.clone();
                let (text, expiry) = match buffer.rsplit_once(';') {
                    Some((t, d)) if d.trim().parse::<Date>().is_ok() => {
                        (t.trim().to_string(), d.trim().parse::<Date>().ok())
                    }
                    _ => (buffer.trim().to_string(), None),
                };
                if text.is_empty() {
                    return;
                }
                let kind = if text.starts_with("http://") || text.starts_with("https://") {
                    EvidenceKind::Link
                } else {
                    EvidenceKind::Note
                };
                let evidence = NewEvidence {
                    question: Some(question.clone()),
                    kind,
                    text,
                    file: None,
                    effective_date: None,
                    expiry_date: expiry,
                };
                self.run_job(("Enregistrement", "Saving"), move |bench| {
                    let result = bench.store.add_evidence(&assessment, &evidence);
                    Box::new(move |app: &mut App| match result {
                        Ok(_) => {
                            if let Some(iv) = app.interview_mut() {
                                *iv.evidence_count.entry(question).or_insert(0) += 1;
                            }
                            let lang = app.lang.clone();
                            app.info(tr(&lang, "Preuve ajoutée.", "Evidence added."));
                        }
                        Err(e) => app.job_error(e.into()),
                    })
                });
            }
            InputPurpose::ReportPath {
                assessment,
                format,
                replace,
            } => {
                let path = buffer.trim().to_string();
                if path.is_empty() {
                    self.error(tr(&lang, "Donnez un nom de fichier.", "Give a file name."));
                    return;
                }
                let exists = std::path::Path::new(&path).exists();
                if exists && replace.as_deref() != Some(path.as_str()) {
                    // Never overwrite silently: say so, keep the field, and
                    // let a second Enter on the same name replace the file.
                    self.error(match lang.as_str() {
                        "fr" => {
                            format!("{path} existe déjà : Entrée le remplace, ou changez le nom.")
                        }
                        _ => {
                            format!("{path} already exists: Enter replaces it, or change the name.")
                        }
                    });
                    self.overlay = Some(Overlay::Input {
                        purpose: InputPurpose::ReportPath {
                            assessment,
                            format,
                            replace: Some(path.clone()),
                        },
                        prompt: self.report_path_prompt(),
                        edit: LineEdit::typed(path),
                        error: None,
                    });
                    return;
                }
                self.write_report(&assessment, format, std::path::PathBuf::from(path));
            }
            InputPurpose::ActionItem { finding } => {
                let mut parts = buffer.split(';').map(str::trim);
                let title = parts.next().unwrap_or("").to_string();
                let owner = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
                let deadline = match parts.next().filter(|s| !s.is_empty()) {
                    Some(d) => match d.parse::<Date>() {
                        Ok(d) => Some(d),
                        Err(e) => return self.error(e),
                    },
                    None => None,
                };
                if title.is_empty() {
                    return self.error(tr(
                        &lang,
                        "L'action a besoin d'un intitulé.",
                        "The action needs a title.",
                    ));
                }
                let Screen::Findings(view) = self.screen() else {
                    return;
                };
                let assessment = view.assessment.id.clone();
                let item = NewActionItem {
                    finding_id: finding,
                    title,
                    owner,
                    deadline,
                };
                self.run_job(("Enregistrement", "Saving"), move |bench| {
                    let result = bench.store.add_action_item(&assessment, &item);
                    Box::new(move |app: &mut App| match result {
                        Ok(added) => {
                            if let Screen::Findings(view) = app.screen_mut() {
                                view.actions.push(added);
                            }
                            let lang = app.lang.clone();
                            app.info(tr(&lang, "Action ajoutée.", "Action added."));
                        }
                        Err(e) => app.job_error(e.into()),
                    })
                });
            }
        }
    }

    /// The assessment a report would be about, on this screen.
    fn report_target(&self) -> Option<String> {
        match self.screen() {
            Screen::Home => match self.home.rows.get(self.home.selected) {
                Some(HomeRow::Assessment(a)) => Some(a.id.to_string()),
                _ => None,
            },
            Screen::Interview(iv) => Some(iv.assessment.id.to_string()),
            Screen::Findings(view) => Some(view.assessment.id.to_string()),
            _ => None,
        }
    }

    fn ask_report(&mut self) {
        match self.report_target() {
            Some(assessment) => self.overlay = Some(Overlay::ReportFormat { assessment }),
            None => self.error(self.l(
                "Choisissez d'abord une évaluation.",
                "Select an assessment first.",
            )),
        }
    }

    /// Asks where to write the report, offering a name in the current folder
    /// that no file has yet.
    fn ask_report_path(&mut self, assessment: String, format: vigie_report::Format) {
        let short = vigie_store::short_id(&assessment);
        let ext = format.extension();
        let mut name = format!("vigie-report-{short}.{ext}");
        for n in 2..1000 {
            if !std::path::Path::new(&name).exists() {
                break;
            }
            name = format!("vigie-report-{short}-{n}.{ext}");
        }
        self.overlay = Some(Overlay::Input {
            purpose: InputPurpose::ReportPath {
                assessment,
                format,
                replace: None,
            },
            prompt: self.report_path_prompt(),
            edit: LineEdit::with_value(name),
            error: None,
        });
    }

    fn report_path_prompt(&self) -> String {
        self.l(
            "Écrire le rapport dans le fichier",
            "Write the report to the file",
        )
        .to_string()
    }

    /// Writes the report to `path`, on the worker when there is one.
    fn write_report(
        &mut self,
        assessment: &str,
        format: vigie_report::Format,
        path: std::path::PathBuf,
    ) {
        let lang = if self.lang == "fr" {
            vigie_report::Lang::Fr
        } else {
            vigie_report::Lang::En
        };
        let request = ReportRequest {
            assessment_id: assessment.to_string(),
            format,
            lang,
            path,
        };
        match self.scorer.clone() {
            Some(tx) => {
                let l = self.lang.clone();
                self.info(tr(
                    &l,
                    "Rapport en cours d'écriture…",
                    "Writing the report…",
                ));
                if tx.send(Request::Report(request)).is_err() {
                    self.error("the background worker stopped");
                }
            }
            None => {
                let result = crate::worker::write_report(&mut self.bench, &request);
                self.update(Msg::ReportDone(result));
            }
        }
    }

    fn finalize(&mut self) {
        let Some(iv) = self.interview() else { return };
        let id = iv.assessment.id.clone();
        self.run_job(("Finalisation", "Finalizing"), move |bench| {
            let result = bench.finalize(&id);
            Box::new(move |app: &mut App| {
                let lang = app.lang.clone();
                match result {
                    Ok((assessment, evaluation)) => {
                        if let Some(iv) = app.interview_mut()
                            && iv.assessment.id == assessment.id
                        {
                            iv.assessment = assessment;
                            iv.evaluation = Some(evaluation);
                        }
                        app.info(tr(
                            &lang,
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

fn supplier_form(existing: Option<&Supplier>) -> SupplierForm {
    let f = |label: &'static str, value: String| TextField { label, value };
    let s = existing.map(Supplier::fields);
    SupplierForm {
        editing: existing.map(|s| s.id.to_string()),
        fields: vec![
            f(
                "name",
                s.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            ),
            f(
                "country",
                s.as_ref()
                    .and_then(|s| s.country.clone())
                    .unwrap_or_default(),
            ),
            f(
                "sector",
                s.as_ref()
                    .and_then(|s| s.sector.clone())
                    .unwrap_or_default(),
            ),
            f(
                "services",
                s.as_ref()
                    .map(|s| s.services.join(", "))
                    .unwrap_or_default(),
            ),
            f(
                "contacts",
                s.as_ref()
                    .map(|s| vigie_app::contacts::contacts_line(&s.contacts))
                    .unwrap_or_default(),
            ),
        ],
        criticality: s.map(|s| s.criticality).unwrap_or(Criticality::Medium),
        focus: 0,
        error: None,
    }
}

/// One more digit typed in a numbered list of `count` items: the number typed so far
/// (1-based) when it names an item. A digit that cannot extend the number starts a new one;
/// one that names nothing clears it.
fn type_digit(typed: &mut String, digit: char, count: usize) -> Option<usize> {
    typed.push(digit);
    if typed.parse::<usize>().map_or(true, |n| n == 0 || n > count) {
        *typed = digit.to_string();
    }
    match typed.parse::<usize>() {
        Ok(n) if (1..=count).contains(&n) => Some(n),
        _ => {
            typed.clear();
            None
        }
    }
}

/// A number far from what an interview records (a million or more): typed by mistake more
/// often than meant, so it is confirmed before it is saved.
fn is_implausible(value: &AnswerValue) -> bool {
    match value {
        AnswerValue::Integer(n) => n.unsigned_abs() >= 1_000_000,
        AnswerValue::Decimal(x) => x.abs() >= 1_000_000.0,
        _ => false,
    }
}

/// A bound as a person reads it: digits grouped by three (a space in French, a comma in
/// English), the French decimal comma.
fn format_number(value: f64, lang: &str) -> String {
    let (group, decimal) = if lang == "fr" { (' ', ',') } else { (',', '.') };
    let text = format!("{value}");
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", whole),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}{decimal}{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// The supplier the form describes; contacts are read with the command line's syntax.
fn form_to_supplier(form: &SupplierForm) -> Result<SupplierFields, String> {
    let get = |i: usize| form.fields[i].value.trim().to_string();
    let opt = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
    let list = |i: usize| {
        get(i)
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    Ok(SupplierFields {
        name: get(0),
        country: opt(1),
        sector: opt(2),
        services: list(3),
        contacts: vigie_app::contacts::parse_contacts(&get(4)).map_err(|e| e.to_string())?,
        criticality: form.criticality,
    })
}

impl Interview {
    pub fn is_final(&self) -> bool {
        self.assessment.status == vigie_store::AssessmentStatus::Final
    }

    pub fn answer_value(&self, index: usize) -> Option<&AnswerValue> {
        self.answers
            .get(&self.questionnaire.questions.get(index)?.id)
            .and_then(|a| a.value.as_ref())
    }

    pub fn refresh_applicability(&mut self) {
        let values: HashMap<&str, &AnswerValue> = self
            .answers
            .iter()
            .filter_map(|(q, a)| a.value.as_ref().map(|v| (q.as_str(), v)))
            .collect();
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

    /// The answers sent to the plugin (stored answers with a value).
    pub fn effective_answers(&self) -> Vec<Answer> {
        let mut rows: Vec<StoredAnswer> = self.answers.values().cloned().collect();
        rows.sort_by_key(|r| {
            self.questionnaire
                .question_index(&r.question)
                .unwrap_or(usize::MAX)
        });
        answers_of(&rows)
    }

    pub fn is_answered(&self, index: usize) -> bool {
        self.answer_value(index).is_some()
    }

    pub fn first_unanswered(&self) -> Option<usize> {
        self.visible().into_iter().find(|i| !self.is_answered(*i))
    }

    /// The next (or previous) applicable question without an answer,
    /// wrapping around.
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
            .find(|i| !self.is_answered(*i))
    }

    pub fn step(&mut self, delta: i32) {
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

    /// (answered, applicable) over the whole questionnaire.
    pub fn progress(&self) -> (usize, usize) {
        let visible = self.visible();
        let answered = visible.iter().filter(|i| self.is_answered(**i)).count();
        (answered, visible.len())
    }
}

impl FindingsView {
    /// Findings, each followed by its action items.
    pub fn rows(&self) -> Vec<FindingRow> {
        let mut rows = Vec::new();
        for (i, f) in self.evaluation.findings.iter().enumerate() {
            rows.push(FindingRow::Finding(i));
            for (j, a) in self.actions.iter().enumerate() {
                if a.finding_id == f.id {
                    rows.push(FindingRow::Action(j));
                }
            }
        }
        rows
    }
}
