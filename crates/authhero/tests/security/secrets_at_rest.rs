//! Finding 2: codes, refresh tokens and session secrets were stored as they are, so a copy of
//! the database was a set of live credentials. Now only their SHA-256 digests are stored (the
//! emailed ticket is checked in `password_reset.rs`).

use anyhow::{Context, ensure};
use authhero::secrets::digest;

use axum::http::StatusCode;

use crate::support::redirect_params;
use crate::{Server, VERIFIER};

#[tokio::test]
async fn codes_and_refresh_tokens_are_stored_as_digests() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (done, _) = server.log_in(&server.spa.clone(), &[]).await?;
    let code = redirect_params(done.location().context("no callback")?)
        .remove("code")
        .context("no code")?;
    let codes = &server.adapters.codes;
    ensure!(
        codes.get(&server.tenant, &code).await?.is_none(),
        "the authorization code is stored as it is"
    );
    ensure!(
        codes.get(&server.tenant, &digest(&code)).await?.is_some(),
        "the code's digest is not stored"
    );

    let tokens = server.exchange(&code, VERIFIER).await?.ok()?.json()?;
    let refresh = tokens["refresh_token"]
        .as_str()
        .context("no refresh_token")?;
    let stored = &server.adapters.refresh_tokens;
    ensure!(
        stored.get(&server.tenant, refresh).await?.is_none(),
        "the refresh token is stored as it is"
    );
    ensure!(
        stored
            .get(&server.tenant, &digest(refresh))
            .await?
            .is_some(),
        "the refresh token's digest is not stored"
    );

    // What the database holds cannot be spent: its digest is no refresh token.
    let replayed = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &server.spa),
            ("refresh_token", &digest(refresh)),
        ])
        .await?;
    replayed.oauth_error(
        StatusCode::FORBIDDEN,
        "invalid_grant",
        "a stored digest as a refresh token",
    )?;
    Ok(())
}
