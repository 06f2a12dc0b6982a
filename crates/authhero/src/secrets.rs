//! What is stored of a bearer secret: its SHA-256 digest, never the secret. Codes, refresh
//! tokens, emailed tickets and session cookies are looked up or checked by digest, so a copy of
//! the database holds no credential that works.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::random;

/// The digest stored in place of `secret`: SHA-256, base64url without padding (43 characters).
/// Secrets are 128 bits or more of CSPRNG output, so an unsalted hash cannot be searched.
pub fn digest(secret: &str) -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.as_ref())
}

/// A new secret and the digest to store for it.
pub fn generate(bytes: usize) -> (String, String) {
    let secret = random::token(bytes);
    let stored = digest(&secret);
    (secret, stored)
}

/// Whether `secret` is the one whose digest was stored, compared in constant time.
pub fn matches(secret: &str, stored: &str) -> bool {
    random::constant_time_eq(&digest(secret), stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_and_checked() {
        // SHA-256("abc"), base64url.
        assert_eq!(digest("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        let (secret, stored) = generate(16);
        assert_ne!(secret, stored);
        assert!(matches(&secret, &stored));
        assert!(!matches("other", &stored));
    }
}
