//! What the workbook says, in French and in English.

use vigie_model::YesNo;

pub use vigie_model::Lang;

/// The language a workbook's binding sheet names: exactly `fr` or `en` (the workbook wrote
/// it; anything else is a damaged binding, not a language to guess).
pub fn lang_from_binding(code: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.id() == code.trim())
}

/// The workbook's own words, in the language of the export.
pub trait WorkbookWords: Copy {
    /// `text` between the quotation marks of the language.
    fn quoted(self, text: &str) -> String;
    /// The label of a refusal to answer, offered in every drop-down.
    fn declined(self) -> &'static str;
    fn yes_no(self, v: YesNo) -> &'static str;
    /// The two marks of a choice row of a multiple-choice question.
    fn tick(self, ticked: bool) -> &'static str;
    fn instructions_sheet(self) -> &'static str;
    fn headers(self) -> [&'static str; 5];
}

impl WorkbookWords for Lang {
    fn quoted(self, text: &str) -> String {
        match self {
            Lang::Fr => format!("« {text} »"),
            Lang::En => format!("\"{text}\""),
        }
    }

    fn declined(self) -> &'static str {
        self.pick("refus de répondre", "declined to answer")
    }

    fn yes_no(self, v: YesNo) -> &'static str {
        v.label(self.id())
    }

    fn tick(self, ticked: bool) -> &'static str {
        self.yes_no(if ticked { YesNo::Yes } else { YesNo::No })
    }

    fn instructions_sheet(self) -> &'static str {
        self.pick("Consignes", "Instructions")
    }

    fn headers(self) -> [&'static str; 5] {
        match self {
            Lang::Fr => [
                "Réf.",
                "Question",
                "Aide et condition",
                "Votre réponse",
                "Commentaires et preuves",
            ],
            Lang::En => [
                "Ref.",
                "Question",
                "Help and condition",
                "Your answer",
                "Notes and evidence",
            ],
        }
    }
}
