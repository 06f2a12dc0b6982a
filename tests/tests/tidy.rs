//! Tidy checks over the whole workspace: `authhero-core` stays free of I/O crates, the package
//! and the layers depend on no storage adapter, the flows know no HTTP, no handler imports
//! another, every Rust module says what it is for, and no placeholder or debugging macro is
//! left in shipped code.

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

/// Adapter crates that store data themselves; every other crate under `adapters/` is a layer,
/// which wraps whatever adapter it is given and so must not depend on one.
const STORAGE_ADAPTERS: &[&str] = &["authhero-sea-orm", "authhero-diesel"];

/// The modules of `crates/authhero` the flows may use: none of them may know HTTP either.
/// (`bootstrap.rs` is not among them: it seeds the Management API with every scope the
/// registry declares, so no flow may use it; see `HTTP_MARKERS`.)
const DOMAIN_MODULES: &[&str] = &[
    "email.rs",
    "hooks.rs",
    "keys.rs",
    "markup.rs",
    "paging.rs",
    "legacy_hashes.rs",
    "passwords.rs",
    "random.rs",
    "secrets.rs",
    "state.rs",
    "tokens.rs",
];

/// What marks code as knowing HTTP: the web crates, and the package's transport modules.
const HTTP_MARKERS: &[&str] = &[
    "axum",
    "http::",
    "hyper",
    "tower",
    "cookie::",
    "crate::auth_api",
    "crate::management",
    "crate::universal_login",
    "crate::error",
    "crate::pages",
    "crate::cookies",
    "crate::respond",
    "crate::issuer",
    "crate::client_ip",
    "crate::security_headers",
    "crate::serve",
    "crate::bootstrap",
];

