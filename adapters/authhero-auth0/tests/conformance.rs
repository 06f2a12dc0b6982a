//! The conformance suite through the migration layer, on SQLite (always), PostgreSQL and MySQL
//! (when `AUTHHERO_TEST_POSTGRES_URL` and `AUTHHERO_TEST_MYSQL_URL` are set): every port but the
//! legacy users is the store's own, untouched. The legacy tenant here is an address nothing
//! listens on, so a port that wrongly reached it would fail.
#![allow(
    clippy::panic,
    reason = "a backend that is configured but unreachable must fail the run"
)]

use authhero_auth0::{Auth0Legacy, Auth0Settings, MigrationLayer};
use authhero_core::{DataAdapters, Layer};
use authhero_sea_orm::Database;

async fn migrating(url: &str) -> DataAdapters {
    let database = Database::open(url)
        .await
        .unwrap_or_else(|error| panic!("open {url}: {error}"));
    let mut settings = Auth0Settings::new("legacy.invalid", "client", "secret");
    settings.base_url = Some("http://127.0.0.1:9".into());
    let legacy = Auth0Legacy::new(settings, "default")
        .unwrap_or_else(|error| panic!("legacy settings: {error}"));
    MigrationLayer::new(legacy).layer(database.adapters())
}

authhero_adapter_tests::conformance_on_every_backend!(migrating: migrating);
