//! Describes a valid questionnaire; `evaluate` fills a 32 MiB buffer over and
//! over. Each fill is one `memory.fill` instruction, which costs one unit of
//! fuel however many bytes it writes: the fuel budget alone cannot stop this
//! plugin in any reasonable time, only a wall-clock deadline can.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct BulkMemory;

impl vigie_plugin_sdk::Plugin for BulkMemory {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut buffer = vec![0u8; 32 << 20];
        let mut byte = 0u8;
        loop {
            byte = byte.wrapping_add(1);
            black_box(&mut buffer[..]).fill(black_box(byte));
        }
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(BulkMemory);
