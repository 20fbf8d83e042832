//! Home: suppliers with their assessments, status and score.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};
use vigie_model::AssessmentStatus;

use super::{block, clip};
use crate::app::{App, HomeRow};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang;
    let [header, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let title = format!(
        "Vigie · {} · {} {} · {}",
        app.bench.path().display(),
        lang.pick("auditeur", "auditor"),
        app.bench.auditor(),
        crate::messages::assessments(lang, app.home.total_assessments)
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(&title, area.width as usize),
            app.theme.title,
        )),
        header,
    );
    let width = list.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = if app.home.rows.is_empty() {
        vec![ListItem::new(Line::from(Span::styled(
            lang.pick(
                "Aucun fournisseur. Appuyez sur s pour en créer un.",
                "No supplier yet. Press s to add one.",
            ),
            app.theme.muted,
        )))]
    } else {
        app.home
            .rows
            .iter()
            .map(|row| ListItem::new(row_line(app, row, width)))
            .collect()
    };
    let mut state = ListState::default();
    if !app.home.rows.is_empty() {
        state.select(Some(app.home.selected));
    }
    let list_widget = List::new(items)
        .block(block(
            app,
            lang.pick("Fournisseurs et évaluations", "Suppliers and assessments"),
        ))
        .highlight_style(app.theme.selected)
        .highlight_symbol("▸ ");
    frame.render_stateful_widget(list_widget, list, &mut state);
}

fn row_line(app: &App, row: &HomeRow, width: usize) -> Line<'static> {
    let lang = app.lang;
    match row {
        HomeRow::Supplier(s) => {
            let mut details = Vec::new();
            if let Some(c) = &s.country {
                details.push(c.clone());
            }
            if let Some(sector) = &s.sector {
                details.push(sector.clone());
            }
            details.push(format!(
                "{} {}",
                lang.pick("criticité", "criticality"),
                super::criticality_label(s.criticality, lang)
            ));
            Line::from(vec![
                Span::styled(s.name.clone(), app.theme.accent),
                Span::styled(format!("  ({})", details.join(", ")), app.theme.muted),
            ])
        }
        HomeRow::Assessment(a) => {
            let name = app
                .bench
                .catalog()
                .find(&a.plugin_id)
                .map(|e| e.plugin.questionnaire().info.name.get(lang).to_string())
                .unwrap_or_else(|_| a.plugin_id.clone());
            let status = match a.status {
                AssessmentStatus::Draft => lang.pick("brouillon", "draft"),
                AssessmentStatus::Final => lang.pick("final", "final"),
            };
            let score = a
                .score
                .map(|s| format!("{s:>5.1}"))
                .unwrap_or_else(|| "    -".into());
            // The verdict's label (not its id), short enough to leave the name room.
            let verdict = clip(a.verdict_text(lang).unwrap_or_default(), 22);
            let right = format!("{}  {status:<9} {score}  {verdict}", a.assessment_date);
            let name_width = width
                .saturating_sub(vigie_model::display_width(&right) + 4)
                .max(10);
            Line::from(vec![
                Span::raw("  "),
                Span::raw(vigie_model::pad_to_width(
                    &clip(&name, name_width),
                    name_width,
                )),
                Span::raw("  "),
                Span::styled(right, app.theme.text),
            ])
        }
    }
}
