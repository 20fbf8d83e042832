fn main() {
    vigie_plugin_sdk_build::generate("../../questionnaires/anssi-hygiene/questionnaire.toml");
}
