//! The look for colleagues' changes, run on the executor every tick.

use super::*;

/// What a look for changes watches.
enum Watched {
    Home,
    Interview {
        id: String,
        status: vigie_model::AssessmentStatus,
    },
}

/// An interview's assessment and answers as stored, and who finalized it when its
/// status moved; with the supplier's declarations (a workbook a colleague imported).
type LoadedInterview = (
    Assessment,
    HashMap<String, StoredAnswer>,
    Option<String>,
    Vec<vigie_app::Declaration>,
);

fn load_interview_changes(
    bench: &Workbench,
    id: &str,
    status: vigie_model::AssessmentStatus,
) -> Result<LoadedInterview, AppError> {
    let assessment = bench.assessment(id)?;
    let answers = by_question(bench.answers(id)?);
    // Who finalized it, from the audit trail (rare: only when the status moved).
    let finalized_by = if assessment.status != status {
        bench
            .audit_trail(Some(id))?
            .into_iter()
            .rev()
            .find(|e| e.action == "finalize")
            .map(|e| e.who)
    } else {
        None
    };
    let declarations = bench.declarations(id)?;
    Ok((assessment, answers, finalized_by, declarations))
}

impl App {
    /// Shows what colleagues saved since the last look: the home list, or the open
    /// interview's answers (then rescored, with who changed what on the status line).
    /// The look runs on the executor; nobody waits for it.
    pub fn look_for_changes(&mut self) {
        if self.pending_job.is_some() {
            // Our own write is under way: what moved may be it. Look again after.
            self.show_waiting();
            return;
        }
        if self.watching {
            return;
        }
        let seen = self.seen_version;
        let today = self.today;
        let watched = match self.screen() {
            Screen::Home => Watched::Home,
            Screen::Interview(iv) => Watched::Interview {
                id: iv.assessment.id.to_string(),
                status: iv.assessment.status,
            },
            _ => return,
        };
        self.watching = true;
        self.execute(Request::Watch(Box::new(move |bench| {
            let Ok(version) = bench.data_version() else {
                // A busy or vanished file is reported by the next real operation.
                return Box::new(|_: &mut App| {});
            };
            if seen == Some(version) {
                return Box::new(|_: &mut App| {});
            }
            match watched {
                Watched::Home => {
                    let loaded = load_home(bench, today);
                    Box::new(move |app: &mut App| {
                        app.seen_version = Some(version);
                        if matches!(app.screen(), Screen::Home) {
                            app.show_home(loaded);
                        }
                    })
                }
                Watched::Interview { id, status } => {
                    let loaded = load_interview_changes(bench, &id, status);
                    Box::new(move |app: &mut App| {
                        app.seen_version = Some(version);
                        match loaded {
                            Ok(loaded) => app.show_interview_changes(loaded),
                            Err(e) => app.error(e),
                        }
                    })
                }
            }
        })));
    }

    /// Applies what a look found in the open interview's assessment and answers;
    /// rescoring only when an answer or the status changed (the worker's cached score
    /// also moves the data version).
    pub(super) fn show_interview_changes(&mut self, loaded: LoadedInterview) {
        let lang = self.lang;
        let (assessment, answers, finalized_by, declarations) = loaded;
        let Some(iv) = self.interview_mut() else {
            return;
        };
        if iv.assessment.id != assessment.id {
            return;
        }
        let mut changed: Vec<&StoredAnswer> = answers
            .values()
            .filter(|a| iv.answers.get(&a.question).map(|o| o.revision) != Some(a.revision))
            .collect();
        changed.sort_by(|a, b| a.updated_at.cmp(&b.updated_at));
        let finalized_by_other = assessment.status != iv.assessment.status;
        let finalizer = finalized_by.unwrap_or_else(|| assessment.auditor.clone());
        // Declarations imported (or re-imported) since the interview read them.
        let declared = declarations
            .iter()
            .filter(|d| !iv.declarations.contains(d) && d.confirmed_by.is_none())
            .count();
        let declarations_moved = declarations != iv.declarations;
        if changed.is_empty() && !finalized_by_other && !declarations_moved {
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
                    lang.pick("a répondu à", "answered"),
                    a.question
                ),
                None => format!(
                    "{} {} {}",
                    a.updated_by,
                    lang.pick("a effacé", "cleared"),
                    a.question
                ),
            })
            .collect();
        if changed.len() > 2 {
            told.push(format!(
                "+{} {}",
                changed.len() - 2,
                lang.pick("autres réponses", "more answers")
            ));
        }
        if declared > 0 {
            told.push(match lang {
                Lang::Fr => format!(
                    "{} du fournisseur à vérifier",
                    lang.count(declared, "nouvelle déclaration", "nouvelles déclarations")
                ),
                Lang::En => format!(
                    "{} to verify",
                    lang.count(
                        declared,
                        "new supplier declaration",
                        "new supplier declarations"
                    )
                ),
            });
        }
        if finalized_by_other && assessment.status == vigie_model::AssessmentStatus::Final {
            told.push(format!(
                "{finalizer} {}",
                lang.pick("a finalisé l'évaluation", "finalized the assessment")
            ));
        }
        iv.answers = answers;
        iv.assessment = assessment;
        iv.declarations = declarations;
        iv.refresh_applicability();
        let message = told.join(" · ");
        if !message.is_empty() {
            self.info(message);
        }
        self.request_score();
    }
}
