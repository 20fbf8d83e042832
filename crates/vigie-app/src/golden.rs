//! Golden answer sets: TOML files with one supplier's answers and the result
//! an auditor expects (the format of `questionnaires/*/golden/`, described in
//! `questionnaires/README.md`). The bundled questionnaires' tests and
//! `vigie plugin test PLUGIN.wasm DIR` score them through the real plugin
//! and list every difference, so that a client's auditor can add cases
//! without writing Rust.

use std::path::{Path, PathBuf};

use vigie_model::{EvalContext, Evaluation, Status};
use vigie_plugin_host::{Host, Plugin, PluginError};

use crate::answers_file::{AnswersFile, AnswersFileError};

#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] AnswersFileError),
    #[error("{path}: a golden set needs `assessment_date = \"YYYY-MM-DD\"`")]
    NoDate { path: String },
    #[error("{path}: a golden set needs an [expect] table saying what the auditor expects")]
    NoExpectation { path: String },
    #[error(
        "{path}: [expect.criteria] `{criterion}` = `{status}` is not a status (compliant, to-verify, non-compliant, not-applicable, not-assessed)"
    )]
    BadStatus {
        path: String,
        criterion: String,
        status: String,
    },
    #[error("{path}: the plugin refused the answers: {source}")]
    Evaluate { path: String, source: PluginError },
}

/// The result of one golden set.
#[derive(Debug)]
pub struct GoldenOutcome {
    pub name: String,
    pub description: Option<String>,
    pub evaluation: Evaluation,
    /// Every way the evaluation differs from what the set expects.
    pub problems: Vec<String>,
}

/// The `*.toml` files of `dir`, sorted by name.
pub fn golden_files(dir: &Path) -> Result<Vec<PathBuf>, GoldenError> {
    let read_error = |source| GoldenError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Scores the golden set in `source` (named `name` in messages) with
/// `plugin` and compares the result with its `[expect]` table.
pub fn run_golden(
    host: &Host,
    plugin: &Plugin,
    source: &str,
    name: &str,
) -> Result<GoldenOutcome, GoldenError> {
    let file = AnswersFile::parse(source, name)?;
    let answers = file.resolve(plugin.questionnaire())?;
    let assessment_date = file.assessment_date.ok_or_else(|| GoldenError::NoDate {
        path: name.to_string(),
    })?;
    let expect = file
        .expect
        .as_ref()
        .ok_or_else(|| GoldenError::NoExpectation {
            path: name.to_string(),
        })?;
    let context = EvalContext {
        assessment_date,
        language: plugin
            .questionnaire()
            .info
            .languages
            .first()
            .cloned()
            .unwrap_or_default(),
        level: file.level.clone(),
    };
    let evaluation = host
        .evaluate(plugin, &answers, &context)
        .map_err(|source| GoldenError::Evaluate {
            path: name.to_string(),
            source,
        })?;
    let mut problems = Vec::new();
    if let Some(verdict) = &expect.verdict
        && &evaluation.verdict.id != verdict
    {
        problems.push(format!(
            "verdict {} (expected {verdict})",
            evaluation.verdict.id
        ));
    }
    for (criterion, wanted) in &expect.criteria {
        let wanted_status = Status::from_id(wanted).ok_or_else(|| GoldenError::BadStatus {
            path: name.to_string(),
            criterion: criterion.clone(),
            status: wanted.clone(),
        })?;
        match evaluation
            .criteria
            .iter()
            .find(|c| &c.criterion == criterion)
        {
            None => problems.push(format!("no result for {criterion}")),
            Some(r) if r.status != wanted_status => problems.push(format!(
                "{criterion} is {} (expected {wanted}): {}",
                r.status.id(),
                r.rationale.get("en")
            )),
            Some(_) => {}
        }
    }
    let first_language = context.language.as_str();
    for (criterion, words) in &expect.rationale_includes {
        match evaluation
            .criteria
            .iter()
            .find(|c| &c.criterion == criterion)
        {
            None => problems.push(format!("no result for {criterion}")),
            Some(r) if !r.rationale.get(first_language).contains(words.as_str()) => {
                problems.push(format!(
                    "the rationale of {criterion} does not say `{words}`: {}",
                    r.rationale.get(first_language)
                ))
            }
            Some(_) => {}
        }
    }
    for (finding, days) in &expect.deadline_days {
        match evaluation
            .findings
            .iter()
            .find(|x| &x.id == finding || x.criterion.as_deref() == Some(finding))
        {
            None => problems.push(format!("no finding for {finding}")),
            Some(x) if x.deadline_days != Some(*days) => problems.push(format!(
                "finding {} suggests {:?} days (expected {days})",
                x.id, x.deadline_days
            )),
            Some(_) => {}
        }
    }
    for f in &expect.findings_include {
        if !evaluation
            .findings
            .iter()
            .any(|x| &x.id == f || x.criterion.as_deref() == Some(f))
        {
            problems.push(format!("no finding for {f}"));
        }
    }
    if let Some(min) = expect.score_at_least
        && evaluation.score.is_none_or(|s| s < min)
    {
        problems.push(format!("score {:?} below {min}", evaluation.score));
    }
    if let Some(max) = expect.score_below
        && evaluation.score.is_none_or(|s| s >= max)
    {
        problems.push(format!("score {:?} not below {max}", evaluation.score));
    }
    Ok(GoldenOutcome {
        name: name.to_string(),
        description: file.description.clone(),
        evaluation,
        problems,
    })
}

/// Runs every golden set of `dir`; a file that cannot be run at all is
/// reported as an error outcome, the others are compared.
pub fn run_golden_dir(
    host: &Host,
    plugin: &Plugin,
    dir: &Path,
) -> Result<Vec<Result<GoldenOutcome, GoldenError>>, GoldenError> {
    let files = golden_files(dir)?;
    Ok(files
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let source = std::fs::read_to_string(path).map_err(|source| GoldenError::Read {
                path: name.clone(),
                source,
            })?;
            run_golden(host, plugin, &source, &name)
        })
        .collect())
}
