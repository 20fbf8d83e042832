//! Background work that must never block drawing: scoring runs here, on a
//! connection of its own, and reports back as a message. Requests that pile
//! up while the auditor types are collapsed to the latest one.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use vigie_app::Workbench;
use vigie_model::{Answer, EvalContext, Evaluation};
use vigie_plugin_host::{Host, Plugin};
use vigie_store::Store;

use crate::Msg;

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
}

pub struct Scored {
    pub generation: u64,
    pub assessment_id: String,
    pub result: Result<Evaluation, String>,
    pub elapsed: Duration,
}

/// Starts the worker; requests go in through the returned sender.
pub fn spawn(host: Arc<Host>, db: PathBuf, auditor: String, tx: Sender<Msg>) -> Sender<Request> {
    let (req_tx, req_rx) = channel::<Request>();
    std::thread::spawn(move || run(host, db, auditor, req_rx, tx));
    req_tx
}

/// Writes a report with a workbench of the worker's own.
pub fn write_report(bench: &mut Workbench, request: &ReportRequest) -> Result<PathBuf, String> {
    let text = bench
        .report(&request.assessment_id, request.format, Some(request.lang))
        .map_err(|e| e.to_string())?;
    std::fs::write(&request.path, text).map_err(|e| format!("{}: {e}", request.path.display()))?;
    Ok(request.path.clone())
}

fn run(host: Arc<Host>, db: PathBuf, auditor: String, rx: Receiver<Request>, tx: Sender<Msg>) {
    let mut store: Option<Store> = None;
    let mut bench: Option<Workbench> = None;
    let mut pending: Vec<Request> = Vec::new();
    loop {
        let next = match pending.pop() {
            Some(r) => r,
            None => match rx.recv() {
                Ok(r) => r,
                Err(_) => break,
            },
        };
        let mut request = match next {
            Request::Report(report) => {
                if bench.is_none() {
                    match Workbench::open(&db, &auditor, host.clone()) {
                        Ok(b) => bench = Some(b),
                        Err(e) => {
                            let _ = tx.send(Msg::ReportDone(Err(e.to_string())));
                            continue;
                        }
                    }
                }
                let result = match bench.as_mut() {
                    Some(b) => write_report(b, &report),
                    None => Err("no database".into()),
                };
                if tx.send(Msg::ReportDone(result)).is_err() {
                    break;
                }
                continue;
            }
            Request::Score(score) => score,
        };
        // Scores that piled up while the auditor typed: only the latest counts.
        while let Ok(newer) = rx.try_recv() {
            match newer {
                Request::Score(s) => request = s,
                other => pending.insert(0, other),
            }
        }
        let started = Instant::now();
        let result = host
            .evaluate(&request.plugin, &request.answers, &request.context)
            .map_err(|e| e.to_string());
        if request.save
            && let Ok(evaluation) = &result
        {
            if store.is_none() {
                store = Store::open(&db, &auditor).ok();
            }
            // The cached score only feeds the home list; the answers are
            // already committed, so a failure here loses nothing.
            if let Some(store) = &store {
                let _ = store.save_evaluation(&request.assessment_id, evaluation);
            }
        }
        let done = Scored {
            generation: request.generation,
            assessment_id: request.assessment_id,
            result,
            elapsed: started.elapsed(),
        };
        if tx.send(Msg::Scored(Box::new(done))).is_err() {
            break;
        }
    }
}
