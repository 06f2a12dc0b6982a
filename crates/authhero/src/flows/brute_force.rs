//! Brute-force protection, as the tenant's `attack-protection/brute-force-protection` sets it
//! (Auth0's default: on, [`THRESHOLD`] attempts): after that many consecutive failed password
//! logins for one identifier from one IP, the pair is refused on every password path until a
//! password change or an administrator lifts the block. IPs on the allowlist are never counted;
//! without the `block` shield, or disabled, nothing is. Counters are keyed by what was typed,
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
/// checked: only the first `max_attempts` consecutive attempts of a pair are. Counting first,
/// in one atomic step, means concurrent guesses cannot all read a count below the threshold
/// and slip past it; a success clears the count again ([`succeeded`]).
pub async fn admitted(
    state: &AppState,
    tenant_id: &str,
    identifier: &str,
    ip: &str,
) -> Result<Admission> {
    let Some(threshold) = threshold(state, tenant_id, Some(ip)).await? else {
        return Ok(Admission::Checked);
    };
    let attempts = state
        .adapters
        .login_failures
        .record(tenant_id, &normalize(identifier), ip, state.now())
        .await?;
    Ok(match attempts.cmp(&threshold) {
        std::cmp::Ordering::Less => Admission::Checked,
        std::cmp::Ordering::Equal => Admission::LastBeforeBlock,
        std::cmp::Ordering::Greater => Admission::Refused,
    })
}

/// Whether an attempt may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Checked,
    /// Checked, and if it fails the pair is blocked from then on.
    LastBeforeBlock,
    /// The pair is blocked: not checked.
    Refused,
}

/// Whether the tenant's brute-force protection tells a user their account was blocked (its
/// `user_notification` shield; on by default, as in Auth0).
pub async fn notifies_users(state: &AppState, tenant_id: &str) -> Result<bool> {
    let settings = state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .and_then(|tenant| tenant.attack_protection.brute_force_protection)
        .unwrap_or_default();
    Ok(settings.enabled
        && settings
            .shields
            .iter()
            .any(|shield| shield == "user_notification"))
}

/// How many consecutive failures block a pair in this tenant, from `ip` when given; None when
/// nothing is blocked (protection off, no `block` shield, or an allowlisted IP).
async fn threshold(state: &AppState, tenant_id: &str, ip: Option<&str>) -> Result<Option<u32>> {
    let settings = state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .and_then(|tenant| tenant.attack_protection.brute_force_protection);
    let Some(settings) = settings else {
        return Ok(Some(THRESHOLD));
    };
    let blocks = settings.enabled && settings.shields.iter().any(|shield| shield == "block");
    let allowed = ip.is_some_and(|ip| settings.allowlist.iter().any(|listed| listed == ip));
    Ok((blocks && !allowed).then_some(settings.max_attempts.max(1)))
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

/// The blocked pairs of these identifiers (counts below the tenant's threshold are no block;
/// allowlisted IPs are never counted, so never listed).
pub async fn blocks(
    state: &AppState,
    tenant_id: &str,
    identifiers: &[String],
) -> Result<Vec<LoginFailure>> {
    let Some(threshold) = threshold(state, tenant_id, None).await? else {
        return Ok(Vec::new());
    };
    let mut pairs = state
        .adapters
        .login_failures
        .list(tenant_id, identifiers)
        .await?;
    pairs.retain(|pair| pair.failures >= threshold);
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
