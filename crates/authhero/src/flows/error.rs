//! The one error every flow returns: what went wrong, in OAuth's vocabulary (which Auth0 uses
//! on all its APIs), with no HTTP in it. Each part maps it onto its own shape: the Auth API onto
//! OAuth error answers, the Management API onto Auth0's error bodies, the login pages onto HTML.

/// What kind of refusal or failure, named by its OAuth `error` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedGrantType,
    /// Brute-force protection refused the attempt (Auth0's `too_many_attempts`).
    TooManyAttempts,
    /// The user is blocked (Auth0's `unauthorized`).
    Unauthorized,
    /// Storage or a dependency is down for now; retrying may work.
    Unavailable,
    Internal,
}

impl ErrorKind {
    /// The OAuth / Auth0 `error` code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::UnauthorizedClient => "unauthorized_client",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::UnsupportedGrantType => "unsupported_grant_type",
            ErrorKind::TooManyAttempts => "too_many_attempts",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Unavailable => "temporarily_unavailable",
            ErrorKind::Internal => "server_error",
        }
    }
}

/// Auth0's answer to a throttled IP.
pub const THROTTLED_DESCRIPTION: &str = "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";

/// A flow's error: its kind and a description fit to show the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {description}", kind.code())]
pub struct FlowError {
    pub kind: ErrorKind,
    pub description: String,
    /// Seconds until a throttled caller may try again (the answer's `Retry-After`).
    pub retry_after: Option<u64>,
}

impl FlowError {
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            retry_after: None,
        }
    }

    /// Suspicious IP throttling refused the request, in Auth0's words.
    pub fn throttled(throttled: super::throttle::Throttled) -> Self {
        Self {
            retry_after: Some(throttled.retry_after),
            ..Self::new(ErrorKind::TooManyAttempts, THROTTLED_DESCRIPTION)
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidClient, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidGrant, description)
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnauthorizedClient, description)
    }

    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::AccessDenied, description)
    }

    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnsupportedGrantType, description)
    }

    pub fn server_error(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, description)
    }
}

impl From<authhero_core::Error> for FlowError {
    fn from(error: authhero_core::Error) -> Self {
        use authhero_core::error::ErrorKind as StorageError;
        match error.kind() {
            StorageError::Invalid | StorageError::NotFound | StorageError::Conflict => {
                FlowError::invalid_request(error.message())
            }
            StorageError::Unavailable => {
                tracing::warn!(%error, "a store or the legacy tenant is unavailable");
                FlowError::new(ErrorKind::Unavailable, "try again later")
            }
            StorageError::Internal => {
                tracing::error!(%error, "internal error");
                FlowError::server_error("internal error")
            }
        }
    }
}

impl From<authhero_core::QueryError> for FlowError {
    fn from(error: authhero_core::QueryError) -> Self {
        FlowError::invalid_request(error.to_string())
    }
}
