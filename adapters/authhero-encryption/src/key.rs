//! The sealing key and the sealed format: `sealed:v1:` then base64url of nonce, ciphertext and
//! tag. What the value is and whose it is (`client_secret` of a client id, `signing_key` of a
//! kid) are the associated data, so a sealed value moved to another row, or to another kind of
//! row, does not open.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const PREFIX: &str = "sealed:v1:";
const KEY_LEN: usize = 32;

/// Why a configured key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the secret key must be 32 bytes, base64 or base64url encoded")]
    Malformed,
    #[error("the system could not supply random bytes")]
    Random,
}

/// What a sealed value is, bound into it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    ClientSecret,
    SigningKey,
}

/// The associated data of a sealed value: its purpose and its row, NUL-separated.
fn associated(purpose: Purpose, owner: &str) -> Vec<u8> {
    let label = match purpose {
        Purpose::ClientSecret => "client_secret",
        Purpose::SigningKey => "signing_key",
    };
    format!("{label}\0{owner}").into_bytes()
}

/// An AES-256-GCM key. Cheap to clone.
#[derive(Clone)]
pub struct SecretKey(Arc<LessSafeKey>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A key from its 32 bytes, base64url (unpadded) or standard base64 encoded.
    pub fn parse(encoded: &str) -> Result<Self, KeyError> {
        let encoded = encoded.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .or_else(|_| STANDARD.decode(encoded))
            .map_err(|_| KeyError::Malformed)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Malformed);
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyError::Malformed)?;
        Ok(Self(Arc::new(LessSafeKey::new(key))))
    }

    /// A new random key, base64url encoded, for an operator to keep.
    pub fn generate() -> Result<String, KeyError> {
        let mut bytes = [0_u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KeyError::Random)?;
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// `secret`, the `purpose` of row `owner`, sealed with a fresh random nonce.
    pub(crate) fn seal(
        &self,
        purpose: Purpose,
        owner: &str,
        secret: &str,
    ) -> Result<String, KeyError> {
        let mut nonce = [0_u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| KeyError::Random)?;
        let mut sealed = secret.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated(purpose, owner)),
                &mut sealed,
            )
            .map_err(|_| KeyError::Random)?;
        let mut framed = nonce.to_vec();
        framed.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(framed)))
    }

    /// The secret in a stored value: opened when sealed, as it is when stored before sealing.
    /// None when it is sealed but does not open (another key, another row, or tampered).
    pub(crate) fn open(&self, purpose: Purpose, owner: &str, stored: &str) -> Option<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_owned());
        };
        let framed = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        if framed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = framed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let opened = self
            .0
            .open_in_place(nonce, Aad::from(associated(purpose, owner)), &mut sealed)
            .ok()?;
        String::from_utf8(opened.to_vec()).ok()
    }

    pub(crate) fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_bytes(&[7_u8; KEY_LEN]).unwrap()
    }

    #[test]
    fn seals_and_opens_only_for_its_row_and_key() -> Result<(), KeyError> {
        let secret = Purpose::ClientSecret;
        let sealed = key().seal(secret, "client-a", "s3cret")?;
        assert!(SecretKey::is_sealed(&sealed));
        assert!(!sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            key().seal(secret, "client-a", "s3cret")?,
            "nonces repeat"
        );
        assert_eq!(
            key().open(secret, "client-a", &sealed).as_deref(),
            Some("s3cret")
        );
        assert_eq!(key().open(secret, "client-b", &sealed), None);
        assert_eq!(key().open(Purpose::SigningKey, "client-a", &sealed), None);
        let other = SecretKey::from_bytes(&[8_u8; KEY_LEN])?;
        assert_eq!(other.open(secret, "client-a", &sealed), None);
        assert_eq!(
            key().open(secret, "client-a", "plain").as_deref(),
            Some("plain")
        );
        Ok(())
    }

    #[test]
    fn parses_encoded_keys() -> Result<(), KeyError> {
        let encoded = SecretKey::generate()?;
        SecretKey::parse(&encoded)?;
        assert!(SecretKey::parse("c2hvcnQ").is_err());
        Ok(())
    }
}
