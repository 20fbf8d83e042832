//! Real servers: start and stop, databases, roles, passwords over TCP, TLS. They fail, never
//! skip, when PostgreSQL cannot start.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::{process_name, process_running, process_uid, psql_ok, psql_refused, user_id};
use std::collections::BTreeSet;
use vigie_pgtest::{ADMIN_ROLE, Options, Step, TestServer, database_name};

fn started(options: Options) -> TestServer {
    TestServer::start_with(options).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn a_dropped_server_is_stopped_and_its_folder_removed() {
    let server = started(Options::default());
    let pid = server.postmaster_pid();
    let folder = server.folder().to_owned();
    assert!(process_running(pid), "postmaster {pid} is not running");
    assert_eq!(process_name(pid), "postgres");
    assert!(folder.join("data").join("PG_VERSION").is_file());
    let version = server
        .run_sql("postgres", "SHOW server_version_num")
        .unwrap();
    assert!(
        version.trim().parse::<u32>().unwrap() >= 150_000,
        "version {version}"
    );
    // Durable by default, as benchmarks need.
    assert_eq!(
        server.run_sql("postgres", "SHOW fsync").unwrap().trim(),
        "on"
    );
    let full_page_writes = server.run_sql("postgres", "SHOW full_page_writes").unwrap();
    assert_eq!(full_page_writes.trim(), "on");

    // PostgreSQL refuses root: as root the server runs as the postgres system user.
    let expected_uid = match user_id(None) {
        0 => user_id(Some("postgres")),
        uid => uid,
    };
    assert_eq!(process_uid(pid), Some(expected_uid));

    drop(server);
    assert!(
        !process_running(pid),
        "postmaster {pid} still runs after the drop"
    );
    assert!(
        !folder.exists(),
        "{} still exists after the drop",
        folder.display()
    );
}

#[test]
fn databases_are_fresh_distinct_and_reachable_through_the_socket_url() {
    let server = vigie_pgtest::shared();
    let first = server.create_database().unwrap();
    let second = server.create_database().unwrap();
    assert_ne!(first, second);
    let socket = server.socket_dir().to_str().unwrap();
    assert!(
        first.starts_with("postgres://vigie_admin@/vigie_"),
        "{first}"
    );
    assert!(
        first.ends_with(&format!("?host={}&port={}", socket, server.port())),
        "{first}"
    );

    // libpq accepts the URL as it is.
    let bin = server.bin_dir();
    psql_ok(
        bin,
        &first,
        None,
        "CREATE TABLE answers (id int); INSERT INTO answers VALUES (7)",
    );
    assert_eq!(psql_ok(bin, &first, None, "SELECT id FROM answers"), "7");
    assert!(psql_refused(bin, &second, None, "SELECT id FROM answers").contains("does not exist"));
    let name = database_name(&first).unwrap();
    assert_eq!(
        psql_ok(bin, &first, None, "SELECT current_database()"),
        name
    );
    assert_eq!(
        psql_ok(
            bin,
            &first,
            None,
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ),
        ADMIN_ROLE
    );

    // The shared server trades durability against a machine crash for speed, not against
    // a process crash: commits still reach the kernel before they are acknowledged.
    assert_eq!(psql_ok(bin, &first, None, "SHOW fsync"), "off");
    assert_eq!(psql_ok(bin, &first, None, "SHOW synchronous_commit"), "on");
}

#[test]
fn databases_created_concurrently_all_exist() {
    let server = vigie_pgtest::shared();
    let urls: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| server.create_database().unwrap()))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    let names: BTreeSet<String> = urls.iter().map(|url| database_name(url).unwrap()).collect();
    assert_eq!(names.len(), 4);
    let listed = server
        .run_sql("postgres", "SELECT datname FROM pg_database")
        .unwrap();
    for name in &names {
        assert!(
            listed.lines().any(|line| line == name),
            "{name} not in {listed}"
        );
    }
}

#[test]
fn sql_errors_name_the_step_and_quote_psql() {
    let server = vigie_pgtest::shared();
    let error = server.run_sql("postgres", "SELEC 1").unwrap_err();
    assert_eq!(error.step(), Step::Sql);
    assert!(error.to_string().contains("syntax error"), "{error}");
    let error = server.create_role("", None).unwrap_err();
    assert_eq!(error.step(), Step::Argument);
    let error = server
        .tcp_url(ADMIN_ROLE, None, "postgres", "")
        .unwrap_err();
    assert_eq!(error.step(), Step::Argument);
    assert_eq!(server.tcp_port(), None);
    assert_eq!(server.ca_cert_path(), None);
}

