//! Every port implemented once for [`Routed`]: each method becomes a [`Call`] handed to the
//! route, so no layer forwards methods by hand.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::entities::*;
use crate::error::Result;
use crate::layer::{Access, Call, CallArgument, Route, RouteEveryPort, Routed};
use crate::list::{ListPage, ListParams};
use crate::ports::*;
use crate::time::Timestamp;

/// `routed! { impl[generics] [Trait] for Port, entity { read|write method(args) -> T; ... } }`
/// implements `Trait` for `Routed<Port, R>`; `crud` expands to `Repository<E>`'s five methods.
macro_rules! routed {
    (impl[$($generics:tt)*] [$($port_trait:tt)*] for $port:ty, entity($entity:expr) crud $item:ty) => {
        routed! {
            impl[$($generics)*] [$($port_trait)*] for $port, entity($entity) {
                write create(tenant_id: &str, entity: $item) -> $item;
                read get(tenant_id: &str, id: &str) -> Option<$item>;
                read list(tenant_id: &str, params: &ListParams) -> ListPage<$item>;
                write update(tenant_id: &str, entity: $item) -> $item;
                write remove(tenant_id: &str, id: &str) -> bool;
            }
        }
    };
    (impl[$($generics:tt)*] [$($port_trait:tt)*] for $port:ty, entity($entity:expr) {
        $($access:ident $method:ident($($arg:ident: $type:ty),*) -> $answer:ty;)*
    }) => {
        #[async_trait::async_trait]
        impl<$($generics)*> $($port_trait)* for Routed<$port, R> {
            $(
                async fn $method(&self, $($arg: $type),*) -> Result<$answer> {
                    routed!(@$access self, $entity, $method, $($arg),*)
                }
            )*
        }
    };
    (@read $self:ident, $entity:expr, $method:ident, $($arg:ident),*) => {{
        let arguments = ($($arg,)*);
        let call = Call {
            entity: $entity,
            operation: stringify!($method),
            access: Access::Read,
            arguments: Some(&arguments),
            later_page: false $(|| CallArgument::is_later_page(&$arg))*,
        };
        $self
            .route
            .read(call, move |port| port.$method($($arg),*))
            .await
            .map_err(|error| error.during(stringify!($method), $entity))
    }};
    (@write $self:ident, $entity:expr, $method:ident, $($arg:ident),*) => {{
        let call = Call {
            entity: $entity,
            operation: stringify!($method),
            access: Access::Write,
            arguments: None,
            later_page: false,
        };
        $self
            .route
            .write(call, move |port| port.$method($($arg),*))
            .await
            .map_err(|error| error.during(stringify!($method), $entity))
    }};
}

routed!(impl[E: Entity, R: Route<dyn Repository<E>>] [Repository<E>] for dyn Repository<E>, entity(E::NAME) crud E);

routed!(impl[R: Route<dyn UsersRepository>] [Repository<User>] for dyn UsersRepository, entity(User::NAME) crud User);
routed! {
    impl[R: Route<dyn UsersRepository>] [UsersRepository] for dyn UsersRepository, entity(User::NAME) {
        write create_with_password(tenant_id: &str, user: User, password: Password) -> User;
        write create_many(tenant_id: &str, users: Vec<(User, Option<Password>)>) -> ();
    }
}

routed!(impl[R: Route<dyn ClientsRepository>] [Repository<Client>] for dyn ClientsRepository, entity(Client::NAME) crud Client);
routed! {
    impl[R: Route<dyn ClientsRepository>] [ClientsRepository] for dyn ClientsRepository, entity(Client::NAME) {
        read find_by_client_id(client_id: &str) -> Option<(String, Client)>;
    }
}

routed!(impl[R: Route<dyn ClientGrantsRepository>] [Repository<ClientGrant>] for dyn ClientGrantsRepository, entity(ClientGrant::NAME) crud ClientGrant);
routed! {
    impl[R: Route<dyn ClientGrantsRepository>] [ClientGrantsRepository] for dyn ClientGrantsRepository, entity(ClientGrant::NAME) {
        read find(tenant_id: &str, client_id: &str, audience: &str) -> Option<ClientGrant>;
    }
}

routed!(impl[R: Route<dyn ResourceServersRepository>] [Repository<ResourceServer>] for dyn ResourceServersRepository, entity(ResourceServer::NAME) crud ResourceServer);
routed! {
    impl[R: Route<dyn ResourceServersRepository>] [ResourceServersRepository] for dyn ResourceServersRepository, entity(ResourceServer::NAME) {
        read find_by_identifier(tenant_id: &str, identifier: &str) -> Option<ResourceServer>;
    }
}

routed!(impl[R: Route<dyn CustomDomainsRepository>] [Repository<CustomDomain>] for dyn CustomDomainsRepository, entity(CustomDomain::NAME) crud CustomDomain);
routed! {
    impl[R: Route<dyn CustomDomainsRepository>] [CustomDomainsRepository] for dyn CustomDomainsRepository, entity(CustomDomain::NAME) {
        read find_by_domain(domain: &str) -> Option<(String, CustomDomain)>;
    }
}

