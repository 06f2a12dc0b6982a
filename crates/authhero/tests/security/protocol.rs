//! Finding 8 (login freshness, logout): `max_age=0` forces a new login even within the second
//! the session began, and RP-initiated logout without an `id_token_hint` asks the user first.

use anyhow::{Context, ensure};
use axum::http::StatusCode;

use crate::support::{hidden_value, redirect_params};
use crate::{Server, redirect_error};

#[tokio::test]
async fn max_age_zero_forces_a_new_login() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (_, session) = server.log_in(&server.spa.clone(), &[]).await?;
    let again = server
        .get(
            &server.authorize_uri(&server.spa, &[("max_age", "0")]),
            &session,
        )
        .await?;
    ensure!(
        again
            .location()
            .is_some_and(|location| location.starts_with("/u/login")),
        "max_age=0 answered from the session: {:?}",
        again.location()
    );
    let silent = server
        .get(
            &server.authorize_uri(&server.spa, &[("max_age", "0"), ("prompt", "none")]),
            &session,
        )
        .await?;
    redirect_error(&silent, "login_required", "max_age=0 with prompt=none")?;
    // Without it the session still answers.
    let sso = server
        .get(&server.authorize_uri(&server.spa, &[]), &session)
        .await?;
    ensure!(
        redirect_params(sso.location().context("location")?).contains_key("code"),
        "the session no longer answers"
    );
    Ok(())
}

#[tokio::test]
async fn logout_without_an_id_token_hint_asks_first() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (_, session) = server.log_in(&server.spa.clone(), &[]).await?;
    let silent = server.authorize_uri(&server.spa, &[("prompt", "none")]);
    let still_signed_in = |reply: &crate::support::Reply| {
        reply
            .location()
            .is_some_and(|location| redirect_params(location).contains_key("code"))
    };

    // A link from anywhere shows a confirmation and ends nothing.
    let asked = server.get("/oidc/logout", &session).await?;
    ensure!(
        asked.status == StatusCode::OK && asked.body.contains("action=\"/oidc/logout\""),
        "no confirmation: {} {}",
        asked.status,
        asked.body
    );
    ensure!(
        !asked
            .cookies()
            .iter()
            .any(|cookie| cookie.starts_with("authhero_session=")),
        "the session cookie was cleared before confirming"
    );
    ensure!(
        still_signed_in(&server.get(&silent, &session).await?),
        "the session ended without confirmation"
    );

    // A forged confirmation is asked again.
    let forged = server
        .post_form("/oidc/logout", &[("confirm", "guess")], &session)
        .await?;
    ensure!(forged.status == StatusCode::OK && forged.body.contains("name=\"confirm\""));
    ensure!(still_signed_in(&server.get(&silent, &session).await?));

    // The user's confirmation ends the session.
    let confirm = hidden_value(&asked.body, "confirm")?;
    let done = server
        .post_form("/oidc/logout", &[("confirm", &confirm)], &session)
        .await?;
    ensure!(
        done.status == StatusCode::OK && !done.body.contains("name=\"confirm\""),
        "confirmed logout: {} {}",
        done.status,
        done.body
    );
    redirect_error(
        &server.get(&silent, &session).await?,
        "login_required",
        "after the confirmed logout",
    )?;

    // Without a session there is nothing to confirm.
    let nothing = server.get("/oidc/logout", &[]).await?;
    ensure!(nothing.status == StatusCode::OK && !nothing.body.contains("name=\"confirm\""));
    Ok(())
}

#[tokio::test]
async fn a_verifier_for_a_code_without_a_challenge_is_refused() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (done, _) = server.log_in(&server.web.clone(), &[]).await?;
    let code = redirect_params(done.location().context("no callback")?)
        .remove("code")
        .context("no code")?;
    // RFC 9700 §4.8, PKCE downgrade: the attacker's verifier must not be ignored.
    let reply = server
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &server.web),
            ("client_secret", &server.web_secret),
            ("code", &code),
            ("redirect_uri", crate::CALLBACK),
            ("code_verifier", crate::VERIFIER),
        ])
        .await?;
    reply.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "PKCE downgrade")?;
    Ok(())
}

#[tokio::test]
async fn only_a_hint_of_the_session_itself_skips_the_confirmation() -> anyhow::Result<()> {
    let server = Server::start().await?;
    async fn id_token(server: &Server, done: crate::support::Reply) -> anyhow::Result<String> {
        let code = redirect_params(done.location().context("no callback")?)
            .remove("code")
            .context("no code")?;
        let tokens = server
            .exchange(&code, crate::VERIFIER)
            .await?
            .ok()?
            .json()?;
        Ok(tokens["id_token"]
            .as_str()
            .context("no id_token")?
            .to_owned())
    }
    let (done, victim) = server.log_in(&server.spa.clone(), &[]).await?;
    let own_hint = id_token(&server, done).await?;
    // The attacker's own ID token, from a session of their own.
    let (done, _) = server.log_in(&server.spa.clone(), &[]).await?;
    let foreign_hint = id_token(&server, done).await?;
    let silent = server.authorize_uri(&server.spa, &[("prompt", "none")]);

    let forged = server
        .get(
            &format!("/oidc/logout?id_token_hint={foreign_hint}"),
            &victim,
        )
        .await?;
    ensure!(
        forged.status == StatusCode::OK && forged.body.contains("name=\"confirm\""),
        "a foreign id_token_hint logged the victim out: {} {}",
        forged.status,
        forged.body
    );
    ensure!(
        server
            .get(&silent, &victim)
            .await?
            .location()
            .is_some_and(|location| redirect_params(location).contains_key("code")),
        "the victim's session ended"
    );
    let own = server
        .get(&format!("/oidc/logout?id_token_hint={own_hint}"), &victim)
        .await?;
    ensure!(
        own.status == StatusCode::OK && !own.body.contains("name=\"confirm\""),
        "the session's own hint was asked to confirm"
    );
    redirect_error(
        &server.get(&silent, &victim).await?,
        "login_required",
        "after a logout with the session's own hint",
    )?;
    Ok(())
}
