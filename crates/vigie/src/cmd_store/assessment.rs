//! `vigie assessment new|list|show|finalize`.

use std::collections::HashSet;

use vigie_app::Progress;
use vigie_app::{AssessmentFilter, short_id};
use vigie_model::{Assessment, AssessmentSummary, StoredAnswer};
use vigie_model::{Date, Lang, Questionnaire, visible};

use super::{session, text};
use crate::cli::{AssessmentCmd, Cli};
use crate::cmd_store::out::outln;
use crate::{CmdResult, cmd_plugin, paths};

pub fn run(cli: &Cli, cmd: &AssessmentCmd) -> CmdResult {
    let lang = paths::language(cli);
    match cmd {
        AssessmentCmd::New {
            supplier,
            plugin,
            date,
            level,
        } => {
            let date = match date {
                None => cmd_plugin::today(),
                Some(d) => d
                    .parse::<Date>()
                    .unwrap_or_else(|e| session::usage_error(format!("--date `{d}`: {e}"))),
            };
            let mut bench = session::open_workbench(cli)?;
            let assessment =
                bench.new_assessment(supplier, plugin, date, lang.id(), level.clone(), None)?;
            outln!("{}", visible(&assessment.id));
            Ok(())
        }
        AssessmentCmd::List {
            supplier,
            limit,
            offset,
        } => {
            let database = session::open_database(cli)?;
            let supplier_id = match supplier {
                Some(key) => Some(database.supplier(key)?.id),
                None => None,
            };
            let filter = AssessmentFilter {
                supplier_id,
                status: None,
                limit: *limit,
                offset: *offset,
            };
            let rows = database.assessments(&filter)?;
            let total = database.count_assessments(&filter)?;
            if rows.is_empty() {
                if total == 0 {
                    outln!("no assessments yet: start one with `vigie assessment new`");
                } else {
                    outln!(
                        "no assessments in this page (--offset {offset} --limit {limit}); there are {total}"
                    );
                }
                return Ok(());
            }
            print_table(&rows, lang);
            let shown = u64::from(*offset) + rows.len() as u64;
            if shown < total {
                outln!(
                    "({} of {total} shown; next page: --offset {shown})",
                    rows.len()
                );
            }
            Ok(())
        }
        AssessmentCmd::Show { assessment } => {
            let mut bench = session::open_lazy_workbench(cli)?;
            let a = bench.assessment(assessment)?;
            let answers = bench.answers(&a.id)?;
            let plugin = bench.plugin_for(&a)?;
            print_header(&a, lang);
            outln!();
            print_answers(plugin.questionnaire(), &answers, a.level.as_deref(), lang);
            Ok(())
        }
        AssessmentCmd::Reassess {
            assessment,
            date,
            plugin,
        } => crate::cmd_exchange::reassess(cli, assessment, date.as_deref(), plugin.as_deref()),
        AssessmentCmd::Finalize { assessment } => {
            let mut bench = session::open_lazy_workbench(cli)?;
            let (a, evaluation) = bench.finalize(assessment)?;
            outln!(
                "finalized {} ({}, {}): score {}, verdict {}",
                visible(short_id(&a.id)),
                visible(&a.supplier_name),
                visible(&a.plugin_id),
                text::score(evaluation.score),
                visible(evaluation.verdict.label.get(lang))
            );
            Ok(())
        }
    }
}

/// The assessments table: short id, supplier, plugin, status, date, score, verdict.
pub fn print_table(rows: &[AssessmentSummary], lang: Lang) {
    outln!(
        "{:<8}  {:<24}  {:<22}  {:<9}  {:<10}  {:>5}  VERDICT",
        "ID",
        "SUPPLIER",
        "PLUGIN",
        "STATUS",
        "DATE",
        "SCORE"
    );
    for a in rows {
        outln!(
            "{:<8}  {}  {}  {}  {:<10}  {:>5}  {}",
            visible(short_id(&a.id)),
            text::cell(&a.supplier_name, 24),
            text::cell(&format!("{}@{}", a.plugin_id, a.plugin_version), 22),
            text::cell(text::assessment_status(a.status, lang), 9),
            a.assessment_date.to_string(),
            text::score(a.score),
            visible(a.verdict_text(lang).unwrap_or("-"))
        );
    }
}

