//! Lazy migration from a legacy Auth0 tenant.
//!
//! [`Auth0Legacy`] reads the legacy tenant through its public APIs: users by id and by email
//! through the Management API (with a client-credentials token it caches until it expires), and
//! password checks and refresh-token redemption through the Authentication API's
//! `/oauth/token`. [`MigrationLayer`] installs it as the adapters' legacy users, logging every
//! answer (never a password) and counting them.
//!
//! The flows consult it only for a connection with Auth0's `options.import_mode` set, and only
//! when the local store has no answer, so a user who is already local never causes a legacy
//! call. A user it vouches for is imported with the same `user_id` and the typed password hashed
//! locally.
//!
//! ```no_run
//! # fn demo(database: authhero_core::DataAdapters) -> Result<(), authhero_auth0::SettingsError> {
//! use authhero_core::Layer;
//! let legacy = authhero_auth0::Auth0Legacy::new(
//!     authhero_auth0::Auth0Settings::new("example.eu.auth0.com", "client id", "client secret"),
//!     "default",
//! )?;
//! let migrating = authhero_auth0::MigrationLayer::new(legacy).layer(database);
//! # let _ = migrating;
//! # Ok(())
//! # }
//! ```

mod legacy;
mod migration;
mod token;

pub use crate::legacy::{Auth0Legacy, Auth0Settings, SettingsError};
pub use crate::migration::{MigrationCounts, MigrationLayer};
