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
    let database = Database::connect(url)
        .await
        .unwrap_or_else(|error| panic!("connect {url}: {error}"));
    database
        .migrate()
        .await
        .unwrap_or_else(|error| panic!("migrate {url}: {error}"));
    database.adapters()
}

async fn from_env(variable: &str) -> Option<DataAdapters> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(open(&url).await),
        _ => {
            eprintln!("{variable} is unset: skipping");
            None
        }
    }
}

mod sqlite {
    // A fresh in-memory database per test: nothing shared, nothing left behind.
    authhero_adapter_tests::conformance_tests!(async {
        Some(super::open("sqlite::memory:").await)
    });
}

mod postgres {
    authhero_adapter_tests::conformance_tests!(super::from_env("AUTHHERO_TEST_POSTGRES_URL"));
}

mod mysql {
    authhero_adapter_tests::conformance_tests!(super::from_env("AUTHHERO_TEST_MYSQL_URL"));
}