routed!(impl[R: Route<dyn RefreshTokensRepository>] [Repository<RefreshToken>] for dyn RefreshTokensRepository, entity(RefreshToken::NAME) crud RefreshToken);
routed! {
    impl[R: Route<dyn RefreshTokensRepository>] [RefreshTokensRepository] for dyn RefreshTokensRepository, entity(RefreshToken::NAME) {
        write remove_family(tenant_id: &str, family_id: &str) -> u64;
        write claim_rotation(tenant_id: &str, token: RefreshToken) -> bool;
    }
}

routed!(impl[R: Route<dyn LogsRepository>] [Repository<Log>] for dyn LogsRepository, entity(Log::NAME) crud Log);
routed! {
    impl[R: Route<dyn LogsRepository>] [LogsRepository] for dyn LogsRepository, entity(Log::NAME) {
        write remove_before(tenant_id: &str, before: Timestamp) -> u64;
    }
}

routed!(impl[R: Route<dyn CodesRepository>] [Repository<Code>] for dyn CodesRepository, entity(Code::NAME) crud Code);
routed! {
    impl[R: Route<dyn CodesRepository>] [CodesRepository] for dyn CodesRepository, entity(Code::NAME) {
        write consume(tenant_id: &str, code_id: &str, code_type: CodeType, now: Timestamp) -> Option<Code>;
    }
}

routed! {
    impl[R: Route<dyn TenantsRepository>] [TenantsRepository] for dyn TenantsRepository, entity(Tenant::NAME) {
        write create(tenant: Tenant) -> Tenant;
        read get(id: &str) -> Option<Tenant>;
        read list(params: &ListParams) -> ListPage<Tenant>;
        write update(tenant: Tenant) -> Tenant;
        write remove(id: &str) -> bool;
    }
}

routed! {
    impl[R: Route<dyn SigningKeysRepository>] [SigningKeysRepository] for dyn SigningKeysRepository, entity("signing key") {
        write create(key: SigningKey) -> SigningKey;
        read get(kid: &str) -> Option<SigningKey>;
        read list() -> Vec<SigningKey>;
        write update(key: SigningKey) -> SigningKey;
    }
}

routed! {
    impl[T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static, R: Route<dyn TenantSetting<T>>] [TenantSetting<T>] for dyn TenantSetting<T>, entity("tenant setting") {
        read get(tenant_id: &str) -> Option<T>;
        write set(tenant_id: &str, value: T) -> T;
        write remove(tenant_id: &str) -> bool;
    }
}

routed! {
    impl[R: Route<dyn CustomTextsRepository>] [CustomTextsRepository] for dyn CustomTextsRepository, entity("custom text") {
        read get(tenant_id: &str, prompt: &str, language: &str) -> Option<CustomText>;
        write set(tenant_id: &str, custom_text: CustomText) -> CustomText;
        write remove(tenant_id: &str, prompt: &str, language: &str) -> bool;
        read list(tenant_id: &str) -> Vec<CustomText>;
    }
}

routed! {
    impl[R: Route<dyn PermissionsRepository>] [PermissionsRepository] for dyn PermissionsRepository, entity("permission") {
        write assign(tenant_id: &str, owner_id: &str, permissions: &[Permission]) -> ();
        write remove(tenant_id: &str, owner_id: &str, permissions: &[Permission]) -> ();
        read list(tenant_id: &str, owner_id: &str, params: &ListParams) -> ListPage<Permission>;
    }
}

routed! {
    impl[R: Route<dyn UserRolesRepository>] [UserRolesRepository] for dyn UserRolesRepository, entity("user role") {
        write assign(tenant_id: &str, user_id: &str, role_ids: &[String], organization_id: Option<&str>) -> ();
        write remove(tenant_id: &str, user_id: &str, role_ids: &[String], organization_id: Option<&str>) -> ();
        read list(tenant_id: &str, user_id: &str, organization_id: Option<&str>, params: &ListParams) -> ListPage<Role>;
        read list_by_role(tenant_id: &str, role_id: &str, params: &ListParams) -> ListPage<RoleAssignment>;
    }
}

routed! {
    impl[R: Route<dyn OrganizationMembersRepository>] [OrganizationMembersRepository] for dyn OrganizationMembersRepository, entity("organization member") {
        write add(tenant_id: &str, organization_id: &str, user_ids: &[String]) -> ();
        write remove(tenant_id: &str, organization_id: &str, user_ids: &[String]) -> ();
        read list(tenant_id: &str, organization_id: &str, params: &ListParams) -> ListPage<OrganizationMember>;
        read list_by_user(tenant_id: &str, user_id: &str, params: &ListParams) -> ListPage<OrganizationMember>;
    }
}

