//! The layer really serves look-ups from memory, and forgets what writes through it change.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use authhero_cache::CacheLayer;
use authhero_core::entities::{Client, ResourceServer, SigningAlgorithm, Tenant};
use authhero_core::{Layer, Timestamp};

fn api(identifier: &str) -> ResourceServer {
    ResourceServer {
        id: "rs_1".into(),
        name: "API".into(),
        identifier: identifier.into(),
        scopes: Vec::new(),
        signing_alg: None,
        signing_secret: None,
        allow_offline_access: false,
        skip_consent_for_verifiable_first_party_clients: false,
        token_lifetime: None,
        token_lifetime_for_web: None,
        enforce_policies: false,
        token_dialect: None,
        is_system: false,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    }
}

#[tokio::test]
async fn hot_lookups_come_from_memory_and_writes_through_the_layer_refresh_them()
-> anyhow::Result<()> {
    let database = authhero_sea_orm::Database::open("sqlite::memory:").await?;
    let storage = database.adapters();
    let cached = CacheLayer::new(Duration::from_secs(60)).layer(storage.clone());
    cached
        .tenants
        .create(Tenant::new("t1", Timestamp::now()))
        .await?;

    cached
        .clients
        .create("t1", Client::new("c1", "First name", Timestamp::now()))
        .await?;
    ensure!(
        cached.clients.find_by_client_id("c1").await?.is_some(),
        "client not found"
    );
    ensure!(cached.clients.get("t1", "c1").await?.is_some(), "get");
    ensure!(cached.clients.get("t2", "c1").await?.is_none(), "get in t2");
    // Changed behind the layer's back: the cached answer stands until it expires.
    storage.clients.remove("t1", "c1").await?;
    ensure!(
        cached.clients.find_by_client_id("c1").await?.is_some(),
        "the look-up went to the database"
    );
    ensure!(
        cached.clients.get("t1", "c1").await?.is_some(),
        "get went to the database"
    );
    ensure!(
        cached.clients.get("t2", "c1").await?.is_none(),
        "a cached client leaked into another tenant"
    );

    // Changed through the layer: seen at once.
    cached
        .clients
        .create("t1", Client::new("c2", "Before", Timestamp::now()))
        .await?;
    ensure!(
        cached.clients.find_by_client_id("c2").await?.is_some(),
        "c2"
    );
    cached
        .clients
        .update("t1", Client::new("c2", "After", Timestamp::now()))
        .await?;
    let (_, client) = cached
        .clients
        .find_by_client_id("c2")
        .await?
        .context("c2 after update")?;
    ensure!(
        client.name == "After",
        "stale client after an update through the layer"
    );

    cached
        .resource_servers
        .create("t1", api("https://a.example.com/"))
        .await?;
    ensure!(
        cached
            .resource_servers
            .find_by_identifier("t1", "https://a.example.com/")
            .await?
            .is_some(),
        "api"
    );
    cached
        .resource_servers
        .update("t1", api("https://b.example.com/"))
        .await?;
    ensure!(
        cached
            .resource_servers
            .find_by_identifier("t1", "https://a.example.com/")
            .await?
            .is_none(),
        "old identifier"
    );
    ensure!(
        cached
            .resource_servers
            .find_by_identifier("t1", "https://b.example.com/")
            .await?
            .is_some(),
        "new identifier"
    );
    Ok(())
}

#[tokio::test]
async fn tenants_come_from_memory_and_writes_through_the_layer_refresh_them() -> anyhow::Result<()>
{
    let database = authhero_sea_orm::Database::open("sqlite::memory:").await?;
    let storage = database.adapters();
    let cached = CacheLayer::new(Duration::from_secs(60)).layer(storage.clone());
    // Absent first: creating it through the layer must not leave that answer cached.
    ensure!(cached.tenants.get("t1").await?.is_none(), "t1 before");
    let mut tenant = Tenant::new("t1", Timestamp::now());
    cached.tenants.create(tenant.clone()).await?;
    ensure!(cached.tenants.get("t1").await?.is_some(), "t1 after create");

    // Changed behind the layer's back: the cached answer stands until it expires.
    let mut behind = tenant.clone();
    behind.signing_alg = Some(SigningAlgorithm::EdDSA);
    storage.tenants.update(behind).await?;
    let seen = cached.tenants.get("t1").await?.context("t1")?;
    ensure!(
        seen.signing_alg.is_none(),
        "the look-up went to the database"
    );

    // Changed through the layer: seen at once.
    tenant.signing_alg = Some(SigningAlgorithm::ES256);
    cached.tenants.update(tenant).await?;
    let seen = cached.tenants.get("t1").await?.context("t1")?;
    ensure!(
        seen.signing_alg == Some(SigningAlgorithm::ES256),
        "stale tenant after an update through the layer: {:?}",
        seen.signing_alg
    );
    ensure!(cached.tenants.remove("t1").await?, "remove");
    ensure!(
        cached.tenants.get("t1").await?.is_none(),
        "removed tenant still cached"
    );
    Ok(())
}

