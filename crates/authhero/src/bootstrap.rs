//! First start on an empty database: a tenant, its signing key, the database connection, the
//! Management API and an M2M client allowed to call it. Later starts only add the Management API
//! scopes a newer version defines.

use authhero_core::entities::*;
use authhero_core::{DataAdapters, Error, ListParams, Result, Timestamp};

use crate::keys;
use crate::paging::every_page;
use crate::random;
use crate::state::management_audience;

/// The tenant an empty database is seeded with.
pub const DEFAULT_TENANT: &str = "default";

/// The Management API scopes the bootstrap client is granted: every scope the API defines.
pub fn management_scopes() -> Vec<String> {
    crate::management::scopes()
}

/// What the operator needs to know after a bootstrap.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    pub tenant_id: String,
    pub admin_client_id: String,
    /// Present when the secret was generated here (print it once).
    pub generated_secret: Option<String>,
}

/// Options for [`bootstrap`].
#[derive(Debug, Clone, Default)]
pub struct BootstrapOptions {
    pub admin_client_id: Option<String>,
    pub admin_client_secret: Option<String>,
    /// A first user in the database connection, when both are set.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
}

/// Seeds an empty database and returns what it made. On a database that has a tenant it seeds
/// nothing (returns None), and only gives the Management API the scopes this version added.
pub async fn bootstrap(
    adapters: &DataAdapters,
    issuer: &str,
    options: BootstrapOptions,
) -> Result<Option<Bootstrapped>> {
    if !adapters
        .tenants
        .list(&ListParams::page(0, 1)?)
        .await?
        .items
        .is_empty()
    {
        add_new_management_scopes(adapters, issuer).await?;
        return Ok(None);
    }
    let now = Timestamp::now();
    let mut tenant = Tenant::new(DEFAULT_TENANT, now);
    tenant.friendly_name = Some("AuthHero".into());
    let tenant = adapters.tenants.create(tenant).await?;
    keys::ensure(adapters.signing_keys.as_ref(), SigningAlgorithm::RS256, now).await?;
    adapters
        .connections
        .create(
            &tenant.id,
            Connection {
                id: random::id("con"),
                name: "Username-Password-Authentication".into(),
                display_name: None,
                strategy: "auth0".into(),
                // What an Auth0 tenant's first database connection has (and what this server
                // does without them), so tools that read options see them.
                options:
                    serde_json::json!({"passwordPolicy": "good", "brute_force_protection": true})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                enabled_clients: Vec::new(),
                realms: vec!["Username-Password-Authentication".into()],
                is_domain_connection: false,
                metadata: Default::default(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    let audience = management_audience(issuer);
    adapters
        .resource_servers
        .create(
            &tenant.id,
            ResourceServer {
                id: random::id("rs"),
                name: "Auth0 Management API".into(),
                identifier: audience.clone(),
                scopes: management_scopes()
                    .into_iter()
                    .map(|value| ResourceServerScope {
                        value,
                        description: None,
                    })
                    .collect(),
                signing_alg: Some("RS256".into()),
                signing_secret: None,
                allow_offline_access: false,
                skip_consent_for_verifiable_first_party_clients: true,
                token_lifetime: Some(86_400),
                token_lifetime_for_web: None,
                enforce_policies: false,
                token_dialect: None,
                is_system: true,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    let client_id = options.admin_client_id.unwrap_or_else(|| random::token(24));
    let generated_secret = options
        .admin_client_secret
        .is_none()
        .then(|| random::token(48));
    let secret = options
        .admin_client_secret
        .or_else(|| generated_secret.clone());
    let mut client = Client::new(client_id.clone(), "AuthHero Admin (M2M)", now);
    client.app_type = Some(AppType::NonInteractive);
    client.client_secret = secret;
    client.grant_types = vec!["client_credentials".into()];
    client.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::ClientSecretPost);
    adapters.clients.create(&tenant.id, client).await?;
    adapters
        .client_grants
        .create(
            &tenant.id,
            ClientGrant {
                id: random::id("cgr"),
                client_id: client_id.clone(),
                audience,
                scope: management_scopes(),
                organization_usage: None,
                allow_any_organization: None,
                organization_ids: Vec::new(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    if let (Some(email), Some(password)) = (options.admin_email, options.admin_password) {
        create_user(adapters, &tenant.id, &email, password, now).await?;
    }
    Ok(Some(Bootstrapped {
        tenant_id: tenant.id,
        admin_client_id: client_id,
        generated_secret,
    }))
}

/// For databases seeded by an earlier version: each tenant's Management API defines every scope
/// of [`management_scopes`], and a grant that held every scope the API defined before (the
/// bootstrap admin client's, or one made equal to it) holds the added ones too.
async fn add_new_management_scopes(adapters: &DataAdapters, issuer: &str) -> Result<()> {
    let audience = management_audience(issuer);
    let tenants = every_page::<_, Error, _, _>(|params| async move {
        Ok(adapters.tenants.list(&params).await?.items)
    })
    .await?;
    for tenant in tenants {
        let Some(mut api) = adapters
            .resource_servers
            .find_by_identifier(&tenant.id, &audience)
            .await?
            .filter(|api| api.is_system)
        else {
            continue;
        };
        let defined: Vec<String> = api.scopes.iter().map(|scope| scope.value.clone()).collect();
        let added: Vec<String> = management_scopes()
            .into_iter()
            .filter(|scope| !defined.contains(scope))
            .collect();
        // An API that defined nothing gives no grant a claim to everything.
        if added.is_empty() || defined.is_empty() {
            continue;
        }
        let now = Timestamp::now();
        api.scopes
            .extend(added.iter().map(|scope| ResourceServerScope {
                value: scope.clone(),
                description: None,
            }));
        api.updated_at = now;
        adapters.resource_servers.update(&tenant.id, api).await?;
        let tenant_id = tenant.id.as_str();
        let grants = every_page::<_, Error, _, _>(|params| async move {
            Ok(adapters.client_grants.list(tenant_id, &params).await?.items)
        })
        .await?;
        for mut grant in grants {
            let held_all = defined.iter().all(|scope| grant.scope.contains(scope));
            if grant.audience != audience || !held_all {
                continue;
            }
            for scope in &added {
                if !grant.scope.contains(scope) {
                    grant.scope.push(scope.clone());
                }
            }
            grant.updated_at = now;
            adapters.client_grants.update(tenant_id, grant).await?;
        }
    }
    Ok(())
}

/// A verified user of the database connection with a bcrypt password.
async fn create_user(
    adapters: &DataAdapters,
    tenant_id: &str,
    email: &str,
    password: String,
    now: Timestamp,
) -> Result<()> {
    let id = random::hex_id();
    let mut user = User::new("auth0", &id, "Username-Password-Authentication", now);
    user.email = Some(email.to_lowercase());
    user.email_verified = true;
    user.name = Some(email.to_owned());
    crate::flows::users::create(
        adapters,
        tenant_id,
        user,
        Some((password, PasswordAlgorithm::Bcrypt)),
        now,
    )
    .await?;
    Ok(())
}
