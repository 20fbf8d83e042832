//! Exports `vigie:questionnaire/plugin@2.0.0`: a major version this host does
//! not speak. The host must refuse it from its exports, before calling it.

wit_bindgen::generate!({
    inline: r#"
        package vigie:questionnaire@2.0.0;

        interface plugin {
            describe: func() -> string;
        }

        world questionnaire {
            export plugin;
        }
    "#,
});

struct WrongVersion;

impl exports::vigie::questionnaire::plugin::Guest for WrongVersion {
    fn describe() -> String {
        "a questionnaire from the future".into()
    }
}

export!(WrongVersion);
