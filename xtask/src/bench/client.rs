//! HTTP for seeding and for multi-step flows: a ureq agent that keeps its cookies like a
//! browser but never follows redirects, so each step's `Location` can be read.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use ureq::http::Uri;

const FORM: &str = "application/x-www-form-urlencoded";

/// One user agent: a cookie jar and a pool of keep-alive connections to one server.
#[derive(Debug, Clone)]
pub struct Client {
    /// `http://host:port`, without a trailing slash.
    origin: String,
    agent: ureq::Agent,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    /// The body as JSON, when the status is 2xx.
    pub fn json(self) -> Result<Value> {
        if !(200..300).contains(&self.status) {
            bail!("answered {}: {}", self.status, self.body);
        }
        Ok(serde_json::from_str(&self.body)?)
    }

    /// The path and query of a redirect, whichever host it names.
    pub fn redirect(&self) -> Result<String> {
        let location = self
            .location
            .as_deref()
            .with_context(|| format!("expected a redirect, got {}: {}", self.status, self.body))?;
        let uri: Uri = location.parse()?;
        Ok(uri
            .path_and_query()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_else(|| "/".into()))
    }

    /// The value of a hidden form field.
    pub fn hidden(&self, name: &str) -> Result<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .with_context(|| format!("no hidden {name} in: {}", self.body))?
            + marker.len();
        let end = self.body[start..].find('"').context("unterminated value")?;
        Ok(self.body[start..start + end].to_owned())
    }
}

impl Client {
    /// `base` is the server's base URL (`http://host:port/`).
    pub fn new(base: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build();
        Self {
            origin: base.trim_end_matches('/').to_owned(),
            agent: ureq::Agent::new_with_config(config),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn get(&self, path: &str, bearer: Option<&str>) -> Result<Reply> {
        let mut request = self.agent.get(self.url(path));
        if let Some(token) = bearer {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        read(request.call().with_context(|| format!("GET {path}"))?)
    }

    pub fn post_form(&self, path: &str, body: &str) -> Result<Reply> {
        let response = self
            .agent
            .post(self.url(path))
            .header("Content-Type", FORM)
            .send(body)
            .with_context(|| format!("POST {path}"))?;
        read(response)
    }

    /// A JSON request (`POST` or `PATCH`) with a bearer token.
    pub fn send_json(&self, method: &str, path: &str, body: &Value, bearer: &str) -> Result<Reply> {
        let url = self.url(path);
        let request = match method {
            "POST" => self.agent.post(url),
            "PATCH" => self.agent.patch(url),
            other => bail!("no JSON {other} here"),
        };
        let response = request
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {bearer}"))
            .send(body.to_string())
            .with_context(|| format!("{method} {path}"))?;
        read(response)
    }

    /// A `multipart/form-data` POST with a bearer token: text fields, then one JSON file.
    pub fn send_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
        bearer: &str,
    ) -> Result<Reply> {
        const BOUNDARY: &str = "authhero-bench-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, contents) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.json\"\r\nContent-Type: application/json\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(contents);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let response = self
            .agent
            .post(self.url(path))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("Authorization", format!("Bearer {bearer}"))
            .send(&body[..])
            .with_context(|| format!("POST {path}"))?;
        read(response)
    }
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> Result<Reply> {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.body_mut().read_to_string()?;
    Ok(Reply {
        status,
        location,
        body,
    })
}
