//! The conformance suite through the encryption layer on SQLite, PostgreSQL and MySQL (a layer
//! must behave exactly like what it wraps), and what the layer leaves in the store: sealed
//! secrets only.
#![allow(
    clippy::panic,
    reason = "a backend that is configured but unreachable must fail the run"
)]

use anyhow::{Context, ensure};
use authhero_core::entities::Client;
use authhero_core::{DataAdapters, Layer, Timestamp};
use authhero_encryption::{EncryptionLayer, SecretKey};
use authhero_sea_orm::Database;

fn key(byte: u8) -> SecretKey {
    SecretKey::from_bytes(&[byte; 32]).unwrap_or_else(|error| panic!("key: {error}"))
}

/// A migrated in-memory database: its own adapters, and the same behind the layer.
async fn stores() -> (DataAdapters, DataAdapters) {
    stores_at("sqlite::memory:").await
}

/// The database at `url`, migrated: its own adapters, and the same behind the layer.
async fn stores_at(url: &str) -> (DataAdapters, DataAdapters) {
    let database = Database::open(url)
        .await
        .unwrap_or_else(|error| panic!("open {url}: {error}"));
    let raw = database.adapters();
    let sealed = EncryptionLayer::new(key(1)).layer(raw.clone());
    (raw, sealed)
}

async fn sealed(url: &str) -> DataAdapters {
    stores_at(url).await.1
}

authhero_adapter_tests::conformance_on_every_backend!(sealed: sealed);

#[tokio::test]
async fn the_store_holds_only_sealed_secrets() -> anyhow::Result<()> {
    let (raw, sealed) = stores().await;
    let tenant = authhero_adapter_tests::fixtures::unique("tenant");
    raw.tenants
        .create(authhero_core::entities::Tenant::new(
            &tenant,
            Timestamp::now(),
        ))
        .await?;
    let mut client = Client::new("app", "App", Timestamp::now());
    client.client_secret = Some("the-client-secret".into());
    let created = sealed.clients.create(&tenant, client).await?;
    ensure!(created.client_secret.as_deref() == Some("the-client-secret"));

    let stored = raw
        .clients
        .get(&tenant, "app")
        .await?
        .context("not stored")?;
    let at_rest = stored.client_secret.context("no secret stored")?;
    ensure!(
        at_rest.starts_with("sealed:v1:") && !at_rest.contains("the-client-secret"),
        "stored as {at_rest}"
    );
    for read in [
        sealed.clients.get(&tenant, "app").await?,
        sealed
            .clients
            .find_by_client_id("app")
            .await?
            .map(|(_, client)| client),
        sealed
            .clients
            .list(&tenant, &Default::default())
            .await?
            .items
            .into_iter()
            .next(),
    ] {
        ensure!(
            read.and_then(|client| client.client_secret).as_deref() == Some("the-client-secret"),
            "a read through the layer did not open the secret"
        );
    }

    // A secret stored before the layer was added reads as it is, and is sealed on its next write.
    let mut legacy = Client::new("legacy", "Legacy", Timestamp::now());
    legacy.client_secret = Some("plain-secret".into());
    raw.clients.create(&tenant, legacy).await?;
    let read = sealed
        .clients
        .get(&tenant, "legacy")
        .await?
        .context("legacy")?;
    ensure!(read.client_secret.as_deref() == Some("plain-secret"));
    sealed.clients.update(&tenant, read).await?;
    let resealed = raw
        .clients
        .get(&tenant, "legacy")
        .await?
        .and_then(|client| client.client_secret)
        .unwrap_or_default();
    ensure!(resealed.starts_with("sealed:v1:"), "not sealed on write");

    // Under another key the secret does not open, and the read fails instead of dropping it.
    let stranger = EncryptionLayer::new(key(2)).layer(raw.clone());
    ensure!(
        stranger.clients.get(&tenant, "app").await.is_err(),
        "a secret sealed under another key was read"
    );
    raw.tenants.remove(&tenant).await?;
    Ok(())
}

#[tokio::test]
async fn signing_keys_are_stored_sealed() -> anyhow::Result<()> {
    let (raw, sealed) = stores().await;
    let mut key = authhero_adapter_tests::fixtures::signing_key(
        &authhero_adapter_tests::fixtures::unique("kid"),
    );
    key.private_key = "-----BEGIN PRIVATE KEY-----\nprivate\n-----END PRIVATE KEY-----".into();
    let kid = key.kid.clone();
    let created = sealed.signing_keys.create(key.clone()).await?;
    ensure!(created.private_key == key.private_key);
    let at_rest = raw.signing_keys.get(&kid).await?.context("not stored")?;
    ensure!(
        at_rest.private_key.starts_with("sealed:v1:") && !at_rest.private_key.contains("private"),
        "stored as {}",
        at_rest.private_key
    );
    ensure!(
        at_rest.public_key == key.public_key,
        "the public key was sealed too"
    );
    let listed = sealed.signing_keys.list().await?;
    ensure!(
        listed
            .iter()
            .any(|listed| listed.kid == kid && listed.private_key == key.private_key),
        "list did not open the key"
    );
    ensure!(
        sealed
            .signing_keys
            .get(&kid)
            .await?
            .map(|read| read.private_key)
            == Some(key.private_key),
        "get did not open the key"
    );
    Ok(())
}
