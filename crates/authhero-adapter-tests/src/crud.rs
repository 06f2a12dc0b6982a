//! Create, read, list, replace and remove round trips for every entity.

use anyhow::{Context, ensure};
use authhero_core::entities::*;
use authhero_core::ports::{Entity, Repository};
use authhero_core::{DataAdapters, ListParams};

use crate::fixtures::{self, TestTenant, UNICODE, unique};

/// The whole life of one entity through a `Repository<E>`; `change` makes the replacement.
pub(crate) async fn round_trip<E: Entity + PartialEq>(
    repository: &dyn Repository<E>,
    tenant_id: &str,
    entity: E,
    change: impl FnOnce(&mut E),
) -> anyhow::Result<()> {
    let id = entity.id().to_owned();
    let created = repository
        .create(tenant_id, entity.clone())
        .await
        .context("create")?;
    ensure!(created == entity, "create returned {created:?}");
    let stored = repository
        .get(tenant_id, &id)
        .await?
        .context("get after create")?;
    ensure!(
        stored == entity,
        "stored {} differs:\n{stored:?}\n!=\n{entity:?}",
        E::NAME
    );

    let listed = repository.list(tenant_id, &ListParams::default()).await?;
    ensure!(listed.items.contains(&entity), "list lacks the {}", E::NAME);

    let mut changed = entity.clone();
    change(&mut changed);
    ensure!(changed != entity, "the change must change something");
    repository
        .update(tenant_id, changed.clone())
        .await
        .context("update")?;
    let stored = repository
        .get(tenant_id, &id)
        .await?
        .context("get after update")?;
    ensure!(
        stored == changed,
        "updated {} differs:\n{stored:?}\n!=\n{changed:?}",
        E::NAME
    );

    ensure!(
        repository.remove(tenant_id, &id).await?,
        "remove said nothing was there"
    );
    ensure!(
        repository.get(tenant_id, &id).await?.is_none(),
        "removed {} still readable",
        E::NAME
    );
    ensure!(
        !repository.remove(tenant_id, &id).await?,
        "second remove found something"
    );
    let missing = repository.update(tenant_id, changed).await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "update of a removed {}: {missing:?}",
        E::NAME
    );
    Ok(())
}

/// A user stored in `tenant_id`, for entities that belong to one.
pub(crate) async fn stored_user(adapters: &DataAdapters, tenant_id: &str) -> anyhow::Result<User> {
    let user = fixtures::user(
        &unique("u"),
        "Username-Password-Authentication",
        Some(&format!("{}@example.com", unique("e"))),
    );
    Ok(adapters.users.create(tenant_id, user).await?)
}

pub async fn tenants_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let mut tenant = Tenant::new(unique("ten"), fixtures::now());
    tenant.friendly_name = Some(UNICODE.into());
    tenant.allowed_logout_urls = vec!["https://example.com/bye".into()];
    adapters.tenants.create(tenant.clone()).await?;
    ensure!(
        adapters.tenants.get(&tenant.id).await?.as_ref() == Some(&tenant),
        "tenant differs"
    );
    let duplicate = adapters.tenants.create(tenant.clone()).await;
    ensure!(
        matches!(duplicate, Err(ref e) if e.is_conflict()),
        "duplicate tenant: {duplicate:?}"
    );
    tenant.support_email = Some("support@example.com".into());
    tenant.signing_alg = Some(SigningAlgorithm::EdDSA);
    adapters.tenants.update(tenant.clone()).await?;
    ensure!(
        adapters.tenants.get(&tenant.id).await?.as_ref() == Some(&tenant),
        "updated tenant differs"
    );
    let q = authhero_core::Query::parse(&format!("id:{}", tenant.id))?;
    let found = adapters
        .tenants
        .list(&ListParams::default().with_query(q))
        .await?;
    ensure!(
        found.items == vec![tenant.clone()],
        "tenant list by id: {:?}",
        found.items
    );
    ensure!(adapters.tenants.remove(&tenant.id).await?, "tenant remove");
    ensure!(
        adapters.tenants.get(&tenant.id).await?.is_none(),
        "tenant still there"
    );
    Ok(())
}

