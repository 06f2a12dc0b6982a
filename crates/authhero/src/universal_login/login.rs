//! `/u/login`: the username and password form that completes an `/authorize` transaction.
//! The form is bound to its transaction twice against CSRF: by a token in the form and by a
//! `SameSite` cookie set when the transaction began, so a cross-site post cannot log anyone in.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::client_ip::ClientIp;
use crate::cookies;
use crate::flows::authenticate::{Attempt, DEFAULT_DATABASE, authenticate};
use crate::flows::authorize_request::mode_for;
use crate::flows::login::{self, ClientResponse, LoggedIn};
use crate::flows::{Params, brute_force};
use crate::html;
use crate::random::constant_time_eq;
use crate::respond;
use crate::state::{AppState, Issuer};

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

pub async fn show(
    State(state): State<AppState>,
    UrlQuery(query): UrlQuery<LoginQuery>,
) -> Response {
    let Some(reference) = query.state else {
        return expired();
    };
    let Some((_, login)) = login::resume(&state, &reference).await else {
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
    let Some((tenant_id, login)) = login::resume(&state, reference).await else {
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
        // The legacy tenant of a migrating connection is down or slow: nothing was decided.
        Err(error) if error.is_temporary() => {
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                &html::login_form(
                    reference,
                    &login.csrf_token,
                    username,
                    Some("We cannot sign you in right now. Please try again later."),
                ),
            );
        }
        Err(_) => return retry("Something went wrong. Try again."),
    };
    if user.blocked {
        // As Auth0: the application hears of it, by the mode it asked for.
        let mode = mode_for(&login.authorization);
        return respond::deliver(ClientResponse::error(
            &login.authorization,
            mode,
            "unauthorized",
            "user is blocked",
        ));
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    match login::finish(&state, &issuer.url, &tenant_id, &login, user, user_agent).await {
        Ok(logged_in) => answer(&state, logged_in),
        Err(_) => html::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            "Try again later.",
        ),
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
