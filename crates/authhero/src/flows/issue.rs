//! Issuing tokens for a signed-in user: access tokens, ID tokens and refresh tokens, shared by
//! `/authorize` (implicit and hybrid responses) and `/oauth/token`.

use std::collections::BTreeSet;

use authhero_core::Timestamp;
use authhero_core::entities::{Client, Permission, RefreshToken, ResourceServer, User};
use serde_json::{Map, Value, json};

use super::FlowError;
use crate::hooks::{CustomClaims, Login, merge_custom_claims};
use crate::paging::every_page;
use crate::secrets;
use crate::state::AppState;
use crate::tokens::{self, DEFAULT_ACCESS_TOKEN_LIFETIME, ID_TOKEN_LIFETIME, half_hash};

/// Who the tokens are for and what was granted.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// The issuer URL the request was served under (`iss`).
    pub issuer: &'a str,
    pub tenant_id: &'a str,
    pub client: &'a Client,
    pub user: &'a User,
    pub scope: &'a str,
    pub audience: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub auth_time: Option<Timestamp>,
    /// Claims the hooks added; they go into the access and ID tokens.
    pub custom_claims: &'a CustomClaims,
}

impl Grant<'_> {
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split(' ').any(|scope| scope == wanted)
    }
}

/// Scopes OpenID Connect defines; they pass through RBAC untouched.
const OIDC_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
];

/// A signed access token, its lifetime, and the scope it was granted (what the token answer
/// reports, RFC 6749 §5.1: not what was asked for).
#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub lifetime: u64,
    pub scope: String,
}

/// An access token for the grant. For an API with RBAC (`enforce_policies`), the token's
/// scope keeps only what the user holds, and the `access_token_authz` dialect lists every
/// permission in `permissions`, as Auth0 does.
pub async fn access_token(
    state: &AppState,
    grant: &Grant<'_>,
    gty: Option<&str>,
) -> Result<AccessToken, FlowError> {
    let userinfo = format!("{}userinfo", grant.issuer);
    let mut lifetime = DEFAULT_ACCESS_TOKEN_LIFETIME;
    let mut claims = Map::new();
    let mut scope = grant.scope.to_owned();
    let aud = match grant.audience {
        Some(audience) if audience != userinfo => {
            let api = resource_server(state, grant.tenant_id, audience)
                .await?
                .ok_or_else(|| {
                    FlowError::access_denied(format!("Service not found: {audience}"))
                })?;
            lifetime = api.token_lifetime.unwrap_or(lifetime);
            // A user gets only scopes the API defines; with RBAC, only those they hold; and none
            // of a system API's (the Management API), whose scopes are for machine clients.
            let held = if api.enforce_policies {
                user_permissions(state, grant.tenant_id, &grant.user.user_id, audience).await?
            } else {
                api.scopes.iter().map(|scope| scope.value.clone()).collect()
            };
            scope = grant
                .scope
                .split(' ')
                .filter(|wanted| {
                    OIDC_SCOPES.contains(wanted) || (!api.is_system && held.contains(*wanted))
                })
                .collect::<Vec<_>>()
                .join(" ");
            if api.enforce_policies && api.token_dialect.as_deref() == Some("access_token_authz") {
                claims.insert("permissions".into(), json!(held));
            }
            if grant.has_scope("openid") {
                json!([audience, userinfo])
            } else {
                json!(audience)
            }
        }
        _ => json!(userinfo),
    };
    claims.insert("sub".into(), grant.user.user_id.clone().into());
    claims.insert("aud".into(), aud);
    claims.insert("azp".into(), grant.client.client_id.clone().into());
    claims.insert("scope".into(), scope.clone().into());
    if let Some(gty) = gty {
        claims.insert("gty".into(), gty.into());
    }
    if let Some(session_id) = grant.session_id {
        claims.insert("sid".into(), session_id.into());
    }
    merge_custom_claims(&mut claims, grant.custom_claims);
    let algorithm = tokens::algorithm(state, grant.tenant_id).await?;
    Ok(AccessToken {
        token: tokens::sign(state, algorithm, grant.issuer, claims, lifetime).await?,
        lifetime,
        scope,
    })
}

/// Every permission the user holds on `audience`, directly or through tenant-wide roles.
async fn user_permissions(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    audience: &str,
) -> Result<BTreeSet<String>, FlowError> {
    let adapters = &state.adapters;
    let mut held = BTreeSet::new();
    let mut keep = |permissions: Vec<Permission>| {
        for permission in permissions {
            if permission.resource_server_identifier == audience {
                held.insert(permission.permission_name);
            }
        }
    };
    let direct = every_page::<_, FlowError, _, _>(|params| async move {
        Ok(adapters
            .user_permissions
            .list(tenant_id, user_id, &params)
            .await?
            .items)
    })
    .await?;
    keep(direct);
    let roles = every_page::<_, FlowError, _, _>(|params| async move {
        Ok(adapters
            .user_roles
            .list(tenant_id, user_id, None, &params)
            .await?
            .items)
    })
    .await?;
    for role in &roles {
        let granted = every_page::<_, FlowError, _, _>(|params| async move {
            Ok(adapters
                .role_permissions
                .list(tenant_id, &role.id, &params)
                .await?
                .items)
        })
        .await?;
        keep(granted);
    }
    Ok(held)
}

