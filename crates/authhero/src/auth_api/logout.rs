//! Logout: `/v2/logout` (Auth0's) and `/oidc/logout` (RP-initiated, OIDC): the parameters read,
//! `flows::logout`'s rules applied, the browser session ended and the cookie cleared.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::cookies;
use crate::flows::sessions::{self, cookie_session};
use crate::flows::{ErrorKind, FlowError, logout};
use crate::html;
use crate::respond::found;
use crate::state::{AppState, Issuer};

fn logged_out() -> Response {
    Html("<!doctype html><title>Logged out</title><p>You are logged out.</p>".to_owned())
        .into_response()
}

fn refuse(description: &str) -> Response {
    html::error_page(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// A flow's refusal, or its outage (503), as an error page.
fn flow_error(error: &FlowError) -> Response {
    match error.kind {
        ErrorKind::Unavailable => html::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            &error.description,
        ),
        _ => refuse(&error.description),
    }
}

/// Ends the session named by the cookie, and clears the cookie on `response`.
async fn end_session(
    state: &AppState,
    tenant_id: &str,
    headers: &HeaderMap,
    mut response: Response,
) -> Response {
    if let Some(session) = cookie_session(state, tenant_id, cookies::read_session(headers)).await {
        sessions::end(state, tenant_id, &session).await;
    }
    if let Ok(value) = cookies::clear(cookies::SESSION, "/").parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn v2_logout(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let decided = match logout::of(&state, &issuer, param("client_id")).await {
        Ok(logout) => logout
            .v2_destination(param("returnTo"))
            .map(|destination| (logout, destination)),
        Err(error) => Err(error),
    };
    let (logout, destination) = match decided {
        Ok(decided) => decided,
        Err(error) => return flow_error(&error),
    };
    let response = destination.map_or_else(logged_out, |url| found(&url));
    end_session(&state, &logout.tenant_id, &headers, response).await
}

/// `GET /oidc/logout`, parameters in the query.
pub async fn oidc_logout_get(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    oidc_logout(state, issuer, headers, query).await
}

/// `POST /oidc/logout`, parameters form-encoded in the body (RP-Initiated Logout 1.0 §2).
pub async fn oidc_logout_post(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = url::form_urlencoded::parse(&body).into_owned().collect();
    oidc_logout(state, issuer, headers, query).await
}

async fn oidc_logout(
    state: AppState,
    issuer: Issuer,
    headers: HeaderMap,
    query: HashMap<String, String>,
) -> Response {
    let param = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let (hinted_client, hinted_session) = match param("id_token_hint") {
        Some(hint) => match logout::hint(&state, &issuer, hint).await {
            Ok(named) => named,
            Err(error) => return refuse(&error.description),
        },
        None => (None, None),
    };
    let client_id = match (param("client_id"), hinted_client.as_deref()) {
        (Some(given), Some(hinted)) if given != hinted => {
            return refuse("client_id does not match id_token_hint.");
        }
        (Some(given), _) => Some(given),
        (None, hinted) => hinted,
    };
    let redirect = param("post_logout_redirect_uri");
    if client_id.is_none() && redirect.is_some() {
        return refuse("post_logout_redirect_uri needs client_id or id_token_hint.");
    }
    let decided = match logout::of(&state, &issuer, client_id).await {
        Ok(logout) => logout
            .oidc_destination(redirect, param("state"))
            .map(|destination| (logout, destination)),
        Err(error) if error.kind == ErrorKind::Unavailable => return flow_error(&error),
        Err(_) if client_id.is_none() => {
            return refuse("client_id or id_token_hint is required.");
        }
        Err(error) => Err(error),
    };
    let (logout, destination) = match decided {
        Ok(decided) => decided,
        Err(error) => return flow_error(&error),
    };
    let cookie = cookies::read_session(&headers);
    let asked = logout::confirmation_needed(
        &state,
        &logout.tenant_id,
        cookie,
        hinted_session.as_deref(),
        param("confirm"),
    )
    .await;
    if let Some(expected) = asked {
        return confirmation_page(&query, &expected);
    }
    let response = destination.map_or_else(logged_out, |url| found(&url));
    end_session(&state, &logout.tenant_id, &headers, response).await
}

/// Asks the user to confirm, re-posting the request with the confirmation value.
fn confirmation_page(query: &HashMap<String, String>, expected: &str) -> Response {
    let fields: Vec<(&str, &str)> = [
        "client_id",
        "post_logout_redirect_uri",
        "state",
        "ui_locales",
    ]
    .into_iter()
    .filter_map(|name| query.get(name).map(|value| (name, value.as_str())))
    .collect();
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(html::logout_confirmation(&fields, expected)),
    )
        .into_response()
}
