//! The fallback layer: the conformance suite through it on SQLite, PostgreSQL and MySQL (with an
//! empty secondary, and with a primary whose every read fails on purpose), the configuration
//! bundle behind a database, and a child tenant inheriting from its parent.
#![allow(
    clippy::panic,
    reason = "a backend that is configured but unreachable must fail the run"
)]

use std::fmt;
use std::sync::Arc;

use anyhow::{Context, ensure};
use authhero_adapter_tests::fixtures::{self, TestTenant};
use authhero_core::entities::{Branding, Client, Connection, ResourceServer, User};
use authhero_core::layer::{Answer, BoxFuture, Call, Route, RouteEveryPort};
use authhero_core::ports::Entity;
use authhero_core::{DataAdapters, Error, Layer, ListParams, Result};
use authhero_fallback::{Bundle, BundleError, FallbackLayer, parent_tenant};
use authhero_sea_orm::Database;

async fn database(url: &str) -> DataAdapters {
    let database = Database::open(url)
        .await
        .unwrap_or_else(|error| panic!("open {url}: {error}"));
    database.adapters()
}

async fn memory() -> DataAdapters {
    database("sqlite::memory:").await
}

/// Adapters whose every read fails as a database that is down would; writes go through.
struct ReadsFail<'a>(&'a DataAdapters);

#[derive(Debug)]
struct Down<P: ?Sized>(Arc<P>);

impl RouteEveryPort for ReadsFail<'_> {
    type Route<P: ?Sized + Send + Sync + fmt::Debug + 'static> = Down<P>;

    fn route<P: ?Sized + Send + Sync + fmt::Debug + 'static>(
        &self,
        _: &'static str,
        port: fn(&DataAdapters) -> &Arc<P>,
    ) -> Down<P> {
        Down(port(self.0).clone())
    }
}

impl<P: ?Sized + Send + Sync + fmt::Debug + 'static> Route<P> for Down<P> {
    fn read<'a, T, F>(&'a self, _: Call<'a>, _: F) -> BoxFuture<'a, Result<T>>
    where
        T: Answer,
        F: Fn(&'a P) -> BoxFuture<'a, Result<T>> + Send + Sync + 'a,
    {
        Box::pin(async { Err(Error::unavailable_because("down on purpose")) })
    }

    fn write<'a, T, F>(&'a self, _: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> BoxFuture<'a, Result<T>> + Send + 'a,
    {
        run(&self.0)
    }
}

/// The database behind a fallback to an empty store.
async fn over_empty_secondary(url: &str) -> DataAdapters {
    FallbackLayer::new(memory().await).layer(database(url).await)
}

/// Every read fails in the primary and is answered by the secondary, here a replica (the same
/// database): each read method of each port goes through the fallback path.
async fn over_failing_primary(url: &str) -> DataAdapters {
    let database = database(url).await;
    FallbackLayer::new(database.clone())
        .replica()
        .layer(DataAdapters::routed(&ReadsFail(&database)))
}

authhero_adapter_tests::conformance_on_every_backend!(fallback: over_empty_secondary);
authhero_adapter_tests::conformance_on_every_backend!(failing_primary: over_failing_primary);

const BUNDLE_YAML: &str = r##"
clients:
  - client_id: bundled-spa
    name: Bundled SPA
    app_type: spa
    callbacks: ["https://app.example.com/callback"]
connections:
  - id: con_bundled
    name: Bundled-Database
    strategy: auth0
    enabled_clients: [bundled-spa]
resourceServers:
  - id: api_bundled
    name: Bundled API
    identifier: https://api.example.com/
branding:
  logo_url: https://cdn.example.com/logo.png
  colors:
    primary: "#0059d6"
"##;

