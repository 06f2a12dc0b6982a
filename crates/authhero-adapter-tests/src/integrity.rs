//! Uniqueness, tenant isolation and cascading removal.

use anyhow::ensure;
use authhero_core::{DataAdapters, Error, ListParams, Query};

use crate::crud::stored_user;
use crate::fixtures::{self, TestTenant, unique};

fn is_conflict<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(e) if e.is_conflict())
}

pub async fn duplicate_ids_conflict(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    let mut twin = fixtures::user(
        "other",
        "Username-Password-Authentication",
        Some("twin@example.com"),
    );
    twin.user_id = user.user_id.clone();
    let duplicate = adapters.users.create(&tenant.id, twin).await;
    ensure!(is_conflict(&duplicate), "same user_id twice: {duplicate:?}");
    let role = adapters
        .roles
        .create(&tenant.id, fixtures::role(&unique("rol"), "a"))
        .await?;
    let duplicate = adapters
        .roles
        .create(&tenant.id, fixtures::role(&role.id, "b"))
        .await;
    ensure!(is_conflict(&duplicate), "same role id twice: {duplicate:?}");
    tenant.cleanup().await
}

pub async fn user_email_is_unique_per_connection(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let database = "Username-Password-Authentication";
    adapters
        .users
        .create(
            &tenant.id,
            fixtures::user(&unique("u"), database, Some("jane@example.com")),
        )
        .await?;
    let same = adapters
        .users
        .create(
            &tenant.id,
            fixtures::user(&unique("u"), database, Some("jane@example.com")),
        )
        .await;
    ensure!(is_conflict(&same), "same email on one connection: {same:?}");
    let cased = adapters
        .users
        .create(
            &tenant.id,
            fixtures::user(&unique("u"), database, Some("JANE@Example.com")),
        )
        .await;
    ensure!(
        is_conflict(&cased),
        "email uniqueness must ignore case: {cased:?}"
    );
    adapters
        .users
        .create(
            &tenant.id,
            fixtures::user(&unique("u"), "email", Some("jane@example.com")),
        )
        .await?;
    adapters
        .users
        .create(&tenant.id, fixtures::user(&unique("u"), database, None))
        .await?;
    adapters
        .users
        .create(&tenant.id, fixtures::user(&unique("u"), database, None))
        .await?;

    let mut named = fixtures::user(&unique("u"), database, None);
    named.username = Some("jane".into());
    adapters.users.create(&tenant.id, named.clone()).await?;
    named.user_id = format!("auth0|{}", unique("u"));
    let same_username = adapters.users.create(&tenant.id, named).await;
    ensure!(
        is_conflict(&same_username),
        "same username on one connection: {same_username:?}"
    );

    let other = TestTenant::new(&adapters).await?;
    adapters
        .users
        .create(
            &other.id,
            fixtures::user(&unique("u"), database, Some("jane@example.com")),
        )
        .await?;

    // An update may not take an email that another user of the connection has.
    let mut mover = fixtures::user(&unique("u"), database, Some("mover@example.com"));
    adapters.users.create(&tenant.id, mover.clone()).await?;
    mover.email = Some("jane@example.com".into());
    let taken = adapters.users.update(&tenant.id, mover).await;
    ensure!(is_conflict(&taken), "update onto a taken email: {taken:?}");
    other.cleanup().await?;
    tenant.cleanup().await
}

