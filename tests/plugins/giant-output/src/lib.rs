//! `describe` returns a valid questionnaire except for one 50 MB prompt: far
//! over the host's output limits, yet within the plugin's memory cap, so the
//! host's output check (not the memory cap) must refuse it.

use vigie_plugin_sdk::{Content, wit};

vigie_plugin_sdk::include_content!();

/// Length of the giant prompt, in bytes.
pub const GIANT: usize = 50_000_000;

pub struct GiantOutput;

impl vigie_plugin_sdk::Plugin for GiantOutput {
    fn content() -> &'static Content {
        &CONTENT
    }
}

pub fn describe() -> wit::Questionnaire {
    let mut questionnaire = vigie_plugin_sdk::describe(&CONTENT);
    let prompt = &mut questionnaire.questions[0].prompt;
    prompt[0].text = "x".repeat(GIANT);
    questionnaire
}

#[cfg(target_arch = "wasm32")]
mod export {
    use vigie_plugin_sdk::wit;

    struct Export;

    impl wit::Guest for Export {
        fn describe() -> wit::Questionnaire {
            super::describe()
        }

        fn evaluate(
            answers: Vec<wit::Answer>,
            context: wit::Context,
        ) -> Result<wit::Evaluation, String> {
            vigie_plugin_sdk::evaluate::<super::GiantOutput>(&answers, &context)
        }
    }

    vigie_plugin_sdk::bindings::export_bindings!(Export with_types_in vigie_plugin_sdk::bindings);
}
