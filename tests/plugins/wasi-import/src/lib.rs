//! Reads the host's environment through `wasi:cli/environment`, as a plugin
//! built for wasm32-wasip2 could. The host must refuse it from its imports,
//! before instantiating it: a plugin gets no capability at all.

wit_bindgen::generate!({
    inline: r#"
        package vigie-tests:wasi-import;

        world questionnaire {
            import wasi:cli/environment@0.2.0;
            export vigie:questionnaire/plugin@1.0.0;
        }

        package wasi:cli@0.2.0 {
            interface environment {
                get-environment: func() -> list<tuple<string, string>>;
            }
        }

        package vigie:questionnaire@1.0.0 {
            interface plugin {
                describe: func() -> string;
            }
        }
    "#,
    generate_all,
});

struct WasiImport;

impl exports::vigie::questionnaire::plugin::Guest for WasiImport {
    fn describe() -> String {
        wasi::cli::environment::get_environment()
            .into_iter()
            .map(|(key, value)| format!("{key}={value}\n"))
            .collect()
    }
}

export!(WasiImport);
