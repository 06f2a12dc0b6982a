//! The one error type every port returns.

/// What went wrong in a port call, in terms a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The addressed thing does not exist in this tenant.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// A uniqueness rule was broken (duplicate email, `client_id`, name, ...).
    #[error("{entity} already exists: {message}")]
    Conflict {
        entity: &'static str,
        message: String,
    },
    /// The input breaks a rule (bad sort field, page too large, malformed `q`, value too long).
    /// Nothing was written.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The backend could not be reached or is overloaded; retrying later may succeed.
    /// The fallback layer keys on this variant.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    /// A bug or a broken invariant in the backend; not the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    pub fn not_found(entity: &'static str) -> Self {
        Error::NotFound { entity }
    }

    pub fn conflict(entity: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            entity,
            message: message.into(),
        }
    }

    /// True for errors a retry (or another backend) might cure.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

impl From<crate::query::QueryError> for Error {
    fn from(error: crate::query::QueryError) -> Self {
        Error::Invalid(error.to_string())
    }
}
