//! Finding 1: the SSO cookie carried the `sid` claim, so anyone holding a token could become the
//! session. The cookie now carries a secret that appears nowhere else, stored only as a digest.

use anyhow::{Context, ensure};
use axum::http::StatusCode;

use crate::support::{claims, redirect_params};
use crate::{CALLBACK, Server, VERIFIER, redirect_error};

#[tokio::test]
async fn a_sid_from_a_token_does_not_open_the_session() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (done, session) = server.log_in(&server.spa.clone(), &[]).await?;
    let code = redirect_params(done.location().context("no callback")?)
        .remove("code")
        .context("no code")?;
    let tokens = server.exchange(&code, VERIFIER).await?.ok()?.json()?;
    let id_token = claims(tokens["id_token"].as_str().context("no id_token")?)?;
    let access_token = claims(tokens["access_token"].as_str().context("no access_token")?)?;
    let sid = id_token["sid"].as_str().context("no sid")?.to_owned();
    ensure!(access_token["sid"] == id_token["sid"], "sid differs");

    let cookie = session.first().context("no session cookie")?;
    let value = cookie
        .strip_prefix("authhero_session=")
        .context("session cookie")?;
    let (id, secret) = value.split_once('.').context("cookie is not id.secret")?;
    ensure!(id == sid, "the cookie names its session by sid");
    ensure!(
        !secret.is_empty() && !tokens.to_string().contains(secret),
        "the cookie's secret appears in a token answer"
    );

    // The stored session holds the secret's digest, not the secret.
    let stored = server
        .adapters
        .sessions
        .get(&server.tenant, &sid)
        .await?
        .context("session not stored")?;
    let hash = stored.secret_hash.context("no secret hash")?;
    ensure!(hash != secret, "the session secret is stored as it is");
    ensure!(
        hash == authhero::secrets::digest(secret),
        "the stored hash is not the secret's digest"
    );

    // Whoever saw a token forges cookies from its sid: they open nothing.
    let silent = server.authorize_uri("web-client", &[("prompt", "none")]);
    for forged in [
        format!("authhero_session={sid}"),
        format!("authhero_session={sid}.{}", "A".repeat(secret.len())),
        format!("authhero_session={sid}.{hash}"),
    ] {
        let reply = server.get(&silent, std::slice::from_ref(&forged)).await?;
        redirect_error(&reply, "login_required", &forged)?;
    }
    // The real cookie still does.
    let reply = server.get(&silent, &session).await?;
    ensure!(
        reply.status == StatusCode::FOUND
            && redirect_params(reply.location().context("location")?).contains_key("code")
            && reply
                .location()
                .is_some_and(|location| location.starts_with(CALLBACK)),
        "the session cookie no longer gives SSO: {:?}",
        reply.location()
    );
    Ok(())
}
