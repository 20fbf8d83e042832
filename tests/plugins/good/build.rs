fn main() {
    vigie_plugin_sdk_build::generate("questionnaire.toml");
}
