//! `cargo xtask bench`: builds the release server, starts it on a fresh database, drives each
//! hot path with wrk from a second process, measures the limit each figure is bounded by on the
//! same machine in the same run, and writes `docs/benchmarks.md` and `docs/benchmarks.json`.

mod limits;
mod load;
mod report;
mod server;

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use self::load::{Request, Wrk};
use self::report::{Figure, Report};
use self::server::Server;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds each load workload runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds each limit measurement runs.
    #[arg(long, default_value_t = 3)]
    limit_seconds: u64,
}

const ADMIN_ID: &str = "bench-admin";
const ADMIN_SECRET: &str = "bench-admin-secret";
const USER_EMAIL: &str = "bench@example.com";
const USER_PASSWORD: &str = "bench password 1";

pub fn run(args: &BenchArgs) -> Result<()> {
    let wrk = Wrk::find()?;
    let binary = server::build_release()?;
    let workload = Duration::from_secs(args.seconds);
    let limit_time = Duration::from_secs(args.limit_seconds);
    let mut report = Report::new(&format!(
        "cargo xtask bench --seconds {} --limit-seconds {}",
        args.seconds, args.limit_seconds
    ));

    let rsa = limits::rsa_signatures_per_second(limit_time)?;
    let bcrypt = limits::bcrypt_verifications_per_second(limit_time)?;

    let database = tempfile_path("bench.db")?;
    let first = Server::start(&binary, &database)?;
    report.absolute(
        "first start on an empty database, to first 200",
        first.started_in.as_secs_f64() * 1000.0,
        "ms",
    );
    let idle_rss = first.resident_kib()?;
    report.absolute("resident memory, idle", idle_rss as f64 / 1024.0, "MiB");

    let base = first.base_url();
    let token_body = format!(
        "grant_type=client_credentials&client_id={ADMIN_ID}&client_secret={ADMIN_SECRET}&audience={}",
        urlencode(&first.management_audience())
    );
    let healthz = wrk.run(&Request::get(&format!("{base}healthz")), workload)?;
    let jwks = wrk.run(
        &Request::get(&format!("{base}.well-known/jwks.json")),
        workload,
    )?;
    let discovery = wrk.run(
        &Request::get(&format!("{base}.well-known/openid-configuration")),
        workload,
    )?;
    let client_credentials = wrk.run(
        &Request::post_form(&format!("{base}oauth/token"), &token_body),
        workload,
    )?;
    let user_token = first.user_access_token(USER_EMAIL, USER_PASSWORD)?;
    let userinfo = wrk.run(
        &Request::get(&format!("{base}userinfo")).bearer(&user_token),
        workload,
    )?;

    report.bounded(
        Figure::new(
            "client_credentials tokens/s, RS256",
            client_credentials.requests_per_second,
        ),
        "RSA-2048 signatures/s, all cores",
        rsa,
    );
    report.bounded(
        Figure::new("JWKS requests/s", jwks.requests_per_second),
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    report.bounded(
        Figure::new("discovery requests/s", discovery.requests_per_second),
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    report.bounded(
        Figure::new("userinfo requests/s", userinfo.requests_per_second),
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    report.limit("bcrypt (cost 10) verifications/s, all cores", bcrypt);
    report.latency("client_credentials", &client_credentials);
    report.latency("userinfo", &userinfo);

    let after_rss = first.resident_kib()?;
    report.absolute(
        "resident memory, after the run",
        after_rss as f64 / 1024.0,
        "MiB",
    );
    first.stop()?;

    let again = Server::start(&binary, &database)?;
    report.absolute(
        "start on an existing database, to first 200",
        again.started_in.as_secs_f64() * 1000.0,
        "ms",
    );
    again.stop()?;

    report.write().context("writing docs/benchmarks.md")?;
    Ok(())
}

/// A path in a fresh temporary folder.
fn tempfile_path(name: &str) -> Result<std::path::PathBuf> {
    let folder = std::env::temp_dir().join(format!("authhero-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let path = folder.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(path)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
