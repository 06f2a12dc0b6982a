//! The flows without HTTP, at a fixed clock: lifetimes end exactly when they should.

use std::sync::{Arc, Mutex};

use authhero_core::entities::{
    AuthorizationParams, Client, PasswordAlgorithm, TokenEndpointAuthMethod, User,
};
use authhero_core::ports::LegacyUsersRepository;
use authhero_core::{DataAdapters, Timestamp};

use super::authenticate::{Attempt, authenticate};
use super::authorize_request::ResponseMode;
use super::grants::{self, Credentials};
use super::migration::Strategy;
use super::{Clock, ErrorKind, Params, login, sessions, users};
use crate::bootstrap::{BootstrapOptions, bootstrap};
use crate::hooks::NoHooks;
use crate::state::{AppState, Issuer};

const ISSUER: &str = "http://localhost:3000/";
const CALLBACK: &str = "https://app.example.com/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const ORIGIN: grants::Origin<'static> = grants::Origin {
    peer: "192.0.2.1",
    forwarded: None,
};

/// A clock the test sets.
#[derive(Debug)]
struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    fn at(&self, time: Timestamp) {
        if let Ok(mut now) = self.0.lock() {
            *now = time;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
            .lock()
            .map(|now| *now)
            .unwrap_or_else(|_| Timestamp::now())
    }
}

/// A bootstrapped in-memory database with a public client and a user, at a fixed clock.
async fn world() -> anyhow::Result<(AppState, Arc<FixedClock>, String, Client, User)> {
    world_with(Arc::new(authhero_core::ports::NoLegacyUsers)).await
}

/// [`world`], with users imported from `legacy`.
async fn world_with(
    legacy: Arc<dyn LegacyUsersRepository>,
) -> anyhow::Result<(AppState, Arc<FixedClock>, String, Client, User)> {
    let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
    database.migrate().await?;
    let adapters = DataAdapters {
        legacy_users: legacy,
        ..database.adapters()
    };
    let tenant = bootstrap(&adapters, ISSUER, BootstrapOptions::default())
        .await?
        .ok_or_else(|| anyhow::anyhow!("not bootstrapped"))?
        .tenant_id;
    let start =
        Timestamp::from_unix_seconds(1_800_000_000).ok_or_else(|| anyhow::anyhow!("bad time"))?;
    let clock = Arc::new(FixedClock(Mutex::new(start)));
    let mut client = Client::new("spa", "SPA", start);
    client.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
    client.callbacks = vec![CALLBACK.into()];
    let client = adapters.clients.create(&tenant, client).await?;
    let mut user = User::new("auth0", "flow", "Username-Password-Authentication", start);
    user.email = Some("flow@example.com".into());
    let user = users::create(
        &adapters,
        &tenant,
        user,
        Some(("Flow-password-1".into(), PasswordAlgorithm::Bcrypt)),
        start,
    )
    .await?;
    let state = AppState::new(
        adapters,
        ISSUER.into(),
        Arc::new(NoHooks),
        Default::default(),
        None,
        PasswordAlgorithm::Bcrypt,
        clock.clone(),
    );
    Ok((state, clock, tenant, client, user))
}

fn authorization(client: &Client) -> AuthorizationParams {
    AuthorizationParams {
        client_id: client.client_id.clone(),
        redirect_uri: Some(CALLBACK.into()),
        response_type: Some("code".into()),
        scope: Some("openid".into()),
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some("S256".into()),
        ..AuthorizationParams::default()
    }
}

#[tokio::test]
async fn a_login_transaction_lives_exactly_its_lifetime() -> anyhow::Result<()> {
    let (state, clock, tenant, client, _) = world().await?;
    let start = state.now();
    let (_, reference) = login::start(&state, &tenant, authorization(&client), None).await?;
    clock.at(start.plus_seconds(login::LOGIN_SESSION_LIFETIME - 1));
    assert!(login::resume(&state, &reference).await.is_some());
    clock.at(start.plus_seconds(login::LOGIN_SESSION_LIFETIME));
    assert!(login::resume(&state, &reference).await.is_none());
    Ok(())
}

