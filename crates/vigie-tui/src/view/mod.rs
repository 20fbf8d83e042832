//! Drawing. Views read the state and never change it.

mod findings;
mod forms;
mod home;
mod interview;
mod lists;
mod overlays;
pub mod portfolio;
mod records;
mod workbook_export;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use vigie_model::Lang;

use crate::app::{App, Screen};
use crate::keymap::Action;

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "{} {}x{} — {} {MIN_WIDTH}x{MIN_HEIGHT}.\n{}",
            app.lang
                .pick("Terminal trop petit :", "Terminal too small:"),
            area.width,
            area.height,
            app.lang.pick("il faut au moins", "Vigie needs at least"),
            app.lang.pick(
                "Agrandissez la fenêtre ; q pour quitter.",
                "Enlarge the window; q to quit."
            ),
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let status_rows = status_rows(app, area.width);
    let [body, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(status_rows)]).areas(area);
    match app.screen() {
        Screen::Home => match (&app.home.mode, &app.home.portfolio) {
            (crate::app::HomeMode::Portfolio, Some(portfolio)) => portfolio::draw_portfolio(
                frame,
                body,
                &portfolio::PortfolioView {
                    portfolio,
                    rows: &app.home.portfolio_rows,
                    selected: app.home.portfolio_selected,
                    sort: app.home.sort,
                    filter: &app.home.filter,
                    lang: app.lang,
                    theme: &app.theme,
                },
            ),
            (crate::app::HomeMode::Portfolio, None) => frame.render_widget(
                Paragraph::new(app.lang.pick(
                    "Portefeuille : calcul en cours… (Tab : fournisseurs et évaluations)",
                    "Portfolio: computing… (Tab: suppliers and assessments)",
                ))
                .style(app.theme.muted),
                body,
            ),
            _ => home::draw(frame, body, app),
        },
        Screen::SupplierForm(form) => forms::supplier(frame, body, app, form),
        Screen::NewAssessment(form) => forms::new_assessment(frame, body, app, form),
        Screen::Interview(iv) => interview::draw(frame, body, app, iv),
        Screen::Findings(view) => findings::draw(frame, body, app, view),
        Screen::Plugins { selected } => lists::plugins(frame, body, app, *selected),
        Screen::Audit(view) => lists::audit(frame, body, app, view),
        Screen::Compare(view) => lists::compare(frame, body, app, view),
        Screen::WorkbookExport(form) => workbook_export::draw(frame, body, app, form),
        Screen::Evidence(view) => records::evidence(frame, body, app, view),
        Screen::RecordForm(form) => records::record_form(frame, body, app, form),
    }
    status_line(frame, status, app);
    overlays::draw(frame, area, app);
}

/// Shown while the database opens and the questionnaires load.
pub fn splash(frame: &mut Frame, lang: Lang) {
    let text = lang.pick("Vigie — chargement des questionnaires… (la première ouverture les compile : environ une seconde)",
        "Vigie — loading the questionnaires… (the first start compiles them: about a second)",
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), frame.area());
}

/// Most rows a message may take at the bottom: a long error wraps rather than being
/// cut at the terminal's width, without hiding the screen.
const STATUS_ROWS_AT_MOST: u16 = 3;

/// The rows the bottom line needs: one, or as many as the message wraps to.
fn status_rows(app: &App, width: u16) -> u16 {
    let Some((text, _)) = &app.status else {
        return 1;
    };
    // The mark and its space come before the message.
    let chars = text.chars().count() + 2;
    let rows = chars.div_ceil(usize::from(width.max(1)));
    u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .clamp(1, STATUS_ROWS_AT_MOST)
}

