//! `GET /authorize`: parses and validates the request, then lets the login flow answer from a
//! live session (SSO, silent authentication) or send the browser to the login page.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::cookies;
use crate::flows::authorize_request::{AuthorizeQuery, Refusal};
use crate::flows::login::{self, Authorized, ClientResponse};
use crate::pages::{self, LanguageWishes, Look};
use crate::respond;
use crate::state::{AppState, Issuer};

pub async fn authorize(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match handle(
        &state,
        &issuer,
        &headers,
        query.as_deref().unwrap_or_default(),
    )
    .await
    {
        Ok(response) | Err(response) => response,
    }
}

async fn handle(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    query: &str,
) -> Result<Response, Response> {
    let bad = |description: &str| {
        error_page(
            headers,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            description,
        )
    };
    let query = AuthorizeQuery::parse(query).map_err(|refusal| refused(headers, refusal))?;
    let (tenant_id, client) = state
        .adapters
        .clients
        .find_by_client_id(query.client_id())
        .await
        .map_err(|_| {
            error_page(
                headers,
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "Try again later.",
            )
        })?
        .ok_or_else(|| bad("Unknown client."))?;
    if !issuer.admits(&tenant_id) {
        return Err(bad("Unknown client."));
    }
    let request = query
        .validate(&client)
        .map_err(|refusal| refused(headers, refusal))?;
    // As Auth0: `screen_hint=signup` opens the signup screen instead of the login screen.
    let first_screen = match request.params.screen_hint.as_deref() {
        Some("signup") => "/u/signup",
        _ => "/u/login",
    };
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let authorized = login::authorize(
        state,
        &issuer.url,
        &tenant_id,
        &client,
        request,
        cookies::read_session(headers),
        user_agent,
    )
    .await
    .map_err(respond::deliver)?;
    let (reference, first_screen) = match authorized {
        Authorized::Answer(answer) => return Ok(respond::deliver(answer)),
        Authorized::LogIn { reference } => (reference, first_screen),
        Authorized::Consent { reference } => (reference, "/u/consent"),
    };
    let cookie = cookies::set(
        cookies::LOGIN,
        &reference,
        "/u",
        login::LOGIN_SESSION_LIFETIME,
        state.secure_cookies(),
    );
    let mut response = respond::found(&format!("{first_screen}?state={reference}"));
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The response to a refused request: an error page, or an OAuth error at the client's
/// `redirect_uri`.
fn refused(headers: &HeaderMap, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(description) => error_page(
            headers,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &description,
        ),
        Refusal::Redirect {
            params,
            mode,
            error,
            description,
        } => respond::deliver(ClientResponse::error(&params, mode, error, &description)),
    }
}

/// An error page in the default look (no tenant is known yet), in the browser's language.
fn error_page(headers: &HeaderMap, status: StatusCode, error: &str, description: &str) -> Response {
    let look = Look::plain(&LanguageWishes::of(headers, None));
    pages::error_page(&look, status, "description", error, Some(description))
}