pub async fn clients_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let client = fixtures::client(&unique("cli"));
    adapters.clients.create(&tenant.id, client.clone()).await?;
    let found = adapters
        .clients
        .find_by_client_id(&client.client_id)
        .await?;
    ensure!(
        found == Some((tenant.id.clone(), client.clone())),
        "find_by_client_id: {found:?}"
    );
    ensure!(
        adapters
            .clients
            .find_by_client_id("no-such-client")
            .await?
            .is_none(),
        "found a ghost client"
    );
    adapters
        .clients
        .remove(&tenant.id, &client.client_id)
        .await?;
    round_trip(adapters.clients.as_ref(), &tenant.id, client, |c| {
        c.callbacks.push("https://other.example.com/cb".into());
        c.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
    })
    .await?;
    tenant.cleanup().await
}

pub async fn client_grants_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let client = adapters
        .clients
        .create(&tenant.id, fixtures::client(&unique("cli")))
        .await?;
    let grant = fixtures::client_grant(
        &unique("cgr"),
        &client.client_id,
        "https://api.example.com/",
    );
    adapters
        .client_grants
        .create(&tenant.id, grant.clone())
        .await?;
    let found = adapters
        .client_grants
        .find(&tenant.id, &client.client_id, "https://api.example.com/")
        .await?;
    ensure!(found.as_ref() == Some(&grant), "find: {found:?}");
    let other_api = adapters
        .client_grants
        .find(&tenant.id, &client.client_id, "https://other.example.com/")
        .await?;
    ensure!(other_api.is_none(), "find matched another audience");
    adapters.client_grants.remove(&tenant.id, &grant.id).await?;
    round_trip(adapters.client_grants.as_ref(), &tenant.id, grant, |g| {
        g.scope.push("delete:users".into())
    })
    .await?;
    tenant.cleanup().await
}

pub async fn connections_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let connection = fixtures::connection(&unique("con"), "Username-Password-Authentication");
    round_trip(adapters.connections.as_ref(), &tenant.id, connection, |c| {
        c.options.insert("requires_username".into(), true.into());
    })
    .await?;
    tenant.cleanup().await
}

pub async fn resource_servers_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let server = fixtures::resource_server(&unique("rs"), "https://api.example.com/");
    adapters
        .resource_servers
        .create(&tenant.id, server.clone())
        .await?;
    let found = adapters
        .resource_servers
        .find_by_identifier(&tenant.id, "https://api.example.com/")
        .await?;
    ensure!(
        found.as_ref() == Some(&server),
        "find_by_identifier: {found:?}"
    );
    let other = TestTenant::new(&adapters).await?;
    let elsewhere = adapters
        .resource_servers
        .find_by_identifier(&other.id, "https://api.example.com/")
        .await?;
    ensure!(elsewhere.is_none(), "find_by_identifier crossed tenants");
    other.cleanup().await?;
    adapters
        .resource_servers
        .remove(&tenant.id, &server.id)
        .await?;
    round_trip(
        adapters.resource_servers.as_ref(),
        &tenant.id,
        server,
        |s| {
            s.scopes.push(ResourceServerScope {
                value: "write:things".into(),
                description: None,
            })
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn users_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let mut user = fixtures::user(
        &unique("u"),
        "Username-Password-Authentication",
        Some("Zoë@Example.com"),
    );
    user.identities.push(Identity {
        connection: "google-oauth2".into(),
        user_id: "1234567890".into(),
        provider: "google-oauth2".into(),
        is_social: true,
        access_token: None,
        refresh_token: None,
        profile_data: Some(fixtures::metadata()),
    });
    user.last_login = Some(fixtures::now());
    user.logins_count = 7;
    round_trip(adapters.users.as_ref(), &tenant.id, user, |u| {
        u.user_metadata.insert("théme".into(), "dark 🌙".into());
        u.email_verified = true;
        u.logins_count += 1;
    })
    .await?;
    tenant.cleanup().await
}

pub async fn passwords_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    round_trip(
        adapters.passwords.as_ref(),
        &tenant.id,
        fixtures::password(&user.user_id),
        |p| {
            p.hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into();
            p.algorithm = PasswordAlgorithm::Argon2id;
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn roles_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.roles.as_ref(),
        &tenant.id,
        fixtures::role(&unique("rol"), "admin"),
        |r| r.description = None,
    )
    .await?;
    tenant.cleanup().await
}

pub async fn organizations_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let organization = fixtures::organization(&unique("org"), "acme");
    round_trip(
        adapters.organizations.as_ref(),
        &tenant.id,
        organization,
        |o| o.display_name = Some("Acme AB".into()),
    )
    .await?;
    tenant.cleanup().await
}

