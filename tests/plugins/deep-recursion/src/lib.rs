//! Describes a valid questionnaire; `evaluate` recurses without bound. The
//! stack cap must stop it. `black_box` keeps the optimiser from turning the
//! recursion into a loop or proving it never returns.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

#[inline(never)]
fn descend(depth: u64) -> u64 {
    if black_box(depth) == u64::MAX {
        return 0;
    }
    // Work after the call, so it is not a tail call.
    descend(black_box(depth + 1)).wrapping_add(black_box(depth))
}

pub struct DeepRecursion;

impl vigie_plugin_sdk::Plugin for DeepRecursion {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        Err(format!("reached the bottom: {}", descend(black_box(0))))
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(DeepRecursion);