/// The OIDC claims of `user` that `scope` releases.
pub fn profile_claims(user: &User, scope: &str, claims: &mut Map<String, Value>) {
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(name.into(), value);
        }
    };
    if scopes.contains(&"profile") {
        put(
            "name",
            user.name
                .clone()
                .or_else(|| user.email.clone())
                .map(Value::from),
        );
        put("nickname", user.nickname.clone().map(Value::from));
        put("given_name", user.given_name.clone().map(Value::from));
        put("family_name", user.family_name.clone().map(Value::from));
        put("picture", user.picture.clone().map(Value::from));
        put("locale", user.locale.clone().map(Value::from));
        put("updated_at", Some(user.updated_at.to_iso().into()));
    }
    if scopes.contains(&"email") {
        put("email", user.email.clone().map(Value::from));
        put("email_verified", Some(user.email_verified.into()));
    }
    if scopes.contains(&"phone") {
        put("phone_number", user.phone_number.clone().map(Value::from));
        put("phone_number_verified", Some(user.phone_verified.into()));
    }
}

/// An ID token; `access_token` and `code` add `at_hash` and `c_hash`.
pub async fn id_token(
    state: &AppState,
    grant: &Grant<'_>,
    access_token: Option<&str>,
    code: Option<&str>,
) -> Result<String, FlowError> {
    let algorithm = tokens::algorithm(state, grant.tenant_id).await?;
    let mut claims = Map::new();
    claims.insert("sub".into(), grant.user.user_id.clone().into());
    claims.insert("aud".into(), grant.client.client_id.clone().into());
    if let Some(nonce) = grant.nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    if let Some(auth_time) = grant.auth_time {
        claims.insert("auth_time".into(), auth_time.unix_seconds().into());
    }
    if let Some(session_id) = grant.session_id {
        claims.insert("sid".into(), session_id.into());
    }
    if let Some(token) = access_token {
        claims.insert("at_hash".into(), half_hash(algorithm, token).into());
    }
    if let Some(code) = code {
        claims.insert("c_hash".into(), half_hash(algorithm, code).into());
    }
    profile_claims(grant.user, grant.scope, &mut claims);
    merge_custom_claims(&mut claims, grant.custom_claims);
    let lifetime = grant
        .client
        .jwt_configuration
        .as_ref()
        .and_then(|jwt| jwt.lifetime_in_seconds)
        .unwrap_or(ID_TOKEN_LIFETIME);
    tokens::sign(state, algorithm, grant.issuer, claims, lifetime).await
}

/// Where a new refresh token comes from, which decides its family.
#[derive(Debug, Clone, Copy)]
pub enum Lineage<'a> {
    /// A first token, in a family of its own.
    New,
    /// A first token issued for an authorization code: its family is the code's digest, so a
    /// replay of the code can revoke it (RFC 6749 §4.1.2).
    Code(&'a str),
    /// A rotation: the new token joins the family of the one it replaces and keeps its absolute
    /// expiry, so rotating never extends a family's life.
    Rotates(&'a RefreshToken),
}

/// The API a user's tokens are for: the one asked for, else the tenant's `default_audience`
/// (Auth0: as if every authorization request named it), else none.
pub async fn audience_or_default(
    state: &AppState,
    tenant_id: &str,
    requested: Option<&str>,
) -> Result<Option<String>, FlowError> {
    if let Some(requested) = requested {
        return Ok(Some(requested.to_owned()));
    }
    let tenant = state.adapters.tenants.get(tenant_id).await?;
    Ok(tenant.and_then(|tenant| tenant.default_audience))
}

/// A refresh token when `offline_access` was asked for and the API allows it. Only its digest
/// is stored; the token itself goes to the client alone.
pub async fn refresh_token(
    state: &AppState,
    grant: &Grant<'_>,
    lineage: Lineage<'_>,
) -> Result<Option<String>, FlowError> {
    if !grant.has_scope("offline_access") {
        return Ok(None);
    }
    if let Some(audience) = grant.audience {
        let allowed = resource_server(state, grant.tenant_id, audience)
            .await?
            .is_some_and(|api| api.allow_offline_access);
        if !allowed {
            return Ok(None);
        }
    }
    let now = state.now();
    let (secret, id) = secrets::generate(32);
    let settings = grant.client.refresh_token.as_ref();
    let lifetime = settings
        .and_then(|config| config.token_lifetime)
        .unwrap_or(2_592_000);
    let token = RefreshToken {
        id: id.clone(),
        family_id: match lineage {
            Lineage::New => id.clone(),
            Lineage::Code(code_id) => code_id.to_owned(),
            Lineage::Rotates(parent) => parent.family_id.clone(),
        },
        client_id: grant.client.client_id.clone(),
        user_id: grant.user.user_id.clone(),
        session_id: grant.session_id.map(str::to_owned),
        audience: grant.audience.map(str::to_owned),
        scope: Some(grant.scope.to_owned()),
        created_at: now,
        expires_at: match lineage {
            Lineage::Rotates(parent) => parent.expires_at,
            Lineage::New | Lineage::Code(_) => {
                Some(now.plus_seconds(i64::try_from(lifetime).unwrap_or(i64::MAX)))
            }
        },
        auth_time: grant.auth_time,
        idle_expires_at: None,
        last_exchanged_at: None,
        rotated_at: None,
    };
    state
        .adapters
        .refresh_tokens
        .create(grant.tenant_id, token)
        .await?;
    Ok(Some(secret))
}

/// The API whose identifier is `audience`.
pub async fn resource_server(
    state: &AppState,
    tenant_id: &str,
    audience: &str,
) -> Result<Option<ResourceServer>, FlowError> {
    Ok(state
        .adapters
        .resource_servers
        .find_by_identifier(tenant_id, audience)
        .await?)
}

/// Runs the post-login hook for `user` signing in to `client`: its claims, or `access_denied`.
pub async fn post_login(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    user: &User,
) -> Result<CustomClaims, FlowError> {
    let event = Login {
        tenant_id,
        client,
        user,
    };
    state
        .hooks
        .post_login(&event)
        .await
        .map_err(|denied| FlowError::access_denied(denied.0))
}
