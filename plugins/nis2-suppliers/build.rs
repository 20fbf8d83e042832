fn main() {
    vigie_plugin_sdk_build::generate("../../questionnaires/nis2-suppliers/questionnaire.toml");
}
