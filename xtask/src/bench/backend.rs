//! The database a bench run uses: a fresh SQLite file, or a freshly created database on the
//! PostgreSQL or MySQL server named by AUTHHERO_BENCH_POSTGRES_URL / AUTHHERO_BENCH_MYSQL_URL
//! (defaults: the local servers), made empty with their own command-line clients.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use ureq::http::Uri;

/// The database the bench creates and drops on the PostgreSQL and MySQL servers.
const BENCH_DATABASE: &str = "authhero_bench";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The URL of an empty database for the server.
    pub fn fresh_database(self) -> Result<String> {
        match self {
            Backend::Sqlite => {
                let folder =
                    std::env::temp_dir().join(format!("authhero-bench-{}", std::process::id()));
                std::fs::create_dir_all(&folder)
                    .with_context(|| format!("creating {}", folder.display()))?;
                let path: PathBuf = folder.join("bench.db");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                Ok(path.display().to_string())
            }
            Backend::Postgres => {
                let server = server_url(
                    "AUTHHERO_BENCH_POSTGRES_URL",
                    "postgres://postgres@127.0.0.1:5432/test",
                );
                run(Command::new("psql").args([
                    server.as_str(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {BENCH_DATABASE}"),
                    "-c",
                    &format!("CREATE DATABASE {BENCH_DATABASE}"),
                ]))?;
                Ok(with_database(&server, BENCH_DATABASE))
            }
            Backend::Mysql => {
                let server = server_url(
                    "AUTHHERO_BENCH_MYSQL_URL",
                    "mysql://root@127.0.0.1:3306/test",
                );
                let uri: Uri = server.parse()?;
                let authority = uri.authority().context("no host in the MySQL URL")?;
                let user = authority
                    .as_str()
                    .split_once('@')
                    .map(|(credentials, _)| credentials.split(':').next().unwrap_or("root"))
                    .unwrap_or("root");
                run(Command::new("mysql").args([
                    &format!("--host={}", authority.host()),
                    &format!("--port={}", authority.port_u16().unwrap_or(3306)),
                    &format!("--user={user}"),
                    "-e",
                    &format!(
                        "DROP DATABASE IF EXISTS {BENCH_DATABASE}; CREATE DATABASE {BENCH_DATABASE}"
                    ),
                ]))?;
                Ok(with_database(&server, BENCH_DATABASE))
            }
        }
    }
}

impl Backend {
    /// After the bulk load, what an operator runs before serving: on PostgreSQL a `VACUUM
    /// ANALYZE`, so that the reads are planned on the loaded table and do not share the disk
    /// with autovacuum's first pass over a million new rows. SQLite and MySQL need nothing.
    pub fn settle(self, database_url: &str) -> Result<()> {
        match self {
            Backend::Postgres => {
                run(Command::new("psql").args([database_url, "-q", "-c", "VACUUM ANALYZE"]))
            }
            Backend::Sqlite | Backend::Mysql => Ok(()),
        }
    }
}

fn server_url(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_owned())
}

/// `url` with its database (the last path segment) replaced.
fn with_database(url: &str, database: &str) -> String {
    match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{database}"),
        None => format!("{url}/{database}"),
    }
}

fn run(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?} (is its client installed?)"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_the_last_path_segment() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
    }
}
