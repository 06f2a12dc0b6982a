//! Authentication methods: a user's MFA and passwordless enrolments, in the shape of Auth0's
//! `/users/{id}/authentication-methods`.

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

/// How codes reach a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhoneDelivery {
    Sms,
    Voice,
}

/// One enrolment.
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
    pub preferred_authentication_method: Option<PhoneDelivery>,
    pub email: Option<String>,
    /// Base32 TOTP secret.
    pub totp_secret: Option<String>,
    /// The stored digest of a recovery code; the code itself is shown once.
    pub recovery_code_hash: Option<String>,
    /// WebAuthn credential id.
    pub key_id: Option<String>,
    /// WebAuthn public key, base64.
    pub public_key: Option<String>,
    pub relying_party_identifier: Option<String>,
    pub aaguid: Option<String>,
    pub credential_device_type: Option<String>,
    pub credential_backed_up: Option<bool>,
    pub identity_user_id: Option<String>,
    pub user_agent: Option<String>,
    pub user_handle: Option<String>,
    pub sign_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<String>,
    pub created_at: Timestamp,
    pub last_auth_at: Option<Timestamp>,
}

impl AuthenticationMethod {
    /// A confirmed method of `kind` with nothing else set yet.
    pub fn new(
        id: String,
        user_id: String,
        kind: AuthenticationMethodType,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            user_id,
            kind,
            confirmed: true,
            name: None,
            phone_number: None,
            preferred_authentication_method: None,
            email: None,
            totp_secret: None,
            recovery_code_hash: None,
            key_id: None,
            public_key: None,
            relying_party_identifier: None,
            aaguid: None,
            credential_device_type: None,
            credential_backed_up: None,
            identity_user_id: None,
            user_agent: None,
            user_handle: None,
            sign_count: None,
            transports: Vec::new(),
            created_at: now,
            last_auth_at: None,
        }
    }
}
