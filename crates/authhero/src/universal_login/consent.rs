//! `/u/consent`: a third-party application (or `prompt=consent`) asks the user, proven by the
//! screens before, for the scopes they have not yet granted it. Accepting keeps the grant and
//! completes the login; declining answers the application with `access_denied`.

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::credentials;
use super::login_screen::ScreenQuery;
use super::transaction::{self, Transaction};
use crate::flows::authorize_request::mode_for;
use crate::flows::consent;
use crate::flows::issue::resource_server;
use crate::flows::login::ClientResponse;
use crate::pages::{self, Page};
use crate::respond;
use crate::state::{AppState, Issuer};

#[derive(Debug, Serialize)]
struct ScopeShown {
    name: String,
    /// The API's description of its scope, when it has one.
    description: Option<String>,
}

#[derive(Debug, Serialize)]
struct ConsentFields<'a> {
    state: &'a str,
    csrf: &'a str,
    scopes: Vec<ScopeShown>,
}

/// The scopes to ask for, described by the API the request names.
async fn scopes(
    state: &AppState,
    transaction: &Transaction,
    names: Vec<String>,
) -> Vec<ScopeShown> {
    let api = match transaction.login.authorization.audience.as_deref() {
        Some(audience) => resource_server(state, &transaction.tenant_id, audience)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    names
        .into_iter()
        .map(|name| ScopeShown {
            description: api.as_ref().and_then(|api| {
                api.scopes
                    .iter()
                    .find(|scope| scope.value == name)
                    .and_then(|scope| scope.description.clone())
            }),
            name,
        })
        .collect()
}

/// `GET /u/consent?state=…`: the scopes to accept, for the user the transaction holds.
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
    let (Some(user_id), Some(client)) = (
        transaction.login.user_id.as_deref(),
        transaction.client.as_ref(),
    ) else {
        return respond::found(&transaction.url("/u/login"));
    };
    let authorization = &transaction.login.authorization;
    let to_ask = consent::to_ask(
        &state,
        &issuer.url,
        &transaction.tenant_id,
        client,
        user_id,
        authorization,
    )
    .await;
    let names = match to_ask {
        Ok(names) => names,
        Err(_) => {
            return transaction.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
            );
        }
    };
    let scopes = scopes(&state, &transaction, names).await;
    Page::new(&transaction.look, pages::CONSENT)
        .fields(ConsentFields {
            state: &transaction.reference,
            csrf: &transaction.login.csrf_token,
            scopes,
        })
        .into_response()
}

/// `POST /u/consent`: `state`, `csrf` and `action` (`accept` or `deny`).
pub async fn submit(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (transaction, form) =
        match transaction::resume_posted(&state, &issuer, &headers, &body).await {
            Ok(posted) => posted,
            Err(page) => return page,
        };
    let Some(user_id) = transaction.login.user_id.clone() else {
        return respond::found(&transaction.url("/u/login"));
    };
    let authorization = &transaction.login.authorization;
    match form.get("action") {
        Some("accept") => {}
        Some("deny") => {
            return respond::deliver(ClientResponse::error(
                authorization,
                mode_for(authorization),
                "access_denied",
                "User did not authorize the request",
            ));
        }
        _ => return transaction.error(StatusCode::BAD_REQUEST, "malformed", "invalid_request"),
    }
    let tenant_id = &transaction.tenant_id;
    let recorded = consent::record(
        &state,
        &issuer.url,
        tenant_id,
        &authorization.client_id,
        &user_id,
        authorization,
    )
    .await;
    let user = match (
        recorded,
        state.adapters.users.get(tenant_id, &user_id).await,
    ) {
        (Ok(()), Ok(Some(user))) => user,
        (Ok(()), Ok(None)) => {
            return transaction.error(StatusCode::BAD_REQUEST, "expired", "invalid_request");
        }
        _ => {
            return transaction.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
            );
        }
    };
    match credentials::complete(&state, &issuer, &headers, &transaction, user).await {
        Ok(answer) => answer,
        Err(refusal) => transaction.error(refusal.status, "unavailable", "server_error"),
    }
}
