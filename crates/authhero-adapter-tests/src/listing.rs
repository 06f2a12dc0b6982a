//! Paging, totals, sorting, checkpoints and every `q` operator, on a small known set of users.

use anyhow::{Context, ensure};
use authhero_core::entities::User;
use authhero_core::list::{Pagination, Sort};
use authhero_core::{DataAdapters, ListParams, Query, Timestamp};
use serde_json::json;

use crate::fixtures::{self, TestTenant};

/// Five users, numbered 1 to 5 in `user_id` (`auth0|list-N`) and in `created_at` order.
async fn seed(adapters: &DataAdapters) -> anyhow::Result<TestTenant> {
    let tenant = TestTenant::new(adapters).await?;
    let rows = [
        (
            1,
            Some("alice@example.com"),
            "Alice Andersson",
            1,
            true,
            json!({"plan": "pro", "seats": 5, "beta": true}),
        ),
        (
            2,
            Some("bob@example.com"),
            "Bob Berg",
            5,
            false,
            json!({"plan": "free", "seats": 10}),
        ),
        (
            3,
            Some("carol@sample.org"),
            "Carol Carlsson",
            10,
            true,
            json!({"plan": "pro"}),
        ),
        (
            4,
            Some("dave@sample.org"),
            "Dave Dahl",
            20,
            false,
            json!({}),
        ),
        (5, None, "Émile Zola", 0, false, json!({})),
    ];
    for (n, email, name, logins, verified, app_metadata) in rows {
        let mut user = fixtures::user(
            &format!("list-{n}"),
            "Username-Password-Authentication",
            email,
        );
        user.name = Some(name.into());
        user.logins_count = logins;
        user.email_verified = verified;
        user.app_metadata = match app_metadata {
            serde_json::Value::Object(map) => map,
            _ => Default::default(),
        };
        user.created_at = created(n).context("timestamp")?;
        if n == 3 {
            user.username = Some("carol".into());
        }
        if n == 4 {
            user.phone_number = Some("+46701234567".into());
        }
        adapters.users.create(&tenant.id, user).await?;
    }
    Ok(tenant)
}

fn created(n: u32) -> Option<Timestamp> {
    Timestamp::parse(&format!("2024-01-01T00:00:0{n}.000Z"))
}

/// The numbers of the users a list returned, in order.
fn numbers(users: &[User]) -> Vec<u32> {
    users
        .iter()
        .filter_map(|user| {
            user.user_id
                .strip_prefix("auth0|list-")
                .and_then(|n| n.parse().ok())
        })
        .collect()
}

async fn search(adapters: &DataAdapters, tenant: &TestTenant, q: &str) -> anyhow::Result<Vec<u32>> {
    let params = ListParams::default().with_query(Query::parse(q)?);
    let page = adapters
        .users
        .list(&tenant.id, &params)
        .await
        .with_context(|| format!("q={q}"))?;
    Ok(numbers(&page.items))
}

