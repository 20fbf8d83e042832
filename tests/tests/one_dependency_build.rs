//! The README's two commands share one build of the dependencies.
//!
//! `cargo run -p vigie` builds the binary's dependency graph; `cargo test --workspace`
//! builds every member with its dev-dependencies, and cargo unifies features over all of
//! them. A dependency that ends up with other features in the test build is a second
//! build of it and of everything above it — on a fresh clone that was wasmtime, Cranelift,
//! zip and calamine again, 7 more minutes on two cores. crates/vigie/Cargo.toml pins the
//! unified features; this test fails, naming the crates, when a change brings a
//! difference back.
//!
//! It compares cargo's unit graphs (what cargo would compile, with features and profile)
//! without compiling anything. `--unit-graph` is not stabilised, so the test sets
//! `RUSTC_BOOTSTRAP=1` for those two read-only cargo calls only; nothing is built with it.

#![allow(clippy::expect_used)] // A test: cargo's own output failing to parse fails it, with the reason.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// One compilation unit, named the way cargo prints it.
struct Unit {
    name: String,
    features: Vec<String>,
    /// Everything that makes cargo build the unit anew, dependencies included: equal
    /// signatures in both graphs mean one build serves both commands.
    signature: String,
    /// The signatures of the units it depends on.
    dependencies: Vec<String>,
}

fn unit_graph(args: &[&str]) -> Vec<Unit> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(&cargo)
        .args(args)
        .args(["--offline", "-Z", "unstable-options", "--unit-graph"])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(&workspace)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        output.status.success(),
        "cargo {args:?} --unit-graph failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let graph: Value = serde_json::from_slice(&output.stdout).expect("cargo prints JSON");
    assert_eq!(
        graph["version"], 1,
        "cargo's unit-graph format changed; update this test"
    );
    let units = graph["units"].as_array().expect("a list of units");
    let mut signatures: HashMap<usize, String> = HashMap::new();
    (0..units.len())
        .map(|index| {
            let unit = &units[index];
            let signature = signature(units, index, &mut signatures);
            let dependencies = dependency_indices(unit)
                .map(|d| signatures.get(&d).cloned().unwrap_or_default())
                .collect();
            Unit {
                name: unit_name(unit),
                features: features(unit),
                signature,
                dependencies,
            }
        })
        .collect()
}

fn unit_name(unit: &Value) -> String {
    let package = unit["pkg_id"].as_str().unwrap_or_default();
    let package = package.rsplit('#').next().unwrap_or(package);
    format!(
        "{package} {} ({})",
        unit["target"]["name"].as_str().unwrap_or_default(),
        unit["mode"].as_str().unwrap_or_default()
    )
}

fn features(unit: &Value) -> Vec<String> {
    let mut features: Vec<String> = unit["features"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    features.sort();
    features
}

fn dependency_indices(unit: &Value) -> impl Iterator<Item = usize> + '_ {
    unit["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["index"].as_u64())
        .filter_map(|d| usize::try_from(d).ok())
}

fn signature(units: &[Value], index: usize, memo: &mut HashMap<usize, String>) -> String {
    if let Some(known) = memo.get(&index) {
        return known.clone();
    }
    let unit = &units[index];
    let mut profile = unit["profile"].clone();
    // The profile's name ("dev" or "test") is not part of what cargo hashes; its settings are.
    if let Some(fields) = profile.as_object_mut() {
        fields.remove("name");
    }
    let mut dependencies: Vec<String> = dependency_indices(unit)
        .map(|d| signature(units, d, memo))
        .collect();
    dependencies.sort();
    let own = format!(
        "{}|{}|{:?}|{}|{}",
        unit_name(unit),
        unit["platform"],
        features(unit),
        profile,
        dependencies.join(",")
    );
    // Nested signatures grow with the graph's depth; a digest keeps them short.
    let digest = format!("{:016x}", fnv1a(own.as_bytes()));
    memo.insert(index, digest.clone());
    digest
}

/// A stable 64-bit hash (std's hasher is randomised per process; this one need not be
/// cryptographic, only consistent within one run).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn the_test_build_reuses_every_unit_of_the_run_build() {
    let run = unit_graph(&["build", "-p", "vigie"]);
    let test = unit_graph(&["test", "--workspace", "--no-run"]);

    let test_signatures: std::collections::HashSet<&str> =
        test.iter().map(|u| u.signature.as_str()).collect();
    let rebuilt: Vec<&Unit> = run
        .iter()
        .filter(|u| !test_signatures.contains(u.signature.as_str()))
        .collect();
    // A unit rebuilt only because a dependency is says nothing; the ones whose
    // dependencies are all shared are the causes.
    let causes: Vec<&&Unit> = rebuilt
        .iter()
        .filter(|u| {
            u.dependencies
                .iter()
                .all(|d| test_signatures.contains(d.as_str()))
        })
        .collect();
    let report: Vec<String> = causes
        .iter()
        .map(|unit| {
            let in_test: Vec<String> = test
                .iter()
                .filter(|t| t.name == unit.name)
                .map(|t| format!("{:?}", t.features))
                .collect();
            format!(
                "  {}: run build features {:?}, test build {}",
                unit.name,
                unit.features,
                in_test.join(" or ")
            )
        })
        .collect();
    assert!(
        rebuilt.is_empty(),
        "`cargo test --workspace` would build {} of the {} units of `cargo build -p vigie` \
         again, so a fresh clone compiles them twice. The causes (pin the test build's \
         features in crates/vigie/Cargo.toml):\n{}",
        rebuilt.len(),
        run.len(),
        report.join("\n")
    );
}
