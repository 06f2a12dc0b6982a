//! Prompt settings and per-language custom text for the login screens.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;

/// A tenant's prompt settings, shaped like Auth0's `/api/v2/prompts`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PromptSettings {
    /// `new` or `classic`.
    pub universal_login_experience: Option<String>,
    #[serde(default)]
    pub identifier_first: bool,
    #[serde(default)]
    pub webauthn_platform_first_factor: bool,
}

/// Custom text for one prompt in one language (`/api/v2/prompts/{prompt}/custom-text/{language}`):
/// screen name to (text key to text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomText {
    pub prompt: String,
    pub language: String,
    pub texts: Metadata,
}
