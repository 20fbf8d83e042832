//! Installed plugins and the audit trail.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use vigie_model::Lang;

use super::{block, clip};
use crate::app::{App, AuditView, CompareView};
use crate::theme::status_mark;

pub fn plugins(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let lang = app.lang;
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
    let entries = app.bench.catalog().entries();
    let width = list_area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = entries
        .iter()
        .map(|e| {
            let p = &e.plugin;
            ListItem::new(Line::raw(clip(
                &format!(
                    "{:<18} {:<7} {}  {:<9} {}",
                    p.id(),
                    p.version(),
                    &p.sha256()[..12],
                    e.origin.to_string(),
                    p.questionnaire().info.name.get(lang)
                ),
                width,
            )))
        })
        .collect();
    let mut state = ListState::default();
    if !items.is_empty() {
        state.select(Some(selected.min(items.len() - 1)));
    }
    frame.render_stateful_widget(
        List::new(items)
            .block(block(
                app,
                lang.pick("Questionnaires installés", "Installed questionnaires"),
            ))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    let mut detail = Vec::new();
    if let Some(e) = entries.get(selected) {
        let q = e.plugin.questionnaire();
        // Facts first: at 80x24 the description is cut, not these.
        detail.push(Line::from(Span::styled(
            format!(
                "{} sections · {} questions · {} {} · {} {}",
                q.sections.len(),
                q.questions.len(),
                q.criteria.len(),
                lang.pick("critères", "criteria"),
                lang.pick("langues", "languages"),
                q.info.languages.join("/")
            ),
            app.theme.muted,
        )));
        detail.push(Line::from(Span::styled(
            format!("sha256 {}", e.plugin.sha256()),
            app.theme.muted,
        )));
    }
    for (origin, error) in &app.bench.catalog().failures {
        detail.push(Line::from(Span::styled(
            format!("✘ {origin}: {error}"),
            app.theme.error,
        )));
    }
    if let Some(e) = entries.get(selected) {
        detail.push(Line::raw(
            e.plugin
                .questionnaire()
                .info
                .description
                .get(lang)
                .to_string(),
        ));
    }
    frame.render_widget(
        Paragraph::new(detail)
            .block(block(app, "Plugin"))
            .wrap(Wrap { trim: true }),
        detail_area,
    );
}

pub fn audit(frame: &mut Frame, area: Rect, app: &App, view: &AuditView) {
    let lang = app.lang;
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
    let width = list_area.width.saturating_sub(4) as usize;
    let questionnaire = view.questionnaire.as_deref();
    let items: Vec<ListItem> = view
        .entries
        .iter()
        .map(|e| {
            ListItem::new(Line::raw(clip(
                &format!(
                    "{:>5} {} {}",
                    e.seq,
                    e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
                    audit_sentence(e, questionnaire, lang)
                ),
                width,
            )))
        })
        .collect();
    let mut state = ListState::default();
    if !items.is_empty() {
        state.select(Some(view.selected.min(items.len() - 1)));
    }
    frame.render_stateful_widget(
        List::new(items)
            .block(block(
                app,
                format!(
                    "{} · {}",
                    lang.pick("Journal d'audit", "Audit trail"),
                    view.title
                ),
            ))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    let detail = match view.entries.get(view.selected) {
        Some(e) => {
            let mut lines = vec![Line::raw(format!(
                "{} · {}",
                e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
                audit_sentence(e, questionnaire, lang)
            ))];
            // The note, when the change touched it, in full.
            let note = |json: &Option<String>| {
                json.as_deref()
                    .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
                    .and_then(|v| v.get("note").and_then(|n| n.as_str()).map(str::to_string))
            };
            let (before, after) = (note(&e.old), note(&e.new));
            if e.entity == "answer" && before != after {
                lines.push(Line::from(vec![
                    Span::styled(lang.pick("note : ", "note: "), app.theme.muted),
                    Span::raw(after.unwrap_or_else(|| "—".into())),
                ]));
                if let Some(before) = before {
                    lines.push(Line::from(vec![
                        Span::styled(lang.pick("note avant : ", "note before: "), app.theme.muted),
                        Span::raw(before),
                    ]));
                }
            }
            lines.push(Line::from(Span::styled(
                format!("{} {} · {}", e.entity, e.entity_id, e.action),
                app.theme.muted,
            )));
            lines
        }
        None => vec![Line::raw(lang.pick("Aucune entrée.", "No entry."))],
    };
    frame.render_widget(
        Paragraph::new(detail)
            .block(block(app, lang.pick("Changement", "Change")))
            .wrap(Wrap { trim: true }),
        detail_area,
    );
}

/// What changed since the previous assessment.
pub fn compare(frame: &mut Frame, area: Rect, app: &App, view: &CompareView) {
    let lang = app.lang;
    let c = &view.comparison;
    let q = &view.questionnaire;
    let score = |s: Option<f64>| s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(lang.pick("Score : ", "Score: "), app.theme.muted),
            Span::styled(
                format!(
                    "{} ({}) → {} ({}){}",
                    score(c.previous.score),
                    c.previous.assessment_date,
                    score(c.current.score),
                    c.current.assessment_date,
                    c.score_delta()
                        .map(|d| format!("  Δ {d:+.1}"))
                        .unwrap_or_default()
                ),
                app.theme.accent,
            ),
        ]),
        Line::from(vec![
            Span::styled(lang.pick("Verdict : ", "Verdict: "), app.theme.muted),
            Span::raw(format!(
                "{} → {}",
                c.previous.verdict.label.get(lang),
                c.current.verdict.label.get(lang)
            )),
        ]),
        Line::from(Span::styled(
            format!(
                "{} {} · {} {} · {} {}",
                c.answers.len(),
                lang.pick("réponses modifiées", "answers changed"),
                c.unchanged_answers,
                lang.pick("inchangées", "unchanged"),
                c.to_confirm.len(),
                lang.pick("à confirmer", "to confirm")
            ),
            app.theme.muted,
        )),
        Line::raw(""),
        Line::from(Span::styled(
            lang.pick(
                "Critères dont le statut change",
                "Criteria whose status changed",
            ),
            app.theme.title,
        )),
    ];
    let status = |s: Option<vigie_model::Status>| match s {
        Some(s) => format!("{} {}", status_mark(s), s.label(lang)),
        None => "—".into(),
    };
    for change in &c.statuses {
        let title = q
            .criterion(&change.criterion)
            .map(|x| x.title.get(lang).to_string())
            .unwrap_or_else(|| change.criterion.clone());
        lines.push(Line::raw(format!(
            "  {} → {}  {title}",
            status(change.before),
            status(change.after)
        )));
    }
    lines.push(Line::from(Span::styled(
        lang.pick("Constats levés", "Findings closed"),
        app.theme.title,
    )));
    if c.findings_closed.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", lang.pick("aucun", "none")),
            app.theme.muted,
        )));
    }
    for f in &c.findings_closed {
        lines.push(Line::from(Span::styled(
            format!("  ✔ {}", f.title.get(lang)),
            app.theme.ok,
        )));
    }
    lines.push(Line::from(Span::styled(
        lang.pick("Nouveaux constats", "Findings opened"),
        app.theme.title,
    )));
    if c.findings_opened.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", lang.pick("aucun", "none")),
            app.theme.muted,
        )));
    }
    for f in &c.findings_opened {
        lines.push(Line::from(Span::styled(
            format!("  ✘ {}", f.title.get(lang)),
            app.theme.bad,
        )));
    }
    lines.push(Line::from(Span::styled(
        lang.pick("Réponses modifiées", "Answers changed"),
        app.theme.title,
    )));
    for change in &c.answers {
        let kind = q.question(&change.question).map(|x| x.kind.clone());
        let show = |v: &Option<vigie_model::AnswerValue>| match (v, &kind) {
            (Some(v), Some(k)) => v.display(k, lang),
            _ => "—".into(),
        };
        lines.push(Line::raw(format!(
            "  {}: {} → {}",
            change.question,
            show(&change.before),
            show(&change.after)
        )));
    }
    let scroll = view.scroll.min(lines.len().saturating_sub(1)) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(
                app,
                lang.pick(
                    "Comparaison avec l'évaluation précédente (j/k)",
                    "Compared with the previous assessment (j/k)",
                ),
            ))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// An audit row as a sentence: "alice answered client-staff: 1200 (was 50)".
