//! The plugin and the host decide applicability differently: `describe`
//! drops the condition of `offshore-audit` (the host asks it always) while
//! the rules keep it (they ignore its answer unless `has-offshore` is yes).
//! `vigie plugin check` must catch the disagreement.

use vigie_plugin_sdk::{Content, wit};

vigie_plugin_sdk::include_content!();

pub struct OwnApplicability;

impl vigie_plugin_sdk::Plugin for OwnApplicability {
    fn content() -> &'static Content {
        &CONTENT
    }
}

pub fn describe() -> wit::Questionnaire {
    let mut questionnaire = vigie_plugin_sdk::describe(&CONTENT);
    for q in &mut questionnaire.questions {
        if q.id == "offshore-audit" {
            q.applicable_when.clear();
        }
    }
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
            vigie_plugin_sdk::evaluate::<super::OwnApplicability>(&answers, &context)
        }
    }

    vigie_plugin_sdk::bindings::export_bindings!(Export with_types_in vigie_plugin_sdk::bindings);
}