#[tokio::test]
async fn a_session_and_its_code_end_at_their_lifetimes() -> anyhow::Result<()> {
    let (state, clock, tenant, client, user) = world().await?;
    let start = state.now();
    let (login, _) = login::start(&state, &tenant, authorization(&client), None).await?;
    let logged_in = login::finish(&state, ISSUER, &tenant, &login, user, None).await?;
    assert_eq!(logged_in.answer.mode, ResponseMode::Query);
    let code = logged_in
        .answer
        .fields
        .iter()
        .find(|(name, _)| *name == "code")
        .map(|(_, value)| value.clone())
        .ok_or_else(|| anyhow::anyhow!("no code: {:?}", logged_in.answer.fields))?;
    let cookie = || {
        Some((
            logged_in.session_id.clone(),
            logged_in.session_secret.clone(),
        ))
    };

    // The code: exchangeable for its five minutes, not a second more.
    let exchange = |code: &str| {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", CALLBACK)
            .append_pair("code_verifier", VERIFIER)
            .finish();
        Params::from_urlencoded(form.as_bytes())
    };
    let issuer = Issuer {
        url: ISSUER.into(),
        tenant_id: None,
    };
    let credentials = || Credentials {
        client_id: client.client_id.clone(),
        secret: None,
    };
    clock.at(start.plus_seconds(300));
    let late = grants::grant(&state, &issuer, credentials(), &exchange(&code)?, ORIGIN).await;
    assert_eq!(
        late.map_err(|error| error.kind),
        Err(ErrorKind::InvalidGrant)
    );
    clock.at(start);
    let (again, _) = login::start(&state, &tenant, authorization(&client), None).await?;
    let user = state
        .adapters
        .users
        .get(&tenant, "auth0|flow")
        .await?
        .ok_or_else(|| anyhow::anyhow!("user gone"))?;
    let second = login::finish(&state, ISSUER, &tenant, &again, user, None).await?;
    let code = second
        .answer
        .fields
        .iter()
        .find(|(name, _)| *name == "code")
        .map(|(_, value)| value.clone())
        .ok_or_else(|| anyhow::anyhow!("no second code"))?;
    clock.at(start.plus_seconds(299));
    let in_time = grants::grant(&state, &issuer, credentials(), &exchange(&code)?, ORIGIN).await?;
    assert!(in_time["access_token"].is_string(), "{in_time}");

    // The session: answers until its lifetime ends.
    clock.at(start.plus_seconds(sessions::SESSION_LIFETIME - 1));
    assert!(
        sessions::live_session(&state, &tenant, cookie())
            .await
            .is_some()
    );
    clock.at(start.plus_seconds(sessions::SESSION_LIFETIME));
    assert!(
        sessions::live_session(&state, &tenant, cookie())
            .await
            .is_none()
    );
    Ok(())
}

/// A legacy provider that is another AuthHero tenant, asked through its flows: what a legacy
/// Auth0 tenant does over HTTP, here without it.
#[derive(Debug)]
struct AnotherTenant {
    state: AppState,
    tenant: String,
    calls: std::sync::atomic::AtomicU64,
}

#[async_trait::async_trait]
impl LegacyUsersRepository for AnotherTenant {
    async fn find_by_email(
        &self,
        _: &str,
        _: &str,
        _: &str,
    ) -> authhero_core::Result<Option<User>> {
        Ok(None)
    }

    async fn verify_password(
        &self,
        _: &str,
        connection: &str,
        username: &str,
        password: &str,
    ) -> authhero_core::Result<Option<User>> {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let attempt = authenticate(
            &self.state,
            &self.tenant,
            connection,
            username,
            password,
            "legacy",
        )
        .await?;
        Ok(match attempt {
            Attempt::User(user) => Some(*user),
            Attempt::Wrong | Attempt::Blocked | Attempt::Throttled(_) => None,
        })
    }

    async fn exchange_refresh_token(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: &str,
    ) -> authhero_core::Result<Option<authhero_core::ports::LegacyRefreshGrant>> {
        Ok(None)
    }
}

