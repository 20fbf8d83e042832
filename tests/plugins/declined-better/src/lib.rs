//! A refusal does better than "I don't know": a declined `mfa` is read as
//! "nothing to check" and the criterion as compliant. `vigie plugin check`
//! must catch it.

use vigie_plugin_sdk::wit::{self, Status};
use vigie_plugin_sdk::{Content, Plugin, Sheet, localized};

vigie_plugin_sdk::include_content!();

pub struct DeclinedBetter;

impl Plugin for DeclinedBetter {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut results = sheet.assess_all();
        let access = CONTENT
            .criterion_index("access")
            .ok_or("no criterion `access`")?;
        if sheet.is_declined("mfa") {
            results[access].set(
                Status::Compliant,
                localized(sheet.languages(), |_| "Nothing to check.".into()),
            );
        }
        let verdict = sheet.default_verdict(&results);
        sheet.finish(results, verdict)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(DeclinedBetter);
