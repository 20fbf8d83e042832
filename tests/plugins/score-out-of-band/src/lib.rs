//! Status and score disagree: the rules give every non-compliant criterion
//! a score of 100 after the SDK has put it in its band, which inflates the
//! overall score. The host refuses the evaluation; `vigie plugin check`
//! must say so.

use vigie_plugin_sdk::wit::{self, Status};
use vigie_plugin_sdk::{Content, Plugin, Sheet};

vigie_plugin_sdk::include_content!();

pub struct ScoreOutOfBand;

impl Plugin for ScoreOutOfBand {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let results = sheet.assess_all();
        let verdict = sheet.default_verdict(&results);
        let mut evaluation = sheet.finish(results, verdict)?;
        for c in &mut evaluation.criteria {
            if c.status == Status::NonCompliant {
                c.score = Some(100.0);
            }
        }
        Ok(evaluation)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(ScoreOutOfBand);
