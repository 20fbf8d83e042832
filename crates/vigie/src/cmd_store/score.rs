//! `vigie score A [--format table|json]`.

use vigie_model::{Evaluation, Lang, Questionnaire, Severity, Status, escape_json_controls};

use super::{session, text};
use crate::cli::{Cli, ScoreFormat};
use crate::cmd_store::out::outln;
use crate::{CmdResult, Failure, paths};

pub fn run(cli: &Cli, assessment: &str, format: ScoreFormat) -> CmdResult {
    let lang = paths::language(cli);
    let mut bench = session::open_lazy_workbench(cli)?;
    let (a, evaluation) = bench.score(assessment)?;
    match format {
        ScoreFormat::Json => {
            let json = serde_json::to_string_pretty(&evaluation)
                .map_err(|e| Failure::new(format!("cannot write the evaluation as JSON: {e}")))?;
            outln!("{}", escape_json_controls(&json));
        }
        ScoreFormat::Table => {
            let plugin = bench.plugin_for(&a)?;
            let declared = bench.unverified_declarations(&a.id)?;
            print_table(
                plugin.questionnaire(),
                &evaluation,
                lang,
                text::width(),
                declared,
            );
        }
    }
    Ok(())
}

/// The glyph padded to two columns (the emoji take two, the others one).
fn glyph(status: Status) -> String {
    let g = status.glyph();
    match status {
        Status::NotApplicable | Status::NotAssessed => format!("{g} "),
        _ => g.to_string(),
    }
}

/// `declared`: how many of the answers scored are supplier declarations not yet verified.
fn print_table(q: &Questionnaire, e: &Evaluation, lang: Lang, width: usize, declared: usize) {
    let label_width = Status::ALL
        .iter()
        .map(|s| s.label(lang).chars().count())
        .max()
        .unwrap_or(14);
    let title_width = 32;
    // glyph (2) + 1 + label + 2 + title + 2
    let rationale_width = width.saturating_sub(2 + 1 + label_width + 2 + title_width + 2);
    for result in &e.criteria {
        let title = q
            .criterion(&result.criterion)
            .map_or(result.criterion.as_str(), |c| c.title.get(lang));
        outln!(
            "{} {}  {}  {}",
            glyph(result.status),
            text::cell(result.status.label(lang), label_width),
            text::cell(title, title_width),
            text::clip(result.rationale.get(lang), rationale_width)
        )
    }
    let counts = e.status_counts();
    let tally: Vec<String> = Status::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.label(lang)))
        .collect();
    outln!();
    outln!("criteria: {}", tally.join(", "));
    outln!(
        "score:    {}",
        e.score
            .map_or_else(|| "-".to_string(), |s| format!("{s:.1} / 100"))
    );
    outln!(
        "verdict:  {} ({})",
        text::clip(e.verdict.label.get(lang), width.saturating_sub(30)),
        e.verdict.severity.label(lang)
    );
    let summary = e.verdict.summary.get(lang);
    if !summary.is_empty() {
        outln!(
            "          {}",
            text::clip(summary, width.saturating_sub(10))
        );
    }
    if let Some(basis) = vigie_model::unverified_basis(lang, declared) {
        outln!("          {basis} (`vigie self-assessment pending`)");
    }
    outln!();
    if e.findings.is_empty() {
        outln!("findings: none");
        return;
    }
    outln!("findings ({}):", e.findings.len());
    for severity in Severity::ALL {
        let findings: Vec<_> = e
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if findings.is_empty() {
            continue;
        }
        outln!("  {} ({}):", severity.label(lang), findings.len());
        for f in findings {
            let deadline = match f.deadline_days {
                Some(days) => format!(
                    " [{} {}]",
                    lang.pick("sous", "within"),
                    lang.count(
                        days as usize,
                        lang.pick("jour", "day"),
                        lang.pick("jours", "days")
                    )
                ),
                None => String::new(),
            };
            let room = width.saturating_sub(6 + deadline.chars().count());
            outln!("    - {}{deadline}", text::clip(f.title.get(lang), room));
            let recommendation = f.recommendation.get(lang);
            if !recommendation.is_empty() {
                outln!(
                    "      {}",
                    text::clip(recommendation, width.saturating_sub(6))
                );
            }
        }
    }
}
