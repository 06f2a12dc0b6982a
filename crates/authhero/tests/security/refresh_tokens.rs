//! Findings 6 and 8 (code reuse): a public client without refresh-token settings of its own
//! rotates with reuse detection, and a replayed authorization code revokes what it issued.

use anyhow::{Context, ensure};
use authhero_core::Timestamp;
use authhero_core::entities::{AppType, Client, TokenEndpointAuthMethod};
use axum::http::StatusCode;

use crate::support::{Reply, redirect_params};
use crate::{CALLBACK, CHALLENGE, Server, VERIFIER};

async fn refresh(server: &Server, client: &str, token: &str) -> anyhow::Result<Reply> {
    server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", token),
        ])
        .await
}

fn refresh_token_of(reply: Reply) -> anyhow::Result<String> {
    let answer = reply.ok()?.json()?;
    answer["refresh_token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no refresh_token: {answer}"))
}

fn refused(reply: &Reply, what: &str) -> anyhow::Result<()> {
    reply.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", what)?;
    Ok(())
}

#[tokio::test]
async fn public_clients_rotate_refresh_tokens_by_default() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // A SPA as Auth0's defaults leave it: public, and no `refresh_token` settings.
    let mut spa = Client::new("plain-spa", "Plain SPA", Timestamp::now());
    spa.app_type = Some(AppType::Spa);
    spa.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
    spa.callbacks = vec![CALLBACK.into()];
    server.adapters.clients.create(&server.tenant, spa).await?;
    crate::support::enable_on_default_connection(&server.adapters, &server.tenant, &["plain-spa"])
        .await?;

    let pkce = [
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let (done, _) = server.log_in("plain-spa", &pkce).await?;
    let code = redirect_params(done.location().context("no callback")?)
        .remove("code")
        .context("no code")?;
    let first = refresh_token_of(
        server
            .token(&[
                ("grant_type", "authorization_code"),
                ("client_id", "plain-spa"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", VERIFIER),
            ])
            .await?,
    )?;
    let second = refresh_token_of(refresh(&server, "plain-spa", &first).await?)?;
    ensure!(second != first, "the refresh token did not rotate");
    // The first token again: reuse. It is refused, and so is the whole family.
    refused(
        &refresh(&server, "plain-spa", &first).await?,
        "reused token",
    )?;
    refused(
        &refresh(&server, "plain-spa", &second).await?,
        "the family after reuse",
    )?;
    Ok(())
}

#[tokio::test]
async fn a_replayed_code_revokes_the_tokens_it_issued() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    let issued = refresh_token_of(server.exchange(&code, VERIFIER).await?)?;
    refused(&server.exchange(&code, VERIFIER).await?, "the code again")?;
    refused(
        &refresh(&server, &server.spa, &issued).await?,
        "a refresh token of a replayed code",
    )?;

    // A rotated descendant of the code's token goes too.
    let code = server.code().await?;
    let issued = refresh_token_of(server.exchange(&code, VERIFIER).await?)?;
    let rotated = refresh_token_of(refresh(&server, &server.spa, &issued).await?)?;
    refused(
        &server.exchange(&code, VERIFIER).await?,
        "the second code again",
    )?;
    refused(
        &refresh(&server, &server.spa, &rotated).await?,
        "a rotated token of a replayed code",
    )?;
    Ok(())
}
