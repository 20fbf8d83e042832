fn main() {
    vigie_plugin_sdk_build::generate("../bad-rules.toml");
}
