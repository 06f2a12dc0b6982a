//! Authentication methods: a user's MFA and passwordless enrolments.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuthenticationMethodType {
    Totp,
    Phone,
    Email,
    WebauthnRoaming,
    WebauthnPlatform,
    Passkey,
    RecoveryCode,
}

/// One enrolment, shaped like Auth0's `/users/{id}/authentication-methods` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuthenticationMethod {
    pub id: String,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: AuthenticationMethodType,
    #[serde(default)]
    pub confirmed: bool,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    /// Base32 TOTP secret.
    pub totp_secret: Option<String>,
    /// WebAuthn credential id (base64url).
    pub credential_id: Option<String>,
    /// WebAuthn public key (COSE, base64url).
    pub public_key: Option<String>,
    pub sign_count: Option<u64>,
    #[serde(default)]
    pub transports: Vec<String>,
    pub created_at: Timestamp,
    pub last_auth_at: Option<Timestamp>,
}
