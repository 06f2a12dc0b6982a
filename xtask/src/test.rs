//! `cargo xtask test`: one `cargo test --workspace` run against every database server available,
//! streamed to the terminal and tallied per backend of the conformance suite.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

use crate::databases::{Backend, Databases};

/// Runs the workspace tests and fails if they fail, if a backend with a database ran no
/// conformance case, or if a backend in `require` did not run.
pub async fn run(require: &[Backend], cargo_args: &[String]) -> Result<()> {
    let databases = Databases::provision().await?;
    let mut command = crate::cargo_command();
    command.args(["test", "--workspace"]).args(cargo_args);
    for (var, url) in databases.env() {
        match url {
            Some(url) => command.env(var, url),
            None => command.env_remove(var),
        };
    }
    let outcome = tokio::task::spawn_blocking(move || run_streaming(command)).await;
    let available = Backend::ALL.map(|backend| databases.available(backend));
    databases.remove().await;
    let (status, tallies) = outcome.context("the cargo test runner stopped unexpectedly")??;
    let tally = tallies.get("").copied().unwrap_or_default();

    let mut summary = Vec::new();
    let mut problems = Vec::new();
    if !status.success() {
        problems.push(format!("cargo test failed ({status})"));
    }
    for ((backend, available), counts) in Backend::ALL.into_iter().zip(available).zip(tally) {
        let name = backend.name();
        if !available {
            summary.push(format!("{name} skipped (no database)"));
            if require.contains(&backend) {
                problems.push(format!("{name} is required but had no database"));
            }
            continue;
        }
        let mut line = format!("{name} {} passed", counts.passed);
        if counts.failed > 0 {
            line.push_str(&format!(" ({} failed)", counts.failed));
        }
        summary.push(line);
        if counts.passed + counts.failed == 0 {
            problems.push(format!("{name} had a database but ran no conformance case"));
        }
    }
    println!("conformance suite: {}", summary.join(", "));
    let mut layers = Vec::new();
    for (layer, counts) in tallies.iter().filter(|(layer, _)| !layer.is_empty()) {
        let per_backend: Vec<String> = counts.iter().map(|c| c.passed.to_string()).collect();
        layers.push(format!("{layer} {}", per_backend.join("/")));
        for ((backend, available), counts) in Backend::ALL.into_iter().zip(available).zip(counts) {
            if available && counts.passed + counts.failed == 0 {
                problems.push(format!(
                    "{layer} ran no conformance case on {}",
                    backend.name()
                ));
            }
            if counts.failed > 0 {
                problems.push(format!(
                    "{layer} failed {} cases on {}",
                    counts.failed,
                    backend.name()
                ));
            }
        }
    }
    println!(
        "conformance suite through layers (passed on sqlite/postgres/mysql): {}",
        layers.join(", ")
    );
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    Ok(())
}

/// Conformance cases of one backend that passed and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    passed: usize,
    failed: usize,
}

/// The conformance cases run per layer stack ("" for a store on its own, else the layer's
/// module such as "cached"), each in [`Backend::ALL`] order.
type Tallies = BTreeMap<String, [Counts; 3]>;

/// Runs `command`, copying its stdout to ours line by line while tallying the conformance cases
/// it reports. Its stderr goes straight to ours.
fn run_streaming(mut command: Command) -> Result<(ExitStatus, Tallies)> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {command:?}"))?;
    let mut tallies = Tallies::new();
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut terminal = std::io::stdout();
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line)? > 0 {
            terminal.write_all(&line)?;
            terminal.flush()?;
            if let Some((layer, backend, passed)) = parse_result(&String::from_utf8_lossy(&line)) {
                let counts = &mut tallies.entry(layer).or_default()[backend as usize];
                if passed {
                    counts.passed += 1;
                } else {
                    counts.failed += 1;
                }
            }
            line.clear();
        }
    }
    let status = child.wait().context("cannot wait for cargo test")?;
    Ok((status, tallies))
}

/// Reads a libtest result line such as `test sqlite::users_round_trip ... ok` or, through a
/// layer, `test cached::mysql::users_round_trip ... ok` (the modules
/// `conformance_on_every_backend!` makes): the layer stack ("" for none), the backend and
/// whether the case passed. Other lines, other tests and ignored cases give `None`.
fn parse_result(line: &str) -> Option<(String, Backend, bool)> {
    let (name, result) = line.trim_end().strip_prefix("test ")?.split_once(" ... ")?;
    let backend_named = |module: &str| {
        Backend::ALL
            .into_iter()
            .find(|backend| backend.name() == module)
    };
    let mut modules = name.split("::");
    let first = modules.next()?;
    let second = modules.next()?;
    let (layer, backend) = match backend_named(first) {
        Some(backend) => (String::new(), backend),
        None => {
            modules.next()?;
            (first.to_owned(), backend_named(second)?)
        }
    };
    match result {
        "ok" => Some((layer, backend, true)),
        "FAILED" => Some((layer, backend, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_conformance_results() {
        assert_eq!(
            parse_result("test sqlite::users_round_trip ... ok\n"),
            Some((String::new(), Backend::Sqlite, true))
        );
        assert_eq!(
            parse_result("test mysql::roles_paginate ... FAILED"),
            Some((String::new(), Backend::Mysql, false))
        );
        assert_eq!(
            parse_result("test postgres::a::b ... ok"),
            Some((String::new(), Backend::Postgres, true))
        );
        assert_eq!(
            parse_result("test failing_primary::postgres::a ... ok"),
            Some(("failing_primary".into(), Backend::Postgres, true))
        );
    }

    #[test]
    fn ignores_everything_else() {
        assert_eq!(parse_result("test postgres::slow ... ignored"), None);
        assert_eq!(parse_result("test query::parses ... ok"), None);
        assert_eq!(parse_result("test sqlite ... ok"), None);
        assert_eq!(parse_result("test mysqlite::a ... ok"), None);
        assert_eq!(parse_result("test cached::sqlite ... ok"), None);
        assert_eq!(
            parse_result("test lazy_migration::local_users ... ok"),
            None
        );
        assert_eq!(parse_result("running 57 tests"), None);
        assert_eq!(parse_result("test result: ok. 57 passed; 0 failed"), None);
    }
}
