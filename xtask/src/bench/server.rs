//! The server under test: the release binary on a free loopback port, with known admin
//! credentials and a first user, timed from spawn to its first 200.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::client::Client;
use super::{ADMIN_ID, ADMIN_SECRET, USER_EMAIL, USER_PASSWORD};

/// Builds `authhero-server` with the release profile; returns the binary's path.
pub fn build_release() -> Result<PathBuf> {
    crate::cargo(["build", "--release", "--quiet", "-p", "authhero-server"])?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let binary = target.join("release").join("authhero-server");
    if !binary.exists() {
        bail!("no binary at {}", binary.display());
    }
    Ok(binary)
}

/// How a server is started.
#[derive(Debug)]
pub struct Launch<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    /// `bcrypt` or `argon2id`: how the server hashes new passwords.
    pub password_hash: &'a str,
    /// The port to listen on; a free one when `None`. A restarted server keeps its port, so
    /// the issuer and the Management API's audience stay what bootstrap named.
    pub port: Option<u16>,
}

/// The key the benchmark server seals client secrets under (32 zero bytes, base64url).
const SECRET_KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[derive(Debug)]
pub struct Server {
    child: Child,
    port: u16,
    /// From spawn to the first 200 of `/healthz`.
    pub started_in: Duration,
}

impl Server {
    pub fn start(launch: &Launch) -> Result<Server> {
        let port = match launch.port {
            Some(port) => port,
            None => free_port()?,
        };
        let started = Instant::now();
        let child = Command::new(launch.binary)
            .env("AUTHHERO_LISTEN", format!("127.0.0.1:{port}"))
            .env("AUTHHERO_ISSUER", format!("http://localhost:{port}/"))
            .env("AUTHHERO_DATABASE_URL", launch.database_url)
            .env("AUTHHERO_ADMIN_CLIENT_ID", ADMIN_ID)
            .env("AUTHHERO_ADMIN_CLIENT_SECRET", ADMIN_SECRET)
            .env("AUTHHERO_ADMIN_EMAIL", USER_EMAIL)
            .env("AUTHHERO_ADMIN_PASSWORD", USER_PASSWORD)
            .env("AUTHHERO_PASSWORD_HASH", launch.password_hash)
            // A fixed key, so a restart on the same database opens its client secrets.
            .env("AUTHHERO_SECRET_KEY", SECRET_KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", launch.binary.display()))?;
        let mut server = Server {
            child,
            port,
            started_in: Duration::ZERO,
        };
        let client = server.client();
        loop {
            if client
                .get("/healthz", None)
                .is_ok_and(|reply| reply.status == 200)
            {
                break;
            }
            if let Some(exit) = server.child.try_wait()? {
                bail!("the server exited with {exit} before answering");
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not answer within 30 s");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        server.started_in = started.elapsed();
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base_url())
    }

    pub fn management_audience(&self) -> String {
        format!("https://localhost:{}/api/v2/", self.port)
    }

    /// Resident set size of the server process, in KiB.
    pub fn resident_kib(&self) -> Result<u64> {
        self.status_kib("VmRSS:")
    }

    /// The anonymous part of it (heap, stacks), without the binary's own mapped pages.
    pub fn anonymous_kib(&self) -> Result<u64> {
        self.status_kib("RssAnon:")
    }

    fn status_kib(&self, field: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|line| line.starts_with(field))
            .with_context(|| format!("no {field}"))?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .with_context(|| format!("no {field} value"))?
            .parse()?)
    }

    /// Minor page faults the server process has taken so far (`/proc/<pid>/stat`, field 10).
    pub fn minor_faults(&self) -> Result<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let (_, fields) = stat.rsplit_once(')').context("no command name in stat")?;
        Ok(fields
            .split_whitespace()
            .nth(7)
            .context("no minflt in stat")?
            .parse()?)
    }

    /// SIGTERM, and waits for a clean exit.
    pub fn stop(mut self) -> Result<()> {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()?;
        if !status.success() {
            bail!("could not signal the server");
        }
        let exit = self.child.wait()?;
        if !exit.success() {
            bail!("the server exited with {exit}");
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