/// The three HTTP parts over the flows, and the helper modules their handlers may import.
const PARTS: &[(&str, &[&str])] = &[
    ("auth_api", &["form", "client_auth"]),
    (
        "management",
        &[
            "audit",
            "auth",
            "body",
            "fields",
            "ids",
            "listing",
            "openapi",
            "patch",
            "permissions",
            "registry",
            "resource",
        ],
    ),
    (
        "universal_login",
        &[
            "credentials",
            "login_screen",
            "password_words",
            "result_url",
            "ticket_look",
            "transaction",
        ],
    ),
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

/// `cargo metadata` for the workspace.
fn metadata() -> Result<Value, Box<dyn Error>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(workspace_root().join("Cargo.toml"))
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The names of a package's normal (not dev, not build) dependencies.
fn normal_dependencies(package: &Value) -> Vec<String> {
    package["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|dependency| dependency["kind"].is_null())
        .filter_map(|dependency| dependency["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_package_and_the_layers_depend_on_no_storage_adapter() -> TestResult {
    let metadata = metadata()?;
    let packages: Vec<&Value> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let under_adapters = |package: &Value| {
        package["manifest_path"]
            .as_str()
            .is_some_and(|path| path.contains("/adapters/"))
    };
    let adapters: Vec<&str> = packages
        .iter()
        .filter(|package| under_adapters(package))
        .filter_map(|package| package["name"].as_str())
        .collect();
    let mut offenders = Vec::new();
    for package in &packages {
        let name = package["name"].as_str().unwrap_or_default();
        let forbidden: &[&str] = if name == "authhero" {
            // The package users mount runs on whatever adapter the application gives it.
            &adapters
        } else if under_adapters(package) && !STORAGE_ADAPTERS.contains(&name) {
            STORAGE_ADAPTERS
        } else {
            continue;
        };
        for dependency in normal_dependencies(package) {
            if forbidden.contains(&dependency.as_str()) {
                offenders.push(format!("{name} -> {dependency}"));
            }
        }
    }
    assert!(
        !adapters.is_empty(),
        "no crate found under adapters/: the check would prove nothing"
    );
    assert!(
        offenders.is_empty(),
        "only apps (and dev-dependencies) may pick a storage adapter:\n  {}",
        offenders.join("\n  ")
    );
    Ok(())
}

/// The lines of `text` before its unit tests, without comments.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, line)| !line.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
}

#[test]
fn the_flows_know_no_http() -> TestResult {
    let source = Path::new("crates/authhero/src");
    // The flows' own unit tests may bootstrap a database, as any test does.
    let mut files: Vec<PathBuf> = rust_files(&["crates/authhero/src/flows"])?
        .into_iter()
        .filter(|file| file.file_name().is_none_or(|name| name != "tests.rs"))
        .collect();
    assert!(
        !files.is_empty(),
        "no flows found: the check would prove nothing"
    );
    files.extend(DOMAIN_MODULES.iter().map(|module| source.join(module)));
    let mut offenders = Vec::new();
    for file in files {
        let text = fs::read_to_string(workspace_root().join(&file))?;
        for (number, line) in code_lines(&text) {
            for marker in HTTP_MARKERS.iter().filter(|marker| line.contains(*marker)) {
                offenders.push(format!("{}:{}: {marker}", file.display(), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "flows (and the modules they use) must not know HTTP:\n  {}",
        offenders.join("\n  ")
    );
    Ok(())
}

#[test]
fn no_handler_imports_another_handler() -> TestResult {
    let mut offenders = Vec::new();
    for (part, helpers) in PARTS {
        let files = rust_files(&[&format!("crates/authhero/src/{part}")])?;
        assert!(
            !files.is_empty(),
            "no files in {part}: the check would prove nothing"
        );
        for file in files {
            let text = fs::read_to_string(workspace_root().join(&file))?;
            let is_root = file.file_name().is_some_and(|name| name == "mod.rs");
            for (number, line) in code_lines(&text) {
                let mut rest = line;
                while let Some(at) = rest.find("super::") {
                    rest = &rest[at + "super::".len()..];
                    let module: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !is_root && !module.is_empty() && !helpers.contains(&module.as_str()) {
                        offenders.push(format!(
                            "{}:{}: super::{module}",
                            file.display(),
                            number + 1
                        ));
                    }
                }
                for (other, _) in PARTS.iter().filter(|(other, _)| other != part) {
                    if line.contains(&format!("crate::{other}")) {
                        offenders.push(format!(
                            "{}:{}: crate::{other}",
                            file.display(),
                            number + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "handlers may import only their part's helpers, never another handler or part:\n  {}",
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

/// Markup that, in a string in Rust, would be page or email text kept out of the templates.
/// (`<style` is left out: the tenant's page template has its inline styles stamped with the
/// page's nonce.)
const MARKUP: &[&str] = &[
    "<!doctype",
    "<html",
    "<body",
    "<h1",
    "<h2",
    "<p>",
    "<p ",
    "<a ",
    "<form",
    "<input",
    "<label",
    "<button",
    "<div",
    "<span",
    "<script",
    "<title",
];

#[test]
fn page_and_email_text_lives_in_templates() -> TestResult {
    let mut offenders = Vec::new();
    // What renders pages and emails (the conformance suite's fixtures are data, not pages).
    let files = rust_files(&["crates/authhero/src", "apps/authhero-server/src"])?;
    assert!(
        files.len() > 50,
        "only {} files: the check would prove nothing",
        files.len()
    );
    for file in files {
        let text = fs::read_to_string(workspace_root().join(&file))?;
        for (number, line) in code_lines(&text) {
            for tag in MARKUP {
                // Only inside a string: after an odd number of quotes on the line.
                let in_string = line
                    .to_ascii_lowercase()
                    .match_indices(tag)
                    .any(|(at, _)| line[..at].matches('"').count() % 2 == 1);
                if in_string {
                    offenders.push(format!("{}:{}: {tag}", file.display(), number + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "pages and emails are templates (crates/authhero/templates) with their words in the \
         catalogues (crates/authhero/locales), never strings in Rust:\n  {}",
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
