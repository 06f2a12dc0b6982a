//! `cargo xtask e2e`: builds `authhero-server` and runs the black-box suite in `tests/e2e` on it
//! with Node's test runner, driving the real binary with unmodified public client libraries.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};

/// The oldest Node.js major version the suite runs on (`node:test`, `Headers.getSetCookie`).
const MIN_NODE_MAJOR: u32 = 20;

/// Builds the server, installs the suite's npm packages when needed, and runs `node --test`
/// with `node_args` appended (e.g. `--test-name-pattern=refresh`).
pub fn run(node_args: &[String]) -> Result<()> {
    let started = Instant::now();
    let (suite, server) = prepare()?;
    let schemathesis = install_schemathesis(&suite)?;
    let mut node = Command::new("node");
    node.arg("--test")
        .arg("--test-reporter=spec")
        .args(node_args)
        .current_dir(&suite)
        .env("AUTHHERO_SERVER_BIN", &server)
        .env("SCHEMATHESIS_BIN", &schemathesis);
    let outcome = run_checked(node, "the end-to-end suite");
    println!(
        "end-to-end suite: {} in {:.1} s",
        if outcome.is_ok() { "passed" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    outcome
}

/// The suite's directory and the server binary, built, with the suite's npm packages installed.
fn prepare() -> Result<(PathBuf, PathBuf)> {
    check_node()?;
    let suite = suite_dir()?;
    let server = build_server()?;
    if needs_install(&suite) {
        let mut install = Command::new(npm());
        install.arg("ci").current_dir(&suite);
        run_checked(install, "npm ci")?;
    }
    Ok((suite, server))
}

/// Writes docs/screenshots: every login screen, default and branded, desktop and phone.
pub fn screenshots() -> Result<()> {
    let (suite, server) = prepare()?;
    let out = suite
        .parent()
        .and_then(Path::parent)
        .context("tests/e2e is not inside the workspace")?
        .join("docs")
        .join("screenshots");
    let mut node = Command::new("node");
    node.arg("screenshots.js")
        .arg(&out)
        .current_dir(&suite)
        .env("AUTHHERO_SERVER_BIN", &server);
    run_checked(node, "the screenshots")
}

/// `tests/e2e` in the workspace.
fn suite_dir() -> Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask is not inside the workspace")?;
    let suite = workspace.join("tests").join("e2e");
    if !suite.join("package.json").is_file() {
        bail!("{} has no package.json", suite.display());
    }
    Ok(suite)
}

/// Fails with a clear message unless a recent enough `node` is on the PATH.
pub fn check_node() -> Result<()> {
    let missing = || {
        format!(
            "Node.js {MIN_NODE_MAJOR} or later is needed for the end-to-end suite, but `node` was not found on the PATH (install it from https://nodejs.org or your package manager)"
        )
    };
    let output = match Command::new("node").arg("--version").output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(missing()),
        Err(error) => return Err(error).context(missing()),
    };
    if !output.status.success() {
        bail!(missing());
    }
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .with_context(|| format!("cannot read the Node.js version {version:?}"))?;
    if major < MIN_NODE_MAJOR {
        bail!("the end-to-end suite needs Node.js {MIN_NODE_MAJOR} or later; `node` is {version}");
    }
    Ok(())
}

/// The schemathesis version the OpenAPI run uses (PyPI).
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// schemathesis's `st`, installed into a virtual environment beside the suite's packages
/// (`tests/e2e/.venv`) the first time, or when the pinned version changes.
fn install_schemathesis(suite: &Path) -> Result<PathBuf> {
    let venv = suite.join(".venv");
    let bin = venv.join("bin");
    let st = bin.join("st");
    let marker = venv.join(format!("schemathesis-{SCHEMATHESIS_VERSION}"));
    if st.is_file() && marker.is_file() {
        return Ok(st);
    }
    let mut create = Command::new("python3");
    create.args(["-m", "venv"]).arg(&venv);
    run_checked(
        create,
        "creating the schemathesis virtual environment (needs python3-venv)",
    )?;
    let mut install = Command::new(bin.join("pip"));
    install.args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]);
    run_checked(install, "pip install schemathesis")?;
    std::fs::write(&marker, b"").with_context(|| format!("writing {}", marker.display()))?;
    Ok(st)
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// True when `node_modules` is missing or older than `package-lock.json`. npm records each
/// install in `node_modules/.package-lock.json`, so that file's age is the install's.
fn needs_install(suite: &Path) -> bool {
    let modified = |path: PathBuf| -> Option<SystemTime> { path.metadata().ok()?.modified().ok() };
    let installed = modified(suite.join("node_modules").join(".package-lock.json"));
    let locked = modified(suite.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) => locked > installed,
        _ => true,
    }
}

/// `cargo build -p authhero-server` (debug profile); returns the executable cargo reports.
fn build_server() -> Result<PathBuf> {
    let mut command = crate::cargo_command();
    command
        .args([
            "build",
            "--package",
            "authhero-server",
            "--bin",
            "authhero-server",
            "--message-format=json-render-diagnostics",
        ])
        .stdout(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run {command:?}"))?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading cargo's build messages")?;
            if let Some(path) = artifact_executable(&line, "authhero-server") {
                executable = Some(PathBuf::from(path));
            }
        }
    }
    let status = child.wait().context("cannot wait for cargo build")?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    executable.context("cargo built authhero-server but reported no executable")
}

/// The `executable` of a cargo `compiler-artifact` message for the binary target `name`.
fn artifact_executable(line: &str, name: &str) -> Option<String> {
    if !line.contains(r#""reason":"compiler-artifact""#)
        || !line.contains(&format!(r#""name":"{name}""#))
        || !line.contains(r#""kind":["bin"]"#)
    {
        return None;
    }
    let start = line.find(r#""executable":""#)? + r#""executable":""#.len();
    let mut path = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(path),
            '\\' => match chars.next()? {
                'n' => path.push('\n'),
                't' => path.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    path.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => path.push(other),
            },
            c => path.push(c),
        }
    }
    None
}

/// Runs `command` with the terminal attached and fails unless it succeeds.
fn run_checked(mut command: Command, what: &str) -> Result<()> {
    let program = command.get_program().to_owned();
    let status = command.status().with_context(|| {
        format!(
            "cannot run {} for {what}",
            Path::new(&program)
                .file_name()
                .unwrap_or(OsStr::new("?"))
                .to_string_lossy()
        )
    })?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_server_executable() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/apps/authhero-server#0.1.0","target":{"kind":["bin"],"crate_types":["bin"],"name":"authhero-server","src_path":"/w/apps/authhero-server/src/main.rs"},"executable":"/w/target/debug/authhero-server","fresh":true}"#;
        assert_eq!(
            artifact_executable(line, "authhero-server").as_deref(),
            Some("/w/target/debug/authhero-server")
        );
        let windows = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"authhero-server"},"executable":"C:\\w\\target\\debug\\authhero-server.exe"}"#;
        assert_eq!(
            artifact_executable(windows, "authhero-server").as_deref(),
            Some(r"C:\w\target\debug\authhero-server.exe")
        );
    }

    #[test]
    fn ignores_other_messages() {
        let library = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"authhero"},"executable":null}"#;
        assert_eq!(artifact_executable(library, "authhero-server"), None);
        let other = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"xtask"},"executable":"/w/target/debug/xtask"}"#;
        assert_eq!(artifact_executable(other, "authhero-server"), None);
        assert_eq!(
            artifact_executable(
                r#"{"reason":"build-finished","success":true}"#,
                "authhero-server"
            ),
            None
        );
    }
}
