//! Describes a valid questionnaire; `evaluate` allocates 1 MiB blocks and
//! keeps them until the memory cap stops it.

use std::hint::black_box;

use vigie_plugin_sdk::{Content, Sheet, wit};

vigie_plugin_sdk::include_content!();

pub struct MemoryBomb;

impl vigie_plugin_sdk::Plugin for MemoryBomb {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(_sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = Vec::with_capacity(1 << 20);
            // Touch the block so nothing can prove it unused.
            block.push(black_box(hoard.len() as u8));
            hoard.push(black_box(block));
            if black_box(hoard.len()) == usize::MAX {
                return Err("unreachable: 4 GiB is the whole address space".into());
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(MemoryBomb);
