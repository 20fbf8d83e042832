//! No news is good news: while the critical question `mfa` is unanswered,
//! the criterion counts as compliant, which answering "no" never is.
//! `vigie plugin check` must catch it.

use vigie_plugin_sdk::wit::{self, Status};
use vigie_plugin_sdk::{Content, Plugin, Sheet, localized};

vigie_plugin_sdk::include_content!();

pub struct UnansweredBetter;

impl Plugin for UnansweredBetter {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut results = sheet.assess_all();
        let access = CONTENT
            .criterion_index("access")
            .ok_or("no criterion `access`")?;
        if sheet.answer("mfa").is_none() && sheet.answer("mfa-scope").is_some() {
            results[access].set(
                Status::Compliant,
                localized(sheet.languages(), |_| "No problem reported.".into()),
            );
        }
        let verdict = sheet.default_verdict(&results);
        sheet.finish(results, verdict)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(UnansweredBetter);
