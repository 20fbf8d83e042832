//! Records the commit the binary is built from, for `vigie --version` (a report or a bug
//! needs to say which build produced it). Outside a git checkout it says so.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The git folder of the checkout: `.git`, or where a worktree's `.git` file points.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let dir = text.trim().strip_prefix("gitdir:")?.trim();
    Some(root.join(dir))
}

/// Asks cargo to rerun this script when `path` changes; only for files that exist (a
/// missing one would make cargo rerun it, and relink the binary, on every build).
fn watch(path: &Path) {
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(git) = git_dir(&root) {
        // HEAD moves on a checkout; the branch it names moves on a commit.
        watch(&git.join("HEAD"));
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
            && let Some(reference) = head.trim().strip_prefix("ref: ")
        {
            watch(&git.join(reference));
            // In a worktree, branches live in the main repository's folder.
            if let Ok(common) = std::fs::read_to_string(git.join("commondir")) {
                let common = git.join(common.trim());
                watch(&common.join(reference));
                watch(&common.join("packed-refs"));
            }
        }
        watch(&git.join("packed-refs"));
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "not from a git checkout".to_string());
    println!("cargo:rustc-env=VIGIE_COMMIT={commit}");
}
