//! Tidy checks over the whole workspace: `authhero-core` stays free of I/O crates, every Rust
//! module says what it is for, and no placeholder or debugging macro is left in shipped code.

use std::collections::{HashMap, VecDeque};
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

type TestResult = Result<(), Box<dyn Error>>;

/// Crates that do I/O (runtimes, servers, clients, drivers, caches, TLS); `authhero-core` must
/// not depend on any of them, even transitively.
const IO_CRATES: &[&str] = &[
    "tokio",
    "mio",
    "hyper",
    "axum",
    "tower",
    "reqwest",
    "sqlx",
    "sqlx-core",
    "sea-orm",
    "sea-query",
    "diesel",
    "rusqlite",
    "libsqlite3-sys",
    "postgres",
    "tokio-postgres",
    "mysql",
    "mysql_async",
    "redis",
    "moka",
    "lettre",
    "rustls",
    "openssl",
    "native-tls",
    "socket2",
];

/// Macros that must not ship: placeholders and debugging output.
const FORBIDDEN_MACROS: &[&str] = &["todo!(", "unimplemented!(", "dbg!("];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn core_depends_on_no_io_crate() -> TestResult {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(workspace_root().join("Cargo.toml"))
        .output()?;
    assert!(
        output.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout)?;

    let mut names = HashMap::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if let (Some(id), Some(name)) = (package["id"].as_str(), package["name"].as_str()) {
            names.insert(id, name);
        }
    }
    let core = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|id| names.get(id) == Some(&"authhero-core"))
        .ok_or("authhero-core is not a workspace member")?;
    let mut nodes = HashMap::new();
    for node in metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(id) = node["id"].as_str() {
            nodes.insert(id, node);
        }
    }

    // Breadth-first over normal dependencies, remembering who pulled each package in.
    let mut parents: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([core]);
    while let Some(id) = queue.pop_front() {
        let deps = nodes.get(id).and_then(|node| node["deps"].as_array());
        for dep in deps.into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].is_null());
            let Some(pkg) = dep["pkg"].as_str() else {
                continue;
            };
            if normal && pkg != core && !parents.contains_key(pkg) {
                parents.insert(pkg, id);
                queue.push_back(pkg);
            }
        }
    }

    let name = |id: &str| names.get(id).copied().unwrap_or(id).to_owned();
    let mut offenders: Vec<String> = parents
        .keys()
        .filter(|id| IO_CRATES.contains(&name(id).as_str()))
        .map(|&id| {
            let mut chain = vec![name(id)];
            let mut current = id;
            while let Some(&parent) = parents.get(current) {
                chain.push(name(parent));
                current = parent;
            }
            chain.reverse();
            chain.join(" -> ")
        })
        .collect();
    offenders.sort();
    assert!(
        offenders.is_empty(),
        "authhero-core must do no I/O, but its dependencies pull in:\n  {}",
        offenders.join("\n  ")
    );
    Ok(())
}

#[test]
fn every_module_starts_with_a_doc_line() -> TestResult {
    let mut offenders = Vec::new();
    for file in rust_files(&["crates", "adapters", "apps", "xtask"])? {
        let text = fs::read_to_string(workspace_root().join(&file))?;
        let first = text.lines().find(|line| !line.trim().is_empty());
        if !first.is_some_and(|line| line.starts_with("//!")) {
            offenders.push(file.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "these files must start with a `//!` line saying what the module is for:\n  {}",
        offenders.join("\n  ")
    );
    Ok(())
}

#[test]
fn no_placeholder_or_debug_macros_outside_tests() -> TestResult {
    let mut offenders = Vec::new();
    for file in rust_files(&["crates", "adapters", "apps"])? {
        if file.components().any(|part| part.as_os_str() == "tests") {
            continue;
        }
        let text = fs::read_to_string(workspace_root().join(&file))?;
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            for found in FORBIDDEN_MACROS.iter().filter(|name| line.contains(*name)) {
                offenders.push(format!("{}:{}: {found}", file.display(), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "remove these from non-test code:\n  {}",
        offenders.join("\n  ")
    );
    Ok(())
}

/// Every `.rs` file under the given top-level directories (those that exist), relative to the
/// workspace root and sorted, skipping build output and hidden directories.
fn rust_files(dirs: &[&str]) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let root = workspace_root();
    let mut pending: Vec<PathBuf> = dirs
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
        .collect();
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path.strip_prefix(&root)?.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}
