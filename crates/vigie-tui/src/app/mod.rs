//! The state of the workbench and `update`, which is the only place it
//! changes. Views only read it (see `view`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use vigie_app::Workbench;
use vigie_app::workbench::{AppError, by_question};
use vigie_app::{AssessmentFilter, AuditEntry, StoreError};
use vigie_model::{
    ActionItem, ActionItemUpdate, ActionStatus, Assessment, AssessmentSummary, Criticality,
    EvidenceKind, NewActionItem, NewEvidence, StoredAnswer, Supplier, SupplierFields,
};
use vigie_model::{
    Answer, AnswerKind, AnswerValue, Applicability, Date, EvalContext, Evaluation, Lang,
    Questionnaire, Severity, applicable_items,
};
use vigie_plugin_host::Plugin;

use crate::keymap::{Action, Key, Keymap, Scope};
use crate::line_edit::LineEdit;
use crate::search::{Field, SearchIndex};
use crate::theme::Theme;
use crate::worker::{Apply, ReportRequest, Request, ScoreRequest, Scored};

mod answers;
mod declared;
mod findings;
mod forms;
mod home;
mod interview;
mod lists;
mod overlays;
mod records;
mod report;
mod watch;
mod workbook_export;

pub use answers::SavedAnswer;
use answers::is_implausible;
pub use declared::*;
pub use findings::*;
use forms::supplier_form;
pub use forms::*;
use home::load_home;
pub use home::*;
pub use interview::*;
pub use lists::*;
pub use overlays::*;
pub use records::*;
pub use workbook_export::*;

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
    /// A look for colleagues' changes finished: what to show of them.
    Watched(Apply),
    /// A read for the screen finished: what to show.
    Loaded(Apply),
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

pub enum Screen {
    Home,
    SupplierForm(SupplierForm),
    NewAssessment(Box<NewAssessmentForm>),
    Interview(Box<Interview>),
    Findings(Box<FindingsView>),
    Plugins {
        selected: usize,
    },
    Audit(AuditView),
    Compare(Box<CompareView>),
    WorkbookExport(Box<WorkbookExportForm>),
    /// The evidence of one question.
    Evidence(Box<EvidenceView>),
    /// Adding or editing a piece of evidence or an action item.
    RecordForm(Box<RecordForm>),
}

pub struct App {
    pub bench: Workbench,
    pub lang: Lang,
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
    /// [`vigie_app::Workbench::data_version`]); it moves when anyone else writes.
    seen_version: Option<i64>,
    /// The job the worker is running for us, if any.
    pub pending_job: Option<PendingJob>,
    /// Keys typed while a job runs, replayed in order when it is done.
    deferred: VecDeque<KeyEvent>,
    /// Shared with the worker's store: set to stop waiting for another writer.
    cancel: Arc<AtomicBool>,
    /// A look for colleagues' changes is under way (one at a time).
    watching: bool,
    /// An unusual number the auditor was asked to confirm (Enter on it again saves it).
    confirming_value: Option<String>,
    /// A database to reopen the workbench on (the sample portfolio); the run loop does it.
    pub reopen: Option<std::path::PathBuf>,
}

impl App {
    pub fn new(bench: Workbench, lang: Lang, today: Date, keymap: Keymap, theme: Theme) -> App {
        let mut app = App {
            bench,
            lang,
            today,
            keymap,
            theme,
            home: Home::default(),
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
            watching: false,
            confirming_value: None,
            reopen: None,
        };
        app.seen_version = app.bench.data_version().ok();
        // The lists only: the portfolio comes through the executor once the caller has
        // given the app its worker ([`App::refresh_portfolio`]).
        let lists = home::load_lists(&app.bench);
        app.show_home(lists);
        app
    }

    fn l<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(fr, en)
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

    fn scopes(&self) -> Vec<Scope> {
        match self.screen() {
            Screen::Home if self.home.mode == HomeMode::Portfolio => {
                vec![Scope::Portfolio, Scope::Home, Scope::Global]
            }
            Screen::Home => vec![Scope::Home, Scope::Global],
            Screen::Interview(_) => vec![Scope::Interview, Scope::Global],
            Screen::Findings(_) => vec![Scope::Findings, Scope::Records, Scope::Global],
            Screen::Evidence(_) => vec![Scope::Evidence, Scope::Records, Scope::Global],
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
                let lang = self.lang;
                self.info(format!(
                    "{} {}",
                    lang.pick("Rapport écrit :", "Report written:"),
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
            Msg::Watched(apply) => {
                self.watching = false;
                apply(self);
            }
            Msg::Loaded(apply) => apply(self),
        }
    }

    /// Hands `request` to the worker, or, without one (tests and benchmarks), runs it
    /// at once on this workbench with the same executor and applies what it reports.
    fn execute(&mut self, request: Request) {
        match self.scorer.clone() {
            Some(tx) => {
                if tx.send(request).is_err() {
                    self.error("the background worker stopped");
                }
            }
            None => {
                let msg = crate::worker::handle(&mut self.bench, request);
                self.update(msg);
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
        if self.scorer.is_some() {
            self.cancel.store(false, Ordering::SeqCst);
            self.pending_job = Some(PendingJob {
                started: Instant::now(),
                what: self.l(what.0, what.1).to_string(),
                cancelling: false,
            });
        }
        self.execute(Request::Job(Box::new(job)));
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
        if self.keymap.action(Key::from_event(&event), &[Scope::Popup]) == Some(Action::Cancel) {
            job.cancelling = true;
            self.cancel.store(true, Ordering::SeqCst);
            self.deferred.clear();
            let lang = self.lang;
            self.info(lang.pick("Annulation de l'attente…", "Cancelling the wait…"));
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
        let text = if self.lang == Lang::Fr {
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
            Screen::WorkbookExport(_) => return self.on_workbook_export_key(event),
            Screen::RecordForm(_) => return self.on_record_form_key(event),
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
            // From the assessments list, Esc goes back to the portfolio.
            Action::Back if self.stack.len() <= 1 && self.home.mode == HomeMode::Assessments => {
                self.home.mode = HomeMode::Portfolio;
            }
            // Esc never quits: on the home screen it only says how to.
            Action::Back if self.stack.len() <= 1 => {
                let lang = self.lang;
                self.info(lang.pick("q pour quitter.", "q to quit."));
            }
            Action::Back => self.go_back(),
            Action::Report => self.ask_report(),
            Action::ExportWorkbook => self.ask_workbook_export(),
            _ => match self.screen() {
                Screen::Home => self.home_action(action),
                Screen::Interview(_) => self.interview_action(action),
                Screen::Findings(_) => self.findings_action(action),
                Screen::Evidence(_) => self.evidence_action(action),
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

    /// A job failed: the keys typed after it no longer apply. A cancelled wait is not an
    /// error: the auditor asked for it.
    fn job_error(&mut self, error: AppError) {
        self.deferred.clear();
        if let AppError::Store(StoreError::Cancelled { .. }) = error {
            let lang = self.lang;
            self.info(lang.pick(
                "Attente abandonnée : rien n'a été écrit.",
                "Stopped waiting: nothing was written.",
            ));
        } else {
            self.error(error);
        }
    }
}
