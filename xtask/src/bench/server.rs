//! The server under test: the release binary on a free loopback port, with known admin
//! credentials and a first user, timed from spawn to its first 200.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{ADMIN_ID, ADMIN_SECRET, USER_EMAIL, USER_PASSWORD, urlencode};

const FORM: &str = "application/x-www-form-urlencoded";

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

#[derive(Debug)]
pub struct Server {
    child: Child,
    port: u16,
    /// From spawn to the first 200 of `/healthz`.
    pub started_in: Duration,
}

impl Server {
    pub fn start(binary: &Path, database: &Path) -> Result<Server> {
        let port = free_port()?;
        let started = Instant::now();
        let child = Command::new(binary)
            .env("AUTHHERO_LISTEN", format!("127.0.0.1:{port}"))
            .env("AUTHHERO_ISSUER", format!("http://localhost:{port}/"))
            .env("AUTHHERO_DATABASE_URL", database)
            .env("AUTHHERO_ADMIN_CLIENT_ID", ADMIN_ID)
            .env("AUTHHERO_ADMIN_CLIENT_SECRET", ADMIN_SECRET)
            .env("AUTHHERO_ADMIN_EMAIL", USER_EMAIL)
            .env("AUTHHERO_ADMIN_PASSWORD", USER_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Server {
            child,
            port,
            started_in: Duration::ZERO,
        };
        loop {
            if let Ok((200, _)) = server.http("GET", "/healthz", None, None, None) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not answer within 30 s");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        server.started_in = started.elapsed();
        Ok(server)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn management_audience(&self) -> String {
        format!("https://localhost:{}/api/v2/", self.port)
    }

    /// Resident set size of the server process, in KiB.
    pub fn resident_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .context("no VmRSS")?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .context("no VmRSS value")?
            .parse()?)
    }

    /// An access token for the first user, valid at `/userinfo`: from the password grant of an
    /// application created through the Management API for the purpose.
    pub fn user_access_token(&self, email: &str, password: &str) -> Result<String> {
        let token_request = format!(
            "grant_type=client_credentials&client_id={ADMIN_ID}&client_secret={ADMIN_SECRET}&audience={}",
            urlencode(&self.management_audience())
        );
        let management = self.json("POST", "/oauth/token", FORM, &token_request, None)?;
        let management = management["access_token"]
            .as_str()
            .context("no management token")?;
        let app = r#"{"name":"bench app","app_type":"regular_web","grant_types":["password"]}"#;
        let app = self.json(
            "POST",
            "/api/v2/clients",
            "application/json",
            app,
            Some(management),
        )?;
        let (client_id, secret) = (
            app["client_id"].as_str().context("no client_id")?,
            app["client_secret"].as_str().context("no client_secret")?,
        );
        let login = format!(
            "grant_type=password&client_id={client_id}&client_secret={secret}&username={}&password={}&scope=openid%20email",
            urlencode(email),
            urlencode(password)
        );
        let tokens = self.json("POST", "/oauth/token", FORM, &login, None)?;
        tokens["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no access_token")
    }

    /// A request whose answer must be a 2xx JSON document.
    fn json(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
        bearer: Option<&str>,
    ) -> Result<serde_json::Value> {
        let (status, reply) = self.http(method, path, Some(content_type), Some(body), bearer)?;
        if !(200..300).contains(&status) {
            bail!("{method} {path}: {status} {reply}");
        }
        Ok(serde_json::from_str(&reply)?)
    }

    /// One HTTP/1.1 request over a fresh connection: (status, body).
    fn http(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&str>,
        bearer: Option<&str>,
    ) -> Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let body = body.unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n",
            self.port
        );
        if let Some(content_type) = content_type {
            request.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        if let Some(token) = bearer {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let status = response.split(' ').nth(1).context("no status")?.parse()?;
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        Ok((status, body))
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
