//! The CSV report: one table (RFC 4180, CRLF line ends, UTF-8) whose first column says what
//! each line is (`assessment`, `checklist`, `finding`, `action`, `evidence`, `comparison`,
//! `answer`), so a spreadsheet can filter it. Every cell goes through [`cell`], which
//! neutralises formulas and makes control characters visible.

use crate::labels::labels;
use crate::markdown::score;
use crate::{Lang, ReportDoc};

/// A cell ready to write: control characters other than the line feed are made visible
/// ([`vigie_model::visible`]: a report printed to a terminal must not carry escape
/// sequences; a tab or carriage return, which a spreadsheet may also take as the start of a
/// formula, thereby becomes `\u{9}` or `\u{d}`), text a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-` or `@`, also after leading spaces) gets a `'` in front, and a cell
/// holding a separator, quote, line break or edge space is quoted.
pub fn cell(text: &str) -> String {
    let shown = vigie_model::visible(text);
    let text: &str = &shown;
    let risky = |c: char| matches!(c, '=' | '+' | '-' | '@');
    let first = text.chars().next();
    let first_visible = text.trim_start_matches(' ').chars().next();
    let mut value = String::with_capacity(text.len() + 3);
    if first.is_some_and(risky) || first_visible.is_some_and(risky) {
        value.push('\'');
    }
    value.push_str(text);
    let needs_quotes = value.contains([',', '"', '\n', '\r', ';'])
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[derive(Default)]
struct Line {
    section: &'static str,
    id: String,
    label: String,
    status: String,
    value: String,
    note: String,
    severity: String,
    owner: String,
    date: String,
    reference: String,
    sha256: String,
}

impl Line {
    fn new(section: &'static str, id: impl Into<String>, label: impl Into<String>) -> Line {
        Line {
            section,
            id: id.into(),
            label: label.into(),
            ..Line::default()
        }
    }

    fn write(&self, out: &mut String) {
        let cells = [
            self.section,
            &self.id,
            &self.label,
            &self.status,
            &self.value,
            &self.note,
            &self.severity,
            &self.owner,
            &self.date,
            &self.reference,
            &self.sha256,
        ];
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
}

fn value(section: &'static str, id: &str, label: &str, value: impl Into<String>) -> Line {
    Line {
        value: value.into(),
        ..Line::new(section, id, label)
    }
}

/// Writes the report.
pub fn render(doc: &ReportDoc) -> String {
    let lang = Lang::from_code(doc.language);
    let w = labels(lang);
    let mut lines = Vec::new();
    let s = &doc.supplier;
    let a = &doc.assessment;
    let q = &doc.questionnaire;
    const A: &str = "assessment";
    lines.push(value(A, "supplier", w.supplier, &s.name));
    if let Some(c) = &s.country {
        lines.push(value(A, "country", w.country, c));
    }
    if let Some(x) = &s.sector {
        lines.push(value(A, "sector", w.sector, x));
    }
    lines.push(value(A, "criticality", w.criticality, &s.criticality_label));
    if !s.contacts.is_empty() {
        lines.push(value(A, "contacts", w.contacts, s.contacts.join("; ")));
    }
    if !doc.scope.services.is_empty() {
        lines.push(value(
            A,
            "services",
            w.services,
            doc.scope.services.join("; "),
        ));
    }
    if let Some(level) = &doc.scope.level {
        lines.push(value(A, "level", w.level, &level.name));
    }
    if !doc.scope.frameworks.is_empty() {
        lines.push(value(
            A,
            "frameworks",
            w.frameworks,
            doc.scope.frameworks.join("; "),
        ));
    }
    lines.push(Line {
        reference: format!("{} {}", q.id, q.version),
        sha256: q.sha256.clone(),
        ..value(A, "questionnaire", w.questionnaire, &q.name)
    });
    lines.push(value(
        A,
        "assessment-date",
        w.assessment_date,
        a.date.to_string(),
    ));
    lines.push(value(A, "auditors", w.auditors, a.auditors.join("; ")));
    lines.push(value(A, "status", w.status, &a.state_label));
    if let (Some(by), Some(at)) = (&a.finalized_by, &a.finalized_at) {
        lines.push(Line {
            owner: by.clone(),
            date: at.clone(),
            ..value(A, "finalized", w.finalized, at)
        });
    }
    if let Some(p) = &a.previous_assessment {
        lines.push(value(A, "previous-assessment", w.previous, p));
    }
    lines.push(value(A, "assessment-id", w.assessment_id, &a.id));
    let v = &doc.verdict;
    lines.push(Line {
        // The verdict's basis, when unverified declarations carry it, goes with its reason.
        note: match &v.basis {
            Some(basis) if v.summary.is_empty() => basis.clone(),
            Some(basis) => format!("{} ({basis})", v.summary),
            None => v.summary.clone(),
        },
        severity: v.severity_label.clone(),
        reference: v.id.clone(),
        ..value(A, "verdict", w.verdict, &v.label)
    });
    lines.push(value(A, "score", w.score, score(v.score)));

    for c in &doc.checklist {
        lines.push(Line {
            status: format!("{} {}", c.status.glyph, c.status.label),
            value: c.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            note: c.rationale.clone(),
            severity: c
                .severity
                .map(|s| s.label(lang.id()).to_string())
                .unwrap_or_default(),
            reference: c.references.join("; "),
            ..Line::new("checklist", &c.id, &c.title)
        });
    }
    for f in &doc.findings {
        lines.push(Line {
            value: f.recommendation.clone(),
            note: f.criterion_title.clone().unwrap_or_default(),
            severity: f.severity_label.clone(),
            date: f
                .deadline_days
                .map(|d| format!("{d} {}", w.days))
                .unwrap_or_default(),
            reference: f.criterion.clone().unwrap_or_default(),
            ..Line::new("finding", &f.id, &f.title)
        });
    }
    for x in &doc.actions {
        lines.push(Line {
            status: x.state_label.clone(),
            note: x.finding_title.clone().unwrap_or_default(),
            owner: x.owner.clone().unwrap_or_default(),
            date: x.deadline.map(|d| d.to_string()).unwrap_or_default(),
            reference: x.finding_id.clone(),
            ..Line::new("action", &x.id, &x.title)
        });
    }
    for e in &doc.evidence {
        lines.push(Line {
            status: match e.expiry_date {
                Some(_) if e.expired => format!("⚠️ {}", w.expired),
                Some(_) => w.valid.to_string(),
                None => String::new(),
            },
            value: e.file.as_ref().map(|f| f.path.clone()).unwrap_or_default(),
            note: e.kind_label.clone(),
            owner: e.added_by.clone(),
            date: e.expiry_date.map(|d| d.to_string()).unwrap_or_default(),
            reference: e.question.clone().unwrap_or_default(),
            sha256: e
                .file
                .as_ref()
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            ..Line::new("evidence", &e.id, &e.text)
        });
    }
    if let Some(c) = &doc.comparison {
        const C: &str = "comparison";
        lines.push(Line {
            reference: c.previous_id.clone(),
            date: c.previous_date.to_string(),
            ..value(
                C,
                "score",
                w.score,
                format!("{} → {}", score(c.score_before), score(c.score_after)),
            )
        });
        lines.push(value(
            C,
            "verdict",
            w.verdict,
            format!("{} → {}", c.verdict_before, c.verdict_after),
        ));
        for x in &c.answers {
            let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            lines.push(Line {
                status: format!("{:?}", x.kind).to_lowercase(),
                note: format!(
                    "{} → {}",
                    x.note_before.as_deref().unwrap_or("—"),
                    x.note_after.as_deref().unwrap_or("—")
                ),
                ..value(
                    C,
                    &x.question,
                    &x.prompt,
                    format!("{} → {}", side(&x.before), side(&x.after)),
                )
            });
        }
        if !c.not_carried.is_empty() {
            lines.push(value(
                C,
                "not-carried",
                w.answers_not_carried,
                c.not_carried.join("; "),
            ));
        }
        for s in &c.statuses {
            let st = |x: &Option<crate::DocStatus>| {
                x.as_ref()
                    .map(|x| format!("{} {}", x.glyph, x.label))
                    .unwrap_or_else(|| "—".into())
            };
            lines.push(value(
                C,
                &s.criterion,
                &s.title,
                format!("{} → {}", st(&s.before), st(&s.after)),
            ));
        }
        for (status, list) in [
            (w.findings_closed, &c.findings_closed),
            (w.findings_opened, &c.findings_opened),
        ] {
            for f in list {
                lines.push(Line {
                    status: status.to_string(),
                    severity: f.severity_label.clone(),
                    ..Line::new(C, &f.id, &f.title)
                });
            }
        }
    }
    for section in &doc.answers {
        for x in &section.answers {
            lines.push(Line {
                status: [
                    (x.to_confirm && !x.declared, w.to_confirm.to_string()),
                    (!x.applies, w.not_applicable_answer.to_string()),
                    (
                        x.provenance.is_some(),
                        x.provenance.clone().unwrap_or_default(),
                    ),
                ]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, word)| word)
                .collect::<Vec<_>>()
                .join("; "),
                value: x.value.clone().unwrap_or_else(|| w.cleared.to_string()),
                note: x.note.clone().unwrap_or_default(),
                owner: x.updated_by.clone(),
                date: x.updated_at.clone(),
                reference: x.references.join("; "),
                ..Line::new("answer", &x.question, &x.prompt)
            });
        }
    }

    let mut out = String::new();
    Line {
        section: w.section,
        id: w.id.into(),
        label: w.label.into(),
        status: w.status.into(),
        value: w.value.into(),
        note: w.note.into(),
        severity: w.severity.into(),
        owner: w.owner.into(),
        date: w.date.into(),
        reference: w.reference.into(),
        sha256: w.sha256.into(),
    }
    .write(&mut out);
    for line in &lines {
        line.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+33 1 23"), "'+33 1 23");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "\\u{9}x");
        assert_eq!(cell("\r=1"), "\\u{d}=1");
        assert_eq!(cell("\u{1b}[2J\u{7}"), "\\u{1b}[2J\\u{7}");
        assert_eq!(cell("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("  =1"), "'  =1");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
    }
}
