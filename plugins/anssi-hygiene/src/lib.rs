//! ANSSI hygiene guide (42 measures) and the providers' charter: the questionnaire of `questionnaires/anssi-hygiene` and the rules of its `RULES.md`.

use vigie_plugin_sdk::{Content, Plugin};

vigie_plugin_sdk::include_content!();

pub struct Anssi;

impl Plugin for Anssi {
    fn content() -> &'static Content {
        &CONTENT
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Anssi);
