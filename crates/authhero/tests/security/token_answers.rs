//! Findings 5 and 8 (scope, client authentication): token answers are never cached, report the
//! scope granted rather than the one asked for, and a failed `client_secret_basic` is a 401
//! naming the scheme.

use anyhow::ensure;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::support::{Reply, urlencoded};
use crate::{API, EMAIL, PASSWORD, Server};

fn never_cached(reply: &Reply, what: &str) -> anyhow::Result<()> {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    ensure!(
        header("cache-control") == "no-store" && header("pragma") == "no-cache",
        "{what}: cache-control {:?}, pragma {:?}",
        header("cache-control"),
        header("pragma")
    );
    Ok(())
}

/// A `client_credentials` request of the web client, its secret in the body.
async fn client_credentials(server: &Server, secret: &str) -> anyhow::Result<Reply> {
    server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "web-client"),
            ("client_secret", secret),
            ("audience", API),
        ])
        .await
}

#[tokio::test]
async fn token_answers_are_never_cached() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let granted = client_credentials(&server, "web-secret").await?.ok()?;
    never_cached(&granted, "success")?;
    let refused = client_credentials(&server, "wrong").await?;
    ensure!(refused.status == StatusCode::UNAUTHORIZED);
    never_cached(&refused, "error")?;
    let malformed = server.token(&[("grant_type", "password")]).await?;
    ensure!(malformed.status.is_client_error());
    never_cached(&malformed, "malformed request")?;
    Ok(())
}

#[tokio::test]
async fn the_answer_reports_the_scope_granted() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // Jane holds no permission on the API (RBAC), and the API defines no `write:things`.
    let reply = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", API),
            ("scope", "openid read:things write:things offline_access"),
        ])
        .await?
        .ok()?;
    let answer = reply.json()?;
    let access = crate::support::claims(answer["access_token"].as_str().unwrap_or_default())?;
    ensure!(
        answer["scope"] == access["scope"],
        "answer scope {} but the token holds {}",
        answer["scope"],
        access["scope"]
    );
    ensure!(
        answer["scope"] == "openid offline_access",
        "scope {}",
        answer["scope"]
    );
    Ok(())
}

#[tokio::test]
async fn failed_basic_authentication_names_the_scheme() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let send = |credentials: String| {
        let request = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, credentials)
            .body(Body::from(urlencoded(&[
                ("grant_type", "client_credentials"),
                ("audience", API),
            ])));
        async { server.send(request?).await }
    };
    let wrong = send(format!("Basic {}", STANDARD.encode("web-client:wrong"))).await?;
    wrong.oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "a wrong Basic secret",
    )?;
    let challenge = wrong
        .headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    ensure!(
        challenge.starts_with("Basic "),
        "WWW-Authenticate {challenge:?}"
    );
    let unknown = send(format!("Basic {}", STANDARD.encode("nobody:secret"))).await?;
    ensure!(
        unknown.status == StatusCode::UNAUTHORIZED
            && unknown.headers.contains_key(header::WWW_AUTHENTICATE),
        "unknown client: {} {:?}",
        unknown.status,
        unknown.headers
    );
    // Credentials in the body are not challenged with Basic.
    let posted = client_credentials(&server, "wrong").await?;
    ensure!(
        posted.status == StatusCode::UNAUTHORIZED
            && !posted.headers.contains_key(header::WWW_AUTHENTICATE),
        "client_secret_post failure"
    );
    Ok(())
}
