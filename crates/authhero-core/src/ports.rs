//! The ports: the storage interfaces AuthHero's logic calls and adapters implement.
//!
//! Most entities share one CRUD shape, [`Repository<E>`]; the aliases below name it per entity
//! (`UsersRepository` is `dyn Repository<User>`). Entities with operations of their own get
//! their own trait: users (created with their password), single-use codes, refresh-token families, relationships, per-tenant
//! singletons and the few look-ups that must cross tenants.
//!
//! Every tenant-scoped method takes the tenant first. The cross-tenant look-ups are exactly:
//! tenants themselves, a client by `client_id`, a custom domain by host, and signing keys.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::entities::*;
use crate::error::Result;
use crate::list::{ListPage, ListParams};
use crate::time::Timestamp;

/// A stored thing with an id unique within its tenant.
pub trait Entity:
    Clone + fmt::Debug + Send + Sync + Serialize + DeserializeOwned + 'static
{
    /// Singular, lower-case name used in errors: "user", "client grant".
    const NAME: &'static str;
    fn id(&self) -> &str;
}

macro_rules! entity {
    ($($type:ty => $name:literal, $field:ident;)*) => {$(
        impl Entity for $type {
            const NAME: &'static str = $name;
            fn id(&self) -> &str {
                &self.$field
            }
        }
    )*};
}

entity! {
    AuthenticationMethod => "authentication method", id;
    Client => "client", client_id;
    Code => "code", code_id;
    ClientGrant => "client grant", id;
    Connection => "connection", id;
    CustomDomain => "custom domain", custom_domain_id;
    EmailTemplate => "email template", template;
    Grant => "grant", id;
    Hook => "hook", hook_id;
    Invitation => "invitation", id;
    Job => "job", id;
    Log => "log", log_id;
    LoginSession => "login session", id;
    Organization => "organization", id;
    Password => "password", user_id;
    RefreshToken => "refresh token", id;
    ResourceServer => "resource server", id;
    Role => "role", id;
    Session => "session", id;
    Tenant => "tenant", id;
    Theme => "theme", theme_id;
    User => "user", user_id;
}

/// Create, read, list, replace and remove the entities of one tenant.
#[async_trait]
pub trait Repository<E: Entity>: Send + Sync + fmt::Debug {
    /// Stores a new entity. `Conflict` when its id or another unique value is taken.
    async fn create(&self, tenant_id: &str, entity: E) -> Result<E>;
    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<E>>;
    /// Pages, sorts and filters (`q`) the tenant's entities.
    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<E>>;
    /// Replaces the stored entity with the same id. `NotFound` when there is none.
    async fn update(&self, tenant_id: &str, entity: E) -> Result<E>;
    /// Removes the entity and everything that belongs to it; false when there was none.
    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool>;
}

pub type AuthenticationMethodsRepository = dyn Repository<AuthenticationMethod>;
pub type ConnectionsRepository = dyn Repository<Connection>;
pub type EmailTemplatesRepository = dyn Repository<EmailTemplate>;
pub type GrantsRepository = dyn Repository<Grant>;
pub type HooksRepository = dyn Repository<Hook>;
pub type InvitationsRepository = dyn Repository<Invitation>;
pub type JobsRepository = dyn Repository<Job>;
pub type LoginSessionsRepository = dyn Repository<LoginSession>;
pub type OrganizationsRepository = dyn Repository<Organization>;
pub type PasswordsRepository = dyn Repository<Password>;
pub type RolesRepository = dyn Repository<Role>;
pub type SessionsRepository = dyn Repository<Session>;
pub type ThemesRepository = dyn Repository<Theme>;

/// Users, plus creating a user together with its password.
#[async_trait]
pub trait UsersRepository: Repository<User> {
    /// Stores the user and its password as one write: both, or neither (a refused or failed
    /// password leaves no user behind).
    async fn create_with_password(
        &self,
        tenant_id: &str,
        user: User,
        password: Password,
    ) -> Result<User>;
    /// Stores the users, each with its password when it has one, as one write: all of them or
    /// none. `Conflict` when any id or unique value is taken, or repeated among `users`. Bulk
    /// imports call it so that a batch costs one round trip, not one per row.
    async fn create_many(
        &self,
        tenant_id: &str,
        users: Vec<(User, Option<Password>)>,
    ) -> Result<()>;
}

