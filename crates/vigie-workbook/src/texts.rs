//! What the workbook says, in French and in English.

use vigie_model::YesNo;

/// The language of a workbook: its instructions, headers, hints and drop-down labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The code stored in the binding sheet and used for localized texts (`fr`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    pub(crate) fn pick(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// `text` between the quotation marks of the language.
    pub(crate) fn quoted(self, text: &str) -> String {
        match self {
            Lang::Fr => format!("« {text} »"),
            Lang::En => format!("\"{text}\""),
        }
    }

    /// The label of a refusal to answer, offered in every drop-down.
    pub fn declined(self) -> &'static str {
        self.pick("refus de répondre", "declined to answer")
    }

    pub(crate) fn yes_no(self, v: YesNo) -> &'static str {
        v.label(self.code())
    }

    /// The two marks of a choice row of a multiple-choice question.
    pub(crate) fn tick(self, ticked: bool) -> &'static str {
        self.yes_no(if ticked { YesNo::Yes } else { YesNo::No })
    }

    pub(crate) fn instructions_sheet(self) -> &'static str {
        self.pick("Consignes", "Instructions")
    }

    pub(crate) fn headers(self) -> [&'static str; 5] {
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
