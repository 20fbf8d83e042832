//! Describes a valid questionnaire; `evaluate` walks a 32 MiB buffer at
//! pseudo-random addresses forever, each address depending on the last load.
//! Every step is a dozen cheap instructions, so a dozen units of fuel, but a
//! cache and TLB miss costing ~100 ns: the default fuel budget alone then
//! lasts some 15 s. Only a wall-clock deadline stops it in time.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

/// Buffer length in 32-bit words (a power of two, for the mask): 32 MiB,
/// far more than any CPU cache, within the 64 MiB memory cap.
const WORDS: usize = 8 << 20;

pub struct CacheThrash;

impl vigie_plugin_sdk::Plugin for CacheThrash {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        // Touch every page, so none is the shared zero page.
        let buffer = vec![1u32; WORDS];
        let buffer = black_box(&buffer[..]);
        let mut at = 0usize;
        loop {
            // A multiplicative step plus the loaded word: each address waits
            // for the previous load and lands far from it.
            at = (at
                .wrapping_mul(0x9E37_79B1)
                .wrapping_add(buffer[at] as usize))
                & (WORDS - 1);
        }
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(CacheThrash);