pub async fn invitations_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let organization = adapters
        .organizations
        .create(&tenant.id, fixtures::organization(&unique("org"), "acme"))
        .await?;
    let invitation = fixtures::invitation(&unique("uinv"), &organization.id);
    round_trip(adapters.invitations.as_ref(), &tenant.id, invitation, |i| {
        i.roles.clear()
    })
    .await?;
    tenant.cleanup().await
}

pub async fn sessions_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    round_trip(
        adapters.sessions.as_ref(),
        &tenant.id,
        fixtures::session(&unique("ses"), &user.user_id),
        |s| {
            s.clients.push(SessionClient {
                client_id: "client-b".into(),
            });
            s.revoked_at = Some(fixtures::now());
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn login_sessions_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.login_sessions.as_ref(),
        &tenant.id,
        fixtures::login_session(&unique("ls")),
        |l| {
            l.user_id = Some("auth0|someone".into());
            l.session_id = Some("ses_1".into());
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn refresh_tokens_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    let token = fixtures::refresh_token(&unique("rt"), &unique("fam"), &user.user_id);
    round_trip(adapters.refresh_tokens.as_ref(), &tenant.id, token, |t| {
        t.rotated_at = Some(fixtures::now())
    })
    .await?;

    let family = unique("fam");
    for _ in 0..3 {
        adapters
            .refresh_tokens
            .create(
                &tenant.id,
                fixtures::refresh_token(&unique("rt"), &family, &user.user_id),
            )
            .await?;
    }
    let bystander = adapters
        .refresh_tokens
        .create(
            &tenant.id,
            fixtures::refresh_token(&unique("rt"), &unique("fam"), &user.user_id),
        )
        .await?;
    let removed = adapters
        .refresh_tokens
        .remove_family(&tenant.id, &family)
        .await?;
    ensure!(removed == 3, "remove_family removed {removed}");
    ensure!(
        adapters
            .refresh_tokens
            .get(&tenant.id, &bystander.id)
            .await?
            .is_some(),
        "another family was removed"
    );
    tenant.cleanup().await
}

pub async fn grants_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    let grant = fixtures::grant(&unique("gr"), &user.user_id, "https://api.example.com/");
    round_trip(adapters.grants.as_ref(), &tenant.id, grant, |g| {
        g.scope.push("profile".into())
    })
    .await?;
    tenant.cleanup().await
}

pub async fn authentication_methods_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = stored_user(&adapters, &tenant.id).await?;
    let method = fixtures::authentication_method(&unique("am"), &user.user_id);
    round_trip(
        adapters.authentication_methods.as_ref(),
        &tenant.id,
        method,
        |m| {
            m.last_auth_at = Some(fixtures::now());
            m.confirmed = false;
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn logs_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.logs.as_ref(),
        &tenant.id,
        fixtures::log(&unique("log"), fixtures::now()),
        |l| l.kind = "f".into(),
    )
    .await?;
    tenant.cleanup().await
}

pub async fn themes_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.themes.as_ref(),
        &tenant.id,
        fixtures::theme(&unique("thm")),
        |t| {
            t.colors.insert("primary".into(), "#ff0000".into());
        },
    )
    .await?;
    tenant.cleanup().await
}

