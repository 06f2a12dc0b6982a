//! Signing keys: generating RS256 key pairs, publishing them as a JWKS, and keeping the parsed
//! current key in memory so no token re-reads the database.

use std::collections::HashMap;
use std::sync::Arc;

use authhero_core::entities::{SigningAlgorithm, SigningKey};
use authhero_core::ports::SigningKeysRepository;
use authhero_core::{Error, Result, Timestamp};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Header};
use serde_json::{Value, json};
use tokio::sync::RwLock;

use crate::random;

/// A new RSA-2048 key pair, stored as PKCS#8 and SPKI PEM.
pub fn generate_rsa(now: Timestamp) -> Result<SigningKey> {
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| Error::Internal("RSA key generation failed".into()))?;
    let private = pair
        .as_der()
        .map_err(|_| Error::Internal("cannot encode the private key".into()))?;
    let public = pair
        .public_key()
        .as_der()
        .map_err(|_| Error::Internal("cannot encode the public key".into()))?;
    Ok(SigningKey {
        kid: random::token(16),
        algorithm: SigningAlgorithm::RS256,
        private_key: pem("PRIVATE KEY", private.as_ref()),
        public_key: pem("PUBLIC KEY", public.as_ref()),
        cert: None,
        fingerprint: None,
        thumbprint: None,
        created_at: now,
        revoked_at: None,
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

fn pem_der(text: &str) -> Result<Vec<u8>> {
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD
        .decode(body)
        .map_err(|_| Error::Internal("a stored key is not PEM".into()))
}

/// The key tokens are signed with, parsed once.
pub struct ActiveKey {
    pub kid: String,
    /// The base64url JOSE header every token signed with this key starts with.
    pub encoded_header: String,
    /// Parsed and validated once: parsing an RSA key costs more than signing with it.
    pair: KeyPair,
}

impl ActiveKey {
    fn new(kid: &str, pair: KeyPair) -> Result<Self> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        header.typ = Some("JWT".into());
        let json =
            serde_json::to_vec(&header).map_err(|error| Error::Internal(error.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            encoded_header: URL_SAFE_NO_PAD.encode(json),
            pair,
        })
    }

    /// The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| Error::Internal("RSA signing failed".into()))?;
        Ok(signature)
    }
}

impl std::fmt::Debug for ActiveKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// What the key cache holds: the signing key, the verifying keys by `kid`, and the JWKS.
pub struct KeySet {
    pub active: ActiveKey,
    pub verifying: HashMap<String, DecodingKey>,
    pub jwks: Value,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// The signing keys in memory, loaded on first use and after a change.
#[derive(Debug)]
pub struct KeyCache {
    repository: Arc<dyn SigningKeysRepository>,
    loaded: RwLock<Option<Arc<KeySet>>>,
}

impl KeyCache {
    pub fn new(repository: Arc<dyn SigningKeysRepository>) -> Self {
        Self {
            repository,
            loaded: RwLock::new(None),
        }
    }

    pub async fn get(&self) -> Result<Arc<KeySet>> {
        if let Some(keys) = self.loaded.read().await.as_ref() {
            return Ok(keys.clone());
        }
        let mut slot = self.loaded.write().await;
        if let Some(keys) = slot.as_ref() {
            return Ok(keys.clone());
        }
        let keys = Arc::new(self.load().await?);
        *slot = Some(keys.clone());
        Ok(keys)
    }

    /// Forgets the loaded keys, so the next use reads them again.
    pub async fn invalidate(&self) {
        *self.loaded.write().await = None;
    }

    async fn load(&self) -> Result<KeySet> {
        let keys: Vec<SigningKey> = self
            .repository
            .list()
            .await?
            .into_iter()
            .filter(|key| key.revoked_at.is_none())
            .collect();
        let newest = keys
            .iter()
            .filter(|key| key.algorithm == SigningAlgorithm::RS256)
            .max_by_key(|key| key.created_at)
            .ok_or_else(|| Error::Internal("there is no signing key".into()))?;
        let pair = KeyPair::from_pkcs8(&pem_der(&newest.private_key)?)
            .map_err(|_| Error::Internal(format!("signing key {} does not parse", newest.kid)))?;
        let active = ActiveKey::new(&newest.kid, pair)?;
        let mut verifying = HashMap::new();
        let mut published = Vec::new();
        for key in &keys {
            let (public, decoding) = public_jwk(key)?;
            verifying.insert(key.kid.clone(), decoding);
            published.push(public);
        }
        Ok(KeySet {
            active,
            verifying,
            jwks: json!({ "keys": published }),
        })
    }
}

/// The public JWK of a stored key, and the key that verifies its signatures.
fn public_jwk(key: &SigningKey) -> Result<(Value, DecodingKey)> {
    let pair = KeyPair::from_pkcs8(&pem_der(&key.private_key)?)
        .map_err(|_| Error::Internal(format!("signing key {} does not parse", key.kid)))?;
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let decoding = DecodingKey::from_rsa_components(&n, &e)
        .map_err(|error| Error::Internal(format!("signing key {}: {error}", key.kid)))?;
    let jwk = json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": key.kid, "n": n, "e": e });
    Ok((jwk, decoding))
}
