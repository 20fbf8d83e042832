//! Describes a valid questionnaire; `evaluate` computes NaNs by arithmetic
//! and refuses the answers with a message giving their bit patterns. The
//! WebAssembly spec leaves a computed NaN's sign and payload to the CPU (x86
//! sets the sign bit of 0/0, Arm does not), so without NaN canonicalisation
//! the same plugin says different things on different machines.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct NanProbe;

impl vigie_plugin_sdk::Plugin for NanProbe {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let zero64 = black_box(0.0_f64);
        let zero32 = black_box(0.0_f32);
        let infinity = black_box(f64::INFINITY);
        let quotient = zero64 / black_box(zero64);
        let difference = infinity - black_box(infinity);
        let quotient32 = zero32 / black_box(zero32);
        Err(format!(
            "nan bits: 0/0 {:#018x}, inf-inf {:#018x}, 0/0 f32 {:#010x}",
            quotient.to_bits(),
            difference.to_bits(),
            quotient32.to_bits()
        ))
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(NanProbe);
