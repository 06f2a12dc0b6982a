//! Logout: `/v2/logout` (Auth0's) and `/oidc/logout` (RP-initiated, OIDC): the parameters read,
//! `flows::logout`'s rules applied, the browser session ended and the cookie cleared.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::cookies;
use crate::flows::sessions::{self, cookie_session};
use crate::flows::{ErrorKind, FlowError, logout};
use crate::pages::{self, LanguageWishes, Look, Page};
use crate::respond::found;
use crate::state::{AppState, Issuer};

/// The pages' look here: the default one, in the language the request asks for.
fn look(headers: &HeaderMap, query: &HashMap<String, String>) -> Look {
    let ui_locales = query.get("ui_locales").map(String::as_str);
    Look::plain(&LanguageWishes::of(headers, ui_locales))
}

#[derive(Debug, Serialize)]
struct MessageFields {
    title: &'static str,
    message: &'static str,
}

fn logged_out(look: &Look) -> Response {
    Page::new(look, pages::LOGGED_OUT)
        .fields(MessageFields {
            title: "title",
            message: "description",
        })
        .into_response()
}

fn refuse(look: &Look, description: &str) -> Response {
    pages::error_page(
        look,
        StatusCode::BAD_REQUEST,
        "description",
        "invalid_request",
        Some(description),
    )
}

/// A flow's refusal, or its outage (503), as an error page.
fn flow_error(look: &Look, error: &FlowError) -> Response {
    match error.kind {
        ErrorKind::Unavailable => pages::error_page(
            look,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "temporarily_unavailable",
            Some(&error.description),
        ),
        _ => refuse(look, &error.description),
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
    let look = look(&headers, &query);
    let (logout, destination) = match decided {
        Ok(decided) => decided,
        Err(error) => return flow_error(&look, &error),
    };
    let response = destination.map_or_else(|| logged_out(&look), |url| found(&url));
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
    let look = look(&headers, &query);
    let (hinted_client, hinted_session) = match param("id_token_hint") {
        Some(hint) => match logout::hint(&state, &issuer, hint).await {
            Ok(named) => named,
            Err(error) => return refuse(&look, &error.description),
        },
        None => (None, None),
    };
    let client_id = match (param("client_id"), hinted_client.as_deref()) {
        (Some(given), Some(hinted)) if given != hinted => {
            return refuse(&look, "client_id does not match id_token_hint.");
        }
        (Some(given), _) => Some(given),
        (None, hinted) => hinted,
    };
    let redirect = param("post_logout_redirect_uri");
    if client_id.is_none() && redirect.is_some() {
        return refuse(
            &look,
            "post_logout_redirect_uri needs client_id or id_token_hint.",
        );
    }
    let decided = match logout::of(&state, &issuer, client_id).await {
        Ok(logout) => logout
            .oidc_destination(redirect, param("state"))
            .map(|destination| (logout, destination)),
        Err(error) if error.kind == ErrorKind::Unavailable => return flow_error(&look, &error),
        Err(_) if client_id.is_none() => {
            return refuse(&look, "client_id or id_token_hint is required.");
        }
        Err(error) => Err(error),
    };
    let (logout, destination) = match decided {
        Ok(decided) => decided,
        Err(error) => return flow_error(&look, &error),
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
        return confirmation_page(&look, &query, &expected);
    }
    let response = destination.map_or_else(|| logged_out(&look), |url| found(&url));
    end_session(&state, &logout.tenant_id, &headers, response).await
}

/// Asks the user to confirm, re-posting the request with the confirmation value, which only
/// this page knows.
fn confirmation_page(look: &Look, query: &HashMap<String, String>, expected: &str) -> Response {
    let mut hidden: Vec<(&str, &str)> = [
        "client_id",
        "post_logout_redirect_uri",
        "state",
        "ui_locales",
    ]
    .into_iter()
    .filter_map(|name| query.get(name).map(|value| (name, value.as_str())))
    .collect();
    hidden.push(("confirm", expected));
    Page::new(look, pages::LOGOUT)
        .fields(ConfirmationFields { hidden })
        .into_response()
}

#[derive(Debug, Serialize)]
struct ConfirmationFields<'a> {
    hidden: Vec<(&'a str, &'a str)>,
}
