//! `/u/email-verification`: opening a verification link marks the user's email verified, then
//! sends them to the ticket's `result_url` (with Auth0's `success`, `code` and `message`, and the
//! `email` when the ticket asks) or says so on a page of its own.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::result_url::with_outcome;
use super::ticket_look;
use crate::flows::Params;
use crate::flows::email_verification::verify;
use crate::pages::{self, Page, error_page};
use crate::state::AppState;

/// Auth0's words for a verified email, sent to `result_url`.
const VERIFIED: &str = "Your email was verified. You can continue using the application.";

#[derive(Debug, Serialize)]
struct ResultFields {
    title: &'static str,
    message: &'static str,
}

/// `GET /u/email-verification?ticket=...`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::from_urlencoded(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let ticket = params.get("ticket");
    let look = ticket_look::of(&state, &headers, ticket).await;
    let verified = match ticket {
        Some(ticket) => verify(&state, ticket).await,
        None => Ok(None),
    };
    let (status, title, message) = match verified {
        Ok(Some(verified)) => match verified.result_url {
            Some(result_url) => {
                let to = with_outcome(&result_url, VERIFIED, verified.email.as_deref());
                return Redirect::to(&to).into_response();
            }
            None => (StatusCode::OK, "verifiedTitle", "verifiedDescription"),
        },
        Ok(None) => (StatusCode::BAD_REQUEST, "errorTitle", "errorDescription"),
        Err(error) => {
            tracing::error!(%error, "verifying an email");
            return error_page(
                &look,
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "server_error",
                None,
            );
        }
    };
    Page::new(&look, pages::EMAIL_VERIFIED)
        .status(status)
        .fields(ResultFields { title, message })
        .into_response()
}