/// Tenants: the one repository that is not itself tenant-scoped.
#[async_trait]
pub trait TenantsRepository: Send + Sync + fmt::Debug {
    async fn create(&self, tenant: Tenant) -> Result<Tenant>;
    async fn get(&self, id: &str) -> Result<Option<Tenant>>;
    async fn list(&self, params: &ListParams) -> Result<ListPage<Tenant>>;
    async fn update(&self, tenant: Tenant) -> Result<Tenant>;
    /// Removes the tenant and everything in it.
    async fn remove(&self, id: &str) -> Result<bool>;
}

/// Clients, plus the look-up by `client_id` that `/authorize` and `/oauth/token` start from.
#[async_trait]
pub trait ClientsRepository: Repository<Client> {
    /// The client with this id in whichever tenant holds it, with that tenant's id.
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<(String, Client)>>;
}

/// Client grants, plus the look-up every `client_credentials` token makes.
#[async_trait]
pub trait ClientGrantsRepository: Repository<ClientGrant> {
    /// The grant of `client_id` for the API `audience`, if there is one.
    async fn find(
        &self,
        tenant_id: &str,
        client_id: &str,
        audience: &str,
    ) -> Result<Option<ClientGrant>>;
}

/// Resource servers, plus the look-up by identifier (audience) every token request makes.
#[async_trait]
pub trait ResourceServersRepository: Repository<ResourceServer> {
    async fn find_by_identifier(
        &self,
        tenant_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>>;
}

/// Custom domains, plus the look-up by host that resolves a request's tenant.
#[async_trait]
pub trait CustomDomainsRepository: Repository<CustomDomain> {
    /// The domain (compared case-insensitively) in whichever tenant holds it.
    async fn find_by_domain(&self, domain: &str) -> Result<Option<(String, CustomDomain)>>;
}

/// The tenant log, plus removing what is past its retention.
#[async_trait]
pub trait LogsRepository: Repository<Log> {
    /// Removes the tenant's events dated before `before`; returns how many there were.
    async fn remove_before(&self, tenant_id: &str, before: Timestamp) -> Result<u64>;
}

/// Refresh tokens, plus revocation of a whole rotation family.
#[async_trait]
pub trait RefreshTokensRepository: Repository<RefreshToken> {
    /// Removes every token of the family; returns how many there were.
    async fn remove_family(&self, tenant_id: &str, family_id: &str) -> Result<u64>;
    /// Stores `token`, which has `rotated_at` set, only if no one rotated it first: of many
    /// concurrent exchanges of one token exactly one claims its rotation (true).
    async fn claim_rotation(&self, tenant_id: &str, token: RefreshToken) -> Result<bool>;
}

/// Single-use codes, plus their consumption, which is atomic: of many concurrent consumers
/// exactly one wins.
#[async_trait]
pub trait CodesRepository: Repository<Code> {
    /// Marks the code used and returns it, if it exists with this type, is unused and has not
    /// expired at `now`. Otherwise None, whatever the reason, so callers cannot leak which.
    async fn consume(
        &self,
        tenant_id: &str,
        code_id: &str,
        code_type: CodeType,
        now: Timestamp,
    ) -> Result<Option<Code>>;
}

/// Signing keys, shared by all tenants.
#[async_trait]
pub trait SigningKeysRepository: Send + Sync + fmt::Debug {
    async fn create(&self, key: SigningKey) -> Result<SigningKey>;
    async fn get(&self, kid: &str) -> Result<Option<SigningKey>>;
    /// Every key, revoked ones included, oldest first.
    async fn list(&self) -> Result<Vec<SigningKey>>;
    async fn update(&self, key: SigningKey) -> Result<SigningKey>;
}

/// A value a tenant has at most one of (branding, prompt settings, email provider).
#[async_trait]
pub trait TenantSetting<T>: Send + Sync + fmt::Debug
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    async fn get(&self, tenant_id: &str) -> Result<Option<T>>;
    /// Creates or replaces the tenant's value.
    async fn set(&self, tenant_id: &str, value: T) -> Result<T>;
    async fn remove(&self, tenant_id: &str) -> Result<bool>;
}

pub type BrandingRepository = dyn TenantSetting<Branding>;
pub type EmailProvidersRepository = dyn TenantSetting<EmailProvider>;
pub type PromptSettingsRepository = dyn TenantSetting<PromptSettings>;
pub type UniversalLoginTemplatesRepository = dyn TenantSetting<UniversalLoginTemplate>;