pub async fn email_templates_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.email_templates.as_ref(),
        &tenant.id,
        fixtures::email_template("verify_email"),
        |t| t.enabled = false,
    )
    .await?;
    tenant.cleanup().await
}

pub async fn hooks_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.hooks.as_ref(),
        &tenant.id,
        fixtures::hook(&unique("hk")),
        |h| h.priority = Some(2),
    )
    .await?;
    tenant.cleanup().await
}

pub async fn custom_domains_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let host = format!("{}.Example.COM", unique("login"));
    let domain = fixtures::custom_domain(&unique("cd"), &host);
    adapters
        .custom_domains
        .create(&tenant.id, domain.clone())
        .await?;
    let found = adapters
        .custom_domains
        .find_by_domain(&host.to_lowercase())
        .await?;
    ensure!(
        found == Some((tenant.id.clone(), domain.clone())),
        "find_by_domain ignores case: {found:?}"
    );
    adapters
        .custom_domains
        .remove(&tenant.id, &domain.custom_domain_id)
        .await?;
    round_trip(adapters.custom_domains.as_ref(), &tenant.id, domain, |d| {
        d.primary = false
    })
    .await?;
    tenant.cleanup().await
}

pub async fn signing_keys_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let key = fixtures::signing_key(&unique("kid"));
    adapters.signing_keys.create(key.clone()).await?;
    ensure!(
        adapters.signing_keys.get(&key.kid).await?.as_ref() == Some(&key),
        "key differs"
    );
    ensure!(
        adapters.signing_keys.list().await?.contains(&key),
        "key not listed"
    );
    let duplicate = adapters.signing_keys.create(key.clone()).await;
    ensure!(
        matches!(duplicate, Err(ref e) if e.is_conflict()),
        "duplicate kid: {duplicate:?}"
    );
    let mut revoked = key.clone();
    revoked.revoked_at = Some(fixtures::now());
    adapters.signing_keys.update(revoked.clone()).await?;
    ensure!(
        adapters.signing_keys.get(&key.kid).await?.as_ref() == Some(&revoked),
        "revocation not stored"
    );
    let missing = adapters
        .signing_keys
        .update(fixtures::signing_key(&unique("kid")))
        .await;
    ensure!(
        matches!(missing, Err(ref e) if e.is_not_found()),
        "update of a missing key: {missing:?}"
    );
    Ok(())
}