#[tokio::test]
async fn a_migrating_connection_imports_a_legacy_user_once() -> anyhow::Result<()> {
    let (legacy_state, _, legacy_tenant, _, legacy_user) = world().await?;
    let legacy = Arc::new(AnotherTenant {
        state: legacy_state,
        tenant: legacy_tenant,
        calls: Default::default(),
    });
    let (state, clock, tenant, _, _) = world_with(legacy.clone()).await?;
    let calls = || legacy.calls.load(std::sync::atomic::Ordering::Relaxed);
    let database = "Username-Password-Authentication";
    let email = "flow@example.com";
    // Both worlds have a local flow@example.com; this one's is removed, so only the legacy
    // tenant knows the address.
    let local = state
        .adapters
        .users
        .list(&tenant, &Default::default())
        .await?;
    for user in local.items {
        state.adapters.users.remove(&tenant, &user.user_id).await?;
    }
    let log_in = |password: &'static str| {
        let state = state.clone();
        let tenant = tenant.clone();
        async move { authenticate(&state, &tenant, database, email, password, "192.0.2.9").await }
    };

    // Without import mode the connection checks local hashes only.
    assert!(matches!(log_in("Flow-password-1").await?, Attempt::Wrong));
    assert_eq!(calls(), 0);
    let mut connection = state
        .connection_named(&tenant, database)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no connection"))?;
    assert_eq!(Strategy::of(&connection), Strategy::Database);
    connection
        .options
        .insert("import_mode".into(), serde_json::Value::Bool(true));
    let connection = state
        .adapters
        .connections
        .update(&tenant, connection)
        .await?;
    assert_eq!(Strategy::of(&connection), Strategy::Migrating);

    assert!(matches!(log_in("Wrong-password-1").await?, Attempt::Wrong));
    assert_eq!(calls(), 1);
    assert!(
        state
            .adapters
            .users
            .get(&tenant, &legacy_user.user_id)
            .await?
            .is_none()
    );

    let imported_at = state.now().plus_seconds(60);
    clock.at(imported_at);
    let Attempt::User(user) = log_in("Flow-password-1").await? else {
        anyhow::bail!("the legacy user was refused");
    };
    assert_eq!(user.user_id, legacy_user.user_id);
    assert_eq!(user.created_at, legacy_user.created_at);
    let password = state
        .adapters
        .passwords
        .get(&tenant, &user.user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no local password"))?;
    assert_eq!(password.created_at, imported_at);
    assert_eq!(calls(), 2);

    // From now on the user is local: the legacy tenant is never asked again.
    clock.at(imported_at.plus_seconds(60));
    assert!(matches!(log_in("Flow-password-1").await?, Attempt::User(_)));
    assert!(matches!(log_in("Wrong-password-1").await?, Attempt::Wrong));
    assert_eq!(calls(), 2);
    Ok(())
}

#[tokio::test]
async fn a_tenants_session_lifetimes_bound_sessions_and_use_extends_the_idle_one()
-> anyhow::Result<()> {
    let (state, clock, tenant_id, client, user) = world().await?;
    let mut tenant = state
        .adapters
        .tenants
        .get(&tenant_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no tenant"))?;
    tenant.session_lifetime = Some(1.0);
    tenant.idle_session_lifetime = Some(0.5);
    state.adapters.tenants.update(tenant).await?;
    let start = state.now();
    let log_in = || async {
        let (login, _) = login::start(&state, &tenant_id, authorization(&client), None).await?;
        let logged_in =
            login::finish(&state, ISSUER, &tenant_id, &login, user.clone(), None).await?;
        assert_eq!(logged_in.session_lifetime, 3_600);
        anyhow::Ok(Some((logged_in.session_id, logged_in.session_secret)))
    };
    let idle = log_in().await?;
    let used = log_in().await?;
    let live = |cookie: Option<(String, String)>| {
        let state = state.clone();
        let tenant_id = tenant_id.clone();
        async move { sessions::live_session(&state, &tenant_id, cookie).await }
    };

    // Half an hour without use ends a session; a use moves that end on, never past the hour.
    clock.at(start.plus_seconds(1_700));
    let (session, _) = live(used.clone())
        .await
        .ok_or_else(|| anyhow::anyhow!("ended early"))?;
    sessions::touch(&state, &tenant_id, &session).await;
    clock.at(start.plus_seconds(1_800));
    assert!(live(idle.clone()).await.is_none(), "idle for half an hour");
    assert!(live(used.clone()).await.is_some(), "used 100 s ago");
    clock.at(start.plus_seconds(3_400));
    let (session, _) = live(used.clone())
        .await
        .ok_or_else(|| anyhow::anyhow!("used session ended early"))?;
    sessions::touch(&state, &tenant_id, &session).await;
    clock.at(start.plus_seconds(3_599));
    assert!(live(used.clone()).await.is_some());
    clock.at(start.plus_seconds(3_600));
    assert!(live(used).await.is_none(), "an hour is the most");
    Ok(())
}
