//! `/u/reset-password`: the new-password form of an emailed reset ticket. The ticket is the
//! form's CSRF defence: a cross-site page cannot post a ticket it does not know. Once the
//! password is changed, a ticket's `result_url` is where the user goes next.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::result_url::with_outcome;
use crate::flows::Params;
use crate::flows::password_reset::{Reset, reset, usable};
use crate::flows::validation::PasswordRefused;
use crate::html;
use crate::state::AppState;

/// Auth0's words for a changed password, sent to `result_url`.
const CHANGED: &str = "You can now login to the application with the new password.";

fn page(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            // The ticket is in this page's URL: never hand it on in a Referer.
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(body),
    )
        .into_response()
}

fn invalid_ticket() -> Response {
    html::error_page(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "This link is invalid, expired or already used. Ask for a new password reset email.",
    )
}

fn unavailable() -> Response {
    html::error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "server_error",
        "Try again later.",
    )
}

/// `GET /u/reset-password?ticket=...`: the new-password form, if the ticket can still be used.
pub async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Ok(params) = Params::from_urlencoded(query.unwrap_or_default().as_bytes()) else {
        return invalid_ticket();
    };
    let Some(ticket) = params.get("ticket") else {
        return invalid_ticket();
    };
    match usable(&state, ticket).await {
        Ok(Some(usable)) => page(
            StatusCode::OK,
            html::reset_form(ticket, usable.policy.min_length(), None),
        ),
        Ok(None) => invalid_ticket(),
        Err(error) => {
            tracing::error!(%error, "reading a password reset ticket");
            unavailable()
        }
    }
}

/// `POST /u/reset-password`: checks the new password, consumes the ticket, and sets the password.
pub async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let Ok(form) = Params::from_urlencoded(&body) else {
        return html::error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Malformed form.",
        );
    };
    let Some(ticket) = form.get("ticket") else {
        return invalid_ticket();
    };
    let usable = match usable(&state, ticket).await {
        Ok(Some(found)) => found,
        Ok(None) => return invalid_ticket(),
        Err(error) => {
            tracing::error!(%error, "reading a password reset ticket");
            return unavailable();
        }
    };
    let password = form.get("password").unwrap_or_default();
    let confirm = form.get("confirm").unwrap_or_default();
    let retry = |message: &str| {
        page(
            StatusCode::BAD_REQUEST,
            html::reset_form(ticket, usable.policy.min_length(), Some(message)),
        )
    };
    match usable.policy.check(password) {
        Ok(()) => {}
        Err(PasswordRefused::Weak(weak)) => {
            return retry(&format!("{weak}. It must meet: {}.", weak.unmet));
        }
        Err(refused) => return retry(&format!("{refused}.")),
    }
    if password != confirm {
        return retry("The two passwords do not match.");
    }
    match reset(&state, &usable, password).await {
        Ok(Reset::Changed) => match &usable.options.result_url {
            Some(result_url) => Redirect::to(&with_outcome(
                result_url,
                CHANGED,
                usable.email_for_result.as_deref(),
            ))
            .into_response(),
            None => page(
                StatusCode::OK,
                html::message_page("Password changed", "Your password has been changed."),
            ),
        },
        Ok(Reset::TicketGone) => invalid_ticket(),
        Ok(Reset::Reused) => retry(&format!("{}.", PasswordRefused::Reused)),
        Err(error) => {
            tracing::error!(%error, "resetting a password");
            unavailable()
        }
    }
}
