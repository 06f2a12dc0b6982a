//! Users with credentials: the one place a user is created with a password (both written at
//! once, so neither stands without the other) and a password is set.

use authhero_core::entities::{Password, PasswordAlgorithm, User};
use authhero_core::{DataAdapters, Result, Timestamp};

use crate::passwords;
use crate::state::AppState;

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
    };
    adapters
        .users
        .create_with_password(tenant_id, user, stored)
        .await
}

/// Stores a new password hash for the user, replacing any they had.
pub async fn set_password(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    hash: String,
) -> Result<()> {
    let passwords = &state.adapters.passwords;
    let now = state.now();
    match passwords.get(tenant_id, user_id).await? {
        Some(mut stored) => {
            stored.hash = hash;
            stored.algorithm = state.password_algorithm;
            stored.updated_at = now;
            passwords.update(tenant_id, stored).await?;
        }
        None => {
            let password = Password {
                user_id: user_id.to_owned(),
                hash,
                algorithm: state.password_algorithm,
                created_at: now,
                updated_at: now,
            };
            passwords.create(tenant_id, password).await?;
        }
    }
    Ok(())
}
