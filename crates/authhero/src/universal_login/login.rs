//! `/u/login`: identifier and password on one screen, completing an `/authorize` transaction;
//! a tenant with `identifier_first` set is sent on to `/u/login/identifier` instead.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::credentials;
use super::login_screen::{LoginFields, ScreenQuery};
use super::transaction;
use crate::client_ip::ClientIp;
use crate::pages::{self, Page};
use crate::respond;
use crate::state::{AppState, Issuer};

/// `GET /u/login?state=…`.
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
    // `connection=<an email connection>` goes straight to the email code screens.
    if transaction.login.authorization.connection.is_some()
        && matches!(transaction.email_connection(&state).await, Ok(Some(_)))
    {
        return respond::found(&transaction.url("/u/login/email"));
    }
    let identifier_first = state
        .adapters
        .prompt_settings
        .get(&transaction.tenant_id)
        .await
        .ok()
        .flatten()
        .is_some_and(|settings| settings.identifier_first);
    if identifier_first {
        return respond::found(&transaction.url("/u/login/identifier"));
    }
    let hint = transaction.hint();
    let fields = LoginFields::of(&state, &transaction, hint, None).await;
    Page::new(&transaction.look, pages::LOGIN)
        .fields(fields)
        .into_response()
}

/// `POST /u/login`: `state`, `csrf`, `username` and `password`.
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
    let username = form.get("username").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match credentials::log_in(
        &state,
        &issuer,
        &ip,
        &headers,
        &transaction,
        username,
        password,
    )
    .await
    {
        Ok(answer) => answer,
        Err(refusal) => {
            let fields = LoginFields::of(&state, &transaction, username, Some(refusal)).await;
            Page::new(&transaction.look, pages::LOGIN)
                .status(refusal.status)
                .fields(fields)
                .into_response()
        }
    }
}