#[test]
fn roles_authenticate_with_their_password_over_tcp_and_may_create_tables() {
    let server = started(Options {
        durable: false,
        tcp: true,
        tls: false,
    });
    let port = server.tcp_port().expect("a TCP port");
    assert_eq!(server.port(), port);
    let bin = server.bin_dir();
    let database = database_name(&server.create_database().unwrap()).unwrap();
    let password = "s3cret 'with' \"quotes\" & :@/";
    server.create_role("alice", Some(password)).unwrap();
    server.create_role("Bob O'Hara", None).unwrap();

    let conninfo = |user: &str| {
        format!(
            "host=127.0.0.1 port={port} dbname={database} user='{}' sslmode=disable",
            user.replace('\'', "\\'")
        )
    };
    assert_eq!(
        psql_ok(
            bin,
            &conninfo("alice"),
            Some(password),
            "SELECT session_user"
        ),
        "alice"
    );
    let refused = psql_refused(bin, &conninfo("alice"), Some("wrong"), "SELECT 1");
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );
    let refused = psql_refused(bin, &conninfo("alice"), None, "SELECT 1");
    assert!(refused.contains("password"), "{refused}");

    // The role may create tables in the server's databases, through TCP and the socket.
    psql_ok(
        bin,
        &conninfo("alice"),
        Some(password),
        "CREATE TABLE notes (body text)",
    );
    let over_socket = server.url_as("Bob O'Hara", None, &database);
    assert_eq!(
        psql_ok(bin, &over_socket, None, "SELECT session_user"),
        "Bob O'Hara"
    );
    psql_ok(
        bin,
        &over_socket,
        None,
        "CREATE TABLE bob_notes (body text)",
    );

    // The TCP URL, with the password percent-encoded, is accepted by libpq.
    let url = server
        .tcp_url("alice", Some(password), &database, "sslmode=disable")
        .unwrap();
    assert!(
        url.starts_with("postgres://alice:") && url.ends_with("?sslmode=disable"),
        "{url}"
    );
    assert_eq!(psql_ok(bin, &url, None, "SELECT current_user"), "alice");

    // The administrator also has a password over TCP.
    let admin = server
        .tcp_url(ADMIN_ROLE, Some(server.admin_password()), &database, "")
        .unwrap();
    assert_eq!(
        psql_ok(bin, &admin, None, "SELECT current_user"),
        ADMIN_ROLE
    );

    // durable: false
    assert_eq!(psql_ok(bin, &admin, None, "SHOW fsync"), "off");
}

#[test]
fn tls_is_required_on_tcp_and_verified_against_the_throwaway_authority() {
    let server = started(Options {
        durable: false,
        tcp: false,
        tls: true,
    });
    let port = server.tcp_port().expect("a TCP port");
    let bin = server.bin_dir();
    let database = database_name(&server.create_database().unwrap()).unwrap();
    server.create_role("auditor", Some("pw")).unwrap();
    let authority = server.ca_cert_path().expect("a CA").display().to_string();
    let other = server
        .other_ca_cert_path()
        .expect("another CA")
        .display()
        .to_string();
    let conninfo = |host: &str, root: &str, mode: &str| {
        format!(
            "host={host} port={port} dbname={database} user=auditor sslmode={mode} sslrootcert={root}"
        )
    };
    let encrypted = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

    assert_eq!(
        psql_ok(
            bin,
            &conninfo("localhost", &authority, "verify-full"),
            Some("pw"),
            encrypted
        ),
        "t"
    );
    assert_eq!(
        psql_ok(
            bin,
            &conninfo("127.0.0.1", &authority, "verify-full"),
            Some("pw"),
            encrypted
        ),
        "t"
    );

    let refused = psql_refused(
        bin,
        &conninfo("localhost", &other, "verify-full"),
        Some("pw"),
        "SELECT 1",
    );
    assert!(refused.contains("certificate verify failed"), "{refused}");
    let refused = psql_refused(
        bin,
        &conninfo("localhost", &authority, "disable"),
        Some("pw"),
        "SELECT 1",
    );
    assert!(refused.contains("no encryption"), "{refused}");
    let refused = psql_refused(
        bin,
        &conninfo("localhost", &authority, "verify-full"),
        Some("nope"),
        "SELECT 1",
    );
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );

    // The TCP URL with TLS parameters libpq understands.
    let url = server
        .tcp_url(
            "auditor",
            Some("pw"),
            &database,
            &format!("sslmode=verify-full&sslrootcert={authority}"),
        )
        .unwrap();
    assert_eq!(psql_ok(bin, &url, None, encrypted), "t");

    // The certificate also passes OpenSSL's strict X.509 checks for a TLS server (as
    // webpki-based clients such as rustls demand), and only against its own authority.
    let certificate = server.folder().join("tls").join("server.crt");
    let verify = |root: &str| {
        std::process::Command::new("openssl")
            .args([
                "verify",
                "-x509_strict",
                "-purpose",
                "sslserver",
                "-CAfile",
                root,
            ])
            .arg(&certificate)
            .output()
            .unwrap()
    };
    let verified = verify(&authority);
    assert!(verified.status.success(), "{verified:?}");
    assert!(!verify(&other).status.success());

    // The key is the server user's alone, as PostgreSQL demands.
    let key = server.folder().join("tls").join("server.key");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o077, 0, "key mode {mode:o}");
}
