//! Looks at a file's first bytes, before SQLite touches it, to refuse files that are not ours
//! without changing a byte of them.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::backend::sqlite::{APPLICATION_ID, SCHEMA_VERSION};
use crate::error::{Result, StoreError, io_err};

const MAGIC: &[u8; 16] = b"SQLite format 3\0";
const HEADER_LEN: usize = 100;

/// What a path holds, as far as the header tells.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FileState {
    /// Nothing there yet.
    Missing,
    /// An empty file, or an SQLite database without any table: it becomes a Vigie database.
    Blank,
    /// A Vigie database whose header records this schema version.
    Vigie { user_version: u32 },
    /// The main file has no application id yet but a write-ahead log holds newer content (a
    /// database just created by another process, not yet checkpointed): only SQLite, reading
    /// the log, can tell.
    Undecided,
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_be_bytes(b)
}

fn be_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// Classifies `path` from its bytes only. Never writes.
pub(crate) fn inspect(path: &Path) -> Result<FileState> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(io_err(path, "read", e)),
    };
    if meta.is_dir() {
        return Err(io_err(
            path,
            "use as a database file",
            std::io::Error::other("it is a folder"),
        ));
    }
    let len = meta.len();
    if len == 0 {
        return Ok(if wal_has_content(path) {
            FileState::Undecided
        } else {
            FileState::Blank
        });
    }
    let mut file = File::open(path).map_err(|e| io_err(path, "open", e))?;
    let mut first = Vec::with_capacity(4096);
    file.by_ref()
        .take(4096)
        .read_to_end(&mut first)
        .map_err(|e| io_err(path, "read", e))?;

    let magic_len = first.len().min(MAGIC.len());
    if first[..magic_len] != MAGIC[..magic_len] {
        return Err(StoreError::NotVigie {
            path: path.to_path_buf(),
        });
    }
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    if first.len() < HEADER_LEN {
        return Err(corrupt(format!(
            "the file is truncated ({len} bytes, less than an SQLite header)"
        )));
    }

    let application_id = be_u32(&first, 68);
    let user_version = be_u32(&first, 60);
    if application_id != APPLICATION_ID {
        if application_id == 0 && wal_has_content(path) {
            return Ok(FileState::Undecided);
        }
        if application_id == 0 && is_blank_sqlite(&first) {
            return Ok(FileState::Blank);
        }
        return Err(StoreError::NotVigie {
            path: path.to_path_buf(),
        });
    }
    if user_version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: user_version,
            supported: SCHEMA_VERSION,
        });
    }

    // Page size: 1 means 65536. The in-header page count is valid when the "version valid
    // for" number equals the change counter.
    let page_size = match be_u16(&first, 16) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(corrupt(format!(
            "the header gives an invalid page size ({page_size})"
        )));
    }
    // A process killed during a checkpoint can leave the file shorter than its header says
    // (page 1 is written before the pages that extend the file); the write-ahead log still
    // holds every one of those pages and SQLite completes the checkpoint when it next opens
    // the file. So the size tells of damage only when there is no log to recover from.
    if wal_has_content(path) {
        return Ok(FileState::Vigie { user_version });
    }
    if len % page_size != 0 {
        return Err(corrupt(format!(
            "the file is truncated ({len} bytes is not a whole number of {page_size}-byte pages)"
        )));
    }
    let change_counter = be_u32(&first, 24);
    let valid_for = be_u32(&first, 92);
    let pages = u64::from(be_u32(&first, 28));
    if valid_for == change_counter && pages > 0 && len < pages * page_size {
        return Err(corrupt(format!(
            "the file is truncated ({len} bytes, the header says {} bytes)",
            pages * page_size
        )));
    }
    Ok(FileState::Vigie { user_version })
}

/// An SQLite file without our application id may still become a Vigie database if it holds
/// no schema at all: page 1 is a leaf table page with no cells.
fn is_blank_sqlite(first: &[u8]) -> bool {
    if first.len() < HEADER_LEN + 8 {
        return false;
    }
    first[HEADER_LEN] == 0x0d && be_u16(first, HEADER_LEN + 3) == 0
}

/// Whether `path-wal` exists and is not empty.
fn wal_has_content(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(Path::new(&wal)).is_ok_and(|m| m.len() > 0)
}
