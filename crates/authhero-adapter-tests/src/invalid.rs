//! Bad input is refused as `Invalid` and writes nothing.

use anyhow::ensure;
use authhero_core::{DataAdapters, Error, ListParams};

use crate::fixtures::{self, TestTenant, unique};

fn is_invalid<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(e) if e.is_invalid())
}

pub async fn invalid_writes_are_refused_and_write_nothing(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let id = &tenant.id;
    let database = "Username-Password-Authentication";

    let long_email = format!("{}@example.com", "a".repeat(250));
    let result = adapters
        .users
        .create(
            id,
            fixtures::user(&unique("u"), database, Some(&long_email)),
        )
        .await;
    ensure!(is_invalid(&result), "email over 255 characters: {result:?}");

    let mut nul = fixtures::user(&unique("u"), database, None);
    nul.name = Some("nul\0byte".into());
    let result = adapters.users.create(id, nul).await;
    ensure!(is_invalid(&result), "NUL in a name: {result:?}");

    let mut nul_key = fixtures::user(&unique("u"), database, None);
    nul_key.user_metadata.insert("bad\0key".into(), 1.into());
    let result = adapters.users.create(id, nul_key).await;
    ensure!(is_invalid(&result), "NUL in a metadata key: {result:?}");

    let mut orphan = fixtures::user(&unique("u"), database, None);
    orphan.identities.clear();
    let result = adapters.users.create(id, orphan).await;
    ensure!(is_invalid(&result), "user without identities: {result:?}");

    let result = adapters.clients.create(id, fixtures::client("")).await;
    ensure!(is_invalid(&result), "empty client_id: {result:?}");

    let mut huge = fixtures::user(&unique("u"), database, None);
    huge.app_metadata
        .insert("blob".into(), "x".repeat(1024 * 1024 + 1).into());
    let result = adapters.users.create(id, huge).await;
    ensure!(is_invalid(&result), "document over 1 MiB: {result:?}");

    let result = adapters
        .roles
        .create(id, fixtures::role(&unique("rol"), &"r".repeat(192)))
        .await;
    ensure!(
        is_invalid(&result),
        "role name over 191 characters: {result:?}"
    );

    let stored = adapters
        .users
        .list(id, &ListParams::default().with_totals())
        .await?;
    ensure!(
        stored.total == Some(0),
        "refused users were stored: {:?}",
        stored.total
    );
    ensure!(
        adapters
            .roles
            .list(id, &ListParams::default())
            .await?
            .items
            .is_empty(),
        "refused role was stored"
    );

    // Lengths count characters, not bytes: 255 four-byte characters fit.
    let mut wide = fixtures::user(&unique("u"), database, None);
    wide.name = Some("🦀".repeat(255));
    adapters.users.create(id, wide.clone()).await?;
    ensure!(
        adapters.users.get(id, &wide.user_id).await?.as_ref() == Some(&wide),
        "wide name differs"
    );

    // A refused update leaves the stored entity as it was.
    let mut changed = wide.clone();
    changed.email = Some(long_email);
    let result = adapters.users.update(id, changed).await;
    ensure!(is_invalid(&result), "update to a long email: {result:?}");
    ensure!(
        adapters.users.get(id, &wide.user_id).await?.as_ref() == Some(&wide),
        "refused update wrote"
    );

    let result = adapters
        .custom_texts
        .set(
            id,
            authhero_core::entities::CustomText {
                prompt: String::new(),
                language: "en".into(),
                texts: Default::default(),
            },
        )
        .await;
    ensure!(
        is_invalid(&result),
        "custom text without prompt: {result:?}"
    );
    tenant.cleanup().await
}
