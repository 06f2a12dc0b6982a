//! Single-use codes: consumption rules, and exactly one winner among concurrent consumers.

use anyhow::ensure;
use authhero_core::DataAdapters;
use authhero_core::entities::CodeType;

use crate::fixtures::{self, TestTenant, unique};

pub async fn codes_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let code = fixtures::code(
        &unique("code"),
        CodeType::AuthorizationCode,
        fixtures::now().plus_seconds(60),
    );
    adapters.codes.create(&tenant.id, code.clone()).await?;
    ensure!(
        adapters.codes.get(&tenant.id, &code.code_id).await? == Some(code.clone()),
        "code differs"
    );
    let duplicate = adapters.codes.create(&tenant.id, code.clone()).await;
    ensure!(
        matches!(duplicate, Err(ref e) if e.is_conflict()),
        "duplicate code: {duplicate:?}"
    );
    ensure!(
        adapters.codes.remove(&tenant.id, &code.code_id).await?,
        "remove"
    );
    ensure!(
        adapters
            .codes
            .get(&tenant.id, &code.code_id)
            .await?
            .is_none(),
        "removed code readable"
    );
    tenant.cleanup().await
}

pub async fn code_consumption_rules(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let now = fixtures::now();
    let code = fixtures::code(&unique("code"), CodeType::Otp, now.plus_seconds(300));
    adapters.codes.create(&tenant.id, code.clone()).await?;

    let wrong_type = adapters
        .codes
        .consume(&tenant.id, &code.code_id, CodeType::AuthorizationCode, now)
        .await?;
    ensure!(wrong_type.is_none(), "consumed as the wrong type");
    let after_expiry = adapters
        .codes
        .consume(
            &tenant.id,
            &code.code_id,
            CodeType::Otp,
            now.plus_seconds(301),
        )
        .await?;
    ensure!(after_expiry.is_none(), "consumed after expiry");
    let other_tenant = TestTenant::new(&adapters).await?;
    let elsewhere = adapters
        .codes
        .consume(&other_tenant.id, &code.code_id, CodeType::Otp, now)
        .await?;
    ensure!(elsewhere.is_none(), "consumed from another tenant");

    let consumed = adapters
        .codes
        .consume(&tenant.id, &code.code_id, CodeType::Otp, now)
        .await?;
    let Some(consumed) = consumed else {
        anyhow::bail!("a fresh code was not consumable")
    };
    ensure!(
        consumed.used_at == Some(now),
        "consume did not mark the code used"
    );
    ensure!(
        consumed.nonce == code.nonce,
        "consume returned another code"
    );
    let stored = adapters.codes.get(&tenant.id, &code.code_id).await?;
    ensure!(
        stored.and_then(|c| c.used_at) == Some(now),
        "used_at not stored"
    );
    let again = adapters
        .codes
        .consume(&tenant.id, &code.code_id, CodeType::Otp, now)
        .await?;
    ensure!(again.is_none(), "a code was consumed twice");
    ensure!(
        adapters
            .codes
            .consume(&tenant.id, "no-such-code", CodeType::Otp, now)
            .await?
            .is_none(),
        "ghost code"
    );
    other_tenant.cleanup().await?;
    tenant.cleanup().await
}

pub async fn concurrent_code_consumption_has_one_winner(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    const CONSUMERS: usize = 50;
    let tenant = TestTenant::new(&adapters).await?;
    let now = fixtures::now();
    let code = fixtures::code(
        &unique("code"),
        CodeType::AuthorizationCode,
        now.plus_seconds(60),
    );
    adapters.codes.create(&tenant.id, code.clone()).await?;
    let mut consumers = tokio::task::JoinSet::new();
    for _ in 0..CONSUMERS {
        let (adapters, tenant_id, code_id) =
            (adapters.clone(), tenant.id.clone(), code.code_id.clone());
        consumers.spawn(async move {
            adapters
                .codes
                .consume(&tenant_id, &code_id, CodeType::AuthorizationCode, now)
                .await
        });
    }
    let mut winners = 0;
    while let Some(outcome) = consumers.join_next().await {
        if outcome??.is_some() {
            winners += 1;
        }
    }
    ensure!(
        winners == 1,
        "{winners} of {CONSUMERS} concurrent consumers won"
    );
    tenant.cleanup().await
}

pub async fn concurrent_rotation_has_one_winner(adapters: DataAdapters) -> anyhow::Result<()> {
    const EXCHANGES: usize = 20;
    let tenant = TestTenant::new(&adapters).await?;
    let user = crate::crud::stored_user(&adapters, &tenant.id).await?;
    let token = fixtures::refresh_token(&unique("rt"), &unique("fam"), &user.user_id);
    adapters
        .refresh_tokens
        .create(&tenant.id, token.clone())
        .await?;
    let mut exchanges = tokio::task::JoinSet::new();
    for _ in 0..EXCHANGES {
        let (adapters, tenant_id) = (adapters.clone(), tenant.id.clone());
        let mut rotated = token.clone();
        rotated.rotated_at = Some(fixtures::now());
        exchanges.spawn(async move {
            adapters
                .refresh_tokens
                .claim_rotation(&tenant_id, rotated)
                .await
        });
    }
    let mut winners = 0;
    while let Some(outcome) = exchanges.join_next().await {
        if outcome?? {
            winners += 1;
        }
    }
    ensure!(
        winners == 1,
        "{winners} of {EXCHANGES} concurrent exchanges rotated one token"
    );
    let stored = adapters.refresh_tokens.get(&tenant.id, &token.id).await?;
    ensure!(
        stored.and_then(|t| t.rotated_at).is_some(),
        "the rotation was not stored"
    );
    let missing = fixtures::refresh_token(&unique("rt"), &unique("fam"), &user.user_id);
    let mut rotated = missing;
    rotated.rotated_at = Some(fixtures::now());
    ensure!(
        !adapters
            .refresh_tokens
            .claim_rotation(&tenant.id, rotated)
            .await?,
        "claimed a missing token"
    );
    tenant.cleanup().await
}
