//! Build script shared by the SDK-based hostile plugins (`build = "../hostile-build.rs"`):
//! generates their content from `hostile.toml`, with the crate name as the
//! questionnaire id.

use std::path::Path;

fn main() {
    let template = Path::new("../hostile.toml");
    println!("cargo:rerun-if-changed={}", template.display());
    let raw = std::fs::read_to_string(template).expect("cannot read ../hostile.toml");
    let name = std::env::var("CARGO_PKG_NAME").expect("CARGO_PKG_NAME is set by cargo");
    let src = vigie_plugin_sdk_build::source_from_str(&raw.replace("@ID@", &name), "hostile.toml")
        .unwrap_or_else(|e| panic!("\n\nhostile.toml refused: {e}\n\n"));
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("content.rs");
    std::fs::write(&out, src).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
