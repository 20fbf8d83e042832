//! The server never outlives the test process, even when the process never drops it (a
//! `static`, as tests keep it) or is killed.
//!
//! A custom main (`harness = false`): it re-executes its own binary as the child that starts
//! a server, prints the postmaster's process id and folder, then either returns from `main`
//! (statics are never dropped) or waits to be killed with SIGKILL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::{eventually, process_name, process_running};
use vigie_pgtest::{Options, TestServer};

/// Set in the child to what it does after starting the server: `exit` or `wait-for-kill`.
const CHILD_MODE: &str = "VIGIE_PGTEST_OUTLIVE_CHILD";

fn main() -> ExitCode {
    if let Ok(mode) = std::env::var(CHILD_MODE) {
        child(&mode);
        return ExitCode::SUCCESS;
    }
    let mut failed = false;
    for (name, mode) in [
        ("a_server_in_a_static_stops_when_the_process_exits", "exit"),
        ("a_server_stops_when_its_process_is_killed", "wait-for-kill"),
    ] {
        match std::panic::catch_unwind(|| parent(mode)) {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn child(mode: &str) {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        TestServer::start_with(Options {
            durable: false,
            ..Options::default()
        })
        .unwrap_or_else(|error| panic!("{error}"))
    });
    println!("{} {}", server.postmaster_pid(), server.folder().display());
    if mode == "wait-for-kill" {
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    // Returning from main: the static is never dropped.
}

fn parent(mode: &str) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_MODE, mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (pid, folder) = line.trim().split_once(' ').unwrap_or_else(|| {
        panic!(
            "the child did not report its server (printed {line:?}, {:?})",
            child.wait()
        )
    });
    let pid: u32 = pid.parse().unwrap();
    let folder = PathBuf::from(folder);
    assert!(process_running(pid), "postmaster {pid} is not running");
    assert_eq!(process_name(pid), "postgres");
    assert!(folder.join("data").is_dir());

    if mode == "wait-for-kill" {
        child.kill().unwrap();
        assert!(!child.wait().unwrap().success());
    } else {
        assert!(child.wait().unwrap().success());
    }
    assert!(
        eventually(Duration::from_secs(10), || !process_running(pid)),
        "postmaster {pid} outlived its test process ({mode})"
    );
    assert!(
        eventually(Duration::from_secs(10), || !folder.exists()),
        "{} outlived its test process ({mode})",
        folder.display()
    );
}