#[tokio::test]
async fn a_configuration_bundle_answers_behind_the_database() -> anyhow::Result<()> {
    let now = fixtures::now();
    let bundle = Bundle::from_yaml(BUNDLE_YAML, now)?;
    let secondary = memory().await;
    let primary = memory().await;
    let tenant = TestTenant::new(&primary).await?;
    bundle.write_into(&secondary, &tenant.id, now).await?;
    let layered = FallbackLayer::new(secondary.clone())
        .only(&[
            Client::NAME,
            Connection::NAME,
            ResourceServer::NAME,
            "branding",
        ])
        .layer(primary.clone());

    let (owner, client) = layered
        .clients
        .find_by_client_id("bundled-spa")
        .await?
        .context("the bundled client")?;
    ensure!(owner == tenant.id && client.name == "Bundled SPA");
    let connections = layered
        .connections
        .list(&tenant.id, &ListParams::default())
        .await?;
    ensure!(connections.items.len() == 1 && connections.items[0].name == "Bundled-Database");
    ensure!(
        layered
            .resource_servers
            .find_by_identifier(&tenant.id, "https://api.example.com/")
            .await?
            .is_some(),
        "the bundled API"
    );
    let branding = layered.branding.get(&tenant.id).await?.unwrap_or_default();
    ensure!(branding.logo_url.as_deref() == Some("https://cdn.example.com/logo.png"));

    // What the database holds comes first, and writes land in the database only.
    let own = fixtures::connection("con_own", "Own-Database");
    layered.connections.create(&tenant.id, own).await?;
    let connections = layered
        .connections
        .list(&tenant.id, &ListParams::default())
        .await?;
    ensure!(
        connections.items.len() == 1 && connections.items[0].name == "Own-Database",
        "the database's own connections: {:?}",
        connections.items
    );
    let mut renamed = client.clone();
    renamed.name = "Renamed here".into();
    ensure!(
        layered.clients.update(&tenant.id, renamed).await.is_err(),
        "an update of a client that is only in the bundle must not reach the bundle"
    );
    let bundled = secondary.clients.get(&tenant.id, "bundled-spa").await?;
    ensure!(bundled.is_some_and(|client| client.name == "Bundled SPA"));
    ensure!(
        primary
            .clients
            .get(&tenant.id, "bundled-spa")
            .await?
            .is_none(),
        "a read through the layer copied the bundle into the database"
    );

    // Entities left out of `only` do not fall back.
    let user = fixtures::user("auth0|bundled", "Bundled-Database", None);
    secondary.users.create(&tenant.id, user).await?;
    ensure!(
        layered
            .users
            .get(&tenant.id, "auth0|bundled")
            .await?
            .is_none(),
        "users do not fall back here"
    );
    tenant.cleanup().await
}