/// The bottom line: the last message, else the main keys of the screen.
fn status_line(frame: &mut Frame, area: Rect, app: &App) {
    let line = match &app.status {
        Some((text, true)) => Line::from(Span::styled(format!("✘ {text}"), app.theme.error)),
        Some((text, false)) => Line::from(Span::styled(format!("✔ {text}"), app.theme.ok)),
        None => {
            let actions: &[Action] = match app.screen() {
                Screen::Home if app.home.mode == crate::app::HomeMode::Portfolio => &[
                    Action::Select,
                    Action::NewSupplier,
                    Action::NewAssessment,
                    Action::SwitchHome,
                    Action::Help,
                    Action::Quit,
                ],
                Screen::Home => &[
                    Action::Select,
                    Action::NewSupplier,
                    Action::NewAssessment,
                    Action::Report,
                    Action::Help,
                    Action::Quit,
                ],
                Screen::Interview(_) => &[
                    Action::NextUnanswered,
                    Action::Search,
                    Action::Note,
                    Action::Undo,
                    Action::Findings,
                    Action::Help,
                    Action::Quit,
                ],
                Screen::Findings(_) => &[
                    Action::SwitchPane,
                    Action::AddAction,
                    Action::EditItem,
                    Action::DeleteItem,
                    Action::CycleStatus,
                    Action::Help,
                    Action::Quit,
                ],
                // Forms take letters as text: their keys are written in the form.
                Screen::SupplierForm(_)
                | Screen::NewAssessment(_)
                | Screen::WorkbookExport(_)
                | Screen::RecordForm(_) => &[],
                // The evidence screen writes its keys under its list.
                Screen::Evidence(_) => &[Action::Help],
                _ => &[Action::Up, Action::Down, Action::Help, Action::Back],
            };
            key_hints(app, actions)
        }
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

/// "key label" pairs for a hint line.
pub fn key_hints(app: &App, actions: &[Action]) -> Line<'static> {
    let mut spans = Vec::new();
    for a in actions {
        let keys = app.keymap.keys(*a);
        let Some(first) = keys.first() else { continue };
        spans.push(Span::styled(first.label(), app.theme.key));
        spans.push(Span::raw(format!(" {}  ", hint(*a, app.lang))));
    }
    Line::from(spans)
}

/// One or two words for the bottom hint line.
fn hint(action: Action, lang: Lang) -> &'static str {
    let fr = lang == Lang::Fr;
    match action {
        Action::Select => {
            if fr {
                "ouvrir"
            } else {
                "open"
            }
        }
        Action::NewSupplier => {
            if fr {
                "fournisseur"
            } else {
                "supplier"
            }
        }
        Action::NewAssessment => {
            if fr {
                "évaluation"
            } else {
                "assessment"
            }
        }
        Action::Plugins => "questionnaires",
        Action::SwitchHome => {
            if fr {
                "évaluations / portefeuille"
            } else {
                "assessments / portfolio"
            }
        }
        Action::Help => {
            if fr {
                "aide"
            } else {
                "help"
            }
        }
        Action::Quit => {
            if fr {
                "quitter"
            } else {
                "quit"
            }
        }
        Action::Back => {
            if fr {
                "retour"
            } else {
                "back"
            }
        }
        Action::NextUnanswered => {
            if fr {
                "sans réponse"
            } else {
                "unanswered"
            }
        }
        Action::Search => {
            if fr {
                "chercher"
            } else {
                "search"
            }
        }
        Action::Note => "note",
        Action::Undo => {
            if fr {
                "annuler"
            } else {
                "undo"
            }
        }
        Action::Findings => {
            if fr {
                "constats"
            } else {
                "findings"
            }
        }
        Action::SwitchPane => {
            if fr {
                "volet"
            } else {
                "pane"
            }
        }
        Action::AddAction => "action",
        Action::AddEvidence => {
            if fr {
                "ajouter"
            } else {
                "add"
            }
        }
        Action::EditItem => {
            if fr {
                "modifier"
            } else {
                "edit"
            }
        }
        Action::DeleteItem => {
            if fr {
                "supprimer"
            } else {
                "delete"
            }
        }
        Action::Report => {
            if fr {
                "rapport"
            } else {
                "report"
            }
        }
        Action::CycleStatus => {
            if fr {
                "statut"
            } else {
                "status"
            }
        }
        Action::Up => {
            if fr {
                "haut"
            } else {
                "up"
            }
        }
        Action::Down => {
            if fr {
                "bas"
            } else {
                "down"
            }
        }
        other => other.describe(lang),
    }
}

/// A supplier's criticality in the interface language.
pub fn criticality_label(c: vigie_model::Criticality, lang: Lang) -> &'static str {
    c.label(lang == Lang::Fr)
}

/// A bordered block with a title in the theme's title style.
pub fn block<'a>(app: &App, title: impl Into<String>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(format!(" {} ", title.into()), app.theme.title))
}

/// Truncates to `width` terminal columns with an ellipsis.
pub fn clip(text: &str, width: usize) -> String {
    vigie_model::clip_to_width(text, width)
}

pub fn style_if(cond: bool, style: Style) -> Style {
    if cond { style } else { Style::default() }
}
