//! The benchmark report: every figure beside the limit it is bounded by and their ratio, written
//! as `docs/benchmarks.md` (for people) and `docs/benchmarks.json` (for tools).

use std::fmt::Write as _;
use std::process::Command;

use anyhow::Result;
use serde_json::{Value, json};

use super::load::Outcome;

/// What profiling found, kept beside the code and appended to every report.
const FINDINGS: &str = include_str!("findings.md");

/// A measured throughput.
#[derive(Debug)]
pub struct Figure {
    name: String,
    value: f64,
}

impl Figure {
    pub fn new(name: &str, value: f64) -> Self {
        Self {
            name: name.to_owned(),
            value,
        }
    }
}

#[derive(Debug)]
enum Row {
    Bounded {
        figure: Figure,
        bound: String,
        bound_value: f64,
    },
    Limit {
        name: String,
        value: f64,
    },
    Absolute {
        name: String,
        value: f64,
        unit: String,
    },
    Latency {
        name: String,
        p50_ms: f64,
        p99_ms: f64,
    },
}

#[derive(Debug)]
pub struct Report {
    command: String,
    rows: Vec<Row>,
}

impl Report {
    pub fn new(command: &str) -> Self {
        Self {
            command: command.to_owned(),
            rows: Vec::new(),
        }
    }

    pub fn bounded(&mut self, figure: Figure, bound: &str, bound_value: f64) {
        println!(
            "{:<45} {:>10.0}/s  bound {:>10.0}/s ({bound})  ratio {:.2}",
            figure.name,
            figure.value,
            bound_value,
            figure.value / bound_value
        );
        self.rows.push(Row::Bounded {
            figure,
            bound: bound.to_owned(),
            bound_value,
        });
    }

    pub fn limit(&mut self, name: &str, value: f64) {
        println!("{name:<45} {value:>10.0}/s");
        self.rows.push(Row::Limit {
            name: name.to_owned(),
            value,
        });
    }

    pub fn absolute(&mut self, name: &str, value: f64, unit: &str) {
        println!("{name:<45} {value:>10.1} {unit}");
        self.rows.push(Row::Absolute {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
        });
    }

    pub fn latency(&mut self, name: &str, outcome: &Outcome) {
        println!(
            "{name:<45} p50 {:.2} ms  p99 {:.2} ms",
            outcome.p50_ms, outcome.p99_ms
        );
        self.rows.push(Row::Latency {
            name: name.to_owned(),
            p50_ms: outcome.p50_ms,
            p99_ms: outcome.p99_ms,
        });
    }

    pub fn write(&self) -> Result<()> {
        let machine = machine();
        let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
        let mut markdown = String::from("# Benchmarks\n\n");
        writeln!(markdown, "Measured by `{}` on {date}.\n", self.command)?;
        writeln!(
            markdown,
            "Machine: {machine}. The load generator (wrk, one thread, 32 connections) runs on the same machine, so every limit below is measured in the same run on the same cores.\n"
        )?;
        markdown.push_str(
            "| workload | measured | bounded by | limit | ratio |\n|---|---:|---|---:|---:|\n",
        );
        let mut figures = Vec::new();
        for row in &self.rows {
            match row {
                Row::Bounded {
                    figure,
                    bound,
                    bound_value,
                } => {
                    let ratio = figure.value / bound_value;
                    writeln!(
                        markdown,
                        "| {} | {:.0}/s | {bound} | {bound_value:.0}/s | {ratio:.2} |",
                        figure.name, figure.value
                    )?;
                    figures.push(json!({ "workload": figure.name, "per_second": figure.value, "bound": bound, "bound_per_second": bound_value, "ratio": ratio }));
                }
                Row::Limit { name, value } => {
                    writeln!(markdown, "| {name} | {value:.0}/s | (limit) | | |")?;
                    figures.push(json!({ "limit": name, "per_second": value }));
                }
                Row::Absolute { name, value, unit } => {
                    writeln!(markdown, "| {name} | {value:.1} {unit} | (absolute) | | |")?;
                    figures.push(json!({ "measure": name, "value": value, "unit": unit }));
                }
                Row::Latency {
                    name,
                    p50_ms,
                    p99_ms,
                } => {
                    writeln!(
                        markdown,
                        "| {name} latency | p50 {p50_ms:.2} ms, p99 {p99_ms:.2} ms | (absolute) | | |"
                    )?;
                    figures.push(json!({ "latency": name, "p50_ms": p50_ms, "p99_ms": p99_ms }));
                }
            }
        }
        markdown.push('\n');
        markdown.push_str(FINDINGS);
        std::fs::write("docs/benchmarks.md", markdown)?;
        let document: Value = json!({ "command": self.command, "date": date, "machine": machine, "figures": figures });
        std::fs::write(
            "docs/benchmarks.json",
            serde_json::to_string_pretty(&document)? + "\n",
        )?;
        println!("wrote docs/benchmarks.md and docs/benchmarks.json");
        Ok(())
    }
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
