//! Sessions (a signed-in browser, for SSO) and login sessions (an `/authorize` in flight).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionDevice {
    pub initial_user_agent: Option<String>,
    pub initial_ip: Option<String>,
    pub initial_asn: Option<String>,
    pub last_user_agent: Option<String>,
    pub last_ip: Option<String>,
    pub last_asn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionClient {
    pub client_id: String,
}

/// How and when the user proved who they are in this session.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuthenticationRecord {
    /// `pwd`, `passkey`, `email`, `sms`, `federated`, `mfa`, ...
    pub name: String,
    pub timestamp: Timestamp,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A signed-in browser, shaped like Auth0's `/api/v2/sessions/{id}` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub authenticated_at: Timestamp,
    pub last_interacted_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub idle_expires_at: Option<Timestamp>,
    #[serde(default)]
    pub device: SessionDevice,
    #[serde(default)]
    pub clients: Vec<SessionClient>,
    #[serde(default)]
    pub authentication: Vec<AuthenticationRecord>,
    pub revoked_at: Option<Timestamp>,
    /// SHA-256 of the secret the browser's session cookie carries. The id is the public `sid`
    /// that tokens carry; only the secret, which appears nowhere else, proves the session.
    pub secret_hash: Option<String>,
}

/// The parameters of an `/authorize` request, kept while the user logs in.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuthorizationParams {
    pub client_id: String,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<u64>,
    pub login_hint: Option<String>,
    pub screen_hint: Option<String>,
    pub connection: Option<String>,
    pub organization: Option<String>,
    pub ui_locales: Option<String>,
}

/// An `/authorize` transaction in flight: what was asked, and how far the user has come.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoginSession {
    pub id: String,
    pub authorization: AuthorizationParams,
    /// Bound to the login form so a cross-site post cannot complete the login.
    pub csrf_token: String,
    /// The session that the login produced or reused, once there is one.
    pub session_id: Option<String>,
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}
