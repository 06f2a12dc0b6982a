//! Lazy migration from a legacy Auth0 tenant (issue 9): a second AuthHero on a real port plays
//! the legacy tenant, and the server under test imports its users on first use through the
//! legacy adapter and the migration layer.

use std::time::Duration;

use anyhow::{Context, ensure};
use authhero_core::entities::PasswordAlgorithm;
use authhero_core::{DataAdapters, ListParams, Query};
use axum::Router;
use axum::http::StatusCode;
use serde_json::Value;

use crate::support::legacy::{
    APP, APP_SECRET, DATABASE, LegacyTenant, PASSWORD_REALM, migrating, silent_tenant,
};
use crate::support::{self, Reply, claims, hidden_value, redirect_params};

const ISSUER: &str = "http://localhost:3000/";
const CALLBACK: &str = "https://app.example.com/callback";
const LEGACY_ID: &str = "auth0|5f7c8ec7c33c6c004bbafe82";
const LEGACY_EMAIL: &str = "legacy@example.com";
const LEGACY_PASSWORD: &str = "legacy horse battery staple";
const LOCAL_EMAIL: &str = "local@example.com";
const LOCAL_PASSWORD: &str = "local horse battery staple";

/// The server under test, migrating from a legacy tenant.
struct Migrating {
    router: Router,
    adapters: DataAdapters,
    tenant: String,
    legacy: std::sync::Arc<authhero_auth0::Auth0Legacy>,
}

impl Migrating {
    /// Over `settings`' legacy tenant, with [`APP`] (same credentials as there) and a local
    /// user of its own.
    async fn start(settings: authhero_auth0::Auth0Settings) -> anyhow::Result<Self> {
        let (adapters, tenant) = support::bootstrapped(ISSUER).await?;
        let now = authhero_core::Timestamp::now();
        let mut app = authhero_core::entities::Client::new(APP, "App", now);
        app.client_secret = Some(APP_SECRET.into());
        app.callbacks = vec![CALLBACK.into()];
        app.grant_types = [
            "authorization_code",
            "password",
            PASSWORD_REALM,
            "refresh_token",
        ]
        .map(String::from)
        .to_vec();
        adapters.clients.create(&tenant, app).await?;
        support::enable_on_default_connection(&adapters, &tenant, &[APP]).await?;
        let mut local = authhero_core::entities::User::new("auth0", "local", DATABASE, now);
        local.email = Some(LOCAL_EMAIL.into());
        support::create_user(&adapters, &tenant, local, LOCAL_PASSWORD).await?;
        let (adapters, legacy) = migrating(adapters, &tenant, settings).await?;
        let router = authhero::AuthHero::new(adapters.clone())
            .issuer(ISSUER)?
            .router();
        Ok(Self {
            router,
            adapters,
            tenant,
            legacy,
        })
    }

    async fn password_login(&self, username: &str, password: &str) -> anyhow::Result<Reply> {
        let fields = [
            ("grant_type", PASSWORD_REALM),
            ("realm", DATABASE),
            ("username", username),
            ("password", password),
            ("client_id", APP),
            ("client_secret", APP_SECRET),
            ("scope", "openid email"),
        ];
        support::post_form(&self.router, "/oauth/token", &fields, &[]).await
    }

    /// The login page's answer to these credentials, after `/authorize`.
    async fn form_login(&self, username: &str, password: &str) -> anyhow::Result<Reply> {
        let authorize = format!(
            "/authorize?client_id={APP}&response_type=code&scope=openid&redirect_uri={}",
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
        );
        let start = support::get(&self.router, &authorize, &[]).await?;
        let login_page = start.location().context("no login redirect")?.to_owned();
        let cookies = start.cookies();
        let form = support::get(&self.router, &login_page, &cookies).await?;
        let state = redirect_params(&login_page)
            .remove("state")
            .context("no state")?;
        let csrf = hidden_value(&form.body, "csrf")?;
        let fields = [
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ];
        support::post_form(&self.router, "/u/login", &fields, &cookies).await
    }

    async fn users_with_email(&self, email: &str) -> anyhow::Result<usize> {
        let by_email = ListParams::default().with_query(Query::equals("email", email)?);
        Ok(self
            .adapters
            .users
            .list(&self.tenant, &by_email)
            .await?
            .items
            .len())
    }
}

fn subject(reply: &Reply) -> anyhow::Result<String> {
    let body = reply.json()?;
    let id_token = body["id_token"].as_str().context("no id_token")?;
    Ok(claims(id_token)?["sub"]
        .as_str()
        .context("no sub")?
        .to_owned())
}

