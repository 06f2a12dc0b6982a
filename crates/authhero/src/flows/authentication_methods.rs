//! A user's authentication methods as a whole: the recovery code, handed out once and kept
//! only as a digest, and removing a user's enrolments of some kinds.

use authhero_core::entities::{AuthenticationMethod, AuthenticationMethodType};
use authhero_core::{ListParams, Query, Result};

use crate::state::AppState;
use crate::{random, secrets};

/// The letters of a recovery code: upper case and digits without the look-alikes (0/O, 1/I).
/// 32 symbols, so each random byte maps onto one without bias.
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a recovery code: 120 bits.
const RECOVERY_CODE_LENGTH: usize = 24;
/// Methods read per page.
const PAGE: u32 = 100;

/// Every method the user has.
pub async fn of_user(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
) -> Result<Vec<AuthenticationMethod>> {
    let of_user = Query::equals("user_id", user_id)?;
    let mut methods = Vec::new();
    let mut from = None;
    loop {
        let params = ListParams::checkpoint(from, PAGE)?.with_query(of_user.clone());
        let page = state
            .adapters
            .authentication_methods
            .list(tenant_id, &params)
            .await?;
        methods.extend(page.items);
        match page.next {
            Some(next) => from = Some(next),
            None => return Ok(methods),
        }
    }
}

/// Removes the user's methods of these kinds (every method when `kinds` is None); how many.
pub async fn remove(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    kinds: Option<&[AuthenticationMethodType]>,
) -> Result<usize> {
    let mut removed = 0;
    for method in of_user(state, tenant_id, user_id).await? {
        if kinds.is_none_or(|kinds| kinds.contains(&method.kind)) {
            state
                .adapters
                .authentication_methods
                .remove(tenant_id, &method.id)
                .await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A new recovery code for the user, replacing the one it had; only its digest is kept.
pub async fn regenerate_recovery_code(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
) -> Result<String> {
    let code: String = random::bytes(RECOVERY_CODE_LENGTH)
        .iter()
        .map(|byte| char::from(RECOVERY_ALPHABET[usize::from(byte % 32)]))
        .collect();
    remove(
        state,
        tenant_id,
        user_id,
        Some(&[AuthenticationMethodType::RecoveryCode]),
    )
    .await?;
    let mut method = AuthenticationMethod::new(
        random::id("recovery-code|dev"),
        user_id.to_owned(),
        AuthenticationMethodType::RecoveryCode,
        state.now(),
    );
    method.recovery_code_hash = Some(secrets::digest(&code));
    state
        .adapters
        .authentication_methods
        .create(tenant_id, method)
        .await?;
    Ok(code)
}
