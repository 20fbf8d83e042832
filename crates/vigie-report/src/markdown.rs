//! The Markdown report (GitHub-flavoured: tables).

use std::fmt::Write as _;

use crate::labels::{Labels, labels};
use crate::{DocStatus, Lang, ReportDoc};

/// Makes user or plugin text inert and one-line in Markdown: punctuation that Markdown or
/// HTML would interpret is backslash-escaped (so `<script>` stays text and a `|` cannot
/// split a table cell), and line breaks become `<br>`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // At the start of a line, `-`, `+` or `1.` / `1)` would open a list.
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let mut chars = text.chars().peekable();
    let mut index = 0;
    while let Some(c) = chars.next() {
        let next_blank = matches!(chars.peek(), None | Some(' ' | '\t'));
        let list_marker = (index == 0 && c == '-' && (next_blank || chars.peek() == Some(&'-')))
            || (index == 0 && c == '+' && next_blank)
            || (index == digits && digits > 0 && matches!(c, '.' | ')') && next_blank);
        index += 1;
        if list_marker {
            out.push('\\');
            out.push(c);
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that cannot be broken out of (ids and hashes).
fn code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c == '`' || c.is_control() { ' ' } else { c })
        .collect();
    format!("`{clean}`")
}

pub(crate) fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_string(), |s| format!("{s:.1}"))
}

fn status(s: &DocStatus) -> String {
    format!("{} {}", s.glyph, escape(&s.label))
}

fn opt(text: &Option<String>) -> String {
    text.as_deref().map(escape).unwrap_or_default()
}

/// Writes the report.
pub fn render(doc: &ReportDoc) -> String {
    let lang = Lang::from_code(doc.language);
    let w = labels(lang);
    let mut out = String::new();
    header(&mut out, doc, w);
    verdict(&mut out, doc, w);
    checklist(&mut out, doc, w);
    findings(&mut out, doc, w);
    action_plan(&mut out, doc, w);
    evidence(&mut out, doc, w);
    if let Some(c) = &doc.comparison {
        comparison(&mut out, c, w);
    }
    answers(&mut out, doc, w);
    let _ = writeln!(out, "---\n\n{}.", w.generated_by);
    out
}

