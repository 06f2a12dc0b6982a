//! `cargo xtask`: the workspace's development tasks (`test`, `e2e`, `ci`, `bench`, `micro`,
//! `screenshots`), run through the alias in `.cargo/config.toml`.

mod bench;
mod databases;
mod e2e;
mod micro;
mod test;

use std::ffi::OsStr;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::databases::Backend;

#[derive(Debug, Parser)]
#[command(bin_name = "cargo xtask", about = "AuthHero's development tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Runs the workspace tests once and summarises the conformance suite per backend.
    ///
    /// PostgreSQL and MySQL come from AUTHHERO_TEST_POSTGRES_URL and AUTHHERO_TEST_MYSQL_URL,
    /// else from throwaway Docker containers; without either, their cases are skipped.
    Test(TestArgs),
    /// Builds authhero-server and runs the end-to-end suite in tests/e2e on it (needs Node.js).
    ///
    /// Installs the suite's npm packages with `npm ci` when node_modules is missing or older
    /// than package-lock.json, then runs `node --test` with AUTHHERO_SERVER_BIN set.
    E2e(E2eArgs),
    /// Checks formatting, runs clippy with warnings denied, `test --require postgres,mysql`,
    /// then `e2e`.
    Ci,
    /// Builds the release server, drives its hot paths with wrk beside the machine's own
    /// limits, and writes docs/benchmarks.md and docs/benchmarks.json (needs wrk).
    Bench(bench::BenchArgs),
    /// Builds authhero-server and writes docs/screenshots: every Universal Login screen in the
    /// default and a branded look, at desktop and phone widths (needs Node.js and Chromium).
    Screenshots,
    /// Runs the Criterion micro-benchmarks (parsing `q`, checking `/authorize` requests, signing
    /// tokens) and prints Criterion's results.
    Micro(MicroArgs),
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Fail unless these backends ran conformance cases (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "BACKENDS")]
    require: Vec<Backend>,
    /// Extra arguments for `cargo test` (after `--`; add another `--` for the test binaries).
    #[arg(last = true, value_name = "CARGO_TEST_ARGS")]
    cargo_args: Vec<String>,
}

#[derive(Debug, Args)]
struct E2eArgs {
    /// Extra arguments for `node --test` (after `--`), e.g. `--test-name-pattern=refresh`.
    #[arg(last = true, value_name = "NODE_TEST_ARGS")]
    node_args: Vec<String>,
}

#[derive(Debug, Args)]
struct MicroArgs {
    /// Extra arguments for Criterion (after `--`), e.g. `--warm-up-time 1 --measurement-time 2`.
    #[arg(last = true, value_name = "CRITERION_ARGS")]
    criterion_args: Vec<String>,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match cli.task {
        Task::Test(args) => runtime.block_on(test::run(&args.require, &args.cargo_args)),
        Task::E2e(args) => e2e::run(&args.node_args),
        Task::Bench(args) => bench::run(&args),
        Task::Micro(args) => micro::run(&args.criterion_args),
        Task::Screenshots => e2e::screenshots(),
        Task::Ci => {
            e2e::check_node()?;
            cargo(["fmt", "--all", "--check"])?;
            cargo([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])?;
            runtime.block_on(test::run(&[Backend::Postgres, Backend::Mysql], &[]))?;
            e2e::run(&[])
        }
    }
}

/// A `cargo` command, using the cargo that launched xtask when there is one.
fn cargo_command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cargo <args>` with the terminal attached and fails unless it succeeds.
fn cargo<I, S>(args: I) -> Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = cargo_command();
    command.args(args);
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