#[tokio::test]
async fn bundles_parse_as_json_too_and_a_bad_one_is_refused() -> anyhow::Result<()> {
    let now = fixtures::now();
    let json = r#"{"clients": [{"client_id": "c1", "name": "One"}], "branding": {}}"#;
    let bundle = Bundle::from_json(json, now)?;
    ensure!(bundle.clients.len() == 1 && bundle.branding == Some(Branding::default()));
    let unknown_section = Bundle::from_json(r#"{"klients": []}"#, now);
    ensure!(matches!(unknown_section, Err(BundleError::Parse { .. })));
    let client_without_id = Bundle::from_yaml("clients:\n  - name: Nameless\n", now);
    ensure!(matches!(client_without_id, Err(BundleError::Parse { .. })));
    Ok(())
}

#[tokio::test]
async fn reads_are_answered_while_the_primary_is_down() -> anyhow::Result<()> {
    let now = fixtures::now();
    let secondary = memory().await;
    let primary = memory().await;
    let tenant = TestTenant::new(&primary).await?;
    Bundle::from_yaml(BUNDLE_YAML, now)?
        .write_into(&secondary, &tenant.id, now)
        .await?;
    let down = DataAdapters::routed(&ReadsFail(&primary));
    let layered = FallbackLayer::new(secondary).layer(down);

    let client = layered.clients.get(&tenant.id, "bundled-spa").await?;
    ensure!(
        client.is_some(),
        "the secondary answers while the primary is down"
    );
    // What a bundle lacks may still exist in the database that is down: an outage, not a miss.
    let unknown = layered.clients.get(&tenant.id, "not-in-the-bundle").await;
    ensure!(
        unknown.as_ref().is_err_and(|error| error.is_temporary()),
        "a partial secondary's miss answered for a primary that is down: {unknown:?}"
    );

    // With both down, the read fails as temporary, naming its call.
    let both_down = FallbackLayer::new(DataAdapters::routed(&ReadsFail(&primary)))
        .layer(DataAdapters::routed(&ReadsFail(&primary)));
    let error = both_down
        .users
        .get(&tenant.id, "auth0|nobody")
        .await
        .err()
        .context("both down")?;
    ensure!(error.is_temporary(), "{error}");
    ensure!(
        error.operation() == Some("get") && error.entity() == Some(User::NAME),
        "the error names its call: {error}"
    );
    tenant.cleanup().await
}

#[tokio::test]
async fn a_child_tenant_inherits_its_parents_clients_and_connections() -> anyhow::Result<()> {
    let database = memory().await;
    let parent = TestTenant::new(&database).await?;
    let child = TestTenant::new(&database).await?;
    let mut parent_app = fixtures::client("parent-app");
    parent_app.client_secret = Some("the parent's own secret".into());
    database.clients.create(&parent.id, parent_app).await?;
    let parent_database = fixtures::connection("con_parent", "Parent-Database");
    database
        .connections
        .create(&parent.id, parent_database)
        .await?;
    let inheriting = FallbackLayer::new(parent_tenant(&parent.id, &[&child.id], &database))
        .only(&[Client::NAME, Connection::NAME])
        .layer(database.clone());

    let inherited = inheriting
        .clients
        .get(&child.id, "parent-app")
        .await?
        .context("the child sees the parent's client")?;
    ensure!(
        inherited.client_secret.is_none(),
        "the child holds the parent's secret"
    );
    let connections = inheriting
        .connections
        .list(&child.id, &ListParams::default())
        .await?;
    ensure!(connections.items.len() == 1 && connections.items[0].name == "Parent-Database");

    // The child's own connection replaces the inherited list; the parent keeps its own.
    let own = fixtures::connection("con_child", "Child-Database");
    inheriting.connections.create(&child.id, own).await?;
    let connections = inheriting
        .connections
        .list(&child.id, &ListParams::default())
        .await?;
    ensure!(connections.items.len() == 1 && connections.items[0].name == "Child-Database");
    let parents = database
        .connections
        .list(&parent.id, &ListParams::default())
        .await?;
    ensure!(parents.items.len() == 1 && parents.items[0].name == "Parent-Database");

    // Only the named children inherit, and only from the parent.
    database
        .clients
        .create(&child.id, fixtures::client("child-app"))
        .await?;
    let stranger = TestTenant::new(&database).await?;
    for client in ["parent-app", "child-app"] {
        let seen = inheriting.clients.get(&stranger.id, client).await?;
        ensure!(seen.is_none(), "a stranger inherited {client}");
    }
    stranger.cleanup().await?;
    child.cleanup().await?;
    parent.cleanup().await
}

#[tokio::test]
async fn later_pages_of_a_list_the_primary_has_never_fall_back() -> anyhow::Result<()> {
    let now = fixtures::now();
    let json = r#"{"connections": [
        {"id": "con_b1", "name": "Bundled-One", "strategy": "auth0"},
        {"id": "con_b2", "name": "Bundled-Two", "strategy": "auth0"}
    ]}"#;
    let secondary = memory().await;
    let primary = memory().await;
    let tenant = TestTenant::new(&primary).await?;
    Bundle::from_json(json, now)?
        .write_into(&secondary, &tenant.id, now)
        .await?;
    primary
        .connections
        .create(&tenant.id, fixtures::connection("con_own", "Own-Database"))
        .await?;
    let layered = FallbackLayer::new(secondary).layer(primary);
    let second_page = layered
        .connections
        .list(&tenant.id, &ListParams::page(1, 1)?)
        .await?;
    ensure!(
        second_page.items.is_empty(),
        "the primary's list ended; the bundle's second page was mixed in: {:?}",
        second_page.items
    );
    tenant.cleanup().await
}
