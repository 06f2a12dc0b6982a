//! Relationships: permissions, role assignments, organization members and connections.

use anyhow::ensure;
use authhero_core::entities::*;
use authhero_core::{DataAdapters, ListParams};

use crate::crud::stored_user;
use crate::fixtures::{self, TestTenant, unique};

fn permissions(names: &[&str]) -> Vec<Permission> {
    names
        .iter()
        .map(|name| Permission::new("https://api.example.com/", *name))
        .collect()
}

pub async fn role_permissions_assign_list_remove(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let role = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "editor"))
        .await?;
    adapters
        .role_permissions
        .assign(id, &role.id, &permissions(&["write:b", "read:a"]))
        .await?;
    // Assigning again is harmless.
    adapters
        .role_permissions
        .assign(id, &role.id, &permissions(&["read:a", "read:ü"]))
        .await?;
    let listed = adapters
        .role_permissions
        .list(id, &role.id, &ListParams::default().with_totals())
        .await?;
    ensure!(
        listed.items == permissions(&["read:a", "read:ü", "write:b"]),
        "listed {:?}",
        listed.items
    );
    ensure!(listed.total == Some(3), "total {:?}", listed.total);
    let second_page = adapters
        .role_permissions
        .list(id, &role.id, &ListParams::page(1, 2)?)
        .await?;
    ensure!(
        second_page.items == permissions(&["write:b"]),
        "second page {:?}",
        second_page.items
    );

    adapters
        .role_permissions
        .remove(id, &role.id, &permissions(&["read:a", "not:there"]))
        .await?;
    let listed = adapters
        .role_permissions
        .list(id, &role.id, &ListParams::default())
        .await?;
    ensure!(
        listed.items == permissions(&["read:ü", "write:b"]),
        "after remove {:?}",
        listed.items
    );

    let missing = adapters
        .role_permissions
        .assign(id, "no-such-role", &permissions(&["read:a"]))
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "assign to a missing role: {missing:?}"
    );
    ensure!(adapters.roles.remove(id, &role.id).await?, "remove role");
    let orphaned = adapters
        .role_permissions
        .list(id, &role.id, &ListParams::default())
        .await?;
    ensure!(orphaned.items.is_empty(), "permissions outlived their role");
    tenant.cleanup().await
}

pub async fn user_permissions_assign_list_remove(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let user = stored_user(&adapters, id).await?;
    adapters
        .user_permissions
        .assign(id, &user.user_id, &permissions(&["read:a", "write:b"]))
        .await?;
    let listed = adapters
        .user_permissions
        .list(id, &user.user_id, &ListParams::default())
        .await?;
    ensure!(
        listed.items == permissions(&["read:a", "write:b"]),
        "listed {:?}",
        listed.items
    );
    adapters
        .user_permissions
        .remove(id, &user.user_id, &permissions(&["write:b"]))
        .await?;
    let listed = adapters
        .user_permissions
        .list(id, &user.user_id, &ListParams::default())
        .await?;
    ensure!(
        listed.items == permissions(&["read:a"]),
        "after remove {:?}",
        listed.items
    );
    let missing = adapters
        .user_permissions
        .assign(id, "auth0|nobody", &permissions(&["read:a"]))
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "assign to a missing user: {missing:?}"
    );
    tenant.cleanup().await
}

pub async fn user_roles_assign_list_remove(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let user = stored_user(&adapters, id).await?;
    let admin = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "admin"))
        .await?;
    let viewer = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "viewer"))
        .await?;
    let organization = adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "acme"))
        .await?;

    adapters
        .user_roles
        .assign(
            id,
            &user.user_id,
            &[viewer.id.clone(), admin.id.clone()],
            None,
        )
        .await?;
    adapters
        .user_roles
        .assign(id, &user.user_id, std::slice::from_ref(&admin.id), None)
        .await?;
    adapters
        .user_roles
        .assign(
            id,
            &user.user_id,
            std::slice::from_ref(&viewer.id),
            Some(&organization.id),
        )
        .await?;

    let tenant_wide = adapters
        .user_roles
        .list(
            id,
            &user.user_id,
            None,
            &ListParams::default().with_totals(),
        )
        .await?;
    ensure!(
        tenant_wide.items == vec![admin.clone(), viewer.clone()],
        "tenant roles {:?}",
        tenant_wide.items
    );
    ensure!(
        tenant_wide.total == Some(2),
        "total {:?}",
        tenant_wide.total
    );
    let in_org = adapters
        .user_roles
        .list(
            id,
            &user.user_id,
            Some(&organization.id),
            &ListParams::default(),
        )
        .await?;
    ensure!(
        in_org.items == vec![viewer.clone()],
        "organization roles {:?}",
        in_org.items
    );

    let holders = adapters
        .user_roles
        .list_by_role(id, &viewer.id, &ListParams::default())
        .await?;
    let scopes: Vec<Option<String>> = holders
        .items
        .iter()
        .map(|a| a.organization_id.clone())
        .collect();
    ensure!(
        scopes == vec![None, Some(organization.id.clone())],
        "viewer assignments {scopes:?}"
    );
    ensure!(
        holders.items.iter().all(|a| a.user_id == user.user_id),
        "assignment user"
    );

    adapters
        .user_roles
        .remove(id, &user.user_id, std::slice::from_ref(&viewer.id), None)
        .await?;
    let tenant_wide = adapters
        .user_roles
        .list(id, &user.user_id, None, &ListParams::default())
        .await?;
    ensure!(
        tenant_wide.items == vec![admin.clone()],
        "after remove {:?}",
        tenant_wide.items
    );
    let in_org = adapters
        .user_roles
        .list(
            id,
            &user.user_id,
            Some(&organization.id),
            &ListParams::default(),
        )
        .await?;
    ensure!(
        in_org.items == vec![viewer],
        "removing the tenant role removed the member role"
    );

    let missing = adapters
        .user_roles
        .assign(id, &user.user_id, &["no-such-role".into()], None)
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "assign a missing role: {missing:?}"
    );
    tenant.cleanup().await
}

