//! Background work that must never block drawing: scoring, reports, the look
//! for colleagues' changes and every write run here, on a workbench (and so a
//! connection) of its own, and report back as a message that `App::update`
//! applies. Scores that pile up while the auditor types are collapsed to the
//! latest one; other requests run in the order sent.
//!
//! [`handle`] is the one executor: the worker thread calls it on its own
//! workbench, and an app without a worker (tests, benchmarks) calls it on the
//! app's workbench at once, so tests drive the same code the terminal does.

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
    /// A job the auditor waits for: keys typed meanwhile are held until it is done.
    Job(Job),
    /// A look for colleagues' changes: nobody waits for it, keys go on.
    Watch(Job),
    /// A read for the screen (the portfolio): nobody waits for it, keys go on.
    Load(Job),
}

pub struct Scored {
    pub generation: u64,
    pub assessment_id: String,
    pub result: Result<Evaluation, String>,
    pub elapsed: Duration,
}

/// Runs one request on `bench` and says what happened.
pub fn handle(bench: &mut Workbench, request: Request) -> Msg {
    match request {
        Request::Report(report) => Msg::ReportDone(write_report(bench, &report)),
        Request::Job(job) => Msg::JobDone(job(bench)),
        Request::Watch(job) => Msg::Watched(job(bench)),
        Request::Load(job) => Msg::Loaded(job(bench)),
        Request::Score(request) => Msg::Scored(Box::new(score(bench, request))),
    }
}

/// What a request gets back when the worker has no workbench to run it on.
fn unable(request: Request, error: String) -> Msg {
    match request {
        Request::Report(_) => Msg::ReportDone(Err(error)),
        Request::Job(_) => Msg::JobDone(Box::new(move |app: &mut App| app.job_failed(error))),
        // The next look tries again; the first real operation reports the problem.
        Request::Watch(_) => Msg::Watched(Box::new(|_: &mut App| {})),
        Request::Load(_) => Msg::Loaded(Box::new(move |app: &mut App| app.error(error))),
        Request::Score(request) => Msg::Scored(Box::new(Scored {
            generation: request.generation,
            assessment_id: request.assessment_id,
            result: Err(error),
            elapsed: Duration::ZERO,
        })),
    }
}

/// Starts the worker; requests go in through the returned sender. Setting
/// `cancel` makes a write that waits for another writer give up.
/// The worker thread: where requests go, and the thread to join when it is stopped.
pub struct WorkerHandle {
    pub requests: Sender<Request>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerHandle {
    /// Closes the request channel and waits for the worker to finish what it is doing, so
    /// that it sends nothing more.
    pub fn stop(&mut self) {
        let (closed, _) = channel::<Request>();
        // The app's own copies of `requests` are dropped with the app replaced; ours goes now.
        self.requests = closed;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn spawn(
    host: Arc<Host>,
    db: PathBuf,
    auditor: String,
    cancel: Arc<AtomicBool>,
    tx: Sender<Msg>,
) -> WorkerHandle {
    let (req_tx, req_rx) = channel::<Request>();
    let thread = std::thread::spawn(move || {
        let worker = Worker {
            host,
            db,
            auditor,
            cancel,
            bench: None,
        };
        worker.run(req_rx, tx)
    });
    WorkerHandle {
        requests: req_tx,
        thread: Some(thread),
    }
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
                .set_cancel_flag(self.cancel.clone())
                .map_err(|e| e.to_string())?;
            self.bench = Some(bench);
        }
        self.bench.as_mut().ok_or_else(|| "no database".to_string())
    }

    fn run(mut self, rx: Receiver<Request>, tx: Sender<Msg>) {
        let mut pending: Vec<Request> = Vec::new();
        loop {
            let mut next = match pending.pop() {
                Some(r) => r,
                None => match rx.recv() {
                    Ok(r) => r,
                    Err(_) => break,
                },
            };
            if let Request::Score(_) = next {
                // Scores that piled up while the auditor typed: only the latest
                // counts. Other requests keep their order, after it.
                while let Ok(newer) = rx.try_recv() {
                    match newer {
                        Request::Score(s) => next = Request::Score(s),
                        other => pending.insert(0, other),
                    }
                }
            }
            let msg = match self.bench() {
                Ok(bench) => handle(bench, next),
                Err(e) => unable(next, e),
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    }
}

fn score(bench: &mut Workbench, request: ScoreRequest) -> Scored {
    let started = Instant::now();
    let result = bench
        .evaluate(&request.plugin, &request.answers, &request.context)
        .map_err(|e| e.to_string());
    if request.save
        && let Ok(evaluation) = &result
    {
        // The cached score only feeds the home list; the answers are
        // already committed, so a failure here loses nothing.
        let _ = bench.cache_score(&request.assessment_id, evaluation);
    }
    Scored {
        generation: request.generation,
        assessment_id: request.assessment_id,
        result,
        elapsed: started.elapsed(),
    }
}

/// Writes a report with the executor's workbench.
pub fn write_report(bench: &mut Workbench, request: &ReportRequest) -> Result<PathBuf, String> {
    if vigie_app::is_database_or_companion(bench.path(), &request.path) {
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
