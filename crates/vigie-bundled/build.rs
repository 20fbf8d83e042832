//! Builds the bundled questionnaire plugins from `plugins/` (content from
//! `questionnaires/`, contract from `wit/`) and embeds the components.

use std::path::Path;

const PLUGINS: [&str; 3] = ["nis2-suppliers", "anssi-hygiene", "gdpr-offshore"];

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let root = Path::new(&manifest).join("../..");
    let plugins = root.join("plugins");
    let mut watch = vec![
        root.join("wit"),
        root.join("questionnaires"),
        // The plugin crates are members of the root workspace: its manifest
        // and lock file pin what they build with. (Watching a path that does
        // not exist would rerun this script, and relink the binary, on every
        // build.)
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
        plugins.join(".cargo"),
        plugins.join("vigie-rules"),
        plugins.join("vigie-plugin-sdk"),
        plugins.join("vigie-plugin-sdk-build"),
    ];
    watch.extend(PLUGINS.iter().map(|p| plugins.join(p)));
    let watch: Vec<&Path> = watch.iter().map(|p| p.as_path()).collect();
    let built = match vigie_plugin_build::build_plugins(&plugins, &PLUGINS, &watch) {
        Ok(paths) => paths,
        Err(e) => panic!("\n\n{e}\n\n"),
    };
    let mut src = String::from(
        "/// The bundled plugins, in display order.\npub static BUNDLED: &[BundledPlugin] = &[\n",
    );
    for (name, path) in PLUGINS.iter().zip(&built) {
        src.push_str(&format!(
            "    BundledPlugin {{ name: {name:?}, bytes: include_bytes!({:?}) }},\n",
            path.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("bundled.rs");
    if let Err(e) = std::fs::write(&out, src) {
        panic!("cannot write {}: {e}", out.display());
    }
}
