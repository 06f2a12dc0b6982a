//! Guardian enrollments, Auth0's older view of a user's MFA enrolments, read from the same
//! authentication methods: `GET /users/{id}/enrollments`, and `GET`/`DELETE
//! /guardian/enrollments/{id}`. A TOTP method is an `authenticator` enrollment and a phone an
//! `sms` (or `voice`) one; other methods are not Guardian enrollments.

use authhero_core::entities::{
    AuthenticationMethod, AuthenticationMethodType, PhoneDelivery, User,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::Caller;
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::find;
use crate::error::ApiError;
use crate::flows::authentication_methods;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/users/{id}/enrollments", "read:users",
            "List a user's Guardian enrollments", list,
            Body::None => Reply::Ok(openapi::any_json)),
        endpoint!(Get "/guardian/enrollments/{id}", "read:guardian_enrollments",
            "Get a Guardian enrollment", get_one,
            Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Delete "/guardian/enrollments/{id}", "delete:guardian_enrollments",
            "Delete a Guardian enrollment", remove,
            Body::None => Reply::NoContent),
    ]
}

/// The enrollment a method is, in Auth0's shape; None for a method that is not one.
fn enrollment(method: &AuthenticationMethod) -> Option<Value> {
    let (kind, auth_method) = match (method.kind, method.preferred_authentication_method) {
        (AuthenticationMethodType::Totp, _) => ("authenticator", "authenticator"),
        (AuthenticationMethodType::Phone, Some(PhoneDelivery::Voice)) => ("sms", "voice"),
        (AuthenticationMethodType::Phone, _) => ("sms", "sms"),
        _ => return None,
    };
    let mut shown = json!({
        "id": method.id,
        "status": "confirmed",
        "type": kind,
        "auth_method": auth_method,
        "enrolled_at": method.created_at,
    });
    for (name, value) in [
        ("name", method.name.clone()),
        ("phone_number", method.phone_number.clone()),
        ("last_auth", method.last_auth_at.map(|at| at.to_iso())),
    ] {
        if let Some(value) = value {
            shown[name] = Value::String(value);
        }
    }
    Some(shown)
}

/// `GET /api/v2/users/{id}/enrollments`: a bare array.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let methods = authentication_methods::of_user(&state, tenant, &id).await?;
    Ok(Json(Value::Array(
        methods.iter().filter_map(enrollment).collect(),
    )))
}

/// The tenant's enrollment `id`, or Auth0's 404.
async fn enrollment_named(state: &AppState, tenant: &str, id: &str) -> Result<Value, ApiError> {
    let method = state
        .adapters
        .authentication_methods
        .get(tenant, id)
        .await?;
    method.as_ref().and_then(enrollment).ok_or_else(|| {
        ApiError::not_found("Enrollment not found").with_code("inexistent_enrollment")
    })
}

/// `GET /api/v2/guardian/enrollments/{id}`.
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(enrollment_named(&state, caller.tenant(), &id).await?))
}

/// `DELETE /api/v2/guardian/enrollments/{id}`: 204.
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    enrollment_named(&state, tenant, &id).await?;
    state
        .adapters
        .authentication_methods
        .remove(tenant, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
