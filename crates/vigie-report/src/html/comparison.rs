//! The HTML report's comparison with the previous assessment: answers, statuses and findings
//! that changed.

use std::fmt::Write as _;

use super::{code, escape, status_cell};
use crate::DocStatus;
use crate::labels::Labels;
use crate::markdown::score;

pub(super) fn comparison(out: &mut String, c: &crate::DocComparison, w: &Labels) {
    let sep = w.colon;
    let _ = writeln!(
        out,
        "<section id=\"comparison\">\n<h2>{}</h2>\n<p>{}{sep}{} ({}, {} {})</p>",
        escape(w.comparison),
        escape(w.compared_with),
        code(&c.previous_id),
        escape(&c.previous_date.to_string()),
        escape(&c.previous_plugin_version),
        code(&c.previous_plugin_sha256)
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n\
         <tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>\n\
         <tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>\n</tbody>\n</table>",
        escape(w.before),
        escape(w.after),
        escape(w.score),
        escape(&score(c.score_before)),
        escape(&score(c.score_after)),
        escape(w.verdict),
        escape(&c.verdict_before),
        escape(&c.verdict_after)
    );
    let _ = writeln!(
        out,
        "<h3>{} ({})</h3>",
        escape(w.answers_changed),
        c.answers.len()
    );
    if c.answers.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.nothing_changed));
    } else {
        let _ = writeln!(
            out,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            escape(w.question),
            escape(w.before),
            escape(w.after)
        );
        for x in &c.answers {
            let side = |v: &Option<String>, n: &Option<String>| {
                let mut s = v.as_deref().map(escape).unwrap_or_else(|| "—".into());
                if let Some(n) = n {
                    let _ = write!(
                        s,
                        "<br>{}{sep}<span class=\"note\">{}</span>",
                        escape(w.note),
                        escape(n)
                    );
                }
                s
            };
            let _ = writeln!(
                out,
                "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                escape(&x.prompt),
                code(&x.question),
                side(&x.before, &x.note_before),
                side(&x.after, &x.note_after)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(
        out,
        "<p>{}{sep}{}</p>",
        escape(w.answers_unchanged),
        c.unchanged_answers
    );
    if !c.to_confirm.is_empty() {
        let ids: Vec<String> = c.to_confirm.iter().map(|x| code(&x.question)).collect();
        let _ = writeln!(
            out,
            "<p class=\"to-confirm\">{} ({}){sep}{}</p>",
            escape(w.answers_to_confirm),
            ids.len(),
            ids.join(", ")
        );
    }
    if !c.not_carried.is_empty() {
        let ids: Vec<String> = c.not_carried.iter().map(|x| code(x)).collect();
        let _ = writeln!(
            out,
            "<p class=\"not-carried\">{} ({}){sep}{}</p>",
            escape(w.answers_not_carried),
            ids.len(),
            ids.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "<h3>{} ({})</h3>",
        escape(w.statuses_changed),
        c.statuses.len()
    );
    if c.statuses.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.nothing_changed));
    } else {
        let _ = writeln!(
            out,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            escape(w.criterion),
            escape(w.before),
            escape(w.after)
        );
        for s in &c.statuses {
            let st =
                |x: &Option<DocStatus>| x.as_ref().map(status_cell).unwrap_or_else(|| "—".into());
            let _ = writeln!(
                out,
                "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.title),
                code(&s.criterion),
                st(&s.before),
                st(&s.after)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    for (title, list) in [
        (w.findings_closed, &c.findings_closed),
        (w.findings_opened, &c.findings_opened),
    ] {
        let _ = writeln!(out, "<h3>{} ({})</h3>", escape(title), list.len());
        if list.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(w.none));
            continue;
        }
        out.push_str("<ul>\n");
        for f in list {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> {} — {}</li>",
                escape(&f.title),
                code(&f.id),
                escape(&f.severity_label)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
