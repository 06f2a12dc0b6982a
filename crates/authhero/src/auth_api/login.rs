//! `/u/login`: the username and password form that completes an `/authorize` transaction.
//! The form is bound to its transaction twice against CSRF: by a token in the form and by a
//! `SameSite` cookie set when the transaction began, so a cross-site post cannot log anyone in.

use authhero_core::entities::{
    AuthenticationRecord, LoginSession, Session, SessionClient, SessionDevice, User,
};
use authhero_core::{ListParams, Query, Timestamp};
use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::authorize::complete;
use super::form::Params;
use crate::brute_force;
use crate::client_ip::ClientIp;
use crate::cookies;
use crate::html;
use crate::passwords;
use crate::random::{self, constant_time_eq};
use crate::secrets;
use crate::state::{AppState, Issuer};

/// The database connection users log in to when the request names none.
pub const DEFAULT_DATABASE: &str = "Username-Password-Authentication";
/// Seconds a browser session lasts without a tenant setting (Auth0's default, 3 days).
const SESSION_LIFETIME: i64 = 259_200;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    state: Option<String>,
}

fn expired() -> Response {
    html::error_page(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "This login has expired. Start again from the application.",
    )
}

/// The login transaction named by `state` (`<tenant>.<login session id>`), if live.
async fn transaction(state: &AppState, reference: &str) -> Option<(String, LoginSession)> {
    let (tenant_id, id) = reference.rsplit_once('.')?;
    let login = state
        .adapters
        .login_sessions
        .get(tenant_id, id)
        .await
        .ok()??;
    (login.expires_at > Timestamp::now()).then(|| (tenant_id.to_owned(), login))
}

pub async fn show(
    State(state): State<AppState>,
    UrlQuery(query): UrlQuery<LoginQuery>,
) -> Response {
    let Some(reference) = query.state else {
        return expired();
    };
    let Some((_, login)) = transaction(&state, &reference).await else {
        return expired();
    };
    let hint = login.authorization.login_hint.clone().unwrap_or_default();
    page(
        StatusCode::OK,
        &html::login_form(&reference, &login.csrf_token, &hint, None),
    )
}

fn connection_disabled() -> Response {
    html::error_page(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "The connection is not enabled for this application.",
    )
}

fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body.to_owned()),
    )
        .into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(form) = Params::from_urlencoded(&body) else {
        return html::error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Malformed form.",
        );
    };
    let Some(reference) = form.get("state") else {
        return expired();
    };
    let Some((tenant_id, login)) = transaction(&state, reference).await else {
        return expired();
    };
    if !issuer.admits(&tenant_id) {
        return expired();
    }
    let bound = cookies::read(&headers, cookies::LOGIN)
        .is_some_and(|cookie| constant_time_eq(&cookie, reference));
    let csrf = form
        .get("csrf")
        .is_some_and(|token| constant_time_eq(token, &login.csrf_token));
    if !bound || !csrf {
        return html::error_page(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Invalid or missing CSRF token.",
        );
    }
    let username = form.get("username").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let retry = |message: &str| {
        page(
            StatusCode::BAD_REQUEST,
            &html::login_form(reference, &login.csrf_token, username, Some(message)),
        )
    };
    let connection = login
        .authorization
        .connection
        .clone()
        .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    match state
        .login_connection(&tenant_id, &connection, &login.authorization.client_id)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return connection_disabled(),
        Err(_) => return retry("Something went wrong. Try again."),
    }
    let user = match authenticate(&state, &tenant_id, &connection, username, password, &ip).await {
        Ok(Attempt::User(user)) => *user,
        Ok(Attempt::Wrong) => return retry("Wrong email or password."),
        Ok(Attempt::Blocked) => {
            return page(
                StatusCode::TOO_MANY_REQUESTS,
                &html::login_form(
                    reference,
                    &login.csrf_token,
                    username,
                    Some(brute_force::BLOCKED_DESCRIPTION),
                ),
            );
        }
        Err(_) => return retry("Something went wrong. Try again."),
    };
    if user.blocked {
        // As Auth0: the application hears of it, by the mode it asked for.
        let mode = super::authorize_request::mode_for(&login.authorization);
        return super::authorize::ClientResponse::error(
            &login.authorization,
            mode,
            "unauthorized",
            "user is blocked",
        )
        .into_response();
    }
    match finish(&state, &issuer.url, &tenant_id, &login, user, &headers).await {
        Ok(response) => response,
        Err(_) => html::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            "Try again later.",
        ),
    }
}

