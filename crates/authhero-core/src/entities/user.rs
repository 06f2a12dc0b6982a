//! Users, their identities, and their password hashes (kept apart from the user record).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;
use crate::time::Timestamp;

/// One identity of a user at a connection, as in Auth0's `identities[]`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identity {
    pub connection: String,
    /// The id within the provider, without the `provider|` prefix.
    pub user_id: String,
    pub provider: String,
    #[serde(rename = "isSocial", default)]
    pub is_social: bool,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// The profile a linked identity had as a user of its own (Auth0's `profileData`).
    #[serde(rename = "profileData", alias = "profile_data")]
    pub profile_data: Option<Metadata>,
}

/// A user, shaped like Auth0's `/api/v2/users` resource.
///
/// `identities[0]` is the primary identity: it names the connection the user belongs to, and
/// `user_id` is `<provider>|<identities[0].user_id>`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct User {
    pub user_id: String,
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_verified: bool,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub locale: Option<String>,
    pub identities: Vec<Identity>,
    #[serde(default)]
    pub app_metadata: Metadata,
    #[serde(default)]
    pub user_metadata: Metadata,
    #[serde(default)]
    pub blocked: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_login: Option<Timestamp>,
    pub last_ip: Option<String>,
    #[serde(default)]
    pub logins_count: u64,
    /// Set on a user linked into another (the primary, named here): its identity is one of the
    /// primary's, and it logs in as the primary. Never part of Auth0's shape.
    #[schemars(skip)]
    pub linked_to: Option<String>,
}

impl User {
    /// A user with one identity at `connection`; `user_id` becomes `<provider>|<id>`.
    pub fn new(provider: &str, id: &str, connection: &str, now: Timestamp) -> Self {
        Self {
            user_id: format!("{provider}|{id}"),
            email: None,
            email_verified: false,
            username: None,
            phone_number: None,
            phone_verified: false,
            name: None,
            given_name: None,
            family_name: None,
            nickname: None,
            picture: None,
            locale: None,
            identities: vec![Identity {
                connection: connection.to_owned(),
                user_id: id.to_owned(),
                provider: provider.to_owned(),
                is_social: !matches!(provider, "auth0" | "email" | "sms"),
                access_token: None,
                refresh_token: None,
                profile_data: None,
            }],
            app_metadata: Metadata::new(),
            user_metadata: Metadata::new(),
            blocked: false,
            created_at: now,
            updated_at: now,
            last_login: None,
            last_ip: None,
            logins_count: 0,
            linked_to: None,
        }
    }

    pub fn primary_identity(&self) -> Option<&Identity> {
        self.identities.first()
    }

    /// The connection the user belongs to (that of the primary identity).
    pub fn connection(&self) -> Option<&str> {
        self.primary_identity()
            .map(|identity| identity.connection.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PasswordAlgorithm {
    Bcrypt,
    Argon2id,
    /// Made by another system and imported as it was (PBKDF2, LDAP, salted digests); replaced
    /// with the server's own algorithm at the next successful login.
    Imported,
}

/// A user's password hash. Never part of a user's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Password {
    pub user_id: String,
    /// The PHC or modular-crypt string, e.g. `$2b$10$...` or `$argon2id$...`.
    pub hash: String,
    pub algorithm: PasswordAlgorithm,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The hashes it replaced, newest first, kept while the connection's `password_history`
    /// asks for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PreviousPassword>,
}

/// A hash a user's password had before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousPassword {
    pub hash: String,
    pub algorithm: PasswordAlgorithm,
}
