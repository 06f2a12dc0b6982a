//! The connection strategy seam and lazy migration. A connection decides how credentials are
//! checked: a database connection against local hashes only; one that imports users (Auth0's
//! `options.import_mode`) locally first and then against the legacy provider, importing each
//! user it vouches for with the same `user_id`, so the next login never leaves this server.

use authhero_core::entities::{Client, Code, CodeType, Connection, Metadata, User};
use authhero_core::ports::LegacyRefreshGrant;
use authhero_core::{ListParams, Query, Result};

use super::users;
use crate::passwords;
use crate::secrets;
use crate::state::AppState;

/// How long a redeemed legacy refresh token is remembered: longer than any token lives.
const REDEEMED_MEMORY_SECONDS: i64 = 10 * 365 * 86_400;

/// How a connection checks credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Local password hashes only.
    Database,
    /// Local first; a user who is not local, or has no local password, is checked against the
    /// legacy provider and imported.
    Migrating,
}

impl Strategy {
    pub fn of(connection: &Connection) -> Self {
        let imports = connection
            .options
            .get("import_mode")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        if imports {
            Strategy::Migrating
        } else {
            Strategy::Database
        }
    }

    /// The strategy of the tenant's connection called `name` (Database if there is none).
    pub async fn named(state: &AppState, tenant_id: &str, name: &str) -> Result<Self> {
        let connection = state.connection_named(tenant_id, name).await?;
        Ok(connection.as_ref().map_or(Strategy::Database, Strategy::of))
    }
}

/// Checks a password the local store could not: `local` is the local user without a password,
/// if there is one. The user the legacy provider vouches for is imported (or given the
/// password) and returned; a refusal imports nothing.
pub async fn log_in(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
    local: Option<User>,
) -> Result<Option<User>> {
    let Some(profile) = state
        .adapters
        .legacy_users
        .verify_password(tenant_id, connection, username, password)
        .await?
    else {
        return Ok(None);
    };
    // The same user may be local under another email or username: a local password, if it
    // has one, is the only one that counts; without one it takes this one.
    let local = match local.filter(|local| local.user_id == profile.user_id) {
        Some(local) => Some(local),
        None => {
            state
                .adapters
                .users
                .get(tenant_id, &profile.user_id)
                .await?
        }
    };
    if let Some(local) = local {
        let has_password = state
            .adapters
            .passwords
            .get(tenant_id, &local.user_id)
            .await?
            .is_some();
        if has_password {
            return Ok(None);
        }
        let hash = passwords::hash(password.to_owned(), state.password_algorithm).await?;
        users::set_password(state, tenant_id, &local.user_id, hash).await?;
        tracing::info!(
            user_id = local.user_id,
            "password of an imported user taken over from the legacy tenant"
        );
        return Ok(Some(local));
    }
    let algorithm = state.password_algorithm;
    let imported = import(
        state,
        tenant_id,
        profile,
        Some((password.to_owned(), algorithm)),
    )
    .await?;
    Ok(Some(imported))
}

/// The user of `connection` with this email: local, or else imported without a password from
/// the legacy provider (a password reset then gives them one).
pub async fn user_by_email(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    email: &str,
) -> Result<Option<User>> {
    if let Some(local) = local_by_email(state, tenant_id, connection, email).await? {
        return Ok(Some(local));
    }
    if Strategy::named(state, tenant_id, connection).await? != Strategy::Migrating {
        return Ok(None);
    }
    let found = state
        .adapters
        .legacy_users
        .find_by_email(tenant_id, connection, email)
        .await?;
    match found {
        Some(profile) => Ok(Some(import(state, tenant_id, profile, None).await?)),
        None => Ok(None),
    }
}

/// Whether a signup of this email would duplicate a user, here or in the legacy provider.
pub async fn email_taken(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    email: &str,
) -> Result<bool> {
    if local_by_email(state, tenant_id, &connection.name, email)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    if Strategy::of(connection) != Strategy::Migrating {
        return Ok(false);
    }
    let found = state
        .adapters
        .legacy_users
        .find_by_email(tenant_id, &connection.name, email)
        .await?;
    Ok(found.is_some())
}

