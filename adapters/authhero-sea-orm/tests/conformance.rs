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

/// A new SQLite file for each test: on a file, plain reads go to the read-only pool, so every
/// case also checks that those reads see what the writer committed. The files of earlier runs
/// are removed when the first test of a run asks for one.
fn fresh_sqlite_file() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let folder = FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join("authhero-conformance-files");
        let _ = std::fs::remove_dir_all(&folder);
        let _ = std::fs::create_dir_all(&folder);
        folder
    });
    let name = format!(
        "{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    folder.join(name).display().to_string()
}

mod sqlite_file {
    authhero_adapter_tests::conformance_tests!(async {
        Some(super::open(&super::fresh_sqlite_file()).await)
    });
}
