//! `/u/login/password`: the second identifier-first screen, for the identifier the first one
//! kept in the transaction.

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

/// `GET /u/login/password?state=…`; without an identifier yet, back to the first screen.
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
    let Some(username) = transaction.identifier() else {
        return respond::found(&transaction.url("/u/login/identifier"));
    };
    let fields = LoginFields::of(&state, &transaction, &username, None).await;
    Page::new(&transaction.look, pages::LOGIN_PASSWORD)
        .fields(fields)
        .into_response()
}

/// `POST /u/login/password`: `state`, `csrf` and `password`, for the kept identifier.
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
    let Some(username) = transaction.identifier() else {
        return respond::found(&transaction.url("/u/login/identifier"));
    };
    let password = form.get("password").unwrap_or_default();
    match credentials::log_in(
        &state,
        &issuer,
        &ip,
        &headers,
        &transaction,
        &username,
        password,
    )
    .await
    {
        Ok(answer) => answer,
        Err(refusal) => {
            let fields = LoginFields::of(&state, &transaction, &username, Some(refusal)).await;
            Page::new(&transaction.look, pages::LOGIN_PASSWORD)
                .status(refusal.status)
                .fields(fields)
                .into_response()
        }
    }
}
