//! Brute-force protection's counters: round trip, tenant isolation, clearing, removal with the
//! tenant, and exact counts under concurrent failures.

use std::sync::Arc;

use anyhow::ensure;
use authhero_core::DataAdapters;
use authhero_core::ports::LoginFailuresRepository;

use crate::fixtures::{self, TestTenant, unique};

/// The failures of one pair, as the port lists them (0 when it has none).
async fn count(
    failures: &Arc<dyn LoginFailuresRepository>,
    tenant_id: &str,
    identifier: &str,
    ip: &str,
) -> authhero_core::Result<u32> {
    let pairs = failures.list(tenant_id, &[identifier.to_owned()]).await?;
    Ok(pairs
        .into_iter()
        .find(|pair| pair.identifier == identifier && pair.ip == ip)
        .map_or(0, |pair| pair.failures))
}

pub async fn login_failures_round_trip(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let failures = &adapters.login_failures;
    let identifier = format!("{}@example.com", unique("zoë"));
    let ip = "2001:db8::1";
    ensure!(
        count(failures, &tenant.id, &identifier, ip).await? == 0,
        "a fresh pair has failures"
    );
    let now = fixtures::now();
    for expected in 1..=3 {
        let count = failures.record(&tenant.id, &identifier, ip, now).await?;
        ensure!(count == expected, "record {expected} returned {count}");
    }
    ensure!(
        count(failures, &tenant.id, &identifier, ip).await? == 3,
        "count after three failures"
    );
    ensure!(
        count(failures, &tenant.id, &identifier, "198.51.100.7").await? == 0,
        "another IP shares the count"
    );
    ensure!(
        count(failures, &tenant.id, &identifier.to_uppercase(), ip).await? == 0,
        "identifiers are compared exactly"
    );
    let listed = failures
        .list(&tenant.id, std::slice::from_ref(&identifier))
        .await?;
    ensure!(listed.len() == 1, "listed {listed:?}");
    ensure!(
        listed[0].identifier == identifier
            && listed[0].ip == ip
            && listed[0].failures == 3
            && listed[0].last_failed_at == now,
        "listed {listed:?}"
    );
    ensure!(
        failures.clear(&tenant.id, &identifier, ip).await?,
        "clear found nothing"
    );
    ensure!(
        count(failures, &tenant.id, &identifier, ip).await? == 0,
        "cleared pair keeps failures"
    );
    ensure!(
        !failures.clear(&tenant.id, &identifier, ip).await?,
        "cleared twice"
    );
    ensure!(
        failures.record(&tenant.id, &identifier, ip, now).await? == 1,
        "a cleared pair starts again at 1"
    );
    for (identifier, ip) in [
        ("x".repeat(256), ip.to_owned()),
        ("nul\0@example.com".to_owned(), ip.to_owned()),
        (identifier.clone(), "9".repeat(65)),
        (String::new(), ip.to_owned()),
    ] {
        let refused = failures.record(&tenant.id, &identifier, &ip, now).await;
        ensure!(
            matches!(refused, Err(ref e) if e.is_invalid()),
            "bad key accepted: {refused:?}"
        );
    }
    tenant.cleanup().await
}

pub async fn login_failures_are_isolated_by_tenant(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let other = TestTenant::new(&adapters).await?;
    let failures = &adapters.login_failures;
    let identifier = unique("user");
    let ip = "203.0.113.9";
    failures
        .record(&tenant.id, &identifier, ip, fixtures::now())
        .await?;
    ensure!(
        count(failures, &other.id, &identifier, ip).await? == 0,
        "a count leaked into another tenant"
    );
    ensure!(
        failures
            .list(&other.id, std::slice::from_ref(&identifier))
            .await?
            .is_empty(),
        "another tenant lists the pair"
    );
    ensure!(
        !failures.clear(&other.id, &identifier, ip).await?
            && failures
                .clear_identifiers(&other.id, std::slice::from_ref(&identifier))
                .await?
                == 0,
        "another tenant cleared the pair"
    );
    ensure!(
        count(failures, &tenant.id, &identifier, ip).await? == 1,
        "the pair lost its count"
    );
    // Removing the tenant removes its counters.
    let tenant_id = tenant.id.clone();
    tenant.cleanup().await?;
    ensure!(
        count(failures, &tenant_id, &identifier, ip).await? == 0,
        "counters outlived their tenant"
    );
    other.cleanup().await
}

pub async fn login_failures_clear_by_identifier(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let failures = &adapters.login_failures;
    let (email, username, bystander) = (unique("email"), unique("name"), unique("other"));
    let now = fixtures::now();
    for identifier in [&email, &username, &bystander] {
        for ip in ["192.0.2.1", "192.0.2.2"] {
            failures.record(&tenant.id, identifier, ip, now).await?;
        }
    }
    let pair = [email.clone(), username.clone()];
    ensure!(
        failures.list(&tenant.id, &pair).await?.len() == 4,
        "listing two identifiers"
    );
    ensure!(
        failures.list(&tenant.id, &[]).await?.is_empty(),
        "no identifiers listed something"
    );
    let removed = failures.clear_identifiers(&tenant.id, &pair).await?;
    ensure!(removed == 4, "cleared {removed} pairs, not 4");
    ensure!(
        failures.list(&tenant.id, &pair).await?.is_empty(),
        "cleared identifiers keep pairs"
    );
    ensure!(
        failures
            .list(&tenant.id, std::slice::from_ref(&bystander))
            .await?
            .len()
            == 2,
        "clearing touched another identifier"
    );
    tenant.cleanup().await
}

pub async fn concurrent_login_failures_add_up(adapters: DataAdapters) -> anyhow::Result<()> {
    const FAILURES: u32 = 20;
    let tenant = TestTenant::new(&adapters).await?;
    let identifier = unique("user");
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..FAILURES {
        let (adapters, tenant_id, identifier) =
            (adapters.clone(), tenant.id.clone(), identifier.clone());
        attempts.spawn(async move {
            adapters
                .login_failures
                .record(&tenant_id, &identifier, "192.0.2.50", fixtures::now())
                .await
        });
    }
    let mut counts = Vec::new();
    while let Some(outcome) = attempts.join_next().await {
        counts.push(outcome??);
    }
    counts.sort_unstable();
    ensure!(
        counts == (1..=FAILURES).collect::<Vec<_>>(),
        "concurrent failures returned {counts:?}"
    );
    let stored = count(
        &adapters.login_failures,
        &tenant.id,
        &identifier,
        "192.0.2.50",
    )
    .await?;
    ensure!(stored == FAILURES, "{FAILURES} failures stored as {stored}");
    tenant.cleanup().await
}