routed! {
    impl[R: Route<dyn OrganizationConnectionsRepository>] [OrganizationConnectionsRepository] for dyn OrganizationConnectionsRepository, entity("organization connection") {
        write set(tenant_id: &str, organization_id: &str, connection: OrganizationConnection) -> OrganizationConnection;
        read get(tenant_id: &str, organization_id: &str, connection_id: &str) -> Option<OrganizationConnection>;
        write remove(tenant_id: &str, organization_id: &str, connection_id: &str) -> bool;
        read list(tenant_id: &str, organization_id: &str) -> Vec<OrganizationConnection>;
    }
}

routed! {
    impl[R: Route<dyn LoginFailuresRepository>] [LoginFailuresRepository] for dyn LoginFailuresRepository, entity("login failure") {
        write record(tenant_id: &str, identifier: &str, ip: &str, now: Timestamp) -> u32;
        write clear(tenant_id: &str, identifier: &str, ip: &str) -> bool;
        read list(tenant_id: &str, identifiers: &[String]) -> Vec<LoginFailure>;
        write clear_identifiers(tenant_id: &str, identifiers: &[String]) -> u64;
    }
}

// Credentials are passed as writes: a write's arguments never reach a route, so no cache keys
// or logs on a password or token, and no route repeats a call that spends a token.
routed! {
    impl[R: Route<dyn LegacyUsersRepository>] [LegacyUsersRepository] for dyn LegacyUsersRepository, entity("legacy user") {
        read find_by_email(tenant_id: &str, connection: &str, email: &str) -> Option<User>;
        write verify_password(tenant_id: &str, connection: &str, username: &str, password: &str) -> Option<User>;
        write exchange_refresh_token(tenant_id: &str, client_id: &str, client_secret: Option<&str>, refresh_token: &str) -> Option<LegacyRefreshGrant>;
    }
}

/// One field's port, routed by `every`.
fn routed<P, M>(
    every: &M,
    entity: &'static str,
    port: fn(&DataAdapters) -> &Arc<P>,
) -> Routed<P, M::Route<P>>
where
    P: ?Sized + Send + Sync + std::fmt::Debug + 'static,
    M: RouteEveryPort,
{
    Routed::new(every.route(entity, port))
}

/// `Arc::new(routed(..))` for one field, named for its entity.
macro_rules! route {
    ($every:expr, $entity:expr, $field:ident) => {
        Arc::new(routed($every, $entity, |adapters| &adapters.$field))
    };
}

impl DataAdapters {
    /// Every port, each wrapped in the route `every` builds for it.
    pub fn routed<M: RouteEveryPort>(every: &M) -> DataAdapters {
        DataAdapters {
            tenants: route!(every, Tenant::NAME, tenants),
            clients: route!(every, Client::NAME, clients),
            client_grants: route!(every, ClientGrant::NAME, client_grants),
            connections: route!(every, Connection::NAME, connections),
            resource_servers: route!(every, ResourceServer::NAME, resource_servers),
            users: route!(every, User::NAME, users),
            passwords: route!(every, Password::NAME, passwords),
            roles: route!(every, Role::NAME, roles),
            role_permissions: route!(every, "role permission", role_permissions),
            user_permissions: route!(every, "user permission", user_permissions),
            user_roles: route!(every, "user role", user_roles),
            organizations: route!(every, Organization::NAME, organizations),
            organization_members: route!(every, "organization member", organization_members),
            organization_connections: route!(
                every,
                "organization connection",
                organization_connections
            ),
            invitations: route!(every, Invitation::NAME, invitations),
            sessions: route!(every, Session::NAME, sessions),
            login_sessions: route!(every, LoginSession::NAME, login_sessions),
            codes: route!(every, Code::NAME, codes),
            refresh_tokens: route!(every, RefreshToken::NAME, refresh_tokens),
            grants: route!(every, Grant::NAME, grants),
            authentication_methods: route!(
                every,
                AuthenticationMethod::NAME,
                authentication_methods
            ),
            signing_keys: route!(every, "signing key", signing_keys),
            logs: route!(every, Log::NAME, logs),
            jobs: route!(every, Job::NAME, jobs),
            branding: route!(every, "branding", branding),
            themes: route!(every, Theme::NAME, themes),
            prompt_settings: route!(every, "prompt settings", prompt_settings),
            universal_login_templates: route!(
                every,
                "universal login template",
                universal_login_templates
            ),
            custom_texts: route!(every, "custom text", custom_texts),
            email_providers: route!(every, "email provider", email_providers),
            email_templates: route!(every, EmailTemplate::NAME, email_templates),
            hooks: route!(every, Hook::NAME, hooks),
            custom_domains: route!(every, CustomDomain::NAME, custom_domains),
            login_failures: route!(every, "login failure", login_failures),
            legacy_users: route!(every, "legacy user", legacy_users),
        }
    }
}
