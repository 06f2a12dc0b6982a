//! Password hashing: bcrypt (cost 10, so Auth0 exports import as they are) and argon2id.
//! Hashing is deliberately slow, so it always runs on the blocking pool, never on an async worker,
//! and no more hashes run at once than there are cores.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, Params};
use authhero_core::entities::PasswordAlgorithm;
use authhero_core::{Error, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The shortest password accepted for new users, in characters.
pub const MIN_LENGTH: usize = 8;

/// Auth0's bcrypt cost.
pub const BCRYPT_COST: u32 = 10;

/// One permit per core. More hashes at once than cores only share the cores, and each argon2id
/// hash holds 19 MiB: a burst of logins would thrash the caches and grow memory without
/// finishing any sooner.
static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Arc::new(Semaphore::new(cores))
});

/// Waits for a core to hash on; the permit goes with the blocking task.
async fn core_for_hashing() -> Result<OwnedSemaphorePermit> {
    HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Error::Internal("the hashing semaphore is closed".into()))
}

/// Hashes `password` with `algorithm`, off the async runtime.
pub async fn hash(password: String, algorithm: PasswordAlgorithm) -> Result<String> {
    let permit = core_for_hashing().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_now(&password, algorithm)
    })
    .await
    .map_err(|error| Error::Internal(format!("hashing task: {error}")))?
}

fn hash_now(password: &str, algorithm: PasswordAlgorithm) -> Result<String> {
    match algorithm {
        PasswordAlgorithm::Bcrypt => bcrypt::hash(password, BCRYPT_COST)
            .map_err(|error| Error::Internal(format!("bcrypt: {error}"))),
        PasswordAlgorithm::Argon2id => {
            let salt = SaltString::encode_b64(crate::random::bytes(16).as_slice())
                .map_err(|error| Error::Internal(format!("salt: {error}")))?;
            argon2id()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| Error::Internal(format!("argon2: {error}")))
        }
    }
}

/// True when `password` matches `stored` (a bcrypt or argon2 PHC string), off the async runtime.
/// A malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    let permit = core_for_hashing().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if stored.starts_with("$argon2") {
            PasswordHash::new(&stored)
                .map(|parsed| {
                    argon2id()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        } else {
            bcrypt::verify(password, &stored).unwrap_or(false)
        }
    })
    .await
    .map_err(|error| Error::Internal(format!("verification task: {error}")))
}

/// argon2id at OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
fn argon2id() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn both_algorithms_round_trip() {
        for algorithm in [PasswordAlgorithm::Bcrypt, PasswordAlgorithm::Argon2id] {
            let stored = hash("correct horse".into(), algorithm).await.unwrap();
            assert!(
                verify("correct horse".into(), stored.clone())
                    .await
                    .unwrap()
            );
            assert!(!verify("wrong horse".into(), stored).await.unwrap());
        }
    }

    #[tokio::test]
    async fn bcrypt_uses_auth0_cost() {
        let stored = hash("pw".into(), PasswordAlgorithm::Bcrypt).await.unwrap();
        assert!(stored.starts_with("$2b$10$"), "{stored}");
    }

    #[tokio::test]
    async fn malformed_hashes_never_match() {
        assert!(!verify("pw".into(), "not a hash".into()).await.unwrap());
        assert!(
            !verify("pw".into(), "$argon2id$garbage".into())
                .await
                .unwrap()
        );
    }
}