/// Runs each `(q, expected users)` pair and reports every mismatch at once.
async fn expect_searches(
    adapters: &DataAdapters,
    tenant: &TestTenant,
    cases: &[(&str, &[u32])],
) -> anyhow::Result<()> {
    let mut failures = Vec::new();
    for (q, expected) in cases {
        let found = search(adapters, tenant, q).await?;
        if found != *expected {
            failures.push(format!("q={q}: expected {expected:?}, found {found:?}"));
        }
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

pub async fn pagination_and_totals(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    let first = adapters
        .users
        .list(&tenant.id, &ListParams::page(0, 2)?.with_totals())
        .await?;
    ensure!(
        numbers(&first.items) == [1, 2] && first.total == Some(5),
        "page 0: {:?} {:?}",
        numbers(&first.items),
        first.total
    );
    let last = adapters
        .users
        .list(&tenant.id, &ListParams::page(2, 2)?.with_totals())
        .await?;
    ensure!(
        numbers(&last.items) == [5] && last.total == Some(5),
        "page 2: {:?}",
        numbers(&last.items)
    );
    let beyond = adapters
        .users
        .list(&tenant.id, &ListParams::page(3, 2)?)
        .await?;
    ensure!(
        beyond.items.is_empty() && beyond.total.is_none(),
        "past the end: {:?}",
        numbers(&beyond.items)
    );
    let q = Query::parse("email_verified:false")?;
    let filtered = adapters
        .users
        .list(
            &tenant.id,
            &ListParams::page(0, 1)?.with_totals().with_query(q),
        )
        .await?;
    ensure!(
        numbers(&filtered.items) == [2] && filtered.total == Some(3),
        "filtered totals {:?}",
        filtered.total
    );
    tenant.cleanup().await
}

pub async fn q_exact_terms_and_phrases(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("email:bob@example.com", &[2]),
            ("email:\"BOB@Example.com\"", &[2]),
            ("name:\"Carol Carlsson\"", &[3]),
            ("name:\"carol carlsson\"", &[3]),
            ("name:\"émile zola\"", &[5]),
            ("name:Carol", &[]),
            ("username:carol", &[3]),
            ("username:Carol", &[]),
            ("user_id:auth0|list-4", &[4]),
            ("email_verified:true", &[1, 3]),
            ("logins_count:5", &[2]),
            ("phone_number:\"+46701234567\"", &[4]),
            (
                "identities.connection:Username-Password-Authentication",
                &[1, 2, 3, 4, 5],
            ),
            ("", &[1, 2, 3, 4, 5]),
            ("*", &[1, 2, 3, 4, 5]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

pub async fn q_prefix_terms(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("email:ali*", &[1]),
            ("email:*", &[1, 2, 3, 4]),
            ("name:CAR*", &[3]),
            ("name:d*", &[4]),
            ("app_metadata.plan:pr*", &[1, 3]),
            // LIKE wildcards in the text are literal.
            ("email:%*", &[]),
            ("email:_*", &[]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

/// A prefix search with no `sort` comes in the order of the field it searches (then the id),
/// so its index serves the page; any other unsorted list comes oldest first.
pub async fn unsorted_prefix_searches_follow_their_field(
    adapters: DataAdapters,
) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    for (n, email) in [(6, "abby@example.com"), (7, "aaron@example.com")] {
        let mut user = fixtures::user(
            &format!("list-{n}"),
            "Username-Password-Authentication",
            Some(email),
        );
        user.created_at = created(n).context("timestamp")?;
        adapters.users.create(&tenant.id, user).await?;
    }
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("email:a*", &[7, 6, 1]),
            ("email:a* AND NOT _exists_:linked_to", &[7, 6, 1]),
            ("email:a* OR email:b*", &[1, 2, 6, 7]),
            ("_exists_:email", &[1, 2, 3, 4, 6, 7]),
        ],
    )
    .await?;
    let second_page = ListParams::page(1, 2)?.with_query(Query::parse("email:a*")?);
    let page = adapters.users.list(&tenant.id, &second_page).await?;
    ensure!(numbers(&page.items) == [1], "{:?}", numbers(&page.items));
    tenant.cleanup().await
}

pub async fn q_boolean_operators(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("email_verified:true AND logins_count:>5", &[3]),
            ("email_verified:true logins_count:>5", &[3]),
            ("email:alice@example.com OR email:bob@example.com", &[1, 2]),
            ("email:alice@example.com || email:bob@example.com", &[1, 2]),
            ("NOT email_verified:true", &[2, 4, 5]),
            ("-email_verified:true", &[2, 4, 5]),
            ("!email_verified:true", &[2, 4, 5]),
            ("email_verified:true AND NOT app_metadata.plan:pro", &[]),
            (
                "(email:alice@example.com OR email:dave@sample.org) AND logins_count:>1",
                &[4],
            ),
            ("email:(alice@example.com OR carol@sample.org)", &[1, 3]),
            (
                "logins_count:1 OR logins_count:20 AND email_verified:false",
                &[1, 4],
            ),
        ],
    )
    .await?;
    tenant.cleanup().await
}

pub async fn q_exists(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("_exists_:email", &[1, 2, 3, 4]),
            ("NOT _exists_:email", &[5]),
            ("_exists_:phone_number", &[4]),
            ("_exists_:app_metadata.seats", &[1, 2]),
            ("_exists_:app_metadata.nothing_here", &[]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

/// A user linked into another keeps `linked_to`, which filters lists both ways (lists leave
/// linked users out; deleting a primary finds them), and totals count what the filter keeps.
pub async fn q_linked_users(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    let mut bob = adapters
        .users
        .get(&tenant.id, "auth0|list-2")
        .await?
        .context("bob")?;
    bob.linked_to = Some("auth0|list-1".into());
    adapters.users.update(&tenant.id, bob).await?;
    let stored = adapters.users.get(&tenant.id, "auth0|list-2").await?;
    ensure!(stored.and_then(|user| user.linked_to).as_deref() == Some("auth0|list-1"));
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("NOT _exists_:linked_to", &[1, 3, 4, 5]),
            ("linked_to:\"auth0|list-1\"", &[2]),
            ("email:bob@example.com AND _exists_:linked_to", &[2]),
            ("email:b* AND NOT _exists_:linked_to", &[]),
        ],
    )
    .await?;
    let standalone = ListParams::default()
        .with_totals()
        .with_query(Query::parse("NOT _exists_:linked_to")?);
    let page = adapters.users.list(&tenant.id, &standalone).await?;
    ensure!(page.total == Some(4), "total {:?}", page.total);
    tenant.cleanup().await
}

pub async fn q_ranges(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("logins_count:[5 TO 10]", &[2, 3]),
            ("logins_count:{5 TO 10}", &[]),
            ("logins_count:{1 TO 20]", &[2, 3, 4]),
            ("logins_count:[10 TO *]", &[3, 4]),
            ("logins_count:[* TO 1]", &[1, 5]),
            ("logins_count:>=10", &[3, 4]),
            ("logins_count:>10", &[4]),
            ("logins_count:<5", &[1, 5]),
            ("logins_count:<=5", &[1, 2, 5]),
            (
                "created_at:[\"2024-01-01T00:00:02.000Z\" TO \"2024-01-01T00:00:04.000Z\"]",
                &[2, 3, 4],
            ),
            ("created_at:>\"2024-01-01T00:00:04.000Z\"", &[5]),
            ("email:[b TO d]", &[2, 3]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

pub async fn q_metadata_fields(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("app_metadata.plan:pro", &[1, 3]),
            ("app_metadata.plan:Pro", &[]),
            ("app_metadata.beta:true", &[1]),
            ("app_metadata.seats:10", &[2]),
            ("app_metadata.plan:pro AND app_metadata.seats:5", &[1]),
            ("user_metadata.nested.deep.emoji:\"🦀\"", &[1, 2, 3, 4, 5]),
            ("app_metadata.missing:x", &[]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

pub async fn q_bare_terms(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    expect_searches(
        &adapters,
        &tenant,
        &[
            ("bob@example.com", &[2]),
            ("\"dave dahl\"", &[4]),
            ("ali*", &[1]),
            ("carol", &[3]),
            ("nobody", &[]),
        ],
    )
    .await?;
    tenant.cleanup().await
}

pub async fn sort_ascending_and_descending(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    let cases: [(&str, &[u32]); 5] = [
        ("logins_count:-1", &[4, 3, 2, 1, 5]),
        ("logins_count:1", &[5, 1, 2, 3, 4]),
        ("email:1", &[1, 2, 3, 4, 5]),
        ("email:-1", &[4, 3, 2, 1, 5]),
        ("created_at:-1", &[5, 4, 3, 2, 1]),
    ];
    for (sort, expected) in cases {
        let params = ListParams::default().with_sort(Sort::parse(sort)?);
        let found = numbers(&adapters.users.list(&tenant.id, &params).await?.items);
        ensure!(found == expected, "sort={sort}: {found:?}");
    }
    tenant.cleanup().await
}

pub async fn checkpoint_paging(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    let mut seen = Vec::new();
    let mut from = None;
    for _ in 0..5 {
        let page = adapters
            .users
            .list(&tenant.id, &ListParams::checkpoint(from, 2)?)
            .await?;
        seen.push(numbers(&page.items));
        from = page.next;
        if from.is_none() {
            break;
        }
    }
    ensure!(
        seen == vec![vec![1, 2], vec![3, 4], vec![5]],
        "checkpoint pages {seen:?}"
    );
    let q = Query::parse("email_verified:false")?;
    let filtered = adapters
        .users
        .list(
            &tenant.id,
            &ListParams::checkpoint(None, 2)?.with_query(q.clone()),
        )
        .await?;
    ensure!(
        numbers(&filtered.items) == [2, 4],
        "filtered checkpoint {:?}",
        numbers(&filtered.items)
    );
    let rest = adapters
        .users
        .list(
            &tenant.id,
            &ListParams::checkpoint(filtered.next, 2)?.with_query(q),
        )
        .await?;
    ensure!(
        numbers(&rest.items) == [5] && rest.next.is_none(),
        "filtered rest {:?}",
        numbers(&rest.items)
    );
    tenant.cleanup().await
}

pub async fn logs_list_newest_first(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    for n in 1..=3 {
        let date = created(n).context("timestamp")?;
        adapters
            .logs
            .create(&tenant.id, fixtures::log(&format!("log-{n}"), date))
            .await?;
    }
    let page = adapters
        .logs
        .list(&tenant.id, &ListParams::default())
        .await?;
    let ids: Vec<&str> = page.items.iter().map(|log| log.log_id.as_str()).collect();
    ensure!(ids == ["log-3", "log-2", "log-1"], "logs {ids:?}");
    let q = Query::parse("type:s AND user_id:\"auth0|someone\"")?;
    let found = adapters
        .logs
        .list(
            &tenant.id,
            &ListParams::default().with_query(q).with_totals(),
        )
        .await?;
    ensure!(found.total == Some(3), "log search total {:?}", found.total);
    tenant.cleanup().await
}

/// Lists whose params are malformed are refused as `Invalid`, whichever part is wrong.
/// Events dated before the retention's cut are removed, later ones and other tenants' stay.
pub async fn logs_past_their_retention_are_removed(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = TestTenant::new(&adapters).await?;
    let other = TestTenant::new(&adapters).await?;
    for n in 1..=3 {
        let date = created(n).context("timestamp")?;
        for owner in [&tenant, &other] {
            adapters
                .logs
                .create(&owner.id, fixtures::log(&format!("log-{n}"), date))
                .await?;
        }
    }
    let cut = created(3).context("timestamp")?;
    let removed = adapters.logs.remove_before(&tenant.id, cut).await?;
    ensure!(removed == 2, "removed {removed}");
    let left = adapters
        .logs
        .list(&tenant.id, &ListParams::default())
        .await?;
    let ids: Vec<&str> = left.items.iter().map(|log| log.log_id.as_str()).collect();
    ensure!(ids == ["log-3"], "left {ids:?}");
    let untouched = adapters
        .logs
        .list(&other.id, &ListParams::default())
        .await?;
    ensure!(untouched.items.len() == 3, "the other tenant lost events");
    ensure!(adapters.logs.remove_before(&tenant.id, cut).await? == 0);
    other.cleanup().await?;
    tenant.cleanup().await
}

pub async fn malformed_list_params_are_invalid(adapters: DataAdapters) -> anyhow::Result<()> {
    let tenant = seed(&adapters).await?;
    let id = &tenant.id;
    let mut failures = Vec::new();
    let mut expect_invalid = |what: &str, result: authhero_core::Result<usize>| {
        if !matches!(result, Err(ref e) if e.is_invalid()) {
            failures.push(format!("{what}: {result:?}"));
        }
    };
    for sort in ["no_such_field:1", "app_metadata.plan:1"] {
        let params = ListParams::default().with_sort(Sort::parse(sort)?);
        expect_invalid(
            sort,
            adapters
                .users
                .list(id, &params)
                .await
                .map(|p| p.items.len()),
        );
    }
    for q in [
        "logins_count:many",
        "email_verified:maybe",
        "logins_count:1*",
        "logins_count:[a TO 5]",
    ] {
        let params = ListParams::default().with_query(Query::parse(q)?);
        expect_invalid(
            q,
            adapters
                .users
                .list(id, &params)
                .await
                .map(|p| p.items.len()),
        );
    }
    let oversized = ListParams {
        pagination: Pagination::Offset {
            page: 0,
            per_page: 1000,
        },
        ..ListParams::default()
    };
    expect_invalid(
        "per_page=1000",
        adapters
            .users
            .list(id, &oversized)
            .await
            .map(|p| p.items.len()),
    );
    let sorted_checkpoint = ListParams::checkpoint(None, 5)?.with_sort(Sort::parse("email:1")?);
    expect_invalid(
        "checkpoint with sort",
        adapters
            .users
            .list(id, &sorted_checkpoint)
            .await
            .map(|p| p.items.len()),
    );
    let bare = ListParams::default().with_query(Query::parse("anything")?);
    expect_invalid(
        "bare term on hooks",
        adapters.hooks.list(id, &bare).await.map(|p| p.items.len()),
    );
    let role = adapters
        .roles
        .create(id, fixtures::role("rol_q", "q"))
        .await?;
    let with_q = ListParams::default().with_query(Query::parse("permission_name:x")?);
    expect_invalid(
        "q on permissions",
        adapters
            .role_permissions
            .list(id, &role.id, &with_q)
            .await
            .map(|p| p.items.len()),
    );
    ensure!(
        failures.is_empty(),
        "accepted malformed params:\n{}",
        failures.join("\n")
    );
    tenant.cleanup().await
}
