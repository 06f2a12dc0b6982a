//! Brute-force protection, Auth0's default: after [`THRESHOLD`] consecutive failed password
//! logins for one identifier from one IP, that pair is refused on every password path until a
//! password change or an administrator lifts the block. Counters are keyed by what was typed,
//! not by user, so an identifier that names no one is counted and blocked alike.

use authhero_core::Result;
use authhero_core::entities::{LoginFailure, User};

use crate::state::AppState;

/// Consecutive failures that block a pair (Auth0's default).
pub const THRESHOLD: u32 = 10;

/// Auth0's answer to a blocked pair, on `/oauth/token` (`too_many_attempts`) and `/u/login`.
pub const BLOCKED_DESCRIPTION: &str = "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";

/// The form identifiers are counted under: Auth0 compares them case-insensitively.
pub fn normalize(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

/// Counts a password attempt before its password is checked, and says whether it may be
/// checked: only the first [`THRESHOLD`] consecutive attempts of a pair are. Counting first,
/// in one atomic step, means concurrent guesses cannot all read a count below the threshold
/// and slip past it; a success clears the count again ([`succeeded`]).
pub async fn admitted(
    state: &AppState,
    tenant_id: &str,
    identifier: &str,
    ip: &str,
) -> Result<bool> {
    let attempts = state
        .adapters
        .login_failures
        .record(tenant_id, &normalize(identifier), ip, state.now())
        .await?;
    Ok(attempts <= THRESHOLD)
}

/// A successful login resets the pair's count.
pub async fn succeeded(
    state: &AppState,
    tenant_id: &str,
    identifier: &str,
    ip: &str,
) -> Result<()> {
    state
        .adapters
        .login_failures
        .clear(tenant_id, &normalize(identifier), ip)
        .await?;
    Ok(())
}

/// Every identifier a user can log in with: email, username and phone number.
pub fn identifiers(user: &User) -> Vec<String> {
    let mut identifiers: Vec<String> = [&user.email, &user.username, &user.phone_number]
        .into_iter()
        .flatten()
        .map(|identifier| normalize(identifier))
        .filter(|identifier| !identifier.is_empty())
        .collect();
    identifiers.sort();
    identifiers.dedup();
    identifiers
}

/// The blocked pairs of these identifiers (counts below the threshold are no block).
pub async fn blocks(
    state: &AppState,
    tenant_id: &str,
    identifiers: &[String],
) -> Result<Vec<LoginFailure>> {
    let mut pairs = state
        .adapters
        .login_failures
        .list(tenant_id, identifiers)
        .await?;
    pairs.retain(|pair| pair.failures >= THRESHOLD);
    Ok(pairs)
}

/// Lifts every block (and forgets every count) of these identifiers.
pub async fn unblock(state: &AppState, tenant_id: &str, identifiers: &[String]) -> Result<()> {
    state
        .adapters
        .login_failures
        .clear_identifiers(tenant_id, identifiers)
        .await?;
    Ok(())
}
