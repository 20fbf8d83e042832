//! Where SQLite's write-ahead log is safe, and which journal a store uses.
//!
//! The write-ahead log coordinates processes through a shared-memory index (`-shm`, mapped into
//! every process): that works only when every process runs on the same host, on a filesystem
//! whose mapped pages and `fcntl` locks behave locally. Network filesystems (NFS, SMB/CIFS,
//! most FUSE mounts such as sshfs, cluster filesystems) break it silently: two hosts each
//! believe they hold the index, and a database shared that way is corrupted. So the store
//! refuses the write-ahead log there and says what to do instead.

use std::path::Path;

/// How a store keeps its transactions atomic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Journal {
    /// SQLite's write-ahead log: readers never block writers. Needs a local filesystem.
    #[default]
    Wal,
    /// SQLite's rollback journal (`journal_mode = DELETE`) with its `fcntl` locks: readers and
    /// writers take turns. For a folder on a network filesystem whose locks work (NFSv4,
    /// SMB with byte-range locks): each writer waits for readers to finish.
    Rollback,
}

impl Journal {
    /// The word used on the command line and in `VIGIE_JOURNAL`.
    pub fn id(self) -> &'static str {
        match self {
            Journal::Wal => "wal",
            Journal::Rollback => "rollback",
        }
    }

    pub fn from_id(id: &str) -> Option<Journal> {
        match id.trim().to_ascii_lowercase().as_str() {
            "wal" => Some(Journal::Wal),
            "rollback" | "delete" => Some(Journal::Rollback),
            _ => None,
        }
    }

    /// The `PRAGMA journal_mode` value.
    pub(crate) fn pragma(self) -> &'static str {
        match self {
            Journal::Wal => "wal",
            Journal::Rollback => "delete",
        }
    }
}

/// The name of the network (or shared-cluster, or FUSE) filesystem a `statfs` magic number
/// stands for, `None` for a local one. Numbers from Linux's `include/uapi/linux/magic.h`
/// (and the filesystems' own headers for those not listed there).
pub(crate) fn network_filesystem(magic: u64) -> Option<&'static str> {
    Some(match magic {
        0x6969 => "NFS",
        0x517B => "SMB",
        0xFF53_4D42 => "CIFS",
        0xFE53_4D42 => "SMB2",
        0x6573_5546 => "FUSE",
        0x00C3_6400 => "Ceph",
        0x5346_414F | 0x6B41_4653 => "AFS",
        0x7375_7245 => "Coda",
        0x0102_1997 => "9P",
        0x564C => "NCP",
        0x0116_1970 => "GFS2",
        0x7461_636F => "OCFS2",
        0x0BD0_0BD0 => "Lustre",
        0x1366_1366 => "OrangeFS",
        0x786F_4256 => "VirtualBox shared folder",
        _ => return None,
    })
}

/// The filesystem magic number of the folder that holds `path` (the file may not exist yet).
/// `None` where the platform does not tell (then the folder is taken to be local).
pub(crate) fn filesystem_magic(path: &Path) -> Option<u64> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    statfs_magic(folder)
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // statfs(2): see the SAFETY comments.
fn statfs_magic(folder: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` is a properly sized
    // buffer that statfs fills in completely when it returns 0. statfs opens no descriptor on
    // the database, so it releases no lock (see `open_files`).
    let rc = unsafe { libc::statfs(c_path.as_ptr(), stats.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statfs returned 0, so the buffer is initialised.
    let stats = unsafe { stats.assume_init() };
    // f_type is signed on some architectures; the magic numbers are 32-bit patterns.
    #[allow(clippy::unnecessary_cast)]
    Some((stats.f_type as u64) & 0xFFFF_FFFF)
}

#[cfg(not(target_os = "linux"))]
fn statfs_magic(_folder: &Path) -> Option<u64> {
    None
}

/// Whether `journal` may be used on a filesystem with this magic number: the name of the
/// network filesystem that rules out the write-ahead log, if any.
pub(crate) fn refuses(journal: Journal, magic: Option<u64>) -> Option<&'static str> {
    match journal {
        Journal::Rollback => None,
        Journal::Wal => magic.and_then(network_filesystem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_filesystems_refuse_the_write_ahead_log() {
        for (magic, name) in [
            (0x6969, "NFS"),
            (0xFF53_4D42, "CIFS"),
            (0xFE53_4D42, "SMB2"),
            (0x517B, "SMB"),
            (0x6573_5546, "FUSE"),
            (0x00C3_6400, "Ceph"),
        ] {
            assert_eq!(refuses(Journal::Wal, Some(magic)), Some(name));
            assert_eq!(refuses(Journal::Rollback, Some(magic)), None);
        }
    }

    #[test]
    fn local_filesystems_keep_the_write_ahead_log() {
        // ext4, xfs, btrfs, tmpfs, overlayfs, zfs, and an unknown platform.
        for magic in [
            Some(0xEF53),
            Some(0x5846_5342),
            Some(0x9123_683E),
            Some(0x0102_1994),
            Some(0x794C_7630),
            Some(0x2FC1_2FC1),
            None,
        ] {
            assert_eq!(refuses(Journal::Wal, magic), None, "{magic:?}");
        }
    }

    #[test]
    fn the_journal_is_named_as_on_the_command_line() {
        assert_eq!(Journal::from_id("ROLLBACK"), Some(Journal::Rollback));
        assert_eq!(Journal::from_id("wal"), Some(Journal::Wal));
        assert_eq!(Journal::from_id("memory"), None);
    }

    #[test]
    fn this_test_folder_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        if cfg!(target_os = "linux") {
            assert!(filesystem_magic(&dir.path().join("x.sqlite")).is_some());
        }
    }
}
