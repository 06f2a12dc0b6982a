//! Tenant logs (`/api/v2/logs`).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// One log event, shaped like Auth0's log resource (`type` is Auth0's event code, e.g. `s`, `f`).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Log {
    pub log_id: String,
    pub date: Timestamp,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub connection: Option<String>,
    pub connection_id: Option<String>,
    pub strategy: Option<String>,
    pub strategy_type: Option<String>,
    pub audience: Option<String>,
    pub scope: Option<String>,
    pub hostname: Option<String>,
    #[serde(rename = "isMobile", default)]
    pub is_mobile: bool,
    pub details: Option<serde_json::Value>,
}
