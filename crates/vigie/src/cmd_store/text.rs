//! Small text helpers for tables: one-line, truncated, padded, localised.
//!
//! Every text that comes from a plugin, a file or the database is shown through
//! [`vigie_model::visible`], which makes control characters visible so that none reaches
//! the terminal; [`clip`] and [`cell`] apply it themselves.

use vigie_model::{AssessmentStatus, Criticality, Lang};
use vigie_model::{Timestamp, visible};

/// The line width tables aim at: `$COLUMNS` when it is exported, else 100.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(100)
}

/// `text` on one line (whitespace runs become one space, control characters made
/// visible), cut to `max` terminal columns with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    vigie_model::clip_to_width(&visible(&flat), max)
}

/// `text` clipped then padded with spaces to exactly `width` terminal columns.
pub fn cell(text: &str, width: usize) -> String {
    vigie_model::pad_to_width(&clip(text, width), width)
}

/// A timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), for tables.
pub fn when(t: &Timestamp) -> String {
    let t = t.datetime().to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn assessment_status(status: AssessmentStatus, lang: Lang) -> &'static str {
    match status {
        AssessmentStatus::Draft => lang.pick("brouillon", "draft"),
        AssessmentStatus::Final => lang.pick("finalisée", "final"),
    }
}

pub fn criticality(c: Criticality, lang: Lang) -> &'static str {
    c.label(lang == Lang::Fr)
}

/// A score as tables show it.
pub fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_pads_by_characters() {
        assert_eq!(clip("Sécurité  des\nsystèmes", 40), "Sécurité des systèmes");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(cell("é", 3), "é  ");
    }

    #[test]
    fn when_shows_the_instant_in_utc() {
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            when(&at("2025-01-02T10:11:12.123456Z")),
            "2025-01-02 10:11:12"
        );
        assert_eq!(
            when(&at("2025-01-02T11:11:12+01:00")),
            "2025-01-02 10:11:12"
        );
    }

    #[test]
    fn table_helpers_show_control_characters() {
        assert_eq!(clip("a\u{1b}]0;x\u{7}\nb", 40), "a\\u{1b}]0;x\\u{7} b");
        assert_eq!(cell("\u{9b}2J", 9), "\\u{9b}2J ");
        // A timestamp holding control characters never gets this far: it is refused where
        // it is read (a typed error naming the table and column).
        assert!("2025-01-02T10:11:12\u{1b}Z".parse::<Timestamp>().is_err());
        assert!("\u{1b}[2J".parse::<Timestamp>().is_err());
    }
}
