//! Background work that must never block drawing: scoring runs here, on a
//! connection of its own, and reports back as a message. Requests that pile
//! up while the auditor types are collapsed to the latest one.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

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

pub struct Scored {
    pub generation: u64,
    pub assessment_id: String,
    pub result: Result<Evaluation, String>,
    pub elapsed: Duration,
}

/// Starts the worker; requests go in through the returned sender.
pub fn spawn(host: Arc<Host>, db: PathBuf, auditor: String, tx: Sender<Msg>) -> Sender<ScoreRequest> {
    let (req_tx, req_rx) = channel::<ScoreRequest>();
    std::thread::spawn(move || run(host, db, auditor, req_rx, tx));
    req_tx
}

fn run(host: Arc<Host>, db: PathBuf, auditor: String, rx: Receiver<ScoreRequest>, tx: Sender<Msg>) {
    let mut store: Option<Store> = None;
    while let Ok(mut request) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            request = newer;
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
