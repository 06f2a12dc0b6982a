//! Users with credentials: the one place a user is created with a password (both written at
//! once, so neither stands without the other) and a password is set.

use authhero_core::entities::{
    Client, Connection, Password, PasswordAlgorithm, PreviousPassword, User,
};
use authhero_core::{DataAdapters, Result, Timestamp};

use super::email_verification;
use super::logs::{self, EventType};
use super::migration::{self, Strategy};
use super::throttle::{self, Stage, Throttled};
use super::validation::{PasswordPolicy, PasswordRefused};
use crate::hooks::Registration;
use crate::passwords;
use crate::random;
use crate::state::AppState;

/// Why a signup was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("the password is too weak")]
    WeakPassword(PasswordRefused),
    /// The application's pre-registration hook said no, with this reason.
    #[error("refused: {0}")]
    Refused(String),
    #[error("the user already exists")]
    Exists,
    /// The connection's `disable_signup`: users are created by an administrator only.
    #[error("public signup is disabled")]
    Disabled,
    /// Too many signups from this IP (suspicious IP throttling).
    #[error("too many signups from this address")]
    Throttled(Throttled),
    #[error(transparent)]
    Storage(authhero_core::Error),
}

/// A signup through `client` to a database connection: the connection's password policy, the
/// pre-registration hook (which may refuse), the user and its password in one write, then the
/// post-registration hook. Either outcome is logged (`ss`, `fs`).
pub async fn sign_up(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    connection: &Connection,
    user: User,
    password: &str,
    ip: &str,
) -> std::result::Result<User, SignUpError> {
    if let Err(throttled) = throttle::count(state, tenant_id, Stage::Signup, ip)
        .await
        .map_err(SignUpError::Storage)?
    {
        return Err(SignUpError::Throttled(throttled));
    }
    let email = user.email.clone();
    let outcome = register(state, tenant_id, client, connection, user, password).await;
    let kind = match &outcome {
        Ok(_) => EventType::SuccessSignup,
        Err(SignUpError::Storage(_)) => return outcome,
        Err(_) => EventType::FailedSignup,
    };
    let mut log = logs::event(kind, state.now());
    log.client_id = Some(client.client_id.clone());
    log.client_name = Some(client.name.clone());
    log.connection = Some(connection.name.clone());
    log.connection_id = Some(connection.id.clone());
    match &outcome {
        Ok(user) => log = logs::about(log, user),
        Err(refusal) => {
            log.user_name = email;
            log.description = Some(refusal.to_string());
        }
    }
    logs::record(state, tenant_id, log);
    outcome
}

/// A new user of a database connection signing up with `email` (already normalized): named
/// by the email, nicknamed by its local part, until they say otherwise.
pub fn new_signup(connection: &Connection, email: &str, now: Timestamp) -> User {
    let mut user = User::new("auth0", &random::hex_id(), &connection.name, now);
    user.email = Some(email.to_owned());
    user.name = Some(email.to_owned());
    user.nickname = email.split('@').next().map(str::to_owned);
    user
}

async fn register(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    connection: &Connection,
    user: User,
    password: &str,
) -> std::result::Result<User, SignUpError> {
    if connection.options.get("disable_signup") == Some(&serde_json::Value::Bool(true)) {
        return Err(SignUpError::Disabled);
    }
    PasswordPolicy::of(connection)
        .for_user(&user)
        .check(password)
        .map_err(SignUpError::WeakPassword)?;
    // An email a legacy provider still holds is taken, as in Auth0's import mode.
    if let Some(email) = user.email.as_deref()
        && Strategy::of(connection) == Strategy::Migrating
        && migration::email_taken(state, tenant_id, connection, email)
            .await
            .map_err(SignUpError::Storage)?
    {
        return Err(SignUpError::Exists);
    }
    let registration = Registration {
        tenant_id,
        client,
        user: &user,
    };
    if let Err(denied) = state.hooks.pre_user_registration(&registration).await {
        return Err(SignUpError::Refused(denied.0));
    }
    let password = Some((password.to_owned(), state.password_algorithm));
    let user = create(&state.adapters, tenant_id, user, password, state.now())
        .await
        .map_err(|error| match error.is_conflict() {
            true => SignUpError::Exists,
            false => SignUpError::Storage(error),
        })?;
    let registration = Registration {
        tenant_id,
        client,
        user: &user,
    };
    state.hooks.post_user_registration(&registration).await;
    email_verification::send_after_signup(state, tenant_id, &user, &client.client_id);
    Ok(user)
}

/// Creates `user`, with `password` hashed by `algorithm` when one is given. The password must
/// already have passed the connection's policy.
pub async fn create(
    adapters: &DataAdapters,
    tenant_id: &str,
    user: User,
    password: Option<(String, PasswordAlgorithm)>,
    now: Timestamp,
) -> Result<User> {
    let Some((password, algorithm)) = password else {
        return adapters.users.create(tenant_id, user).await;
    };
    let hash = passwords::hash(password, algorithm).await?;
    let stored = Password {
        user_id: user.user_id.clone(),
        hash,
        algorithm,
        created_at: now,
        updated_at: now,
        history: Vec::new(),
    };
    adapters
        .users
        .create_with_password(tenant_id, user, stored)
        .await
}

/// Stores a new password hash, of the server's algorithm, for the user, replacing any they had.
pub async fn set_password(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    hash: String,
) -> Result<()> {
    set_hash(state, tenant_id, user_id, hash, state.password_algorithm).await
}

/// Stores `hash`, of the server's algorithm, as the user's new password, keeping the `kept`
/// hashes before it (newest first) for the connection's `password_history`; none when the
/// history is off, so a connection that turns it off stops holding old hashes.
pub async fn change_password(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    hash: String,
    kept: usize,
) -> Result<()> {
    let passwords = &state.adapters.passwords;
    let Some(mut stored) = passwords.get(tenant_id, user_id).await? else {
        return set_password(state, tenant_id, user_id, hash).await;
    };
    let replaced = PreviousPassword {
        hash: std::mem::replace(&mut stored.hash, hash),
        algorithm: std::mem::replace(&mut stored.algorithm, state.password_algorithm),
    };
    stored.history.insert(0, replaced);
    stored.history.truncate(kept);
    stored.updated_at = state.now();
    passwords.update(tenant_id, stored).await?;
    Ok(())
}

/// Whether `password` is the user's current one or one of the `previous` before it.
pub async fn reused(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    password: &str,
    previous: usize,
) -> Result<bool> {
    let Some(stored) = state.adapters.passwords.get(tenant_id, user_id).await? else {
        return Ok(false);
    };
    let earlier = stored
        .history
        .into_iter()
        .take(previous)
        .map(|old| old.hash);
    for hash in std::iter::once(stored.hash).chain(earlier) {
        if passwords::verify(password.to_owned(), hash).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Stores `hash`, made with `algorithm`, as the user's password, replacing any they had.
pub async fn set_hash(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    hash: String,
    algorithm: PasswordAlgorithm,
) -> Result<()> {
    let passwords = &state.adapters.passwords;
    let now = state.now();
    match passwords.get(tenant_id, user_id).await? {
        Some(mut stored) => {
            stored.hash = hash;
            stored.algorithm = algorithm;
            stored.updated_at = now;
            passwords.update(tenant_id, stored).await?;
        }
        None => {
            let password = Password {
                user_id: user_id.to_owned(),
                hash,
                algorithm,
                created_at: now,
                updated_at: now,
                history: Vec::new(),
            };
            passwords.create(tenant_id, password).await?;
        }
    }
    Ok(())
}
