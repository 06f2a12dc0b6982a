//! `/u/email-verification`: opening a verification link marks the user's email verified, then
//! sends them to the ticket's `result_url` (with Auth0's `success`, `code` and `message`, and the
//! `email` when the ticket asks) or says so on a page of its own.

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::result_url::with_outcome;
use crate::flows::Params;
use crate::flows::email_verification::verify;
use crate::html;
use crate::state::AppState;

/// Auth0's words for a verified email, also sent to `result_url`.
const VERIFIED: &str = "Your email was verified. You can continue using the application.";

fn invalid_ticket() -> Response {
    html::error_page(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "This link is invalid, expired or already used.",
    )
}

/// `GET /u/email-verification?ticket=...`.
pub async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Ok(params) = Params::from_urlencoded(query.unwrap_or_default().as_bytes()) else {
        return invalid_ticket();
    };
    let Some(ticket) = params.get("ticket") else {
        return invalid_ticket();
    };
    match verify(&state, ticket).await {
        Ok(Some(verified)) => match verified.result_url {
            Some(result_url) => Redirect::to(&with_outcome(
                &result_url,
                VERIFIED,
                verified.email.as_deref(),
            ))
            .into_response(),
            None => (
                StatusCode::OK,
                [
                    (header::CACHE_CONTROL, "no-store"),
                    (header::REFERRER_POLICY, "no-referrer"),
                ],
                Html(html::message_page("Email verified", VERIFIED)),
            )
                .into_response(),
        },
        Ok(None) => invalid_ticket(),
        Err(error) => {
            tracing::error!(%error, "verifying an email");
            html::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "Try again later.",
            )
        }
    }
}
