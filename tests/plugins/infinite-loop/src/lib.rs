//! Describes a valid questionnaire; `evaluate` never returns. The fuel budget
//! must stop it.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct InfiniteLoop;

impl vigie_plugin_sdk::Plugin for InfiniteLoop {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut n = 0u64;
        loop {
            n = black_box(n.wrapping_add(1));
        }
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(InfiniteLoop);