pub async fn tenant_settings_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    ensure!(
        adapters.branding.get(&tenant.id).await?.is_none(),
        "branding before set"
    );
    let mut branding = Branding {
        colors: Some(BrandingColors {
            primary: Some("#0059d6".into()),
            page_background: Some("#000".into()),
        }),
        logo_url: Some("https://example.com/🚀.png".into()),
        favicon_url: None,
        font: Some(BrandingFont {
            url: Some("https://example.com/font.woff".into()),
        }),
    };
    adapters.branding.set(&tenant.id, branding.clone()).await?;
    ensure!(
        adapters.branding.get(&tenant.id).await? == Some(branding.clone()),
        "branding differs"
    );
    branding.favicon_url = Some("https://example.com/favicon.ico".into());
    adapters.branding.set(&tenant.id, branding.clone()).await?;
    ensure!(
        adapters.branding.get(&tenant.id).await? == Some(branding),
        "branding not replaced"
    );

    let prompts = PromptSettings {
        universal_login_experience: Some("new".into()),
        identifier_first: true,
        webauthn_platform_first_factor: false,
    };
    adapters
        .prompt_settings
        .set(&tenant.id, prompts.clone())
        .await?;
    ensure!(
        adapters.prompt_settings.get(&tenant.id).await? == Some(prompts),
        "prompt settings differ"
    );

    let template = UniversalLoginTemplate {
        body: "<!DOCTYPE html><html><head>{%- auth0:head -%}</head><body>🚀{%- auth0:widget -%}</body></html>".into(),
    };
    adapters
        .universal_login_templates
        .set(&tenant.id, template.clone())
        .await?;
    ensure!(
        adapters.universal_login_templates.get(&tenant.id).await? == Some(template),
        "universal login template differs"
    );
    ensure!(
        adapters
            .universal_login_templates
            .remove(&tenant.id)
            .await?
            && adapters
                .universal_login_templates
                .get(&tenant.id)
                .await?
                .is_none(),
        "universal login template not removed"
    );

    let provider = EmailProvider {
        name: "smtp".into(),
        enabled: true,
        default_from_address: Some("noreply@example.com".into()),
        credentials: fixtures::metadata(),
        settings: Default::default(),
    };
    adapters
        .email_providers
        .set(&tenant.id, provider.clone())
        .await?;
    ensure!(
        adapters.email_providers.get(&tenant.id).await? == Some(provider),
        "email provider differs"
    );
    ensure!(
        adapters.branding.get(&tenant.id).await?.is_some(),
        "settings overwrote each other"
    );

    ensure!(
        adapters.email_providers.remove(&tenant.id).await?,
        "provider remove"
    );
    ensure!(
        adapters.email_providers.get(&tenant.id).await?.is_none(),
        "provider still there"
    );
    ensure!(
        !adapters.email_providers.remove(&tenant.id).await?,
        "second remove found something"
    );
    tenant.cleanup().await
}

pub async fn custom_texts_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let mut texts = fixtures::metadata();
    texts.insert("login".into(), serde_json::json!({ "title": UNICODE }));
    let swedish = CustomText {
        prompt: "login".into(),
        language: "sv".into(),
        texts: texts.clone(),
    };
    let english = CustomText {
        prompt: "login".into(),
        language: "en".into(),
        texts: Default::default(),
    };
    adapters
        .custom_texts
        .set(&tenant.id, swedish.clone())
        .await?;
    adapters
        .custom_texts
        .set(&tenant.id, english.clone())
        .await?;
    ensure!(
        adapters.custom_texts.get(&tenant.id, "login", "sv").await? == Some(swedish.clone()),
        "sv differs"
    );
    ensure!(
        adapters.custom_texts.list(&tenant.id).await? == vec![english.clone(), swedish.clone()],
        "list order"
    );
    let replaced = CustomText {
        texts: Default::default(),
        ..swedish
    };
    adapters
        .custom_texts
        .set(&tenant.id, replaced.clone())
        .await?;
    ensure!(
        adapters.custom_texts.get(&tenant.id, "login", "sv").await? == Some(replaced),
        "sv not replaced"
    );
    ensure!(
        adapters
            .custom_texts
            .remove(&tenant.id, "login", "sv")
            .await?,
        "remove"
    );
    ensure!(
        adapters
            .custom_texts
            .get(&tenant.id, "login", "sv")
            .await?
            .is_none(),
        "still there"
    );
    ensure!(
        adapters.custom_texts.list(&tenant.id).await? == vec![english],
        "remove took the wrong text"
    );
    tenant.cleanup().await
}