/// The assessment's record, every value from the database shown through [`visible`].
fn print_header(a: &Assessment, lang: Lang) {
    outln!("assessment {}", visible(&a.id));
    outln!(
        "  supplier:  {} ({})",
        visible(&a.supplier_name),
        visible(short_id(&a.supplier_id))
    );
    outln!(
        "  plugin:    {} {} (sha256 {})",
        visible(&a.plugin_id),
        visible(&a.plugin_version),
        visible(a.plugin_sha256.get(..12).unwrap_or(&a.plugin_sha256))
    );
    outln!("  status:    {}", text::assessment_status(a.status, lang));
    outln!("  date:      {}", a.assessment_date);
    if let Some(level) = &a.level {
        outln!("  level:     {}", visible(level));
    }
    outln!("  language:  {}", visible(&a.language));
    outln!(
        "  started:   {} by {}",
        text::when(&a.created_at),
        visible(&a.auditor)
    );
    if let (Some(by), Some(at)) = (&a.finalized_by, &a.finalized_at) {
        outln!("  finalized: {} by {}", text::when(at), visible(by));
    }
    if let Some(previous) = &a.previous_assessment {
        outln!("  continues: {}", visible(short_id(previous)));
    }
    let evaluation = a.final_evaluation.as_ref().or(a.last_evaluation.as_ref());
    match evaluation {
        Some(e) => outln!(
            "  score:     {} ({})",
            text::score(e.score),
            visible(e.verdict.label.get(lang))
        ),
        None => outln!(
            "  score:     - (not scored yet: `vigie score {}`)",
            visible(short_id(&a.id))
        ),
    }
}

/// Every answer in questionnaire order (answers to questions the plugin no
/// longer has come last), with its note, revision, author and time; an answer
/// to a question that no longer applies is marked (it is not scored).
fn print_answers(q: &Questionnaire, answers: &[StoredAnswer], level: Option<&str>, lang: Lang) {
    let progress = Progress::of_rows(q, answers, level);
    let applicable = lang.count(
        progress.applicable,
        lang.pick("question applicable", "applicable question"),
        lang.pick("questions applicables", "applicable questions"),
    );
    outln!(
        "{} ({} {} {applicable}){}",
        lang.pick("réponses", "answers"),
        progress.answered,
        lang.pick("sur", "of"),
        lang.pick(" :", ":")
    );
    if answers.is_empty() {
        outln!("  none yet: `vigie answer ASSESSMENT QUESTION VALUE`");
        return;
    }
    let known: HashSet<&str> = q.questions.iter().map(|x| x.id.as_str()).collect();
    let ordered = q
        .questions
        .iter()
        .filter_map(|question| answers.iter().find(|a| a.question == question.id))
        .chain(
            answers
                .iter()
                .filter(|a| !known.contains(a.question.as_str())),
        );
    let to_confirm = lang.pick("à confirmer", "to confirm");
    let width = text::width();
    for a in ordered {
        let question = q.question(&a.question);
        let value = match (&a.value, question) {
            (Some(v), Some(question)) => v.display(&question.kind, lang),
            (Some(v), None) => format!("{v:?}"),
            (None, _) => lang.pick("(effacée)", "(cleared)").to_string(),
        };
        let mut mark = if a.to_confirm {
            format!("  ⚠ {to_confirm}")
        } else {
            String::new()
        };
        if progress.answered_not_applicable.contains(&a.question) {
            mark.push_str(lang.pick(
                "  (ne s'applique pas : non comptée)",
                "  (not applicable, not scored)",
            ));
        }
        outln!(
            "  {} = {}   [rev {}, {}, {}]{mark}",
            visible(&a.question),
            text::clip(&value, 60),
            a.revision,
            visible(&a.updated_by),
            text::when(&a.updated_at)
        );
        match question {
            Some(question) => {
                outln!("      {}", text::clip(question.prompt.get(lang), width - 6))
            }
            None => outln!("      (not a question of {} any more)", visible(&q.info.id)),
        }
        if let Some(note) = &a.note {
            for (i, line) in note.lines().enumerate() {
                let label = if i == 0 { "note:" } else { "" };
                outln!("      {label:<5} {}", visible(line));
            }
        }
    }
}
