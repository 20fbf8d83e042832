//! The evidence of a question (a list and the selected item whole) and the form that adds
//! or edits a piece of evidence or an action item, one field per line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use vigie_model::{Evidence, EvidenceKind};
use vigie_model::{Lang, visible};

use super::{block, clip, key_hints};
use crate::app::{App, EvidenceView, RecordForm, RecordTarget};
use crate::keymap::Action;

fn kind_label(kind: EvidenceKind, lang: Lang) -> &'static str {
    match kind {
        EvidenceKind::Note => lang.pick("note", "note"),
        EvidenceKind::Link => lang.pick("lien", "link"),
        EvidenceKind::File => lang.pick("fichier", "file"),
    }
}

/// The one line an item takes in the list.
fn evidence_line(e: &Evidence, lang: Lang, width: usize) -> String {
    let expiry = e
        .expiry_date
        .map(|d| format!(" · {} {d}", lang.pick("expire", "expires")))
        .unwrap_or_default();
    let first_line = visible(e.text.lines().next().unwrap_or("")).into_owned();
    clip(
        &format!("[{}] {first_line}{expiry}", kind_label(e.kind, lang)),
        width,
    )
}

/// Everything a piece of evidence says, wrapped by the caller.
fn evidence_whole(app: &App, e: &Evidence) -> Vec<Line<'static>> {
    let lang = app.lang;
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name} "), app.theme.muted),
            Span::raw(value),
        ])
    };
    let mut lines: Vec<Line<'static>> = visible(&e.text)
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    if let Some(f) = &e.file {
        lines.push(field(
            lang.pick("Fichier :", "File:"),
            format!(
                "{} ({} o, sha256 {})",
                visible(&f.path),
                f.size,
                clip(&f.sha256, 16)
            ),
        ));
    }
    let date = |d: Option<vigie_model::Date>| d.map_or("-".to_string(), |d| d.to_string());
    lines.push(field(
        lang.pick("En vigueur :", "Effective:"),
        format!(
            "{} · {} {}",
            date(e.effective_date),
            lang.pick("expire :", "expires:"),
            date(e.expiry_date)
        ),
    ));
    lines.push(field(
        lang.pick("Ajoutée par", "Added by"),
        format!("{} · {}", visible(&e.added_by), e.added_at),
    ));
    lines
}

pub fn evidence(frame: &mut Frame, area: Rect, app: &App, view: &EvidenceView) {
    let lang = app.lang;
    let [header, list_area, detail_area, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(8),
        Constraint::Length(1),
    ])
    .areas(area);
    let width = area.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                clip(
                    &format!(
                        "{} · {}",
                        visible(&view.assessment.supplier_name),
                        view.question
                    ),
                    width,
                ),
                app.theme.title,
            )),
            Line::from(Span::styled(
                clip(&visible(&view.prompt), width),
                app.theme.muted,
            )),
        ]),
        header,
    );
    let inner = list_area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = view
        .items
        .iter()
        .map(|e| ListItem::new(Line::raw(evidence_line(e, lang, inner))))
        .collect();
    let title = format!(
        "{} ({})",
        lang.pick("Preuves de la question", "Evidence of the question"),
        view.items.len()
    );
    let mut state = ListState::default();
    if !items.is_empty() {
        state.select(Some(view.selected));
    }
    let empty = items.is_empty();
    frame.render_stateful_widget(
        List::new(items)
            .block(block(app, title))
            .highlight_style(app.theme.selected)
            .highlight_symbol("▸ "),
        list_area,
        &mut state,
    );
    if empty {
        let [_, inside, _] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(list_area);
        frame.render_widget(
            Paragraph::new(format!(
                "  {}",
                lang.pick(
                    "Aucune preuve pour cette question.",
                    "No evidence for this question."
                )
            ))
            .style(app.theme.muted),
            inside,
        );
    }
    let detail = view
        .items
        .get(view.selected)
        .map(|e| evidence_whole(app, e))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(detail)
            .block(block(app, lang.pick("Preuve entière", "Whole item")))
            .wrap(Wrap { trim: false }),
        detail_area,
    );
    let final_ = view.assessment.status == vigie_model::AssessmentStatus::Final;
    let hints: &[Action] = if final_ {
        &[Action::Up, Action::Down, Action::Back]
    } else {
        &[
            Action::AddEvidence,
            Action::EditItem,
            Action::DeleteItem,
            Action::Back,
        ]
    };
    frame.render_widget(Paragraph::new(key_hints(app, hints)), keys);
}

pub fn record_form(frame: &mut Frame, area: Rect, app: &App, form: &RecordForm) {
    let lang = app.lang;
    let mut lines = Vec::new();
    let what = match &form.target {
        RecordTarget::NewEvidence { question, .. } => format!(
            "{} {question}",
            lang.pick("Nouvelle preuve pour", "New evidence for")
        ),
        RecordTarget::Evidence(e) => format!(
            "{} {}",
            lang.pick("Modifier la preuve de", "Edit the evidence of"),
            e.question.as_deref().unwrap_or("-")
        ),
        RecordTarget::NewAction { finding, .. } => format!(
            "{} {finding}",
            lang.pick("Nouvelle action pour", "New action for")
        ),
        RecordTarget::Action(a) => format!(
            "{} {}",
            lang.pick("Modifier l'action de", "Edit the action of"),
            a.finding_id
        ),
    };
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!("{marker}{}", lang.pick(f.label.0, f.label.1)),
            if focused {
                app.theme.accent
            } else {
                app.theme.muted
            },
        )));
        let (before, after) = f.edit.split();
        let style = if focused && f.edit.is_selected() {
            app.theme.text.add_modifier(Modifier::REVERSED)
        } else {
            app.theme.text
        };
        // A record written by another program may hold control characters: shown visible.
        let mut value = vec![
            Span::raw("  "),
            Span::styled(visible(before).into_owned(), style),
        ];
        if focused {
            value.push(Span::styled("▏", app.theme.accent));
        }
        value.push(Span::styled(visible(after).into_owned(), style));
        lines.push(Line::from(value));
        if let Some(e) = &f.error {
            lines.push(Line::from(Span::styled(
                format!("  ✘ {e}"),
                app.theme.error,
            )));
        }
    }
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✘ {e}"), app.theme.error)));
    }
    let key = |a: Action| {
        app.keymap
            .keys(a)
            .first()
            .map(|k| k.label())
            .unwrap_or_default()
    };
    lines.push(Line::from(Span::styled(
        match lang {
            Lang::Fr => format!(
                "{}/{} champ suivant/précédent · {} au dernier champ ou {} enregistrer · {} annuler",
                key(Action::NextField),
                key(Action::PrevField),
                key(Action::Select),
                key(Action::Save),
                key(Action::Back)
            ),
            _ => format!(
                "{}/{} next/previous field · {} on the last field or {} saves · {} cancels",
                key(Action::NextField),
                key(Action::PrevField),
                key(Action::Select),
                key(Action::Save),
                key(Action::Back)
            ),
        },
        app.theme.muted,
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, what))
            .wrap(Wrap { trim: false }),
        area,
    );
}
