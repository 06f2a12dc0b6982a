//! Logout: `/v2/logout` (Auth0's) and `/oidc/logout` (RP-initiated, OIDC). Both end the browser
//! session and only redirect to a URL the client (or tenant) allows.

use std::collections::HashMap;

use authhero_core::ListParams;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::cookies;
use crate::flows::sessions::{self, cookie_session};
use crate::html;
use crate::random::constant_time_eq;
use crate::respond::found;
use crate::secrets;
use crate::state::{AppState, Issuer};
use crate::tokens;

fn logged_out() -> Response {
    Html("<!doctype html><title>Logged out</title><p>You are logged out.</p>".to_owned())
        .into_response()
}

fn refuse(description: &str) -> Response {
    html::error_page(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The tenant a logout without a client means: the custom domain's, else the only tenant.
async fn tenant_of_request(
    state: &AppState,
    issuer: &Issuer,
) -> Option<authhero_core::entities::Tenant> {
    if let Some(tenant_id) = &issuer.tenant_id {
        return state.adapters.tenants.get(tenant_id).await.ok().flatten();
    }
    let page = state
        .adapters
        .tenants
        .list(&ListParams::page(0, 2).ok()?)
        .await
        .ok()?;
    (page.items.len() == 1)
        .then(|| page.items.into_iter().next())
        .flatten()
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
    let return_to = query.get("returnTo").filter(|value| !value.is_empty());
    let named_client = query.get("client_id").filter(|value| !value.is_empty());
    let (tenant_id, allowed) = match named_client {
        Some(client_id) => match state.adapters.clients.find_by_client_id(client_id).await {
            Ok(Some((tenant_id, client))) if issuer.admits(&tenant_id) => {
                (tenant_id, client.allowed_logout_urls)
            }
            _ => return refuse("Unknown client."),
        },
        None => match tenant_of_request(&state, &issuer).await {
            Some(tenant) => (tenant.id, tenant.allowed_logout_urls),
            None => return refuse("client_id is required."),
        },
    };
    let response = match return_to {
        Some(url) if allowed.iter().any(|allowed| allowed == url) => found(url),
        Some(url) => {
            return refuse(&format!(
                "The returnTo URL {url} is not in the list of allowed logout URLs."
            ));
        }
        // Auth0 sends the browser to the client's first allowed logout URL.
        None => match (named_client, allowed.first()) {
            (Some(_), Some(first)) => found(first),
            _ => logged_out(),
        },
    };
    end_session(&state, &tenant_id, &headers, response).await
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
    let param = |name: &str| query.get(name).filter(|value| !value.is_empty());
    let claim = |claims: &serde_json::Map<String, serde_json::Value>, name: &str| {
        claims
            .get(name)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let (hinted_client, hinted_session) = match param("id_token_hint") {
        Some(hint) => match tokens::verify_ignoring_expiry(&state, &issuer.url, hint).await {
            Ok(claims) => (claim(&claims, "aud"), claim(&claims, "sid")),
            Err(_) => return refuse("The id_token_hint is not valid."),
        },
        None => (None, None),
    };
    let client_id = match (param("client_id"), hinted_client) {
        (Some(given), Some(hinted)) if *given != hinted => {
            return refuse("client_id does not match id_token_hint.");
        }
        (Some(given), _) => Some(given.clone()),
        (None, hinted) => hinted,
    };
    let redirect = param("post_logout_redirect_uri");
    let Some(client_id) = client_id else {
        if redirect.is_some() {
            return refuse("post_logout_redirect_uri needs client_id or id_token_hint.");
        }
        return match tenant_of_request(&state, &issuer).await {
            Some(tenant) => {
                let asked = confirmation(&state, &tenant.id, &headers, &query, hinted_session);
                if let Some(ask) = asked.await {
                    return ask;
                }
                end_session(&state, &tenant.id, &headers, logged_out()).await
            }
            None => refuse("client_id or id_token_hint is required."),
        };
    };
    let Ok(Some((tenant_id, client))) = state.adapters.clients.find_by_client_id(&client_id).await
    else {
        return refuse("Unknown client.");
    };
    if !issuer.admits(&tenant_id) {
        return refuse("Unknown client.");
    }
    let response = match redirect {
        Some(url)
            if client
                .allowed_logout_urls
                .iter()
                .any(|allowed| allowed == url) =>
        {
            let mut target = url::Url::parse(url)
                .map(|url| url.to_string())
                .unwrap_or_else(|_| url.clone());
            if let Some(state_param) = param("state") {
                let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("state", state_param)
                    .finish();
                target.push(if target.contains('?') { '&' } else { '?' });
                target.push_str(&encoded);
            }
            found(&target)
        }
        Some(url) => return refuse(&format!("{url} is not in the list of allowed logout URLs.")),
        None => logged_out(),
    };
    let asked = confirmation(&state, &tenant_id, &headers, &query, hinted_session);
    if let Some(ask) = asked.await {
        return ask;
    }
    end_session(&state, &tenant_id, &headers, response).await
}

/// The confirmation value for the session whose cookie carries `secret`: a page elsewhere
/// cannot compute it, so it cannot post a confirmed logout.
fn confirmation_value(secret: &str) -> String {
    secrets::digest(&format!("logout:{secret}"))
}

/// Unless the request proves it comes from the session's own application (an `id_token_hint`
/// of this very session), any site could send the browser here, so the user is asked first
/// (RP-Initiated Logout 1.0 §2): the confirmation page, unless the request already carries the
/// session's confirmation or there is no session to end. A hint of another session, such as an
/// attacker's own ID token, proves nothing.
async fn confirmation(
    state: &AppState,
    tenant_id: &str,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    hinted_session: Option<String>,
) -> Option<Response> {
    let session = cookie_session(state, tenant_id, cookies::read_session(headers)).await?;
    if hinted_session.as_deref() == Some(session.id.as_str()) {
        return None;
    }
    let (_, secret) = cookies::read_session(headers)?;
    let expected = confirmation_value(&secret);
    if query
        .get("confirm")
        .is_some_and(|given| constant_time_eq(given, &expected))
    {
        return None;
    }
    let fields: Vec<(&str, &str)> = [
        "client_id",
        "post_logout_redirect_uri",
        "state",
        "ui_locales",
    ]
    .into_iter()
    .filter_map(|name| query.get(name).map(|value| (name, value.as_str())))
    .collect();
    Some(
        (
            [(header::CACHE_CONTROL, "no-store")],
            Html(html::logout_confirmation(&fields, &expected)),
        )
            .into_response(),
    )
}