/// Custom text, keyed by prompt and language.
#[async_trait]
pub trait CustomTextsRepository: Send + Sync + fmt::Debug {
    async fn get(
        &self,
        tenant_id: &str,
        prompt: &str,
        language: &str,
    ) -> Result<Option<CustomText>>;
    /// Creates or replaces the text of `custom_text.prompt` in `custom_text.language`.
    async fn set(&self, tenant_id: &str, custom_text: CustomText) -> Result<CustomText>;
    async fn remove(&self, tenant_id: &str, prompt: &str, language: &str) -> Result<bool>;
    async fn list(&self, tenant_id: &str) -> Result<Vec<CustomText>>;
}

/// Permissions given to an owner: a role (`role_permissions`) or, directly, a user
/// (`user_permissions`). One port serves both, as they are the same relationship.
#[async_trait]
pub trait PermissionsRepository: Send + Sync + fmt::Debug {
    /// Adds the permissions; ones the owner already has are left as they are. `NotFound` when
    /// the owner does not exist.
    async fn assign(
        &self,
        tenant_id: &str,
        owner_id: &str,
        permissions: &[Permission],
    ) -> Result<()>;
    async fn remove(
        &self,
        tenant_id: &str,
        owner_id: &str,
        permissions: &[Permission],
    ) -> Result<()>;
    async fn list(
        &self,
        tenant_id: &str,
        owner_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<Permission>>;
}

/// Roles given to users, tenant-wide (`organization_id` None) or as organization member roles.
#[async_trait]
pub trait UserRolesRepository: Send + Sync + fmt::Debug {
    /// `NotFound` when the user or a role does not exist.
    async fn assign(
        &self,
        tenant_id: &str,
        user_id: &str,
        role_ids: &[String],
        organization_id: Option<&str>,
    ) -> Result<()>;
    async fn remove(
        &self,
        tenant_id: &str,
        user_id: &str,
        role_ids: &[String],
        organization_id: Option<&str>,
    ) -> Result<()>;
    /// The roles the user has in that scope.
    async fn list(
        &self,
        tenant_id: &str,
        user_id: &str,
        organization_id: Option<&str>,
        params: &ListParams,
    ) -> Result<ListPage<Role>>;
    /// Every assignment of the role, whatever its scope.
    async fn list_by_role(
        &self,
        tenant_id: &str,
        role_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<RoleAssignment>>;
}

/// Organization membership.
#[async_trait]
pub trait OrganizationMembersRepository: Send + Sync + fmt::Debug {
    /// `NotFound` when the organization or a user does not exist; existing members are kept.
    async fn add(&self, tenant_id: &str, organization_id: &str, user_ids: &[String]) -> Result<()>;
    /// Also removes the users' member roles in the organization.
    async fn remove(
        &self,
        tenant_id: &str,
        organization_id: &str,
        user_ids: &[String],
    ) -> Result<()>;
    async fn list(
        &self,
        tenant_id: &str,
        organization_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<OrganizationMember>>;
    /// The organizations a user belongs to.
    async fn list_by_user(
        &self,
        tenant_id: &str,
        user_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<OrganizationMember>>;
}

/// Connections enabled for an organization.
#[async_trait]
pub trait OrganizationConnectionsRepository: Send + Sync + fmt::Debug {
    /// Enables the connection or replaces its settings. `NotFound` when either does not exist.
    async fn set(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection: OrganizationConnection,
    ) -> Result<OrganizationConnection>;
    async fn get(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<Option<OrganizationConnection>>;
    async fn remove(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<bool>;
    async fn list(
        &self,
        tenant_id: &str,
        organization_id: &str,
    ) -> Result<Vec<OrganizationConnection>>;
}

/// Brute-force protection's counters of failed password logins, keyed by (identifier, IP) and
/// shared by every node. Identifiers and IPs are compared exactly as given.
#[async_trait]
pub trait LoginFailuresRepository: Send + Sync + fmt::Debug {
    /// Adds one failure to the pair and returns its new count. Atomic: n concurrent calls on
    /// one pair add exactly n.
    async fn record(
        &self,
        tenant_id: &str,
        identifier: &str,
        ip: &str,
        now: Timestamp,
    ) -> Result<u32>;
    /// Forgets the pair's failures; false when it had none.
    async fn clear(&self, tenant_id: &str, identifier: &str, ip: &str) -> Result<bool>;
    /// Every pair of these identifiers that has failures, by identifier and IP.
    async fn list(&self, tenant_id: &str, identifiers: &[String]) -> Result<Vec<LoginFailure>>;
    /// Forgets every pair of these identifiers; returns how many there were.
    async fn clear_identifiers(&self, tenant_id: &str, identifiers: &[String]) -> Result<u64>;
}

/// Users of a legacy identity provider (an Auth0 tenant being migrated from), imported into
/// this store the first time they are used. Only consulted for a connection that imports users
/// (Auth0's `options.import_mode`), and only when the local store has no answer. Profiles come
/// back with the local connection's name in their identities.
#[async_trait]
pub trait LegacyUsersRepository: Send + Sync + fmt::Debug {
    /// The legacy profile of `connection`'s user with this email.
    async fn find_by_email(
        &self,
        tenant_id: &str,
        connection: &str,
        email: &str,
    ) -> Result<Option<User>>;
    /// The legacy profile of the user these credentials belong to, when the legacy provider
    /// accepts them; None when it refuses them, whether or not the user exists there.
    async fn verify_password(
        &self,
        tenant_id: &str,
        connection: &str,
        username: &str,
        password: &str,
    ) -> Result<Option<User>>;
    /// Redeems a refresh token the legacy provider issued to `client_id`: the user and scope it
    /// was for, when the legacy provider accepts it; None when it refuses it.
    async fn exchange_refresh_token(
        &self,
        tenant_id: &str,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Option<LegacyRefreshGrant>>;
}

/// What a legacy refresh token was worth: its user, and the scope and API (audience) it was
/// granted for.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyRefreshGrant {
    pub user: User,
    pub scope: Option<String>,
    pub audience: Option<String>,
}

/// No legacy provider: every look-up finds nothing, and nothing is ever imported.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLegacyUsers;

#[async_trait]
impl LegacyUsersRepository for NoLegacyUsers {
    async fn find_by_email(&self, _: &str, _: &str, _: &str) -> Result<Option<User>> {
        Ok(None)
    }

    async fn verify_password(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Option<User>> {
        Ok(None)
    }

    async fn exchange_refresh_token(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: &str,
    ) -> Result<Option<LegacyRefreshGrant>> {
        Ok(None)
    }
}

/// Every port, as the shared trait objects that handlers call and layers wrap.
#[derive(Clone, Debug)]
pub struct DataAdapters {
    pub tenants: Arc<dyn TenantsRepository>,
    pub clients: Arc<dyn ClientsRepository>,
    pub client_grants: Arc<dyn ClientGrantsRepository>,
    pub connections: Arc<ConnectionsRepository>,
    pub resource_servers: Arc<dyn ResourceServersRepository>,
    pub users: Arc<dyn UsersRepository>,
    pub passwords: Arc<PasswordsRepository>,
    pub roles: Arc<RolesRepository>,
    pub role_permissions: Arc<dyn PermissionsRepository>,
    pub user_permissions: Arc<dyn PermissionsRepository>,
    pub user_roles: Arc<dyn UserRolesRepository>,
    pub organizations: Arc<OrganizationsRepository>,
    pub organization_members: Arc<dyn OrganizationMembersRepository>,
    pub organization_connections: Arc<dyn OrganizationConnectionsRepository>,
    pub invitations: Arc<InvitationsRepository>,
    pub sessions: Arc<SessionsRepository>,
    pub login_sessions: Arc<LoginSessionsRepository>,
    pub codes: Arc<dyn CodesRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokensRepository>,
    pub grants: Arc<GrantsRepository>,
    pub authentication_methods: Arc<AuthenticationMethodsRepository>,
    pub signing_keys: Arc<dyn SigningKeysRepository>,
    pub logs: Arc<dyn LogsRepository>,
    pub jobs: Arc<JobsRepository>,
    pub branding: Arc<BrandingRepository>,
    pub themes: Arc<ThemesRepository>,
    pub prompt_settings: Arc<PromptSettingsRepository>,
    pub universal_login_templates: Arc<UniversalLoginTemplatesRepository>,
    pub custom_texts: Arc<dyn CustomTextsRepository>,
    pub email_providers: Arc<EmailProvidersRepository>,
    pub email_templates: Arc<EmailTemplatesRepository>,
    pub hooks: Arc<HooksRepository>,
    pub custom_domains: Arc<dyn CustomDomainsRepository>,
    pub login_failures: Arc<dyn LoginFailuresRepository>,
    /// [`NoLegacyUsers`] unless a migration layer installs a legacy provider.
    pub legacy_users: Arc<dyn LegacyUsersRepository>,
}
