//! Criteria checklist, findings and the action plan.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use vigie_model::Lang;

use super::{block, clip};
use crate::app::{App, FindingRow, FindingsPane, FindingsView};
use crate::theme::{severity_mark, status_mark};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &FindingsView) {
    let lang = app.lang;
    let e = &view.evaluation;
    let [header, list_area, detail_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(6),
        Constraint::Length(7),
    ])
    .areas(area);
    let score = e
        .score
        .map(|s| format!("{s:.1}/100"))
        .unwrap_or_else(|| "-".into());
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                clip(
                    &format!(
                        "{} · {}",
                        view.assessment.supplier_name,
                        view.questionnaire.info.name.get(lang)
                    ),
                    area.width as usize,
                ),
                app.theme.title,
            )),
            Line::from(vec![
                Span::styled(format!("Score {score} · "), app.theme.accent),
                Span::styled(
                    e.verdict.label.get(lang).to_string(),
                    app.theme.severity(e.verdict.severity),
                ),
            ]),
        ]),
        header,
    );
    let width = list_area.width.saturating_sub(4) as usize;
    let (title, items, detail): (String, Vec<ListItem>, Vec<Line>) = match view.pane {
        FindingsPane::Criteria => {
            let items = e
                .criteria
                .iter()
                .map(|r| {
                    let title = view
                        .questionnaire
                        .criterion(&r.criterion)
                        .map(|c| c.title.get(lang).to_string())
                        .unwrap_or_else(|| r.criterion.clone());
                    let label = r.status.label(lang);
                    ListItem::new(Line::from(vec![
                        Span::styled(
                            format!("{} {:<15}", status_mark(r.status), label),
                            app.theme.status(r.status),
                        ),
                        Span::raw(clip(&title, width.saturating_sub(18))),
                    ]))
                })
                .collect();
            let detail = e
                .criteria
                .get(view.selected)
                .map(|r| vec![Line::raw(r.rationale.get(lang).to_string())])
                .unwrap_or_default();
            (
                format!(
                    "{} (Tab: {}){}",
                    lang.pick("Critères", "Criteria"),
                    lang.pick("constats", "findings"),
                    open_questions(view.open_questions, lang)
                ),
                items,
                detail,
            )
        }
        FindingsPane::Findings => {
            let rows = view.rows();
            let items = rows
                .iter()
                .map(|row| match row {
                    FindingRow::Finding(i) => {
                        let f = &e.findings[*i];
                        let deadline = f
                            .deadline_days
                            .and_then(|d| {
                                view.assessment.assessment_date.add_days(i64::from(d)).ok()
                            })
                            .map(|d| format!("  ⏱ {d}"))
                            .unwrap_or_default();
                        ListItem::new(Line::from(vec![
                            Span::styled(
                                format!(
                                    "{} {:<8} ",
                                    severity_mark(f.severity),
                                    f.severity.label(lang)
                                ),
                                app.theme.severity(f.severity),
                            ),
                            Span::raw(clip(f.title.get(lang), width.saturating_sub(25))),
                            Span::styled(deadline, app.theme.muted),
                        ]))
                    }
                    FindingRow::Action(j) => {
                        let a = &view.actions[*j];
                        let owner = a.owner.clone().unwrap_or_else(|| "?".into());
                        let deadline = a
                            .deadline
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".into());
                        ListItem::new(Line::from(Span::styled(
                            clip(
                                &format!(
                                    "    ↳ {} {deadline} · {owner} · {}",
                                    action_status(a.status, lang),
                                    a.title
                                ),
                                width,
                            ),
                            app.theme.text,
                        )))
                    }
                })
                .collect();
            let detail = match rows.get(view.selected) {
                Some(FindingRow::Finding(i)) => vec![Line::raw(
                    e.findings[*i].recommendation.get(lang).to_string(),
                )],
                Some(FindingRow::Action(j)) => {
                    // The whole action item: its title may be longer than its row.
                    let a = &view.actions[*j];
                    let none = || "-".to_string();
                    vec![
                        Line::raw(vigie_model::visible(&a.title).into_owned()),
                        Line::from(Span::styled(
                            format!(
                                "{} {} · {} {} · {}",
                                lang.pick("Responsable :", "Owner:"),
                                a.owner
                                    .as_deref()
                                    .map_or_else(none, |o| vigie_model::visible(o).into_owned()),
                                lang.pick("échéance :", "deadline:"),
                                a.deadline.map_or_else(none, |d| d.to_string()),
                                action_status(a.status, lang)
                            ),
                            app.theme.muted,
                        )),
                        Line::from(Span::styled(
                            format!(
                                "{} {} · {} · {} {} · {}",
                                lang.pick("créée par", "created by"),
                                a.created_by,
                                a.created_at,
                                lang.pick("modifiée par", "changed by"),
                                a.updated_by,
                                a.updated_at
                            ),
                            app.theme.muted,
                        )),
                    ]
                }
                None => vec![Line::raw(lang.pick("Aucun constat.", "No finding."))],
            };
            (
                format!(
                    "{} (Tab: {}){}",
                    lang.pick("Constats et plan d'action", "Findings and action plan"),
                    lang.pick("critères", "criteria"),
                    open_questions(view.open_questions, lang)
                ),
                items,
                detail,
            )
        }
    };
    let mut state = ListState::default();
    if !items.is_empty() {
        state.select(Some(view.selected));
    }
    frame.render_stateful_widget(
        List::new(items)
            .block(block(app, title))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    frame.render_widget(
        Paragraph::new(detail)
            .block(block(app, lang.pick("Détail", "Detail")))
            .wrap(Wrap { trim: true }),
        detail_area,
    );
}

/// An action's status with a mark, in the interface language.
fn action_status(status: vigie_model::ActionStatus, lang: Lang) -> &'static str {
    use vigie_model::ActionStatus::*;
    match (status, lang == Lang::Fr) {
        (Open, true) => "○ à faire",
        (InProgress, true) => "◐ en cours",
        (Done, true) => "● fait",
        (Open, false) => "○ open",
        (InProgress, false) => "◐ in progress",
        (Done, false) => "● done",
    }
}

/// " · 12 questions open": progress, which is not a finding (it sits beside the lists).
fn open_questions(open: usize, lang: Lang) -> String {
    match (open, lang) {
        (0, _) => String::new(),
        (1, Lang::Fr) => " · 1 question ouverte".to_string(),
        (n, Lang::Fr) => format!(" · {n} questions ouvertes"),
        (1, _) => " · 1 question open".to_string(),
        (n, _) => format!(" · {n} questions open"),
    }
}
