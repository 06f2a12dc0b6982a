//! User consent grants (`/api/v2/grants`).

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The scopes a user consented to give a client for an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Grant {
    pub id: String,
    pub user_id: String,
    #[serde(rename = "clientID")]
    pub client_id: String,
    pub audience: String,
    #[serde(default)]
    pub scope: Vec<String>,
    pub created_at: Timestamp,
}
