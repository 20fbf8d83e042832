//! GDPR processors and transfers for offshore customer-service centres: the questionnaire of `questionnaires/gdpr-offshore` and the rules of its `RULES.md`.

use vigie_plugin_sdk::{Content, Plugin};

vigie_plugin_sdk::include_content!();

pub struct Gdpr;

impl Plugin for Gdpr {
    fn content() -> &'static Content {
        &CONTENT
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Gdpr);
