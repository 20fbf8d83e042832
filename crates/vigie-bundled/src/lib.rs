//! The questionnaires Vigie ships with: NIS2 supplier criteria, ANSSI hygiene
//! and GDPR offshore transfers. Each is a WebAssembly component built from
//! source in `plugins/` by this crate's build script and embedded here as
//! bytes; no compiled plugin is ever committed.
//!
//! This crate holds data only and must not depend on the host or the store.

#![forbid(unsafe_code)]

/// One embedded plugin component.
#[derive(Debug, Clone, Copy)]
pub struct BundledPlugin {
    /// The plugin crate's name (also its questionnaire id).
    pub name: &'static str,
    /// The component bytes.
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
