//! The email provider and email templates.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;

/// A tenant's email provider, shaped like Auth0's `/api/v2/emails/provider`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EmailProvider {
    /// `smtp`, `mailgun`, `sendgrid`, `ses`, ...
    pub name: String,
    #[serde(default = "default_true")]
    pub enabled: bool,
    pub default_from_address: Option<String>,
    #[serde(default)]
    pub credentials: Metadata,
    #[serde(default)]
    pub settings: Metadata,
}

fn default_true() -> bool {
    true
}

/// An email template, shaped like Auth0's `/api/v2/email-templates/{name}` (camelCase, as Auth0).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmailTemplate {
    /// `verify_email`, `reset_email`, `welcome_email`, `user_invitation`, ...
    pub template: String,
    pub body: String,
    pub from: String,
    pub subject: String,
    /// `liquid`.
    pub syntax: String,
    pub result_url: Option<String>,
    pub url_lifetime_in_seconds: Option<u64>,
    pub include_email_in_redirect: Option<bool>,
    #[serde(default)]
    pub enabled: bool,
}
