//! Describes a valid questionnaire; `evaluate` panics, which with
//! `panic = "abort"` is the wasm `unreachable` trap.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct Trap;

impl vigie_plugin_sdk::Plugin for Trap {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        if black_box(true) {
            panic!("the trap plugin panics on purpose");
        }
        let results = sheet.assess_all();
        sheet.finish(results, "not-assessed")
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Trap);
