//! The two error shapes Auth0 answers with: OAuth errors (`{error, error_description}`) on the
//! Auth API, and `{statusCode, error, message, errorCode}` on the Management API.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::flows::{ErrorKind, FlowError};

/// RFC 6749 §5.1: token answers, successful or not, must not be stored by any cache.
pub const NO_STORE: [(&str, &str); 2] = [("cache-control", "no-store"), ("pragma", "no-cache")];

/// An OAuth 2.0 error response (RFC 6749 §5.2), with Auth0's status codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// Seconds to wait before trying again, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// Auth0 answers 401 for a client that fails authentication.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": self.error, "error_description": self.description }));
        let mut response = (self.status, NO_STORE, body).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A flow's error as the Auth API answers it, with Auth0's status codes.
impl From<FlowError> for OAuthError {
    fn from(error: FlowError) -> Self {
        let status = match error.kind {
            ErrorKind::InvalidRequest | ErrorKind::UnsupportedGrantType => StatusCode::BAD_REQUEST,
            ErrorKind::InvalidClient | ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::InvalidGrant | ErrorKind::UnauthorizedClient | ErrorKind::AccessDenied => {
                StatusCode::FORBIDDEN
            }
            ErrorKind::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        OAuthError {
            retry_after: error.retry_after,
            ..OAuthError::new(status, error.kind.code(), error.description)
        }
    }
}

impl From<authhero_core::Error> for OAuthError {
    fn from(error: authhero_core::Error) -> Self {
        FlowError::from(error).into()
    }
}

/// A Management API error, shaped as Auth0 sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub error_code: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            error_code: None,
        }
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.error_code = Some(code);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message).with_code("invalid_body")
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message).with_code("insufficient_scope")
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message).with_code("inexistent_entity")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
        });
        if let (Some(code), Some(object)) = (self.error_code, body.as_object_mut()) {
            object.insert("errorCode".into(), code.into());
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<authhero_core::Error> for ApiError {
    fn from(error: authhero_core::Error) -> Self {
        use authhero_core::error::ErrorKind;
        let entity = error.entity().unwrap_or("resource");
        match error.kind() {
            ErrorKind::Invalid => ApiError::bad_request(error.message()),
            ErrorKind::NotFound => ApiError::not_found(format!("The {entity} does not exist.")),
            ErrorKind::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                format!("The {entity} already exists."),
            )
            .with_code("conflict"),
            ErrorKind::Unavailable => {
                tracing::warn!(%error, "a store or the legacy tenant is unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Temporarily unavailable")
            }
            ErrorKind::Internal => {
                tracing::error!(%error, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            }
        }
    }
}
