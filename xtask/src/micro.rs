//! `cargo xtask micro`: the Criterion micro-benchmarks of pure hot paths (parsing `q`, checking
//! an `/authorize` request, signing tokens), each printing Criterion's results as it runs.

use anyhow::Result;

/// Each package with its benchmark targets (`benches/<name>.rs`, `harness = false`).
const BENCHES: &[(&str, &[&str])] = &[
    ("authhero-core", &["query"]),
    ("authhero", &["authorize", "signing"]),
];

/// Runs every micro-benchmark with `criterion_args` (e.g. `--measurement-time 2`).
pub fn run(criterion_args: &[String]) -> Result<()> {
    for &(package, benches) in BENCHES {
        let mut args = vec!["bench", "--package", package];
        for &bench in benches {
            args.extend(["--bench", bench]);
        }
        args.push("--");
        args.extend(criterion_args.iter().map(String::as_str));
        crate::cargo(args)?;
    }
    Ok(())
}