pub async fn unique_names_conflict(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let other = TestTenant::new(&adapters).await?;
    let id = &tenant.id;

    adapters
        .connections
        .create(id, fixtures::connection(&unique("con"), "db"))
        .await?;
    let result = adapters
        .connections
        .create(id, fixtures::connection(&unique("con"), "db"))
        .await;
    ensure!(is_conflict(&result), "connection name: {result:?}");
    adapters
        .connections
        .create(&other.id, fixtures::connection(&unique("con"), "db"))
        .await?;

    adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "admin"))
        .await?;
    let result = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "admin"))
        .await;
    ensure!(is_conflict(&result), "role name: {result:?}");

    adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "acme"))
        .await?;
    let result = adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "acme"))
        .await;
    ensure!(is_conflict(&result), "organization name: {result:?}");

    let api = "https://api.example.com/";
    adapters
        .resource_servers
        .create(id, fixtures::resource_server(&unique("rs"), api))
        .await?;
    let result = adapters
        .resource_servers
        .create(id, fixtures::resource_server(&unique("rs"), api))
        .await;
    ensure!(
        is_conflict(&result),
        "resource server identifier: {result:?}"
    );

    let client = adapters
        .clients
        .create(id, fixtures::client(&unique("cli")))
        .await?;
    adapters
        .client_grants
        .create(
            id,
            fixtures::client_grant(&unique("cgr"), &client.client_id, api),
        )
        .await?;
    let result = adapters
        .client_grants
        .create(
            id,
            fixtures::client_grant(&unique("cgr"), &client.client_id, api),
        )
        .await;
    ensure!(
        is_conflict(&result),
        "client grant per client and audience: {result:?}"
    );

    // client_id and custom domains are unique across tenants: requests find their tenant by them.
    let result = adapters
        .clients
        .create(&other.id, fixtures::client(&client.client_id))
        .await;
    ensure!(
        is_conflict(&result),
        "client_id in another tenant: {result:?}"
    );
    let host = format!("{}.example.com", unique("login"));
    adapters
        .custom_domains
        .create(id, fixtures::custom_domain(&unique("cd"), &host))
        .await?;
    let result = adapters
        .custom_domains
        .create(
            &other.id,
            fixtures::custom_domain(&unique("cd"), &host.to_uppercase()),
        )
        .await;
    ensure!(
        is_conflict(&result),
        "custom domain in another tenant: {result:?}"
    );

    let user = stored_user(&adapters, id).await?;
    adapters
        .grants
        .create(id, fixtures::grant(&unique("gr"), &user.user_id, api))
        .await?;
    let result = adapters
        .grants
        .create(id, fixtures::grant(&unique("gr"), &user.user_id, api))
        .await;
    ensure!(
        is_conflict(&result),
        "consent grant per user, client and audience: {result:?}"
    );
    other.cleanup().await?;
    tenant.cleanup().await
}

pub async fn concurrent_duplicate_inserts_yield_one_row(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    const WRITERS: usize = 20;
    let tenant = TestTenant::new(&adapters).await?;
    let email = format!("{}@example.com", unique("race"));
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..WRITERS {
        let (adapters, tenant_id) = (adapters.clone(), tenant.id.clone());
        let user = fixtures::user(
            &unique("u"),
            "Username-Password-Authentication",
            Some(&email),
        );
        writers.spawn(async move { adapters.users.create(&tenant_id, user).await });
    }
    let (mut created, mut conflicts) = (0, 0);
    while let Some(outcome) = writers.join_next().await {
        match outcome? {
            Ok(_) => created += 1,
            Err(ref e) if e.is_conflict() => conflicts += 1,
            Err(other) => anyhow::bail!("a concurrent insert failed with {other:?}"),
        }
    }
    ensure!(
        created == 1 && conflicts == WRITERS - 1,
        "{created} created, {conflicts} conflicts"
    );
    let q = Query::parse(&format!("email:\"{email}\""))?;
    let stored = adapters
        .users
        .list(
            &tenant.id,
            &ListParams::default().with_query(q).with_totals(),
        )
        .await?;
    ensure!(stored.total == Some(1), "{:?} rows stored", stored.total);
    tenant.cleanup().await
}

pub async fn tenants_are_isolated(adapters: DataAdapters) -> anyhow::Result<()> {
    let first = TestTenant::new(&adapters).await?;
    let second = TestTenant::new(&adapters).await?;
    let shared_user = unique("u");
    let shared_role = unique("rol");
    for (tenant, name) in [(&first, "First"), (&second, "Second")] {
        let mut user = fixtures::user(
            &shared_user,
            "Username-Password-Authentication",
            Some("same@example.com"),
        );
        user.name = Some(name.into());
        adapters.users.create(&tenant.id, user).await?;
        adapters
            .roles
            .create(&tenant.id, fixtures::role(&shared_role, name))
            .await?;
        adapters
            .connections
            .create(&tenant.id, fixtures::connection("con_same", name))
            .await?;
    }
    let user_id = format!("auth0|{shared_user}");
    let first_user = adapters.users.get(&first.id, &user_id).await?;
    ensure!(
        first_user.and_then(|u| u.name).as_deref() == Some("First"),
        "first tenant sees another user"
    );
    let second_role = adapters.roles.get(&second.id, &shared_role).await?;
    ensure!(
        second_role.map(|r| r.name).as_deref() == Some("Second"),
        "second tenant sees another role"
    );

    let listed = adapters
        .users
        .list(&first.id, &ListParams::default().with_totals())
        .await?;
    ensure!(
        listed.total == Some(1) && listed.items.len() == 1,
        "first tenant lists {:?} users",
        listed.total
    );
    let q = Query::parse("email:\"same@example.com\"")?;
    let searched = adapters
        .users
        .list(&second.id, &ListParams::default().with_query(q))
        .await?;
    ensure!(
        searched.items.len() == 1,
        "search crossed tenants: {} users",
        searched.items.len()
    );
    let connections = adapters
        .connections
        .list(&first.id, &ListParams::default())
        .await?;
    ensure!(
        connections.items.iter().all(|c| c.name == "First"),
        "connections crossed tenants"
    );

    // Writes addressed to one tenant leave the other alone.
    let mut renamed = fixtures::role(&shared_role, "Renamed");
    renamed.description = None;
    adapters.roles.update(&first.id, renamed).await?;
    ensure!(
        adapters
            .roles
            .get(&second.id, &shared_role)
            .await?
            .map(|r| r.name)
            .as_deref()
            == Some("Second"),
        "update crossed"
    );
    ensure!(
        adapters.users.remove(&first.id, &user_id).await?,
        "remove in first"
    );
    ensure!(
        adapters.users.get(&second.id, &user_id).await?.is_some(),
        "remove crossed tenants"
    );
    let third = TestTenant::new(&adapters).await?;
    let ghost = adapters
        .roles
        .update(&third.id, fixtures::role(&shared_role, "x"))
        .await;
    ensure!(
        matches!(ghost, Err(ref e) if e.is_not_found()),
        "update reached into another tenant: {ghost:?}"
    );
    third.cleanup().await?;
    second.cleanup().await?;
    first.cleanup().await
}

