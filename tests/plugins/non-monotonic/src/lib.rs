//! Not monotonic: an alert delay of three days or more counts as met (as if
//! a slow alert belonged to another regime), so a longer delay can score
//! better than a shorter one. `vigie plugin check` must catch it.

use vigie_plugin_sdk::wit::{self, Status};
use vigie_plugin_sdk::{Content, Plugin, Sheet, localized};

vigie_plugin_sdk::include_content!();

pub struct NonMonotonic;

impl Plugin for NonMonotonic {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut results = sheet.assess_all();
        let incidents = CONTENT
            .criterion_index("incidents")
            .ok_or("no criterion `incidents`")?;
        if sheet.number("alert-hours").is_some_and(|h| h >= 72.0) {
            results[incidents].set(
                Status::Compliant,
                localized(sheet.languages(), |_| "Slow alerts follow another regime.".into()),
            );
        }
        let verdict = sheet.default_verdict(&results);
        sheet.finish(results, verdict)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(NonMonotonic);
