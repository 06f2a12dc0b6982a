//! The flows without HTTP, at a fixed clock: lifetimes end exactly when they should.

use std::sync::{Arc, Mutex};

use authhero_core::Timestamp;
use authhero_core::entities::{
    AuthorizationParams, Client, PasswordAlgorithm, TokenEndpointAuthMethod, User,
};

use super::authorize_request::ResponseMode;
use super::grants::{self, Credentials};
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
    let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
    database.migrate().await?;
    let adapters = database.adapters();
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
    clock.at(start.plus_seconds(login::SESSION_LIFETIME - 1));
    assert!(
        sessions::live_session(&state, &tenant, cookie())
            .await
            .is_some()
    );
    clock.at(start.plus_seconds(login::SESSION_LIFETIME));
    assert!(
        sessions::live_session(&state, &tenant, cookie())
            .await
            .is_none()
    );
    Ok(())
}
