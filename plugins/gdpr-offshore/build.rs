fn main() {
    vigie_plugin_sdk_build::generate("../../questionnaires/gdpr-offshore/questionnaire.toml");
}
