//! The supplier self-assessment workbook: a spreadsheet written for a supplier to fill in
//! Excel or LibreOffice ([`export`]), and read back from `.xlsx` or `.ods` bytes with every
//! cell checked ([`open`], then [`FilledWorkbook::declarations`]).
//!
//! A workbook carries a very hidden sheet (`_vigie`) that binds it to one assessment and one
//! plugin (id, version, sha256) and names the question of every row; each question row also
//! carries its key in a hidden column, so that rows moved or deleted are found by their ids,
//! never mapped by position.
//!
//! Everything read is hostile: the zip container is checked before calamine expands it
//! (entry count, total size, compression ratio, sizes that lie), macro-enabled and
//! password-protected files are refused, cells and rows are capped, formulas are never
//! evaluated (a formula cell is refused, naming its cell), and every problem of a file is
//! listed with its sheet and cell before anything is used: all or nothing.
//!
//! This crate depends on `vigie-model` only for domain types. It must not depend on the
//! store, the plugin host or the UI: the app reads the assessment and the questionnaire,
//! passes them in, and decides what to write.

mod container;
mod export;
mod hint;
mod import;
mod layout;
mod texts;

pub use container::{Container, MAX_ENTRIES, MAX_RATIO, MAX_UNCOMPRESSED_BYTES};
pub use export::{ExportRequest, export};
pub use hint::applicability_hint;
pub use import::{
    Declared, Expected, FilledWorkbook, MAX_CELL_CHARS, MAX_ROWS_PER_SHEET, MAX_SHEETS, Problem,
    open,
};
pub use texts::{Lang, WorkbookWords, lang_from_binding};

/// The name of the very hidden sheet that binds a workbook to its assessment.
pub const BINDING_SHEET: &str = "_vigie";

/// The format name written in the binding sheet.
pub const FORMAT: &str = "vigie-self-assessment";

/// The version of the layout; a workbook of another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// What binds a workbook to one assessment, as written in its hidden sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub assessment_id: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub plugin_sha256: String,
    /// RFC 3339 UTC.
    pub exported_at: String,
    pub lang: Lang,
    /// Who the workbook was sent to (`Name <email>`), if the auditor said.
    pub respondent: Option<String>,
}

/// Why a workbook could not be written or read. Every variant names what is wrong and,
/// where it can, where.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("the workbook could not be written: {0}")]
    Write(String),
    #[error(
        "this is not a spreadsheet Vigie reads: {0}; save it as an Excel workbook (.xlsx) or an \
         OpenDocument spreadsheet (.ods)"
    )]
    NotASpreadsheet(String),
    #[error(
        "the file is password-protected (encrypted): Vigie cannot read it; remove the password \
         (in Excel: File > Info > Protect Workbook > Encrypt with Password, empty) and save again"
    )]
    Encrypted,
    #[error(
        "the file is a legacy Excel 97-2003 workbook (.xls): save it as an Excel workbook (.xlsx)"
    )]
    LegacyXls,
    #[error(
        "the file contains macros ({0}): a macro-enabled workbook is refused; save it as an \
         Excel workbook (.xlsx) without macros"
    )]
    Macros(String),
    #[error("the file is refused as a possible zip bomb: {0}")]
    ZipBomb(String),
    #[error("the file is {size} bytes; a self-assessment workbook is at most {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("the spreadsheet could not be read: {0}")]
    Read(String),
    #[error(
        "{sheet}!{cell}: the cell holds {chars} characters; at most {max} are read (Excel's own \
         limit per cell)"
    )]
    CellTooLarge {
        sheet: String,
        cell: String,
        chars: usize,
        max: usize,
    },
    #[error("sheet {sheet}: {rows} rows; a self-assessment sheet has at most {max}")]
    TooManyRows {
        sheet: String,
        rows: usize,
        max: usize,
    },
    #[error("the workbook has {sheets} sheets; a self-assessment workbook has at most {max}")]
    TooManySheets { sheets: usize, max: usize },
    #[error(
        "this is not a Vigie self-assessment workbook: {0}; export one with \
         `vigie self-assessment export`"
    )]
    NotVigie(String),
    #[error(
        "the workbook is for assessment {found}, not {expected}: import it into its own \
         assessment"
    )]
    WrongAssessment { found: String, expected: String },
    #[error(
        "the workbook was exported with {found}, but the assessment uses {expected}: export a \
         new workbook and send it again"
    )]
    WrongPlugin { found: String, expected: String },
    #[error("the workbook has {} problem{}; nothing was imported:\n{}",
        .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
}
