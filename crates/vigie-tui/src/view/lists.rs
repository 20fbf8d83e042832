//! Installed plugins and the audit trail.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{block, clip};
use crate::app::{App, AuditView, CompareView, tr};
use crate::theme::status_mark;

pub fn plugins(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let lang = app.lang.as_str();
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
    let entries = app.bench.catalog.entries();
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
                tr(lang, "Questionnaires installés", "Installed questionnaires"),
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
                tr(lang, "critères", "criteria"),
                tr(lang, "langues", "languages"),
                q.info.languages.join("/")
            ),
            app.theme.muted,
        )));
        detail.push(Line::from(Span::styled(
            format!("sha256 {}", e.plugin.sha256()),
            app.theme.muted,
        )));
    }
    for (origin, error) in &app.bench.catalog.failures {
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
    let lang = app.lang.as_str();
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
    let width = list_area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = view
        .entries
        .iter()
        .map(|e| {
            ListItem::new(Line::raw(clip(
                &format!(
                    "{:>5} {} {:<10} {:<7} {:<11} {}",
                    e.seq,
                    e.at.get(..19).unwrap_or(&e.at),
                    clip(&e.who, 10),
                    e.action,
                    e.entity,
                    e.entity_id
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
                    tr(lang, "Journal d'audit", "Audit trail"),
                    view.title
                ),
            ))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    let detail = match view.entries.get(view.selected) {
        Some(e) => vec![
            Line::from(vec![
                Span::styled(tr(lang, "avant : ", "before: "), app.theme.muted),
                Span::raw(e.old.clone().unwrap_or_else(|| "—".into())),
            ]),
            Line::from(vec![
                Span::styled(tr(lang, "après : ", "after: "), app.theme.muted),
                Span::raw(e.new.clone().unwrap_or_else(|| "—".into())),
            ]),
        ],
        None => vec![Line::raw(tr(lang, "Aucune entrée.", "No entry."))],
    };
    frame.render_widget(
        Paragraph::new(detail)
            .block(block(app, tr(lang, "Changement", "Change")))
            .wrap(Wrap { trim: true }),
        detail_area,
    );
}

/// What changed since the previous assessment.
pub fn compare(frame: &mut Frame, area: Rect, app: &App, view: &CompareView) {
    let lang = app.lang.as_str();
    let c = &view.comparison;
    let q = &view.questionnaire;
    let score = |s: Option<f64>| s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(tr(lang, "Score : ", "Score: "), app.theme.muted),
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
            Span::styled(tr(lang, "Verdict : ", "Verdict: "), app.theme.muted),
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
                tr(lang, "réponses modifiées", "answers changed"),
                c.unchanged_answers,
                tr(lang, "inchangées", "unchanged"),
                c.to_confirm.len(),
                tr(lang, "à confirmer", "to confirm")
            ),
            app.theme.muted,
        )),
        Line::raw(""),
        Line::from(Span::styled(
            tr(
                lang,
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
        tr(lang, "Constats levés", "Findings closed"),
        app.theme.title,
    )));
    if c.findings_closed.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", tr(lang, "aucun", "none")),
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
        tr(lang, "Nouveaux constats", "Findings opened"),
        app.theme.title,
    )));
    if c.findings_opened.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", tr(lang, "aucun", "none")),
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
        tr(lang, "Réponses modifiées", "Answers changed"),
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
                tr(
                    lang,
                    "Comparaison avec l'évaluation précédente (j/k)",
                    "Compared with the previous assessment (j/k)",
                ),
            ))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
