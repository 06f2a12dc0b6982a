//! `/u/reset-password`: the new-password form of an emailed reset ticket. The ticket is the
//! form's CSRF defence: a cross-site page cannot post a ticket it does not know. Once the
//! password is changed, a ticket's `result_url` is where the user goes next.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::password_words;
use super::result_url::with_outcome;
use super::ticket_look;
use crate::flows::Params;
use crate::flows::password_reset::{Reset, Ticket, reset, usable};
use crate::flows::validation::{PasswordRefused, Requirement};
use crate::pages::{self, Look, Page, error_page};
use crate::state::AppState;

/// Auth0's words for a changed password, sent to `result_url`.
const CHANGED: &str = "You can now login to the application with the new password.";

#[derive(Debug, Serialize)]
struct ResetFields<'a> {
    ticket: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    policy: Vec<Requirement>,
    min_length: usize,
}

#[derive(Debug, Serialize)]
struct MessageFields {
    title: &'static str,
    message: &'static str,
}

fn form(
    look: &Look,
    ticket: &str,
    usable: &Ticket,
    password: Option<&str>,
    error: Option<(&'static str, &'static str)>,
) -> Response {
    Page::new(look, pages::RESET_PASSWORD)
        .status(error.map_or(StatusCode::OK, |_| StatusCode::BAD_REQUEST))
        .fields(ResetFields {
            ticket,
            error: error.map(|(text, _)| text),
            error_field: error.map(|(_, field)| field),
            policy: usable.policy.requirements(password),
            min_length: usable.policy.min_length(),
        })
        .into_response()
}

fn unusable(look: &Look) -> Response {
    Page::new(look, pages::RESET_LINK_UNUSABLE)
        .status(StatusCode::BAD_REQUEST)
        .fields(MessageFields {
            title: "title",
            message: "description",
        })
        .into_response()
}

fn unavailable(look: &Look) -> Response {
    error_page(
        look,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "server_error",
        None,
    )
}

/// `GET /u/reset-password?ticket=...`: the new-password form, if the ticket can still be used.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::from_urlencoded(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let ticket = params.get("ticket");
    let look = ticket_look::of(&state, &headers, ticket).await;
    let Some(ticket) = ticket else {
        return unusable(&look);
    };
    match usable(&state, ticket).await {
        Ok(Some(usable)) => form(&look, ticket, &usable, None, None),
        Ok(None) => unusable(&look),
        Err(error) => {
            tracing::error!(%error, "reading a password reset ticket");
            unavailable(&look)
        }
    }
}

/// `POST /u/reset-password`: checks the new password, consumes the ticket, and sets the password.
pub async fn submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form_fields = Params::from_urlencoded(&body).unwrap_or_default();
    let ticket = form_fields.get("ticket");
    let look = ticket_look::of(&state, &headers, ticket).await;
    let Some(ticket) = ticket else {
        return unusable(&look);
    };
    let usable = match usable(&state, ticket).await {
        Ok(Some(found)) => found,
        Ok(None) => return unusable(&look),
        Err(error) => {
            tracing::error!(%error, "reading a password reset ticket");
            return unavailable(&look);
        }
    };
    let password = form_fields.get("password").unwrap_or_default();
    let confirm = form_fields.get("confirm").unwrap_or_default();
    let retry = |text: &'static str, field: &'static str| {
        form(&look, ticket, &usable, Some(password), Some((text, field)))
    };
    if password.is_empty() {
        return retry("no-password", "password");
    }
    if let Err(refused) = usable.policy.check(password) {
        return retry(password_words::of(&refused), "password");
    }
    if password != confirm {
        return retry("passwords-mismatch", "confirm");
    }
    match reset(&state, &usable, password).await {
        Ok(Reset::Changed) => match &usable.options.result_url {
            Some(result_url) => Redirect::to(&with_outcome(
                result_url,
                CHANGED,
                usable.email_for_result.as_deref(),
            ))
            .into_response(),
            None => Page::new(&look, pages::RESET_SUCCESS)
                .fields(MessageFields {
                    title: "title",
                    message: "description",
                })
                .into_response(),
        },
        Ok(Reset::TicketGone) => unusable(&look),
        Ok(Reset::Reused) => retry(password_words::of(&PasswordRefused::Reused), "password"),
        Err(error) => {
            tracing::error!(%error, "resetting a password");
            unavailable(&look)
        }
    }
}
