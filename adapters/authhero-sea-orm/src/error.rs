//! Translation of database errors into the core's error type.

use authhero_core::Error;
use sea_orm::{DbErr, SqlErr};

/// Maps a database error to what the caller can act on. `entity` names the thing written.
pub(crate) fn map_db_error(entity: &'static str, error: DbErr) -> Error {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            return Error::conflict(entity, message).caused_by(error);
        }
        // Every foreign key points at a parent that must exist: a tenant, user, role, ...
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            return Error::not_found("referenced tenant, user, role, organization or connection")
                .caused_by(error);
        }
        _ => {}
    }
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Error::unavailable(error),
        other => {
            tracing::error!(%other, entity, "database error");
            Error::internal(other.to_string()).caused_by(other)
        }
    }
}

/// A stored document that no longer parses is a broken invariant, not bad input.
pub(crate) fn corrupt(entity: &'static str, error: serde_json::Error) -> Error {
    Error::internal(format!("stored {entity} does not parse: {error}"))
}
