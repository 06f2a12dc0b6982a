//! `/u/unblock`: the link brute-force protection mails a blocked user; opening it lifts the
//! blocks and says so.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ticket_look;
use crate::flows::{Params, unblock};
use crate::pages::{self, Page, error_page};
use crate::state::AppState;

#[derive(Debug, Serialize)]
struct ResultFields {
    title: &'static str,
    message: &'static str,
}

/// `GET /u/unblock?ticket=...`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::from_urlencoded(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let ticket = params.get("ticket");
    let look = ticket_look::of(&state, &headers, ticket).await;
    let unblocked = match ticket {
        Some(ticket) => unblock::unblock(&state, ticket).await,
        None => Ok(None),
    };
    let (status, title, message) = match unblocked {
        Ok(Some(_)) => (StatusCode::OK, "title", "description"),
        Ok(None) => (StatusCode::BAD_REQUEST, "errorTitle", "errorDescription"),
        Err(error) => {
            tracing::error!(%error, "unblocking an account");
            return error_page(
                &look,
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
                None,
            );
        }
    };
    Page::new(&look, pages::UNBLOCKED)
        .status(status)
        .fields(ResultFields { title, message })
        .into_response()
}
