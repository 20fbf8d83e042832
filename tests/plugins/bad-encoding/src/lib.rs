//! Describes a valid questionnaire; `evaluate` returns an evaluation that
//! breaks the canonical ABI in the way the answer to `q1` picks, the way
//! hand-written bindings or `unsafe` code could:
//!
//! - `yes`: a string whose pointer lies outside the plugin's memory;
//! - `no`: a string that is not UTF-8;
//! - `partial`: a severity whose discriminant names no case;
//! - `unknown`: 96 texts that all point at the same 1 MiB, so that the host
//!   would copy 96 MiB out of a plugin that holds 1 MiB.
//!
//! The forged strings are never dropped: the host refuses the result before
//! the plugin's post-return (which frees it) could run.

use std::hint::black_box;
use std::mem::ManuallyDrop;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct BadEncoding;

/// Bytes of the one text every translation of the transfer bomb points at.
const SHARED_TEXT: usize = 1 << 20;

/// How many translations point at it.
const ALIASES: usize = 96;

impl vigie_plugin_sdk::Plugin for BadEncoding {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let results = sheet.assess_all();
        let mut evaluation = sheet.finish(results, "not-assessed")?;
        match sheet.yes_no("q1") {
            Some(wit::YesNo::Yes) => {
                // SAFETY (of the plugin, not the host): never read nor freed.
                let outside = unsafe {
                    String::from_raw_parts(black_box(0xFFFF_0000_usize) as *mut u8, 64, 64)
                };
                evaluation.verdict.id = outside;
            }
            Some(wit::YesNo::No) => {
                // SAFETY (of the plugin): only its bytes are handed over.
                let invalid = unsafe { String::from_utf8_unchecked(vec![b'x', 0xFF, 0xFE]) };
                evaluation.verdict.id = invalid;
            }
            Some(wit::YesNo::Partial) => {
                // SAFETY (of the plugin): the enum is only lowered, as its
                // discriminant, never matched on.
                let severity: wit::Severity = unsafe { std::mem::transmute(black_box(9_u8)) };
                evaluation.verdict.severity = severity;
            }
            _ => {
                let mut shared = ManuallyDrop::new("x".repeat(SHARED_TEXT));
                let (ptr, len, cap) = (shared.as_mut_ptr(), shared.len(), shared.capacity());
                evaluation.verdict.label = (0..ALIASES)
                    .map(|_| wit::Translation {
                        lang: "en".into(),
                        // SAFETY (of the plugin): the aliases are only
                        // lowered, never written nor freed.
                        text: unsafe { String::from_raw_parts(ptr, len, cap) },
                    })
                    .collect();
            }
        }
        Ok(evaluation)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(BadEncoding);
