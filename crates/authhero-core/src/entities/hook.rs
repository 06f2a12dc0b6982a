//! Hooks: webhooks called at points of the authentication pipeline.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A hook bound to a trigger such as `pre-user-registration` or `post-user-login`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hook {
    pub hook_id: String,
    pub trigger_id: String,
    pub url: String,
    #[serde(default)]
    pub enabled: bool,
    /// Whether the flow waits for the hook's answer.
    #[serde(default)]
    pub synchronous: bool,
    pub priority: Option<i32>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
