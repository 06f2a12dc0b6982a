//! The machine's own limits, measured in-process with the same libraries and parameters the
//! server uses: signatures per second for each signing algorithm and password verifications per
//! second for each hash, over all cores.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256,
};

/// A JWT-sized message.
const MESSAGE: [u8; 300] = [0x5a; 300];

/// Runs `work` on every core for `duration`; returns completed operations per second.
fn per_second_on_all_cores(
    duration: Duration,
    work: impl Fn() -> Result<()> + Sync,
) -> Result<f64> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let failed = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    if work().is_err() {
                        failed.store(true, Ordering::Relaxed);
                        return;
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
    });
    if failed.load(Ordering::Relaxed) {
        return Err(anyhow!("a limit measurement failed"));
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// RS256 signatures (RSA-2048, PKCS#1 v1.5, SHA-256) per second with aws-lc-rs.
pub fn rsa_signatures_per_second(duration: Duration) -> Result<f64> {
    let key =
        KeyPair::generate(KeySize::Rsa2048).map_err(|_| anyhow!("RSA key generation failed"))?;
    let rng = SystemRandom::new();
    per_second_on_all_cores(duration, || {
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &rng, &MESSAGE, &mut signature)
            .map_err(|_| anyhow!("RSA signing failed"))
    })
}

/// ES256 signatures (ECDSA P-256, SHA-256, fixed r||s) per second with aws-lc-rs.
pub fn ecdsa_signatures_per_second(duration: Duration) -> Result<f64> {
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
        .map_err(|_| anyhow!("P-256 key generation failed"))?;
    let rng = SystemRandom::new();
    per_second_on_all_cores(duration, || {
        key.sign(&rng, &MESSAGE)
            .map(drop)
            .map_err(|_| anyhow!("ECDSA signing failed"))
    })
}

/// EdDSA signatures (Ed25519) per second with aws-lc-rs.
pub fn ed25519_signatures_per_second(duration: Duration) -> Result<f64> {
    let key = Ed25519KeyPair::generate().map_err(|_| anyhow!("Ed25519 key generation failed"))?;
    per_second_on_all_cores(duration, || {
        std::hint::black_box(key.sign(&MESSAGE));
        Ok(())
    })
}

/// bcrypt (cost 10) password verifications per second.
pub fn bcrypt_verifications_per_second(duration: Duration) -> Result<f64> {
    let hash = bcrypt::hash("bench password", 10)?;
    per_second_on_all_cores(duration, || {
        bcrypt::verify("bench password", &hash)?;
        Ok(())
    })
}

/// argon2id verifications per second at the server's parameters (OWASP's minimum: 19 MiB,
/// 2 passes, 1 lane).
pub fn argon2id_verifications_per_second(duration: Duration) -> Result<f64> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).map_err(|error| anyhow!("{error}"))?;
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"sixteen byte salt").map_err(|error| anyhow!("{error}"))?;
    let hash = hasher
        .hash_password(b"bench password", &salt)
        .map_err(|error| anyhow!("{error}"))?
        .to_string();
    per_second_on_all_cores(duration, || {
        let parsed = PasswordHash::new(&hash).map_err(|error| anyhow!("{error}"))?;
        hasher
            .verify_password(b"bench password", &parsed)
            .map_err(|error| anyhow!("{error}"))
    })
}
