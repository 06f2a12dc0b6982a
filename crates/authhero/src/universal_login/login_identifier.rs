//! `/u/login/identifier`: the first of the identifier-first screens. The identifier is kept in
//! the transaction (as its `login_hint`) for `/u/login/password`; nothing is looked up yet, so
//! this screen says nothing about whether the account exists.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::credentials::Refusal;
use super::login_screen::{LoginFields, ScreenQuery};
use super::transaction;
use crate::pages::{self, Page};
use crate::respond;
use crate::state::{AppState, Issuer};

/// The longest identifier taken: an email is at most 254 characters.
const MAX_IDENTIFIER: usize = 320;

/// `GET /u/login/identifier?state=…`.
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
    let hint = transaction.hint();
    let fields = LoginFields::of(&state, &transaction, hint, None).await;
    Page::new(&transaction.look, pages::LOGIN_IDENTIFIER)
        .fields(fields)
        .into_response()
}

/// `POST /u/login/identifier`: `state`, `csrf` and `username`; on to the password screen.
pub async fn submit(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut transaction, form) =
        match transaction::resume_posted(&state, &issuer, &headers, &body).await {
            Ok(posted) => posted,
            Err(page) => return page,
        };
    let username = form.get("username").unwrap_or_default().trim().to_owned();
    let refusal = if username.is_empty() || username.chars().count() > MAX_IDENTIFIER {
        Some(Refusal::on(
            StatusCode::BAD_REQUEST,
            "no-username",
            "username",
        ))
    } else {
        match transaction.remember_identifier(&state, &username).await {
            Ok(_) => None,
            Err(_) => Some(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily-unavailable",
            )),
        }
    };
    match refusal {
        None => respond::found(&transaction.url("/u/login/password")),
        Some(refusal) => {
            let fields = LoginFields::of(&state, &transaction, &username, Some(refusal)).await;
            Page::new(&transaction.look, pages::LOGIN_IDENTIFIER)
                .status(refusal.status)
                .fields(fields)
                .into_response()
        }
    }
}
