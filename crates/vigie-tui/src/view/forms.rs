//! The supplier form and the new-assessment form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use vigie_model::Lang;

use super::block;
use crate::app::{App, NewAssessmentForm, SupplierForm};

fn label(lang: Lang, key: &str) -> &'static str {
    match (key, lang == Lang::Fr) {
        ("name", true) => "Nom",
        ("name", false) => "Name",
        ("country", true) => "Pays",
        ("country", false) => "Country",
        ("sector", true) => "Secteur",
        ("sector", false) => "Sector",
        ("services", true) => "Services (séparés par des virgules)",
        ("services", false) => "Services (comma-separated)",
        ("contacts", true) => "Contacts (Nom <courriel>, …)",
        ("contacts", false) => "Contacts (Name <email>, …)",
        _ => "",
    }
}

fn field_line(app: &App, name: &str, value: &str, focused: bool) -> Vec<Line<'static>> {
    let marker = if focused { "▸ " } else { "  " };
    let style = if focused {
        app.theme.selected
    } else {
        app.theme.text
    };
    vec![
        Line::from(Span::styled(format!("{marker}{name}"), app.theme.muted)),
        Line::from(Span::styled(
            format!("  {value}{}", if focused { "▏" } else { "" }),
            style,
        )),
    ]
}

pub fn supplier(frame: &mut Frame, area: Rect, app: &App, form: &SupplierForm) {
    let lang = app.lang;
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        lines.extend(field_line(
            app,
            label(lang, f.label),
            &f.value,
            form.focus == i,
        ));
    }
    let crit_focus = form.focus == form.fields.len();
    lines.extend(field_line(
        app,
        lang.pick(
            "Criticité (Espace pour changer)",
            "Criticality (Space to change)",
        ),
        &format!("◂ {} ▸", super::criticality_label(form.criticality, lang)),
        crit_focus,
    ));
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✘ {e}"), app.theme.error)));
    }
    lines.push(Line::from(Span::styled(
        lang.pick(
            "Tab champ suivant · Entrée enregistrer · Échap annuler",
            "Tab next field · Enter save · Esc cancel",
        ),
        app.theme.muted,
    )));
    let title = if form.editing.is_some() {
        lang.pick("Modifier le fournisseur", "Edit supplier")
    } else {
        lang.pick("Nouveau fournisseur", "New supplier")
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, title))
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn new_assessment(frame: &mut Frame, area: Rect, app: &App, form: &NewAssessmentForm) {
    let lang = app.lang;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(lang.pick("Fournisseur : ", "Supplier: "), app.theme.muted),
            Span::styled(form.supplier.name.clone(), app.theme.accent),
        ]),
        Line::raw(""),
        Line::from(Span::styled(
            format!(
                "{}{}",
                if form.focus == 0 { "▸ " } else { "  " },
                lang.pick("Questionnaire (↑/↓)", "Questionnaire (↑/↓)")
            ),
            app.theme.muted,
        )),
    ];
    for (i, p) in form.plugins.iter().enumerate() {
        let q = p.questionnaire();
        let selected = i == form.selected;
        let style = if selected && form.focus == 0 {
            app.theme.selected
        } else {
            app.theme.text
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  {} {} {} · {} questions",
                if selected { "◉" } else { "○" },
                q.info.name.get(lang),
                q.info.version,
                q.questions.len()
            ),
            style,
        )));
    }
    lines.push(Line::raw(""));
    lines.extend(field_line(
        app,
        lang.pick("Langue (Espace)", "Language (Space)"),
        &format!("◂ {} ▸", form.language),
        form.focus == 1,
    ));
    let plugin = &form.plugins[form.selected];
    let levels = &plugin.questionnaire().info.levels;
    let level_text = match levels.get(form.level) {
        Some(l) => format!("◂ {} ▸  {}", l.name.get(lang), l.description.get(lang)),
        None => lang.pick("(un seul niveau)", "(single level)").to_string(),
    };
    lines.extend(field_line(
        app,
        lang.pick("Niveau cible (Espace)", "Target level (Space)"),
        &level_text,
        form.focus == 2,
    ));
    lines.extend(field_line(
        app,
        lang.pick(
            "Date de l'évaluation (AAAA-MM-JJ)",
            "Assessment date (YYYY-MM-DD)",
        ),
        &form.date,
        form.focus == 3,
    ));
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✘ {e}"), app.theme.error)));
    }
    lines.push(Line::from(Span::styled(
        lang.pick(
            "Tab champ suivant · Entrée commencer · Échap annuler",
            "Tab next field · Enter start · Esc cancel",
        ),
        app.theme.muted,
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(
                app,
                lang.pick("Nouvelle évaluation", "New assessment"),
            ))
            .wrap(Wrap { trim: false }),
        area,
    );
}