fn header(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let s = &doc.supplier;
    let a = &doc.assessment;
    let _ = writeln!(out, "# {} — {}\n", w.title, escape(&s.name));
    if a.state == vigie_model::AssessmentStatus::Draft {
        let _ = writeln!(out, "> {}\n", w.draft_notice);
    }
    let _ = writeln!(out, "| | |\n|---|---|");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {v} |");
    };
    row(w.supplier, escape(&s.name));
    if let Some(c) = &s.country {
        row(w.country, escape(c));
    }
    if let Some(x) = &s.sector {
        row(w.sector, escape(x));
    }
    row(w.criticality, escape(&s.criticality_label));
    if !s.contacts.is_empty() {
        row(
            w.contacts,
            s.contacts
                .iter()
                .map(|c| escape(c))
                .collect::<Vec<_>>()
                .join("<br>"),
        );
    }
    let mut scope = Vec::new();
    if !doc.scope.services.is_empty() {
        scope.push(format!(
            "{}{sep}{}",
            w.services,
            doc.scope
                .services
                .iter()
                .map(|x| escape(x))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(level) = &doc.scope.level {
        scope.push(format!("{}{sep}{}", w.level, escape(&level.name)));
    }
    if !doc.scope.frameworks.is_empty() {
        scope.push(format!(
            "{}{sep}{}",
            w.frameworks,
            doc.scope
                .frameworks
                .iter()
                .map(|x| escape(x))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !scope.is_empty() {
        row(w.scope, scope.join("<br>"));
    }
    let q = &doc.questionnaire;
    row(
        w.questionnaire,
        format!(
            "{} {} ({})",
            escape(&q.name),
            escape(&q.version),
            code(&q.id)
        ),
    );
    row(w.plugin_sha256, code(&q.sha256));
    row(w.assessment_date, a.date.to_string());
    row(
        w.auditors,
        a.auditors
            .iter()
            .map(|x| escape(x))
            .collect::<Vec<_>>()
            .join(", "),
    );
    row(w.status, escape(&a.state_label));
    if let (Some(by), Some(at)) = (&a.finalized_by, &a.finalized_at) {
        row(w.finalized, format!("{} ({})", escape(at), escape(by)));
    }
    if let Some(p) = &a.previous_assessment {
        row(w.previous, code(p));
    }
    row(w.assessment_id, code(&a.id));
    out.push('\n');
}

fn verdict(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let v = &doc.verdict;
    let _ = writeln!(out, "## {}\n", w.verdict);
    let basis = v
        .basis
        .as_deref()
        .map(|b| format!(" — **{}**", escape(b)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "**{}** — {}{sep}{} / 100{basis}\n",
        escape(&v.label),
        w.score,
        score(v.score)
    );
    if !v.summary.trim().is_empty() {
        let _ = writeln!(out, "{}\n", escape(v.summary.trim()));
    }
    if let Some(rule) = &v.rule {
        let _ = writeln!(out, "{}{sep}{}\n", w.deciding_rule, escape(rule));
    }
    let _ = writeln!(out, "*{} {}*\n", w.score_means, w.verdict_means);
    if let Some(d) = &doc.declarations {
        let _ = writeln!(out, "**{}**\n", escape(&d.summary));
    }
    if let Some(o) = &doc.open_questions {
        let _ = writeln!(out, "{}\n", escape(&o.summary));
    }
    if !doc.counts.is_empty() {
        let counts: Vec<String> = doc
            .counts
            .iter()
            .map(|c| format!("{} {} {}", c.status.glyph, c.count, escape(&c.status.label)))
            .collect();
        let _ = writeln!(out, "{}\n", counts.join(" · "));
    }
}

fn checklist(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let _ = writeln!(out, "## {}\n", w.checklist);
    let _ = writeln!(
        out,
        "| | {} | {} | {} | {} |\n|---|---|---|---|---|",
        w.criterion, w.status, w.references, w.rationale
    );
    for c in &doc.checklist {
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {} | {} | {} |",
            c.status.glyph,
            escape(&c.title),
            code(&c.id),
            escape(&c.status.label),
            c.references
                .iter()
                .map(|r| escape(r))
                .collect::<Vec<_>>()
                .join(", "),
            escape(&c.rationale)
        );
    }
    out.push('\n');
}

fn findings(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(out, "## {}\n", w.findings);
    if doc.findings.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_findings);
        return;
    }
    let mut current = None;
    for f in &doc.findings {
        if current != Some(f.severity) {
            if current.is_some() {
                out.push('\n');
            }
            current = Some(f.severity);
            let n = doc
                .findings
                .iter()
                .filter(|x| x.severity == f.severity)
                .count();
            let _ = writeln!(
                out,
                "### {}{sep}{} ({n})\n",
                w.severity,
                escape(&f.severity_label)
            );
        }
        let mut line = format!("- **{}** ({})", escape(&f.title), code(&f.id));
        match (&f.criterion, &f.criterion_title) {
            (Some(id), Some(title)) if title != &f.title => {
                let _ = write!(
                    line,
                    " — {}{sep}{} ({})",
                    w.criterion,
                    escape(title),
                    code(id)
                );
            }
            (Some(id), _) if id != &f.id => {
                let _ = write!(line, " — {}{sep}{}", w.criterion, code(id));
            }
            _ => {}
        }
        let _ = writeln!(out, "{line}");
        if !f.recommendation.is_empty() {
            let _ = writeln!(
                out,
                "  - {}{sep}{}",
                w.recommendation,
                escape(&f.recommendation)
            );
        }
        if let Some(d) = f.deadline_days {
            let _ = writeln!(out, "  - {}{sep}{d} {}", w.deadline_days, w.days);
        }
    }
    out.push('\n');
}

fn action_plan(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(out, "## {}\n", w.action_plan);
    if doc.actions.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_actions);
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
            w.action, w.finding, w.owner, w.deadline, w.status
        );
        for x in &doc.actions {
            let finding = match &x.finding_title {
                Some(t) => format!("{} ({})", escape(t), code(&x.finding_id)),
                None => code(&x.finding_id),
            };
            let _ = writeln!(
                out,
                "| {} | {finding} | {} | {} | {} |",
                escape(&x.title),
                opt(&x.owner),
                x.deadline.map(|d| d.to_string()).unwrap_or_default(),
                escape(&x.state_label)
            );
        }
        out.push('\n');
    }
    if !doc.findings_without_action.is_empty() {
        let ids: Vec<String> = doc
            .findings_without_action
            .iter()
            .map(|x| code(x))
            .collect();
        let _ = writeln!(
            out,
            "{}{sep}{}\n",
            w.findings_without_action,
            ids.join(", ")
        );
    }
}

