//! `/u/reset-password/request`: "forgot password" within a login transaction. The answer is the
//! same page, sent as fast, whether or not an account has the email: the email itself goes
//! out in the background.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::login_screen::ScreenQuery;
use super::transaction::{self, Transaction};
use crate::client_ip::ClientIp;
use crate::flows::throttle::{self, Stage};
use crate::flows::{password_reset, validation};
use crate::pages::{self, Page};
use crate::state::{AppState, Issuer};

#[derive(Debug, Serialize)]
struct RequestFields<'a> {
    state: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    login_url: String,
}

fn screen(transaction: &Transaction, email: &str, invalid: bool) -> Response {
    Page::new(&transaction.look, pages::RESET_REQUEST)
        .status(if invalid {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        })
        .fields(RequestFields {
            state: &transaction.reference,
            csrf: &transaction.login.csrf_token,
            email,
            error: invalid.then_some("invalid-email-format"),
            error_field: invalid.then_some("email"),
            login_url: transaction.url("/u/login"),
        })
        .into_response()
}

/// `GET /u/reset-password/request?state=…`.
pub async fn show(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    UrlQuery(query): UrlQuery<ScreenQuery>,
) -> Response {
    match transaction::resume(&state, &issuer, &headers, query.state.as_deref()).await {
        Ok(transaction) => screen(&transaction, transaction.hint(), false),
        Err(page) => page,
    }
}

#[derive(Debug, Serialize)]
struct SentFields {
    login_url: String,
}

/// `POST /u/reset-password/request`: `state`, `csrf` and `email`.
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
    let typed = form.get("email").unwrap_or_default();
    let Ok(email) = validation::email(typed) else {
        return screen(&transaction, typed, true);
    };
    match throttle::count(&state, &transaction.tenant_id, Stage::ResetRequest, &ip).await {
        Ok(Ok(())) => {}
        Ok(Err(throttled)) => return transaction.throttled(throttled),
        Err(_) => {
            return transaction.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
            );
        }
    }
    // A connection the application may not use has no one to email; the page is the same.
    if let Ok(Some(connection)) = transaction.connection(&state).await {
        password_reset::request(
            &state,
            transaction.tenant_id.clone(),
            transaction.login.authorization.client_id.clone(),
            connection.name,
            email.clone(),
        );
    }
    Page::new(&transaction.look, pages::RESET_EMAIL_SENT)
        .variable("email", email)
        .fields(SentFields {
            login_url: transaction.url("/u/login"),
        })
        .into_response()
}
