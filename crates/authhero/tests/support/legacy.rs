//! A legacy Auth0 tenant for migration tests: a second AuthHero (it is Auth0-compatible) served
//! on a real TCP port, and a new server's adapters migrating from it.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use authhero_auth0::{Auth0Legacy, Auth0Settings, MigrationLayer};
use authhero_core::entities::{Client, ClientGrant, User};
use authhero_core::{DataAdapters, Layer, Timestamp};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The legacy tenant's client that the migration calls it with.
pub const MIGRATOR: &str = "migrator";
pub const MIGRATOR_SECRET: &str = "migrator-secret-0123456789abcdef0123456789";
/// An application that exists in both tenants with the same credentials.
pub const APP: &str = "legacy-app";
pub const APP_SECRET: &str = "legacy-app-secret-0123456789abcdef0123456789";
pub const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
pub const DATABASE: &str = "Username-Password-Authentication";

/// A running legacy tenant; stops when dropped or on [`LegacyTenant::stop`].
#[derive(Debug)]
pub struct LegacyTenant {
    pub origin: String,
    pub host: String,
    pub adapters: DataAdapters,
    pub tenant: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl LegacyTenant {
    /// A bootstrapped tenant with the migrator client (Management API `read:users`, the
    /// password-realm grant) and [`APP`], both enabled on the database connection.
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let host = format!("127.0.0.1:{}", listener.local_addr()?.port());
        let origin = format!("http://{host}");
        let (adapters, tenant) = super::bootstrapped(&format!("{origin}/")).await?;
        let now = Timestamp::now();
        let mut migrator = Client::new(MIGRATOR, "Migration", now);
        migrator.client_secret = Some(MIGRATOR_SECRET.into());
        migrator.grant_types = vec!["client_credentials".into(), PASSWORD_REALM.into()];
        adapters.clients.create(&tenant, migrator).await?;
        let grant = ClientGrant {
            id: "cgr_migrator".into(),
            client_id: MIGRATOR.into(),
            audience: format!("https://{host}/api/v2/"),
            scope: vec!["read:users".into()],
            organization_usage: None,
            allow_any_organization: None,
            organization_ids: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        adapters.client_grants.create(&tenant, grant).await?;
        let mut app = Client::new(APP, "App", now);
        app.client_secret = Some(APP_SECRET.into());
        app.grant_types = ["password", PASSWORD_REALM, "refresh_token"]
            .map(String::from)
            .to_vec();
        adapters.clients.create(&tenant, app).await?;
        super::enable_on_default_connection(&adapters, &tenant, &[MIGRATOR, APP]).await?;

        let router = authhero::AuthHero::new(adapters.clone())
            .issuer(&format!("{origin}/"))?
            .router();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(authhero::serve(
            listener,
            router,
            authhero::HEADER_READ_TIMEOUT,
            async {
                stopped.await.ok();
            },
        ));
        Ok(Self {
            origin,
            host,
            adapters,
            tenant,
            stop: Some(stop),
            served: Some(served),
        })
    }

    /// A user of the database connection, with a verified email and this password.
    pub async fn user(&self, id: &str, email: &str, password: &str) -> anyhow::Result<User> {
        let mut user = User::new("auth0", id, DATABASE, Timestamp::now());
        user.email = Some(email.into());
        user.name = Some("Legacy User".into());
        user.app_metadata
            .insert("plan".into(), serde_json::json!("gold"));
        super::create_user(&self.adapters, &self.tenant, user, password).await
    }

    /// Settings for a migration from this tenant.
    pub fn settings(&self) -> Auth0Settings {
        let mut settings = Auth0Settings::new(&self.host, MIGRATOR, MIGRATOR_SECRET);
        settings.base_url = Some(self.origin.clone());
        settings
    }

    /// Stops serving and waits until the port is closed.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(served) = self.served.take() {
            served.await.context("legacy server task")??;
        }
        Ok(())
    }
}

/// `adapters` with a migration from the legacy tenant `settings` describe (tenant `tenant`,
/// with the database connection importing), and the legacy adapter to count its requests.
pub async fn migrating(
    adapters: DataAdapters,
    tenant: &str,
    settings: Auth0Settings,
) -> anyhow::Result<(DataAdapters, Arc<Auth0Legacy>)> {
    super::edit_default_connection(&adapters, tenant, |connection| {
        connection
            .options
            .insert("import_mode".into(), serde_json::Value::Bool(true));
    })
    .await?;
    let legacy = Arc::new(Auth0Legacy::new(settings, tenant)?);
    let layered = MigrationLayer::shared(legacy.clone()).layer(adapters);
    Ok((layered, legacy))
}

/// Settings for a legacy tenant that accepts connections and never answers.
pub async fn silent_tenant(timeout: Duration) -> anyhow::Result<(Auth0Settings, TcpListener)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let host = listener.local_addr()?.to_string();
    let mut settings = Auth0Settings::new(&host, MIGRATOR, MIGRATOR_SECRET);
    settings.base_url = Some(format!("http://{host}"));
    settings.timeout = timeout;
    Ok((settings, listener))
}