/// What a legacy refresh token was redeemed for here: its (imported) user, and the scope and
/// audience the legacy tenant granted.
#[derive(Debug)]
pub struct Redeemed {
    pub user: User,
    pub scope: Option<String>,
    pub audience: Option<String>,
}

/// Redeems a refresh token this server does not know with the legacy provider, once: the
/// token is marked redeemed before the legacy call, so a second presentation, even a
/// concurrent one, is refused; the mark is kept only if the legacy provider accepted it, so
/// made-up tokens leave nothing behind. Only a tenant with a migrating connection asks.
pub async fn redeem_refresh_token(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    client_secret: Option<&str>,
    refresh_token: &str,
) -> Result<Option<Redeemed>> {
    if !tenant_migrates(state, tenant_id).await? {
        return Ok(None);
    }
    let now = state.now();
    let marker = Code {
        code_id: secrets::digest(refresh_token),
        code_type: CodeType::LegacyRefreshToken,
        login_session_id: None,
        session_id: None,
        user_id: None,
        client_id: Some(client.client_id.clone()),
        redirect_uri: None,
        code_challenge: None,
        code_challenge_method: None,
        nonce: None,
        scope: None,
        audience: None,
        auth_time: None,
        custom_claims: Metadata::default(),
        created_at: now,
        expires_at: now.plus_seconds(REDEEMED_MEMORY_SECONDS),
        used_at: Some(now),
    };
    let marker_id = marker.code_id.clone();
    match state.adapters.codes.create(tenant_id, marker).await {
        Ok(_) => {}
        Err(error) if error.is_conflict() => return Ok(None),
        Err(error) => return Err(error),
    }
    let redeemed = state
        .adapters
        .legacy_users
        .exchange_refresh_token(tenant_id, &client.client_id, client_secret, refresh_token)
        .await;
    let grant = match redeemed {
        Ok(Some(grant)) => grant,
        refused_or_failed => {
            // Not redeemed there: nothing to remember, and after an outage the client may try
            // again.
            state.adapters.codes.remove(tenant_id, &marker_id).await?;
            return refused_or_failed.map(|_| None);
        }
    };
    let LegacyRefreshGrant {
        user,
        scope,
        audience,
    } = grant;
    let user = match state.adapters.users.get(tenant_id, &user.user_id).await? {
        Some(local) => local,
        None => import(state, tenant_id, user, None).await?,
    };
    Ok(Some(Redeemed {
        user,
        scope,
        audience,
    }))
}

/// Stores the legacy profile as it is (same `user_id`, identities, metadata, `email_verified`
/// and `created_at`), with the password hashed locally when there is one.
async fn import(
    state: &AppState,
    tenant_id: &str,
    profile: User,
    password: Option<(String, authhero_core::entities::PasswordAlgorithm)>,
) -> Result<User> {
    let with_password = password.is_some();
    let user_id = profile.user_id.clone();
    let user = match users::create(&state.adapters, tenant_id, profile, password, state.now()).await
    {
        Ok(user) => user,
        // A concurrent login imported the same user first.
        Err(error) if error.is_conflict() => {
            return match state.adapters.users.get(tenant_id, &user_id).await? {
                Some(user) => Ok(user),
                None => Err(error),
            };
        }
        Err(error) => return Err(error),
    };
    tracing::info!(
        tenant_id,
        user_id = user.user_id,
        email = user.email.as_deref().unwrap_or(""),
        connection = user.connection().unwrap_or(""),
        with_password,
        "user imported from the legacy tenant"
    );
    Ok(user)
}

/// Whether any of the tenant's connections imports users.
async fn tenant_migrates(state: &AppState, tenant_id: &str) -> Result<bool> {
    let connections = state
        .adapters
        .connections
        .list(tenant_id, &ListParams::page(0, 100)?)
        .await?;
    Ok(connections
        .items
        .iter()
        .any(|connection| Strategy::of(connection) == Strategy::Migrating))
}

async fn local_by_email(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    email: &str,
) -> Result<Option<User>> {
    let q = Query::And(vec![
        Query::equals("email", email)?,
        Query::equals("connection", connection)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    Ok(found.items.into_iter().next())
}
