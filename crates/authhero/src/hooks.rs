//! Hooks: the application's own code, called at points of the authentication pipeline (as
//! Auth0 Actions are). Each may refuse, and the token-issuing ones may add custom claims.

use async_trait::async_trait;
use authhero_core::entities::{Client, User};
use serde_json::{Map, Value};

/// Why a hook refused; the message is shown to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

/// Claims a hook adds to the tokens being issued. Names should be namespaced URLs, as Auth0
/// requires; registered claims (`iss`, `sub`, `aud`, ...) cannot be overridden.
pub type CustomClaims = Map<String, Value>;

/// A user about to be created through `/dbconnections/signup`.
#[derive(Debug, Clone)]
pub struct Registration<'a> {
    pub tenant_id: &'a str,
    pub client: &'a Client,
    pub user: &'a User,
}

/// A user who just proved who they are, before their tokens are issued.
#[derive(Debug, Clone)]
pub struct Login<'a> {
    pub tenant_id: &'a str,
    pub client: &'a Client,
    pub user: &'a User,
}

/// A client about to get a `client_credentials` token.
#[derive(Debug, Clone)]
pub struct CredentialsExchange<'a> {
    pub tenant_id: &'a str,
    pub client: &'a Client,
    pub audience: &'a str,
    pub scope: &'a str,
}

/// The hook points. Every method has a default that allows and adds nothing, so an
/// implementation overrides only what it needs.
#[async_trait]
pub trait Hooks: Send + Sync + std::fmt::Debug {
    /// Before a signup creates the user; `Err` refuses the signup.
    async fn pre_user_registration(&self, _event: &Registration<'_>) -> Result<(), Denied> {
        Ok(())
    }

    /// After a signup created the user.
    async fn post_user_registration(&self, _event: &Registration<'_>) {}

    /// After a login (form or password grant); `Err` denies it, claims go into both tokens.
    async fn post_login(&self, _event: &Login<'_>) -> Result<CustomClaims, Denied> {
        Ok(CustomClaims::new())
    }

    /// Before a `client_credentials` token; `Err` denies it, claims go into the token.
    async fn credentials_exchange(
        &self,
        _event: &CredentialsExchange<'_>,
    ) -> Result<CustomClaims, Denied> {
        Ok(CustomClaims::new())
    }
}

/// The hooks used when the application registers none.
#[derive(Debug, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {}

/// Claims that a hook may not set: those the server owns.
const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "azp",
    "scope",
    "gty",
    "permissions",
    "nonce",
    "auth_time",
    "sid",
    "at_hash",
    "c_hash",
    "acr",
    "amr",
];

/// Adds `custom` to `claims`, skipping reserved names.
pub fn merge_custom_claims(claims: &mut Map<String, Value>, custom: &CustomClaims) {
    for (name, value) in custom {
        if !RESERVED.contains(&name.as_str()) {
            claims.insert(name.clone(), value.clone());
        }
    }
}
