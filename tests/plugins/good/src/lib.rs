//! A valid minimal questionnaire with the SDK's default rules.

vigie_plugin_sdk::include_content!();

pub struct Good;

impl vigie_plugin_sdk::Plugin for Good {
    fn content() -> &'static vigie_plugin_sdk::Content {
        &CONTENT
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Good);
