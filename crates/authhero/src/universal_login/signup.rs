//! `/u/signup` (and `/authorize?screen_hint=signup`): creating an account on the transaction's
//! database connection under its password policy, then logging in as it. A taken email gets
//! the same words as any other refusal the account's owner could not have caused.

use authhero_core::entities::Connection;
use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::credentials::{self, Refusal};
use super::login_screen::ScreenQuery;
use super::password_words;
use super::transaction::{self, Transaction};
use crate::client_ip::ClientIp;
use crate::flows::users::{self, SignUpError};
use crate::flows::validation::{self, PasswordPolicy, Requirement};
use crate::pages::{self, Page};
use crate::state::{AppState, Issuer};

#[derive(Debug, Serialize)]
struct SignupFields<'a> {
    state: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    /// Sign up is off for this connection: the screen says so and shows no form.
    disabled: bool,
    policy: Vec<Requirement>,
    min_length: usize,
    login_url: String,
}

/// The connection to sign up to, if the application may use it and it takes signups.
async fn open_connection(
    state: &AppState,
    transaction: &Transaction,
) -> Result<Connection, Refusal> {
    match transaction.connection(state).await {
        Ok(Some(connection))
            if connection.options.get("disable_signup") != Some(&serde_json::Value::Bool(true)) =>
        {
            Ok(connection)
        }
        Ok(_) => Err(Refusal::new(StatusCode::BAD_REQUEST, "signup-disabled")),
        Err(_) => Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily-unavailable",
        )),
    }
}

fn screen(
    transaction: &Transaction,
    connection: Option<&Connection>,
    email: &str,
    password: Option<&str>,
    refusal: Option<Refusal>,
) -> Response {
    let policy = connection.map(PasswordPolicy::of);
    let fields = SignupFields {
        state: &transaction.reference,
        csrf: &transaction.login.csrf_token,
        email,
        error: refusal.map(|refusal| refusal.text),
        error_field: refusal.and_then(|refusal| refusal.field),
        disabled: connection.is_none(),
        policy: policy
            .as_ref()
            .map(|policy| policy.requirements(password))
            .unwrap_or_default(),
        min_length: policy.as_ref().map_or(1, PasswordPolicy::min_length),
        login_url: transaction.url("/u/login"),
    };
    let status = refusal.map_or(StatusCode::OK, |refusal| refusal.status);
    Page::new(&transaction.look, pages::SIGNUP)
        .status(status)
        .fields(fields)
        .into_response()
}

/// `GET /u/signup?state=…`.
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
    match open_connection(&state, &transaction).await {
        Ok(connection) => screen(&transaction, Some(&connection), hint, None, None),
        Err(refusal) => screen(&transaction, None, hint, None, Some(refusal)),
    }
}

/// `POST /u/signup`: `state`, `csrf`, `email` and `password`.
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
    let typed = form.get("email").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let connection = match open_connection(&state, &transaction).await {
        Ok(connection) => connection,
        Err(refusal) => return screen(&transaction, None, typed, None, Some(refusal)),
    };
    let refuse = |refusal: Refusal| {
        screen(
            &transaction,
            Some(&connection),
            typed,
            Some(password),
            Some(refusal),
        )
    };
    let Ok(email) = validation::email(typed) else {
        return refuse(Refusal::on(
            StatusCode::BAD_REQUEST,
            "invalid-email-format",
            "email",
        ));
    };
    if password.is_empty() {
        return refuse(Refusal::on(
            StatusCode::BAD_REQUEST,
            "no-password",
            "password",
        ));
    }
    let (tenant_id, client) = (&transaction.tenant_id, transaction.client.as_ref());
    let Some(client) = client else {
        return refuse(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily-unavailable",
        ));
    };
    let user = users::new_signup(&connection, &email, state.now());
    let user =
        match users::sign_up(&state, tenant_id, client, &connection, user, password, &ip).await {
            Ok(user) => user,
            Err(SignUpError::WeakPassword(refused)) => {
                let text = password_words::of(&refused);
                return refuse(Refusal::on(StatusCode::BAD_REQUEST, text, "password"));
            }
            Err(SignUpError::Throttled(throttled)) => return transaction.throttled(throttled),
            Err(SignUpError::Disabled) => {
                return screen(
                    &transaction,
                    None,
                    typed,
                    None,
                    Some(Refusal::new(StatusCode::BAD_REQUEST, "signup-disabled")),
                );
            }
            Err(SignUpError::Exists | SignUpError::Refused(_)) => {
                return refuse(Refusal::new(StatusCode::BAD_REQUEST, "signup-refused"));
            }
            Err(SignUpError::Storage(error)) if error.is_invalid() => {
                return refuse(Refusal::new(StatusCode::BAD_REQUEST, "signup-refused"));
            }
            Err(SignUpError::Storage(_)) => {
                return refuse(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily-unavailable",
                ));
            }
        };
    match credentials::finish(&state, &issuer, &headers, &transaction, user).await {
        Ok(answer) => answer,
        Err(refusal) => transaction.error(refusal.status, "unavailable", "server_error"),
    }
}
