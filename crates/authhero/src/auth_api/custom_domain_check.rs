//! `GET /.well-known/authhero/custom-domains/{id}`: a custom domain's verification token, shown
//! only to requests that reach this server under that domain's name. Verification fetches it.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::flows::custom_domains;
use crate::issuer::RequestHost;
use crate::state::AppState;

pub async fn verification_token(
    State(state): State<AppState>,
    RequestHost(host): RequestHost,
    Path(custom_domain_id): Path<String>,
) -> Response {
    match custom_domains::token_for(&state, &host.to_ascii_lowercase(), &custom_domain_id).await {
        Ok(Some(token)) => ([(header::CONTENT_TYPE, "text/plain")], token).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::warn!(%error, "a custom domain's verification token could not be read");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
