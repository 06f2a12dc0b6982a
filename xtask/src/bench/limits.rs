//! The machine's own limits, measured in-process with the same libraries the server uses:
//! RSA-2048 signatures and bcrypt verifications per second over all cores.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;

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
    let message = [0x5a_u8; 300];
    let rng = SystemRandom::new();
    per_second_on_all_cores(duration, || {
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &rng, &message, &mut signature)
            .map_err(|_| anyhow!("RSA signing failed"))
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