/// What a password login from one IP came to.
pub enum Attempt {
    User(Box<User>),
    Wrong,
    /// The identifier failed too often from this IP: refused whatever the password.
    Blocked,
}

/// The user of `connection` with this email or username, if the password matches and the pair
/// of identifier and `ip` is not blocked; every outcome is counted by brute-force protection.
pub async fn authenticate(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
    ip: &str,
) -> authhero_core::Result<Attempt> {
    if username.is_empty() || password.is_empty() {
        return Ok(Attempt::Wrong);
    }
    // Counted before the password is checked, so even the right one teaches a blocked pair
    // nothing, and concurrent guesses cannot outrun the count.
    match brute_force::admitted(state, tenant_id, username, ip).await {
        Ok(true) => {}
        Ok(false) => return Ok(Attempt::Blocked),
        // An identifier that cannot be stored (too long, NUL) names no account either.
        Err(authhero_core::Error::Invalid(_)) => return Ok(Attempt::Wrong),
        Err(error) => return Err(error),
    }
    match verify(state, tenant_id, connection, username, password).await? {
        Some(user) => {
            brute_force::succeeded(state, tenant_id, username, ip).await?;
            Ok(Attempt::User(Box::new(user)))
        }
        None => Ok(Attempt::Wrong),
    }
}

/// The user of `connection` with this email or username, if the password matches.
async fn verify(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
) -> authhero_core::Result<Option<User>> {
    let field = if username.contains('@') {
        "email"
    } else {
        "username"
    };
    let q = Query::And(vec![
        Query::equals(field, username)?,
        Query::equals("connection", connection)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    // Where there is no hash to check, spend the time a check takes (a hash with the server's
    // algorithm), so response times do not reveal who exists or has a password.
    let decoy = || passwords::hash(password.to_owned(), state.password_algorithm);
    let Some(user) = found.items.into_iter().next() else {
        decoy().await?;
        return Ok(None);
    };
    let Some(stored) = state
        .adapters
        .passwords
        .get(tenant_id, &user.user_id)
        .await?
    else {
        decoy().await?;
        return Ok(None);
    };
    Ok(passwords::verify(password.to_owned(), stored.hash)
        .await?
        .then_some(user))
}

/// Starts the browser session, records the login, and answers the client.
async fn finish(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    login: &LoginSession,
    mut user: User,
    headers: &HeaderMap,
) -> Result<Response, authhero_core::Error> {
    let now = Timestamp::now();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let (secret, secret_hash) = secrets::generate(32);
    let session = Session {
        id: random::token(18),
        user_id: user.user_id.clone(),
        created_at: now,
        updated_at: now,
        authenticated_at: now,
        last_interacted_at: now,
        expires_at: Some(now.plus_seconds(SESSION_LIFETIME)),
        idle_expires_at: None,
        device: SessionDevice {
            initial_user_agent: user_agent.clone(),
            last_user_agent: user_agent,
            ..SessionDevice::default()
        },
        clients: vec![SessionClient {
            client_id: login.authorization.client_id.clone(),
        }],
        authentication: vec![AuthenticationRecord {
            name: "pwd".into(),
            timestamp: now,
            kind: None,
        }],
        revoked_at: None,
        secret_hash: Some(secret_hash),
    };
    let session = state.adapters.sessions.create(tenant_id, session).await?;
    user.last_login = Some(now);
    user.logins_count += 1;
    user.updated_at = now;
    let user = state.adapters.users.update(tenant_id, user).await?;
    state
        .adapters
        .login_sessions
        .remove(tenant_id, &login.id)
        .await?;
    let Some((_, client)) = state
        .adapters
        .clients
        .find_by_client_id(&login.authorization.client_id)
        .await?
    else {
        return Err(authhero_core::Error::not_found("client"));
    };
    let answer = match complete(
        state,
        issuer,
        tenant_id,
        &client,
        &login.authorization,
        &session,
        &user,
    )
    .await
    {
        Ok(answer) => answer,
        Err((error, description)) => super::authorize::ClientResponse::error(
            &login.authorization,
            super::authorize_request::mode_for(&login.authorization),
            error,
            &description,
        ),
    };
    let mut response = answer.into_response();
    let cookie = cookies::set(
        cookies::SESSION,
        &cookies::session_value(&session.id, &secret),
        "/",
        SESSION_LIFETIME,
        state.secure_cookies(),
    );
    for value in [cookie, cookies::clear(cookies::LOGIN, "/u")] {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}
