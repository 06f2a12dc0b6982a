//! `/u/login/email`: the address a passwordless login code goes to. The code is mailed in the
//! background and the next screen reads the same for every address, so nothing here tells
//! whether an account has it.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::login_screen::ScreenQuery;
use super::transaction::{self, Transaction};
use crate::client_ip::ClientIp;
use crate::flows::throttle::{self, Stage};
use crate::flows::{passwordless, validation};
use crate::pages::{self, Page};
use crate::respond;
use crate::state::{AppState, Issuer};

#[derive(Debug, Serialize)]
struct EmailFields<'a> {
    state: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    /// Back to the password screens, unless this login came for the email connection.
    login_url: Option<String>,
}

fn screen(
    transaction: &Transaction,
    email: &str,
    status: StatusCode,
    error: Option<&'static str>,
) -> Response {
    let for_email_only = transaction.login.authorization.connection.is_some();
    Page::new(&transaction.look, pages::LOGIN_EMAIL)
        .status(status)
        .fields(EmailFields {
            state: &transaction.reference,
            csrf: &transaction.login.csrf_token,
            email,
            error,
            error_field: error.map(|_| "email"),
            login_url: (!for_email_only).then(|| transaction.url("/u/login")),
        })
        .into_response()
}

/// `GET /u/login/email?state=…`.
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
    match transaction.email_connection(&state).await {
        Ok(Some(_)) => screen(&transaction, transaction.hint(), StatusCode::OK, None),
        Ok(None) => transaction.error(
            StatusCode::BAD_REQUEST,
            "connection-disabled",
            "invalid_request",
        ),
        Err(_) => transaction.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "server_error",
        ),
    }
}

/// `POST /u/login/email`: `state`, `csrf` and `email`; mails a code, then asks for it.
pub async fn submit(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut transaction, form) =
        match transaction::resume_posted(&state, &issuer, &headers, &body).await {
            Ok(posted) => posted,
            Err(page) => return page,
        };
    let typed = form.get("email").unwrap_or_default();
    let Ok(email) = validation::email(typed) else {
        return screen(
            &transaction,
            typed,
            StatusCode::BAD_REQUEST,
            Some("invalid-email-format"),
        );
    };
    let connection = match transaction.email_connection(&state).await {
        Ok(Some(connection)) => connection,
        Ok(None) => {
            return transaction.error(
                StatusCode::BAD_REQUEST,
                "connection-disabled",
                "invalid_request",
            );
        }
        Err(_) => {
            return transaction.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
            );
        }
    };
    let Some(client) = transaction.client.clone() else {
        return transaction.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "server_error",
        );
    };
    match throttle::count(
        &state,
        &transaction.tenant_id,
        Stage::PasswordlessStart,
        &ip,
    )
    .await
    {
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
    if transaction
        .remember_identifier(&state, &email)
        .await
        .is_err()
    {
        return transaction.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "server_error",
        );
    }
    passwordless::send_in_background(&state, &transaction.tenant_id, &client, connection, &email);
    respond::found(&transaction.url("/u/login/email-code"))
}
