//! `/u/login/email-code`: the one-time code mailed to the address the previous screen kept,
//! which logs the user in (created on first use, as Auth0 does).

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::credentials::{self, Refusal};
use super::login_screen::ScreenQuery;
use super::transaction::{self, Transaction};
use crate::client_ip::ClientIp;
use crate::flows::passwordless::{self, Verified};
use crate::pages::{self, Page};
use crate::respond;
use crate::state::{AppState, Issuer};

#[derive(Debug, Serialize)]
struct CodeFields<'a> {
    state: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    edit_url: String,
}

fn screen(transaction: &Transaction, email: &str, refusal: Option<Refusal>) -> Response {
    Page::new(&transaction.look, pages::LOGIN_EMAIL_CODE)
        .status(refusal.map_or(StatusCode::OK, |refusal| refusal.status))
        .variable("email", email)
        .fields(CodeFields {
            state: &transaction.reference,
            csrf: &transaction.login.csrf_token,
            email,
            error: refusal.map(|refusal| refusal.text),
            error_field: refusal.and_then(|refusal| refusal.field),
            edit_url: transaction.url("/u/login/email"),
        })
        .into_response()
}

/// `GET /u/login/email-code?state=…`; without an address yet, back to the email screen.
pub async fn show(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    UrlQuery(query): UrlQuery<ScreenQuery>,
) -> Response {
    let transaction =
        match transaction::resume(&state, &issuer, &headers, query.state.as_deref()).await {
            Ok(transaction) => transaction,
            Err(page) => return page,
        };
    match transaction.identifier() {
        Some(email) => screen(&transaction, &email, None),
        None => respond::found(&transaction.url("/u/login/email")),
    }
}

/// `POST /u/login/email-code`: `state`, `csrf` and `code`.
pub async fn submit(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (transaction, form) =
        match transaction::resume_posted(&state, &issuer, &headers, &body).await {
            Ok(posted) => posted,
            Err(page) => return page,
        };
    let Some(email) = transaction.identifier() else {
        return respond::found(&transaction.url("/u/login/email"));
    };
    let code = form.get("code").unwrap_or_default();
    if code.trim().is_empty() {
        return screen(
            &transaction,
            &email,
            Some(Refusal::on(StatusCode::BAD_REQUEST, "no-code", "code")),
        );
    }
    let unavailable = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "temporarily-unavailable");
    let connection = match transaction.email_connection(&state).await {
        Ok(Some(connection)) => connection,
        Ok(None) => {
            return transaction.error(
                StatusCode::BAD_REQUEST,
                "connection-disabled",
                "invalid_request",
            );
        }
        Err(_) => return screen(&transaction, &email, Some(unavailable)),
    };
    let tenant_id = &transaction.tenant_id;
    let verified = passwordless::verify(&state, tenant_id, &connection, &email, code, &ip).await;
    let refusal = match verified {
        Ok(Verified::User(user)) => {
            return match credentials::finish(&state, &issuer, &headers, &transaction, *user).await {
                Ok(answer) => answer,
                Err(refusal) => screen(&transaction, &email, Some(refusal)),
            };
        }
        Ok(Verified::Wrong) => Refusal::on(StatusCode::BAD_REQUEST, "invalid-code", "code"),
        Ok(Verified::Blocked) => Refusal::new(StatusCode::TOO_MANY_REQUESTS, "user-blocked"),
        Ok(Verified::Throttled(throttled)) => return transaction.throttled(throttled),
        Ok(Verified::SignupDisabled) => Refusal::new(StatusCode::BAD_REQUEST, "signup-disabled"),
        Err(_) => unavailable,
    };
    screen(&transaction, &email, Some(refusal))
}
