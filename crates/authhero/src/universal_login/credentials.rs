//! Checking a username and password within a login transaction, and finishing the login with
//! the session cookie and the application's answer; shared by the login screens and signup.

use authhero_core::entities::User;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::transaction::Transaction;
use crate::cookies;
use crate::flows::authenticate::{Attempt, authenticate};
use crate::flows::authorize_request::mode_for;
use crate::flows::consent;
use crate::flows::login::{self, ClientResponse, LoggedIn};
use crate::respond;
use crate::state::{AppState, Issuer};

/// Why a login screen is shown again: the key of its words and the field they are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub text: &'static str,
    pub field: Option<&'static str>,
}

impl Refusal {
    pub const fn new(status: StatusCode, text: &'static str) -> Self {
        Self {
            status,
            text,
            field: None,
        }
    }

    pub const fn on(status: StatusCode, text: &'static str, field: &'static str) -> Self {
        Self {
            status,
            text,
            field: Some(field),
        }
    }
}

/// Logs in with `username` and `password`: the application's answer, or why not. The words
/// never say whether the account exists.
pub async fn log_in(
    state: &AppState,
    issuer: &Issuer,
    ip: &str,
    headers: &HeaderMap,
    transaction: &Transaction,
    username: &str,
    password: &str,
) -> Result<Response, Refusal> {
    if username.trim().is_empty() {
        return Err(Refusal::on(
            StatusCode::BAD_REQUEST,
            "no-username",
            "username",
        ));
    }
    if password.is_empty() {
        return Err(Refusal::on(
            StatusCode::BAD_REQUEST,
            "no-password",
            "password",
        ));
    }
    let unavailable = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "temporarily-unavailable");
    match transaction.connection(state).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(Refusal::new(StatusCode::BAD_REQUEST, "connection-disabled")),
        Err(_) => return Err(unavailable),
    }
    let connection = transaction.connection_name();
    let tenant_id = &transaction.tenant_id;
    let user = match authenticate(state, tenant_id, &connection, username, password, ip).await {
        Ok(Attempt::User(user)) => *user,
        Ok(Attempt::Wrong) => {
            return Err(Refusal::new(StatusCode::BAD_REQUEST, "wrong-credentials"));
        }
        Ok(Attempt::Throttled(throttled)) => return Ok(transaction.throttled(throttled)),
        Ok(Attempt::Blocked) => {
            return Err(Refusal::new(StatusCode::TOO_MANY_REQUESTS, "user-blocked"));
        }
        // Among these: the legacy tenant of a migrating connection is down or slow.
        Err(_) => return Err(unavailable),
    };
    finish(state, issuer, headers, transaction, user).await
}

/// Completes the transaction for `user`, who has just proven who they are: on to the consent
/// screen first when the application needs the user's consent.
pub async fn finish(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    transaction: &Transaction,
    user: User,
) -> Result<Response, Refusal> {
    let unavailable = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "temporarily-unavailable");
    if !user.blocked
        && let Some(client) = transaction.client.as_ref()
    {
        let tenant_id = &transaction.tenant_id;
        let authorization = &transaction.login.authorization;
        let to_ask = consent::to_ask(
            state,
            &issuer.url,
            tenant_id,
            client,
            &user.user_id,
            authorization,
        )
        .await
        .map_err(|_| unavailable)?;
        if !to_ask.is_empty() {
            // The consent screen continues for the user proven here.
            let mut login = transaction.login.clone();
            login.user_id = Some(user.user_id.clone());
            state
                .adapters
                .login_sessions
                .update(tenant_id, login)
                .await
                .map_err(|_| unavailable)?;
            return Ok(respond::found(&transaction.url("/u/consent")));
        }
    }
    complete(state, issuer, headers, transaction, user).await
}

/// Completes the transaction for `user`, whose consent, if needed, is given.
pub async fn complete(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    transaction: &Transaction,
    user: User,
) -> Result<Response, Refusal> {
    let authorization = &transaction.login.authorization;
    if user.blocked {
        // As Auth0: the application hears of it, by the mode it asked for.
        return Ok(respond::deliver(ClientResponse::error(
            authorization,
            mode_for(authorization),
            "unauthorized",
            "user is blocked",
        )));
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let tenant_id = &transaction.tenant_id;
    match login::finish(
        state,
        &issuer.url,
        tenant_id,
        &transaction.login,
        user,
        user_agent,
    )
    .await
    {
        Ok(logged_in) => Ok(answer(state, logged_in)),
        Err(_) => Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily-unavailable",
        )),
    }
}

/// The client's answer, with the session cookie set and the transaction's cookie cleared.
fn answer(state: &AppState, logged_in: LoggedIn) -> Response {
    let mut response = respond::deliver(logged_in.answer);
    let cookie = cookies::set(
        cookies::SESSION,
        &cookies::session_value(&logged_in.session_id, &logged_in.session_secret),
        "/",
        logged_in.session_lifetime,
        state.secure_cookies(),
    );
    for value in [cookie, cookies::clear(cookies::LOGIN, "/u")] {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
