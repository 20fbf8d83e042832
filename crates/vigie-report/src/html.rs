//! The HTML report: one self-contained file (inline CSS, no script, no external asset) that
//! reads in a browser and prints to PDF. Every text that did not come from this file's own
//! code goes through [`escape`].

mod comparison;

use std::fmt::Write as _;

use crate::labels::{Labels, labels};
use crate::markdown::score;
use vigie_model::{AssessmentStatus, Status};

use crate::{DocStatus, Lang, ReportDoc};
use comparison::comparison;

/// Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'` become character references, and control characters other than tab and line
/// feed are dropped (a carriage return too: the report may be printed to a terminal, where
/// it would rewrite the line). The one function every user or plugin text goes through.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 2rem auto; max-width: 64rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .5rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #444; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #bbb; padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
table.meta th { width: 16rem; background: #f5f5f5; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em;
       overflow-wrap: anywhere; }
.glyph { text-align: center; width: 2.2rem; }
.mark { vertical-align: -3px; }
.not-applicable-answer { color: #555; font-style: italic; }
.note, .pre { white-space: pre-wrap; }
.draft { border: 2px dashed #a60; padding: .4rem .6rem; font-weight: bold; }
.verdict { font-size: 1.15rem; }
.st-compliant td.status { background: #e3f4e3; }
.st-to-verify td.status { background: #fff3cd; }
.st-non-compliant td.status { background: #f8d7da; }
.st-not-applicable td.status, .st-not-assessed td.status { background: #f0f0f0; }
tr.expired td { background: #f8d7da; }
.expired-flag { font-weight: bold; }
.to-confirm { font-weight: bold; }
.muted { color: #555; font-size: .85rem; }
footer { margin-top: 2rem; color: #555; font-size: .85rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  thead th, table.meta th { background: #eee !important; }
  .st-compliant td.status, .st-to-verify td.status, .st-non-compliant td.status,
  tr.expired td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

fn status_class(s: &DocStatus) -> &'static str {
    s.id.id()
}

/// A status mark drawn as inline SVG: every browser and printer draws it, where
/// the emoji (✅ ❌) need a colour-emoji font and show as empty boxes without one.
/// Shape and colour both differ per status, and a word always goes with it (the
/// mark is hidden from screen readers for that reason).
fn mark(status: Status) -> String {
    let shape = match status {
        Status::Compliant => {
            "<circle cx=\"8\" cy=\"8\" r=\"8\" fill=\"#1a7f37\"/>\
             <path d=\"M4 8.5l2.6 2.6L12.2 5.4\" fill=\"none\" stroke=\"#fff\" stroke-width=\"2.2\"/>"
        }
        Status::NonCompliant => {
            "<circle cx=\"8\" cy=\"8\" r=\"8\" fill=\"#c62828\"/>\
             <path d=\"M5 5l6 6M11 5l-6 6\" stroke=\"#fff\" stroke-width=\"2.2\"/>"
        }
        Status::ToVerify => {
            "<path d=\"M8 .8L15.6 15H.4z\" fill=\"#c77700\"/>\
             <path d=\"M8 5.5v4.8\" stroke=\"#fff\" stroke-width=\"2\"/>\
             <circle cx=\"8\" cy=\"12.6\" r=\"1.1\" fill=\"#fff\"/>"
        }
        Status::NotApplicable => "<path d=\"M2.5 8h11\" stroke=\"#666\" stroke-width=\"2.2\"/>",
        Status::NotAssessed => {
            "<circle cx=\"8\" cy=\"8\" r=\"5.5\" fill=\"none\" stroke=\"#666\" stroke-width=\"2\"/>"
        }
    };
    format!(
        "<svg class=\"mark mark-{}\" width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" \
         aria-hidden=\"true\" focusable=\"false\">{shape}</svg>",
        status.id()
    )
}

fn status_cell(s: &DocStatus) -> String {
    format!("{} {}", mark(s.id), escape(&s.label))
}

fn opt(text: &Option<String>) -> String {
    text.as_deref().map(escape).unwrap_or_default()
}

fn join(items: &[String]) -> String {
    items
        .iter()
        .map(|x| escape(x))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the report.
pub fn render(doc: &ReportDoc) -> String {
    let lang = Lang::from_code(doc.language);
    let w = labels(lang);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(doc.language),
        escape(w.title),
        escape(&doc.supplier.name)
    );
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
    let _ = write!(
        out,
        "<footer>{}.</footer>\n</body>\n</html>\n",
        escape(w.generated_by)
    );
    out
}

fn row(out: &mut String, key: &str, value_html: &str) {
    let _ = writeln!(
        out,
        "<tr><th scope=\"row\">{}</th><td>{value_html}</td></tr>",
        escape(key)
    );
}

fn header(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let s = &doc.supplier;
    let a = &doc.assessment;
    let _ = writeln!(
        out,
        "<header>\n<h1>{} — {}</h1>",
        escape(w.title),
        escape(&s.name)
    );
    if a.state == AssessmentStatus::Draft {
        let _ = writeln!(out, "<p class=\"draft\">{}</p>", escape(w.draft_notice));
    }
    out.push_str("<table class=\"meta\">\n");
    row(out, w.supplier, &escape(&s.name));
    if let Some(c) = &s.country {
        row(out, w.country, &escape(c));
    }
    if let Some(x) = &s.sector {
        row(out, w.sector, &escape(x));
    }
    row(out, w.criticality, &escape(&s.criticality_label));
    if !s.contacts.is_empty() {
        let lines: Vec<String> = s.contacts.iter().map(|c| escape(c)).collect();
        row(out, w.contacts, &lines.join("<br>"));
    }
    let mut scope = Vec::new();
    if !doc.scope.services.is_empty() {
        scope.push(format!(
            "{}{sep}{}",
            escape(w.services),
            join(&doc.scope.services)
        ));
    }
    if let Some(level) = &doc.scope.level {
        scope.push(format!("{}{sep}{}", escape(w.level), escape(&level.name)));
    }
    if !doc.scope.frameworks.is_empty() {
        scope.push(format!(
            "{}{sep}{}",
            escape(w.frameworks),
            join(&doc.scope.frameworks)
        ));
    }
    if !scope.is_empty() {
        row(out, w.scope, &scope.join("<br>"));
    }
    let q = &doc.questionnaire;
    row(
        out,
        w.questionnaire,
        &format!(
            "{} {} ({})",
            escape(&q.name),
            escape(&q.version),
            code(&q.id)
        ),
    );
    row(out, w.plugin_sha256, &code(&q.sha256));
    row(out, w.assessment_date, &escape(&a.date.to_string()));
    row(out, w.auditors, &join(&a.auditors));
    row(out, w.status, &escape(&a.state_label));
    if let (Some(by), Some(at)) = (&a.finalized_by, &a.finalized_at) {
        row(
            out,
            w.finalized,
            &format!("{} ({})", escape(at), escape(by)),
        );
    }
    if let Some(p) = &a.previous_assessment {
        row(out, w.previous, &code(p));
    }
    row(out, w.assessment_id, &code(&a.id));
    out.push_str("</table>\n</header>\n");
}

fn verdict(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let v = &doc.verdict;
    let _ = writeln!(
        out,
        "<section id=\"verdict\">\n<h2>{}</h2>\n<p class=\"verdict\"><strong>{}</strong> — {}{sep}{} / 100{}</p>",
        escape(w.verdict),
        escape(&v.label),
        escape(w.score),
        escape(&score(v.score)),
        v.basis
            .as_deref()
            .map(|b| format!(" — <strong class=\"basis\">{}</strong>", escape(b)))
            .unwrap_or_default()
    );
    if !v.summary.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(&v.summary));
    }
    if let Some(rule) = &v.rule {
        let _ = writeln!(
            out,
            "<p>{}{sep}{}</p>",
            escape(w.deciding_rule),
            escape(rule)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">{} {}</p>",
        escape(w.score_means),
        escape(w.verdict_means)
    );
    if let Some(d) = &doc.declarations {
        let _ = writeln!(
            out,
            "<p class=\"declarations\"><strong>{}</strong></p>",
            escape(&d.summary)
        );
    }
    if let Some(o) = &doc.open_questions {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&o.summary));
    }
    if !doc.counts.is_empty() {
        let counts: Vec<String> = doc
            .counts
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    mark(c.status.id),
                    c.count,
                    escape(&c.status.label)
                )
            })
            .collect();
        let _ = writeln!(out, "<p class=\"counts\">{}</p>", counts.join(" · "));
    }
    out.push_str("</section>\n");
}

fn checklist(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let _ = writeln!(
        out,
        "<section id=\"checklist\">\n<h2>{}</h2>\n<table>\n<thead><tr><th class=\"glyph\"></th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        escape(w.checklist),
        escape(w.criterion),
        escape(w.status),
        escape(w.references),
        escape(w.rationale)
    );
    for c in &doc.checklist {
        let _ = writeln!(
            out,
            "<tr class=\"st-{}\"><td class=\"glyph\">{}</td><td>{} {}</td>\
             <td class=\"status\">{}</td><td>{}</td><td>{}</td></tr>",
            status_class(&c.status),
            mark(c.status.id),
            escape(&c.title),
            code(&c.id),
            escape(&c.status.label),
            join(&c.references),
            escape(&c.rationale)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn findings(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(
        out,
        "<section id=\"findings\">\n<h2>{}</h2>",
        escape(w.findings)
    );
    if doc.findings.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(w.no_findings));
        return;
    }
    let mut current = None;
    for f in &doc.findings {
        if current != Some(f.severity) {
            if current.is_some() {
                out.push_str("</ul>\n");
            }
            current = Some(f.severity);
            let n = doc
                .findings
                .iter()
                .filter(|x| x.severity == f.severity)
                .count();
            let _ = writeln!(
                out,
                "<h3>{}{sep}{} ({n})</h3>\n<ul>",
                escape(w.severity),
                escape(&f.severity_label)
            );
        }
        let _ = write!(
            out,
            "<li><strong>{}</strong> {}",
            escape(&f.title),
            code(&f.id)
        );
        match (&f.criterion, &f.criterion_title) {
            (Some(id), Some(title)) if title != &f.title => {
                let _ = write!(
                    out,
                    " — {}{sep}{} {}",
                    escape(w.criterion),
                    escape(title),
                    code(id)
                );
            }
            (Some(id), _) if id != &f.id => {
                let _ = write!(out, " — {}{sep}{}", escape(w.criterion), code(id));
            }
            _ => {}
        }
        if !f.recommendation.is_empty() {
            let _ = write!(
                out,
                "<br>{}{sep}<span class=\"pre\">{}</span>",
                escape(w.recommendation),
                escape(&f.recommendation)
            );
        }
        if let Some(d) = f.deadline_days {
            let _ = write!(
                out,
                "<br>{}{sep}{d} {}",
                escape(w.deadline_days),
                escape(w.days)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

fn action_plan(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(
        out,
        "<section id=\"actions\">\n<h2>{}</h2>",
        escape(w.action_plan)
    );
    if doc.actions.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.no_actions));
    } else {
        let _ = writeln!(
            out,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            escape(w.action),
            escape(w.finding),
            escape(w.owner),
            escape(w.deadline),
            escape(w.status)
        );
        for x in &doc.actions {
            let finding = match &x.finding_title {
                Some(t) => format!("{} {}", escape(t), code(&x.finding_id)),
                None => code(&x.finding_id),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{finding}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&x.title),
                opt(&x.owner),
                escape(&x.deadline.map(|d| d.to_string()).unwrap_or_default()),
                escape(&x.state_label)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !doc.findings_without_action.is_empty() {
        let ids: Vec<String> = doc
            .findings_without_action
            .iter()
            .map(|x| code(x))
            .collect();
        let _ = writeln!(
            out,
            "<p>{}{sep}{}</p>",
            escape(w.findings_without_action),
            ids.join(", ")
        );
    }
    out.push_str("</section>\n");
}

fn evidence(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(
        out,
        "<section id=\"evidence\">\n<h2>{}</h2>",
        escape(w.evidence)
    );
    if doc.evidence.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(w.no_evidence));
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        escape(w.evidence_item),
        escape(w.question),
        escape(w.sha256),
        escape(w.effective),
        escape(w.expiry),
        escape(w.status)
    );
    for e in &doc.evidence {
        let mut what = format!(
            "{}{sep}<span class=\"pre\">{}</span>",
            escape(&e.kind_label),
            escape(&e.text)
        );
        let mut sha = String::new();
        if let Some(f) = &e.file {
            let _ = write!(
                what,
                "<br>{}{sep}{} ({} {})",
                escape(w.file),
                escape(&f.path),
                f.size,
                escape(w.bytes)
            );
            sha = code(&f.sha256);
        }
        let question = e
            .question
            .as_deref()
            .map(code)
            .unwrap_or_else(|| escape(w.whole_assessment));
        let (class, state) = match e.expiry_date {
            Some(_) if e.expired => (
                " class=\"expired\"",
                format!(
                    "<span class=\"expired-flag\">{} {}</span>",
                    mark(Status::ToVerify),
                    escape(w.expired)
                ),
            ),
            Some(_) => ("", escape(w.valid)),
            None => ("", String::new()),
        };
        let _ = writeln!(
            out,
            "<tr{class}><td>{what}</td><td>{question}</td><td>{sha}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
            escape(&e.effective_date.map(|d| d.to_string()).unwrap_or_default()),
            escape(&e.expiry_date.map(|d| d.to_string()).unwrap_or_default()),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn answers(out: &mut String, doc: &ReportDoc, w: &Labels) {
    let _ = writeln!(
        out,
        "<section id=\"answers\">\n<h2>{}</h2>",
        escape(w.answers)
    );
    if doc.answers.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(w.no_answers));
        return;
    }
    for section in &doc.answers {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            escape(&section.title),
            escape(w.question),
            escape(w.answer),
            escape(w.note)
        );
        for a in &section.answers {
            let value = a
                .value
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| escape(w.cleared));
            let mut mark = if a.to_confirm {
                format!(
                    " <span class=\"to-confirm\">{} {}</span>",
                    mark(Status::ToVerify),
                    escape(w.to_confirm)
                )
            } else {
                String::new()
            };
            if !a.applies {
                let _ = write!(
                    mark,
                    " <span class=\"not-applicable-answer\">({})</span>",
                    escape(w.not_applicable_answer)
                );
            }
            // In words, styled by class: a mark every font has (no emoji).
            if let Some(p) = &a.provenance {
                let class = if a.declared { "declared" } else { "verified" };
                let _ = write!(mark, " <span class=\"{class}\">{}</span>", escape(p));
            }
            let mut meta = format!(
                "{} {}, {}, {}",
                escape(w.revision),
                a.revision,
                escape(&a.updated_by),
                escape(&a.updated_at)
            );
            if !a.references.is_empty() {
                let _ = write!(meta, " — {}", join(&a.references));
            }
            let _ = writeln!(
                out,
                "<tr><td>{} {}<br><span class=\"muted\">{meta}</span></td><td>{value}{mark}</td>\
                 <td class=\"note\">{}</td></tr>",
                escape(&a.prompt),
                code(&a.question),
                opt(&a.note)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&</a>\u{0}"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_style_sheet_loads_nothing() {
        assert!(!CSS.contains("url("));
        assert!(!CSS.contains("@import"));
    }
}
