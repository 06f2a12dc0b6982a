//! Single-use codes: authorization codes, one-time passwords and tickets.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeType {
    AuthorizationCode,
    Otp,
    EmailVerification,
    PasswordReset,
    /// Marks a legacy provider's refresh token as redeemed here, so it is redeemed once.
    LegacyRefreshToken,
    /// The emailed link that lifts a user's brute-force blocks.
    UnblockAccount,
}

impl CodeType {
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeType::AuthorizationCode => "authorization_code",
            CodeType::Otp => "otp",
            CodeType::EmailVerification => "email_verification",
            CodeType::PasswordReset => "password_reset",
            CodeType::LegacyRefreshToken => "legacy_refresh_token",
            CodeType::UnblockAccount => "unblock_account",
        }
    }
}

/// A code that can be consumed once, before it expires.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Code {
    pub code_id: String,
    pub code_type: CodeType,
    pub login_session_id: Option<String>,
    /// The browser session the code was issued in (becomes the ID token's `sid`).
    pub session_id: Option<String>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub scope: Option<String>,
    pub audience: Option<String>,
    /// When the user last authenticated (the ID token's `auth_time`).
    pub auth_time: Option<Timestamp>,
    /// Claims the login's hooks added, for the tokens the code is exchanged for.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub custom_claims: Metadata,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Set by the one consumer that won.
    pub used_at: Option<Timestamp>,
}
