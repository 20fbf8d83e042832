//! Vigie's assessment reports: what a client reads at the end of an assessment, in Markdown,
//! HTML, JSON or CSV, in French or English.
//!
//! The input is a plain [`ReportInput`] (supplier, assessment, questionnaire and evaluation as
//! `vigie-model` types, answers, evidence, action items, and optionally a [`Comparison`] with
//! the previous assessment). Whoever holds the data maps it into that struct: this crate must
//! not depend on the store, the plugin host or the TUI, so that a report is a pure function of
//! its input — the same input gives the same bytes.
//!
//! Every format carries the same content, built once as a [`ReportDoc`] (the JSON format is
//! that document):
//! supplier, scope, questionnaire and plugin sha256, assessment date, auditors; the checklist
//! (one line per criterion, ✅ / ⚠️ / ❌ / —); the verdict; findings by severity with their
//! recommendations; the action plan with owners and deadlines; evidence with hashes and expiry
//! dates (evidence expired on the assessment date is flagged); every answer with its note;
//! and the comparison with the previous assessment when there is one.
//!
//! Text from users and plugins is never trusted: HTML escapes all of it through one function
//! ([`html::escape`]), Markdown escapes its punctuation ([`markdown::escape`]), and CSV
//! neutralises spreadsheet formulas ([`csv::cell`]).

#![forbid(unsafe_code)]

pub mod compare;
pub mod csv;
mod doc;
pub mod html;
mod input;
mod labels;
pub mod markdown;
pub mod portfolio;

use std::fmt;
use std::str::FromStr;

pub use compare::{
    AnswerChange, ChangeKind, ComparedAssessment, Comparison, Side, StatusChange, compare,
};
pub use doc::*;
pub use input::*;
pub use portfolio::{
    ActivityMonth, AttentionLine, AttentionWhat, PortfolioFormat, PortfolioLine,
    PortfolioReportInput, render_portfolio,
};

/// A report's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Csv,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Html, Format::Json, Format::Csv];

    /// The name used on the command line, also the usual file extension.
    pub fn id(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        self.id()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Format {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(ReportError::UnknownFormat(other.to_string())),
        }
    }
}

/// The language of a report's own words (the texts of the questionnaire come in that
/// language when the plugin has it, else in the plugin's first language).
pub use vigie_model::Lang;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("unknown report format `{0}`: use md, html, json or csv")]
    UnknownFormat(String),
    #[error("cannot write the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders the report of `input` in `format` and `lang`.
pub fn render(input: &ReportInput, format: Format, lang: Lang) -> Result<String, ReportError> {
    let doc = ReportDoc::build(input, lang);
    Ok(match format {
        Format::Markdown => markdown::render(&doc),
        Format::Html => html::render(&doc),
        Format::Json => {
            // serde_json escapes C0 controls but not DEL and C1 ones (U+009B is CSI).
            let mut text = vigie_model::escape_json_controls(&serde_json::to_string_pretty(&doc)?)
                .into_owned();
            text.push('\n');
            text
        }
        Format::Csv => csv::render(&doc),
    })
}