fn evidence(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(out, "## {}\n", w.evidence);
    if doc.evidence.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_evidence);
        return;
    }
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
        w.evidence_item, w.question, w.sha256, w.effective, w.expiry, w.status
    );
    for e in &doc.evidence {
        let mut what = format!("{}{sep}{}", escape(&e.kind_label), escape(&e.text));
        let mut sha = String::new();
        if let Some(f) = &e.file {
            let _ = write!(
                what,
                "<br>{}{sep}{} ({} {})",
                w.file,
                escape(&f.path),
                f.size,
                w.bytes
            );
            sha = code(&f.sha256);
        }
        let question = e
            .question
            .as_deref()
            .map(code)
            .unwrap_or_else(|| w.whole_assessment.to_string());
        let state = match e.expiry_date {
            Some(_) if e.expired => format!("⚠️ **{}**", w.expired),
            Some(_) => w.valid.to_string(),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {what} | {question} | {sha} | {} | {} | {state} |",
            e.effective_date.map(|d| d.to_string()).unwrap_or_default(),
            e.expiry_date.map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    out.push('\n');
}

fn comparison(out: &mut String, c: &crate::DocComparison, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(out, "## {}\n", w.comparison);
    let _ = writeln!(
        out,
        "{}{sep}{} ({}, {} {})\n",
        w.compared_with,
        code(&c.previous_id),
        c.previous_date,
        escape(&c.previous_plugin_version),
        code(&c.previous_plugin_sha256)
    );
    let _ = writeln!(
        out,
        "| | {} | {} |\n|---|---|---|\n| {} | {} | {} |\n| {} | {} | {} |\n",
        w.before,
        w.after,
        w.score,
        score(c.score_before),
        score(c.score_after),
        w.verdict,
        escape(&c.verdict_before),
        escape(&c.verdict_after)
    );
    let _ = writeln!(out, "### {} ({})\n", w.answers_changed, c.answers.len());
    if c.answers.is_empty() {
        let _ = writeln!(out, "{}\n", w.nothing_changed);
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---|---|",
            w.question, w.before, w.after
        );
        for x in &c.answers {
            let side = |v: &Option<String>, n: &Option<String>| {
                let mut s = v.as_deref().map(escape).unwrap_or_else(|| "—".into());
                if let Some(n) = n {
                    let _ = write!(s, "<br>{}{sep}{}", w.note, escape(n));
                }
                s
            };
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} |",
                escape(&x.prompt),
                code(&x.question),
                side(&x.before, &x.note_before),
                side(&x.after, &x.note_after)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}{sep}{}\n", w.answers_unchanged, c.unchanged_answers);
    if !c.to_confirm.is_empty() {
        let ids: Vec<String> = c.to_confirm.iter().map(|x| code(&x.question)).collect();
        let _ = writeln!(
            out,
            "{} ({}){sep}{}\n",
            w.answers_to_confirm,
            ids.len(),
            ids.join(", ")
        );
    }
    if !c.not_carried.is_empty() {
        let ids: Vec<String> = c.not_carried.iter().map(|x| code(x)).collect();
        let _ = writeln!(
            out,
            "{} ({}){sep}{}\n",
            w.answers_not_carried,
            ids.len(),
            ids.join(", ")
        );
    }
    let _ = writeln!(out, "### {} ({})\n", w.statuses_changed, c.statuses.len());
    if c.statuses.is_empty() {
        let _ = writeln!(out, "{}\n", w.nothing_changed);
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---|---|",
            w.criterion, w.before, w.after
        );
        for s in &c.statuses {
            let st = |x: &Option<DocStatus>| x.as_ref().map(status).unwrap_or_else(|| "—".into());
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} |",
                escape(&s.title),
                code(&s.criterion),
                st(&s.before),
                st(&s.after)
            );
        }
        out.push('\n');
    }
    for (title, list) in [
        (w.findings_closed, &c.findings_closed),
        (w.findings_opened, &c.findings_opened),
    ] {
        let _ = writeln!(out, "### {title} ({})\n", list.len());
        if list.is_empty() {
            let _ = writeln!(out, "{}\n", w.none);
            continue;
        }
        for f in list {
            let _ = writeln!(
                out,
                "- **{}** ({}) — {}",
                escape(&f.title),
                code(&f.id),
                escape(&f.severity_label)
            );
        }
        out.push('\n');
    }
}

