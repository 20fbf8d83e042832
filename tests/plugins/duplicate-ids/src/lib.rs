//! `describe` returns a questionnaire whose two questions share the id `q1`
//! (the SDK's build step would refuse that content, so the plugin tampers
//! with what it returns).

use vigie_plugin_sdk::{Content, wit};

vigie_plugin_sdk::include_content!();

pub struct DuplicateIds;

impl vigie_plugin_sdk::Plugin for DuplicateIds {
    fn content() -> &'static Content {
        &CONTENT
    }
}

pub fn describe() -> wit::Questionnaire {
    let mut questionnaire = vigie_plugin_sdk::describe(&CONTENT);
    let first = questionnaire.questions[0].id.clone();
    questionnaire.questions[1].id = first;
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
            vigie_plugin_sdk::evaluate::<super::DuplicateIds>(&answers, &context)
        }
    }

    vigie_plugin_sdk::bindings::export_bindings!(Export with_types_in vigie_plugin_sdk::bindings);
}
