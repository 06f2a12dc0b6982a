//! Authenticating with a password against a connection: the one place that checks a password,
//! counts the attempt for brute-force protection, and spends the time of a check even when there
//! is no one to check, so no answer tells who exists. A migrating connection's users who are
//! not local yet are checked by the legacy provider ([`migration`]).

use authhero_core::entities::{PasswordAlgorithm, User};
use authhero_core::{ListParams, Query};

use super::brute_force::Admission;
use super::logs::{self, EventType};
use super::migration::{self, Strategy};
use super::throttle::{self, Stage, Throttled};
use super::{brute_force, unblock, user_links, users};
use crate::passwords;
use crate::state::AppState;

/// The database connection users log in to when the request names none.
pub const DEFAULT_DATABASE: &str = "Username-Password-Authentication";

/// What a password login from one IP came to.
#[derive(Debug)]
pub enum Attempt {
    User(Box<User>),
    Wrong,
    /// The identifier failed too often from this IP: refused whatever the password.
    Blocked,
    /// The IP failed too often across accounts (suspicious IP throttling): not even checked.
    Throttled(Throttled),
}

/// The user of `connection` with this email or username, if the password matches and the pair
/// of identifier and `ip` is not blocked; every outcome is counted by brute-force protection
/// and logged (`s`, `f`, `limit_wc`).
pub async fn authenticate(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
    ip: &str,
) -> authhero_core::Result<Attempt> {
    let attempt = attempt(state, tenant_id, connection, username, password, ip).await?;
    let (kind, description) = match &attempt {
        Attempt::User(_) => (EventType::SuccessLogin, "Successful login"),
        Attempt::Wrong => (EventType::FailedLogin, "Wrong email or password."),
        Attempt::Blocked => (
            EventType::BlockedAccount,
            "Too many failed logins for this identifier from this IP",
        ),
        Attempt::Throttled(_) => (EventType::BlockedIp, "Too many failed logins from this IP"),
    };
    let mut log = logs::event(kind, state.now());
    log.description = Some(description.into());
    log.ip = Some(ip.to_owned());
    log.connection = Some(connection.to_owned());
    log.user_name = Some(username.to_owned());
    if let Attempt::User(user) = &attempt {
        log = logs::about(log, user);
    }
    logs::record(state, tenant_id, log);
    Ok(attempt)
}

async fn attempt(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
    ip: &str,
) -> authhero_core::Result<Attempt> {
    if let Err(throttled) = throttle::check(state, tenant_id, Stage::FailedLogin, ip).await? {
        return Ok(Attempt::Throttled(throttled));
    }
    if username.is_empty() || password.is_empty() {
        return Ok(Attempt::Wrong);
    }
    // Counted before the password is checked, so even the right one teaches a blocked pair
    // nothing, and concurrent guesses cannot outrun the count.
    let admission = match brute_force::admitted(state, tenant_id, username, ip).await {
        Ok(Admission::Refused) => return Ok(Attempt::Blocked),
        Ok(admission) => admission,
        // An identifier that cannot be stored (too long, NUL) names no account either.
        Err(ref e) if e.is_invalid() => return Ok(Attempt::Wrong),
        Err(error) => return Err(error),
    };
    match verify(state, tenant_id, connection, username, password).await? {
        Some(user) => {
            brute_force::succeeded(state, tenant_id, username, ip).await?;
            let user = user_links::primary_of(state, tenant_id, user).await?;
            Ok(Attempt::User(Box::new(user)))
        }
        None => {
            if admission == Admission::LastBeforeBlock {
                unblock::notify(state, tenant_id, connection, username);
            }
            // Counted across accounts: an IP trying many is throttled before any is blocked.
            // Over the limit or not, it is the next attempt that is refused.
            let _next_is_refused =
                throttle::count(state, tenant_id, Stage::FailedLogin, ip).await?;
            Ok(Attempt::Wrong)
        }
    }
}

/// The user of `connection` with this email or username, if the password matches.
async fn verify(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    username: &str,
    password: &str,
) -> authhero_core::Result<Option<User>> {
    let field = if username.contains('@') {
        "email"
    } else {
        "username"
    };
    let q = Query::And(vec![
        Query::equals(field, username)?,
        Query::equals("connection", connection)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    // Where there is no hash to check, spend the time a check takes (a hash with the server's
    // algorithm), so response times do not reveal who exists or has a password.
    let decoy = || passwords::hash(password.to_owned(), state.password_algorithm);
    let Some(user) = found.items.into_iter().next() else {
        if Strategy::named(state, tenant_id, connection).await? == Strategy::Migrating {
            return migration::log_in(state, tenant_id, connection, username, password, None).await;
        }
        decoy().await?;
        return Ok(None);
    };
    let Some(stored) = state
        .adapters
        .passwords
        .get(tenant_id, &user.user_id)
        .await?
    else {
        if Strategy::named(state, tenant_id, connection).await? == Strategy::Migrating {
            let local = Some(user);
            return migration::log_in(state, tenant_id, connection, username, password, local)
                .await;
        }
        decoy().await?;
        return Ok(None);
    };
    let algorithm = stored.algorithm;
    if !passwords::verify(password.to_owned(), stored.hash).await? {
        return Ok(None);
    }
    // A hash imported from another system is replaced by one of the server's own at first use.
    // A failure only postpones that to the next login: the password was right.
    if algorithm == PasswordAlgorithm::Imported {
        let rehashed = match passwords::hash(password.to_owned(), state.password_algorithm).await {
            Ok(hash) => users::set_password(state, tenant_id, &user.user_id, hash).await,
            Err(error) => Err(error),
        };
        if let Err(error) = rehashed {
            tracing::warn!(%error, "an imported password hash was not replaced yet");
        }
    }
    Ok(Some(user))
}
