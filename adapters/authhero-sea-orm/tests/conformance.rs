//! The conformance suite on SQLite (always), PostgreSQL and MySQL/MariaDB (when their URLs are
//! set in `AUTHHERO_TEST_POSTGRES_URL` and `AUTHHERO_TEST_MYSQL_URL`).
#![allow(
    clippy::panic,
    reason = "a backend that is configured but unreachable must fail the run"
)]

use authhero_core::DataAdapters;
use authhero_sea_orm::Database;

/// Connects to `url` and migrates. Each test has its own runtime, so each opens its own pool;
/// migrations are idempotent and serialized in the database, so running them per test is safe.
async fn open(url: &str) -> DataAdapters {
    let database = Database::open(url)
        .await
        .unwrap_or_else(|error| panic!("open {url}: {error}"));
    database.adapters()
}

authhero_adapter_tests::conformance_on_every_backend!(open);