/// Reads that pause, after reading, until the test lets them answer.
struct Gated<'a>(&'a authhero_core::DataAdapters, Arc<Gate>);

#[derive(Debug, Default)]
struct Gate {
    read: tokio::sync::Notify,
    answer: tokio::sync::Notify,
    /// Once open, reads no longer pause.
    open: std::sync::atomic::AtomicBool,
}

#[derive(Debug)]
struct GatedPort<P: ?Sized>(Arc<P>, Arc<Gate>);

impl authhero_core::layer::RouteEveryPort for Gated<'_> {
    type Route<P: ?Sized + Send + Sync + std::fmt::Debug + 'static> = GatedPort<P>;

    fn route<P: ?Sized + Send + Sync + std::fmt::Debug + 'static>(
        &self,
        _: &'static str,
        port: fn(&authhero_core::DataAdapters) -> &Arc<P>,
    ) -> GatedPort<P> {
        GatedPort(port(self.0).clone(), self.1.clone())
    }
}

impl<P: ?Sized + Send + Sync + std::fmt::Debug + 'static> authhero_core::layer::Route<P>
    for GatedPort<P>
{
    fn read<'a, T, F>(
        &'a self,
        call: authhero_core::layer::Call<'a>,
        run: F,
    ) -> authhero_core::layer::BoxFuture<'a, authhero_core::Result<T>>
    where
        T: authhero_core::layer::Answer,
        F: Fn(&'a P) -> authhero_core::layer::BoxFuture<'a, authhero_core::Result<T>>
            + Send
            + Sync
            + 'a,
    {
        Box::pin(async move {
            let answer = run(&self.0).await;
            let open = self.1.open.load(std::sync::atomic::Ordering::SeqCst);
            if call.operation == "find_by_client_id" && !open {
                self.1.read.notify_one();
                self.1.answer.notified().await;
            }
            answer
        })
    }

    fn write<'a, T, F>(
        &'a self,
        _: authhero_core::layer::Call<'a>,
        run: F,
    ) -> authhero_core::layer::BoxFuture<'a, authhero_core::Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> authhero_core::layer::BoxFuture<'a, authhero_core::Result<T>>
            + Send
            + 'a,
    {
        run(&self.0)
    }
}

#[tokio::test]
async fn a_read_that_overlaps_a_write_leaves_nothing_stale_behind() -> anyhow::Result<()> {
    let database = authhero_sea_orm::Database::open("sqlite::memory:").await?;
    let storage = database.adapters();
    storage
        .tenants
        .create(Tenant::new("t1", Timestamp::now()))
        .await?;
    storage
        .clients
        .create("t1", Client::new("c1", "Before", Timestamp::now()))
        .await?;
    let gate = Arc::new(Gate::default());
    let gated = authhero_core::DataAdapters::routed(&Gated(&storage, gate.clone()));
    let cached = CacheLayer::new(Duration::from_secs(60)).layer(gated);

    // A look-up reads "Before", then the client changes through the layer, then it answers.
    let clients = cached.clients.clone();
    let slow = tokio::spawn(async move { clients.find_by_client_id("c1").await });
    gate.read.notified().await;
    cached
        .clients
        .update("t1", Client::new("c1", "After", Timestamp::now()))
        .await?;
    gate.answer.notify_one();
    let (_, overlapped) = slow.await??.context("c1")?;
    ensure!(
        overlapped.name == "Before",
        "the slow read saw {}",
        overlapped.name
    );

    gate.open.store(true, std::sync::atomic::Ordering::SeqCst);
    let (_, fresh) = cached
        .clients
        .find_by_client_id("c1")
        .await?
        .context("c1")?;
    ensure!(
        fresh.name == "After",
        "a stale client outlived the write: {}",
        fresh.name
    );
    Ok(())
}
