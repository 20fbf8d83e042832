//! `vigie self-assessment export|import|pending|confirm`: the supplier fills a workbook, the
//! auditor imports it as declarations and verifies them.

use std::path::Path;

use vigie_app::self_assessment::{Change, ExportOptions};
use vigie_model::{Date, visible};

use crate::cli::{Cli, SelfAssessmentCmd};
use crate::cmd_store::out::outln;
use crate::cmd_store::session;
use crate::{CmdResult, Failure, paths};

/// The largest file `import` reads; the workbook crate refuses more than this anyway.
const MAX_READ: u64 = 32 << 20;

pub fn run(cli: &Cli, cmd: &SelfAssessmentCmd) -> CmdResult {
    match cmd {
        SelfAssessmentCmd::Export {
            assessment,
            output,
            respondent,
            due,
            only_unanswered,
        } => {
            // --lang is a value enum: clap already refused anything but fr and en.
            let lang = cli.lang.map(|l| l.lang());
            let due = due
                .as_deref()
                .map(|d| d.parse::<Date>())
                .transpose()
                .map_err(|e| Failure::new(format!("--due: {e}")))?;
            if output.exists() {
                return Err(Failure::new(format!(
                    "{} already exists: choose a new name",
                    output.display()
                )));
            }
            let mut bench = session::open_lazy_workbench(cli)?;
            let (a, bytes) = bench.export_self_assessment(
                assessment,
                &ExportOptions {
                    lang,
                    respondent: respondent.clone(),
                    due,
                    only_unanswered: *only_unanswered,
                },
            )?;
            std::fs::write(output, &bytes)
                .map_err(|e| Failure::new(format!("cannot write {}: {e}", output.display())))?;
            outln!(
                "wrote {} for {} ({} {}): send it to the supplier, then `vigie self-assessment import {}`",
                output.display(),
                visible(&a.supplier_name),
                visible(&a.plugin_id),
                visible(&a.plugin_version),
                output.display()
            );
            Ok(())
        }
        SelfAssessmentCmd::Import { file, dry_run } => import(cli, file, *dry_run),
        SelfAssessmentCmd::Pending { assessment } => {
            let mut bench = session::open_lazy_workbench(cli)?;
            let lang = paths::language(cli);
            let a = bench.assessment(assessment)?;
            let plugin = bench.plugin_for(&a)?;
            let questionnaire = plugin.questionnaire();
            let progress = bench.progress(&a.id)?;
            outln!(
                "verified {}, declared {}, open {}",
                progress.verified,
                progress.declared,
                progress.open
            );
            for d in bench.declared_not_verified(&a.id)? {
                let kind = questionnaire.question(&d.question).map(|q| &q.kind);
                let value = match kind {
                    Some(k) => d.value.display(k, lang),
                    None => format!("{:?}", d.value),
                };
                outln!(
                    "  {}  {}  (declared by {})",
                    visible(&d.question),
                    visible(&value),
                    visible(&d.respondent)
                );
            }
            Ok(())
        }
        SelfAssessmentCmd::Confirm {
            assessment,
            questions,
            all,
        } => {
            let mut bench = session::open_lazy_workbench(cli)?;
            if *all {
                if !questions.is_empty() {
                    return Err(Failure::new("give question ids or --all, not both"));
                }
                let n = bench.confirm_all_declarations(assessment)?;
                outln!("confirmed {n} declaration{}", if n == 1 { "" } else { "s" });
                return Ok(());
            }
            if questions.is_empty() {
                return Err(Failure::new("give the question ids to confirm, or --all"));
            }
            let a = bench.assessment(assessment)?;
            for q in questions {
                let revision = bench.stored_answer(&a.id, q)?.map(|x| x.revision);
                bench.confirm_declaration(&a.id, q, revision)?;
                outln!("confirmed {}", visible(q));
            }
            Ok(())
        }
    }
}

fn import(cli: &Cli, file: &Path, dry_run: bool) -> CmdResult {
    let lang = paths::language(cli);
    let size = std::fs::metadata(file)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?
        .len();
    if size > MAX_READ {
        return Err(Failure::new(format!(
            "{} is {size} bytes: not a self-assessment workbook",
            file.display()
        )));
    }
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?;
    let mut bench = session::open_lazy_workbench(cli)?;
    let plan = bench.plan_self_assessment(&bytes)?;
    let plugin = bench.plugin_for(&plan.assessment)?;
    let questionnaire = plugin.questionnaire();
    let shown =
        |question: &str, v: &vigie_model::AnswerValue| match questionnaire.question(question) {
            Some(q) => v.display(&q.kind, lang),
            None => format!("{v:?}"),
        };
    outln!(
        "{} for {} (assessment {}), filled by {}, sha256 {}",
        file.display(),
        visible(&plan.assessment.supplier_name),
        plan.assessment.id,
        visible(&plan.respondent),
        plan.file_sha256
    );
    for d in &plan.declarations {
        let change = match &d.change {
            Change::New => "new".to_string(),
            Change::Unchanged => "unchanged".to_string(),
            Change::Replaces(old) => format!("replaces {}", visible(&shown(&d.question, old))),
        };
        let auditor = match &d.auditor {
            Some(a) if *a == d.value => " — matches the auditor's answer".to_string(),
            Some(a) => format!(
                " — DIFFERS from the auditor's answer {} (both kept; the auditor's counts)",
                visible(&shown(&d.question, a))
            ),
            None => String::new(),
        };
        outln!(
            "  {}  {}  [{change}]{auditor}",
            visible(&d.question),
            visible(&shown(&d.question, &d.value))
        );
    }
    let n = plan.declarations.len();
    if dry_run {
        outln!(
            "{n} declaration{} checked; nothing written (--dry-run)",
            if n == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    bench.apply_self_assessment(&plan)?;
    outln!(
        "recorded {n} declaration{} by {}, to verify in the interview (`vigie self-assessment pending {}`)",
        if n == 1 { "" } else { "s" },
        visible(&plan.respondent),
        plan.assessment.id
    );
    Ok(())
}
