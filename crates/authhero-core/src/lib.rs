//! AuthHero's domain: the entities the Auth0 Management API speaks in, the ports (repository
//! traits) that storage adapters implement, and the typed errors they return.
//!
//! This crate performs no I/O. Adapters (SQL, cache, fallback, migration proxy) live in their own
//! crates and are composed by applications through [`DataAdapters`] and [`Layer`].

pub mod entities;
pub mod error;
pub mod layer;
pub mod list;
pub mod ports;
pub mod query;
pub mod time;

pub use error::{Error, ErrorKind, Result};
pub use layer::Layer;
pub use list::{Checkpoint, ListPage, ListParams, Pagination, Sort, SortOrder};
pub use ports::DataAdapters;
pub use query::{FieldPath, Query, QueryError};
pub use time::Timestamp;
