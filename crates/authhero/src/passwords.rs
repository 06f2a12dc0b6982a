//! Password hashing: bcrypt (cost 10, so Auth0 exports import as they are) and argon2id.
//! Hashing is deliberately slow, so it always runs on the blocking pool, never on an async worker,
//! and no more hashes run at once than there are cores. argon2's working memory is pooled.

use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Argon2, Block, Params, Version};
use authhero_core::entities::PasswordAlgorithm;
use authhero_core::{Error, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::legacy_hashes;

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
        .map_err(|_| Error::internal("the hashing semaphore is closed"))
}

/// Hashes `password` with `algorithm`, off the async runtime.
pub async fn hash(password: String, algorithm: PasswordAlgorithm) -> Result<String> {
    let permit = core_for_hashing().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_now(&password, algorithm)
    })
    .await
    .map_err(|error| Error::internal(format!("hashing task: {error}")))?
}

fn hash_now(password: &str, algorithm: PasswordAlgorithm) -> Result<String> {
    match algorithm {
        PasswordAlgorithm::Bcrypt => bcrypt::hash(password, BCRYPT_COST)
            .map_err(|error| Error::internal(format!("bcrypt: {error}"))),
        PasswordAlgorithm::Argon2id => {
            hash_argon2id(password).map_err(|error| Error::internal(format!("argon2: {error}")))
        }
        PasswordAlgorithm::Imported => Err(Error::internal(
            "imported hashes are made elsewhere; new ones use bcrypt or argon2id",
        )),
    }
}

/// Working memory for argon2, kept between hashes. Allocating it per hash made every login
/// fault in fresh pages (1,700 faults each), and each blocking thread's allocator arena kept its
/// own freed copy: 305 MiB resident after a run of logins. The hashing semaphore bounds how many
/// buffers exist: one per core.
static ARGON2_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `work` with `blocks` blocks of argon2 memory from the pool.
fn with_argon2_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut memory = ARGON2_MEMORY
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default();
    memory.resize(blocks, Block::default());
    let result = work(&mut memory);
    if let Ok(mut pool) = ARGON2_MEMORY.lock() {
        pool.push(memory);
    }
    result
}

/// A new argon2id PHC string at OWASP's minimum parameters.
fn hash_argon2id(password: &str) -> argon2::password_hash::Result<String> {
    let params = argon2id_params();
    let salt = SaltString::encode_b64(crate::random::bytes(16).as_slice())?;
    let mut salt_bytes = [0; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut output = [0; Params::DEFAULT_OUTPUT_LEN];
    let hasher = Argon2::new(argon2::Algorithm::Argon2id, Version::V0x13, params.clone());
    with_argon2_memory(params.block_count(), |memory| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, memory)
    })?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches an argon2 PHC string, with the string's own algorithm, version
/// and parameters (imported hashes need not use ours). The comparison is constant-time.
fn verify_argon2(password: &str, stored: &str) -> bool {
    let check = || -> argon2::password_hash::Result<bool> {
        let parsed = PasswordHash::new(stored)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let algorithm = argon2::Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        // An imported hash asking for more than a login may spend never matches.
        if !legacy_hashes::argon2_affordable(&params) {
            return Ok(false);
        }
        let mut salt_bytes = [0; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let mut output = vec![0; expected.len()];
        let hasher = Argon2::new(algorithm, version, params.clone());
        with_argon2_memory(params.block_count(), |memory| {
            hasher.hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                &mut output,
                memory,
            )
        })?;
        Ok(Output::new(&output)? == expected)
    };
    check().unwrap_or(false)
}

/// True when `password` matches `stored` (a bcrypt or argon2 PHC string), off the async runtime.
/// A malformed stored hash never matches.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    let permit = core_for_hashing().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if stored.starts_with("$argon2") {
            verify_argon2(&password, &stored)
        } else if legacy_hashes::is_legacy(&stored) {
            // A salted digest checks in microseconds; spend a bcrypt's time too, so the answer
            // does not tell an imported user from one that does not exist.
            let matches = legacy_hashes::verify(&password, &stored);
            let _ = bcrypt::hash(&password, BCRYPT_COST);
            matches
        } else {
            bcrypt::verify(password, &stored).unwrap_or(false)
        }
    })
    .await
    .map_err(|error| Error::internal(format!("verification task: {error}")))
}

/// argon2id at OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
fn argon2id_params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
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

    #[tokio::test]
    async fn argon2_hashes_interoperate_with_the_reference_implementation() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours verifies with the argon2 crate's own verifier...
        let ours = hash("correct horse".into(), PasswordAlgorithm::Argon2id)
            .await
            .unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        // ...and an imported hash with other parameters and algorithm verifies with ours.
        let params = Params::new(8 * 1024, 3, 2, Some(24)).unwrap();
        let salt = SaltString::encode_b64(b"imported salt 16").unwrap();
        for algorithm in [argon2::Algorithm::Argon2i, argon2::Algorithm::Argon2id] {
            let imported = Argon2::new(algorithm, Version::V0x13, params.clone())
                .hash_password(b"correct horse", &salt)
                .unwrap()
                .to_string();
            assert!(
                verify("correct horse".into(), imported.clone())
                    .await
                    .unwrap()
            );
            assert!(!verify("wrong horse".into(), imported).await.unwrap());
        }
    }
}