/// A user created with its password gets both or neither: a password refused before the write
/// (a NUL in it) leaves no user, and a user refused (its id taken) leaves no password.
pub async fn users_are_created_with_their_password(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let user = fixtures::user(&unique("u"), "Username-Password-Authentication", None);
    let created = adapters
        .users
        .create_with_password(&tenant.id, user.clone(), fixtures::password(&user.user_id))
        .await?;
    ensure!(created == user, "created user differs");
    ensure!(
        adapters
            .passwords
            .get(&tenant.id, &user.user_id)
            .await?
            .is_some(),
        "the password was not stored"
    );

    let refused = fixtures::user(&unique("u"), "Username-Password-Authentication", None);
    let mut bad = fixtures::password(&refused.user_id);
    bad.hash = "hash\0with a NUL".into();
    let result = adapters
        .users
        .create_with_password(&tenant.id, refused.clone(), bad)
        .await;
    ensure!(
        matches!(result, Err(ref e) if e.is_invalid()),
        "a NUL in the password was {result:?}"
    );
    ensure!(
        adapters
            .users
            .get(&tenant.id, &refused.user_id)
            .await?
            .is_none(),
        "a user was left without its password"
    );

    let mut twin = user.clone();
    twin.email = Some(format!("{}@example.com", unique("twin")));
    let mut other_password = fixtures::password(&user.user_id);
    other_password.hash = "$2b$10$zyxwvutsrqponmlkjihgfeOtherHashForTheSameUserIdXXXXXXX".into();
    let result = adapters
        .users
        .create_with_password(&tenant.id, twin, other_password)
        .await;
    ensure!(
        matches!(result, Err(ref e) if e.is_conflict()),
        "a taken user id was {result:?}"
    );
    let kept = adapters.passwords.get(&tenant.id, &user.user_id).await?;
    ensure!(
        kept.is_some_and(|password| password.hash == fixtures::password(&user.user_id).hash),
        "the refused user's password replaced the stored one"
    );
    tenant.cleanup().await
}

/// Users created in bulk are all stored with their passwords (some have none), and a batch
/// with one taken email stores none of its users and none of its passwords.
pub async fn users_are_created_in_bulk(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let connection = "Username-Password-Authentication";
    // More than one multi-row statement's worth, so batches split across statements too.
    let batch: Vec<(User, Option<Password>)> = (0..1200)
        .map(|n| {
            let email = format!("{}@example.com", unique(&format!("bulk{n}")));
            let user = fixtures::user(&unique("bulk"), connection, Some(&email));
            let password = (n % 3 != 0).then(|| fixtures::password(&user.user_id));
            (user, password)
        })
        .collect();
    adapters
        .users
        .create_many(&tenant.id, batch.clone())
        .await?;
    for (user, password) in [&batch[0], &batch[1], &batch[1199]] {
        let stored = adapters.users.get(&tenant.id, &user.user_id).await?;
        ensure!(stored.as_ref() == Some(user), "a bulk user was {stored:?}");
        let hash = adapters.passwords.get(&tenant.id, &user.user_id).await?;
        ensure!(
            hash.map(|stored| stored.hash) == password.as_ref().map(|given| given.hash.clone()),
            "user {}'s password was not stored as given",
            user.user_id
        );
    }

    let fresh = fixtures::user(&unique("bulk"), connection, Some("fresh@example.com"));
    let mut twin = fixtures::user(&unique("bulk"), connection, None);
    twin.email = batch[5].0.email.clone();
    let refused = vec![
        (fresh.clone(), Some(fixtures::password(&fresh.user_id))),
        (twin.clone(), None),
    ];
    let result = adapters.users.create_many(&tenant.id, refused).await;
    ensure!(
        matches!(result, Err(ref e) if e.is_conflict()),
        "a taken email in a batch was {result:?}"
    );
    for id in [&fresh.user_id, &twin.user_id] {
        ensure!(
            adapters.users.get(&tenant.id, id).await?.is_none(),
            "a refused batch left user {id}"
        );
    }
    ensure!(
        adapters
            .passwords
            .get(&tenant.id, &fresh.user_id)
            .await?
            .is_none(),
        "a refused batch left a password"
    );
    tenant.cleanup().await
}

pub async fn jobs_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    round_trip(
        adapters.jobs.as_ref(),
        &tenant.id,
        fixtures::job(&unique("job"), fixtures::now()),
        |j| {
            j.status = "completed".into();
            j.summary = Some(authhero_core::entities::JobSummary {
                failed: 1,
                updated: 0,
                inserted: 2,
                total: 3,
            });
        },
    )
    .await?;
    tenant.cleanup().await
}