pub async fn organization_members_add_list_remove(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let organization = adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "acme"))
        .await?;
    let other_org = adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "globex"))
        .await?;
    let mut users = Vec::new();
    for _ in 0..3 {
        users.push(stored_user(&adapters, id).await?.user_id);
    }
    users.sort();
    adapters
        .organization_members
        .add(id, &organization.id, &users)
        .await?;
    adapters
        .organization_members
        .add(id, &organization.id, &users[..1])
        .await?;
    adapters
        .organization_members
        .add(id, &other_org.id, &users[..1])
        .await?;

    let members = adapters
        .organization_members
        .list(id, &organization.id, &ListParams::default().with_totals())
        .await?;
    let member_ids: Vec<&String> = members.items.iter().map(|m| &m.user_id).collect();
    ensure!(
        member_ids == users.iter().collect::<Vec<_>>(),
        "members {member_ids:?}"
    );
    ensure!(members.total == Some(3), "total {:?}", members.total);
    let memberships = adapters
        .organization_members
        .list_by_user(id, &users[0], &ListParams::default())
        .await?;
    ensure!(
        memberships.items.len() == 2,
        "user is in {} organizations",
        memberships.items.len()
    );

    let role = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), "member"))
        .await?;
    adapters
        .user_roles
        .assign(
            id,
            &users[0],
            std::slice::from_ref(&role.id),
            Some(&organization.id),
        )
        .await?;
    adapters
        .organization_members
        .remove(id, &organization.id, &users[..1])
        .await?;
    let members = adapters
        .organization_members
        .list(id, &organization.id, &ListParams::default())
        .await?;
    ensure!(
        members.items.len() == 2,
        "{} members after remove",
        members.items.len()
    );
    let roles = adapters
        .user_roles
        .list(
            id,
            &users[0],
            Some(&organization.id),
            &ListParams::default(),
        )
        .await?;
    ensure!(
        roles.items.is_empty(),
        "member roles outlived the membership"
    );

    let missing = adapters
        .organization_members
        .add(id, &organization.id, &["auth0|nobody".into()])
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "add a missing user: {missing:?}"
    );
    tenant.cleanup().await
}

pub async fn organization_connections_set_get_list_remove(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let organization = adapters
        .organizations
        .create(id, fixtures::organization(&unique("org"), "acme"))
        .await?;
    let first = adapters
        .connections
        .create(id, fixtures::connection(&unique("con"), "db"))
        .await?;
    let second = adapters
        .connections
        .create(id, fixtures::connection(&unique("con"), "google"))
        .await?;
    let mut enabled = OrganizationConnection {
        connection_id: first.id.clone(),
        assign_membership_on_login: true,
        show_as_button: false,
        is_signup_enabled: false,
    };
    adapters
        .organization_connections
        .set(id, &organization.id, enabled.clone())
        .await?;
    let other = OrganizationConnection {
        connection_id: second.id.clone(),
        ..enabled.clone()
    };
    adapters
        .organization_connections
        .set(id, &organization.id, other.clone())
        .await?;
    enabled.show_as_button = true;
    adapters
        .organization_connections
        .set(id, &organization.id, enabled.clone())
        .await?;
    let stored = adapters
        .organization_connections
        .get(id, &organization.id, &first.id)
        .await?;
    ensure!(stored == Some(enabled.clone()), "stored {stored:?}");
    let mut expected = vec![enabled, other];
    expected.sort_by(|a, b| a.connection_id.cmp(&b.connection_id));
    ensure!(
        adapters
            .organization_connections
            .list(id, &organization.id)
            .await?
            == expected,
        "list"
    );
    ensure!(
        adapters
            .organization_connections
            .remove(id, &organization.id, &first.id)
            .await?,
        "remove"
    );
    ensure!(
        adapters
            .organization_connections
            .get(id, &organization.id, &first.id)
            .await?
            .is_none(),
        "still there"
    );
    ensure!(
        adapters.connections.remove(id, &second.id).await?,
        "remove connection"
    );
    ensure!(
        adapters
            .organization_connections
            .list(id, &organization.id)
            .await?
            .is_empty(),
        "outlived its connection"
    );
    let missing = adapters
        .organization_connections
        .set(
            id,
            &organization.id,
            OrganizationConnection {
                connection_id: "con_missing".into(),
                ..expected[0].clone()
            },
        )
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "enable a missing connection: {missing:?}"
    );
    tenant.cleanup().await
}
