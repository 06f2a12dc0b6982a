//! The one error type every port returns.
//!
//! Besides what went wrong ([`ErrorKind`]), an error carries what a layer needs to act on it:
//! the operation and entity it came from, the underlying error (kept, not flattened to a
//! string), and whether it is temporary, so a fallback knows when another backend may answer.

use std::fmt;
use std::sync::Arc;

/// What went wrong in a port call, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The addressed thing does not exist in this tenant.
    NotFound,
    /// A uniqueness rule was broken (duplicate email, `client_id`, name, ...).
    Conflict,
    /// The input breaks a rule (bad sort field, page too large, malformed `q`, value too long).
    /// Nothing was written.
    Invalid,
    /// The backend could not be reached, timed out or is overloaded; retrying later, or
    /// asking another backend, may succeed.
    Unavailable,
    /// A bug or a broken invariant in the backend; not the caller's fault.
    Internal,
}

/// The underlying error, shared so that an [`Error`] stays cheap to clone (caches hand one
/// error to many waiters).
pub type Source = Arc<dyn std::error::Error + Send + Sync>;

/// A port call's failure: its kind, a message, where it happened and why.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    entity: Option<&'static str>,
    operation: Option<&'static str>,
    source: Option<Source>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            entity: None,
            operation: None,
            source: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self {
            entity: Some(entity),
            ..Self::new(ErrorKind::NotFound, format!("{entity} not found"))
        }
    }

    pub fn conflict(entity: &'static str, message: impl Into<String>) -> Self {
        Self {
            entity: Some(entity),
            ..Self::new(ErrorKind::Conflict, message)
        }
    }

    /// A temporary failure caused by `source` (a refused connection, a timeout).
    pub fn unavailable(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(ErrorKind::Unavailable, source.to_string()).caused_by(source)
    }

    /// A temporary failure with no underlying error to keep.
    pub fn unavailable_because(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Keeps `source` as the underlying error.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Names the call the error came from, unless an inner layer already did.
    pub fn during(mut self, operation: &'static str, entity: &'static str) -> Self {
        self.operation.get_or_insert(operation);
        self.entity.get_or_insert(entity);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message alone, without the kind or the call: what a caller may show.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The entity the failed call was about ("user", "client grant").
    pub fn entity(&self) -> Option<&'static str> {
        self.entity
    }

    /// The port method that failed ("get", "find_by_client_id").
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// True for errors a retry, or another backend, might cure.
    pub fn is_temporary(&self) -> bool {
        self.kind == ErrorKind::Unavailable
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    pub fn is_conflict(&self) -> bool {
        self.kind == ErrorKind::Conflict
    }

    pub fn is_invalid(&self) -> bool {
        self.kind == ErrorKind::Invalid
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entity = self.entity.unwrap_or("entity");
        match self.kind {
            ErrorKind::NotFound => f.write_str(&self.message)?,
            ErrorKind::Conflict => write!(f, "{entity} already exists: {}", self.message)?,
            ErrorKind::Invalid => write!(f, "invalid input: {}", self.message)?,
            ErrorKind::Unavailable => write!(f, "temporarily unavailable: {}", self.message)?,
            ErrorKind::Internal => write!(f, "internal error: {}", self.message)?,
        }
        if let Some(operation) = self.operation {
            write!(f, " (in {entity} {operation})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl From<crate::query::QueryError> for Error {
    fn from(error: crate::query::QueryError) -> Self {
        Error::invalid(error.to_string()).caused_by(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_its_source_and_the_first_call_it_passed() {
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 2 s");
        let error = Error::unavailable(io)
            .during("find_by_client_id", "client")
            .during("get", "tenant");
        assert!(error.is_temporary());
        assert_eq!(error.operation(), Some("find_by_client_id"));
        assert_eq!(error.entity(), Some("client"));
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("no answer in 2 s"));
        assert_eq!(
            error.to_string(),
            "temporarily unavailable: no answer in 2 s (in client find_by_client_id)"
        );
    }

    #[test]
    fn only_unavailable_is_temporary() {
        for permanent in [
            Error::not_found("user"),
            Error::conflict("user", "email taken"),
            Error::invalid("bad sort"),
            Error::internal("broken row"),
        ] {
            assert!(!permanent.is_temporary(), "{permanent}");
        }
    }
}
