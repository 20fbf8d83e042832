//! `vigie answer A Q VALUE [--note]` and `vigie answer A --file answers.toml`.

use std::path::Path;

use vigie_app::short_id;
use vigie_app::{AnswersFile, TemplateHeader, Workbench, answers_template};
use vigie_model::Assessment;
use vigie_model::{AnswerValue, Lang, visible};

use super::session;
use crate::cli::{AnswerArgs, Cli};
use crate::cmd_store::out::outln;
use crate::{CmdResult, Failure, paths};

pub fn run(cli: &Cli, args: &AnswerArgs) -> CmdResult {
    if args.template {
        return template(cli, &args.assessment, args.output.as_deref());
    }
    if let Some(file) = &args.file {
        if args.note.is_some() {
            missing("--note goes with one answer; in a file, notes go in its [notes] table");
        }
        return from_file(cli, &args.assessment, file, args.replace_others);
    }
    let Some(question) = &args.question else {
        missing("give a QUESTION and a VALUE, or --file answers.toml");
    };
    if args.value.is_none() && args.note.is_none() {
        missing("give a VALUE for the question (or --note to change only its note)");
    }
    let mut bench = session::open_lazy_workbench(cli)?;
    let assessment = bench.assessment(&args.assessment)?;
    let plugin = bench.plugin_for(&assessment)?;
    let questionnaire = plugin.questionnaire();
    let q = questionnaire.question(question).ok_or_else(|| {
        Failure::new(format!(
            "`{question}` is not a question of {}; `vigie plugin inspect {}` lists them",
            questionnaire.info.id, questionnaire.info.id
        ))
    })?;
    let current = bench.stored_answer(&assessment.id, question)?;
    let value = match &args.value {
        Some(input) => Some(
            AnswerValue::parse(&q.kind, input)
                .map_err(|e| Failure::new(format!("`{question}`: {e}")))?,
        ),
        // Only the note changes: keep the value as it is.
        None => current.as_ref().and_then(|c| c.value.clone()),
    };
    // The revision this change is based on: the one given, else the current
    // one if the answer is this auditor's own, else "no answer seen", which
    // the store refuses as a conflict naming both values.
    let base = args.revision.or_else(|| {
        current
            .as_ref()
            .filter(|c| c.updated_by == bench.auditor())
            .map(|c| c.revision)
    });
    // Without --note the note stays as it is; `--note ""` clears it.
    let note = match &args.note {
        Some(note) => Some(note.clone()),
        None => current.as_ref().and_then(|c| c.note.clone()),
    };
    let saved = bench
        .answer(&assessment, questionnaire, question, value, note, base)
        .map_err(|e| match &e {
            vigie_app::AppError::Store(vigie_app::StoreError::Conflict { current, .. }) => {
                Failure::new(format!(
                    "{e}\nto replace their answer knowingly: vigie answer {} {question} VALUE --revision {}",
                    assessment.id, current.revision
                ))
            }
            _ => e.into(),
        })?;
    rescore(&mut bench, &assessment);
    outln!("{}", saved.revision);
    Ok(())
}

/// All the answers of a file, or none: the file is checked against the
/// questionnaire first (errors name the file and line), then written in one
/// transaction.
fn from_file(cli: &Cli, assessment_key: &str, file: &Path, replace_others: bool) -> CmdResult {
    let shown = file.display().to_string();
    let source = std::fs::read_to_string(file)
        .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let parsed = AnswersFile::parse(&source, &shown)?;
    let mut bench = session::open_lazy_workbench(cli)?;
    let assessment = bench.assessment(assessment_key)?;
    let plugin = bench.plugin_for(&assessment)?;
    let answers = parsed.resolve_on(plugin.questionnaire(), assessment.assessment_date)?;
    let stored = bench.answers(&assessment.id)?;
    parsed.check_applicable(
        plugin.questionnaire(),
        &answers,
        &stored,
        assessment.level.as_deref(),
    )?;
    if let Some(date) = parsed
        .assessment_date
        .filter(|d| *d != assessment.assessment_date)
    {
        eprintln!(
            "vigie: note: {} is for {date}, the assessment is dated {}; the assessment's date is kept",
            visible(&shown),
            assessment.assessment_date
        );
    }
    if let Some(level) = parsed
        .level
        .as_ref()
        .filter(|l| Some(*l) != assessment.level.as_ref())
    {
        eprintln!(
            "vigie: note: {} is for level {}, the assessment's level ({}) is kept",
            visible(&shown),
            visible(level),
            visible(assessment.level.as_deref().unwrap_or("none"))
        );
    }
    // An answer the file gives without a note keeps the note already recorded.
    let notes: std::collections::HashMap<String, String> = stored
        .into_iter()
        .filter_map(|a| a.note.map(|n| (a.question, n)))
        .collect();
    let rows = answers
        .into_iter()
        .map(|a| {
            let note = a.note.or_else(|| notes.get(&a.question).cloned());
            (a.question, Some(a.value), note)
        })
        .collect();
    let written = bench.answer_many(&assessment.id, rows, replace_others)?;
    rescore(&mut bench, &assessment);
    outln!(
        "{} recorded from {}",
        Lang::En.count(written, "answer", "answers"),
        visible(&shown)
    );
    Ok(())
}

/// `--template [-o FILE]`: the answers file of the assessment, every applicable
/// question commented, to fill and give back with `--file`.
fn template(cli: &Cli, assessment_key: &str, output: Option<&Path>) -> CmdResult {
    let mut bench = session::open_lazy_workbench(cli)?;
    let assessment = bench.assessment(assessment_key)?;
    let plugin = bench.plugin_for(&assessment)?;
    let rows = bench.answers(&assessment.id)?;
    let header = TemplateHeader {
        assessment_id: short_id(&assessment.id),
        supplier: &assessment.supplier_name,
        level: assessment.level.as_deref(),
    };
    let lang = paths::language(cli);
    let text = answers_template(plugin.questionnaire(), &rows, &header, lang);
    crate::cmd_exchange::emit(&text, output, bench.path())?;
    if let Some(path) = output {
        eprintln!(
            "vigie: answers template written to {}; fill it, then: vigie answer {} --file {}",
            visible(&path.display().to_string()),
            visible(short_id(&assessment.id)),
            visible(&path.display().to_string())
        );
    }
    Ok(())
}

/// Keeps the cached score that `assessment list` shows up to date. The answers
/// are already committed, so a scoring problem is only a warning here.
fn rescore(bench: &mut Workbench, assessment: &Assessment) {
    if let Err(e) = bench.score(&assessment.id) {
        eprintln!(
            "vigie: warning: the answers are saved, but scoring failed: {}",
            visible(&e.to_string())
        );
    }
}

/// A missing or conflicting argument, reported like clap's own (exit code 2).
fn missing(message: &str) -> ! {
    session::usage_error(message)
}