pub fn audit_sentence(
    entry: &vigie_app::AuditEntry,
    questionnaire: Option<&vigie_model::Questionnaire>,
    lang: Lang,
) -> String {
    let who = &entry.who;
    if entry.entity == "answer" {
        let value_of = |json: &Option<String>| -> Option<String> {
            let parsed: serde_json::Value = serde_json::from_str(json.as_deref()?).ok()?;
            let value = parsed.get("value")?;
            if value.is_null() {
                return None;
            }
            let value: vigie_model::AnswerValue = serde_json::from_value(value.clone()).ok()?;
            let kind = questionnaire
                .and_then(|q| q.question(&entry.entity_id))
                .map(|q| q.kind.clone());
            Some(match kind {
                Some(kind) => value.display(&kind, lang),
                None => serde_json::to_string(&value).unwrap_or_default(),
            })
        };
        let (before, after) = (value_of(&entry.old), value_of(&entry.new));
        let question = &entry.entity_id;
        let sep = if lang == Lang::Fr { " : " } else { ": " };
        return match (before, after) {
            (Some(b), Some(a)) if a == b => {
                format!("{who} {} {question}", lang.pick("a annoté", "annotated"))
            }
            (Some(b), Some(a)) => format!(
                "{who} {} {question}{sep}{a} ({} {b})",
                lang.pick("a répondu à", "answered"),
                lang.pick("avant", "was")
            ),
            (None, Some(a)) => format!(
                "{who} {} {question}{sep}{a}",
                lang.pick("a répondu à", "answered"),
            ),
            (Some(b), None) => format!(
                "{who} {} {question} ({} {b})",
                lang.pick("a effacé la réponse à", "cleared the answer to"),
                lang.pick("avant", "was")
            ),
            (None, None) => format!("{who} {} {question}", lang.pick("a modifié", "changed")),
        };
    }
    let what = match (entry.action.as_str(), entry.entity.as_str()) {
        ("create", "assessment") => lang.pick("a créé l'évaluation", "created the assessment"),
        ("finalize", _) => lang.pick("a finalisé l'évaluation", "finalized the assessment"),
        ("prefill", _) => lang.pick(
            "a repris les réponses de l'évaluation précédente",
            "carried over the previous assessment's answers",
        ),
        ("import", _) => lang.pick("a importé", "imported"),
        ("add", "evidence") => lang.pick("a ajouté une preuve", "added evidence"),
        ("add", "action-item") => lang.pick("a ajouté une action", "added an action"),
        ("update", "action-item") => lang.pick("a mis à jour une action", "updated an action"),
        ("delete", "action-item") => lang.pick("a supprimé une action", "deleted an action"),
        ("update", "evidence") => lang.pick("a modifié une preuve", "edited evidence"),
        ("delete", "evidence") => lang.pick("a supprimé une preuve", "deleted evidence"),
        _ => "",
    };
    if what.is_empty() {
        format!(
            "{who} {} {} {}",
            entry.action, entry.entity, entry.entity_id
        )
    } else {
        format!("{who} {what}")
    }
}
