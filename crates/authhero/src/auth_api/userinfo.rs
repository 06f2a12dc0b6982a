//! `GET|POST /userinfo`: the signed-in user's claims, by the access token's scope.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::flows::issue::profile_claims;
use crate::state::{AppState, Issuer};
use crate::tokens;

fn unauthorized(description: &str) -> Response {
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        "Unauthorized",
    )
        .into_response()
}

/// The bearer token of the request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

pub async fn userinfo(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized("missing access token");
    };
    let audience = format!("{}userinfo", issuer.url);
    let Ok(claims) = tokens::verify(&state, &issuer.url, token, Some(&audience)).await else {
        return unauthorized("invalid access token");
    };
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (subject, client_id, scope) = (text("sub"), text("azp"), text("scope"));
    let tenant = match state.adapters.clients.find_by_client_id(&client_id).await {
        Ok(Some((tenant_id, _))) => tenant_id,
        _ => return unauthorized("unknown client"),
    };
    let user = match state.adapters.users.get(&tenant, &subject).await {
        Ok(Some(user)) => user,
        _ => return unauthorized("unknown user"),
    };
    let mut body = Map::new();
    body.insert("sub".into(), user.user_id.clone().into());
    profile_claims(&user, &scope, &mut body);
    Json(Value::Object(body)).into_response()
}
