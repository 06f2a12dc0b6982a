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
    let database = Database::open(url)
        .await
        .unwrap_or_else(|error| panic!("open {url}: {error}"));
    CacheLayer::new(Duration::from_secs(60)).layer(database.adapters())
}

authhero_adapter_tests::conformance_on_every_backend!(cached: cached);
