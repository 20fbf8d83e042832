//! Background work that must never block drawing: scoring, reports and every
//! write of the interview run here, on a workbench (and so a connection) of its
//! own, and report back as a message. Scores that pile up while the auditor
//! types are collapsed to the latest one; jobs run in the order sent.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use vigie_app::Workbench;
use vigie_model::{Answer, EvalContext, Evaluation};
use vigie_plugin_host::{Host, Plugin};

use crate::{App, Msg};

/// What a job hands back: the change to make to the app's state, applied on
/// the draw thread by `App::update`.
pub type Apply = Box<dyn FnOnce(&mut App) + Send>;

/// A unit of work on the worker's workbench (a write, a finalize, a comparison).
pub type Job = Box<dyn FnOnce(&mut Workbench) -> Apply + Send>;

pub struct ScoreRequest {
    pub generation: u64,
    pub assessment_id: String,
    pub plugin: Arc<Plugin>,
    pub answers: Vec<Answer>,
    pub context: EvalContext,
    /// Cache the result in the database (drafts only).
    pub save: bool,
}

/// A report to write to a file, off the render path.
pub struct ReportRequest {
    pub assessment_id: String,
    pub format: vigie_report::Format,
    pub lang: vigie_report::Lang,
    pub path: PathBuf,
}

/// Work for the background thread.
pub enum Request {
    Score(ScoreRequest),
    Report(ReportRequest),
    Job(Job),
}

pub struct Scored {
    pub generation: u64,
    pub assessment_id: String,
    pub result: Result<Evaluation, String>,
    pub elapsed: Duration,
}

/// Starts the worker; requests go in through the returned sender. Setting
/// `cancel` makes a write that waits for another writer give up.
pub fn spawn(
    host: Arc<Host>,
    db: PathBuf,
    auditor: String,
    cancel: Arc<AtomicBool>,
    tx: Sender<Msg>,
) -> Sender<Request> {
    let (req_tx, req_rx) = channel::<Request>();
    std::thread::spawn(move || {
        let worker = Worker {
            host,
            db,
            auditor,
            cancel,
            bench: None,
        };
        worker.run(req_rx, tx)
    });
    req_tx
}

/// The worker thread's state: its workbench, opened on first use.
struct Worker {
    host: Arc<Host>,
    db: PathBuf,
    auditor: String,
    cancel: Arc<AtomicBool>,
    bench: Option<Workbench>,
}

impl Worker {
    fn bench(&mut self) -> Result<&mut Workbench, String> {
        if self.bench.is_none() {
            let mut bench = Workbench::open(&self.db, &self.auditor, self.host.clone())
                .map_err(|e| e.to_string())?;
            bench
                .store
                .set_cancel_flag(self.cancel.clone())
                .map_err(|e| e.to_string())?;
            self.bench = Some(bench);
        }
        self.bench.as_mut().ok_or_else(|| "no database".to_string())
    }

    fn run(mut self, rx: Receiver<Request>, tx: Sender<Msg>) {
        let mut pending: Vec<Request> = Vec::new();
        loop {
            let next = match pending.pop() {
                Some(r) => r,
                None => match rx.recv() {
                    Ok(r) => r,
                    Err(_) => break,
                },
            };
            let msg = match next {
                Request::Report(report) => {
                    Msg::ReportDone(self.bench().and_then(|b| write_report(b, &report)))
                }
                Request::Job(job) => Msg::JobDone(match self.bench() {
                    Ok(bench) => job(bench),
                    Err(e) => Box::new(move |app: &mut App| app.job_failed(e)),
                }),
                Request::Score(mut request) => {
                    // Scores that piled up while the auditor typed: only the latest
                    // counts. Other requests keep their order, after it.
                    while let Ok(newer) = rx.try_recv() {
                        match newer {
                            Request::Score(s) => request = s,
                            other => pending.insert(0, other),
                        }
                    }
                    Msg::Scored(Box::new(self.score(request)))
                }
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    }

    fn score(&mut self, request: ScoreRequest) -> Scored {
        let started = Instant::now();
        let result = self
            .host
            .evaluate(&request.plugin, &request.answers, &request.context)
            .map_err(|e| e.to_string());
        if request.save
            && let Ok(evaluation) = &result
            && let Ok(bench) = self.bench()
        {
            // The cached score only feeds the home list; the answers are
            // already committed, so a failure here loses nothing.
            let _ = bench
                .store
                .save_evaluation(&request.assessment_id, evaluation);
        }
        Scored {
            generation: request.generation,
            assessment_id: request.assessment_id,
            result,
            elapsed: started.elapsed(),
        }
    }
}

/// Writes a report with a workbench of the worker's own.
pub fn write_report(bench: &mut Workbench, request: &ReportRequest) -> Result<PathBuf, String> {
    if vigie_store::is_database_or_companion(bench.store.path(), &request.path) {
        return Err(format!(
            "{} is the database or one of its files; choose another name",
            request.path.display()
        ));
    }
    let text = bench
        .report(&request.assessment_id, request.format, Some(request.lang))
        .map_err(|e| e.to_string())?;
    std::fs::write(&request.path, text).map_err(|e| format!("{}: {e}", request.path.display()))?;
    Ok(request.path.clone())
}
