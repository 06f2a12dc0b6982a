//! Reading [`Params`] from a request body: a form or a JSON object, by its `Content-Type`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;

use crate::error::OAuthError;
use crate::flows::Params;

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                OAuthError::new(rejection.status(), "invalid_request", rejection.body_text())
            })?;
        if content_type.starts_with("application/x-www-form-urlencoded") {
            Ok(Self::from_urlencoded(&bytes)?)
        } else if content_type.starts_with("application/json") {
            Ok(Self::from_json(&bytes)?)
        } else {
            Err(OAuthError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded or application/json.",
            ))
        }
    }
}
