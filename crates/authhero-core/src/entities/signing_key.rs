//! Token signing keys. They are looked up by `kid` across tenants, as JWKS verification needs.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A JWS `alg` this server signs tokens with: RSA, ECDSA on P-256, or Ed25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum SigningAlgorithm {
    RS256,
    ES256,
    EdDSA,
}

/// A key pair, shaped like Auth0's `/api/v2/keys/signing` resource plus the private key.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SigningKey {
    pub kid: String,
    pub algorithm: SigningAlgorithm,
    /// PKCS#8 PEM. Never served by the Management API.
    pub private_key: String,
    /// SPKI PEM.
    pub public_key: String,
    /// X.509 certificate PEM, when one was issued for the key.
    pub cert: Option<String>,
    pub fingerprint: Option<String>,
    pub thumbprint: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}
