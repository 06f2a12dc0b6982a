//! `/dbconnections/signup` and `/dbconnections/change_password`: Auth0's database-connection
//! endpoints, with their own error shape (`{name, code, description, statusCode}`).

use authhero_core::entities::{Client, Connection};
use authhero_core::{ListParams, Query};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::client_ip::ClientIp;
use crate::flows::password_reset;
use crate::flows::throttle::{self, Stage, Throttled};
use crate::flows::users::{self, SignUpError};
use crate::flows::validation::{self, PasswordRefused};
use crate::flows::{Params, THROTTLED_DESCRIPTION};
use crate::state::{AppState, Issuer};

fn bad(code: &str, description: &str) -> Response {
    let body = json!({ "name": "BadRequestError", "code": code, "description": description, "statusCode": 400 });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The tenant and the database connection named `name` that the client may use.
async fn database(
    state: &AppState,
    issuer: &Issuer,
    params: &Params,
) -> Result<(String, Client, Connection), Response> {
    let client_id = params
        .get("client_id")
        .ok_or_else(|| bad("invalid_request", "Missing client_id"))?;
    let name = params
        .get("connection")
        .ok_or_else(|| bad("invalid_request", "Missing connection"))?;
    let (tenant_id, client) = state
        .client(client_id)
        .await
        .map_err(|_| bad("invalid_request", "Unknown client."))?;
    if !issuer.admits(&tenant_id) {
        return Err(bad("invalid_request", "Unknown client."));
    }
    let q =
        Query::equals("name", name).map_err(|_| bad("invalid_request", "Bad connection name"))?;
    let found = state
        .adapters
        .connections
        .list(&tenant_id, &ListParams::default().with_query(q))
        .await
        .map_err(|_| bad("invalid_request", "Try again later."))?;
    let connection = found
        .items
        .into_iter()
        .find(|connection| connection.strategy == "auth0")
        .ok_or_else(|| bad("invalid_connection", "Connection does not exist"))?;
    // An empty list enables no client, as in Auth0.
    let enabled = connection.enabled_clients.contains(&client.client_id);
    if !enabled {
        return Err(bad(
            "invalid_connection",
            "Connection is not enabled for this client",
        ));
    }
    Ok((tenant_id, client, connection))
}

/// Suspicious IP throttling's refusal, in this endpoint's shape, with `Retry-After`.
fn throttled(throttled: Throttled) -> Response {
    let body = json!({
        "name": "TooManyRequestsError",
        "code": "too_many_attempts",
        "description": THROTTLED_DESCRIPTION,
        "statusCode": 429,
    });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, throttled.retry_after.to_string())],
        Json(body),
    )
        .into_response()
}

pub async fn signup(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    params: Params,
) -> Response {
    let (tenant_id, client, connection) = match database(&state, &issuer, &params).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(email) = params.get("email") else {
        return bad("invalid_signup", "Missing email");
    };
    let Ok(email) = validation::email(email) else {
        return bad("invalid_signup", "Invalid email");
    };
    let Some(password) = params.get("password") else {
        return bad("invalid_signup", "Missing password");
    };
    let mut user = users::new_signup(&connection, &email, state.now());
    // Auth0 answers with the identity's own id, without the `auth0|`.
    let id = user
        .identities
        .first()
        .map(|identity| identity.user_id.clone())
        .unwrap_or_default();
    user.username = params.get("username").map(str::to_owned);
    user.given_name = params.get("given_name").map(str::to_owned);
    user.family_name = params.get("family_name").map(str::to_owned);
    if let Some(name) = params.get("name") {
        user.name = Some(name.to_owned());
    }
    if let Some(nickname) = params.get("nickname") {
        user.nickname = Some(nickname.to_owned());
    }
    user.picture = params.get("picture").map(str::to_owned);
    if let Some(text) = params.get("user_metadata") {
        // Auth0 takes an object of strings here.
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
            Ok(metadata) if metadata.values().all(serde_json::Value::is_string) => {
                user.user_metadata = metadata
            }
            _ => {
                return bad(
                    "invalid_signup",
                    "user_metadata must be an object of strings",
                );
            }
        }
    }
    match users::sign_up(
        &state,
        &tenant_id,
        &client,
        &connection,
        user,
        password,
        &ip,
    )
    .await
    {
        Ok(_) => {}
        Err(SignUpError::WeakPassword(refused)) => {
            let mut body = json!({
                "name": refused.name(),
                "message": refused.to_string(),
                "code": "invalid_password",
                "description": refused.to_string(),
                "statusCode": 400,
            });
            if let PasswordRefused::Weak(weak) = refused {
                body["description"] = weak.description;
                body["policy"] = Value::String(weak.policy);
            }
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
        Err(SignUpError::Refused(reason)) => return bad("invalid_signup", &reason),
        Err(SignUpError::Exists) => return bad("user_exists", "The user already exists."),
        Err(SignUpError::Throttled(refused)) => return throttled(refused),
        Err(SignUpError::Disabled) => {
            return bad("operation_not_allowed", "Public signup is disabled.");
        }
        Err(SignUpError::Storage(error)) if error.is_invalid() => {
            return bad("invalid_signup", error.message());
        }
        Err(SignUpError::Storage(_)) => return bad("invalid_signup", "Try again later."),
    }
    Json(json!({ "_id": id, "email_verified": false, "email": email })).into_response()
}

/// Answers the same whether or not the user exists, so it cannot be used to find accounts.
pub async fn change_password(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    params: Params,
) -> Response {
    let (tenant_id, client, connection) = match database(&state, &issuer, &params).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(email) = params.get("email") else {
        return bad("invalid_request", "Missing email");
    };
    // Normalized as at signup, so `Jane@Example.com ` finds `jane@example.com`. Refusing a
    // malformed address tells nothing about which accounts exist.
    let Ok(email) = validation::email(email) else {
        return bad("invalid_request", "Invalid email");
    };
    match throttle::count(&state, &tenant_id, Stage::ResetRequest, &ip).await {
        Ok(Ok(())) => {}
        Ok(Err(refused)) => return throttled(refused),
        Err(_) => return bad("invalid_request", "Try again later."),
    }
    // In the background: neither the answer nor its timing may tell whether the user exists.
    password_reset::request(&state, tenant_id, client.client_id, connection.name, email);
    (
        StatusCode::OK,
        "We've just sent you an email to reset your password.",
    )
        .into_response()
}
