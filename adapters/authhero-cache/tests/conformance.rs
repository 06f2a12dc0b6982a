//! The conformance suite through the cache layer, on SQLite (always), PostgreSQL and MySQL (when
//! `AUTHHERO_TEST_POSTGRES_URL` and `AUTHHERO_TEST_MYSQL_URL` are set): a layer must behave
//! exactly like what it wraps. And ([`caching`]) that it really serves from memory.
#![allow(
    clippy::panic,
    reason = "a backend that is configured but unreachable must fail the run"
)]

mod caching;

use std::time::Duration;

use authhero_cache::CacheLayer;
use authhero_core::{DataAdapters, Layer};
use authhero_sea_orm::Database;

async fn cached(url: &str) -> DataAdapters {
    let database = Database::connect(url)
        .await
        .unwrap_or_else(|error| panic!("connect {url}: {error}"));
    database
        .migrate()
        .await
        .unwrap_or_else(|error| panic!("migrate {url}: {error}"));
    CacheLayer::new(Duration::from_secs(60)).layer(database.adapters())
}

mod cached_sqlite {
    authhero_adapter_tests::conformance_tests!(async {
        Some(super::cached("sqlite::memory:").await)
    });
}

mod cached_postgres {
    authhero_adapter_tests::conformance_tests!(async {
        match std::env::var("AUTHHERO_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(super::cached(&url).await),
            _ => None,
        }
    });
}

mod cached_mysql {
    authhero_adapter_tests::conformance_tests!(async {
        match std::env::var("AUTHHERO_TEST_MYSQL_URL") {
            Ok(url) if !url.is_empty() => Some(super::cached(&url).await),
            _ => None,
        }
    });
}
