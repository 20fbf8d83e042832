//! Installed plugins and the audit trail.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{block, clip};
use crate::app::{App, AuditView, tr};

pub fn plugins(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let lang = app.lang.as_str();
    let [list_area, detail_area] = Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
    let entries = app.bench.catalog.entries();
    let width = list_area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = entries
        .iter()
        .map(|e| {
            let p = &e.plugin;
            ListItem::new(Line::raw(clip(
                &format!("{:<18} {:<7} {}  {:<9} {}", p.id(), p.version(), &p.sha256()[..12], e.origin.to_string(), p.questionnaire().info.name.get(lang)),
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
            .block(block(app, tr(lang, "Questionnaires installés", "Installed questionnaires")))
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
        detail.push(Line::from(Span::styled(format!("sha256 {}", e.plugin.sha256()), app.theme.muted)));
    }
    for (origin, error) in &app.bench.catalog.failures {
        detail.push(Line::from(Span::styled(format!("✘ {origin}: {error}"), app.theme.error)));
    }
    if let Some(e) = entries.get(selected) {
        detail.push(Line::raw(e.plugin.questionnaire().info.description.get(lang).to_string()));
    }
    frame.render_widget(Paragraph::new(detail).block(block(app, "Plugin")).wrap(Wrap { trim: true }), detail_area);
}

pub fn audit(frame: &mut Frame, area: Rect, app: &App, view: &AuditView) {
    let lang = app.lang.as_str();
    let [list_area, detail_area] = Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(area);
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
            .block(block(app, format!("{} · {}", tr(lang, "Journal d'audit", "Audit trail"), view.title)))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    let detail = match view.entries.get(view.selected) {
        Some(e) => vec![
            Line::from(vec![Span::styled(tr(lang, "avant : ", "before: "), app.theme.muted), Span::raw(e.old.clone().unwrap_or_else(|| "—".into()))]),
            Line::from(vec![Span::styled(tr(lang, "après : ", "after: "), app.theme.muted), Span::raw(e.new.clone().unwrap_or_else(|| "—".into()))]),
        ],
        None => vec![Line::raw(tr(lang, "Aucune entrée.", "No entry."))],
    };
    frame.render_widget(
        Paragraph::new(detail).block(block(app, tr(lang, "Changement", "Change"))).wrap(Wrap { trim: true }),
        detail_area,
    );
}
