//! Refresh tokens, grouped in rotation families.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A refresh token. With rotation, each exchange issues a new token in the same family; a reused
/// (already rotated) token revokes the whole family.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RefreshToken {
    pub id: String,
    /// The first token's id, shared by every token rotated from it.
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub idle_expires_at: Option<Timestamp>,
    pub last_exchanged_at: Option<Timestamp>,
    /// When the user authenticated for the grant (ID tokens issued on refresh keep it).
    pub auth_time: Option<Timestamp>,
    /// When a rotation replaced this token.
    pub rotated_at: Option<Timestamp>,
}
