//! The benchmark report: every figure beside the limit it is bounded by and their ratio. Each
//! run writes `docs/benchmarks/<backend>.json` (for tools); `docs/benchmarks.md` (for people) is
//! then rendered from every backend's latest file, so runs on different backends add up.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::load::Outcome;

/// What profiling found, kept beside the code and appended to every report.
const FINDINGS: &str = include_str!("findings.md");
/// The backends in the order their sections appear.
const BACKENDS: [&str; 3] = ["sqlite", "postgres", "mysql"];

#[derive(Debug)]
pub struct Report {
    command: String,
    backend: &'static str,
    rows: Vec<Value>,
}

impl Report {
    pub fn new(command: &str, backend: &'static str) -> Self {
        Self {
            command: command.to_owned(),
            backend,
            rows: Vec::new(),
        }
    }

    /// A throughput beside the limit it is bounded by.
    pub fn bounded(&mut self, name: &str, value: f64, bound: &str, bound_value: f64) {
        let ratio = value / bound_value;
        println!(
            "{name:<50} {value:>9.0}/s  bound {bound_value:>9.0}/s ({bound})  ratio {ratio:.2}"
        );
        self.rows.push(
            json!({ "workload": name, "per_second": value, "bound": bound,
            "bound_per_second": bound_value, "ratio": ratio }),
        );
    }

    pub fn absolute(&mut self, name: &str, value: f64, unit: &str) {
        println!("{name:<50} {value:>9.1} {unit}");
        self.rows
            .push(json!({ "measure": name, "value": value, "unit": unit }));
    }

    pub fn latency(&mut self, name: &str, outcome: &Outcome) {
        println!(
            "{name:<50} p50 {:.2} ms  p99 {:.2} ms",
            outcome.p50_ms, outcome.p99_ms
        );
        self.rows
            .push(json!({ "latency": name, "p50_ms": outcome.p50_ms, "p99_ms": outcome.p99_ms }));
    }

    /// Writes this run's JSON, then renders the Markdown from every backend's latest run.
    pub fn write(&self) -> Result<()> {
        let document = json!({
            "command": self.command,
            "backend": self.backend,
            "date": command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            "machine": machine(),
            "figures": self.rows,
        });
        std::fs::create_dir_all("docs/benchmarks")?;
        let path = format!("docs/benchmarks/{}.json", self.backend);
        std::fs::write(&path, serde_json::to_string_pretty(&document)? + "\n")?;
        let mut markdown = String::from("# Benchmarks\n\n");
        markdown.push_str(
            "Written by `cargo xtask bench`. The load generators (wrk with one thread and 32 \
             connections; the flow workers in xtask) run on the same machine as the server, so \
             every limit is measured in the same run on the same cores. Each backend's section \
             is its latest run; the figures are also in `docs/benchmarks/<backend>.json`. \
             Micro-benchmarks (token signing and verification, `q` parsing, `/authorize` \
             checks) are Criterion's: `cargo xtask micro`.\n",
        );
        for backend in BACKENDS {
            let path = format!("docs/benchmarks/{backend}.json");
            if !Path::new(&path).exists() {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let run: Value =
                serde_json::from_str(&text).with_context(|| format!("reading {path}"))?;
            section(&mut markdown, backend, &run)?;
        }
        markdown.push('\n');
        markdown.push_str(FINDINGS);
        std::fs::write("docs/benchmarks.md", markdown)?;
        println!("wrote {path} and docs/benchmarks.md");
        Ok(())
    }
}

/// One backend's table.
fn section(markdown: &mut String, backend: &str, run: &Value) -> Result<()> {
    let text = |key: &str| run[key].as_str().unwrap_or("?").to_owned();
    writeln!(markdown, "\n## {backend}\n")?;
    writeln!(
        markdown,
        "`{}` on {}; {}.\n",
        text("command"),
        text("date"),
        text("machine")
    )?;
    markdown.push_str(
        "| workload | measured | bounded by | limit | ratio |\n|---|---:|---|---:|---:|\n",
    );
    let number = |row: &Value, key: &str| row[key].as_f64().unwrap_or(f64::NAN);
    for row in run["figures"].as_array().into_iter().flatten() {
        if let Some(name) = row["workload"].as_str() {
            writeln!(
                markdown,
                "| {name} | {:.0}/s | {} | {:.0}/s | {:.2} |",
                number(row, "per_second"),
                row["bound"].as_str().unwrap_or("?"),
                number(row, "bound_per_second"),
                number(row, "ratio")
            )?;
        } else if let Some(name) = row["measure"].as_str() {
            writeln!(
                markdown,
                "| {name} | {:.1} {} | (absolute) | | |",
                number(row, "value"),
                row["unit"].as_str().unwrap_or("")
            )?;
        } else if let Some(name) = row["latency"].as_str() {
            writeln!(
                markdown,
                "| {name} latency | p50 {:.2} ms, p99 {:.2} ms | (absolute) | | |",
                number(row, "p50_ms"),
                number(row, "p99_ms")
            )?;
        }
    }
    Ok(())
}

/// Cores and CPU model, from the OS.
fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default()
}
