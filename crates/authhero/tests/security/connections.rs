//! Finding 4: a database connection enabled only for one client let every client log users in
//! through it. Every login path now checks `enabled_clients`, and an empty list enables none.

use anyhow::{Context, ensure};
use authhero_core::Timestamp;
use authhero_core::entities::Client;
use axum::http::StatusCode;

use crate::support::redirect_params;
use crate::{CALLBACK, EMAIL, PASSWORD, Server, redirect_error};

const DATABASE: &str = "Username-Password-Authentication";

/// A confidential client allowed every password grant, enabled on no connection.
async fn stranger(server: &Server) -> anyhow::Result<()> {
    let mut client = Client::new("stranger", "Stranger", Timestamp::now());
    client.client_secret = Some("stranger-secret".into());
    client.callbacks = vec![CALLBACK.into()];
    client.grant_types = [
        "authorization_code",
        "password",
        "http://auth0.com/oauth/grant-type/password-realm",
    ]
    .map(String::from)
    .to_vec();
    server
        .adapters
        .clients
        .create(&server.tenant, client)
        .await?;
    Ok(())
}

async fn realm_login(server: &Server, client: &str, secret: &str) -> anyhow::Result<StatusCode> {
    let reply = server
        .token(&[
            (
                "grant_type",
                "http://auth0.com/oauth/grant-type/password-realm",
            ),
            ("client_id", client),
            ("client_secret", secret),
            ("realm", DATABASE),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .await?;
    if reply.status != StatusCode::OK {
        ensure!(
            reply.json()?["error"] == "unauthorized_client",
            "{} {}",
            reply.status,
            reply.body
        );
    }
    Ok(reply.status)
}

#[tokio::test]
async fn only_enabled_clients_log_users_in_through_a_connection() -> anyhow::Result<()> {
    let server = Server::start().await?;
    stranger(&server).await?;

    // The password-realm and password grants.
    ensure!(realm_login(&server, "web-client", "web-secret").await? == StatusCode::OK);
    ensure!(
        realm_login(&server, "stranger", "stranger-secret").await? == StatusCode::FORBIDDEN,
        "a client the connection does not enable logged a user in"
    );
    let password = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "stranger"),
            ("client_secret", "stranger-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .await?;
    ensure!(
        password.status == StatusCode::FORBIDDEN,
        "password grant: {} {}",
        password.status,
        password.body
    );

    // `/authorize?connection=` answers the client with an error instead of a login page.
    let named = server
        .get(
            &server.authorize_uri("stranger", &[("connection", DATABASE), ("state", "s")]),
            &[],
        )
        .await?;
    let params = redirect_error(&named, "invalid_request", "authorize?connection=")?;
    ensure!(params.get("state").map(String::as_str) == Some("s"));

    // The login form of a transaction for the stranger refuses to log in, and starts no session.
    let (posted, session) = server.log_in("stranger", &[]).await?;
    ensure!(
        posted.status == StatusCode::BAD_REQUEST && session.is_empty(),
        "login form: {} {session:?}",
        posted.status
    );

    // An empty list enables no client, as in Auth0 (it used to mean every client).
    crate::support::edit_default_connection(&server.adapters, &server.tenant, |connection| {
        connection.enabled_clients.clear();
    })
    .await?;
    ensure!(
        realm_login(&server, "web-client", "web-secret").await? == StatusCode::FORBIDDEN,
        "an empty enabled_clients still enabled a client"
    );
    Ok(())
}

#[tokio::test]
async fn a_session_opens_no_connection_the_client_was_not_given() -> anyhow::Result<()> {
    let server = Server::start().await?;
    stranger(&server).await?;
    let (_, session) = server.log_in(&server.web.clone(), &[]).await?;
    // Silent authentication for a client the session's connection does not enable.
    let silent = server
        .get(
            &server.authorize_uri("stranger", &[("prompt", "none")]),
            &session,
        )
        .await?;
    redirect_error(&silent, "login_required", "prompt=none for the stranger")?;
    let interactive = server
        .get(&server.authorize_uri("stranger", &[]), &session)
        .await?;
    ensure!(
        interactive
            .location()
            .is_some_and(|location| location.starts_with("/u/login")),
        "SSO answered the stranger: {:?}",
        interactive.location()
    );
    // A request naming another connection than the session's is not answered from it either.
    let mut partners = authhero_core::entities::Connection {
        id: "con_partners".into(),
        name: "Partners".into(),
        display_name: None,
        strategy: "auth0".into(),
        options: Default::default(),
        enabled_clients: vec!["web-client".into()],
        realms: vec!["Partners".into()],
        is_domain_connection: false,
        metadata: Default::default(),
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    };
    partners = server
        .adapters
        .connections
        .create(&server.tenant, partners)
        .await?;
    let other = server
        .get(
            &server.authorize_uri(
                "web-client",
                &[("connection", partners.name.as_str()), ("prompt", "none")],
            ),
            &session,
        )
        .await?;
    redirect_error(&other, "login_required", "a session of another connection")?;
    // The client the connection does enable keeps its SSO.
    let sso = server
        .get(
            &server.authorize_uri("web-client", &[("prompt", "none")]),
            &session,
        )
        .await?;
    ensure!(
        redirect_params(sso.location().context("location")?).contains_key("code"),
        "SSO lost for an enabled client"
    );
    Ok(())
}
