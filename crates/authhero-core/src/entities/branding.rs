//! Branding (logo, colours, font) and Universal Login themes.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BrandingColors {
    pub primary: Option<String>,
    pub page_background: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BrandingFont {
    pub url: Option<String>,
}

/// A tenant's branding, shaped like Auth0's `/api/v2/branding`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Branding {
    pub colors: Option<BrandingColors>,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub font: Option<BrandingFont>,
}

/// The tenant's page template for Universal Login (Auth0's
/// `/api/v2/branding/templates/universal-login`): Liquid HTML holding the `auth0:head` and
/// `auth0:widget` tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UniversalLoginTemplate {
    pub body: String,
}

/// A Universal Login theme, shaped like Auth0's `/api/v2/branding/themes`; its sections are kept
/// as Auth0 sends them.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    pub theme_id: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub borders: Metadata,
    #[serde(default)]
    pub colors: Metadata,
    #[serde(default)]
    pub fonts: Metadata,
    #[serde(default, rename = "page_background")]
    pub page_background: Metadata,
    #[serde(default)]
    pub widget: Metadata,
}