fn answers(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(out, "## {}\n", w.answers);
    if doc.answers.is_empty() {
        let _ = writeln!(out, "{}\n", w.no_answers);
        return;
    }
    for section in &doc.answers {
        let _ = writeln!(out, "### {}\n", escape(&section.title));
        for a in &section.answers {
            let value = a
                .value
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| w.cleared.to_string());
            let mut mark = if a.to_confirm {
                format!(" ⚠️ *{}*", w.to_confirm)
            } else {
                String::new()
            };
            if !a.applies {
                let _ = write!(mark, " *({})*", w.not_applicable_answer);
            }
            if let Some(p) = &a.provenance {
                let glyph = if a.declared { "📝" } else { "✔" };
                let _ = write!(mark, " {glyph} *{}*", escape(p));
            }
            let _ = writeln!(out, "- **{}** ({})", escape(&a.prompt), code(&a.question));
            let _ = writeln!(out, "  - {}{sep}{value}{mark}", w.answer);
            if let Some(note) = &a.note {
                let _ = writeln!(out, "  - {}{sep}{}", w.note, escape(note));
            }
            let mut meta = format!(
                "{} {}, {}, {}",
                w.revision,
                a.revision,
                escape(&a.updated_by),
                escape(&a.updated_at)
            );
            if !a.references.is_empty() {
                let refs: Vec<String> = a.references.iter().map(|r| escape(r)).collect();
                let _ = write!(meta, " — {}", refs.join(", "));
            }
            let _ = writeln!(out, "  - *{meta}*");
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_newlines() {
        assert_eq!(escape("<script>"), "\\<script\\>");
        assert_eq!(escape("a|b\nc"), "a\\|b<br>c");
        assert_eq!(escape("R&D [x](y)"), "R\\&D \\[x\\](y)");
        assert_eq!(code("a`b"), "`a b`");
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("12. point"), "12\\. point");
        assert_eq!(escape("art. 21(2)"), "art. 21(2)");
        assert_eq!(escape("Bien !"), "Bien !");
        assert_eq!(escape("1.0.0"), "1.0.0");
        assert_eq!(escape("-2"), "-2");
        assert_eq!(escape("---"), "\\---");
    }
}
