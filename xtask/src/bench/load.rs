//! Load from a second process with wrk: it costs little CPU per request, which matters when it
//! shares two cores with the server it measures.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// One HTTP request, repeated.
#[derive(Debug, Clone)]
pub struct Request {
    url: String,
    method: &'static str,
    body: Option<String>,
    headers: Vec<(String, String)>,
    /// A Lua expression giving each request's path, when they differ.
    path_expression: Option<String>,
}

impl Request {
    pub fn get(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            method: "GET",
            body: None,
            headers: Vec::new(),
            path_expression: None,
        }
    }

    /// GETs to `base`'s server whose paths the Lua expression computes for each request.
    pub fn get_each(base: &str, path_expression: &str) -> Self {
        Self {
            path_expression: Some(path_expression.to_owned()),
            ..Self::get(base)
        }
    }

    pub fn post_form(url: &str, body: &str) -> Self {
        Self {
            url: url.to_owned(),
            method: "POST",
            body: Some(body.to_owned()),
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            path_expression: None,
        }
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.headers
            .push(("Authorization".into(), format!("Bearer {token}")));
        self
    }

    /// The wrk Lua script that sends this request.
    fn script(&self) -> String {
        let quote = |text: &str| format!("{text:?}");
        let mut lua = format!("wrk.method = {}\n", quote(self.method));
        if let Some(body) = &self.body {
            lua.push_str(&format!("wrk.body = {}\n", quote(body)));
        }
        for (name, value) in &self.headers {
            lua.push_str(&format!(
                "wrk.headers[{}] = {}\n",
                quote(name),
                quote(value)
            ));
        }
        if let Some(path) = &self.path_expression {
            lua.push_str(&format!(
                "request = function() return wrk.format(nil, {path}) end\n"
            ));
        }
        lua
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug)]
pub struct Wrk;

impl Wrk {
    pub fn find() -> Result<Wrk> {
        match Command::new("wrk").arg("--version").output() {
            Ok(_) => Ok(Wrk),
            Err(_) => bail!("wrk is not installed (Debian: apt-get install wrk)"),
        }
    }

    /// Drives `request` for `duration` with one thread and 32 connections: throughput.
    pub fn run(&self, request: &Request, duration: Duration) -> Result<Outcome> {
        self.run_with(request, duration, 32)
    }

    /// Drives `request` for `duration` over one connection, one request at a time: the
    /// latency of the request itself, with no queue in front of it.
    pub fn run_serial(&self, request: &Request, duration: Duration) -> Result<Outcome> {
        self.run_with(request, duration, 1)
    }

    fn run_with(&self, request: &Request, duration: Duration, connections: u32) -> Result<Outcome> {
        let script =
            std::env::temp_dir().join(format!("authhero-bench-{}.lua", std::process::id()));
        std::fs::File::create(&script)
            .and_then(|mut file| file.write_all(request.script().as_bytes()))
            .with_context(|| format!("writing {}", script.display()))?;
        let output = Command::new("wrk")
            .args(["-t1", &format!("-c{connections}"), "--latency"])
            .arg(format!("-d{}s", duration.as_secs()))
            .arg("-s")
            .arg(&script)
            .arg(&request.url)
            .output()
            .context("running wrk")?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            bail!("wrk failed on {}: {text}", request.url);
        }
        parse(&text).with_context(|| format!("reading wrk's report for {}:\n{text}", request.url))
    }
}

/// Reads requests/s and the 50th/99th latency percentiles; refuses runs with errors.
fn parse(text: &str) -> Result<Outcome> {
    if let Some(line) = text
        .lines()
        .find(|line| line.contains("Non-2xx or 3xx responses"))
    {
        bail!("the server answered errors: {}", line.trim());
    }
    let requests_per_second = field(text, "Requests/sec:")?.parse::<f64>()?;
    Ok(Outcome {
        requests_per_second,
        p50_ms: latency(text, "50%")?,
        p99_ms: latency(text, "99%")?,
    })
}

fn field<'t>(text: &'t str, label: &str) -> Result<&'t str> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(str::trim)
        .with_context(|| format!("no {label:?} line"))
}

/// A latency like `1.23ms`, `850.00us` or `1.02s`, in milliseconds.
fn latency(text: &str, percentile: &str) -> Result<f64> {
    let value = field(text, percentile)?;
    let (number, unit) = value.split_at(
        value
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(value.len()),
    );
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        other => bail!("unknown latency unit {other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:3000/healthz
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   310.12us  100.00us   4.00ms   90.00%
  Latency Distribution
     50%  290.00us
     75%  330.00us
     90%  400.00us
     99%    1.20ms
  400000 requests in 10.00s, 40.00MB read
Requests/sec:  40000.50
Transfer/sec:      4.00MB
";

    #[test]
    fn reads_throughput_and_percentiles() {
        let outcome = parse(REPORT).unwrap();
        assert_eq!(outcome.requests_per_second, 40000.5);
        assert!((outcome.p50_ms - 0.29).abs() < 1e-9);
        assert!((outcome.p99_ms - 1.2).abs() < 1e-9);
    }

    #[test]
    fn refuses_runs_with_errors() {
        let failing = format!("{REPORT}  Non-2xx or 3xx responses: 12\n");
        assert!(parse(&failing).is_err());
    }

    #[test]
    fn scripts_quote_their_values() {
        let script = Request::post_form("http://x/", "a=\"b\"")
            .bearer("t")
            .script();
        assert!(script.contains(r#"wrk.body = "a=\"b\"""#), "{script}");
        assert!(
            script.contains(r#"wrk.headers["Authorization"] = "Bearer t""#),
            "{script}"
        );
        let varied = Request::get_each("http://x/", r#""/a?n=" .. math.random(1, 9)"#).script();
        assert!(
            varied.contains(
                r#"request = function() return wrk.format(nil, "/a?n=" .. math.random(1, 9)) end"#
            ),
            "{varied}"
        );
    }
}
