//! Random identifiers and secrets from the operating system's CSPRNG, and constant-time checks.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `count` random bytes.
pub fn bytes(count: usize) -> Vec<u8> {
    let mut buffer = vec![0_u8; count];
    // The system RNG only fails when the OS cannot supply entropy; nothing safe can go on then.
    if SystemRandom::new().fill(&mut buffer).is_err() {
        std::process::abort();
    }
    buffer
}

/// `count` random bytes as URL-safe base64 (16 bytes give 128 bits in 22 characters).
pub fn token(count: usize) -> String {
    URL_SAFE_NO_PAD.encode(bytes(count))
}

/// A user id within a connection, Auth0-style: 24 hex characters.
pub fn hex_id() -> String {
    bytes(12).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An id with Auth0's style of prefix, e.g. `con_…`, `rol_…`.
pub fn id(prefix: &str) -> String {
    format!("{prefix}_{}", token(12))
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}