#[tokio::test]
async fn a_legacy_user_is_imported_on_first_login_and_then_needs_no_legacy_tenant()
-> anyhow::Result<()> {
    let mut legacy = LegacyTenant::start().await?;
    let original = legacy
        .user(
            LEGACY_ID.trim_start_matches("auth0|"),
            LEGACY_EMAIL,
            LEGACY_PASSWORD,
        )
        .await?;
    let server = Migrating::start(legacy.settings()).await?;

    let first = server
        .password_login(LEGACY_EMAIL, LEGACY_PASSWORD)
        .await?
        .ok()?;
    ensure!(subject(&first)? == LEGACY_ID, "the same user_id");
    let imported = server
        .adapters
        .users
        .get(&server.tenant, LEGACY_ID)
        .await?
        .context("imported")?;
    ensure!(imported.email.as_deref() == Some(LEGACY_EMAIL));
    ensure!(imported.email_verified && imported.created_at == original.created_at);
    ensure!(imported.identities == original.identities);
    ensure!(imported.app_metadata.get("plan") == Some(&Value::from("gold")));
    let password = server
        .adapters
        .passwords
        .get(&server.tenant, LEGACY_ID)
        .await?
        .context("a local password")?;
    ensure!(password.algorithm == PasswordAlgorithm::Bcrypt && password.hash.starts_with("$2"));

    // The next logins never leave this server: not even once the legacy tenant is gone.
    let calls = server.legacy.requests_sent();
    legacy.stop().await?;
    let again = server
        .password_login(LEGACY_EMAIL, LEGACY_PASSWORD)
        .await?
        .ok()?;
    ensure!(subject(&again)? == LEGACY_ID);
    let page = server.form_login(LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    ensure!(
        page.status == StatusCode::FOUND,
        "form: {} {}",
        page.status,
        page.body
    );
    ensure!(
        server.legacy.requests_sent() == calls,
        "a local user called the legacy tenant"
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_of_a_legacy_user_imports_nothing() -> anyhow::Result<()> {
    let legacy = LegacyTenant::start().await?;
    legacy.user("wrong", LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    let server = Migrating::start(legacy.settings()).await?;

    let refused = server
        .password_login(LEGACY_EMAIL, "not the password")
        .await?;
    refused.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "migration")?;
    let page = server.form_login(LEGACY_EMAIL, "not the password").await?;
    ensure!(
        page.status == StatusCode::BAD_REQUEST,
        "form: {}",
        page.status
    );
    ensure!(page.body.contains("Wrong email or password."));
    ensure!(
        server.users_with_email(LEGACY_EMAIL).await? == 0,
        "imported"
    );
    ensure!(
        server
            .adapters
            .passwords
            .get(&server.tenant, "auth0|wrong")
            .await?
            .is_none()
    );
    // Nobody of that name in the legacy tenant either: the same answer.
    let unknown = server
        .password_login("nobody@example.com", LEGACY_PASSWORD)
        .await?;
    unknown.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "migration")?;
    Ok(())
}

#[tokio::test]
async fn local_users_make_no_legacy_calls() -> anyhow::Result<()> {
    let legacy = LegacyTenant::start().await?;
    let server = Migrating::start(legacy.settings()).await?;

    server
        .password_login(LOCAL_EMAIL, LOCAL_PASSWORD)
        .await?
        .ok()?;
    let page = server.form_login(LOCAL_EMAIL, LOCAL_PASSWORD).await?;
    ensure!(page.status == StatusCode::FOUND, "form: {}", page.status);
    let wrong = server
        .password_login(LOCAL_EMAIL, "not the password")
        .await?;
    wrong.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "migration")?;
    let signup = support::post_form(
        &server.router,
        "/dbconnections/signup",
        &[
            ("client_id", APP),
            ("connection", DATABASE),
            ("email", LOCAL_EMAIL),
            ("password", "Another horse battery staple 2"),
        ],
        &[],
    )
    .await?;
    ensure!(
        signup.json()?["code"] == "user_exists",
        "signup: {}",
        signup.body
    );
    ensure!(
        server.legacy.requests_sent() == 0,
        "{} legacy calls for a local user",
        server.legacy.requests_sent()
    );
    Ok(())
}

#[tokio::test]
async fn with_the_legacy_tenant_down_local_users_log_in_and_legacy_users_are_told_to_retry()
-> anyhow::Result<()> {
    let mut legacy = LegacyTenant::start().await?;
    legacy.user("down", LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    let server = Migrating::start(legacy.settings()).await?;
    legacy.stop().await?;

    server
        .password_login(LOCAL_EMAIL, LOCAL_PASSWORD)
        .await?
        .ok()?;
    let refused = server.password_login(LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    refused.oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "migration",
    )?;
    let page = server.form_login(LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    ensure!(
        page.status == StatusCode::SERVICE_UNAVAILABLE,
        "form: {}",
        page.status
    );
    ensure!(page.body.contains("try again later"), "{}", page.body);
    ensure!(server.users_with_email(LEGACY_EMAIL).await? == 0);
    Ok(())
}

#[tokio::test]
async fn a_slow_legacy_tenant_times_out_into_a_retry() -> anyhow::Result<()> {
    let (settings, _silent) = silent_tenant(Duration::from_millis(300)).await?;
    let server = Migrating::start(settings).await?;
    let refused = server.password_login(LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    refused.oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "migration",
    )?;
    server
        .password_login(LOCAL_EMAIL, LOCAL_PASSWORD)
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn a_legacy_refresh_token_is_exchanged_once_then_the_local_one_works() -> anyhow::Result<()> {
    let mut legacy = LegacyTenant::start().await?;
    legacy
        .user("refresh", LEGACY_EMAIL, LEGACY_PASSWORD)
        .await?;
    let issued = support::post_form(
        &legacy_router(&legacy)?,
        "/oauth/token",
        &[
            ("grant_type", PASSWORD_REALM),
            ("realm", DATABASE),
            ("username", LEGACY_EMAIL),
            ("password", LEGACY_PASSWORD),
            ("client_id", APP),
            ("client_secret", APP_SECRET),
            ("scope", "openid offline_access"),
        ],
        &[],
    )
    .await?
    .ok()?
    .json()?;
    let legacy_token = issued["refresh_token"]
        .as_str()
        .context("a legacy refresh token")?
        .to_owned();
    let server = Migrating::start(legacy.settings()).await?;
    let refresh = |token: String| {
        let router = server.router.clone();
        async move {
            let fields = [
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
                ("client_id", APP),
                ("client_secret", APP_SECRET),
            ];
            support::post_form(&router, "/oauth/token", &fields, &[]).await
        }
    };

    // Asking for more than the legacy tenant granted, or for an API, gets neither.
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", legacy_token.as_str()),
        ("client_id", APP),
        ("client_secret", APP_SECRET),
        ("scope", "openid offline_access read:everything"),
        ("audience", "https://api.example.com/"),
    ];
    let exchanged = support::post_form(&server.router, "/oauth/token", &fields, &[])
        .await?
        .ok()?;
    ensure!(subject(&exchanged)? == "auth0|refresh");
    let answer = exchanged.json()?;
    ensure!(answer["scope"] == "openid offline_access", "{answer}");
    let access = claims(answer["access_token"].as_str().context("access token")?)?;
    ensure!(
        !access.to_string().contains("https://api.example.com/"),
        "the requested audience was granted: {access}"
    );
    let local_token = exchanged.json()?["refresh_token"]
        .as_str()
        .context("a local refresh token")?
        .to_owned();
    ensure!(local_token != legacy_token);
    ensure!(
        server
            .adapters
            .users
            .get(&server.tenant, "auth0|refresh")
            .await?
            .is_some(),
        "the token's user is imported"
    );

    let replayed = refresh(legacy_token).await?;
    replayed.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "migration")?;
    // A token the legacy tenant refuses leaves nothing behind.
    let made_up = "made-up-refresh-token";
    refresh(made_up.into()).await?.oauth_error(
        StatusCode::FORBIDDEN,
        "invalid_grant",
        "made up",
    )?;
    let marker = server
        .adapters
        .codes
        .get(&server.tenant, &authhero::secrets::digest(made_up))
        .await?;
    ensure!(marker.is_none(), "a refused token was remembered");
    legacy.stop().await?;
    refresh(local_token).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn signup_of_an_email_the_legacy_tenant_holds_is_a_duplicate() -> anyhow::Result<()> {
    let legacy = LegacyTenant::start().await?;
    legacy.user("taken", LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    let server = Migrating::start(legacy.settings()).await?;
    let signup = |email: &'static str| {
        let router = server.router.clone();
        async move {
            let fields = [
                ("client_id", APP),
                ("connection", DATABASE),
                ("email", email),
                ("password", "A new horse battery staple 3"),
            ];
            support::post_form(&router, "/dbconnections/signup", &fields, &[]).await
        }
    };
    let duplicate = signup(LEGACY_EMAIL).await?;
    ensure!(
        duplicate.status == StatusCode::BAD_REQUEST,
        "{}",
        duplicate.status
    );
    ensure!(
        duplicate.json()?["code"] == "user_exists",
        "{}",
        duplicate.body
    );
    ensure!(server.users_with_email(LEGACY_EMAIL).await? == 0);
    signup("fresh@example.com").await?.ok()?;
    Ok(())
}

/// The legacy tenant's router, in-process, to obtain its tokens directly.
fn legacy_router(legacy: &LegacyTenant) -> anyhow::Result<Router> {
    Ok(authhero::AuthHero::new(legacy.adapters.clone())
        .issuer(&format!("{}/", legacy.origin))?
        .router())
}

#[tokio::test]
async fn a_legacy_password_never_opens_a_user_with_a_local_one() -> anyhow::Result<()> {
    let legacy = LegacyTenant::start().await?;
    legacy.user("moved", LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    let server = Migrating::start(legacy.settings()).await?;
    server
        .password_login(LEGACY_EMAIL, LEGACY_PASSWORD)
        .await?
        .ok()?;

    // The user changed email here: the old address misses locally, and the legacy tenant still
    // accepts the old password, but the local account has its own password now.
    let mut user = server
        .adapters
        .users
        .get(&server.tenant, "auth0|moved")
        .await?
        .context("imported")?;
    user.email = Some("moved@example.com".into());
    server.adapters.users.update(&server.tenant, user).await?;
    let refused = server.password_login(LEGACY_EMAIL, LEGACY_PASSWORD).await?;
    refused.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "old address")?;
    server
        .password_login("moved@example.com", LEGACY_PASSWORD)
        .await?
        .ok()?;
    Ok(())
}
