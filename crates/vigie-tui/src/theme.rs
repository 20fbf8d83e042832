//! Styles by role, never by colour: views ask for `theme.bad`, not red. With
//! `NO_COLOR` every role keeps only its modifiers (bold, reversed...), and
//! statuses always carry a glyph and a word, so nothing relies on colour.
//!
//! `theme.toml` in the config directory may set colours by role:
//!
//! ```toml
//! [colors]
//! accent = "cyan"
//! bad = "#d70000"
//! ```

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use vigie_model::{Severity, Status};

#[derive(Clone, Debug)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub accent: Style,
    pub selected: Style,
    pub border: Style,
    pub ok: Style,
    pub warn: Style,
    pub bad: Style,
    pub key: Style,
    pub error: Style,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

fn parse_color(text: &str) -> Option<Color> {
    text.parse::<Color>().ok()
}

impl Theme {
    /// The default theme, in colour or not.
    pub fn new(color: bool) -> Theme {
        let c = |style: Style, color_: Color| if color { style.fg(color_) } else { style };
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Theme {
            text: Style::default(),
            muted: c(Style::default(), Color::DarkGray),
            title: c(bold, Color::Cyan),
            accent: c(bold, Color::Yellow),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            border: c(Style::default(), Color::Gray),
            ok: c(Style::default(), Color::Green),
            warn: c(bold, Color::Yellow),
            bad: c(bold, Color::Red),
            key: c(bold, Color::Cyan),
            error: c(bold.add_modifier(Modifier::UNDERLINED), Color::Red),
        }
    }

    /// Applies a `theme.toml`; with `color == false` colours are ignored.
    /// A broken file gives the defaults and a message.
    pub fn from_toml(text: &str, path: &str, color: bool) -> (Theme, Option<String>) {
        let mut theme = Theme::new(color);
        let file: ThemeFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let first = e.to_string().lines().next().unwrap_or("").to_string();
                return (
                    theme,
                    Some(format!("{path}: {first}; default theme in use")),
                );
            }
        };
        if !color {
            return (theme, None);
        }
        for (role, value) in &file.colors {
            let Some(col) = parse_color(value) else {
                return (
                    Theme::new(color),
                    Some(format!(
                        "{path}: `{role}`: `{value}` is not a colour; default theme in use"
                    )),
                );
            };
            let slot = match role.as_str() {
                "text" => &mut theme.text,
                "muted" => &mut theme.muted,
                "title" => &mut theme.title,
                "accent" => &mut theme.accent,
                "border" => &mut theme.border,
                "ok" => &mut theme.ok,
                "warn" => &mut theme.warn,
                "bad" => &mut theme.bad,
                "key" => &mut theme.key,
                "error" => &mut theme.error,
                other => {
                    return (
                        Theme::new(color),
                        Some(format!(
                            "{path}: unknown role `{other}`; default theme in use"
                        )),
                    );
                }
            };
            *slot = slot.fg(col);
        }
        (theme, None)
    }

    pub fn status(&self, status: Status) -> Style {
        match status {
            Status::Compliant => self.ok,
            Status::ToVerify => self.warn,
            Status::NonCompliant => self.bad,
            Status::NotApplicable | Status::NotAssessed => self.muted,
        }
    }

    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Critical | Severity::High => self.bad,
            Severity::Medium => self.warn,
            Severity::Low | Severity::Info => self.muted,
        }
    }
}

/// Single-width status marks for the terminal (emoji widths vary between
/// terminals; reports use the ✅ ⚠️ ❌ of the checklist).
pub fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Compliant => "✔",
        Status::ToVerify => "!",
        Status::NonCompliant => "✘",
        Status::NotApplicable => "—",
        Status::NotAssessed => "·",
    }
}

pub fn severity_mark(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "‼",
        Severity::High => "▲",
        Severity::Medium => "●",
        Severity::Low => "▽",
        Severity::Info => "ℹ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_modifiers_only() {
        let t = Theme::new(false);
        assert_eq!(t.bad.fg, None);
        assert!(t.bad.add_modifier.contains(Modifier::BOLD));
        let (t, err) = Theme::from_toml("[colors]\nbad = \"magenta\"\n", "theme.toml", true);
        assert!(err.is_none());
        assert_eq!(t.bad.fg, Some(Color::Magenta));
        let (_, err) = Theme::from_toml("[colors]\nbad = \"nope-colour\"\n", "theme.toml", true);
        assert!(err.unwrap().contains("`bad`"));
    }
}