pub async fn removing_a_tenant_removes_its_data(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let tenant_id = tenant.id.clone();
    let user = stored_user(&adapters, &tenant_id).await?;
    let client = adapters
        .clients
        .create(&tenant_id, fixtures::client(&unique("cli")))
        .await?;
    adapters
        .sessions
        .create(&tenant_id, fixtures::session(&unique("ses"), &user.user_id))
        .await?;
    tenant.cleanup().await?;
    ensure!(
        adapters
            .users
            .get(&tenant_id, &user.user_id)
            .await?
            .is_none(),
        "user outlived its tenant"
    );
    ensure!(
        adapters
            .clients
            .find_by_client_id(&client.client_id)
            .await?
            .is_none(),
        "client outlived its tenant"
    );
    let orphan = adapters
        .users
        .create(&tenant_id, fixtures::user(&unique("u"), "db", None))
        .await;
    ensure!(
        matches!(orphan, Err(ref e) if e.is_not_found()),
        "wrote into a missing tenant: {orphan:?}"
    );
    Ok(())
}

pub async fn removing_a_user_removes_what_belongs_to_it(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let user = stored_user(&adapters, id).await?;
    let session = adapters
        .sessions
        .create(id, fixtures::session(&unique("ses"), &user.user_id))
        .await?;
    adapters
        .passwords
        .create(id, fixtures::password(&user.user_id))
        .await?;
    let token = adapters
        .refresh_tokens
        .create(
            id,
            fixtures::refresh_token(&unique("rt"), &unique("f"), &user.user_id),
        )
        .await?;
    let method = adapters
        .authentication_methods
        .create(
            id,
            fixtures::authentication_method(&unique("am"), &user.user_id),
        )
        .await?;
    let role = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "r"))
        .await?;
    adapters
        .user_roles
        .assign(id, &user.user_id, std::slice::from_ref(&role.id), None)
        .await?;

    ensure!(
        adapters.users.remove(id, &user.user_id).await?,
        "remove user"
    );
    ensure!(
        adapters.sessions.get(id, &session.id).await?.is_none(),
        "session outlived its user"
    );
    ensure!(
        adapters.passwords.get(id, &user.user_id).await?.is_none(),
        "password outlived its user"
    );
    ensure!(
        adapters.refresh_tokens.get(id, &token.id).await?.is_none(),
        "refresh token outlived its user"
    );
    ensure!(
        adapters
            .authentication_methods
            .get(id, &method.id)
            .await?
            .is_none(),
        "MFA outlived its user"
    );
    let holders = adapters
        .user_roles
        .list_by_role(id, &role.id, &ListParams::default())
        .await?;
    ensure!(
        holders.items.is_empty(),
        "role assignment outlived its user"
    );
    let orphan = adapters
        .sessions
        .create(id, fixtures::session(&unique("ses"), &user.user_id))
        .await;
    ensure!(
        matches!(orphan, Err(ref e) if e.is_not_found()),
        "session for a missing user: {orphan:?}"
    );
    tenant.cleanup().await
}
